//! A JSON body extractor whose failures are [`ApiError`]s: a malformed
//! body gets a 400 `invalid_json` naming the problem, an oversized one a 413.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Use instead of `axum::Json` for request bodies.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge;
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::InvalidJson("expected Content-Type: application/json".into())
        }
        // body_text names the path and the problem, e.g. "missing field `role`".
        other => ApiError::InvalidJson(other.body_text()),
    }
}
