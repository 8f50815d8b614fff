//! The audit trail's words: its page, and every action, target kind and
//! outcome worded (the trail stores codes such as `robot.update`).

use super::T;

pub const TITLE: T = T(&["Audit trail", "审计记录"]);
pub const FROM: T = T(&["From (day)", "开始日期"]);
pub const TO: T = T(&["To (day, inclusive)", "结束日期（含）"]);
pub const ACTOR: T = T(&["Who", "操作人"]);
pub const ACTION: T = T(&["Action", "操作"]);
pub const TARGET: T = T(&["Target", "对象"]);
pub const OUTCOME: T = T(&["Outcome", "结果"]);
pub const WHEN: T = T(&["When", "时间"]);
pub const SOURCE: T = T(&["From address", "来源地址"]);
pub const EXPORT_CSV: T = T(&["Export CSV", "导出 CSV"]);
pub const EXPORT_JSONL: T = T(&["Export JSON Lines", "导出 JSON Lines"]);
pub const VERIFY: T = T(&["Verify the chain", "校验哈希链"]);
pub const VERIFIED: T = T(&[
    "The chain holds: {} events checked",
    "哈希链完好：已校验 {} 条",
]);
pub const BROKEN: T = T(&[
    "The chain is broken at event {}: {}",
    "哈希链在第 {} 条处断开：{}",
]);
pub const HEALTH_OK: T = T(&[
    "Trail intact, last checked {}",
    "审计记录完好，最近校验于 {}",
]);
pub const HEALTH_BAD: T = T(&[
    "The trail does not verify from event {}: {}",
    "审计记录自第 {} 条起校验失败：{}",
]);
pub const CHANGES: T = T(&["Changes", "变更内容"]);
pub const ENTRY: T = T(&["Entry {}", "记录 {}"]);
pub const REQUEST_ID: T = T(&["Upstream RequestId", "上游 RequestId"]);
pub const ERROR: T = T(&["Error", "错误"]);
pub const HASH: T = T(&["Chain link", "链哈希"]);
pub const NO_CHANGES: T = T(&["No field changes recorded.", "未记录字段变更。"]);

pub const OUTCOMES: &[(&str, T)] = &[
    ("success", T(&["Succeeded", "成功"])),
    ("failure", T(&["Failed", "失败"])),
    ("unknown", T(&["Outcome unknown", "结果未知"])),
];

pub const TARGETS: &[(&str, T)] = &[
    ("session", T(&["Session", "会话"])),
    ("user", T(&["User", "用户"])),
    (
        "alibaba_account",
        T(&["Alibaba Cloud account", "阿里云账号"]),
    ),
    ("dingtalk_app", T(&["DingTalk app", "钉钉应用"])),
    ("chat_config", T(&["Chat configuration", "聊天配置"])),
    ("robot", T(&["Notification robot", "通知机器人"])),
    ("group", T(&["DingTalk group", "钉钉群"])),
];

pub const ACTIONS: &[(&str, T)] = &[
    ("session.sign_in", T(&["Signed in", "登录"])),
    ("session.sign_in_failed", T(&["Sign-in failed", "登录失败"])),
    ("session.sign_out", T(&["Signed out", "退出登录"])),
    ("user.create", T(&["Created a user", "创建用户"])),
    ("user.update", T(&["Changed a user", "修改用户"])),
    ("user.password_reset", T(&["Reset a password", "重置密码"])),
    ("user.disable", T(&["Disabled a user", "停用用户"])),
    ("user.enable", T(&["Enabled a user", "启用用户"])),
    ("user.delete", T(&["Deleted a user", "删除用户"])),
    (
        "vault.alibaba_account.create",
        T(&["Added an Alibaba Cloud account", "添加阿里云账号"]),
    ),
    (
        "vault.alibaba_account.update",
        T(&["Changed an Alibaba Cloud account", "修改阿里云账号"]),
    ),
    (
        "vault.alibaba_account.delete",
        T(&["Deleted an Alibaba Cloud account", "删除阿里云账号"]),
    ),
    (
        "vault.dingtalk_app.create",
        T(&["Added a DingTalk app", "添加钉钉应用"]),
    ),
    (
        "vault.dingtalk_app.update",
        T(&["Changed a DingTalk app", "修改钉钉应用"]),
    ),
    (
        "vault.dingtalk_app.delete",
        T(&["Deleted a DingTalk app", "删除钉钉应用"]),
    ),
    (
        "credential.default",
        T(&["Chose a default credential", "设置默认凭据"]),
    ),
    (
        "chat_config.create",
        T(&["Created a chat configuration", "创建聊天配置"]),
    ),
    (
        "chat_config.update",
        T(&["Changed a chat configuration", "修改聊天配置"]),
    ),
    (
        "chat_config.delete",
        T(&["Deleted a chat configuration", "删除聊天配置"]),
    ),
    ("robot.create", T(&["Added a robot", "添加机器人"])),
    ("robot.update", T(&["Changed a robot", "修改机器人"])),
    ("robot.delete", T(&["Deleted a robot", "删除机器人"])),
    (
        "robot.test_message",
        T(&["Sent a test message", "发送测试消息"]),
    ),
    ("group.create", T(&["Created a group", "创建群"])),
    ("group.update", T(&["Changed a group", "修改群"])),
    ("group.rename", T(&["Renamed a group", "重命名群"])),
    ("group.owner", T(&["Transferred a group", "转让群主"])),
    (
        "group.settings",
        T(&["Changed group settings", "修改群设置"]),
    ),
    ("group.admins", T(&["Changed group admins", "修改群管理员"])),
    (
        "group.private_chat",
        T(&["Changed private chat", "修改群内私聊"]),
    ),
    ("group.nickname", T(&["Set a group nickname", "设置群昵称"])),
    ("group.labels", T(&["Changed group labels", "修改群标签"])),
    (
        "group.members_add",
        T(&["Added group members", "添加群成员"]),
    ),
    (
        "group.members_remove",
        T(&["Removed group members", "移除群成员"]),
    ),
    ("group.dissolve", T(&["Dissolved a group", "解散群"])),
    ("group.import", T(&["Imported a group", "导入群"])),
];
