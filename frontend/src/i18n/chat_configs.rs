//! The chat_configs page's words.

use super::T;

pub const TITLE: T = T(&["Chat configurations", "聊天配置"]);
pub const ONE: T = T(&["Chat configuration {} ({})", "聊天配置 {}（{}）"]);
pub const NEW: T = T(&["Create chat configuration", "创建聊天配置"]);
pub const EDIT_TITLE: T = T(&["Edit chat configuration {}", "编辑聊天配置 {}"]);
pub const APPLY: T = T(&["Apply changes to {}", "应用对 {} 的更改"]);
pub const DELETE_Q: T = T(&[
    "Delete chat configuration {} ({})?",
    "删除聊天配置 {}（{}）？",
]);
pub const ACCOUNT: T = T(&["Account", "账号"]);
pub const REGION: T = T(&["Region", "地域"]);
pub const PLATFORM: T = T(&["Platform", "平台"]);
pub const DINGTALK: T = T(&["DingTalk", "钉钉"]);
pub const WECOM: T = T(&["WeCom", "企业微信"]);
pub const RAM_ROLE: T = T(&["RAM role", "RAM 角色"]);
pub const RESOURCE_GROUP: T = T(&["Resource group id", "资源组 ID"]);
pub const LABELS: T = T(&["Labels", "标签"]);
pub const LABELS_HINT: T = T(&[
    "Console labels, one per line or separated by commas.",
    "控制台标签，每行一个或用逗号分隔。",
]);
pub const CLIENT_ID: T = T(&["Client id (AppKey)", "Client ID（AppKey）"]);
pub const CLIENT_SECRET: T = T(&["Client secret (AppSecret)", "Client Secret（AppSecret）"]);
pub const TEMPLATE_ID: T = T(&["Card template id", "卡片模板 ID"]);
pub const ENTRIES: T = T(&["WeCom settings", "企业微信配置项"]);
pub const ENTRIES_HINT: T = T(&[
    "Keys such as CorpId, CorpSecret, AgentId. A value whose key names a secret is write-only: leave it empty to keep it.",
    "如 CorpId、CorpSecret、AgentId。键名含密钥的值只写不读：留空则保留原值。",
]);
pub const SECRET_KEEP: T = T(&[
    "Never shown. Leave empty to keep the current secret.",
    "不会显示。留空则保留当前密钥。",
]);
pub const WEBHOOK: T = T(&["Webhook URL", "Webhook 地址"]);
pub const SETTINGS: T = T(&["Settings", "配置项"]);
pub const SECRET_SET: T = T(&["set (not shown)", "已设置（不显示）"]);
pub const SECRET_UNSET: T = T(&["not set", "未设置"]);
pub const SECRETS: T = T(&["Secrets", "密钥"]);
pub const SECRETS_HELD: T = T(&["held by chatdesk", "由 chatdesk 保管"]);
pub const SECRETS_OUTSIDE: T = T(&[
    "set outside chatdesk: type them again to change the settings",
    "在 chatdesk 之外设置：修改配置项时需重新输入",
]);
pub const CONFIGURATION: T = T(&["Configuration", "配置"]);
pub const REGION_FAILED: T = T(&["{} · {} could not be listed:", "{} · {} 无法列出："]);

/// The server's plan and the form's fields, labelled.
pub const LABELS_OF_FIELDS: &[(&str, T)] = &[
    ("type", PLATFORM),
    ("ram_role", RAM_ROLE),
    ("resource_group_id", RESOURCE_GROUP),
    ("labels", LABELS),
    ("configuration.DingTalkClientId", CLIENT_ID),
    ("configuration.DingTalkClientSecret", CLIENT_SECRET),
    ("configuration.DingTalkTemplateId", TEMPLATE_ID),
    (
        "configuration.CorpId",
        T(&["Corp id (CorpId)", "企业 ID（CorpId）"]),
    ),
    (
        "configuration.CorpSecret",
        T(&["Corp secret (CorpSecret)", "企业密钥（CorpSecret）"]),
    ),
    (
        "configuration.AgentId",
        T(&["Agent id (AgentId)", "应用 ID（AgentId）"]),
    ),
    ("configuration", SETTINGS),
];
