//! The HTTP face of sign-in, sessions and accounts.

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::audit::FieldChange;
use shared::auth::{
    Action, NewUser, PasswordChange, PasswordReset, SessionInfo, SignIn, User, UserUpdate,
};

use super::{service, session_cookie, session_info, set_cookie, users};
use crate::context::{ClientAddr, Ctx, CurrentUser};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};
use crate::state::AppState;

pub fn routes() -> Vec<ApiRoute> {
    use Access::{Public, SignedIn};
    use Method as M;
    let manage = Access::Allowed(Action::UsersManage);
    let own_password = Access::Allowed(Action::OwnPasswordChange);
    vec![
        route(M::POST, "/session", Public, sign_in),
        route(M::GET, "/session", SignedIn, me),
        route(M::DELETE, "/session", SignedIn, sign_out),
        route(M::POST, "/me/password", own_password, change_password),
        route(
            M::GET,
            "/users",
            Access::Allowed(Action::UsersRead),
            list_users,
        ),
        route(M::POST, "/users", manage, create_user),
        route(M::PATCH, "/users/{id}", manage, update_user),
        route(M::POST, "/users/{id}/preview", manage, preview_user),
        route(M::POST, "/users/{id}/password", manage, reset_password),
    ]
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignIn>,
) -> Result<Response, ApiError> {
    let old = session_cookie(&headers);
    let (cookie, session) = service::sign_in(&state, addr, old, body).await?;
    let max_age = state.config.sessions.absolute_timeout_hours * 3600;
    let set = [(
        header::SET_COOKIE,
        set_cookie(&headers, &cookie, Some(max_age)),
    )];
    Ok((set, axum::Json(session_info(&session))).into_response())
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
    service::change_own_password(&ctx, &body).await?;
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
        async move { service::create_user(&ctx, &body).await }
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
    let user = users::update(&ctx.state.db, &ctx.actor(), &id, &body).await?;
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
    service::reset_password(&ctx, &id, &body).await?;
    tracing::info!(user_id = %id, "password reset");
    Ok(StatusCode::NO_CONTENT)
}
