//! The group operations' pure half: from what the user asked and what
//! DingTalk and the catalogue say now, the calls to make, the audit action
//! and before/after diff of each, and the answer's lines. Pure, so the
//! preview shows exactly what applying does, and [`super::service`] only
//! loads, sends through the audited path and commits.

use std::collections::HashMap;

use serde_json::{Value, json};
use shared::audit::FieldChange;
use shared::groups::{
    AdminChange, BatchReport, CatalogueGroup, ChatId, GroupCreate, GroupCreated, GroupDetail,
    GroupInfo, GroupName, GroupUpdate, Label, LastSet, MAX_GROUP_MEMBERS, MAX_MEMBERS_PER_CALL,
    MemberView, NewGroupRequest, OpenConversationId, Person, PersonRef, SettingsPatch, UserId,
    check_admin_cap, check_labels, check_member_cap, check_new_group,
};
use shared::outcome::ItemOutcome;
use shared::validate::{InvalidField, Problem};
use shared::vault::DingTalkApi;

use super::people;
use super::store::Snapshot;
use crate::audit::{self, AuditAction, Target, TargetKind};
use crate::error::ApiError;
use crate::sandbox::GroupRef;
use crate::upstream::error::{ErrorKind, UpstreamError};

/// What DingTalk says about a group now, with member names (read in pages
/// of 100; a failure there leaves names out and says why).
pub struct Reading {
    pub info: GroupInfo,
    pub open_conversation_id: Option<OpenConversationId>,
    pub names: HashMap<UserId, String>,
    pub names_error: Option<String>,
}

impl Reading {
    /// What the catalogue keeps of this reading.
    pub fn snapshot(&self) -> Snapshot {
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

/// The group page: DingTalk's state now, plus what only chatdesk knows.
pub fn detail(
    group: CatalogueGroup,
    api: DingTalkApi,
    reading: Reading,
    admins: &[UserId],
    mut nicknames: HashMap<UserId, LastSet<String>>,
    private_chat: Option<LastSet<bool>>,
) -> GroupDetail {
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
    GroupDetail {
        group,
        api,
        settings: reading.info.settings,
        members,
        names_error: reading.names_error,
        private_chat,
    }
}

/// A new group's request, checked before anyone is looked up.
pub struct NewGroup {
    pub labels: Vec<Label>,
    pub owner: PersonRef,
    pub members: Vec<PersonRef>,
}

pub fn new_group(req: &NewGroupRequest) -> Result<NewGroup, ApiError> {
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
    Ok(NewGroup {
        labels,
        owner,
        members,
    })
}

/// A create: the first 40 members (owner first) in the create call, the
/// rest in member calls after it.
pub struct CreatePlan {
    pub request: GroupCreate,
    /// The members the create call cannot hold.
    pub rest: Vec<Person>,
    pub names: HashMap<UserId, String>,
    pub target: Target,
    pub changes: Vec<FieldChange>,
}

/// The create of `req` with its owner and members found, through the app
/// named `app_name`.
pub fn create(
    req: &NewGroupRequest,
    app_name: &str,
    labels: &[Label],
    owner: Person,
    people: Vec<Person>,
) -> Result<CreatePlan, ApiError> {
    let ids: Vec<String> = people.iter().map(|p| p.user_id.to_string()).collect();
    let (name, owner_id, members) = check_new_group(&req.name, owner.user_id.as_str(), &ids)?;
    let names: HashMap<UserId, String> = std::iter::once(owner)
        .chain(people)
        .map(|p| (p.user_id, p.name))
        .collect();
    let (first, rest) = members.split_at(members.len().min(MAX_MEMBERS_PER_CALL));
    let target = Target {
        kind: TargetKind::Group,
        id: None,
        label: Some(name.to_string()),
    };
    let changes = audit::diff(
        &Value::Null,
        &json!({
            "name": name, "owner": owner_id, "members": first, "settings": req.settings,
            "app": app_name, "labels": labels,
        }),
        &[],
    );
    let rest = rest
        .iter()
        .map(|m| Person {
            user_id: m.clone(),
            name: names.get(m).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(CreatePlan {
        request: GroupCreate {
            name,
            owner: owner_id,
            members: first.to_vec(),
            settings: req.settings,
        },
        rest,
        names,
        target,
        changes,
    })
}

impl CreatePlan {
    /// What the catalogue keeps of the group DingTalk `created`.
    pub fn snapshot(&self, created: &GroupCreated) -> Snapshot {
        Snapshot {
            chat_id: created.chat_id.clone(),
            open_conversation_id: created.open_conversation_id.clone(),
            name: self.request.name.to_string(),
            owner: Some(self.request.owner.clone()),
            members: self
                .request
                .members
                .iter()
                .map(|m| (m.clone(), self.names.get(m).cloned()))
                .collect(),
            dismissed: false,
        }
    }

    /// The create call's own lines: each member it added.
    pub fn report(&self) -> BatchReport {
        BatchReport {
            calls: 1,
            add: (self.request.members.iter())
                .map(|m| done(m, &self.names, None))
                .collect(),
            ..BatchReport::default()
        }
    }
}

/// An import's diff: the chat, through which app, with which labels.
pub fn import(chat_id: &ChatId, app_name: &str, labels: &[Label]) -> Vec<FieldChange> {
    audit::diff(
        &Value::Null,
        &json!({"chat_id": chat_id, "app": app_name, "labels": labels}),
        &[],
    )
}

/// The diff of replacing `group`'s labels with `labels`.
pub fn labels(group: &CatalogueGroup, labels: &[Label]) -> Vec<FieldChange> {
    audit::diff(
        &json!({ "labels": group.labels }),
        &json!({ "labels": labels }),
        &[],
    )
}
/// A planned `chat/update` (or UpdateGroup).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditPlan {
    /// What the trail files it under: the weightiest change it makes, so an
    /// ownership move is always found as `group.owner`; `changes` lists all.
    pub action: AuditAction,
    pub update: GroupUpdate,
    /// `name`, `owner`, `settings.<switch>`: before and after, as the
    /// preview shows them and the audit trail records them.
    pub changes: Vec<FieldChange>,
}

impl EditPlan {
    pub fn changes_anything(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// The edit of the group `info` to `name`, `owner` (already resolved to a
/// user id) and the switches in `settings`; what already is so is left out.
/// The new owner must be a member. All six switches are written back, since
/// DingTalk takes them together.
pub fn edit(
    info: &GroupInfo,
    name: Option<GroupName>,
    owner: Option<UserId>,
    settings: &SettingsPatch,
) -> Result<EditPlan, InvalidField> {
    if let Some(owner) = &owner
        && !info.members.contains(owner)
    {
        return Err(InvalidField::new(
            "owner",
            format!("{owner} is not a member of the group; add them first"),
        )
        .because(Problem::NotMember));
    }
    let name = name.filter(|n| n.as_str() != info.name);
    let owner = owner.filter(|o| info.owner.as_ref() != Some(o));
    let after_settings = settings.apply(info.settings);
    let before = json!({"name": info.name, "owner": info.owner, "settings": info.settings});
    let after = json!({
        "name": name.as_ref().map_or(info.name.as_str(), GroupName::as_str),
        "owner": owner.as_ref().or(info.owner.as_ref()),
        "settings": after_settings,
    });
    let action = if owner.is_some() {
        AuditAction::GroupOwner
    } else if name.is_some() {
        AuditAction::GroupRename
    } else {
        AuditAction::GroupSettings
    };
    Ok(EditPlan {
        action,
        changes: audit::diff(&before, &after, &[]),
        update: GroupUpdate {
            name,
            owner,
            settings: Some(after_settings),
            ..GroupUpdate::default()
        },
    })
}

/// The people a batch change names, checked before any lookup: neither
/// list longer than a group holds, at least one person.
pub fn batch_refs(
    add: &[String],
    remove: &[String],
) -> Result<(Vec<PersonRef>, Vec<PersonRef>), ApiError> {
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
    Ok((add, remove))
}

/// Who a member change sends upstream: of those asked, who is not a member
/// yet to add, who is to remove.
pub struct MembersPlan {
    pub add: Vec<Person>,
    pub remove: Vec<Person>,
}

/// The member change of the group `info`; refused when it removes the owner
/// or takes the group over 1,000 members.
pub fn members(
    info: &GroupInfo,
    add: &[Person],
    remove: &[Person],
) -> Result<MembersPlan, ApiError> {
    if let Some(owner) = info.owner.as_ref()
        && remove.iter().any(|p| &p.user_id == owner)
    {
        return Err(ApiError::invalid(
            "remove",
            format!("{owner} owns the group; transfer the ownership first"),
        ));
    }
    let is_member = |p: &&Person| info.members.contains(&p.user_id);
    let add: Vec<Person> = add.iter().filter(|p| !is_member(p)).cloned().collect();
    let remove: Vec<Person> = remove.iter().filter(is_member).cloned().collect();
    let add_ids: Vec<UserId> = add.iter().map(|p| p.user_id.clone()).collect();
    check_member_cap(info.members.len() - remove.len(), &add_ids)?;
    Ok(MembersPlan { add, remove })
}

/// Those of `sent` whose line says they were removed.
pub fn removed<'a>(sent: &'a [Person], lines: &[ItemOutcome]) -> Vec<&'a UserId> {
    sent.iter()
        .map(|p| &p.user_id)
        .filter(|id| lines.iter().any(|o| o.id == id.as_str() && o.is_done()))
        .collect()
}

/// The admins to appoint: of those asked, who chatdesk has not appointed
/// yet (`known`). Refused for a non-member, for the owner, and past 12
/// admins.
pub fn admins(
    info: &GroupInfo,
    known: Vec<UserId>,
    add: &[Person],
    remove: &[Person],
) -> Result<Vec<Person>, ApiError> {
    for (field, list) in [("add", add), ("remove", remove)] {
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
    Ok(to_add)
}

/// Which way a member call goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Add,
    Remove,
}

/// One member call of `batch`: its audit action, its diff and the update.
pub fn member_batch(
    batch: &[UserId],
    direction: Direction,
) -> (AuditAction, Vec<FieldChange>, GroupUpdate) {
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
    (action, listed(field, batch), update)
}

/// One admin call's diff.
pub fn admin_batch(batch: &[UserId], change: AdminChange) -> Vec<FieldChange> {
    let field = match change {
        AdminChange::Add => "admins_added",
        AdminChange::Remove => "admins_removed",
    };
    listed(field, batch)
}

/// The users of one call, as the new value of `field`.
fn listed(field: &str, batch: &[UserId]) -> Vec<FieldChange> {
    audit::diff(&Value::Null, &json!({ field: batch }), &[])
}

/// Whether a failed call names something about its users (so trying them
/// one by one tells which), rather than the group, the app or the service.
pub fn about_users(err: &UpstreamError) -> bool {
    const GROUP_CODES: [&str; 5] = ["34001", "40016", "group.diaband", "invalideChatId", "49000"];
    matches!(
        err.kind,
        ErrorKind::BadParameter { .. } | ErrorKind::NotFound
    ) && !GROUP_CODES.contains(&err.code.as_str())
}

/// An upstream failure can be reported per user; anything else (the audit
/// trail, the database) stops the batch.
pub fn clone_upstream(err: &ApiError) -> Result<ApiError, ApiError> {
    match err {
        ApiError::Upstream(e) => Ok(ApiError::Upstream(e.clone())),
        other => Err(ApiError::Internal(anyhow::anyhow!("{other}"))),
    }
}

/// The diff of the private-chat switch, from what chatdesk last set.
pub fn private_chat(before: Option<bool>, allowed: bool) -> Vec<FieldChange> {
    audit::diff(
        &json!({ "private_chat": before }),
        &json!({ "private_chat": allowed }),
        &[],
    )
}

/// A group nickname holds at most this many characters.
const MAX_NICKNAME_CHARS: usize = 20;

/// A nickname as DingTalk takes it: trimmed, at most 20 characters; empty
/// clears it.
pub fn nickname(value: &str) -> Result<&str, ApiError> {
    let nickname = value.trim();
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
    Ok(nickname)
}

/// The diff of `user`'s nickname from `before`; refused unless `user` is a
/// member of the group `info` now.
pub fn nickname_change(
    info: &GroupInfo,
    user: &UserId,
    before: Option<String>,
    nickname: &str,
) -> Result<Vec<FieldChange>, ApiError> {
    if !info.members.contains(user) {
        return Err(ApiError::invalid_because(
            "user_id",
            Problem::NotMember,
            "not a member of this group",
        ));
    }
    Ok(audit::diff(
        &json!({ "nickname": { user.as_str(): before } }),
        &json!({ "nickname": { user.as_str(): nickname } }),
        &[],
    ))
}

/// A demo group of the sandbox as the catalogue keeps it.
pub fn demo(group: &GroupRef) -> Result<Snapshot, InvalidField> {
    Ok(Snapshot {
        chat_id: ChatId::parse(&group.chatid)?,
        open_conversation_id: Some(OpenConversationId::parse(&group.open_conversation_id)?),
        name: group.name.clone(),
        owner: Some(UserId::parse(&group.owner)?),
        members: (group.members.iter())
            .map(|(id, name)| Ok((UserId::parse(id)?, Some(name.clone()))))
            .collect::<Result<_, InvalidField>>()?,
        dismissed: group.dismissed,
    })
}

/// The audit target of a group: its chatid, named.
pub fn target(group: &CatalogueGroup) -> Target {
    Target::new(
        TargetKind::Group,
        group.chat_id.as_str(),
        group.name.clone(),
    )
}

/// A person's line for a change DingTalk accepted.
pub fn done(
    id: &UserId,
    names: &HashMap<UserId, String>,
    request_id: Option<String>,
) -> ItemOutcome {
    ItemOutcome::done(id.as_str(), names.get(id).cloned(), request_id)
}

/// Each person's name by user id, for their lines.
pub fn names_of(people: &[Person]) -> HashMap<UserId, String> {
    people
        .iter()
        .map(|p| (p.user_id.clone(), p.name.clone()))
        .collect()
}

/// One line per person asked about, in the order asked: the outcomes of
/// those sent upstream, and "already so" for the others.
pub fn in_order(asked: &[Person], sent: Vec<ItemOutcome>) -> Vec<ItemOutcome> {
    let mut sent: HashMap<String, ItemOutcome> =
        sent.into_iter().map(|o| (o.id.clone(), o)).collect();
    asked
        .iter()
        .map(|p| {
            sent.remove(p.user_id.as_str())
                .unwrap_or_else(|| ItemOutcome::unchanged(p.user_id.as_str(), Some(p.name.clone())))
        })
        .collect()
}

/// A person's line from their call: done, or failed with the upstream's
/// error; anything else (the trail, the database) stops the batch.
pub fn item(
    id: &UserId,
    names: &HashMap<UserId, String>,
    outcome: Result<Option<String>, ApiError>,
) -> Result<ItemOutcome, ApiError> {
    match outcome {
        Ok(request_id) => Ok(done(id, names, request_id)),
        Err(err @ ApiError::Upstream(_)) => Ok(ItemOutcome::failed(
            id.as_str(),
            names.get(id).cloned(),
            err.body(),
        )),
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use shared::groups::{ChatId, GroupSettings};

    use super::*;

    fn user(id: &str) -> UserId {
        UserId::parse(id).unwrap()
    }

    fn group() -> GroupInfo {
        GroupInfo {
            chat_id: ChatId::parse("chat1").unwrap(),
            name: "值班".into(),
            owner: Some(user("u1")),
            members: vec![user("u1"), user("u2")],
            organization_group: false,
            settings: GroupSettings::default(),
            icon: None,
            dismissed: false,
        }
    }

    fn fields(plan: &EditPlan) -> Vec<&str> {
        plan.changes.iter().map(|c| c.field.as_str()).collect()
    }

    #[test]
    fn each_kind_of_edit_has_its_action() {
        let muted = SettingsPatch {
            muted: Some(true),
            ..SettingsPatch::default()
        };
        let plan = edit(&group(), None, None, &muted).unwrap();
        assert_eq!(plan.action, AuditAction::GroupSettings);
        assert_eq!(fields(&plan), ["settings.muted"]);
        assert_eq!(plan.changes[0].before.as_deref(), Some("false"));
        assert_eq!(plan.changes[0].after.as_deref(), Some("true"));

        let renamed = GroupName::parse("告警").ok();
        let plan = edit(&group(), renamed.clone(), None, &muted).unwrap();
        assert_eq!(plan.action, AuditAction::GroupRename);
        assert_eq!(fields(&plan), ["name", "settings.muted"]);

        let plan = edit(&group(), renamed, Some(user("u2")), &muted).unwrap();
        assert_eq!(
            plan.action,
            AuditAction::GroupOwner,
            "the weightiest change"
        );
        assert_eq!(fields(&plan), ["name", "owner", "settings.muted"]);
        assert_eq!(plan.update.owner, Some(user("u2")));
        assert_eq!(plan.update.settings.map(|s| s.muted), Some(true));
    }

    #[test]
    fn what_already_is_so_is_no_change() {
        let same = GroupName::parse("值班").ok();
        let plan = edit(&group(), same, Some(user("u1")), &SettingsPatch::default()).unwrap();
        assert!(!plan.changes_anything());
        assert_eq!(plan.update.name, None);
        assert_eq!(plan.update.owner, None);
    }

    #[test]
    fn the_new_owner_must_be_a_member() {
        let err = edit(&group(), None, Some(user("u9")), &SettingsPatch::default()).unwrap_err();
        assert_eq!(err.field, "owner");
        assert_eq!(err.problem, Problem::NotMember);
    }
}
