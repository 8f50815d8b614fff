//! Idempotent creates: a client sends `Idempotency-Key` with a create, and a
//! retry or a double click with the same key gets the first answer instead
//! of making a second group, configuration or account.
//!
//! Keys are per user and per operation (`scope`) and kept for a day. The
//! first request claims the key; a concurrent twin waits for its answer. A
//! failed attempt frees the key, so a corrected retry may use it again. A
//! key reused with a different body is refused: it would hide a mistake.

use std::future::Future;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;
use tracing::Instrument;

use crate::context::Ctx;
use crate::db::{Db, is_unique_violation, now_ms};
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
/// How long an answer is replayed.
const KEEP_MS: i64 = 24 * 3600 * 1000;
/// A claim older than this belongs to a request that died; it may be taken.
const ABANDONED_MS: i64 = 5 * 60 * 1000;
/// The label of the key that digests request bodies.
const FINGERPRINT_KEY: &str = "chatdesk idempotency fingerprint v1";
/// How long a twin waits for the first request's answer.
const WAIT: Duration = Duration::from_secs(30);

/// The request's `Idempotency-Key` header, if it sent one (1 to 128
/// printable ASCII characters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| !k.is_empty() && k.len() <= 128 && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                ApiError::invalid(
                    "Idempotency-Key",
                    "must be 1 to 128 printable ASCII characters",
                )
            })?;
        Ok(IdempotencyKey(Some(key.to_owned())))
    }
}

/// A keyed digest of the request body: bodies may carry secrets (a new
/// account's password, an AccessKey secret), and a plain hash stored in the
/// database could be brute-forced from a copy of it.
fn fingerprint(key: &[u8; 32], body: &impl Serialize) -> String {
    let json = serde_json::to_vec(body).expect("request bodies serialize");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(&json);
    hex::encode(mac.finalize().into_bytes())
}

/// Runs `create` once per (user, `scope`, key) and returns its answer, or
/// the stored answer of an earlier run with the same key and `body`. Without
/// a key it just runs `create`. `create` runs to the end in a task of its
/// own even if this request is dropped, so its answer is stored for the
/// retry that follows.
pub async fn once<B, T, F, Fut>(
    ctx: &Ctx,
    key: IdempotencyKey,
    scope: &'static str,
    body: B,
    create: F,
) -> Result<T, ApiError>
where
    B: Serialize,
    T: Serialize + DeserializeOwned + Send + 'static,
    F: FnOnce(B) -> Fut,
    Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
{
    let Some(key) = key.0 else {
        return create(body).await;
    };
    let slot = Slot {
        db: ctx.state.db.clone(),
        user_id: ctx.session.user.id.clone(),
        scope,
        key,
        fingerprint: fingerprint(&ctx.state.vault.derive_key(FINGERPRINT_KEY), &body),
    };
    let create = create(body);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match slot.claim().await? {
            Claim::Mine => break,
            Claim::Answered(json) => {
                tracing::info!(scope, "idempotent create replayed");
                return serde_json::from_str(&json).map_err(|e| ApiError::Internal(e.into()));
            }
            Claim::Pending if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Claim::Pending => return Err(ApiError::IdempotencyInProgress),
        }
    }
    let task = tokio::spawn(
        async move {
            let result = create.await;
            let answer = result
                .as_ref()
                .ok()
                .map(|value| serde_json::to_string(value).expect("answers serialize"));
            slot.finish(answer).await;
            result
        }
        .instrument(tracing::Span::current()),
    );
    match task.await {
        Ok(result) => result,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    }
}

enum Claim {
    Mine,
    Answered(String),
    Pending,
}

struct Slot {
    db: Db,
    user_id: String,
    scope: &'static str,
    key: String,
    fingerprint: String,
}

impl Slot {
    async fn claim(&self) -> Result<Claim, ApiError> {
        let now = now_ms();
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now - KEEP_MS)
            .execute(self.db.pool())
            .await?;
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND idem_key = $3 \
             AND response IS NULL AND created_at < $4",
        )
        .bind(&self.user_id)
        .bind(self.scope)
        .bind(&self.key)
        .bind(now - ABANDONED_MS)
        .execute(self.db.pool())
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, scope, idem_key, fingerprint, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&self.user_id)
        .bind(self.scope)
        .bind(&self.key)
        .bind(&self.fingerprint)
        .bind(now)
        .execute(self.db.pool())
        .await;
        match inserted {
            Ok(_) => return Ok(Claim::Mine),
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT fingerprint, response FROM idempotency_keys \
             WHERE user_id = $1 AND scope = $2 AND idem_key = $3",
        )
        .bind(&self.user_id)
        .bind(self.scope)
        .bind(&self.key)
        .fetch_optional(self.db.pool())
        .await?;
        Ok(match row {
            // Freed between our insert and this read: try again.
            None => Claim::Pending,
            Some((fingerprint, _)) if fingerprint != self.fingerprint => {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    "was already used for a different request",
                ));
            }
            Some((_, Some(response))) => Claim::Answered(response),
            Some((_, None)) => Claim::Pending,
        })
    }

    /// Stores a success's answer for replay; frees the key after a failure.
    async fn finish(&self, answer: Option<String>) {
        let outcome = match answer {
            Some(json) => {
                sqlx::query(
                    "UPDATE idempotency_keys SET response = $1 \
                     WHERE user_id = $2 AND scope = $3 AND idem_key = $4",
                )
                .bind(json)
                .bind(&self.user_id)
                .bind(self.scope)
                .bind(&self.key)
                .execute(self.db.pool())
                .await
            }
            None => sqlx::query(
                "DELETE FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND idem_key = $3",
            )
            .bind(&self.user_id)
            .bind(self.scope)
            .bind(&self.key)
            .execute(self.db.pool())
            .await,
        };
        if let Err(err) = outcome {
            tracing::error!(error = %err, scope = self.scope, "cannot store an idempotent answer");
        }
    }
}
