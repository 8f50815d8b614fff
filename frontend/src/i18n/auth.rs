//! Signing in, the account page and the users page.

use super::T;

pub const SIGN_IN_TITLE: T = T(&["Sign in to chatdesk", "登录 chatdesk"]);
pub const USERNAME: T = T(&["User name", "用户名"]);
pub const PASSWORD: T = T(&["Password", "密码"]);
pub const SIGN_IN: T = T(&["Sign in", "登录"]);
pub const SIGN_OUT: T = T(&["Sign out", "退出登录"]);
pub const SESSION_EXPIRED: T = T(&[
    "Your session ended. Sign in again to continue where you were.",
    "会话已结束。请重新登录以继续。",
]);
pub const ACCOUNT: T = T(&["Your account", "我的账号"]);
pub const CHANGE_PASSWORD: T = T(&["Change password", "修改密码"]);
pub const CURRENT_PASSWORD: T = T(&["Current password", "当前密码"]);
pub const NEW_PASSWORD: T = T(&["New password", "新密码"]);
pub const CONFIRM_PASSWORD: T = T(&["New password again", "再次输入新密码"]);
pub const PASSWORD_RULE: T = T(&["12 to 256 characters.", "12 到 256 个字符。"]);
pub const PASSWORD_CHANGED: T = T(&["Password changed for {}", "已修改 {} 的密码"]);

pub const USERS: T = T(&["Users", "用户"]);
pub const ROLE: T = T(&["Role", "角色"]);
pub const ADMIN: T = T(&["Administrator", "管理员"]);
pub const HELPDESK: T = T(&["Help desk", "服务台"]);
pub const AUDITOR: T = T(&["Auditor", "审计员"]);
pub const ROLES: &[(&str, T)] = &[
    ("admin", ADMIN),
    ("helpdesk", HELPDESK),
    ("auditor", AUDITOR),
];
pub const NEW_USER: T = T(&["New user", "新建用户"]);
pub const CREATE_USER: T = T(&["Create user", "创建用户"]);
pub const USERNAME_HINT: T = T(&[
    "Lowercase letters, digits and . _ @ -; up to 64.",
    "小写字母、数字及 . _ @ -，最多 64 个字符。",
]);
pub const EDIT_USER: T = T(&["Edit {}", "编辑 {}"]);
pub const ACCOUNT_DISABLED: T = T(&["Account disabled", "停用账号"]);
pub const APPLY_USER: T = T(&["Apply to {}", "应用到 {}"]);
pub const RESET_PASSWORD: T = T(&["Reset password", "重置密码"]);
pub const RESET_PASSWORD_OF: T = T(&["Reset the password of {}", "重置 {} 的密码"]);
pub const SET_PASSWORD: T = T(&["Set password", "设置密码"]);
pub const USER_LABELS: &[(&str, T)] = &[("role", ROLE), ("disabled", ACCOUNT_DISABLED)];
