//! Server errors in the user's language: a sentence per error `code`, and
//! per field `problem` with its parameters. The server's own `message` is
//! never shown in their place (an upstream's words may be, labelled).

use shared::validate::Problem;

use super::{Lang, T, fill};

/// The sentence for an error code; `None` for a code this console does not
/// know (a newer server), which the caller words generically.
pub fn code_text(code: &str) -> Option<T> {
    Some(match code {
        "route_not_found" => T(&["This address is not part of the API.", "API 中没有此地址。"]),
        "method_not_allowed" => T(&[
            "This address does not take this kind of request.",
            "此地址不接受这种请求方式。",
        ]),
        "unauthenticated" => T(&[
            "Your session expired; sign in again.",
            "会话已过期，请重新登录。",
        ]),
        "forbidden" => T(&["Your role does not allow this.", "您的角色无权执行此操作。"]),
        "csrf" => T(&[
            "The page is out of date: reload it and try again.",
            "页面已过期，请刷新后重试。",
        ]),
        "invalid_credentials" => T(&["Wrong user name or password.", "用户名或密码错误。"]),
        "too_many_attempts" => T(&[
            "Too many failed attempts. Wait a few minutes and try again.",
            "失败次数过多，请稍等几分钟后再试。",
        ]),
        "invalid_json" => T(&[
            "The server could not read the request.",
            "服务器无法读取该请求。",
        ]),
        "payload_too_large" => T(&["The request is too large.", "请求内容过大。"]),
        "invalid_input" => T(&[
            "A field has a value that is not allowed.",
            "某个字段的值不被允许。",
        ]),
        "conflict" => T(&[
            "This conflicts with something that already exists.",
            "与已有内容冲突。",
        ]),
        "not_found" => T(&[
            "It no longer exists: someone may have removed it.",
            "该对象已不存在，可能已被他人删除。",
        ]),
        "internal" => T(&[
            "The console failed. Quote the console request id to its operator.",
            "控制台出错。请将控制台请求 ID 提供给运维人员。",
        ]),
        "audit_unavailable" => T(&[
            "The audit trail is not available right now.",
            "审计记录暂时不可用。",
        ]),
        "idempotency_in_progress" => T(&[
            "The same request is still being processed; wait a moment before retrying.",
            "相同的请求仍在处理中，请稍候再重试。",
        ]),
        "upstream_bad_parameter" => T(&[
            "The upstream service refused a value.",
            "上游服务拒绝了某个值。",
        ]),
        "upstream_permission_denied" => T(&[
            "The credential lacks a permission the upstream service requires.",
            "该凭据缺少上游服务所需的权限。",
        ]),
        "upstream_throttled" => T(&[
            "The upstream service is throttling requests; try again shortly.",
            "上游服务正在限流，请稍后再试。",
        ]),
        "upstream_auth_failed" => T(&[
            "The upstream service refused the credential.",
            "上游服务拒绝了该凭据。",
        ]),
        "upstream_not_found" => T(&[
            "The upstream service does not know it.",
            "上游服务中不存在该对象。",
        ]),
        "upstream_conflict" => T(&[
            "The upstream service reports a conflict.",
            "上游服务报告冲突。",
        ]),
        "upstream_unavailable" => T(&[
            "The upstream service is unavailable; try again later.",
            "上游服务不可用，请稍后再试。",
        ]),
        "upstream_timeout" => T(&[
            "The upstream service did not answer in time.",
            "上游服务未及时响应。",
        ]),
        "upstream_protocol" => T(&[
            "The upstream service sent an answer the console cannot read.",
            "上游服务返回了控制台无法解析的响应。",
        ]),
        "upstream_rejected" => T(&[
            "The upstream service rejected the request.",
            "上游服务拒绝了该请求。",
        ]),
        "network" => T(&[
            "The console server could not be reached.",
            "无法连接控制台服务器。",
        ]),
        "request" => T(&["The request could not be built.", "无法构造该请求。"]),
        "response" => T(&[
            "The server's answer could not be read.",
            "无法读取服务器的响应。",
        ]),
        "http" => T(&["The server answered with an error.", "服务器返回了错误。"]),
        "aborted" => T(&["The request was cancelled.", "请求已取消。"]),
        _ => return None,
    })
}

/// For a code this console does not know.
pub const UNKNOWN_CODE: T = T(&["The request failed ({}).", "请求失败（{}）。"]);

/// What is wrong with a field, as a sentence about it (the field's label
/// is shown beside it, so the sentence does not repeat it).
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    let t = |text: T, args: &[&str]| fill(text.get(lang), args);
    match problem {
        Problem::Empty => t(T(&["Enter a value.", "请填写此项。"]), &[]),
        Problem::Required => t(T(&["This is required.", "此项为必填项。"]), &[]),
        Problem::Length { min, max, count } => t(
            T(&[
                "Must be {} to {} long; this is {}.",
                "长度须为 {} 到 {}，当前为 {}。",
            ]),
            &[&min.to_string(), &max.to_string(), &count.to_string()],
        ),
        Problem::Char(c) => t(
            T(&["The character “{}” is not allowed.", "不允许使用字符“{}”。"]),
            &[&c.escape_default().to_string()],
        ),
        Problem::Range { min, max } => t(
            T(&[
                "Must be a number from {} to {}.",
                "须为 {} 到 {} 之间的数字。",
            ]),
            &[&min.to_string(), &max.to_string()],
        ),
        Problem::Format => t(
            T(&["This is not in the expected form.", "格式不正确。"]),
            &[],
        ),
        Problem::TooMany { max } => t(
            T(&["At most {} items.", "最多 {} 项。"]),
            &[&max.to_string()],
        ),
        Problem::Duplicate => t(T(&["The same item appears twice.", "有重复项。"]), &[]),
        Problem::Ambiguous { count } => t(
            T(&[
                "{} people share this name: pick one by user id.",
                "有 {} 人同名，请按用户 ID 选择。",
            ]),
            &[&count.to_string()],
        ),
        Problem::Unknown => t(T(&["No such item exists.", "不存在该项。"]), &[]),
        Problem::UnknownField => t(
            T(&[
                "This field is not part of the request.",
                "请求中不应有此字段。",
            ]),
            &[],
        ),
        Problem::NotMember => t(
            T(&[
                "This person is not a member of the group.",
                "此人不是该群成员。",
            ]),
            &[],
        ),
        Problem::WrongPassword => t(
            T(&["This is not your current password.", "当前密码不正确。"]),
            &[],
        ),
        Problem::Masked => t(
            T(&[
                "This is the mask (******), not a secret: type the real value or leave it empty.",
                "这是掩码（******），不是密钥：请输入真实值或留空。",
            ]),
            &[],
        ),
        Problem::Mismatch => t(
            T(&["Does not match the field above.", "与上一栏不一致。"]),
            &[],
        ),
        Problem::Other => t(T(&["This value is not allowed.", "该值不被允许。"]), &[]),
    }
}
