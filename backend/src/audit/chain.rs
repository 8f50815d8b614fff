//! The hash chain: each event's SHA-256 covers a canonical serialisation of
//! all its stored fields, its sequence number and the previous event's hash.

use serde_json::json;
use sha2::{Digest, Sha256};

/// The hash "before" the first event (also the head's initial value).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Versioned, so a future change of the serialisation cannot be confused
/// with tampering.
const DOMAIN: &str = "chatdesk-audit-v1\n";

/// One stored event, exactly the columns of `audit_events`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor: String,
    pub role: String,
    pub source: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    /// The diff as JSON text; hashed as stored, so no re-encoding can change it.
    pub changes: String,
    pub outcome: String,
    pub intent_seq: Option<i64>,
    pub request_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Record {
    /// The hex SHA-256 this record must carry. The fields form a JSON array
    /// in a fixed order: serde_json writes it the same way every time, and
    /// an absent value (null) cannot be confused with any string.
    pub fn expected_hash(&self) -> String {
        let canonical = json!([
            self.seq,
            self.at,
            self.actor_id,
            self.actor,
            self.role,
            self.source,
            self.action,
            self.target_kind,
            self.target_id,
            self.target_label,
            self.changes,
            self.outcome,
            self.intent_seq,
            self.request_id,
            self.error_code,
            self.error_message,
            self.prev_hash,
        ])
        .to_string();
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        hasher.update(canonical);
        hex::encode(hasher.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            seq: 1,
            at: 1_700_000_000_000,
            actor_id: Some("u1".into()),
            actor: "alice".into(),
            role: "admin".into(),
            source: Some("127.0.0.1".into()),
            action: "robot.update".into(),
            target_kind: "robot".into(),
            target_id: Some("r1".into()),
            target_label: Some("ops".into()),
            changes: "[]".into(),
            outcome: "success".into(),
            intent_seq: None,
            request_id: None,
            error_code: None,
            error_message: None,
            prev_hash: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = record().expected_hash();
        assert_eq!(base.len(), 64);
        assert_eq!(base, record().expected_hash());
        let edits: Vec<fn(&mut Record)> = vec![
            |r| r.seq = 2,
            |r| r.at += 1,
            |r| r.actor_id = None,
            |r| r.actor = "mallory".into(),
            |r| r.role = "auditor".into(),
            |r| r.source = None,
            |r| r.action = "robot.delete".into(),
            |r| r.target_kind = "group".into(),
            |r| r.target_id = Some("r2".into()),
            |r| r.target_label = None,
            |r| r.changes = "[{}]".into(),
            |r| r.outcome = "failure".into(),
            |r| r.intent_seq = Some(0),
            |r| r.request_id = Some("x".into()),
            |r| r.error_code = Some("x".into()),
            |r| r.error_message = Some("x".into()),
            |r| r.prev_hash = "1".repeat(64),
        ];
        for edit in edits {
            let mut r = record();
            edit(&mut r);
            assert_ne!(r.expected_hash(), base, "{r:?}");
        }
    }

    #[test]
    fn absent_and_empty_differ() {
        let mut a = record();
        a.source = None;
        let mut b = record();
        b.source = Some(String::new());
        assert_ne!(a.expected_hash(), b.expected_hash());
    }
}
