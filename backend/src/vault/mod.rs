//! The credentials vault: Alibaba Cloud accounts and DingTalk apps, their
//! secrets encrypted at rest ([`crate::crypto`]). The API can create, replace and
//! delete them and shows fingerprints; only [`Vault::alibaba_account`] and
//! [`Vault::dingtalk_app`], called by the upstream clients, decrypt.

pub mod connection;
pub mod http;
mod plan;
mod service;
mod store;

use secrecy::SecretString;
use shared::validate::InvalidField;
use shared::vault::{DingTalkApi, DingTalkSite, SignatureKind};

pub use crate::crypto::MasterKey;
pub use service::Vault;

use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(InvalidField),
    #[error("name: {0:?} is taken")]
    NameTaken(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

crate::internal_errors!(VaultError);

impl From<VaultError> for ApiError {
    fn from(err: VaultError) -> ApiError {
        match err {
            VaultError::NotFound(what) => ApiError::NotFound(what),
            VaultError::Invalid(err) => err.into(),
            VaultError::NameTaken(name) => ApiError::Conflict {
                field: "name".into(),
                message: format!("{name:?} is taken"),
            },
            VaultError::Internal(err) => ApiError::Internal(err),
        }
    }
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> VaultError {
    VaultError::Invalid(InvalidField::new(field, message))
}

impl From<InvalidField> for VaultError {
    fn from(err: InvalidField) -> VaultError {
        VaultError::Invalid(err)
    }
}

/// Decrypted Alibaba Cloud credentials, for signing upstream calls.
#[derive(Clone, Debug)]
pub struct AlibabaCredentials {
    pub id: String,
    pub name: String,
    pub access_key_id: String,
    pub access_key_secret: SecretString,
    pub sts_token: Option<SecretString>,
    pub signature: SignatureKind,
    pub regions: Vec<String>,
}

/// Decrypted DingTalk app credentials, for getting access tokens.
#[derive(Debug)]
pub struct DingTalkCredentials {
    pub id: String,
    pub name: String,
    pub app_key: String,
    pub app_secret: SecretString,
    pub site: DingTalkSite,
    pub api: DingTalkApi,
}
