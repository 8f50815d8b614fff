//! The built-in sandbox: one loopback HTTP server that emulates OOS chat
//! configurations, Security Center DingTalk robots and the DingTalk API (both
//! generations plus the directory), with the real services' authentication,
//! limits and error shapes. `chatdesk serve` runs it when no real upstream is
//! configured, `chatdesk sandbox` runs it alone, and every test talks to it.
//! What the spec left open and how it was decided: `README.md` beside this file.

pub mod acs;
mod call;
mod demo;
mod dingtalk;
pub mod faults;
mod oos;
mod sas;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::task::JoinHandle;

pub use faults::{Fault, FaultKind, FaultRule, Faults};
pub use state::Clock;

use dingtalk::directory::Directory;
use state::World;

/// Ten region ids, for tests and benchmarks that list across regions (the
/// sandbox serves any region; most are empty).
pub const TEN_REGIONS: [&str; 10] = [
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-qingdao",
    "cn-zhangjiakou",
    "cn-hongkong",
    "ap-southeast-1",
    "eu-central-1",
    "us-west-1",
];

pub const DEMO_ACCESS_KEY_ID: &str = "LTAI5tSandboxDemoKey0001";
pub const DEMO_ACCESS_KEY_SECRET: &str = "SandboxDemoSecret0123456789abcdef";
pub const DEMO_APP_KEY: &str = "dingsandboxdemoapp0001";
pub const DEMO_APP_SECRET: &str = "SandboxDemoAppSecret-0123456789-abcdefghijklmnopqrstuv";

/// DingTalk app permissions the sandbox knows (spec 4.3 and 4.4).
pub const PERM_CHAT_MANAGE: &str = "qyapi_chat_manage";
pub const PERM_CHAT_READ: &str = "qyapi_chat_read";
pub const PERM_CHAT_BASE_READ: &str = "qyapi_chat_base_read";
pub const PERM_GET_MEMBER: &str = "qyapi_get_member";

/// The Alibaba Cloud account id every robot reports as `AliUid`.
pub const DEMO_ALI_UID: i64 = 1_234_567_890_123_456;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    pub secret: String,
    pub active: bool,
    /// When set, the key is an STS credential: every call must carry this
    /// token in `x-acs-security-token` (V3, signed) or `SecurityToken` (legacy).
    pub sts_token: Option<String>,
}

impl AccessKey {
    pub fn new(id: &str, secret: &str) -> AccessKey {
        AccessKey {
            id: id.to_owned(),
            secret: secret.to_owned(),
            active: true,
            sts_token: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DingTalkApp {
    pub app_key: String,
    pub app_secret: String,
    pub permissions: Vec<String>,
}

impl DingTalkApp {
    /// An app holding every permission the sandbox checks.
    pub fn with_all_permissions(app_key: &str, app_secret: &str) -> DingTalkApp {
        DingTalkApp {
            app_key: app_key.to_owned(),
            app_secret: app_secret.to_owned(),
            permissions: [
                PERM_CHAT_MANAGE,
                PERM_CHAT_READ,
                PERM_CHAT_BASE_READ,
                PERM_GET_MEMBER,
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub access_keys: Vec<AccessKey>,
    pub dingtalk_apps: Vec<DingTalkApp>,
    /// Lifetime of DingTalk access tokens (7200 s upstream).
    pub token_ttl: std::time::Duration,
    /// Seed the chat configurations, robots and groups (the directory is
    /// always seeded: group members need names).
    pub demo_data: bool,
    /// Seed of every pseudo-random choice (directory, fault error rates).
    pub seed: u64,
    /// Faults active from the start and again after every reset.
    pub faults: Vec<FaultRule>,
    /// Where "now" comes from (signature window, tokens, dates).
    pub clock: Clock,
}

impl SandboxConfig {
    /// The demo AccessKey pair and DingTalk app, demo data on.
    pub fn demo() -> Self {
        SandboxConfig {
            access_keys: vec![AccessKey::new(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET)],
            dingtalk_apps: vec![DingTalkApp::with_all_permissions(
                DEMO_APP_KEY,
                DEMO_APP_SECRET,
            )],
            token_ttl: Duration::from_secs(7200),
            demo_data: true,
            seed: 20_260_115,
            faults: Vec::new(),
            clock: Clock::system(),
        }
    }
}

/// What every request handler of the sandbox reaches.
/// A fresh world, with the demo data when the config asks for it.
fn seeded(config: &SandboxConfig, directory: &Directory) -> World {
    let mut world = World::new(config);
    if config.demo_data {
        demo::seed(&mut world, directory);
    }
    world
}

pub(crate) struct Shared {
    config: SandboxConfig,
    verifier: acs::AcsVerifier,
    directory: Arc<Directory>,
    world: Mutex<World>,
    faults: Faults,
}

impl Shared {
    fn new(config: SandboxConfig) -> Shared {
        let directory = Arc::new(Directory::generate(config.seed));
        let world = seeded(&config, &directory);
        let faults = Faults::new(config.seed);
        faults.load(&config.faults);
        Shared {
            verifier: acs::AcsVerifier::new(config.access_keys.clone(), config.clock.clone()),
            directory,
            world: Mutex::new(world),
            faults,
            config,
        }
    }

    /// Runs `f` on the state. A panic in one handler must not wedge the
    /// sandbox for every later test, hence the poison recovery.
    fn with_world<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        let mut world = self.world.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut world)
    }

    fn reset(&self) {
        let fresh = seeded(&self.config, &self.directory);
        self.with_world(|world| *world = fresh);
        self.faults.clear();
        self.faults.load(&self.config.faults);
        self.verifier.forget_nonces();
    }
}

/// A group as the sandbox holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRef {
    pub chatid: String,
    pub open_conversation_id: String,
    pub name: String,
    pub owner: String,
    /// Employees in joining order, with their Chinese names.
    pub members: Vec<(String, String)>,
    pub member_count: usize,
    pub dismissed: bool,
}

/// A running sandbox. Stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Binds `addr` (port 0 picks a free port) and serves in the background.
    pub async fn start(addr: SocketAddr, config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("sandbox cannot listen on {addr}: {e}"))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let task = tokio::spawn(server::serve(listener, server::router(shared.clone())));
        Ok(Sandbox { addr, shared, task })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the base URL of all four upstreams.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Successful token fetches of `app_key` (both API generations) since
    /// the start or the last reset.
    pub fn token_fetches(&self, app_key: &str) -> u64 {
        self.shared.with_world(|w| w.tokens.fetches(app_key))
    }

    /// Every group, for tests and for importing the demo groups into a
    /// catalogue (DingTalk itself has no call that lists groups).
    pub fn groups(&self) -> Vec<GroupRef> {
        self.shared.with_world(|w| {
            w.groups
                .iter()
                .map(|g| GroupRef {
                    chatid: g.chatid.clone(),
                    open_conversation_id: g.open_conversation_id.clone(),
                    name: g.name.clone(),
                    owner: g.owner.clone(),
                    members: g
                        .members
                        .iter()
                        .map(|m| {
                            let name = self.shared.directory.user(m).map(|u| u.name_zh.clone());
                            (m.clone(), name.unwrap_or_default())
                        })
                        .collect(),
                    member_count: g.member_count(),
                    dismissed: g.status == dingtalk::groups::STATUS_DISMISSED,
                })
                .collect()
        })
    }

    /// Whether the Security Center edition is Enterprise, the only one that
    /// accepts ModifyDingTalkStatus (until the next reset).
    pub fn set_sas_enterprise(&self, enterprise: bool) {
        self.shared
            .with_world(|w| w.robots.below_enterprise = !enterprise);
    }

    /// The stored `Configuration` of a chat configuration, secrets in clear:
    /// what the upstream really holds, which Get never shows.
    pub fn chat_configuration(
        &self,
        region: &str,
        name: &str,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        self.shared.with_world(|w| {
            w.configs
                .by_key
                .get(&(region.to_owned(), name.to_owned()))
                .map(|c| c.configuration.clone())
        })
    }

    /// Every issued DingTalk token becomes expired.
    pub fn expire_tokens(&self) {
        let now = self.shared.config.clock.now();
        self.shared.with_world(|w| w.tokens.expire_all(now));
    }

    /// Back to the seeded state: data, tokens, counters, nonces and faults.
    pub fn reset(&self) {
        self.shared.reset();
    }

    pub async fn shutdown(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}
