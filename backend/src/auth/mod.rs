//! Sign-in, sessions and local accounts.
//!
//! The session cookie is `__Host-chatdesk` (HttpOnly, SameSite=Strict,
//! Path=/, Secure) whenever the browser accepts a Secure cookie: over TLS
//! (as a TLS-terminating proxy reports with `X-Forwarded-Proto: https`) and
//! on loopback hosts, which browsers treat as secure contexts. On plain HTTP
//! to any other host a `__Host-` cookie would be rejected (it requires
//! Secure), so the cookie is then named `chatdesk` and not Secure.

pub mod password;
pub mod sessions;
pub mod throttle;
pub mod users;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use shared::auth::{
    Action, NewUser, PasswordChange, PasswordReset, SessionInfo, SignIn, User, UserUpdate,
    permissions,
};

use crate::api::{Access, ApiRoute, ClientAddr, CurrentUser, route};
use crate::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use crate::error::ApiError;
use crate::json::Json;
use crate::server::AppState;
pub use sessions::Session;

pub const SECURE_COOKIE: &str = "__Host-chatdesk";
pub const PLAIN_COOKIE: &str = "chatdesk";

pub fn routes() -> Vec<ApiRoute> {
    use Access::*;
    vec![
        route(Method::POST, "/session", Public, sign_in),
        route(Method::GET, "/session", SignedIn, me),
        route(Method::DELETE, "/session", SignedIn, sign_out),
        route(
            Method::POST,
            "/me/password",
            Allowed(Action::OwnPasswordChange),
            change_password,
        ),
        route(
            Method::GET,
            "/users",
            Allowed(Action::UsersRead),
            list_users,
        ),
        route(
            Method::POST,
            "/users",
            Allowed(Action::UsersManage),
            create_user,
        ),
        route(
            Method::PATCH,
            "/users/{id}",
            Allowed(Action::UsersManage),
            update_user,
        ),
        route(
            Method::POST,
            "/users/{id}/password",
            Allowed(Action::UsersManage),
            reset_password,
        ),
    ]
}

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

fn cookie_name(headers: &HeaderMap) -> &'static str {
    if secure_context(headers) {
        SECURE_COOKIE
    } else {
        PLAIN_COOKIE
    }
}

/// The session id the browser sent, under the name this context uses.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
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

fn set_cookie(headers: &HeaderMap, value: &str, max_age: Option<u64>) -> HeaderValue {
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
        Some(id) => Ok(sessions::lookup(&state.db, &state.config.sessions, &id).await?),
        None => Ok(None),
    }
}

/// `user` as the actor of an audit event, acting from `source`.
pub fn actor(user: &User, source: Option<std::net::IpAddr>) -> Actor {
    Actor {
        user_id: Some(user.id.clone()),
        username: user.username.clone(),
        role: user.role.as_str().to_owned(),
        source,
    }
}

fn session_info(session: &Session) -> SessionInfo {
    SessionInfo {
        user: session.user.clone(),
        csrf_token: session.csrf_token.clone(),
        permissions: permissions(session.user.role),
    }
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignIn>,
) -> Result<Response, ApiError> {
    let username = body.username.trim().to_lowercase();
    if let Err(wait) = state.throttle.check(&username, addr) {
        tracing::warn!(%username, ?addr, "sign-in refused: too many failures");
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let found = users::credentials(&state.db, &username).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let password_ok = password::verify(SecretString::from(body.password), hash).await;
    let user = match user {
        Some(user) if password_ok && !user.disabled => user,
        _ => {
            state.throttle.failed(&username, addr);
            tracing::warn!(%username, ?addr, "sign-in failed");
            record_failed_sign_in(&state, username, addr).await?;
            return Err(ApiError::InvalidCredentials);
        }
    };
    state.throttle.succeeded(&username);
    // A fresh id at every sign-in; any session the browser had ends.
    if let Some(old) = session_cookie(&headers) {
        sessions::revoke(&state.db, &sessions::hash_id(&old)).await?;
    }
    let (cookie, session) = sessions::create(&state.db, user, addr).await?;
    tracing::info!(username = %session.user.username, "signed in");
    let max_age = state.config.sessions.absolute_timeout_hours * 3600;
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(&headers, &cookie, Some(max_age)),
        )],
        axum::Json(session_info(&session)),
    )
        .into_response())
}

/// The typed username as the actor (there is no user to name: it may not
/// exist), without a role; never the password.
async fn record_failed_sign_in(
    state: &AppState,
    username: String,
    source: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    // Real usernames have at most 64 characters; longer input is noise
    // that should not grow the trail.
    let username: String = username.chars().take(64).collect();
    let actor = Actor {
        user_id: None,
        username: username.clone(),
        role: String::new(),
        source,
    };
    let target = Target {
        kind: TargetKind::Session,
        id: None,
        label: Some(username),
    };
    let event = NewEvent::success(actor, AuditAction::SignInFailed, target)
        .failed("invalid_credentials", "wrong username or password");
    audit::record(&state.db, &event)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(())
}

async fn me(CurrentUser(session): CurrentUser) -> axum::Json<SessionInfo> {
    axum::Json(session_info(&session))
}

async fn sign_out(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    sessions::sign_out(&state.db, &session, addr).await?;
    tracing::info!(username = %session.user.username, "signed out");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, set_cookie(&headers, "", Some(0)))],
    )
        .into_response())
}

async fn change_password(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ClientAddr(addr): ClientAddr,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    // A stolen session must not become a way to guess the password:
    // wrong current passwords count like failed sign-ins.
    let username = &session.user.username;
    if let Err(wait) = state.throttle.check(username, addr) {
        tracing::warn!(%username, ?addr, "password change refused: too many failures");
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let changed = users::change_own_password(
        &state.db,
        &actor(&session.user, addr),
        &session.user.id,
        &body.current_password,
        &body.new_password,
        &session.id_hash,
    )
    .await;
    match &changed {
        Err(users::UserError::Invalid {
            field: "current_password",
            ..
        }) => {
            state.throttle.failed(username, addr);
            tracing::warn!(%username, ?addr, "password change with a wrong current password");
        }
        Ok(()) => state.throttle.succeeded(username),
        Err(_) => {}
    }
    changed?;
    tracing::info!(username = %session.user.username, "changed own password");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_users(State(state): State<AppState>) -> Result<axum::Json<Vec<User>>, ApiError> {
    Ok(axum::Json(users::list(&state.db).await?))
}

async fn create_user(
    State(state): State<AppState>,
    CurrentUser(by): CurrentUser,
    ClientAddr(addr): ClientAddr,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<User>), ApiError> {
    let by = actor(&by.user, addr);
    let user = users::create(&state.db, &by, &body.username, body.role, &body.password).await?;
    tracing::info!(by = %by.username, username = %user.username, role = user.role.as_str(), "user created");
    Ok((StatusCode::CREATED, axum::Json(user)))
}

async fn update_user(
    State(state): State<AppState>,
    CurrentUser(by): CurrentUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<String>,
    Json(body): Json<UserUpdate>,
) -> Result<axum::Json<User>, ApiError> {
    let by = actor(&by.user, addr);
    let user = users::update(&state.db, &by, &id, &body).await?;
    tracing::info!(by = %by.username, username = %user.username, role = user.role.as_str(), disabled = user.disabled, "user updated");
    Ok(axum::Json(user))
}

async fn reset_password(
    State(state): State<AppState>,
    CurrentUser(by): CurrentUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<String>,
    Json(body): Json<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    let by = actor(&by.user, addr);
    users::set_password(&state.db, &by, &id, &body.password)
        .await
        .map_err(|e| match e {
            users::UserError::Invalid { message, .. } => ApiError::invalid("password", message),
            other => other.into(),
        })?;
    tracing::info!(by = %by.username, user_id = %id, "password reset");
    Ok(StatusCode::NO_CONTENT)
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
