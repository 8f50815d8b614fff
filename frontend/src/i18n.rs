//! Every string the UI shows goes through [`text`]: one exhaustive table per
//! message, so a missing translation is a compile error, not a blank label.

use leptos::prelude::*;
use shared::area::Area;
use shared::auth::Role;
use shared::vault::{DingTalkApi, DingTalkSite, SignatureKind};

/// Where the chosen language is remembered between visits.
const STORAGE_KEY: &str = "chatdesk.lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// BCP 47 tag, used for `<html lang>` and storage.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Accepts our own codes and browser tags such as `zh-Hans-CN` or `en-GB`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// The language's name in itself, as language pickers show it.
    pub const fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    AppName,
    SkipToContent,
    MainNav,
    Language,
    Area(Area),
    HomeTitle,
    HomeIntro,
    NotFoundTitle,
    NotFoundBody,
    BackHome,
    Audit(AuditMsg),
    Robots(crate::robots::RobotsMsg),
    Groups(crate::groups::GroupsMsg),
    Ui(UiMsg),
    Chat(crate::chat_configs::ChatMsg),
    NoAccess,
    SignInTitle,
    Username,
    Password,
    SignIn,
    WrongCredentials,
    TooManyAttempts,
    AccountMenu,
    SignOut,
    ChangePassword,
    CurrentPassword,
    NewPassword,
    ConfirmPassword,
    PasswordsDiffer,
    PasswordRule,
    Role(Role),
    RoleLabel,
    Status,
    Enabled,
    Disabled,
    Disable,
    Enable,
    ResetPassword,
    SetPassword,
    Cancel,
    Actions,
    CreateUser,
    Create,
    Done,
    AlibabaAccounts,
    DingTalkApps,
    Name,
    AccessKeyId,
    AccessKeySecret,
    StsToken,
    Signature,
    SignatureKind(SignatureKind),
    Regions,
    RegionsHint,
    Fingerprint,
    AppKey,
    AppSecret,
    SiteLabel,
    Site(DingTalkSite),
    ApiPreference,
    Api(DingTalkApi),
    Add,
    Delete,
    ReplaceSecret,
    TestConnection,
    ConnectionOk,
    ConnectionFailed,
    WriteOnlyNote,
    Yes,
    No,
}

/// The audit page's strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditMsg {
    Filters,
    From,
    To,
    Actor,
    Action,
    AnyAction,
    Target,
    Outcome,
    AnyOutcome,
    Apply,
    Reset,
    ExportCsv,
    ExportJsonl,
    Loading,
    LoadFailed,
    NoEvents,
    Events,
    Time,
    Role,
    Source,
    Details,
    Newer,
    Older,
    Page,
    Success,
    Failure,
    Intent,
    Unknown,
    EventTitle,
    OutcomeEvent,
    IntentEvent,
    RequestId,
    ErrorCode,
    ErrorMessage,
    Hash,
    Close,
    ChainBroken,
    ChainCheckedAt,
}

/// The text of `msg` in `lang`.
pub fn text(lang: Lang, msg: Msg) -> &'static str {
    let [en, zh] = match msg {
        Msg::AppName => ["chatdesk", "chatdesk"],
        Msg::SkipToContent => ["Skip to content", "跳到正文"],
        Msg::MainNav => ["Main", "主导航"],
        Msg::Language => ["Language", "语言"],
        Msg::Area(Area::ChatConfigs) => ["Chat configurations", "聊天配置"],
        Msg::Area(Area::Robots) => ["Robots", "通知机器人"],
        Msg::Area(Area::Groups) => ["Groups", "群组"],
        Msg::Area(Area::Audit) => ["Audit", "审计"],
        Msg::Area(Area::Users) => ["Users", "用户"],
        Msg::Area(Area::Credentials) => ["Credentials", "凭据"],
        Msg::HomeTitle => ["Welcome to chatdesk", "欢迎使用 chatdesk"],
        Msg::HomeIntro => [
            "Manage OOS chat configurations, Security Center notification robots and DingTalk groups in one place. Secrets stay on the server; every change is checked and recorded.",
            "在一处管理 OOS 聊天配置、云安全中心通知机器人和钉钉群。密钥只保存在服务器上，每一次变更都会被校验并记录。",
        ],
        Msg::NotFoundTitle => ["Page not found", "页面不存在"],
        Msg::NotFoundBody => [
            "There is no page at this address.",
            "此地址没有对应的页面。",
        ],
        Msg::BackHome => ["Back to the start page", "返回首页"],
        Msg::Audit(m) => audit_text(m),
        Msg::Robots(m) => crate::robots::robots_text(m),
        Msg::Groups(m) => crate::groups::i18n::text(m),
        Msg::Ui(m) => ui_text(m),
        Msg::Chat(m) => crate::chat_configs::chat_text(m),
        Msg::NoAccess => [
            "Your role does not give access to this page.",
            "您的角色无权访问此页面。",
        ],
        Msg::SignInTitle => ["Sign in to chatdesk", "登录 chatdesk"],
        Msg::Username => ["User name", "用户名"],
        Msg::Password => ["Password", "密码"],
        Msg::SignIn => ["Sign in", "登录"],
        Msg::WrongCredentials => ["Wrong user name or password.", "用户名或密码错误。"],
        Msg::TooManyAttempts => [
            "Too many failed attempts. Wait a few minutes and try again.",
            "失败次数过多，请稍等几分钟后再试。",
        ],
        Msg::AccountMenu => ["Account", "账户"],
        Msg::SignOut => ["Sign out", "退出登录"],
        Msg::ChangePassword => ["Change password", "修改密码"],
        Msg::CurrentPassword => ["Current password", "当前密码"],
        Msg::NewPassword => ["New password", "新密码"],
        Msg::ConfirmPassword => ["Repeat the new password", "再次输入新密码"],
        Msg::PasswordsDiffer => ["The two new passwords differ.", "两次输入的新密码不一致。"],
        Msg::PasswordRule => ["At least 12 characters.", "至少 12 个字符。"],
        Msg::Role(Role::Admin) => ["Administrator", "管理员"],
        Msg::Role(Role::Helpdesk) => ["Help desk", "服务台"],
        Msg::Role(Role::Auditor) => ["Auditor", "审计员"],
        Msg::RoleLabel => ["Role", "角色"],
        Msg::Status => ["Status", "状态"],
        Msg::Enabled => ["Enabled", "已启用"],
        Msg::Disabled => ["Disabled", "已停用"],
        Msg::Disable => ["Disable", "停用"],
        Msg::Enable => ["Enable", "启用"],
        Msg::ResetPassword => ["Reset password", "重置密码"],
        Msg::SetPassword => ["Set password", "设置密码"],
        Msg::Cancel => ["Cancel", "取消"],
        Msg::Actions => ["Actions", "操作"],
        Msg::CreateUser => ["New user", "新建用户"],
        Msg::Create => ["Create", "创建"],
        Msg::Done => ["Saved.", "已保存。"],
        Msg::AlibabaAccounts => ["Alibaba Cloud accounts", "阿里云账号"],
        Msg::DingTalkApps => ["DingTalk apps", "钉钉应用"],
        Msg::Name => ["Name", "名称"],
        Msg::AccessKeyId => ["AccessKey ID", "AccessKey ID"],
        Msg::AccessKeySecret => ["AccessKey secret", "AccessKey 密钥"],
        Msg::StsToken => ["STS token (optional)", "STS 令牌（可选）"],
        Msg::Signature => ["Signature", "签名方式"],
        Msg::SignatureKind(SignatureKind::V3) => {
            ["V3 (ACS3-HMAC-SHA256)", "V3（ACS3-HMAC-SHA256）"]
        }
        Msg::SignatureKind(SignatureKind::Legacy) => ["Legacy (HMAC-SHA1)", "旧版（HMAC-SHA1）"],
        Msg::Regions => ["Regions in use", "使用的地域"],
        Msg::RegionsHint => [
            "Comma-separated, e.g. cn-hangzhou, cn-shanghai",
            "用逗号分隔，例如 cn-hangzhou, cn-shanghai",
        ],
        Msg::Fingerprint => ["Fingerprint", "指纹"],
        Msg::AppKey => ["AppKey", "AppKey"],
        Msg::AppSecret => ["AppSecret", "AppSecret"],
        Msg::SiteLabel => ["Site", "站点"],
        Msg::Site(DingTalkSite::Mainland) => ["Mainland China", "中国内地"],
        Msg::Site(DingTalkSite::International) => ["International", "国际"],
        Msg::ApiPreference => ["Preferred API", "优先使用的接口"],
        Msg::Api(DingTalkApi::New) => ["New (api.dingtalk.com)", "新版（api.dingtalk.com）"],
        Msg::Api(DingTalkApi::Legacy) => {
            ["Legacy (oapi.dingtalk.com)", "旧版（oapi.dingtalk.com）"]
        }
        Msg::Add => ["Add", "添加"],
        Msg::Delete => ["Delete", "删除"],
        Msg::ReplaceSecret => ["Replace secret", "更换密钥"],
        Msg::TestConnection => ["Test connection", "测试连接"],
        Msg::ConnectionOk => ["Connection works", "连接正常"],
        Msg::ConnectionFailed => ["Connection failed", "连接失败"],
        Msg::WriteOnlyNote => [
            "Secrets are write-only: they are stored encrypted and never shown again, only a fingerprint.",
            "密钥只能写入：加密保存，之后不再显示，只显示指纹。",
        ],
        Msg::Yes => ["Yes", "是"],
        Msg::No => ["No", "否"],
    };
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

impl AuditMsg {
    pub const ALL: [AuditMsg; 38] = [
        AuditMsg::Filters,
        AuditMsg::From,
        AuditMsg::To,
        AuditMsg::Actor,
        AuditMsg::Action,
        AuditMsg::AnyAction,
        AuditMsg::Target,
        AuditMsg::Outcome,
        AuditMsg::AnyOutcome,
        AuditMsg::Apply,
        AuditMsg::Reset,
        AuditMsg::ExportCsv,
        AuditMsg::ExportJsonl,
        AuditMsg::Loading,
        AuditMsg::LoadFailed,
        AuditMsg::NoEvents,
        AuditMsg::Events,
        AuditMsg::Time,
        AuditMsg::Role,
        AuditMsg::Source,
        AuditMsg::Details,
        AuditMsg::Newer,
        AuditMsg::Older,
        AuditMsg::Page,
        AuditMsg::Success,
        AuditMsg::Failure,
        AuditMsg::Intent,
        AuditMsg::Unknown,
        AuditMsg::EventTitle,
        AuditMsg::OutcomeEvent,
        AuditMsg::IntentEvent,
        AuditMsg::RequestId,
        AuditMsg::ErrorCode,
        AuditMsg::ErrorMessage,
        AuditMsg::Hash,
        AuditMsg::Close,
        AuditMsg::ChainBroken,
        AuditMsg::ChainCheckedAt,
    ];
}

fn audit_text(msg: AuditMsg) -> [&'static str; 2] {
    use AuditMsg as A;
    match msg {
        A::Filters => ["Filter the audit trail", "筛选审计记录"],
        A::From => ["From", "开始时间"],
        A::To => ["To", "结束时间"],
        A::Actor => ["Actor", "操作人"],
        A::Action => ["Action", "操作"],
        A::AnyAction => ["Any action", "全部操作"],
        A::Target => ["Target", "对象"],
        A::Outcome => ["Outcome", "结果"],
        A::AnyOutcome => ["Any outcome", "全部结果"],
        A::Apply => ["Apply filters", "应用筛选"],
        A::Reset => ["Reset", "重置"],
        A::ExportCsv => ["Export CSV", "导出 CSV"],
        A::ExportJsonl => ["Export JSON Lines", "导出 JSON Lines"],
        A::Loading => ["Loading…", "加载中…"],
        A::LoadFailed => ["The audit trail could not be loaded:", "无法加载审计记录："],
        A::NoEvents => ["No events match these filters.", "没有符合筛选条件的事件。"],
        A::Events => ["Audit events, newest first", "审计事件（最新在前）"],
        A::Time => ["Time", "时间"],
        A::Role => ["Role", "角色"],
        A::Source => ["Source address", "来源地址"],
        A::Details => ["Details", "详情"],
        A::Newer => ["Newer", "较新"],
        A::Older => ["Older", "较早"],
        A::Page => ["Page", "页"],
        A::Success => ["Success", "成功"],
        A::Failure => ["Failure", "失败"],
        A::Intent => ["Intent (outcome recorded)", "意图（已记录结果）"],
        A::Unknown => ["Outcome unknown", "结果未知"],
        A::EventTitle => ["Event", "事件"],
        A::OutcomeEvent => ["Outcome event", "结果事件"],
        A::IntentEvent => ["Outcome of intent", "对应的意图"],
        A::RequestId => ["Upstream RequestId", "上游 RequestId"],
        A::ErrorCode => ["Error code", "错误码"],
        A::ErrorMessage => ["Error message", "错误信息"],
        A::Hash => ["Chain hash", "链式哈希"],
        A::Close => ["Close", "关闭"],
        A::ChainBroken => [
            "The audit trail fails verification: it was changed outside the console. First bad event:",
            "审计记录未通过校验：有人在控制台之外改动了它。第一个异常事件：",
        ],
        A::ChainCheckedAt => ["Checked at", "校验时间"],
    }
}

/// The strings of the shared UI parts (`crate::ui`) and the shell around them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiMsg {
    FieldEmpty,
    FieldLength,
    FieldChar,
    Filter,
    Loading,
    Empty,
    NoMatches,
    Previous,
    Next,
    Page,
    Rows,
    SelectAll,
    SelectRow,
    Selected,
    Required,
    FixFields,
    Changes,
    NoChanges,
    Field,
    Before,
    After,
    Absent,
    SecretHidden,
    SecretChanged,
    SecretUnchanged,
    ErrorTitle,
    ErrorCode,
    RequestId,
    TraceId,
    Copy,
    Copied,
    SessionExpired,
    Menu,
    Sandbox,
    SandboxHint,
    ReviewChanges,
    Apply,
    DeleteCredential,
    DeleteCredentialHint,
    Details,
}

impl UiMsg {
    pub const ALL: [UiMsg; 40] = [
        UiMsg::FieldEmpty,
        UiMsg::FieldLength,
        UiMsg::FieldChar,
        UiMsg::Filter,
        UiMsg::Loading,
        UiMsg::Empty,
        UiMsg::NoMatches,
        UiMsg::Previous,
        UiMsg::Next,
        UiMsg::Page,
        UiMsg::Rows,
        UiMsg::SelectAll,
        UiMsg::SelectRow,
        UiMsg::Selected,
        UiMsg::Required,
        UiMsg::FixFields,
        UiMsg::Changes,
        UiMsg::NoChanges,
        UiMsg::Field,
        UiMsg::Before,
        UiMsg::After,
        UiMsg::Absent,
        UiMsg::SecretHidden,
        UiMsg::SecretChanged,
        UiMsg::SecretUnchanged,
        UiMsg::ErrorTitle,
        UiMsg::ErrorCode,
        UiMsg::RequestId,
        UiMsg::TraceId,
        UiMsg::Copy,
        UiMsg::Copied,
        UiMsg::SessionExpired,
        UiMsg::Menu,
        UiMsg::Sandbox,
        UiMsg::SandboxHint,
        UiMsg::ReviewChanges,
        UiMsg::Apply,
        UiMsg::DeleteCredential,
        UiMsg::DeleteCredentialHint,
        UiMsg::Details,
    ];
}

/// Messages with a `{}` take one argument: see [`I18n::fill`].
fn ui_text(msg: UiMsg) -> [&'static str; 2] {
    use UiMsg as U;
    match msg {
        U::FieldEmpty => ["must not be empty", "不能为空"],
        U::FieldLength => [
            "must be {} to {} characters long, not {}",
            "长度须为 {} 到 {} 个字符，当前为 {} 个",
        ],
        U::FieldChar => ["{} is not allowed", "不允许使用字符 {}"],
        U::Filter => ["Filter {}", "筛选{}"],
        U::Loading => ["Loading…", "加载中…"],
        U::Empty => ["Nothing here yet.", "暂无内容。"],
        U::NoMatches => ["No rows match the filter.", "没有符合筛选条件的行。"],
        U::Previous => ["Previous page", "上一页"],
        U::Next => ["Next page", "下一页"],
        U::Page => ["Page {}", "第 {} 页"],
        U::Rows => ["Rows: {}", "行数：{}"],
        U::SelectAll => ["Select all rows on this page", "选择本页所有行"],
        U::SelectRow => ["Select {}", "选择 {}"],
        U::Selected => ["{} selected", "已选择 {} 项"],
        U::Required => ["Required.", "必填。"],
        U::FixFields => [
            "Some fields need attention: see the messages next to them.",
            "部分字段需要修改，请查看字段旁的提示。",
        ],
        U::Changes => ["Changes", "变更"],
        U::NoChanges => ["No field changes.", "没有字段变更。"],
        U::Field => ["Field", "字段"],
        U::Before => ["Before", "变更前"],
        U::After => ["After", "变更后"],
        U::Absent => ["(none)", "（无）"],
        U::SecretHidden => ["(secret, hidden)", "（密钥，已隐藏）"],
        U::SecretChanged => ["changed", "已更改"],
        U::SecretUnchanged => ["unchanged", "未更改"],
        U::ErrorTitle => ["The request failed", "请求失败"],
        U::ErrorCode => ["Error code", "错误码"],
        U::RequestId => ["Upstream RequestId", "上游 RequestId"],
        U::TraceId => ["Console request id", "控制台请求 ID"],
        U::Copy => ["Copy {}", "复制{}"],
        U::Copied => ["Copied.", "已复制。"],
        U::SessionExpired => [
            "Your session expired; sign in again.",
            "会话已过期，请重新登录。",
        ],
        U::Menu => ["Menu", "菜单"],
        U::Sandbox => ["Sandbox", "沙箱"],
        U::SandboxHint => [
            "The built-in sandbox stands in for Alibaba Cloud and DingTalk: nothing real changes.",
            "内置沙箱代替阿里云和钉钉：不会改动任何真实数据。",
        ],
        U::ReviewChanges => ["Apply these changes to {}?", "对 {} 应用这些变更？"],
        U::Apply => ["Apply", "应用"],
        U::DeleteCredential => ["Delete credential {}?", "删除凭据 {}？"],
        U::DeleteCredentialHint => [
            "Pages that use it stop working until another credential is chosen. This cannot be undone.",
            "使用它的页面将无法工作，直到选择其他凭据。此操作无法撤销。",
        ],
        U::Details => ["Details: {}", "详情：{}"],
    }
}

/// English and Simplified Chinese for an error `code` the server (or the
/// client itself: `network`, `request`, `response`, `http`) can send;
/// `None` for a code this console does not know, which then shows the
/// server's own message.
pub fn error_text(lang: Lang, code: &str) -> Option<&'static str> {
    let [en, zh] = match code {
        "route_not_found" => ["This address is not part of the API.", "API 中没有此地址。"],
        "method_not_allowed" => [
            "This address does not take this kind of request.",
            "此地址不接受这种请求方式。",
        ],
        "unauthenticated" => [
            "Your session expired; sign in again.",
            "会话已过期，请重新登录。",
        ],
        "forbidden" => ["Your role does not allow this.", "您的角色无权执行此操作。"],
        "csrf" => [
            "The page is out of date: reload it and try again.",
            "页面已过期，请刷新后重试。",
        ],
        "invalid_credentials" => ["Wrong user name or password.", "用户名或密码错误。"],
        "too_many_attempts" => [
            "Too many failed attempts. Wait a few minutes and try again.",
            "失败次数过多，请稍等几分钟后再试。",
        ],
        "invalid_json" => [
            "The server could not read the request.",
            "服务器无法读取该请求。",
        ],
        "payload_too_large" => ["The request is too large.", "请求内容过大。"],
        "invalid_input" => [
            "A field has a value that is not allowed.",
            "某个字段的值不被允许。",
        ],
        "conflict" => [
            "This conflicts with something that already exists.",
            "与已有内容冲突。",
        ],
        "not_found" => [
            "It no longer exists: someone may have removed it.",
            "该对象已不存在，可能已被他人删除。",
        ],
        "internal" => [
            "The console failed. Quote the console request id to its operator.",
            "控制台出错。请将控制台请求 ID 提供给运维人员。",
        ],
        "audit_unavailable" => [
            "The audit trail is not available right now.",
            "审计记录暂时不可用。",
        ],
        "idempotency_in_progress" => [
            "The same request is still being processed; wait a moment before retrying.",
            "相同的请求仍在处理中，请稍候再重试。",
        ],
        "upstream_bad_parameter" => [
            "The upstream service refused a value.",
            "上游服务拒绝了某个值。",
        ],
        "upstream_permission_denied" => [
            "The credential lacks a permission the upstream service requires.",
            "该凭据缺少上游服务所需的权限。",
        ],
        "upstream_throttled" => [
            "The upstream service is throttling requests; try again shortly.",
            "上游服务正在限流，请稍后再试。",
        ],
        "upstream_auth_failed" => [
            "The upstream service refused the credential.",
            "上游服务拒绝了该凭据。",
        ],
        "upstream_not_found" => [
            "The upstream service does not know it.",
            "上游服务中不存在该对象。",
        ],
        "upstream_conflict" => [
            "The upstream service reports a conflict.",
            "上游服务报告冲突。",
        ],
        "upstream_unavailable" => [
            "The upstream service is unavailable; try again later.",
            "上游服务不可用，请稍后再试。",
        ],
        "upstream_timeout" => [
            "The upstream service did not answer in time.",
            "上游服务未及时响应。",
        ],
        "upstream_protocol" => [
            "The upstream service sent an answer the console cannot read.",
            "上游服务返回了控制台无法解析的响应。",
        ],
        "upstream_rejected" => [
            "The upstream service rejected the request.",
            "上游服务拒绝了该请求。",
        ],
        "network" => [
            "The console server could not be reached.",
            "无法连接控制台服务器。",
        ],
        "request" => ["The request could not be built.", "无法构造该请求。"],
        "response" => [
            "The server's answer could not be read.",
            "无法读取服务器的响应。",
        ],
        "http" => ["The server answered with an error.", "服务器返回了错误。"],
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    })
}

/// The UI language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
    }

    /// Reactive: reading it inside a view re-renders on a language change.
    pub fn t(&self, msg: Msg) -> &'static str {
        text(self.lang.get(), msg)
    }

    /// `msg` with its `{}` replaced by `arg` (reactive, like [`I18n::t`]).
    pub fn fill(&self, msg: Msg, arg: &str) -> String {
        self.t(msg).replacen("{}", arg, 1)
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The remembered choice, else the browser's preference, else English.
fn initial_lang() -> Lang {
    let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    stored
        .as_deref()
        .and_then(Lang::from_code)
        .or_else(|| {
            let nav = web_sys::window()?.navigator().language()?;
            Lang::from_code(&nav)
        })
        .unwrap_or(Lang::En)
}

/// Creates the language context, remembers changes and keeps `<html lang>`
/// in step so screen readers pronounce the text right.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        lang: RwSignal::new(initial_lang()),
    };
    Effect::new(move |_| {
        let lang = i18n.lang.get();
        if let Some(s) = storage() {
            // Private browsing may refuse storage; the choice then lasts the visit.
            let _ = s.set_item(STORAGE_KEY, lang.code());
        }
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", lang.code());
        }
    });
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The text of `msg` in the current language, as a reactive view or
/// attribute. Use this rather than a `tr(..)` closure in views:
/// every distinct closure makes Leptos compile its rendering code again,
/// while this one closure type serves all messages and keeps the wasm small.
pub fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(msg)
}
