//! The audit trail (issue 6): every state-changing action writes an event,
//! events are append-only and hash-chained, auditors query, export and
//! verify them.
//!
//! How other modules record what they do:
//! - a change made in the console's own database: [`append`] the event in
//!   the same transaction as the change, and propagate its error so that
//!   the change rolls back when the event cannot be written;
//! - an upstream change: [`upstream_change`] (through
//!   `context::Ctx::audited`) commits an intent before the call and the
//!   outcome, with the upstream's RequestId or error, as a second, linked
//!   event. Only a crash of the process in between leaves an intent without
//!   outcome, shown as "outcome unknown".
//!
//! There is deliberately no way to change or delete an event.

mod chain;
mod checkpoint;
mod diff;
mod export;
pub mod http;
mod keys;
mod store;
pub mod testing;

use std::future::Future;
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use tracing::Instrument;

pub use checkpoint::{Checkpoint, checkpoint, read_checkpoints, run_checkpoints, verify_against};
pub use diff::{diff, is_secret_field};
pub use export::{CSV_HEADER, export_stream};
pub use keys::{AUDIT_KEY_VAR, AuditKey, Keyring};
pub use shared::audit::{AuditAction, FieldChange, TargetKind};
pub use store::{append_at, query, verify};

use crate::db::Db;
use crate::upstream::Receipt;
use crate::upstream::error::UpstreamError;
use shared::audit::Outcome;

/// A stored event's sequence number (1, 2, ...; also its place in the chain).
pub type EventId = i64;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot write the audit event: {0}")]
    Write(#[source] sqlx::Error),
    #[error("cannot read the audit trail: {0}")]
    Read(#[source] sqlx::Error),
    #[error("the audit trail holds an unreadable event (seq {seq}): {reason}")]
    Corrupt { seq: i64, reason: String },
    #[error("this process has no audit key for the trail {0:?}: open it first")]
    NoKey(String),
    #[error("audit checkpoint: {0}")]
    Checkpoint(String),
}

/// Who did it, as they were at the time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub username: String,
    /// The role's snake_case name at the time of the action.
    pub role: String,
    pub source: Option<IpAddr>,
}

impl Actor {
    /// An operator on the server, acting through the `chatdesk` command line.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            username: "cli".into(),
            role: "operator".into(),
            source: None,
        }
    }
}

/// What it was done to. `label` is the human name (a group's title...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: TargetKind,
    pub id: Option<String>,
    pub label: Option<String>,
}

impl Target {
    pub fn new(kind: TargetKind, id: impl Into<String>, label: impl Into<String>) -> Target {
        Target {
            kind,
            id: Some(id.into()),
            label: Some(label.into()),
        }
    }
}

/// How a console-side action ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventOutcome {
    Success,
    Failure { code: String, message: String },
}

/// An event to [`append`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub actor: Actor,
    pub action: AuditAction,
    pub target: Target,
    /// Build with [`diff`], which masks secrets.
    pub changes: Vec<FieldChange>,
    pub outcome: EventOutcome,
}

impl NewEvent {
    /// A successful action without a diff; add one with [`Self::with_changes`].
    pub fn success(actor: Actor, action: AuditAction, target: Target) -> NewEvent {
        NewEvent {
            actor,
            action,
            target,
            changes: Vec::new(),
            outcome: EventOutcome::Success,
        }
    }

    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> NewEvent {
        self.changes = changes;
        self
    }

    /// The action was refused or failed (e.g. a wrong password at sign-in).
    pub fn failed(mut self, code: impl Into<String>, message: impl Into<String>) -> NewEvent {
        self.outcome = EventOutcome::Failure {
            code: code.into(),
            message: message.into(),
        };
        self
    }
}

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

/// An upstream change about to be made, as the audit trail records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub action: AuditAction,
    pub target: Target,
    /// Before/after, built with [`diff`] so secrets show only as
    /// changed/unchanged.
    pub changes: Vec<FieldChange>,
}

impl Change {
    pub fn new(action: AuditAction, target: Target) -> Change {
        Change {
            action,
            target,
            changes: Vec::new(),
        }
    }

    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Change {
        self.changes = changes;
        self
    }
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
    let mut pending =
        begin_upstream(db, actor, change.action, change.target, change.changes).await?;
    // The request's span, so the call's log lines keep its id and route.
    let span = tracing::Span::current();
    let task = tokio::spawn(
        async move {
            match AssertUnwindSafe(call).catch_unwind().await {
                Ok(result) => {
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
                    let panicked = Outcome::Failure;
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
) -> (Outcome, Option<String>, Option<(String, String)>) {
    match result {
        Ok(receipt) => (Outcome::Success, receipt.request_id.clone(), None),
        Err(err) => (
            Outcome::Failure,
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
        outcome: shared::audit::Outcome::Intent,
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
        outcome: Outcome,
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
        outcome: Outcome,
        request_id: Option<&str>,
        error: Option<(&str, &str)>,
    ) -> Result<EventId, AuditError> {
        let draft = store::Draft {
            actor: &self.actor,
            action: self.action,
            target: &self.target,
            changes: &[],
            outcome,
            intent_seq: Some(self.intent_seq),
            request_id,
            error,
        };
        store::append_committed(&self.db, draft).await
    }
}

/// Opens the trail for this process: names it if new, registers `keys`
/// to sign and verify it, sets the switch-over to keyed links on a trail
/// from before them (after everything stored), then verifies it all and
/// logs the verdict, loudly when the trail is broken.
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
    if head.keyed_from.is_none() {
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events")
            .fetch_one(&mut *tx)
            .await
            .map_err(AuditError::Write)?;
        let from = max.unwrap_or(0).max(head.seq) + 1;
        if from > 1 {
            tracing::warn!(
                keyed_from = from,
                "upgrading the audit trail to keyed links: events before seq {from} keep \
                 their plain SHA-256 links. A console that had already been upgraded \
                 never does this again: if it did, the trail was rewritten"
            );
        }
        sqlx::query("UPDATE audit_head SET keyed_from = $1, keyed_mac = $2 WHERE id = 1")
            .bind(from)
            .bind(store::switch_over_mac(&keys, &trail, from))
            .execute(&mut *tx)
            .await
            .map_err(AuditError::Write)?;
    }
    tx.commit().await.map_err(AuditError::Write)?;
    keys::register(&trail, keys);
    store::verify(db).await
}

/// Keeps the latest verdict on `trail` and says it in the log: an error
/// naming the first bad seq when the trail is broken.
fn note_health(trail: &str, report: &shared::audit::VerifyReport) {
    if let Some(bad) = &report.first_broken {
        tracing::error!(
            first_bad_seq = bad.seq,
            problem = %bad.reason,
            problems = report.problem_count,
            "AUDIT TRAIL BROKEN: seq {}: {}",
            bad.seq,
            bad.reason
        );
    } else {
        tracing::info!(checked = report.checked, "audit trail verified");
    }
    keys::set_health(
        trail,
        shared::audit::AuditHealth::of(report, crate::db::now_ms()),
    );
}

/// The latest verdict on the trail in `db`, if this process checked it.
pub async fn health(db: &Db) -> Result<Option<shared::audit::AuditHealth>, AuditError> {
    let mut conn = db.pool().acquire().await.map_err(AuditError::Read)?;
    let head = store::read_head(&mut conn)
        .await
        .map_err(AuditError::Read)?;
    Ok(keys::health(&head.trail))
}
