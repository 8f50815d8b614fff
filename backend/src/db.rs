//! Storage: one `sqlx::AnyPool` over SQLite (the embedded default, a file in
//! the data directory) or PostgreSQL, with one set of portable migrations
//! (`backend/migrations/`) applied at start.
//!
//! Portability rules for SQL written against [`Db`]: only TEXT and BIGINT
//! columns, ids assigned here ([`new_id`]), times as epoch milliseconds
//! ([`now_ms`]), booleans as 0/1, `$1`-style placeholders.

use std::any::{Any as AnyValue, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Connection, Executor, Transaction};

use crate::config::Config;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which database engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    /// From a database URL's scheme.
    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("unsupported database URL scheme (want sqlite: or postgres:)")
        }
    }
}

/// A migrated connection pool. The caches of hot rows belong to the stores
/// that write those rows ([`crate::cache`]): their types and code are the
/// stores'; the pool only keeps one of each type ([`Db::cache`]), so every
/// handle on this database in the process reaches the same one.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    caches: Arc<Caches>,
}

/// One value of each cache type, created on first use.
#[derive(Default)]
struct Caches(Mutex<HashMap<TypeId, Arc<dyn AnyValue + Send + Sync>>>);

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Caches(..)")
    }
}

impl Db {
    /// Opens the configured database, creating the data directory for the
    /// embedded SQLite file, and applies pending migrations.
    pub async fn open(config: &Config) -> anyhow::Result<Db> {
        let url = config.database_url();
        if Backend::of_url(&url)? == Backend::Sqlite {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!(
                    "cannot create the data directory {}",
                    config.data_dir.display()
                )
            })?;
        }
        Db::connect(&url).await
    }

    /// Connects to `url` and applies pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed during a write; the busy
                        // timeout makes concurrent writers wait, not fail.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .with_context(|| format!("cannot connect to the {backend:?} database"))?;
        MIGRATOR
            .run(&pool)
            .await
            .context("cannot apply database migrations")?;
        Ok(Db {
            pool,
            backend,
            caches: Arc::default(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This database's cache of type `T` (see [`Db`]).
    pub fn cache<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut caches = self.caches.0.lock().unwrap_or_else(PoisonError::into_inner);
        let cache = caches
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        // The entry for `T` only ever holds a `T`.
        cache.downcast().unwrap_or_else(|_| Arc::new(T::default()))
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// A new row id: a UUIDv7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Starts the transaction changing row `id` of `table` with a write to it
/// (its `updated_at`), so SQLite takes its write lock first: a transaction
/// that reads first cannot wait for it later. `None`: there is no such row.
pub async fn claim(
    db: &Db,
    table: &str,
    id: &str,
) -> Result<Option<Transaction<'static, Any>>, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let sql = format!("UPDATE {table} SET updated_at = $1 WHERE id = $2");
    let claimed = sqlx::query(&sql)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if claimed == 0 {
        // Explicitly, so the connection goes back to the pool clean.
        tx.rollback().await?;
        return Ok(None);
    }
    Ok(Some(tx))
}

/// True when `err` is a unique-constraint violation (e.g. a taken name).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}
