//! `/api/v1/groups`: thin handlers over [`super::service`]. Help-desk staff
//! and admins change groups (`GroupsWrite`); auditors read (`GroupsRead`).

use axum::Json as JsonAnswer;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::groups::{
    AdminsChange, AppChoice, BatchReport, CatalogueGroup, CataloguePage, CatalogueQuery,
    CreateReport, GroupDetail, GroupEdit, ImportRequest, JoinLink, LabelsChange, LastSet,
    MembersChange, NewGroupRequest, NicknameChange, Person, PrivateChatChange,
};
use shared::validate::{InvalidField, Problem};

use super::service::{self, Scope};
use super::{people, qr, store};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};

pub fn routes() -> Vec<ApiRoute> {
    let read = Access::Allowed(Action::GroupsRead);
    let write = Access::Allowed(Action::GroupsWrite);
    vec![
        route(Method::GET, "/groups", read, catalogue),
        route(Method::POST, "/groups", write, create),
        route(Method::POST, "/groups/import", write, import),
        route(Method::GET, "/groups/apps", read, apps),
        route(Method::GET, "/groups/people", read, find_people),
        route(Method::GET, "/groups/{id}", read, detail),
        route(Method::PATCH, "/groups/{id}", write, edit),
        route(Method::POST, "/groups/{id}/preview", write, preview),
        route(Method::POST, "/groups/{id}/members", write, members),
        route(Method::POST, "/groups/{id}/admins", write, admins),
        route(
            Method::PUT,
            "/groups/{id}/private-chat",
            write,
            private_chat,
        ),
        route(Method::PUT, "/groups/{id}/nickname", write, nickname),
        route(Method::PUT, "/groups/{id}/labels", write, labels),
        route(Method::GET, "/groups/{id}/join-link", write, join_link),
        route(Method::GET, "/groups/{id}/qr.svg", write, qr_code),
    ]
}

/// The operations' view of the request: who, through which app.
async fn scope_for_app(ctx: &Ctx, app_id: &str) -> Result<Scope, ApiError> {
    let app = ctx.dingtalk(app_id).await?;
    Ok(Scope {
        ctx: ctx.clone(),
        app,
    })
}

async fn scope_for_group(ctx: &Ctx, id: &str) -> Result<Scope, ApiError> {
    let group = store::get(&ctx.state.db, id)
        .await?
        .ok_or(ApiError::NotFound("group"))?;
    scope_for_app(ctx, &group.app_id).await
}

/// With no parameters: the first page of the whole catalogue, every app.
async fn catalogue(
    ctx: Ctx,
    Query(query): Query<CatalogueQuery>,
) -> Result<JsonAnswer<CataloguePage>, ApiError> {
    Ok(JsonAnswer(store::page(&ctx.state.db, &query).await?))
}

async fn create(
    ctx: Ctx,
    key: IdempotencyKey,
    Json(req): Json<NewGroupRequest>,
) -> Result<JsonAnswer<CreateReport>, ApiError> {
    let scope = scope_for_app(&ctx, &req.app_id).await?;
    let report = idempotency::once(&ctx, key, "groups.create", req, |req| async move {
        service::create(&scope, &req).await
    })
    .await?;
    Ok(JsonAnswer(report))
}

async fn import(
    ctx: Ctx,
    Json(req): Json<ImportRequest>,
) -> Result<JsonAnswer<CatalogueGroup>, ApiError> {
    let scope = scope_for_app(&ctx, &req.app_id).await?;
    Ok(JsonAnswer(service::import(&scope, &req).await?))
}

/// The DingTalk apps, by id and name only (no vault access needed).
async fn apps(ctx: Ctx) -> Result<JsonAnswer<Vec<AppChoice>>, ApiError> {
    Ok(JsonAnswer(service::apps(&ctx).await?))
}

/// `?app_id=&q=`, both required.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeopleQuery {
    app_id: String,
    q: String,
}

impl PeopleQuery {
    fn check(&self) -> Result<(), InvalidField> {
        for (name, value) in [("app_id", &self.app_id), ("q", &self.q)] {
            if value.trim().is_empty() {
                return Err(InvalidField::new(name, "is required").because(Problem::Required));
            }
        }
        Ok(())
    }
}

/// People of the app's organization by name.
async fn find_people(
    ctx: Ctx,
    Query(params): Query<PeopleQuery>,
) -> Result<JsonAnswer<Vec<Person>>, ApiError> {
    params.check()?;
    let scope = scope_for_app(&ctx, &params.app_id).await?;
    let found = people::search(scope.upstream(), &scope.app.app, &params.q).await?;
    Ok(JsonAnswer(found))
}

async fn detail(ctx: Ctx, Path(id): Path<String>) -> Result<JsonAnswer<GroupDetail>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(service::detail(&scope, &id).await?))
}

async fn edit(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(edit): Json<GroupEdit>,
) -> Result<JsonAnswer<GroupDetail>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(service::edit(&scope, &id, &edit).await?))
}

/// What the edit would change, field by field, as applying it computes it.
async fn preview(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(edit): Json<GroupEdit>,
) -> Result<JsonAnswer<Vec<FieldChange>>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(service::preview_edit(&scope, &id, &edit).await?))
}

async fn members(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(change): Json<MembersChange>,
) -> Result<JsonAnswer<BatchReport>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(
        service::change_members(&scope, &id, &change).await?,
    ))
}

async fn admins(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(change): Json<AdminsChange>,
) -> Result<JsonAnswer<BatchReport>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(
        service::change_admins(&scope, &id, &change).await?,
    ))
}

async fn private_chat(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(change): Json<PrivateChatChange>,
) -> Result<JsonAnswer<LastSet<bool>>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(
        service::set_private_chat(&scope, &id, change.allowed).await?,
    ))
}

async fn nickname(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(change): Json<NicknameChange>,
) -> Result<JsonAnswer<LastSet<String>>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    let set = service::set_nickname(&scope, &id, &change.user_id, &change.nickname).await?;
    Ok(JsonAnswer(set))
}

async fn labels(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(change): Json<LabelsChange>,
) -> Result<JsonAnswer<CatalogueGroup>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(
        service::set_labels(&scope, &id, &change.labels).await?,
    ))
}

async fn join_link(ctx: Ctx, Path(id): Path<String>) -> Result<JsonAnswer<JoinLink>, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    Ok(JsonAnswer(service::join_link(&scope, &id).await?))
}

/// The join link as a QR code image, drawn here so the browser needs no
/// QR encoder.
async fn qr_code(ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let scope = scope_for_group(&ctx, &id).await?;
    let link = service::join_link(&scope, &id).await?;
    let image = qr::svg(&link.link).map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            // The link may change (a new sharer); never reuse an old image.
            (header::CACHE_CONTROL, "no-store"),
        ],
        image,
    )
        .into_response())
}
