//! `/api/v1/audit/*` over HTTP: pages, filters, errors naming the field,
//! streamed exports with their headers, verification, and no way to write.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use backend::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use backend::config::Config;
use backend::db::Backend;
use backend::db::testing::TestDb;
use backend::server::{AppState, router};
use backend::spa::Spa;
use shared::api::ErrorBody;
use shared::audit::{EventPage, VerifyReport};
use tower::ServiceExt;

async fn app() -> (axum::Router, TestDb) {
    let t = TestDb::fresh(Backend::Sqlite).await;
    let dist = std::env::temp_dir().join("chatdesk-audit-http-no-dist");
    let app = router(AppState {
        spa: Spa::load(&dist),
        config: Arc::new(Config::default()),
        sandbox_url: None,
        db: t.db.clone(),
    });
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
    let mut tx = t.db.pool().begin().await.unwrap();
    audit::append_at(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
    (app, t)
}

async fn call(
    app: &axum::Router,
    method: Method,
    uri: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
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
    let (app, _db) = app().await;

    let (status, _, body) =
        call(&app, Method::GET, "/api/v1/audit/events?actor=bob&limit=10").await;
    assert_eq!(status, StatusCode::OK);
    let page: EventPage = serde_json::from_slice(&body).unwrap();
    assert_eq!(page.events.len(), 10);
    assert!(page.events.iter().all(|e| e.actor == "bob"));
    assert_eq!(page.events[0].seq, 30);
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
        vec![8]
    );

    for (uri, field) in [
        ("/api/v1/audit/events?limit=0", "limit"),
        ("/api/v1/audit/events?from=yesterday", "from"),
        ("/api/v1/audit/events?outcome=maybe", "outcome"),
        ("/api/v1/audit/events?format=csv", "query"),
        ("/api/v1/audit/export", "format"),
        ("/api/v1/audit/export?format=xml", "format"),
    ] {
        let (status, _, body) = call(&app, Method::GET, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        let err: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (err.code.as_str(), err.field.as_deref()),
            ("invalid_query", Some(field)),
            "{uri}"
        );
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
    assert_eq!(String::from_utf8(body).unwrap().lines().count(), 30);

    let (status, _, body) = call(&app, Method::GET, "/api/v1/audit/verify").await;
    assert_eq!(status, StatusCode::OK);
    let report: VerifyReport = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (report.checked, report.head_seq, report.first_broken),
        (30, 30, None)
    );
}

#[tokio::test]
async fn events_cannot_be_changed_or_deleted_through_the_api() {
    let (app, t) = app().await;
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
    let report = audit::verify(&t.db).await.unwrap();
    assert_eq!((report.checked, report.first_broken), (30, None));
}
