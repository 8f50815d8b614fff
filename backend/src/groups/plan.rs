//! What a group edit will do, from DingTalk's state now and what the user
//! asked: the one update call, the audit action that names it and the
//! before/after diff. Pure, so the preview shows exactly what applying does.

use serde_json::json;
use shared::audit::FieldChange;
use shared::groups::{GroupInfo, GroupName, GroupUpdate, SettingsPatch, UserId};
use shared::validate::{InvalidField, Problem};

use std::collections::HashMap;

use shared::groups::{CatalogueGroup, Person};
use shared::outcome::ItemOutcome;

use crate::audit::{self, AuditAction, Target, TargetKind};
use crate::error::ApiError;

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
