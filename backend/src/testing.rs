//! Helpers for tests and benchmarks, never in the release binary (behind
//! `cfg(any(test, feature = "testing"))`; test binaries enable `testing`).
//!
//! Fresh, isolated databases for tests, one per call: SQLite in a temporary
//! directory, PostgreSQL in a new schema of the database at
//! `CHATDESK_TEST_POSTGRES_URL` (default `postgres://127.0.0.1:5432/test`),
//! dropped when the [`TestDb`] is dropped.

use sqlx::{Connection, Executor};

use crate::db::{Backend, Db};

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
