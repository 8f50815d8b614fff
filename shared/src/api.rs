//! The JSON shapes of the `/api/v1` boundary that both sides agree on.

use serde::{Deserialize, Serialize};

/// Prefix of every JSON API route.
pub const API_PREFIX: &str = "/api/v1";

/// Every API error has this body: a stable machine `code`, a human
/// `message`, optionally the offending `field` and the upstream `request_id`
/// that Alibaba Cloud or DingTalk support will ask for, and `trace_id`, the
/// console's own id for the request, which finds its log lines. `field` is
/// the JSON path of the offending value in the request body
/// (`fields.configuration.DingTalk.client_secret`, `members[2]`), and
/// `problem` says what was wrong with it, with its parameters, so the
/// console words it in the user's language instead of showing `message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<crate::validate::Problem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

/// Every `code` the server can put in an [`ErrorBody`]. The console has an
/// English and a Chinese message for each (a wasm test checks it), so a new
/// code belongs here first.
pub const ERROR_CODES: &[&str] = &[
    "route_not_found",
    "method_not_allowed",
    "unauthenticated",
    "forbidden",
    "csrf",
    "invalid_credentials",
    "too_many_attempts",
    "invalid_json",
    "payload_too_large",
    "invalid_input",
    "conflict",
    "not_found",
    "internal",
    "audit_unavailable",
    "idempotency_in_progress",
    "upstream_bad_parameter",
    "upstream_permission_denied",
    "upstream_throttled",
    "upstream_auth_failed",
    "upstream_not_found",
    "upstream_conflict",
    "upstream_unavailable",
    "upstream_timeout",
    "upstream_protocol",
    "upstream_rejected",
];

/// Header of a create request that may be retried: the server creates once
/// per key.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// What `GET /api/v1/meta` tells the UI about this deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub version: String,
    /// True when the built-in sandbox stands in for the real upstreams.
    pub sandbox: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_omits_absent_fields() {
        let body = ErrorBody {
            code: "not_found".into(),
            message: "No such route".into(),
            field: None,
            problem: None,
            request_id: None,
            trace_id: None,
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(json, r#"{"code":"not_found","message":"No such route"}"#);
    }

    #[test]
    fn a_problem_travels_as_kind_and_params() {
        use crate::validate::Problem;
        let cases = [
            (Problem::Empty, r#"{"kind":"empty"}"#),
            (
                Problem::Length {
                    min: 1,
                    max: 20,
                    count: 21,
                },
                r#"{"kind":"length","params":{"min":1,"max":20,"count":21}}"#,
            ),
            (Problem::Char('/'), r#"{"kind":"char","params":"/"}"#),
            (
                Problem::Ambiguous { count: 5 },
                r#"{"kind":"ambiguous","params":{"count":5}}"#,
            ),
        ];
        for (problem, json) in cases {
            assert_eq!(serde_json::to_string(&problem).unwrap(), json);
            assert_eq!(serde_json::from_str::<Problem>(json).unwrap(), problem);
        }
    }
}
