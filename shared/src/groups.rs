//! DingTalk group chats and the directory behind their members.

use serde::{Deserialize, Serialize};

use crate::validate::string_type;

/// Characters safe in ids that travel in URL paths and comma lists.
fn id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | '+' | '$' | '@')
}

string_type!(
    /// A legacy chat id (`chat...`), returned by server-side `chat/create`.
    ChatId,
    "chat_id",
    1..=64,
    id_char,
    "letters, digits and - _ . = + $ @"
);

string_type!(
    /// The new API's group id (`cid...`, base64-like).
    OpenConversationId,
    "open_conversation_id",
    1..=128,
    |c| id_char(c) || c == '/',
    "letters, digits and - _ . = + / $ @"
);

string_type!(
    /// A group's name: 1 to 20 characters.
    GroupName,
    "name",
    1..=20,
    |c| !c.is_control(),
    "printable characters"
);

string_type!(
    /// A person as a picker or a paste names them: a user id or an exact
    /// name. Never blank, so every one asked about is someone to look up.
    PersonRef,
    "user_id",
    1..=64,
    |c| !c.is_control(),
    "printable characters"
);

impl PersonRef {
    /// `value` as a person named in `field`.
    pub fn parse_in(field: &str, value: &str) -> Result<PersonRef, InvalidField> {
        PersonRef::parse(value).map_err(|e| InvalidField {
            field: field.to_owned(),
            ..e
        })
    }
}

string_type!(
    /// An organization member's DingTalk userid.
    UserId,
    "user_id",
    1..=64,
    id_char,
    "letters, digits and - _ . = + $ @"
);

/// The six group switches. Each is off unless turned on, as DingTalk's own
/// default is 0 for every one: a switch left out of a request is off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupSettings {
    /// chatBannedType 1: everyone muted.
    pub muted: bool,
    /// searchable 1: the group can be found by search.
    pub searchable: bool,
    /// validationType 1: joining needs approval.
    pub join_needs_approval: bool,
    /// mentionAllAuthority 1: only the owner may @all.
    pub only_owner_mentions_all: bool,
    /// managementType 1: only the owner manages.
    pub only_owner_manages: bool,
    /// showHistoryType 1: new members see the last 100 messages.
    pub new_members_see_history: bool,
}

/// A member list change is capped at this many users per call.
pub const MAX_MEMBERS_PER_CALL: usize = 40;
/// A group holds at most this many members.
pub const MAX_GROUP_MEMBERS: usize = 1000;
/// A group has at most this many admins besides its owner.
pub const MAX_GROUP_ADMINS: usize = 12;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCreate {
    pub name: GroupName,
    pub owner: UserId,
    /// Must contain the owner; at most [`MAX_MEMBERS_PER_CALL`].
    pub members: Vec<UserId>,
    pub settings: GroupSettings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCreated {
    pub chat_id: ChatId,
    pub open_conversation_id: Option<OpenConversationId>,
    pub conversation_tag: Option<i64>,
}

/// A partial update; `None` and empty lists leave things as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupUpdate {
    pub name: Option<GroupName>,
    pub owner: Option<UserId>,
    pub add_members: Vec<UserId>,
    pub remove_members: Vec<UserId>,
    pub settings: Option<GroupSettings>,
}

/// What `chat/get` says about a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub chat_id: ChatId,
    pub name: String,
    pub owner: Option<UserId>,
    pub members: Vec<UserId>,
    /// conversationTag 2.
    pub organization_group: bool,
    pub settings: GroupSettings,
    pub icon: Option<String>,
    /// status 2.
    pub dismissed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminChange {
    Add,
    Remove,
}

impl AdminChange {
    /// The upstream `role` value.
    pub const fn role(self) -> u8 {
        match self {
            AdminChange::Add => 2,
            AdminChange::Remove => 3,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBaseInfo {
    pub open_conversation_id: OpenConversationId,
    pub title: String,
    pub icon: Option<String>,
    pub member_count: Option<u32>,
    pub tag: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub user_id: UserId,
    pub name: Option<String>,
    pub nick_name: Option<String>,
    pub icon: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub members: Vec<GroupMember>,
    pub has_more: bool,
    pub next_token: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSearchHit {
    pub open_conversation_id: OpenConversationId,
    pub title: String,
    pub icon: Option<String>,
    pub member_amount: Option<u32>,
}

/// Directory language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectoryLang {
    #[default]
    #[serde(rename = "zh_CN")]
    ZhCn,
    #[serde(rename = "en_US")]
    EnUs,
}

impl DirectoryLang {
    pub const fn as_str(self) -> &'static str {
        match self {
            DirectoryLang::ZhCn => "zh_CN",
            DirectoryLang::EnUs => "en_US",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryUser {
    pub user_id: UserId,
    pub union_id: Option<String>,
    pub name: String,
    pub avatar: Option<String>,
    pub title: Option<String>,
    pub dept_ids: Vec<i64>,
    pub active: Option<bool>,
    pub admin: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserBrief {
    pub user_id: UserId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserBrief>,
    pub has_more: bool,
    pub next_cursor: Option<i64>,
}

/// One page of a contact search: the ids of people found by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSearch {
    pub user_ids: Vec<UserId>,
    pub has_more: bool,
    pub total_count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub dept_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

// ---- The console's `/api/v1/groups` boundary ----

use crate::outcome::ItemOutcome;
use crate::validate::InvalidField;
use crate::vault::DingTalkApi;

/// Console labels: at most this many per group, each 1-32 characters.
pub const MAX_LABELS: usize = 10;
pub const MAX_LABEL_CHARS: usize = 32;
/// A catalogue page holds this many groups.
pub const CATALOGUE_PAGE: u32 = 50;

string_type!(
    /// A console label on a group (e.g. a department).
    Label,
    "labels",
    1..=MAX_LABEL_CHARS,
    |c| !c.is_control() && c != ',',
    "printable characters except ,"
);

/// A value last set through chatdesk, with who set it and when (DingTalk
/// cannot read it back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSet<T> {
    pub value: T,
    pub by: String,
    /// Epoch milliseconds.
    pub at: i64,
}

/// A group in chatdesk's catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueGroup {
    /// The console's id of the catalogue entry.
    pub id: String,
    pub app_id: String,
    pub app_name: String,
    pub chat_id: ChatId,
    pub open_conversation_id: Option<OpenConversationId>,
    pub name: String,
    pub owner: Option<UserId>,
    pub owner_name: Option<String>,
    pub member_count: u32,
    pub dismissed: bool,
    pub labels: Vec<Label>,
    /// When chatdesk last read it from DingTalk (epoch ms).
    pub refreshed_at: i64,
}

/// `GET /groups`: one page of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CataloguePage {
    pub groups: Vec<CatalogueGroup>,
    pub total: u64,
    pub next_offset: Option<u64>,
}

/// The catalogue filter: `q` matches a group's name, its owner's name or id,
/// or a member's name or id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// A member on the group page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: UserId,
    pub name: Option<String>,
    pub owner: bool,
    /// Appointed admin through chatdesk (DingTalk cannot list admins).
    pub admin: bool,
    pub nickname: Option<LastSet<String>>,
}

/// `GET /groups/{id}`: the group as DingTalk has it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub group: CatalogueGroup,
    pub api: DingTalkApi,
    pub settings: GroupSettings,
    pub members: Vec<MemberView>,
    /// Names could not be read (the group still shows, with ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names_error: Option<String>,
    /// `Some(true)`: members may chat privately.
    pub private_chat: Option<LastSet<bool>>,
}

/// `POST /groups`: a new group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGroupRequest {
    pub app_id: String,
    pub name: String,
    pub owner: String,
    /// User ids; the owner is added when missing. More than 40 are added by
    /// follow-up calls.
    pub members: Vec<String>,
    #[serde(default)]
    pub settings: GroupSettings,
    #[serde(default)]
    pub labels: Vec<String>,
}

/// `POST /groups/import`: a group created elsewhere, by chatid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub app_id: String,
    pub chat_id: String,
    #[serde(default)]
    pub labels: Vec<String>,
}

/// The six switches, each `None` when the user left it alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searchable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_needs_approval: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_owner_mentions_all: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_owner_manages: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_members_see_history: Option<bool>,
}

impl SettingsPatch {
    /// `current` with what the user changed.
    pub fn apply(&self, current: GroupSettings) -> GroupSettings {
        GroupSettings {
            muted: self.muted.unwrap_or(current.muted),
            searchable: self.searchable.unwrap_or(current.searchable),
            join_needs_approval: self
                .join_needs_approval
                .unwrap_or(current.join_needs_approval),
            only_owner_mentions_all: self
                .only_owner_mentions_all
                .unwrap_or(current.only_owner_mentions_all),
            only_owner_manages: self
                .only_owner_manages
                .unwrap_or(current.only_owner_manages),
            new_members_see_history: self
                .new_members_see_history
                .unwrap_or(current.new_members_see_history),
        }
    }

    /// What changes from `before` to `after`, as a patch.
    pub fn between(before: GroupSettings, after: GroupSettings) -> SettingsPatch {
        let changed = |a: bool, b: bool| (a != b).then_some(b);
        SettingsPatch {
            muted: changed(before.muted, after.muted),
            searchable: changed(before.searchable, after.searchable),
            join_needs_approval: changed(before.join_needs_approval, after.join_needs_approval),
            only_owner_mentions_all: changed(
                before.only_owner_mentions_all,
                after.only_owner_mentions_all,
            ),
            only_owner_manages: changed(before.only_owner_manages, after.only_owner_manages),
            new_members_see_history: changed(
                before.new_members_see_history,
                after.new_members_see_history,
            ),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == SettingsPatch::default()
    }
}

/// `PATCH /groups/{id}`: name, owner and switches; absent fields stay.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub settings: SettingsPatch,
}

/// `POST /groups/{id}/members`: user ids or exact names, pasted or picked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersChange {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// `POST /groups/{id}/admins`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminsChange {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// `PUT /groups/{id}/private-chat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateChatChange {
    pub allowed: bool,
}

/// `PUT /groups/{id}/nickname`: an empty nickname clears it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NicknameChange {
    pub user_id: String,
    pub nickname: String,
}

/// `GET /groups/apps`: a DingTalk app groups live in, as the group pages
/// offer it. Help-desk staff may not read the credentials vault, so they
/// get only this.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppChoice {
    pub id: String,
    pub name: String,
}

/// `PUT /groups/{id}/labels`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelsChange {
    pub labels: Vec<String>,
}

/// `GET /groups/{id}/join-link`: what the QR code encodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLink {
    pub link: String,
    pub sharer: UserId,
}

/// Every user a batch was asked about, each way, with what happened to
/// them; partial failures are never hidden.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchReport {
    pub add: Vec<ItemOutcome>,
    pub remove: Vec<ItemOutcome>,
    /// How many upstream calls the batch took.
    pub calls: u32,
}

impl BatchReport {
    pub fn failed(&self) -> usize {
        crate::outcome::failed(&self.add) + crate::outcome::failed(&self.remove)
    }
}

/// `POST /groups`: the created group and the follow-up member calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateReport {
    pub group: CatalogueGroup,
    pub members: BatchReport,
}

/// A person found by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: UserId,
    pub name: String,
}

/// The user ids of `values`, refusing an empty or malformed one by field.
pub fn user_ids(field: &'static str, values: &[String]) -> Result<Vec<UserId>, InvalidField> {
    let mut out: Vec<UserId> = Vec::with_capacity(values.len());
    for value in values {
        let id = UserId::parse(value)
            .map_err(|e| InvalidField::new(field, format!("{value:?}: {}", e.message)))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A create's members with the owner first: name, owner among members
/// (added when missing) and the 1,000-member cap, refused by field.
pub fn check_new_group(
    name: &str,
    owner: &str,
    members: &[String],
) -> Result<(GroupName, UserId, Vec<UserId>), InvalidField> {
    let name = GroupName::parse(name)?;
    let owner = UserId::parse(owner).map_err(|e| InvalidField::new("owner", e.message))?;
    let mut list = vec![owner.clone()];
    for id in user_ids("members", members)? {
        if id != owner {
            list.push(id);
        }
    }
    if list.len() > MAX_GROUP_MEMBERS {
        return Err(InvalidField::new(
            "members",
            format!(
                "{} members (the owner included); a group holds at most {MAX_GROUP_MEMBERS}",
                list.len()
            ),
        ));
    }
    Ok((name, owner, list))
}

/// Members after adding `add` must stay within the cap: the 1,001st is
/// refused, naming them.
pub fn check_member_cap(current: usize, add: &[UserId]) -> Result<(), InvalidField> {
    // The one that would be member 1,001, if there is one: adding nobody
    // is never over the cap, even in a group DingTalk let grow past it.
    if let Some(first_over) = add.get(MAX_GROUP_MEMBERS.saturating_sub(current)) {
        return Err(InvalidField::new(
            "add",
            format!(
                "{first_over} would be member number {}; a group holds at most {MAX_GROUP_MEMBERS} ({current} now, {} to add)",
                MAX_GROUP_MEMBERS + 1,
                add.len()
            ),
        ));
    }
    Ok(())
}

/// Admins after the change must stay within 12: the 13th is refused,
/// naming them.
pub fn check_admin_cap(current: &[UserId], add: &[UserId]) -> Result<(), InvalidField> {
    let mut all: Vec<&UserId> = current.iter().collect();
    for id in add {
        if !all.contains(&id) {
            all.push(id);
            if all.len() > MAX_GROUP_ADMINS {
                return Err(InvalidField::new(
                    "add",
                    format!(
                        "{id} would be admin number {}; a group has at most {MAX_GROUP_ADMINS} admins",
                        all.len()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Labels: trimmed, deduplicated, at most [`MAX_LABELS`].
pub fn check_labels(values: &[String]) -> Result<Vec<Label>, InvalidField> {
    let mut out: Vec<Label> = Vec::new();
    for value in values {
        let label = Label::parse(value)?;
        if !out.contains(&label) {
            out.push(label);
        }
    }
    if out.len() > MAX_LABELS {
        return Err(InvalidField::new(
            "labels",
            format!("{} labels; at most {MAX_LABELS}", out.len()),
        ));
    }
    Ok(out)
}

/// Splits `ids` into calls of at most [`MAX_MEMBERS_PER_CALL`].
pub fn batches(ids: &[UserId]) -> std::slice::Chunks<'_, UserId> {
    ids.chunks(MAX_MEMBERS_PER_CALL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_1_to_20_chars() {
        assert!(GroupName::parse(&"群".repeat(20)).is_ok());
        let err = GroupName::parse(&"群".repeat(21)).unwrap_err();
        assert_eq!(err.field, "name");
        assert!(GroupName::parse("  ").is_err());
    }

    #[test]
    fn ids_refuse_path_and_list_separators() {
        assert!(ChatId::parse("chat0123abcd").is_ok());
        for bad in ["chat/../x", "a,b", "a?b", "a b", "a%2F"] {
            assert_eq!(ChatId::parse(bad).unwrap_err().field, "chat_id", "{bad}");
            assert!(UserId::parse(bad).is_err(), "{bad}");
        }
        assert!(OpenConversationId::parse("cidAbC+/d==").is_ok());
        assert!(OpenConversationId::parse("cid?x").is_err());
    }

    fn ids(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
        range.map(|n| format!("user{n:04}")).collect()
    }

    #[test]
    fn new_groups_name_owner_and_cap() {
        let (name, owner, members) = check_new_group(" 项目 ", "user0002", &ids(1..=3)).unwrap();
        assert_eq!(name.as_str(), "项目");
        assert_eq!(owner.as_str(), "user0002");
        assert_eq!(members[0], owner, "the owner first");
        assert_eq!(members.len(), 3);
        let (_, _, with_owner) = check_new_group("x", "user0009", &ids(1..=2)).unwrap();
        assert_eq!(with_owner.len(), 3, "a missing owner is added");
        let err = check_new_group(&"x".repeat(21), "user0001", &[]).unwrap_err();
        assert_eq!(err.field, "name");
        let err = check_new_group("x", "user0001", &ids(1..=1001)).unwrap_err();
        assert_eq!(err.field, "members");
        assert!(err.message.contains("1001 members"), "{err}");
        assert!(check_new_group("x", "user0001", &ids(1..=1000)).is_ok());
        let err = check_new_group("x", "user0001", &["a,b".into()]).unwrap_err();
        assert_eq!(err.field, "members");
        assert!(err.message.contains("\"a,b\""), "{err}");
    }

    #[test]
    fn caps_name_the_first_user_over() {
        let add = user_ids("add", &ids(2001..=2003)).unwrap();
        let err = check_member_cap(999, &add).unwrap_err();
        assert_eq!(err.field, "add");
        assert!(
            err.message
                .starts_with("user2002 would be member number 1001"),
            "{err}"
        );
        assert!(check_member_cap(997, &add).is_ok());
        let current = user_ids("x", &ids(1..=11)).unwrap();
        assert!(check_admin_cap(&current, &add[..1]).is_ok());
        let err = check_admin_cap(&current, &add[..2]).unwrap_err();
        assert!(
            err.message.starts_with("user2002 would be admin number 13"),
            "{err}"
        );
        assert!(check_member_cap(1001, &[]).is_ok(), "adding nobody");
        assert!(check_member_cap(1001, &add[..1]).is_err());
        // Appointing an admin again is not a new one.
        assert!(check_admin_cap(&current, &current).is_ok());
    }

    #[test]
    fn settings_patches_change_only_what_the_user_changed() {
        let current = GroupSettings {
            muted: true,
            searchable: true,
            ..GroupSettings::default()
        };
        let patch = SettingsPatch {
            searchable: Some(false),
            join_needs_approval: Some(true),
            ..SettingsPatch::default()
        };
        let after = patch.apply(current);
        assert!(after.muted && !after.searchable && after.join_needs_approval);
        assert_eq!(SettingsPatch::between(current, after), patch);
        assert!(SettingsPatch::between(after, after).is_empty());
    }

    #[test]
    fn labels_and_batches() {
        let labels = check_labels(&["研发".into(), " 研发 ".into(), "HR".into()]).unwrap();
        assert_eq!(labels.len(), 2);
        assert_eq!(check_labels(&["a,b".into()]).unwrap_err().field, "labels");
        let many: Vec<String> = (0..11).map(|i| format!("l{i}")).collect();
        assert_eq!(check_labels(&many).unwrap_err().field, "labels");
        let all = user_ids("add", &ids(1..=120)).unwrap();
        let sizes: Vec<usize> = batches(&all).map(<[UserId]>::len).collect();
        assert_eq!(sizes, vec![40, 40, 40]);
        assert_eq!(
            user_ids("add", &["u1".into(), "u1".into()]).unwrap().len(),
            1
        );
    }

    #[test]
    fn people_are_never_blank() {
        for blank in ["", " ", "\u{2028}", "\t\n"] {
            let err = PersonRef::parse_in("owner", blank).unwrap_err();
            assert_eq!(err.field, "owner", "{blank:?}");
            assert_eq!(err.problem, crate::validate::Problem::Empty, "{blank:?}");
        }
        assert_eq!(
            PersonRef::parse_in("owner", " 林洋 ").unwrap().as_str(),
            "林洋"
        );
        assert!(PersonRef::parse_in("add", "Ann Lee").is_ok());
    }

    #[test]
    fn a_settings_subset_takes_dingtalks_defaults() {
        let settings: GroupSettings = serde_json::from_str(r#"{"searchable": true}"#).unwrap();
        let expected = GroupSettings {
            searchable: true,
            ..GroupSettings::default()
        };
        assert_eq!(settings, expected);
    }

    #[test]
    fn admin_roles() {
        assert_eq!(AdminChange::Add.role(), 2);
        assert_eq!(AdminChange::Remove.role(), 3);
        assert_eq!(
            serde_json::to_string(&DirectoryLang::EnUs).unwrap(),
            "\"en_US\""
        );
    }
}
