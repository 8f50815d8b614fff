//! The API's error type: every failure a handler returns becomes a JSON
//! [`ErrorBody`] with a stable `code`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::api::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such API route: {0}")]
    RouteNotFound(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::RouteNotFound(_) => (StatusCode::NOT_FOUND, "route_not_found"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(err) = &self {
            // The detail goes to the log, never to the browser.
            tracing::error!(error = format!("{err:#}"), "internal error");
        }
        let body = ErrorBody {
            code: code.to_owned(),
            message: self.to_string(),
            field: None,
            request_id: None,
        };
        (status, Json(body)).into_response()
    }
}
