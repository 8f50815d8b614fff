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

/// The mask OOS returns in place of a stored secret; sending it back in an
/// update keeps the stored value.
pub const UPSTREAM_MASK: &str = "******";

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
}
