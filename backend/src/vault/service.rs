//! The vault's operations: load the stored state, plan ([`super::plan`]),
//! write ([`super::store`]) and record the change in the same transaction.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::audit::FieldChange;
use shared::validate::{InvalidField, Problem};
use shared::vault::{
    AlibabaAccount, AlibabaAccountInput, DingTalkApp, DingTalkAppInput, Preferences,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::plan::{self, AlibabaCurrent, AlibabaSecret};
use super::store::{self, ALIBABA, DINGTALK, NewRow, Table};
use super::{AlibabaCredentials, DingTalkCredentials, VaultError};
use crate::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use crate::cache::RowCache;
use crate::crypto::MasterKey;
use crate::db::{Db, is_unique_violation, new_id, now_ms};

/// The kinds a secret is sealed under (bound into each ciphertext).
const ALIBABA_SEAL: &str = "alibaba_account";
const DINGTALK_SEAL: &str = "dingtalk_app";

/// The `settings` row saying the sandbox credentials were stored once.
const SANDBOX_SEEDED: &str = "sandbox_credentials_seeded";

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
        self.key.seal(ALIBABA_SEAL, id, &json)
    }

    fn open_alibaba(&self, id: &str, row: &AnyRow) -> Result<AlibabaSecret, VaultError> {
        let sealed: String = row.try_get("secret_ciphertext")?;
        let json = self.key.open(ALIBABA_SEAL, id, &sealed)?;
        Ok(serde_json::from_str(json.expose_secret()).map_err(anyhow::Error::from)?)
    }

    /// Fills `has_sts_token` for accounts stored before it existed (the one
    /// time a start decrypts them).
    pub async fn backfill(&self) -> Result<(), VaultError> {
        let rows = sqlx::query(
            "SELECT id, secret_ciphertext FROM alibaba_accounts WHERE has_sts_token IS NULL",
        )
        .fetch_all(self.db.pool())
        .await?;
        for row in rows {
            let id: String = row.try_get("id")?;
            let has = self.open_alibaba(&id, &row)?.sts_token.is_some();
            sqlx::query("UPDATE alibaba_accounts SET has_sts_token = $1 WHERE id = $2")
                .bind(i64::from(has))
                .bind(&id)
                .execute(self.db.pool())
                .await?;
        }
        Ok(())
    }

    pub async fn list_alibaba(&self) -> Result<Vec<AlibabaAccount>, VaultError> {
        let rows = store::list(&self.db, ALIBABA).await?;
        rows.iter().map(store::alibaba_view).collect()
    }

    fn alibaba_current(&self, row: &AnyRow) -> Result<AlibabaCurrent, VaultError> {
        let view = store::alibaba_view(row)?;
        let secret = self.open_alibaba(&view.id, row)?;
        Ok(AlibabaCurrent { view, secret })
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
        let plan = plan::alibaba_create(input)?;
        let id = new_id();
        let mut tx = self.db.pool().begin().await?;
        let row = NewRow {
            id: &id,
            sealed: self.seal_alibaba(&id, &plan.secret)?,
            sandbox,
            default: store::is_empty(&mut tx, ALIBABA).await?,
        };
        store::insert_alibaba(&mut tx, row, &plan).await?;
        let action = AuditAction::AlibabaAccountCreate;
        let row = recorded(tx, actor, ALIBABA, &id, action, plan.changes).await?;
        store::alibaba_view(&row)
    }

    /// What [`Self::update_alibaba`] would change, stored nowhere.
    pub async fn preview_alibaba(
        &self,
        id: &str,
        input: &AlibabaAccountInput,
    ) -> Result<Vec<FieldChange>, VaultError> {
        let mut conn = self.db.pool().acquire().await?;
        let current = self.alibaba_current(&store::row(&mut conn, ALIBABA, id).await?)?;
        Ok(plan::alibaba_update(&current, input)?.changes)
    }

    pub async fn update_alibaba(
        &self,
        actor: &Actor,
        id: &str,
        input: &AlibabaAccountInput,
    ) -> Result<AlibabaAccount, VaultError> {
        let mut tx = store::claim(&self.db, ALIBABA, id).await?;
        let current = self.alibaba_current(&store::row(&mut tx, ALIBABA, id).await?)?;
        let plan = plan::alibaba_update(&current, input)?;
        let sealed = self.seal_alibaba(id, &plan.secret)?;
        store::update_alibaba(&mut tx, id, sealed, &plan).await?;
        let action = AuditAction::AlibabaAccountUpdate;
        let row = recorded(tx, actor, ALIBABA, id, action, plan.changes).await;
        self.accounts.invalidate(id);
        store::alibaba_view(&row?)
    }

    pub async fn delete_alibaba(&self, actor: &Actor, id: &str) -> Result<(), VaultError> {
        let mut tx = store::claim(&self.db, ALIBABA, id).await?;
        let current = self.alibaba_current(&store::row(&mut tx, ALIBABA, id).await?)?;
        let before = plan::alibaba_state(&current.view, &current.secret);
        store::delete(&mut tx, ALIBABA, id).await?;
        let target = Target::new(TargetKind::AlibabaAccount, id, &current.view.name);
        let changes = audit::diff(&before, &Value::Null, &[]);
        let action = AuditAction::AlibabaAccountDelete;
        let recorded = record(tx, actor, action, target, changes).await;
        self.accounts.invalidate(id);
        recorded
    }

    /// Marks account `id` the default Alibaba Cloud account.
    pub async fn set_default_alibaba(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<AlibabaAccount, VaultError> {
        let row = self.set_default(actor, ALIBABA, id).await?;
        store::alibaba_view(&row)
    }

    /// The decrypted credentials of an Alibaba Cloud account.
    pub async fn alibaba_account(&self, id: &str) -> Result<AlibabaCredentials, VaultError> {
        self.accounts
            .get_or_load(&id.to_owned(), || self.open_alibaba_account(id))
            .await?
            .ok_or(VaultError::NotFound(ALIBABA.what))
    }

    async fn open_alibaba_account(
        &self,
        id: &str,
    ) -> Result<Option<AlibabaCredentials>, VaultError> {
        let mut conn = self.db.pool().acquire().await?;
        let row = match store::row(&mut conn, ALIBABA, id).await {
            Ok(row) => row,
            Err(VaultError::NotFound(_)) => return Ok(None),
            Err(err) => return Err(err),
        };
        let AlibabaCurrent { view, secret } = self.alibaba_current(&row)?;
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
        let rows = store::list(&self.db, DINGTALK).await?;
        rows.iter().map(store::dingtalk_view).collect()
    }

    pub async fn create_dingtalk(
        &self,
        actor: &Actor,
        input: &DingTalkAppInput,
    ) -> Result<DingTalkApp, VaultError> {
        self.insert_dingtalk(actor, input, false).await
    }

    fn seal_dingtalk(&self, id: &str, secret: &str) -> anyhow::Result<String> {
        self.key
            .seal(DINGTALK_SEAL, id, &SecretString::from(secret.to_owned()))
    }

    async fn insert_dingtalk(
        &self,
        actor: &Actor,
        input: &DingTalkAppInput,
        sandbox: bool,
    ) -> Result<DingTalkApp, VaultError> {
        let plan = plan::dingtalk_create(input)?;
        let id = new_id();
        let mut tx = self.db.pool().begin().await?;
        let secret = plan.new_secret.as_deref().unwrap_or_default();
        let row = NewRow {
            id: &id,
            sealed: self.seal_dingtalk(&id, secret)?,
            sandbox,
            default: store::is_empty(&mut tx, DINGTALK).await?,
        };
        store::insert_dingtalk(&mut tx, row, &plan).await?;
        let action = AuditAction::DingtalkAppCreate;
        let row = recorded(tx, actor, DINGTALK, &id, action, plan.changes).await?;
        store::dingtalk_view(&row)
    }

    /// What [`Self::update_dingtalk`] would change, stored nowhere.
    pub async fn preview_dingtalk(
        &self,
        id: &str,
        input: &DingTalkAppInput,
    ) -> Result<Vec<FieldChange>, VaultError> {
        let mut conn = self.db.pool().acquire().await?;
        let current = store::dingtalk_view(&store::row(&mut conn, DINGTALK, id).await?)?;
        Ok(plan::dingtalk_update(&current, input)?.changes)
    }

    pub async fn update_dingtalk(
        &self,
        actor: &Actor,
        id: &str,
        input: &DingTalkAppInput,
    ) -> Result<DingTalkApp, VaultError> {
        let mut tx = store::claim(&self.db, DINGTALK, id).await?;
        let current = store::dingtalk_view(&store::row(&mut tx, DINGTALK, id).await?)?;
        let plan = plan::dingtalk_update(&current, input)?;
        let sealed = match &plan.new_secret {
            Some(secret) => Some(self.seal_dingtalk(id, secret)?),
            None => None,
        };
        store::update_dingtalk(&mut tx, id, sealed, &plan).await?;
        let action = AuditAction::DingtalkAppUpdate;
        let row = recorded(tx, actor, DINGTALK, id, action, plan.changes).await?;
        store::dingtalk_view(&row)
    }

    pub async fn delete_dingtalk(&self, actor: &Actor, id: &str) -> Result<(), VaultError> {
        let mut tx = store::claim(&self.db, DINGTALK, id).await?;
        let app = store::dingtalk_view(&store::row(&mut tx, DINGTALK, id).await?)?;
        let before =
            plan::dingtalk_state(&app.name, &app.app_key, &app.fingerprint, app.site, app.api);
        store::delete(&mut tx, DINGTALK, id).await?;
        let target = Target::new(TargetKind::DingtalkApp, id, &app.name);
        let changes = audit::diff(&before, &Value::Null, &[]);
        record(tx, actor, AuditAction::DingtalkAppDelete, target, changes).await
    }

    /// Marks app `id` the default DingTalk app.
    pub async fn set_default_dingtalk(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<DingTalkApp, VaultError> {
        let row = self.set_default(actor, DINGTALK, id).await?;
        store::dingtalk_view(&row)
    }

    /// Marks `id` the default of `table` and records it (when it was not
    /// already); returns its row.
    async fn set_default(
        &self,
        actor: &Actor,
        table: Table,
        id: &str,
    ) -> Result<AnyRow, VaultError> {
        let (mut tx, already) = store::set_default(&self.db, table, id).await?;
        if already {
            let row = store::row(&mut tx, table, id).await?;
            tx.commit().await?;
            return Ok(row);
        }
        let changes = audit::diff(&json!({"default": false}), &json!({"default": true}), &[]);
        recorded(
            tx,
            actor,
            table,
            id,
            AuditAction::CredentialDefault,
            changes,
        )
        .await
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
        let mut conn = self.db.pool().acquire().await?;
        let row = store::row(&mut conn, DINGTALK, id).await?;
        let sealed: String = row.try_get("secret_ciphertext")?;
        let app_secret = self.key.open(DINGTALK_SEAL, id, &sealed)?;
        let view = store::dingtalk_view(&row)?;
        Ok(DingTalkCredentials {
            id: view.id,
            name: view.name,
            app_key: view.app_key,
            app_secret,
            site: view.site,
            api: view.api,
        })
    }

    /// User `user_id`'s last picks.
    pub async fn preferences(&self, user_id: &str) -> Result<Preferences, VaultError> {
        store::preferences(&self.db, user_id).await
    }

    /// Replaces user `user_id`'s picks; each must be a stored credential of
    /// its kind. A UI preference, not a change of anything: not audited.
    pub async fn set_preferences(
        &self,
        user_id: &str,
        picks: &Preferences,
    ) -> Result<Preferences, VaultError> {
        let mut conn = self.db.pool().acquire().await?;
        for (field, table, pick) in [
            ("alibaba", ALIBABA, &picks.alibaba),
            ("dingtalk", DINGTALK, &picks.dingtalk),
        ] {
            if let Some(id) = pick
                && !store::exists(&mut conn, table, id).await?
            {
                let message = format!("is not a stored {}", table.what);
                return Err(InvalidField::new(field, message)
                    .because(Problem::Unknown)
                    .into());
            }
        }
        // One statement, no transaction: a credential deleted meanwhile
        // is refused by the foreign key rather than stored.
        store::set_preferences(&mut conn, user_id, picks).await?;
        Ok(picks.clone())
    }
}

/// The row `id` of `table` as the change made in `tx` left it, with the
/// change recorded under it: both committed, or neither.
async fn recorded(
    mut tx: Transaction<'static, Any>,
    actor: &Actor,
    table: Table,
    id: &str,
    action: AuditAction,
    changes: Vec<FieldChange>,
) -> Result<AnyRow, VaultError> {
    let row = store::row(&mut tx, table, id).await?;
    let kind = if table.name == ALIBABA.name {
        TargetKind::AlibabaAccount
    } else {
        TargetKind::DingtalkApp
    };
    let target = Target::new(kind, id, row.try_get::<String, _>("name")?);
    record(tx, actor, action, target, changes).await?;
    Ok(row)
}

/// Records the change made in `tx` and commits both, or neither.
async fn record(
    mut tx: Transaction<'static, Any>,
    actor: &Actor,
    action: AuditAction,
    target: Target,
    changes: Vec<FieldChange>,
) -> Result<(), VaultError> {
    let event = NewEvent::success(actor.clone(), action, target).with_changes(changes);
    audit::append(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}
