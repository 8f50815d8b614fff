//! The `users` table: how a row reads, for the users and for the sessions
//! (which join it), so that neither module needs the other to decode it,
//! and the statements [`super::users`] runs.

use shared::auth::{Role, User};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::UserError;
use crate::db::{Db, is_unique_violation, now_ms};

const COLUMNS: &str = "id, username, role, disabled, created_at";

/// A [`User`] from a row holding the user columns, the creation time under
/// `created_at_column` (joins rename it).
pub(super) fn user_from_row_with(row: &AnyRow, created_at_column: &str) -> anyhow::Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: Role::parse(&role)
            .ok_or_else(|| anyhow::anyhow!("unknown role {role:?} in the database"))?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get(created_at_column)?,
    })
}

fn user_from_row(row: &AnyRow) -> Result<User, UserError> {
    Ok(user_from_row_with(row, "created_at")?)
}

pub(super) async fn insert(
    conn: &mut AnyConnection,
    user: &User,
    hash: &str,
) -> Result<(), UserError> {
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5)",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(hash)
    .bind(user.role.as_str())
    .bind(user.created_at)
    .execute(conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            UserError::UsernameTaken(user.username.clone())
        } else {
            e.into()
        }
    })?;
    Ok(())
}

pub async fn list(db: &Db) -> Result<Vec<User>, UserError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(user_from_row).collect()
}

pub async fn get(db: &Db, id: &str) -> Result<User, UserError> {
    get_with(&mut *db.pool().acquire().await?, id).await
}

pub(super) async fn get_with(conn: &mut AnyConnection, id: &str) -> Result<User, UserError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(UserError::NotFound)?;
    user_from_row(&row)
}

pub async fn by_username(db: &Db, username: &str) -> Result<User, UserError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(db.pool())
        .await?
        .ok_or(UserError::NotFound)?;
    user_from_row(&row)
}

/// The user and their password hash, for signing in.
pub async fn credentials(db: &Db, username: &str) -> Result<Option<(User, String)>, UserError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub(super) async fn password_hash(db: &Db, id: &str) -> Result<String, UserError> {
    sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(UserError::NotFound)?
        .try_get("password_hash")
        .map_err(Into::into)
}

/// Stores the user's role and disabled flag.
pub(super) async fn set_role(conn: &mut AnyConnection, user: &User) -> Result<(), UserError> {
    sqlx::query("UPDATE users SET role = $1, disabled = $2 WHERE id = $3")
        .bind(user.role.as_str())
        .bind(i64::from(user.disabled))
        .bind(&user.id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the user's sessions, but for `keep` (a session's id hash).
pub(super) async fn end_sessions(
    conn: &mut AnyConnection,
    id: &str,
    keep: Option<&str>,
) -> Result<(), UserError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(id)
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores a new password hash; the user's name, or `None` when there is
/// no such user.
pub(super) async fn set_password_hash(
    conn: &mut AnyConnection,
    id: &str,
    hash: &str,
) -> Result<Option<String>, UserError> {
    let row = sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 RETURNING username",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get("username")).transpose()?)
}

/// Whether an enabled admin other than `id` is left.
pub(super) async fn other_admins(conn: &mut AnyConnection, id: &str) -> Result<bool, UserError> {
    let others: i64 = sqlx::query(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(others > 0)
}

pub(super) async fn count(db: &Db) -> Result<i64, UserError> {
    Ok(sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?
        .try_get(0)?)
}
