//! TEMPORARY stand-in for the building blocks' `Ctx` (issue 9), with the
//! announced interface, so the robots handlers run before it lands. It is
//! removed when main's `context` is merged.

use std::future::Future;
use std::net::IpAddr;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use shared::audit::{AuditAction, FieldChange};
use shared::chat_configs::RegionId;

use crate::api::{ClientAddr, CurrentUser};
use crate::audit::{self, Actor};
use crate::auth::Session;
use crate::error::ApiError;
use crate::server::AppState;
use crate::upstream::Receipt;
use crate::upstream::acs::AcsCredentials;
use crate::upstream::error::UpstreamError;

pub struct Ctx {
    pub state: AppState,
    pub session: Session,
    pub request_id: String,
    source: Option<IpAddr>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let CurrentUser(session) = CurrentUser::from_request_parts(parts, state).await?;
        let ClientAddr(source) = ClientAddr::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientAddr(None));
        Ok(Ctx {
            state: AppState::from_ref(state),
            session,
            request_id: String::new(),
            source,
        })
    }
}

pub struct AlibabaAccount {
    pub id: String,
    pub name: String,
    pub regions: Vec<RegionId>,
    pub acs: AcsCredentials,
}

pub struct Change {
    action: AuditAction,
    target: audit::Target,
    changes: Vec<FieldChange>,
}

impl Change {
    pub fn new(action: AuditAction, target: audit::Target) -> Change {
        Change {
            action,
            target,
            changes: Vec::new(),
        }
    }

    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Change {
        self.changes = changes;
        self
    }
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        crate::auth::actor(&self.session.user, self.source)
    }

    pub async fn alibaba(&self, id: &str) -> Result<AlibabaAccount, ApiError> {
        let c = self.state.vault.alibaba_account(id).await?;
        Ok(AlibabaAccount {
            id: c.id,
            name: c.name,
            regions: c
                .regions
                .iter()
                .filter_map(|r| RegionId::parse(r).ok())
                .collect(),
            acs: AcsCredentials {
                access_key_id: c.access_key_id,
                access_key_secret: c.access_key_secret,
                security_token: c.sts_token,
                signature: c.signature,
            },
        })
    }

    pub async fn audited<T>(
        &self,
        change: Change,
        call: impl Future<Output = Result<Receipt<T>, UpstreamError>>,
    ) -> Result<T, ApiError> {
        let pending = audit::begin_upstream(
            &self.state.db,
            self.actor(),
            change.action,
            change.target,
            change.changes,
        )
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
        match call.await {
            Ok(receipt) => {
                pending
                    .succeeded(receipt.request_id.as_deref())
                    .await
                    .map_err(|e| ApiError::Internal(e.into()))?;
                Ok(receipt.value)
            }
            Err(err) => {
                pending
                    .failed(&err.code, &err.message, err.request_id.as_deref())
                    .await
                    .map_err(|e| ApiError::Internal(e.into()))?;
                Err(err.into())
            }
        }
    }
}
