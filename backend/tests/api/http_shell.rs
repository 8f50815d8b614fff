//! The server's shell over HTTP: SPA serving and caching, health, API errors.

use std::net::SocketAddr;
use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use backend::config::Config;
use backend::server::Application;
use tower::ServiceExt;

const WASM: &str = "frontend-0123456789abcdef_bg.wasm";

/// The real application (with its own data directory), used in-process.
struct TestServer {
    app: Application,
    _data: tempfile::TempDir,
}

async fn app(dist: &Path) -> TestServer {
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data.path().to_owned(),
        dist_dir: dist.to_owned(),
        ..Config::default()
    };
    let app = Application::build(config).await.unwrap();
    TestServer { app, _data: data }
}

fn built_dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>chatdesk</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join(WASM), b"\0asm").unwrap();
    dir
}

async fn get(
    server: &TestServer,
    uri: &str,
    accept_encoding: Option<&str>,
) -> axum::response::Response {
    let mut request = Request::get(uri);
    if let Some(enc) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, enc);
    }
    server
        .app
        .router()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body_text(response: axum::response::Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn header_of(response: &axum::response::Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn client_routes_get_index_html_uncached() {
    let dist = built_dist();
    let app = app(dist.path()).await;
    for uri in ["/", "/groups", "/groups/abc", "/index.html"] {
        let response = get(&app, uri, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            header_of(&response, header::CACHE_CONTROL),
            "no-cache",
            "{uri}"
        );
        assert!(
            header_of(&response, header::CONTENT_TYPE).starts_with("text/html"),
            "{uri}"
        );
        assert!(
            body_text(response)
                .await
                .contains("<title>chatdesk</title>"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_precompressed_when_accepted() {
    let dist = built_dist();
    std::fs::write(dist.path().join(format!("{WASM}.br")), b"brotli bytes").unwrap();
    let app = app(dist.path()).await;

    let plain = get(&app, &format!("/{WASM}"), None).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(
        header_of(&plain, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header_of(&plain, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(body_text(plain).await, "\0asm");

    let br = get(&app, &format!("/{WASM}"), Some("br, gzip")).await;
    assert_eq!(header_of(&br, header::CONTENT_ENCODING), "br");
    assert_eq!(body_text(br).await, "brotli bytes");
}

#[tokio::test]
async fn a_missing_asset_is_404_not_the_app() {
    let dist = built_dist();
    let app = app(dist.path()).await;
    let response = get(&app, "/frontend-00000000deadbeef.js", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_api_routes_are_json_errors() {
    let dist = built_dist();
    let app = app(dist.path()).await;
    let response = get(&app, "/api/v1/nope", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(body["code"], "route_not_found");
    assert!(body["message"].as_str().unwrap().contains("/api/v1/nope"));
}

#[tokio::test]
async fn health_and_readiness() {
    let dist = built_dist();
    let app = app(dist.path()).await;
    assert_eq!(get(&app, "/healthz", None).await.status(), StatusCode::OK);
    assert_eq!(get(&app, "/readyz", None).await.status(), StatusCode::OK);
    let meta = body_text(get(&app, "/api/v1/meta", None).await).await;
    let meta: shared::api::Meta = serde_json::from_str(&meta).unwrap();
    assert!(meta.sandbox);

    let empty = tempfile::tempdir().unwrap();
    let unbuilt = self::app(empty.path()).await;
    assert_eq!(
        get(&unbuilt, "/readyz", None).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let page = get(&unbuilt, "/", None).await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(body_text(page).await.contains("./dev run"));
    // The API stays usable without the web app.
    assert_eq!(
        get(&unbuilt, "/api/v1/meta", None).await.status(),
        StatusCode::OK
    );
}
