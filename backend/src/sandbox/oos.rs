//! OOS 2019-06-01 chat configurations, kept per region.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::call::{AcsError, AcsResult, Params};
use crate::upstream::signing::hex_sha256;

pub const ACTIONS: [&str; 5] = [
    "CreateChatConfiguration",
    "UpdateChatConfiguration",
    "GetChatConfiguration",
    "DeleteChatConfiguration",
    "ListChatConfigurations",
];

/// What Get shows instead of a secret. Update stores whatever it is sent,
/// this mask included, as the real service may.
pub const MASK: &str = "******";
pub const TYPES: [&str; 2] = ["DingTalk", "WeChat"];
/// Filter names ListChatConfigurations understands (upstream: undocumented).
pub const FILTER_NAMES: [&str; 2] = ["Name", "Type"];
pub const MAX_RESULTS: i64 = 100;
pub const DEFAULT_MAX_RESULTS: i64 = 50;

#[derive(Clone, Debug, PartialEq)]
pub struct ChatConfig {
    pub name: String,
    pub kind: String,
    pub ram_role: Option<String>,
    /// The configuration as stored, secrets in clear.
    pub configuration: Map<String, Value>,
    pub resource_group_id: Option<String>,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    /// The `Outputs` JSON string, fixed at creation.
    pub outputs: String,
}

/// DingTalk's secret and WeCom's open keys: anything named like a secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "token", "key"].iter().any(|s| key.contains(s))
}

pub fn iso_date(at: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    at.to_offset(time::UtcOffset::UTC)
        .format(format)
        .expect("a UTC date always formats")
}

impl ChatConfig {
    fn masked_configuration(&self) -> String {
        let masked: Map<String, Value> = self
            .configuration
            .iter()
            .map(|(k, v)| {
                let v = if is_secret_key(k) {
                    Value::String(MASK.into())
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect();
        Value::Object(masked).to_string()
    }

    fn summary(&self) -> Value {
        json!({
            "Name": self.name,
            "Type": self.kind,
            "RamRole": self.ram_role,
            "Outputs": self.outputs,
            "CreatedDate": iso_date(self.created),
            "UpdatedDate": iso_date(self.updated),
        })
    }

    fn full(&self) -> Value {
        let mut v = self.summary();
        v["Configuration"] = Value::String(self.masked_configuration());
        v["ResourceGroupId"] = json!(self.resource_group_id);
        v
    }

    fn dates(&self) -> Value {
        json!({
            "Name": self.name,
            "CreatedDate": iso_date(self.created),
            "UpdatedDate": iso_date(self.updated),
        })
    }
}

/// The chat configurations of every region, keyed by (RegionId, Name).
#[derive(Default)]
pub struct ChatConfigs {
    pub by_key: BTreeMap<(String, String), ChatConfig>,
    /// Makes generated webhooks unique and stable.
    seq: u64,
}

impl ChatConfigs {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

/// The webhook the chat platform calls, unique per created configuration.
pub fn outputs_for(region: &str, name: &str, seq: u64) -> String {
    let uid = &hex_sha256(format!("{region}/{name}/{seq}").as_bytes())[..32];
    json!({ "URL": format!("https://{uid}.appflow.aliyunnest.com/webhook/") }).to_string()
}

pub fn call(
    configs: &mut ChatConfigs,
    now: OffsetDateTime,
    action: &str,
    p: &Params,
) -> AcsResult<Value> {
    let region = region(p)?;
    match action {
        "CreateChatConfiguration" => create(configs, now, region, p),
        "UpdateChatConfiguration" => update(configs, now, region, p),
        "GetChatConfiguration" => {
            let key = (region.to_owned(), name(p)?.to_owned());
            let config = configs.by_key.get(&key).ok_or_else(|| not_found(&key.1))?;
            Ok(json!({ "ChatConfiguration": config.full() }))
        }
        "DeleteChatConfiguration" => {
            let key = (region.to_owned(), name(p)?.to_owned());
            let removed = configs
                .by_key
                .remove(&key)
                .ok_or_else(|| not_found(&key.1))?;
            Ok(json!({ "Content": removed.name }))
        }
        _ => list(configs, region, p),
    }
}

fn region(p: &Params) -> AcsResult<&str> {
    let region = p.require("RegionId")?;
    let valid = region.len() <= 32
        && region.contains('-')
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(region)
    } else {
        Err(AcsError::invalid(
            "RegionId",
            "not a region id such as cn-hangzhou",
        ))
    }
}

/// OOS documents no name rule and holds names made elsewhere
/// (`生产 机器人`): any name but an empty one, taken as it is.
fn name(p: &Params) -> AcsResult<&str> {
    let name = p.require("Name")?;
    if name.is_empty() {
        return Err(AcsError::missing("Name"));
    }
    Ok(name)
}

fn kind(value: &str) -> AcsResult<String> {
    if TYPES.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(AcsError::invalid("Type", "must be DingTalk or WeChat"))
    }
}

fn parse_configuration(text: &str) -> AcsResult<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(AcsError::invalid(
            "Configuration",
            "must be a JSON object carried as a string",
        )),
    }
}

/// DingTalk needs its client id and secret; WeCom keys are open.
fn check_configuration(kind: &str, config: &Map<String, Value>) -> AcsResult<()> {
    if kind == "DingTalk" {
        for key in ["DingTalkClientId", "DingTalkClientSecret"] {
            match config.get(key) {
                Some(Value::String(s)) if !s.is_empty() => {}
                _ => {
                    return Err(AcsError::invalid(
                        "Configuration",
                        format!("{key} is required for DingTalk"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn not_found(name: &str) -> AcsError {
    AcsError::new(
        StatusCode::NOT_FOUND,
        "EntityNotExists.ChatConfiguration",
        format!("The chat configuration {name} does not exist."),
    )
}

fn create(
    configs: &mut ChatConfigs,
    now: OffsetDateTime,
    region: &str,
    p: &Params,
) -> AcsResult<Value> {
    let name = name(p)?.to_owned();
    let kind = kind(p.require("Type")?)?;
    let configuration = parse_configuration(p.require("Configuration")?)?;
    check_configuration(&kind, &configuration)?;
    let key = (region.to_owned(), name.clone());
    if configs.by_key.contains_key(&key) {
        return Err(AcsError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists.ChatConfiguration",
            format!("The chat configuration {name} already exists in {region}."),
        ));
    }
    let seq = configs.next_seq();
    let config = ChatConfig {
        outputs: outputs_for(region, &name, seq),
        name,
        kind,
        ram_role: p.get("RamRole").map(str::to_owned),
        configuration,
        resource_group_id: p.get("ResourceGroupId").map(str::to_owned),
        created: now,
        updated: now,
    };
    let dates = config.dates();
    configs.by_key.insert(key, config);
    Ok(json!({ "ChatConfiguration": dates }))
}

/// Only the parameters sent change; a Configuration replaces the stored one
/// whole, exactly as sent (a `******` is stored as `******`).
fn update(
    configs: &mut ChatConfigs,
    now: OffsetDateTime,
    region: &str,
    p: &Params,
) -> AcsResult<Value> {
    let key = (region.to_owned(), name(p)?.to_owned());
    let stored = configs.by_key.get(&key).ok_or_else(|| not_found(&key.1))?;
    let mut next = stored.clone();
    if let Some(kind_value) = p.get("Type") {
        next.kind = kind(kind_value)?;
    }
    if let Some(text) = p.get("Configuration") {
        next.configuration = parse_configuration(text)?;
    }
    check_configuration(&next.kind, &next.configuration)?;
    if let Some(role) = p.get("RamRole") {
        next.ram_role = Some(role.to_owned());
    }
    if let Some(group) = p.get("ResourceGroupId") {
        next.resource_group_id = Some(group.to_owned());
    }
    next.updated = now;
    let dates = next.dates();
    configs.by_key.insert(key, next);
    Ok(json!({ "ChatConfiguration": dates }))
}

/// `Filters.N.Name` / `Filters.N.Value` (N from 1): Name matches a substring
/// of the name (case-insensitive), Type matches exactly. All filters apply.
fn filters(p: &Params) -> AcsResult<Vec<(String, String)>> {
    let mut filters = Vec::new();
    for n in 1.. {
        let name_key = format!("Filters.{n}.Name");
        let value_key = format!("Filters.{n}.Value");
        let (Some(name), value) = (p.get(&name_key), p.get(&value_key)) else {
            if p.get(&value_key).is_some() {
                return Err(AcsError::missing(&name_key));
            }
            break;
        };
        if !FILTER_NAMES.contains(&name) {
            return Err(AcsError::invalid(
                &name_key,
                format!("unsupported filter {name:?}; use Name or Type"),
            ));
        }
        let value = value.ok_or_else(|| AcsError::missing(&value_key))?;
        filters.push((name.to_owned(), value.to_owned()));
    }
    Ok(filters)
}

fn list(configs: &ChatConfigs, region: &str, p: &Params) -> AcsResult<Value> {
    let filters = filters(p)?;
    let max = p.int("MaxResults")?.unwrap_or(DEFAULT_MAX_RESULTS);
    if !(1..=MAX_RESULTS).contains(&max) {
        return Err(AcsError::invalid("MaxResults", "must be 1-100"));
    }
    let matches = |c: &ChatConfig| {
        filters.iter().all(|(name, value)| match name.as_str() {
            "Name" => c.name.to_lowercase().contains(&value.to_lowercase()),
            _ => c.kind == *value,
        })
    };
    let items: Vec<Value> = configs
        .by_key
        .iter()
        .filter(|((r, _), c)| r == region && matches(c))
        .take(usize::try_from(max).unwrap_or(usize::MAX))
        .map(|(_, c)| c.summary())
        .collect();
    Ok(json!({ "ChatConfigurations": items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> ChatConfigs {
        ChatConfigs::default()
    }

    const CONF: &str = r#"{"DingTalkClientId":"ding1","DingTalkClientSecret":"s3cret","DingTalkTemplateId":"t.schema"}"#;

    #[test]
    fn update_stores_what_it_is_sent_even_a_mask() {
        let mut w = world();
        let now = OffsetDateTime::UNIX_EPOCH;
        let base = [("RegionId", "cn-hangzhou"), ("Name", "ops")];
        let mut create = base.to_vec();
        create.extend([("Type", "DingTalk"), ("Configuration", CONF)]);
        call(&mut w, now, "CreateChatConfiguration", &Params::of(&create)).unwrap();
        let mut upd = base.to_vec();
        upd.push((
            "Configuration",
            r#"{"DingTalkClientId":"ding2","DingTalkClientSecret":"******"}"#,
        ));
        call(&mut w, now, "UpdateChatConfiguration", &Params::of(&upd)).unwrap();
        let stored = &w.by_key[&("cn-hangzhou".into(), "ops".into())];
        assert_eq!(stored.configuration["DingTalkClientSecret"], MASK);
        assert_eq!(stored.configuration["DingTalkClientId"], "ding2");
        let got = call(&mut w, now, "GetChatConfiguration", &Params::of(&base)).unwrap();
        let shown: Value =
            serde_json::from_str(got["ChatConfiguration"]["Configuration"].as_str().unwrap())
                .unwrap();
        assert_eq!(shown["DingTalkClientSecret"], MASK);
        // Same name again: conflict; another region: fine.
        let err = call(&mut w, now, "CreateChatConfiguration", &Params::of(&create)).unwrap_err();
        assert_eq!(err.status, StatusCode::CONFLICT);
        create[0] = ("RegionId", "cn-shanghai");
        call(&mut w, now, "CreateChatConfiguration", &Params::of(&create)).unwrap();
    }

    #[test]
    fn secret_keys_are_recognised() {
        for k in [
            "DingTalkClientSecret",
            "CorpSecret",
            "Token",
            "EncodingAESKey",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["DingTalkClientId", "DingTalkTemplateId", "CorpId"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn filters_must_be_known_and_complete() {
        let p = Params::of(&[("Filters.1.Name", "Owner"), ("Filters.1.Value", "x")]);
        assert_eq!(filters(&p).unwrap_err().code, "InvalidFilters1Name");
        let p = Params::of(&[("Filters.1.Name", "Type")]);
        assert_eq!(filters(&p).unwrap_err().code, "MissingFilters1Value");
        let p = Params::of(&[
            ("Filters.1.Name", "Type"),
            ("Filters.1.Value", "WeChat"),
            ("Filters.2.Name", "Name"),
            ("Filters.2.Value", "ops"),
        ]);
        assert_eq!(filters(&p).unwrap().len(), 2);
    }
}
