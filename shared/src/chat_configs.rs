//! OOS chat configurations (ChatOps bots for DingTalk and WeCom): what the
//! console shows and what it accepts. Secrets in the configuration are never
//! shown; the UI learns only whether one is set.

use serde::{Deserialize, Serialize};

use crate::secret::SecretInput;
use crate::time::Timestamp;
use crate::validate::string_type;

string_type!(
    /// An Alibaba Cloud region such as `cn-hangzhou`.
    RegionId,
    "region_id",
    2..=32,
    |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    "lowercase letters, digits and '-'"
);

impl RegionId {
    /// Mainland China regions (`cn-*`) are served by other hosts than the
    /// rest of the world.
    pub fn is_mainland(&self) -> bool {
        self.as_str().starts_with("cn-")
    }
}

string_type!(
    /// The name of a chat configuration, its key within a region.
    ConfigName,
    "name",
    1..=128,
    |c| !c.is_control(),
    "printable characters"
);

/// The chat platform; `WeChat` is how OOS names WeCom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChatPlatform {
    DingTalk,
    WeChat,
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

/// A value the UI sends for one configuration key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingInputValue {
    Plain(String),
    Secret(SecretInput),
    /// Keep the stored secret (sent upstream as its mask).
    KeepSecret,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingInput {
    pub key: String,
    pub value: SettingInputValue,
}

/// Create or update (they take the same fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfigInput {
    pub region_id: RegionId,
    pub name: ConfigName,
    pub platform: ChatPlatform,
    pub ram_role: Option<String>,
    pub resource_group_id: Option<String>,
    pub settings: Vec<SettingInput>,
}

/// What a create or update returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConfigSaved {
    pub name: ConfigName,
    pub created: Option<Timestamp>,
    pub updated: Option<Timestamp>,
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

    #[test]
    fn platform_uses_upstream_names() {
        assert_eq!(
            serde_json::to_string(&ChatPlatform::WeChat).unwrap(),
            "\"WeChat\""
        );
    }
}
