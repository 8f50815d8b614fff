//! Everything that talks to (or imitates) Alibaba Cloud and DingTalk.
//!
//! [`Upstream`] bundles the clients: OOS chat configurations
//! ([`oos::OosClient`]), Security Center robots ([`sas::SasClient`]) and
//! DingTalk groups and directory ([`dingtalk::DingTalkClient`]). They share
//! one HTTP client (rustls, no redirects, timeouts), rate limits per
//! AccessKey and per DingTalk app, a retry policy, and one error type
//! ([`error::UpstreamError`]).

pub mod acs;
pub mod dingtalk;
pub mod error;
pub mod http;
pub mod oos;
pub mod product;
pub mod ratelimit;
pub mod retry;
pub mod sas;
pub mod signing;

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::Value;

use self::acs::AcsClient;
use self::dingtalk::DingTalkClient;
use self::http::{Endpoints, Timeouts};
use self::oos::OosClient;
use self::ratelimit::Rate;
use self::retry::RetryPolicy;
use self::sas::SasClient;
use crate::config::UpstreamConfig;

/// How the clients behave; the defaults follow the spec.
#[derive(Clone, Debug, PartialEq)]
pub struct UpstreamSettings {
    pub endpoints: Endpoints,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    /// Per Alibaba Cloud AccessKey.
    pub acs_rate: Rate,
    /// Per DingTalk app.
    pub dingtalk_rate: Rate,
}

impl UpstreamSettings {
    pub fn new(endpoints: Endpoints) -> UpstreamSettings {
        UpstreamSettings {
            endpoints,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            acs_rate: Rate::ACS_ACCOUNT,
            dingtalk_rate: Rate::DINGTALK_APP,
        }
    }

    /// From the configuration; unset base URLs come from `defaults` (the
    /// official hosts or the sandbox), unset limits are the spec's.
    pub fn from_config(config: &UpstreamConfig, defaults: Endpoints) -> UpstreamSettings {
        let mut settings = UpstreamSettings::new(Endpoints::from_config(config, defaults));
        if let Some(ms) = config.connect_timeout_ms {
            settings.timeouts.connect = Duration::from_millis(ms);
        }
        if let Some(ms) = config.call_timeout_ms {
            settings.timeouts.call = Duration::from_millis(ms);
        }
        let rate = |qps: u32| Rate {
            per_second: f64::from(qps),
            burst: qps,
        };
        if let Some(qps) = config.dingtalk_qps {
            settings.dingtalk_rate = rate(qps);
        }
        if let Some(qps) = config.acs_qps {
            settings.acs_rate = rate(qps);
        }
        settings
    }
}

/// The upstream clients. Cheap to share behind an `Arc`; build one per
/// process so that token caches and rate limits are shared.
#[derive(Debug)]
pub struct Upstream {
    pub oos: OosClient,
    pub sas: SasClient,
    pub dingtalk: DingTalkClient,
}

impl Upstream {
    pub fn new(settings: UpstreamSettings) -> Upstream {
        let http = http::client(settings.timeouts);
        let endpoints = Arc::new(settings.endpoints);
        let acs = Arc::new(AcsClient::new(
            http.clone(),
            settings.acs_rate,
            settings.retry,
        ));
        Upstream {
            oos: OosClient::new(acs.clone(), endpoints.clone()),
            sas: SasClient::new(acs, endpoints.clone()),
            dingtalk: DingTalkClient::new(http, endpoints, settings.dingtalk_rate, settings.retry),
        }
    }
}

/// An upstream answer with the RequestId it carried, which the audit trail
/// records for every change. Decodes any JSON object answer: ACS puts the id
/// in `RequestId`, DingTalk's legacy API in `request_id`, its new API (when
/// it sends one in the body) in `requestId`.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt<T> {
    pub value: T,
    pub request_id: Option<String>,
    /// The upstream's id of what the call created (a new group's chatid),
    /// for the audit trail's outcome: the intent was written before it
    /// existed.
    pub created_id: Option<String>,
}

impl<T> Receipt<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Receipt<U> {
        Receipt {
            value: f(self.value),
            request_id: self.request_id,
            created_id: self.created_id,
        }
    }

    /// The receipt of a create whose answer names the new object `id`.
    pub fn created(mut self, id: impl Into<String>) -> Receipt<T> {
        self.created_id = Some(id.into());
        self
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Receipt<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let request_id = ["RequestId", "request_id", "requestId"]
            .iter()
            .find_map(|k| value.get(*k).and_then(Value::as_str))
            .map(str::to_owned);
        let value = T::deserialize(value).map_err(D::Error::custom)?;
        Ok(Receipt {
            value,
            request_id,
            created_id: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_find_the_request_id_of_each_api() {
        for (body, id) in [
            (r#"{"RequestId":"A-1","Name":"x"}"#, Some("A-1")),
            (r#"{"errcode":0,"request_id":"l-2"}"#, Some("l-2")),
            (r#"{"requestId":"n-3","success":true}"#, Some("n-3")),
            (r#"{"success":true}"#, None),
        ] {
            let receipt: Receipt<Value> = serde_json::from_str(body).unwrap();
            assert_eq!(receipt.request_id.as_deref(), id, "{body}");
            assert!(receipt.value.is_object());
        }
        let bad = serde_json::from_str::<Receipt<Vec<u8>>>(r#"{"RequestId":"x"}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn settings_follow_the_configuration() {
        let config = UpstreamConfig {
            connect_timeout_ms: Some(1500),
            call_timeout_ms: Some(3000),
            dingtalk_qps: Some(40),
            ..UpstreamConfig::default()
        };
        let settings =
            UpstreamSettings::from_config(&config, Endpoints::single("http://127.0.0.1:1"));
        assert_eq!(settings.timeouts.connect, Duration::from_millis(1500));
        assert_eq!(settings.timeouts.call, Duration::from_secs(3));
        assert_eq!(settings.dingtalk_rate.per_second, 40.0);
        assert_eq!(settings.acs_rate, Rate::ACS_ACCOUNT);
        assert_eq!(settings.endpoints, Endpoints::single("http://127.0.0.1:1"));
        let defaults =
            UpstreamSettings::from_config(&UpstreamConfig::default(), Endpoints::official());
        assert_eq!(defaults.timeouts, Timeouts::default());
        assert_eq!(defaults.dingtalk_rate, Rate::DINGTALK_APP);
    }
}
