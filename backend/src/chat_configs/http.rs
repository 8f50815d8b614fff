//! `/api/v1/chat-configs`: thin handlers over [`super::service`] and the
//! plans; every upstream change goes through [`Ctx::audited`].

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use secrecy::SecretString;
use shared::audit::{AuditAction, AuditEntry, FieldChange};
use shared::auth::Action;
use shared::chat_configs::{
    ChatConfigCreateDraft, ChatConfigDetail, ChatConfigDraft, ChatConfigList, ChatConfigSaved,
    CheckAppDraft, ConfigName, ConfigRef, DINGTALK_CLIENT_SECRET, DingTalkClientId, ListParams,
    RegionId, SecretChange, parse_secret,
};
use shared::validate::Problem;
use shared::vault::ConnectionCheck;

use super::service::{self, Account};
use super::store::Instance;
use super::{ChatConfigError, Plan, delete_changes, plan_create, plan_update, target};
use crate::audit::Change;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};
use crate::upstream::Upstream;

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
    let ids: Vec<String> = match &params.account_id {
        Some(id) => vec![id.clone()],
        None => ctx
            .state
            .vault
            .list_alibaba()
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect(),
    };
    let mut accounts = Vec::with_capacity(ids.len());
    for id in &ids {
        accounts.push(account(&ctx, id).await?);
    }
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

/// Runs the upstream half of `plan` through the audited path, then the
/// local half; a refusal upstream leaves labels and secrets untouched.
async fn apply(
    ctx: &Ctx,
    account: Account,
    mut plan: Plan,
    action: AuditAction,
) -> Result<Option<ChatConfigSaved>, ApiError> {
    let s = &ctx.state;
    let saved = match plan.write.clone() {
        None => {
            service::commit(
                &s.chat_configs,
                s.vault.master_key(),
                &plan,
                Some(&ctx.actor()),
            )
            .await?;
            return Ok(None);
        }
        Some(write) => {
            let upstream: Arc<Upstream> = s.upstream.clone();
            let acs = account.acs;
            let change =
                Change::new(action, target(&plan.config)).with_changes(plan.changes.clone());
            ctx.audited(change, async move {
                if action == AuditAction::ChatConfigCreate {
                    upstream.oos.create(&acs, &write).await
                } else {
                    upstream.oos.update(&acs, &write).await
                }
            })
            .await?
        }
    };
    if action == AuditAction::ChatConfigCreate {
        plan.instance = Instance::created(&saved);
    }
    service::commit(&s.chat_configs, s.vault.master_key(), &plan, None).await?;
    Ok(Some(saved))
}

async fn create(
    ctx: Ctx,
    key: IdempotencyKey,
    Json(draft): Json<ChatConfigCreateDraft>,
) -> Result<(StatusCode, axum::Json<ChatConfigSaved>), ApiError> {
    let new = draft.parse().map_err(ChatConfigError::from)?;
    let account = account(&ctx, &new.account_id).await?;
    let plan = plan_create(&new)?;
    let inner = ctx.clone();
    let saved = idempotency::once(
        &ctx,
        key,
        "chat_configs.create",
        draft,
        move |_| async move {
            apply(&inner, account, plan, AuditAction::ChatConfigCreate)
                .await?
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a create always calls OOS")))
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(saved)))
}

/// What an edit would change, field by field (secrets as changed or
/// unchanged), without changing anything.
async fn preview(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
    Json(draft): Json<ChatConfigDraft>,
) -> ApiResult<Vec<FieldChange>> {
    let (_, plan) = plan_edit(&ctx, path, &draft).await?;
    Ok(axum::Json(plan.changes))
}

async fn plan_edit(
    ctx: &Ctx,
    path: (String, String, String),
    draft: &ChatConfigDraft,
) -> Result<(Account, Plan), ApiError> {
    let config = config_ref(path)?;
    let fields = draft.parse().map_err(ChatConfigError::from)?;
    let account = account(ctx, &config.account_id).await?;
    let s = &ctx.state;
    let now = service::current(&s.db, &s.upstream, s.vault.master_key(), &account, &config).await?;
    let plan = plan_update(&config, &now.config, &now.labels, &now.held, &fields)?;
    Ok((account, plan))
}

async fn update(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
    Json(draft): Json<ChatConfigDraft>,
) -> ApiResult<ChatConfigDetail> {
    let (account, plan) = plan_edit(&ctx, path, &draft).await?;
    let config = plan.config.clone();
    apply(&ctx, account, plan, AuditAction::ChatConfigUpdate).await?;
    let account = self::account(&ctx, &config.account_id).await?;
    let s = &ctx.state;
    Ok(axum::Json(
        service::detail(&s.chat_configs, &s.upstream, &account, &config).await?,
    ))
}

async fn delete(
    ctx: Ctx,
    Path(path): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let config = config_ref(path)?;
    let account = account(&ctx, &config.account_id).await?;
    let s = &ctx.state;
    let now = service::current(&s.db, &s.upstream, s.vault.master_key(), &account, &config).await?;
    let change = Change::new(AuditAction::ChatConfigDelete, target(&config))
        .with_changes(delete_changes(&now.config, &now.labels, &now.held));
    let upstream = s.upstream.clone();
    let (acs, region, name) = (account.acs, config.region_id.clone(), config.name.clone());
    ctx.audited(change, async move {
        upstream.oos.delete(&acs, &region, &name).await
    })
    .await?;
    service::forget(&s.chat_configs, &config).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gets a DingTalk token with the typed client id and secret, or with the
/// secret chatdesk holds for an existing configuration.
async fn check_app(ctx: Ctx, Json(draft): Json<CheckAppDraft>) -> ApiResult<ConnectionCheck> {
    let client_id = DingTalkClientId::parse(&draft.client_id)?;
    let typed = parse_secret("client_secret", draft.client_secret.as_ref())?;
    let s = &ctx.state;
    let secret = match (typed, &draft.existing) {
        (SecretChange::Set(secret), _) => SecretString::from(secret.into_exposed()),
        (SecretChange::Keep, Some(existing)) => {
            let account = account(&ctx, &existing.account_id).await?;
            service::current(&s.db, &s.upstream, s.vault.master_key(), &account, existing)
                .await?
                .held
                .remove(DINGTALK_CLIENT_SECRET)
                .ok_or_else(|| {
                    ApiError::invalid_because(
                        "client_secret",
                        Problem::Required,
                        "chatdesk does not hold this configuration's secret: type it to check \
                         the app",
                    )
                })?
        }
        (SecretChange::Keep, None) => {
            return Err(ApiError::invalid_because(
                "client_secret",
                Problem::Required,
                "type the client secret to check the app",
            ));
        }
    };
    Ok(axum::Json(
        service::check_app(&s.upstream, client_id.as_str(), secret).await,
    ))
}
