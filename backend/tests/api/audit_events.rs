//! Every state-changing route of sign-in, users and the vault writes
//! exactly its audit event, in the same transaction as the change, and no
//! event holds a secret.

use crate::support::{CLIENT, PASSWORD, Server, Signed};
use axum::http::{Method, StatusCode};
use backend::audit;
use backend::auth::{UserError, users};
use backend::db::{Backend, Db};
use serde_json::{Value, json};
use shared::audit::{AuditEntry, EventFilter, MAX_PAGE_SIZE};
use sqlx::Row;

const KEY_ID: &str = "LTAI5tAuditCheckKeyId";
const KEY_SECRET: &str = "AuditCheckAccessKeySecret93c1";
const STS: &str = "AuditCheckStsToken44d0";
const APP_SECRET: &str = "AuditCheckDingTalkAppSecret7b2e";
const WRONG_PASSWORD: &str = "a wrong password typed";
const ZOE_PASSWORD: &str = "zoe first password";
const RESET_PASSWORD: &str = "zoe reset password";
const NEW_PASSWORD: &str = "zoe own new password";

/// Every event in the trail, oldest first.
async fn all_events(db: &Db) -> Vec<AuditEntry> {
    let filter = EventFilter {
        limit: Some(MAX_PAGE_SIZE),
        ..EventFilter::default()
    };
    let mut events = audit::query(db, &filter).await.unwrap().events;
    events.reverse();
    events
}

async fn head(db: &Db) -> i64 {
    audit::verify(db).await.unwrap().head_seq
}

/// The parts of an event this test checks, as JSON.
fn summary(event: &AuditEntry) -> Value {
    json!({
        "action": event.action,
        "actor": event.actor,
        "actor_id": event.actor_id,
        "role": event.role,
        "source": event.source,
        "target": event.target,
        "outcome": event.outcome,
        "error_code": event.error_code,
        "changes": event.changes,
    })
}

/// A changed plain field; values are JSON texts (`"\"zoe\""`, `"false"`).
fn change(field: &str, before: Option<&str>, after: Option<&str>) -> Value {
    let mut c = json!({ "field": field });
    if let Some(b) = before {
        c["before"] = b.into();
    }
    if let Some(a) = after {
        c["after"] = a.into();
    }
    c
}

fn secret(field: &str, how: &str) -> Value {
    json!({ "field": field, "secret": how })
}

struct Who<'a> {
    name: &'a str,
    id: Option<&'a str>,
    role: &'a str,
}

fn expected(
    action: &str,
    who: &Who,
    target: Value,
    failure: Option<&str>,
    changes: Vec<Value>,
) -> Value {
    json!({
        "action": action,
        "actor": who.name,
        "actor_id": who.id,
        "role": who.role,
        "source": CLIENT.ip().to_string(),
        "target": target,
        "outcome": if failure.is_some() { "failure" } else { "success" },
        "error_code": failure,
        "changes": changes,
    })
}

fn target(kind: &str, id: Option<&str>, label: &str) -> Value {
    let mut t = json!({ "kind": kind, "label": label });
    if let Some(id) = id {
        t["id"] = id.into();
    }
    t
}

fn quoted(s: &str) -> String {
    Value::from(s).to_string()
}

async fn send_ok(
    server: &Server,
    method: Method,
    path: &str,
    who: &Signed,
    body: Option<Value>,
    status: StatusCode,
) -> Value {
    let body = body.map(|b| b.to_string());
    let reply = server
        .send(method.clone(), path, Some(who), body.as_deref())
        .await;
    assert_eq!(reply.status, status, "{method} {path}: {}", reply.raw);
    reply.body
}

#[tokio::test]
async fn every_console_change_writes_exactly_its_event_and_no_secret() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let db = server.db.db.clone();
        let base = head(&db).await;
        let admin_id = users::by_username(&db, "admin").await.unwrap().id;
        let admin = Who {
            name: "admin",
            id: Some(&admin_id),
            role: "admin",
        };
        let mut want = Vec::new();

        // A refused sign-in names what was typed, never the password.
        let body = json!({ "username": " Admin", "password": WRONG_PASSWORD }).to_string();
        let reply = server
            .send(Method::POST, "/session", None, Some(&body))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.raw);
        let typed = Who {
            name: "admin",
            id: None,
            role: "",
        };
        want.push(expected(
            "session.sign_in_failed",
            &typed,
            target("session", None, "admin"),
            Some("invalid_credentials"),
            vec![],
        ));

        let signed = server.sign_in("admin").await;
        want.push(expected(
            "session.sign_in",
            &admin,
            target("session", None, "admin"),
            None,
            vec![],
        ));

        // Users: create, role change, disable, enable, reset.
        let new_user = json!({ "username": "zoe", "role": "helpdesk", "password": ZOE_PASSWORD });
        let zoe = send_ok(
            &server,
            Method::POST,
            "/users",
            &signed,
            Some(new_user),
            StatusCode::CREATED,
        )
        .await;
        let zoe_id = zoe["id"].as_str().unwrap().to_owned();
        let zoe_target = target("user", Some(&zoe_id), "zoe");
        want.push(expected(
            "user.create",
            &admin,
            zoe_target.clone(),
            None,
            vec![
                change("disabled", None, Some("false")),
                change("role", None, Some(&quoted("helpdesk"))),
                change("username", None, Some(&quoted("zoe"))),
            ],
        ));
        let zoe_path = format!("/users/{zoe_id}");
        for (body, action, field, before, after) in [
            (
                json!({ "role": "auditor" }),
                "user.update",
                "role",
                quoted("helpdesk"),
                quoted("auditor"),
            ),
            (
                json!({ "disabled": true }),
                "user.disable",
                "disabled",
                "false".into(),
                "true".into(),
            ),
            (
                json!({ "disabled": false }),
                "user.enable",
                "disabled",
                "true".into(),
                "false".into(),
            ),
        ] {
            send_ok(
                &server,
                Method::PATCH,
                &zoe_path,
                &signed,
                Some(body),
                StatusCode::OK,
            )
            .await;
            want.push(expected(
                action,
                &admin,
                zoe_target.clone(),
                None,
                vec![change(field, Some(&before), Some(&after))],
            ));
        }
        send_ok(
            &server,
            Method::POST,
            &format!("{zoe_path}/password"),
            &signed,
            Some(json!({ "password": RESET_PASSWORD })),
            StatusCode::NO_CONTENT,
        )
        .await;
        want.push(expected(
            "user.password_reset",
            &admin,
            zoe_target.clone(),
            None,
            vec![secret("password", "changed")],
        ));

        // Zoe signs in, changes her own password and signs out.
        let zoe_who = Who {
            name: "zoe",
            id: Some(&zoe_id),
            role: "auditor",
        };
        let zoe_signed = server.sign_in_with("zoe", RESET_PASSWORD).await;
        want.push(expected(
            "session.sign_in",
            &zoe_who,
            target("session", None, "zoe"),
            None,
            vec![],
        ));
        send_ok(
            &server,
            Method::POST,
            "/me/password",
            &zoe_signed,
            Some(json!({ "current_password": RESET_PASSWORD, "new_password": NEW_PASSWORD })),
            StatusCode::NO_CONTENT,
        )
        .await;
        want.push(expected(
            "user.update",
            &zoe_who,
            zoe_target.clone(),
            None,
            vec![secret("password", "changed")],
        ));
        send_ok(
            &server,
            Method::DELETE,
            "/session",
            &zoe_signed,
            None,
            StatusCode::NO_CONTENT,
        )
        .await;
        want.push(expected(
            "session.sign_out",
            &zoe_who,
            target("session", None, "zoe"),
            None,
            vec![],
        ));

        // An Alibaba Cloud account: create, change, delete.
        let account = json!({
            "name": "prod", "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET,
            "sts_token": STS, "signature": "v3", "regions": ["cn-hangzhou"]
        });
        let created = send_ok(
            &server,
            Method::POST,
            "/credentials/alibaba",
            &signed,
            Some(account),
            StatusCode::CREATED,
        )
        .await;
        let account_id = created["id"].as_str().unwrap().to_owned();
        let fingerprint = quoted(created["fingerprint"].as_str().unwrap());
        let ciphertext: String = sqlx::query("SELECT secret_ciphertext FROM alibaba_accounts")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        want.push(expected(
            "vault.alibaba_account.create",
            &admin,
            target("alibaba_account", Some(&account_id), "prod"),
            None,
            vec![
                secret("access_key_id", "changed"),
                secret("access_key_secret", "changed"),
                change("fingerprint", None, Some(&fingerprint)),
                change("name", None, Some(&quoted("prod"))),
                change("regions.0", None, Some(&quoted("cn-hangzhou"))),
                change("signature", None, Some(&quoted("v3"))),
                secret("sts_token", "changed"),
            ],
        ));
        let account_path = format!("/credentials/alibaba/{account_id}");
        let change_account =
            json!({ "name": "prod2", "signature": "legacy", "regions": [], "sts_token": "" });
        send_ok(
            &server,
            Method::PUT,
            &account_path,
            &signed,
            Some(change_account),
            StatusCode::OK,
        )
        .await;
        let account_target = target("alibaba_account", Some(&account_id), "prod2");
        want.push(expected(
            "vault.alibaba_account.update",
            &admin,
            account_target.clone(),
            None,
            vec![
                secret("access_key_id", "unchanged"),
                secret("access_key_secret", "unchanged"),
                change("name", Some(&quoted("prod")), Some(&quoted("prod2"))),
                change("regions", None, Some("[]")),
                change("regions.0", Some(&quoted("cn-hangzhou")), None),
                change("signature", Some(&quoted("v3")), Some(&quoted("legacy"))),
                secret("sts_token", "changed"),
            ],
        ));
        send_ok(
            &server,
            Method::DELETE,
            &account_path,
            &signed,
            None,
            StatusCode::NO_CONTENT,
        )
        .await;
        want.push(expected(
            "vault.alibaba_account.delete",
            &admin,
            account_target,
            None,
            vec![
                secret("access_key_id", "changed"),
                secret("access_key_secret", "changed"),
                change("fingerprint", Some(&fingerprint), None),
                change("name", Some(&quoted("prod2")), None),
                change("regions", Some("[]"), None),
                change("signature", Some(&quoted("legacy")), None),
            ],
        ));

        // A DingTalk app: create, rename keeping the secret, delete.
        let app = json!({ "name": "bot", "app_key": "dingkey1", "app_secret": APP_SECRET });
        let created = send_ok(
            &server,
            Method::POST,
            "/credentials/dingtalk",
            &signed,
            Some(app),
            StatusCode::CREATED,
        )
        .await;
        let app_id = created["id"].as_str().unwrap().to_owned();
        let app_fingerprint = quoted(created["fingerprint"].as_str().unwrap());
        want.push(expected(
            "vault.dingtalk_app.create",
            &admin,
            target("dingtalk_app", Some(&app_id), "bot"),
            None,
            vec![
                change("api", None, Some(&quoted("new"))),
                secret("app_key", "changed"),
                secret("app_secret", "changed"),
                change("fingerprint", None, Some(&app_fingerprint)),
                change("name", None, Some(&quoted("bot"))),
                change("site", None, Some(&quoted("mainland"))),
            ],
        ));
        let app_path = format!("/credentials/dingtalk/{app_id}");
        send_ok(
            &server,
            Method::PUT,
            &app_path,
            &signed,
            Some(json!({ "name": "bot2", "app_key": "dingkey1", "site": "international" })),
            StatusCode::OK,
        )
        .await;
        let app_target = target("dingtalk_app", Some(&app_id), "bot2");
        want.push(expected(
            "vault.dingtalk_app.update",
            &admin,
            app_target.clone(),
            None,
            vec![
                secret("app_key", "unchanged"),
                secret("app_secret", "unchanged"),
                change("name", Some(&quoted("bot")), Some(&quoted("bot2"))),
                change(
                    "site",
                    Some(&quoted("mainland")),
                    Some(&quoted("international")),
                ),
            ],
        ));
        send_ok(
            &server,
            Method::DELETE,
            &app_path,
            &signed,
            None,
            StatusCode::NO_CONTENT,
        )
        .await;
        want.push(expected(
            "vault.dingtalk_app.delete",
            &admin,
            app_target,
            None,
            vec![
                change("api", Some(&quoted("new")), None),
                secret("app_key", "changed"),
                secret("app_secret", "changed"),
                change("fingerprint", Some(&app_fingerprint), None),
                change("name", Some(&quoted("bot2")), None),
                change("site", Some(&quoted("international")), None),
            ],
        ));

        let events = all_events(&db).await;
        let got: Vec<Value> = events
            .iter()
            .filter(|e| e.seq > base)
            .map(summary)
            .collect();
        assert_eq!(got.len(), want.len(), "{backend:?}: {got:#?}");
        for (got, want) in got.iter().zip(&want) {
            assert_eq!(got, want, "{backend:?}");
        }
        assert_eq!(audit::verify(&db).await.unwrap().first_broken, None);

        // No secret, password, hash or ciphertext anywhere in the trail.
        let trail = serde_json::to_string(&events).unwrap();
        for value in [
            PASSWORD,
            WRONG_PASSWORD,
            ZOE_PASSWORD,
            RESET_PASSWORD,
            NEW_PASSWORD,
            KEY_ID,
            KEY_SECRET,
            STS,
            APP_SECRET,
            "dingkey1",
            "$argon2",
            &ciphertext,
        ] {
            assert!(
                !trail.contains(value),
                "{backend:?}: the trail holds {value}"
            );
        }
    }
}

/// When the event cannot be written, the change is not made.
#[tokio::test]
async fn a_failed_audit_write_fails_the_action() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let db = server.db.db.clone();
        let signed = server.sign_in("admin").await;
        let helpdesk = users::by_username(&db, "helpdesk").await.unwrap();
        sqlx::query("ALTER TABLE audit_events RENAME TO audit_events_gone")
            .execute(db.pool())
            .await
            .unwrap();

        let new_user = json!({ "username": "zed", "role": "admin", "password": PASSWORD });
        send_ok(
            &server,
            Method::POST,
            "/users",
            &signed,
            Some(new_user),
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .await;
        assert!(matches!(
            users::by_username(&db, "zed").await,
            Err(UserError::NotFound)
        ));

        send_ok(
            &server,
            Method::PATCH,
            &format!("/users/{}", helpdesk.id),
            &signed,
            Some(json!({ "disabled": true })),
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .await;
        assert_eq!(users::get(&db, &helpdesk.id).await.unwrap(), helpdesk);

        let app = json!({ "name": "bot", "app_key": "dingkey1", "app_secret": APP_SECRET });
        send_ok(
            &server,
            Method::POST,
            "/credentials/dingtalk",
            &signed,
            Some(app),
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .await;
        let apps: i64 = sqlx::query("SELECT COUNT(*) FROM dingtalk_apps WHERE sandbox = 0")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(apps, 0, "{backend:?}");

        // Signing out keeps the session when it cannot be recorded.
        send_ok(
            &server,
            Method::DELETE,
            "/session",
            &signed,
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .await;
        send_ok(
            &server,
            Method::GET,
            "/session",
            &signed,
            None,
            StatusCode::OK,
        )
        .await;
    }
}
