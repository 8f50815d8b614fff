//! The chat configurations' operations: the reads, and each change loaded,
//! planned ([`super::plan::plan_update`] and friends, shared with the preview),
//! sent through the one audited path (`Ctx::audited`) and committed.

use std::sync::Arc;

use futures_util::future::join_all;
use secrecy::SecretString;
use shared::audit::{AuditAction, AuditEntry, EventFilter};
use shared::chat_configs::{
    ChatConfig, ChatConfigCreateDraft, ChatConfigDetail, ChatConfigDraft, ChatConfigList,
    ChatConfigRow, ChatConfigSaved, ConfigRef, DINGTALK_CLIENT_SECRET, ListFilter, ListParams,
    ListQuery, RegionId, RegionListing, RegionOutcome, SecretChange, SecretSource, SettingValue,
};
use shared::validate::Problem;
use shared::vault::ConnectionCheck;

use super::ChatConfigError;
use super::plan::{Plan, delete_changes, plan_create, plan_update, target, target_id};
use super::store::{self, ChatConfigStore, HeldSecrets, Instance};
use crate::audit::{self, Actor, Change, NewEvent};
use crate::context::Ctx;
use crate::crypto::MasterKey;
use crate::db::Db;
use crate::error::ApiError;
use crate::upstream::Upstream;
use crate::upstream::dingtalk::DingTalkApp;
use crate::vault::connection::report;

pub use crate::context::AlibabaAccount as Account;

/// The regions of `ListParams::regions` (comma-separated), or `None`.
fn asked_regions(params: &ListParams) -> Result<Option<Vec<RegionId>>, ChatConfigError> {
    let Some(text) = params.regions.as_deref().filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    text.split(',')
        .map(|r| RegionId::parse(r).map_err(|e| ChatConfigError::invalid("regions", e.message)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Lists every (account, region) pair asked, all at once: each region
/// answers (or fails) on its own, so one failing region does not hide the
/// others. Rows carry their labels; the label filter applies here, name
/// and type go upstream as `Filters`. Newest update first.
pub async fn list(
    db: &Db,
    upstream: &Upstream,
    accounts: &[Account],
    params: &ListParams,
) -> Result<ChatConfigList, ChatConfigError> {
    let asked = asked_regions(params)?;
    let mut filters = Vec::new();
    if let Some(name) = params.name.as_deref().filter(|n| !n.trim().is_empty()) {
        filters.push(ListFilter {
            name: "Name".into(),
            value: name.trim().to_owned(),
        });
    }
    if let Some(platform) = params.platform {
        filters.push(ListFilter {
            name: "Type".into(),
            value: platform.as_str().into(),
        });
    }
    let query = ListQuery {
        filters,
        max_results: Some(100),
        next_token: None,
    };
    let label = params
        .label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let calls = accounts.iter().flat_map(|account| {
        let regions = asked.clone().unwrap_or_else(|| account.regions.clone());
        let query = &query;
        regions.into_iter().map(move |region| async move {
            let outcome = match list_region(db, upstream, account, &region, query, label).await {
                Ok(configs) => RegionOutcome::Loaded { configs },
                Err(err) => RegionOutcome::Failed {
                    error: ApiError::from(err).body(),
                },
            };
            RegionListing {
                account_id: account.id.clone(),
                account_name: account.name.clone(),
                region_id: region,
                outcome,
            }
        })
    });
    Ok(ChatConfigList {
        regions: join_all(calls).await,
    })
}

async fn list_region(
    db: &Db,
    upstream: &Upstream,
    account: &Account,
    region: &RegionId,
    query: &ListQuery,
    label: Option<&str>,
) -> Result<Vec<ChatConfigRow>, ChatConfigError> {
    let summaries = upstream.oos.list(&account.acs, region, query).await?;
    let mut labels = store::region_labels(db, &account.id, region).await?;
    let mut rows: Vec<ChatConfigRow> = summaries
        .into_iter()
        .map(|summary| ChatConfigRow {
            account_id: account.id.clone(),
            labels: labels.remove(summary.name.as_str()).unwrap_or_default(),
            summary,
        })
        .filter(|row| label.is_none_or(|l| row.labels.iter().any(|x| x.as_str() == l)))
        .collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.summary.updated));
    Ok(rows)
}

/// A configuration now: what Get returns, its labels and held secrets.
pub struct Current {
    pub config: ChatConfig,
    pub labels: Vec<shared::chat_configs::Label>,
    pub held: HeldSecrets,
}

/// Get, labels and held secrets at once: the database reads overlap the
/// upstream call instead of adding to it.
pub async fn current(
    db: &Db,
    upstream: &Upstream,
    key: &MasterKey,
    account: &Account,
    config: &ConfigRef,
) -> Result<Current, ChatConfigError> {
    let (got, labels, held) = tokio::join!(
        upstream
            .oos
            .get(&account.acs, &config.region_id, &config.name),
        store::labels(db, config),
        store::held_secrets(db, key, config),
    );
    let config = got?;
    Ok(Current {
        held: held?.for_instance(&Instance::of(&config.summary)),
        config,
        labels: labels?,
    })
}

/// Whether chatdesk holds every secret the configuration has, each given
/// to this instance of it.
pub fn secret_source(config: &ChatConfig, held: &[(String, Instance)]) -> SecretSource {
    let now = Instance::of(&config.summary);
    let secrets: Vec<&str> = config
        .settings
        .iter()
        .filter(|s| matches!(s.value, SettingValue::Secret { set: true }))
        .map(|s| s.key.as_str())
        .collect();
    if secrets.is_empty() {
        SecretSource::None
    } else if secrets
        .iter()
        .all(|k| held.iter().any(|(h, at)| h == k && at.holds_for(&now)))
    {
        SecretSource::Held
    } else {
        SecretSource::Outside
    }
}

/// One configuration as the detail view shows it: Get, with the labels and
/// which secrets chatdesk holds (usually cached) read while the upstream
/// answers.
pub async fn detail(
    store: &ChatConfigStore,
    upstream: &Upstream,
    account: &Account,
    config: &ConfigRef,
) -> Result<ChatConfigDetail, ChatConfigError> {
    let (got, kept) = tokio::join!(
        upstream
            .oos
            .get(&account.acs, &config.region_id, &config.name),
        store.kept(config),
    );
    let (got, kept) = (got?, kept?);
    Ok(ChatConfigDetail {
        account_id: account.id.clone(),
        account_name: account.name.clone(),
        secrets: secret_source(&got, &kept.held_keys),
        config: got,
        labels: kept.labels,
    })
}

/// How many change events the history shows.
const HISTORY: u32 = 50;

/// The configuration's change events from the audit trail, newest first.
pub async fn history(db: &Db, config: &ConfigRef) -> Result<Vec<AuditEntry>, ChatConfigError> {
    let filter = EventFilter {
        target: Some(target_id(config)),
        limit: Some(HISTORY),
        ..EventFilter::default()
    };
    Ok(audit::query(db, &filter)
        .await
        .map_err(|e| ChatConfigError::Internal(e.into()))?
        .events)
}

/// After the upstream accepted `plan` (or when it had nothing to send):
/// labels and secrets, and for a labels-only change its audit event, in one
/// transaction.
pub async fn commit(
    store: &ChatConfigStore,
    key: &MasterKey,
    plan: &Plan,
    labels_only: Option<&Actor>,
) -> Result<(), ChatConfigError> {
    let mut tx = store.begin().await?;
    store::set_labels(&mut tx, &plan.config, &plan.labels).await?;
    if let Some(secrets) = &plan.secrets {
        store::set_secrets(&mut tx, key, &plan.config, secrets, &plan.instance).await?;
    }
    if let Some(actor) = labels_only.filter(|_| plan.changes_anything()) {
        let event = NewEvent::success(
            actor.clone(),
            AuditAction::ChatConfigUpdate,
            target(&plan.config),
        )
        .with_changes(plan.changes.clone());
        audit::append(&mut tx, &event)
            .await
            .map_err(|e| ChatConfigError::Internal(e.into()))?;
    }
    tx.commit().await.map_err(anyhow::Error::from)?;
    store.forget_kept(&plan.config);
    Ok(())
}

/// After the upstream deleted `config`: forget its labels and secrets.
pub async fn forget(store: &ChatConfigStore, config: &ConfigRef) -> Result<(), ChatConfigError> {
    let mut tx = store.begin().await?;
    store::forget(&mut tx, config).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    store.forget_kept(config);
    Ok(())
}

/// "Check the app": a DingTalk access token for the client id and secret,
/// so a typo is caught before OOS stores it.
pub async fn check_app(
    upstream: &Upstream,
    client_id: &str,
    client_secret: SecretString,
) -> ConnectionCheck {
    let app = DingTalkApp {
        app_key: client_id.to_owned(),
        app_secret: client_secret,
        site: shared::vault::DingTalkSite::Mainland,
    };
    report(
        upstream
            .dingtalk
            .check_app(&app)
            .await
            .map(|()| "DingTalk issued an access token for this client id and secret".to_owned()),
    )
}

/// The accounts a list covers: the one asked, or every stored one.
pub async fn accounts(ctx: &Ctx, account_id: Option<&str>) -> Result<Vec<Account>, ApiError> {
    let ids: Vec<String> = match account_id {
        Some(id) => vec![id.to_owned()],
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
        accounts.push(ctx.alibaba(id).await?);
    }
    Ok(accounts)
}

/// Runs the upstream half of `plan` through the audited path, then the
/// local half; a refusal upstream leaves labels and secrets untouched.
async fn apply(
    ctx: &Ctx,
    account: &Account,
    mut plan: Plan,
    action: AuditAction,
) -> Result<Option<ChatConfigSaved>, ApiError> {
    let s = &ctx.state;
    let saved = match plan.write.clone() {
        None => {
            commit(
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
            let acs = account.acs.clone();
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
    commit(&s.chat_configs, s.vault.master_key(), &plan, None).await?;
    Ok(Some(saved))
}

/// Creates a configuration: planned, sent through the audited path, then
/// its labels and secrets kept.
pub async fn create(ctx: &Ctx, draft: &ChatConfigCreateDraft) -> Result<ChatConfigSaved, ApiError> {
    let new = draft.parse().map_err(ChatConfigError::from)?;
    let account = ctx.alibaba(&new.account_id).await?;
    let plan = plan_create(&new)?;
    apply(ctx, &account, plan, AuditAction::ChatConfigCreate)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a create always calls OOS")))
}

/// An edit of `config`, checked and planned against what OOS holds now:
/// what it sends, keeps and records. Nothing is sent.
pub async fn plan_edit(
    ctx: &Ctx,
    config: ConfigRef,
    draft: &ChatConfigDraft,
) -> Result<(Account, Plan), ApiError> {
    let fields = draft.parse().map_err(ChatConfigError::from)?;
    let account = ctx.alibaba(&config.account_id).await?;
    let s = &ctx.state;
    let now = current(&s.db, &s.upstream, s.vault.master_key(), &account, &config).await?;
    let plan = plan_update(&config, &now.config, &now.labels, &now.held, &fields)?;
    Ok((account, plan))
}

/// Applies an edit and answers the configuration as it now is, through
/// the account the edit loaded.
pub async fn update(
    ctx: &Ctx,
    config: ConfigRef,
    draft: &ChatConfigDraft,
) -> Result<ChatConfigDetail, ApiError> {
    let (account, plan) = plan_edit(ctx, config, draft).await?;
    let config = plan.config.clone();
    apply(ctx, &account, plan, AuditAction::ChatConfigUpdate).await?;
    let s = &ctx.state;
    Ok(detail(&s.chat_configs, &s.upstream, &account, &config).await?)
}

/// Deletes `config` upstream through the audited path (recording what it
/// was), then forgets its labels and secrets.
pub async fn delete(ctx: &Ctx, config: ConfigRef) -> Result<(), ApiError> {
    let account = ctx.alibaba(&config.account_id).await?;
    let s = &ctx.state;
    let now = current(&s.db, &s.upstream, s.vault.master_key(), &account, &config).await?;
    let change = Change::new(AuditAction::ChatConfigDelete, target(&config))
        .with_changes(delete_changes(&now.config, &now.labels, &now.held));
    let upstream = s.upstream.clone();
    let (acs, region, name) = (account.acs, config.region_id.clone(), config.name.clone());
    ctx.audited(change, async move {
        upstream.oos.delete(&acs, &region, &name).await
    })
    .await?;
    Ok(forget(&s.chat_configs, &config).await?)
}

/// The secret "check the app" uses: the typed one, or the one chatdesk
/// holds for the existing configuration named.
pub async fn app_secret(
    ctx: &Ctx,
    typed: SecretChange,
    existing: Option<&ConfigRef>,
) -> Result<SecretString, ApiError> {
    let s = &ctx.state;
    match (typed, existing) {
        (SecretChange::Set(secret), _) => Ok(SecretString::from(secret.into_exposed())),
        (SecretChange::Keep, Some(existing)) => {
            let account = ctx.alibaba(&existing.account_id).await?;
            current(&s.db, &s.upstream, s.vault.master_key(), &account, existing)
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
                })
        }
        (SecretChange::Keep, None) => Err(ApiError::invalid_because(
            "client_secret",
            Problem::Required,
            "type the client secret to check the app",
        )),
    }
}
