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
pub mod ratelimit;
pub mod retry;
pub mod sas;
pub mod signing;

use std::sync::Arc;

use self::acs::AcsClient;
use self::dingtalk::DingTalkClient;
use self::http::{Endpoints, Timeouts};
use self::oos::OosClient;
use self::ratelimit::Rate;
use self::retry::RetryPolicy;
use self::sas::SasClient;

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
