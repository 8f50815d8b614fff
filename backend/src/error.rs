//! The API's error type: every failure a handler returns becomes a JSON
//! [`ErrorBody`] with a stable `code`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::ErrorBody;
use shared::validate::{ECHO_CHARS, InvalidField, Problem, clip};

use crate::upstream::error::{ErrorKind, UpstreamError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such API route: {}", clip(.0, ECHO_CHARS * 2))]
    RouteNotFound(String),
    /// The route exists, but not with this method; `allow` lists those it
    /// has (the `Allow` header).
    #[error("{method} is not allowed here; use {allow}")]
    MethodNotAllowed { method: String, allow: String },
    #[error("sign in first")]
    NotSignedIn,
    #[error("your role does not allow this")]
    Forbidden,
    /// A state-changing call without the session's CSRF token or from
    /// another origin.
    #[error("request refused: {0}")]
    Csrf(&'static str),
    /// The same answer for an unknown user, a wrong password and a disabled
    /// account, so sign-in does not reveal which accounts exist.
    #[error("wrong user name or password")]
    InvalidCredentials,
    #[error("too many failed sign-in attempts; try again in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("invalid JSON body: {0}")]
    InvalidJson(String),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("{}", labelled(.field, .message))]
    Invalid {
        field: String,
        message: String,
        problem: Problem,
    },
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The same create is still running under this Idempotency-Key.
    #[error("the same request is still being processed; try again shortly")]
    IdempotencyInProgress,
    #[error("internal error: quote the request id to your operator")]
    Internal(#[from] anyhow::Error),
    /// The audit trail cannot be read (the detail goes to the log).
    #[error("the audit trail is not available")]
    AuditUnavailable(anyhow::Error),
    #[error("{}", upstream_message(.0))]
    Upstream(#[from] UpstreamError),
}

/// `field: message`, or the message alone for the body as a whole.
fn labelled(field: &str, message: &str) -> String {
    if field.is_empty() {
        format!("the body {message}")
    } else {
        format!("{field}: {message}")
    }
}

/// How much of an upstream's own message an answer repeats.
const UPSTREAM_MESSAGE_CHARS: usize = 160;

/// The longest `message` and `field` an answer carries, whatever made them:
/// values are cut where they are echoed, this bounds the rest.
const MESSAGE_CHARS: usize = 400;
const FIELD_CHARS: usize = 120;

/// What the user reads: what to do first, then the upstream's own words.
fn upstream_message(err: &UpstreamError) -> String {
    let advice = match &err.kind {
        ErrorKind::BadParameter { field: Some(f) } => format!("{} refused {f}", err.service),
        ErrorKind::BadParameter { field: None } => format!("{} refused a parameter", err.service),
        ErrorKind::PermissionDenied {
            permission: Some(p),
        } => format!("the credentials lack the permission {p}"),
        ErrorKind::PermissionDenied { permission: None } => {
            "the credentials lack a permission".to_owned()
        }
        ErrorKind::Throttled {
            retry_after: Some(after),
        } => format!(
            "{} is busy; try again in {} s",
            err.service,
            after.as_secs().max(1)
        ),
        ErrorKind::Throttled { retry_after: None } => {
            format!("{} is busy; try again later", err.service)
        }
        ErrorKind::AuthFailed => format!("{} refused the stored credentials", err.service),
        ErrorKind::NotFound => format!("{} does not know it", err.service),
        ErrorKind::Conflict => format!("{} reports a conflict", err.service),
        ErrorKind::Unavailable => format!("{} is unavailable; try again", err.service),
        ErrorKind::Timeout => format!("{} did not answer in time", err.service),
        ErrorKind::Protocol => format!("{} answered unexpectedly", err.service),
        ErrorKind::Rejected => format!("{} refused the request", err.service),
    };
    // Upstream messages may repeat what was sent (a 60 KB value).
    let code = clip(&err.code, ECHO_CHARS);
    if err.message.is_empty() {
        format!("{advice} ({code})")
    } else {
        format!(
            "{advice} ({code}: {})",
            clip(&err.message, UPSTREAM_MESSAGE_CHARS)
        )
    }
}

impl ApiError {
    /// A refused value whose problem the console can only show in English;
    /// prefer [`ApiError::invalid_because`] or an [`InvalidField`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::invalid_because(field, Problem::Other, message)
    }

    /// A refused value with what was wrong, which the console words.
    pub fn invalid_because(
        field: impl Into<String>,
        problem: Problem,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            message: message.into(),
            problem,
        }
    }

    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::RouteNotFound(_) => (StatusCode::NOT_FOUND, "route_not_found"),
            ApiError::MethodNotAllowed { .. } => {
                (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
            }
            ApiError::NotSignedIn => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Csrf(_) => (StatusCode::FORBIDDEN, "csrf"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
            }
            ApiError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::IdempotencyInProgress => (StatusCode::CONFLICT, "idempotency_in_progress"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::AuditUnavailable(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "audit_unavailable")
            }
            ApiError::Upstream(err) => match err.kind {
                ErrorKind::BadParameter { .. } => {
                    (StatusCode::BAD_REQUEST, "upstream_bad_parameter")
                }
                ErrorKind::PermissionDenied { .. } => {
                    (StatusCode::FORBIDDEN, "upstream_permission_denied")
                }
                ErrorKind::Throttled { .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, "upstream_throttled")
                }
                ErrorKind::AuthFailed => (StatusCode::BAD_GATEWAY, "upstream_auth_failed"),
                ErrorKind::NotFound => (StatusCode::NOT_FOUND, "upstream_not_found"),
                ErrorKind::Conflict => (StatusCode::CONFLICT, "upstream_conflict"),
                ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "upstream_unavailable"),
                ErrorKind::Timeout => (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"),
                ErrorKind::Protocol => (StatusCode::BAD_GATEWAY, "upstream_protocol"),
                ErrorKind::Rejected => (StatusCode::UNPROCESSABLE_ENTITY, "upstream_rejected"),
            },
        }
    }

    /// The JSON body the browser gets.
    pub fn body(&self) -> ErrorBody {
        let (field, problem, request_id) = match self {
            ApiError::Invalid { field, problem, .. } => (Some(field.clone()), Some(*problem), None),
            ApiError::Conflict { field, .. } => (Some(field.clone()), None, None),
            ApiError::Upstream(err) => (
                match &err.kind {
                    ErrorKind::BadParameter { field } => field.clone(),
                    _ => None,
                },
                None,
                err.request_id.clone(),
            ),
            _ => (None, None, None),
        };
        ErrorBody {
            code: self.status_and_code().1.to_owned(),
            message: clip(&self.to_string(), MESSAGE_CHARS).into_owned(),
            field: field
                .filter(|f| !f.is_empty())
                .map(|f| clip(&f, FIELD_CHARS).into_owned()),
            problem,
            request_id: request_id.map(|r| clip(&r, ECHO_CHARS * 2).into_owned()),
            trace_id: crate::telemetry::current_request_id(),
        }
    }
}

impl From<InvalidField> for ApiError {
    fn from(err: InvalidField) -> ApiError {
        ApiError::invalid_because(err.field, err.problem, err.message)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        ApiError::Internal(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        if let ApiError::Internal(err) | ApiError::AuditUnavailable(err) = &self {
            // The detail (the whole cause chain) goes to the log, on a line
            // carrying the request id the user sees; never to the browser.
            tracing::error!(error = format!("{err:#}"), "internal error");
        }
        let body = self.body();
        let mut response = (status, Json(body)).into_response();
        let retry_after = match &self {
            ApiError::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
            ApiError::Upstream(UpstreamError {
                kind:
                    ErrorKind::Throttled {
                        retry_after: Some(after),
                    },
                ..
            }) => Some(after.as_secs_f64().ceil().max(1.0) as u64),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let ApiError::MethodNotAllowed { allow, .. } = &self
            && let Ok(allow) = HeaderValue::from_str(allow)
        {
            response.headers_mut().insert(header::ALLOW, allow);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::upstream::error::Service;

    #[test]
    fn upstream_errors_keep_field_and_request_id() {
        let err = UpstreamError::new(
            Service::Oos,
            ErrorKind::BadParameter {
                field: Some("Name".into()),
            },
            "InvalidName",
        )
        .message("bad name")
        .request_id(Some("REQ-1".into()));
        let body = ApiError::from(err).body();
        assert_eq!(body.code, "upstream_bad_parameter");
        assert_eq!(body.field.as_deref(), Some("Name"));
        assert_eq!(body.request_id.as_deref(), Some("REQ-1"));
        assert_eq!(body.message, "OOS refused Name (InvalidName: bad name)");
    }

    #[test]
    fn every_kind_has_a_status_and_stable_code() {
        let kinds = [
            (
                ErrorKind::PermissionDenied {
                    permission: Some("qyapi_chat_manage".into()),
                },
                403,
                "upstream_permission_denied",
            ),
            (
                ErrorKind::Throttled { retry_after: None },
                429,
                "upstream_throttled",
            ),
            (ErrorKind::AuthFailed, 502, "upstream_auth_failed"),
            (ErrorKind::NotFound, 404, "upstream_not_found"),
            (ErrorKind::Conflict, 409, "upstream_conflict"),
            (ErrorKind::Unavailable, 503, "upstream_unavailable"),
            (ErrorKind::Timeout, 504, "upstream_timeout"),
            (ErrorKind::Protocol, 502, "upstream_protocol"),
            (ErrorKind::Rejected, 422, "upstream_rejected"),
        ];
        for (kind, status, code) in kinds {
            let err = ApiError::from(UpstreamError::new(Service::DingTalk, kind, "X"));
            let (s, c) = err.status_and_code();
            assert_eq!((s.as_u16(), c), (status, code));
        }
        let denied = ApiError::from(UpstreamError::new(
            Service::DingTalk,
            ErrorKind::PermissionDenied {
                permission: Some("qyapi_chat_manage".into()),
            },
            "43007",
        ));
        assert!(denied.to_string().contains("qyapi_chat_manage"), "{denied}");
    }

    #[test]
    fn throttling_sets_retry_after() {
        let err = UpstreamError::new(
            Service::Sas,
            ErrorKind::Throttled {
                retry_after: Some(Duration::from_millis(2500)),
            },
            "Throttling.User",
        );
        let response = ApiError::from(err).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    }
}
