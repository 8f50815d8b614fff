//! The `/api/v1` routes, all in one table ([`routes`]) that both the router
//! and the permission test read, so no route can escape either. Each route
//! names what it needs ([`Access`]); [`guard`] checks that, the session and
//! CSRF protection, once, in one place, before any handler runs.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};
use axum::{Json, Router};
use shared::api::Meta;
use shared::auth::{Action, CSRF_HEADER, allows};
use subtle::ConstantTimeEq;

use crate::audit;
use crate::auth::{self, Session};
use crate::error::ApiError;
use crate::server::AppState;
use crate::vault;

/// What a route requires of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone (signing in, deployment facts).
    Public,
    /// Any signed-in user (their own session).
    SignedIn,
    /// A signed-in user whose role allows the action.
    Allowed(Action),
}

pub struct ApiRoute {
    pub method: Method,
    /// Relative to `/api/v1`, in axum syntax (`/users/{id}`).
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

/// One table entry; the method is given once and used for routing too.
pub fn route<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> ApiRoute
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a standard HTTP method");
    ApiRoute {
        method,
        path,
        access,
        handler: on(filter, handler),
    }
}

/// Every API route of the console.
pub fn routes() -> Vec<ApiRoute> {
    let mut routes = vec![route(Method::GET, "/meta", Access::Public, meta)];
    routes.extend(auth::routes());
    routes.extend(vault::routes());
    routes.extend(vault::connection::routes());
    routes.extend(audit::routes());
    routes.extend(crate::robots::routes());
    routes
}

/// The API router: every route of [`routes`] behind [`guard`].
pub fn router(state: &AppState) -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, r| {
            let guarded = r.handler.route_layer(middleware::from_fn_with_state(
                (state.clone(), r.access),
                guard,
            ));
            router.route(r.path, guarded)
        })
        .fallback(api_not_found)
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
/// matrix are enforced.
async fn guard(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let state_changing = changes_state(request.method());
    if state_changing && !same_origin(request.headers()) {
        return Err(ApiError::Csrf("missing or foreign Origin header"));
    }
    if access != Access::Public {
        let session = auth::session_from_headers(&state, request.headers())
            .await?
            .ok_or(ApiError::NotSignedIn)?;
        if state_changing {
            let sent = request
                .headers()
                .get(CSRF_HEADER)
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            if !bool::from(sent.ct_eq(session.csrf_token.as_bytes())) {
                return Err(ApiError::Csrf("missing or wrong x-csrf-token header"));
            }
        }
        if let Access::Allowed(action) = access
            && !allows(session.user.role, action)
        {
            return Err(ApiError::Forbidden);
        }
        request.extensions_mut().insert(CurrentUser(session));
    }
    Ok(next.run(request).await)
}

/// The caller's session. Only [`guard`] creates it, so a handler taking it
/// cannot run unchecked.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            // Fails closed: a route outside the table has no session.
            .ok_or(ApiError::NotSignedIn)
    }
}

/// The client's IP address (the TCP peer; behind a reverse proxy, the
/// proxy's), for throttling.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
