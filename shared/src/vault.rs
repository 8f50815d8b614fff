//! The credentials vault's API shapes. Secrets only ever travel towards the
//! server: the views carry a fingerprint, never the secret.

use serde::{Deserialize, Serialize};

use crate::secret::SecretInput;
use crate::validate::{InvalidField, Problem};

/// Which Alibaba Cloud request signature an account uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// ACS3-HMAC-SHA256.
    #[default]
    V3,
    /// HMAC-SHA1 RPC signature.
    Legacy,
}

impl SignatureKind {
    pub const ALL: [SignatureKind; 2] = [SignatureKind::V3, SignatureKind::Legacy];

    pub const fn as_str(self) -> &'static str {
        match self {
            SignatureKind::V3 => "v3",
            SignatureKind::Legacy => "legacy",
        }
    }

    pub fn parse(s: &str) -> Option<SignatureKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a DingTalk app is registered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DingTalkSite {
    #[default]
    Mainland,
    International,
}

impl DingTalkSite {
    pub const ALL: [DingTalkSite; 2] = [DingTalkSite::Mainland, DingTalkSite::International];

    pub const fn as_str(self) -> &'static str {
        match self {
            DingTalkSite::Mainland => "mainland",
            DingTalkSite::International => "international",
        }
    }

    pub fn parse(s: &str) -> Option<DingTalkSite> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which DingTalk API generation to prefer for an app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DingTalkApi {
    /// api.dingtalk.com (v1.0 REST).
    #[default]
    New,
    /// oapi.dingtalk.com.
    Legacy,
}

impl DingTalkApi {
    pub const ALL: [DingTalkApi; 2] = [DingTalkApi::New, DingTalkApi::Legacy];

    pub const fn as_str(self) -> &'static str {
        match self {
            DingTalkApi::New => "new",
            DingTalkApi::Legacy => "legacy",
        }
    }

    pub fn parse(s: &str) -> Option<DingTalkApi> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An Alibaba Cloud account as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlibabaAccount {
    pub id: String,
    pub name: String,
    /// First 4 characters of the AccessKeyId and a short SHA-256 of the
    /// secret, e.g. `LTAI…3f9a2c1b`.
    pub fingerprint: String,
    pub has_sts_token: bool,
    pub signature: SignatureKind,
    pub regions: Vec<String>,
    /// Epoch milliseconds.
    pub updated_at: i64,
    /// Stored by the console for its built-in sandbox.
    #[serde(default)]
    pub sandbox: bool,
    /// The account the console picks first: the first one stored, or the
    /// one marked since (`PUT …/{id}/default`); none after it is deleted.
    #[serde(default)]
    pub default: bool,
}

/// Create (`POST`, secrets required) or change (`PUT`, secrets replaced
/// only when given) an Alibaba Cloud account.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlibabaAccountInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_secret: Option<SecretInput>,
    /// Empty string removes a stored token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts_token: Option<SecretInput>,
    #[serde(default)]
    pub signature: SignatureKind,
    #[serde(default)]
    pub regions: Vec<String>,
}

/// A DingTalk app as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DingTalkApp {
    pub id: String,
    pub name: String,
    pub app_key: String,
    /// A short SHA-256 of the AppSecret.
    pub fingerprint: String,
    pub site: DingTalkSite,
    pub api: DingTalkApi,
    pub updated_at: i64,
    /// Stored by the console for its built-in sandbox.
    #[serde(default)]
    pub sandbox: bool,
    /// The app the console picks first (as [`AlibabaAccount::default`]).
    #[serde(default)]
    pub default: bool,
}

/// Create (`POST`, secret required) or change (`PUT`) a DingTalk app.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DingTalkAppInput {
    pub name: String,
    pub app_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<SecretInput>,
    #[serde(default)]
    pub site: DingTalkSite,
    #[serde(default)]
    pub api: DingTalkApi,
}

/// A user's last pick of each kind of credential (`GET`/`PUT
/// /preferences`), so every page starts from it. Ids only: nothing secret.
/// A `PUT` replaces both; `null` (or absent) is no pick.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// An Alibaba Cloud account id.
    #[serde(default)]
    pub alibaba: Option<String>,
    /// A DingTalk app id.
    #[serde(default)]
    pub dingtalk: Option<String>,
}

/// An Alibaba Cloud region id such as `cn-hangzhou` or `ap-southeast-1`.
pub fn check_region(region: &str) -> Result<(), String> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!("{region:?} is not a region id such as cn-hangzhou"))
    }
}

/// A display name for a stored credential: 1 to 64 characters, no control
/// characters.
pub fn check_name(name: &str) -> Result<(), InvalidField> {
    let count = name.trim().chars().count();
    let length = || InvalidField::new("name", "must be 1 to 64 characters long");
    if count == 0 {
        Err(length().because(Problem::Empty))
    } else if count > 64 {
        Err(length().because(Problem::Length {
            min: 1,
            max: 64,
            count,
        }))
    } else if let Some(bad) = name.chars().find(|c| c.is_control()) {
        Err(
            InvalidField::new("name", "must not contain control characters")
                .because(Problem::Char(bad)),
        )
    } else {
        Ok(())
    }
}

/// What "test connection" found: a harmless read made with the stored
/// credentials, through the same clients every other call uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCheck {
    pub ok: bool,
    /// What was tried and what the upstream answered.
    pub message: String,
    /// The upstream's RequestId, for its support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_checked() {
        assert!(check_region("cn-hangzhou").is_ok());
        assert!(check_region("ap-southeast-1").is_ok());
        assert!(check_region("CN").is_err());
        assert!(check_region("-x").is_err());
        assert!(check_region("").is_err());
    }

    #[test]
    fn enums_round_trip_through_their_names() {
        for k in SignatureKind::ALL {
            assert_eq!(SignatureKind::parse(k.as_str()), Some(k));
        }
        for k in DingTalkSite::ALL {
            assert_eq!(DingTalkSite::parse(k.as_str()), Some(k));
        }
        for k in DingTalkApi::ALL {
            assert_eq!(DingTalkApi::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("prod account").is_ok());
        assert!(check_name("  ").is_err());
        assert!(check_name("a\nb").is_err());
        use crate::validate::Problem;
        assert_eq!(check_name("  ").unwrap_err().problem, Problem::Empty);
        assert_eq!(check_name("a\nb").unwrap_err().problem, Problem::Char('\n'));
    }
}
