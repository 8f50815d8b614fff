//! The credentials vault: Alibaba Cloud accounts and DingTalk apps, their
//! secrets encrypted at rest ([`crypto`]). The API can create, replace and
//! delete them and shows fingerprints; only [`Vault::alibaba_account`] and
//! [`Vault::dingtalk_app`], called by the upstream clients, decrypt.

pub mod connection;
pub mod crypto;
pub mod http;

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shared::secret::SecretInput;
use shared::validate::InvalidField;
use shared::vault::{
    AlibabaAccount, AlibabaAccountInput, DingTalkApi, DingTalkApp, DingTalkAppInput, DingTalkSite,
    SignatureKind, check_name, check_region,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

pub use crypto::MasterKey;

use crate::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use crate::cache::RowCache;
use crate::db::{Db, is_unique_violation, new_id, now_ms};
use crate::error::ApiError;

const ALIBABA: &str = "alibaba_account";
const DINGTALK: &str = "dingtalk_app";
const ALIBABA_WHAT: &str = "Alibaba Cloud account";
const DINGTALK_WHAT: &str = "DingTalk app";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(InvalidField),
    #[error("name: {0:?} is taken")]
    NameTaken(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

crate::internal_errors!(VaultError);

impl From<VaultError> for ApiError {
    fn from(err: VaultError) -> ApiError {
        match err {
            VaultError::NotFound(what) => ApiError::NotFound(what),
            VaultError::Invalid(err) => err.into(),
            VaultError::NameTaken(name) => ApiError::Conflict {
                field: "name".into(),
                message: format!("{name:?} is taken"),
            },
            VaultError::Internal(err) => ApiError::Internal(err),
        }
    }
}

/// The `settings` row saying the sandbox credentials were stored once.
const SANDBOX_SEEDED: &str = "sandbox_credentials_seeded";

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> VaultError {
    VaultError::Invalid(InvalidField::new(field, message))
}

impl From<InvalidField> for VaultError {
    fn from(err: InvalidField) -> VaultError {
        VaultError::Invalid(err)
    }
}

/// Decrypted Alibaba Cloud credentials, for signing upstream calls.
#[derive(Clone, Debug)]
pub struct AlibabaCredentials {
    pub id: String,
    pub name: String,
    pub access_key_id: String,
    pub access_key_secret: SecretString,
    pub sts_token: Option<SecretString>,
    pub signature: SignatureKind,
    pub regions: Vec<String>,
}

/// Decrypted DingTalk app credentials, for getting access tokens.
#[derive(Debug)]
pub struct DingTalkCredentials {
    pub id: String,
    pub name: String,
    pub app_key: String,
    pub app_secret: SecretString,
    pub site: DingTalkSite,
    pub api: DingTalkApi,
}

/// What is sealed for an Alibaba Cloud account: the whole key, so even
/// the AccessKeyId is not readable from the database.
#[derive(Serialize, Deserialize)]
struct AlibabaSecret {
    access_key_id: String,
    access_key_secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sts_token: Option<String>,
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

fn split_regions(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

fn checked_name(name: &str) -> Result<String, VaultError> {
    check_name(name)?;
    Ok(name.trim().to_owned())
}

fn name_taken(name: &str) -> impl FnOnce(sqlx::Error) -> VaultError + '_ {
    move |e| {
        if is_unique_violation(&e) {
            VaultError::NameTaken(name.to_owned())
        } else {
            e.into()
        }
    }
}

#[derive(Clone, Debug)]
pub struct Vault {
    db: Db,
    key: Arc<MasterKey>,
    /// Decrypted accounts by id, for the calls every request makes;
    /// invalidated by each update and delete here (see [`crate::cache`]).
    accounts: Arc<RowCache<String, AlibabaCredentials>>,
}

impl Vault {
    pub fn new(db: Db, key: MasterKey) -> Vault {
        Vault {
            db,
            key: Arc::new(key),
            accounts: Arc::default(),
        }
    }

    /// The master key, for other modules' secrets (chat configuration
    /// client secrets), each sealed under a kind of its own.
    pub fn master_key(&self) -> &MasterKey {
        &self.key
    }

    /// A key derived from the master key for `label` (see
    /// [`MasterKey::derive`]), for digests that must not be computable
    /// from the database alone.
    pub fn derive_key(&self, label: &str) -> [u8; 32] {
        self.key.derive(label)
    }

    fn seal_alibaba(&self, id: &str, secret: &AlibabaSecret) -> anyhow::Result<String> {
        let json = SecretString::from(serde_json::to_string(secret)?);
        self.key.seal(ALIBABA, id, &json)
    }

    fn open_alibaba(&self, id: &str, sealed: &str) -> anyhow::Result<AlibabaSecret> {
        let json = self.key.open(ALIBABA, id, sealed)?;
        Ok(serde_json::from_str(json.expose_secret())?)
    }

    /// Fills `has_sts_token` for accounts stored before it existed (the one
    /// time a start decrypts them).
    pub async fn backfill(&self) -> Result<(), VaultError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, secret_ciphertext FROM alibaba_accounts WHERE has_sts_token IS NULL",
        )
        .fetch_all(self.db.pool())
        .await?;
        for (id, sealed) in rows {
            let has = self.open_alibaba(&id, &sealed)?.sts_token.is_some();
            sqlx::query("UPDATE alibaba_accounts SET has_sts_token = $1 WHERE id = $2")
                .bind(i64::from(has))
                .bind(&id)
                .execute(self.db.pool())
                .await?;
        }
        Ok(())
    }

    pub async fn list_alibaba(&self) -> Result<Vec<AlibabaAccount>, VaultError> {
        let rows = sqlx::query(
            "SELECT id, name, fingerprint, signature, regions, updated_at, has_sts_token, sandbox \
             FROM alibaba_accounts ORDER BY name",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(Self::alibaba_view).collect()
    }

    fn alibaba_view(row: &AnyRow) -> Result<AlibabaAccount, VaultError> {
        let id: String = row.try_get("id")?;
        let signature: String = row.try_get("signature")?;
        // Kept beside the ciphertext so that listing decrypts nothing.
        let has_sts_token = row.try_get::<Option<i64>, _>("has_sts_token")? == Some(1);
        Ok(AlibabaAccount {
            sandbox: row.try_get::<i64, _>("sandbox")? != 0,
            name: row.try_get("name")?,
            fingerprint: row.try_get("fingerprint")?,
            has_sts_token,
            signature: SignatureKind::parse(&signature).unwrap_or_default(),
            regions: split_regions(&row.try_get::<String, _>("regions")?),
            updated_at: row.try_get("updated_at")?,
            id,
            default: false,
        })
    }

    async fn alibaba_row(&self, conn: &mut AnyConnection, id: &str) -> Result<AnyRow, VaultError> {
        sqlx::query(
            "SELECT id, name, fingerprint, secret_ciphertext, signature, regions, updated_at, \
             has_sts_token, sandbox FROM alibaba_accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(VaultError::NotFound(ALIBABA_WHAT))
    }

    /// What the audit trail shows of an account: the secret parts only as
    /// short hashes, which [`audit::diff`] masks to "changed"/"unchanged".
    fn alibaba_audit_state(&self, row: &AnyRow) -> Result<Value, VaultError> {
        let view = Self::alibaba_view(row)?;
        let secret =
            self.open_alibaba(&view.id, &row.try_get::<String, _>("secret_ciphertext")?)?;
        let mut state = json!({
            "name": view.name,
            "fingerprint": view.fingerprint,
            "signature": view.signature.as_str(),
            "regions": view.regions,
            "access_key_id": short_hash(&secret.access_key_id),
            "access_key_secret": short_hash(&secret.access_key_secret),
        });
        // Absent rather than null: no token is not a changed token.
        if let Some(token) = &secret.sts_token {
            state["sts_token"] = short_hash(token).into();
        }
        Ok(state)
    }

    pub async fn create_alibaba(
        &self,
        actor: &Actor,
        input: &AlibabaAccountInput,
    ) -> Result<AlibabaAccount, VaultError> {
        self.insert_alibaba(actor, input, false).await
    }

    /// `sandbox` marks the account the console stored for its built-in
    /// sandbox; no API request can set it.
    async fn insert_alibaba(
        &self,
        actor: &Actor,
        input: &AlibabaAccountInput,
        sandbox: bool,
    ) -> Result<AlibabaAccount, VaultError> {
        let name = checked_name(&input.name)?;
        let regions = checked_regions(&input.regions)?;
        let access_key_id = input.access_key_id.as_deref().unwrap_or_default();
        let access_key_secret = input
            .access_key_secret
            .as_ref()
            .map(SecretInput::expose)
            .unwrap_or_default();
        check_token("access_key_id", access_key_id, 128)?;
        check_token("access_key_secret", access_key_secret, 256)?;
        let sts_token = sts_token(input.sts_token.as_ref().map(SecretInput::expose))?;
        let id = new_id();
        let secret = AlibabaSecret {
            access_key_id: access_key_id.to_owned(),
            access_key_secret: access_key_secret.to_owned(),
            sts_token,
        };
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO alibaba_accounts \
             (id, name, secret_ciphertext, fingerprint, signature, regions, created_at, updated_at, \
             has_sts_token, sandbox) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
        )
        .bind(&id)
        .bind(&name)
        .bind(self.seal_alibaba(&id, &secret)?)
        .bind(alibaba_fingerprint(access_key_id, access_key_secret))
        .bind(input.signature.as_str())
        .bind(&regions)
        .bind(now)
        .bind(i64::from(secret.sts_token.is_some()))
        .bind(i64::from(sandbox))
        .execute(&mut *tx)
        .await
        .map_err(name_taken(&name))?;
        let row = self.alibaba_row(&mut tx, &id).await?;
        let view = Self::alibaba_view(&row)?;
        let after = self.alibaba_audit_state(&row)?;
        let target = Target::new(TargetKind::AlibabaAccount, &id, &view.name);
        let changes = audit::diff(&Value::Null, &after, &[]);
        record(
            tx,
            actor,
            AuditAction::AlibabaAccountCreate,
            target,
            changes,
        )
        .await?;
        Ok(view)
    }

    /// Changes name, signature and regions; replaces the key when both its
    /// parts are given and the STS token when one is given (empty removes).
    pub async fn update_alibaba(
        &self,
        actor: &Actor,
        id: &str,
        input: &AlibabaAccountInput,
    ) -> Result<AlibabaAccount, VaultError> {
        let name = checked_name(&input.name)?;
        let regions = checked_regions(&input.regions)?;
        let mut tx = claim(&self.db, "alibaba_accounts", id, ALIBABA_WHAT).await?;
        let row = self.alibaba_row(&mut tx, id).await?;
        let before = self.alibaba_audit_state(&row)?;
        let mut secret = self.open_alibaba(id, &row.try_get::<String, _>("secret_ciphertext")?)?;
        match (
            input.access_key_id.as_deref(),
            input.access_key_secret.as_ref().map(SecretInput::expose),
        ) {
            (None, None) => {}
            (Some(key_id), Some(key_secret)) => {
                check_token("access_key_id", key_id, 128)?;
                check_token("access_key_secret", key_secret, 256)?;
                secret.access_key_id = key_id.to_owned();
                secret.access_key_secret = key_secret.to_owned();
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
        }
        if input.sts_token.is_some() {
            secret.sts_token = sts_token(input.sts_token.as_ref().map(SecretInput::expose))?;
        }
        sqlx::query(
            "UPDATE alibaba_accounts SET name = $1, secret_ciphertext = $2, fingerprint = $3, \
             signature = $4, regions = $5, updated_at = $6, has_sts_token = $7 WHERE id = $8",
        )
        .bind(&name)
        .bind(self.seal_alibaba(id, &secret)?)
        .bind(alibaba_fingerprint(
            &secret.access_key_id,
            &secret.access_key_secret,
        ))
        .bind(input.signature.as_str())
        .bind(&regions)
        .bind(now_ms())
        .bind(i64::from(secret.sts_token.is_some()))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(name_taken(&name))?;
        let row = self.alibaba_row(&mut tx, id).await?;
        let view = Self::alibaba_view(&row)?;
        let changes = audit::diff(&before, &self.alibaba_audit_state(&row)?, &[]);
        let target = Target::new(TargetKind::AlibabaAccount, id, &view.name);
        let recorded = record(
            tx,
            actor,
            AuditAction::AlibabaAccountUpdate,
            target,
            changes,
        )
        .await;
        self.accounts.invalidate(id);
        recorded?;
        Ok(view)
    }

    pub async fn delete_alibaba(&self, actor: &Actor, id: &str) -> Result<(), VaultError> {
        let mut tx = claim(&self.db, "alibaba_accounts", id, ALIBABA_WHAT).await?;
        let before = self.alibaba_audit_state(&self.alibaba_row(&mut tx, id).await?)?;
        delete(&mut tx, "alibaba_accounts", id).await?;
        let target = Target::new(TargetKind::AlibabaAccount, id, label_of(&before));
        let changes = audit::diff(&before, &Value::Null, &[]);
        let recorded = record(
            tx,
            actor,
            AuditAction::AlibabaAccountDelete,
            target,
            changes,
        )
        .await;
        self.accounts.invalidate(id);
        recorded
    }

    /// The decrypted credentials of an Alibaba Cloud account.
    pub async fn alibaba_account(&self, id: &str) -> Result<AlibabaCredentials, VaultError> {
        self.accounts
            .get_or_load(&id.to_owned(), || self.open_alibaba_account(id))
            .await?
            .ok_or(VaultError::NotFound(ALIBABA_WHAT))
    }

    async fn open_alibaba_account(
        &self,
        id: &str,
    ) -> Result<Option<AlibabaCredentials>, VaultError> {
        let row = match self
            .alibaba_row(&mut *self.db.pool().acquire().await?, id)
            .await
        {
            Ok(row) => row,
            Err(VaultError::NotFound(_)) => return Ok(None),
            Err(err) => return Err(err),
        };
        let secret = self.open_alibaba(id, &row.try_get::<String, _>("secret_ciphertext")?)?;
        let view = Self::alibaba_view(&row)?;
        Ok(Some(AlibabaCredentials {
            id: view.id,
            name: view.name,
            access_key_id: secret.access_key_id,
            access_key_secret: SecretString::from(secret.access_key_secret),
            sts_token: secret.sts_token.map(SecretString::from),
            signature: view.signature,
            regions: view.regions,
        }))
    }

    pub async fn list_dingtalk(&self) -> Result<Vec<DingTalkApp>, VaultError> {
        let rows = sqlx::query(
            "SELECT id, name, app_key, fingerprint, site, api, updated_at, sandbox \
             FROM dingtalk_apps ORDER BY name",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(dingtalk_view).collect()
    }

    async fn dingtalk_row(&self, conn: &mut AnyConnection, id: &str) -> Result<AnyRow, VaultError> {
        sqlx::query(
            "SELECT id, name, app_key, fingerprint, site, api, updated_at, sandbox, \
             secret_ciphertext FROM dingtalk_apps WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(VaultError::NotFound(DINGTALK_WHAT))
    }

    pub async fn create_dingtalk(
        &self,
        actor: &Actor,
        input: &DingTalkAppInput,
    ) -> Result<DingTalkApp, VaultError> {
        self.insert_dingtalk(actor, input, false).await
    }

    async fn insert_dingtalk(
        &self,
        actor: &Actor,
        input: &DingTalkAppInput,
        sandbox: bool,
    ) -> Result<DingTalkApp, VaultError> {
        let name = checked_name(&input.name)?;
        check_token("app_key", &input.app_key, 128)?;
        let app_secret = input
            .app_secret
            .as_ref()
            .map(SecretInput::expose)
            .unwrap_or_default();
        check_token("app_secret", app_secret, 256)?;
        let id = new_id();
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO dingtalk_apps \
             (id, name, app_key, secret_ciphertext, fingerprint, site, api, created_at, updated_at, \
             sandbox) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        )
        .bind(&id)
        .bind(&name)
        .bind(&input.app_key)
        .bind(self.key.seal(DINGTALK, &id, &SecretString::from(app_secret.to_owned()))?)
        .bind(format!("…{}", short_hash(app_secret)))
        .bind(input.site.as_str())
        .bind(input.api.as_str())
        .bind(now)
        .bind(i64::from(sandbox))
        .execute(&mut *tx)
        .await
        .map_err(name_taken(&name))?;
        let view = dingtalk_view(&self.dingtalk_row(&mut tx, &id).await?)?;
        let target = Target::new(TargetKind::DingtalkApp, &id, &view.name);
        let changes = audit::diff(&Value::Null, &dingtalk_audit_state(&view), &[]);
        record(tx, actor, AuditAction::DingtalkAppCreate, target, changes).await?;
        Ok(view)
    }

    /// Changes everything but the secret, which is replaced only when given.
    pub async fn update_dingtalk(
        &self,
        actor: &Actor,
        id: &str,
        input: &DingTalkAppInput,
    ) -> Result<DingTalkApp, VaultError> {
        let name = checked_name(&input.name)?;
        check_token("app_key", &input.app_key, 128)?;
        let mut tx = claim(&self.db, "dingtalk_apps", id, DINGTALK_WHAT).await?;
        let row = self.dingtalk_row(&mut tx, id).await?;
        let before = dingtalk_audit_state(&dingtalk_view(&row)?);
        let (sealed, fingerprint) = match input.app_secret.as_ref().map(SecretInput::expose) {
            Some(secret) => {
                check_token("app_secret", secret, 256)?;
                (
                    self.key
                        .seal(DINGTALK, id, &SecretString::from(secret.to_owned()))?,
                    format!("…{}", short_hash(secret)),
                )
            }
            None => (
                row.try_get("secret_ciphertext")?,
                row.try_get("fingerprint")?,
            ),
        };
        sqlx::query(
            "UPDATE dingtalk_apps SET name = $1, app_key = $2, secret_ciphertext = $3, \
             fingerprint = $4, site = $5, api = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&name)
        .bind(&input.app_key)
        .bind(sealed)
        .bind(fingerprint)
        .bind(input.site.as_str())
        .bind(input.api.as_str())
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(name_taken(&name))?;
        let view = dingtalk_view(&self.dingtalk_row(&mut tx, id).await?)?;
        let target = Target::new(TargetKind::DingtalkApp, id, &view.name);
        let changes = audit::diff(&before, &dingtalk_audit_state(&view), &[]);
        record(tx, actor, AuditAction::DingtalkAppUpdate, target, changes).await?;
        Ok(view)
    }

    pub async fn delete_dingtalk(&self, actor: &Actor, id: &str) -> Result<(), VaultError> {
        let mut tx = claim(&self.db, "dingtalk_apps", id, DINGTALK_WHAT).await?;
        let before = dingtalk_audit_state(&dingtalk_view(&self.dingtalk_row(&mut tx, id).await?)?);
        delete(&mut tx, "dingtalk_apps", id).await?;
        let target = Target::new(TargetKind::DingtalkApp, id, label_of(&before));
        let changes = audit::diff(&before, &Value::Null, &[]);
        record(tx, actor, AuditAction::DingtalkAppDelete, target, changes).await
    }

    /// On the first start with the built-in sandbox as the upstream, stores
    /// an account and an app for it, so every area shows demo data at once.
    /// Once only: deleted, they stay deleted. Returns whether it stored them.
    pub async fn seed_sandbox(
        &self,
        alibaba: AlibabaAccountInput,
        dingtalk: DingTalkAppInput,
    ) -> Result<bool, VaultError> {
        let claimed = sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2)")
            .bind(SANDBOX_SEEDED)
            .bind(now_ms().to_string())
            .execute(self.db.pool())
            .await;
        match claimed {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let actor = Actor::cli();
        self.insert_alibaba(&actor, &alibaba, true).await?;
        self.insert_dingtalk(&actor, &dingtalk, true).await?;
        Ok(true)
    }

    /// The decrypted credentials of a DingTalk app.
    pub async fn dingtalk_app(&self, id: &str) -> Result<DingTalkCredentials, VaultError> {
        let row = self
            .dingtalk_row(&mut *self.db.pool().acquire().await?, id)
            .await?;
        let app_secret = self.key.open(
            DINGTALK,
            id,
            &row.try_get::<String, _>("secret_ciphertext")?,
        )?;
        let view = dingtalk_view(&row)?;
        Ok(DingTalkCredentials {
            id: view.id,
            name: view.name,
            app_key: view.app_key,
            app_secret,
            site: view.site,
            api: view.api,
        })
    }
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

fn dingtalk_view(row: &AnyRow) -> Result<DingTalkApp, VaultError> {
    let site: String = row.try_get("site")?;
    let api: String = row.try_get("api")?;
    Ok(DingTalkApp {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        app_key: row.try_get("app_key")?,
        fingerprint: row.try_get("fingerprint")?,
        site: DingTalkSite::parse(&site).unwrap_or_default(),
        api: DingTalkApi::parse(&api).unwrap_or_default(),
        updated_at: row.try_get("updated_at")?,
        sandbox: row.try_get::<i64, _>("sandbox")? != 0,
        default: false,
    })
}

/// What the audit trail shows of an app; the secret only through its
/// fingerprint, which [`audit::diff`] masks to "changed"/"unchanged".
fn dingtalk_audit_state(app: &DingTalkApp) -> Value {
    json!({
        "name": app.name,
        "app_key": app.app_key,
        "fingerprint": app.fingerprint,
        "site": app.site.as_str(),
        "api": app.api.as_str(),
        "app_secret": app.fingerprint,
    })
}

fn label_of(state: &Value) -> &str {
    state["name"].as_str().unwrap_or_default()
}

/// Starts the transaction changing row `id` of `table` with a write to it,
/// so SQLite takes its write lock first (a transaction that reads first
/// cannot wait for it later).
async fn claim(
    db: &Db,
    table: &str,
    id: &str,
    what: &'static str,
) -> Result<Transaction<'static, Any>, VaultError> {
    let mut tx = db.pool().begin().await?;
    let claimed = sqlx::query(&format!("UPDATE {table} SET updated_at = $1 WHERE id = $2"))
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if claimed == 0 {
        tx.rollback().await?;
        return Err(VaultError::NotFound(what));
    }
    Ok(tx)
}

async fn delete(conn: &mut AnyConnection, table: &str, id: &str) -> Result<(), VaultError> {
    sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the change made in `tx` and commits both, or neither.
async fn record(
    mut tx: Transaction<'static, Any>,
    actor: &Actor,
    action: AuditAction,
    target: Target,
    changes: Vec<shared::audit::FieldChange>,
) -> Result<(), VaultError> {
    let event = NewEvent::success(actor.clone(), action, target).with_changes(changes);
    audit::append(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Backend;
    use crate::db::testing::TestDb;

    const SECRET: &str = "VaultTestSecret0123456789abcdef";

    fn account(name: &str) -> AlibabaAccountInput {
        AlibabaAccountInput {
            name: name.into(),
            access_key_id: Some("LTAI5tVaultTestKeyId".into()),
            access_key_secret: Some(SECRET.into()),
            sts_token: None,
            signature: SignatureKind::V3,
            regions: vec![
                "cn-hangzhou".into(),
                "cn-shanghai".into(),
                "cn-hangzhou".into(),
            ],
        }
    }

    #[tokio::test]
    async fn alibaba_accounts_store_encrypted_and_decrypt_by_id() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            let vault = Vault::new(t.db.clone(), MasterKey::generate());
            let view = vault
                .create_alibaba(&Actor::cli(), &account("prod"))
                .await
                .unwrap();
            assert!(
                view.fingerprint.starts_with("LTAI…"),
                "{}",
                view.fingerprint
            );
            assert_eq!(view.regions, ["cn-hangzhou", "cn-shanghai"]);
            assert!(!view.has_sts_token);
            assert!(matches!(
                vault.create_alibaba(&Actor::cli(), &account("prod")).await,
                Err(VaultError::NameTaken(_))
            ));

            let creds = vault.alibaba_account(&view.id).await.unwrap();
            assert_eq!(creds.access_key_id, "LTAI5tVaultTestKeyId");
            assert_eq!(creds.access_key_secret.expose_secret(), SECRET);
            assert!(
                !format!("{creds:?}").contains(SECRET),
                "Debug hides secrets"
            );

            // Nothing in the row is the secret or the key id in clear.
            let row = sqlx::query("SELECT * FROM alibaba_accounts")
                .fetch_one(t.db.pool())
                .await
                .unwrap();
            for col in ["secret_ciphertext", "fingerprint", "name", "regions"] {
                let v: String = row.get(col);
                assert!(
                    !v.contains(SECRET) && !v.contains("VaultTestKeyId"),
                    "{col}: {v}"
                );
            }

            // Replacing only the STS token keeps the key.
            let mut change = account("prod-renamed");
            change.access_key_id = None;
            change.access_key_secret = None;
            change.sts_token = Some("sts-token-value".into());
            let changed = vault
                .update_alibaba(&Actor::cli(), &view.id, &change)
                .await
                .unwrap();
            assert!(changed.has_sts_token);
            assert_eq!(changed.fingerprint, view.fingerprint);
            let creds = vault.alibaba_account(&view.id).await.unwrap();
            assert_eq!(creds.access_key_secret.expose_secret(), SECRET);
            assert_eq!(creds.sts_token.unwrap().expose_secret(), "sts-token-value");

            change.access_key_id = Some("LTAI-other".into());
            assert!(matches!(
                vault.update_alibaba(&Actor::cli(), &view.id, &change).await,
                Err(VaultError::Invalid(e)) if e.field == "access_key_secret"
            ));

            vault.delete_alibaba(&Actor::cli(), &view.id).await.unwrap();
            assert!(matches!(
                vault.alibaba_account(&view.id).await,
                Err(VaultError::NotFound(_))
            ));
        }
    }

    #[tokio::test]
    async fn swapped_ciphertexts_do_not_decrypt() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            let vault = Vault::new(t.db.clone(), MasterKey::generate());
            let a = vault
                .create_alibaba(&Actor::cli(), &account("a"))
                .await
                .unwrap();
            let b = vault
                .create_alibaba(&Actor::cli(), &account("b"))
                .await
                .unwrap();
            sqlx::query(
                "UPDATE alibaba_accounts SET secret_ciphertext = \
                 (SELECT secret_ciphertext FROM alibaba_accounts WHERE id = $1) WHERE id = $2",
            )
            .bind(&a.id)
            .bind(&b.id)
            .execute(t.db.pool())
            .await
            .unwrap();
            assert!(vault.alibaba_account(&a.id).await.is_ok());
            assert!(matches!(
                vault.alibaba_account(&b.id).await,
                Err(VaultError::Internal(_))
            ));
        }
    }

    #[tokio::test]
    async fn dingtalk_apps_round_trip_and_replace_secrets() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            let vault = Vault::new(t.db.clone(), MasterKey::generate());
            let input = DingTalkAppInput {
                name: "ops bot".into(),
                app_key: "dingabc123".into(),
                app_secret: Some(SECRET.into()),
                site: DingTalkSite::International,
                api: DingTalkApi::Legacy,
            };
            let app = vault.create_dingtalk(&Actor::cli(), &input).await.unwrap();
            assert_eq!(app.app_key, "dingabc123");
            assert_eq!(app.site, DingTalkSite::International);
            let creds = vault.dingtalk_app(&app.id).await.unwrap();
            assert_eq!(creds.app_secret.expose_secret(), SECRET);

            let mut change = input.clone();
            change.app_secret = None;
            change.api = DingTalkApi::New;
            let kept = vault
                .update_dingtalk(&Actor::cli(), &app.id, &change)
                .await
                .unwrap();
            assert_eq!(kept.fingerprint, app.fingerprint);
            assert_eq!(kept.api, DingTalkApi::New);
            change.app_secret = Some("another-secret".into());
            let replaced = vault
                .update_dingtalk(&Actor::cli(), &app.id, &change)
                .await
                .unwrap();
            assert_ne!(replaced.fingerprint, app.fingerprint);
            assert_eq!(
                vault
                    .dingtalk_app(&app.id)
                    .await
                    .unwrap()
                    .app_secret
                    .expose_secret(),
                "another-secret"
            );
            let mut missing = input.clone();
            missing.name = "other".into();
            missing.app_secret = None;
            assert!(matches!(
                vault.create_dingtalk(&Actor::cli(), &missing).await,
                Err(VaultError::Invalid(e)) if e.field == "app_secret"
            ));
            assert_eq!(vault.list_dingtalk().await.unwrap().len(), 1);
        }
    }
}
