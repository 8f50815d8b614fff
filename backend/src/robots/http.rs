//! `/api/v1/robots`: thin handlers over [`super`]'s functions. Every change
//! goes through `ctx.audited` (one event per robot, bulk actions included);
//! permissions are in the route table.

use axum::Json;
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::api::ErrorBody;
use shared::audit::{AuditAction, FieldChange, TargetKind};
use shared::auth::Action;
use shared::robots::{
    AccountResult, AccountRobots, AssetGroups, BulkOutcome, Robot, RobotForm, RobotId, RobotIds,
    RobotInput, RobotLang, RobotPage, RobotSaved, ScopeChoices, StatusChange, TestSent,
};

use std::future::Future;
use std::sync::Arc;

use super::{PageRequest, Target, store};
use crate::audit::{self, Change};
use crate::context::{AlibabaAccount, Ctx};
use crate::error::ApiError;
use crate::extract::{Json as Body, Path, Query};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};
use crate::upstream::acs::AcsCredentials;
use crate::upstream::error::{ErrorKind, UpstreamError};
use crate::upstream::sas::{RobotWrite, StoredRobot};
use crate::upstream::{Receipt, Upstream};

pub fn routes() -> Vec<ApiRoute> {
    use Access::Allowed;
    use Action::{RobotsRead, RobotsWrite};
    vec![
        route(Method::GET, "/robots", Allowed(RobotsRead), list_all),
        route(
            Method::GET,
            "/robots/{account}",
            Allowed(RobotsRead),
            list_one,
        ),
        route(
            Method::POST,
            "/robots/{account}",
            Allowed(RobotsWrite),
            create,
        ),
        route(
            Method::GET,
            "/robots/{account}/choices",
            Allowed(RobotsRead),
            choices,
        ),
        route(
            Method::GET,
            "/robots/{account}/groups",
            Allowed(RobotsRead),
            groups,
        ),
        route(
            Method::POST,
            "/robots/{account}/status",
            Allowed(RobotsWrite),
            set_status,
        ),
        route(
            Method::POST,
            "/robots/{account}/delete",
            Allowed(RobotsWrite),
            delete,
        ),
        route(
            Method::PUT,
            "/robots/{account}/{id}",
            Allowed(RobotsWrite),
            update,
        ),
        route(
            Method::POST,
            "/robots/{account}/{id}/preview",
            Allowed(RobotsWrite),
            preview,
        ),
        route(
            Method::POST,
            "/robots/{account}/{id}/test",
            Allowed(RobotsWrite),
            test_message,
        ),
    ]
}

/// Query parameters arrive as text, so that a bad one gets an error that
/// names it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    page: Option<String>,
    page_size: Option<String>,
    name: Option<String>,
}

fn number(value: Option<&str>, field: &'static str) -> Result<Option<u32>, ApiError> {
    value
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| ApiError::invalid(field, "must be a whole number"))
        })
        .transpose()
}

impl ListParams {
    fn page(&self) -> Result<PageRequest, ApiError> {
        let page = number(self.page.as_deref(), "page")?;
        let size = number(self.page_size.as_deref(), "page_size")?;
        Ok(PageRequest::parse(page, size)?)
    }

    fn name(&self) -> Option<&str> {
        self.name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LangParam {
    lang: Option<String>,
}

impl LangParam {
    fn lang(&self) -> Result<RobotLang, ApiError> {
        match self.lang.as_deref() {
            None => Ok(RobotLang::Zh),
            Some(l) => RobotLang::parse(l).ok_or_else(|| ApiError::invalid("lang", "zh or en")),
        }
    }
}

type Call = std::pin::Pin<Box<dyn Future<Output = Result<Receipt<()>, UpstreamError>> + Send>>;

/// The upstream writes, owning what they need: an audited call may outlive
/// the request that started it.
#[derive(Clone)]
struct Writes {
    upstream: Arc<Upstream>,
    acs: AcsCredentials,
    region: shared::chat_configs::RegionId,
}

impl Writes {
    fn save(&self, write: RobotWrite) -> Call {
        let w = self.clone();
        Box::pin(async move { w.upstream.sas.save(&w.acs, &w.region, &write).await })
    }

    fn set_enabled(&self, id: RobotId, enabled: bool) -> Call {
        let w = self.clone();
        Box::pin(async move {
            w.upstream
                .sas
                .set_enabled(&w.acs, &w.region, &[id], enabled)
                .await
        })
    }

    fn delete(&self, id: RobotId) -> Call {
        let w = self.clone();
        Box::pin(async move { w.upstream.sas.delete(&w.acs, &w.region, &[id]).await })
    }

    fn test_message(&self, id: RobotId) -> Call {
        let w = self.clone();
        Box::pin(async move { w.upstream.sas.test_message(&w.acs, &w.region, id).await })
    }
}

/// An account's robots: its credentials and the region whose host serves
/// its Security Center.
struct Account {
    account: AlibabaAccount,
    region: shared::chat_configs::RegionId,
}

impl Account {
    async fn load(ctx: &Ctx, id: &str) -> Result<Account, ApiError> {
        let account = ctx.alibaba(id).await?;
        let region = super::sas_region(&account.regions);
        Ok(Account { account, region })
    }

    fn target<'a>(&'a self, ctx: &'a Ctx) -> Target<'a> {
        Target {
            sas: &ctx.state.upstream.sas,
            credentials: &self.account.acs,
            region: &self.region,
        }
    }

    fn id(&self) -> &str {
        &self.account.id
    }

    fn writes(&self, ctx: &Ctx) -> Writes {
        Writes {
            upstream: ctx.state.upstream.clone(),
            acs: self.account.acs.clone(),
            region: self.region.clone(),
        }
    }

    /// The audit target of one robot: `account/id`, named when known.
    fn audit_target(&self, id: RobotId, name: Option<&str>) -> audit::Target {
        audit::Target {
            kind: TargetKind::Robot,
            id: Some(format!("{}/{id}", self.account.id)),
            label: name.map(str::to_owned),
        }
    }

    /// One page, with the recorded interval units.
    async fn page(&self, ctx: &Ctx, params: &ListParams) -> Result<RobotPage, ApiError> {
        let answer = super::list(self.target(ctx), params.page()?, params.name()).await?;
        let units = store::interval_units(&ctx.state.db, self.id()).await?;
        Ok(RobotPage {
            page: answer.page,
            robots: super::with_units(answer.robots.into_iter().map(|r| r.robot), &units),
        })
    }

    /// The robot `id` with its recorded unit, or 404.
    async fn robot(&self, ctx: &Ctx, id: RobotId) -> Result<StoredRobot, ApiError> {
        let mut found = super::find_by_id(self.target(ctx), id)
            .await?
            .ok_or(ApiError::NotFound("robot"))?;
        let units = store::interval_units(&ctx.state.db, self.id()).await?;
        found.robot.interval_unit = units.get(&id).copied();
        Ok(found)
    }

    async fn shown(&self, ctx: &Ctx, found: StoredRobot) -> Result<Robot, ApiError> {
        let units = store::interval_units(&ctx.state.db, self.id()).await?;
        Ok(super::with_units([found.robot], &units).remove(0))
    }
}

/// With no parameters: the first page of every configured account. One
/// account's failure is reported in its place and hides no other.
async fn list_all(
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<AccountRobots>>, ApiError> {
    params.page()?;
    let accounts = ctx
        .state
        .vault
        .list_alibaba()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut out = Vec::with_capacity(accounts.len());
    for shown in accounts {
        let result = match Account::load(&ctx, &shown.id).await {
            Ok(account) => account.page(&ctx, &params).await,
            Err(e) => Err(e),
        };
        out.push(AccountRobots {
            account_id: shown.id,
            account_name: shown.name,
            result: match result {
                Ok(page) => AccountResult::Page(page),
                Err(e) => AccountResult::Error(e.body()),
            },
        });
    }
    Ok(Json(out))
}

async fn list_one(
    ctx: Ctx,
    Path(account): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<RobotPage>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    Ok(Json(account.page(&ctx, &params).await?))
}

async fn choices(
    ctx: Ctx,
    Path(account): Path<String>,
    Query(p): Query<LangParam>,
) -> Result<Json<ScopeChoices>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let t = account.target(&ctx);
    let lang = p.lang()?;
    Ok(Json(
        t.sas.scope_choices(t.credentials, t.region, lang).await?,
    ))
}

async fn groups(
    ctx: Ctx,
    Path(account): Path<String>,
    Query(p): Query<LangParam>,
) -> Result<Json<AssetGroups>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let t = account.target(&ctx);
    let lang = p.lang()?;
    let groups = t.sas.asset_groups(t.credentials, t.region, lang).await?;
    Ok(Json(AssetGroups { groups }))
}

async fn create(
    ctx: Ctx,
    key: IdempotencyKey,
    Path(account): Path<String>,
    Body(form): Body<RobotForm>,
) -> Result<(StatusCode, Json<RobotSaved>), ApiError> {
    let scope = "robots.create";
    let saved = idempotency::once(&ctx, key, scope, form, |form| {
        let ctx = ctx.clone();
        async move { create_once(ctx, account, form).await }
    })
    .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn create_once(ctx: Ctx, account: String, form: RobotForm) -> Result<RobotSaved, ApiError> {
    let input = RobotInput::parse(form)?;
    let account = Account::load(&ctx, &account).await?;
    let write = super::write_for(&input, None)?;
    let unit = input.interval.unit();
    let changes = audit::diff(
        &Value::Null,
        &super::write_view(&write, unit),
        super::SECRET_FIELDS,
    );
    let change = Change::new(
        AuditAction::RobotCreate,
        audit::Target {
            kind: TargetKind::Robot,
            id: None,
            label: Some(write.name.as_str().to_owned()),
        },
    )
    .with_changes(changes);
    let name = write.name.clone();
    ctx.audited(change, account.writes(&ctx).save(write))
        .await?;
    // Create answers only a RequestId: the new robot is found by name.
    let found = super::find_by_name(account.target(&ctx), &name)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the created robot is not listed")))?;
    store::set_interval_unit(&ctx.state.db, account.id(), found.robot.id, unit).await?;
    let robot = account.shown(&ctx, found).await?;
    Ok(RobotSaved { robot })
}

/// The diff an edit makes, as the audit trail will record it.
fn edit_changes(existing: &StoredRobot, input: &RobotInput) -> Result<Vec<FieldChange>, ApiError> {
    let write = super::write_for(input, Some(existing))?;
    Ok(audit::diff(
        &super::stored_view(existing),
        &super::write_view(&write, input.interval.unit()),
        super::SECRET_FIELDS,
    ))
}

async fn preview(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
    Body(form): Body<RobotForm>,
) -> Result<Json<Vec<FieldChange>>, ApiError> {
    let input = RobotInput::parse(form)?;
    let account = Account::load(&ctx, &account).await?;
    let existing = account.robot(&ctx, RobotId(id)).await?;
    Ok(Json(edit_changes(&existing, &input)?))
}

async fn update(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
    Body(form): Body<RobotForm>,
) -> Result<Json<RobotSaved>, ApiError> {
    let input = RobotInput::parse(form)?;
    let account = Account::load(&ctx, &account).await?;
    let existing = account.robot(&ctx, RobotId(id)).await?;
    let changes = edit_changes(&existing, &input)?;
    let write = super::write_for(&input, Some(&existing))?;
    let change = Change::new(
        AuditAction::RobotUpdate,
        account.audit_target(RobotId(id), Some(&existing.robot.name)),
    )
    .with_changes(changes);
    ctx.audited(change, account.writes(&ctx).save(write))
        .await?;
    let unit = input.interval.unit();
    store::set_interval_unit(&ctx.state.db, account.id(), RobotId(id), unit).await?;
    let robot = match super::find_by_id(account.target(&ctx), RobotId(id)).await? {
        Some(found) => account.shown(&ctx, found).await?,
        None => return Err(ApiError::NotFound("robot")),
    };
    Ok(Json(RobotSaved { robot }))
}

/// Status changes are Enterprise-only; the service refuses other editions
/// with NoPermission, which the user reads in words.
fn status_error(e: ApiError) -> ErrorBody {
    match &e {
        ApiError::Upstream(up) if matches!(up.kind, ErrorKind::PermissionDenied { .. }) => {
            ErrorBody {
                code: "edition_required".into(),
                message: format!(
                    "Enabling or disabling robots needs the Security Center Enterprise edition \
                     (or the RAM permission yundun-sas:ModifyDingTalkStatus); Security Center \
                     answered {}: {}",
                    up.code, up.message
                ),
                field: None,
                problem: None,
                request_id: up.request_id.clone(),
                trace_id: None,
            }
        }
        _ => e.body(),
    }
}

async fn set_status(
    ctx: Ctx,
    Path(account): Path<String>,
    Body(change): Body<StatusChange>,
) -> Result<Json<BulkOutcome>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let ids = super::bulk_ids(&change.ids)?;
    let writes = account.writes(&ctx);
    let after = json!({ "enabled": change.enabled });
    let results = super::each(&ids, |id| {
        let audit_change = Change::new(AuditAction::RobotUpdate, account.audit_target(id, None))
            .with_changes(audit::diff(&Value::Null, &after, &[]));
        let call = writes.set_enabled(id, change.enabled);
        let ctx = &ctx;
        async move { ctx.audited(audit_change, call).await.map_err(status_error) }
    })
    .await;
    Ok(Json(BulkOutcome { results }))
}

async fn delete(
    ctx: Ctx,
    Path(account): Path<String>,
    Body(robots): Body<RobotIds>,
) -> Result<Json<BulkOutcome>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let ids = super::bulk_ids(&robots.ids)?;
    let writes = account.writes(&ctx);
    let results = super::each(&ids, |id| {
        let audit_change = Change::new(AuditAction::RobotDelete, account.audit_target(id, None));
        let call = writes.delete(id);
        let (ctx, account) = (&ctx, &account);
        async move {
            ctx.audited(audit_change, call)
                .await
                .map_err(|e| e.body())?;
            // Losing the unit of a robot that is gone is harmless.
            if let Err(e) = store::forget(&ctx.state.db, account.id(), id).await {
                tracing::warn!(error = %e, "cannot forget a deleted robot's interval unit");
            }
            Ok::<(), ErrorBody>(())
        }
    })
    .await;
    Ok(Json(BulkOutcome { results }))
}

/// Sends a test message; the service does not report delivery, so the
/// answer says "sent", never "delivered".
async fn test_message(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<TestSent>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let change = Change::new(
        AuditAction::RobotTestMessage,
        account.audit_target(RobotId(id), None),
    );
    ctx.audited(change, account.writes(&ctx).test_message(RobotId(id)))
        .await?;
    Ok(Json(TestSent { sent: true }))
}
