//! Sign-in, sessions and local accounts.
//!
//! The session cookie is `__Host-chatdesk` (HttpOnly, SameSite=Strict,
//! Path=/, Secure) whenever the browser accepts a Secure cookie: over TLS
//! (as a TLS-terminating proxy reports with `X-Forwarded-Proto: https`) and
//! on loopback hosts, which browsers treat as secure contexts. On plain HTTP
//! to any other host a `__Host-` cookie would be rejected (it requires
//! Secure), so the cookie is then named `chatdesk` and not Secure (see
//! [`http`]).

pub mod http;
pub mod password;
mod plan;
mod service;
pub mod sessions;
mod store;
pub mod throttle;
pub mod users;

use shared::validate::InvalidField;

use crate::error::ApiError;
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
