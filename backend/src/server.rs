//! Builds the HTTP application and runs it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use shared::api::API_PREFIX;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::audit::Actor;
use crate::auth::sessions::Sessions;
use crate::auth::throttle::Throttle;
use crate::auth::users;
use crate::chat_configs::store::ChatConfigStore;
use crate::config::Config;
use crate::db::Db;
use crate::extract::BODY_LIMIT;
use crate::sandbox::{self, Sandbox, SandboxConfig};
use crate::spa::Spa;
use crate::state::AppState;
use crate::telemetry;
use crate::upstream::http::Endpoints;
use crate::upstream::{Upstream, UpstreamSettings};
use crate::vault::{MasterKey, Vault};
use shared::vault::{AlibabaAccountInput, DingTalkAppInput};

/// Sets the first admin's password instead of a random one.
pub const ADMIN_PASSWORD_VAR: &str = "CHATDESK_ADMIN_PASSWORD";

/// A bound, not yet running console (zero2prod's `Application`): tests
/// build one on port 0 and read the address it got.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    first_admin_password: Option<String>,
    /// Lives as long as the application: dropping it stops the sandbox.
    sandbox: Option<Sandbox>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let spa = Spa::load(&config.dist_dir);
        let sandbox = start_sandbox(&config).await?;
        let defaults = match &sandbox {
            Some(sandbox) => Endpoints::single(&sandbox.base_url()),
            None => Endpoints::official(),
        };
        let upstream = Arc::new(Upstream::new(UpstreamSettings::from_config(
            &config.upstream,
            defaults,
        )));
        let db = Db::open(&config).await?;
        let key = MasterKey::load(&config.master_key_file(), config.master_key_file.is_none())?;
        crate::audit::open(&db, crate::audit::Keyring::load(&config, Some(&key))?).await?;
        let first_admin_password =
            users::ensure_first_admin(&db, &Actor::cli(), std::env::var(ADMIN_PASSWORD_VAR).ok())
                .await?;
        let vault = Vault::new(db.clone(), key);
        vault.backfill().await?;
        if let Some(sandbox) = &sandbox {
            seed_sandbox(&db, &vault, sandbox).await?;
        }
        let state = AppState {
            config: Arc::new(config),
            spa,
            vault,
            sessions: Sessions::new(db.clone()),
            chat_configs: ChatConfigStore::new(db.clone()),
            db,
            throttle: Throttle::default(),
            sandbox_url: sandbox.as_ref().map(Sandbox::base_url),
            upstream,
        };
        Ok(Application {
            listener,
            router: router(state.clone()),
            state,
            first_admin_password,
            sandbox,
        })
    }

    /// The routes, for in-process requests (`tower::ServiceExt::oneshot`).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The built-in sandbox, when it stands in for the upstreams (tests
    /// use it to inject faults or reset the demo data).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// The password of the `admin` account created by this start, if it
    /// created one (first start on an empty database) and made the
    /// password up (not chosen with [`ADMIN_PASSWORD_VAR`]).
    pub fn first_admin_password(&self) -> Option<&str> {
        self.first_admin_password.as_deref()
    }

    pub fn state(&self) -> &AppState {
        &self.state
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
        let audit = &self.state.config.audit;
        let checkpoints = (audit.checkpoint_interval_minutes > 0).then(|| {
            tokio::spawn(crate::audit::run_checkpoints(
                self.state.db.clone(),
                self.state.config.audit_checkpoint_file(),
                std::time::Duration::from_secs(audit.checkpoint_interval_minutes * 60),
            ))
        });
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        if let Some(task) = checkpoints {
            task.abort();
        }
        served
    }
}

pub fn router(state: AppState) -> Router {
    let api = crate::api::router(&state).layer(DefaultBodyLimit::max(BODY_LIMIT));
    let spa = state.spa.router(&state.config.dist_dir);
    let csp = state.spa.content_security_policy();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest(API_PREFIX, api)
        .with_state(state)
        .fallback_service(spa)
        .layer(middleware::from_fn_with_state(csp, security_headers))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(telemetry::request_span))
}

/// The built-in sandbox's demo account, as the first start stores it.
fn sandbox_account() -> AlibabaAccountInput {
    AlibabaAccountInput {
        name: "Sandbox Alibaba Cloud".into(),
        access_key_id: Some(sandbox::DEMO_ACCESS_KEY_ID.into()),
        access_key_secret: Some(sandbox::DEMO_ACCESS_KEY_SECRET.into()),
        regions: vec!["cn-hangzhou".into(), "cn-shanghai".into()],
        ..AlibabaAccountInput::default()
    }
}

/// The built-in sandbox's demo DingTalk app.
fn sandbox_app() -> DingTalkAppInput {
    DingTalkAppInput {
        name: "Sandbox DingTalk".into(),
        app_key: sandbox::DEMO_APP_KEY.into(),
        app_secret: Some(sandbox::DEMO_APP_SECRET.into()),
        ..DingTalkAppInput::default()
    }
}

/// The built-in sandbox, when no upstream is configured.
async fn start_sandbox(config: &Config) -> anyhow::Result<Option<Sandbox>> {
    if !config.upstream.is_sandbox() {
        return Ok(None);
    }
    let sandbox =
        Sandbox::start(SocketAddr::from(([127, 0, 0, 1], 0)), SandboxConfig::demo()).await?;
    tracing::info!(
        url = %sandbox.base_url(),
        "no upstream configured: the built-in sandbox serves OOS, Security Center and DingTalk"
    );
    Ok(Some(sandbox))
}

/// On the first start on the sandbox, its credentials in the vault and its
/// demo groups in the catalogue.
async fn seed_sandbox(db: &Db, vault: &Vault, sandbox: &Sandbox) -> anyhow::Result<()> {
    if !vault.seed_sandbox(sandbox_account(), sandbox_app()).await? {
        return Ok(());
    }
    tracing::info!("stored a sandbox Alibaba Cloud account and DingTalk app");
    // DingTalk cannot list groups: a fresh console on the sandbox starts
    // with the sandbox's demo groups in its catalogue.
    let groups = crate::groups::service::seed_demo(db, sandbox::DEMO_APP_KEY, sandbox).await?;
    tracing::info!(groups, "stored the sandbox's demo groups in the catalogue");
    Ok(())
}

/// Headers that keep the console out of frames, stop content sniffing,
/// keep URLs out of Referer and allow only our own scripts (see
/// [`Spa::content_security_policy`]).
async fn security_headers(
    State(csp): State<HeaderValue>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

const SECURITY_HEADERS: [(HeaderName, &str); 3] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Ready once everything the console needs is in place. `audit` is the
/// latest verdict on the audit trail: a broken trail is reported for
/// monitoring but does not make the console unready (it still serves,
/// and records on the true head).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let audit = crate::audit::health(&state.db).await.ok().flatten();
    match not_ready(&state).await {
        None => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "audit": audit })),
        ),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "reason": reason, "audit": audit })),
        ),
    }
}

/// Why the console cannot serve yet, if it cannot.
async fn not_ready(state: &AppState) -> Option<&'static str> {
    if !state.spa.is_built() {
        Some("the console (dist/index.html) is not built")
    } else if let Err(err) = state.db.ping().await {
        tracing::warn!(error = format!("{err:#}"), "database not reachable");
        Some("the database is not reachable")
    } else {
        None
    }
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
