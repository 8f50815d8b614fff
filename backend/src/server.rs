//! Builds the HTTP application and runs it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use shared::api::{API_PREFIX, Meta};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::error::ApiError;
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::spa::Spa;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub spa: Spa,
    /// Base URL of the built-in sandbox when it stands in for every
    /// upstream (`config.upstream.is_sandbox()`).
    pub sandbox_url: Option<String>,
}

/// A bound, not yet running console (zero2prod's `Application`): tests
/// build one on port 0 and read the address it got.
pub struct Application {
    listener: TcpListener,
    router: Router,
    /// Lives as long as the application: dropping it stops the sandbox.
    sandbox: Option<Sandbox>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let spa = Spa::load(&config.dist_dir);
        let sandbox = if config.upstream.is_sandbox() {
            let sandbox =
                Sandbox::start(SocketAddr::from(([127, 0, 0, 1], 0)), SandboxConfig::demo())
                    .await?;
            tracing::info!(
                url = %sandbox.base_url(),
                "no upstream configured: the built-in sandbox serves OOS, Security Center and DingTalk"
            );
            Some(sandbox)
        } else {
            None
        };
        let state = AppState {
            config: Arc::new(config),
            spa,
            sandbox_url: sandbox.as_ref().map(Sandbox::base_url),
        };
        Ok(Application {
            listener,
            router: router(state),
            sandbox,
        })
    }

    /// The built-in sandbox, when it stands in for the upstreams (tests
    /// use it to inject faults or reset the demo data).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let _sandbox = self.sandbox;
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/meta", get(meta))
        .fallback(api_not_found);
    let spa = state.spa.router(&state.config.dist_dir);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest(API_PREFIX, api)
        .with_state(state)
        .fallback_service(spa)
        .layer(TraceLayer::new_for_http())
}

async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Ready once everything the console needs is in place.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.spa.is_built() {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "status": "not ready", "reason": "the console (dist/index.html) is not built" }),
            ),
        )
    }
}

async fn meta(State(state): State<AppState>) -> Json<Meta> {
    Json(Meta {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        sandbox: state.config.upstream.is_sandbox(),
    })
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::RouteNotFound(uri.path().to_owned())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
