//! The robots' operations: load the account and the robot, plan (the pure
//! rules in [`super::plan`]), make the change through the one audited path
//! (`Ctx::audited`, one event per robot, bulk actions included), then
//! record what chatdesk keeps ([`super::store`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use futures_util::future::OptionFuture;
use serde_json::{Value, json};
use shared::api::ErrorBody;
use shared::audit::{AuditAction, FieldChange, TargetKind};
use shared::ids::RegionId;
use shared::outcome::ItemOutcome;
use shared::robots::{
    AccountResult, AccountRobots, BulkOutcome, MAX_PAGE_SIZE, Robot, RobotChanges, RobotEdit,
    RobotForm, RobotId, RobotInput, RobotLang, RobotName, RobotPage, RobotSaved, ScopeRule,
    StatusChange, check_group_ids,
};

use super::plan::{self, PageRequest};
use super::store;
use crate::audit::{self, Change, CreatedId};
use crate::context::{AlibabaAccount, Ctx};
use crate::error::ApiError;
use crate::upstream::acs::AcsCredentials;
use crate::upstream::error::{ErrorKind, UpstreamError};
use crate::upstream::sas::{RobotWrite, SasClient, StoredRobot, StoredRobotPage};
use crate::upstream::{Receipt, Upstream};

/// Where robot calls go: one account's credentials and the region whose
/// Security Center host serves it.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    pub sas: &'a SasClient,
    pub credentials: &'a AcsCredentials,
    pub region: &'a RegionId,
}

/// One page, optionally filtered by (part of) the name.
pub async fn list(
    t: Target<'_>,
    page: PageRequest,
    name: Option<&str>,
) -> Result<StoredRobotPage, UpstreamError> {
    t.sas
        .list(t.credentials, t.region, page.page, page.size, name)
        .await
}

/// Walks every page of a listing (filtered by `name` when given), handing
/// each to `seen`, until it answers that it has what it needs.
async fn scan(
    t: Target<'_>,
    name: Option<&str>,
    mut seen: impl FnMut(&[StoredRobot]) -> bool,
) -> Result<(), UpstreamError> {
    let mut page = 1;
    loop {
        let answer = t
            .sas
            .list(t.credentials, t.region, page, MAX_PAGE_SIZE, name)
            .await?;
        if seen(&answer.robots) {
            return Ok(());
        }
        let read = u64::from(page) * u64::from(MAX_PAGE_SIZE);
        if answer.robots.is_empty() || read >= answer.page.total_count {
            return Ok(());
        }
        page += 1;
    }
}

/// The robot named exactly `name`; with several, the newest (highest Id),
/// which is the one a create just made. The filter upstream may match more
/// than the exact name, hence the check here.
pub async fn find_by_name(
    t: Target<'_>,
    name: &RobotName,
) -> Result<Option<StoredRobot>, UpstreamError> {
    let mut best: Option<StoredRobot> = None;
    scan(t, Some(name.as_str()), |robots| {
        for r in robots.iter().filter(|r| r.robot.name == name.as_str()) {
            if best.as_ref().is_none_or(|b| b.robot.id < r.robot.id) {
                best = Some(r.clone());
            }
        }
        false
    })
    .await?;
    Ok(best)
}

/// The robot with `id` (DescribeDingTalk has no id filter: every page is
/// read until it shows up).
pub async fn find_by_id(t: Target<'_>, id: RobotId) -> Result<Option<StoredRobot>, UpstreamError> {
    Ok(find_many(t, &[id]).await?.remove(&id))
}

/// The robots among `ids` that exist, in one walk over the pages (a bulk
/// action records each one's state before it changes it).
pub async fn find_many(
    t: Target<'_>,
    ids: &[RobotId],
) -> Result<HashMap<RobotId, StoredRobot>, UpstreamError> {
    let mut found = HashMap::new();
    scan(t, None, |robots| {
        for r in robots.iter().filter(|r| ids.contains(&r.robot.id)) {
            found.insert(r.robot.id, r.clone());
        }
        ids.iter().all(|id| found.contains_key(id))
    })
    .await?;
    Ok(found)
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
    region: RegionId,
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
            let found = match find_by_name(t, &write.name).await {
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
pub(super) struct Account {
    account: AlibabaAccount,
    region: RegionId,
}

impl Account {
    pub(super) async fn load(ctx: &Ctx, id: &str) -> Result<Account, ApiError> {
        let account = ctx.alibaba(id).await?;
        let region = plan::sas_region(&account.regions);
        Ok(Account { account, region })
    }

    pub(super) fn target<'a>(&'a self, ctx: &'a Ctx) -> Target<'a> {
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
    pub(super) async fn page(
        &self,
        ctx: &Ctx,
        page: PageRequest,
        name: Option<&str>,
    ) -> Result<RobotPage, ApiError> {
        let answer = list(self.target(ctx), page, name).await?;
        let units = store::interval_units(&ctx.state.db, self.id()).await?;
        Ok(RobotPage {
            page: answer.page,
            robots: plan::with_units(answer.robots.into_iter().map(|r| r.robot), &units),
        })
    }

    /// The robot `id` with its recorded unit, or 404.
    pub(super) async fn robot(&self, ctx: &Ctx, id: RobotId) -> Result<StoredRobot, ApiError> {
        let mut found = find_by_id(self.target(ctx), id)
            .await?
            .ok_or(ApiError::NotFound("robot"))?;
        let units = store::interval_units(&ctx.state.db, self.id()).await?;
        found.robot.interval_unit = units.get(&id).copied();
        Ok(found)
    }

    async fn shown(&self, ctx: &Ctx, found: StoredRobot) -> Result<Robot, ApiError> {
        let units = store::interval_units(&ctx.state.db, self.id()).await?;
        Ok(plan::with_units([found.robot], &units).remove(0))
    }
}

/// With no parameters: the first page of every configured account. One
/// account's failure is reported in its place and hides no other.
pub(super) async fn list_all(
    ctx: &Ctx,
    page: PageRequest,
    name: Option<&str>,
) -> Result<Vec<AccountRobots>, ApiError> {
    let accounts = ctx
        .state
        .vault
        .list_alibaba()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut out = Vec::with_capacity(accounts.len());
    for shown in accounts {
        let result = match Account::load(ctx, &shown.id).await {
            Ok(account) => account.page(ctx, page, name).await,
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
    Ok(out)
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

/// Creates a robot (checked first), then records its interval unit.
pub(super) async fn create(
    ctx: Ctx,
    account: String,
    form: RobotForm,
) -> Result<RobotSaved, ApiError> {
    let input = RobotInput::parse(form)?;
    let write = plan::create_write(&input)?;
    let account = Account::load(&ctx, &account).await?;
    check_choices(&account, &ctx, Some(&input.rules), Some(&input.group_ids)).await?;
    let unit = input.interval.unit();
    let changes = audit::diff(
        &Value::Null,
        &plan::write_view(&write, Some(unit), None),
        plan::SECRET_FIELDS,
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
) -> Result<(StoredRobot, plan::Edit, Vec<FieldChange>), ApiError> {
    let changes = RobotChanges::parse(edit)?;
    let existing = account.robot(ctx, id).await?;
    let edit = plan::edit_write(&changes, &existing)?;
    check_choices(
        account,
        ctx,
        changes.rules.as_deref(),
        changes.group_ids.as_deref(),
    )
    .await?;
    let unit = edit.unit.or(existing.robot.interval_unit);
    let diff = audit::diff(
        &plan::stored_view(&existing),
        &plan::write_view(&edit.write, unit, Some(&existing.robot)),
        plan::SECRET_FIELDS,
    );
    Ok((existing, edit, diff))
}

/// What [`update`] would send and record, sent nowhere.
pub(super) async fn preview(
    ctx: &Ctx,
    account: &str,
    id: RobotId,
    edit: RobotEdit,
) -> Result<Vec<FieldChange>, ApiError> {
    let account = Account::load(ctx, account).await?;
    let (_, _, diff) = plan_edit(ctx, &account, id, edit).await?;
    Ok(diff)
}

pub(super) async fn update(
    ctx: &Ctx,
    account: &str,
    id: RobotId,
    edit: RobotEdit,
) -> Result<RobotSaved, ApiError> {
    let account = Account::load(ctx, account).await?;
    let (existing, edit, diff) = plan_edit(ctx, &account, id, edit).await?;
    let change = Change::new(
        AuditAction::RobotUpdate,
        account.audit_target(id, Some(&existing.robot.name)),
    )
    .with_changes(diff);
    ctx.audited(change, account.writes(ctx).save(edit.write))
        .await?;
    if let Some(unit) = edit.unit {
        store::set_interval_unit(&ctx.state.db, account.id(), id, unit).await?;
    }
    let robot = account.robot(ctx, id).await?;
    Ok(RobotSaved { robot: robot.robot })
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

/// Enables or disables each robot on its own (see [`each`]).
pub(super) async fn set_status(
    ctx: &Ctx,
    account: &str,
    change: StatusChange,
) -> Result<BulkOutcome, ApiError> {
    let account = Account::load(ctx, account).await?;
    let ids = plan::bulk_ids(&change.ids)?;
    let found = find_many(account.target(ctx), &ids).await?;
    let writes = account.writes(ctx);
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
            Some(async move { ctx.audited(audit_change, call).await.map_err(status_error) })
        })
        .await;
    Ok(BulkOutcome { results })
}

/// Deletes one robot through the audited path, recording what it was.
async fn delete_robot(
    ctx: &Ctx,
    account: &Account,
    id: RobotId,
    robot: Option<&StoredRobot>,
) -> Result<Option<String>, ApiError> {
    let before = robot.map_or(Value::Null, plan::stored_view);
    let target = account.audit_target(id, robot.map(|r| r.robot.name.as_str()));
    let audit_change = Change::new(AuditAction::RobotDelete, target).with_changes(audit::diff(
        &before,
        &Value::Null,
        plan::SECRET_FIELDS,
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

/// Deletes each robot on its own (see [`each`]).
pub(super) async fn delete_many(
    ctx: &Ctx,
    account: &str,
    robots: &[RobotId],
) -> Result<BulkOutcome, ApiError> {
    let account = Account::load(ctx, account).await?;
    let ids = plan::bulk_ids(robots)?;
    let found = find_many(account.target(ctx), &ids).await?;
    let results = each(&ids, &found, |id, robot| {
        let account = &account;
        Some(async move {
            delete_robot(ctx, account, id, robot)
                .await
                .map_err(|e| e.body())
        })
    })
    .await;
    Ok(BulkOutcome { results })
}

/// Deletes one robot: 404 (nothing sent) when it does not exist.
pub(super) async fn delete_one(ctx: &Ctx, account: &str, id: RobotId) -> Result<(), ApiError> {
    let account = Account::load(ctx, account).await?;
    let robot = account.robot(ctx, id).await?;
    delete_robot(ctx, &account, id, Some(&robot)).await?;
    Ok(())
}

/// Sends a test message; the service does not report delivery, so the
/// answer says "sent", never "delivered".
pub(super) async fn test_message(ctx: &Ctx, account: &str, id: RobotId) -> Result<(), ApiError> {
    let account = Account::load(ctx, account).await?;
    let change = Change::new(
        AuditAction::RobotTestMessage,
        account.audit_target(id, None),
    );
    ctx.audited(change, account.writes(ctx).test_message(id))
        .await?;
    Ok(())
}
