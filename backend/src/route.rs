//! What a domain module's `http.rs` needs to declare its routes: each names
//! its method, path and required [`Access`]; [`crate::api`] puts them in one
//! table behind one guard.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use shared::auth::Action;

use crate::state::AppState;

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
    pub(crate) handler: MethodRouter<AppState>,
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
