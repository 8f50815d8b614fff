//! The sandbox's mutable state and its clock.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use super::SandboxConfig;
use super::dingtalk::directory::Directory;
use super::dingtalk::groups::Groups;
use super::dingtalk::token::Tokens;
use super::oos::ChatConfig;
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
    /// Keyed by (RegionId, Name).
    pub configs: BTreeMap<(String, String), ChatConfig>,
    pub robots: Robots,
    pub groups: Groups,
    pub tokens: Tokens,
    /// Makes generated identifiers (webhooks, chat ids) unique and stable.
    pub seq: u64,
}

impl World {
    pub fn seeded(config: &SandboxConfig, directory: &Directory) -> World {
        let mut world = World {
            configs: BTreeMap::new(),
            robots: Robots::default(),
            groups: Groups::default(),
            tokens: Tokens::new(config.token_ttl),
            seq: 0,
        };
        if config.demo_data {
            super::demo::seed(&mut world, directory);
        }
        world
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}
