//! The account operations that need more than one store: sign-in (the
//! throttle, the password check, the sessions, the trail of failures), a
//! user's own password change (throttled alike), and the admin's creates
//! and resets, refusals named by the request's fields.

use secrecy::SecretString;
use shared::auth::{NewUser, PasswordChange, PasswordReset, SignIn, User};
use shared::validate::InvalidField;

use super::sessions::{self, Session};
use super::{UserError, password, users};
use crate::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::state::AppState;

/// Signs in (from `addr`, ending the browser's `old` session); returns the
/// new cookie value and session. Failures count towards the throttle and
/// are recorded, the same answer for an unknown user and a wrong password.
pub(super) async fn sign_in(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    old: Option<String>,
    body: SignIn,
) -> Result<(String, Session), ApiError> {
    let username = body.username.trim().to_lowercase();
    if let Err(wait) = state.throttle.check(&username, addr) {
        tracing::warn!(%username, ?addr, "sign-in refused: too many failures");
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let found = users::credentials(&state.db, &username).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let password_ok =
        password::verify(SecretString::from(body.password.into_exposed()), hash).await;
    let user = match user {
        Some(user) if password_ok && !user.disabled => user,
        _ => {
            state.throttle.failed(&username, addr);
            tracing::warn!(%username, ?addr, "sign-in failed");
            record_failed_sign_in(state, username, addr).await?;
            return Err(ApiError::InvalidCredentials);
        }
    };
    state.throttle.succeeded(&username);
    // A fresh id at every sign-in; any session the browser had ends.
    if let Some(old) = old {
        state.sessions.revoke(&sessions::hash_id(&old)).await?;
    }
    let (cookie, session) = state.sessions.create(user, addr).await?;
    tracing::info!(username = %session.user.username, "signed in");
    Ok((cookie, session))
}

/// The typed username as the actor (there is no user to name: it may not
/// exist), without a role; never the password.
async fn record_failed_sign_in(
    state: &AppState,
    username: String,
    source: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    // Real usernames have at most 64 characters; longer input is noise
    // that should not grow the trail.
    let username: String = username.chars().take(64).collect();
    let actor = Actor {
        user_id: None,
        username: username.clone(),
        role: String::new(),
        source,
    };
    let target = Target {
        kind: TargetKind::Session,
        id: None,
        label: Some(username),
    };
    let event = NewEvent::success(actor, AuditAction::SignInFailed, target)
        .failed("invalid_credentials", "wrong username or password");
    audit::record(&state.db, &event)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(())
}

/// A user's own password change. A stolen session must not become a way
/// to guess the password: wrong current passwords count like failed
/// sign-ins.
pub(super) async fn change_own_password(ctx: &Ctx, body: &PasswordChange) -> Result<(), ApiError> {
    let (throttle, username, addr) = (&ctx.state.throttle, &ctx.session.user.username, ctx.source);
    if let Err(wait) = throttle.check(username, addr) {
        tracing::warn!(%username, ?addr, "password change refused: too many failures");
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let changed = users::change_own_password(
        &ctx.state.db,
        &ctx.actor(),
        &ctx.session.user.id,
        body.current_password.expose(),
        body.new_password.expose(),
        &ctx.session.id_hash,
    )
    .await;
    match &changed {
        Err(UserError::Invalid(e)) if e.field == "current_password" => {
            throttle.failed(username, addr);
            tracing::warn!(%username, ?addr, "password change with a wrong current password");
        }
        Ok(()) => throttle.succeeded(username),
        Err(_) => {}
    }
    Ok(changed?)
}

pub(super) async fn create_user(ctx: &Ctx, body: &NewUser) -> Result<User, ApiError> {
    let password = body.password.expose();
    let db = &ctx.state.db;
    Ok(users::create(db, &ctx.actor(), &body.username, body.role, password).await?)
}

/// An admin's reset of user `id`'s password; a refusal names the request's
/// `password` field.
pub(super) async fn reset_password(
    ctx: &Ctx,
    id: &str,
    body: &PasswordReset,
) -> Result<(), ApiError> {
    let db = &ctx.state.db;
    users::set_password(db, &ctx.actor(), id, body.password.expose())
        .await
        .map_err(|e| match e {
            UserError::Invalid(e) => ApiError::from(InvalidField {
                field: "password".into(),
                ..e
            }),
            other => other.into(),
        })
}
