//! OOS chat configurations (spec section 2).

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::chat_configs::{
    ChatConfig, ChatConfigSaved, ChatConfigSummary, ChatPlatform, ConfigName, ListQuery, RamRole,
    ResourceGroupId, Setting, SettingValue, is_secret_key,
};
use shared::ids::RegionId;
use shared::time::Timestamp;

use super::Receipt;
use super::acs::{AcsClient, AcsCredentials};
use super::error::{Service, UpstreamError};
use super::http::Endpoints;
use super::product::{Product, ProductClient};
use super::retry::Idempotency;

#[derive(Debug)]
pub struct OosClient {
    api: ProductClient,
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
            platform: self.platform.as_deref().and_then(ChatPlatform::parse),
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

/// What Create and Update send. `configuration` is the `Configuration` JSON
/// text, secrets inside (never a mask); `None` leaves it out, which only an
/// Update may do (an edit of the RAM role alone).
#[derive(Clone, Debug)]
pub struct ChatConfigWrite {
    pub region_id: RegionId,
    pub name: ConfigName,
    pub platform: Option<ChatPlatform>,
    pub ram_role: Option<RamRole>,
    pub resource_group_id: Option<ResourceGroupId>,
    pub configuration: Option<SecretString>,
}

impl OosClient {
    pub fn new(acs: Arc<AcsClient>, endpoints: Arc<Endpoints>) -> OosClient {
        let product = Product {
            service: Service::Oos,
            version: "2019-06-01",
            host: Endpoints::oos,
            sends_region: true,
        };
        OosClient {
            api: ProductClient::new(acs, endpoints, product),
        }
    }

    async fn save(
        &self,
        credentials: &AcsCredentials,
        action: &'static str,
        write: &ChatConfigWrite,
    ) -> Result<Receipt<ChatConfigSaved>, UpstreamError> {
        let request = (self.api.request(action, Idempotency::Write))
            .param("Name", write.name.as_str())
            .param_opt("Type", write.platform.map(ChatPlatform::as_str))
            .param_opt(
                "Configuration",
                write.configuration.as_ref().map(|c| c.expose_secret()),
            )
            .param_opt("RamRole", write.ram_role.as_ref().map(RamRole::as_str))
            .param_opt(
                "ResourceGroupId",
                write
                    .resource_group_id
                    .as_ref()
                    .map(ResourceGroupId::as_str),
            );
        let saved: Receipt<WireSaved> = self
            .api
            .call(credentials, &write.region_id, request)
            .await?;
        Ok(saved.map(|s| {
            let c = s.chat_configuration;
            ChatConfigSaved {
                created: date(c.created_date.as_deref()),
                updated: date(c.updated_date.as_deref()),
                webhook_url: c.summary(&write.region_id).webhook_url,
                name: c.name,
            }
        }))
    }

    /// CreateChatConfiguration, then a Get for the webhook URL, which Create
    /// does not return. The receipt is Create's; a failed Get (the
    /// configuration exists all the same) leaves the URL unknown.
    pub async fn create(
        &self,
        credentials: &AcsCredentials,
        write: &ChatConfigWrite,
    ) -> Result<Receipt<ChatConfigSaved>, UpstreamError> {
        let mut receipt = self
            .save(credentials, "CreateChatConfiguration", write)
            .await?;
        match self.get(credentials, &write.region_id, &write.name).await {
            Ok(got) => receipt.value.webhook_url = got.summary.webhook_url,
            Err(err) => tracing::warn!(
                code = %err.code,
                name = %write.name,
                "created, but the Get for its webhook URL failed"
            ),
        }
        Ok(receipt)
    }

    /// UpdateChatConfiguration: only the parameters given change.
    pub async fn update(
        &self,
        credentials: &AcsCredentials,
        write: &ChatConfigWrite,
    ) -> Result<Receipt<ChatConfigSaved>, UpstreamError> {
        self.save(credentials, "UpdateChatConfiguration", write)
            .await
    }

    /// GetChatConfiguration.
    pub async fn get(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        name: &ConfigName,
    ) -> Result<ChatConfig, UpstreamError> {
        let request = self
            .api
            .request("GetChatConfiguration", Idempotency::Read)
            .param("Name", name.as_str());
        let got: WireSaved = self.api.call(credentials, region_id, request).await?;
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
    ) -> Result<Receipt<()>, UpstreamError> {
        let request = self
            .api
            .request("DeleteChatConfiguration", Idempotency::Write)
            .param("Name", name.as_str());
        self.api.write(credentials, region_id, request).await
    }

    /// ListChatConfigurations, `Filters` flattened 1-based.
    pub async fn list(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        query: &ListQuery,
    ) -> Result<Vec<ChatConfigSummary>, UpstreamError> {
        let mut request = self
            .api
            .request("ListChatConfigurations", Idempotency::Read)
            .param_opt("MaxResults", query.max_results.map(|m| m.to_string()))
            .param_opt("NextToken", query.next_token.as_deref());
        for (i, filter) in query.filters.iter().enumerate() {
            request = request
                .param(format!("Filters.{}.Name", i + 1), filter.name.as_str())
                .param(format!("Filters.{}.Value", i + 1), filter.value.as_str());
        }
        let list: WireList = self.api.call(credentials, region_id, request).await?;
        Ok(list
            .chat_configurations
            .iter()
            .map(|c| c.summary(region_id))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
