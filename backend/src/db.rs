//! Storage: one `sqlx::AnyPool` over SQLite (the embedded default, a file in
//! the data directory) or PostgreSQL, with one set of portable migrations
//! (`backend/migrations/`) applied at start.
//!
//! Portability rules for SQL written against [`Db`]: only TEXT and BIGINT
//! columns, ids assigned here ([`new_id`]), times as epoch milliseconds
//! ([`now_ms`]), booleans as 0/1, `$1`-style placeholders.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor};

use crate::auth::sessions::SessionCache;
use crate::chat_configs::store::KeptCache;
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

/// A migrated connection pool, with the caches of rows every request reads.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    caches: Arc<Caches>,
}

/// Rows the hot read path would otherwise ask the pool for on every
/// request, held beside it so that every writer in the process reaches
/// them to invalidate (see [`crate::cache`]).
#[derive(Debug, Default)]
pub struct Caches {
    /// Live sessions by id hash.
    pub sessions: SessionCache,
    /// Labels and held secret keys of chat configurations.
    pub chat_configs: KeptCache,
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

    pub(crate) fn caches(&self) -> &Caches {
        &self.caches
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

/// True when `err` is a unique-constraint violation (e.g. a taken name).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// Fresh, isolated databases for tests, one per call: SQLite in a temporary
/// directory, PostgreSQL in a new schema of the database at
/// `CHATDESK_TEST_POSTGRES_URL` (default `postgres://127.0.0.1:5432/test`),
/// dropped when the [`TestDb`] is dropped.
pub mod testing {
    use super::*;

    pub const POSTGRES_URL_VAR: &str = "CHATDESK_TEST_POSTGRES_URL";
    pub const DEFAULT_POSTGRES_URL: &str = "postgres://127.0.0.1:5432/test";

    pub struct TestDb {
        pub db: Db,
        /// The URL a server under test can be configured with.
        pub url: String,
        cleanup: Cleanup,
    }

    enum Cleanup {
        Dir(#[allow(dead_code)] tempfile::TempDir),
        Schema { admin_url: String, schema: String },
    }

    impl TestDb {
        /// A migrated, empty database on `backend`. Panics with a clear
        /// message when PostgreSQL cannot be reached: storage tests must run
        /// on both engines, so a missing server is a failure, not a skip.
        pub async fn fresh(backend: Backend) -> TestDb {
            match backend {
                Backend::Sqlite => {
                    let dir = tempfile::tempdir().expect("a temporary directory");
                    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                    let db = Db::connect(&url).await.expect("a fresh SQLite database");
                    open_trail(&db).await;
                    TestDb {
                        db,
                        url,
                        cleanup: Cleanup::Dir(dir),
                    }
                }
                Backend::Postgres => {
                    let admin_url = std::env::var(POSTGRES_URL_VAR)
                        .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
                    let schema = format!("t_{:016x}", rand::random::<u64>());
                    sqlx::any::install_default_drivers();
                    let mut admin = sqlx::AnyConnection::connect(&admin_url)
                        .await
                        .unwrap_or_else(|e| {
                            panic!(
                                "PostgreSQL is required for the storage tests but {admin_url} \
                                 cannot be reached ({e}). Start PostgreSQL there or set \
                                 {POSTGRES_URL_VAR}."
                            )
                        });
                    admin
                        .execute(format!("CREATE SCHEMA {schema}").as_str())
                        .await
                        .expect("CREATE SCHEMA");
                    let _ = admin.close().await;
                    let url = with_search_path(&admin_url, &schema);
                    let db = Db::connect(&url).await.expect("a fresh PostgreSQL schema");
                    open_trail(&db).await;
                    TestDb {
                        db,
                        url,
                        cleanup: Cleanup::Schema { admin_url, schema },
                    }
                }
            }
        }
    }

    /// Gives the test database's audit trail a key of its own, as a
    /// console's start does.
    async fn open_trail(db: &Db) {
        crate::audit::testing::open_with_random_key(db)
            .await
            .expect("the audit trail opens");
    }

    /// `url` with `options=-c search_path=SCHEMA` added, so every pooled
    /// connection works inside the schema.
    fn with_search_path(url: &str, schema: &str) -> String {
        let mut parsed = url::Url::parse(url).expect("a valid PostgreSQL URL");
        // The application name lets the cleanup find this test's sessions.
        parsed
            .query_pairs_mut()
            .append_pair("options", &format!("-c search_path={schema}"))
            .append_pair("application_name", schema);
        parsed.into()
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            if let Cleanup::Schema { admin_url, schema } = &self.cleanup {
                let (admin_url, schema) = (admin_url.clone(), schema.clone());
                // Drop runs inside the test's runtime, which cannot block on
                // itself: drop the schema from a thread with its own runtime.
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(async {
                        let mut admin = sqlx::AnyConnection::connect(&admin_url).await?;
                        // The test's pool may still hold connections (even
                        // one idle in a transaction, locking tables): end
                        // them so DROP SCHEMA cannot wait forever.
                        sqlx::query(
                            "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity \
                             WHERE application_name = $1",
                        )
                        .bind(&schema)
                        .fetch_all(&mut admin)
                        .await?;
                        admin
                            .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                            .await?;
                        admin.close().await?;
                        anyhow::Ok(())
                    })
                })
                .join();
                if let Ok(Err(err)) = dropped {
                    eprintln!("could not drop test schema: {err:#}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::TestDb;
    use super::*;
    use sqlx::Row;

    #[tokio::test]
    async fn migrations_apply_and_round_trip_on_every_backend() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            assert_eq!(t.db.backend(), backend);
            t.db.ping().await.unwrap();
            let id = new_id();
            let now = now_ms();
            sqlx::query(
                "INSERT INTO users (id, username, password_hash, role, disabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(&id)
            .bind("alice")
            .bind("hash")
            .bind("admin")
            .bind(0_i64)
            .bind(now)
            .execute(t.db.pool())
            .await
            .unwrap();
            let row = sqlx::query("SELECT username, created_at, disabled FROM users WHERE id = $1")
                .bind(&id)
                .fetch_one(t.db.pool())
                .await
                .unwrap();
            assert_eq!(row.get::<String, _>(0), "alice");
            assert_eq!(row.get::<i64, _>(1), now);
            assert_eq!(row.get::<i64, _>(2), 0);

            // Unique names are enforced and recognisable on both engines.
            let err = sqlx::query(
                "INSERT INTO users (id, username, password_hash, role, created_at, updated_at) \
                 VALUES ($1, 'alice', 'h', 'admin', 0, 0)",
            )
            .bind(new_id())
            .execute(t.db.pool())
            .await
            .unwrap_err();
            assert!(is_unique_violation(&err), "{backend:?}: {err}");

            // Foreign keys are enforced (SQLite needs the pragma).
            let err = sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) \
                 VALUES ('h', 'nobody', 'c', 0, 0)",
            )
            .execute(t.db.pool())
            .await
            .unwrap_err();
            assert!(err.as_database_error().is_some(), "{backend:?}: {err}");
        }
    }

    #[tokio::test]
    async fn sqlite_uses_wal() {
        let t = TestDb::fresh(Backend::Sqlite).await;
        let row = sqlx::query("PRAGMA journal_mode")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>(0).to_lowercase(), "wal");
    }

    #[tokio::test]
    async fn open_creates_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().join("nested").join("data"),
            ..Config::default()
        };
        let db = Db::open(&config).await.unwrap();
        db.ping().await.unwrap();
        assert!(config.data_dir.join("chatdesk.db").is_file());
    }

    #[test]
    fn ids_are_unique_and_time_ordered() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert!(a < b);
    }
}
