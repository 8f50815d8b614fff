//! Logging through `tracing`: readable on a terminal, JSON otherwise.

use std::io::IsTerminal;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. The filter comes from `RUST_LOG`
/// (default `info`). Logs go to stderr; stdout is for what a person reads.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests spawning several apps) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}

/// The console's own id for one request: in the response's `x-request-id`
/// header, in every error body (`trace_id`) and on every log line of the
/// request, so a user can quote it and an operator can find the lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn new() -> RequestId {
        RequestId(uuid::Uuid::now_v7().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for RequestId {
    fn default() -> Self {
        RequestId::new()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

tokio::task_local! {
    static CURRENT: RequestId;
}

/// The id of the request being served by this task, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(|id| id.0.clone()).ok()
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The span [`request_span`] opened, for the API guard to fill in route
/// and user: with debug logging on, the current span inside the guard is
/// the HTTP trace layer's, which has neither field.
#[derive(Clone)]
pub struct RequestSpan(pub tracing::Span);

/// Gives the request an id and runs it inside a span naming the method,
/// path, id and (filled in by the API guard) route and user.
pub async fn request_span(mut request: Request, next: Next) -> Response {
    let id = RequestId::new();
    request.extensions_mut().insert(id.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
        route = tracing::field::Empty,
        user = tracing::field::Empty,
    );
    request.extensions_mut().insert(RequestSpan(span.clone()));
    let header = HeaderValue::from_str(id.as_str()).expect("hex is a valid header value");
    let mut response = CURRENT.scope(id, next.run(request)).instrument(span).await;
    response.headers_mut().insert(REQUEST_ID_HEADER, header);
    response
}
