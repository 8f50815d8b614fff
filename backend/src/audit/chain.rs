//! The chain: each event's link covers a canonical serialisation of all
//! its stored fields, its sequence number and the previous event's link.
//! Events from the trail's switch-over point on are linked with
//! HMAC-SHA256 under the audit key ([`super::keys`]); older events keep the
//! plain SHA-256 links they were written with.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::keys::{Keyring, Trust};

/// The hash "before" the first event (also the head's initial value).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Versioned, so a future change of the serialisation cannot be confused
/// with tampering.
const DOMAIN: &str = "chatdesk-audit-v1\n";
/// The keyed links' domain: a plain hash can never pass as a keyed link.
const KEYED_DOMAIN: &str = "chatdesk-audit-v2\n";

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
    /// The audit key that signed the link; `None` for plain SHA-256 links.
    pub key_id: Option<String>,
}

impl Record {
    /// The fields form a JSON array in a fixed order: serde_json writes it
    /// the same way every time, and an absent value (null) cannot be
    /// confused with any string.
    fn canonical(&self) -> serde_json::Value {
        json!([
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
    }

    /// The hex SHA-256 of a link from before the keyed chain.
    pub fn plain_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        hasher.update(self.canonical().to_string());
        hex::encode(hasher.finalize())
    }

    /// The keyed link's input: the canonical fields and the key id.
    fn keyed_input(&self, key_id: &str) -> String {
        json!([self.canonical(), key_id]).to_string()
    }

    /// Links this record with the keyring's current key.
    pub fn sign(&mut self, keys: &Keyring) {
        let key = keys.current();
        let input = self.keyed_input(key.id());
        self.hash = key.mac(&[KEYED_DOMAIN.as_bytes(), input.as_bytes()]);
        self.key_id = Some(key.id().to_owned());
    }

    /// Whether the record's own link holds, whatever precedes it: signed
    /// by a key `trust` accepts for its seq when at or after the
    /// switch-over point `keyed_from`, a plain hash before it.
    pub(crate) fn check(&self, trust: &Trust, keyed_from: Option<i64>) -> Result<(), String> {
        let keyed = keyed_from.is_some_and(|from| self.seq >= from);
        match &self.key_id {
            None if keyed => Err(format!(
                "the event is not signed with the audit key, but the keyed chain starts at seq {}",
                keyed_from.unwrap_or_default()
            )),
            None if self.plain_hash() != self.hash => {
                Err("the event's contents do not match its hash (edited)".into())
            }
            None => Ok(()),
            Some(id) => {
                let key = trust
                    .signer(id, self.seq)
                    .map_err(|why| format!("the event is {why}"))?;
                let input = self.keyed_input(id);
                if !key.verifies(&[KEYED_DOMAIN.as_bytes(), input.as_bytes()], &self.hash) {
                    Err(
                        "the event's link does not verify under the audit key (edited or forged)"
                            .into(),
                    )
                } else if !keyed {
                    Err(format!(
                        "the event is signed but lies before the switch-over point {} (moved)",
                        keyed_from.map_or("(none)".to_owned(), |k| k.to_string())
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// The head row: which trail, and where its keyed links start.
pub(crate) struct Head {
    pub trail: String,
    pub seq: i64,
    pub hash: String,
    pub keyed_from: Option<i64>,
    pub keyed_mac: Option<String>,
}

/// A checkpoint ([`super::checkpoint`]): the trail's last good event's seq
/// and link, signed with the audit key, kept outside the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub trail: String,
    /// The last good event (0 for an empty trail).
    pub seq: i64,
    pub link: String,
    pub keyed_from: Option<i64>,
    /// When the checkpoint was taken (epoch milliseconds).
    pub at: i64,
    pub key_id: String,
    pub mac: String,
}

/// A checkpoint's signature domain: it can never pass as a link.
pub(super) const CHECKPOINT_DOMAIN: &str = "chatdesk-audit-checkpoint-v1\n";

impl Checkpoint {
    pub(super) fn input(&self) -> String {
        json!([
            self.trail,
            self.seq,
            self.link,
            self.keyed_from,
            self.at,
            self.key_id
        ])
        .to_string()
    }

    /// Whether a key `trust` accepts for the checkpoint's seq signed it.
    pub(crate) fn signed_by(&self, trust: &Trust) -> Result<(), String> {
        let key = trust.signer(&self.key_id, self.seq)?;
        if key.verifies(
            &[CHECKPOINT_DOMAIN.as_bytes(), self.input().as_bytes()],
            &self.mac,
        ) {
            Ok(())
        } else {
            Err("not signed with its audit key (edited)".into())
        }
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
            key_id: None,
        }
    }

    fn keys() -> Keyring {
        Keyring::new(
            super::super::keys::AuditKey::from_bytes(&[3; 32]).unwrap(),
            Vec::new(),
        )
    }

    fn check(r: &Record, keys: &Keyring, keyed_from: Option<i64>) -> Result<(), String> {
        r.check(&Trust::new(keys, &[]), keyed_from)
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = record().plain_hash();
        assert_eq!(base.len(), 64);
        assert_eq!(base, record().plain_hash());
        let mut signed = record();
        signed.sign(&keys());
        let keyed = signed.hash.clone();
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
            assert_ne!(r.plain_hash(), base, "{r:?}");
            r.key_id = signed.key_id.clone();
            r.hash = keyed.clone();
            assert!(check(&r, &keys(), Some(1)).is_err(), "{r:?}");
        }
        assert_eq!(check(&signed, &keys(), Some(1)), Ok(()));
    }

    #[test]
    fn absent_and_empty_differ() {
        let mut a = record();
        a.source = None;
        let mut b = record();
        b.source = Some(String::new());
        assert_ne!(a.plain_hash(), b.plain_hash());
    }

    #[test]
    fn links_must_match_the_switch_over_point() {
        let mut plain = record();
        plain.hash = plain.plain_hash();
        assert_eq!(check(&plain, &keys(), None), Ok(()));
        assert_eq!(check(&plain, &keys(), Some(2)), Ok(()));
        assert!(
            check(&plain, &keys(), Some(1))
                .unwrap_err()
                .contains("not signed")
        );
        let mut signed = record();
        signed.sign(&keys());
        assert!(
            check(&signed, &keys(), Some(2))
                .unwrap_err()
                .contains("switch-over")
        );
        let other = Keyring::new(super::super::keys::AuditKey::random(), Vec::new());
        assert!(
            check(&signed, &other, Some(1))
                .unwrap_err()
                .contains("unknown key id")
        );
        // A plain hash in a keyed event's place does not verify.
        let mut forged = signed.clone();
        forged.hash = forged.plain_hash();
        assert!(
            check(&forged, &keys(), Some(1))
                .unwrap_err()
                .contains("does not verify")
        );
    }
}
