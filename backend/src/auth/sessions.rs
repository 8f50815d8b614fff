//! Server-side sessions. The browser holds a random 256-bit id in a cookie;
//! the database holds only its SHA-256, with the CSRF token and the times
//! the idle and absolute timeouts are measured from.

use std::net::IpAddr;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use shared::auth::{SessionInfo, User, permissions};
use sqlx::Row;

use super::store::user_from_row_with;
use crate::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use crate::cache::RowCache;
use crate::config::SessionConfig;
use crate::db::{Db, now_ms};

/// A signed-in session, as resolved from a request's cookie.
#[derive(Clone, Debug)]
pub struct Session {
    /// Hex SHA-256 of the cookie value: the row's key.
    pub id_hash: String,
    pub csrf_token: String,
    pub user: User,
}

impl Session {
    /// Its user as the actor of an audit event, acting from `source`.
    pub fn actor(&self, source: Option<IpAddr>) -> Actor {
        Actor {
            user_id: Some(self.user.id.clone()),
            username: self.user.username.clone(),
            role: self.user.role.as_str().to_owned(),
            source,
        }
    }

    /// What the console learns of its session.
    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            user: self.user.clone(),
            csrf_token: self.csrf_token.clone(),
            permissions: permissions(self.user.role),
        }
    }
}

/// Don't write `last_seen_at` on every request: once a minute is enough
/// for an idle timeout measured in minutes.
const TOUCH_EVERY_MS: i64 = 60_000;

fn random_token() -> String {
    // rand's thread RNG is a CSPRNG seeded from the OS.
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

pub fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// The audit target of a user's sessions (their ids stay out of the trail).
fn audit_target(user: &User) -> Target {
    Target {
        kind: TargetKind::Session,
        id: None,
        label: Some(user.username.clone()),
    }
}

/// A session row as cached: the session and the times its timeouts are
/// measured from.
#[derive(Clone, Debug)]
pub struct CachedSession {
    session: Session,
    created_at: i64,
    last_seen_at: i64,
}

/// Sessions by id hash. Every change to a session or its user in this
/// process invalidates it at once (see [`crate::cache`]).
pub type SessionCache = RowCache<String, CachedSession>;

impl CachedSession {
    fn expired(&self, config: &SessionConfig, now: i64) -> bool {
        now - self.last_seen_at > config.idle_timeout_ms()
            || now - self.created_at > config.absolute_timeout_ms()
    }
}

/// The sessions table with its cache of live sessions: the one owner of
/// both, so every writer in this process invalidates what it changes.
#[derive(Clone, Debug)]
pub struct Sessions {
    db: Db,
    cache: Arc<SessionCache>,
}

impl Sessions {
    /// The sessions of `db`, with the one cache this process keeps of them.
    pub fn new(db: Db) -> Sessions {
        Sessions {
            cache: db.cache(),
            db,
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Starts a session for `user`, signing in from `source`, and records the
    /// sign-in; returns the cookie value (never stored) and the session.
    pub async fn create(
        &self,
        user: User,
        source: Option<IpAddr>,
    ) -> anyhow::Result<(String, Session)> {
        let db = &self.db;
        let id = random_token();
        let session = Session {
            id_hash: hash_id(&id),
            csrf_token: random_token(),
            user,
        };
        let now = now_ms();
        let mut tx = db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&session.id_hash)
        .bind(&session.user.id)
        .bind(&session.csrf_token)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let event = NewEvent::success(
            session.actor(source),
            AuditAction::SignIn,
            audit_target(&session.user),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok((id, session))
    }

    /// The live session for cookie value `id`, if any. Expired sessions and
    /// sessions of disabled users are deleted on sight.
    pub async fn lookup(
        &self,
        config: &SessionConfig,
        id: &str,
    ) -> anyhow::Result<Option<Session>> {
        let id_hash = hash_id(id);
        let cached = self
            .cache
            .get_or_load(&id_hash, || load(&self.db, config, &id_hash))
            .await?;
        let Some(cached) = cached else {
            return Ok(None);
        };
        if cached.expired(config, now_ms()) || cached.session.user.disabled {
            self.revoke(&id_hash).await?;
            return Ok(None);
        }
        Ok(Some(cached.session))
    }

    /// Signs `session` out (from `source`) and records it.
    pub async fn sign_out(&self, session: &Session, source: Option<IpAddr>) -> anyhow::Result<()> {
        let mut tx = self.db.pool().begin().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(&session.id_hash)
            .execute(&mut *tx)
            .await?;
        let event = NewEvent::success(
            session.actor(source),
            AuditAction::SignOut,
            audit_target(&session.user),
        );
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        self.cache.invalidate(session.id_hash.as_str());
        Ok(())
    }

    /// Ends a session without a record: an expired one, or the one a browser
    /// still had when it signed in again.
    pub async fn revoke(&self, id_hash: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.db.pool())
            .await?;
        self.cache.invalidate(id_hash);
        Ok(())
    }

    /// Forgets the cached sessions of user `user_id` after a change to the
    /// user or their sessions, so the next request reads them again.
    pub fn forget_user(&self, user_id: &str) {
        self.cache
            .invalidate_if(|cached| cached.session.user.id == user_id);
    }
}

/// The session row, its `last_seen_at` brought forward when it is live
/// (the cache reloads a row at most once a second, so this writes at
/// most once a minute per session, never on every request).
async fn load(
    db: &Db,
    config: &SessionConfig,
    id_hash: &str,
) -> anyhow::Result<Option<CachedSession>> {
    let row = sqlx::query(
        "SELECT s.csrf_token, s.created_at, s.last_seen_at, \
                u.id, u.username, u.role, u.disabled, u.created_at AS user_created_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut cached = CachedSession {
        session: Session {
            id_hash: id_hash.to_owned(),
            csrf_token: row.try_get("csrf_token")?,
            user: user_from_row_with(&row, "user_created_at")?,
        },
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    };
    let now = now_ms();
    let live = !cached.expired(config, now) && !cached.session.user.disabled;
    if live && now - cached.last_seen_at > TOUCH_EVERY_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(db.pool())
            .await?;
        cached.last_seen_at = now;
    }
    Ok(Some(cached))
}

/// Ends session `id_hash` of `db` without a record (see [`Sessions::revoke`]).
pub async fn revoke(db: &Db, id_hash: &str) -> anyhow::Result<()> {
    Sessions::new(db.clone()).revoke(id_hash).await
}
