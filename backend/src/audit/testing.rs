//! For tests and benchmarks: opening a database's trail with a fresh key,
//! and what an attacker with write access to the database can do (read
//! and rewrite raw rows, recompute plain SHA-256 links). Nothing here is
//! used by the console itself.

use sqlx::Row;

use super::AuditError;
pub use super::chain::{GENESIS, Record};
use super::keys::{AuditKey, Keyring};
use super::store;
use crate::db::Db;

/// Opens the trail in `db` with a new random key; returns the keyring.
pub async fn open_with_random_key(db: &Db) -> Result<Keyring, AuditError> {
    let keys = Keyring::new(AuditKey::random(), Vec::new());
    super::open(db, keys.clone()).await?;
    Ok(keys)
}

/// Every stored event, in seq order.
pub async fn rows(db: &Db) -> Vec<Record> {
    store::raw_rows(db).await.expect("audit rows")
}

/// Writes `record` over the stored event with the same seq (or inserts it).
pub async fn put(db: &Db, record: &Record) {
    sqlx::query("DELETE FROM audit_events WHERE seq = $1")
        .bind(record.seq)
        .execute(db.pool())
        .await
        .expect("delete");
    let mut conn = db.pool().acquire().await.expect("a connection");
    store::insert_raw(&mut conn, record).await.expect("insert");
}

/// Moves the head row to `seq` and `hash`, as an attacker would.
pub async fn set_head(db: &Db, seq: i64, hash: &str) {
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(hash)
        .execute(db.pool())
        .await
        .expect("update head");
}

/// The head row's seq.
pub async fn head_seq(db: &Db) -> i64 {
    sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await
        .expect("head")
        .get(0)
}

/// Turns the trail into one from before the keyed chain: no switch-over
/// point nor key eras, every link a plain SHA-256 (what an old console
/// wrote).
pub async fn make_legacy(db: &Db) {
    sqlx::query("DELETE FROM audit_key_eras")
        .execute(db.pool())
        .await
        .expect("delete the key eras");
    let mut prev = GENESIS.to_owned();
    for mut r in rows(db).await {
        r.key_id = None;
        r.prev_hash = prev;
        r.hash = r.plain_hash();
        prev = r.hash.clone();
        put(db, &r).await;
    }
    sqlx::query(
        "UPDATE audit_head SET hash = $1, keyed_from = NULL, keyed_mac = NULL WHERE id = 1",
    )
    .bind(&prev)
    .execute(db.pool())
    .await
    .expect("update head");
}
