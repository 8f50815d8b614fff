//! Local accounts: stored with an argon2id hash, managed by admins (API)
//! or by an operator on the server (CLI). Each change checks and plans
//! ([`super::plan`]), writes ([`super::store`]) and records its event in
//! the same transaction.

use secrecy::SecretString;
use shared::audit::FieldChange;
use shared::auth::{Role, User, UserUpdate};
use shared::validate::{InvalidField, Problem};

use super::plan::{self, checked_password};
use super::sessions::Sessions;
use super::store;
pub use super::store::{by_username, credentials, get, list};
use super::{UserError, password};
use crate::audit::{self, Actor, AuditAction, NewEvent};
use crate::db::{Db, claim, new_id, now_ms};

pub async fn create(
    db: &Db,
    actor: &Actor,
    username: &str,
    role: Role,
    password: &str,
) -> Result<User, UserError> {
    plan::checked_username(username)?;
    let hash = password::hash(checked_password("password", password)?).await?;
    let user = User {
        id: new_id(),
        username: username.to_owned(),
        role,
        disabled: false,
        created_at: now_ms(),
    };
    let mut tx = db.pool().begin().await?;
    store::insert(&mut tx, &user, &hash).await?;
    let event = NewEvent::success(
        actor.clone(),
        AuditAction::UserCreate,
        plan::target(&user.id, &user.username),
    )
    .with_changes(plan::user_create(&user));
    audit::append(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(user)
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
    let plan = plan::user_update(&store::get_with(&mut tx, id).await?, update);
    if plan.removes_an_admin && !store::other_admins(&mut tx, id).await? {
        // Explicitly, so the connection goes back to the pool clean.
        tx.rollback().await?;
        return Err(UserError::LastAdmin);
    }
    let user = plan.after;
    store::set_role(&mut tx, &user).await?;
    if user.disabled {
        store::end_sessions(&mut tx, id, None).await?;
    }
    let event = NewEvent::success(actor.clone(), plan.action, plan::target(id, &user.username))
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
    let plan = plan::user_update(&store::get_with(&mut conn, id).await?, update);
    if plan.removes_an_admin && !store::other_admins(&mut conn, id).await? {
        return Err(UserError::LastAdmin);
    }
    Ok(plan.changes)
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
    let Some(username) = store::set_password_hash(&mut tx, id, hash).await? else {
        tx.rollback().await?;
        return Err(UserError::NotFound);
    };
    store::end_sessions(&mut tx, id, keep_session).await?;
    let event = NewEvent::success(actor.clone(), action, plan::target(id, &username))
        .with_changes(plan::password_change());
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
    let hash = store::password_hash(db, id).await?;
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
    if store::count(db).await? > 0 {
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
