//! The group operations as plain functions over a [`Scope`] (the request's
//! [`Ctx`] and one DingTalk app). Every upstream change goes through
//! [`Ctx::audited`]; batches are split into calls of at most 40 users and
//! report every user asked about ([`ItemOutcome`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use shared::audit::FieldChange;
use shared::groups::{
    AdminChange, AdminsChange, BatchReport, CatalogueGroup, ChatId, CreateReport, GroupCreate,
    GroupDetail, GroupEdit, GroupInfo, GroupName, GroupUpdate, ImportRequest, JoinLink, LastSet,
    MAX_GROUP_MEMBERS, MemberView, MembersChange, NewGroupRequest, OpenConversationId, Person,
    PersonRef, UserId, batches, check_admin_cap, check_labels, check_member_cap, check_new_group,
};
use shared::outcome::ItemOutcome;
use shared::validate::Problem;
use shared::vault::DingTalkApi;

use super::people;
use super::plan::{self, EditPlan};
use super::store::{self, Snapshot, Source};
use crate::audit::{self, Actor, AuditAction, Change, NewEvent, Target, TargetKind};
use crate::context::Ctx;
use crate::db::Db;
use crate::error::ApiError;
use crate::upstream::dingtalk::DingTalkApp;
use crate::upstream::error::{ErrorKind, UpstreamError};
use crate::upstream::{Receipt, Upstream};

/// Members read per QueryInnerGroupMemberList call.
const MEMBER_PAGE: u32 = 100;
/// How many times a throttled batch is tried again, waiting longer each
/// time, before its users are reported as failed.
const PATIENCE: u32 = 5;
const FIRST_WAIT: Duration = Duration::from_millis(500);

/// A DingTalk app as the operations need it.
pub use crate::context::DingTalkAppRef as App;

/// Who acts, through which app. Owned, so that an operation can run in a
/// task of its own (an idempotent create outlives its request).
#[derive(Clone)]
pub struct Scope {
    pub ctx: Ctx,
    pub app: App,
}

impl Scope {
    pub fn db(&self) -> &Db {
        &self.ctx.state.db
    }

    pub fn upstream(&self) -> &Arc<Upstream> {
        &self.ctx.state.upstream
    }

    pub fn actor(&self) -> Actor {
        self.ctx.actor()
    }

    /// Who set what chatdesk keeps of a group (admins, nicknames).
    fn username(&self) -> &str {
        &self.ctx.session.user.username
    }
}

fn internal(err: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(err.into())
}

/// One audited update of `group`: `call` gets its own handles on the
/// client, the app and the chat, since the call may outlive the request.
async fn update_group<T, Fut>(
    scope: &Scope,
    group: &CatalogueGroup,
    action: AuditAction,
    changes: Vec<FieldChange>,
    call: impl FnOnce(Arc<Upstream>, DingTalkApp, ChatId) -> Fut,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    Fut: Future<Output = Result<Receipt<T>, UpstreamError>> + Send + 'static,
{
    let call = call(
        scope.upstream().clone(),
        scope.app.app.clone(),
        group.chat_id.clone(),
    );
    let change = Change::new(action, plan::target(group)).with_changes(changes);
    scope.ctx.audited(change, call).await
}

/// The catalogue entry `id` of this scope's app.
pub async fn entry(scope: &Scope, id: &str) -> Result<CatalogueGroup, ApiError> {
    store::get(scope.db(), id)
        .await?
        .filter(|g| g.app_id == scope.app.id)
        .ok_or(ApiError::NotFound("group"))
}

/// What DingTalk says about a group now, with member names (read in pages
/// of 100; a failure there leaves names out and says why).
pub struct Reading {
    pub info: GroupInfo,
    pub open_conversation_id: Option<OpenConversationId>,
    pub names: HashMap<UserId, String>,
    pub names_error: Option<String>,
}

impl Reading {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            chat_id: self.info.chat_id.clone(),
            open_conversation_id: self.open_conversation_id.clone(),
            name: self.info.name.clone(),
            owner: self.info.owner.clone(),
            members: self
                .info
                .members
                .iter()
                .map(|m| (m.clone(), self.names.get(m).cloned()))
                .collect(),
            dismissed: self.info.dismissed,
        }
    }
}

/// Reads a group: `chat/get`, then the member list for names.
pub async fn read(
    scope: &Scope,
    chat_id: &ChatId,
    known_ocid: Option<OpenConversationId>,
) -> Result<Reading, ApiError> {
    let dt = &scope.upstream().dingtalk;
    let app = &scope.app.app;
    let info = dt.legacy_get_group(app, chat_id).await.map_err(|err| {
        if err.kind == ErrorKind::NotFound {
            ApiError::invalid(
                "chat_id",
                format!(
                    "DingTalk does not know {chat_id} ({}: {}); chat/get only accepts chatids \
                     returned by a server-side chat/create",
                    err.code, err.message
                ),
            )
        } else {
            ApiError::Upstream(err)
        }
    })?;
    let mut reading = Reading {
        info,
        open_conversation_id: known_ocid,
        names: HashMap::new(),
        names_error: None,
    };
    if let Err(err) = read_names(scope, &mut reading).await {
        reading.names_error = Some(ApiError::from(err).to_string());
    }
    Ok(reading)
}

async fn read_names(scope: &Scope, reading: &mut Reading) -> Result<(), UpstreamError> {
    let (dt, app) = (&scope.upstream().dingtalk, &scope.app.app);
    let Some(operator) = reading.info.owner.clone() else {
        return Ok(());
    };
    if reading.info.dismissed {
        return Ok(());
    }
    let ocid = match reading.open_conversation_id.clone() {
        Some(ocid) => ocid,
        None => {
            let ocid = dt.open_conversation_id(app, &reading.info.chat_id).await?;
            reading.open_conversation_id = Some(ocid.clone());
            ocid
        }
    };
    let mut next = None;
    loop {
        let page = dt
            .group_members(app, &ocid, &operator, MEMBER_PAGE, next)
            .await?;
        for m in page.members {
            if let Some(name) = m.name.filter(|n| !n.is_empty()) {
                reading.names.insert(m.user_id, name);
            }
        }
        if !page.has_more || page.next_token.is_none() {
            break;
        }
        next = page.next_token;
    }
    people::remember(
        app,
        reading.names.iter().map(|(k, v)| (k.clone(), v.clone())),
    );
    Ok(())
}

/// Re-reads the group and stores what DingTalk said.
pub async fn refresh(
    scope: &Scope,
    group: &CatalogueGroup,
) -> Result<(CatalogueGroup, Reading), ApiError> {
    let reading = read(scope, &group.chat_id, group.open_conversation_id.clone()).await?;
    let mut conn = scope.db().pool().acquire().await?;
    store::upsert(
        &mut conn,
        &scope.app.id,
        &reading.snapshot(),
        Source::Imported,
    )
    .await?;
    drop(conn);
    Ok((entry(scope, &group.id).await?, reading))
}

/// The group page: DingTalk's state now, plus what only chatdesk knows.
pub async fn detail(scope: &Scope, id: &str) -> Result<GroupDetail, ApiError> {
    let group = entry(scope, id).await?;
    let (group, reading) = refresh(scope, &group).await?;
    let admins = store::admins(scope.db(), id).await?;
    let mut nicknames = store::nicknames(scope.db(), id).await?;
    let owner = reading.info.owner.clone();
    let members = reading
        .info
        .members
        .iter()
        .map(|m| {
            let owns = owner.as_ref() == Some(m);
            MemberView {
                user_id: m.clone(),
                name: reading.names.get(m).cloned(),
                owner: owns,
                // DingTalk's owner is never also a sub-admin, even when the
                // ownership moved outside chatdesk.
                admin: !owns && admins.contains(m),
                nickname: nicknames.remove(m),
            }
        })
        .collect();
    Ok(GroupDetail {
        group,
        api: scope.app.api,
        settings: reading.info.settings,
        members,
        names_error: reading.names_error,
        private_chat: store::private_chat(scope.db(), id).await?,
    })
}

/// Creates a group: the first 40 members (owner first) in the create call,
/// the rest in follow-up member calls, each user reported.
/// The owner and members may be user ids or exact names, as everywhere a
/// person is picked; what cannot succeed is refused before any lookup.
pub async fn create(scope: &Scope, req: &NewGroupRequest) -> Result<CreateReport, ApiError> {
    GroupName::parse(&req.name)?;
    let labels = check_labels(&req.labels)?;
    let owner = PersonRef::parse_in("owner", &req.owner)?;
    if req.members.len() > MAX_GROUP_MEMBERS {
        return Err(ApiError::invalid_because(
            "members",
            Problem::TooMany {
                max: MAX_GROUP_MEMBERS,
            },
            format!(
                "{} members; a group holds at most {}",
                req.members.len(),
                MAX_GROUP_MEMBERS
            ),
        ));
    }
    let members = people::refs("members", &req.members)?;
    let (up, app) = (scope.upstream(), &scope.app.app);
    let owner = people::resolve_one(up, app, "owner", &owner).await?;
    let people = people::resolve(up, app, "members", &members).await?;
    let ids: Vec<String> = people.iter().map(|p| p.user_id.to_string()).collect();
    let (name, owner_id, members) = check_new_group(&req.name, owner.user_id.as_str(), &ids)?;
    let names: HashMap<UserId, String> = std::iter::once(owner)
        .chain(people)
        .map(|p| (p.user_id, p.name))
        .collect();
    let (first, rest) = members.split_at(members.len().min(shared::groups::MAX_MEMBERS_PER_CALL));
    let request = GroupCreate {
        name: name.clone(),
        owner: owner_id.clone(),
        members: first.to_vec(),
        settings: req.settings,
    };
    let target = Target {
        kind: TargetKind::Group,
        id: None,
        label: Some(name.to_string()),
    };
    let changes = audit::diff(
        &Value::Null,
        &json!({
            "name": name, "owner": owner_id, "members": first, "settings": req.settings,
            "app": scope.app.name, "labels": labels,
        }),
        &[],
    );
    let (up, app, api) = (
        scope.upstream().clone(),
        scope.app.app.clone(),
        scope.app.api,
    );
    let change = Change::new(AuditAction::GroupCreate, target).with_changes(changes);
    let created = scope
        .ctx
        .audited(change, async move {
            let receipt = match api {
                DingTalkApi::New => up.dingtalk.create_group(&app, &request).await?,
                DingTalkApi::Legacy => up.dingtalk.legacy_create_group(&app, &request).await?,
            };
            let chat_id = receipt.value.chat_id.to_string();
            Ok(receipt.created(chat_id))
        })
        .await?;
    let snapshot = Snapshot {
        chat_id: created.chat_id.clone(),
        open_conversation_id: created.open_conversation_id.clone(),
        name: name.to_string(),
        owner: Some(owner_id.clone()),
        members: first
            .iter()
            .map(|m| (m.clone(), names.get(m).cloned()))
            .collect(),
        dismissed: false,
    };
    let mut tx = scope.db().pool().begin().await?;
    let id = store::upsert(&mut tx, &scope.app.id, &snapshot, Source::Created).await?;
    store::set_labels(&mut tx, &id, &labels).await?;
    tx.commit().await?;
    let group = entry(scope, &id).await?;
    let mut report = BatchReport {
        calls: 1,
        ..BatchReport::default()
    };
    report.add = first.iter().map(|m| plan::done(m, &names, None)).collect();
    if !rest.is_empty() {
        let rest: Vec<Person> = rest
            .iter()
            .map(|m| Person {
                user_id: m.clone(),
                name: names.get(m).cloned().unwrap_or_default(),
            })
            .collect();
        let (more, calls) = run_batches(scope, &group, &rest, Direction::Add).await?;
        report.add.extend(more);
        report.calls += calls;
    }
    let group = if rest.is_empty() {
        group
    } else {
        refresh(scope, &group).await?.0
    };
    Ok(CreateReport {
        group,
        members: report,
    })
}

/// Adds a group created elsewhere by its chatid (checked with chat/get).
pub async fn import(scope: &Scope, req: &ImportRequest) -> Result<CatalogueGroup, ApiError> {
    let chat_id = ChatId::parse(&req.chat_id)?;
    let labels = check_labels(&req.labels)?;
    if store::find(scope.db(), &scope.app.id, &chat_id)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict {
            field: "chat_id".into(),
            message: format!("{chat_id} is already in the catalogue"),
        });
    }
    let reading = read(scope, &chat_id, None).await?;
    let mut tx = scope.db().pool().begin().await?;
    let event = NewEvent::success(
        scope.actor(),
        AuditAction::GroupImport,
        Target::new(
            TargetKind::Group,
            chat_id.as_str(),
            reading.info.name.clone(),
        ),
    )
    .with_changes(audit::diff(
        &Value::Null,
        &json!({"chat_id": chat_id, "app": scope.app.name, "labels": labels}),
        &[],
    ));
    audit::append(&mut tx, &event).await.map_err(internal)?;
    let id = store::upsert(
        &mut tx,
        &scope.app.id,
        &reading.snapshot(),
        Source::Imported,
    )
    .await?;
    store::set_labels(&mut tx, &id, &labels).await?;
    tx.commit().await?;
    entry(scope, &id).await
}

/// Replaces a group's console labels.
pub async fn set_labels(
    scope: &Scope,
    id: &str,
    labels: &[String],
) -> Result<CatalogueGroup, ApiError> {
    let group = entry(scope, id).await?;
    let labels = check_labels(labels)?;
    let mut tx = scope.db().pool().begin().await?;
    let event = NewEvent::success(
        scope.actor(),
        AuditAction::GroupLabels,
        plan::target(&group),
    )
    .with_changes(audit::diff(
        &json!({ "labels": group.labels }),
        &json!({ "labels": labels }),
        &[],
    ));
    audit::append(&mut tx, &event).await.map_err(internal)?;
    store::set_labels(&mut tx, id, &labels).await?;
    tx.commit().await?;
    entry(scope, id).await
}

/// Name, owner and switches, as [`plan::edit`] plans them (the preview
/// shows the same plan). A sub-admin made owner is no longer a sub-admin.
pub async fn edit(scope: &Scope, id: &str, edit: &GroupEdit) -> Result<GroupDetail, ApiError> {
    let group = entry(scope, id).await?;
    let plan = plan_edit(scope, &group, edit).await?;
    if !plan.changes_anything() {
        return Err(ApiError::invalid("edit", "nothing to change"));
    }
    let new_owner = plan.update.owner.clone();
    update_call(scope, &group, plan.action, plan.changes, plan.update).await?;
    if let Some(owner) = new_owner {
        // DingTalk drops the sub-admin role of whoever becomes the owner.
        store::set_admin(scope.db(), id, &owner, false, scope.username()).await?;
    }
    detail(scope, id).await
}

/// What [`edit`] would change, field by field, without changing anything.
pub async fn preview_edit(
    scope: &Scope,
    id: &str,
    edit: &GroupEdit,
) -> Result<Vec<FieldChange>, ApiError> {
    let group = entry(scope, id).await?;
    Ok(plan_edit(scope, &group, edit).await?.changes)
}

/// Parses and resolves `edit`, reads the group and plans the change.
async fn plan_edit(
    scope: &Scope,
    group: &CatalogueGroup,
    edit: &GroupEdit,
) -> Result<EditPlan, ApiError> {
    let name = edit.name.as_deref().map(GroupName::parse).transpose()?;
    let owner = match edit.owner.as_deref() {
        Some(value) => {
            let who = PersonRef::parse_in("owner", value)?;
            let (up, app) = (scope.upstream(), &scope.app.app);
            Some(people::resolve_one(up, app, "owner", &who).await?.user_id)
        }
        None => None,
    };
    let info = scope
        .upstream()
        .dingtalk
        .legacy_get_group(&scope.app.app, &group.chat_id)
        .await?;
    Ok(plan::edit(&info, name, owner, &edit.settings)?)
}

/// One `chat/update` or UpdateGroup, per the app's API generation.
async fn update_call(
    scope: &Scope,
    group: &CatalogueGroup,
    action: AuditAction,
    changes: Vec<FieldChange>,
    update: GroupUpdate,
) -> Result<Option<String>, ApiError> {
    let api = scope.app.api;
    update_group(
        scope,
        group,
        action,
        changes,
        move |up, app, chat_id| async move {
            let receipt = match api {
                DingTalkApi::New => up
                    .dingtalk
                    .update_group(&app, &chat_id, &update)
                    .await?
                    .map(drop),
                DingTalkApi::Legacy => {
                    up.dingtalk
                        .legacy_update_group(&app, &chat_id, &update)
                        .await?
                }
            };
            let request_id = receipt.request_id.clone();
            Ok(receipt.map(|()| request_id))
        },
    )
    .await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Add,
    Remove,
}

/// Whether a failed call names something about its users (so trying them
/// one by one tells which), rather than the group, the app or the service.
fn about_users(err: &UpstreamError) -> bool {
    const GROUP_CODES: [&str; 5] = ["34001", "40016", "group.diaband", "invalideChatId", "49000"];
    matches!(
        err.kind,
        ErrorKind::BadParameter { .. } | ErrorKind::NotFound
    ) && !GROUP_CODES.contains(&err.code.as_str())
}

/// Calls `attempt` again while DingTalk says the app is throttled, waiting
/// longer each time: a throttled app slows down instead of failing.
async fn patiently<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut wait = FIRST_WAIT;
    for _ in 0..PATIENCE {
        match attempt().await {
            Err(ApiError::Upstream(err))
                if matches!(err.kind, ErrorKind::Throttled { .. }) && err.retryable =>
            {
                let hint = match err.kind {
                    ErrorKind::Throttled { retry_after } => retry_after.unwrap_or_default(),
                    _ => Duration::ZERO,
                };
                tracing::info!(code = %err.code, wait_ms = wait.max(hint).as_millis() as u64, "DingTalk app throttled; slowing down");
                tokio::time::sleep(wait.max(hint)).await;
                wait *= 2;
            }
            other => return other,
        }
    }
    attempt().await
}

/// Adds or removes `users` in calls of at most 40, reporting each user: a
/// failed call whose error is about its users is retried user by user, so
/// one bad user does not fail the others. Returns the outcomes and the
/// number of calls.
async fn run_batches(
    scope: &Scope,
    group: &CatalogueGroup,
    users: &[Person],
    direction: Direction,
) -> Result<(Vec<ItemOutcome>, u32), ApiError> {
    let ids: Vec<UserId> = users.iter().map(|p| p.user_id.clone()).collect();
    let names = plan::names_of(users);
    let mut results = Vec::with_capacity(ids.len());
    let mut calls = 0;
    for batch in batches(&ids) {
        let outcome = member_call(scope, group, batch, direction, &mut calls).await;
        match outcome {
            Ok(request_id) => {
                results.extend(
                    batch
                        .iter()
                        .map(|id| plan::done(id, &names, request_id.clone())),
                );
            }
            Err(ApiError::Upstream(err)) if batch.len() > 1 && about_users(&err) => {
                for id in batch {
                    let single = member_call(
                        scope,
                        group,
                        std::slice::from_ref(id),
                        direction,
                        &mut calls,
                    )
                    .await;
                    results.push(plan::item(id, &names, single)?);
                }
            }
            Err(err) => {
                for id in batch {
                    results.push(plan::item(id, &names, Err(clone_upstream(&err)?))?);
                }
            }
        }
    }
    Ok((results, calls))
}

/// An upstream failure can be reported per user; anything else (the audit
/// trail, the database) stops the batch.
fn clone_upstream(err: &ApiError) -> Result<ApiError, ApiError> {
    match err {
        ApiError::Upstream(e) => Ok(ApiError::Upstream(e.clone())),
        other => Err(internal(anyhow::anyhow!("{other}"))),
    }
}

async fn member_call(
    scope: &Scope,
    group: &CatalogueGroup,
    batch: &[UserId],
    direction: Direction,
    calls: &mut u32,
) -> Result<Option<String>, ApiError> {
    patiently(|| {
        *calls += 1;
        let (action, field, update) = match direction {
            Direction::Add => (
                AuditAction::GroupMembersAdd,
                "members_added",
                GroupUpdate {
                    add_members: batch.to_vec(),
                    ..GroupUpdate::default()
                },
            ),
            Direction::Remove => (
                AuditAction::GroupMembersRemove,
                "members_removed",
                GroupUpdate {
                    remove_members: batch.to_vec(),
                    ..GroupUpdate::default()
                },
            ),
        };
        let changes = audit::diff(&Value::Null, &json!({ field: batch }), &[]);
        update_call(scope, group, action, changes, update)
    })
    .await
}

/// The people a batch change names: neither list longer than a group
/// holds, at least one person, each one found in the directory.
async fn batch_people(
    scope: &Scope,
    add: &[String],
    remove: &[String],
) -> Result<(Vec<Person>, Vec<Person>), ApiError> {
    for (field, list) in [("add", add), ("remove", remove)] {
        if list.len() > MAX_GROUP_MEMBERS {
            return Err(ApiError::invalid_because(
                field,
                Problem::TooMany {
                    max: MAX_GROUP_MEMBERS,
                },
                format!("at most {MAX_GROUP_MEMBERS} users at once"),
            ));
        }
    }
    let (add, remove) = (people::refs("add", add)?, people::refs("remove", remove)?);
    if add.is_empty() && remove.is_empty() {
        return Err(ApiError::invalid_because(
            "add",
            Problem::Required,
            "name at least one user to add or remove",
        ));
    }
    let (up, app) = (scope.upstream(), &scope.app.app);
    Ok((
        people::resolve(up, app, "add", &add).await?,
        people::resolve(up, app, "remove", &remove).await?,
    ))
}

/// Adds and removes members (ids or exact names), in calls of at most 40
/// each way, with a line for each user: added or removed, already so, or
/// failed and why. Checked first: every user exists, the owner is not
/// removed, the group stays within 1,000 members.
pub async fn change_members(
    scope: &Scope,
    id: &str,
    change: &MembersChange,
) -> Result<BatchReport, ApiError> {
    let group = entry(scope, id).await?;
    let (add, remove) = batch_people(scope, &change.add, &change.remove).await?;
    let info = scope
        .upstream()
        .dingtalk
        .legacy_get_group(&scope.app.app, &group.chat_id)
        .await?;
    if let Some(owner) = info.owner.as_ref()
        && remove.iter().any(|p| &p.user_id == owner)
    {
        return Err(ApiError::invalid(
            "remove",
            format!("{owner} owns the group; transfer the ownership first"),
        ));
    }
    let is_member = |p: &&Person| info.members.contains(&p.user_id);
    let to_add: Vec<Person> = add.iter().filter(|p| !is_member(p)).cloned().collect();
    let to_remove: Vec<Person> = remove.iter().filter(is_member).cloned().collect();
    let add_ids: Vec<UserId> = to_add.iter().map(|p| p.user_id.clone()).collect();
    check_member_cap(info.members.len() - to_remove.len(), &add_ids)?;
    let mut report = BatchReport::default();
    // Removals first, so a full group has room for the additions.
    let (removed, calls) = run_batches(scope, &group, &to_remove, Direction::Remove).await?;
    report.remove = plan::in_order(&remove, removed);
    report.calls += calls;
    let (added, calls) = run_batches(scope, &group, &to_add, Direction::Add).await?;
    report.add = plan::in_order(&add, added);
    report.calls += calls;
    refresh(scope, &group).await?;
    for gone in &to_remove {
        if report
            .remove
            .iter()
            .any(|o| o.id == gone.user_id.as_str() && o.is_done())
        {
            store::set_admin(scope.db(), id, &gone.user_id, false, scope.username()).await?;
        }
    }
    Ok(report)
}

/// Appoints and removes admins in batch through the openConversationId
/// (new API) or the chatid (legacy), with a line for each user; one
/// chatdesk already appointed is "already so". Checked first: members
/// only, not the owner, at most 12 admins.
pub async fn change_admins(
    scope: &Scope,
    id: &str,
    change: &AdminsChange,
) -> Result<BatchReport, ApiError> {
    let group = entry(scope, id).await?;
    let (add, remove) = batch_people(scope, &change.add, &change.remove).await?;
    let up = scope.upstream();
    let app = &scope.app.app;
    let info = up.dingtalk.legacy_get_group(app, &group.chat_id).await?;
    for (field, list) in [("add", &add), ("remove", &remove)] {
        if let Some(p) = list.iter().find(|p| !info.members.contains(&p.user_id)) {
            return Err(ApiError::invalid_because(
                field,
                Problem::NotMember,
                format!("{} ({}) is not a member of the group", p.user_id, p.name),
            ));
        }
    }
    if let Some(p) = add.iter().find(|p| info.owner.as_ref() == Some(&p.user_id)) {
        return Err(ApiError::invalid(
            "add",
            format!(
                "{} ({}) owns the group and cannot also be an admin",
                p.user_id, p.name
            ),
        ));
    }
    let known = store::admins(scope.db(), id).await?;
    let to_add: Vec<Person> = add
        .iter()
        .filter(|p| !known.contains(&p.user_id))
        .cloned()
        .collect();
    let current: Vec<UserId> = known
        .into_iter()
        .filter(|a| !remove.iter().any(|p| &p.user_id == a))
        .collect();
    let add_ids: Vec<UserId> = to_add.iter().map(|p| p.user_id.clone()).collect();
    check_admin_cap(&current, &add_ids)?;
    let ocid = match (scope.app.api, group.open_conversation_id.clone()) {
        (DingTalkApi::New, Some(ocid)) => Some(ocid),
        (DingTalkApi::New, None) => Some(
            up.dingtalk
                .open_conversation_id(app, &group.chat_id)
                .await?,
        ),
        (DingTalkApi::Legacy, _) => None,
    };
    let mut report = BatchReport::default();
    for (list, change) in [(&remove, AdminChange::Remove), (&to_add, AdminChange::Add)] {
        let ids: Vec<UserId> = list.iter().map(|p| p.user_id.clone()).collect();
        let names = plan::names_of(list);
        let mut outcomes = Vec::with_capacity(ids.len());
        for batch in batches(&ids) {
            report.calls += 1;
            let outcome = admin_call(scope, &group, ocid.clone(), batch, change).await;
            for user in batch {
                let per_user = match &outcome {
                    Ok(request_id) => Ok(request_id.clone()),
                    Err(err) => Err(clone_upstream(err)?),
                };
                let result = plan::item(user, &names, per_user)?;
                if result.is_done() {
                    let admin = change == AdminChange::Add;
                    store::set_admin(scope.db(), id, user, admin, scope.username()).await?;
                }
                outcomes.push(result);
            }
        }
        match change {
            AdminChange::Add => report.add = plan::in_order(&add, outcomes),
            AdminChange::Remove => report.remove = plan::in_order(&remove, outcomes),
        }
    }
    Ok(report)
}

async fn admin_call(
    scope: &Scope,
    group: &CatalogueGroup,
    ocid: Option<OpenConversationId>,
    batch: &[UserId],
    change: AdminChange,
) -> Result<Option<String>, ApiError> {
    patiently(|| {
        let (ocid, users) = (ocid.clone(), batch.to_vec());
        let field = match change {
            AdminChange::Add => "admins_added",
            AdminChange::Remove => "admins_removed",
        };
        let changes = audit::diff(&Value::Null, &json!({ field: batch }), &[]);
        let action = AuditAction::GroupAdmins;
        update_group(
            scope,
            group,
            action,
            changes,
            move |up, app, chat_id| async move {
                let receipt = match ocid {
                    Some(ocid) => {
                        up.dingtalk
                            .update_admins(&app, &ocid, &users, change)
                            .await?
                    }
                    None => {
                        up.dingtalk
                            .legacy_update_admins(&app, &chat_id, &users, change)
                            .await?
                    }
                };
                let request_id = receipt.request_id.clone();
                Ok(receipt.map(|_| request_id))
            },
        )
    })
    .await
}

/// Allows or forbids private chat between members; DingTalk cannot read it
/// back, so chatdesk keeps who set it and when.
pub async fn set_private_chat(
    scope: &Scope,
    id: &str,
    allowed: bool,
) -> Result<LastSet<bool>, ApiError> {
    let group = entry(scope, id).await?;
    let before = store::private_chat(scope.db(), id).await?.map(|l| l.value);
    let changes = audit::diff(
        &json!({ "private_chat": before }),
        &json!({ "private_chat": allowed }),
        &[],
    );
    let action = AuditAction::GroupPrivateChat;
    update_group(
        scope,
        &group,
        action,
        changes,
        move |up, app, chat_id| async move {
            up.dingtalk
                .legacy_set_friend_switch(&app, &chat_id, !allowed)
                .await
        },
    )
    .await?;
    Ok(store::set_private_chat(scope.db(), id, allowed, scope.username()).await?)
}

/// A group nickname holds at most this many characters.
const MAX_NICKNAME_CHARS: usize = 20;

/// Sets (or, empty, clears) a member's group nickname. `user` must be a
/// member now: that is checked before the change is sent.
pub async fn set_nickname(
    scope: &Scope,
    id: &str,
    user: &str,
    nickname: &str,
) -> Result<LastSet<String>, ApiError> {
    let group = entry(scope, id).await?;
    let who = PersonRef::parse_in("user_id", user)?;
    let nickname = nickname.trim();
    let count = nickname.chars().count();
    if count > MAX_NICKNAME_CHARS {
        return Err(ApiError::invalid_because(
            "nickname",
            Problem::Length {
                min: 0,
                max: MAX_NICKNAME_CHARS,
                count,
            },
            format!("{nickname:?} is {count} characters; at most {MAX_NICKNAME_CHARS}"),
        ));
    }
    let (up, app) = (scope.upstream(), &scope.app.app);
    let person = people::resolve_one(up, app, "user_id", &who).await?;
    let info = up.dingtalk.legacy_get_group(app, &group.chat_id).await?;
    if !info.members.contains(&person.user_id) {
        return Err(ApiError::invalid_because(
            "user_id",
            Problem::NotMember,
            "not a member of this group",
        ));
    }
    let before = store::nicknames(scope.db(), id)
        .await?
        .remove(&person.user_id)
        .map(|l| l.value);
    let changes = audit::diff(
        &json!({ "nickname": { person.user_id.as_str(): before } }),
        &json!({ "nickname": { person.user_id.as_str(): nickname } }),
        &[],
    );
    let (user_id, nick) = (person.user_id.clone(), nickname.to_owned());
    let action = AuditAction::GroupNickname;
    update_group(
        scope,
        &group,
        action,
        changes,
        move |up, app, chat_id| async move {
            up.dingtalk
                .legacy_set_group_nick(&app, &chat_id, &user_id, &nick)
                .await
        },
    )
    .await?;
    Ok(store::set_nickname(scope.db(), id, &person.user_id, nickname, scope.username()).await?)
}

/// The join link the owner shares (what the QR code encodes).
pub async fn join_link(scope: &Scope, id: &str) -> Result<JoinLink, ApiError> {
    let group = entry(scope, id).await?;
    let sharer = match group.owner.clone() {
        Some(owner) => owner,
        None => refresh(scope, &group)
            .await?
            .0
            .owner
            .ok_or_else(|| ApiError::invalid("owner", "the group has no owner to share it"))?,
    };
    let link = scope
        .upstream()
        .dingtalk
        .legacy_group_join_link(&scope.app.app, &group.chat_id, &sharer)
        .await?;
    Ok(JoinLink { link, sharer })
}

/// On a console running on the sandbox: fills an empty catalogue of the
/// sandbox's DingTalk app (stored under `app_key`) with the sandbox's demo
/// groups, so a new user sees real-looking work at once. Returns how many
/// groups it stored.
pub async fn seed_demo(
    db: &Db,
    app_key: &str,
    sandbox: &crate::sandbox::Sandbox,
) -> anyhow::Result<usize> {
    use sqlx::Row;
    let Some(app) =
        sqlx::query("SELECT id FROM dingtalk_apps WHERE app_key = $1 ORDER BY created_at LIMIT 1")
            .bind(app_key)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(0);
    };
    let app_id: String = app.try_get("id")?;
    let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dingtalk_groups WHERE app_id = $1")
        .bind(&app_id)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    if existing > 0 {
        return Ok(0);
    }
    let groups = sandbox.groups();
    let mut tx = db.pool().begin().await?;
    for g in &groups {
        let snapshot = Snapshot {
            chat_id: ChatId::parse(&g.chatid)?,
            open_conversation_id: Some(OpenConversationId::parse(&g.open_conversation_id)?),
            name: g.name.clone(),
            owner: Some(UserId::parse(&g.owner)?),
            members: g
                .members
                .iter()
                .map(|(id, name)| Ok((UserId::parse(id)?, Some(name.clone()))))
                .collect::<Result<_, shared::validate::InvalidField>>()?,
            dismissed: g.dismissed,
        };
        store::upsert(&mut tx, &app_id, &snapshot, Source::Demo).await?;
    }
    tx.commit().await?;
    Ok(groups.len())
}
