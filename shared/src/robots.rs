//! Security Center DingTalk notification robots. The webhook URL carries the
//! robot's `access_token`, so the UI only ever sees it masked.

use serde::{Deserialize, Serialize};

use crate::secret::SecretInput;
use crate::time::Timestamp;
use crate::validate::string_type;

/// Robot id (`Id`, a long upstream).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RobotId(pub i64);

string_type!(
    /// `RuleActionName`: 2 to 64 characters.
    RobotName,
    "name",
    2..=64,
    |c| !c.is_control(),
    "printable characters"
);

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

/// Language of the robot's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RobotLang {
    Zh,
    En,
}

/// One entry of `ConfigList`: which events the robot forwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RobotRule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub config_item_list: Vec<RobotRuleItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RobotRuleItem {
    pub key: String,
    #[serde(default)]
    pub value_list: Vec<String>,
}

/// A robot as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Robot {
    pub id: RobotId,
    pub name: String,
    pub url: MaskedUrl,
    pub enabled: bool,
    pub rules: Vec<RobotRule>,
    pub group_ids: Vec<i64>,
    pub lang: Option<RobotLang>,
    /// `IntervalTime` as upstream stores it (0 = unlimited); its unit is
    /// documented inconsistently, so the console records the one picked.
    pub interval_time: i64,
    pub ali_uid: Option<i64>,
    pub created: Option<Timestamp>,
    pub modified: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    pub current_page: u32,
    pub page_size: u32,
    pub total_count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotPage {
    pub page: PageInfo,
    pub robots: Vec<Robot>,
}

/// Create (no `id`) or update (`id`). Upstream needs the webhook on every
/// write; `send_url: None` on an update reuses the stored one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotInput {
    pub id: Option<RobotId>,
    pub name: RobotName,
    pub send_url: Option<SecretInput>,
    pub interval_time: i64,
    pub rules: Vec<RobotRule>,
    pub group_ids: Vec<i64>,
    pub lang: Option<RobotLang>,
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
    fn rules_use_the_upstream_shape() {
        let json = r#"[{"type":"sas_analysis","configItemList":[{"key":"item_level","valueList":["all"]}]}]"#;
        let rules: Vec<RobotRule> = serde_json::from_str(json).unwrap();
        assert_eq!(rules[0].kind, "sas_analysis");
        assert_eq!(serde_json::to_string(&rules).unwrap(), json);
    }

    #[test]
    fn names_are_2_to_64_chars() {
        assert!(RobotName::parse("a").is_err());
        assert!(RobotName::parse("漏洞").is_ok());
        assert!(RobotName::parse(&"x".repeat(65)).is_err());
    }
}
