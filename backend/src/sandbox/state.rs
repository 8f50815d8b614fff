//! The sandbox's mutable state and its clock.

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use super::SandboxConfig;
use super::dingtalk::groups::Groups;
use super::dingtalk::token::Tokens;
use super::oos::ChatConfigs;
use super::sas::Robots;

/// Where "now" comes from. Tests inject a fixed instant to verify requests
/// signed at a date in the past.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(OffsetDateTime::now_utc))
    }

    pub fn fixed(at: OffsetDateTime) -> Clock {
        Clock(Arc::new(move || at))
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.0)()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// Everything a call can change; `reset` replaces it whole.
pub(crate) struct World {
    pub configs: ChatConfigs,
    pub robots: Robots,
    pub groups: Groups,
    pub tokens: Tokens,
}

impl World {
    /// An empty world; [`super::demo::seed`] fills it with the demo data.
    pub fn new(config: &SandboxConfig) -> World {
        World {
            configs: ChatConfigs::default(),
            robots: Robots::default(),
            groups: Groups::default(),
            tokens: Tokens::new(config.token_ttl),
        }
    }
}
