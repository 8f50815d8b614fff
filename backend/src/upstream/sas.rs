//! Security Center DingTalk notification robots (spec section 3). The region
//! picks the host only; no RegionId parameter is sent.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::ids::RegionId;
use shared::robots::{
    AssetGroup, MaskedUrl, PageInfo, Robot, RobotId, RobotLang, RobotName, RobotPage, RobotScopes,
    ScopeChoices, ScopeField, ScopeItem, ScopeRule, ScopeSource, ScopeValue,
};
use shared::time::Timestamp;

use super::Receipt;
use super::acs::{AcsClient, AcsCredentials};
use super::error::{Service, UpstreamError};
use super::http::Endpoints;
use super::product::{Product, ProductClient};
use super::retry::Idempotency;

#[derive(Debug)]
pub struct SasClient {
    api: ProductClient,
}

/// A robot with its webhook URL, which an update must send again. The
/// URL is a secret: only [`Robot::webhook`] (masked) may be shown.
#[derive(Clone, Debug)]
pub struct StoredRobot {
    pub robot: Robot,
    pub send_url: SecretString,
}

#[derive(Debug)]
pub struct StoredRobotPage {
    pub page: PageInfo,
    pub robots: Vec<StoredRobot>,
}

impl StoredRobotPage {
    /// What the UI may see.
    pub fn shown(&self) -> RobotPage {
        RobotPage {
            page: self.page,
            robots: self.robots.iter().map(|r| r.robot.clone()).collect(),
        }
    }
}

/// A create (no id) or update, with the webhook URL in the clear.
#[derive(Clone, Debug)]
pub struct RobotWrite {
    pub id: Option<RobotId>,
    pub name: RobotName,
    pub send_url: SecretString,
    /// `IntervalTime` as sent (no unit conversion: see spec 3).
    pub interval_time: i64,
    pub rules: Vec<ScopeRule>,
    pub group_ids: Vec<i64>,
    pub lang: Option<RobotLang>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireDescribe {
    page_info: Option<WirePageInfo>,
    #[serde(default)]
    action_list: Vec<WireRobot>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WirePageInfo {
    current_page: Option<u32>,
    page_size: Option<u32>,
    total_count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireRobot {
    id: i64,
    #[serde(default)]
    action_name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    status: i64,
    config_list: Option<String>,
    group_id_list: Option<String>,
    ding_talk_lang: Option<String>,
    #[serde(default)]
    interval_time: i64,
    ali_uid: Option<i64>,
    gmt_create: Option<i64>,
    gmt_modified: Option<i64>,
}

/// A ConfigList entry as upstream writes it.
#[derive(Serialize, Deserialize)]
struct WireRule {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "configItemList", default)]
    items: Vec<WireItem>,
}

#[derive(Serialize, Deserialize)]
struct WireItem {
    key: String,
    /// The seed's own example has `"valueList":"123"`: one value as a
    /// string instead of a list.
    #[serde(rename = "valueList", default, deserialize_with = "one_or_many")]
    values: Vec<String>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    fn text(v: Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .map(|v| text(v).ok_or_else(|| de::Error::custom("valueList holds a non-value")))
            .collect(),
        other => text(other)
            .map(|s| vec![s])
            .ok_or_else(|| de::Error::custom("valueList is neither a list nor a value")),
    }
}

/// Reads a ConfigList leniently; an `Err` names what is wrong without
/// repeating the text.
pub fn parse_config_list(text: &str) -> Result<Vec<ScopeRule>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let rules: Vec<WireRule> =
        serde_json::from_str(text).map_err(|e| format!("ConfigList is not a rule list: {e}"))?;
    Ok(rules
        .into_iter()
        .map(|r| ScopeRule {
            source: r.kind,
            items: r
                .items
                .into_iter()
                .map(|i| ScopeItem {
                    field: i.key,
                    values: i.values,
                })
                .collect(),
        })
        .collect())
}

/// The ConfigList parameter for `rules`.
pub fn config_list(rules: &[ScopeRule]) -> String {
    let wire: Vec<WireRule> = rules
        .iter()
        .map(|r| WireRule {
            kind: r.source.clone(),
            items: r
                .items
                .iter()
                .map(|i| WireItem {
                    key: i.field.clone(),
                    values: i.values.clone(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&wire).expect("rules serialize")
}

/// `GroupIdList` as DescribeDingTalk returns it (`"123,456"`), or as a JSON
/// array, which is how it is sent.
pub fn parse_group_ids(text: &str) -> Result<Vec<i64>, String> {
    let text = text.trim();
    let parts: Vec<String> = if text.starts_with('[') {
        serde_json::from_str::<Vec<Value>>(text)
            .map_err(|_| "GroupIdList is not a list".to_owned())?
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect()
    } else {
        text.split(',').map(str::to_owned).collect()
    };
    parts
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| format!("GroupIdList holds {s:?}, not a group id"))
        })
        .collect()
}

impl WireRobot {
    fn into_stored(self) -> StoredRobot {
        let scopes = match (
            parse_config_list(self.config_list.as_deref().unwrap_or("")),
            parse_group_ids(self.group_id_list.as_deref().unwrap_or("")),
        ) {
            (Ok(rules), Ok(group_ids)) => RobotScopes::Known { rules, group_ids },
            (Err(reason), _) | (_, Err(reason)) => RobotScopes::Unreadable { reason },
        };
        let robot = Robot {
            id: RobotId(self.id),
            name: self.action_name,
            webhook: MaskedUrl::mask(&self.url),
            enabled: self.status == 1,
            scopes,
            lang: self.ding_talk_lang.as_deref().and_then(RobotLang::parse),
            interval: self.interval_time,
            interval_unit: None,
            ali_uid: self.ali_uid,
            created: self.gmt_create.map(Timestamp::from_epoch_millis),
            modified: self.gmt_modified.map(Timestamp::from_epoch_millis),
        };
        StoredRobot {
            robot,
            send_url: self.url.into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireDataSource {
    #[serde(default)]
    meta_datas: Vec<WireMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireMeta {
    #[serde(default)]
    data_source_name: String,
    description: Option<String>,
    #[serde(default)]
    meta_data_fields: Vec<WireField>,
}

/// `Filed` is how the API spells it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireField {
    #[serde(default)]
    filed: String,
    filed_name: Option<String>,
    sample: Option<String>,
}

/// `Sample`: `value:label` pairs joined by `;` (a bare value is its own
/// label).
fn parse_sample(sample: &str) -> Vec<ScopeValue> {
    sample
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (value, label) = pair.split_once(':').unwrap_or((pair, pair));
            ScopeValue {
                value: value.trim().to_owned(),
                label: label.trim().to_owned(),
            }
        })
        .collect()
}

impl WireDataSource {
    fn into_choices(self) -> ScopeChoices {
        ScopeChoices {
            sources: self
                .meta_datas
                .into_iter()
                .filter(|m| !m.data_source_name.is_empty())
                .map(|m| ScopeSource {
                    label: m
                        .description
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| m.data_source_name.clone()),
                    name: m.data_source_name,
                    fields: m
                        .meta_data_fields
                        .into_iter()
                        .filter(|f| !f.filed.is_empty())
                        .map(|f| ScopeField {
                            label: f
                                .filed_name
                                .filter(|n| !n.is_empty())
                                .unwrap_or_else(|| f.filed.clone()),
                            values: parse_sample(f.sample.as_deref().unwrap_or("")),
                            key: f.filed,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// DescribeGroupStruct. Spec 3 gives `Groups[{GroupId, ..., Groups[...]}]`;
/// the official Java SDK model puts the root group's fields at the top with
/// `Groups` as strings. Both are read: a top level with a `GroupId` is a
/// group itself, and a child given as a string is decoded as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireGroup {
    group_id: Option<i64>,
    group_name: Option<String>,
    group_flag: Option<i64>,
    machine_num: Option<i64>,
    #[serde(default)]
    groups: Vec<WireChild>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WireChild {
    Group(WireGroup),
    Text(String),
}

impl WireGroup {
    fn children(self) -> Vec<AssetGroup> {
        self.groups
            .into_iter()
            .filter_map(|child| match child {
                WireChild::Group(g) => Some(g),
                WireChild::Text(text) => serde_json::from_str(&text).ok(),
            })
            .filter_map(WireGroup::into_group)
            .collect()
    }

    fn into_group(self) -> Option<AssetGroup> {
        let id = self.group_id?;
        Some(AssetGroup {
            id,
            name: self
                .group_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| id.to_string()),
            default: self.group_flag == Some(0),
            machines: self.machine_num.unwrap_or(0),
            children: self.children(),
        })
    }

    fn into_tree(self) -> Vec<AssetGroup> {
        if self.group_id.is_some() {
            self.into_group().into_iter().collect()
        } else {
            self.children()
        }
    }
}

fn ids(ids: &[RobotId]) -> String {
    ids.iter()
        .map(|i| i.0.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl SasClient {
    pub fn new(acs: Arc<AcsClient>, endpoints: Arc<Endpoints>) -> SasClient {
        let product = Product {
            service: Service::Sas,
            version: "2018-12-03",
            host: Endpoints::sas,
            sends_region: false,
        };
        SasClient {
            api: ProductClient::new(acs, endpoints, product),
        }
    }

    /// DescribeDingTalk: one page (from 1), optionally filtered by name. A
    /// robot whose ConfigList does not parse comes back with its scopes
    /// unreadable; it does not fail the page.
    pub async fn list(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        page: u32,
        page_size: u32,
        name: Option<&str>,
    ) -> Result<StoredRobotPage, UpstreamError> {
        let request = self
            .api
            .request("DescribeDingTalk", Idempotency::Read)
            .param("CurrentPage", page.max(1).to_string())
            .param("PageSize", page_size.to_string())
            .param_opt("RuleActionName", name.filter(|n| !n.is_empty()));
        let answer: WireDescribe = self.api.call(credentials, region_id, request).await?;
        let info = answer.page_info.unwrap_or(WirePageInfo {
            current_page: None,
            page_size: None,
            total_count: None,
        });
        let robots: Vec<StoredRobot> = answer
            .action_list
            .into_iter()
            .map(WireRobot::into_stored)
            .collect();
        Ok(StoredRobotPage {
            page: PageInfo {
                current_page: info.current_page.unwrap_or(page),
                page_size: info.page_size.unwrap_or(page_size),
                total_count: info.total_count.unwrap_or(robots.len() as u64),
            },
            robots,
        })
    }

    /// CreateOrUpdateDingTalk. It answers only a RequestId: a new robot's
    /// Id is found afterwards by name.
    pub async fn save(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robot: &RobotWrite,
    ) -> Result<Receipt<()>, UpstreamError> {
        let groups: Vec<String> = robot.group_ids.iter().map(i64::to_string).collect();
        let groups = serde_json::to_string(&groups).expect("ids serialize");
        let request = self
            .api
            .request("CreateOrUpdateDingTalk", Idempotency::Write)
            .param("RuleActionName", robot.name.as_str())
            .param("SendUrl", robot.send_url.expose_secret())
            .param_opt("Id", robot.id.map(|i| i.0.to_string()))
            .param("IntervalTime", robot.interval_time.to_string())
            .param("ConfigList", config_list(&robot.rules))
            .param("GroupIdList", groups)
            .param_opt("DingTalkLang", robot.lang.map(RobotLang::as_str));
        self.api.write(credentials, region_id, request).await
    }

    /// ModifyDingTalkStatus (Enterprise edition only).
    pub async fn set_enabled(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robots: &[RobotId],
        enabled: bool,
    ) -> Result<Receipt<()>, UpstreamError> {
        let request = self
            .api
            .request("ModifyDingTalkStatus", Idempotency::Write)
            .param("Ids", ids(robots))
            .param("Status", if enabled { "1" } else { "0" });
        self.api.write(credentials, region_id, request).await
    }

    /// DeleteDingTalk.
    pub async fn delete(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robots: &[RobotId],
    ) -> Result<Receipt<()>, UpstreamError> {
        let request = self
            .api
            .request("DeleteDingTalk", Idempotency::Write)
            .param("Ids", ids(robots));
        self.api.write(credentials, region_id, request).await
    }

    /// DingTalkOnlineTest: sends a test message (so never retried). The
    /// answer does not say whether it was delivered.
    pub async fn test_message(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robot: RobotId,
    ) -> Result<Receipt<()>, UpstreamError> {
        let request = self
            .api
            .request("DingTalkOnlineTest", Idempotency::Write)
            .param("Id", robot.0.to_string());
        self.api.write(credentials, region_id, request).await
    }

    /// DescribeDataSource for `ConfigType=DingTalk`: the choices behind
    /// ConfigList, typed.
    pub async fn scope_choices(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        lang: RobotLang,
    ) -> Result<ScopeChoices, UpstreamError> {
        let request = self
            .api
            .request("DescribeDataSource", Idempotency::Read)
            .param("ConfigType", "DingTalk")
            .param("Lang", lang.as_str());
        let answer: WireDataSource = self.api.call(credentials, region_id, request).await?;
        Ok(answer.into_choices())
    }

    /// DescribeGroupStruct: the asset groups behind GroupIdList.
    pub async fn asset_groups(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        lang: RobotLang,
    ) -> Result<Vec<AssetGroup>, UpstreamError> {
        let request = self
            .api
            .request("DescribeGroupStruct", Idempotency::Read)
            .param("Lang", lang.as_str());
        let answer: WireGroup = self.api.call(credentials, region_id, request).await?;
        Ok(answer.into_tree())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(extra: Value) -> WireRobot {
        let mut base = serde_json::json!({
            "Id": 7, "ActionName": "漏洞通知",
            "Url": "https://oapi.dingtalk.com/robot/send?access_token=tok123",
            "Status": 1,
            "ConfigList": "[{\"type\":\"sas_analysis\",\"configItemList\":[{\"key\":\"item_level\",\"valueList\":[\"all\"]}]}]",
            "GroupIdList": "123,456", "DingTalkLang": "en", "IntervalTime": 10,
            "AliUid": 1234567890123i64, "GmtCreate": 1766742782000i64, "GmtModified": 1766742783000i64
        });
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn robots_parse_with_the_token_kept_apart() {
        let stored = wire(Value::Object(Default::default())).into_stored();
        assert_eq!(
            stored.send_url.expose_secret(),
            "https://oapi.dingtalk.com/robot/send?access_token=tok123"
        );
        let robot = &stored.robot;
        assert_eq!(
            robot.webhook.as_str(),
            "https://oapi.dingtalk.com/robot/send?access_token=***"
        );
        assert!(robot.enabled);
        let RobotScopes::Known { rules, group_ids } = &robot.scopes else {
            panic!("{:?}", robot.scopes)
        };
        assert_eq!(group_ids, &vec![123, 456]);
        assert_eq!(rules[0].items[0].values, vec!["all"]);
        assert_eq!(robot.lang, Some(RobotLang::En));
        assert_eq!(robot.created.unwrap().epoch_millis(), 1_766_742_782_000);
        let debug = format!("{stored:?}");
        assert!(!debug.contains("tok123"), "{debug}");
        let json = serde_json::to_string(&robot).unwrap();
        assert!(!json.contains("tok123"), "{json}");
    }

    #[test]
    fn config_lists_parse_leniently_or_are_marked_unreadable() {
        let string_value = wire(serde_json::json!({
            "ConfigList": "[{\"type\":\"t\",\"configItemList\":[{\"key\":\"k\",\"valueList\":\"123\"}]}]"
        }))
        .into_stored();
        let RobotScopes::Known { rules, .. } = string_value.robot.scopes else {
            panic!()
        };
        assert_eq!(rules[0].items[0].values, vec!["123"]);
        for (field, value) in [
            ("ConfigList", "{\"type\":\"t\"}"),
            ("ConfigList", "not json"),
            ("GroupIdList", "1,x"),
        ] {
            let robot = wire(serde_json::json!({ field: value }))
                .into_stored()
                .robot;
            let RobotScopes::Unreadable { reason } = &robot.scopes else {
                panic!("{field}={value}: {:?}", robot.scopes)
            };
            assert!(reason.contains(field), "{reason}");
            assert!(!reason.contains("not json"), "{reason}");
            assert_eq!(robot.name, "漏洞通知", "the rest still shows");
        }
        assert!(matches!(
            wire(serde_json::json!({"ConfigList": null, "GroupIdList": ""}))
                .into_stored()
                .robot
                .scopes,
            RobotScopes::Known { .. }
        ));
        assert_eq!(
            parse_group_ids("[\"10417151\", 2]").unwrap(),
            vec![10_417_151, 2]
        );
        assert_eq!(ids(&[RobotId(1), RobotId(22)]), "1,22");
    }

    #[test]
    fn config_list_round_trips() {
        let text = r#"[{"type":"sas_vul_notify","configItemList":[{"key":"vul_level","valueList":["asap","later"]}]}]"#;
        let rules = parse_config_list(text).unwrap();
        assert_eq!(config_list(&rules), text);
    }

    #[test]
    fn data_source_becomes_typed_choices() {
        let wire: WireDataSource = serde_json::from_value(serde_json::json!({
            "MetaDatas": [{
                "DataSourceId": 1753,
                "DataSourceName": "sas_vul_notify",
                "Description": "Vulnerabilities",
                "MetaDataFields": [{
                    "Filed": "type", "FiledName": "Type",
                    "Sample": "all:All; cms:Web CMS;bare",
                    "ValueType": "string",
                    "OperatorList": [{"Name": "in", "Description": "is one of"}]
                }, {"Filed": "", "Sample": "x:y"}]
            }, {"DataSourceName": "no_description", "MetaDataFields": []}]
        }))
        .unwrap();
        let choices = wire.into_choices();
        let field = &choices.sources[0].fields[0];
        assert_eq!(
            choices.sources[0].fields.len(),
            1,
            "a field without key is dropped"
        );
        assert_eq!((field.key.as_str(), field.label.as_str()), ("type", "Type"));
        let values: Vec<(&str, &str)> = field
            .values
            .iter()
            .map(|v| (v.value.as_str(), v.label.as_str()))
            .collect();
        assert_eq!(
            values,
            [("all", "All"), ("cms", "Web CMS"), ("bare", "bare")]
        );
        assert_eq!(choices.sources[1].label, "no_description");
    }

    #[test]
    fn group_struct_reads_the_spec_and_the_sdk_shapes() {
        let spec: WireGroup = serde_json::from_value(serde_json::json!({
            "RequestId": "r",
            "Groups": [{"GroupId": 1, "GroupName": "Prod", "GroupFlag": 1, "MachineNum": 3,
                        "Groups": [{"GroupId": 2, "GroupName": "East", "Groups": []}]},
                       {"GroupId": 9, "GroupName": "Default", "GroupFlag": 0}]
        }))
        .unwrap();
        let tree = spec.into_tree();
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].children[0].name, "East");
        assert!(tree[1].default && !tree[0].default);
        let sdk: WireGroup = serde_json::from_value(serde_json::json!({
            "RequestId": "r", "GroupId": 5, "GroupName": "All", "GroupFlag": 0,
            "Groups": ["{\"GroupId\":6,\"GroupName\":\"Child\"}", "junk"]
        }))
        .unwrap();
        let tree = sdk.into_tree();
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].children.len(), 1);
        assert_eq!(tree[0].children[0].name, "Child");
    }
}
