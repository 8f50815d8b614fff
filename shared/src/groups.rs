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
    /// An organization member's DingTalk userid.
    UserId,
    "user_id",
    1..=64,
    id_char,
    "letters, digits and - _ . = + $ @"
);

/// The six group switches (all off by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub dept_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
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
