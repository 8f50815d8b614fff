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
mod plan;
pub mod service;
mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::net::IpAddr;

pub use chain::Checkpoint;
pub use checkpoint::{checkpoint, read_checkpoints, run_checkpoints, verify_against};
pub use diff::{diff, is_secret_field};
pub use export::{CSV_HEADER, export_stream};
pub use keys::{AUDIT_KEY_VAR, AuditKey, Keyring};
pub use service::{append, health, open, open_read_only, record, upstream_change};
pub use shared::audit::{AuditAction, FieldChange, TargetKind};
pub use store::{append_at, query, verify};

use crate::db::Db;

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
