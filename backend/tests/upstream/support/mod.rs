//! Shared setup of the `upstream_*` tests: the sandbox and the production
//! clients pointed at it.

// Both binaries that scan the log share it.
#[path = "../../common/capture.rs"]
pub mod capture;

use std::sync::Arc;
use std::time::Duration;

use backend::sandbox::{
    DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_APP_KEY, DEMO_APP_SECRET, Sandbox,
    SandboxConfig,
};
use backend::upstream::acs::{AcsCredentials, SignatureKind};
use backend::upstream::dingtalk::DingTalkApp;
use backend::upstream::http::{DingTalkSite, Endpoints};
use backend::upstream::retry::RetryPolicy;
use backend::upstream::{Upstream, UpstreamSettings};
use shared::chat_configs::RegionId;
use shared::groups::UserId;

pub async fn sandbox(config: SandboxConfig) -> Sandbox {
    Sandbox::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

/// Retries with short delays, so fault tests stay quick.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        budget: Duration::from_secs(5),
    }
}

pub fn settings(sandbox: &Sandbox) -> UpstreamSettings {
    let mut settings = UpstreamSettings::new(Endpoints::single(&sandbox.base_url()));
    settings.retry = quick_retries();
    settings
}

pub fn clients(sandbox: &Sandbox) -> Arc<Upstream> {
    Arc::new(Upstream::new(settings(sandbox)))
}

pub fn demo_key() -> AcsCredentials {
    AcsCredentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
        security_token: None,
        signature: SignatureKind::V3,
    }
}

pub fn demo_app() -> DingTalkApp {
    DingTalkApp {
        app_key: DEMO_APP_KEY.into(),
        app_secret: DEMO_APP_SECRET.into(),
        site: DingTalkSite::Mainland,
    }
}

pub fn region(r: &str) -> RegionId {
    RegionId::parse(r).unwrap()
}

pub fn user(n: usize) -> UserId {
    UserId::parse(&format!("user{n:04}")).unwrap()
}

pub fn users(range: std::ops::RangeInclusive<usize>) -> Vec<UserId> {
    range.map(user).collect()
}
