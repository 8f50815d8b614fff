//! The HTTP face of sign-in, sessions and accounts.

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use shared::audit::FieldChange;
use shared::auth::{
    Action, NewUser, PasswordChange, PasswordReset, SessionInfo, SignIn, User, UserUpdate,
};
use shared::validate::InvalidField;

use super::{password, session_cookie, session_info, sessions, set_cookie, users};
use crate::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use crate::context::{ClientAddr, Ctx, CurrentUser};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};
use crate::state::AppState;

pub fn routes() -> Vec<ApiRoute> {
    use Access::*;
    use Action::{OwnPasswordChange, UsersManage, UsersRead};
    use Method as M;
    vec![
        route(M::POST, "/session", Public, sign_in),
        route(M::GET, "/session", SignedIn, me),
        route(M::DELETE, "/session", SignedIn, sign_out),
        route(
            M::POST,
            "/me/password",
            Allowed(OwnPasswordChange),
            change_password,
        ),
        route(M::GET, "/users", Allowed(UsersRead), list_users),
        route(M::POST, "/users", Allowed(UsersManage), create_user),
        route(M::PATCH, "/users/{id}", Allowed(UsersManage), update_user),
        route(
            M::POST,
            "/users/{id}/preview",
            Allowed(UsersManage),
            preview_user,
        ),
        route(
            M::POST,
            "/users/{id}/password",
            Allowed(UsersManage),
            reset_password,
        ),
    ]
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignIn>,
) -> Result<Response, ApiError> {
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
            record_failed_sign_in(&state, username, addr).await?;
            return Err(ApiError::InvalidCredentials);
        }
    };
    state.throttle.succeeded(&username);
    // A fresh id at every sign-in; any session the browser had ends.
    if let Some(old) = session_cookie(&headers) {
        state.sessions.revoke(&sessions::hash_id(&old)).await?;
    }
    let (cookie, session) = state.sessions.create(user, addr).await?;
    tracing::info!(username = %session.user.username, "signed in");
    let max_age = state.config.sessions.absolute_timeout_hours * 3600;
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(&headers, &cookie, Some(max_age)),
        )],
        axum::Json(session_info(&session)),
    )
        .into_response())
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

async fn me(CurrentUser(session): CurrentUser) -> axum::Json<SessionInfo> {
    axum::Json(session_info(&session))
}

async fn sign_out(ctx: Ctx, headers: HeaderMap) -> Result<Response, ApiError> {
    ctx.state
        .sessions
        .sign_out(&ctx.session, ctx.source)
        .await?;
    tracing::info!("signed out");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, set_cookie(&headers, "", Some(0)))],
    )
        .into_response())
}

async fn change_password(
    ctx: Ctx,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    // A stolen session must not become a way to guess the password:
    // wrong current passwords count like failed sign-ins.
    let (throttle, username, addr) = (&ctx.state.throttle, &ctx.session.user.username, ctx.source);
    if let Err(wait) = throttle.check(username, addr) {
        tracing::warn!(%username, ?addr, "password change refused: too many failures");
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let changed = users::change_own_password(
        &ctx.state.sessions,
        &ctx.actor(),
        &ctx.session.user.id,
        body.current_password.expose(),
        body.new_password.expose(),
        &ctx.session.id_hash,
    )
    .await;
    match &changed {
        Err(users::UserError::Invalid(e)) if e.field == "current_password" => {
            throttle.failed(username, addr);
            tracing::warn!(%username, ?addr, "password change with a wrong current password");
        }
        Ok(()) => throttle.succeeded(username),
        Err(_) => {}
    }
    changed?;
    tracing::info!("changed own password");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_users(ctx: Ctx) -> Result<axum::Json<Vec<User>>, ApiError> {
    Ok(axum::Json(users::list(&ctx.state.db).await?))
}

/// Creating an account is not idempotent: a repeated `Idempotency-Key`
/// answers the first result instead of a "name taken" error.
async fn create_user(
    ctx: Ctx,
    key: IdempotencyKey,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<User>), ApiError> {
    let user = idempotency::once(&ctx, key, "users.create", body, |body| {
        let ctx = ctx.clone();
        async move {
            users::create(
                &ctx.state.db,
                &ctx.actor(),
                &body.username,
                body.role,
                body.password.expose(),
            )
            .await
            .map_err(ApiError::from)
        }
    })
    .await?;
    tracing::info!(username = %user.username, role = user.role.as_str(), "user created");
    Ok((StatusCode::CREATED, axum::Json(user)))
}

async fn update_user(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<UserUpdate>,
) -> Result<axum::Json<User>, ApiError> {
    let user = users::update(&ctx.state.sessions, &ctx.actor(), &id, &body).await?;
    tracing::info!(username = %user.username, role = user.role.as_str(), disabled = user.disabled, "user updated");
    Ok(axum::Json(user))
}

/// What the `PATCH` with the same body would change, from the same plan.
async fn preview_user(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<UserUpdate>,
) -> Result<axum::Json<Vec<FieldChange>>, ApiError> {
    Ok(axum::Json(users::preview(&ctx.state.db, &id, &body).await?))
}

async fn reset_password(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    users::set_password(
        &ctx.state.sessions,
        &ctx.actor(),
        &id,
        body.password.expose(),
    )
    .await
    .map_err(|e| match e {
        users::UserError::Invalid(e) => ApiError::from(InvalidField {
            field: "password".into(),
            ..e
        }),
        other => other.into(),
    })?;
    tracing::info!(user_id = %id, "password reset");
    Ok(StatusCode::NO_CONTENT)
}
