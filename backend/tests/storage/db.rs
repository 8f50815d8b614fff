//! The database layer: migrations, portability rules, ids.

use backend::config::Config;
use backend::db::{Backend, Db, is_unique_violation, new_id, now_ms};
use backend::testing::TestDb;
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
