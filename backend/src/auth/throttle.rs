//! Sign-in throttling: after too many failures within a window, further
//! attempts for that account, or from that address, are refused until the
//! window ends. Kept in memory: a restart forgets it, which costs an
//! attacker a restart they cannot cause.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub window: Duration,
    pub per_account: u32,
    pub per_address: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            window: Duration::from_secs(15 * 60),
            per_account: 5,
            per_address: 20,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

struct Entry {
    failures: u32,
    since: Instant,
}

/// Shared by all requests of a server.
#[derive(Clone, Default)]
pub struct Throttle {
    limits: Limits,
    entries: Arc<Mutex<HashMap<Key, Entry>>>,
}

/// User names are at most 64 characters; longer input is cut so a flood of
/// huge names cannot grow the table's memory.
fn account_key(username: &str) -> Key {
    Key::Account(username.chars().take(64).collect())
}

impl Throttle {
    pub fn new(limits: Limits) -> Throttle {
        Throttle {
            limits,
            entries: Arc::default(),
        }
    }

    fn keys(username: &str, address: Option<IpAddr>) -> impl Iterator<Item = Key> {
        std::iter::once(account_key(username)).chain(address.map(Key::Address))
    }

    fn limit(&self, key: &Key) -> u32 {
        match key {
            Key::Account(_) => self.limits.per_account,
            Key::Address(_) => self.limits.per_address,
        }
    }

    /// `Err(wait)` while the account or the address is locked out.
    pub fn check(&self, username: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, e| now.duration_since(e.since) < self.limits.window);
        let wait = Self::keys(username, address)
            .filter_map(|key| {
                let entry = entries.get(&key)?;
                (entry.failures >= self.limit(&key))
                    .then(|| self.limits.window - now.duration_since(entry.since))
            })
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn failed(&self, username: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(username, address) {
            entries
                .entry(key)
                .or_insert(Entry {
                    failures: 0,
                    since: now,
                })
                .failures += 1;
        }
    }

    /// A successful sign-in clears the account's failures (not the
    /// address's: one good password must not reset a spraying address).
    pub fn succeeded(&self, username: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(&account_key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            window: Duration::from_secs(60),
            per_account: 3,
            per_address: 5,
        }
    }

    #[test]
    fn an_account_locks_after_its_limit_and_success_clears_it() {
        let t = Throttle::new(limits());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert!(t.check("alice", Some(ip)).is_ok());
            t.failed("alice", Some(ip));
        }
        let wait = t.check("alice", Some(ip)).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        // Another account from the same address is still allowed.
        assert!(t.check("bob", Some(ip)).is_ok());
        t.succeeded("alice");
        assert!(t.check("alice", Some(ip)).is_ok());
    }

    #[test]
    fn an_address_locks_across_accounts() {
        let t = Throttle::new(limits());
        let ip: IpAddr = "192.0.2.2".parse().unwrap();
        for name in ["a", "b", "c", "d", "e"] {
            t.failed(name, Some(ip));
        }
        assert!(t.check("f", Some(ip)).is_err());
        assert!(t.check("f", Some("192.0.2.3".parse().unwrap())).is_ok());
    }
}
