//! DingTalk access tokens: one per app, the same token returned (and its
//! life extended) while it is valid, a new one once it expired.

use std::collections::HashMap;
use std::time::Duration;

use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Issued {
    app_key: String,
    expires_at: OffsetDateTime,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    Unknown,
    Expired,
}

#[derive(Debug)]
pub struct Tokens {
    ttl: Duration,
    by_token: HashMap<String, Issued>,
    current: HashMap<String, String>,
    fetches: HashMap<String, u64>,
}

impl Tokens {
    pub fn new(ttl: Duration) -> Tokens {
        Tokens {
            ttl,
            by_token: HashMap::new(),
            current: HashMap::new(),
            fetches: HashMap::new(),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A fetch by an authenticated app: its valid token, extended, or a new one.
    pub fn fetch(&mut self, app_key: &str, now: OffsetDateTime) -> String {
        *self.fetches.entry(app_key.to_owned()).or_default() += 1;
        let expires_at = now + self.ttl;
        if let Some(token) = self.current.get(app_key)
            && let Some(issued) = self.by_token.get_mut(token)
            && issued.expires_at > now
        {
            issued.expires_at = expires_at;
            return token.clone();
        }
        let token = uuid::Uuid::new_v4().simple().to_string();
        self.by_token.insert(
            token.clone(),
            Issued {
                app_key: app_key.to_owned(),
                expires_at,
            },
        );
        self.current.insert(app_key.to_owned(), token.clone());
        token
    }

    /// The app a valid token belongs to.
    pub fn check(&self, token: &str, now: OffsetDateTime) -> Result<&str, TokenError> {
        let issued = self.by_token.get(token).ok_or(TokenError::Unknown)?;
        if issued.expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(&issued.app_key)
    }

    pub fn expire_all(&mut self, now: OffsetDateTime) {
        for issued in self.by_token.values_mut() {
            issued.expires_at = issued.expires_at.min(now);
        }
    }

    pub fn fetches(&self, app_key: &str) -> u64 {
        self.fetches.get(app_key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_token_while_valid_new_one_after_expiry() {
        let mut tokens = Tokens::new(Duration::from_secs(10));
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let a = tokens.fetch("app", t0);
        let later = t0 + Duration::from_secs(8);
        assert_eq!(tokens.fetch("app", later), a);
        // Extended: still valid 10 s after the second fetch.
        assert_eq!(tokens.check(&a, t0 + Duration::from_secs(17)), Ok("app"));
        assert_eq!(
            tokens.check(&a, t0 + Duration::from_secs(18)),
            Err(TokenError::Expired)
        );
        assert_eq!(tokens.check("nope", t0), Err(TokenError::Unknown));
        tokens.expire_all(later);
        assert_eq!(tokens.check(&a, later), Err(TokenError::Expired));
        let b = tokens.fetch("app", later);
        assert_ne!(a, b);
        assert_eq!(tokens.fetches("app"), 3);
        assert_eq!(tokens.fetches("other"), 0);
    }
}
