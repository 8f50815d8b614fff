//! What chatdesk keeps of a chat configuration beside OOS: console labels
//! and the write-only secrets it was given, sealed like the vault.

use std::collections::{BTreeMap, HashMap};

use secrecy::SecretString;
use shared::chat_configs::{ConfigName, ConfigRef, Label, RegionId};
use sqlx::{AnyConnection, Row};

use crate::cache::RowCache;
use crate::db::{Db, now_ms};
use crate::vault::MasterKey;

/// The vault kind the secrets are sealed under.
const SEALED_KIND: &str = "chat_config_secret";

/// Secrets by upstream Configuration key, in clear (in memory only).
pub type HeldSecrets = BTreeMap<String, SecretString>;

/// The associated data binding a ciphertext to its configuration and key:
/// none of the parts can contain `/`.
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
    /// The Configuration keys whose secret chatdesk holds.
    pub held_keys: Vec<String>,
}

/// [`Kept`] by `account/region/name`.
pub type KeptCache = RowCache<String, Kept>;

fn cache_key(config: &ConfigRef) -> String {
    format!("{}/{}/{}", config.account_id, config.region_id, config.name)
}

/// The labels and held secret keys of `config`, from the cache when it
/// has them: every change here calls [`forget_kept`] after committing.
pub async fn kept(db: &Db, config: &ConfigRef) -> anyhow::Result<Kept> {
    let load = || async {
        let (labels, held_keys) = tokio::try_join!(labels(db, config), held_keys(db, config))?;
        anyhow::Ok(Some(Kept { labels, held_keys }))
    };
    let kept = db
        .caches()
        .chat_configs
        .get_or_load(&cache_key(config), load)
        .await?;
    Ok(kept.unwrap_or_default())
}

/// Forgets the cached [`Kept`] of `config` after a committed change.
pub fn forget_kept(db: &Db, config: &ConfigRef) {
    db.caches().chat_configs.invalidate(&cache_key(config));
}

/// The Configuration keys whose secret chatdesk holds, without opening
/// them (what a read needs to know).
pub async fn held_keys(db: &Db, config: &ConfigRef) -> anyhow::Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT config_key FROM chat_config_secrets \
         WHERE account_id = $1 AND region_id = $2 AND name = $3 ORDER BY config_key",
    )
    .bind(&config.account_id)
    .bind(config.region_id.as_str())
    .bind(config.name.as_str())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("config_key"))
        .collect::<Result<_, _>>()?)
}

/// The secrets chatdesk holds for `config`, opened.
pub async fn held_secrets(
    db: &Db,
    key: &MasterKey,
    config: &ConfigRef,
) -> anyhow::Result<HeldSecrets> {
    let rows = sqlx::query(
        "SELECT config_key, secret_ciphertext FROM chat_config_secrets \
         WHERE account_id = $1 AND region_id = $2 AND name = $3",
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
            Ok((config_key, secret))
        })
        .collect()
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

/// Replaces the held secrets of `config` with `secrets`, sealed, inside the
/// caller's transaction.
pub async fn set_secrets(
    conn: &mut AnyConnection,
    key: &MasterKey,
    config: &ConfigRef,
    secrets: &HeldSecrets,
) -> anyhow::Result<()> {
    delete_from(conn, "chat_config_secrets", config).await?;
    let now = now_ms();
    for (config_key, secret) in secrets {
        let sealed = key.seal(SEALED_KIND, &sealed_id(config, config_key), secret)?;
        sqlx::query(
            "INSERT INTO chat_config_secrets \
             (account_id, region_id, name, config_key, secret_ciphertext, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&config.account_id)
        .bind(config.region_id.as_str())
        .bind(config.name.as_str())
        .bind(config_key)
        .bind(sealed)
        .bind(now)
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
    use crate::db::testing::TestDb;
    use crate::db::{Backend, new_id};

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
            set_secrets(&mut tx, &key, &bot, &secrets).await.unwrap();
            tx.commit().await.unwrap();

            assert_eq!(
                labels(db, &bot).await.unwrap(),
                labels_of(&["prod", "运维"])
            );
            let region = region_labels(db, &acc, &bot.region_id).await.unwrap();
            assert_eq!(region.len(), 1, "{backend:?}: per region");
            let held = held_secrets(db, &key, &bot).await.unwrap();
            assert_eq!(held["DingTalkClientSecret"].expose_secret(), "s3cret");
            assert_eq!(held_keys(db, &bot).await.unwrap(), ["DingTalkClientSecret"]);
            assert!(
                held_secrets(db, &key, &other_region)
                    .await
                    .unwrap()
                    .is_empty()
            );

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

            // Replacing is whole; forgetting removes both kinds.
            let mut tx = db.pool().begin().await.unwrap();
            set_labels(&mut tx, &bot, &labels_of(&["prod"]))
                .await
                .unwrap();
            set_secrets(&mut tx, &key, &bot, &HeldSecrets::new())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(labels(db, &bot).await.unwrap(), labels_of(&["prod"]));
            assert!(held_secrets(db, &key, &bot).await.unwrap().is_empty());
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
