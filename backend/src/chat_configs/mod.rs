//! OOS chat configurations (issue 10): typed forms become the upstream's
//! `Configuration` JSON here, the client secrets chatdesk was given are kept
//! sealed and re-sent when the Configuration changes (never a mask), and
//! every change is planned (what to send, what the audit trail shows) before
//! anything is sent.
//!
//! - [`plan`]: pure functions from the parsed form (and, for an update, the
//!   current state) to a [`plan::Plan`].
//! - [`service`]: the reads (list across accounts and regions, detail) and
//!   the local half of each change, committed only after the upstream
//!   accepted it, so a refusal leaves chatdesk's own record unchanged.
//! - [`store`]: labels and sealed secrets.

pub mod http;
pub mod plan;
pub mod service;
pub mod store;

use shared::validate::InvalidField;

use crate::error::ApiError;
use crate::upstream::error::UpstreamError;

#[derive(Debug, thiserror::Error)]
pub enum ChatConfigError {
    /// A field of the form or the request, named.
    #[error("{0}")]
    Invalid(InvalidField),
    #[error("no such Alibaba Cloud account")]
    NoAccount,
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ChatConfigError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ChatConfigError {
        ChatConfigError::Invalid(InvalidField::new(field, message))
    }
}

impl From<Vec<InvalidField>> for ChatConfigError {
    /// The first error; the form shows them all as the user types.
    fn from(errors: Vec<InvalidField>) -> ChatConfigError {
        ChatConfigError::Invalid(
            errors
                .into_iter()
                .next()
                .unwrap_or_else(|| InvalidField::new("", "is invalid")),
        )
    }
}

impl From<ChatConfigError> for ApiError {
    fn from(err: ChatConfigError) -> ApiError {
        match err {
            ChatConfigError::Invalid(e) => e.into(),
            ChatConfigError::NoAccount => ApiError::NotFound("Alibaba Cloud account"),
            ChatConfigError::Upstream(e) => ApiError::Upstream(e),
            ChatConfigError::Internal(e) => ApiError::Internal(e),
        }
    }
}

#[cfg(test)]
mod tests;
