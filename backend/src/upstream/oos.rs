//! OOS chat configurations (spec section 2).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::chat_configs::{
    ChatConfig, ChatConfigInput, ChatConfigSaved, ChatConfigSummary, ChatPlatform, ConfigName,
    ListQuery, RegionId, Setting, SettingInputValue, SettingValue, is_secret_key,
};
use shared::secret::UPSTREAM_MASK;
use shared::time::Timestamp;

use super::acs::{AcsClient, AcsCredentials, RpcRequest};
use super::error::{ErrorKind, Service, UpstreamError};
use super::http::Endpoints;
use super::retry::Idempotency;

const VERSION: &str = "2019-06-01";

#[derive(Debug)]
pub struct OosClient {
    acs: Arc<AcsClient>,
    endpoints: Arc<Endpoints>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireSaved {
    chat_configuration: WireConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireList {
    #[serde(default)]
    chat_configurations: Vec<WireConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireConfig {
    name: ConfigName,
    #[serde(rename = "Type")]
    platform: Option<String>,
    ram_role: Option<String>,
    configuration: Option<String>,
    resource_group_id: Option<String>,
    created_date: Option<String>,
    updated_date: Option<String>,
    outputs: Option<String>,
}

fn date(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(Timestamp::parse_lenient)
}

impl WireConfig {
    fn summary(&self, region_id: &RegionId) -> ChatConfigSummary {
        ChatConfigSummary {
            region_id: region_id.clone(),
            name: self.name.clone(),
            platform: match self.platform.as_deref() {
                Some("DingTalk") => Some(ChatPlatform::DingTalk),
                Some("WeChat") => Some(ChatPlatform::WeChat),
                _ => None,
            },
            ram_role: self.ram_role.clone().filter(|r| !r.is_empty()),
            webhook_url: self
                .outputs
                .as_deref()
                .and_then(|o| serde_json::from_str::<Value>(o).ok())
                .and_then(|o| o["URL"].as_str().map(str::to_owned)),
            created: date(self.created_date.as_deref()),
            updated: date(self.updated_date.as_deref()),
        }
    }
}

/// The `Configuration` object as settings, every secret reduced to "set".
pub fn settings_from_configuration(configuration: &str) -> Result<Vec<Setting>, String> {
    if configuration.trim().is_empty() {
        return Ok(Vec::new());
    }
    let map: Map<String, Value> =
        serde_json::from_str(configuration).map_err(|e| format!("Configuration: {e}"))?;
    Ok(map
        .into_iter()
        .map(|(key, value)| {
            let value = if is_secret_key(&key) {
                let set = match &value {
                    Value::Null => false,
                    Value::String(s) => !s.is_empty(),
                    _ => true,
                };
                SettingValue::Secret { set }
            } else {
                SettingValue::Plain(match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
            };
            Setting { key, value }
        })
        .collect())
}

/// The `Configuration` JSON string to send. A kept secret is sent as the
/// mask, which OOS reads as "unchanged".
pub fn configuration_json(input: &ChatConfigInput) -> Result<String, UpstreamError> {
    let mut map = Map::new();
    for setting in &input.settings {
        let key = setting.key.trim();
        let bad = |message: String| {
            UpstreamError::new(
                Service::Oos,
                ErrorKind::BadParameter {
                    field: Some(format!("settings.{key}")),
                },
                "InvalidConfiguration",
            )
            .message(message)
        };
        if key.is_empty() {
            return Err(bad("a setting needs a key".into()));
        }
        let value = match &setting.value {
            SettingInputValue::Plain(v) => v.clone(),
            SettingInputValue::Secret(s) => s.clone().into_exposed(),
            SettingInputValue::KeepSecret if is_secret_key(key) => UPSTREAM_MASK.to_owned(),
            SettingInputValue::KeepSecret => {
                return Err(bad(format!("{key} is not a secret; give its value")));
            }
        };
        if map.insert(key.to_owned(), Value::String(value)).is_some() {
            return Err(bad(format!("{key} is given twice")));
        }
    }
    Ok(Value::Object(map).to_string())
}

impl OosClient {
    pub fn new(acs: Arc<AcsClient>, endpoints: Arc<Endpoints>) -> OosClient {
        OosClient { acs, endpoints }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        request: RpcRequest,
    ) -> Result<T, UpstreamError> {
        let base = self.endpoints.oos(region_id)?;
        let request = request.param("RegionId", region_id.as_str());
        self.acs.call(credentials, &base, &request).await
    }

    async fn save(
        &self,
        credentials: &AcsCredentials,
        action: &'static str,
        input: &ChatConfigInput,
    ) -> Result<ChatConfigSaved, UpstreamError> {
        let platform = match input.platform {
            ChatPlatform::DingTalk => "DingTalk",
            ChatPlatform::WeChat => "WeChat",
        };
        let request = RpcRequest::new(Service::Oos, VERSION, action, Idempotency::Write)
            .param("Name", input.name.as_str())
            .param("Type", platform)
            .param("Configuration", configuration_json(input)?)
            .param_opt("RamRole", input.ram_role.as_deref())
            .param_opt("ResourceGroupId", input.resource_group_id.as_deref());
        let saved: WireSaved = self.call(credentials, &input.region_id, request).await?;
        let c = saved.chat_configuration;
        Ok(ChatConfigSaved {
            created: date(c.created_date.as_deref()),
            updated: date(c.updated_date.as_deref()),
            name: c.name,
        })
    }

    /// CreateChatConfiguration.
    pub async fn create(
        &self,
        credentials: &AcsCredentials,
        input: &ChatConfigInput,
    ) -> Result<ChatConfigSaved, UpstreamError> {
        self.save(credentials, "CreateChatConfiguration", input)
            .await
    }

    /// UpdateChatConfiguration; `KeepSecret` settings stay as stored.
    pub async fn update(
        &self,
        credentials: &AcsCredentials,
        input: &ChatConfigInput,
    ) -> Result<ChatConfigSaved, UpstreamError> {
        self.save(credentials, "UpdateChatConfiguration", input)
            .await
    }

    /// GetChatConfiguration.
    pub async fn get(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        name: &ConfigName,
    ) -> Result<ChatConfig, UpstreamError> {
        let request = RpcRequest::new(
            Service::Oos,
            VERSION,
            "GetChatConfiguration",
            Idempotency::Read,
        )
        .param("Name", name.as_str());
        let got: WireSaved = self.call(credentials, region_id, request).await?;
        let c = got.chat_configuration;
        let settings = settings_from_configuration(c.configuration.as_deref().unwrap_or(""))
            .map_err(|e| UpstreamError::protocol(Service::Oos, 200, e))?;
        Ok(ChatConfig {
            summary: c.summary(region_id),
            resource_group_id: c.resource_group_id.filter(|r| !r.is_empty()),
            settings,
        })
    }

    /// DeleteChatConfiguration.
    pub async fn delete(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        name: &ConfigName,
    ) -> Result<(), UpstreamError> {
        let request = RpcRequest::new(
            Service::Oos,
            VERSION,
            "DeleteChatConfiguration",
            Idempotency::Write,
        )
        .param("Name", name.as_str());
        let _: Value = self.call(credentials, region_id, request).await?;
        Ok(())
    }

    /// ListChatConfigurations, `Filters` flattened 1-based.
    pub async fn list(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        query: &ListQuery,
    ) -> Result<Vec<ChatConfigSummary>, UpstreamError> {
        let mut request = RpcRequest::new(
            Service::Oos,
            VERSION,
            "ListChatConfigurations",
            Idempotency::Read,
        )
        .param_opt("MaxResults", query.max_results.map(|m| m.to_string()))
        .param_opt("NextToken", query.next_token.as_deref());
        for (i, filter) in query.filters.iter().enumerate() {
            request = request
                .param(format!("Filters.{}.Name", i + 1), filter.name.as_str())
                .param(format!("Filters.{}.Value", i + 1), filter.value.as_str());
        }
        let list: WireList = self.call(credentials, region_id, request).await?;
        Ok(list
            .chat_configurations
            .iter()
            .map(|c| c.summary(region_id))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use shared::chat_configs::SettingInput;
    use shared::secret::SecretInput;

    use super::*;

    fn input(settings: Vec<(&str, SettingInputValue)>) -> ChatConfigInput {
        ChatConfigInput {
            region_id: RegionId::parse("cn-hangzhou").unwrap(),
            name: ConfigName::parse("bot").unwrap(),
            platform: ChatPlatform::DingTalk,
            ram_role: None,
            resource_group_id: None,
            settings: settings
                .into_iter()
                .map(|(k, value)| SettingInput {
                    key: k.into(),
                    value,
                })
                .collect(),
        }
    }

    #[test]
    fn configuration_carries_secrets_and_masks_kept_ones() {
        let json = configuration_json(&input(vec![
            ("DingTalkClientId", SettingInputValue::Plain("id".into())),
            ("DingTalkClientSecret", SettingInputValue::KeepSecret),
            (
                "CorpSecret",
                SettingInputValue::Secret(SecretInput::new("s")),
            ),
        ]))
        .unwrap();
        assert_eq!(
            json,
            r#"{"CorpSecret":"s","DingTalkClientId":"id","DingTalkClientSecret":"******"}"#
        );
        let err = configuration_json(&input(vec![(
            "DingTalkTemplateId",
            SettingInputValue::KeepSecret,
        )]))
        .unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::BadParameter {
                field: Some("settings.DingTalkTemplateId".into())
            }
        );
        let twice = configuration_json(&input(vec![
            ("A", SettingInputValue::Plain("1".into())),
            ("A", SettingInputValue::Plain("2".into())),
        ]));
        assert!(twice.is_err());
    }

    #[test]
    fn secrets_never_come_back() {
        let settings = settings_from_configuration(
            r#"{"DingTalkClientId":"id","DingTalkClientSecret":"******","AesKey":"","N":3}"#,
        )
        .unwrap();
        assert_eq!(
            settings,
            vec![
                Setting {
                    key: "AesKey".into(),
                    value: SettingValue::Secret { set: false }
                },
                Setting {
                    key: "DingTalkClientId".into(),
                    value: SettingValue::Plain("id".into())
                },
                Setting {
                    key: "DingTalkClientSecret".into(),
                    value: SettingValue::Secret { set: true }
                },
                Setting {
                    key: "N".into(),
                    value: SettingValue::Plain("3".into())
                },
            ]
        );
        assert!(settings_from_configuration("[").is_err());
        assert!(settings_from_configuration("").unwrap().is_empty());
    }

    #[test]
    fn summaries_parse_outputs_and_both_date_shapes() {
        let wire: WireConfig = serde_json::from_value(serde_json::json!({
            "Name": "bot", "Type": "WeChat", "RamRole": "OOSServiceRole",
            "Outputs": "{\"URL\": \"https://u.appflow.aliyunnest.com/webhook/\"}",
            "CreatedDate": "2025-12-26T09:53:02+00:00",
            "UpdatedDate": "2025-12-23T10:16:37.178097"
        }))
        .unwrap();
        let s = wire.summary(&RegionId::parse("cn-hangzhou").unwrap());
        assert_eq!(s.platform, Some(ChatPlatform::WeChat));
        assert_eq!(
            s.webhook_url.as_deref(),
            Some("https://u.appflow.aliyunnest.com/webhook/")
        );
        assert_eq!(s.created.unwrap().epoch_millis(), 1_766_742_782_000);
        assert_eq!(s.updated.unwrap().epoch_millis(), 1_766_484_997_178);
    }
}
