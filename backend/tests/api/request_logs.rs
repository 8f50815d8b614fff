//! Every log line of a request names its route and request id, and an
//! internal error gives the user the id of the log line that holds the whole
//! cause chain. Read from the process-wide log capture, which every test
//! of the binary writes to: lines are told apart by their request id.

use crate::support::capture::Captured;
use crate::support::*;
use axum::http::{Method, StatusCode};
use backend::db::Backend;
use serde_json::json;

#[tokio::test]
async fn request_logs_carry_route_and_request_id() {
    let buffer = Captured::global();

    let s = Server::start(Backend::Sqlite).await;
    let admin = s.sign_in("admin").await;
    let body = json!({ "username": "grace", "role": "auditor", "password": PASSWORD }).to_string();
    let created = s
        .send(Method::POST, "/users", Some(&admin), Some(&body))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.raw);
    let id = created.headers["x-request-id"].to_str().unwrap().to_owned();
    let logs = buffer.text();
    let line = logs
        .lines()
        .find(|l| l.contains("user created") && l.contains(&id))
        .expect("the handler's log line");
    assert!(line.contains(&format!("request_id={id}")), "{line}");
    assert!(line.contains("route=\"/api/v1/users\""), "{line}");
    assert!(
        line.contains("user=admin") || line.contains("user=\"admin\""),
        "{line}"
    );

    // An internal error: the table behind idempotency keys is gone.
    sqlx::query("DROP TABLE idempotency_keys")
        .execute(s.db.db.pool())
        .await
        .unwrap();
    let body = json!({ "username": "heidi", "role": "auditor", "password": PASSWORD }).to_string();
    let req = s.request(Method::POST, "/users", Some(&admin), Some(&body));
    let failed = s.raw(with_header(req, "idempotency-key", "k1")).await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.raw
    );
    assert_eq!(failed.body["code"], "internal");
    let trace_id = failed.body["trace_id"]
        .as_str()
        .expect("a request id to quote");
    assert_eq!(failed.headers["x-request-id"], trace_id);
    assert!(
        !failed.raw.contains("idempotency_keys"),
        "no detail to the browser"
    );
    let logs = buffer.text();
    let line = logs
        .lines()
        .find(|l| l.contains("internal error") && l.contains(trace_id))
        .unwrap_or_else(|| panic!("the error's log line with {trace_id}:\n{logs}"));
    assert!(line.contains("idempotency_keys"), "the cause chain: {line}");
}
