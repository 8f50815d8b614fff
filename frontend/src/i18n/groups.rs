//! The groups page's words.

use super::T;

pub const TITLE: T = T(&["DingTalk groups", "钉钉群"]);
pub const CATALOGUE: T = T(&["Groups in the catalogue", "目录中的群"]);
pub const NO_GROUPS: T = T(&[
    "No groups yet: create or import one.",
    "暂无群：请创建或导入。",
]);
pub const SEARCH_HINT: T = T(&["Name, owner or member", "群名、群主或成员"]);
pub const APP: T = T(&["DingTalk app", "钉钉应用"]);
pub const LABEL: T = T(&["Label", "标签"]);
pub const LABELS: T = T(&["Labels", "标签"]);
pub const LABELS_HINT: T = T(&[
    "One per line; for finding groups in chatdesk.",
    "每行一个；用于在 chatdesk 中查找群。",
]);
pub const GROUP_NAME: T = T(&["Group name", "群名称"]);
pub const OWNER: T = T(&["Owner", "群主"]);
pub const MEMBER_COUNT: T = T(&["Members", "成员数"]);
pub const ACTIVE: T = T(&["Active", "正常"]);
pub const DISMISSED: T = T(&["Dismissed", "已解散"]);
/// A `dismissed` field worded.
pub const DISMISSED_WORDS: &[(&str, T)] = &[("true", DISMISSED), ("false", ACTIVE)];
pub const PERSON_HINT: T = T(&[
    "A user id, or a person's exact name.",
    "用户 ID，或准确的姓名。",
]);
pub const PEOPLE_HINT: T = T(&[
    "User ids or exact names, one per line.",
    "用户 ID 或准确姓名，每行一个。",
]);

pub const CREATE_GROUP: T = T(&["Create group", "创建群"]);
pub const NEW_GROUP: T = T(&["New group", "新建群"]);
pub const MEMBERS: T = T(&["Members", "成员"]);
pub const IMPORT_GROUP: T = T(&["Import group", "导入群"]);
pub const IMPORT: T = T(&["Import", "导入"]);
pub const IMPORTED: T = T(&["Imported: {}", "已导入：{}"]);
pub const CHAT_ID: T = T(&["Chat id", "会话 ID（chatid）"]);
pub const CHAT_ID_HINT: T = T(&[
    "The chatid of a group created through a server-side API.",
    "通过服务端接口创建的群的 chatid。",
]);

pub const MUTED: T = T(&["Everyone muted", "全员禁言"]);
pub const SEARCHABLE: T = T(&["Can be found by search", "可被搜索到"]);
pub const JOIN_APPROVAL: T = T(&["Joining needs approval", "入群需审批"]);
pub const OWNER_MENTIONS_ALL: T = T(&["Only the owner may @all", "仅群主可 @所有人"]);
pub const OWNER_MANAGES: T = T(&["Only the owner manages", "仅群主可管理"]);
pub const NEW_SEE_HISTORY: T = T(&[
    "New members see the last 100 messages",
    "新成员可查看最近 100 条消息",
]);
/// The six switches: the field key the server names and its words.
pub const SWITCHES: [(&str, T); 6] = [
    ("settings.muted", MUTED),
    ("settings.searchable", SEARCHABLE),
    ("settings.join_needs_approval", JOIN_APPROVAL),
    ("settings.only_owner_mentions_all", OWNER_MENTIONS_ALL),
    ("settings.only_owner_manages", OWNER_MANAGES),
    ("settings.new_members_see_history", NEW_SEE_HISTORY),
];
pub const PRIVATE_CHAT: T = T(&["Private chat between members", "成员间私聊"]);
pub const ALLOWED: T = T(&["Allowed", "允许"]);
pub const FORBIDDEN: T = T(&["Forbidden", "禁止"]);
pub const NOT_SET: T = T(&[
    "Not set through chatdesk (DingTalk cannot report it)",
    "未通过 chatdesk 设置（钉钉无法读取）",
]);
pub const SET_BY: T = T(&["{} (set by {}, {})", "{}（{} 设置于 {}）"]);
/// A plan's labels besides the switches' (the plan wording takes both).
pub const PLAN_LABELS: &[(&str, T)] = &[
    ("name", GROUP_NAME),
    ("owner", OWNER),
    ("private_chat", PRIVATE_CHAT),
    ("nickname", NICKNAME),
];

pub const RENAME: T = T(&["Rename", "重命名"]);
pub const RENAME_TO: T = T(&["Rename to {}", "重命名为 {}"]);
pub const TRANSFER: T = T(&["Transfer owner", "转让群主"]);
pub const NEW_OWNER: T = T(&["New owner", "新群主"]);
pub const TRANSFER_TO: T = T(&["Transfer {} to {}", "将 {} 转让给 {}"]);
pub const CHANGE_SETTINGS: T = T(&["Change settings", "修改设置"]);
pub const APPLY_SETTINGS: T = T(&["Change settings of {}", "修改 {} 的设置"]);
pub const CHANGE_PRIVATE: T = T(&["Change private chat", "修改私聊设置"]);
pub const ALLOW_PRIVATE: T = T(&["Allow private chat in {}", "允许 {} 成员私聊"]);
pub const FORBID_PRIVATE: T = T(&["Forbid private chat in {}", "禁止 {} 成员私聊"]);

pub const CHAT_ID_FACT: T = T(&["Chat id", "会话 ID"]);
pub const API_KIND: T = T(&["DingTalk API", "钉钉接口"]);
pub const API_NEW: T = T(&["New (api.dingtalk.com)", "新版（api.dingtalk.com）"]);
pub const API_LEGACY: T = T(&["Legacy (oapi.dingtalk.com)", "旧版（oapi.dingtalk.com）"]);
pub const REFRESHED: T = T(&["Read from DingTalk", "读取自钉钉"]);
pub const NAMES_ERROR: T = T(&[
    "Member names could not be read; members show by user id.",
    "无法读取成员姓名，成员以用户 ID 显示。",
]);

pub const TAB_SETTINGS: T = T(&["Settings", "设置"]);
pub const TAB_NICKNAMES: T = T(&["Nicknames", "群昵称"]);
pub const TAB_QR: T = T(&["Join QR", "入群二维码"]);

pub const USER_ID: T = T(&["User id", "用户 ID"]);
pub const ROLE: T = T(&["Role", "角色"]);
pub const ROLE_OWNER: T = T(&["Owner", "群主"]);
pub const ROLE_ADMIN: T = T(&["Admin", "管理员"]);
pub const ROLE_MEMBER: T = T(&["Member", "成员"]);
pub const FILTER_MEMBERS: T = T(&["Filter members", "筛选成员"]);
pub const ADD_MEMBERS: T = T(&["Add members", "添加成员"]);
pub const ADD_N: T = T(&["Add {} members", "添加 {} 名成员"]);
pub const ADD_ONE: T = T(&["Add 1 member", "添加 1 名成员"]);
pub const ADD_TO: T = T(&["Add to {}: {}?", "添加到 {}：{}？"]);
pub const PEOPLE: T = T(&["People", "人员"]);
pub const REMOVE_N: T = T(&["Remove {} members", "移除 {} 名成员"]);
pub const REMOVE_ONE: T = T(&["Remove 1 member", "移除 1 名成员"]);
pub const REMOVE_FROM: T = T(&["Remove from {}: {}?", "从 {} 移除：{}？"]);
pub const AND_MORE: T = T(&["{} and {} more", "{} 等 {} 人"]);
pub const MAKE_ADMIN: T = T(&["Make admin", "设为管理员"]);
pub const MAKE_ADMIN_OF: T = T(&["Make {} an admin of {}?", "将 {} 设为 {} 的管理员？"]);
pub const UNSET_ADMIN: T = T(&["Remove admin", "取消管理员"]);
pub const UNSET_ADMIN_OF: T = T(&["Remove {} as admin of {}?", "取消 {} 在 {} 的管理员身份？"]);
pub const MEMBERS_CHANGED: T = T(&["Members changed: {}", "成员已变更：{}"]);

pub const NICKNAME: T = T(&["Group nickname", "群昵称"]);
pub const NICKNAME_HINT: T = T(&["Leave empty to clear it.", "留空以清除。"]);
pub const SET_NICKNAME: T = T(&["Set nickname", "设置昵称"]);
pub const NICKNAME_OF: T = T(&["Nickname of {}", "{} 的群昵称"]);

pub const JOIN_LINK: T = T(&["Join link", "入群链接"]);
pub const QR_ALT: T = T(&["QR code to join {}", "加入 {} 的二维码"]);
pub const SHARER: T = T(&["Shared by", "分享人"]);

pub const WHEN: T = T(&["When", "时间"]);
pub const WHO: T = T(&["Who", "操作人"]);
pub const SET_NICKNAME_OF: T = T(&["Set the nickname of {}", "设置 {} 的群昵称"]);
