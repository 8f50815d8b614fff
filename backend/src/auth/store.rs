//! How a `users` row reads, for the users and for the sessions (which
//! join it), so that neither module needs the other to decode it.

use shared::auth::{Role, User};
use sqlx::Row;
use sqlx::any::AnyRow;

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
