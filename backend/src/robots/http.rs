//! `/api/v1/robots`: thin handlers over [`super::service`]; permissions are
//! in the route table.

use axum::Json;
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::robots::{
    AccountRobots, AssetGroups, BulkOutcome, Robot, RobotEdit, RobotForm, RobotId, RobotIds,
    RobotLang, RobotPage, RobotSaved, ScopeChoices, StatusChange, TestSent,
};

use super::plan::PageRequest;
use super::service::{self, Account};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{Json as Body, Path, Query};
use crate::idempotency::{self, IdempotencyKey};
use crate::route::{Access, ApiRoute, route};

pub fn routes() -> Vec<ApiRoute> {
    let read = Access::Allowed(Action::RobotsRead);
    let write = Access::Allowed(Action::RobotsWrite);
    vec![
        route(Method::GET, "/robots", read, list_all),
        route(Method::GET, "/robots/{account}", read, list_one),
        route(Method::POST, "/robots/{account}", write, create),
        route(Method::GET, "/robots/{account}/choices", read, choices),
        route(Method::GET, "/robots/{account}/groups", read, groups),
        route(Method::POST, "/robots/{account}/status", write, set_status),
        route(Method::POST, "/robots/{account}/delete", write, delete),
        route(Method::GET, "/robots/{account}/{id}", read, get_one),
        route(Method::PUT, "/robots/{account}/{id}", write, update),
        route(Method::DELETE, "/robots/{account}/{id}", write, delete_one),
        route(
            Method::POST,
            "/robots/{account}/{id}/preview",
            write,
            preview,
        ),
        route(
            Method::POST,
            "/robots/{account}/{id}/test",
            write,
            test_message,
        ),
    ]
}

/// Query parameters arrive as text, so that a bad one gets an error that
/// names it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    page: Option<String>,
    page_size: Option<String>,
    name: Option<String>,
}

fn number(value: Option<&str>, field: &'static str) -> Result<Option<u32>, ApiError> {
    value
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| ApiError::invalid(field, "must be a whole number"))
        })
        .transpose()
}

impl ListParams {
    fn page(&self) -> Result<PageRequest, ApiError> {
        let page = number(self.page.as_deref(), "page")?;
        let size = number(self.page_size.as_deref(), "page_size")?;
        Ok(PageRequest::parse(page, size)?)
    }

    fn name(&self) -> Option<&str> {
        self.name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LangParam {
    lang: Option<String>,
}

impl LangParam {
    fn lang(&self) -> Result<RobotLang, ApiError> {
        match self.lang.as_deref() {
            None => Ok(RobotLang::Zh),
            Some(l) => RobotLang::parse(l).ok_or_else(|| ApiError::invalid("lang", "zh or en")),
        }
    }
}

/// With no parameters: the first page of every configured account. One
/// account's failure is reported in its place and hides no other.
async fn list_all(
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<AccountRobots>>, ApiError> {
    let page = params.page()?;
    Ok(Json(service::list_all(&ctx, page, params.name()).await?))
}

async fn list_one(
    ctx: Ctx,
    Path(account): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<RobotPage>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    Ok(Json(
        account.page(&ctx, params.page()?, params.name()).await?,
    ))
}

async fn choices(
    ctx: Ctx,
    Path(account): Path<String>,
    Query(p): Query<LangParam>,
) -> Result<Json<ScopeChoices>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let t = account.target(&ctx);
    let lang = p.lang()?;
    Ok(Json(
        t.sas.scope_choices(t.credentials, t.region, lang).await?,
    ))
}

async fn groups(
    ctx: Ctx,
    Path(account): Path<String>,
    Query(p): Query<LangParam>,
) -> Result<Json<AssetGroups>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    let t = account.target(&ctx);
    let lang = p.lang()?;
    let groups = t.sas.asset_groups(t.credentials, t.region, lang).await?;
    Ok(Json(AssetGroups { groups }))
}

async fn create(
    ctx: Ctx,
    key: IdempotencyKey,
    Path(account): Path<String>,
    Body(form): Body<RobotForm>,
) -> Result<(StatusCode, Json<RobotSaved>), ApiError> {
    let scope = "robots.create";
    let saved = idempotency::once(&ctx, key, scope, form, |form| {
        let ctx = ctx.clone();
        async move { service::create(ctx, account, form).await }
    })
    .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn preview(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
    Body(edit): Body<RobotEdit>,
) -> Result<Json<Vec<FieldChange>>, ApiError> {
    Ok(Json(
        service::preview(&ctx, &account, RobotId(id), edit).await?,
    ))
}

async fn update(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
    Body(edit): Body<RobotEdit>,
) -> Result<Json<RobotSaved>, ApiError> {
    Ok(Json(
        service::update(&ctx, &account, RobotId(id), edit).await?,
    ))
}

/// One robot, with its recorded interval unit.
async fn get_one(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<Robot>, ApiError> {
    let account = Account::load(&ctx, &account).await?;
    Ok(Json(account.robot(&ctx, RobotId(id)).await?.robot))
}

async fn set_status(
    ctx: Ctx,
    Path(account): Path<String>,
    Body(change): Body<StatusChange>,
) -> Result<Json<BulkOutcome>, ApiError> {
    Ok(Json(service::set_status(&ctx, &account, change).await?))
}

async fn delete(
    ctx: Ctx,
    Path(account): Path<String>,
    Body(robots): Body<RobotIds>,
) -> Result<Json<BulkOutcome>, ApiError> {
    Ok(Json(
        service::delete_many(&ctx, &account, &robots.ids).await?,
    ))
}

/// Deletes one robot: 404 (nothing sent) when it does not exist.
async fn delete_one(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    service::delete_one(&ctx, &account, RobotId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a test message; the service does not report delivery, so the
/// answer says "sent", never "delivered".
async fn test_message(
    ctx: Ctx,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<TestSent>, ApiError> {
    service::test_message(&ctx, &account, RobotId(id)).await?;
    Ok(Json(TestSent { sent: true }))
}
