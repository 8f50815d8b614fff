//! When to try a failed call again: only reads and answers the upstream
//! calls retryable, with jittered exponential backoff, honouring the
//! upstream's retry-after within a budget of waiting per call. Writes are
//! resent only when the request provably never reached the server, or when
//! flow control refused it (a throttled request is rejected before anything
//! is done).

use std::time::Duration;

use super::error::{ErrorKind, UpstreamError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The most one call waits between its attempts, in all. An upstream
    /// asking for a longer wait than is left gets no retry: its
    /// retry-after goes to the user (a 429 with `Retry-After`).
    pub budget: Duration,
}

impl Default for RetryPolicy {
    /// An interactive edit waits up to about 10 s for a throttled upstream.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            budget: Duration::from_secs(10),
        }
    }
}

/// Whether a call may be repeated without changing anything upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    Read,
    Write,
}

impl RetryPolicy {
    /// No retries at all (tests, benchmarks).
    pub const NONE: RetryPolicy = RetryPolicy {
        max_retries: 0,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        budget: Duration::ZERO,
    };

    /// Delay before retry number `retry` (0-based): `base * 2^retry`, capped,
    /// scaled by `jitter` in [0, 1) to between half and all of it.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
            .min(self.max_delay);
        exp.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }

    /// How long to wait before retry number `retry`, having `waited`
    /// already, or `None` to give up.
    pub fn decide(
        &self,
        retry: u32,
        err: &UpstreamError,
        idempotency: Idempotency,
        jitter: f64,
        waited: Duration,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !err.retryable {
            return None;
        }
        let throttled = matches!(err.kind, ErrorKind::Throttled { .. });
        if idempotency == Idempotency::Write && err.reached_server && !throttled {
            return None;
        }
        let backoff = self.backoff(retry, jitter);
        let delay = match err.kind {
            ErrorKind::Throttled {
                retry_after: Some(after),
            } => after.max(backoff),
            _ => backoff,
        };
        (waited.saturating_add(delay) <= self.budget).then_some(delay)
    }
}

/// Runs `attempt` (given the retry number) until it succeeds or `policy`
/// gives up.
pub async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    mut attempt: F,
) -> Result<T, UpstreamError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, UpstreamError>>,
{
    let mut retry = 0;
    let mut waited = Duration::ZERO;
    loop {
        match attempt(retry).await {
            Ok(value) => return Ok(value),
            Err(err) => match policy.decide(retry, &err, idempotency, jitter(), waited) {
                Some(delay) => {
                    tracing::info!(
                        service = %err.service,
                        code = %err.code,
                        retry = retry + 1,
                        delay_ms = delay.as_millis() as u64,
                        "retrying upstream call"
                    );
                    tokio::time::sleep(delay).await;
                    waited += delay;
                    retry += 1;
                }
                None => return Err(err),
            },
        }
    }
}

/// A uniform jitter in [0, 1).
pub fn jitter() -> f64 {
    rand::random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::error::Service;

    fn err(kind: ErrorKind, retryable: bool, reached_server: bool) -> UpstreamError {
        let mut e = UpstreamError::new(Service::Oos, kind, "X").retryable(retryable);
        e.reached_server = reached_server;
        e
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0, 0.0), Duration::from_millis(100));
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(200));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(400));
        assert_eq!(p.backoff(2, 0.5), Duration::from_millis(600));
        assert_eq!(p.backoff(10, 1.0), Duration::from_secs(2));
        assert_eq!(p.backoff(40, 1.0), Duration::from_secs(2));
    }

    #[test]
    fn reads_retry_retryable_errors_at_most_max_times() {
        let p = RetryPolicy::default();
        let e = err(ErrorKind::Unavailable, true, true);
        for retry in 0..3 {
            assert!(
                p.decide(retry, &e, Idempotency::Read, 0.0, Duration::ZERO)
                    .is_some()
            );
        }
        assert_eq!(
            p.decide(3, &e, Idempotency::Read, 0.0, Duration::ZERO),
            None
        );
        let final_err = err(ErrorKind::NotFound, false, true);
        assert_eq!(
            p.decide(0, &final_err, Idempotency::Read, 0.0, Duration::ZERO),
            None
        );
    }

    #[test]
    fn writes_retry_only_when_nothing_was_sent() {
        let p = RetryPolicy::default();
        let sent = err(ErrorKind::Unavailable, true, true);
        assert_eq!(
            p.decide(0, &sent, Idempotency::Write, 0.0, Duration::ZERO),
            None
        );
        let refused = err(ErrorKind::Unavailable, true, false);
        assert!(
            p.decide(0, &refused, Idempotency::Write, 0.0, Duration::ZERO)
                .is_some()
        );
        let throttled = err(ErrorKind::Throttled { retry_after: None }, true, true);
        assert!(
            p.decide(0, &throttled, Idempotency::Write, 0.0, Duration::ZERO)
                .is_some()
        );
    }

    #[test]
    fn waits_stay_within_the_budget_of_the_call() {
        let p = RetryPolicy::default();
        let throttled = err(
            ErrorKind::Throttled {
                retry_after: Some(Duration::from_secs(3)),
            },
            true,
            true,
        );
        let read = Idempotency::Read;
        let after = |waited| p.decide(1, &throttled, read, 0.0, Duration::from_secs(waited));
        assert_eq!(after(0), Some(Duration::from_secs(3)));
        assert_eq!(after(7), Some(Duration::from_secs(3)));
        assert_eq!(after(8), None);
        let busy = err(ErrorKind::Unavailable, true, true);
        assert_eq!(p.decide(0, &busy, read, 1.0, Duration::from_secs(10)), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_cap() {
        let p = RetryPolicy::default();
        let throttled = |secs| {
            err(
                ErrorKind::Throttled {
                    retry_after: Some(Duration::from_secs(secs)),
                },
                true,
                true,
            )
        };
        assert_eq!(
            p.decide(0, &throttled(2), Idempotency::Read, 0.0, Duration::ZERO),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            p.decide(0, &throttled(60), Idempotency::Read, 0.0, Duration::ZERO),
            None
        );
        let no_hint = err(ErrorKind::Throttled { retry_after: None }, true, true);
        assert_eq!(
            p.decide(1, &no_hint, Idempotency::Read, 1.0, Duration::ZERO),
            Some(Duration::from_millis(400))
        );
    }

    #[tokio::test]
    async fn with_retries_stops_at_success_or_when_told() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let mut calls = 0;
        let out = with_retries(&p, Idempotency::Read, |retry| {
            calls += 1;
            async move {
                if retry < 2 {
                    Err(err(ErrorKind::Unavailable, true, true))
                } else {
                    Ok(retry)
                }
            }
        })
        .await;
        assert_eq!((out.unwrap(), calls), (2, 3));
        let mut calls = 0;
        let out: Result<(), _> = with_retries(&p, Idempotency::Write, |_| {
            calls += 1;
            async { Err(err(ErrorKind::Unavailable, true, true)) }
        })
        .await;
        assert!(out.is_err());
        assert_eq!(calls, 1);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..100 {
            assert!((0.0..1.0).contains(&jitter()));
        }
    }
}
