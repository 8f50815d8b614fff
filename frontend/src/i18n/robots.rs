//! The robots page's words.

use super::T;

pub const TITLE: T = T(&["Notification robots", "通知机器人"]);
pub const NEW: T = T(&["New robot", "新建机器人"]);
pub const NEW_IN: T = T(&["New robot in {}", "在 {} 中新建机器人"]);
pub const EDIT_TITLE: T = T(&["Edit robot {}", "编辑机器人 {}"]);
pub const CREATE_Q: T = T(&["Create robot {} in {}?", "创建机器人 {}（账号 {}）？"]);
pub const CREATE_NAMED: T = T(&["Create robot {}", "创建机器人 {}"]);
pub const APPLY: T = T(&["Save robot {}", "保存机器人 {}"]);
pub const DELETE_Q: T = T(&["Delete robot {}?", "删除机器人 {}？"]);
pub const DISABLE_Q: T = T(&["Disable robot {}?", "停用机器人 {}？"]);
pub const DISABLE_NAMED: T = T(&["Disable {}", "停用 {}"]);
pub const DISABLE_NOTE: T = T(&[
    "It sends no alerts until it is enabled again.",
    "重新启用之前，它不会发送任何告警。",
]);
pub const DELETE_MANY_Q: T = T(&["Delete {} robots?", "删除 {} 个机器人？"]);
pub const DELETE_MANY: T = T(&["Delete {} robots", "删除 {} 个机器人"]);
pub const ENABLE_MANY: T = T(&["Enable selected", "启用所选"]);
pub const DISABLE_MANY: T = T(&["Disable selected", "停用所选"]);
pub const DELETE_SELECTED: T = T(&["Delete selected", "删除所选"]);
pub const TEST: T = T(&["Test message", "测试消息"]);
pub const TEST_SENT: T = T(&["Test message sent: {}", "测试消息已发送：{}"]);
pub const ENABLE: T = T(&["Enable", "启用"]);
pub const DISABLE: T = T(&["Disable", "停用"]);
pub const ENABLED_TOAST: T = T(&["Enabled: {}", "已启用：{}"]);
pub const DISABLED_TOAST: T = T(&["Disabled: {}", "已停用：{}"]);
pub const DONE_MANY: T = T(&["Done for {} robots", "已处理 {} 个机器人"]);
pub const ACCOUNT: T = T(&["Account", "账号"]);
pub const ACCOUNT_FAILED: T = T(&[
    "{}: its robots could not be listed:",
    "{}：无法列出其机器人：",
]);
pub const WEBHOOK: T = T(&["Webhook URL", "Webhook 地址"]);
pub const WEBHOOK_HINT: T = T(&[
    "https://oapi.dingtalk.com/robot/send?access_token=… Never shown again.",
    "https://oapi.dingtalk.com/robot/send?access_token=… 保存后不再显示。",
]);
pub const WEBHOOK_KEEP: T = T(&[
    "Never shown. Leave empty to keep the current webhook.",
    "不会显示。留空则保留当前 Webhook。",
]);
pub const LANG: T = T(&["Message language", "消息语言"]);
pub const LANG_ZH: T = T(&["Chinese", "中文"]);
pub const LANG_EN: T = T(&["English", "英文"]);
pub const INTERVAL: T = T(&["Send interval", "发送间隔"]);
pub const INTERVAL_HINT: T = T(&[
    "At most one message per interval; 0 for no limit (up to one day).",
    "每个间隔内最多发送一条消息；0 表示不限（最长一天）。",
]);
pub const UNIT: T = T(&["Interval unit", "间隔单位"]);
pub const SECONDS: T = T(&["seconds", "秒"]);
pub const MINUTES: T = T(&["minutes", "分钟"]);
pub const NO_LIMIT: T = T(&["no limit", "不限"]);
pub const SCOPES: T = T(&["Alerts to send", "发送的告警"]);
pub const GROUPS: T = T(&["Asset groups", "资产分组"]);
pub const LANGS: &[(&str, T)] = &[("zh", LANG_ZH), ("en", LANG_EN)];
pub const UNITS: &[(&str, T)] = &[("minutes", MINUTES), ("seconds", SECONDS)];

/// The server's plan and the form's fields, labelled.
pub const FIELD_LABELS: &[(&str, T)] = &[
    ("name", super::common::NAME),
    ("url", WEBHOOK),
    ("webhook", WEBHOOK),
    ("lang", LANG),
    ("interval", INTERVAL),
    ("interval_unit", UNIT),
    ("scopes", SCOPES),
    ("rules", SCOPES),
    ("group_ids", GROUPS),
    ("enabled", super::common::ENABLED),
];
