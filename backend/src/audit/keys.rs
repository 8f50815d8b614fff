//! The audit key: links and checkpoints are HMAC-SHA256 under a key that
//! is not in the database, so someone who can only write the database
//! cannot make an edited, inserted or removed event verify.
//!
//! The key is `CHATDESK_AUDIT_KEY`, else the file `audit.key_file`, else
//! derived from the vault's master key. Each event stores the id of the
//! key that signed it; older keys (`audit.previous_key_files`) still
//! verify the events they signed, so a key can be rotated. The trail
//! records which key was in force from which seq (`audit_key_eras`, see
//! [`super::eras`]): the master-derived key, which anyone who can read the
//! database's directory holds, verifies only where it was.
//!
//! Which keys sign a trail is kept per process, by the trail's name in
//! `audit_head.trail`: [`super::append`] only gets a connection, and one
//! test process opens many databases with different keys.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use shared::audit::AuditHealth;

use crate::config::Config;
use crate::crypto::MasterKey;

/// Environment variable holding the audit key (base64 of at least 32
/// bytes); it takes precedence over `audit.key_file`.
pub const AUDIT_KEY_VAR: &str = "CHATDESK_AUDIT_KEY";

/// The label of the key derived from the master key.
const DERIVE_LABEL: &str = "chatdesk audit chain key v1";

type HmacSha256 = Hmac<Sha256>;

/// One audit key and its public id. Debug never shows the key.
pub struct AuditKey {
    id: String,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

impl AuditKey {
    /// At least 32 bytes of key material.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<AuditKey> {
        anyhow::ensure!(
            bytes.len() >= 32,
            "the audit key must be at least 32 bytes, not {}",
            bytes.len()
        );
        // The id is a MAC of a fixed label: it names the key without
        // revealing anything that would help forge a link.
        let mut key = AuditKey {
            id: String::new(),
            bytes: bytes.to_vec(),
        };
        key.id = key.mac(&[b"chatdesk-audit-key-id"])[..16].to_owned();
        Ok(key)
    }

    /// base64 of at least 32 bytes (surrounding whitespace ignored).
    pub fn from_base64(text: &str) -> anyhow::Result<AuditKey> {
        let bytes = STANDARD
            .decode(text.trim())
            .context("the audit key is not base64")?;
        AuditKey::from_bytes(&bytes)
    }

    pub fn derived(master: &MasterKey) -> AuditKey {
        AuditKey::from_bytes(&master.derive(DERIVE_LABEL)).expect("32 bytes")
    }

    /// A new random key (tests, benchmarks).
    pub fn random() -> AuditKey {
        AuditKey::from_bytes(&rand::random::<[u8; 32]>()).expect("32 bytes")
    }

    fn from_file(file: &Path) -> anyhow::Result<AuditKey> {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the audit key file {}", file.display()))?;
        AuditKey::from_base64(&text)
            .with_context(|| format!("in the audit key file {}", file.display()))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn hmac(&self, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.bytes).expect("HMAC takes any key");
        for part in parts {
            mac.update(part);
        }
        mac
    }

    /// Hex HMAC-SHA256 of the concatenated `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> String {
        hex::encode(self.hmac(parts).finalize().into_bytes())
    }

    /// True when `hex_mac` is the MAC of `parts` (compared in constant time).
    pub(crate) fn verifies(&self, parts: &[&[u8]], hex_mac: &str) -> bool {
        hex::decode(hex_mac).is_ok_and(|m| self.hmac(parts).verify_slice(&m).is_ok())
    }
}

/// The key that signs new events and every key that still verifies.
#[derive(Clone, Debug)]
pub struct Keyring {
    current: Arc<AuditKey>,
    /// Trusted for whatever they signed: the current key and the previous
    /// ones the operator listed.
    trusted: Vec<Arc<AuditKey>>,
    /// The master-derived key while another key signs: it lies beside the
    /// database, so it is trusted only where the trail records it as the
    /// audit key of the time (see [`Trust`]).
    derived: Option<Arc<AuditKey>>,
}

impl Keyring {
    pub fn new(current: AuditKey, previous: Vec<AuditKey>) -> Keyring {
        let current = Arc::new(current);
        let mut ring = Keyring {
            trusted: vec![current.clone()],
            current,
            derived: None,
        };
        for key in previous {
            ring.trust(Arc::new(key));
        }
        ring
    }

    /// Adds the key derived from `master`, trusted only where the trail
    /// records it (unless it is trusted anyway, e.g. as the current key).
    pub fn with_derived(mut self, master: &MasterKey) -> Keyring {
        let derived = AuditKey::derived(master);
        if !self.is_trusted(derived.id()) {
            self.derived = Some(Arc::new(derived));
        }
        self
    }

    fn trust(&mut self, key: Arc<AuditKey>) {
        if !self.is_trusted(key.id()) {
            self.trusted.push(key);
        }
    }

    pub fn current(&self) -> &AuditKey {
        &self.current
    }

    /// Whether `id` names the current key or a listed previous one.
    pub(crate) fn is_trusted(&self, id: &str) -> bool {
        self.trusted.iter().any(|k| k.id == id)
    }

    /// The master-derived key, when it is only trusted where recorded.
    pub(crate) fn derived(&self) -> Option<&AuditKey> {
        self.derived.as_deref()
    }

    /// Any key of the ring by id, trusted or not (to check a MAC before
    /// deciding whether its signer counts).
    pub(crate) fn get(&self, id: &str) -> Option<&AuditKey> {
        self.trusted
            .iter()
            .chain(&self.derived)
            .find(|k| k.id == id)
            .map(|k| &**k)
    }

    /// The configured keys: see the module documentation. `master` is the
    /// vault's master key when it is available.
    pub fn load(config: &Config, master: Option<&MasterKey>) -> anyhow::Result<Keyring> {
        let own = match std::env::var(AUDIT_KEY_VAR) {
            Ok(text) => {
                Some(AuditKey::from_base64(&text).with_context(|| format!("in {AUDIT_KEY_VAR}"))?)
            }
            Err(_) => config
                .audit
                .key_file
                .as_deref()
                .map(AuditKey::from_file)
                .transpose()?,
        };
        let previous = config
            .audit
            .previous_key_files
            .iter()
            .map(|f| AuditKey::from_file(f))
            .collect::<anyhow::Result<Vec<_>>>()?;
        match (own, master) {
            (Some(own), Some(master)) => Ok(Keyring::new(own, previous).with_derived(master)),
            (Some(own), None) => Ok(Keyring::new(own, previous)),
            (None, Some(master)) => Ok(Keyring::new(AuditKey::derived(master), previous)),
            (None, None) => anyhow::bail!(
                "no audit key: set {AUDIT_KEY_VAR} or audit.key_file, or make the master key available"
            ),
        }
    }
}

/// Which keys a trail's events may be signed with, and where: the trusted
/// keys anywhere; the master-derived key (when it is not the current key)
/// only from an era the trail records for it up to the first era of a
/// trusted key. A trail that starts on the derived key and is later given
/// a key of its own keeps verifying; an event forged with the derived key
/// after that, by someone who can read the master key beside the
/// database, does not.
pub(crate) struct Trust<'a> {
    keys: &'a Keyring,
    /// `[from, to)` seq ranges where the derived key was in force.
    derived: Vec<(i64, i64)>,
}

impl<'a> Trust<'a> {
    /// `eras`: `(from_seq, key_id)` of the trail's intact era records, in
    /// seq order.
    pub fn new(keys: &'a Keyring, eras: &[(i64, String)]) -> Trust<'a> {
        let mut derived = Vec::new();
        if let Some(d) = keys.derived() {
            for (i, (from, id)) in eras.iter().enumerate() {
                if keys.is_trusted(id) {
                    break;
                }
                if id == d.id() {
                    let to = eras.get(i + 1).map_or(i64::MAX, |(next, _)| *next);
                    derived.push((*from, to));
                }
            }
        }
        Trust { keys, derived }
    }

    /// The key `id` when it may have signed what is at `seq`; else why not.
    pub fn signer(&self, id: &str, seq: i64) -> Result<&'a AuditKey, String> {
        let key = self.keys.get(id).ok_or_else(|| {
            format!(
                "signed with an unknown key id {id:?}: not the configured audit key \
                 nor one of audit.previous_key_files"
            )
        })?;
        if self.keys.is_trusted(id)
            || self
                .derived
                .iter()
                .any(|(from, to)| (*from..*to).contains(&seq))
        {
            Ok(key)
        } else {
            Err(format!(
                "signed with the key derived from the master key, which the trail does not \
                 record as its audit key at seq {seq} (forged?)"
            ))
        }
    }
}

/// What this process knows about one trail.
struct Trail {
    keys: Keyring,
    health: Option<AuditHealth>,
}

static TRAILS: LazyLock<Mutex<HashMap<String, Trail>>> = LazyLock::new(Mutex::default);

fn trails() -> std::sync::MutexGuard<'static, HashMap<String, Trail>> {
    TRAILS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes `keys` sign `trail` from now on; keys registered before for it
/// still verify (a test opens a database twice with different keys).
pub(crate) fn register(trail: &str, keys: Keyring) {
    let mut trails = trails();
    match trails.get_mut(trail) {
        Some(known) => {
            // What a fresh process would trust, plus the keys trusted
            // before, except the derived key when the new ring only trusts
            // it where recorded.
            let mut merged = keys;
            for key in &known.keys.trusted {
                if merged.derived().is_none_or(|d| d.id() != key.id()) {
                    merged.trust(key.clone());
                }
            }
            known.keys = merged;
        }
        None => {
            trails.insert(trail.to_owned(), Trail { keys, health: None });
        }
    }
}

/// The keys of `trail`. When the head names a trail this process does not
/// know (someone changed it) and the process serves only one trail, that
/// one's keys: a changed row must not stop the console from recording.
pub(crate) fn keyring(trail: &str) -> Option<Keyring> {
    let trails = trails();
    if let Some(known) = trails.get(trail) {
        return Some(known.keys.clone());
    }
    let mut all = trails.values();
    match (all.next(), all.next()) {
        (Some(only), None) => {
            tracing::error!(
                trail,
                "the audit head names an unknown trail: it was changed in the database"
            );
            Some(only.keys.clone())
        }
        _ => None,
    }
}

pub(crate) fn set_health(trail: &str, health: AuditHealth) {
    if let Some(known) = trails().get_mut(trail) {
        known.health = Some(health);
    }
}

/// Keeps the latest verdict on `trail` and says it in the log: an error
/// naming the first bad seq when the trail is broken.
pub(crate) fn note_health(trail: &str, report: &shared::audit::VerifyReport) {
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
    set_health(
        trail,
        shared::audit::AuditHealth::of(report, crate::db::now_ms()),
    );
}

pub(crate) fn health(trail: &str) -> Option<AuditHealth> {
    trails().get(trail).and_then(|t| t.health.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_keys_and_macs_verify_only_under_their_key() {
        let a = AuditKey::from_bytes(&[1; 32]).unwrap();
        let b = AuditKey::from_bytes(&[2; 32]).unwrap();
        assert_eq!(a.id().len(), 16);
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id(), AuditKey::from_bytes(&[1; 32]).unwrap().id());
        let mac = a.mac(&[b"x", b"y"]);
        assert!(a.verifies(&[b"xy"], &mac));
        assert!(!b.verifies(&[b"xy"], &mac));
        assert!(!a.verifies(&[b"xz"], &mac));
        assert!(!a.verifies(&[b"xy"], "not hex"));
        assert!(AuditKey::from_bytes(&[0; 31]).is_err());
        assert!(!format!("{a:?}").contains("0101"));
    }

    #[test]
    fn the_derived_key_depends_on_the_master_key() {
        let m1 = MasterKey::generate();
        let m2 = MasterKey::generate();
        assert_eq!(AuditKey::derived(&m1).id(), AuditKey::derived(&m1).id());
        assert_ne!(AuditKey::derived(&m1).id(), AuditKey::derived(&m2).id());
    }

    #[test]
    fn an_own_key_file_signs_and_the_derived_key_verifies_only_where_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("audit.key");
        let old = dir.path().join("old.key");
        std::fs::write(&own, STANDARD.encode([7; 32])).unwrap();
        std::fs::write(&old, STANDARD.encode([8; 48])).unwrap();
        let master = MasterKey::generate();
        let mut config = Config::default();
        config.audit.key_file = Some(own);
        config.audit.previous_key_files = vec![old];
        let ring = Keyring::load(&config, Some(&master)).unwrap();
        let own_id = AuditKey::from_bytes(&[7; 32]).unwrap().id().to_owned();
        assert_eq!(ring.current().id(), own_id);
        let derived = AuditKey::derived(&master);
        let old_id = AuditKey::from_bytes(&[8; 48]).unwrap().id().to_owned();
        assert!(ring.is_trusted(&old_id));
        assert!(!ring.is_trusted(derived.id()));
        // The derived key signed seqs 1 to 9, then the own key took over.
        let eras = [(1, derived.id().to_owned()), (10, own_id.clone())];
        let trust = Trust::new(&ring, &eras);
        assert!(trust.signer(derived.id(), 9).is_ok());
        assert!(
            trust
                .signer(derived.id(), 10)
                .unwrap_err()
                .contains("does not record")
        );
        assert!(trust.signer(&own_id, 1).is_ok());
        assert!(trust.signer(&old_id, 50).is_ok());
        // An era of the derived key after the own key's is not believed.
        let forged = [(1, own_id.clone()), (10, derived.id().to_owned())];
        let trust = Trust::new(&ring, &forged);
        assert!(trust.signer(derived.id(), 10).is_err());
        assert!(Trust::new(&ring, &[]).signer(derived.id(), 1).is_err());
        let unknown = AuditKey::random();
        assert!(
            trust
                .signer(unknown.id(), 1)
                .unwrap_err()
                .contains("unknown key id")
        );

        let only_derived = Keyring::load(&Config::default(), Some(&master)).unwrap();
        assert_eq!(only_derived.current().id(), AuditKey::derived(&master).id());
        assert!(only_derived.is_trusted(AuditKey::derived(&master).id()));
        assert!(Keyring::load(&Config::default(), None).is_err());
        config.audit.key_file = Some(dir.path().join("missing.key"));
        assert!(Keyring::load(&config, Some(&master)).is_err());
    }
}
