//! A secret typed into the console (a client secret, a robot webhook URL).
//! It travels once, from the browser to the server, which seals it at once;
//! it is never sent back, and it never shows in `Debug` output or logs.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Write-only secret text. It serializes only because the browser must send
/// it; the server turns it into a `secrecy` secret on arrival.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretInput(String);

impl SecretInput {
    pub fn new(value: impl Into<String>) -> SecretInput {
        SecretInput(value.into())
    }

    /// Hands the value over (to be sealed); the name makes every use visible.
    pub fn into_exposed(self) -> String {
        self.0
    }

    /// The value, borrowed (to check or seal it); visible at every use.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl From<&str> for SecretInput {
    fn from(value: &str) -> SecretInput {
        SecretInput::new(value)
    }
}

impl From<String> for SecretInput {
    fn from(value: String) -> SecretInput {
        SecretInput(value)
    }
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretInput([redacted])")
    }
}

/// The mask OOS returns in place of a stored secret. Whether an update that
/// sends it back keeps the stored value is undocumented, so chatdesk never
/// sends it upstream.
pub const UPSTREAM_MASK: &str = "******";

/// Whether `text` is a mask rather than a secret: only `*` (the upstream's
/// `******`, or the same mask cut or lengthened by a copy), around white
/// space. No real secret is made only of asterisks.
pub fn is_upstream_mask(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && text.chars().all(|c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let s = SecretInput::new("hunter2");
        assert_eq!(format!("{s:?}"), "SecretInput([redacted])");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
        assert_eq!(s.into_exposed(), "hunter2");
    }

    #[test]
    fn masks_are_told_from_secrets() {
        for mask in [UPSTREAM_MASK, "***", " ******** "] {
            assert!(is_upstream_mask(mask), "{mask}");
        }
        for secret in ["", "  ", "ab**", "*a*", "s3cret"] {
            assert!(!is_upstream_mask(secret), "{secret}");
        }
    }
}
