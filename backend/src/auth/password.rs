//! Password hashing: argon2id with the crate's defaults (OWASP's
//! recommended m=19 MiB, t=2, p=1), run off the async workers.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

/// Verified against when the user does not exist, so an unknown name takes
/// as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&SecretString::from(random_password())).expect("hashing works"));

pub fn hash_blocking(password: &SecretString) -> anyhow::Result<String> {
    // rand's thread RNG is a CSPRNG seeded from the OS; argon2 takes the salt
    // encoded, which keeps it independent of rand's version.
    let salt = SaltString::encode_b64(&rand::rng().random::<[u8; 16]>())
        .map_err(|e| anyhow::anyhow!("cannot encode a salt: {e}"))?;
    let hash = Argon2::default()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))?;
    Ok(hash.to_string())
}

pub fn verify_blocking(password: &SecretString, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Checks `password` against `hash`, or against a dummy hash when there is
/// no user (`None`), and answers false then.
pub async fn verify(password: SecretString, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_blocking(&password, &hash),
        None => {
            verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// A random password for a first admin: 20 characters from an alphabet
/// without look-alikes (about 115 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let pw = SecretString::from("correct horse battery");
        let a = hash_blocking(&pw).unwrap();
        let b = hash_blocking(&pw).unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify_blocking(&pw, &a));
        assert!(!verify_blocking(&SecretString::from("wrong"), &a));
        assert!(!verify_blocking(&pw, "not a hash"));
    }

    #[tokio::test]
    async fn unknown_user_is_refused_after_real_work() {
        assert!(!verify(SecretString::from("anything"), None).await);
    }

    #[test]
    fn random_passwords_differ_and_are_long() {
        let a = random_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, random_password());
        assert!(shared::auth::check_new_password(&a).is_ok());
    }
}
