//! `/api/v1/audit/*`: read-only. There are no routes that change or delete
//! events.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::ErrorBody;
use shared::audit::{
    AuditHealth, EventFilter, EventPage, ExportFormat, MAX_PAGE_SIZE, OutcomeFilter, VerifyReport,
};

use shared::auth::Action;

use super::{AuditError, export_stream, health, query, verify};
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

#[derive(Debug, thiserror::Error)]
enum HttpError {
    #[error("{message}")]
    InvalidQuery {
        field: &'static str,
        message: String,
    },
    #[error("the audit trail is not available")]
    Audit(#[from] AuditError),
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, code, field) = match &self {
            HttpError::InvalidQuery { field, .. } => {
                (StatusCode::BAD_REQUEST, "invalid_query", Some(*field))
            }
            HttpError::Audit(err) => {
                tracing::error!(error = %err, "audit trail error");
                (StatusCode::INTERNAL_SERVER_ERROR, "audit_unavailable", None)
            }
        };
        let body = ErrorBody {
            code: code.to_owned(),
            message: self.to_string(),
            field: field.map(str::to_owned),
            problem: None,
            request_id: None,
            trace_id: crate::telemetry::current_request_id(),
        };
        (status, Json(body)).into_response()
    }
}

/// Parses the filter (and `format`, for exports), naming the offending
/// parameter on error.
fn parse_query(
    raw: Option<&str>,
    allow_format: bool,
) -> Result<(EventFilter, Option<ExportFormat>), HttpError> {
    let mut filter = EventFilter::default();
    let mut format = None;
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let invalid = |field: &'static str, what: &str| HttpError::InvalidQuery {
            field,
            message: format!("{field} must be {what}"),
        };
        let int = |field: &'static str| {
            value
                .parse::<i64>()
                .map_err(|_| invalid(field, "a whole number (epoch milliseconds or a cursor)"))
        };
        let text = || (!value.is_empty()).then(|| value.to_string());
        match key.as_ref() {
            "from" => filter.from = Some(int("from")?),
            "to" => filter.to = Some(int("to")?),
            "before" => filter.before = Some(int("before")?),
            "limit" => {
                let limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                    .ok_or_else(|| invalid("limit", &format!("between 1 and {MAX_PAGE_SIZE}")))?;
                filter.limit = Some(limit);
            }
            "actor" => filter.actor = text(),
            "action" => filter.action = text(),
            "target" => filter.target = text(),
            "outcome" if value.is_empty() => filter.outcome = None,
            "outcome" => {
                filter.outcome = Some(OutcomeFilter::parse(&value).ok_or_else(|| {
                    invalid("outcome", "one of success, failure, intent, unknown")
                })?);
            }
            "format" if allow_format => {
                format = Some(match value.as_ref() {
                    "csv" => ExportFormat::Csv,
                    "jsonl" => ExportFormat::Jsonl,
                    _ => return Err(invalid("format", "csv or jsonl")),
                });
            }
            _ => {
                return Err(HttpError::InvalidQuery {
                    field: "query",
                    message: format!("unknown query parameter {key:?}"),
                });
            }
        }
    }
    Ok((filter, format))
}

async fn events(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<EventPage>, HttpError> {
    let (filter, _) = parse_query(raw.as_deref(), false)?;
    Ok(Json(query(&state.db, &filter).await?))
}

async fn export(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, HttpError> {
    let (filter, format) = parse_query(raw.as_deref(), true)?;
    let format = format.ok_or(HttpError::InvalidQuery {
        field: "format",
        message: "format must be csv or jsonl".into(),
    })?;
    let (content_type, ext) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Jsonl => ("application/jsonl; charset=utf-8", "jsonl"),
    };
    let name = format!("audit-{}.{ext}", crate::db::now_ms());
    let body = Body::from_stream(export_stream(state.db.clone(), filter, format));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

async fn verify_chain(State(state): State<AppState>) -> Result<Json<VerifyReport>, HttpError> {
    Ok(Json(verify(&state.db).await?))
}

/// The latest verdict on the chain (from the start, the last checkpoint or
/// the last full verification), cheap enough for every visit of the audit
/// page; `null` when none was made yet.
async fn status(State(state): State<AppState>) -> Result<Json<Option<AuditHealth>>, HttpError> {
    Ok(Json(health(&state.db).await?))
}
