//! `/api/v1/audit/*` over HTTP: pages, filters, errors naming the field,
//! streamed exports with their headers, verification, and no way to write.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use backend::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use backend::auth::users;
use backend::config::Config;
use backend::db::Backend;
use backend::server::Application;
use backend::testing::TestDb;
use shared::api::ErrorBody;
use shared::audit::{EventPage, VerifyReport};
use shared::auth::Role;
use tower::ServiceExt;

/// The real application on a fresh database, and an auditor's session
/// cookie: the audit routes are behind the permission matrix.
struct Server {
    router: axum::Router,
    db: backend::db::Db,
    cookie: String,
    /// Events the setup itself recorded (first admin, auditor, sign-in),
    /// before the 30 test events.
    base: i64,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

async fn app() -> Server {
    let t = TestDb::fresh(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_owned(),
        database_url: Some(t.url.clone()),
        dist_dir: dir.path().join("no-dist"),
        ..Config::default()
    };
    let application = Application::build(config).await.unwrap();
    let state = application.state().clone();
    let auditor = users::create(
        &state.db,
        &Actor::cli(),
        "auditor",
        Role::Auditor,
        "a long password",
    )
    .await
    .unwrap();
    let (session_id, _) = state.sessions.create(auditor, None).await.unwrap();
    let base = audit::verify(&state.db).await.unwrap().head_seq;
    let events: Vec<_> = (0..30)
        .map(|i: i64| {
            let actor = Actor {
                user_id: None,
                username: if i % 2 == 0 { "alice" } else { "bob" }.into(),
                role: "admin".into(),
                source: None,
            };
            let target = Target::new(TargetKind::Group, format!("g{i}"), format!("group {i}"));
            (
                1_700_000_000_000 + i,
                NewEvent::success(actor, AuditAction::GroupUpdate, target),
            )
        })
        .collect();
    let mut tx = state.db.pool().begin().await.unwrap();
    audit::append_at(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
    Server {
        router: application.router(),
        db: state.db.clone(),
        cookie: format!("__Host-chatdesk={session_id}"),
        base,
        _db: t,
        _dir: dir,
    }
}

async fn call(
    app: &Server,
    method: Method,
    uri: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::HOST, "127.0.0.1:8080")
                .header(header::COOKIE, &app.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 24).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

#[tokio::test]
async fn pages_filters_exports_and_verifies_over_http() {
    let app = app().await;

    let (status, _, body) =
        call(&app, Method::GET, "/api/v1/audit/events?actor=bob&limit=10").await;
    assert_eq!(status, StatusCode::OK);
    let page: EventPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(page.events.len(), 10);
    assert!(page.events.iter().all(|e| e.actor == "bob"));
    assert_eq!(page.events[0].seq, app.base + 30);
    let cursor = page.next_cursor.unwrap();
    let (_, _, body) = call(
        &app,
        Method::GET,
        &format!("/api/v1/audit/events?actor=bob&limit=10&before={cursor}"),
    )
    .await;
    let next: EventPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(next.events.len(), 5);
    assert_eq!(next.next_cursor, None);
    let (_, _, body) = call(
        &app,
        Method::GET,
        "/api/v1/audit/events?target=group%207&outcome=success&action=group.update&actor=",
    )
    .await;
    let page: EventPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        page.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![app.base + 8]
    );

    // Refused like every other route's input: 422 naming the parameter.
    for (uri, field) in [
        ("/api/v1/audit/events?limit=0", "limit"),
        ("/api/v1/audit/events?from=yesterday", "from"),
        ("/api/v1/audit/events?outcome=maybe", "outcome"),
        ("/api/v1/audit/events?format=csv", "format"),
        ("/api/v1/audit/events?actr=bob", "actr"),
        ("/api/v1/audit/export", "format"),
        ("/api/v1/audit/export?format=xml", "format"),
    ] {
        let (status, _, body) = call(&app, Method::GET, uri).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        let err: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (err.code.as_str(), err.field.as_deref()),
            ("invalid_input", Some(field)),
            "{uri}"
        );
        assert!(err.problem.is_some(), "{uri}");
    }

    let (status, headers, body) = call(
        &app,
        Method::GET,
        "/api/v1/audit/export?format=csv&actor=alice",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"audit-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let actors: Vec<String> = reader.records().map(|r| r.unwrap()[3].to_owned()).collect();
    assert_eq!(actors, vec!["alice"; 15]);

    let (status, headers, body) =
        call(&app, Method::GET, "/api/v1/audit/export?format=jsonl").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/jsonl; charset=utf-8"
    );
    assert_eq!(
        String::from_utf8(body).unwrap().lines().count() as i64,
        app.base + 30
    );

    let (status, _, body) = call(&app, Method::GET, "/api/v1/audit/verify").await;
    assert_eq!(status, StatusCode::OK);
    let report: VerifyReport = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (report.checked as i64, report.head_seq, report.first_broken),
        (app.base + 30, app.base + 30, None)
    );
}

#[tokio::test]
async fn events_cannot_be_changed_or_deleted_through_the_api() {
    let app = app().await;
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        for uri in [
            "/api/v1/audit/events",
            "/api/v1/audit/events/1",
            "/api/v1/audit/verify",
        ] {
            let (status, _, _) = call(&app, method.clone(), uri).await;
            assert!(
                status == StatusCode::METHOD_NOT_ALLOWED || status == StatusCode::NOT_FOUND,
                "{method} {uri}: {status}"
            );
        }
    }
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!(
        (report.checked as i64, report.first_broken),
        (app.base + 30, None)
    );
}
