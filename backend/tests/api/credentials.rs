//! What the console reads and writes around credentials and users: the
//! default of each kind, each user's last picks, and the previews of an
//! edit (the same plan the edit applies, stored nowhere).

use axum::http::{Method, StatusCode};
use backend::db::Backend;
use serde_json::{Value, json};

use crate::support::{Reply, Server, Signed};

async fn ok(s: &Server, method: Method, path: &str, who: &Signed, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string());
    let reply = s
        .send(method.clone(), path, Some(who), body.as_deref())
        .await;
    assert!(reply.status.is_success(), "{method} {path}: {}", reply.raw);
    reply.body
}

fn account(name: &str) -> Value {
    json!({
        "name": name, "access_key_id": "LTAI5tConsoleKeyId", "access_key_secret": "ConsoleSecret0123456789",
        "signature": "v3", "regions": ["cn-hangzhou"]
    })
}

/// The entries of `action` the audit page shows.
async fn entries(s: &Server, admin: &Signed, action: &str) -> Vec<Value> {
    let page = ok(
        s,
        Method::GET,
        &format!("/audit/events?action={action}"),
        admin,
        None,
    )
    .await;
    page["events"].as_array().unwrap().clone()
}

fn assert_invalid(reply: &Reply, field: &str, kind: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["code"], "invalid_input", "{}", reply.raw);
    assert_eq!(reply.body["field"], field, "{}", reply.raw);
    assert_eq!(reply.body["problem"]["kind"], kind, "{}", reply.raw);
}

#[tokio::test]
async fn the_default_of_each_kind_is_marked_through_the_api_and_audited() {
    for backend in Backend::ALL {
        let s = Server::start(backend).await;
        let admin = s.sign_in("admin").await;
        // The sandbox's account and app were stored first: the defaults.
        let list = ok(&s, Method::GET, "/credentials/alibaba", &admin, None).await;
        assert_eq!(list[0]["default"], true, "{backend:?}: {list}");
        let added = ok(
            &s,
            Method::POST,
            "/credentials/alibaba",
            &admin,
            Some(account("second")),
        )
        .await;
        assert_eq!(added["default"], false);
        let id = added["id"].as_str().unwrap();
        let path = format!("/credentials/alibaba/{id}/default");
        let marked = ok(&s, Method::PUT, &path, &admin, None).await;
        assert_eq!(
            (&marked["id"], &marked["default"]),
            (&json!(id), &json!(true))
        );
        let list = ok(&s, Method::GET, "/credentials/alibaba", &admin, None).await;
        let defaults: Vec<&Value> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["default"] == true)
            .map(|a| &a["id"])
            .collect();
        assert_eq!(defaults, [&json!(id)]);
        let recorded = entries(&s, &admin, "credential.default").await;
        assert_eq!(recorded.len(), 1, "{recorded:?}");
        assert_eq!(recorded[0]["target"]["id"], id);

        let apps = ok(&s, Method::GET, "/credentials/dingtalk", &admin, None).await;
        let app = apps[0]["id"].as_str().unwrap();
        let path = format!("/credentials/dingtalk/{app}/default");
        let kept = ok(&s, Method::PUT, &path, &admin, None).await;
        assert_eq!(kept["default"], true, "already the default: stays it");

        let reply = s
            .send(
                Method::PUT,
                "/credentials/dingtalk/no-such-app/default",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.raw);
        assert_eq!(reply.body["code"], "not_found");
    }
}

#[tokio::test]
async fn every_role_keeps_its_own_picks_of_stored_credentials() {
    for backend in Backend::ALL {
        let s = Server::start(backend).await;
        let admin = s.sign_in("admin").await;
        let accounts = ok(&s, Method::GET, "/credentials/alibaba", &admin, None).await;
        let account = accounts[0]["id"].as_str().unwrap().to_owned();
        let apps = ok(&s, Method::GET, "/credentials/dingtalk", &admin, None).await;
        let app = apps[0]["id"].as_str().unwrap().to_owned();
        for (name, picks) in [
            ("helpdesk", json!({"alibaba": null, "dingtalk": app})),
            ("auditor", json!({"alibaba": account, "dingtalk": null})),
        ] {
            let who = s.sign_in(name).await;
            let none = ok(&s, Method::GET, "/preferences", &who, None).await;
            assert_eq!(none, json!({"alibaba": null, "dingtalk": null}));
            let stored = ok(&s, Method::PUT, "/preferences", &who, Some(picks.clone())).await;
            assert_eq!(stored, picks, "{backend:?} {name}");
            assert_eq!(ok(&s, Method::GET, "/preferences", &who, None).await, picks);
        }
        // An app id is no account id; nothing changes.
        let helpdesk = s.sign_in("helpdesk").await;
        let wrong = json!({"alibaba": app, "dingtalk": null}).to_string();
        let reply = s
            .send(Method::PUT, "/preferences", Some(&helpdesk), Some(&wrong))
            .await;
        assert_invalid(&reply, "alibaba", "unknown");
        let kept = ok(&s, Method::GET, "/preferences", &helpdesk, None).await;
        assert_eq!(kept["dingtalk"], json!(app));
        assert_eq!(
            ok(&s, Method::GET, "/preferences", &admin, None).await,
            json!({"alibaba": null, "dingtalk": null}),
            "the picks are each user's own"
        );

        // Deleting the credential forgets every pick of it.
        let path = format!("/credentials/dingtalk/{app}");
        let reply = s.send(Method::DELETE, &path, Some(&admin), None).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.raw);
        let left = ok(&s, Method::GET, "/preferences", &helpdesk, None).await;
        assert_eq!(left, json!({"alibaba": null, "dingtalk": null}));
    }
}

#[tokio::test]
async fn edit_previews_answer_what_the_edit_then_records() {
    let s = Server::start(Backend::Sqlite).await;
    let admin = s.sign_in("admin").await;
    let accounts = ok(&s, Method::GET, "/credentials/alibaba", &admin, None).await;
    let id = accounts[0]["id"].as_str().unwrap();
    let edit = json!({"name": "renamed", "signature": "legacy", "regions": ["cn-shanghai"]});
    let path = format!("/credentials/alibaba/{id}/preview");
    let preview = ok(&s, Method::POST, &path, &admin, Some(edit.clone())).await;
    let fields: Vec<(&str, &Value)> = preview
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap(),
                c.get("secret").unwrap_or(&Value::Null),
            )
        })
        .collect();
    assert!(fields.contains(&("name", &Value::Null)), "{preview}");
    assert!(
        fields.contains(&("access_key_secret", &json!("unchanged"))),
        "{preview}"
    );
    let after = ok(&s, Method::GET, "/credentials/alibaba", &admin, None).await;
    assert_eq!(after, accounts, "a preview stores nothing");
    let path = format!("/credentials/alibaba/{id}");
    ok(&s, Method::PUT, &path, &admin, Some(edit)).await;
    let recorded = entries(&s, &admin, "vault.alibaba_account.update").await;
    assert_eq!(recorded[0]["changes"], preview);

    let apps = ok(&s, Method::GET, "/credentials/dingtalk", &admin, None).await;
    let app = &apps[0];
    let edit =
        json!({"name": app["name"], "app_key": app["app_key"], "app_secret": "a-new-secret"});
    let path = format!(
        "/credentials/dingtalk/{}/preview",
        app["id"].as_str().unwrap()
    );
    let preview = ok(&s, Method::POST, &path, &admin, Some(edit)).await;
    let changes = preview.as_array().unwrap();
    let fields: Vec<&Value> = changes.iter().map(|c| &c["field"]).collect();
    assert_eq!(
        fields,
        ["app_key", "app_secret", "fingerprint"],
        "{preview}"
    );
    assert_eq!(changes[0]["secret"], "unchanged");
    assert_eq!(
        changes[1],
        json!({"field": "app_secret", "secret": "changed"})
    );
    assert!(!preview.to_string().contains("a-new-secret"));
    let reply = s
        .send(Method::POST, &path, Some(&admin), Some(r#"{"name": ""}"#))
        .await;
    assert_invalid(&reply, "app_key", "required");

    // A user's role or state, from the plan the PATCH applies.
    let users = ok(&s, Method::GET, "/users", &admin, None).await;
    let user_id = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let helpdesk = user_id("helpdesk");
    let body = json!({"role": "auditor", "disabled": true});
    let path = format!("/users/{helpdesk}/preview");
    let preview = ok(&s, Method::POST, &path, &admin, Some(body.clone())).await;
    assert_eq!(
        preview,
        json!([
            {"field": "disabled", "before": "false", "after": "true"},
            {"field": "role", "before": "\"helpdesk\"", "after": "\"auditor\""},
        ])
    );
    assert_eq!(ok(&s, Method::GET, "/users", &admin, None).await, users);
    ok(
        &s,
        Method::PATCH,
        &format!("/users/{helpdesk}"),
        &admin,
        Some(body),
    )
    .await;
    assert_eq!(
        entries(&s, &admin, "user.disable").await[0]["changes"],
        preview
    );
    // The preview refuses what the edit refuses: the last admin stays one.
    let path = format!("/users/{}/preview", user_id("admin"));
    let demote = json!({"role": "auditor"}).to_string();
    let reply = s
        .send(Method::POST, &path, Some(&admin), Some(&demote))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.raw);
    let reply = s
        .send(
            Method::POST,
            "/users/nobody/preview",
            Some(&admin),
            Some(&demote),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.raw);
}
