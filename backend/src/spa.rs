//! Serves the built single-page app: hashed assets cached for a year,
//! `index.html` never cached, client routes answered with `index.html`.

use std::path::Path;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// The SPA as read at start-up.
#[derive(Clone)]
pub struct Spa {
    index: Option<Bytes>,
    csp: HeaderValue,
}

impl Spa {
    /// Reads `dist/index.html`; a missing build is reported, not fatal, so
    /// the API stays usable.
    pub fn load(dist: &Path) -> Spa {
        let index = match std::fs::read(dist.join("index.html")) {
            Ok(bytes) => Some(Bytes::from(bytes)),
            Err(err) => {
                tracing::warn!(dist = %dist.display(), %err, "the console is not built; serving the API only (run ./dev run)");
                None
            }
        };
        let html = index
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let csp =
            HeaderValue::from_str(&content_security_policy(&html)).expect("the policy is ASCII");
        Spa { index, csp }
    }

    /// The `Content-Security-Policy` for every response: only this origin,
    /// plus the inline scripts of `index.html` by hash (trunk inlines the
    /// module loader) and WebAssembly compilation.
    pub fn content_security_policy(&self) -> HeaderValue {
        self.csp.clone()
    }

    pub fn is_built(&self) -> bool {
        self.index.is_some()
    }

    /// A router that serves `dist`, for use as the app's fallback.
    pub fn router(&self, dist: &Path) -> Router {
        let index = Router::new()
            .fallback(get(index_html))
            .with_state(self.clone());
        let files = ServeDir::new(dist)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false)
            .fallback(index);
        Router::new()
            .fallback_service(files)
            .layer(middleware::from_fn(cache_headers))
    }
}

async fn index_html(State(spa): State<Spa>, request: Request) -> Response {
    if has_extension(request.uri().path()) {
        // A missing asset is a 404, not the app: a stale page asking for an
        // old hashed file must not get HTML back as JavaScript.
        return StatusCode::NOT_FOUND.into_response();
    }
    match spa.index {
        Some(body) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The chatdesk console has not been built. Run ./dev run to build and start it.\n",
        )
            .into_response(),
    }
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Files whose name carries trunk's content hash never change, so they may
/// be cached for good; everything else must be revalidated.
fn cache_policy(path: &str) -> &'static str {
    if is_hashed_asset(path) {
        IMMUTABLE
    } else {
        NO_CACHE
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

fn has_extension(path: &str) -> bool {
    file_name(path).contains('.')
}

/// `frontend-0123456789abcdef_bg.wasm`, `style-0123456789abcdef.css`. Trunk
/// prints the 64-bit hash without leading zeros, so it may be shorter than 16.
fn is_hashed_asset(path: &str) -> bool {
    let name = file_name(path);
    let Some((stem, _ext)) = name.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => {
            (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// The bodies of `<script>` elements without `src`, exactly as written.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let body = &rest[tag_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            scripts.push(&body[..close]);
        }
        rest = &body[close..];
    }
    scripts
}

fn content_security_policy(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .into_iter()
        .map(|script| {
            format!(
                " 'sha256-{}'",
                STANDARD.encode(Sha256::digest(script.as_bytes()))
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_inline_scripts_by_hash() {
        let html = "<head><script type=\"module\">import init from '/a.js';</script>\
                    <script src=\"/b.js\"></script><script>x()</script></head>";
        assert_eq!(inline_scripts(html), ["import init from '/a.js';", "x()"]);
        let csp = content_security_policy(html);
        let expected = STANDARD.encode(Sha256::digest(b"x()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(
            csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-")
        );
        assert!(csp.ends_with("frame-ancestors 'none'; form-action 'self'"));
        assert_eq!(
            content_security_policy(""),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             frame-ancestors 'none'; form-action 'self'"
        );
    }

    #[test]
    fn only_hashed_assets_are_immutable() {
        assert_eq!(
            cache_policy("/frontend-0123456789abcdef_bg.wasm"),
            IMMUTABLE
        );
        assert_eq!(cache_policy("/frontend-0123456789abcdef.js"), IMMUTABLE);
        assert_eq!(cache_policy("/frontend-2be6ef420adf8e5.js"), IMMUTABLE);
        assert_eq!(cache_policy("/style-fedcba9876543210.css"), IMMUTABLE);
        assert_eq!(cache_policy("/index.html"), NO_CACHE);
        assert_eq!(cache_policy("/"), NO_CACHE);
        assert_eq!(cache_policy("/groups"), NO_CACHE);
        assert_eq!(cache_policy("/favicon.ico"), NO_CACHE);
        assert_eq!(cache_policy("/frontend-xyz.js"), NO_CACHE);
    }

    #[test]
    fn client_routes_have_no_extension() {
        assert!(!has_extension("/chat-configs"));
        assert!(!has_extension("/groups/abc"));
        assert!(has_extension("/frontend-0123456789abcdef.js"));
    }
}
