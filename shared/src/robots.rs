//! Security Center DingTalk notification robots. The webhook URL carries the
//! robot's `access_token`, a secret: the console only ever shows it masked
//! ([`MaskedUrl`]), to every role.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::ErrorBody;
use crate::outcome::ItemOutcome;
use crate::secret::SecretInput;
use crate::time::Timestamp;
use crate::validate::{InvalidField, Problem, string_type};

/// Robot id (`Id`, an integer upstream).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RobotId(pub i64);

impl fmt::Display for RobotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

string_type!(
    /// `RuleActionName`: 2 to 64 characters.
    RobotName,
    "name",
    2..=64,
    |c| !c.is_control(),
    "printable characters"
);

/// The only webhook form accepted: a DingTalk custom robot.
pub const WEBHOOK_PREFIX: &str = "https://oapi.dingtalk.com/robot/send?access_token=";

/// A DingTalk robot webhook URL, parsed: `WEBHOOK_PREFIX` + token. It never
/// serializes and its `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    token: String,
}

impl WebhookUrl {
    pub fn parse(text: &str) -> Result<WebhookUrl, InvalidField> {
        let invalid = |why: &str| {
            InvalidField::new(
                "webhook",
                format!("{why}; expected {WEBHOOK_PREFIX}<access token>"),
            )
        };
        let token = text
            .trim()
            .strip_prefix(WEBHOOK_PREFIX)
            .ok_or_else(|| invalid("not a DingTalk robot URL"))?;
        if token.is_empty() {
            return Err(invalid("the access token is missing"));
        }
        if token.len() > 256
            || !token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid("the access token has unexpected characters"));
        }
        Ok(WebhookUrl {
            token: token.to_owned(),
        })
    }

    /// The full URL, to send upstream; the name makes every use visible.
    pub fn expose(&self) -> String {
        format!("{WEBHOOK_PREFIX}{}", self.token)
    }

    /// The secret part alone (for scanning logs in tests).
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn masked(&self) -> MaskedUrl {
        MaskedUrl::mask(&self.expose())
    }
}

impl TryFrom<SecretInput> for WebhookUrl {
    type Error = InvalidField;
    fn try_from(input: SecretInput) -> Result<WebhookUrl, InvalidField> {
        WebhookUrl::parse(&input.into_exposed())
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({})", self.masked().as_str())
    }
}

/// A webhook URL with its query (the token) hidden:
/// `https://oapi.dingtalk.com/robot/send?access_token=***`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MaskedUrl(String);

impl MaskedUrl {
    /// Keeps scheme, host and path; drops credentials, query and fragment,
    /// noting a hidden `access_token`.
    pub fn mask(url: &str) -> MaskedUrl {
        let (before_query, query) = match url.split_once(['?', '#']) {
            Some((head, tail)) => (head, Some(tail)),
            None => (url, None),
        };
        let (scheme, rest) = before_query.split_once("://").unwrap_or(("", before_query));
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let host = authority.rsplit('@').next().unwrap_or_default();
        let mut masked = if scheme.is_empty() {
            format!("{host}{path}")
        } else {
            format!("{scheme}://{host}{path}")
        };
        if query.is_some_and(|q| q.contains("access_token")) {
            masked.push_str("?access_token=***");
        }
        MaskedUrl(masked)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Language of the robot's messages (`DingTalkLang`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RobotLang {
    Zh,
    En,
}

impl RobotLang {
    pub const fn as_str(self) -> &'static str {
        match self {
            RobotLang::Zh => "zh",
            RobotLang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<RobotLang> {
        match s {
            "zh" => Some(RobotLang::Zh),
            "en" => Some(RobotLang::En),
            _ => None,
        }
    }
}

/// The unit of `IntervalTime`. The documentation disagrees (seconds for
/// create, minutes for describe), so the console records the one picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntervalUnit {
    Seconds,
    Minutes,
}

impl IntervalUnit {
    pub const fn as_str(self) -> &'static str {
        match self {
            IntervalUnit::Seconds => "seconds",
            IntervalUnit::Minutes => "minutes",
        }
    }

    pub fn parse(s: &str) -> Option<IntervalUnit> {
        match s {
            "seconds" => Some(IntervalUnit::Seconds),
            "minutes" => Some(IntervalUnit::Minutes),
            _ => None,
        }
    }
}

/// Longest send interval accepted: one day, in either unit.
pub const MAX_INTERVAL_SECONDS: u32 = 86_400;

/// How often the robot may send: `0` = no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendInterval {
    amount: u32,
    unit: IntervalUnit,
}

impl SendInterval {
    pub fn parse(amount: i64, unit: IntervalUnit) -> Result<SendInterval, InvalidField> {
        let max = match unit {
            IntervalUnit::Seconds => MAX_INTERVAL_SECONDS,
            IntervalUnit::Minutes => MAX_INTERVAL_SECONDS / 60,
        };
        match u32::try_from(amount) {
            Ok(amount) if amount <= max => Ok(SendInterval { amount, unit }),
            _ => Err(InvalidField::new(
                "interval",
                format!("must be 0 (no limit) to {max} {}", unit.as_str()),
            )
            .because(Problem::Range {
                min: 0,
                max: i64::from(max),
            })),
        }
    }

    pub fn amount(self) -> u32 {
        self.amount
    }

    pub fn unit(self) -> IntervalUnit {
        self.unit
    }
}

/// One alert scope (a `ConfigList` entry): a DescribeDataSource type and,
/// per field of it, the values chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRule {
    /// `DataSourceName` / ConfigList `type`.
    pub source: String,
    pub items: Vec<ScopeItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeItem {
    /// `Filed` / ConfigList `key`.
    pub field: String,
    pub values: Vec<String>,
}

/// A robot's scopes as read back. One robot whose ConfigList or
/// GroupIdList does not parse is shown with its scopes unreadable; it
/// never hides the others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RobotScopes {
    Known {
        rules: Vec<ScopeRule>,
        group_ids: Vec<i64>,
    },
    Unreadable {
        /// Why, without the text itself.
        reason: String,
    },
}

/// A robot as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Robot {
    pub id: RobotId,
    pub name: String,
    pub webhook: MaskedUrl,
    pub enabled: bool,
    pub scopes: RobotScopes,
    pub lang: Option<RobotLang>,
    /// `IntervalTime` as upstream holds it (0 = no limit).
    pub interval: i64,
    /// The unit picked when chatdesk last saved the robot; `None` for a
    /// robot configured elsewhere.
    pub interval_unit: Option<IntervalUnit>,
    pub ali_uid: Option<i64>,
    pub created: Option<Timestamp>,
    pub modified: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// From 1.
    pub current_page: u32,
    pub page_size: u32,
    pub total_count: u64,
}

impl PageInfo {
    pub fn page_count(&self) -> u64 {
        self.total_count.div_ceil(u64::from(self.page_size.max(1)))
    }
}

/// One page of one account's robots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotPage {
    pub page: PageInfo,
    pub robots: Vec<Robot>,
}

/// Largest page the console asks for (the service's own limit is 100).
pub const MAX_PAGE_SIZE: u32 = 100;
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// `GET /api/v1/robots` answers one of these per account: its page, or the
/// error that account gave (one account's failure hides no other).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRobots {
    pub account_id: String,
    pub account_name: String,
    pub result: AccountResult,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountResult {
    Page(RobotPage),
    Error(ErrorBody),
}

/// A create (`POST`) or update (`PUT`) as the browser sends it: plain
/// values, so that [`RobotInput::parse`] can name the field of any problem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct RobotForm {
    pub name: String,
    /// Empty or absent on an update keeps the stored webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<SecretInput>,
    /// `zh` or `en`.
    pub lang: String,
    pub interval: i64,
    /// `seconds` or `minutes`.
    pub interval_unit: String,
    pub rules: Vec<ScopeRule>,
    pub group_ids: Vec<i64>,
}

/// A checked create or update. `webhook: None` keeps the stored one (an
/// update) or is refused (a create).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotInput {
    pub name: RobotName,
    pub webhook: Option<WebhookUrl>,
    pub lang: RobotLang,
    pub interval: SendInterval,
    pub rules: Vec<ScopeRule>,
    pub group_ids: Vec<i64>,
}

fn webhook_of(input: Option<SecretInput>) -> Result<Option<WebhookUrl>, InvalidField> {
    match input {
        Some(w) if !w.is_empty() => WebhookUrl::try_from(w).map(Some),
        _ => Ok(None),
    }
}

fn lang_of(text: &str) -> Result<RobotLang, InvalidField> {
    RobotLang::parse(text)
        .ok_or_else(|| InvalidField::new("lang", "choose zh or en").because(Problem::Unknown))
}

fn unit_of(text: &str) -> Result<IntervalUnit, InvalidField> {
    IntervalUnit::parse(text).ok_or_else(|| {
        InvalidField::new("interval_unit", "choose seconds or minutes").because(Problem::Unknown)
    })
}

/// The longest scope type, key or value accepted. DescribeDataSource's
/// names are a few dozen characters (`sas_analysis_online-sas-operation-
/// log-sas-event-vul`); every one is then checked against its choices.
pub const MAX_SCOPE_TEXT: usize = 128;

fn scope_text(field: String, text: &str) -> Result<(), InvalidField> {
    let count = text.chars().count();
    if text.trim().is_empty() {
        return Err(InvalidField::new(field, "must not be empty").because(Problem::Empty));
    }
    if count > MAX_SCOPE_TEXT {
        return Err(InvalidField::new(
            field,
            format!("must be at most {MAX_SCOPE_TEXT} characters, not {count}"),
        )
        .because(Problem::Length {
            min: 1,
            max: MAX_SCOPE_TEXT,
            count,
        }));
    }
    Ok(())
}

fn duplicate(field: String, what: &str) -> InvalidField {
    InvalidField::new(field, format!("{what} is chosen twice")).because(Problem::Duplicate)
}

/// The shape of chosen scopes, before they are checked against
/// DescribeDataSource and DescribeGroupStruct: each text present and
/// short, nothing twice, group ids positive. Errors name the JSON path
/// (`rules[0].items[1].values[2]`).
pub fn check_scopes(rules: &[ScopeRule], group_ids: &[i64]) -> Result<(), InvalidField> {
    for (r, rule) in rules.iter().enumerate() {
        let at = format!("rules[{r}]");
        scope_text(format!("{at}.source"), &rule.source)?;
        if rules[..r].iter().any(|o| o.source == rule.source) {
            return Err(duplicate(format!("{at}.source"), &rule.source));
        }
        for (i, item) in rule.items.iter().enumerate() {
            let at = format!("{at}.items[{i}]");
            scope_text(format!("{at}.field"), &item.field)?;
            if rule.items[..i].iter().any(|o| o.field == item.field) {
                return Err(duplicate(format!("{at}.field"), &item.field));
            }
            for (v, value) in item.values.iter().enumerate() {
                scope_text(format!("{at}.values[{v}]"), value)?;
                if item.values[..v].contains(value) {
                    return Err(duplicate(format!("{at}.values[{v}]"), value));
                }
            }
        }
    }
    for (g, id) in group_ids.iter().enumerate() {
        let field = format!("group_ids[{g}]");
        if *id <= 0 {
            return Err(
                InvalidField::new(field, "asset group ids are positive").because(Problem::Range {
                    min: 1,
                    max: i64::MAX,
                }),
            );
        }
        if group_ids[..g].contains(id) {
            return Err(duplicate(field, &id.to_string()));
        }
    }
    Ok(())
}

impl RobotInput {
    /// The first problem names its field.
    pub fn parse(form: RobotForm) -> Result<RobotInput, InvalidField> {
        let name = RobotName::parse(&form.name)?;
        let webhook = webhook_of(form.webhook)?;
        let lang = lang_of(&form.lang)?;
        let unit = unit_of(&form.interval_unit)?;
        let interval = SendInterval::parse(form.interval, unit)?;
        check_scopes(&form.rules, &form.group_ids)?;
        Ok(RobotInput {
            name,
            webhook,
            lang,
            interval,
            rules: form.rules,
            group_ids: form.group_ids,
        })
    }
}

/// An edit (`PUT`, and its preview) as the browser sends it: a field left
/// out stays as it is (PATCH semantics), so a rename sends only `name`.
/// An empty `webhook` keeps the stored one too.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<SecretInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<ScopeRule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<i64>>,
}

impl From<RobotForm> for RobotEdit {
    /// The whole form as an edit: every field given.
    fn from(form: RobotForm) -> RobotEdit {
        RobotEdit {
            name: Some(form.name),
            webhook: form.webhook,
            lang: Some(form.lang),
            interval: Some(form.interval),
            interval_unit: Some(form.interval_unit),
            rules: Some(form.rules),
            group_ids: Some(form.group_ids),
        }
    }
}

/// A checked edit: `None` leaves the field as it is. The interval is
/// checked against its unit once the stored unit is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotChanges {
    pub name: Option<RobotName>,
    pub webhook: Option<WebhookUrl>,
    pub lang: Option<RobotLang>,
    pub interval: Option<i64>,
    pub interval_unit: Option<IntervalUnit>,
    pub rules: Option<Vec<ScopeRule>>,
    pub group_ids: Option<Vec<i64>>,
}

impl RobotChanges {
    /// The first problem names its field.
    pub fn parse(edit: RobotEdit) -> Result<RobotChanges, InvalidField> {
        let name = edit.name.as_deref().map(RobotName::parse).transpose()?;
        let webhook = webhook_of(edit.webhook)?;
        let lang = edit.lang.as_deref().map(lang_of).transpose()?;
        let interval_unit = edit.interval_unit.as_deref().map(unit_of).transpose()?;
        if let (Some(amount), Some(unit)) = (edit.interval, interval_unit) {
            SendInterval::parse(amount, unit)?;
        }
        check_scopes(
            edit.rules.as_deref().unwrap_or_default(),
            edit.group_ids.as_deref().unwrap_or_default(),
        )?;
        Ok(RobotChanges {
            name,
            webhook,
            lang,
            interval: edit.interval,
            interval_unit,
            rules: edit.rules,
            group_ids: edit.group_ids,
        })
    }
}

/// The ids a bulk action applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RobotIds {
    pub ids: Vec<RobotId>,
}

/// Enable or disable robots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub ids: Vec<RobotId>,
    pub enabled: bool,
}

/// A bulk action's answer: one outcome per robot asked about (done,
/// unchanged, or failed with its error), named when the robot is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub results: Vec<ItemOutcome>,
}

impl BulkOutcome {
    pub fn failed(&self) -> usize {
        crate::outcome::failed(&self.results)
    }
}

/// A create's answer: upstream only returns a RequestId, so the new robot
/// is found by name afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotSaved {
    pub robot: Robot,
}

/// The test message's answer: upstream does not report delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSent {
    pub sent: bool,
}

/// What DescribeDataSource offers for ConfigList, typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChoices {
    pub sources: Vec<ScopeSource>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeSource {
    /// `DataSourceName`, the ConfigList `type`.
    pub name: String,
    /// `Description`.
    pub label: String,
    pub fields: Vec<ScopeField>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeField {
    /// `Filed`, the ConfigList `key`.
    pub key: String,
    /// `FiledName`.
    pub label: String,
    /// From `Sample` (`value:label;...`).
    pub values: Vec<ScopeValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeValue {
    pub value: String,
    pub label: String,
}

impl ScopeChoices {
    /// A rule in words: `Security alerts: Alert level All`. Unknown keys
    /// and values show as themselves.
    pub fn describe(&self, rule: &ScopeRule) -> String {
        let source = self.sources.iter().find(|s| s.name == rule.source);
        let items: Vec<String> = rule
            .items
            .iter()
            .map(|item| {
                let field = source.and_then(|s| s.fields.iter().find(|f| f.key == item.field));
                let values: Vec<&str> = item
                    .values
                    .iter()
                    .map(|v| {
                        field
                            .and_then(|f| f.values.iter().find(|c| &c.value == v))
                            .map_or(v.as_str(), |c| c.label.as_str())
                    })
                    .collect();
                format!(
                    "{} {}",
                    field.map_or(item.field.as_str(), |f| f.label.as_str()),
                    values.join(", ")
                )
            })
            .collect();
        let label = source.map_or(rule.source.as_str(), |s| s.label.as_str());
        if items.is_empty() {
            label.to_owned()
        } else {
            format!("{label}: {}", items.join("; "))
        }
    }
}

impl ScopeChoices {
    /// Whether every rule is one DescribeDataSource offers: a known type,
    /// its keys, and their values (when `Sample` lists them). The first
    /// that is not names its JSON path.
    pub fn check(&self, rules: &[ScopeRule]) -> Result<(), InvalidField> {
        let unknown = |field: String, what: &str| {
            InvalidField::new(
                field,
                format!("Security Center offers no {what} of that name"),
            )
            .because(Problem::Unknown)
        };
        for (r, rule) in rules.iter().enumerate() {
            let at = format!("rules[{r}]");
            let Some(source) = self.sources.iter().find(|s| s.name == rule.source) else {
                return Err(unknown(format!("{at}.source"), "alert type"));
            };
            for (i, item) in rule.items.iter().enumerate() {
                let at = format!("{at}.items[{i}]");
                let Some(field) = source.fields.iter().find(|f| f.key == item.field) else {
                    return Err(unknown(format!("{at}.field"), "setting"));
                };
                // A field without `Sample` lists no values to check against.
                if field.values.is_empty() {
                    continue;
                }
                for (v, value) in item.values.iter().enumerate() {
                    if !field.values.iter().any(|c| &c.value == value) {
                        return Err(unknown(format!("{at}.values[{v}]"), "value"));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether every id is an asset group of DescribeGroupStruct's tree.
pub fn check_group_ids(groups: &[AssetGroup], ids: &[i64]) -> Result<(), InvalidField> {
    let known = flatten_groups(groups);
    match ids.iter().position(|id| !known.iter().any(|g| g.id == *id)) {
        Some(g) => Err(InvalidField::new(
            format!("group_ids[{g}]"),
            "Security Center has no asset group with this id",
        )
        .because(Problem::Unknown)),
        None => Ok(()),
    }
}

/// One chosen value of a form: (source, field, value).
pub type ScopePick = (String, String, String);

/// Rules from the values picked in a form, in pick order; a source without
/// any value picked is not a rule.
pub fn rules_from_picks(picks: &[ScopePick]) -> Vec<ScopeRule> {
    let mut rules: Vec<ScopeRule> = Vec::new();
    for (source, field, value) in picks {
        let rule = match rules.iter().position(|r| &r.source == source) {
            Some(i) => &mut rules[i],
            None => {
                rules.push(ScopeRule {
                    source: source.clone(),
                    items: Vec::new(),
                });
                rules.last_mut().expect("just pushed")
            }
        };
        let item = match rule.items.iter().position(|i| &i.field == field) {
            Some(i) => &mut rule.items[i],
            None => {
                rule.items.push(ScopeItem {
                    field: field.clone(),
                    values: Vec::new(),
                });
                rule.items.last_mut().expect("just pushed")
            }
        };
        if !item.values.contains(value) {
            item.values.push(value.clone());
        }
    }
    rules
}

/// The picks behind `rules` (the inverse of [`rules_from_picks`]).
pub fn picks_of(rules: &[ScopeRule]) -> Vec<ScopePick> {
    rules
        .iter()
        .flat_map(|r| {
            r.items.iter().flat_map(move |i| {
                i.values
                    .iter()
                    .map(move |v| (r.source.clone(), i.field.clone(), v.clone()))
            })
        })
        .collect()
}

/// An asset group of DescribeGroupStruct, with its children.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetGroup {
    pub id: i64,
    pub name: String,
    /// `GroupFlag` 0.
    pub default: bool,
    pub machines: i64,
    pub children: Vec<AssetGroup>,
}

/// An asset group for a picker: its name with its parents'.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetGroupChoice {
    pub id: i64,
    /// `Production / Production East`.
    pub path: String,
}

/// Every group of the tree, depth first, named by its path.
pub fn flatten_groups(groups: &[AssetGroup]) -> Vec<AssetGroupChoice> {
    fn walk(groups: &[AssetGroup], prefix: &str, out: &mut Vec<AssetGroupChoice>) {
        for g in groups {
            let path = if prefix.is_empty() {
                g.name.clone()
            } else {
                format!("{prefix} / {}", g.name)
            };
            out.push(AssetGroupChoice {
                id: g.id,
                path: path.clone(),
            });
            walk(&g.children, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(groups, "", &mut out);
    out
}

/// `DescribeGroupStruct` for the form: the tree, typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetGroups {
    pub groups: Vec<AssetGroup>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_hides_the_token_and_credentials() {
        let cases = [
            (
                "https://oapi.dingtalk.com/robot/send?access_token=abc123",
                "https://oapi.dingtalk.com/robot/send?access_token=***",
            ),
            (
                "https://user:pw@example.com/hook?x=1&access_token=t#frag",
                "https://example.com/hook?access_token=***",
            ),
            (
                "https://example.com/hook?other=1",
                "https://example.com/hook",
            ),
            ("https://example.com", "https://example.com"),
            ("not a url?access_token=s", "not a url?access_token=***"),
        ];
        for (url, masked) in cases {
            assert_eq!(MaskedUrl::mask(url).as_str(), masked, "{url}");
            assert!(!MaskedUrl::mask(url).as_str().contains("abc123"));
        }
    }

    #[test]
    fn webhooks_must_be_dingtalk_robot_urls() {
        let url = WebhookUrl::parse(" https://oapi.dingtalk.com/robot/send?access_token=ab_C-9 ")
            .unwrap();
        assert_eq!(
            url.expose(),
            "https://oapi.dingtalk.com/robot/send?access_token=ab_C-9"
        );
        assert_eq!(url.token(), "ab_C-9");
        assert_eq!(
            url.masked().as_str(),
            "https://oapi.dingtalk.com/robot/send?access_token=***"
        );
        assert!(!format!("{url:?}").contains("ab_C-9"));
        for bad in [
            "",
            "http://oapi.dingtalk.com/robot/send?access_token=x",
            "https://evil.example/robot/send?access_token=x",
            "https://oapi.dingtalk.com/robot/send?access_token=",
            "https://oapi.dingtalk.com/robot/send?access_token=x&y=1",
            "https://oapi.dingtalk.com/robot/send?token=x",
        ] {
            let err = WebhookUrl::parse(bad).unwrap_err();
            assert_eq!(err.field, "webhook", "{bad}");
            assert!(!err.message.contains("x&y"), "{}", err.message);
        }
    }

    #[test]
    fn names_are_2_to_64_chars() {
        assert!(RobotName::parse("a").is_err());
        assert!(RobotName::parse("漏洞").is_ok());
        assert!(RobotName::parse(&"x".repeat(64)).is_ok());
        assert!(RobotName::parse(&"x".repeat(65)).is_err());
        assert_eq!(RobotName::parse("a").unwrap_err().field, "name");
    }

    #[test]
    fn intervals_carry_their_unit_and_bounds() {
        let i = SendInterval::parse(30, IntervalUnit::Minutes).unwrap();
        assert_eq!((i.amount(), i.unit()), (30, IntervalUnit::Minutes));
        assert!(SendInterval::parse(1441, IntervalUnit::Minutes).is_err());
        assert!(SendInterval::parse(86_400, IntervalUnit::Seconds).is_ok());
        assert_eq!(
            SendInterval::parse(-1, IntervalUnit::Seconds)
                .unwrap_err()
                .field,
            "interval"
        );
    }

    fn form() -> RobotForm {
        RobotForm {
            name: "ok name".into(),
            webhook: Some(SecretInput::new(
                "https://oapi.dingtalk.com/robot/send?access_token=t0k",
            )),
            lang: "en".into(),
            interval: 1,
            interval_unit: "minutes".into(),
            rules: vec![],
            group_ids: vec![1],
        }
    }

    #[test]
    fn forms_parse_naming_the_field_of_each_problem() {
        let input = RobotInput::parse(form()).unwrap();
        assert_eq!(input.webhook.as_ref().unwrap().token(), "t0k");
        assert!(!format!("{input:?}").contains("t0k"));
        type Change = fn(&mut RobotForm);
        let cases: [(Change, &str); 7] = [
            (|f| f.name = "x".into(), "name"),
            (
                |f| f.webhook = Some(SecretInput::new("https://x.example/")),
                "webhook",
            ),
            (|f| f.lang = "fr".into(), "lang"),
            (|f| f.interval_unit = "hours".into(), "interval_unit"),
            (|f| f.interval = -3, "interval"),
            (
                |f| {
                    f.rules = vec![ScopeRule {
                        source: " ".into(),
                        items: vec![],
                    }]
                },
                "rules[0].source",
            ),
            (|f| f.group_ids = vec![0], "group_ids[0]"),
        ];
        for (change, field) in cases {
            let mut f = form();
            change(&mut f);
            assert_eq!(RobotInput::parse(f).unwrap_err().field, field);
        }
        let mut keep = form();
        keep.webhook = Some(SecretInput::new("  "));
        assert!(RobotInput::parse(keep).unwrap().webhook.is_none());
        // A form with nothing in it names the name first.
        let empty: RobotForm = serde_json::from_str("{}").unwrap();
        assert_eq!(RobotInput::parse(empty).unwrap_err().field, "name");
    }

    #[test]
    fn scopes_are_short_unique_and_named_by_their_path() {
        let rule = |source: &str, field: &str, values: &[&str]| ScopeRule {
            source: source.into(),
            items: vec![ScopeItem {
                field: field.into(),
                values: values.iter().map(|v| (*v).to_owned()).collect(),
            }],
        };
        let long = "x".repeat(60 * 1024);
        let cases = [
            (vec![rule(&long, "k", &["v"])], vec![], "rules[0].source"),
            (
                vec![rule("a", "k", &["v"]), rule("b", "k", &["v", &long])],
                vec![],
                "rules[1].items[0].values[1]",
            ),
            (
                vec![rule("a", "k", &["v"]), rule("a", "k", &["w"])],
                vec![],
                "rules[1].source",
            ),
            (
                vec![rule("a", " ", &["v"])],
                vec![],
                "rules[0].items[0].field",
            ),
            (vec![], vec![5, 6, 5], "group_ids[2]"),
            (vec![], vec![-1], "group_ids[0]"),
        ];
        for (rules, groups, field) in cases {
            let err = check_scopes(&rules, &groups).unwrap_err();
            assert_eq!(err.field, field);
            assert!(err.message.len() < 200, "no echo of the input");
        }
        let err = check_scopes(&[rule(&long, "k", &[])], &[]).unwrap_err();
        assert!(matches!(
            err.problem,
            Problem::Length {
                max: MAX_SCOPE_TEXT,
                ..
            }
        ));
        assert!(check_scopes(&[rule("a", "k", &["v", "w"])], &[1, 2]).is_ok());
    }

    #[test]
    fn an_edit_names_only_what_changes() {
        let rename: RobotEdit = serde_json::from_str(r#"{"name": "renamed"}"#).unwrap();
        let changes = RobotChanges::parse(rename).unwrap();
        assert_eq!(changes.name.unwrap().as_str(), "renamed");
        assert_eq!(
            (
                changes.lang,
                changes.interval_unit,
                changes.rules,
                changes.group_ids
            ),
            (None, None, None, None)
        );
        let cleared: RobotEdit = serde_json::from_str(r#"{"rules": [], "group_ids": []}"#).unwrap();
        let cleared = RobotChanges::parse(cleared).unwrap();
        assert_eq!(
            (cleared.rules, cleared.group_ids),
            (Some(vec![]), Some(vec![]))
        );
        let whole = RobotChanges::parse(RobotEdit::from(form())).unwrap();
        assert_eq!(whole.interval, Some(1));
        assert_eq!(whole.webhook.unwrap().token(), "t0k");
        let bad: RobotEdit = serde_json::from_str(r#"{"interval_unit": "hours"}"#).unwrap();
        assert_eq!(RobotChanges::parse(bad).unwrap_err().field, "interval_unit");
    }

    fn choices() -> ScopeChoices {
        ScopeChoices {
            sources: vec![ScopeSource {
                name: "sas_vul_notify".into(),
                label: "Vulnerabilities".into(),
                fields: vec![ScopeField {
                    key: "vul_level".into(),
                    label: "Level".into(),
                    values: vec![
                        ScopeValue {
                            value: "asap".into(),
                            label: "High".into(),
                        },
                        ScopeValue {
                            value: "later".into(),
                            label: "Medium".into(),
                        },
                    ],
                }],
            }],
        }
    }

    #[test]
    fn rules_and_groups_must_be_offered() {
        let rule = |source: &str, field: &str, value: &str| ScopeRule {
            source: source.into(),
            items: vec![ScopeItem {
                field: field.into(),
                values: vec![value.into()],
            }],
        };
        let c = choices();
        assert!(
            c.check(&[rule("sas_vul_notify", "vul_level", "asap")])
                .is_ok()
        );
        for (bad, field) in [
            (rule("other", "vul_level", "asap"), "rules[0].source"),
            (
                rule("sas_vul_notify", "nope", "asap"),
                "rules[0].items[0].field",
            ),
            (
                rule("sas_vul_notify", "vul_level", "never"),
                "rules[0].items[0].values[0]",
            ),
        ] {
            let err = c.check(&[bad]).unwrap_err();
            assert_eq!((err.field.as_str(), err.problem), (field, Problem::Unknown));
        }
        let tree = vec![AssetGroup {
            id: 1,
            name: "Prod".into(),
            default: false,
            machines: 0,
            children: vec![AssetGroup {
                id: 2,
                name: "East".into(),
                default: false,
                machines: 0,
                children: vec![],
            }],
        }];
        assert!(check_group_ids(&tree, &[2, 1]).is_ok());
        assert_eq!(
            check_group_ids(&tree, &[1, 3]).unwrap_err().field,
            "group_ids[1]"
        );
    }

    #[test]
    fn rules_read_in_words() {
        let rule = ScopeRule {
            source: "sas_vul_notify".into(),
            items: vec![ScopeItem {
                field: "vul_level".into(),
                values: vec!["asap".into(), "later".into(), "odd".into()],
            }],
        };
        assert_eq!(
            choices().describe(&rule),
            "Vulnerabilities: Level High, Medium, odd"
        );
        let unknown = ScopeRule {
            source: "other".into(),
            items: vec![],
        };
        assert_eq!(choices().describe(&unknown), "other");
    }

    #[test]
    fn picks_and_rules_round_trip() {
        let pick = |s: &str, f: &str, v: &str| (s.to_owned(), f.to_owned(), v.to_owned());
        let picks = vec![
            pick("vul", "level", "asap"),
            pick("alerts", "level", "all"),
            pick("vul", "level", "later"),
            pick("vul", "type", "cms"),
            pick("vul", "level", "asap"),
        ];
        let rules = rules_from_picks(&picks);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].items[0].values, vec!["asap", "later"]);
        assert_eq!(rules[0].items[1].field, "type");
        assert_eq!(rules_from_picks(&picks_of(&rules)), rules);
        assert!(rules_from_picks(&[]).is_empty());
    }

    #[test]
    fn groups_flatten_with_their_path() {
        let tree = vec![AssetGroup {
            id: 1,
            name: "Prod".into(),
            default: false,
            machines: 2,
            children: vec![AssetGroup {
                id: 2,
                name: "East".into(),
                default: false,
                machines: 1,
                children: vec![],
            }],
        }];
        let flat = flatten_groups(&tree);
        assert_eq!(flat[1].path, "Prod / East");
        assert_eq!(flat.len(), 2);
    }

    #[test]
    fn page_count_rounds_up() {
        let p = PageInfo {
            current_page: 1,
            page_size: 20,
            total_count: 41,
        };
        assert_eq!(p.page_count(), 3);
    }
}
