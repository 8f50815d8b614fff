//! OOS chat configurations (ChatOps bots for DingTalk and WeCom): what the
//! console shows and what it accepts. Secrets in the configuration are never
//! shown; the UI learns only whether one is set.

use serde::{Deserialize, Serialize};

use crate::api::ErrorBody;
use crate::secret::{SecretInput, UPSTREAM_MASK, is_upstream_mask};
use crate::time::Timestamp;
use crate::validate::{InvalidField, Problem, string_type};

// Moved to [`crate::ids`]: the vault, robots and upstream use it too.
pub use crate::ids::RegionId;

/// The name of a chat configuration as OOS holds it, its key within a
/// region. OOS documents no rule and holds names made elsewhere
/// (`生产 机器人`), so a name read back is taken exactly as it is (not
/// trimmed): it can be listed, opened, edited and deleted, and the console
/// shows it as text (escaped). What a user types for a new configuration
/// follows the stricter [`NewConfigName`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConfigName(String);

impl ConfigName {
    /// Any name but the empty one (OOS needs a `Name` to find it).
    pub fn parse(value: &str) -> Result<ConfigName, InvalidField> {
        if value.is_empty() {
            Err(InvalidField::new("name", "must not be empty").because(Problem::Empty))
        } else {
            Ok(ConfigName(value.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ConfigName {
    type Error = InvalidField;
    fn try_from(value: String) -> Result<ConfigName, InvalidField> {
        ConfigName::parse(&value)
    }
}

impl From<ConfigName> for String {
    fn from(value: ConfigName) -> String {
        value.0
    }
}

impl From<NewConfigName> for ConfigName {
    fn from(value: NewConfigName) -> ConfigName {
        ConfigName(value.into())
    }
}

impl std::fmt::Display for ConfigName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

string_type!(
    /// The name typed for a new configuration. OOS publishes no rule; every
    /// name it documents (`chatops`, `TestChatConfig-9be97b40`,
    /// `Ginlong-AIops`) is ASCII letters, digits and `-`, like its other
    /// resource names, which also allow `_` and `.`: chatdesk creates only
    /// such names, and reads any ([`ConfigName`]).
    NewConfigName,
    "name",
    1..=128,
    |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'),
    "letters, digits, '-', '_' and '.'"
);

string_type!(
    /// A RAM role name such as `OOSServiceRole` (RAM: 1-64 letters, digits,
    /// `.` and `-`).
    RamRole,
    "ram_role",
    1..=64,
    |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'),
    "letters, digits, '.' and '-'"
);

string_type!(
    /// A resource group id such as `rg-acfmxsn4m4xxxxx`.
    ResourceGroupId,
    "resource_group_id",
    4..=64,
    |c| c.is_ascii_alphanumeric() || c == '-',
    "letters, digits and '-'"
);

string_type!(
    /// A DingTalk app's client id (AppKey).
    DingTalkClientId,
    "client_id",
    1..=128,
    |c| c.is_ascii_graphic(),
    "printable ASCII without spaces"
);

string_type!(
    /// A DingTalk card template id such as
    /// `381c5aee-f8af-48a4-94be-cce587e42ea4.schema`.
    TemplateId,
    "template_id",
    1..=256,
    |c| !c.is_control() && !c.is_whitespace(),
    "printable characters without spaces"
);

string_type!(
    /// A WeCom configuration key (undocumented upstream: kept to the shape
    /// of the DingTalk keys).
    WeComKey,
    "key",
    1..=64,
    |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'),
    "letters, digits, '_', '-' and '.'"
);

string_type!(
    /// A console-side label (OOS has no tags for chat configurations).
    Label,
    "labels",
    1..=32,
    |c| !c.is_control() && c != ',',
    "printable characters except ','"
);

/// The chat platform; `WeChat` is how OOS names WeCom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChatPlatform {
    DingTalk,
    WeChat,
}

impl ChatPlatform {
    pub const ALL: [ChatPlatform; 2] = [ChatPlatform::DingTalk, ChatPlatform::WeChat];

    /// The upstream `Type`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChatPlatform::DingTalk => "DingTalk",
            ChatPlatform::WeChat => "WeChat",
        }
    }

    pub fn parse(s: &str) -> Option<ChatPlatform> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Known DingTalk configuration keys; WeCom's are undocumented.
pub const DINGTALK_CLIENT_ID: &str = "DingTalkClientId";
pub const DINGTALK_CLIENT_SECRET: &str = "DingTalkClientSecret";
pub const DINGTALK_TEMPLATE_ID: &str = "DingTalkTemplateId";

/// Configuration keys holding secrets: `DingTalkClientSecret` and every key
/// containing `Secret`, `Token` or `Key` (any case).
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "token", "key"].iter().any(|s| key.contains(s))
}

/// One entry of a chat configuration as the UI sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub key: String,
    pub value: SettingValue,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingValue {
    Plain(String),
    /// A secret: only whether it is set.
    Secret {
        set: bool,
    },
}

/// A row of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfigSummary {
    pub region_id: RegionId,
    pub name: ConfigName,
    pub platform: Option<ChatPlatform>,
    pub ram_role: Option<String>,
    /// The webhook the chat platform must call (from `Outputs.URL`).
    pub webhook_url: Option<String>,
    pub created: Option<Timestamp>,
    pub updated: Option<Timestamp>,
}

/// One configuration in full, secrets reduced to "set".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfig {
    pub summary: ChatConfigSummary,
    pub resource_group_id: Option<String>,
    pub settings: Vec<Setting>,
}

/// What a create or update returns; `webhook_url` is read with a Get right
/// after a create, which does not return it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfigSaved {
    pub name: ConfigName,
    pub created: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

/// Where a DingTalk and a WeCom configuration sit in a [`ChatConfigDraft`]:
/// the parents of their fields' JSON paths.
const DINGTALK_PATH: &str = "configuration.DingTalk";
const WECHAT_PATH: &str = "configuration.WeChat";

/// The longest secret or WeCom value accepted.
pub const MAX_VALUE_CHARS: usize = 1024;
pub const MAX_LABELS: usize = 20;
pub const MAX_WECOM_ENTRIES: usize = 30;

/// The form as typed (raw text), sent by the browser and parsed by
/// [`ChatConfigDraft::parse`] on both sides: as the user types and again on
/// the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatConfigDraft {
    #[serde(default)]
    pub ram_role: String,
    #[serde(default)]
    pub resource_group_id: String,
    /// `None` leaves the upstream `Configuration` as it is (an edit of the
    /// RAM role alone sends no Configuration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<ConfigurationDraft>,
    /// `None` (absent) leaves the labels as they are; `[]` removes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// The typed configuration, per platform. A secret left empty (or absent)
/// means "keep the one chatdesk holds".
/// Externally tagged (`{"DingTalk": {...}}`): internal tags and `flatten`
/// make serde buffer and cost the wasm bundle dearly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ConfigurationDraft {
    DingTalk {
        client_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_secret: Option<SecretInput>,
        #[serde(default)]
        template_id: String,
    },
    WeChat {
        entries: Vec<EntryDraft>,
    },
}

/// One WeCom key/value pair. The value is write-only when the key looks
/// secret ([`is_secret_key`]); it travels as a [`SecretInput`] either way so
/// that no `Debug` output shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryDraft {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<SecretInput>,
}

/// A create: where and what, then the same fields as an edit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatConfigCreateDraft {
    pub account_id: String,
    pub region_id: String,
    pub name: String,
    pub fields: ChatConfigDraft,
}

/// A write-only secret: keep the held one, or set a new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretChange {
    Keep,
    Set(SecretInput),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DingTalkConfig {
    pub client_id: DingTalkClientId,
    pub client_secret: SecretChange,
    pub template_id: Option<TemplateId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeComValue {
    Plain(String),
    Secret(SecretChange),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeComEntry {
    pub key: WeComKey,
    pub value: WeComValue,
}

/// A parsed configuration: only these shapes reach the upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Configuration {
    DingTalk(DingTalkConfig),
    WeCom(Vec<WeComEntry>),
}

impl Configuration {
    pub fn platform(&self) -> ChatPlatform {
        match self {
            Configuration::DingTalk(_) => ChatPlatform::DingTalk,
            Configuration::WeCom(_) => ChatPlatform::WeChat,
        }
    }

    /// The upstream key of every secret, with what to do with it.
    pub fn secrets(&self) -> Vec<(&str, &SecretChange)> {
        match self {
            Configuration::DingTalk(d) => vec![(DINGTALK_CLIENT_SECRET, &d.client_secret)],
            Configuration::WeCom(entries) => entries
                .iter()
                .filter_map(|e| match &e.value {
                    WeComValue::Secret(change) => Some((e.key.as_str(), change)),
                    WeComValue::Plain(_) => None,
                })
                .collect(),
        }
    }
}

/// The parsed edit: what is `None` stays as it is (PATCH semantics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatConfigFields {
    pub ram_role: Option<RamRole>,
    pub resource_group_id: Option<ResourceGroupId>,
    pub configuration: Option<Configuration>,
    pub labels: Option<Vec<Label>>,
}

/// The parsed create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewChatConfig {
    pub account_id: String,
    pub region_id: RegionId,
    pub name: ConfigName,
    pub fields: ChatConfigFields,
}

/// Collects every field error instead of stopping at the first.
#[derive(Default)]
struct Errors(Vec<InvalidField>);

impl Errors {
    fn take<T>(&mut self, result: Result<T, InvalidField>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    /// As [`Errors::take`], the error's path put under `parent`.
    fn take_under<T>(&mut self, parent: &str, result: Result<T, InvalidField>) -> Option<T> {
        self.take(result.map_err(|e| e.under(parent)))
    }

    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(InvalidField::new(field, message));
    }
}

fn optional<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, InvalidField>,
) -> Result<Option<T>, InvalidField> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

/// A typed secret: empty keeps the held one. The upstream's mask is never
/// a secret: sent back, it would become the stored one.
pub fn parse_secret(
    field: &str,
    value: Option<&SecretInput>,
) -> Result<SecretChange, InvalidField> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(SecretChange::Keep);
    };
    let text = value.expose();
    let count = text.chars().count();
    if count > MAX_VALUE_CHARS {
        return Err(InvalidField::new(
            field,
            format!("must be at most {MAX_VALUE_CHARS} characters"),
        )
        .because(Problem::Length {
            min: 1,
            max: MAX_VALUE_CHARS,
            count,
        }));
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(
            InvalidField::new(field, "must not contain control characters")
                .because(Problem::Char(c)),
        );
    }
    if is_upstream_mask(text) {
        return Err(InvalidField::new(
            field,
            format!(
                "{UPSTREAM_MASK} is the mask OOS shows instead of a secret: type the secret \
                 itself, or leave it empty to keep the one chatdesk holds"
            ),
        )
        .because(Problem::Masked));
    }
    Ok(SecretChange::Set(value.clone()))
}

impl ConfigurationDraft {
    pub fn platform(&self) -> ChatPlatform {
        match self {
            ConfigurationDraft::DingTalk { .. } => ChatPlatform::DingTalk,
            ConfigurationDraft::WeChat { .. } => ChatPlatform::WeChat,
        }
    }

    fn parse(&self, errors: &mut Errors) -> Option<Configuration> {
        match self {
            ConfigurationDraft::DingTalk {
                client_id,
                client_secret,
                template_id,
            } => {
                let client_id =
                    errors.take_under(DINGTALK_PATH, DingTalkClientId::parse(client_id));
                let client_secret = errors.take_under(
                    DINGTALK_PATH,
                    parse_secret("client_secret", client_secret.as_ref()),
                );
                let template_id =
                    errors.take_under(DINGTALK_PATH, optional(template_id, TemplateId::parse));
                Some(Configuration::DingTalk(DingTalkConfig {
                    client_id: client_id?,
                    client_secret: client_secret?,
                    template_id: template_id?,
                }))
            }
            ConfigurationDraft::WeChat { entries } => {
                if entries.len() > MAX_WECOM_ENTRIES {
                    errors.push(
                        format!("{WECHAT_PATH}.entries"),
                        format!("at most {MAX_WECOM_ENTRIES} entries"),
                    );
                    return None;
                }
                let mut parsed: Vec<WeComEntry> = Vec::new();
                let mut ok = true;
                for (i, entry) in entries.iter().enumerate() {
                    let entry_path = format!("{WECHAT_PATH}.entries[{i}]");
                    let key_field = format!("{entry_path}.key");
                    let value_field = format!("{entry_path}.value");
                    let Some(key) = errors.take_under(&entry_path, WeComKey::parse(&entry.key))
                    else {
                        ok = false;
                        continue;
                    };
                    if parsed.iter().any(|e| e.key == key) {
                        errors.push(key_field, format!("{key} is given twice"));
                        ok = false;
                        continue;
                    }
                    let value = if is_secret_key(key.as_str()) {
                        errors
                            .take(parse_secret(&value_field, entry.value.as_ref()))
                            .map(WeComValue::Secret)
                    } else {
                        let text = entry
                            .value
                            .clone()
                            .map(SecretInput::into_exposed)
                            .unwrap_or_default();
                        if text.chars().count() > MAX_VALUE_CHARS {
                            errors.push(
                                value_field,
                                format!("must be at most {MAX_VALUE_CHARS} characters"),
                            );
                            None
                        } else {
                            Some(WeComValue::Plain(text))
                        }
                    };
                    match value {
                        Some(value) => parsed.push(WeComEntry { key, value }),
                        None => ok = false,
                    }
                }
                ok.then_some(Configuration::WeCom(parsed))
            }
        }
    }
}

impl ChatConfigDraft {
    /// Every field error at once, each naming its field.
    pub fn parse(&self) -> Result<ChatConfigFields, Vec<InvalidField>> {
        let mut errors = Errors::default();
        let fields = self.parse_into(&mut errors);
        match fields {
            Some(fields) if errors.0.is_empty() => Ok(fields),
            _ => Err(errors.0),
        }
    }

    fn parse_into(&self, errors: &mut Errors) -> Option<ChatConfigFields> {
        let ram_role = errors.take(optional(&self.ram_role, RamRole::parse));
        let resource_group_id =
            errors.take(optional(&self.resource_group_id, ResourceGroupId::parse));
        let configuration = match &self.configuration {
            None => Some(None),
            Some(draft) => draft.parse(errors).map(Some),
        };
        let labels = match &self.labels {
            None => Some(None),
            Some(labels) => parse_labels(labels, errors).map(Some),
        };
        Some(ChatConfigFields {
            ram_role: ram_role?,
            resource_group_id: resource_group_id?,
            configuration: configuration?,
            labels: labels?,
        })
    }
}

fn parse_labels(labels: &[String], errors: &mut Errors) -> Option<Vec<Label>> {
    if labels.len() > MAX_LABELS {
        errors.push("labels", format!("at most {MAX_LABELS} labels"));
        return None;
    }
    let mut out: Vec<Label> = Vec::new();
    let mut ok = true;
    for label in labels {
        match Label::parse(label) {
            // The same label twice is one label.
            Ok(label) if out.contains(&label) => {}
            Ok(label) => out.push(label),
            Err(err) => {
                errors.push("labels", format!("{label:?}: {}", err.message));
                ok = false;
            }
        }
    }
    out.sort();
    ok.then_some(out)
}

impl ChatConfigCreateDraft {
    /// As [`ChatConfigDraft::parse`]; a create also needs a configuration
    /// and every secret in it (there is none to keep yet).
    pub fn parse(&self) -> Result<NewChatConfig, Vec<InvalidField>> {
        let mut errors = Errors::default();
        let account_id = if self.account_id.trim().is_empty() {
            errors.push("account_id", "choose an Alibaba Cloud account");
            None
        } else {
            Some(self.account_id.trim().to_owned())
        };
        let region_id = errors.take(RegionId::parse(&self.region_id));
        let name = errors.take(NewConfigName::parse(&self.name).map(ConfigName::from));
        let mut field_errors = Errors::default();
        let fields = self.fields.parse_into(&mut field_errors);
        match &fields {
            Some(ChatConfigFields {
                configuration: None,
                ..
            }) => field_errors.push("configuration", "a new configuration needs its settings"),
            Some(ChatConfigFields {
                configuration: Some(c),
                ..
            }) => {
                for (key, change) in c.secrets() {
                    if *change == SecretChange::Keep {
                        field_errors.push(
                            secret_field(c, key),
                            "is required: a new configuration has no secret to keep",
                        );
                    }
                }
            }
            None => {}
        }
        // The edit's fields sit under `fields` in a create.
        errors
            .0
            .extend(field_errors.0.into_iter().map(|e| e.under("fields")));
        match (account_id, region_id, name, fields) {
            (Some(account_id), Some(region_id), Some(name), Some(fields))
                if errors.0.is_empty() =>
            {
                Ok(NewChatConfig {
                    account_id,
                    region_id,
                    name,
                    fields,
                })
            }
            _ => Err(errors.0),
        }
    }
}

/// The JSON path, in a [`ChatConfigDraft`], of the secret stored under
/// upstream `key`.
pub fn secret_field(configuration: &Configuration, key: &str) -> String {
    match configuration {
        Configuration::DingTalk(_) => format!("{DINGTALK_PATH}.client_secret"),
        Configuration::WeCom(entries) => {
            let i = entries
                .iter()
                .position(|e| e.key.as_str() == key)
                .unwrap_or_default();
            format!("{WECHAT_PATH}.entries[{i}].value")
        }
    }
}

/// One row of the list: a configuration of one account and region, with
/// its console labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfigRow {
    pub account_id: String,
    pub summary: ChatConfigSummary,
    pub labels: Vec<Label>,
}

/// What one account's region answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionOutcome {
    Loaded { configs: Vec<ChatConfigRow> },
    Failed { error: ErrorBody },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionListing {
    pub account_id: String,
    pub account_name: String,
    pub region_id: RegionId,
    pub outcome: RegionOutcome,
}

/// `GET /chat-configs`: one entry per account and region asked, each
/// loaded or failed on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfigList {
    pub regions: Vec<RegionListing>,
}

/// The query of `GET /chat-configs`. Without `account_id`, every account;
/// without `regions` (comma-separated), every region of each account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<String>,
    /// Substring of the name (sent upstream as the `Name` filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub platform: Option<ChatPlatform>,
    /// Only configurations carrying this console label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl ListParams {
    /// `key=value&...` of the set fields, percent-encoded.
    pub fn to_query(&self) -> String {
        let pairs = [
            ("account_id", self.account_id.clone()),
            ("regions", self.regions.clone()),
            ("name", self.name.clone()),
            ("type", self.platform.map(|p| p.as_str().to_owned())),
            ("label", self.label.clone()),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", crate::audit::percent_encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Where a configuration's write-only secrets come from, so the form can
/// say what an edit needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretSource {
    /// chatdesk holds every secret and re-sends it when the configuration
    /// changes.
    Held,
    /// Created outside chatdesk (or before it held the secret): changing
    /// the configuration needs the secret again; the RAM role alone does not.
    Outside,
    /// The configuration has no secret.
    None,
}

/// `GET /chat-configs/{account}/{region}/{name}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfigDetail {
    pub account_id: String,
    pub account_name: String,
    pub config: ChatConfig,
    pub labels: Vec<Label>,
    pub secrets: SecretSource,
}

/// `POST /chat-configs/check-app`: the typed client id and secret, or the
/// held secret of an existing configuration when `client_secret` is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckAppDraft {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<ConfigRef>,
}

/// Which configuration, for the API paths and the held secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigRef {
    pub account_id: String,
    pub region_id: RegionId,
    pub name: ConfigName,
}

/// One `Filters` entry of ListChatConfigurations (valid names undocumented).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFilter {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub filters: Vec<ListFilter>,
    pub max_results: Option<u32>,
    pub next_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for key in [
            "DingTalkClientSecret",
            "CorpSecret",
            "AgentToken",
            "AesKey",
            "apikey",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "DingTalkClientId",
            "DingTalkTemplateId",
            "CorpId",
            "AgentId",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn regions_and_names_parse() {
        let region = RegionId::parse(" cn-hangzhou ").unwrap();
        assert_eq!(region.as_str(), "cn-hangzhou");
        assert!(region.is_mainland());
        assert!(!RegionId::parse("ap-southeast-1").unwrap().is_mainland());
        assert_eq!(RegionId::parse("CN_x").unwrap_err().field, "region_id");
        assert_eq!(ConfigName::parse("").unwrap_err().field, "name");
        let json = serde_json::to_string(&ConfigName::parse("ops-bot").unwrap()).unwrap();
        assert_eq!(json, "\"ops-bot\"");
        assert!(serde_json::from_str::<RegionId>("\"bad region\"").is_err());
    }

    fn ding(client_id: &str, secret: Option<&str>, template: &str) -> ConfigurationDraft {
        ConfigurationDraft::DingTalk {
            client_id: client_id.into(),
            client_secret: secret.map(SecretInput::new),
            template_id: template.into(),
        }
    }

    fn entry(key: &str, value: Option<&str>) -> EntryDraft {
        EntryDraft {
            key: key.into(),
            value: value.map(SecretInput::new),
        }
    }

    fn create(configuration: Option<ConfigurationDraft>) -> ChatConfigCreateDraft {
        ChatConfigCreateDraft {
            account_id: "acc".into(),
            region_id: "cn-hangzhou".into(),
            name: "ops-bot".into(),
            fields: ChatConfigDraft {
                ram_role: "OOSServiceRole".into(),
                resource_group_id: String::new(),
                configuration,
                labels: Some(vec!["prod".into(), "运维".into(), "prod".into()]),
            },
        }
    }

    fn fields_of(errors: Vec<InvalidField>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn new_names_follow_the_upstream_shape_and_any_name_reads() {
        for ok in ["chatops", "TestChatConfig-9be97b40", "team.bot_1"] {
            assert!(NewConfigName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["has space", "运维", "a/b", &"x".repeat(129)] {
            assert_eq!(
                NewConfigName::parse(bad).unwrap_err().field,
                "name",
                "{bad}"
            );
            // A name OOS holds is read exactly as it is.
            assert_eq!(ConfigName::parse(bad).unwrap().as_str(), bad);
        }
        let read: ConfigName = serde_json::from_str("\" 生产 机器人\"").unwrap();
        assert_eq!(read.as_str(), " 生产 机器人", "not trimmed: it is the key");
        assert_eq!(ConfigName::parse("").unwrap_err().problem, Problem::Empty);
        let mut draft = create(None);
        draft.name = "生产 机器人".into();
        assert!(fields_of(draft.parse().unwrap_err()).contains(&"name".to_owned()));
        assert!(RamRole::parse("AliyunOOSLifecycleHook4CSRole").is_ok());
        assert_eq!(RamRole::parse("bad role").unwrap_err().field, "ram_role");
    }

    #[test]
    fn a_dingtalk_create_parses_into_typed_fields() {
        let parsed = create(Some(ding(
            "dingabc",
            Some("s3cret &=+"),
            "381c5aee-f8af-48a4-94be-cce587e42ea4.schema",
        )))
        .parse()
        .unwrap();
        assert_eq!(parsed.name.as_str(), "ops-bot");
        assert_eq!(parsed.fields.ram_role.unwrap().as_str(), "OOSServiceRole");
        assert_eq!(parsed.fields.resource_group_id, None);
        let labels: Vec<&str> = parsed
            .fields
            .labels
            .iter()
            .flatten()
            .map(Label::as_str)
            .collect();
        assert_eq!(labels, ["prod", "运维"]);
        let Some(Configuration::DingTalk(d)) = parsed.fields.configuration else {
            panic!("a DingTalk configuration")
        };
        assert_eq!(d.client_id.as_str(), "dingabc");
        assert_eq!(
            d.client_secret,
            SecretChange::Set(SecretInput::new("s3cret &=+"))
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut draft = create(Some(ding("has space", None, "")));
        draft.name = "bad name".into();
        draft.region_id = "Hangzhou".into();
        draft.account_id = " ".into();
        draft.fields.ram_role = "no spaces please".into();
        draft.fields.labels = Some(vec!["a,b".into()]);
        assert_eq!(
            fields_of(draft.parse().unwrap_err()),
            [
                "account_id",
                "region_id",
                "name",
                "fields.ram_role",
                "fields.configuration.DingTalk.client_id",
                "fields.labels",
            ]
        );
        // A create has no secret to keep.
        let errors = create(Some(ding("dingabc", Some("  "), "")))
            .parse()
            .unwrap_err();
        assert_eq!(
            fields_of(errors),
            ["fields.configuration.DingTalk.client_secret"]
        );
        let errors = create(None).parse().unwrap_err();
        assert_eq!(fields_of(errors), ["fields.configuration"]);
    }

    #[test]
    fn the_upstream_mask_is_never_a_secret() {
        let errors = create(Some(ding("dingabc", Some(UPSTREAM_MASK), "")))
            .parse()
            .unwrap_err();
        assert_eq!(
            fields_of(errors.clone()),
            ["fields.configuration.DingTalk.client_secret"]
        );
        assert_eq!(errors[0].problem, Problem::Masked);
        let wecom = ChatConfigDraft {
            configuration: Some(ConfigurationDraft::WeChat {
                entries: vec![
                    entry("CorpId", Some("***")),
                    entry("CorpSecret", Some(" *** ")),
                ],
            }),
            ..ChatConfigDraft::default()
        };
        // A plain value may be anything; a secret may not be a mask.
        let errors = wecom.parse().unwrap_err();
        assert_eq!(fields_of(errors), ["configuration.WeChat.entries[1].value"]);
        assert!(
            create(Some(ding("dingabc", Some("*real*"), "")))
                .parse()
                .is_ok()
        );
    }

    #[test]
    fn wecom_secret_keys_are_write_only_and_others_plain() {
        let draft = ChatConfigDraft {
            configuration: Some(ConfigurationDraft::WeChat {
                entries: vec![
                    entry("CorpId", Some("ww1")),
                    entry("CorpSecret", None),
                    entry("AgentName", Some("运维 & <bot>")),
                ],
            }),
            ..ChatConfigDraft::default()
        };
        let fields = draft.parse().unwrap();
        let configuration = fields.configuration.unwrap();
        assert_eq!(configuration.platform(), ChatPlatform::WeChat);
        assert_eq!(
            configuration.secrets(),
            [("CorpSecret", &SecretChange::Keep)]
        );
        assert_eq!(
            secret_field(&configuration, "CorpSecret"),
            "configuration.WeChat.entries[1].value"
        );
        let Configuration::WeCom(entries) = &configuration else {
            panic!()
        };
        assert_eq!(entries[2].value, WeComValue::Plain("运维 & <bot>".into()));

        let twice = ChatConfigDraft {
            configuration: Some(ConfigurationDraft::WeChat {
                entries: vec![
                    entry("A", Some("1")),
                    entry("A", Some("2")),
                    entry("b c", None),
                ],
            }),
            ..ChatConfigDraft::default()
        };
        assert_eq!(
            fields_of(twice.parse().unwrap_err()),
            [
                "configuration.WeChat.entries[1].key",
                "configuration.WeChat.entries[2].key"
            ]
        );
    }

    #[test]
    fn drafts_travel_as_tagged_json_and_hide_secrets_in_debug() {
        let draft = create(Some(ding("id", Some("hunter2"), "")));
        let json = serde_json::to_value(&draft).unwrap();
        assert!(json["fields"]["configuration"]["DingTalk"].is_object());
        assert_eq!(json["name"], "ops-bot");
        let back: ChatConfigCreateDraft = serde_json::from_value(json).unwrap();
        assert_eq!(back, draft);
        assert!(!format!("{draft:?}").contains("hunter2"));
        let ram_only: ChatConfigDraft =
            serde_json::from_str(r#"{"ram_role":"OOSServiceRole"}"#).unwrap();
        let ram_only = ram_only.parse().unwrap();
        assert_eq!((ram_only.configuration, ram_only.labels), (None, None));
        let no_labels: ChatConfigDraft = serde_json::from_str(r#"{"labels":[]}"#).unwrap();
        assert_eq!(no_labels.parse().unwrap().labels, Some(Vec::new()));
    }

    #[test]
    fn list_params_make_a_query_string() {
        let params = ListParams {
            account_id: Some("a 1".into()),
            regions: Some("cn-hangzhou,cn-shanghai".into()),
            platform: Some(ChatPlatform::WeChat),
            ..ListParams::default()
        };
        assert_eq!(
            params.to_query(),
            "account_id=a%201&regions=cn-hangzhou%2Ccn-shanghai&type=WeChat"
        );
    }

    #[test]
    fn platform_uses_upstream_names() {
        assert_eq!(
            serde_json::to_string(&ChatPlatform::WeChat).unwrap(),
            "\"WeChat\""
        );
    }
}
