//! The HTTP face of sign-in, sessions and accounts.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::audit::FieldChange;
use shared::auth::{
    Action, NewUser, PasswordChange, PasswordReset, SessionInfo, SignIn, User, UserUpdate,
};

use super::{Session, service, users};
use crate::context::{ClientAddr, Ctx, CurrentUser};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};
use crate::state::AppState;

pub fn routes() -> Vec<ApiRoute> {
    use Access::{Public, SignedIn};
    use Method as M;
    let manage = Access::Allowed(Action::UsersManage);
    let own_password = Access::Allowed(Action::OwnPasswordChange);
    vec![
        route(M::POST, "/session", Public, sign_in),
        route(M::GET, "/session", SignedIn, me),
        route(M::DELETE, "/session", SignedIn, sign_out),
        route(M::POST, "/me/password", own_password, change_password),
        route(
            M::GET,
            "/users",
            Access::Allowed(Action::UsersRead),
            list_users,
        ),
        route(M::POST, "/users", manage, create_user),
        route(M::PATCH, "/users/{id}", manage, update_user),
        route(M::POST, "/users/{id}/preview", manage, preview_user),
        route(M::POST, "/users/{id}/password", manage, reset_password),
    ]
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignIn>,
) -> Result<Response, ApiError> {
    let old = session_cookie(&headers);
    let (cookie, session) = service::sign_in(&state, addr, old, body).await?;
    let max_age = state.config.sessions.absolute_timeout_hours * 3600;
    let set = [(
        header::SET_COOKIE,
        set_cookie(&headers, &cookie, Some(max_age)),
    )];
    Ok((set, axum::Json(session.info())).into_response())
}

async fn me(CurrentUser(session): CurrentUser) -> axum::Json<SessionInfo> {
    axum::Json(session.info())
}

async fn sign_out(ctx: Ctx, headers: HeaderMap) -> Result<Response, ApiError> {
    ctx.state
        .sessions
        .sign_out(&ctx.session, ctx.source)
        .await?;
    tracing::info!("signed out");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, set_cookie(&headers, "", Some(0)))],
    )
        .into_response())
}

async fn change_password(
    ctx: Ctx,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    service::change_own_password(&ctx, &body).await?;
    tracing::info!("changed own password");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_users(ctx: Ctx) -> Result<axum::Json<Vec<User>>, ApiError> {
    Ok(axum::Json(users::list(&ctx.state.db).await?))
}

/// Creating an account is not idempotent: a repeated `Idempotency-Key`
/// answers the first result instead of a "name taken" error.
async fn create_user(
    ctx: Ctx,
    key: IdempotencyKey,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<User>), ApiError> {
    let user = idempotency::once(&ctx, key, "users.create", body, |body| {
        let ctx = ctx.clone();
        async move { service::create_user(&ctx, &body).await }
    })
    .await?;
    tracing::info!(username = %user.username, role = user.role.as_str(), "user created");
    Ok((StatusCode::CREATED, axum::Json(user)))
}

async fn update_user(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<UserUpdate>,
) -> Result<axum::Json<User>, ApiError> {
    let user = users::update(&ctx.state.db, &ctx.actor(), &id, &body).await?;
    tracing::info!(username = %user.username, role = user.role.as_str(), disabled = user.disabled, "user updated");
    Ok(axum::Json(user))
}

/// What the `PATCH` with the same body would change, from the same plan.
async fn preview_user(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<UserUpdate>,
) -> Result<axum::Json<Vec<FieldChange>>, ApiError> {
    Ok(axum::Json(users::preview(&ctx.state.db, &id, &body).await?))
}

async fn reset_password(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    service::reset_password(&ctx, &id, &body).await?;
    tracing::info!(user_id = %id, "password reset");
    Ok(StatusCode::NO_CONTENT)
}

pub const SECURE_COOKIE: &str = "__Host-chatdesk";
pub const PLAIN_COOKIE: &str = "chatdesk";

/// True when the request reached us over TLS or on a loopback host, where
/// browsers keep a Secure cookie.
fn secure_context(headers: &HeaderMap) -> bool {
    let forwarded_tls = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let hostname = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    forwarded_tls
        || hostname == "localhost"
        || hostname == "[::1]"
        || hostname
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn cookie_name(headers: &HeaderMap) -> &'static str {
    if secure_context(headers) {
        SECURE_COOKIE
    } else {
        PLAIN_COOKIE
    }
}

/// The session id the browser sent, under the name this context uses.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(headers);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub(crate) fn set_cookie(headers: &HeaderMap, value: &str, max_age: Option<u64>) -> HeaderValue {
    let name = cookie_name(headers);
    let secure = if name == SECURE_COOKIE {
        "; Secure"
    } else {
        ""
    };
    let max_age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path=/{secure}{max_age}"
    ))
    .expect("cookie values are base64url")
}

/// The live session of the request's cookie, if any.
pub async fn session_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, ApiError> {
    match session_cookie(headers) {
        Some(id) => Ok(state.sessions.lookup(&state.config.sessions, &id).await?),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, proto: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(p) = proto {
            h.insert("x-forwarded-proto", HeaderValue::from_str(p).unwrap());
        }
        h
    }

    #[test]
    fn the_host_prefixed_secure_cookie_is_used_where_browsers_keep_it() {
        assert_eq!(cookie_name(&headers("127.0.0.1:8080", None)), SECURE_COOKIE);
        assert_eq!(cookie_name(&headers("localhost:8080", None)), SECURE_COOKIE);
        assert_eq!(cookie_name(&headers("[::1]:8080", None)), SECURE_COOKIE);
        assert_eq!(
            cookie_name(&headers("desk.example.com", Some("https"))),
            SECURE_COOKIE
        );
        assert_eq!(
            cookie_name(&headers("desk.example.com", None)),
            PLAIN_COOKIE
        );
        assert_eq!(cookie_name(&headers("10.0.0.5:8080", None)), PLAIN_COOKIE);
    }

    #[test]
    fn set_cookie_has_the_protective_attributes() {
        let v = set_cookie(&headers("127.0.0.1:1", None), "abc", Some(60));
        assert_eq!(
            v.to_str().unwrap(),
            "__Host-chatdesk=abc; HttpOnly; SameSite=Strict; Path=/; Secure; Max-Age=60"
        );
        let v = set_cookie(&headers("desk.example.com", None), "abc", None);
        assert_eq!(
            v.to_str().unwrap(),
            "chatdesk=abc; HttpOnly; SameSite=Strict; Path=/"
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = headers("127.0.0.1:1", None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-chatdesk=tok; chatdesk=plain"),
        );
        assert_eq!(session_cookie(&h).as_deref(), Some("tok"));
    }
}
