//! The new API (`api.dingtalk.com/v1.0`): token in the
//! `x-acs-dingtalk-access-token` header, errors as HTTP 4xx/5xx with
//! `{code, message, requestid}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::groups::{AdminRole, GroupError, NewGroup};
use super::token::TokenError;
use super::{AuthError, Fields, parse_body};
use crate::sandbox::call::new_request_id;
use crate::sandbox::faults::{ConnCloser, Flavour};
use crate::sandbox::{PERM_CHAT_MANAGE, PERM_CHAT_READ, PERM_GET_MEMBER, Shared};
use crate::upstream::dingtalk::REQUEST_ID_HEADER;

pub const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";
pub const MAX_MEMBER_PAGE: i64 = 1000;
pub const DEFAULT_MEMBER_PAGE: i64 = 100;
pub const MAX_SEARCH_RESULTS: i64 = 100;
/// Contact search pages hold at most this many user ids.
pub const MAX_CONTACT_PAGE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl NewError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> NewError {
        NewError {
            status,
            code,
            message: message.into(),
        }
    }
}

/// The documented code (spec 4.3, typos included) for a refused group call
/// of operation `op`. All of them are HTTP 400.
fn group_error(op: &str, err: GroupError) -> NewError {
    let code = match (op, &err) {
        ("ChatIdToOpenConversationId", GroupError::ChatNotFound(_)) => "invalideChatId",
        (_, GroupError::Dismissed(_)) => "group.diaband",
        ("CreateGroup" | "UpdateGroup", GroupError::ChatNotFound(_)) => "invalideChatId",
        (_, GroupError::ChatNotFound(_)) => "invalidParameter.openConversationId.invalid",
        ("ChatSubAdminUpdate", GroupError::UnknownUser(_) | GroupError::NotInGroup(_)) => {
            "staff.not.found"
        }
        ("ChatSubAdminUpdate", GroupError::TooManyAdmins) => "subadmin.exceed",
        ("ChatSubAdminUpdate", GroupError::Invalid("role", _)) => "invalidParamter.role",
        _ => "parameter.invalid",
    };
    NewError::new(StatusCode::BAD_REQUEST, code, err.to_string())
}

impl From<AuthError> for NewError {
    fn from(err: AuthError) -> NewError {
        let unauthorized =
            |m: &str| NewError::new(StatusCode::UNAUTHORIZED, "InvalidAuthentication", m);
        match err {
            AuthError::MissingToken => {
                unauthorized("the x-acs-dingtalk-access-token header is required")
            }
            AuthError::Token(TokenError::Unknown) => unauthorized("invalid access token"),
            AuthError::Token(TokenError::Expired) => unauthorized("the access token has expired"),
            AuthError::Permission(p) => NewError::new(
                StatusCode::FORBIDDEN,
                "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                format!("the app lacks the permission {p}"),
            ),
        }
    }
}

/// What an operation answers; its refusals become codes in [`group_error`].
type NewResult = Result<Value, GroupError>;

fn respond(result: Result<Value, NewError>) -> Response {
    match result {
        Ok(value) => ([(REQUEST_ID_HEADER, new_request_id())], Json(value)).into_response(),
        Err(err) => (
            err.status,
            Json(json!({"code": err.code, "message": err.message, "requestid": new_request_id()})),
        )
            .into_response(),
    }
}

type Run = fn(&Shared, Fields<'_>) -> NewResult;

struct Op {
    path: &'static str,
    /// The spec's operation name, also used for fault injection.
    op: &'static str,
    permission: &'static str,
    run: Run,
}

static OPS: [Op; 7] = [
    Op {
        path: "/v1.0/im/subAdministrators",
        op: "ChatSubAdminUpdate",
        permission: PERM_CHAT_MANAGE,
        run: sub_admin_update,
    },
    Op {
        path: "/v1.0/im/group/create",
        op: "CreateGroup",
        permission: PERM_CHAT_MANAGE,
        run: create_group,
    },
    Op {
        path: "/v1.0/im/group/update",
        op: "UpdateGroup",
        permission: PERM_CHAT_MANAGE,
        run: update_group,
    },
    Op {
        path: "/v1.0/im/groups/baseInfos/query",
        op: "QueryOpenGroupBaseInfo",
        permission: PERM_CHAT_READ,
        run: base_info,
    },
    Op {
        path: "/v1.0/im/innerGroups/memberLists/query",
        op: "QueryInnerGroupMemberList",
        permission: PERM_CHAT_READ,
        run: member_list,
    },
    Op {
        path: "/v1.0/im/innerGroups/search",
        op: "SearchInnerGroups",
        permission: PERM_CHAT_READ,
        run: search,
    },
    Op {
        path: "/v1.0/contact/users/search",
        op: "SearchUser",
        permission: PERM_GET_MEMBER,
        run: search_users,
    },
];

static CONVERT: Op = Op {
    path: "/v1.0/im/chat/{chatId}/convertToOpenConversationId",
    op: "ChatIdToOpenConversationId",
    permission: PERM_CHAT_READ,
    run: convert,
};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    let mut router = Router::new()
        .route("/v1.0/oauth2/accessToken", post(access_token))
        .route(
            CONVERT.path,
            post(
                |State(shared): State<Arc<Shared>>,
                 Extension(closer): Extension<ConnCloser>,
                 Path(chat_id): Path<String>,
                 headers: HeaderMap| async move {
                    let body = json!({ "chatId": chat_id }).to_string();
                    serve(&shared, &closer, &CONVERT, &headers, body.as_bytes()).await
                },
            ),
        );
    for op in &OPS {
        router = router.route(
            op.path,
            post(
                move |State(shared): State<Arc<Shared>>,
                      Extension(closer): Extension<ConnCloser>,
                      headers: HeaderMap,
                      body: Bytes| async move {
                    serve(&shared, &closer, op, &headers, &body).await
                },
            ),
        );
    }
    router
}

async fn serve(
    shared: &Shared,
    closer: &ConnCloser,
    op: &Op,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if let Some(response) = shared
        .faults
        .apply(op.op, Flavour::DingTalkNew, closer)
        .await
    {
        return response;
    }
    respond(run(shared, op, headers, body))
}

/// One action: the token's permission checked, then the body parsed and
/// the action run.
fn run(shared: &Shared, op: &Op, headers: &HeaderMap, body: &[u8]) -> Result<Value, NewError> {
    let token = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok());
    match shared.authorize(token, op.permission) {
        // CreateGroup and UpdateGroup answer a missing permission in their own words.
        Err(AuthError::Permission(p)) if matches!(op.op, "CreateGroup" | "UpdateGroup") => {
            Err(NewError::new(
                StatusCode::BAD_REQUEST,
                "permession.checkFailed",
                format!("no permission: the app lacks {p}"),
            ))
        }
        Err(err) => Err(err.into()),
        Ok(()) => parse_body(body)
            .and_then(|body| (op.run)(shared, Fields(&body)))
            .map_err(|err| group_error(op.op, err)),
    }
}

async fn access_token(
    State(shared): State<Arc<Shared>>,
    Extension(closer): Extension<ConnCloser>,
    body: Bytes,
) -> Response {
    if let Some(response) = shared
        .faults
        .apply("GetAccessToken", Flavour::DingTalkNew, &closer)
        .await
    {
        return response;
    }
    respond(issue_token(&shared, &body))
}

/// A token for the app whose key and secret `body` holds.
fn issue_token(shared: &Shared, body: &[u8]) -> Result<Value, NewError> {
    let body = parse_body(body).map_err(|e| group_error("GetAccessToken", e))?;
    let f = Fields(&body);
    let credentials = f
        .required("appKey")
        .and_then(|k| Ok((k, f.required("appSecret")?)));
    let (key, secret) = credentials.map_err(|e| group_error("GetAccessToken", e))?;
    let app = shared.app_by_credentials(&key, &secret).ok_or_else(|| {
        NewError::new(
            StatusCode::BAD_REQUEST,
            "invalidClientIdOrSecret",
            "the appKey or appSecret is wrong",
        )
    })?;
    let token = shared.issue_token(&app.app_key);
    let ttl = shared.with_world(|w| w.tokens.ttl().as_secs());
    Ok(json!({"accessToken": token, "expireIn": ttl}))
}

fn convert(shared: &Shared, f: Fields<'_>) -> NewResult {
    let chat_id = f.required("chatId")?;
    let cid = shared.with_world(|w| {
        w.groups
            .get(&chat_id)
            .map(|g| g.open_conversation_id.clone())
    })?;
    Ok(json!({ "openConversationId": cid }))
}

fn chatid_of(shared: &Shared, f: Fields<'_>) -> Result<String, GroupError> {
    let cid = f.required("openConversationId")?;
    shared.with_world(|w| w.groups.chatid_of(&cid))
}

fn sub_admin_update(shared: &Shared, f: Fields<'_>) -> NewResult {
    let chatid = chatid_of(shared, f)?;
    let users = f.list("userIds")?;
    let role = AdminRole::parse(f.int("role")?.ok_or(GroupError::Missing("role"))?)?;
    shared.with_world(|w| w.groups.set_admins(&chatid, &users, role))?;
    Ok(json!({ "success": "true" }))
}

fn options(f: Fields<'_>) -> Result<super::groups::SettingsPatch, GroupError> {
    match f.0.get("managementOptions") {
        None | Some(Value::Null) => Ok(Default::default()),
        Some(v @ Value::Object(_)) => Fields(v).settings(),
        Some(_) => Err(GroupError::Invalid(
            "managementOptions",
            "must be an object".into(),
        )),
    }
}

fn create_group(shared: &Shared, f: Fields<'_>) -> NewResult {
    let req = NewGroup {
        name: f.str("name"),
        owner: f.str("owner"),
        owner_type: f.str("ownerType"),
        members: f.list("useridlist")?,
        ext_members: f.list("extidlist")?,
        icon: f.str("icon"),
        conversation_tag: f.int("conversationTag")?,
        settings: options(f)?,
    };
    let dir = &shared.directory;
    let (chatid, cid, tag) = shared.with_world(|w| {
        w.groups.create(dir, req).map(|g| {
            (
                g.chatid.clone(),
                g.open_conversation_id.clone(),
                g.conversation_tag,
            )
        })
    })?;
    Ok(json!({"chatid": chatid, "openConversationId": cid, "conversationTag": tag}))
}

fn update_group(shared: &Shared, f: Fields<'_>) -> NewResult {
    let chatid = f.required("chatid")?;
    let req = f.group_update(options(f)?)?;
    let dir = &shared.directory;
    shared.with_world(|w| w.groups.update(dir, &chatid, req))?;
    Ok(json!({ "success": true }))
}

fn base_info(shared: &Shared, f: Fields<'_>) -> NewResult {
    let cid = f.required("openConversationId")?;
    let result = shared.with_world(|w| {
        w.groups.by_cid(&cid).map(|g| {
            json!({
                "openConversationId": g.open_conversation_id,
                "title": g.name,
                "icon": g.icon,
                "memberCount": g.member_count(),
                // A string in the official SDK model, unlike memberCount.
                "tag": g.conversation_tag.to_string(),
            })
        })
    })?;
    Ok(json!({"success": true, "result": result}))
}

fn bounded(f: Fields<'_>, name: &'static str, default: i64, max: i64) -> Result<usize, GroupError> {
    let value = f.int(name)?.unwrap_or(default);
    if !(1..=max).contains(&value) {
        return Err(GroupError::Invalid(name, format!("must be 1-{max}")));
    }
    Ok(usize::try_from(value).unwrap_or(0))
}

/// `nextToken` is the offset of the next member, in joining order; it is
/// required (`0` for the first page).
fn member_list(shared: &Shared, f: Fields<'_>) -> NewResult {
    let cid = f.required("openConversationId")?;
    let operator = f.required("userId")?;
    let max = bounded(f, "maxResults", DEFAULT_MEMBER_PAGE, MAX_MEMBER_PAGE)?;
    let next_token = f
        .int("nextToken")?
        .ok_or(GroupError::Missing("nextToken"))?;
    let offset = usize::try_from(next_token)
        .map_err(|_| GroupError::Invalid("nextToken", "must be 0 or more".into()))?;
    let dir = &shared.directory;
    shared.with_world(|w| {
        let group = w.groups.by_cid(&cid)?;
        let (page, next) = w.groups.member_page(&cid, &operator, max, offset)?;
        let list: Vec<Value> = page
            .iter()
            .map(|id| {
                let user = dir.user(id);
                json!({
                    "userId": id,
                    "name": user.map(|u| u.name_zh.clone()).unwrap_or_default(),
                    "nickName": group.nicks.get(*id).cloned().unwrap_or_default(),
                    "icon": user.map(|u| u.avatar()).unwrap_or_default(),
                })
            })
            .collect();
        let mut out = json!({"success": true, "hasMore": next.is_some(), "list": list});
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok(out)
    })
}

fn search(shared: &Shared, f: Fields<'_>) -> NewResult {
    let userid = f.required("userId")?;
    let key = f.required("searchKey")?;
    let max = bounded(f, "maxResults", 20, MAX_SEARCH_RESULTS)?;
    let infos: Vec<Value> = shared.with_world(|w| {
        w.groups
            .search(&userid, &key, max)
            .iter()
            .map(|g| {
                json!({
                    "openConversationId": g.open_conversation_id,
                    "title": g.name,
                    "icon": g.icon,
                    "memberAmount": g.member_count().to_string(),
                })
            })
            .collect()
    });
    Ok(json!({ "groupInfos": infos }))
}

/// Contact search: people whose Chinese name, English name or pinyin holds
/// `queryWord` (`fullMatchField` 1: whose name is exactly it), by userid,
/// `size` (1-50) from `offset`.
fn search_users(shared: &Shared, f: Fields<'_>) -> NewResult {
    let word = f.required("queryWord")?;
    let exact = f.int("fullMatchField")? == Some(1);
    let size = bounded(f, "size", 10, MAX_CONTACT_PAGE)?;
    let offset = usize::try_from(f.int("offset")?.unwrap_or(0))
        .map_err(|_| GroupError::Invalid("offset", "must be 0 or more".into()))?;
    let found = shared.directory.search(&word, exact);
    let list: Vec<&str> = found
        .iter()
        .skip(offset)
        .take(size)
        .map(|u| u.userid.as_str())
        .collect();
    Ok(json!({
        "hasMore": offset + list.len() < found.len(),
        "totalCount": found.len(),
        "list": list,
    }))
}
