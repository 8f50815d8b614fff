//! `/api/v1/groups` over the router against the built-in sandbox, on
//! SQLite and PostgreSQL, with the app on the new and on the legacy API:
//! every group operation, the limits (40 per call each way, 12 admins,
//! 1,000 members, 20-character names) refused before any upstream call, the
//! real error codes, a token expiring in the middle of a 120-member batch,
//! one member failing in a batch while the others succeed, idempotent
//! creates, and what auditors may do.

use std::time::Duration;

use crate::support::*;
use axum::http::{Method, StatusCode};
use backend::audit::Actor;
use backend::db::Backend;
use backend::sandbox::{DEMO_APP_KEY, Fault, Sandbox};
use serde_json::{Value, json};
use shared::vault::{DingTalkApi, DingTalkAppInput};

fn ids(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|n| format!("user{n:04}")).collect()
}

fn sandbox(s: &Server) -> &Sandbox {
    s.app
        .sandbox()
        .expect("the tests run on the built-in sandbox")
}

/// The sandbox app stored on first start, switched to `api`.
async fn app_id(s: &Server, api: DingTalkApi) -> String {
    let state = s.app.state();
    let app = state.vault.list_dingtalk().await.unwrap().remove(0);
    assert_eq!(app.app_key, DEMO_APP_KEY);
    let input = DingTalkAppInput {
        name: app.name.clone(),
        app_key: app.app_key.clone(),
        app_secret: None,
        site: app.site,
        api,
    };
    state
        .vault
        .update_dingtalk(&Actor::cli(), &app.id, &input)
        .await
        .unwrap();
    app.id
}

async fn call(s: &Server, who: &Signed, method: Method, path: &str, body: Value) -> Reply {
    let body = (method != Method::GET).then(|| body.to_string());
    s.send(method, path, Some(who), body.as_deref()).await
}

async fn ok(s: &Server, who: &Signed, method: Method, path: &str, body: Value) -> Value {
    let reply = call(s, who, method.clone(), path, body).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{method} {path}: {}",
        reply.raw
    );
    reply.body
}

/// Upstream changes recorded so far: entries with an intent.
async fn intents(s: &Server) -> usize {
    let admin = s.sign_in("admin").await;
    let page = ok(
        s,
        &admin,
        Method::GET,
        "/audit/events?limit=500",
        Value::Null,
    )
    .await;
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("group."))
        .filter(|e| e["intent_seq"].is_i64())
        .count()
}

fn update_op(api: DingTalkApi) -> &'static str {
    match api {
        DingTalkApi::New => "UpdateGroup",
        DingTalkApi::Legacy => "chat/update",
    }
}

async fn every_group_operation(backend: Backend, api: DingTalkApi) {
    let s = Server::start(backend).await;
    let app = app_id(&s, api).await;
    let desk = s.sign_in("helpdesk").await;

    // With no parameters: the first page of the whole catalogue, which a
    // fresh console on the sandbox fills with the demo groups.
    let first = ok(&s, &desk, Method::GET, "/groups", Value::Null).await;
    assert_eq!(first["total"], 20, "{first}");
    assert_eq!(first["groups"].as_array().unwrap().len(), 20);
    let big = first["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "全员大群")
        .unwrap()
        .clone();
    assert_eq!(big["member_count"], 1000);

    // The apps to pick from, for help-desk staff who may not read the
    // vault: ids and names, nothing of the credentials.
    let apps = ok(&s, &desk, Method::GET, "/groups/apps", Value::Null).await;
    assert_eq!(apps, json!([{"id": app, "name": "Sandbox DingTalk"}]));
    let refused = call(&s, &desk, Method::GET, "/credentials/dingtalk", Value::Null).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.raw);

    // Create with 45 members, idempotently: 40 in the create call, 5 after.
    let create = json!({
        "app_id": app, "name": "夜班支持", "owner": "user0100",
        "members": ids(101..=144), "labels": ["客服"],
        "settings": {"muted": false, "searchable": true, "join_needs_approval": false,
                     "only_owner_mentions_all": true, "only_owner_manages": false,
                     "new_members_see_history": true},
    })
    .to_string();
    let send_create = || {
        let req = s.request(Method::POST, "/groups", Some(&desk), Some(&create));
        s.raw(with_header(req, "idempotency-key", "create-night-1"))
    };
    let (a, b) = tokio::join!(send_create(), send_create());
    for r in [&a, &b] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    }
    assert_eq!(a.body, b.body, "a double click makes one group");
    let created = a.body;
    let added = created["members"]["add"].as_array().unwrap();
    assert_eq!(added.len(), 45);
    assert!(
        added
            .iter()
            .all(|i| i["status"] == "done" && i["name"].is_string())
    );
    assert_eq!(created["members"]["calls"], 2);
    let id = created["group"]["id"].as_str().unwrap().to_owned();
    let path = format!("/groups/{id}");
    let all = ok(&s, &desk, Method::GET, "/groups", Value::Null).await;
    assert_eq!(all["total"], 21);

    // Found by a member's name and by a label.
    let member_name = added[30]["name"].as_str().unwrap();
    let url = format!("/groups?q={}", urlencode(member_name));
    let found = ok(&s, &desk, Method::GET, &url, Value::Null).await;
    assert!(
        found["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == id),
        "{found}"
    );
    let by_label = ok(
        &s,
        &desk,
        Method::GET,
        "/groups?label=%E5%AE%A2%E6%9C%8D",
        Value::Null,
    )
    .await;
    assert_eq!(by_label["total"], 1);

    // People by name, for the pickers.
    let people_url = format!("/groups/people?app_id={app}&q={}", urlencode(member_name));
    let people = ok(&s, &desk, Method::GET, &people_url, Value::Null).await;
    assert!(
        people
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == member_name),
        "{people}"
    );

    // The group page.
    let detail = ok(&s, &desk, Method::GET, &path, Value::Null).await;
    assert_eq!(detail["members"].as_array().unwrap().len(), 45);
    assert_eq!(detail["settings"]["only_owner_mentions_all"], true);
    assert!(detail["private_chat"].is_null(), "unknown until set");

    // Refused before calling DingTalk, naming the field and the value.
    let before = intents(&s).await;
    let refusals = [
        (
            Method::PATCH,
            path.clone(),
            json!({"name": "x".repeat(21)}),
            "name",
            "21",
        ),
        (
            Method::PATCH,
            path.clone(),
            json!({"owner": "user2999"}),
            "owner",
            "user2999",
        ),
        (
            Method::POST,
            format!("{path}/members"),
            json!({"add": ["user0150", "ghost-user"]}),
            "add[1]",
            "ghost-user",
        ),
        (
            Method::POST,
            format!("/groups/{}/members", big["id"].as_str().unwrap()),
            json!({"add": ["user2500"]}),
            "add",
            "user2500 would be member number 1001",
        ),
        (
            Method::POST,
            "/groups".into(),
            json!({"app_id": app, "name": "too big", "owner": "user0001", "members": ids(1..=1001)}),
            "members",
            "1001",
        ),
        (
            Method::POST,
            format!("{path}/admins"),
            json!({"add": ids(101..=113)}),
            "add",
            "user0113 would be admin number 13",
        ),
        (
            Method::POST,
            format!("{path}/admins"),
            json!({"add": ["user0100"]}),
            "add",
            "owns the group",
        ),
        (
            Method::PUT,
            format!("{path}/nickname"),
            json!({"user_id": "user0101", "nickname": "长".repeat(21)}),
            "nickname",
            "21 characters",
        ),
    ];
    for (method, url, body, field, value) in refusals {
        let reply = call(&s, &desk, method.clone(), &url, body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {url}: {}",
            reply.raw
        );
        assert_eq!(reply.body["field"], field, "{}", reply.raw);
        assert!(
            reply.body["message"].as_str().unwrap().contains(value),
            "{}",
            reply.raw
        );
    }
    assert_eq!(intents(&s).await, before, "nothing reached DingTalk");

    // Rename and one switch after a diff in the UI: the others stay.
    let edited = ok(
        &s,
        &desk,
        Method::PATCH,
        &path,
        json!({"name": "夜班支持 2", "settings": {"muted": true}}),
    )
    .await;
    assert_eq!(edited["group"]["name"], "夜班支持 2");
    assert_eq!(edited["settings"]["muted"], true);
    assert_eq!(edited["settings"]["only_owner_mentions_all"], true);

    // 120 members in calls of 40; the token expires after the first call.
    let sb = sandbox(&s);
    sb.faults()
        .set(update_op(api), Fault::latency(Duration::from_millis(300)));
    let fetches = sb.token_fetches(DEMO_APP_KEY);
    let add = json!({"add": ids(201..=320)});
    let members_path = format!("{path}/members");
    let (batch, ()) = tokio::join!(ok(&s, &desk, Method::POST, &members_path, add), async {
        tokio::time::sleep(Duration::from_millis(450)).await;
        sb.expire_tokens();
    });
    sb.faults().clear();
    let results = batch["add"].as_array().unwrap();
    assert_eq!(results.len(), 120);
    assert!(results.iter().all(|i| i["status"] == "done"), "{batch}");
    assert_eq!(batch["calls"], 3);
    assert!(
        sb.token_fetches(DEMO_APP_KEY) > fetches,
        "refreshed mid-batch"
    );

    // 41 asked to leave: the 40 members in one call, the one who is not a
    // member is already so.
    let mut remove = ids(201..=240);
    remove.push("user2999".into());
    let report = ok(
        &s,
        &desk,
        Method::POST,
        &format!("{path}/members"),
        json!({ "remove": remove }),
    )
    .await;
    let removed = report["remove"].as_array().unwrap();
    assert_eq!(removed.len(), 41);
    assert!(
        removed[..40].iter().all(|i| i["status"] == "done"),
        "{report}"
    );
    assert_eq!(removed[40]["id"], "user2999");
    assert_eq!(removed[40]["status"], "unchanged");
    assert_eq!(report["calls"], 1);
    let detail = ok(&s, &desk, Method::GET, &path, Value::Null).await;
    assert_eq!(detail["group"]["member_count"], 125);

    // Admins in one batch, by name or id; private chat; a nickname.
    let admins = ok(
        &s,
        &desk,
        Method::POST,
        &format!("{path}/admins"),
        json!({"add": ["user0102", "user0103"]}),
    )
    .await;
    assert_eq!(admins["add"].as_array().unwrap().len(), 2);
    let set = ok(
        &s,
        &desk,
        Method::PUT,
        &format!("{path}/private-chat"),
        json!({"allowed": false}),
    )
    .await;
    assert_eq!(
        (set["value"].clone(), set["by"].clone()),
        (json!(false), json!("helpdesk"))
    );
    ok(
        &s,
        &desk,
        Method::PUT,
        &format!("{path}/nickname"),
        json!({"user_id": added[1]["id"], "nickname": "夜班组长"}),
    )
    .await;
    let detail = ok(&s, &desk, Method::GET, &path, Value::Null).await;
    let member = detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == added[1]["id"])
        .unwrap();
    assert_eq!(member["nickname"]["value"], "夜班组长");
    assert_eq!(member["nickname"]["by"], "helpdesk");
    let admins: Vec<&Value> = detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["admin"] == true)
        .collect();
    assert_eq!(admins.len(), 2);
    assert_eq!(admins[0]["user_id"], "user0102");
    assert_eq!(detail["private_chat"]["value"], false);

    // The join link and its QR code, drawn by the server.
    let link = ok(
        &s,
        &desk,
        Method::GET,
        &format!("{path}/join-link"),
        Value::Null,
    )
    .await;
    assert!(
        link["link"]
            .as_str()
            .unwrap()
            .starts_with("https://qr.dingtalk.com/")
    );
    let qr = call(
        &s,
        &desk,
        Method::GET,
        &format!("{path}/qr.svg"),
        Value::Null,
    )
    .await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(qr.headers["content-type"], "image/svg+xml");
    assert!(qr.raw.contains("<svg"));

    // A real upstream code reaches the user: the dismissed demo group.
    let gone = first["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["dismissed"] == true)
        .unwrap();
    let reply = call(
        &s,
        &desk,
        Method::PATCH,
        &format!("/groups/{}", gone["id"].as_str().unwrap()),
        json!({"settings": {"muted": true}}),
    )
    .await;
    let code = match api {
        DingTalkApi::New => "group.diaband",
        DingTalkApi::Legacy => "34001",
    };
    assert!(reply.status.is_client_error(), "{}", reply.raw);
    assert!(
        reply.body["message"].as_str().unwrap().contains(code),
        "{}",
        reply.raw
    );
    assert!(reply.body["request_id"].is_string(), "{}", reply.raw);

    // Every upstream change has its outcome, with the RequestId.
    let admin = s.sign_in("admin").await;
    let events = ok(
        &s,
        &admin,
        Method::GET,
        "/audit/events?action=group.members_add&outcome=success",
        Value::Null,
    )
    .await;
    let events = events["events"].as_array().unwrap();
    assert!(events.len() >= 4, "{events:?}");
    assert!(
        events.iter().all(|e| e["request_id"].is_string()),
        "{events:?}"
    );
    let unknown = ok(
        &s,
        &admin,
        Method::GET,
        "/audit/events?outcome=unknown",
        Value::Null,
    )
    .await;
    assert!(unknown["events"].as_array().unwrap().is_empty());

    // Auditors read the same page and change nothing.
    let auditor = s.sign_in("auditor").await;
    ok(&s, &auditor, Method::GET, &path, Value::Null).await;
    ok(&s, &auditor, Method::GET, "/groups", Value::Null).await;
    for (method, url, body) in [
        (Method::PATCH, path.clone(), json!({"name": "x"})),
        (
            Method::POST,
            format!("{path}/members"),
            json!({"add": ["user0001"]}),
        ),
        (Method::GET, format!("{path}/qr.svg"), Value::Null),
    ] {
        let reply = call(&s, &auditor, method, &url, body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{url}: {}", reply.raw);
    }
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn every_group_operation_new_api_sqlite() {
    every_group_operation(Backend::Sqlite, DingTalkApi::New).await;
}

#[tokio::test]
async fn every_group_operation_legacy_api_sqlite() {
    every_group_operation(Backend::Sqlite, DingTalkApi::Legacy).await;
}

#[tokio::test]
async fn every_group_operation_new_api_postgres() {
    every_group_operation(Backend::Postgres, DingTalkApi::New).await;
}

#[tokio::test]
async fn every_group_operation_legacy_api_postgres() {
    every_group_operation(Backend::Postgres, DingTalkApi::Legacy).await;
}

#[tokio::test]
async fn a_wrong_app_secret_is_bad_credentials_and_imports_are_checked() {
    let s = Server::start(Backend::Sqlite).await;
    let app = app_id(&s, DingTalkApi::New).await;
    let desk = s.sign_in("helpdesk").await;
    let groups = ok(&s, &desk, Method::GET, "/groups", Value::Null).await;
    let some = groups["groups"][0]["id"].as_str().unwrap().to_owned();

    // A chatid not made by server-side chat/create: explained.
    let reply = call(
        &s,
        &desk,
        Method::POST,
        "/groups/import",
        json!({"app_id": app, "chat_id": "chatmadebyaclient01"}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert!(
        reply.raw.contains("server-side chat/create"),
        "{}",
        reply.raw
    );

    // A wrong secret: DingTalk's invalidClientIdOrSecret, as bad credentials.
    let state = s.app.state();
    let stored = state.vault.list_dingtalk().await.unwrap().remove(0);
    let input = DingTalkAppInput {
        name: stored.name.clone(),
        app_key: stored.app_key.clone(),
        app_secret: Some("not-the-secret".into()),
        site: stored.site,
        api: stored.api,
    };
    state
        .vault
        .update_dingtalk(&Actor::cli(), &stored.id, &input)
        .await
        .unwrap();
    let reply = call(
        &s,
        &desk,
        Method::GET,
        &format!("/groups/{some}"),
        Value::Null,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{}", reply.raw);
    assert_eq!(reply.body["code"], "upstream_auth_failed");
    let message = reply.body["message"].as_str().unwrap();
    assert!(
        message.contains("refused the stored credentials"),
        "{message}"
    );
    assert!(message.contains("invalidClientIdOrSecret"), "{message}");
}

/// The create form's owner and members may be exact names, as every other
/// pick; a name nobody has is refused naming the field, before any call.
#[tokio::test]
async fn a_group_is_created_with_its_owner_and_members_given_by_name() {
    let s = Server::start(Backend::Sqlite).await;
    let app = app_id(&s, DingTalkApi::New).await;
    let desk = s.sign_in("helpdesk").await;
    // Two people whose names are unique in the directory, from the
    // 1,000-member demo group's member list.
    let catalogue = ok(
        &s,
        &desk,
        Method::GET,
        &format!("/groups?q={}", urlencode("全员大群")),
        Value::Null,
    )
    .await;
    let big = catalogue["groups"][0]["id"].as_str().unwrap().to_owned();
    let detail = ok(
        &s,
        &desk,
        Method::GET,
        &format!("/groups/{big}"),
        Value::Null,
    )
    .await;
    let mut unique = Vec::new();
    for m in detail["members"].as_array().unwrap().iter().skip(1) {
        let (id, Some(name)) = (m["user_id"].as_str().unwrap(), m["name"].as_str()) else {
            continue;
        };
        let path = format!("/groups/people?app_id={app}&q={}", urlencode(name));
        let same = ok(&s, &desk, Method::GET, &path, Value::Null).await;
        if same.as_array().unwrap().len() == 1 && same[0]["user_id"] == id {
            unique.push((id.to_owned(), name.to_owned()));
        }
        if unique.len() == 2 {
            break;
        }
    }
    assert_eq!(unique.len(), 2, "two unique names in the sandbox directory");
    let [(owner_id, owner_name), (member_id, member_name)] = [unique[0].clone(), unique[1].clone()];

    let before = intents(&s).await;
    let nobody = call(
        &s,
        &desk,
        Method::POST,
        "/groups",
        json!({"app_id": app, "name": "按姓名建群", "owner": "查无此人", "members": [member_name]}),
    )
    .await;
    assert_eq!(
        nobody.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nobody.raw
    );
    assert_eq!(nobody.body["field"], "owner", "{}", nobody.raw);
    assert!(nobody.raw.contains("查无此人"), "{}", nobody.raw);
    assert_eq!(intents(&s).await, before, "nothing was attempted upstream");

    let created = ok(
        &s,
        &desk,
        Method::POST,
        "/groups",
        json!({"app_id": app, "name": "按姓名建群", "owner": owner_name, "members": [member_name]}),
    )
    .await;
    let id = created["group"]["id"].as_str().unwrap();
    let detail = ok(
        &s,
        &desk,
        Method::GET,
        &format!("/groups/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(detail["group"]["owner"], owner_id.as_str(), "{detail}");
    let members: Vec<&str> = detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    assert!(members.contains(&member_id.as_str()), "{detail}");
}

/// A console on the sandbox's app (new API) with a fresh group: user0100
/// owns it, user0101 to user0115 are members, labelled 测试.
async fn fresh_group(backend: Backend) -> (Server, Signed, Value) {
    let s = Server::start(backend).await;
    let app = app_id(&s, DingTalkApi::New).await;
    let desk = s.sign_in("helpdesk").await;
    let new = json!({"app_id": app, "name": "小组", "owner": "user0100",
                     "members": ids(101..=115), "labels": ["测试"]});
    let created = ok(&s, &desk, Method::POST, "/groups", new).await;
    (s, desk, created)
}

fn group_path(created: &Value) -> String {
    format!("/groups/{}", created["group"]["id"].as_str().unwrap())
}

fn member<'a>(detail: &'a Value, id: &str) -> &'a Value {
    detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == id)
        .unwrap_or_else(|| panic!("{id} is not listed: {detail}"))
}

/// A blank user id or name (empty, spaces, a line separator) is refused
/// by its field, wherever a person is named, and nothing reaches DingTalk.
#[tokio::test]
async fn a_blank_person_is_refused_by_field() {
    let (s, desk, created) = fresh_group(Backend::Sqlite).await;
    let path = group_path(&created);
    let before = intents(&s).await;
    for blank in ["", " ", "\u{2028}"] {
        let cases = [
            (
                Method::PUT,
                format!("{path}/nickname"),
                json!({"user_id": blank, "nickname": "夜班"}),
                "user_id",
            ),
            (
                Method::PATCH,
                path.clone(),
                json!({"owner": blank}),
                "owner",
            ),
            (
                Method::POST,
                format!("{path}/members"),
                json!({"add": ["user0120", blank]}),
                "add[1]",
            ),
            (
                Method::POST,
                format!("{path}/admins"),
                json!({"remove": [blank]}),
                "remove[0]",
            ),
            (
                Method::POST,
                "/groups".into(),
                json!({"app_id": created["group"]["app_id"], "name": "x", "owner": blank, "members": []}),
                "owner",
            ),
        ];
        for (method, url, body, field) in cases {
            let reply = call(&s, &desk, method.clone(), &url, body).await;
            let what = format!("{method} {url} with {blank:?}: {}", reply.raw);
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            assert_eq!(reply.body["field"], field, "{what}");
            assert_eq!(reply.body["problem"]["kind"], "empty", "{what}");
        }
    }
    assert_eq!(intents(&s).await, before, "nothing reached DingTalk");
}

/// DingTalk drops the sub-admin role of whoever becomes the owner: so does
/// chatdesk, on the page and in the count of twelve.
async fn a_sub_admin_made_owner_is_no_longer_an_admin(backend: Backend) {
    let (s, desk, created) = fresh_group(backend).await;
    let path = group_path(&created);
    let twelve = json!({"add": ids(101..=112)});
    ok(&s, &desk, Method::POST, &format!("{path}/admins"), twelve).await;
    ok(
        &s,
        &desk,
        Method::PATCH,
        &path,
        json!({"owner": "user0101"}),
    )
    .await;
    let detail = ok(&s, &desk, Method::GET, &path, Value::Null).await;
    let owner = member(&detail, "user0101");
    assert_eq!(
        (&owner["owner"], &owner["admin"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(member(&detail, "user0102")["admin"], true);
    assert_eq!(member(&detail, "user0100")["admin"], false);
    // Eleven sub-admins are left, so a twelfth fits.
    let report = ok(
        &s,
        &desk,
        Method::POST,
        &format!("{path}/admins"),
        json!({"add": ["user0113"]}),
    )
    .await;
    assert_eq!(report["add"][0]["status"], "done", "{report}");
}

#[tokio::test]
async fn a_sub_admin_made_owner_is_no_longer_an_admin_sqlite() {
    a_sub_admin_made_owner_is_no_longer_an_admin(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_sub_admin_made_owner_is_no_longer_an_admin_postgres() {
    a_sub_admin_made_owner_is_no_longer_an_admin(Backend::Postgres).await;
}

/// Everyone a batch names gets a line, in the order asked: done, already
/// so, or failed with the error (code, message, upstream RequestId).
#[tokio::test]
async fn every_person_asked_about_gets_a_line() {
    let (s, desk, created) = fresh_group(Backend::Sqlite).await;
    let path = group_path(&created);
    // Someone who left the directory while chatdesk still knew their name.
    let state = s.app.state();
    let stored = state.vault.list_dingtalk().await.unwrap().remove(0);
    let app = state.vault.dingtalk_app(&stored.id).await.unwrap().app();
    let gone = shared::groups::UserId::parse("gone-user").unwrap();
    backend::groups::people::remember(&app, [(gone, "走了".to_owned())]);

    let change = json!({"add": ["user0101", "user0120", "gone-user"],
                        "remove": ["user0102", "user2999"]});
    let report = ok(&s, &desk, Method::POST, &format!("{path}/members"), change).await;
    let line = |way: &str, i: usize| report[way][i].clone();
    assert_eq!(line("add", 0)["id"], "user0101");
    assert_eq!(line("add", 0)["status"], "unchanged", "{report}");
    assert!(line("add", 0)["name"].is_string(), "{report}");
    assert_eq!(line("add", 1)["status"], "done", "{report}");
    assert!(line("add", 1)["request_id"].is_string(), "{report}");
    let failed = line("add", 2);
    assert_eq!(
        (&failed["id"], &failed["status"]),
        (&json!("gone-user"), &json!("failed"))
    );
    assert!(
        failed["error"]["code"]
            .as_str()
            .unwrap()
            .starts_with("upstream_"),
        "{report}"
    );
    assert!(failed["error"]["message"].is_string(), "{report}");
    assert!(failed["error"]["request_id"].is_string(), "{report}");
    assert_eq!(line("remove", 0)["status"], "done", "{report}");
    assert_eq!(line("remove", 1)["id"], "user2999");
    assert_eq!(line("remove", 1)["status"], "unchanged", "{report}");
    assert_eq!(report["add"].as_array().unwrap().len(), 3);

    // Admins too: appointing one again is already so, and not sent.
    let admins = format!("{path}/admins");
    let first = ok(
        &s,
        &desk,
        Method::POST,
        &admins,
        json!({"add": ["user0103"]}),
    )
    .await;
    assert_eq!(first["add"][0]["status"], "done", "{first}");
    let before = intents(&s).await;
    let again = ok(
        &s,
        &desk,
        Method::POST,
        &admins,
        json!({"add": ["user0103"]}),
    )
    .await;
    assert_eq!(again["add"][0]["status"], "unchanged", "{again}");
    assert_eq!(again["calls"], 0);
    assert_eq!(intents(&s).await, before);
}

/// A nickname for someone outside the group is refused as such, naming the
/// field, before DingTalk is asked (which would answer 60124).
#[tokio::test]
async fn a_nickname_for_a_non_member_is_refused_before_dingtalk() {
    let (s, desk, created) = fresh_group(Backend::Sqlite).await;
    let path = group_path(&created);
    let before = intents(&s).await;
    let reply = call(
        &s,
        &desk,
        Method::PUT,
        &format!("{path}/nickname"),
        json!({"user_id": "user0500", "nickname": "访客"}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["field"], "user_id", "{}", reply.raw);
    assert_eq!(reply.body["message"], "user_id: not a member of this group");
    assert_eq!(reply.body["problem"]["kind"], "not_member", "{}", reply.raw);
    assert_eq!(intents(&s).await, before, "nothing reached DingTalk");
}

/// A create may name only the switches it turns on; the others take
/// DingTalk's defaults (off), as a PATCH leaves out what it does not change.
#[tokio::test]
async fn a_create_with_some_settings_takes_the_defaults_for_the_rest() {
    let s = Server::start(Backend::Sqlite).await;
    let app = app_id(&s, DingTalkApi::New).await;
    let desk = s.sign_in("helpdesk").await;
    let new = json!({"app_id": app, "name": "可搜索", "owner": "user0100",
                     "members": ["user0101"], "settings": {"searchable": true}});
    let created = ok(&s, &desk, Method::POST, "/groups", new).await;
    let detail = ok(&s, &desk, Method::GET, &group_path(&created), Value::Null).await;
    assert_eq!(
        detail["settings"],
        json!({"muted": false, "searchable": true, "join_needs_approval": false,
               "only_owner_mentions_all": false, "only_owner_manages": false,
               "new_members_see_history": false})
    );
}

/// Each kind of group edit is its own action in the audit trail; a
/// create's outcome names the chatid DingTalk gave, its intent the labels.
#[tokio::test]
async fn group_edits_are_audited_by_what_they_change() {
    let (s, desk, created) = fresh_group(Backend::Sqlite).await;
    let path = group_path(&created);
    let edits = [
        (Method::PATCH, path.clone(), json!({"name": "小组 2"})),
        (Method::PATCH, path.clone(), json!({"owner": "user0101"})),
        (
            Method::PATCH,
            path.clone(),
            json!({"settings": {"muted": true}}),
        ),
        (
            Method::POST,
            format!("{path}/admins"),
            json!({"add": ["user0102"]}),
        ),
        (
            Method::PUT,
            format!("{path}/private-chat"),
            json!({"allowed": false}),
        ),
        (
            Method::PUT,
            format!("{path}/nickname"),
            json!({"user_id": "user0103", "nickname": "夜班"}),
        ),
        (
            Method::PUT,
            format!("{path}/labels"),
            json!({"labels": ["运维"]}),
        ),
    ];
    for (method, url, body) in edits {
        ok(&s, &desk, method, &url, body).await;
    }
    let admin = s.sign_in("admin").await;
    let page = ok(
        &s,
        &admin,
        Method::GET,
        "/audit/events?limit=100",
        Value::Null,
    )
    .await;
    let events = page["events"].as_array().unwrap();
    let mut actions: Vec<&str> = events
        .iter()
        .filter(|e| e["outcome"] != "failure")
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| a.starts_with("group."))
        .collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "group.create",
            "group.rename",
            "group.owner",
            "group.settings",
            "group.admins",
            "group.private_chat",
            "group.nickname",
            "group.labels",
        ]
    );
    let chat_id = created["group"]["chat_id"].as_str().unwrap();
    let create = |outcome: &str| {
        events
            .iter()
            .find(|e| e["action"] == "group.create" && e["outcome"] == outcome)
            .unwrap_or_else(|| panic!("no {outcome} of the create: {page}"))
            .clone()
    };
    assert_eq!(create("success")["target"]["id"], chat_id, "{page}");
    assert_eq!(create("success")["target"]["label"], "小组", "{page}");
    let labelled = create("success")["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["field"].as_str().unwrap().starts_with("labels") && c["after"] == "\"测试\"");
    assert!(labelled, "{page}");
}

/// The preview is the plan applying computes: the same fields, before and
/// after, and nothing changes until the edit is sent.
#[tokio::test]
async fn the_edit_preview_is_what_applying_records() {
    let (s, desk, created) = fresh_group(Backend::Sqlite).await;
    let path = group_path(&created);
    let edit = json!({"name": "小组 2", "owner": "user0100", "settings": {"muted": true, "searchable": false}});
    let before = intents(&s).await;
    let plan = ok(
        &s,
        &desk,
        Method::POST,
        &format!("{path}/preview"),
        edit.clone(),
    )
    .await;
    assert_eq!(
        plan,
        json!([
            {"field": "name", "before": "\"小组\"", "after": "\"小组 2\""},
            {"field": "settings.muted", "before": "false", "after": "true"},
        ])
    );
    assert_eq!(intents(&s).await, before, "a preview changes nothing");
    let detail = ok(&s, &desk, Method::GET, &path, Value::Null).await;
    assert_eq!(detail["group"]["name"], "小组");
    // A preview is refused as the edit would be.
    let outsider = json!({"owner": "user0500"});
    let reply = call(
        &s,
        &desk,
        Method::POST,
        &format!("{path}/preview"),
        outsider,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["problem"]["kind"], "not_member", "{}", reply.raw);

    ok(&s, &desk, Method::PATCH, &path, edit).await;
    let admin = s.sign_in("admin").await;
    let page = ok(
        &s,
        &admin,
        Method::GET,
        "/audit/events?action=group.rename",
        Value::Null,
    )
    .await;
    assert_eq!(page["events"][0]["changes"], plan, "{page}");
}
