//! The API's sign-in, permission matrix, CSRF protection, error shapes and
//! secrecy, driven through the real router.

use crate::support::capture::Captured;
use crate::support::{HOST, ORIGIN, PASSWORD, Server, Signed};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use backend::api::{Access, routes};
use backend::db::Backend;
use serde_json::json;
use shared::auth::{Role, allows};

/// Every route of the table, for every role: the server allows exactly
/// what the matrix allows, and refuses anonymous callers.
#[tokio::test]
async fn every_route_allows_exactly_what_the_matrix_allows() {
    let server = Server::start(Backend::Sqlite).await;
    let table = routes();
    assert!(
        table.len() >= 16,
        "the table lists the auth and vault routes"
    );
    for route in &table {
        let path = route.path.replace("{id}", "0000-no-such-id");
        let body = (route.method != Method::GET).then_some("{}");
        let anonymous = server.send(route.method.clone(), &path, None, body).await;
        if route.access != Access::Public {
            assert_eq!(
                anonymous.status,
                StatusCode::UNAUTHORIZED,
                "{} {path} without a session: {}",
                route.method,
                anonymous.raw
            );
        }
        for role in Role::ALL {
            // A fresh session each time: one of the routes signs out.
            let who = server.sign_in(role.as_str()).await;
            let reply = server
                .send(route.method.clone(), &path, Some(&who), body)
                .await;
            let expected = match route.access {
                Access::Allowed(action) => allows(role, action),
                Access::Public | Access::SignedIn => true,
            };
            if expected {
                assert_ne!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} {} {path}: {}",
                    route.method,
                    reply.raw
                );
                assert_ne!(
                    reply.status,
                    StatusCode::UNAUTHORIZED,
                    "{role:?} {} {path}",
                    route.method
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} {} {path}",
                    route.method
                );
                assert_eq!(reply.body["code"], "forbidden", "{}", reply.raw);
            }
        }
    }
}

#[tokio::test]
async fn sign_in_answers_alike_for_unknown_users_and_wrong_passwords_then_throttles() {
    let server = Server::start(Backend::Sqlite).await;
    let attempt = |username: &'static str, password: &'static str| {
        let body = json!({ "username": username, "password": password }).to_string();
        let server = &server;
        async move {
            server
                .send(Method::POST, "/session", None, Some(&body))
                .await
        }
    };
    let wrong = attempt("auditor", "not the password").await;
    let unknown = attempt("nobody", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    // Alike but for the request's own id.
    let without_id = |mut body: serde_json::Value| {
        body.as_object_mut().unwrap().remove("trace_id");
        body
    };
    assert_eq!(
        without_id(wrong.body.clone()),
        without_id(unknown.body.clone())
    );
    assert_eq!(wrong.body["code"], "invalid_credentials");
    for _ in 0..4 {
        attempt("auditor", "not the password").await;
    }
    let locked = attempt("auditor", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.raw
    );
    assert_eq!(locked.body["code"], "too_many_attempts");
    assert!(locked.headers.contains_key(header::RETRY_AFTER));
    // Other accounts are unaffected.
    server.sign_in("helpdesk").await;
}

#[tokio::test]
async fn sessions_rotate_end_at_sign_out_and_show_permissions() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let first = server.sign_in("auditor").await;
        let me = server
            .send(Method::GET, "/session", Some(&first), None)
            .await;
        assert_eq!(me.body["user"]["role"], "auditor", "{}", me.raw);
        assert!(
            me.body["permissions"]
                .as_array()
                .unwrap()
                .contains(&json!("audit_export"))
        );
        assert!(
            !me.body["permissions"]
                .as_array()
                .unwrap()
                .contains(&json!("users_manage"))
        );

        // Signing in again with the old cookie ends the old session.
        let body = json!({ "username": "auditor", "password": PASSWORD }).to_string();
        let req = Request::post("/api/v1/session")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, ORIGIN)
            .header(header::COOKIE, format!("__Host-chatdesk={}", first.cookie))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let again = server.raw(req).await;
        assert_eq!(again.status, StatusCode::OK);
        let old = server
            .send(Method::GET, "/session", Some(&first), None)
            .await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);

        let second = server.sign_in("auditor").await;
        let out = server
            .send(Method::DELETE, "/session", Some(&second), None)
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert!(
            out.headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        let gone = server
            .send(Method::GET, "/session", Some(&second), None)
            .await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
        assert_eq!(gone.body["code"], "unauthenticated");
    }
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_our_origin() {
    let server = Server::start(Backend::Sqlite).await;
    let admin = server.sign_in("admin").await;
    let body = json!({ "username": "newbie", "role": "auditor", "password": PASSWORD }).to_string();
    let forged = Signed {
        cookie: admin.cookie.clone(),
        csrf: "wrong".into(),
    };
    let reply = server
        .send(Method::POST, "/users", Some(&forged), Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["code"], "csrf");

    let req = Request::post("/api/v1/users")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, format!("__Host-chatdesk={}", admin.cookie))
        .header("x-csrf-token", &admin.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let reply = server.raw(req).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["code"], "csrf");

    let reply = server
        .send(Method::POST, "/users", Some(&admin), Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    assert_eq!(reply.body["role"], "auditor");
}

#[tokio::test]
async fn bad_bodies_get_clear_errors_and_every_response_has_security_headers() {
    let server = Server::start(Backend::Sqlite).await;
    let admin = server.sign_in("admin").await;
    let reply = server
        .send(
            Method::POST,
            "/users",
            Some(&admin),
            Some("{\"username\": "),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["code"], "invalid_json");
    let reply = server
        .send(
            Method::POST,
            "/users",
            Some(&admin),
            Some(r#"{"username":"x","password":"p"}"#),
        )
        .await;
    // A missing field is a field error naming it, not unreadable JSON.
    assert_eq!(reply.body["code"], "invalid_input");
    assert_eq!(reply.body["field"], "role", "{}", reply.raw);
    assert_eq!(reply.body["problem"]["kind"], "required");

    let reply = server
        .send(
            Method::POST,
            "/users",
            Some(&admin),
            Some(&json!({ "username": "x", "role": "auditor", "password": "short" }).to_string()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["field"], "password");

    let huge = json!({ "name": "x".repeat(70 * 1024) }).to_string();
    let reply = server
        .send(
            Method::POST,
            "/credentials/dingtalk",
            Some(&admin),
            Some(&huge),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.raw);

    for path in ["/api/v1/meta", "/", "/groups"] {
        let req = Request::get(path)
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap();
        let reply = server.raw(req).await;
        let csp = reply.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        // sha256 of `boot()`, the inline script of the test index.html.
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
        assert_eq!(reply.headers["referrer-policy"], "no-referrer");
        assert_eq!(reply.headers["x-frame-options"], "DENY");
    }
}

/// Known secrets go in through the API; no response, log line or byte of
/// the database holds them afterwards.
#[tokio::test]
async fn stored_secrets_never_come_back_out() {
    let logs = Captured::global();

    const KEY_SECRET: &str = "LeakCheckAccessKeySecret7d41";
    const STS: &str = "LeakCheckStsToken0f3e9a";
    const APP_SECRET: &str = "LeakCheckDingTalkAppSecret55ab";
    const KEY_ID: &str = "LTAI5tLeakCheckKeyId";
    let server = Server::start(Backend::Sqlite).await;
    let admin = server.sign_in("admin").await;
    let auditor = server.sign_in("auditor").await;
    let mut seen = String::new();

    let account = json!({
        "name": "prod", "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET,
        "sts_token": STS, "signature": "v3", "regions": ["cn-hangzhou"]
    });
    let created = server
        .send(
            Method::POST,
            "/credentials/alibaba",
            Some(&admin),
            Some(&account.to_string()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.raw);
    assert!(
        created.body["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("LTAI…")
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    let app = json!({ "name": "bot", "app_key": "dingkey1", "app_secret": APP_SECRET });
    let created_app = server
        .send(
            Method::POST,
            "/credentials/dingtalk",
            Some(&admin),
            Some(&app.to_string()),
        )
        .await;
    assert_eq!(
        created_app.status,
        StatusCode::CREATED,
        "{}",
        created_app.raw
    );
    let rename = json!({ "name": "prod2", "signature": "legacy", "regions": [] });
    let renamed = server
        .send(
            Method::PUT,
            &format!("/credentials/alibaba/{id}"),
            Some(&admin),
            Some(&rename.to_string()),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.raw);
    for reply in [created, created_app, renamed] {
        seen.push_str(&reply.raw);
        seen.push_str(&format!("{:?}", reply.headers));
    }
    for who in [&admin, &auditor] {
        for path in [
            "/credentials/alibaba",
            "/credentials/dingtalk",
            "/users",
            "/session",
        ] {
            let reply = server.send(Method::GET, path, Some(who), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.raw);
            seen.push_str(&reply.raw);
            seen.push_str(&format!("{:?}", reply.headers));
        }
    }

    let mut files = Vec::new();
    // The test database lives in the TestDb's directory: read it and its WAL.
    let db_path = server
        .db
        .url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(format!("{db_path}{suffix}")) {
            files.push(bytes);
        }
    }
    assert!(!files.is_empty());
    let logs = logs.text();
    assert!(logs.contains("signed in"), "logs are captured");
    for secret in [KEY_SECRET, STS, APP_SECRET, KEY_ID] {
        assert!(!seen.contains(secret), "an API response holds {secret}");
        assert!(!logs.contains(secret), "the log holds {secret}");
        for bytes in &files {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the database holds {secret}"
            );
        }
    }
}

#[tokio::test]
async fn wrong_current_passwords_at_password_change_are_throttled_like_sign_in() {
    let server = Server::start(Backend::Sqlite).await;
    let auditor = server.sign_in("auditor").await;
    let change = |current: &str| {
        json!({ "current_password": current, "new_password": "another long password" }).to_string()
    };
    for _ in 0..5 {
        let reply = server
            .send(
                Method::POST,
                "/me/password",
                Some(&auditor),
                Some(&change("guess")),
            )
            .await;
        assert_eq!(reply.body["code"], "invalid_input", "{}", reply.raw);
        assert_eq!(reply.body["field"], "current_password");
    }
    // Locked now, even with the right password, and at sign-in as well.
    let reply = server
        .send(
            Method::POST,
            "/me/password",
            Some(&auditor),
            Some(&change(PASSWORD)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.raw);
    assert_eq!(reply.body["code"], "too_many_attempts");
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    let body = json!({ "username": "auditor", "password": PASSWORD }).to_string();
    let reply = server
        .send(Method::POST, "/session", None, Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}
