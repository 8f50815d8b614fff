//! The sandbox's listener. A hand-rolled accept loop (instead of
//! `axum::serve`) gives every connection a [`ConnCloser`], so the
//! drop-connection fault can close the socket without any response.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{any, post};
use axum::{Json, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::Shared;
use super::faults::{ConnCloser, FaultRule};

/// The control paths of the sandbox itself; no upstream has them.
pub const RESET_PATH: &str = "/__sandbox/reset";
/// `POST` a [`FaultRule`] as JSON to add it, `DELETE` to clear every fault.
pub const FAULTS_PATH: &str = "/__sandbox/faults";
/// `POST {"enterprise": false}` makes the Security Center edition refuse
/// status changes; a reset restores the Enterprise edition.
pub const SAS_EDITION_PATH: &str = "/__sandbox/sas/edition";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", any(super::acs::handle))
        .route(RESET_PATH, post(reset))
        .route(FAULTS_PATH, post(add_fault).delete(clear_faults))
        .route(SAS_EDITION_PATH, post(set_sas_edition))
        .merge(super::dingtalk::routes())
        .fallback(not_found)
        .with_state(shared)
}

async fn reset(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    shared.reset();
    Json(json!({"reset": true}))
}

async fn add_fault(
    State(shared): State<Arc<Shared>>,
    Json(rule): Json<FaultRule>,
) -> impl IntoResponse {
    shared.faults.add(&rule.operation, rule.fault);
    Json(json!({"added": rule.operation}))
}

#[derive(serde::Deserialize)]
struct SasEdition {
    enterprise: bool,
}

async fn set_sas_edition(
    State(shared): State<Arc<Shared>>,
    Json(edition): Json<SasEdition>,
) -> impl IntoResponse {
    shared.with_world(|w| w.robots.below_enterprise = !edition.enterprise);
    Json(json!({"enterprise": edition.enterprise}))
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    shared.faults.clear();
    Json(json!({"cleared": true}))
}

async fn not_found(uri: Uri) -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Json(json!({
            "code": "InvalidApi.NotFound",
            "message": format!("the sandbox has no API at {}", uri.path()),
            "requestid": super::call::new_request_id(),
        })),
    )
}

/// Accepts until the task is aborted; aborting drops every connection.
pub(crate) async fn serve(listener: TcpListener, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(err) => {
                    tracing::warn!(error = %err, "sandbox accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, router: Router) {
    let closer = ConnCloser::default();
    let for_requests = closer.clone();
    let service = tower::service_fn(
        move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(for_requests.clone());
            router.clone().oneshot(request)
        },
    );
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    tokio::select! {
        result = connection => {
            if let Err(err) = result {
                tracing::debug!(error = %err, "sandbox connection ended with an error");
            }
        }
        // Dropping the connection future closes the socket unanswered.
        () = closer.0.notified() => {}
    }
}
