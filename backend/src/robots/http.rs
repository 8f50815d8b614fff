//! `/api/v1/robots`: thin handlers over [`super`]'s functions. Every change
//! goes through `ctx.audited` (one event per robot, bulk actions included);
//! permissions are in the route table.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use axum::Json;
use axum::http::{Method, StatusCode};
use futures_util::future::OptionFuture;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::api::ErrorBody;
use shared::audit::{AuditAction, FieldChange, TargetKind};
use shared::auth::Action;
use shared::outcome::ItemOutcome;
use shared::robots::{
    AccountResult, AccountRobots, AssetGroups, BulkOutcome, Robot, RobotChanges, RobotEdit,
    RobotForm, RobotId, RobotIds, RobotInput, RobotLang, RobotPage, RobotSaved, ScopeChoices,
    ScopeRule, StatusChange, TestSent, check_group_ids,
};

use super::{PageRequest, Target, store};
use crate::audit::{self, Change, CreatedId};
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
            Method::GET,
            "/robots/{account}/{id}",
            Allowed(RobotsRead),
            get_one,
        ),
        route(
            Method::PUT,
            "/robots/{account}/{id}",
            Allowed(RobotsWrite),
            update,
        ),
        route(
            Method::DELETE,
            "/robots/{account}/{id}",
            Allowed(RobotsWrite),
            delete_one,
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

/// An upstream write whose value is its own RequestId, which a bulk
/// answer shows per robot.
type Call =
    std::pin::Pin<Box<dyn Future<Output = Result<Receipt<Option<String>>, UpstreamError>> + Send>>;

fn with_request_id(
    call: impl Future<Output = Result<Receipt<()>, UpstreamError>> + Send + 'static,
) -> Call {
    Box::pin(async move {
        let receipt = call.await?;
        let request_id = receipt.request_id.clone();
        Ok(receipt.map(|()| request_id))
    })
}

/// The upstream writes, owning what they need: an audited call may outlive
/// the request that started it.
#[derive(Clone)]
struct Writes {
    upstream: Arc<Upstream>,
    acs: AcsCredentials,
    region: shared::ids::RegionId,
}

impl Writes {
    fn save(&self, write: RobotWrite) -> Call {
        let w = self.clone();
        with_request_id(async move { w.upstream.sas.save(&w.acs, &w.region, &write).await })
    }

    /// Creates the robot, then finds it by name (Create answers only a
    /// RequestId) and names it in `created` as `account/id` for the
    /// outcome's target. A robot created but not found is still created.
    fn create(
        &self,
        write: RobotWrite,
        account_id: String,
        created: CreatedId,
    ) -> impl Future<Output = Result<Receipt<Option<StoredRobot>>, UpstreamError>> + Send + 'static
    {
        let w = self.clone();
        async move {
            let receipt = w.upstream.sas.save(&w.acs, &w.region, &write).await?;
            let t = Target {
                sas: &w.upstream.sas,
                credentials: &w.acs,
                region: &w.region,
            };
            let found = match super::find_by_name(t, &write.name).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(code = %e.code, "created a robot, but cannot list it");
                    None
                }
            };
            if let Some(robot) = &found {
                created.set(format!("{account_id}/{}", robot.robot.id));
            }
            Ok(receipt.map(|()| found))
        }
    }

    fn set_enabled(&self, id: RobotId, enabled: bool) -> Call {
        let w = self.clone();
        with_request_id(async move {
            w.upstream
                .sas
                .set_enabled(&w.acs, &w.region, &[id], enabled)
                .await
        })
    }

    fn delete(&self, id: RobotId) -> Call {
        let w = self.clone();
        with_request_id(async move { w.upstream.sas.delete(&w.acs, &w.region, &[id]).await })
    }

    fn test_message(&self, id: RobotId) -> Call {
        let w = self.clone();
        with_request_id(async move { w.upstream.sas.test_message(&w.acs, &w.region, id).await })
    }
}

/// An account's robots: its credentials and the region whose host serves
/// its Security Center.
struct Account {
    account: AlibabaAccount,
    region: shared::ids::RegionId,
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

/// Scopes as given are checked against what Security Center offers
/// (DescribeDataSource, DescribeGroupStruct) before any change is sent:
/// a choice it cannot accept is a field error, never a failed save.
async fn check_choices(
    account: &Account,
    ctx: &Ctx,
    rules: Option<&[ScopeRule]>,
    group_ids: Option<&[i64]>,
) -> Result<(), ApiError> {
    let t = account.target(ctx);
    let rules = rules.filter(|r| !r.is_empty());
    let group_ids = group_ids.filter(|g| !g.is_empty());
    // Each list is read only when something is chosen from it.
    let (choices, groups) = tokio::join!(
        OptionFuture::from(rules.map(|_| t.sas.scope_choices(
            t.credentials,
            t.region,
            RobotLang::En
        ))),
        OptionFuture::from(group_ids.map(|_| t.sas.asset_groups(
            t.credentials,
            t.region,
            RobotLang::En
        ))),
    );
    if let (Some(rules), Some(choices)) = (rules, choices) {
        choices?.check(rules)?;
    }
    if let (Some(ids), Some(groups)) = (group_ids, groups) {
        check_group_ids(&groups?, ids)?;
    }
    Ok(())
}

async fn create_once(ctx: Ctx, account: String, form: RobotForm) -> Result<RobotSaved, ApiError> {
    let input = RobotInput::parse(form)?;
    let write = super::create_write(&input)?;
    let account = Account::load(&ctx, &account).await?;
    check_choices(&account, &ctx, Some(&input.rules), Some(&input.group_ids)).await?;
    let unit = input.interval.unit();
    let changes = audit::diff(
        &Value::Null,
        &super::write_view(&write, Some(unit), None),
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
    let created = CreatedId::default();
    let change = change.with_created_id(created.clone());
    let call = account
        .writes(&ctx)
        .create(write, account.id().to_owned(), created);
    let found = ctx
        .audited(change, call)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the created robot is not listed")))?;
    store::set_interval_unit(&ctx.state.db, account.id(), found.robot.id, unit).await?;
    let robot = account.shown(&ctx, found).await?;
    Ok(RobotSaved { robot })
}

/// An edit of robot `id`, checked and planned: what it sends, the unit it
/// records and its audit diff. Nothing is sent.
async fn plan_edit(
    ctx: &Ctx,
    account: &Account,
    id: RobotId,
    edit: RobotEdit,
) -> Result<(StoredRobot, super::Edit, Vec<FieldChange>), ApiError> {
    let changes = RobotChanges::parse(edit)?;
    let existing = account.robot(ctx, id).await?;
    let edit = super::edit_write(&changes, &existing)?;
    check_choices(
        account,
        ctx,
        changes.rules.as_deref(),
        changes.group_ids.as_deref(),
    )
    .await?;
    let unit = edit.unit.or(existing.robot.interval_unit);
    let diff = audit::diff(
        &super::stored_view(&existing),
        &super::write_view(&edit.write, unit, Some(&existing.robot)),
        super::SECRET_FIELDS,
    );
    Ok((existing, edit, diff))
}

async fn preview(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
    Body(edit): Body<RobotEdit>,
) -> Result<Json<Vec<FieldChange>>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let (_, _, diff) = plan_edit(&ctx, &account, RobotId(id), edit).await?;
    Ok(Json(diff))
}

async fn update(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
    Body(edit): Body<RobotEdit>,
) -> Result<Json<RobotSaved>, ApiError> {
    let id = RobotId(id);
    let account = Account::load(&ctx, &account).await?;
    let (existing, edit, diff) = plan_edit(&ctx, &account, id, edit).await?;
    let change = Change::new(
        AuditAction::RobotUpdate,
        account.audit_target(id, Some(&existing.robot.name)),
    )
    .with_changes(diff);
    ctx.audited(change, account.writes(&ctx).save(edit.write))
        .await?;
    if let Some(unit) = edit.unit {
        store::set_interval_unit(&ctx.state.db, account.id(), id, unit).await?;
    }
    let robot = account.robot(&ctx, id).await?;
    Ok(Json(RobotSaved { robot: robot.robot }))
}

/// One robot, with its recorded interval unit.
async fn get_one(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<Robot>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    Ok(Json(account.robot(&ctx, RobotId(id)).await?.robot))
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

/// Runs `action` for each robot on its own, one after another: one failure
/// neither hides the others' results nor undoes what succeeded. `found`
/// holds the robots as they were before (an id missing from it still goes
/// upstream, which says it does not exist, with its RequestId).
async fn each<'a, F, Fut>(
    ids: &[RobotId],
    found: &'a HashMap<RobotId, StoredRobot>,
    mut action: F,
) -> Vec<ItemOutcome>
where
    F: FnMut(RobotId, Option<&'a StoredRobot>) -> Option<Fut>,
    Fut: Future<Output = Result<Option<String>, ErrorBody>>,
{
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let robot = found.get(id);
        let name = robot.map(|r| r.robot.name.clone());
        let outcome = match action(*id, robot) {
            None => ItemOutcome::unchanged(id.to_string(), name),
            Some(call) => match call.await {
                Ok(request_id) => ItemOutcome::done(id.to_string(), name, request_id),
                Err(error) => ItemOutcome::failed(id.to_string(), name, error),
            },
        };
        results.push(outcome);
    }
    results
}

async fn set_status(
    ctx: Ctx,
    Path(account): Path<String>,
    Body(change): Body<StatusChange>,
) -> Result<Json<BulkOutcome>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let ids = super::bulk_ids(&change.ids)?;
    let found = super::find_many(account.target(&ctx), &ids).await?;
    let writes = account.writes(&ctx);
    let after = json!({ "enabled": change.enabled });
    let results =
        each(&ids, &found, |id, robot| {
            // Already so: nothing is sent, nothing is recorded.
            if robot.is_some_and(|r| r.robot.enabled == change.enabled) {
                return None;
            }
            let before = robot.map_or(Value::Null, |r| json!({ "enabled": r.robot.enabled }));
            let target = account.audit_target(id, robot.map(|r| r.robot.name.as_str()));
            let audit_change = Change::new(AuditAction::RobotUpdate, target)
                .with_changes(audit::diff(&before, &after, &[]));
            let call = writes.set_enabled(id, change.enabled);
            let ctx = &ctx;
            Some(async move { ctx.audited(audit_change, call).await.map_err(status_error) })
        })
        .await;
    Ok(Json(BulkOutcome { results }))
}

/// Deletes one robot through the audited path, recording what it was.
async fn delete_robot(
    ctx: &Ctx,
    account: &Account,
    id: RobotId,
    robot: Option<&StoredRobot>,
) -> Result<Option<String>, ApiError> {
    let before = robot.map_or(Value::Null, super::stored_view);
    let target = account.audit_target(id, robot.map(|r| r.robot.name.as_str()));
    let audit_change = Change::new(AuditAction::RobotDelete, target).with_changes(audit::diff(
        &before,
        &Value::Null,
        super::SECRET_FIELDS,
    ));
    let request_id = ctx
        .audited(audit_change, account.writes(ctx).delete(id))
        .await?;
    // Losing the unit of a robot that is gone is harmless.
    if let Err(e) = store::forget(&ctx.state.db, account.id(), id).await {
        tracing::warn!(error = %e, "cannot forget a deleted robot's interval unit");
    }
    Ok(request_id)
}

async fn delete(
    ctx: Ctx,
    Path(account): Path<String>,
    Body(robots): Body<RobotIds>,
) -> Result<Json<BulkOutcome>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let ids = super::bulk_ids(&robots.ids)?;
    let found = super::find_many(account.target(&ctx), &ids).await?;
    let results = each(&ids, &found, |id, robot| {
        let (ctx, account) = (&ctx, &account);
        Some(async move {
            delete_robot(ctx, account, id, robot)
                .await
                .map_err(|e| e.body())
        })
    })
    .await;
    Ok(Json(BulkOutcome { results }))
}

/// Deletes one robot: 404 (nothing sent) when it does not exist.
async fn delete_one(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let robot = account.robot(&ctx, RobotId(id)).await?;
    delete_robot(&ctx, &account, RobotId(id), Some(&robot)).await?;
    Ok(StatusCode::NO_CONTENT)
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
