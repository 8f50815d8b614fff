//! The trail's operations: appending events (in the caller's transaction
//! or one of their own), the one audited path of every upstream change
//! (intent, call, outcome), opening a trail for a console and reporting its
//! verdict, and the export's download.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use tracing::Instrument;

use super::*;
use crate::upstream::Receipt;
use crate::upstream::error::UpstreamError;
use store::Stage;

/// Appends `event` inside the caller's transaction (pass `&mut *tx`) and
/// returns its id. It commits or rolls back with the caller's change; an
/// error here must fail the action.
///
/// On SQLite, start write transactions with a write (or append first):
/// a transaction that reads first cannot wait for the lock and fails with
/// "database is locked" under concurrency.
pub async fn append(
    conn: &mut sqlx::AnyConnection,
    event: &NewEvent,
) -> Result<EventId, AuditError> {
    store::append_draft(conn, store::Draft::of(event)).await
}

/// Appends `event` in a transaction of its own, for an action that changes
/// nothing else in the database (a refused sign-in).
pub async fn record(db: &Db, event: &NewEvent) -> Result<EventId, AuditError> {
    store::append_committed(db, store::Draft::of(event)).await
}

/// Makes the upstream change `call` with its intent and outcome in the
/// trail. The call and the outcome's write run in a task of their own, so a
/// client that disconnects, an early return in the caller or a panic in
/// `call` cannot skip the outcome: a panic is recorded as a failure. The
/// outer error is the trail's (the intent could not be written, so nothing
/// was called); the inner result is the upstream's.
pub async fn upstream_change<T, F>(
    db: &Db,
    actor: Actor,
    change: Change,
    call: F,
) -> Result<Result<T, UpstreamError>, AuditError>
where
    T: Send + 'static,
    F: Future<Output = Result<Receipt<T>, UpstreamError>> + Send + 'static,
{
    let created_id = change.created_id;
    let mut pending =
        begin_upstream(db, actor, change.action, change.target, change.changes).await?;
    // The request's span, so the call's log lines keep its id and route.
    let span = tracing::Span::current();
    let task = tokio::spawn(
        async move {
            match AssertUnwindSafe(call).catch_unwind().await {
                Ok(result) => {
                    if let Some(id) = created_id.as_ref().and_then(CreatedId::get) {
                        pending.target.id = Some(id);
                    }
                    let (outcome, request_id, error) = outcome_of(&result);
                    // A create's outcome names what the upstream made.
                    if let Some(id) = result.as_ref().ok().and_then(|r| r.created_id.clone()) {
                        pending.target.id = Some(id);
                    }
                    let error = error.as_ref().map(|(c, m)| (c.as_str(), m.as_str()));
                    pending
                        .record_outcome(outcome, request_id.as_deref(), error)
                        .await;
                    result
                }
                Err(panic) => {
                    let panicked = Stage::Failure;
                    let error = Some(("Panicked", "the console failed while making the call"));
                    pending.record_outcome(panicked, None, error).await;
                    std::panic::resume_unwind(panic)
                }
            }
        }
        .instrument(span),
    );
    let result = match task.await {
        Ok(result) => result,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    };
    Ok(result.map(|receipt| receipt.value))
}

/// What the trail records of an upstream call's result: the outcome, the
/// RequestId and the error's code and message.
fn outcome_of<T>(
    result: &Result<Receipt<T>, UpstreamError>,
) -> (Stage, Option<String>, Option<(String, String)>) {
    match result {
        Ok(receipt) => (Stage::Success, receipt.request_id.clone(), None),
        Err(err) => (
            Stage::Failure,
            err.request_id.clone(),
            Some((err.code.clone(), err.message.clone())),
        ),
    }
}

/// Commits an intent event for an upstream call that is about to be made.
/// Call the upstream only when this succeeded. Private: only
/// [`upstream_change`] pairs it with its outcome.
async fn begin_upstream(
    db: &Db,
    actor: Actor,
    action: AuditAction,
    target: Target,
    changes: Vec<FieldChange>,
) -> Result<PendingEvent, AuditError> {
    let intent = store::Draft {
        actor: &actor,
        action,
        target: &target,
        changes: &changes,
        outcome: Stage::Intent,
        intent_seq: None,
        request_id: None,
        error: None,
    };
    let intent_seq = store::append_committed(db, intent).await?;
    Ok(PendingEvent {
        db: db.clone(),
        actor,
        action,
        target,
        intent_seq,
    })
}

/// An upstream call whose intent is recorded and whose outcome is not yet.
#[derive(Debug)]
#[must_use = "record the upstream call's outcome"]
struct PendingEvent {
    db: Db,
    actor: Actor,
    action: AuditAction,
    target: Target,
    intent_seq: EventId,
}

impl PendingEvent {
    /// Writes the outcome, trying a few times: the change has happened (or
    /// not) upstream whatever the database says now. If every try fails,
    /// the intent stays "outcome unknown", which is the truth.
    async fn record_outcome(
        &self,
        outcome: Stage,
        request_id: Option<&str>,
        error: Option<(&str, &str)>,
    ) {
        for attempt in 1..=3u32 {
            match self.outcome(outcome, request_id, error).await {
                Ok(_) => return,
                Err(err) => {
                    tracing::error!(
                        error = %err,
                        intent = self.intent_seq,
                        attempt,
                        "cannot record an upstream call's outcome"
                    );
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
            }
        }
    }

    async fn outcome(
        &self,
        outcome: Stage,
        request_id: Option<&str>,
        error: Option<(&str, &str)>,
    ) -> Result<EventId, AuditError> {
        let draft = store::Draft {
            actor: &self.actor,
            action: self.action,
            target: &self.target,
            // The diff is the intent's; the outcome adds what happened.
            changes: &[],
            outcome,
            intent_seq: Some(self.intent_seq),
            request_id,
            error,
        };
        store::append_committed(&self.db, draft).await
    }
}

/// Opens the trail for a console (`serve`, and the `user` commands that
/// record events): names it if new, registers `keys` to sign and verify
/// it, sets the switch-over to keyed links on a trail from before them
/// (after everything stored, with a warning), records the era of a key
/// that is not the one in force, then verifies it all and logs the
/// verdict, loudly when the trail is broken. Only this changes a trail
/// other than by appending events.
pub async fn open(db: &Db, keys: Keyring) -> Result<shared::audit::VerifyReport, AuditError> {
    let mut tx = db.pool().begin().await.map_err(AuditError::Write)?;
    let head = store::lock_head(&mut tx).await.map_err(AuditError::Write)?;
    let trail = if head.trail.is_empty() {
        let trail = crate::db::new_id();
        sqlx::query("UPDATE audit_head SET trail = $1 WHERE id = 1")
            .bind(&trail)
            .execute(&mut *tx)
            .await
            .map_err(AuditError::Write)?;
        trail
    } else {
        head.trail
    };
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events")
        .fetch_one(&mut *tx)
        .await
        .map_err(AuditError::Write)?;
    let next = max.unwrap_or(0).max(head.seq) + 1;
    let mut recorded = eras::read(&mut tx).await.map_err(AuditError::Write)?;
    match head.keyed_from {
        None => {
            if next > 1 {
                tracing::warn!(
                    keyed_from = next,
                    "upgrading the audit trail to keyed links: events before seq {next} keep \
                     their plain SHA-256 links. A console that had already been upgraded \
                     never does this again: if it did, the trail was rewritten"
                );
            }
            sqlx::query("UPDATE audit_head SET keyed_from = $1, keyed_mac = $2 WHERE id = 1")
                .bind(next)
                .bind(store::switch_over_mac(&keys, &trail, next))
                .execute(&mut *tx)
                .await
                .map_err(AuditError::Write)?;
        }
        Some(from) if recorded.is_empty() => {
            recorded = record_past_eras(&mut tx, &keys, &trail, from).await?;
        }
        Some(_) => {}
    }
    let current = keys.current();
    let in_force = recorded.last().map(|e| e.key_id.as_str());
    if in_force != Some(current.id()) {
        if let Some(old) = in_force {
            tracing::warn!(
                from_seq = next,
                "the audit key changed (key id {old} to {}): events from seq {next} on are \
                 signed with the new key",
                current.id()
            );
        }
        eras::record(&mut tx, current, &trail, next)
            .await
            .map_err(AuditError::Write)?;
    }
    tx.commit().await.map_err(AuditError::Write)?;
    keys::register(&trail, keys);
    store::verify(db).await
}

/// Records the eras of a keyed trail from before them, as its events'
/// key ids show (once, at the first start after the upgrade, with a
/// warning): the derived key only until a trusted key first signed.
async fn record_past_eras(
    conn: &mut sqlx::AnyConnection,
    keys: &Keyring,
    trail: &str,
    keyed_from: i64,
) -> Result<Vec<eras::Era>, AuditError> {
    // The first event of each run of one key id.
    let starts: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT e.seq, e.key_id FROM audit_events e \
         LEFT JOIN audit_events p ON p.seq = e.seq - 1 \
         WHERE e.seq >= $1 AND (p.seq IS NULL OR COALESCE(p.key_id, '') <> COALESCE(e.key_id, '')) \
         ORDER BY e.seq",
    )
    .bind(keyed_from)
    .fetch_all(&mut *conn)
    .await
    .map_err(AuditError::Write)?;
    let mut trusted_signed = false;
    let mut in_force: Option<String> = None;
    for (seq, id) in starts {
        let Some(key) = id.as_deref().and_then(|id| keys.get(id)) else {
            continue;
        };
        if keys.is_trusted(key.id()) {
            trusted_signed = true;
        } else if trusted_signed {
            continue;
        }
        if in_force.as_deref() == Some(key.id()) {
            continue;
        }
        let from = if in_force.is_none() { keyed_from } else { seq };
        tracing::warn!(
            from_seq = from,
            key_id = key.id(),
            "recording which audit key signed the trail from which seq, as its events say. \
             A console that had already done this never does it again: if it did, the \
             records were removed"
        );
        eras::record(conn, key, trail, from)
            .await
            .map_err(AuditError::Write)?;
        in_force = Some(key.id().to_owned());
    }
    eras::read(conn).await.map_err(AuditError::Write)
}

/// Opens the trail for reading only (`audit verify`, `audit checkpoint`):
/// registers `keys` for it and writes nothing, so a trail from before the
/// keyed chain stays as it is, for the next start to upgrade and say so.
pub async fn open_read_only(db: &Db, keys: Keyring) -> Result<(), AuditError> {
    let mut conn = db.pool().acquire().await.map_err(AuditError::Read)?;
    let head = store::read_head(&mut conn)
        .await
        .map_err(AuditError::Read)?;
    keys::register(&head.trail, keys);
    Ok(())
}

/// The latest verdict on the trail in `db`, if this process checked it.
pub async fn health(db: &Db) -> Result<Option<shared::audit::AuditHealth>, AuditError> {
    let mut conn = db.pool().acquire().await.map_err(AuditError::Read)?;
    let head = store::read_head(&mut conn)
        .await
        .map_err(AuditError::Read)?;
    Ok(keys::health(&head.trail))
}

/// What an export sends: its media type, a file name with the time it was
/// made, and the events, streamed in constant memory.
pub struct Download<S> {
    pub content_type: &'static str,
    pub file_name: String,
    pub events: S,
}

pub fn export(
    db: &Db,
    filter: shared::audit::EventFilter,
    format: shared::audit::ExportFormat,
) -> Download<impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static>
{
    let (content_type, file_name) = super::plan::export_file(format, crate::db::now_ms());
    Download {
        content_type,
        file_name,
        events: export_stream(db.clone(), filter, format),
    }
}
