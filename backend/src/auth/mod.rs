//! Sign-in, sessions and local accounts.
//!
//! The session cookie is `__Host-chatdesk` (HttpOnly, SameSite=Strict,
//! Path=/, Secure) whenever the browser accepts a Secure cookie: over TLS
//! (as a TLS-terminating proxy reports with `X-Forwarded-Proto: https`) and
//! on loopback hosts, which browsers treat as secure contexts. On plain HTTP
//! to any other host a `__Host-` cookie would be rejected (it requires
//! Secure), so the cookie is then named `chatdesk` and not Secure.

pub mod http;
pub mod password;
mod plan;
mod service;
pub mod sessions;
mod store;
pub mod throttle;
pub mod users;

use axum::http::{HeaderMap, HeaderValue, header};
use shared::auth::{SessionInfo, User, permissions};

use shared::validate::InvalidField;

use crate::audit::Actor;
use crate::error::ApiError;
use crate::state::AppState;
pub use sessions::Session;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("no such user")]
    NotFound,
    #[error("username: {0:?} is taken")]
    UsernameTaken(String),
    #[error("{0}")]
    Invalid(InvalidField),
    #[error("this would leave no enabled admin")]
    LastAdmin,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

crate::internal_errors!(UserError);

impl From<UserError> for ApiError {
    fn from(err: UserError) -> ApiError {
        match err {
            UserError::NotFound => ApiError::NotFound("user"),
            UserError::UsernameTaken(name) => ApiError::Conflict {
                field: "username".into(),
                message: format!("{name:?} is taken"),
            },
            UserError::Invalid(err) => err.into(),
            UserError::LastAdmin => ApiError::Conflict {
                field: "role".into(),
                message: "this would leave no enabled admin".into(),
            },
            UserError::Internal(err) => ApiError::Internal(err),
        }
    }
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

/// `user` as the actor of an audit event, acting from `source`.
pub fn actor(user: &User, source: Option<std::net::IpAddr>) -> Actor {
    Actor {
        user_id: Some(user.id.clone()),
        username: user.username.clone(),
        role: user.role.as_str().to_owned(),
        source,
    }
}

pub(crate) fn session_info(session: &Session) -> SessionInfo {
    SessionInfo {
        user: session.user.clone(),
        csrf_token: session.csrf_token.clone(),
        permissions: permissions(session.user.role),
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
