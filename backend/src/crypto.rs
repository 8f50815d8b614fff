//! The master key and the encryption under it: AES-256-GCM, with each
//! record's kind and id bound in as associated data, so a ciphertext copied
//! onto another record does not decrypt. At the bottom of the crate: the
//! vault, chat configurations' held secrets and the audit key all use it.

use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};

/// Environment variable holding the master key (base64 of 32 bytes); it
/// takes precedence over the key file.
pub const MASTER_KEY_VAR: &str = "CHATDESK_MASTER_KEY";

const NONCE_LEN: usize = 12;

/// The master key. Its Debug never shows the key.
#[derive(Clone)]
pub struct MasterKey(Key<Aes256Gcm>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn generate() -> MasterKey {
        MasterKey(Aes256Gcm::generate_key(OsRng))
    }

    /// Parses base64 of exactly 32 bytes (surrounding whitespace ignored).
    pub fn from_base64(text: &str) -> anyhow::Result<MasterKey> {
        let bytes = STANDARD
            .decode(text.trim())
            .context("the master key is not base64")?;
        anyhow::ensure!(
            bytes.len() == 32,
            "the master key must be 32 bytes (base64 of 32 random bytes), not {}",
            bytes.len()
        );
        Ok(MasterKey(*Key::<Aes256Gcm>::from_slice(&bytes)))
    }

    fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// `CHATDESK_MASTER_KEY` if set; else the key in `file`. A missing
    /// file is created with a new key (mode 0600) only when `create` is
    /// true (the default location in the data directory): a configured
    /// key file that is missing is an error, not a silent new key that
    /// cannot decrypt anything.
    pub fn load(file: &Path, create: bool) -> anyhow::Result<MasterKey> {
        if let Ok(text) = std::env::var(MASTER_KEY_VAR) {
            return MasterKey::from_base64(&text).with_context(|| format!("in {MASTER_KEY_VAR}"));
        }
        match std::fs::read_to_string(file) {
            Ok(text) => MasterKey::from_base64(&text)
                .with_context(|| format!("in the master key file {}", file.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && create => {
                let key = MasterKey::generate();
                write_private(file, &key.to_base64()).with_context(|| {
                    format!("cannot create the master key file {}", file.display())
                })?;
                tracing::info!(file = %file.display(), "created a new vault master key; back it up");
                Ok(key)
            }
            Err(err) => Err(err)
                .with_context(|| format!("cannot read the master key file {}", file.display())),
        }
    }

    /// A 32-byte key for another purpose, named by `label`: HMAC-SHA256
    /// under the master key, so it reveals nothing about the master key or
    /// about keys derived for other labels.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac =
            <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// base64(nonce || ciphertext) of `plaintext`, bound to `kind` and `id`.
    pub fn seal(&self, kind: &str, id: &str, plaintext: &SecretString) -> anyhow::Result<String> {
        let cipher = Aes256Gcm::new(&self.0);
        let nonce = Aes256Gcm::generate_nonce(OsRng);
        let aad = associated_data(kind, id);
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.expose_secret().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(STANDARD.encode(out))
    }

    pub fn open(&self, kind: &str, id: &str, sealed: &str) -> anyhow::Result<SecretString> {
        let bytes = STANDARD
            .decode(sealed)
            .context("stored ciphertext is not base64")?;
        anyhow::ensure!(bytes.len() > NONCE_LEN, "stored ciphertext is too short");
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let aad = associated_data(kind, id);
        let plaintext = Aes256Gcm::new(&self.0)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| {
                anyhow::anyhow!(
                    "cannot decrypt {kind} {id}: wrong master key or a ciphertext moved between records"
                )
            })?;
        let text = String::from_utf8(plaintext).context("decrypted secret is not UTF-8")?;
        Ok(SecretString::from(text))
    }
}

fn associated_data(kind: &str, id: &str) -> Vec<u8> {
    format!("chatdesk-vault/v1/{kind}/{id}").into_bytes()
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_on_their_own_record() {
        let key = MasterKey::generate();
        let secret = SecretString::from("s3cr3t-value");
        let sealed = key.seal("alibaba", "id-1", &secret).unwrap();
        assert!(!sealed.contains("s3cr3t"));
        assert_eq!(
            key.open("alibaba", "id-1", &sealed)
                .unwrap()
                .expose_secret(),
            "s3cr3t-value"
        );
        assert!(key.open("alibaba", "id-2", &sealed).is_err());
        assert!(key.open("dingtalk", "id-1", &sealed).is_err());
        assert!(
            MasterKey::generate()
                .open("alibaba", "id-1", &sealed)
                .is_err()
        );
        // Fresh nonce each time.
        assert_ne!(sealed, key.seal("alibaba", "id-1", &secret).unwrap());
    }

    #[test]
    fn the_default_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data").join("master.key");
        assert!(
            MasterKey::load(&file, false).is_err(),
            "configured but missing"
        );
        let key = MasterKey::load(&file, true).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = MasterKey::load(&file, true).unwrap();
        let sealed = key.seal("k", "i", &SecretString::from("x")).unwrap();
        assert_eq!(again.open("k", "i", &sealed).unwrap().expose_secret(), "x");
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64(&STANDARD.encode([0u8; 16])).is_err());
        assert!(MasterKey::from_base64(&STANDARD.encode([7u8; 32])).is_ok());
    }
}
