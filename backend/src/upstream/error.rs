//! One error type for every upstream failure, classified so that a user can
//! act on it, and carrying what support will ask for (code, RequestId).

use std::fmt;
use std::time::Duration;

/// Which upstream answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Oos,
    Sas,
    DingTalk,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Oos => "OOS",
            Service::Sas => "Security Center",
            Service::DingTalk => "DingTalk",
        })
    }
}

/// What a user can do about a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A parameter was refused; `field` names it when the upstream says.
    BadParameter {
        field: Option<String>,
    },
    /// The credentials lack a RAM action or DingTalk permission.
    PermissionDenied {
        permission: Option<String>,
    },
    /// Over a rate limit or quota; try again after `retry_after` if known.
    Throttled {
        retry_after: Option<Duration>,
    },
    /// The credentials themselves were refused (key, signature, token).
    AuthFailed,
    NotFound,
    Conflict,
    /// The upstream failed or could not be reached.
    Unavailable,
    /// No answer within the timeout.
    Timeout,
    /// The answer was not what the contract says (malformed body, redirect).
    Protocol,
    /// Refused for another documented reason (e.g. prohibited content).
    Rejected,
}

#[derive(Clone, Debug, thiserror::Error)]
#[error("{service} error {code}: {message}")]
pub struct UpstreamError {
    pub service: Service,
    pub kind: ErrorKind,
    /// The upstream `Code` or `errcode`, or ours for transport failures.
    pub code: String,
    pub message: String,
    pub http_status: Option<u16>,
    pub request_id: Option<String>,
    /// Whether trying again may help.
    pub retryable: bool,
    /// False only when the request provably never reached the server
    /// (e.g. connection refused), which makes even a write safe to resend.
    pub reached_server: bool,
}

impl UpstreamError {
    pub fn new(service: Service, kind: ErrorKind, code: impl Into<String>) -> UpstreamError {
        UpstreamError {
            service,
            kind,
            code: code.into(),
            message: String::new(),
            http_status: None,
            request_id: None,
            retryable: false,
            reached_server: true,
        }
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id.filter(|r| !r.is_empty());
        self
    }

    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// A throttling's wait, when the answer's headers name one and the
    /// code did not.
    pub fn retry_after(mut self, wait: Option<Duration>) -> Self {
        if let ErrorKind::Throttled { retry_after } = &mut self.kind
            && retry_after.is_none()
        {
            *retry_after = wait;
        }
        self
    }

    /// A body that does not follow the upstream's contract.
    pub fn protocol(service: Service, status: u16, detail: impl fmt::Display) -> UpstreamError {
        UpstreamError::new(service, ErrorKind::Protocol, "MalformedResponse")
            .status(status)
            .message(format!("unexpected answer: {detail}"))
    }

    /// Turns a reqwest failure into an error; only a failed connect proves
    /// the request went nowhere.
    pub fn transport(service: Service, err: &reqwest::Error) -> UpstreamError {
        let (kind, code) = if err.is_timeout() {
            (ErrorKind::Timeout, "Timeout")
        } else if err.is_connect() {
            (ErrorKind::Unavailable, "ConnectFailed")
        } else if err.is_decode() {
            (ErrorKind::Protocol, "MalformedResponse")
        } else {
            (ErrorKind::Unavailable, "ConnectionLost")
        };
        let retryable = kind != ErrorKind::Protocol;
        let mut out = UpstreamError::new(service, kind, code)
            .message(transport_message(err))
            .retryable(retryable);
        out.reached_server = !err.is_connect();
        out
    }
}

/// What went wrong, with reqwest's causes but without the URL, which may
/// carry an access token.
fn transport_message(err: &reqwest::Error) -> String {
    let mut text = String::from(if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_decode() {
        "could not decode the answer"
    } else {
        "the connection failed"
    });
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The field a `Missing{Name}` / `Invalid{Name}` code points at.
fn field_of(code: &str) -> Option<String> {
    let name = code
        .strip_prefix("MissingParameter.")
        .or_else(|| code.strip_prefix("InvalidParameter."))
        .or_else(|| code.strip_prefix("Missing"))
        .or_else(|| code.strip_prefix("Invalid"))?;
    let name = name.split('.').next().unwrap_or(name);
    (!name.is_empty() && name != "Parameter").then(|| name.to_owned())
}

/// Alibaba Cloud (OOS, Security Center) error codes, section 6 of the spec.
pub fn classify_acs(
    status: u16,
    code: &str,
    ram_action: &str,
    retry_after: Option<Duration>,
) -> (ErrorKind, bool) {
    const AUTH: [&str; 6] = [
        "InvalidAccessKeyId",
        "IncompleteSignature",
        "SignatureDoesNotMatch",
        "InvalidTimeStamp",
        "SignatureNonceUsed",
        "InvalidSecurityToken",
    ];
    if code.starts_with("Throttling") {
        return (ErrorKind::Throttled { retry_after }, true);
    }
    if AUTH.iter().any(|p| code.starts_with(p)) {
        return (ErrorKind::AuthFailed, false);
    }
    if code.starts_with("Forbidden") || code == "NoPermission" {
        let permission = Some(ram_action.to_owned());
        return (ErrorKind::PermissionDenied { permission }, false);
    }
    if matches!(code, "InvalidAction" | "InvalidApi.NotFound") {
        return (ErrorKind::Protocol, false);
    }
    if code.contains("NotExist") || code.contains("NotFound") {
        return (ErrorKind::NotFound, false);
    }
    if code.contains("AlreadyExist") {
        return (ErrorKind::Conflict, false);
    }
    if matches!(code, "InternalError" | "ServerError" | "ServiceUnavailable") || status >= 500 {
        return (ErrorKind::Unavailable, true);
    }
    if code.starts_with("Missing") || code.starts_with("Invalid") {
        return (
            ErrorKind::BadParameter {
                field: field_of(code),
            },
            false,
        );
    }
    match status {
        404 => (ErrorKind::NotFound, false),
        409 => (ErrorKind::Conflict, false),
        403 => (
            ErrorKind::PermissionDenied {
                permission: Some(ram_action.to_owned()),
            },
            false,
        ),
        _ => (ErrorKind::Rejected, false),
    }
}

/// Legacy DingTalk `errcode`s (spec 4.2, 4.4). `permission` is what the call
/// needs, named when the app lacks it.
pub fn classify_legacy(errcode: i64, permission: &str) -> (ErrorKind, bool) {
    let bad = |field: &str| ErrorKind::BadParameter {
        field: Some(field.to_owned()),
    };
    match errcode {
        -1 | 400_001 => (ErrorKind::Unavailable, true),
        // 40096: wrong app key or secret (seen in the sandbox, not listed).
        40001 | 88 | 40096 => (ErrorKind::AuthFailed, false),
        40003 => (bad("userid"), false),
        40031 => (bad("useridlist"), false),
        40016 | 34001 | 60124 | 70001 | 60121 | 60003 => (ErrorKind::NotFound, false),
        49000 => (bad("chatid"), false),
        40036 | 400_002 => (ErrorKind::BadParameter { field: None }, false),
        43007 => (
            ErrorKind::PermissionDenied {
                permission: Some(permission.to_owned()),
            },
            false,
        ),
        49026 => (ErrorKind::Conflict, false),
        90002 | 90019 => (ErrorKind::Throttled { retry_after: None }, true),
        // Monthly quota: waiting seconds will not help.
        90020 => (ErrorKind::Throttled { retry_after: None }, false),
        _ => (ErrorKind::Rejected, false),
    }
}

/// The new API's documented codes (spec 4.3), spelled as DingTalk spells
/// them, typos included.
fn documented_dingtalk(code: &str, permission: &str) -> Option<(ErrorKind, bool)> {
    let bad = |field: &str| ErrorKind::BadParameter {
        field: Some(field.to_owned()),
    };
    Some(match code {
        "invalidClientIdOrSecret" => (ErrorKind::AuthFailed, false),
        "invalidParameter.openConversationId.invalid" | "invalideChatId" => {
            (ErrorKind::NotFound, false)
        }
        "invalid.staffid" | "staff.not.found" => (bad("userIds"), false),
        "subadmin.exceed" => (ErrorKind::Conflict, false),
        "invalidParamter.role" => (bad("role"), false),
        "group.diaband" => (ErrorKind::Rejected, false),
        "parameter.invalid" => (ErrorKind::BadParameter { field: None }, false),
        "permession.checkFailed" => (
            ErrorKind::PermissionDenied {
                permission: Some(permission.to_owned()),
            },
            false,
        ),
        "system.error" => (ErrorKind::Unavailable, true),
        _ => return None,
    })
}

/// New DingTalk API errors: HTTP status plus `{code, message}`.
pub fn classify_dingtalk(status: u16, code: &str, permission: &str) -> (ErrorKind, bool) {
    if let Some(known) = documented_dingtalk(code, permission) {
        return known;
    }
    let lower = code.to_ascii_lowercase();
    // QpsLimitForApi comes as 403 Forbidden.*: a rate limit, not a permission.
    if status == 429
        || lower.contains("throttl")
        || lower.contains("flowcontrol")
        || lower.contains("qpslimit")
    {
        return (ErrorKind::Throttled { retry_after: None }, true);
    }
    if status >= 500 {
        return (ErrorKind::Unavailable, true);
    }
    if status == 401
        || lower.contains("invalidauthentication")
        || lower.contains("invalidaccesstoken")
        || lower.contains("accesstokenexpired")
        || lower.contains("appkeyorsecret")
        || lower.contains("clientsecret")
    {
        return (ErrorKind::AuthFailed, false);
    }
    if status == 403 || lower.contains("forbidden") {
        let permission = Some(permission.to_owned());
        return (ErrorKind::PermissionDenied { permission }, false);
    }
    match status {
        404 => (ErrorKind::NotFound, false),
        409 => (ErrorKind::Conflict, false),
        400 if code.starts_with("Missing") || code.starts_with("Invalid") => {
            let field = code
                .split_once('.')
                .map(|(_, f)| f.to_owned())
                .or_else(|| field_of(code));
            (ErrorKind::BadParameter { field }, false)
        }
        _ => (ErrorKind::Rejected, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acs_codes_classify_as_the_spec_says() {
        let ra = Some(Duration::from_secs(3));
        let perm = |p: &str| ErrorKind::PermissionDenied {
            permission: Some(p.to_owned()),
        };
        let cases: Vec<(u16, &str, ErrorKind, bool)> = vec![
            (
                400,
                "Throttling.User",
                ErrorKind::Throttled { retry_after: ra },
                true,
            ),
            (
                503,
                "Throttling",
                ErrorKind::Throttled { retry_after: ra },
                true,
            ),
            (
                404,
                "InvalidAccessKeyId.NotFound",
                ErrorKind::AuthFailed,
                false,
            ),
            (
                400,
                "InvalidAccessKeyId.Inactive",
                ErrorKind::AuthFailed,
                false,
            ),
            (400, "SignatureDoesNotMatch", ErrorKind::AuthFailed, false),
            (
                400,
                "InvalidTimeStamp.Expired",
                ErrorKind::AuthFailed,
                false,
            ),
            (400, "SignatureNonceUsed", ErrorKind::AuthFailed, false),
            (400, "IncompleteSignature", ErrorKind::AuthFailed, false),
            (
                403,
                "Forbidden.RAM",
                perm("oos:GetChatConfiguration"),
                false,
            ),
            (403, "NoPermission", perm("oos:GetChatConfiguration"), false),
            (404, "InvalidApi.NotFound", ErrorKind::Protocol, false),
            (
                404,
                "EntityNotExists.ChatConfiguration",
                ErrorKind::NotFound,
                false,
            ),
            (400, "EntityAlreadyExists", ErrorKind::Conflict, false),
            (500, "InternalError", ErrorKind::Unavailable, true),
            (500, "ServerError", ErrorKind::Unavailable, true),
            (503, "ServiceUnavailable", ErrorKind::Unavailable, true),
            (502, "Whatever", ErrorKind::Unavailable, true),
            (
                400,
                "MissingName",
                ErrorKind::BadParameter {
                    field: Some("Name".into()),
                },
                false,
            ),
            (
                400,
                "InvalidParameter.RegionId",
                ErrorKind::BadParameter {
                    field: Some("RegionId".into()),
                },
                false,
            ),
            (
                400,
                "InvalidParameter",
                ErrorKind::BadParameter { field: None },
                false,
            ),
            (400, "Odd", ErrorKind::Rejected, false),
        ];
        for (status, code, kind, retryable) in cases {
            assert_eq!(
                classify_acs(status, code, "oos:GetChatConfiguration", ra),
                (kind, retryable),
                "{code}"
            );
        }
    }

    #[test]
    fn legacy_codes_classify_as_the_spec_says() {
        assert_eq!(classify_legacy(-1, "p"), (ErrorKind::Unavailable, true));
        assert_eq!(classify_legacy(40001, "p"), (ErrorKind::AuthFailed, false));
        assert_eq!(
            classify_legacy(43007, "qyapi_chat_manage").0,
            ErrorKind::PermissionDenied {
                permission: Some("qyapi_chat_manage".into())
            }
        );
        assert_eq!(
            classify_legacy(90002, "p"),
            (ErrorKind::Throttled { retry_after: None }, true)
        );
        assert!(!classify_legacy(90020, "p").1);
        assert_eq!(classify_legacy(60121, "p").0, ErrorKind::NotFound);
        assert_eq!(
            classify_legacy(40003, "p").0,
            ErrorKind::BadParameter {
                field: Some("userid".into())
            }
        );
        assert_eq!(classify_legacy(41049, "p"), (ErrorKind::Rejected, false));
    }

    #[test]
    fn new_api_errors_classify_by_status_and_code() {
        assert_eq!(
            classify_dingtalk(401, "InvalidAuthentication", "p"),
            (ErrorKind::AuthFailed, false)
        );
        assert!(matches!(
            classify_dingtalk(
                403,
                "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                "p"
            )
            .0,
            ErrorKind::PermissionDenied { .. }
        ));
        assert_eq!(
            classify_dingtalk(400, "MissingopenConversationId", "p").0,
            ErrorKind::BadParameter {
                field: Some("openConversationId".into())
            }
        );
        assert_eq!(
            classify_dingtalk(503, "x", "p"),
            (ErrorKind::Unavailable, true)
        );
        assert!(classify_dingtalk(429, "Throttling", "p").1);
        assert_eq!(
            classify_dingtalk(400, "InvalidAppKeyOrSecret", "p").0,
            ErrorKind::AuthFailed
        );
        assert_eq!(
            classify_dingtalk(400, "InvalidParameter.UserId", "p").0,
            ErrorKind::BadParameter {
                field: Some("UserId".into())
            }
        );
        assert_eq!(
            classify_dingtalk(400, "ChatDismissed", "p").0,
            ErrorKind::Rejected
        );
    }

    #[test]
    fn documented_new_api_codes_classify_exactly() {
        let bad = |f: Option<&str>| ErrorKind::BadParameter {
            field: f.map(str::to_owned),
        };
        let cases = [
            (400, "invalidClientIdOrSecret", ErrorKind::AuthFailed, false),
            (
                400,
                "invalidParameter.openConversationId.invalid",
                ErrorKind::NotFound,
                false,
            ),
            (400, "invalideChatId", ErrorKind::NotFound, false),
            (400, "invalid.staffid", bad(Some("userIds")), false),
            (400, "staff.not.found", bad(Some("userIds")), false),
            (400, "subadmin.exceed", ErrorKind::Conflict, false),
            (400, "invalidParamter.role", bad(Some("role")), false),
            (400, "group.diaband", ErrorKind::Rejected, false),
            (400, "parameter.invalid", bad(None), false),
            (
                400,
                "permession.checkFailed",
                ErrorKind::PermissionDenied {
                    permission: Some("qyapi_chat_manage".into()),
                },
                false,
            ),
            (500, "system.error", ErrorKind::Unavailable, true),
            (
                403,
                "Forbidden.AccessDenied.QpsLimitForApi",
                ErrorKind::Throttled { retry_after: None },
                true,
            ),
            (
                429,
                "Forbidden.AccessDenied.QpsLimitForApi",
                ErrorKind::Throttled { retry_after: None },
                true,
            ),
        ];
        for (status, code, kind, retryable) in cases {
            assert_eq!(
                classify_dingtalk(status, code, "qyapi_chat_manage"),
                (kind, retryable),
                "{code}"
            );
        }
    }
}
