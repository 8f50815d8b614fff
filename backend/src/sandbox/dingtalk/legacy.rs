//! The legacy API (`oapi.dingtalk.com`): `?access_token=`, HTTP 200 with
//! `errcode`/`errmsg`/`request_id`. Groups (spec 4.2) and directory (4.4).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use super::directory::ROOT_DEPT;
use super::groups::{AdminRole, GroupError, NewGroup};
use super::token::TokenError;
use super::{AuthError, Fields, parse_body};
use crate::sandbox::call::new_request_id;
use crate::sandbox::faults::{ConnCloser, Flavour};
use crate::sandbox::{
    PERM_CHAT_BASE_READ, PERM_CHAT_MANAGE, PERM_CHAT_READ, PERM_GET_MEMBER, Shared,
};

pub const MAX_LIST_SIZE: i64 = 100;

/// A legacy failure: `errcode` and `errmsg`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyError {
    pub errcode: i64,
    pub errmsg: String,
}

impl LegacyError {
    fn new(errcode: i64, errmsg: impl Into<String>) -> LegacyError {
        LegacyError {
            errcode,
            errmsg: errmsg.into(),
        }
    }
}

impl From<GroupError> for LegacyError {
    fn from(err: GroupError) -> LegacyError {
        let errcode = match &err {
            GroupError::Missing("chatid") => 49000,
            GroupError::Missing(_) => 40036,
            GroupError::Invalid(..) | GroupError::MemberLimit => 400002,
            GroupError::UnknownUser(_) => 40003,
            GroupError::UserList(_) => 40031,
            GroupError::ChatNotFound(_) => 40016,
            GroupError::Dismissed(_) => 34001,
            GroupError::TooManyAdmins => 49026,
            GroupError::NotInGroup(_) => 60124,
        };
        LegacyError::new(errcode, err.to_string())
    }
}

impl From<AuthError> for LegacyError {
    fn from(err: AuthError) -> LegacyError {
        match err {
            AuthError::MissingToken => LegacyError::new(40001, "access_token is required"),
            AuthError::Token(TokenError::Unknown) => {
                LegacyError::new(40001, "invalid access_token")
            }
            AuthError::Token(TokenError::Expired) => {
                LegacyError::new(40001, "invalid access_token: it has expired")
            }
            AuthError::Permission(p) => LegacyError::new(
                43007,
                format!("no permission to call this API: the app needs {p}"),
            ),
        }
    }
}

type LegacyResult = Result<Value, LegacyError>;

/// Query parameters plus the JSON body (query first: GET calls have no body).
struct Call<'a> {
    shared: &'a Shared,
    fields: Fields<'a>,
}

type Run = fn(&Call<'_>) -> LegacyResult;

struct Op {
    path: &'static str,
    /// Also the fault-injection operation name: the path without its slash.
    op: &'static str,
    permission: &'static str,
    is_get: bool,
    run: Run,
}

static OPS: [Op; 10] = [
    Op {
        path: "/chat/create",
        op: "chat/create",
        permission: PERM_CHAT_MANAGE,
        is_get: false,
        run: chat_create,
    },
    Op {
        path: "/chat/get",
        op: "chat/get",
        permission: PERM_CHAT_READ,
        is_get: true,
        run: chat_get,
    },
    Op {
        path: "/chat/update",
        op: "chat/update",
        permission: PERM_CHAT_MANAGE,
        is_get: false,
        run: chat_update,
    },
    Op {
        path: "/topapi/chat/subadmin/update",
        op: "topapi/chat/subadmin/update",
        permission: PERM_CHAT_MANAGE,
        is_get: false,
        run: subadmin_update,
    },
    Op {
        path: "/topapi/chat/member/friendswitch/update",
        op: "topapi/chat/member/friendswitch/update",
        permission: PERM_CHAT_MANAGE,
        is_get: false,
        run: friendswitch_update,
    },
    Op {
        path: "/topapi/chat/updategroupnick",
        op: "topapi/chat/updategroupnick",
        permission: PERM_CHAT_MANAGE,
        is_get: false,
        run: update_group_nick,
    },
    Op {
        path: "/topapi/chat/qrcode/get",
        op: "topapi/chat/qrcode/get",
        permission: PERM_CHAT_BASE_READ,
        is_get: false,
        run: qrcode_get,
    },
    Op {
        path: "/topapi/v2/user/get",
        op: "topapi/v2/user/get",
        permission: PERM_GET_MEMBER,
        is_get: false,
        run: user_get,
    },
    Op {
        path: "/topapi/user/listsimple",
        op: "topapi/user/listsimple",
        permission: PERM_GET_MEMBER,
        is_get: false,
        run: user_listsimple,
    },
    Op {
        path: "/topapi/v2/department/listsub",
        op: "topapi/v2/department/listsub",
        permission: PERM_GET_MEMBER,
        is_get: false,
        run: department_listsub,
    },
];

pub(crate) fn routes() -> Router<Arc<Shared>> {
    let mut router = Router::new().route("/gettoken", get(gettoken));
    for op in &OPS {
        let handler = move |State(shared): State<Arc<Shared>>,
                            Extension(closer): Extension<ConnCloser>,
                            Query(query): Query<HashMap<String, String>>,
                            body: Bytes| async move {
            serve(&shared, &closer, op, query, &body).await
        };
        router = if op.is_get {
            router.route(op.path, get(handler))
        } else {
            router.route(op.path, post(handler))
        };
    }
    router
}

fn respond(result: LegacyResult) -> Response {
    let request_id = new_request_id();
    let body = match result {
        Ok(mut value) => {
            value["errcode"] = json!(0);
            value["errmsg"] = json!("ok");
            value["request_id"] = json!(request_id);
            value
        }
        Err(err) => json!({"errcode": err.errcode, "errmsg": err.errmsg, "request_id": request_id}),
    };
    Json(body).into_response()
}

async fn serve(
    shared: &Shared,
    closer: &ConnCloser,
    op: &Op,
    query: HashMap<String, String>,
    body: &[u8],
) -> Response {
    if let Some(response) = shared
        .faults
        .apply(op.op, Flavour::DingTalkLegacy, closer)
        .await
    {
        return response;
    }
    respond(run(shared, op, query, body))
}

/// One action: the token's permission checked, then the body's fields and
/// the query's (but the token) handed to the action.
fn run(shared: &Shared, op: &Op, query: HashMap<String, String>, body: &[u8]) -> LegacyResult {
    shared.authorize(query.get("access_token").map(String::as_str), op.permission)?;
    let mut fields = match parse_body(body)? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (k, v) in query {
        if k != "access_token" {
            fields.entry(k).or_insert(Value::String(v));
        }
    }
    let fields = Value::Object(fields);
    (op.run)(&Call {
        shared,
        fields: Fields(&fields),
    })
}

async fn gettoken(
    State(shared): State<Arc<Shared>>,
    Extension(closer): Extension<ConnCloser>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(response) = shared
        .faults
        .apply("gettoken", Flavour::DingTalkLegacy, &closer)
        .await
    {
        return response;
    }
    respond(issue_token(&shared, &query))
}

/// A token for the app whose key and secret the query holds.
fn issue_token(shared: &Shared, query: &HashMap<String, String>) -> LegacyResult {
    let (Some(key), Some(secret)) = (query.get("appkey"), query.get("appsecret")) else {
        return Err(LegacyError::new(40036, "appkey and appsecret are required"));
    };
    let Some(app) = shared.app_by_credentials(key, secret) else {
        return Err(LegacyError::new(40096, "invalid appkey or appsecret"));
    };
    let token = shared.issue_token(&app.app_key);
    let ttl = shared.with_world(|w| w.tokens.ttl().as_secs());
    Ok(json!({"access_token": token, "expires_in": ttl}))
}

fn chat_create(call: &Call<'_>) -> LegacyResult {
    let f = call.fields;
    let req = NewGroup {
        name: f.str("name"),
        owner: f.str("owner"),
        owner_type: None,
        members: f.list("useridlist")?,
        ext_members: Vec::new(),
        icon: f.str("icon"),
        conversation_tag: None,
        settings: f.settings()?,
    };
    let dir = &call.shared.directory;
    let group = call.shared.with_world(|w| {
        w.groups.create(dir, req).map(|g| {
            (
                g.chatid.clone(),
                g.open_conversation_id.clone(),
                g.conversation_tag,
            )
        })
    })?;
    Ok(json!({"chatid": group.0, "openConversationId": group.1, "conversationTag": group.2}))
}

/// Works for dismissed groups too: `status` is 2 then.
fn chat_get(call: &Call<'_>) -> LegacyResult {
    let chatid = call.fields.required("chatid")?;
    let info = call.shared.with_world(|w| {
        w.groups.get(&chatid).map(|g| {
            let mut info = json!({
                "name": g.name,
                "owner": g.owner,
                "useridlist": g.members,
                "extidlist": g.ext_members,
                "conversationTag": g.conversation_tag,
                "icon": g.icon,
                "status": g.status,
            });
            for (name, value) in super::groups::SETTING_NAMES.iter().zip(g.settings) {
                info[*name] = json!(value);
            }
            info
        })
    })?;
    Ok(json!({ "chat_info": info }))
}

fn chat_update(call: &Call<'_>) -> LegacyResult {
    let f = call.fields;
    let chatid = f.required("chatid")?;
    let mut settings = f.settings()?;
    // isBan is the older spelling of "everyone muted".
    if settings[0].is_none()
        && let Some(ban) = f.bool("isBan")?
    {
        settings[0] = Some(i64::from(ban));
    }
    let req = f.group_update(settings)?;
    let dir = &call.shared.directory;
    call.shared
        .with_world(|w| w.groups.update(dir, &chatid, req))?;
    Ok(json!({}))
}

fn subadmin_update(call: &Call<'_>) -> LegacyResult {
    let f = call.fields;
    let chatid = f.required("chatid")?;
    let users = f.list("userids")?;
    let role = AdminRole::parse(f.int("role")?.ok_or(GroupError::Missing("role"))?)?;
    call.shared
        .with_world(|w| w.groups.set_admins(&chatid, &users, role))?;
    Ok(json!({"success": true}))
}

fn friendswitch_update(call: &Call<'_>) -> LegacyResult {
    let f = call.fields;
    let chatid = f.required("chatid")?;
    let prohibit = f
        .bool("is_prohibit")?
        .ok_or(GroupError::Missing("is_prohibit"))?;
    call.shared
        .with_world(|w| w.groups.set_friend_switch(&chatid, prohibit))?;
    Ok(json!({"success": true}))
}

fn update_group_nick(call: &Call<'_>) -> LegacyResult {
    let f = call.fields;
    let chatid = f.required("chatid")?;
    let userid = f.required("userid")?;
    let nick = f.str("group_nick").unwrap_or_default();
    call.shared
        .with_world(|w| w.groups.set_nick(&chatid, &userid, &nick))?;
    Ok(json!({"success": true}))
}

fn qrcode_get(call: &Call<'_>) -> LegacyResult {
    let f = call.fields;
    let chatid = f.required("chatid")?;
    let userid = f.required("userid")?;
    let link = call
        .shared
        .with_world(|w| w.groups.qrcode(&chatid, &userid))?;
    Ok(json!({"result": link, "success": true}))
}

/// `zh_CN` (default) or `en_US`: which name the directory returns.
fn english(f: Fields<'_>) -> Result<bool, LegacyError> {
    match f.str("language").as_deref() {
        None | Some("zh_CN") => Ok(false),
        Some("en_US") => Ok(true),
        Some(_) => Err(LegacyError::new(400002, "language must be zh_CN or en_US")),
    }
}

fn department(call: &Call<'_>) -> Result<i64, LegacyError> {
    let dept = call.fields.int("dept_id")?.unwrap_or(ROOT_DEPT);
    if call.shared.directory.departments.contains_key(&dept) {
        Ok(dept)
    } else {
        Err(LegacyError::new(
            60003,
            format!("department {dept} not found"),
        ))
    }
}

fn user_get(call: &Call<'_>) -> LegacyResult {
    let english = english(call.fields)?;
    let userid = call.fields.required("userid")?;
    let user = call
        .shared
        .directory
        .user(&userid)
        .ok_or_else(|| LegacyError::new(60121, format!("user {userid} not found")))?;
    Ok(json!({"result": {
        "userid": user.userid,
        "unionid": user.unionid,
        "name": user.name(english),
        "avatar": user.avatar(),
        "title": user.title,
        "dept_id_list": user.dept_ids,
        "active": user.active,
        "admin": user.admin,
    }}))
}

/// Users directly in the department, by userid, `size` (1-100) from
/// `cursor` (an offset).
fn user_listsimple(call: &Call<'_>) -> LegacyResult {
    let english = english(call.fields)?;
    let dept = department(call)?;
    let cursor = call.fields.int("cursor")?.unwrap_or(0);
    let size = call.fields.int("size")?.unwrap_or(10);
    if !(1..=MAX_LIST_SIZE).contains(&size) {
        return Err(LegacyError::new(400002, "size must be 1-100"));
    }
    let cursor = usize::try_from(cursor)
        .map_err(|_| LegacyError::new(400002, "cursor must be 0 or more"))?;
    let size = usize::try_from(size).unwrap_or(0);
    let members: Vec<_> = call.shared.directory.members_of(dept).collect();
    let list: Vec<Value> = members
        .iter()
        .skip(cursor)
        .take(size)
        .map(|u| json!({"userid": u.userid, "name": u.name(english)}))
        .collect();
    let next = cursor + list.len();
    let mut result = json!({"has_more": next < members.len(), "list": list});
    if next < members.len() {
        result["next_cursor"] = json!(next);
    }
    Ok(json!({ "result": result }))
}

fn department_listsub(call: &Call<'_>) -> LegacyResult {
    let english = english(call.fields)?;
    let dept = department(call)?;
    let subs: Vec<Value> = call
        .shared
        .directory
        .children(dept)
        .map(|d| json!({"dept_id": d.id, "name": d.name(english), "parent_id": d.parent}))
        .collect();
    Ok(json!({ "result": subs }))
}
