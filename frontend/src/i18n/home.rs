//! The home page's words.

use super::T;

pub const TITLE: T = T(&["Overview", "概览"]);
pub const CONFIGS: T = T(&["Chat configurations", "聊天配置"]);
pub const FAILING_REGIONS: T = T(&["Regions not answering", "无法读取的地域"]);
pub const ROBOTS: T = T(&["Robots", "机器人"]);
pub const DISABLED_ROBOTS: T = T(&["Disabled robots", "已停用的机器人"]);
pub const FAILING_ACCOUNTS: T = T(&["Accounts not answering", "无法读取的账号"]);
pub const GROUPS: T = T(&["Groups in the catalogue", "目录中的群"]);
pub const USERS: T = T(&["Users", "用户"]);
pub const DISABLED_USERS: T = T(&["Disabled users", "已停用的用户"]);
pub const ACCOUNTS: T = T(&["Alibaba Cloud accounts", "阿里云账号"]);
pub const APPS: T = T(&["DingTalk apps", "钉钉应用"]);
pub const LATEST: T = T(&["Latest changes", "最近变更"]);
pub const ALL_ENTRIES: T = T(&["All entries", "全部记录"]);
pub const TRAIL: T = T(&["Audit trail", "审计记录"]);
pub const TRAIL_OK: T = T(&["Intact", "完好"]);
pub const TRAIL_BAD: T = T(&["Broken from event {}", "自第 {} 条起损坏"]);
pub const TRAIL_UNCHECKED: T = T(&["Not checked yet", "尚未校验"]);
