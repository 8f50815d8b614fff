//! The words every page shares, once.

use super::T;

pub const APP_NAME: T = T(&["chatdesk", "chatdesk"]);
pub const SKIP_TO_CONTENT: T = T(&["Skip to content", "跳到正文"]);
pub const MAIN_NAV: T = T(&["Main", "主导航"]);
pub const MENU: T = T(&["Menu", "菜单"]);
pub const LANGUAGE: T = T(&["Language", "语言"]);
pub const THEME: T = T(&["Theme", "主题"]);
pub const THEME_AUTO: T = T(&["System", "跟随系统"]);
pub const THEME_LIGHT: T = T(&["Light", "浅色"]);
pub const THEME_DARK: T = T(&["Dark", "深色"]);
pub const SANDBOX: T = T(&["Sandbox", "沙箱"]);
pub const SANDBOX_HINT: T = T(&[
    "The built-in sandbox stands in for Alibaba Cloud and DingTalk: nothing here is real.",
    "内置沙箱代替阿里云和钉钉：此处数据均非真实。",
]);
pub const HOME: T = T(&["Home", "首页"]);
pub const NO_ACCESS: T = T(&[
    "Your role cannot see this page.",
    "您的角色无权查看此页面。",
]);
pub const NOT_FOUND: T = T(&["Page not found", "页面不存在"]);
pub const NOT_FOUND_BODY: T = T(&["There is no page at this address.", "此地址没有页面。"]);
pub const BACK_HOME: T = T(&["Back to the home page", "返回首页"]);

pub const LOADING: T = T(&["Loading…", "加载中…"]);
pub const EMPTY: T = T(&["Nothing here yet.", "暂无内容。"]);
pub const NO_MATCHES: T = T(&["Nothing matches the filters.", "没有符合筛选条件的内容。"]);
pub const ROWS: T = T(&["{} rows", "共 {} 行"]);
pub const SELECTED: T = T(&["{} selected", "已选 {} 项"]);
pub const SELECT_ALL: T = T(&["Select all on this page", "全选本页"]);
pub const SELECT_ROW: T = T(&["Select {}", "选择 {}"]);
pub const PREVIOUS: T = T(&["Previous", "上一页"]);
pub const NEXT: T = T(&["Next", "下一页"]);
pub const PAGE: T = T(&["Page {}", "第 {} 页"]);
pub const SEARCH: T = T(&["Search", "搜索"]);
pub const FILTERS: T = T(&["Filters", "筛选"]);
pub const RESET: T = T(&["Reset", "重置"]);
pub const ANY: T = T(&["Any", "全部"]);

pub const NAME: T = T(&["Name", "名称"]);
pub const STATUS: T = T(&["Status", "状态"]);
pub const ACTIONS: T = T(&["Actions", "操作"]);
pub const DETAILS: T = T(&["Details", "详情"]);
pub const HISTORY: T = T(&["History", "变更记录"]);
pub const UPDATED: T = T(&["Updated", "更新时间"]);
pub const CREATED: T = T(&["Created", "创建时间"]);
pub const ENABLED: T = T(&["Enabled", "已启用"]);
pub const DISABLED: T = T(&["Disabled", "已停用"]);
/// A `disabled` field worded.
pub const DISABLED_WORDS: &[(&str, T)] = &[("true", DISABLED), ("false", ENABLED)];
/// An `enabled` field worded.
pub const ENABLED_WORDS: &[(&str, T)] = &[("true", ENABLED), ("false", DISABLED)];
pub const YES: T = T(&["Yes", "是"]);
pub const NO: T = T(&["No", "否"]);
pub const NONE: T = T(&["None", "无"]);

pub const CREATE: T = T(&["Create", "创建"]);
pub const EDIT: T = T(&["Edit", "编辑"]);
pub const DELETE: T = T(&["Delete", "删除"]);
pub const CANCEL: T = T(&["Cancel", "取消"]);
pub const CLOSE: T = T(&["Close", "关闭"]);
pub const REVIEW: T = T(&["Review changes", "检查变更"]);
pub const ADD_ROW: T = T(&["Add a row", "添加一行"]);
// Starts with the button's visible word: its name contains what it shows.
pub const REMOVE_ROW: T = T(&["Delete row {}", "删除第 {} 行"]);
pub const KEY: T = T(&["Key", "键"]);
pub const VALUE: T = T(&["Value", "值"]);
pub const CHOOSE: T = T(&["Choose…", "请选择…"]);
pub const DRAFT_RESTORED: T = T(&[
    "What you typed before was restored.",
    "已恢复您之前输入的内容。",
]);
pub const DISCARD_DRAFT: T = T(&["Discard", "放弃"]);
pub const FIX_FIELDS: T = T(&["Fix the fields marked below.", "请修改下方标出的字段。"]);

pub const PLAN_TITLE: T = T(&["Review: {}", "确认：{}"]);
pub const NO_CHANGES: T = T(&["Nothing would change.", "没有需要变更的内容。"]);
pub const FIELD: T = T(&["Field", "字段"]);
pub const BEFORE: T = T(&["Before", "变更前"]);
pub const AFTER: T = T(&["After", "变更后"]);
pub const SECRET_CHANGED: T = T(&["replaced (not shown)", "已替换（不显示）"]);
pub const SECRET_UNCHANGED: T = T(&["kept (not shown)", "保留（不显示）"]);
pub const EMPTY_VALUE: T = T(&["(empty)", "（空）"]);
pub const CONFIRM_DELETE: T = T(&["Delete {}?", "删除 {}？"]);
pub const CONFIRM_DELETE_BODY: T = T(&["This cannot be undone.", "此操作无法撤销。"]);
pub const DELETE_NAMED: T = T(&["Delete {}", "删除 {}"]);

pub const SAVED: T = T(&["Saved: {}", "已保存：{}"]);
pub const CREATED_TOAST: T = T(&["Created: {}", "已创建：{}"]);
pub const DELETED: T = T(&["Deleted: {}", "已删除：{}"]);
pub const FAILED: T = T(&["Failed: {}", "失败：{}"]);
pub const DISMISS: T = T(&["Dismiss", "关闭提示"]);
pub const NOTIFICATIONS: T = T(&["Notifications", "通知"]);

pub const ERROR_CODE: T = T(&["Error code", "错误代码"]);
pub const REQUEST_ID: T = T(&["Upstream RequestId", "上游 RequestId"]);
pub const TRACE_ID: T = T(&["Console request id", "控制台请求 ID"]);
pub const UPSTREAM_SAID: T = T(&["The upstream service said: {}", "上游服务返回：{}"]);
pub const COPY: T = T(&["Copy {}", "复制 {}"]);
pub const COPIED: T = T(&["Copied", "已复制"]);
pub const COPY_FAILED: T = T(&[
    "Copy failed: select the text instead",
    "复制失败：请手动选择文本",
]);

pub const OUTCOME_DONE: T = T(&["Done", "成功"]);
pub const OUTCOME_UNCHANGED: T = T(&["Unchanged", "无变化"]);
pub const OUTCOME_FAILED: T = T(&["Failed", "失败"]);
pub const OUTCOMES: T = T(&[
    "{} done, {} unchanged, {} failed",
    "成功 {}，无变化 {}，失败 {}",
]);
pub const ITEM: T = T(&["Item", "项目"]);
pub const RESULT: T = T(&["Result", "结果"]);
pub const COPY_SHORT: T = T(&["Copy", "复制"]);
