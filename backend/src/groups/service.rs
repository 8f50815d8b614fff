//! The group operations as plain functions over a [`Scope`] (the request's
//! [`Ctx`] and one DingTalk app): each loads what it needs, has
//! [`super::plan`] decide, sends every upstream change through
//! [`Ctx::audited`] and commits. Batches are split into calls of at most 40
//! users and report every user asked about ([`ItemOutcome`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use shared::audit::FieldChange;
use shared::groups::{
    AdminChange, AdminsChange, AppChoice, BatchReport, CatalogueGroup, ChatId, CreateReport,
    GroupDetail, GroupEdit, GroupInfo, GroupName, GroupUpdate, ImportRequest, JoinLink, LastSet,
    MembersChange, NewGroupRequest, OpenConversationId, Person, PersonRef, UserId, batches,
    check_labels,
};
use shared::outcome::ItemOutcome;
use shared::vault::DingTalkApi;
use sqlx::{Any, Transaction};

use super::people;
use super::plan::{self, Direction, EditPlan, Reading};
use super::store::{self, Source};
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

/// The DingTalk apps to choose from, by id and name.
pub async fn apps(ctx: &Ctx) -> Result<Vec<AppChoice>, ApiError> {
    let apps = ctx.state.vault.list_dingtalk().await.map_err(internal)?;
    Ok(apps
        .into_iter()
        .map(|a| AppChoice {
            id: a.id,
            name: a.name,
        })
        .collect())
}

/// One audited update of `group`, answering the upstream's RequestId:
/// `call` gets its own handles on the client, the app and the chat, since
/// the call may outlive the request.
async fn update_group<T, Fut>(
    scope: &Scope,
    group: &CatalogueGroup,
    action: AuditAction,
    changes: Vec<FieldChange>,
    call: impl FnOnce(Arc<Upstream>, DingTalkApp, ChatId) -> Fut,
) -> Result<Option<String>, ApiError>
where
    T: Send + 'static,
    Fut: Future<Output = Result<Receipt<T>, UpstreamError>> + Send + 'static,
{
    let call = call(
        scope.upstream().clone(),
        scope.app.app.clone(),
        group.chat_id.clone(),
    );
    let call = async move {
        let receipt = call.await?;
        let request_id = receipt.request_id.clone();
        Ok(receipt.map(|_| request_id))
    };
    let change = Change::new(action, plan::target(group)).with_changes(changes);
    scope.ctx.audited(change, call).await
}

/// Begins a change only chatdesk's catalogue sees, its audit event first in
/// the same transaction.
async fn recorded(
    scope: &Scope,
    action: AuditAction,
    target: Target,
    changes: Vec<FieldChange>,
) -> Result<Transaction<'static, Any>, ApiError> {
    let mut tx = scope.db().pool().begin().await?;
    let event = NewEvent::success(scope.actor(), action, target).with_changes(changes);
    audit::append(&mut tx, &event).await.map_err(internal)?;
    Ok(tx)
}

/// The catalogue entry `id` of this scope's app.
pub async fn entry(scope: &Scope, id: &str) -> Result<CatalogueGroup, ApiError> {
    store::get(scope.db(), id)
        .await?
        .filter(|g| g.app_id == scope.app.id)
        .ok_or(ApiError::NotFound("group"))
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
    let nicknames = store::nicknames(scope.db(), id).await?;
    let private_chat = store::private_chat(scope.db(), id).await?;
    let api = scope.app.api;
    Ok(plan::detail(
        group,
        api,
        reading,
        &admins,
        nicknames,
        private_chat,
    ))
}

/// Creates a group: the first 40 members (owner first) in the create call,
/// the rest in follow-up member calls, each user reported.
/// The owner and members may be user ids or exact names, as everywhere a
/// person is picked; what cannot succeed is refused before any lookup.
pub async fn create(scope: &Scope, req: &NewGroupRequest) -> Result<CreateReport, ApiError> {
    let asked = plan::new_group(req)?;
    let (up, app) = (scope.upstream(), &scope.app.app);
    let owner = people::resolve_one(up, app, "owner", &asked.owner).await?;
    let people = people::resolve(up, app, "members", &asked.members).await?;
    let plan = plan::create(req, &scope.app.name, &asked.labels, owner, people)?;
    let (up, app, api) = (up.clone(), app.clone(), scope.app.api);
    let request = plan.request.clone();
    let change = Change::new(AuditAction::GroupCreate, plan.target.clone())
        .with_changes(plan.changes.clone());
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
    let mut tx = scope.db().pool().begin().await?;
    let id = store::upsert(
        &mut tx,
        &scope.app.id,
        &plan.snapshot(&created),
        Source::Created,
    )
    .await?;
    store::set_labels(&mut tx, &id, &asked.labels).await?;
    tx.commit().await?;
    let mut group = entry(scope, &id).await?;
    let mut report = plan.report();
    if !plan.rest.is_empty() {
        let (more, calls) = run_batches(scope, &group, &plan.rest, Direction::Add).await?;
        report.add.extend(more);
        report.calls += calls;
        group = refresh(scope, &group).await?.0;
    }
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
    let target = Target::new(
        TargetKind::Group,
        chat_id.as_str(),
        reading.info.name.clone(),
    );
    let changes = plan::import(&chat_id, &scope.app.name, &labels);
    let mut tx = recorded(scope, AuditAction::GroupImport, target, changes).await?;
    let snapshot = reading.snapshot();
    let id = store::upsert(&mut tx, &scope.app.id, &snapshot, Source::Imported).await?;
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
    let changes = plan::labels(&group, &labels);
    let target = plan::target(&group);
    let mut tx = recorded(scope, AuditAction::GroupLabels, target, changes).await?;
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
    let call = move |up: Arc<Upstream>, app: DingTalkApp, chat_id: ChatId| async move {
        match api {
            DingTalkApi::New => Ok(up
                .dingtalk
                .update_group(&app, &chat_id, &update)
                .await?
                .map(drop)),
            DingTalkApi::Legacy => {
                up.dingtalk
                    .legacy_update_group(&app, &chat_id, &update)
                    .await
            }
        }
    };
    update_group(scope, group, action, changes, call).await
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
            Err(ApiError::Upstream(err)) if batch.len() > 1 && plan::about_users(&err) => {
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
                    results.push(plan::item(id, &names, Err(plan::clone_upstream(&err)?))?);
                }
            }
        }
    }
    Ok((results, calls))
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
        let (action, changes, update) = plan::member_batch(batch, direction);
        update_call(scope, group, action, changes, update)
    })
    .await
}

/// What a batch change starts from: the group, the people it adds and
/// removes (each one found in the directory) and DingTalk's view of the
/// group now.
async fn batch(
    scope: &Scope,
    id: &str,
    add: &[String],
    remove: &[String],
) -> Result<(CatalogueGroup, Vec<Person>, Vec<Person>, GroupInfo), ApiError> {
    let group = entry(scope, id).await?;
    let (add, remove) = plan::batch_refs(add, remove)?;
    let (up, app) = (scope.upstream(), &scope.app.app);
    let add = people::resolve(up, app, "add", &add).await?;
    let remove = people::resolve(up, app, "remove", &remove).await?;
    let info = up.dingtalk.legacy_get_group(app, &group.chat_id).await?;
    Ok((group, add, remove, info))
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
    let (group, add, remove, info) = batch(scope, id, &change.add, &change.remove).await?;
    let sent = plan::members(&info, &add, &remove)?;
    let mut report = BatchReport::default();
    // Removals first, so a full group has room for the additions.
    let (removed, calls) = run_batches(scope, &group, &sent.remove, Direction::Remove).await?;
    report.remove = plan::in_order(&remove, removed);
    report.calls += calls;
    let (added, calls) = run_batches(scope, &group, &sent.add, Direction::Add).await?;
    report.add = plan::in_order(&add, added);
    report.calls += calls;
    refresh(scope, &group).await?;
    for gone in plan::removed(&sent.remove, &report.remove) {
        store::set_admin(scope.db(), id, gone, false, scope.username()).await?;
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
    let (group, add, remove, info) = batch(scope, id, &change.add, &change.remove).await?;
    let (up, app) = (scope.upstream(), &scope.app.app);
    let known = store::admins(scope.db(), id).await?;
    let to_add = plan::admins(&info, known, &add, &remove)?;
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
                    Err(err) => Err(plan::clone_upstream(err)?),
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
        let changes = plan::admin_batch(batch, change);
        let action = AuditAction::GroupAdmins;
        let call = move |up: Arc<Upstream>, app: DingTalkApp, chat_id: ChatId| async move {
            match ocid {
                Some(ocid) => up.dingtalk.update_admins(&app, &ocid, &users, change).await,
                None => {
                    up.dingtalk
                        .legacy_update_admins(&app, &chat_id, &users, change)
                        .await
                }
            }
        };
        update_group(scope, group, action, changes, call)
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
    let changes = plan::private_chat(before, allowed);
    let action = AuditAction::GroupPrivateChat;
    let call = move |up: Arc<Upstream>, app: DingTalkApp, chat_id: ChatId| async move {
        up.dingtalk
            .legacy_set_friend_switch(&app, &chat_id, !allowed)
            .await
    };
    update_group(scope, &group, action, changes, call).await?;
    Ok(store::set_private_chat(scope.db(), id, allowed, scope.username()).await?)
}

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
    let nickname = plan::nickname(nickname)?;
    let (up, app) = (scope.upstream(), &scope.app.app);
    let person = people::resolve_one(up, app, "user_id", &who).await?;
    let info = up.dingtalk.legacy_get_group(app, &group.chat_id).await?;
    let before = store::nicknames(scope.db(), id)
        .await?
        .remove(&person.user_id)
        .map(|l| l.value);
    let changes = plan::nickname_change(&info, &person.user_id, before, nickname)?;
    let (user_id, nick) = (person.user_id.clone(), nickname.to_owned());
    let action = AuditAction::GroupNickname;
    let call = move |up: Arc<Upstream>, app: DingTalkApp, chat_id: ChatId| async move {
        up.dingtalk
            .legacy_set_group_nick(&app, &chat_id, &user_id, &nick)
            .await
    };
    update_group(scope, &group, action, changes, call).await?;
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
    let Some(app_id) = store::app_by_key(db, app_key).await? else {
        return Ok(0);
    };
    if store::count(db, &app_id).await? > 0 {
        return Ok(0);
    }
    let groups = sandbox.groups();
    let mut tx = db.pool().begin().await?;
    for g in &groups {
        store::upsert(&mut tx, &app_id, &plan::demo(g)?, Source::Demo).await?;
    }
    tx.commit().await?;
    Ok(groups.len())
}
