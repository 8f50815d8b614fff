//! What a create or an edit of a credential will store, and what the audit
//! trail shows of it, from the request and the stored state alone. The
//! preview (`POST …/{id}/preview`) and the change run this same code.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shared::audit::FieldChange;
use shared::secret::SecretInput;
use shared::vault::{
    AlibabaAccount, AlibabaAccountInput, DingTalkApi, DingTalkApp, DingTalkAppInput, DingTalkSite,
    SignatureKind, check_name, check_region,
};

use super::{VaultError, invalid};
use crate::audit;

/// What is sealed for an Alibaba Cloud account: the whole key, so even
/// the AccessKeyId is not readable from the database.
#[derive(Serialize, Deserialize)]
pub(super) struct AlibabaSecret {
    pub access_key_id: String,
    pub access_key_secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts_token: Option<String>,
}

/// A stored account as an edit starts from it.
pub(super) struct AlibabaCurrent {
    pub view: AlibabaAccount,
    pub secret: AlibabaSecret,
}

/// An account as it will be stored, and the audit diff from before.
pub(super) struct AlibabaPlan {
    pub name: String,
    /// The regions, deduplicated, comma-separated as stored.
    pub regions: String,
    pub signature: SignatureKind,
    pub secret: AlibabaSecret,
    pub fingerprint: String,
    pub changes: Vec<FieldChange>,
}

/// A new account: the whole key is required.
pub(super) fn alibaba_create(input: &AlibabaAccountInput) -> Result<AlibabaPlan, VaultError> {
    let access_key_id = input.access_key_id.as_deref().unwrap_or_default();
    let access_key_secret = input
        .access_key_secret
        .as_ref()
        .map(SecretInput::expose)
        .unwrap_or_default();
    let (name, regions) = (checked_name(&input.name)?, checked_regions(&input.regions)?);
    check_token("access_key_id", access_key_id, 128)?;
    check_token("access_key_secret", access_key_secret, 256)?;
    let secret = AlibabaSecret {
        access_key_id: access_key_id.to_owned(),
        access_key_secret: access_key_secret.to_owned(),
        sts_token: sts_token(input.sts_token.as_ref().map(SecretInput::expose))?,
    };
    Ok(alibaba_plan(
        &Value::Null,
        name,
        regions,
        input.signature,
        secret,
    ))
}

/// Changes name, signature and regions; replaces the key when both its
/// parts are given and the STS token when one is given (empty removes).
pub(super) fn alibaba_update(
    current: &AlibabaCurrent,
    input: &AlibabaAccountInput,
) -> Result<AlibabaPlan, VaultError> {
    let (name, regions) = (checked_name(&input.name)?, checked_regions(&input.regions)?);
    let held = &current.secret;
    let (access_key_id, access_key_secret) = match (
        input.access_key_id.as_deref(),
        input.access_key_secret.as_ref().map(SecretInput::expose),
    ) {
        (None, None) => (held.access_key_id.clone(), held.access_key_secret.clone()),
        (Some(key_id), Some(key_secret)) => {
            check_token("access_key_id", key_id, 128)?;
            check_token("access_key_secret", key_secret, 256)?;
            (key_id.to_owned(), key_secret.to_owned())
        }
        (Some(_), None) => {
            return Err(invalid(
                "access_key_secret",
                "give it with the new AccessKeyId",
            ));
        }
        (None, Some(_)) => {
            return Err(invalid(
                "access_key_id",
                "give it with the new AccessKeySecret",
            ));
        }
    };
    let sts_token = match &input.sts_token {
        Some(token) => sts_token(Some(token.expose()))?,
        None => held.sts_token.clone(),
    };
    let secret = AlibabaSecret {
        access_key_id,
        access_key_secret,
        sts_token,
    };
    let before = alibaba_state(&current.view, held);
    Ok(alibaba_plan(
        &before,
        name,
        regions,
        input.signature,
        secret,
    ))
}

fn alibaba_plan(
    before: &Value,
    name: String,
    regions: String,
    signature: SignatureKind,
    secret: AlibabaSecret,
) -> AlibabaPlan {
    let fingerprint = alibaba_fingerprint(&secret.access_key_id, &secret.access_key_secret);
    let after = json!({
        "name": name,
        "fingerprint": fingerprint,
        "signature": signature.as_str(),
        "regions": split_regions(&regions),
    });
    let changes = audit::diff(before, &with_secret_hashes(after, &secret), &[]);
    AlibabaPlan {
        name,
        regions,
        signature,
        secret,
        fingerprint,
        changes,
    }
}

/// What the audit trail shows of an account: the secret parts only as
/// short hashes, which [`audit::diff`] masks to "changed"/"unchanged".
pub(super) fn alibaba_state(view: &AlibabaAccount, secret: &AlibabaSecret) -> Value {
    let state = json!({
        "name": view.name,
        "fingerprint": view.fingerprint,
        "signature": view.signature.as_str(),
        "regions": view.regions,
    });
    with_secret_hashes(state, secret)
}

fn with_secret_hashes(mut state: Value, secret: &AlibabaSecret) -> Value {
    state["access_key_id"] = short_hash(&secret.access_key_id).into();
    state["access_key_secret"] = short_hash(&secret.access_key_secret).into();
    // Absent rather than null: no token is not a changed token.
    if let Some(token) = &secret.sts_token {
        state["sts_token"] = short_hash(token).into();
    }
    state
}

/// An app as it will be stored, and the audit diff from before.
pub(super) struct DingTalkPlan {
    pub name: String,
    pub app_key: String,
    pub site: DingTalkSite,
    pub api: DingTalkApi,
    /// The secret to seal; `None` keeps the held one.
    pub new_secret: Option<String>,
    pub fingerprint: String,
    pub changes: Vec<FieldChange>,
}

/// A new app: the secret is required.
pub(super) fn dingtalk_create(input: &DingTalkAppInput) -> Result<DingTalkPlan, VaultError> {
    let secret = input
        .app_secret
        .as_ref()
        .map(SecretInput::expose)
        .unwrap_or_default();
    dingtalk_plan(&Value::Null, input, Some(secret), fingerprint(secret))
}

/// Changes everything but the secret, which is replaced only when given.
pub(super) fn dingtalk_update(
    current: &DingTalkApp,
    input: &DingTalkAppInput,
) -> Result<DingTalkPlan, VaultError> {
    let secret = input.app_secret.as_ref().map(SecretInput::expose);
    let fingerprint = secret.map_or_else(|| current.fingerprint.clone(), fingerprint);
    let before = dingtalk_state(
        &current.name,
        &current.app_key,
        &current.fingerprint,
        current.site,
        current.api,
    );
    dingtalk_plan(&before, input, secret, fingerprint)
}

fn dingtalk_plan(
    before: &Value,
    input: &DingTalkAppInput,
    secret: Option<&str>,
    fingerprint: String,
) -> Result<DingTalkPlan, VaultError> {
    let name = checked_name(&input.name)?;
    check_token("app_key", &input.app_key, 128)?;
    if let Some(secret) = secret {
        check_token("app_secret", secret, 256)?;
    }
    let after = dingtalk_state(&name, &input.app_key, &fingerprint, input.site, input.api);
    Ok(DingTalkPlan {
        name,
        app_key: input.app_key.clone(),
        site: input.site,
        api: input.api,
        new_secret: secret.map(str::to_owned),
        fingerprint,
        changes: audit::diff(before, &after, &[]),
    })
}

/// An app secret's fingerprint: only a short hash of it.
fn fingerprint(secret: &str) -> String {
    format!("…{}", short_hash(secret))
}

/// What the audit trail shows of an app; the secret only through its
/// fingerprint, which [`audit::diff`] masks to "changed"/"unchanged".
pub(super) fn dingtalk_state(
    name: &str,
    app_key: &str,
    fingerprint: &str,
    site: DingTalkSite,
    api: DingTalkApi,
) -> Value {
    json!({
        "name": name,
        "app_key": app_key,
        "fingerprint": fingerprint,
        "site": site.as_str(),
        "api": api.as_str(),
        "app_secret": fingerprint,
    })
}

/// A short, non-reversible tag to tell secrets apart.
fn short_hash(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..4])
}

fn alibaba_fingerprint(access_key_id: &str, secret: &str) -> String {
    let prefix: String = access_key_id.chars().take(4).collect();
    format!("{prefix}…{}", short_hash(secret))
}

/// A token-like value: non-empty, printable ASCII without spaces.
fn check_token(field: &'static str, value: &str, max: usize) -> Result<(), VaultError> {
    if value.is_empty() {
        return Err(invalid(field, "is required"));
    }
    if value.len() > max {
        return Err(invalid(field, format!("must be at most {max} characters")));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(field, "must be printable ASCII without spaces"));
    }
    Ok(())
}

fn sts_token(token: Option<&str>) -> Result<Option<String>, VaultError> {
    match token {
        None | Some("") => Ok(None),
        Some(token) => {
            check_token("sts_token", token, 4096)?;
            Ok(Some(token.to_owned()))
        }
    }
}

fn checked_regions(regions: &[String]) -> Result<String, VaultError> {
    let mut seen: Vec<&str> = Vec::new();
    for region in regions {
        check_region(region).map_err(|m| invalid("regions", m))?;
        if !seen.contains(&region.as_str()) {
            seen.push(region);
        }
    }
    Ok(seen.join(","))
}

pub(super) fn split_regions(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

fn checked_name(name: &str) -> Result<String, VaultError> {
    check_name(name)?;
    Ok(name.trim().to_owned())
}
