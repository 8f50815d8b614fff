//! Alibaba Cloud RPC: authentication (ACS3-HMAC-SHA256, STS tokens, the
//! legacy HMAC-SHA1 signature), the date window, nonce replay protection,
//! the error body of spec section 6, and routing by action and version.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

use super::call::{AcsError, AcsResult, Params, new_request_id};
use super::faults::{ConnCloser, Flavour};
use super::{AccessKey, Clock, Shared};
use crate::upstream::signing;

pub const OOS_VERSION: &str = "2019-06-01";
pub const SAS_VERSION: &str = "2018-12-03";

/// How far a request's date may be from the sandbox's clock.
pub const DATE_WINDOW: time::Duration = time::Duration::minutes(15);

/// Headers every V3 request must sign.
const REQUIRED_SIGNED: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
];

/// Query parameters of the legacy signature protocol, not of the action.
const LEGACY_PROTOCOL: [&str; 10] = [
    "AccessKeyId",
    "Action",
    "Format",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
];

fn incomplete(why: &str) -> AcsError {
    AcsError::new(StatusCode::BAD_REQUEST, "IncompleteSignature", why)
}

/// The pieces of an HTTP request the verifier needs.
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// The query exactly as on the wire, without `?`.
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// An authenticated call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub access_key_id: String,
    pub action: String,
    pub version: String,
    pub params: Vec<(String, String)>,
}

/// Verifies signatures against the configured AccessKeys and remembers
/// nonces for as long as their date would pass the window.
pub struct AcsVerifier {
    keys: Vec<AccessKey>,
    clock: Clock,
    nonces: Mutex<Nonces>,
}

/// The nonces seen, by AccessKey id and nonce, with their dates.
struct Nonces {
    seen: HashMap<(String, String), OffsetDateTime>,
    /// When the old ones were last forgotten: sweeping the whole map on
    /// every call made each call slower than the last under load.
    swept: OffsetDateTime,
}

/// How often old nonces are forgotten.
const SWEEP_EVERY: time::Duration = time::Duration::minutes(1);

impl AcsVerifier {
    pub fn new(keys: Vec<AccessKey>, clock: Clock) -> AcsVerifier {
        let swept = clock.now();
        AcsVerifier {
            keys,
            clock,
            nonces: Mutex::new(Nonces {
                seen: HashMap::new(),
                swept,
            }),
        }
    }

    pub(crate) fn forget_nonces(&self) {
        self.nonces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .seen
            .clear();
    }

    /// V3 when an `Authorization` header is present, otherwise the legacy
    /// signature in the query.
    pub fn verify(&self, req: &RequestParts<'_>) -> AcsResult<Caller> {
        let params = decode_query(req.raw_query)?;
        if req.headers.contains_key("authorization") {
            self.verify_v3(req, params)
        } else if params.iter().any(|(k, _)| k == "Signature") {
            self.verify_legacy(req, params)
        } else {
            Err(incomplete(
                "The request carries neither an Authorization header nor a Signature parameter.",
            ))
        }
    }

    fn verify_v3(
        &self,
        req: &RequestParts<'_>,
        params: Vec<(String, String)>,
    ) -> AcsResult<Caller> {
        let header = |name: &str| -> AcsResult<Option<&str>> {
            req.headers
                .get(name)
                .map(|v| {
                    v.to_str()
                        .map_err(|_| AcsError::invalid(name, "header value is not visible ASCII"))
                })
                .transpose()
        };
        let auth = header("authorization")?.unwrap_or_default();
        let auth = signing::Authorization::parse(auth).ok_or_else(|| {
            incomplete("The Authorization header is not ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=....")
        })?;
        let mut signed = Vec::with_capacity(auth.signed_headers.len());
        for name in &auth.signed_headers {
            if name.is_empty() || name.to_ascii_lowercase() != *name {
                return Err(incomplete(&format!(
                    "SignedHeaders must be lowercase names: {name:?}"
                )));
            }
            let value = header(name)?.ok_or_else(|| {
                incomplete(&format!("The signed header {name} is not in the request."))
            })?;
            signed.push((name.as_str(), value));
        }
        let mut must_sign: Vec<&str> = REQUIRED_SIGNED.to_vec();
        if req.headers.contains_key("x-acs-security-token") {
            must_sign.push("x-acs-security-token");
        }
        if let Some(missing) = must_sign
            .iter()
            .find(|n| !auth.signed_headers.iter().any(|s| s == *n))
        {
            return Err(incomplete(&format!("The header {missing} must be signed.")));
        }
        // Present because they are signed (checked just above).
        let date = header("x-acs-date")?.unwrap_or_default();
        let nonce = header("x-acs-signature-nonce")?.unwrap_or_default();
        let content_sha = header("x-acs-content-sha256")?.unwrap_or_default();
        let date = self.check_date(date, "x-acs-date")?;
        if !content_sha.eq_ignore_ascii_case(&signing::hex_sha256(req.body)) {
            return Err(AcsError::new(
                StatusCode::BAD_REQUEST,
                "SignatureDoesNotMatch",
                "The x-acs-content-sha256 header does not match the SHA-256 of the body.",
            ));
        }
        let key = self.key(&auth.access_key_id)?;
        check_sts(key, header("x-acs-security-token")?)?;
        let (canonical, _) = signing::canonical_request(
            req.method,
            "/",
            &signing::canonical_query(&params),
            &signed,
            content_sha,
        );
        let string_to_sign = signing::string_to_sign(&canonical);
        let expected = signing::acs3_signature(&key.secret, &string_to_sign);
        if !signing::signatures_match(&expected, &auth.signature.to_ascii_lowercase()) {
            return Err(signature_mismatch(&string_to_sign));
        }
        self.use_nonce(&key.id, nonce, date)?;
        Ok(Caller {
            access_key_id: key.id.clone(),
            action: header("x-acs-action")?.unwrap_or_default().to_owned(),
            version: header("x-acs-version")?.unwrap_or_default().to_owned(),
            params,
        })
    }

    fn verify_legacy(
        &self,
        req: &RequestParts<'_>,
        params: Vec<(String, String)>,
    ) -> AcsResult<Caller> {
        let all = Params(params);
        let method = all.require("SignatureMethod")?;
        if method != "HMAC-SHA1" {
            return Err(AcsError::invalid("SignatureMethod", "must be HMAC-SHA1"));
        }
        if all.require("SignatureVersion")? != "1.0" {
            return Err(AcsError::invalid("SignatureVersion", "must be 1.0"));
        }
        let key_id = all.require("AccessKeyId")?;
        let date = self.check_date(all.require("Timestamp")?, "Timestamp")?;
        let nonce = all.require("SignatureNonce")?;
        let action = all.require("Action")?.to_owned();
        let version = all.require("Version")?.to_owned();
        let key = self.key(key_id)?;
        check_sts(key, all.get("SecurityToken"))?;
        let unsigned: Vec<&(String, String)> =
            all.0.iter().filter(|(k, _)| k != "Signature").collect();
        let unsigned: Vec<(&str, &str)> = unsigned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let string_to_sign = signing::legacy_string_to_sign(req.method, &unsigned);
        let expected = signing::legacy_signature(&key.secret, &string_to_sign);
        if !signing::signatures_match(&expected, all.require("Signature")?) {
            return Err(signature_mismatch(&string_to_sign));
        }
        self.use_nonce(&key.id, nonce, date)?;
        let params = all
            .0
            .iter()
            .filter(|(k, _)| !LEGACY_PROTOCOL.contains(&k.as_str()))
            .cloned()
            .collect();
        Ok(Caller {
            access_key_id: key.id.clone(),
            action,
            version,
            params,
        })
    }

    fn check_date(&self, value: &str, name: &str) -> AcsResult<OffsetDateTime> {
        let date = parse_acs_date(value).ok_or_else(|| {
            AcsError::new(
                StatusCode::BAD_REQUEST,
                "InvalidTimeStamp.Format",
                format!("{name} must be UTC YYYY-MM-DDThh:mm:ssZ, got {value:?}."),
            )
        })?;
        if (self.clock.now() - date).abs() > DATE_WINDOW {
            return Err(AcsError::new(
                StatusCode::BAD_REQUEST,
                "InvalidTimeStamp.Expired",
                format!(
                    "Specified time stamp or date value is expired: {value} is more than 15 minutes from the server time."
                ),
            ));
        }
        Ok(date)
    }

    fn key(&self, id: &str) -> AcsResult<&AccessKey> {
        let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| {
            AcsError::new(
                StatusCode::NOT_FOUND,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            )
        })?;
        if !key.active {
            return Err(AcsError::new(
                StatusCode::BAD_REQUEST,
                "InvalidAccessKeyId.Inactive",
                "Specified access key is disabled.",
            ));
        }
        Ok(key)
    }

    /// Records the nonce; nonces older than the window are forgotten (once
    /// a minute), since their requests fail the date check anyway.
    fn use_nonce(&self, key_id: &str, nonce: &str, date: OffsetDateTime) -> AcsResult<()> {
        let now = self.clock.now();
        let mut nonces = self.nonces.lock().unwrap_or_else(PoisonError::into_inner);
        if (now - nonces.swept).abs() >= SWEEP_EVERY {
            let horizon = now - DATE_WINDOW;
            nonces.seen.retain(|_, seen| *seen >= horizon);
            nonces.swept = now;
        }
        let entry = (key_id.to_owned(), nonce.to_owned());
        if nonces.seen.contains_key(&entry) {
            return Err(AcsError::new(
                StatusCode::BAD_REQUEST,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
        nonces.seen.insert(entry, date);
        Ok(())
    }
}

fn check_sts(key: &AccessKey, given: Option<&str>) -> AcsResult<()> {
    match (&key.sts_token, given) {
        (None, None) => Ok(()),
        (Some(expected), Some(given)) if signing::signatures_match(expected, given) => Ok(()),
        (Some(_), None) => Err(AcsError::new(
            StatusCode::BAD_REQUEST,
            "MissingSecurityToken",
            "This AccessKey is an STS credential: the security token is required.",
        )),
        _ => Err(AcsError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "The security token does not belong to this AccessKey.",
        )),
    }
}

fn signature_mismatch(string_to_sign: &str) -> AcsError {
    AcsError::new(
        StatusCode::BAD_REQUEST,
        "SignatureDoesNotMatch",
        format!(
            "Specified signature does not match our calculation. server string to sign is:{string_to_sign}"
        ),
    )
}

/// `2026-01-15T08:30:00Z`.
pub fn parse_acs_date(value: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(value, format)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

pub fn format_acs_date(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.format(format).expect("a UTC date always formats")
}

/// Decodes the query as it came over the wire, the way the services do:
/// `+` is a space, `%XX` a byte. The official Python SDK sends
/// `urlencode(query)` (its own order, spaces as `+`) yet signs the canonical
/// form, so the verifier re-canonicalizes the decoded parameters; for a
/// client that sends the canonical query (spec 5.2) that is the same string.
fn decode_query(raw: &str) -> AcsResult<Vec<(String, String)>> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8()
                    .map(|c| c.into_owned())
                    .map_err(|_| AcsError::invalid(k, "is not UTF-8 once percent-decoded"))
            };
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// `POST /` (and `GET /` for legacy calls): every Alibaba Cloud action.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    Extension(closer): Extension<ConnCloser>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_query = uri.query().unwrap_or_default();
    for op in fault_names(raw_query, &headers) {
        if let Some(response) = shared.faults.apply(&op, Flavour::Acs, &closer).await {
            return response;
        }
    }
    let parts = RequestParts {
        method: method.as_str(),
        raw_query,
        headers: &headers,
        body: &body,
    };
    answer(&shared, &parts)
}

/// The names a fault for this call may be added under: `Action@RegionId`
/// first, so that one region of a list across many can fail on its own,
/// then the action (from `x-acs-action`, or a legacy call's `Action`).
fn fault_names(raw_query: &str, headers: &HeaderMap) -> Vec<String> {
    let params = decode_query(raw_query).unwrap_or_default();
    let param = |name: &str| {
        (params.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let operation = headers
        .get("x-acs-action")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| param("Action"))
        .unwrap_or_default();
    let scoped = param("RegionId").map(|r| format!("{operation}@{r}"));
    scoped.into_iter().chain([operation]).collect()
}

/// The action's answer with a new RequestId, or its error.
fn answer(shared: &Shared, parts: &RequestParts) -> Response {
    let host = (parts.headers.get("host"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("sandbox")
        .to_owned();
    let request_id = new_request_id();
    let result = shared
        .verifier
        .verify(parts)
        .and_then(|caller| dispatch(shared, &caller));
    match result {
        Ok(mut value) => {
            value["RequestId"] = Value::String(request_id);
            Json(value).into_response()
        }
        Err(err) => err.into_response_with(&request_id, &host),
    }
}

fn dispatch(shared: &Shared, caller: &Caller) -> AcsResult<Value> {
    let params = Params(caller.params.clone());
    let now = shared.config.clock.now();
    let action = caller.action.as_str();
    match caller.version.as_str() {
        OOS_VERSION if super::oos::ACTIONS.contains(&action) => {
            shared.with_world(|world| super::oos::call(&mut world.configs, now, action, &params))
        }
        SAS_VERSION if super::sas::ACTIONS.contains(&action) => {
            shared.with_world(|world| super::sas::call(&mut world.robots, now, action, &params))
        }
        _ => Err(AcsError::new(
            StatusCode::NOT_FOUND,
            "InvalidApi.NotFound",
            format!(
                "Specified api is not found: action {action:?} of version {:?}.",
                caller.version
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding_handles_both_space_spellings_and_utf8() {
        let params = decode_query("A=1%2B1&B=%E6%BC%8F%20x+y&C").unwrap();
        assert_eq!(
            params,
            vec![
                ("A".into(), "1+1".into()),
                ("B".into(), "漏 x y".into()),
                ("C".into(), String::new())
            ]
        );
        let canonical = "A=1%2B1&B=%E6%BC%8F%20x%20y&C=";
        assert_eq!(signing::canonical_query(&params), canonical);
        assert_eq!(
            signing::canonical_query(&decode_query(canonical).unwrap()),
            canonical
        );
    }

    #[test]
    fn dates_round_trip() {
        let date = parse_acs_date("2026-01-15T08:30:00Z").unwrap();
        assert_eq!(format_acs_date(date), "2026-01-15T08:30:00Z");
        assert!(parse_acs_date("2026-01-15 08:30:00").is_none());
    }

    #[test]
    fn nonces_are_forgotten_after_the_window() {
        let now = parse_acs_date("2026-01-15T08:30:00Z").unwrap();
        let verifier = AcsVerifier::new(vec![], Clock::fixed(now));
        verifier
            .use_nonce("k", "n1", now - DATE_WINDOW - time::Duration::SECOND)
            .unwrap();
        verifier.use_nonce("k", "n2", now).unwrap();
        assert_eq!(
            verifier.use_nonce("k", "n2", now).unwrap_err().code,
            "SignatureNonceUsed"
        );
        // n1 goes at the next sweep, a minute on: its date is outside the
        // window.
        verifier.use_nonce("k", "n3", now).unwrap();
        assert_eq!(verifier.nonces.lock().unwrap().seen.len(), 3);
        verifier.nonces.lock().unwrap().swept -= SWEEP_EVERY;
        verifier.use_nonce("k", "n4", now).unwrap();
        assert_eq!(verifier.nonces.lock().unwrap().seen.len(), 3);
        // Another key may use the same nonce.
        verifier.use_nonce("other", "n2", now).unwrap();
    }
}
