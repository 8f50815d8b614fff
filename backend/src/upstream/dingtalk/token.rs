//! One DingTalk access token per app, shared by every caller: fetched once
//! however many callers wait (one refresh lock per app, held across the
//! fetch), refreshed ahead of expiry, and dropped when the upstream calls it
//! invalid. Reading a fresh token takes only a short synchronous lock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secrecy::SecretString;

use crate::upstream::error::UpstreamError;

/// A token and the fetch it came from, so that only the caller holding the
/// current one can drop it.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub value: SecretString,
    generation: u64,
}

#[derive(Debug, Default)]
struct Slot {
    /// The token and when to replace it.
    current: Mutex<Option<(AccessToken, Instant)>>,
    /// Held while fetching; guards the fetch counter.
    refresh: tokio::sync::Mutex<u64>,
}

impl Slot {
    fn fresh(&self) -> Option<AccessToken> {
        let current = self.current.lock().expect("token slot lock poisoned");
        current
            .as_ref()
            .filter(|(_, refresh_at)| Instant::now() < *refresh_at)
            .map(|(token, _)| token.clone())
    }
}

#[derive(Debug, Default)]
pub struct TokenCache {
    apps: Mutex<HashMap<String, Arc<Slot>>>,
}

/// How long before expiry a token is replaced: a tenth of its life, at most
/// five minutes.
pub fn refresh_margin(ttl: Duration) -> Duration {
    (ttl / 10).min(Duration::from_secs(300))
}

impl TokenCache {
    fn slot(&self, app_key: &str) -> Arc<Slot> {
        let mut apps = self.apps.lock().expect("token cache lock poisoned");
        if let Some(slot) = apps.get(app_key) {
            return slot.clone();
        }
        apps.entry(app_key.to_owned()).or_default().clone()
    }

    /// The app's token, calling `fetch` (which returns the token and its
    /// lifetime) only when there is none fresh enough.
    pub async fn get<F, Fut>(&self, app_key: &str, fetch: F) -> Result<AccessToken, UpstreamError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(SecretString, Duration), UpstreamError>>,
    {
        let slot = self.slot(app_key);
        if let Some(token) = slot.fresh() {
            return Ok(token);
        }
        let mut generation = slot.refresh.lock().await;
        // Whoever held the lock before may have fetched already.
        if let Some(token) = slot.fresh() {
            return Ok(token);
        }
        let (value, ttl) = fetch().await?;
        *generation += 1;
        let token = AccessToken {
            value,
            generation: *generation,
        };
        let refresh_at = Instant::now() + ttl.saturating_sub(refresh_margin(ttl));
        *slot.current.lock().expect("token slot lock poisoned") = Some((token.clone(), refresh_at));
        tracing::debug!(
            app_key,
            ttl_s = ttl.as_secs(),
            "fetched DingTalk access token"
        );
        Ok(token)
    }

    /// Drops `token` if it is still the current one (callers that saw it
    /// rejected together cause one refetch, not many).
    pub fn invalidate(&self, app_key: &str, token: &AccessToken) {
        let slot = self.slot(app_key);
        let mut current = slot.current.lock().expect("token slot lock poisoned");
        if current
            .as_ref()
            .is_some_and(|(t, _)| t.generation == token.generation)
        {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use secrecy::ExposeSecret;

    use super::*;

    async fn fetch_counting(
        count: &AtomicU32,
        ttl: Duration,
    ) -> Result<(SecretString, Duration), UpstreamError> {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok((format!("token-{n}").into(), ttl))
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let count = Arc::new(AtomicU32::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..200 {
            let (cache, count) = (cache.clone(), count.clone());
            tasks.spawn(async move {
                let t = cache
                    .get("app", || fetch_counting(&count, Duration::from_secs(7200)))
                    .await
                    .unwrap();
                t.value.expose_secret().to_owned()
            });
        }
        while let Some(token) = tasks.join_next().await {
            assert_eq!(token.unwrap(), "token-1");
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
        // Another app has its own token.
        let other = cache
            .get("other", || {
                fetch_counting(&count, Duration::from_secs(7200))
            })
            .await
            .unwrap();
        assert_eq!(other.value.expose_secret(), "token-2");
    }

    #[tokio::test]
    async fn invalidation_refetches_once() {
        let cache = TokenCache::default();
        let count = AtomicU32::new(0);
        let ttl = Duration::from_secs(7200);
        let old = cache
            .get("app", || fetch_counting(&count, ttl))
            .await
            .unwrap();
        cache.invalidate("app", &old);
        let new = cache
            .get("app", || fetch_counting(&count, ttl))
            .await
            .unwrap();
        assert_eq!(new.value.expose_secret(), "token-2");
        // A second caller that saw the old token rejected does not drop the new one.
        cache.invalidate("app", &old);
        let same = cache
            .get("app", || fetch_counting(&count, ttl))
            .await
            .unwrap();
        assert_eq!(same.value.expose_secret(), "token-2");
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn tokens_are_refreshed_ahead_of_expiry() {
        assert_eq!(
            refresh_margin(Duration::from_secs(7200)),
            Duration::from_secs(300)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(10)),
            Duration::from_secs(1)
        );
        let cache = TokenCache::default();
        let count = AtomicU32::new(0);
        // A 50 ms token is replaced after 45 ms.
        let ttl = Duration::from_millis(50);
        cache
            .get("app", || fetch_counting(&count, ttl))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let t = cache
            .get("app", || fetch_counting(&count, ttl))
            .await
            .unwrap();
        assert_eq!(t.value.expose_secret(), "token-2");
    }

    #[tokio::test]
    async fn a_failed_fetch_is_not_cached() {
        use crate::upstream::error::{ErrorKind, Service};
        let cache = TokenCache::default();
        let err = cache
            .get("app", || async {
                Err(UpstreamError::new(
                    Service::DingTalk,
                    ErrorKind::AuthFailed,
                    "x",
                ))
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::AuthFailed);
        let count = AtomicU32::new(0);
        let t = cache
            .get("app", || fetch_counting(&count, Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(t.value.expose_secret(), "token-1");
    }
}
