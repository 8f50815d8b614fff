//! Local accounts: stored with an argon2id hash, managed by admins (API)
//! or by an operator on the server (CLI).

use secrecy::SecretString;
use serde_json::Value;
use shared::audit::{FieldChange, SecretChange};
use shared::auth::{Role, User, UserUpdate, check_new_password, check_username};
use shared::validate::{InvalidField, Problem};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::password;
use super::plan::{self, audit_state};
use super::sessions::Sessions;
use super::store::user_from_row_with;
use crate::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use crate::db::{Db, claim, is_unique_violation, new_id, now_ms};
use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("no such user")]
    NotFound,
    #[error("username: {0:?} is taken")]
    UsernameTaken(String),
    #[error("{0}")]
    Invalid(InvalidField),
    #[error("this would leave no enabled admin")]
    LastAdmin,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

crate::internal_errors!(UserError);

impl From<UserError> for ApiError {
    fn from(err: UserError) -> ApiError {
        match err {
            UserError::NotFound => ApiError::NotFound("user"),
            UserError::UsernameTaken(name) => ApiError::Conflict {
                field: "username".into(),
                message: format!("{name:?} is taken"),
            },
            UserError::Invalid(err) => err.into(),
            UserError::LastAdmin => ApiError::Conflict {
                field: "role".into(),
                message: "this would leave no enabled admin".into(),
            },
            UserError::Internal(err) => ApiError::Internal(err),
        }
    }
}

const COLUMNS: &str = "id, username, role, disabled, created_at";

fn user_from_row(row: &AnyRow) -> Result<User, UserError> {
    Ok(user_from_row_with(row, "created_at")?)
}

fn audit_target(id: &str, username: &str) -> Target {
    Target::new(TargetKind::User, id, username)
}

fn checked_password(field: &'static str, password: &str) -> Result<SecretString, UserError> {
    check_new_password(password).map_err(|e| {
        UserError::Invalid(InvalidField {
            field: field.into(),
            ..e
        })
    })?;
    Ok(SecretString::from(password.to_owned()))
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    username: &str,
    role: Role,
    password: &str,
) -> Result<User, UserError> {
    check_username(username).map_err(|e| {
        UserError::Invalid(InvalidField {
            field: "username".into(),
            ..e
        })
    })?;
    let hash = password::hash(checked_password("password", password)?).await?;
    let user = User {
        id: new_id(),
        username: username.to_owned(),
        role,
        disabled: false,
        created_at: now_ms(),
    };
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5)",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(&hash)
    .bind(role.as_str())
    .bind(user.created_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            UserError::UsernameTaken(username.to_owned())
        } else {
            e.into()
        }
    })?;
    let event = NewEvent::success(
        actor.clone(),
        AuditAction::UserCreate,
        audit_target(&user.id, &user.username),
    )
    .with_changes(audit::diff(&Value::Null, &audit_state(&user), &[]));
    audit::append(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(user)
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

async fn get_with(conn: &mut AnyConnection, id: &str) -> Result<User, UserError> {
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

async fn password_hash(db: &Db, id: &str) -> Result<String, UserError> {
    sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(UserError::NotFound)?
        .try_get("password_hash")
        .map_err(Into::into)
}

/// Changes role and/or the disabled flag, refusing to leave the console
/// without an enabled admin. Disabling ends the user's sessions.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: &str,
    update: &UserUpdate,
) -> Result<User, UserError> {
    let Some(mut tx) = claim(db, "users", id).await? else {
        return Err(UserError::NotFound);
    };
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let plan = plan::user_update(&user_from_row(&row)?, update);
    if plan.removes_an_admin && !other_admins(&mut tx, id).await? {
        // Explicitly, so the connection goes back to the pool clean.
        tx.rollback().await?;
        return Err(UserError::LastAdmin);
    }
    let user = plan.after;
    sqlx::query("UPDATE users SET role = $1, disabled = $2 WHERE id = $3")
        .bind(user.role.as_str())
        .bind(i64::from(user.disabled))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if user.disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let event = NewEvent::success(actor.clone(), plan.action, audit_target(id, &user.username))
        .with_changes(plan.changes);
    audit::append(&mut tx, &event).await?;
    tx.commit().await?;
    // A new role or a disabled account applies to the next request.
    Sessions::new(db.clone()).forget_user(id);
    Ok(user)
}

/// What [`update`] would change (or why it would refuse), stored nowhere.
pub async fn preview(
    db: &Db,
    id: &str,
    update: &UserUpdate,
) -> Result<Vec<FieldChange>, UserError> {
    let mut conn = db.pool().acquire().await?;
    let plan = plan::user_update(&get_with(&mut conn, id).await?, update);
    if plan.removes_an_admin && !other_admins(&mut conn, id).await? {
        return Err(UserError::LastAdmin);
    }
    Ok(plan.changes)
}

/// Whether an enabled admin other than `id` is left.
async fn other_admins(conn: &mut AnyConnection, id: &str) -> Result<bool, UserError> {
    let others: i64 = sqlx::query(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(others > 0)
}

/// Sets a user's password on an operator's or admin's behalf and ends all
/// the user's sessions.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    id: &str,
    new_password: &str,
) -> Result<(), UserError> {
    let hash = password::hash(checked_password("new_password", new_password)?).await?;
    store_password(db, actor, AuditAction::UserPasswordReset, id, &hash, None).await
}

/// Stores a new password hash and ends the user's sessions except
/// `keep_session` (the caller's own, when users change their own password).
async fn store_password(
    db: &Db,
    actor: &Actor,
    action: AuditAction,
    id: &str,
    hash: &str,
    keep_session: Option<&str>,
) -> Result<(), UserError> {
    let mut tx = db.pool().begin().await?;
    let Some(row) = sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 RETURNING username",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    else {
        tx.rollback().await?;
        return Err(UserError::NotFound);
    };
    let username: String = row.try_get("username")?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(id)
        .bind(keep_session.unwrap_or(""))
        .execute(&mut *tx)
        .await?;
    let event =
        NewEvent::success(actor.clone(), action, audit_target(id, &username)).with_changes(vec![
            FieldChange {
                field: "password".into(),
                before: None,
                after: None,
                secret: Some(SecretChange::Changed),
            },
        ]);
    audit::append(&mut tx, &event).await?;
    tx.commit().await?;
    // The sessions just ended must not live on in the cache.
    Sessions::new(db.clone()).forget_user(id);
    Ok(())
}

/// A user's own password change: the current one must be right. The
/// session `session` stays; the user's others end.
pub async fn change_own_password(
    db: &Db,
    actor: &Actor,
    id: &str,
    current: &str,
    new_password: &str,
    session: &str,
) -> Result<(), UserError> {
    let hash = password_hash(db, id).await?;
    if !password::verify(SecretString::from(current.to_owned()), Some(hash)).await {
        return Err(UserError::Invalid(
            InvalidField::new("current_password", "is not your current password")
                .because(Problem::WrongPassword),
        ));
    }
    let hash = password::hash(checked_password("new_password", new_password)?).await?;
    store_password(db, actor, AuditAction::UserUpdate, id, &hash, Some(session)).await
}

/// On first start (no users at all) creates `admin` with `password` or a
/// random one. Returns the password only when it made one up, for the
/// caller to show once: a chosen one is the operator's and never shown.
pub async fn ensure_first_admin(
    db: &Db,
    actor: &Actor,
    password: Option<String>,
) -> Result<Option<String>, UserError> {
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?
        .try_get(0)?;
    if count > 0 {
        return Ok(None);
    }
    let generated = password.is_none();
    let password = password.unwrap_or_else(password::random_password);
    match create(db, actor, "admin", Role::Admin, &password).await {
        Ok(_) => Ok(generated.then_some(password)),
        // Another instance sharing the database created it first.
        Err(UserError::UsernameTaken(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Backend;
    use crate::testing::TestDb;

    const PW: &str = "a long password";

    fn op() -> Actor {
        Actor::cli()
    }

    #[tokio::test]
    async fn users_are_created_listed_and_unique() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            let alice = create(&t.db, &op(), "alice", Role::Helpdesk, PW)
                .await
                .unwrap();
            create(&t.db, &op(), "bob", Role::Auditor, PW)
                .await
                .unwrap();
            assert!(matches!(
                create(&t.db, &op(), "alice", Role::Admin, PW).await,
                Err(UserError::UsernameTaken(_))
            ));
            assert!(matches!(
                create(&t.db, &op(), "carol", Role::Admin, "short").await,
                Err(UserError::Invalid(e)) if e.field == "password"
            ));
            assert!(matches!(
                create(&t.db, &op(), "Bad Name", Role::Admin, PW).await,
                Err(UserError::Invalid(e)) if e.field == "username"
            ));
            let names: Vec<_> = list(&t.db)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.username)
                .collect();
            assert_eq!(names, ["alice", "bob"]);
            assert_eq!(get(&t.db, &alice.id).await.unwrap(), alice);
            let (user, hash) = credentials(&t.db, "alice").await.unwrap().unwrap();
            assert_eq!(user, alice);
            assert!(password::verify_blocking(&SecretString::from(PW), &hash));
            assert!(credentials(&t.db, "nobody").await.unwrap().is_none());
        }
    }

    #[tokio::test]
    async fn the_last_enabled_admin_cannot_be_demoted_or_disabled() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            // A chosen password is the operator's: nothing to show.
            let first = ensure_first_admin(&t.db, &op(), Some(PW.into()))
                .await
                .unwrap();
            assert_eq!(first, None);
            let (stored, hash) = credentials(&t.db, "admin").await.unwrap().unwrap();
            assert_eq!(stored.role, Role::Admin);
            assert!(password::verify_blocking(&SecretString::from(PW), &hash));
            assert_eq!(ensure_first_admin(&t.db, &op(), None).await.unwrap(), None);
            let admin = by_username(&t.db, "admin").await.unwrap();
            let demote = UserUpdate {
                role: Some(Role::Auditor),
                disabled: None,
            };
            let disable = UserUpdate {
                role: None,
                disabled: Some(true),
            };
            assert!(matches!(
                update(&t.db, &op(), &admin.id, &demote).await,
                Err(UserError::LastAdmin)
            ));
            assert!(matches!(
                update(&t.db, &op(), &admin.id, &disable).await,
                Err(UserError::LastAdmin)
            ));

            let second = create(&t.db, &op(), "root2", Role::Admin, PW)
                .await
                .unwrap();
            let updated = update(&t.db, &op(), &admin.id, &disable).await.unwrap();
            assert!(updated.disabled);
            assert!(matches!(
                update(&t.db, &op(), &second.id, &demote).await,
                Err(UserError::LastAdmin)
            ));
            let enabled = update(
                &t.db,
                &op(),
                &admin.id,
                &UserUpdate {
                    role: None,
                    disabled: Some(false),
                },
            )
            .await
            .unwrap();
            assert!(!enabled.disabled);
            assert!(matches!(
                update(&t.db, &op(), "missing", &demote).await,
                Err(UserError::NotFound)
            ));
        }
    }

    #[tokio::test]
    async fn own_password_change_needs_the_current_one() {
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            let user = create(&t.db, &op(), "dana", Role::Auditor, PW)
                .await
                .unwrap();
            let err = change_own_password(
                &t.db,
                &op(),
                &user.id,
                "wrong password",
                "new long password",
                "s",
            )
            .await
            .unwrap_err();
            assert!(matches!(
                err,
                UserError::Invalid(ref e) if e.field == "current_password"
            ));
            change_own_password(&t.db, &op(), &user.id, PW, "new long password", "s")
                .await
                .unwrap();
            let (_, hash) = credentials(&t.db, "dana").await.unwrap().unwrap();
            assert!(password::verify_blocking(
                &SecretString::from("new long password"),
                &hash
            ));
        }
    }
}
