//! The audit trail's shapes, shared by the server and the auditor UI: the
//! names of audited actions, events as the API returns them, the filter
//! (and its query string) and the chain verification report.

use serde::{Deserialize, Serialize};

/// Every audited, state-changing action. The stored name ([`Self::as_str`])
/// never changes once released: old events keep meaning the same thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    #[serde(rename = "session.sign_in")]
    SignIn,
    #[serde(rename = "session.sign_in_failed")]
    SignInFailed,
    #[serde(rename = "session.sign_out")]
    SignOut,
    #[serde(rename = "user.create")]
    UserCreate,
    #[serde(rename = "user.update")]
    UserUpdate,
    #[serde(rename = "user.password_reset")]
    UserPasswordReset,
    #[serde(rename = "user.disable")]
    UserDisable,
    #[serde(rename = "user.enable")]
    UserEnable,
    #[serde(rename = "user.delete")]
    UserDelete,
    #[serde(rename = "vault.alibaba_account.create")]
    AlibabaAccountCreate,
    #[serde(rename = "vault.alibaba_account.update")]
    AlibabaAccountUpdate,
    #[serde(rename = "vault.alibaba_account.delete")]
    AlibabaAccountDelete,
    #[serde(rename = "vault.dingtalk_app.create")]
    DingtalkAppCreate,
    #[serde(rename = "vault.dingtalk_app.update")]
    DingtalkAppUpdate,
    #[serde(rename = "vault.dingtalk_app.delete")]
    DingtalkAppDelete,
    /// A credential marked as the default of its kind.
    #[serde(rename = "credential.default")]
    CredentialDefault,
    #[serde(rename = "chat_config.create")]
    ChatConfigCreate,
    #[serde(rename = "chat_config.update")]
    ChatConfigUpdate,
    #[serde(rename = "chat_config.delete")]
    ChatConfigDelete,
    #[serde(rename = "robot.create")]
    RobotCreate,
    #[serde(rename = "robot.update")]
    RobotUpdate,
    #[serde(rename = "robot.delete")]
    RobotDelete,
    #[serde(rename = "robot.test_message")]
    RobotTestMessage,
    #[serde(rename = "group.create")]
    GroupCreate,
    /// Any group edit, as events before the actions below name it.
    #[serde(rename = "group.update")]
    GroupUpdate,
    #[serde(rename = "group.rename")]
    GroupRename,
    /// The ownership moved (with whatever else the same edit changed).
    #[serde(rename = "group.owner")]
    GroupOwner,
    #[serde(rename = "group.settings")]
    GroupSettings,
    /// Sub-admins appointed or removed.
    #[serde(rename = "group.admins")]
    GroupAdmins,
    #[serde(rename = "group.private_chat")]
    GroupPrivateChat,
    #[serde(rename = "group.nickname")]
    GroupNickname,
    /// The console's own labels on a group.
    #[serde(rename = "group.labels")]
    GroupLabels,
    #[serde(rename = "group.members_add")]
    GroupMembersAdd,
    #[serde(rename = "group.members_remove")]
    GroupMembersRemove,
    #[serde(rename = "group.dissolve")]
    GroupDissolve,
    /// A group created elsewhere added to the console's catalogue.
    #[serde(rename = "group.import")]
    GroupImport,
}

impl AuditAction {
    pub const ALL: [AuditAction; 36] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::UserCreate,
        AuditAction::UserUpdate,
        AuditAction::UserPasswordReset,
        AuditAction::UserDisable,
        AuditAction::UserEnable,
        AuditAction::UserDelete,
        AuditAction::AlibabaAccountCreate,
        AuditAction::AlibabaAccountUpdate,
        AuditAction::AlibabaAccountDelete,
        AuditAction::DingtalkAppCreate,
        AuditAction::DingtalkAppUpdate,
        AuditAction::DingtalkAppDelete,
        AuditAction::CredentialDefault,
        AuditAction::ChatConfigCreate,
        AuditAction::ChatConfigUpdate,
        AuditAction::ChatConfigDelete,
        AuditAction::RobotCreate,
        AuditAction::RobotUpdate,
        AuditAction::RobotDelete,
        AuditAction::RobotTestMessage,
        AuditAction::GroupCreate,
        AuditAction::GroupUpdate,
        AuditAction::GroupRename,
        AuditAction::GroupOwner,
        AuditAction::GroupSettings,
        AuditAction::GroupAdmins,
        AuditAction::GroupPrivateChat,
        AuditAction::GroupNickname,
        AuditAction::GroupLabels,
        AuditAction::GroupMembersAdd,
        AuditAction::GroupMembersRemove,
        AuditAction::GroupDissolve,
        AuditAction::GroupImport,
    ];

    /// The stored and displayed name, e.g. `robot.update`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "session.sign_in",
            AuditAction::SignInFailed => "session.sign_in_failed",
            AuditAction::SignOut => "session.sign_out",
            AuditAction::UserCreate => "user.create",
            AuditAction::UserUpdate => "user.update",
            AuditAction::UserPasswordReset => "user.password_reset",
            AuditAction::UserDisable => "user.disable",
            AuditAction::UserEnable => "user.enable",
            AuditAction::UserDelete => "user.delete",
            AuditAction::AlibabaAccountCreate => "vault.alibaba_account.create",
            AuditAction::AlibabaAccountUpdate => "vault.alibaba_account.update",
            AuditAction::AlibabaAccountDelete => "vault.alibaba_account.delete",
            AuditAction::DingtalkAppCreate => "vault.dingtalk_app.create",
            AuditAction::DingtalkAppUpdate => "vault.dingtalk_app.update",
            AuditAction::DingtalkAppDelete => "vault.dingtalk_app.delete",
            AuditAction::CredentialDefault => "credential.default",
            AuditAction::ChatConfigCreate => "chat_config.create",
            AuditAction::ChatConfigUpdate => "chat_config.update",
            AuditAction::ChatConfigDelete => "chat_config.delete",
            AuditAction::RobotCreate => "robot.create",
            AuditAction::RobotUpdate => "robot.update",
            AuditAction::RobotDelete => "robot.delete",
            AuditAction::RobotTestMessage => "robot.test_message",
            AuditAction::GroupCreate => "group.create",
            AuditAction::GroupUpdate => "group.update",
            AuditAction::GroupRename => "group.rename",
            AuditAction::GroupOwner => "group.owner",
            AuditAction::GroupSettings => "group.settings",
            AuditAction::GroupAdmins => "group.admins",
            AuditAction::GroupPrivateChat => "group.private_chat",
            AuditAction::GroupNickname => "group.nickname",
            AuditAction::GroupLabels => "group.labels",
            AuditAction::GroupMembersAdd => "group.members_add",
            AuditAction::GroupMembersRemove => "group.members_remove",
            AuditAction::GroupDissolve => "group.dissolve",
            AuditAction::GroupImport => "group.import",
        }
    }
}

/// What an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Session,
    User,
    AlibabaAccount,
    DingtalkApp,
    ChatConfig,
    Robot,
    Group,
}

impl TargetKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            TargetKind::Session => "session",
            TargetKind::User => "user",
            TargetKind::AlibabaAccount => "alibaba_account",
            TargetKind::DingtalkApp => "dingtalk_app",
            TargetKind::ChatConfig => "chat_config",
            TargetKind::Robot => "robot",
            TargetKind::Group => "group",
        }
    }
}

/// How a change ended, as its reader sees it. (An upstream change is two
/// events in the chain, a write-ahead intent and its outcome; the trail
/// shows them as one [`AuditEntry`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    /// An upstream call whose outcome was never recorded: the server
    /// stopped during the call, or the call is still running.
    Unknown,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Success, Outcome::Failure, Outcome::Unknown];

    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// What a secret field's diff shows instead of its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretChange {
    Changed,
    Unchanged,
}

/// One field of a before/after diff. `before`/`after` are JSON texts of the
/// values (`None`: the field was absent); for secret fields both are `None`
/// and `secret` says whether the value changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// One change as the audit list, its export and each area's history show
/// it: a console-side event, or an upstream change's write-ahead intent
/// and its outcome joined (the diff from the intent, the outcome,
/// RequestId and error from the outcome).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The entry's last event in the chain (the outcome, the only event,
    /// or an intent still without outcome); pages go by it.
    pub seq: i64,
    /// When that event was recorded (epoch milliseconds).
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    pub actor: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub action: String,
    pub target: Target,
    pub changes: Vec<FieldChange>,
    pub outcome: Outcome,
    /// For an upstream change: its write-ahead intent in the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent_seq: Option<i64>,
    /// The upstream's RequestId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// The link of event `seq`.
    pub hash: String,
}

/// A page of entries, newest first; `next_cursor` fetches the older ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<AuditEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i64>,
}

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// The query of `GET /audit/events` and `GET /audit/export`. Times are epoch
/// milliseconds, `from` inclusive and `to` exclusive; `before` is a cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Matches the target's id or its label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl EventFilter {
    /// `key=value&...` for the set fields, percent-encoded.
    pub fn to_query(&self) -> String {
        let num = |v: Option<i64>| v.map(|n| n.to_string());
        let pairs = [
            ("from", num(self.from)),
            ("to", num(self.to)),
            ("actor", self.actor.clone()),
            ("action", self.action.clone()),
            ("target", self.target.clone()),
            ("outcome", self.outcome.map(|o| o.as_str().to_owned())),
            ("before", num(self.before)),
            ("limit", self.limit.map(|n| n.to_string())),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", percent_encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Export formats of `GET /audit/export?format=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// A place where the chain does not hold: the event's seq and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// At most this many problems are listed; the count says how many there were.
pub const MAX_PROBLEMS: usize = 100;

/// The result of `GET /audit/verify` and `chatdesk audit verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Events read and checked (every stored row, also those above the head).
    pub checked: u64,
    /// The sequence number the chain's head says was written last.
    pub head_seq: i64,
    /// The first event linked with the audit key; earlier events have the
    /// plain SHA-256 links of a trail from before the keyed chain. `None`:
    /// the trail was never opened by a console with an audit key.
    #[serde(default)]
    pub keyed_from: Option<i64>,
    /// Checkpoints the trail was compared with.
    #[serde(default)]
    pub checkpoints: u64,
    /// The problem with the lowest seq.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_broken: Option<BrokenLink>,
    /// Every problem found, in seq order (at most [`MAX_PROBLEMS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<BrokenLink>,
    /// How many problems there were in all.
    #[serde(default)]
    pub problem_count: u64,
}

impl VerifyReport {
    pub fn is_valid(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// The latest verification's verdict, kept by the server (checked on start,
/// at each checkpoint and at each `GET /audit/verify`): the audit page's
/// banner and `/readyz` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHealth {
    pub ok: bool,
    /// When it was checked (epoch milliseconds).
    pub checked_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_bad_seq: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl AuditHealth {
    pub fn of(report: &VerifyReport, checked_at: i64) -> AuditHealth {
        AuditHealth {
            ok: report.is_valid(),
            checked_at,
            first_bad_seq: report.first_broken.as_ref().map(|b| b.seq),
            problem: report.first_broken.as_ref().map(|b| b.reason.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_match_serde_and_are_unique() {
        let mut names: Vec<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        for action in AuditAction::ALL {
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.as_str()));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
    }

    #[test]
    fn filter_query_encodes_and_omits_unset_fields() {
        let filter = EventFilter {
            actor: Some("li lei&co".into()),
            outcome: Some(Outcome::Unknown),
            before: Some(42),
            ..EventFilter::default()
        };
        assert_eq!(
            filter.to_query(),
            "actor=li%20lei%26co&outcome=unknown&before=42"
        );
        assert_eq!(EventFilter::default().to_query(), "");
    }

    #[test]
    fn outcome_names_match_serde() {
        for outcome in Outcome::ALL {
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::parse("intent"), None);
    }
}
