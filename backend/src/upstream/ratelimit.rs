//! Token buckets that keep the console polite: one per DingTalk app and one
//! per Alibaba Cloud account, shared by every caller of that key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A token bucket refilled at `rate` per second up to `burst` tokens.
/// Callers reserve a token and wait until it exists, so waiting callers are
/// served in arrival order and never exceed the rate.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    /// `rate` per second (> 0), `burst` at least 1.
    pub fn new(rate: f64, burst: u32) -> TokenBucket {
        assert!(rate > 0.0, "a rate limit must be positive");
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Takes one token at `now` and returns how long to wait before using it.
    pub fn reserve_at(&self, now: Instant) -> Duration {
        let mut state = self.state.lock().expect("bucket lock poisoned");
        let (tokens, last) = *state;
        let elapsed = now.saturating_duration_since(last).as_secs_f64();
        let available = (tokens + elapsed * self.rate).min(self.burst) - 1.0;
        *state = (available, now.max(last));
        if available >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-available / self.rate)
        }
    }

    /// Waits for a token.
    pub async fn acquire(&self) {
        let wait = self.reserve_at(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// Rates for a kind of key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: u32,
}

impl Rate {
    /// DingTalk's standard per-app limit is about 20 QPS.
    pub const DINGTALK_APP: Rate = Rate {
        per_second: 20.0,
        burst: 20,
    };
    /// Alibaba Cloud does not publish per-API limits for these actions;
    /// stay well under the usual defaults.
    pub const ACS_ACCOUNT: Rate = Rate {
        per_second: 10.0,
        burst: 10,
    };
}

/// One bucket per key (app key or AccessKey id), created on first use.
#[derive(Debug)]
pub struct RateLimiters {
    rate: Rate,
    buckets: Mutex<HashMap<String, Arc<TokenBucket>>>,
}

impl RateLimiters {
    pub fn new(rate: Rate) -> RateLimiters {
        RateLimiters {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn bucket(&self, key: &str) -> Arc<TokenBucket> {
        let mut buckets = self.buckets.lock().expect("limiter lock poisoned");
        if let Some(bucket) = buckets.get(key) {
            return bucket.clone();
        }
        buckets
            .entry(key.to_owned())
            .or_insert_with(|| Arc::new(TokenBucket::new(self.rate.per_second, self.rate.burst)))
            .clone()
    }

    pub async fn acquire(&self, key: &str) {
        self.bucket(key).acquire().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_steady_rate() {
        let bucket = TokenBucket::new(10.0, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(bucket.reserve_at(t0), Duration::ZERO);
        }
        // The 4th and 5th wait one and two refill periods.
        assert_eq!(bucket.reserve_at(t0), Duration::from_millis(100));
        assert_eq!(bucket.reserve_at(t0), Duration::from_millis(200));
        // A second later the debt is paid and 3 tokens are back at most.
        let t1 = t0 + Duration::from_secs(1);
        for _ in 0..3 {
            assert_eq!(bucket.reserve_at(t1), Duration::ZERO);
        }
        assert!(bucket.reserve_at(t1) > Duration::ZERO);
    }

    #[test]
    fn n_calls_take_n_over_rate_seconds() {
        let bucket = TokenBucket::new(20.0, 1);
        let t0 = Instant::now();
        let last = (0..41).map(|_| bucket.reserve_at(t0)).last().unwrap();
        assert_eq!(last, Duration::from_secs(2));
    }

    #[test]
    fn buckets_are_per_key() {
        let limiters = RateLimiters::new(Rate {
            per_second: 1.0,
            burst: 1,
        });
        let now = Instant::now();
        assert_eq!(limiters.bucket("a").reserve_at(now), Duration::ZERO);
        assert_eq!(limiters.bucket("b").reserve_at(now), Duration::ZERO);
        assert!(limiters.bucket("a").reserve_at(now) > Duration::ZERO);
    }

    #[tokio::test]
    async fn acquire_sleeps_for_the_reservation() {
        let bucket = TokenBucket::new(20.0, 1);
        let start = Instant::now();
        bucket.acquire().await;
        bucket.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(45));
    }
}
