//! DingTalk over HTTP: tokens, app permissions, and the group calls of both
//! API generations over one group state, with every documented limit.

use std::time::Duration;

use crate::support::*;
use backend::sandbox::{
    DEMO_APP_KEY, DEMO_APP_SECRET, DingTalkApp, GroupRef, PERM_CHAT_READ, Sandbox, SandboxConfig,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn demo_group(sandbox: &Sandbox, name: &str) -> GroupRef {
    sandbox
        .groups()
        .into_iter()
        .find(|g| g.name == name)
        .unwrap()
}

#[tokio::test]
async fn tokens_are_shared_extended_and_refused_once_expired() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let first = ding.gettoken_with(DEMO_APP_KEY, DEMO_APP_SECRET).await;
    assert_eq!(first.errcode(), 0);
    assert_eq!(first.body["expires_in"], 7200);
    let token = first.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(ding.token().await, token, "same token while valid");
    let new_api = ding
        .http
        .post(format!("{}/v1.0/oauth2/accessToken", sandbox.base_url()))
        .json(&json!({"appKey": DEMO_APP_KEY, "appSecret": DEMO_APP_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(new_api.status(), StatusCode::OK);
    let body: Value = new_api.json().await.unwrap();
    assert_eq!(body["accessToken"], token.as_str());
    assert_eq!(body["expireIn"], 7200);
    assert_eq!(sandbox.token_fetches(DEMO_APP_KEY), 3);

    // Wrong credentials: no token, not counted.
    assert_eq!(
        ding.gettoken_with(DEMO_APP_KEY, "wrong").await.errcode(),
        40096
    );
    assert_eq!(
        ding.gettoken_with("nobody", DEMO_APP_SECRET)
            .await
            .errcode(),
        40096
    );
    let reply = ding
        .http
        .get(format!("{}/gettoken", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.json::<Value>().await.unwrap()["errcode"], 40036);
    let bad = ding
        .http
        .post(format!("{}/v1.0/oauth2/accessToken", sandbox.base_url()))
        .json(&json!({"appKey": DEMO_APP_KEY, "appSecret": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "invalidClientIdOrSecret");
    assert_eq!(sandbox.token_fetches(DEMO_APP_KEY), 3);

    let chat = demo_group(&sandbox, "值班群");
    let get = |t: String| {
        let ding = &ding;
        let chatid = chat.chatid.clone();
        async move { ding.oapi_get("/chat/get", &t, &[("chatid", &chatid)]).await }
    };
    let base = |t: String| {
        let ding = &ding;
        let cid = chat.open_conversation_id.clone();
        async move {
            ding.api(
                "/v1.0/im/groups/baseInfos/query",
                &t,
                json!({"openConversationId": cid}),
            )
            .await
        }
    };
    assert_eq!(get(token.clone()).await.errcode(), 0);
    assert_eq!(base(token.clone()).await.status, StatusCode::OK);
    for unknown in ["", "not-a-token"] {
        assert_eq!(get(unknown.into()).await.errcode(), 40001);
        let reply = base(unknown.into()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "InvalidAuthentication")
        );
    }
    sandbox.expire_tokens();
    assert_eq!(get(token.clone()).await.errcode(), 40001);
    let reply = base(token.clone()).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "InvalidAuthentication")
    );
    let renewed = ding.token().await;
    assert_ne!(renewed, token);
    assert_eq!(get(renewed).await.errcode(), 0);
}

#[tokio::test]
async fn token_ttl_is_configurable() {
    let mut config = SandboxConfig::demo();
    config.token_ttl = Duration::from_secs(1);
    let sandbox = start_with(config).await;
    let ding = Ding::new(&sandbox);
    let reply = ding.gettoken_with(DEMO_APP_KEY, DEMO_APP_SECRET).await;
    assert_eq!(reply.body["expires_in"], 1);
    let token = reply.body["access_token"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let reply = ding
        .oapi("/topapi/v2/user/get", &token, json!({"userid": "user0001"}))
        .await;
    assert_eq!(reply.errcode(), 40001);
}

#[tokio::test]
async fn each_call_needs_its_app_permission() {
    let mut config = SandboxConfig::demo();
    config.dingtalk_apps.push(DingTalkApp {
        app_key: "readonly".into(),
        app_secret: "readonly-secret".into(),
        permissions: vec![PERM_CHAT_READ.into()],
    });
    let sandbox = start_with(config).await;
    let ding = Ding::new(&sandbox);
    let reply = ding.gettoken_with("readonly", "readonly-secret").await;
    let token = reply.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(sandbox.token_fetches("readonly"), 1);
    assert_eq!(sandbox.token_fetches(DEMO_APP_KEY), 0);
    let chat = demo_group(&sandbox, "值班群");
    // Allowed: chat reads.
    assert_eq!(
        ding.oapi_get("/chat/get", &token, &[("chatid", &chat.chatid)])
            .await
            .errcode(),
        0
    );
    // Refused: management, QR code (qyapi_chat_base_read), directory.
    let create = json!({"name": "x", "owner": "user0001", "useridlist": ["user0001"]});
    assert_eq!(
        ding.oapi("/chat/create", &token, create.clone())
            .await
            .errcode(),
        43007
    );
    let qr = json!({"chatid": chat.chatid, "userid": "user0001"});
    assert_eq!(
        ding.oapi("/topapi/chat/qrcode/get", &token, qr)
            .await
            .errcode(),
        43007
    );
    let user = json!({"userid": "user0001"});
    assert_eq!(
        ding.oapi("/topapi/v2/user/get", &token, user)
            .await
            .errcode(),
        43007
    );
    let reply = ding.api("/v1.0/im/group/create", &token, create).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "permession.checkFailed")
    );
    let admins = json!({"openConversationId": chat.open_conversation_id, "userIds": ["user0001"], "role": 2});
    let reply = ding.api("/v1.0/im/subAdministrators", &token, admins).await;
    assert_eq!(
        (reply.status, reply.code()),
        (
            StatusCode::FORBIDDEN,
            "Forbidden.AccessDenied.AccessTokenPermissionDenied"
        )
    );
}

#[tokio::test]
async fn legacy_group_lifecycle() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let created = ding
        .oapi_ok(
            "/chat/create",
            &t,
            json!({"name": "周报群", "owner": "user0010", "useridlist": users(10..=14),
                   "searchable": 1, "showHistoryType": 1}),
        )
        .await;
    let chatid = created["chatid"].as_str().unwrap().to_owned();
    assert!(chatid.starts_with("chat"));
    assert!(
        created["openConversationId"]
            .as_str()
            .unwrap()
            .starts_with("cid")
    );
    assert_eq!(created["conversationTag"], 2);

    let info = |body: Value| body["chat_info"].clone();
    let got = info(
        ding.oapi_get("/chat/get", &t, &[("chatid", &chatid)])
            .await
            .body,
    );
    assert_eq!(got["name"], "周报群");
    assert_eq!(got["owner"], "user0010");
    assert_eq!(got["useridlist"], json!(users(10..=14)));
    assert_eq!(
        (got["searchable"].clone(), got["showHistoryType"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        (got["chatBannedType"].clone(), got["status"].clone()),
        (json!(0), json!(1))
    );

    ding.oapi_ok(
        "/chat/update",
        &t,
        json!({"chatid": chatid, "name": "周报群 v2", "add_useridlist": ["user0020", "user0021"],
               "del_useridlist": ["user0014"], "owner": "user0011", "isBan": true,
               "icon": "@lADPnew", "mentionAllAuthority": 1}),
    )
    .await;
    let got = info(
        ding.oapi_get("/chat/get", &t, &[("chatid", &chatid)])
            .await
            .body,
    );
    assert_eq!(got["name"], "周报群 v2");
    assert_eq!(got["owner"], "user0011");
    assert_eq!(got["icon"], "@lADPnew");
    assert_eq!(got["chatBannedType"], 1);
    assert_eq!(got["mentionAllAuthority"], 1);
    let members: Vec<String> = serde_json::from_value(got["useridlist"].clone()).unwrap();
    assert_eq!(
        members,
        [
            "user0010", "user0011", "user0012", "user0013", "user0020", "user0021"
        ]
    );

    let admins = json!({"chatid": chatid, "userids": "user0012,user0013", "role": 2});
    assert_eq!(
        ding.oapi_ok("/topapi/chat/subadmin/update", &t, admins)
            .await["success"],
        true
    );
    let remove = json!({"chatid": chatid, "userids": "user0013", "role": 3});
    ding.oapi_ok("/topapi/chat/subadmin/update", &t, remove)
        .await;
    let switch = json!({"chatid": chatid, "is_prohibit": true});
    ding.oapi_ok("/topapi/chat/member/friendswitch/update", &t, switch)
        .await;
    let nick = json!({"chatid": chatid, "userid": "user0012", "group_nick": "小张"});
    ding.oapi_ok("/topapi/chat/updategroupnick", &t, nick).await;
    let qr = ding
        .oapi_ok(
            "/topapi/chat/qrcode/get",
            &t,
            json!({"chatid": chatid, "userid": "user0012"}),
        )
        .await;
    let link = qr["result"].as_str().unwrap();
    assert!(
        link.starts_with("https://qr.dingtalk.com/action/joingroup?code="),
        "{link}"
    );
    let again = ding
        .oapi_ok(
            "/topapi/chat/qrcode/get",
            &t,
            json!({"chatid": chatid, "userid": "user0012"}),
        )
        .await;
    assert_eq!(again["result"], link, "stable per group and sharer");

    // The nickname shows in the new API's member list.
    let cid = created["openConversationId"].as_str().unwrap();
    let list = ding
        .api_ok(
            "/v1.0/im/innerGroups/memberLists/query",
            &t,
            json!({"openConversationId": cid, "userId": "user0010", "maxResults": 10, "nextToken": 0}),
        )
        .await;
    let entry = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == "user0012")
        .unwrap();
    assert_eq!(entry["nickName"], "小张");
    assert!(!entry["name"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn legacy_limits_and_error_codes() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let create = |name: &str, owner: &str, members: Vec<String>| json!({"name": name, "owner": owner, "useridlist": members});
    let cases = [
        (create(&"群".repeat(21), "user0001", users(1..=3)), 400002),
        (create("   ", "user0001", users(1..=3)), 400002),
        (
            json!({"owner": "user0001", "useridlist": users(1..=3)}),
            40036,
        ),
        (create("ok", "user0001", users(1..=41)), 40031),
        (create("ok", "user0099", users(1..=3)), 40031),
        (
            create("ok", "user0001", vec!["user0001".into(), "ghost".into()]),
            40003,
        ),
        (
            json!({"name": "ok", "owner": "user0001", "useridlist": users(1..=3), "searchable": 2}),
            400002,
        ),
    ];
    for (body, code) in cases {
        assert_eq!(
            ding.oapi("/chat/create", &t, body.clone()).await.errcode(),
            code,
            "{body}"
        );
    }
    assert_eq!(
        ding.oapi_ok(
            "/chat/create",
            &t,
            create(&"群".repeat(20), "user0001", users(1..=40))
        )
        .await["conversationTag"],
        2
    );

    assert_eq!(ding.oapi_get("/chat/get", &t, &[]).await.errcode(), 49000);
    assert_eq!(
        ding.oapi_get("/chat/get", &t, &[("chatid", "chat-nope")])
            .await
            .errcode(),
        40016
    );
    let chat = demo_group(&sandbox, "研发周会");
    let update = |extra: Value| {
        let mut body = json!({"chatid": chat.chatid});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (update(json!({"add_useridlist": users(2000..=2040)})), 40031),
        (update(json!({"add_useridlist": ["ghost"]})), 40003),
        (update(json!({"del_useridlist": ["user2999"]})), 60124),
        (update(json!({"owner": "user2999"})), 60124),
        (update(json!({"name": ""})), 0),
        (update(json!({"name": "x".repeat(21)})), 400002),
        (json!({"name": "x"}), 49000),
    ];
    for (body, code) in cases {
        assert_eq!(
            ding.oapi("/chat/update", &t, body.clone()).await.errcode(),
            code,
            "{body}"
        );
    }
    // 12 admins at most (the demo group already has 2).
    let members: Vec<String> = serde_json::from_value(
        ding.oapi_get("/chat/get", &t, &[("chatid", &chat.chatid)])
            .await
            .body["chat_info"]["useridlist"]
            .clone(),
    )
    .unwrap();
    let ten = members[3..13].join(",");
    ding.oapi_ok(
        "/topapi/chat/subadmin/update",
        &t,
        json!({"chatid": chat.chatid, "userids": ten, "role": 2}),
    )
    .await;
    let thirteenth = json!({"chatid": chat.chatid, "userids": members[13], "role": 2});
    assert_eq!(
        ding.oapi("/topapi/chat/subadmin/update", &t, thirteenth)
            .await
            .errcode(),
        49026
    );
    let outsider = json!({"chatid": chat.chatid, "userids": "user2999", "role": 2});
    assert_eq!(
        ding.oapi("/topapi/chat/subadmin/update", &t, outsider)
            .await
            .errcode(),
        60124
    );
    let bad_role = json!({"chatid": chat.chatid, "userids": members[5], "role": 4});
    assert_eq!(
        ding.oapi("/topapi/chat/subadmin/update", &t, bad_role)
            .await
            .errcode(),
        400002
    );
    let nick = json!({"chatid": chat.chatid, "userid": "user2999", "group_nick": "x"});
    assert_eq!(
        ding.oapi("/topapi/chat/updategroupnick", &t, nick)
            .await
            .errcode(),
        60124
    );
    let qr = json!({"chatid": chat.chatid, "userid": "user2999"});
    assert_eq!(
        ding.oapi("/topapi/chat/qrcode/get", &t, qr).await.errcode(),
        60124
    );
    let switch = json!({"chatid": chat.chatid});
    assert_eq!(
        ding.oapi("/topapi/chat/member/friendswitch/update", &t, switch)
            .await
            .errcode(),
        40036
    );
}

#[tokio::test]
async fn new_api_shares_the_group_state_with_the_legacy_api() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let created = ding
        .api_ok(
            "/v1.0/im/group/create",
            &t,
            json!({"name": "New API group", "owner": "user0100", "useridlist": users(100..=109),
                   "managementOptions": {"chatBannedType": 1, "validationType": 1}}),
        )
        .await;
    let chatid = created["chatid"].as_str().unwrap().to_owned();
    let cid = created["openConversationId"].as_str().unwrap().to_owned();
    assert_eq!(created["conversationTag"], 2);

    // The legacy API sees it, and the chatid converts to the same cid.
    let got = ding
        .oapi_get("/chat/get", &t, &[("chatid", &chatid)])
        .await
        .body;
    assert_eq!(got["chat_info"]["name"], "New API group");
    assert_eq!(got["chat_info"]["validationType"], 1);
    let url = format!("/v1.0/im/chat/{chatid}/convertToOpenConversationId");
    assert_eq!(
        ding.api_ok(&url, &t, json!({})).await["openConversationId"],
        cid.as_str()
    );
    let reply = ding
        .api(
            "/v1.0/im/chat/chatnope/convertToOpenConversationId",
            &t,
            json!({}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "invalideChatId")
    );

    // A legacy change shows in the new API and vice versa.
    ding.oapi_ok(
        "/chat/update",
        &t,
        json!({"chatid": chatid, "add_useridlist": users(110..=111)}),
    )
    .await;
    let base = ding
        .api_ok(
            "/v1.0/im/groups/baseInfos/query",
            &t,
            json!({"openConversationId": cid}),
        )
        .await;
    assert_eq!(base["success"], true);
    assert_eq!(base["result"]["memberCount"], 12);
    assert_eq!(base["result"]["tag"], "2", "a string, as in the SDK model");
    assert_eq!(base["result"]["title"], "New API group");
    let upd = json!({"chatid": chatid, "name": "Renamed", "del_useridlist": ["user0109"], "owner": "user0101",
                     "managementOptions": {"searchable": 1}});
    assert_eq!(
        ding.api_ok("/v1.0/im/group/update", &t, upd).await["success"],
        true
    );
    let got = ding
        .oapi_get("/chat/get", &t, &[("chatid", &chatid)])
        .await
        .body;
    assert_eq!(got["chat_info"]["name"], "Renamed");
    assert_eq!(got["chat_info"]["owner"], "user0101");
    assert_eq!(got["chat_info"]["searchable"], 1);
    assert_eq!(got["chat_info"]["useridlist"].as_array().unwrap().len(), 11);

    let admins = json!({"openConversationId": cid, "userIds": ["user0102", "user0103"], "role": 2});
    assert_eq!(
        ding.api_ok("/v1.0/im/subAdministrators", &t, admins).await["success"],
        "true"
    );

    let found = ding
        .api_ok(
            "/v1.0/im/innerGroups/search",
            &t,
            json!({"userId": "user0102", "searchKey": "renam", "maxResults": 5}),
        )
        .await;
    let infos = found["groupInfos"].as_array().unwrap();
    assert_eq!(infos.len(), 1);
    assert_eq!(infos[0]["openConversationId"], cid.as_str());
    assert_eq!(
        infos[0]["memberAmount"], "11",
        "a string, as in the SDK model"
    );
    let none = ding
        .api_ok(
            "/v1.0/im/innerGroups/search",
            &t,
            json!({"userId": "user2999", "searchKey": "renam"}),
        )
        .await;
    assert!(none["groupInfos"].as_array().unwrap().is_empty());

    // Errors are HTTP 400 JSON {code, message, requestid}, with the codes
    // spelled as the documentation spells them.
    let cases = [
        (
            "/v1.0/im/group/create",
            json!({"name": "x".repeat(21), "owner": "user0001", "useridlist": ["user0001"]}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/group/create",
            json!({"name": "x", "owner": "user0001", "useridlist": users(1..=41)}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/group/create",
            json!({"name": "x", "owner": "user0001", "useridlist": ["user0001", "ghost"]}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/group/create",
            json!({"name": "x", "useridlist": ["user0001"]}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/group/create",
            json!({"name": "x", "owner": "user0001", "useridlist": ["user0001"], "managementOptions": {"searchable": 3}}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/group/update",
            json!({"chatid": chatid, "owner": "user2999"}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/group/update",
            json!({"chatid": chatid, "del_useridlist": users(1..=41)}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/group/update",
            json!({"chatid": "chatnope", "name": "y"}),
            "invalideChatId",
        ),
        (
            "/v1.0/im/subAdministrators",
            json!({"openConversationId": cid, "userIds": ["user2999"], "role": 2}),
            "staff.not.found",
        ),
        (
            "/v1.0/im/subAdministrators",
            json!({"openConversationId": cid, "userIds": ["ghost"], "role": 2}),
            "staff.not.found",
        ),
        (
            "/v1.0/im/subAdministrators",
            json!({"openConversationId": cid, "userIds": ["user0102"], "role": 4}),
            "invalidParamter.role",
        ),
        (
            "/v1.0/im/subAdministrators",
            json!({"openConversationId": "cidnope", "userIds": ["user0102"], "role": 2}),
            "invalidParameter.openConversationId.invalid",
        ),
        (
            "/v1.0/im/groups/baseInfos/query",
            json!({"openConversationId": "cidnope"}),
            "invalidParameter.openConversationId.invalid",
        ),
        (
            "/v1.0/im/innerGroups/memberLists/query",
            json!({"openConversationId": cid, "userId": "user2999", "nextToken": 0}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/innerGroups/memberLists/query",
            json!({"openConversationId": cid, "userId": "user0101", "maxResults": 0, "nextToken": 0}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/innerGroups/memberLists/query",
            json!({"openConversationId": cid, "userId": "user0101", "maxResults": 10}),
            "parameter.invalid",
        ),
        (
            "/v1.0/im/innerGroups/search",
            json!({"userId": "user0101"}),
            "parameter.invalid",
        ),
    ];
    for (path, body, code) in cases {
        let reply = ding.api(path, &t, body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            reply.body
        );
        assert_eq!(reply.code(), code, "{path}");
    }
    let reply = ding
        .http
        .post(format!("{}/v1.0/im/group/update", sandbox.base_url()))
        .header("x-acs-dingtalk-access-token", &t)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_thousand_member_group_is_full_and_pages() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let big = demo_group(&sandbox, "全员大群");
    assert_eq!(big.member_count, 1000);
    let add = json!({"chatid": big.chatid, "add_useridlist": ["user1500"]});
    assert_eq!(
        ding.oapi("/chat/update", &t, add.clone()).await.errcode(),
        400002
    );
    let reply = ding.api("/v1.0/im/group/update", &t, add).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "parameter.invalid")
    );
    // Remove one, then one can join.
    ding.oapi_ok(
        "/chat/update",
        &t,
        json!({"chatid": big.chatid, "del_useridlist": ["user0500"]}),
    )
    .await;
    ding.oapi_ok(
        "/chat/update",
        &t,
        json!({"chatid": big.chatid, "add_useridlist": ["user1500"]}),
    )
    .await;

    let mut seen = Vec::new();
    let mut next: Option<Value> = None;
    let mut pages = 0;
    loop {
        let body = json!({"openConversationId": big.open_conversation_id, "userId": "user0001",
                          "maxResults": 300, "nextToken": next.clone().unwrap_or(json!(0))});
        let page = ding
            .api_ok("/v1.0/im/innerGroups/memberLists/query", &t, body)
            .await;
        pages += 1;
        for m in page["list"].as_array().unwrap() {
            assert!(!m["name"].as_str().unwrap().is_empty());
            seen.push(m["userId"].as_str().unwrap().to_owned());
        }
        if page["hasMore"] == false {
            assert!(page.get("nextToken").is_none());
            break;
        }
        next = Some(page["nextToken"].clone());
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 1000);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 1000);
    assert!(seen.contains(&"user1500".to_owned()) && !seen.contains(&"user0500".to_owned()));
}

#[tokio::test]
async fn a_dismissed_group_reads_with_status_2_and_refuses_changes() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let gone = sandbox.groups().into_iter().find(|g| g.dismissed).unwrap();
    assert_eq!(sandbox.groups().len(), 20);
    let got = ding
        .oapi_get("/chat/get", &t, &[("chatid", &gone.chatid)])
        .await;
    assert_eq!(got.errcode(), 0);
    assert_eq!(got.body["chat_info"]["status"], 2);
    let rename = json!({"chatid": gone.chatid, "name": "back"});
    assert_eq!(
        ding.oapi("/chat/update", &t, rename.clone())
            .await
            .errcode(),
        34001
    );
    let reply = ding.api("/v1.0/im/group/update", &t, rename).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "group.diaband")
    );
    let admins = json!({"openConversationId": gone.open_conversation_id, "userIds": ["user0002"], "role": 2});
    let reply = ding.api("/v1.0/im/subAdministrators", &t, admins).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "group.diaband")
    );
    let base = ding
        .api_ok(
            "/v1.0/im/groups/baseInfos/query",
            &t,
            json!({"openConversationId": gone.open_conversation_id}),
        )
        .await;
    assert_eq!(base["result"]["title"], gone.name.as_str());
}

#[tokio::test]
async fn contact_search_finds_people_by_name_pinyin_or_english_name() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let user = ding
        .oapi_ok(
            "/topapi/v2/user/get",
            &t,
            json!({"userid": "user0042", "language": "en_US"}),
        )
        .await["result"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let zh = ding
        .oapi_ok("/topapi/v2/user/get", &t, json!({"userid": "user0042"}))
        .await["result"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let search = |body: Value| {
        let (ding, t) = (&ding, t.clone());
        async move { ding.api("/v1.0/contact/users/search", &t, body).await }
    };
    let exact =
        search(json!({"queryWord": zh, "offset": 0, "size": 50, "fullMatchField": 1})).await;
    assert_eq!(exact.status, StatusCode::OK, "{}", exact.body);
    let ids = exact.body["list"].as_array().unwrap();
    assert!(ids.iter().any(|id| id == "user0042"), "{}", exact.body);
    assert_eq!(exact.body["totalCount"], ids.len());
    let (given, family) = user.split_once(' ').unwrap();
    let pinyin = format!("{family}{given}").to_lowercase();
    let by_pinyin = search(json!({"queryWord": pinyin, "offset": 0, "size": 50})).await;
    assert!(
        by_pinyin.body["list"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id == "user0042")
    );
    let english = search(json!({"queryWord": user.to_uppercase(), "offset": 0, "size": 50})).await;
    assert!(
        english.body["list"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id == "user0042")
    );

    // Pages of at most 50 by offset.
    let surname: String = zh.chars().take(1).collect();
    let first = search(json!({"queryWord": surname, "offset": 0, "size": 50})).await;
    let total = first.body["totalCount"].as_u64().unwrap();
    assert!(total > 50, "{}", first.body);
    assert_eq!(first.body["hasMore"], true);
    assert_eq!(first.body["list"].as_array().unwrap().len(), 50);
    let last = search(json!({"queryWord": surname, "offset": total - 1, "size": 50})).await;
    assert_eq!(last.body["hasMore"], false);
    assert_eq!(last.body["list"].as_array().unwrap().len(), 1);

    for bad in [
        json!({"queryWord": surname, "size": 51}),
        json!({"size": 10}),
    ] {
        let reply = search(bad).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "parameter.invalid")
        );
    }
}
