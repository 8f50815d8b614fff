//! The application state every handler reaches through [`crate::context::Ctx`]
//! or axum's `State`.

use std::sync::Arc;

use crate::auth::sessions::Sessions;
use crate::auth::throttle::Throttle;
use crate::chat_configs::store::ChatConfigStore;
use crate::config::Config;
use crate::db::Db;
use crate::spa::Spa;
use crate::upstream::Upstream;
use crate::vault::Vault;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub spa: Spa,
    pub db: Db,
    pub sessions: Sessions,
    pub chat_configs: ChatConfigStore,
    pub vault: Vault,
    pub throttle: Throttle,
    /// Base URL of the built-in sandbox when it stands in for every
    /// upstream (`config.upstream.is_sandbox()`).
    pub sandbox_url: Option<String>,
    /// The upstream clients, one per process so that every request shares
    /// the DingTalk token caches and the rate limits.
    pub upstream: Arc<Upstream>,
}
