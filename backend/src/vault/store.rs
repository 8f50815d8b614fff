//! The vault's tables: the two kinds of credential (secrets already sealed
//! when they get here), which one of each kind is the default, and each
//! user's last pick.

use shared::vault::{
    AlibabaAccount, DingTalkApi, DingTalkApp, DingTalkSite, Preferences, SignatureKind,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::VaultError;
use super::plan::{AlibabaPlan, DingTalkPlan, split_regions};
use crate::db::{self, Db, is_unique_violation, now_ms};

/// One kind's table and how its errors name it.
#[derive(Clone, Copy)]
pub(super) struct Table {
    pub name: &'static str,
    pub what: &'static str,
}

pub(super) const ALIBABA: Table = Table {
    name: "alibaba_accounts",
    what: "Alibaba Cloud account",
};
pub(super) const DINGTALK: Table = Table {
    name: "dingtalk_apps",
    what: "DingTalk app",
};

const ALIBABA_COLUMNS: &str = "id, name, fingerprint, secret_ciphertext, signature, regions, \
     updated_at, has_sts_token, sandbox, is_default";
const DINGTALK_COLUMNS: &str =
    "id, name, app_key, fingerprint, site, api, updated_at, sandbox, is_default, secret_ciphertext";

/// Runs the write of a credential named `name`; a name another credential
/// of its kind has is `NameTaken`.
async fn write<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    conn: &mut AnyConnection,
    name: &str,
) -> Result<(), VaultError> {
    match query.execute(conn).await {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(VaultError::NameTaken(name.to_owned())),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn alibaba_view(row: &AnyRow) -> Result<AlibabaAccount, VaultError> {
    let signature: String = row.try_get("signature")?;
    Ok(AlibabaAccount {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        fingerprint: row.try_get("fingerprint")?,
        // Kept beside the ciphertext so that listing decrypts nothing.
        has_sts_token: row.try_get::<Option<i64>, _>("has_sts_token")? == Some(1),
        signature: SignatureKind::parse(&signature).unwrap_or_default(),
        regions: split_regions(&row.try_get::<String, _>("regions")?),
        updated_at: row.try_get("updated_at")?,
        sandbox: row.try_get::<i64, _>("sandbox")? != 0,
        default: row.try_get::<i64, _>("is_default")? != 0,
    })
}

pub(super) fn dingtalk_view(row: &AnyRow) -> Result<DingTalkApp, VaultError> {
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
        default: row.try_get::<i64, _>("is_default")? != 0,
    })
}

pub(super) async fn list(db: &Db, table: Table) -> Result<Vec<AnyRow>, VaultError> {
    let columns = columns(table);
    let sql = format!("SELECT {columns} FROM {} ORDER BY name", table.name);
    Ok(sqlx::query(&sql).fetch_all(db.pool()).await?)
}

fn columns(table: Table) -> &'static str {
    if table.name == ALIBABA.name {
        ALIBABA_COLUMNS
    } else {
        DINGTALK_COLUMNS
    }
}

/// Row `id` of `table`, or the kind's not-found error.
pub(super) async fn row(
    conn: &mut AnyConnection,
    table: Table,
    id: &str,
) -> Result<AnyRow, VaultError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = $1",
        columns(table),
        table.name
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(VaultError::NotFound(table.what))
}

/// Whether `table` holds no credential yet: the first one stored becomes
/// the default of its kind.
pub(super) async fn is_empty(conn: &mut AnyConnection, table: Table) -> Result<bool, VaultError> {
    let sql = format!("SELECT COUNT(*) FROM {}", table.name);
    let count: i64 = sqlx::query(&sql).fetch_one(conn).await?.try_get(0)?;
    Ok(count == 0)
}

pub(super) struct NewRow<'a> {
    pub id: &'a str,
    pub sealed: String,
    pub sandbox: bool,
    pub default: bool,
}

pub(super) async fn insert_alibaba(
    conn: &mut AnyConnection,
    row: NewRow<'_>,
    plan: &AlibabaPlan,
) -> Result<(), VaultError> {
    let query = sqlx::query(
        "INSERT INTO alibaba_accounts \
         (id, name, secret_ciphertext, fingerprint, signature, regions, created_at, updated_at, \
         has_sts_token, sandbox, is_default) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10)",
    )
    .bind(row.id)
    .bind(&plan.name)
    .bind(row.sealed)
    .bind(&plan.fingerprint)
    .bind(plan.signature.as_str())
    .bind(&plan.regions)
    .bind(now_ms())
    .bind(i64::from(plan.secret.sts_token.is_some()))
    .bind(i64::from(row.sandbox))
    .bind(i64::from(row.default));
    write(query, conn, &plan.name).await
}

pub(super) async fn update_alibaba(
    conn: &mut AnyConnection,
    id: &str,
    sealed: String,
    plan: &AlibabaPlan,
) -> Result<(), VaultError> {
    let query = sqlx::query(
        "UPDATE alibaba_accounts SET name = $1, secret_ciphertext = $2, fingerprint = $3, \
         signature = $4, regions = $5, updated_at = $6, has_sts_token = $7 WHERE id = $8",
    )
    .bind(&plan.name)
    .bind(sealed)
    .bind(&plan.fingerprint)
    .bind(plan.signature.as_str())
    .bind(&plan.regions)
    .bind(now_ms())
    .bind(i64::from(plan.secret.sts_token.is_some()))
    .bind(id);
    write(query, conn, &plan.name).await
}

pub(super) async fn insert_dingtalk(
    conn: &mut AnyConnection,
    row: NewRow<'_>,
    plan: &DingTalkPlan,
) -> Result<(), VaultError> {
    let query = sqlx::query(
        "INSERT INTO dingtalk_apps \
         (id, name, app_key, secret_ciphertext, fingerprint, site, api, created_at, updated_at, \
         sandbox, is_default) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)",
    )
    .bind(row.id)
    .bind(&plan.name)
    .bind(&plan.app_key)
    .bind(row.sealed)
    .bind(&plan.fingerprint)
    .bind(plan.site.as_str())
    .bind(plan.api.as_str())
    .bind(now_ms())
    .bind(i64::from(row.sandbox))
    .bind(i64::from(row.default));
    write(query, conn, &plan.name).await
}

/// `sealed`: the new secret's ciphertext, or `None` to keep the held one.
pub(super) async fn update_dingtalk(
    conn: &mut AnyConnection,
    id: &str,
    sealed: Option<String>,
    plan: &DingTalkPlan,
) -> Result<(), VaultError> {
    let query = sqlx::query(
        "UPDATE dingtalk_apps SET name = $1, app_key = $2, \
         secret_ciphertext = COALESCE($3, secret_ciphertext), fingerprint = $4, site = $5, \
         api = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&plan.name)
    .bind(&plan.app_key)
    .bind(sealed)
    .bind(&plan.fingerprint)
    .bind(plan.site.as_str())
    .bind(plan.api.as_str())
    .bind(now_ms())
    .bind(id);
    write(query, conn, &plan.name).await
}

/// The transaction changing row `id` of `table` (see [`db::claim`]).
pub(super) async fn claim(
    db: &Db,
    table: Table,
    id: &str,
) -> Result<Transaction<'static, Any>, VaultError> {
    db::claim(db, table.name, id)
        .await?
        .ok_or(VaultError::NotFound(table.what))
}

/// Deleting a credential also forgets every user's pick of it (the
/// preferences' foreign keys set it to null).
pub(super) async fn delete(
    conn: &mut AnyConnection,
    table: Table,
    id: &str,
) -> Result<(), VaultError> {
    sqlx::query(&format!("DELETE FROM {} WHERE id = $1", table.name))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Makes `id` the one default of `table`; whether it already was. Unmarks
/// the old default first: at most one row may be marked at any time (a
/// unique index holds it).
pub(super) async fn set_default(
    db: &Db,
    table: Table,
    id: &str,
) -> Result<(Transaction<'static, Any>, bool), VaultError> {
    let mut tx = db.pool().begin().await?;
    let sql = format!(
        "UPDATE {} SET is_default = 0 WHERE is_default = 1 AND id <> $1",
        table.name
    );
    sqlx::query(&sql).bind(id).execute(&mut *tx).await?;
    let sql = format!(
        "UPDATE {} SET is_default = 1 WHERE id = $1 AND is_default = 0",
        table.name
    );
    let marked = sqlx::query(&sql)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if marked == 0 && !exists(&mut tx, table, id).await? {
        tx.rollback().await?;
        return Err(VaultError::NotFound(table.what));
    }
    Ok((tx, marked == 0))
}

pub(super) async fn exists(
    conn: &mut AnyConnection,
    table: Table,
    id: &str,
) -> Result<bool, VaultError> {
    let sql = format!("SELECT COUNT(*) FROM {} WHERE id = $1", table.name);
    let count: i64 = sqlx::query(&sql)
        .bind(id)
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(count > 0)
}

/// The user's picks; none when they never stored any.
pub(super) async fn preferences(db: &Db, user_id: &str) -> Result<Preferences, VaultError> {
    let row = sqlx::query(
        "SELECT alibaba_account_id, dingtalk_app_id FROM credential_preferences \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        Some(row) => Preferences {
            alibaba: row.try_get("alibaba_account_id")?,
            dingtalk: row.try_get("dingtalk_app_id")?,
        },
        None => Preferences::default(),
    })
}

/// Replaces the user's picks (ids already checked to be stored).
pub(super) async fn set_preferences(
    conn: &mut AnyConnection,
    user_id: &str,
    picks: &Preferences,
) -> Result<(), VaultError> {
    sqlx::query(
        "INSERT INTO credential_preferences \
         (user_id, alibaba_account_id, dingtalk_app_id, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET alibaba_account_id = excluded.alibaba_account_id, \
         dingtalk_app_id = excluded.dingtalk_app_id, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(picks.alibaba.as_deref())
    .bind(picks.dingtalk.as_deref())
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}
