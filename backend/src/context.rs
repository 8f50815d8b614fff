//! What a handler knows about the request it serves: who is acting, the
//! application state and the request id ([`Ctx`]), plus the one way to make
//! an upstream change ([`Ctx::audited`]) and to get ready-to-use credentials.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use shared::ids::RegionId;
use shared::vault::DingTalkApi;

use crate::audit::{self, Actor, Change};
use crate::auth::Session;
use crate::error::ApiError;
use crate::state::AppState;
use crate::telemetry::RequestId;
use crate::upstream::Receipt;
use crate::upstream::acs::AcsCredentials;
use crate::upstream::dingtalk::DingTalkApp;
use crate::upstream::error::UpstreamError;

/// The caller's session. Only the guard in [`crate::api`] creates it, so a
/// handler taking it (or [`Ctx`]) cannot run unchecked.
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
/// proxy's), for throttling and the audit trail.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

fn client_addr(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// A signed-in request: the state, the session, where it came from and
/// its id. Handlers take this instead of assembling an actor by hand.
#[derive(Clone)]
pub struct Ctx {
    pub state: AppState,
    pub session: Session,
    pub source: Option<IpAddr>,
    pub request_id: RequestId,
}

impl<S> FromRequestParts<S> for Ctx
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let CurrentUser(session) = CurrentUser::from_request_parts(parts, state).await?;
        Ok(Ctx {
            state: AppState::from_ref(state),
            session,
            source: client_addr(parts),
            request_id: parts
                .extensions
                .get::<RequestId>()
                .cloned()
                .unwrap_or_else(RequestId::new),
        })
    }
}

/// An Alibaba Cloud account, decrypted and ready to sign calls.
#[derive(Debug)]
pub struct AlibabaAccount {
    pub id: String,
    pub name: String,
    /// The regions the account is used in, as configured.
    pub regions: Vec<RegionId>,
    pub acs: AcsCredentials,
}

/// A DingTalk app, decrypted, with the API generation it prefers.
#[derive(Clone, Debug)]
pub struct DingTalkAppRef {
    pub id: String,
    pub name: String,
    pub app: DingTalkApp,
    pub api: DingTalkApi,
}

impl Ctx {
    /// The signed-in user as the actor of an audit event.
    pub fn actor(&self) -> Actor {
        self.session.actor(self.source)
    }

    /// The stored Alibaba Cloud account `id`, ready to sign calls.
    pub async fn alibaba(&self, id: &str) -> Result<AlibabaAccount, ApiError> {
        let account = self.state.vault.alibaba_account(id).await?;
        let regions = account
            .regions
            .iter()
            .map(|r| RegionId::parse(r).map_err(|e| ApiError::invalid("regions", e.to_string())))
            .collect::<Result<_, _>>()?;
        Ok(AlibabaAccount {
            acs: account.acs(),
            id: account.id,
            name: account.name,
            regions,
        })
    }

    /// The stored DingTalk app `id`, ready to get tokens.
    pub async fn dingtalk(&self, id: &str) -> Result<DingTalkAppRef, ApiError> {
        let app = self.state.vault.dingtalk_app(id).await?;
        Ok(DingTalkAppRef {
            app: app.app(),
            api: app.api,
            id: app.id,
            name: app.name,
        })
    }

    /// Makes one upstream change, recorded in the audit trail: the intent
    /// first, then the outcome with the upstream's RequestId and error code.
    /// The outcome is recorded whatever happens to this request (see
    /// [`audit::upstream_change`]). Build `call` from owned values: it may
    /// outlive the request.
    pub async fn audited<T, F>(&self, change: Change, call: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Future<Output = Result<Receipt<T>, UpstreamError>> + Send + 'static,
    {
        let result = audit::upstream_change(&self.state.db, self.actor(), change, call)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        Ok(result?)
    }
}
