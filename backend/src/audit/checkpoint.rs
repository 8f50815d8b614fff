//! Checkpoints: anchors outside the database. A checkpoint is one JSON
//! line naming the last good event's seq and link, signed with the audit
//! key; it goes to the log and is appended to a file the operator can ship
//! elsewhere. Verifying against it proves that the trail still holds,
//! unchanged, everything up to that seq: this catches the deletion of the
//! newest events, which no chain can see by itself.

use std::io::Write;
use std::path::Path;

use shared::audit::VerifyReport;

use super::AuditError;
use super::chain::{CHECKPOINT_DOMAIN, Checkpoint};
use super::keys::note_health;
use super::store;
use crate::db::Db;

/// Verifies the trail and signs a checkpoint of its last good event; logs
/// it (loudly when the trail is broken) and appends it to `file`.
pub async fn checkpoint(db: &Db, file: &Path) -> Result<(Checkpoint, VerifyReport), AuditError> {
    let walk = store::walk(db, &[]).await?;
    note_health(&walk.trail, &walk.report);
    let key = walk.keys.current();
    let mut cp = Checkpoint {
        trail: walk.trail,
        seq: walk.good_seq,
        link: walk.good_link,
        keyed_from: walk.keyed_from,
        at: crate::db::now_ms(),
        key_id: key.id().to_owned(),
        mac: String::new(),
    };
    cp.mac = key.mac(&[CHECKPOINT_DOMAIN.as_bytes(), cp.input().as_bytes()]);
    let line = serde_json::to_string(&cp).expect("a checkpoint serialises");
    tracing::info!(checkpoint = %line, "audit checkpoint");
    append_line(file, &line)
        .map_err(|e| AuditError::Checkpoint(format!("cannot append to {}: {e}", file.display())))?;
    Ok((cp, walk.report))
}

fn append_line(file: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?;
    writeln!(f, "{line}")?;
    f.sync_all()
}

/// Takes a checkpoint now and then every `interval`, for as long as the
/// server runs. A failure is logged and retried at the next tick.
pub async fn run_checkpoints(db: Db, file: std::path::PathBuf, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(err) = checkpoint(&db, &file).await {
            tracing::error!(error = %err, "cannot take an audit checkpoint");
        }
    }
}

/// The checkpoints in `file`, one JSON line each (blank lines and lines
/// of the log around a copied checkpoint are not accepted: the file is
/// what [`checkpoint`] writes). A file without any is an error: verifying
/// against it would prove nothing.
pub fn read_checkpoints(file: &Path) -> Result<Vec<Checkpoint>, AuditError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| AuditError::Checkpoint(format!("cannot read {}: {e}", file.display())))?;
    let checkpoints = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|e| {
                AuditError::Checkpoint(format!("{} line {}: {e}", file.display(), n + 1))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if checkpoints.is_empty() {
        return Err(AuditError::Checkpoint(format!(
            "{} holds no checkpoint",
            file.display()
        )));
    }
    Ok(checkpoints)
}

/// Verifies the trail against `checkpoints`, which must belong to this
/// trail and be signed with a key it trusts for their seq.
pub async fn verify_against(
    db: &Db,
    checkpoints: &[Checkpoint],
) -> Result<VerifyReport, AuditError> {
    let walk = store::walk(db, checkpoints).await?;
    note_health(&walk.trail, &walk.report);
    Ok(walk.report)
}
