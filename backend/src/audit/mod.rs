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
mod eras;
mod export;
pub mod http;
mod keys;
mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::future::Future;
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use tracing::Instrument;

pub use chain::Checkpoint;
pub use checkpoint::{checkpoint, read_checkpoints, run_checkpoints, verify_against};
pub use diff::{diff, is_secret_field};
pub use export::{CSV_HEADER, export_stream};
pub use keys::{AUDIT_KEY_VAR, AuditKey, Keyring};
pub use shared::audit::{AuditAction, FieldChange, TargetKind};
pub use store::{append_at, query, verify};

use crate::db::Db;
use crate::upstream::Receipt;
use crate::upstream::error::UpstreamError;
use store::Stage;

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

/// A domain error type's `Internal(anyhow::Error)` variant takes database
/// and audit-trail failures: `internal_errors!(UserError);`.
#[macro_export]
macro_rules! internal_errors {
    ($error:ident) => {
        impl From<sqlx::Error> for $error {
            fn from(err: sqlx::Error) -> $error {
                $error::Internal(err.into())
            }
        }

        impl From<$crate::audit::AuditError> for $error {
            fn from(err: $crate::audit::AuditError) -> $error {
                $error::Internal(err.into())
            }
        }
    };
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
    /// For a create whose target id the upstream gives: the id, once the
    /// call learned it; the outcome's target carries it.
    pub created_id: Option<CreatedId>,
}

/// The id an upstream create gave its resource, set by the call itself
/// (Security Center answers a create with its RequestId only, the id is
/// looked up afterwards), so the outcome's target names what was made.
#[derive(Clone, Debug, Default)]
pub struct CreatedId(std::sync::Arc<std::sync::OnceLock<String>>);

impl CreatedId {
    pub fn set(&self, id: String) {
        // Set once by the one call that owns it.
        let _ = self.0.set(id);
    }

    fn get(&self) -> Option<String> {
        self.0.get().cloned()
    }
}

impl PartialEq for CreatedId {
    fn eq(&self, other: &CreatedId) -> bool {
        self.get() == other.get()
    }
}

impl Eq for CreatedId {}

impl Change {
    pub fn new(action: AuditAction, target: Target) -> Change {
        Change {
            action,
            target,
            changes: Vec::new(),
            created_id: None,
        }
    }

    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Change {
        self.changes = changes;
        self
    }

    /// The target id comes from `id`, set by the call (see [`CreatedId`]).
    pub fn with_created_id(mut self, id: CreatedId) -> Change {
        self.created_id = Some(id);
        self
    }
}

/// What an upstream change learned from its result, recorded with its
/// outcome (and so shown in its entry): the id the upstream gave what it
/// created, and fields known only then.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Learned {
    pub target_id: Option<String>,
    /// Built with [`diff`], like the intent's.
    pub changes: Vec<FieldChange>,
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
    upstream_change_learning(db, actor, change, call, |_| Learned::default()).await
}

/// [`upstream_change`], recording with a successful outcome what `learn`
/// takes from the upstream's answer (a created robot's id, say).
pub async fn upstream_change_learning<T, F, L>(
    db: &Db,
    actor: Actor,
    change: Change,
    call: F,
    learn: L,
) -> Result<Result<T, UpstreamError>, AuditError>
where
    T: Send + 'static,
    F: Future<Output = Result<Receipt<T>, UpstreamError>> + Send + 'static,
    L: FnOnce(&T) -> Learned + Send + 'static,
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
                    let learned = result
                        .as_ref()
                        .map_or_else(|_| Learned::default(), |r| learn(&r.value));
                    pending
                        .record_outcome(outcome, request_id.as_deref(), error, &learned)
                        .await;
                    result
                }
                Err(panic) => {
                    let panicked = Stage::Failure;
                    let error = Some(("Panicked", "the console failed while making the call"));
                    let nothing = Learned::default();
                    pending
                        .record_outcome(panicked, None, error, &nothing)
                        .await;
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
        learned: &Learned,
    ) {
        for attempt in 1..=3u32 {
            match self.outcome(outcome, request_id, error, learned).await {
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
        learned: &Learned,
    ) -> Result<EventId, AuditError> {
        let target = Target {
            id: learned.target_id.clone().or_else(|| self.target.id.clone()),
            ..self.target.clone()
        };
        let draft = store::Draft {
            actor: &self.actor,
            action: self.action,
            target: &target,
            changes: &learned.changes,
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
