//! Which audit key was in force from which seq (`audit_key_eras`). A
//! console's start records an era when its key is not the one in force
//! (the first start, a rotation), signed with that key; verify reads them
//! to decide where the master-derived key may have signed ([`Trust`]).
//! Only [`super::open`], the start of a console, writes them.

use sqlx::{AnyConnection, Row};

use super::keys::{AuditKey, Keyring, Trust};

/// One stored era record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Era {
    pub from_seq: i64,
    pub key_id: String,
    pub mac: String,
}

fn input(trail: &str, from_seq: i64, key_id: &str) -> String {
    format!("chatdesk-audit-key-era\n{trail}\n{from_seq}\n{key_id}")
}

pub(crate) async fn read(conn: &mut AnyConnection) -> Result<Vec<Era>, sqlx::Error> {
    let rows = sqlx::query("SELECT from_seq, key_id, mac FROM audit_key_eras ORDER BY from_seq")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Era {
                from_seq: r.try_get(0)?,
                key_id: r.try_get(1)?,
                mac: r.try_get(2)?,
            })
        })
        .collect()
}

/// Records that `key` signs `trail` from `from_seq` on (replacing an era
/// that would start there: its key signed nothing).
pub(crate) async fn record(
    conn: &mut AnyConnection,
    key: &AuditKey,
    trail: &str,
    from_seq: i64,
) -> Result<(), sqlx::Error> {
    let mac = key.mac(&[input(trail, from_seq, key.id()).as_bytes()]);
    sqlx::query(
        "INSERT INTO audit_key_eras (from_seq, key_id, mac) VALUES ($1, $2, $3) \
         ON CONFLICT (from_seq) DO UPDATE SET key_id = excluded.key_id, mac = excluded.mac",
    )
    .bind(from_seq)
    .bind(key.id())
    .bind(mac)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What the trail's eras let `keys` trust, and every era record that is
/// signed with an unknown key or does not verify (those count as absent).
pub(crate) fn trust<'a>(
    keys: &'a Keyring,
    trail: &str,
    eras: &[Era],
) -> (Trust<'a>, Vec<(i64, String)>) {
    let mut intact = Vec::new();
    let mut problems = Vec::new();
    for era in eras {
        let text = input(trail, era.from_seq, &era.key_id);
        match keys.get(&era.key_id) {
            None => problems.push((
                era.from_seq,
                format!(
                    "the audit key era from seq {} is signed with an unknown key id {:?}",
                    era.from_seq, era.key_id
                ),
            )),
            Some(key) if !key.verifies(&[text.as_bytes()], &era.mac) => problems.push((
                era.from_seq,
                format!(
                    "the audit key era record from seq {} does not verify (edited)",
                    era.from_seq
                ),
            )),
            Some(_) => intact.push((era.from_seq, era.key_id.clone())),
        }
    }
    (Trust::new(keys, &intact), problems)
}
