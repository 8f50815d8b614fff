//! The API's error type: every failure a handler returns becomes a JSON
//! [`ErrorBody`] with a stable `code`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such API route: {0}")]
    RouteNotFound(String),
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
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::RouteNotFound(_) => (StatusCode::NOT_FOUND, "route_not_found"),
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
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        ApiError::Internal(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(err) = &self {
            // The detail goes to the log, never to the browser.
            tracing::error!(error = format!("{err:#}"), "internal error");
        }
        let field = match &self {
            ApiError::Invalid { field, .. } | ApiError::Conflict { field, .. } => {
                Some(field.clone())
            }
            _ => None,
        };
        let body = ErrorBody {
            code: code.to_owned(),
            message: self.to_string(),
            field,
            request_id: None,
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::TooManyAttempts { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}
