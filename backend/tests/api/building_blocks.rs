//! The shared request path: idempotent creates, request ids in answers, and
//! the sandbox credentials a first start stores.

use crate::support::*;
use axum::http::{Method, StatusCode};
use backend::config::Config;
use backend::db::Backend;
use backend::server::Application;
use backend::testing::TestDb;
use serde_json::json;

async fn user_count(s: &Server) -> usize {
    let admin = s.sign_in("admin").await;
    let reply = s.send(Method::GET, "/users", Some(&admin), None).await;
    reply.body.as_array().unwrap().len()
}

async fn create_user(s: &Server, who: &Signed, key: &str, name: &str) -> Reply {
    let body = json!({ "username": name, "role": "helpdesk", "password": PASSWORD }).to_string();
    let req = s.request(Method::POST, "/users", Some(who), Some(&body));
    s.raw(with_header(req, "idempotency-key", key)).await
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_creates_once() {
    for backend in Backend::ALL {
        let s = Server::start(backend).await;
        let admin = s.sign_in("admin").await;
        let before = user_count(&s).await;
        let first = create_user(&s, &admin, "key-1", "carol").await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.raw);
        let again = create_user(&s, &admin, "key-1", "carol").await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.raw);
        assert_eq!(again.body, first.body, "the retry answers the first result");
        assert_eq!(user_count(&s).await, before + 1, "{backend:?}");

        // Without the key, the same create is a second attempt: refused.
        let body =
            json!({ "username": "carol", "role": "helpdesk", "password": PASSWORD }).to_string();
        let plain = s
            .send(Method::POST, "/users", Some(&admin), Some(&body))
            .await;
        assert_eq!(plain.status, StatusCode::CONFLICT, "{}", plain.raw);

        // The same key for another body hides a mistake: refused, naming it.
        let other = create_user(&s, &admin, "key-1", "dave").await;
        assert_eq!(
            other.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            other.raw
        );
        assert_eq!(other.body["field"], "Idempotency-Key");
        assert_eq!(user_count(&s).await, before + 1);

        // A failed create frees its key for the corrected retry.
        let short = json!({ "username": "erin", "role": "helpdesk", "password": "x" }).to_string();
        let req = s.request(Method::POST, "/users", Some(&admin), Some(&short));
        let refused = s.raw(with_header(req, "idempotency-key", "key-2")).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.raw
        );
        let fixed = create_user(&s, &admin, "key-2", "erin").await;
        assert_eq!(fixed.status, StatusCode::CREATED, "{}", fixed.raw);
        assert_eq!(user_count(&s).await, before + 2);
    }
}

#[tokio::test]
async fn a_double_click_sends_two_requests_and_creates_once() {
    for backend in Backend::ALL {
        let s = Server::start(backend).await;
        let admin = s.sign_in("admin").await;
        let before = user_count(&s).await;
        let (a, b) = tokio::join!(
            create_user(&s, &admin, "double", "frank"),
            create_user(&s, &admin, "double", "frank"),
        );
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.raw);
        assert_eq!(b.status, StatusCode::CREATED, "{}", b.raw);
        assert_eq!(a.body["id"], b.body["id"]);
        assert_eq!(user_count(&s).await, before + 1, "{backend:?}");
    }
}

#[tokio::test]
async fn a_malformed_key_is_refused_naming_the_header() {
    let s = Server::start(Backend::Sqlite).await;
    let admin = s.sign_in("admin").await;
    let bad = s.request(Method::POST, "/users", Some(&admin), Some("{}"));
    let reply = s
        .raw(with_header(bad, "idempotency-key", "with space"))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["field"], "Idempotency-Key");
}

#[tokio::test]
async fn every_answer_carries_its_request_id() {
    let s = Server::start(Backend::Sqlite).await;
    let helpdesk = s.sign_in("helpdesk").await;
    let reply = s.send(Method::GET, "/users", Some(&helpdesk), None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let id = reply.headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "{id}");
    assert_eq!(reply.body["trace_id"], id.as_str(), "{}", reply.raw);
    let again = s.send(Method::GET, "/users", Some(&helpdesk), None).await;
    assert_ne!(
        again.headers["x-request-id"],
        id.as_str(),
        "one id per request"
    );
    let ok = s.send(Method::GET, "/session", Some(&helpdesk), None).await;
    assert!(ok.headers.contains_key("x-request-id"));
}

fn config(t: &TestDb, dir: &tempfile::TempDir) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("data"),
        database_url: Some(t.url.clone()),
        dist_dir: dir.path().join("dist"),
        ..Config::default()
    }
}

#[tokio::test]
async fn the_first_start_on_the_sandbox_stores_sandbox_credentials_once() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let app = Application::build(config(&t, &dir)).await.unwrap();
        let vault = app.state().vault.clone();
        let accounts = vault.list_alibaba().await.unwrap();
        let apps = vault.list_dingtalk().await.unwrap();
        assert_eq!(accounts.len(), 1, "{backend:?}");
        assert_eq!(apps.len(), 1);
        assert!(accounts[0].sandbox && apps[0].sandbox);
        assert!(accounts[0].name.contains("Sandbox"));
        // They work: the sandbox accepts them.
        let check =
            backend::vault::connection::check_dingtalk(&vault, &app.state().upstream, &apps[0].id)
                .await
                .unwrap();
        assert!(check.ok, "{check:?}");

        // Deleted, they stay deleted on the next start.
        let actor = backend::audit::Actor::cli();
        vault.delete_alibaba(&actor, &accounts[0].id).await.unwrap();
        drop(app);
        let again = Application::build(config(&t, &dir)).await.unwrap();
        assert!(again.state().vault.list_alibaba().await.unwrap().is_empty());
        assert_eq!(again.state().vault.list_dingtalk().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_real_upstream_gets_no_sandbox_credentials() {
    let t = TestDb::fresh(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&t, &dir);
    config.upstream.oos = Some("http://127.0.0.1:9/{region}".into());
    let app = Application::build(config).await.unwrap();
    assert!(app.state().vault.list_alibaba().await.unwrap().is_empty());
    assert!(app.state().vault.list_dingtalk().await.unwrap().is_empty());
}
