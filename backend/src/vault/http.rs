//! `/api/v1/credentials/*`: the same routes for each kind of stored
//! credential, from one set of handlers generic over [`Kind`]; and
//! `/api/v1/preferences`, each user's last pick of each kind.

use std::future::Future;

use axum::http::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::vault::{
    AlibabaAccount, AlibabaAccountInput, ConnectionCheck, DingTalkApp, DingTalkAppInput,
    Preferences,
};

use super::connection::{check_alibaba, check_dingtalk};
use super::{Vault, VaultError};
use crate::audit::Actor;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};
use crate::upstream::Upstream;

/// A kind of stored credential as the API serves it.
trait Kind: Send + Sync + 'static {
    type View: Serialize + DeserializeOwned + Send + 'static;
    type Input: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The collection's path; items are at `ITEM`.
    const PATH: &'static str;
    const ITEM: &'static str;
    const TEST: &'static str;
    const PREVIEW: &'static str;
    const DEFAULT: &'static str;
    /// For log lines and the idempotency scope.
    const NAME: &'static str;

    fn list(vault: &Vault) -> impl Future<Output = Result<Vec<Self::View>, VaultError>> + Send;
    fn create(
        vault: &Vault,
        actor: &Actor,
        input: &Self::Input,
    ) -> impl Future<Output = Result<Self::View, VaultError>> + Send;
    fn update(
        vault: &Vault,
        actor: &Actor,
        id: &str,
        input: &Self::Input,
    ) -> impl Future<Output = Result<Self::View, VaultError>> + Send;
    fn delete(
        vault: &Vault,
        actor: &Actor,
        id: &str,
    ) -> impl Future<Output = Result<(), VaultError>> + Send;
    fn preview(
        vault: &Vault,
        id: &str,
        input: &Self::Input,
    ) -> impl Future<Output = Result<Vec<FieldChange>, VaultError>> + Send;
    fn set_default(
        vault: &Vault,
        actor: &Actor,
        id: &str,
    ) -> impl Future<Output = Result<Self::View, VaultError>> + Send;
    fn test(
        vault: &Vault,
        upstream: &Upstream,
        id: &str,
    ) -> impl Future<Output = Result<ConnectionCheck, VaultError>> + Send;
}

/// One stored kind: its types, its place under `/credentials` and the
/// vault's functions for it.
macro_rules! kind {
    ($kind:ident, $view:ty, $input:ty, $path:literal, $list:ident, $create:ident, $update:ident, $delete:ident, $preview:ident, $default:ident, $test:ident) => {
        struct $kind;

        impl Kind for $kind {
            type View = $view;
            type Input = $input;
            const PATH: &'static str = concat!("/credentials/", $path);
            const ITEM: &'static str = concat!("/credentials/", $path, "/{id}");
            const TEST: &'static str = concat!("/credentials/", $path, "/{id}/test");
            const PREVIEW: &'static str = concat!("/credentials/", $path, "/{id}/preview");
            const DEFAULT: &'static str = concat!("/credentials/", $path, "/{id}/default");
            const NAME: &'static str = concat!("credentials.", $path);

            async fn list(vault: &Vault) -> Result<Vec<$view>, VaultError> {
                vault.$list().await
            }
            async fn create(
                vault: &Vault,
                actor: &Actor,
                input: &$input,
            ) -> Result<$view, VaultError> {
                vault.$create(actor, input).await
            }
            async fn update(
                vault: &Vault,
                actor: &Actor,
                id: &str,
                input: &$input,
            ) -> Result<$view, VaultError> {
                vault.$update(actor, id, input).await
            }
            async fn delete(vault: &Vault, actor: &Actor, id: &str) -> Result<(), VaultError> {
                vault.$delete(actor, id).await
            }
            async fn preview(
                vault: &Vault,
                id: &str,
                input: &$input,
            ) -> Result<Vec<FieldChange>, VaultError> {
                vault.$preview(id, input).await
            }
            async fn set_default(
                vault: &Vault,
                actor: &Actor,
                id: &str,
            ) -> Result<$view, VaultError> {
                vault.$default(actor, id).await
            }
            async fn test(
                vault: &Vault,
                upstream: &Upstream,
                id: &str,
            ) -> Result<ConnectionCheck, VaultError> {
                $test(vault, upstream, id).await
            }
        }
    };
}

kind!(
    Alibaba,
    AlibabaAccount,
    AlibabaAccountInput,
    "alibaba",
    list_alibaba,
    create_alibaba,
    update_alibaba,
    delete_alibaba,
    preview_alibaba,
    set_default_alibaba,
    check_alibaba
);
kind!(
    DingTalk,
    DingTalkApp,
    DingTalkAppInput,
    "dingtalk",
    list_dingtalk,
    create_dingtalk,
    update_dingtalk,
    delete_dingtalk,
    preview_dingtalk,
    set_default_dingtalk,
    check_dingtalk
);

pub fn routes() -> Vec<ApiRoute> {
    let mut routes = kind_routes::<Alibaba>();
    routes.extend(kind_routes::<DingTalk>());
    // Every role picks accounts and apps (on the robots and groups pages,
    // from the ids those pages return), so every role keeps its picks.
    routes.push(route(
        Method::GET,
        "/preferences",
        Access::SignedIn,
        preferences,
    ));
    routes.push(route(
        Method::PUT,
        "/preferences",
        Access::SignedIn,
        set_preferences,
    ));
    routes
}

fn kind_routes<K: Kind>() -> Vec<ApiRoute> {
    let read = Access::Allowed(Action::CredentialsRead);
    let manage = Access::Allowed(Action::CredentialsManage);
    vec![
        route(Method::GET, K::PATH, read, list::<K>),
        route(Method::POST, K::PATH, manage, create::<K>),
        route(Method::PUT, K::ITEM, manage, update::<K>),
        route(Method::DELETE, K::ITEM, manage, delete::<K>),
        route(Method::POST, K::TEST, manage, test::<K>),
        route(Method::POST, K::PREVIEW, manage, preview::<K>),
        route(Method::PUT, K::DEFAULT, manage, set_default::<K>),
    ]
}

type ApiResult<T> = Result<axum::Json<T>, ApiError>;

async fn list<K: Kind>(ctx: Ctx) -> ApiResult<Vec<K::View>> {
    Ok(axum::Json(K::list(&ctx.state.vault).await?))
}

async fn create<K: Kind>(
    ctx: Ctx,
    key: IdempotencyKey,
    Json(input): Json<K::Input>,
) -> Result<(StatusCode, axum::Json<K::View>), ApiError> {
    let scope = K::NAME;
    let view = idempotency::once(&ctx, key, scope, input, |input| {
        let ctx = ctx.clone();
        async move { Ok(K::create(&ctx.state.vault, &ctx.actor(), &input).await?) }
    })
    .await?;
    tracing::info!(kind = K::NAME, "credential added");
    Ok((StatusCode::CREATED, axum::Json(view)))
}

async fn update<K: Kind>(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<K::Input>,
) -> ApiResult<K::View> {
    let view = K::update(&ctx.state.vault, &ctx.actor(), &id, &input).await?;
    tracing::info!(kind = K::NAME, %id, "credential changed");
    Ok(axum::Json(view))
}

async fn delete<K: Kind>(ctx: Ctx, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    K::delete(&ctx.state.vault, &ctx.actor(), &id).await?;
    tracing::info!(kind = K::NAME, %id, "credential deleted");
    Ok(StatusCode::NO_CONTENT)
}

async fn test<K: Kind>(ctx: Ctx, Path(id): Path<String>) -> ApiResult<ConnectionCheck> {
    Ok(axum::Json(
        K::test(&ctx.state.vault, &ctx.state.upstream, &id).await?,
    ))
}

/// What the `PUT` with the same body would change, from the same plan;
/// secrets only as changed or unchanged. Nothing is stored.
async fn preview<K: Kind>(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<K::Input>,
) -> ApiResult<Vec<FieldChange>> {
    Ok(axum::Json(K::preview(&ctx.state.vault, &id, &input).await?))
}

async fn set_default<K: Kind>(ctx: Ctx, Path(id): Path<String>) -> ApiResult<K::View> {
    let view = K::set_default(&ctx.state.vault, &ctx.actor(), &id).await?;
    tracing::info!(kind = K::NAME, %id, "default credential set");
    Ok(axum::Json(view))
}

async fn preferences(ctx: Ctx) -> ApiResult<Preferences> {
    let user = &ctx.session.user.id;
    Ok(axum::Json(ctx.state.vault.preferences(user).await?))
}

async fn set_preferences(ctx: Ctx, Json(picks): Json<Preferences>) -> ApiResult<Preferences> {
    let user = &ctx.session.user.id;
    Ok(axum::Json(
        ctx.state.vault.set_preferences(user, &picks).await?,
    ))
}
