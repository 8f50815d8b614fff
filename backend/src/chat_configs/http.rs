//! `/api/v1/chat-configs`: thin handlers over [`super::service`].

use axum::http::{Method, StatusCode};
use shared::audit::{AuditEntry, FieldChange};
use shared::auth::Action;
use shared::chat_configs::{
    ChatConfigCreateDraft, ChatConfigDetail, ChatConfigDraft, ChatConfigList, ChatConfigSaved,
    CheckAppDraft, ConfigName, ConfigRef, DingTalkClientId, ListParams, RegionId, parse_secret,
};
use shared::vault::ConnectionCheck;

use super::service::{self, Account};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};

type ApiResult<T> = Result<axum::Json<T>, ApiError>;

const ONE: &str = "/chat-configs/{account_id}/{region_id}/{name}";

pub fn routes() -> Vec<ApiRoute> {
    let read = Access::Allowed(Action::ChatConfigsRead);
    let write = Access::Allowed(Action::ChatConfigsWrite);
    vec![
        route(Method::GET, "/chat-configs", read, list),
        route(Method::POST, "/chat-configs", write, create),
        route(Method::POST, "/chat-configs/check-app", write, check_app),
        route(Method::GET, ONE, read, detail),
        // Who changed what from where is audit data, not the area's.
        route(
            Method::GET,
            "/chat-configs/{account_id}/{region_id}/{name}/history",
            Access::Allowed(Action::AuditRead),
            history,
        ),
        route(Method::PUT, ONE, write, update),
        route(
            Method::POST,
            "/chat-configs/{account_id}/{region_id}/{name}/preview",
            write,
            preview,
        ),
        route(Method::DELETE, ONE, write, delete),
    ]
}

/// The configuration a path names, its parts parsed.
fn config_ref(
    (account_id, region_id, name): (String, String, String),
) -> Result<ConfigRef, ApiError> {
    Ok(ConfigRef {
        account_id,
        region_id: RegionId::parse(&region_id)?,
        name: ConfigName::parse(&name)?,
    })
}

async fn account(ctx: &Ctx, id: &str) -> Result<Account, ApiError> {
    ctx.alibaba(id).await
}

async fn list(ctx: Ctx, Query(params): Query<ListParams>) -> ApiResult<ChatConfigList> {
    let accounts = service::accounts(&ctx, params.account_id.as_deref()).await?;
    let s = &ctx.state;
    Ok(axum::Json(
        service::list(&s.db, &s.upstream, &accounts, &params).await?,
    ))
}

async fn detail(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<ChatConfigDetail> {
    let config = config_ref(path)?;
    let account = account(&ctx, &config.account_id).await?;
    let s = &ctx.state;
    Ok(axum::Json(
        service::detail(&s.chat_configs, &s.upstream, &account, &config).await?,
    ))
}

async fn history(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Vec<AuditEntry>> {
    let config = config_ref(path)?;
    Ok(axum::Json(service::history(&ctx.state.db, &config).await?))
}

async fn create(
    ctx: Ctx,
    key: IdempotencyKey,
    Json(draft): Json<ChatConfigCreateDraft>,
) -> Result<(StatusCode, axum::Json<ChatConfigSaved>), ApiError> {
    let inner = ctx.clone();
    let create = |draft| async move { service::create(&inner, &draft).await };
    let saved = idempotency::once(&ctx, key, "chat_configs.create", draft, create).await?;
    Ok((StatusCode::CREATED, axum::Json(saved)))
}

/// What an edit would change, field by field (secrets as changed or
/// unchanged), without changing anything.
async fn preview(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
    Json(draft): Json<ChatConfigDraft>,
) -> ApiResult<Vec<FieldChange>> {
    let config = config_ref(path)?;
    let (_, plan) = service::plan_edit(&ctx, config, &draft).await?;
    Ok(axum::Json(plan.changes))
}

async fn update(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
    Json(draft): Json<ChatConfigDraft>,
) -> ApiResult<ChatConfigDetail> {
    let config = config_ref(path)?;
    Ok(axum::Json(service::update(&ctx, config, &draft).await?))
}

async fn delete(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    service::delete(&ctx, config_ref(path)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gets a DingTalk token with the typed client id and secret, or with the
/// secret chatdesk holds for an existing configuration.
async fn check_app(ctx: Ctx, Json(draft): Json<CheckAppDraft>) -> ApiResult<ConnectionCheck> {
    let client_id = DingTalkClientId::parse(&draft.client_id)?;
    let typed = parse_secret("client_secret", draft.client_secret.as_ref())?;
    let secret = service::app_secret(&ctx, typed, draft.existing.as_ref()).await?;
    let s = &ctx.state;
    Ok(axum::Json(
        service::check_app(&s.upstream, client_id.as_str(), secret).await,
    ))
}
