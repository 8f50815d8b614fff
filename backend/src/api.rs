//! The `/api/v1` routes, all in one table ([`routes`]) that both the router
//! and the permission test read, so no route can escape either. Each route
//! names what it needs ([`Access`]); [`guard`] has [`authorize`] check
//! that, the session and CSRF protection, once, in one place, before any
//! handler runs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, OriginalUri, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use shared::api::{API_PREFIX, Meta};
use shared::auth::{CSRF_HEADER, allows};
use subtle::ConstantTimeEq;

use crate::auth::Session;
use crate::context::CurrentUser;
use crate::error::ApiError;
use crate::extract::Json;
pub use crate::route::{Access, ApiRoute, route};
use crate::state::AppState;
use crate::telemetry::RequestSpan;
use crate::{audit, auth, chat_configs, vault};

/// Every API route of the console.
pub fn routes() -> Vec<ApiRoute> {
    let mut routes = vec![route(Method::GET, "/meta", Access::Public, meta)];
    routes.extend(auth::http::routes());
    routes.extend(vault::http::routes());
    routes.extend(audit::http::routes());
    routes.extend(crate::robots::http::routes());
    routes.extend(chat_configs::http::routes());
    routes.extend(crate::groups::http::routes());
    routes
}

/// The API router: every route of [`routes`] behind [`guard`]. An unknown
/// route and a method a route does not have are JSON errors too.
pub fn router(state: &AppState) -> Router<AppState> {
    let routes = routes();
    let mut allowed: HashMap<&'static str, Vec<Method>> = HashMap::new();
    for r in &routes {
        allowed.entry(r.path).or_default().push(r.method.clone());
    }
    let allowed = Arc::new(allowed);
    routes
        .into_iter()
        .fold(Router::new(), |router, r| {
            let guarded = r.handler.route_layer(middleware::from_fn_with_state(
                (state.clone(), r.access),
                guard,
            ));
            router.route(r.path, guarded)
        })
        .method_not_allowed_fallback(move |method: Method, path: Option<MatchedPath>| {
            let allow = path
                .and_then(|p| {
                    allowed
                        .get(p.as_str().trim_start_matches(API_PREFIX))
                        .cloned()
                })
                .unwrap_or_default();
            async move { method_not_allowed(&method, &allow) }
        })
        .fallback(api_not_found)
}

fn method_not_allowed(method: &Method, allow: &[Method]) -> ApiError {
    let mut names: Vec<&str> = allow.iter().map(Method::as_str).collect();
    // axum answers HEAD wherever GET is routed.
    if allow.contains(&Method::GET) {
        names.push(Method::HEAD.as_str());
    }
    ApiError::MethodNotAllowed {
        method: method.as_str().chars().take(16).collect(),
        allow: names.join(", "),
    }
}

async fn meta(State(state): State<AppState>) -> Json<Meta> {
    Json(Meta {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        sandbox: state.config.upstream.is_sandbox(),
    })
}

// `OriginalUri`: inside the nested router the prefix is already stripped.
async fn api_not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::RouteNotFound(uri.path().to_owned())
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Browsers send `Origin` on every state-changing `fetch`; it must be this
/// server, so another site cannot make a signed-in browser act.
fn same_origin(headers: &HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

/// The single place where sessions, CSRF protection and the permission
/// matrix are enforced; a malformed query string is refused here too, for
/// routes that read none as for those that do.
async fn guard(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let span = route_span(&request);
    if let Some(session) = authorize(&state, access, request.method(), request.headers()).await? {
        span.record("user", session.user.username.as_str());
        request.extensions_mut().insert(CurrentUser(session));
    }
    crate::extract::check_query(request.uri().query().unwrap_or_default())?;
    Ok(next.run(request).await)
}

/// The request's span, now carrying its route: only here is the route
/// known, and every later log line of the request carries it (the span was
/// opened by `telemetry::request_span`).
fn route_span(request: &Request) -> tracing::Span {
    let span = request
        .extensions()
        .get::<RequestSpan>()
        .map_or_else(tracing::Span::none, |s| s.0.clone());
    if let Some(path) = request.extensions().get::<MatchedPath>() {
        span.record("route", path.as_str());
    }
    span
}

/// Whether a request may reach a route that needs `access`: same origin for
/// a change, then (unless the route is public) a live session, its CSRF
/// token for a change, and the role's permission. The session, if one was
/// needed.
async fn authorize(
    state: &AppState,
    access: Access,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Option<Session>, ApiError> {
    let state_changing = changes_state(method);
    if state_changing && !same_origin(headers) {
        return Err(ApiError::Csrf("missing or foreign Origin header"));
    }
    if access == Access::Public {
        return Ok(None);
    }
    let session = auth::http::session_from_headers(state, headers)
        .await?
        .ok_or(ApiError::NotSignedIn)?;
    if state_changing && !csrf_matches(headers, &session) {
        return Err(ApiError::Csrf("missing or wrong x-csrf-token header"));
    }
    if let Access::Allowed(action) = access
        && !allows(session.user.role, action)
    {
        return Err(ApiError::Forbidden);
    }
    Ok(Some(session))
}

/// The CSRF header against the session's token, in constant time.
fn csrf_matches(headers: &HeaderMap, session: &Session) -> bool {
    let sent = headers
        .get(CSRF_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    bool::from(sent.ct_eq(session.csrf_token.as_bytes()))
}
