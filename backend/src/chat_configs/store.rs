//! What chatdesk keeps of a chat configuration beside OOS: console labels
//! and the write-only secrets it was given, sealed like the vault.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use secrecy::SecretString;
use shared::chat_configs::{
    ChatConfigSaved, ChatConfigSummary, ConfigName, ConfigRef, Label, RegionId,
};
use shared::time::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::cache::RowCache;
use crate::crypto::MasterKey;
use crate::db::{Db, now_ms};

/// The vault kind the secrets are sealed under.
const SEALED_KIND: &str = "chat_config_secret";

/// Secrets by upstream Configuration key, in clear (in memory only).
pub type HeldSecrets = BTreeMap<String, SecretString>;

/// Which upstream instance of a configuration a secret was given to: OOS
/// keys configurations by name only, so one deleted and re-created under
/// the same name elsewhere is told apart by its CreatedDate and webhook.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Instance {
    /// CreatedDate, epoch milliseconds.
    pub created: Option<i64>,
    /// Outputs.URL, unique per created configuration.
    pub webhook: Option<String>,
}

impl Instance {
    pub fn of(summary: &ChatConfigSummary) -> Instance {
        Instance {
            created: summary.created.map(Timestamp::epoch_millis),
            webhook: summary.webhook_url.clone(),
        }
    }

    /// What a create answered (its webhook from the Get that follows it).
    pub fn created(saved: &ChatConfigSaved) -> Instance {
        Instance {
            created: saved.created.map(Timestamp::epoch_millis),
            webhook: saved.webhook_url.clone(),
        }
    }

    /// Whether a secret held for `self` belongs to `now`: the same
    /// CreatedDate (an unknown one proves nothing), and the same webhook
    /// when both are known. Dates compare to the second: OOS writes them
    /// with and without fractions.
    pub fn holds_for(&self, now: &Instance) -> bool {
        let second = |ms: Option<i64>| ms.map(|ms| ms.div_euclid(1000));
        let created = self.created.is_some() && second(self.created) == second(now.created);
        let webhook = match (&self.webhook, &now.webhook) {
            (Some(held), Some(now)) => held == now,
            _ => true,
        };
        created && webhook
    }
}

/// The secrets chatdesk holds for a configuration, each with the instance
/// it was given to; [`Held::for_instance`] keeps those that still apply.
#[derive(Default)]
pub struct Held(Vec<(String, Instance, SecretString)>);

impl Held {
    pub fn for_instance(self, now: &Instance) -> HeldSecrets {
        self.0
            .into_iter()
            .filter(|(_, held, _)| held.holds_for(now))
            .map(|(key, _, secret)| (key, secret))
            .collect()
    }
}

/// The associated data binding a ciphertext to its configuration and key.
/// Account ids, regions and keys hold no `/`, so a name (which may) is
/// still read back unambiguously.
fn sealed_id(config: &ConfigRef, key: &str) -> String {
    format!(
        "{}/{}/{}/{key}",
        config.account_id, config.region_id, config.name
    )
}

/// The labels of every configuration of an account in a region.
pub async fn region_labels(
    db: &Db,
    account_id: &str,
    region_id: &RegionId,
) -> anyhow::Result<HashMap<String, Vec<Label>>> {
    let rows = sqlx::query(
        "SELECT name, label FROM chat_config_labels \
         WHERE account_id = $1 AND region_id = $2 ORDER BY name, label",
    )
    .bind(account_id)
    .bind(region_id.as_str())
    .fetch_all(db.pool())
    .await?;
    let mut out: HashMap<String, Vec<Label>> = HashMap::new();
    for row in rows {
        let label: String = row.try_get("label")?;
        // A label stored by an older rule is shown as long as it parses.
        if let Ok(label) = Label::parse(&label) {
            out.entry(row.try_get("name")?).or_default().push(label);
        }
    }
    Ok(out)
}

pub async fn labels(db: &Db, config: &ConfigRef) -> anyhow::Result<Vec<Label>> {
    let mut all = region_labels(db, &config.account_id, &config.region_id).await?;
    Ok(all.remove(config.name.as_str()).unwrap_or_default())
}

/// What a read shows of a configuration beside OOS's answer.
#[derive(Clone, Debug, Default)]
pub struct Kept {
    pub labels: Vec<Label>,
    /// The Configuration keys whose secret chatdesk holds, with the
    /// instance each was given to.
    pub held_keys: Vec<(String, Instance)>,
}

/// [`Kept`] by `account/region/name`.
type KeptCache = RowCache<String, Kept>;

/// The chat configurations' rows, with the cache of what every read shows
/// of them ([`Kept`]): its one owner, so every change here invalidates it.
#[derive(Clone, Debug)]
pub struct ChatConfigStore {
    db: Db,
    kept: Arc<KeptCache>,
}

fn cache_key(config: &ConfigRef) -> String {
    format!("{}/{}/{}", config.account_id, config.region_id, config.name)
}

impl ChatConfigStore {
    pub fn new(db: Db) -> ChatConfigStore {
        ChatConfigStore {
            db,
            kept: Arc::default(),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// A transaction for a change's local half (commit or forget).
    pub async fn begin(&self) -> anyhow::Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.db.pool().begin().await?)
    }

    /// The labels and held secret keys of `config`, from the cache when it
    /// has them: every change calls [`Self::forget_kept`] after committing.
    pub async fn kept(&self, config: &ConfigRef) -> anyhow::Result<Kept> {
        let db = &self.db;
        let load = || async {
            let (labels, held_keys) = tokio::try_join!(labels(db, config), held_keys(db, config))?;
            anyhow::Ok(Some(Kept { labels, held_keys }))
        };
        let kept = self.kept.get_or_load(&cache_key(config), load).await?;
        Ok(kept.unwrap_or_default())
    }

    /// Forgets the cached [`Kept`] of `config` after a committed change.
    pub fn forget_kept(&self, config: &ConfigRef) {
        self.kept.invalidate(&cache_key(config));
    }
}

fn instance_of(row: &sqlx::any::AnyRow) -> Result<Instance, sqlx::Error> {
    Ok(Instance {
        created: row.try_get("instance_created")?,
        webhook: row.try_get("instance_webhook")?,
    })
}

/// The Configuration keys whose secret chatdesk holds, without opening
/// them (what a read needs to know).
pub async fn held_keys(db: &Db, config: &ConfigRef) -> anyhow::Result<Vec<(String, Instance)>> {
    let rows = sqlx::query(
        "SELECT config_key, instance_created, instance_webhook FROM chat_config_secrets \
         WHERE account_id = $1 AND region_id = $2 AND name = $3 ORDER BY config_key",
    )
    .bind(&config.account_id)
    .bind(config.region_id.as_str())
    .bind(config.name.as_str())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("config_key")?, instance_of(r)?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The secrets chatdesk holds for `config`, opened.
pub async fn held_secrets(db: &Db, key: &MasterKey, config: &ConfigRef) -> anyhow::Result<Held> {
    let rows = sqlx::query(
        "SELECT config_key, secret_ciphertext, instance_created, instance_webhook \
         FROM chat_config_secrets WHERE account_id = $1 AND region_id = $2 AND name = $3",
    )
    .bind(&config.account_id)
    .bind(config.region_id.as_str())
    .bind(config.name.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let config_key: String = row.try_get("config_key")?;
            let sealed: String = row.try_get("secret_ciphertext")?;
            let secret = key.open(SEALED_KIND, &sealed_id(config, &config_key), &sealed)?;
            Ok((config_key, instance_of(row)?, secret))
        })
        .collect::<anyhow::Result<_>>()
        .map(Held)
}

fn where_config(sql: &str) -> String {
    format!("{sql} WHERE account_id = $1 AND region_id = $2 AND name = $3")
}

/// Replaces the labels of `config` inside the caller's transaction.
pub async fn set_labels(
    conn: &mut AnyConnection,
    config: &ConfigRef,
    labels: &[Label],
) -> anyhow::Result<()> {
    delete_from(conn, "chat_config_labels", config).await?;
    let now = now_ms();
    for label in labels {
        sqlx::query(
            "INSERT INTO chat_config_labels (account_id, region_id, name, label, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&config.account_id)
        .bind(config.region_id.as_str())
        .bind(config.name.as_str())
        .bind(label.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Replaces the held secrets of `config` with `secrets`, sealed and given
/// to `instance`, inside the caller's transaction.
pub async fn set_secrets(
    conn: &mut AnyConnection,
    key: &MasterKey,
    config: &ConfigRef,
    secrets: &HeldSecrets,
    instance: &Instance,
) -> anyhow::Result<()> {
    delete_from(conn, "chat_config_secrets", config).await?;
    let now = now_ms();
    for (config_key, secret) in secrets {
        let sealed = key.seal(SEALED_KIND, &sealed_id(config, config_key), secret)?;
        sqlx::query(
            "INSERT INTO chat_config_secrets \
             (account_id, region_id, name, config_key, secret_ciphertext, updated_at, \
              instance_created, instance_webhook) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&config.account_id)
        .bind(config.region_id.as_str())
        .bind(config.name.as_str())
        .bind(config_key)
        .bind(sealed)
        .bind(now)
        .bind(instance.created)
        .bind(instance.webhook.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Forgets labels and secrets of a deleted configuration.
pub async fn forget(conn: &mut AnyConnection, config: &ConfigRef) -> anyhow::Result<()> {
    delete_from(conn, "chat_config_labels", config).await?;
    delete_from(conn, "chat_config_secrets", config).await
}

async fn delete_from(
    conn: &mut AnyConnection,
    table: &str,
    config: &ConfigRef,
) -> anyhow::Result<()> {
    sqlx::query(&where_config(&format!("DELETE FROM {table}")))
        .bind(&config.account_id)
        .bind(config.region_id.as_str())
        .bind(config.name.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// A reference from its parts (for tests and the HTTP paths).
pub fn config_ref(account_id: &str, region_id: RegionId, name: ConfigName) -> ConfigRef {
    ConfigRef {
        account_id: account_id.to_owned(),
        region_id,
        name,
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;
    use sqlx::Row;

    use super::*;
    use crate::db::{Backend, new_id};
    use crate::testing::TestDb;

    async fn account(db: &Db) -> String {
        let id = new_id();
        sqlx::query(
            "INSERT INTO alibaba_accounts \
             (id, name, secret_ciphertext, fingerprint, signature, regions, created_at, updated_at) \
             VALUES ($1, $2, 'x', 'f', 'v3', 'cn-hangzhou', 0, 0)",
        )
        .bind(&id)
        .bind(format!("acct {id}"))
        .execute(db.pool())
        .await
        .unwrap();
        id
    }

    fn config(account_id: &str, region: &str, name: &str) -> ConfigRef {
        config_ref(
            account_id,
            RegionId::parse(region).unwrap(),
            ConfigName::parse(name).unwrap(),
        )
    }

    fn labels_of(names: &[&str]) -> Vec<Label> {
        names.iter().map(|l| Label::parse(l).unwrap()).collect()
    }

    #[tokio::test]
    async fn labels_and_secrets_round_trip_on_every_backend() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            let db = &t.db;
            let key = MasterKey::generate();
            let acc = account(db).await;
            let bot = config(&acc, "cn-hangzhou", "bot");
            let other_region = config(&acc, "cn-shanghai", "bot");

            let mut tx = db.pool().begin().await.unwrap();
            set_labels(&mut tx, &bot, &labels_of(&["prod", "运维"]))
                .await
                .unwrap();
            set_labels(&mut tx, &other_region, &labels_of(&["test"]))
                .await
                .unwrap();
            let secrets: HeldSecrets = [(
                "DingTalkClientSecret".to_owned(),
                SecretString::from("s3cret"),
            )]
            .into();
            let first = Instance {
                created: Some(1_766_742_782_000),
                webhook: Some("https://u1.appflow.aliyunnest.com/webhook/".into()),
            };
            set_secrets(&mut tx, &key, &bot, &secrets, &first)
                .await
                .unwrap();
            tx.commit().await.unwrap();

            assert_eq!(
                labels(db, &bot).await.unwrap(),
                labels_of(&["prod", "运维"])
            );
            let region = region_labels(db, &acc, &bot.region_id).await.unwrap();
            assert_eq!(region.len(), 1, "{backend:?}: per region");
            let held = held_secrets(db, &key, &bot).await.unwrap();
            let held = held.for_instance(&first);
            assert_eq!(held["DingTalkClientSecret"].expose_secret(), "s3cret");
            assert_eq!(
                held_keys(db, &bot).await.unwrap(),
                [("DingTalkClientSecret".to_owned(), first.clone())]
            );
            assert!(
                held_secrets(db, &key, &other_region)
                    .await
                    .unwrap()
                    .for_instance(&first)
                    .is_empty()
            );
            // The same date written with its fraction is the same instance.
            let fraction = Instance {
                created: Some(1_766_742_782_178),
                ..first.clone()
            };
            let held = held_secrets(db, &key, &bot).await.unwrap();
            assert_eq!(held.for_instance(&fraction).len(), 1);
            // Another instance under the same name holds none of them.
            for other in [
                Instance {
                    created: Some(1_766_742_783_000),
                    ..first.clone()
                },
                Instance {
                    webhook: Some("https://u2.appflow.aliyunnest.com/webhook/".into()),
                    ..first.clone()
                },
                Instance::default(),
            ] {
                let held = held_secrets(db, &key, &bot).await.unwrap();
                assert!(held.for_instance(&other).is_empty(), "{other:?}");
            }

            // Sealed at rest, and bound to its configuration.
            let sealed: String = sqlx::query("SELECT secret_ciphertext FROM chat_config_secrets")
                .fetch_one(db.pool())
                .await
                .unwrap()
                .get(0);
            assert!(!sealed.contains("s3cret"));
            let mut tx = db.pool().begin().await.unwrap();
            sqlx::query(
                "INSERT INTO chat_config_secrets \
                 (account_id, region_id, name, config_key, secret_ciphertext, updated_at) \
                 VALUES ($1, 'cn-shanghai', 'bot', 'DingTalkClientSecret', $2, 0)",
            )
            .bind(&acc)
            .bind(&sealed)
            .execute(&mut *tx)
            .await
            .unwrap();
            tx.commit().await.unwrap();
            assert!(held_secrets(db, &key, &other_region).await.is_err());
            // A row from before instances were recorded proves nothing.
            sqlx::query("DELETE FROM chat_config_secrets WHERE region_id = 'cn-shanghai'")
                .execute(db.pool())
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO chat_config_secrets \
                 (account_id, region_id, name, config_key, secret_ciphertext, updated_at) \
                 VALUES ($1, 'cn-shanghai', 'bot', 'DingTalkClientSecret', $2, 0)",
            )
            .bind(&acc)
            .bind(
                key.seal(
                    SEALED_KIND,
                    &sealed_id(&other_region, "DingTalkClientSecret"),
                    &SecretString::from("old"),
                )
                .unwrap(),
            )
            .execute(db.pool())
            .await
            .unwrap();
            let legacy = held_secrets(db, &key, &other_region).await.unwrap();
            assert!(legacy.for_instance(&Instance::default()).is_empty());

            // Replacing is whole; forgetting removes both kinds.
            let mut tx = db.pool().begin().await.unwrap();
            set_labels(&mut tx, &bot, &labels_of(&["prod"]))
                .await
                .unwrap();
            set_secrets(&mut tx, &key, &bot, &HeldSecrets::new(), &first)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(labels(db, &bot).await.unwrap(), labels_of(&["prod"]));
            let held = held_secrets(db, &key, &bot).await.unwrap();
            assert!(held.for_instance(&first).is_empty());
            let mut tx = db.pool().begin().await.unwrap();
            forget(&mut tx, &bot).await.unwrap();
            tx.commit().await.unwrap();
            assert!(labels(db, &bot).await.unwrap().is_empty());

            // Deleting the account deletes what was kept for it.
            sqlx::query("DELETE FROM alibaba_accounts WHERE id = $1")
                .bind(&acc)
                .execute(db.pool())
                .await
                .unwrap();
            let left: i64 = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM chat_config_labels) \
                 + (SELECT COUNT(*) FROM chat_config_secrets)",
            )
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
            assert_eq!(left, 0, "{backend:?}");
        }
    }
}
