//! When to try a failed call again: only reads and answers the upstream
//! calls retryable, with jittered exponential backoff, honouring the
//! upstream's retry-after. Writes are resent only when the request provably
//! never reached the server, or when flow control refused it (a throttled
//! request is rejected before anything is done).

use std::time::Duration;

use super::error::{ErrorKind, UpstreamError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A retry-after longer than this is handed to the user instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(5),
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
        max_retry_after: Duration::ZERO,
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

    /// How long to wait before retry number `retry`, or `None` to give up.
    pub fn decide(
        &self,
        retry: u32,
        err: &UpstreamError,
        idempotency: Idempotency,
        jitter: f64,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !err.retryable {
            return None;
        }
        let throttled = matches!(err.kind, ErrorKind::Throttled { .. });
        if idempotency == Idempotency::Write && err.reached_server && !throttled {
            return None;
        }
        let backoff = self.backoff(retry, jitter);
        match err.kind {
            ErrorKind::Throttled {
                retry_after: Some(after),
            } => (after <= self.max_retry_after).then(|| after.max(backoff)),
            _ => Some(backoff),
        }
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
    loop {
        match attempt(retry).await {
            Ok(value) => return Ok(value),
            Err(err) => match policy.decide(retry, &err, idempotency, jitter()) {
                Some(delay) => {
                    tracing::info!(
                        service = %err.service,
                        code = %err.code,
                        retry = retry + 1,
                        delay_ms = delay.as_millis() as u64,
                        "retrying upstream call"
                    );
                    tokio::time::sleep(delay).await;
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
            assert!(p.decide(retry, &e, Idempotency::Read, 0.0).is_some());
        }
        assert_eq!(p.decide(3, &e, Idempotency::Read, 0.0), None);
        let final_err = err(ErrorKind::NotFound, false, true);
        assert_eq!(p.decide(0, &final_err, Idempotency::Read, 0.0), None);
    }

    #[test]
    fn writes_retry_only_when_nothing_was_sent() {
        let p = RetryPolicy::default();
        let sent = err(ErrorKind::Unavailable, true, true);
        assert_eq!(p.decide(0, &sent, Idempotency::Write, 0.0), None);
        let refused = err(ErrorKind::Unavailable, true, false);
        assert!(p.decide(0, &refused, Idempotency::Write, 0.0).is_some());
        let throttled = err(ErrorKind::Throttled { retry_after: None }, true, true);
        assert!(p.decide(0, &throttled, Idempotency::Write, 0.0).is_some());
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
            p.decide(0, &throttled(2), Idempotency::Read, 0.0),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.decide(0, &throttled(60), Idempotency::Read, 0.0), None);
        let no_hint = err(ErrorKind::Throttled { retry_after: None }, true, true);
        assert_eq!(
            p.decide(1, &no_hint, Idempotency::Read, 1.0),
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
