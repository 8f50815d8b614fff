//! `/api/v1/audit/*`: read-only. There are no routes that change or delete
//! events.

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::audit::{
    AuditHealth, EventFilter, EventPage, ExportFormat, MAX_PAGE_SIZE, Outcome, VerifyReport,
};
use shared::validate::{InvalidField, Problem};

use shared::auth::Action;

use super::{AuditError, health, query, service, verify};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::route::{Access, ApiRoute, route};
use crate::state::AppState;

/// The audit API: auditors and admins read and export (the matrix in
/// `shared::auth`). Read-only by construction: there is no route that changes an event.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        route(
            Method::GET,
            "/audit/events",
            Access::Allowed(Action::AuditRead),
            events,
        ),
        route(
            Method::GET,
            "/audit/export",
            Access::Allowed(Action::AuditExport),
            export,
        ),
        route(
            Method::GET,
            "/audit/verify",
            Access::Allowed(Action::AuditRead),
            verify_chain,
        ),
        route(
            Method::GET,
            "/audit/status",
            Access::Allowed(Action::AuditRead),
            status,
        ),
    ]
}

impl From<AuditError> for ApiError {
    fn from(err: AuditError) -> ApiError {
        ApiError::AuditUnavailable(err.into())
    }
}

/// The query of the list and the export: the filter, and the export's
/// `format`. An empty text filter is no filter.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    from: Option<i64>,
    to: Option<i64>,
    before: Option<i64>,
    limit: Option<u32>,
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    outcome: Option<Outcome>,
    format: Option<ExportFormat>,
}

impl AuditQuery {
    fn filter(self) -> Result<EventFilter, ApiError> {
        if let Some(limit) = self.limit
            && !(1..=MAX_PAGE_SIZE).contains(&limit)
        {
            return Err(InvalidField::new(
                "limit",
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            )
            .because(Problem::Range {
                min: 1,
                max: i64::from(MAX_PAGE_SIZE),
            })
            .into());
        }
        let text = |v: Option<String>| v.filter(|v| !v.is_empty());
        Ok(EventFilter {
            from: self.from,
            to: self.to,
            before: self.before,
            limit: self.limit,
            actor: text(self.actor),
            action: text(self.action),
            target: text(self.target),
            outcome: self.outcome,
        })
    }
}

async fn events(
    State(state): State<AppState>,
    Query(params): Query<AuditQuery>,
) -> Result<Json<EventPage>, ApiError> {
    if params.format.is_some() {
        return Err(InvalidField::new("format", "is for the export only")
            .because(Problem::UnknownField)
            .into());
    }
    Ok(Json(query(&state.db, &params.filter()?).await?))
}

async fn export(
    State(state): State<AppState>,
    Query(params): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let format = params.format.ok_or_else(|| {
        InvalidField::new("format", "is required: csv or jsonl").because(Problem::Required)
    })?;
    let d = service::export(&state.db, params.filter()?, format);
    let disposition = format!("attachment; filename=\"{}\"", d.file_name);
    let headers = [
        (header::CONTENT_TYPE, d.content_type.to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    Ok((headers, Body::from_stream(d.events)).into_response())
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
