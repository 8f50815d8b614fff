//! Fault injection per operation. An operation is the ACS `Action` name
//! (`GetChatConfiguration`, `DescribeDingTalk`, ...), the legacy DingTalk path
//! without its leading slash (`gettoken`, `chat/get`,
//! `topapi/v2/user/get`, ...), the new DingTalk operation name of the spec
//! (`GetAccessToken`, `CreateGroup`, `QueryInnerGroupMemberList`, ...), or `*`
//! for every operation. Faults act before authentication, like a gateway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Notify;

/// What a fault does to a matching request.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Delay, then serve normally.
    Latency { millis: u64 },
    /// With this probability (0..=1, seeded), a transient error: ACS 500
    /// `InternalError`, legacy errcode -1, new API 500 `system.error`.
    ErrorRate { rate: f64 },
    /// ACS 400 `Throttling.User` with `x-acs-retry-after` (seconds); legacy
    /// errcode 90002 and new API 403 `Forbidden.AccessDenied.QpsLimitForApi`,
    /// both with `Retry-After`.
    Throttle { retry_after_secs: u64 },
    /// HTTP 200 `{"status":1111,"wait":5}` without errcode (DingTalk IP ban).
    IpBan,
    /// HTTP 200, JSON content type, truncated body.
    MalformedJson,
    /// The connection is closed without any response.
    DropConnection,
    /// HTTP 503 with the upstream's error JSON (`ServiceUnavailable`).
    ServiceUnavailable,
    /// The caller may not call this: ACS 403 `NoPermission` (what RAM
    /// answers), legacy errcode 43007, new API 403.
    NoPermission,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Fault {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Fire this many times, then disappear; `None` = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    pub fn new(kind: FaultKind) -> Fault {
        Fault { kind, times: None }
    }
    pub fn latency(delay: Duration) -> Fault {
        Fault::new(FaultKind::Latency {
            millis: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        })
    }
    pub fn error_rate(rate: f64) -> Fault {
        Fault::new(FaultKind::ErrorRate { rate })
    }
    pub fn throttle(retry_after_secs: u64) -> Fault {
        Fault::new(FaultKind::Throttle { retry_after_secs })
    }
    pub fn ip_ban() -> Fault {
        Fault::new(FaultKind::IpBan)
    }
    pub fn malformed_json() -> Fault {
        Fault::new(FaultKind::MalformedJson)
    }
    pub fn drop_connection() -> Fault {
        Fault::new(FaultKind::DropConnection)
    }
    pub fn service_unavailable() -> Fault {
        Fault::new(FaultKind::ServiceUnavailable)
    }
    pub fn no_permission() -> Fault {
        Fault::new(FaultKind::NoPermission)
    }
    /// Limits the fault to `n` occurrences.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }
}

/// A fault bound to an operation, as written in a faults file:
/// `[[fault]] operation = "gettoken"  kind = "throttle"  retry_after_secs = 2  times = 3`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct FaultRule {
    pub operation: String,
    #[serde(flatten)]
    pub fault: Fault,
}

/// The faults file of `chatdesk sandbox --faults FILE`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsFile {
    #[serde(default)]
    pub fault: Vec<FaultRule>,
}

/// Reads a faults file (TOML, `[[fault]]` tables).
pub fn load_file(path: &std::path::Path) -> anyhow::Result<Vec<FaultRule>> {
    use figment::providers::{Format, Toml};
    let file: FaultsFile = figment::Figment::from(Toml::file_exact(path))
        .extract()
        .map_err(|e| anyhow::anyhow!("faults file {}: {e}", path.display()))?;
    Ok(file.fault)
}

/// The three error dialects a fault must speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavour {
    Acs,
    DingTalkLegacy,
    DingTalkNew,
}

/// Lets a handler close its connection without answering (see `server`).
#[derive(Clone, Default)]
pub(crate) struct ConnCloser(pub Arc<Notify>);

pub struct Faults {
    inner: Mutex<FaultsInner>,
}

struct FaultsInner {
    by_op: HashMap<String, Vec<Fault>>,
    rng: ChaCha8Rng,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Faults {
        Faults {
            inner: Mutex::new(FaultsInner {
                by_op: HashMap::new(),
                rng: ChaCha8Rng::seed_from_u64(seed),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultsInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the faults of `operation` with `fault`.
    pub fn set(&self, operation: &str, fault: Fault) {
        self.lock().by_op.insert(operation.to_owned(), vec![fault]);
    }

    /// Adds `fault` to those of `operation` (e.g. latency plus throttling).
    pub fn add(&self, operation: &str, fault: Fault) {
        self.lock()
            .by_op
            .entry(operation.to_owned())
            .or_default()
            .push(fault);
    }

    pub fn remove(&self, operation: &str) {
        self.lock().by_op.remove(operation);
    }

    pub fn clear(&self) {
        self.lock().by_op.clear();
    }

    pub(crate) fn load(&self, rules: &[FaultRule]) {
        for rule in rules {
            self.add(&rule.operation, rule.fault.clone());
        }
    }

    /// The faults that fire for one request to `operation`, consuming their
    /// remaining occurrences.
    fn fire(&self, operation: &str) -> Vec<FaultKind> {
        let mut inner = self.lock();
        let FaultsInner { by_op, rng } = &mut *inner;
        let mut fired = Vec::new();
        for key in [operation, "*"] {
            let Some(faults) = by_op.get_mut(key) else {
                continue;
            };
            for fault in faults.iter_mut() {
                let fires = match fault.kind {
                    // NaN (possible in a faults file) counts as never.
                    FaultKind::ErrorRate { rate } if rate.is_nan() => false,
                    FaultKind::ErrorRate { rate } => rng.random_bool(rate.clamp(0.0, 1.0)),
                    _ => true,
                };
                if fires {
                    fired.push(fault.kind.clone());
                    if let Some(n) = &mut fault.times {
                        *n = n.saturating_sub(1);
                    }
                }
            }
            faults.retain(|f| f.times != Some(0));
        }
        fired
    }

    /// Applies the faults of `operation`: `Some` is the response to send
    /// instead of serving the call. A dropped connection never returns.
    pub(crate) async fn apply(
        &self,
        operation: &str,
        flavour: Flavour,
        closer: &ConnCloser,
    ) -> Option<Response> {
        for kind in self.fire(operation) {
            match kind {
                FaultKind::Latency { millis } => {
                    tokio::time::sleep(Duration::from_millis(millis)).await;
                }
                FaultKind::DropConnection => {
                    closer.0.notify_one();
                    std::future::pending::<()>().await;
                }
                other => return Some(render(&other, flavour, operation)),
            }
        }
        None
    }
}

fn render(kind: &FaultKind, flavour: Flavour, operation: &str) -> Response {
    let request_id = super::call::new_request_id();
    // Security Center documents its own code and wording for these two.
    let sas = super::sas::ACTIONS.contains(&operation);
    match (kind, flavour) {
        (FaultKind::IpBan, _) => (
            StatusCode::OK,
            Json(json!({"status": 1111, "wait": 5, "request_id": request_id})),
        )
            .into_response(),
        (FaultKind::MalformedJson, _) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"errcode\":0,\"errmsg\":\"ok\",\"result\":{\"name\":",
        )
            .into_response(),
        (FaultKind::Throttle { retry_after_secs }, Flavour::Acs) => {
            let mut response = super::call::AcsError::new(
                StatusCode::BAD_REQUEST,
                "Throttling.User",
                "Request was denied due to user flow control.",
            )
            .into_response_with(&request_id, "sandbox");
            response
                .headers_mut()
                .insert("x-acs-retry-after", HeaderValue::from(*retry_after_secs));
            response
        }
        (FaultKind::Throttle { retry_after_secs }, Flavour::DingTalkLegacy) => {
            let mut response = legacy(
                90002,
                "this API is over its platform-wide rate limit",
                &request_id,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            response
        }
        (FaultKind::Throttle { retry_after_secs }, Flavour::DingTalkNew) => {
            let mut response = new_api(
                StatusCode::FORBIDDEN,
                "Forbidden.AccessDenied.QpsLimitForApi",
                "too many requests, retry later",
                &request_id,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            response
        }
        (FaultKind::ErrorRate { .. }, Flavour::Acs) if sas => super::call::AcsError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServerError",
            "ServerError",
        )
        .into_response_with(&request_id, "sandbox"),
        (FaultKind::ErrorRate { .. }, Flavour::Acs) => super::call::AcsError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "The request processing has failed due to some unknown error.",
        )
        .into_response_with(&request_id, "sandbox"),
        (FaultKind::ErrorRate { .. }, Flavour::DingTalkLegacy) => {
            legacy(-1, "system busy", &request_id)
        }
        (FaultKind::ErrorRate { .. }, Flavour::DingTalkNew) => new_api(
            StatusCode::INTERNAL_SERVER_ERROR,
            "system.error",
            "system busy",
            &request_id,
        ),
        (FaultKind::ServiceUnavailable, Flavour::Acs) => super::call::AcsError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        )
        .into_response_with(&request_id, "sandbox"),
        (FaultKind::ServiceUnavailable, Flavour::DingTalkLegacy) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"errcode": -1, "errmsg": "service unavailable", "request_id": request_id})),
        )
            .into_response(),
        (FaultKind::ServiceUnavailable, Flavour::DingTalkNew) => new_api(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "service unavailable",
            &request_id,
        ),
        (FaultKind::NoPermission, Flavour::Acs) => super::call::AcsError::new(
            StatusCode::FORBIDDEN,
            "NoPermission",
            if sas {
                "caller has no permission"
            } else {
                "You are not authorized to perform this operation."
            },
        )
        .into_response_with(&request_id, "sandbox"),
        (FaultKind::NoPermission, Flavour::DingTalkLegacy) => {
            legacy(43007, "no permission to call this API", &request_id)
        }
        (FaultKind::NoPermission, Flavour::DingTalkNew) => new_api(
            StatusCode::FORBIDDEN,
            "Forbidden.AccessDenied.AccessTokenPermissionDenied",
            "no permission to call this API",
            &request_id,
        ),
        (FaultKind::Latency { .. } | FaultKind::DropConnection, _) => {
            unreachable!("handled by apply")
        }
    }
}

fn legacy(errcode: i64, errmsg: &str, request_id: &str) -> Response {
    Json(json!({"errcode": errcode, "errmsg": errmsg, "request_id": request_id})).into_response()
}

fn new_api(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "requestid": request_id})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_limit_occurrences_and_wildcard_applies_to_all() {
        let faults = Faults::new(1);
        faults.set("chat/get", Fault::ip_ban().times(2));
        faults.set("*", Fault::latency(Duration::from_millis(1)));
        assert_eq!(faults.fire("chat/get").len(), 2);
        assert_eq!(faults.fire("chat/get").len(), 2);
        assert_eq!(
            faults.fire("chat/get"),
            vec![FaultKind::Latency { millis: 1 }]
        );
        assert_eq!(
            faults.fire("gettoken"),
            vec![FaultKind::Latency { millis: 1 }]
        );
        faults.clear();
        assert!(faults.fire("gettoken").is_empty());
    }

    fn count_nan() -> usize {
        let faults = Faults::new(1);
        faults.set("X", Fault::error_rate(f64::NAN));
        (0..100).filter(|_| !faults.fire("X").is_empty()).count()
    }

    #[test]
    fn error_rate_is_seeded_and_roughly_honoured() {
        let count = |seed| {
            let faults = Faults::new(seed);
            faults.set("X", Fault::error_rate(0.3));
            (0..1000).filter(|_| !faults.fire("X").is_empty()).count()
        };
        assert_eq!(count(7), count(7));
        assert_eq!(count_nan(), 0);
        let n = count(7);
        assert!((200..400).contains(&n), "{n}");
    }

    #[test]
    fn faults_file_parses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faults.toml");
        std::fs::write(
            &path,
            r#"
            [[fault]]
            operation = "gettoken"
            kind = "throttle"
            retry_after_secs = 2
            times = 3

            [[fault]]
            operation = "*"
            kind = "latency"
            millis = 50
            "#,
        )
        .unwrap();
        let rules = load_file(&path).unwrap();
        assert_eq!(rules[0].operation, "gettoken");
        assert_eq!(rules[0].fault, Fault::throttle(2).times(3));
        assert_eq!(rules[1].fault, Fault::latency(Duration::from_millis(50)));
        std::fs::write(&path, "[[fault]]\noperation = \"x\"\nkind = \"nope\"\n").unwrap();
        assert!(load_file(&path).is_err());
    }
}
