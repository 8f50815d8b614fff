//! Security Center DingTalk notification robots (spec section 3). The region
//! picks the host only; no RegionId parameter is sent.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use shared::chat_configs::RegionId;
use shared::robots::{
    MaskedUrl, PageInfo, Robot, RobotId, RobotLang, RobotName, RobotPage, RobotRule,
};
use shared::time::Timestamp;

use super::acs::{AcsClient, AcsCredentials, RpcRequest};
use super::error::{Service, UpstreamError};
use super::http::Endpoints;
use super::retry::Idempotency;

const VERSION: &str = "2018-12-03";

#[derive(Debug)]
pub struct SasClient {
    acs: Arc<AcsClient>,
    endpoints: Arc<Endpoints>,
}

/// A robot with its webhook URL, which an update must send again. The
/// URL is a secret: only [`Robot::url`] (masked) may be shown.
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
    pub interval_time: i64,
    pub rules: Vec<RobotRule>,
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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireMeta {
    #[serde(default)]
    meta_datas: Vec<Value>,
}

impl WireRobot {
    fn into_stored(self) -> Result<StoredRobot, String> {
        let rules = match self.config_list.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(text) => serde_json::from_str(text).map_err(|e| format!("ConfigList: {e}"))?,
        };
        let group_ids = self
            .group_id_list
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| format!("GroupIdList: {s:?}")))
            .collect::<Result<_, _>>()?;
        let robot = Robot {
            id: RobotId(self.id),
            name: self.action_name,
            url: MaskedUrl::mask(&self.url),
            enabled: self.status == 1,
            rules,
            group_ids,
            lang: match self.ding_talk_lang.as_deref() {
                Some("zh") => Some(RobotLang::Zh),
                Some("en") => Some(RobotLang::En),
                _ => None,
            },
            interval_time: self.interval_time,
            ali_uid: self.ali_uid,
            created: self.gmt_create.map(Timestamp::from_epoch_millis),
            modified: self.gmt_modified.map(Timestamp::from_epoch_millis),
        };
        Ok(StoredRobot {
            robot,
            send_url: self.url.into(),
        })
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
        SasClient { acs, endpoints }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        request: RpcRequest,
    ) -> Result<T, UpstreamError> {
        let base = self.endpoints.sas(region_id)?;
        self.acs.call(credentials, &base, &request).await
    }

    /// DescribeDingTalk: one page (from 1), optionally filtered by name.
    pub async fn list(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        page: u32,
        page_size: u32,
        name: Option<&str>,
    ) -> Result<StoredRobotPage, UpstreamError> {
        let request = RpcRequest::new(Service::Sas, VERSION, "DescribeDingTalk", Idempotency::Read)
            .param("CurrentPage", page.max(1).to_string())
            .param("PageSize", page_size.to_string())
            .param_opt("RuleActionName", name.filter(|n| !n.is_empty()));
        let answer: WireDescribe = self.call(credentials, region_id, request).await?;
        let info = answer.page_info.unwrap_or(WirePageInfo {
            current_page: None,
            page_size: None,
            total_count: None,
        });
        let robots = answer
            .action_list
            .into_iter()
            .map(WireRobot::into_stored)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| UpstreamError::protocol(Service::Sas, 200, e))?;
        Ok(StoredRobotPage {
            page: PageInfo {
                current_page: info.current_page.unwrap_or(page),
                page_size: info.page_size.unwrap_or(page_size),
                total_count: info.total_count.unwrap_or(robots.len() as u64),
            },
            robots,
        })
    }

    /// CreateOrUpdateDingTalk.
    pub async fn save(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robot: &RobotWrite,
    ) -> Result<(), UpstreamError> {
        let rules = serde_json::to_string(&robot.rules).expect("rules serialize");
        let groups = serde_json::to_string(&robot.group_ids).expect("ids serialize");
        let lang = robot.lang.map(|l| match l {
            RobotLang::Zh => "zh",
            RobotLang::En => "en",
        });
        let request = RpcRequest::new(
            Service::Sas,
            VERSION,
            "CreateOrUpdateDingTalk",
            Idempotency::Write,
        )
        .param("RuleActionName", robot.name.as_str())
        .param("SendUrl", robot.send_url.expose_secret())
        .param_opt("Id", robot.id.map(|i| i.0.to_string()))
        .param("IntervalTime", robot.interval_time.to_string())
        .param("ConfigList", rules)
        .param("GroupIdList", groups)
        .param_opt("DingTalkLang", lang);
        let _: Value = self.call(credentials, region_id, request).await?;
        Ok(())
    }

    /// ModifyDingTalkStatus.
    pub async fn set_enabled(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robots: &[RobotId],
        enabled: bool,
    ) -> Result<(), UpstreamError> {
        let request = RpcRequest::new(
            Service::Sas,
            VERSION,
            "ModifyDingTalkStatus",
            Idempotency::Write,
        )
        .param("Ids", ids(robots))
        .param("Status", if enabled { "1" } else { "0" });
        let _: Value = self.call(credentials, region_id, request).await?;
        Ok(())
    }

    /// DeleteDingTalk.
    pub async fn delete(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robots: &[RobotId],
    ) -> Result<(), UpstreamError> {
        let request = RpcRequest::new(Service::Sas, VERSION, "DeleteDingTalk", Idempotency::Write)
            .param("Ids", ids(robots));
        let _: Value = self.call(credentials, region_id, request).await?;
        Ok(())
    }

    /// DingTalkOnlineTest: sends a test message (so never retried).
    pub async fn test_message(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        robot: RobotId,
    ) -> Result<(), UpstreamError> {
        let request = RpcRequest::new(
            Service::Sas,
            VERSION,
            "DingTalkOnlineTest",
            Idempotency::Write,
        )
        .param("Id", robot.0.to_string());
        let _: Value = self.call(credentials, region_id, request).await?;
        Ok(())
    }

    /// DescribeDataSource for `ConfigType=DingTalk`: the choices behind
    /// `ConfigList` (their shape is undocumented, so they stay JSON).
    pub async fn rule_choices(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        lang: RobotLang,
    ) -> Result<Vec<Value>, UpstreamError> {
        let request = RpcRequest::new(
            Service::Sas,
            VERSION,
            "DescribeDataSource",
            Idempotency::Read,
        )
        .param("ConfigType", "DingTalk")
        .param(
            "Lang",
            match lang {
                RobotLang::Zh => "zh",
                RobotLang::En => "en",
            },
        );
        let answer: WireMeta = self.call(credentials, region_id, request).await?;
        Ok(answer.meta_datas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_parse_with_the_token_kept_apart() {
        let wire: WireRobot = serde_json::from_value(serde_json::json!({
            "Id": 7, "ActionName": "漏洞通知",
            "Url": "https://oapi.dingtalk.com/robot/send?access_token=tok123",
            "Status": 1,
            "ConfigList": "[{\"type\":\"sas_analysis\",\"configItemList\":[{\"key\":\"item_level\",\"valueList\":[\"all\"]}]}]",
            "GroupIdList": "123,456", "DingTalkLang": "en", "IntervalTime": 10,
            "AliUid": 1234567890123i64, "GmtCreate": 1766742782000i64, "GmtModified": 1766742783000i64
        }))
        .unwrap();
        let stored = wire.into_stored().unwrap();
        assert_eq!(
            stored.send_url.expose_secret(),
            "https://oapi.dingtalk.com/robot/send?access_token=tok123"
        );
        let robot = &stored.robot;
        assert_eq!(
            robot.url.as_str(),
            "https://oapi.dingtalk.com/robot/send?access_token=***"
        );
        assert!(robot.enabled);
        assert_eq!(robot.group_ids, vec![123, 456]);
        assert_eq!(robot.rules[0].config_item_list[0].value_list, vec!["all"]);
        assert_eq!(robot.lang, Some(RobotLang::En));
        assert_eq!(robot.created.unwrap().epoch_millis(), 1_766_742_782_000);
        let debug = format!("{stored:?}");
        assert!(!debug.contains("tok123"), "{debug}");
    }

    #[test]
    fn malformed_lists_are_reported() {
        let wire: WireRobot = serde_json::from_value(serde_json::json!({
            "Id": 1, "GroupIdList": "1,x"
        }))
        .unwrap();
        assert!(wire.into_stored().unwrap_err().contains("GroupIdList"));
        assert_eq!(ids(&[RobotId(1), RobotId(22)]), "1,22");
    }
}
