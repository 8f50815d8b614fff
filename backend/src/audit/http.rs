//! `/api/v1/audit/*`: read-only. There are no routes that change or delete
//! events.

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use shared::audit::{AuditHealth, EventPage, VerifyReport};
use shared::auth::Action;

use super::plan::AuditQuery;
use super::{AuditError, health, query, service, verify};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::route::{Access, ApiRoute, route};
use crate::state::AppState;

/// The audit API: auditors and admins read and export (the matrix in
/// `shared::auth`). Read-only by construction: there is no route that changes an event.
pub fn routes() -> Vec<ApiRoute> {
    let read = Access::Allowed(Action::AuditRead);
    vec![
        route(Method::GET, "/audit/events", read, events),
        route(
            Method::GET,
            "/audit/export",
            Access::Allowed(Action::AuditExport),
            export,
        ),
        route(Method::GET, "/audit/verify", read, verify_chain),
        route(Method::GET, "/audit/status", read, status),
    ]
}

impl From<AuditError> for ApiError {
    fn from(err: AuditError) -> ApiError {
        ApiError::AuditUnavailable(err.into())
    }
}

async fn events(
    State(state): State<AppState>,
    Query(params): Query<AuditQuery>,
) -> Result<Json<EventPage>, ApiError> {
    Ok(Json(query(&state.db, &params.page()?).await?))
}

async fn export(
    State(state): State<AppState>,
    Query(params): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let (filter, format) = params.export()?;
    Ok(attachment(service::export(&state.db, filter, format)))
}

/// The download as a file to save, never cached.
fn attachment<S>(d: service::Download<S>) -> Response
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static,
{
    let disposition = format!("attachment; filename=\"{}\"", d.file_name);
    let headers = [
        (header::CONTENT_TYPE, d.content_type.to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    (headers, Body::from_stream(d.events)).into_response()
}

async fn verify_chain(State(state): State<AppState>) -> Result<Json<VerifyReport>, ApiError> {
    Ok(Json(verify(&state.db).await?))
}

/// The latest verdict on the chain (from the start, the last checkpoint or
/// the last full verification), cheap enough for every visit of the audit
/// page; `null` when none was made yet.
async fn status(State(state): State<AppState>) -> Result<Json<Option<AuditHealth>>, ApiError> {
    Ok(Json(health(&state.db).await?))
}
