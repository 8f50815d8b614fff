//! HTTP behaviour of the upstream clients against small local servers:
//! signatures as received, redirects, timeouts, malformed bodies, retries,
//! and the DingTalk token cache.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use backend::upstream::acs::{AcsCredentials, SignatureKind};
use backend::upstream::dingtalk::DingTalkApp;
use backend::upstream::error::ErrorKind;
use backend::upstream::http::{DingTalkSite, Endpoints, Timeouts};
use backend::upstream::retry::RetryPolicy;
use backend::upstream::signing::{
    Authorization, EMPTY_SHA256, acs3_signature, canonical_request, legacy_signature,
    legacy_string_to_sign, percent_encode, signatures_match, string_to_sign,
};
use backend::upstream::{Upstream, UpstreamSettings};
use serde_json::{Value, json};
use shared::chat_configs::{ConfigName, ListFilter, ListQuery, RegionId};
use shared::groups::ChatId;

const SECRET: &str = "test-secret";

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

fn upstream(addr: SocketAddr, retry: RetryPolicy, timeouts: Timeouts) -> Upstream {
    let mut settings = UpstreamSettings::new(Endpoints::single(&format!("http://{addr}")));
    settings.retry = retry;
    settings.timeouts = timeouts;
    Upstream::new(settings)
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        budget: Duration::from_secs(5),
    }
}

fn credentials(signature: SignatureKind) -> AcsCredentials {
    AcsCredentials {
        access_key_id: "AKID".into(),
        access_key_secret: SECRET.into(),
        security_token: None,
        signature,
    }
}

fn region() -> RegionId {
    RegionId::parse("cn-hangzhou").unwrap()
}

fn name() -> ConfigName {
    ConfigName::parse("bot").unwrap()
}

fn get_config_body() -> Value {
    json!({"RequestId": "R1", "ChatConfiguration": {"Name": "bot", "Type": "DingTalk",
        "Configuration": "{\"DingTalkClientId\":\"id\",\"DingTalkClientSecret\":\"******\"}",
        "CreatedDate": "2025-12-26T09:53:02+00:00"}})
}

/// Checks the signature the way Alibaba Cloud does, over the raw query.
fn verify(uri: &Uri, headers: &HeaderMap) -> Result<(), String> {
    let raw_query = uri.query().unwrap_or("");
    if let Some(auth) = headers.get("authorization") {
        let auth = Authorization::parse(auth.to_str().unwrap()).ok_or("IncompleteSignature")?;
        let signed: Vec<(String, String)> = auth
            .signed_headers
            .iter()
            .map(|n| {
                let v = headers
                    .get(n.as_str())
                    .map(|v| v.to_str().unwrap().to_owned());
                (n.clone(), v.unwrap_or_default())
            })
            .collect();
        for required in [
            "host",
            "x-acs-action",
            "x-acs-date",
            "x-acs-signature-nonce",
        ] {
            if !auth.signed_headers.iter().any(|h| h == required) {
                return Err(format!("{required} not signed"));
            }
        }
        let pairs: Vec<(&str, &str)> = signed
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        // The raw query must already be canonical: it is what was signed.
        let (canonical, _) = canonical_request("POST", "/", raw_query, &pairs, EMPTY_SHA256);
        let expected = acs3_signature(SECRET, &string_to_sign(&canonical));
        return signatures_match(&expected, &auth.signature)
            .then_some(())
            .ok_or_else(|| "SignatureDoesNotMatch".to_owned());
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    let given = params
        .iter()
        .find(|(k, _)| k == "Signature")
        .ok_or("no signature")?
        .1
        .clone();
    let rest: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| k != "Signature")
        .collect();
    let expected = legacy_signature(SECRET, &legacy_string_to_sign("POST", &rest));
    (expected == given)
        .then_some(())
        .ok_or_else(|| "SignatureDoesNotMatch".into())
}

#[tokio::test]
async fn the_signed_query_reaches_the_server_verbatim() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let router = Router::new()
        .route(
            "/",
            post(
                |State(seen): State<Arc<std::sync::Mutex<Vec<String>>>>,
                 uri: Uri,
                 headers: HeaderMap| async move {
                    seen.lock()
                        .unwrap()
                        .push(uri.query().unwrap_or("").to_owned());
                    match verify(&uri, &headers) {
                        Ok(()) => (StatusCode::OK, axum::Json(get_config_body())).into_response(),
                        Err(code) => (
                            StatusCode::BAD_REQUEST,
                            axum::Json(json!({"Code": code, "RequestId": "R"})),
                        )
                            .into_response(),
                    }
                },
            ),
        )
        .with_state(seen.clone());
    let addr = serve(router).await;
    let up = upstream(addr, RetryPolicy::NONE, Timeouts::default());
    for signature in [SignatureKind::V3, SignatureKind::Legacy] {
        let mut creds = credentials(signature);
        let config = up.oos.get(&creds, &region(), &name()).await.unwrap();
        assert_eq!(config.summary.name, name());
        // STS tokens are signed too.
        creds.security_token = Some("sts-token".into());
        up.oos.get(&creds, &region(), &name()).await.unwrap();
        // Flattened filters with characters that need encoding.
        let query = ListQuery {
            filters: vec![ListFilter {
                name: "Name".into(),
                value: "漏洞 *+~".into(),
            }],
            max_results: Some(5),
            next_token: None,
        };
        // The stub answers every action with Get's body; only the request matters here.
        up.oos.list(&creds, &region(), &query).await.unwrap();
    }
    let list_query = seen.lock().unwrap()[2].clone();
    assert!(
        list_query.contains(&format!("Filters.1.Value={}", percent_encode("漏洞 *+~"))),
        "{list_query}"
    );
    assert!(list_query.contains("Filters.1.Name=Name&"), "{list_query}");
    assert!(list_query.contains("%20%2A%2B~"), "{list_query}");

    // A wrong secret is refused by the same verifier.
    let mut wrong = credentials(SignatureKind::V3);
    wrong.access_key_secret = "nope".into();
    let err = up.oos.get(&wrong, &region(), &name()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthFailed);
    assert_eq!(err.code, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn redirects_are_refused_and_the_other_host_never_called() {
    let other_hits = Arc::new(AtomicU32::new(0));
    let hits = other_hits.clone();
    let other = serve(Router::new().fallback(any(move || {
        hits.fetch_add(1, Ordering::SeqCst);
        async { axum::Json(get_config_body()) }
    })))
    .await;
    let location = format!("http://{other}/");
    let addr = serve(Router::new().fallback(any(move || {
        let location = location.clone();
        async move { (StatusCode::FOUND, [("location", location)]).into_response() }
    })))
    .await;
    let up = upstream(addr, fast_retries(), Timeouts::default());
    let err = up
        .oos
        .get(&credentials(SignatureKind::V3), &region(), &name())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol);
    assert!(
        err.message.contains("redirect to http://127.0.0.1"),
        "{}",
        err.message
    );
    assert_eq!(other_hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn slow_answers_time_out() {
    let addr = serve(Router::new().fallback(any(|| async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        axum::Json(get_config_body())
    })))
    .await;
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        call: Duration::from_millis(200),
    };
    let up = upstream(addr, RetryPolicy::NONE, timeouts);
    let start = Instant::now();
    let err = up
        .oos
        .get(&credentials(SignatureKind::V3), &region(), &name())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(err.retryable);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn malformed_bodies_are_protocol_errors() {
    let addr = serve(Router::new().fallback(any(|| async { "{\"RequestId\": " }))).await;
    let up = upstream(addr, fast_retries(), Timeouts::default());
    let err = up
        .oos
        .get(&credentials(SignatureKind::V3), &region(), &name())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol);
    assert!(!err.retryable);
}

fn counting_server(calls: Arc<AtomicU32>, answer: fn(u32) -> Response) -> Router {
    Router::new().fallback(any(move || {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        async move { answer(n) }
    }))
}

#[tokio::test]
async fn server_errors_retry_reads_but_not_writes() {
    let calls = Arc::new(AtomicU32::new(0));
    let addr = serve(counting_server(calls.clone(), |_| {
        let body = json!({"Code": "InternalError", "Message": "boom", "RequestId": "R5"});
        (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
    }))
    .await;
    let up = upstream(addr, fast_retries(), Timeouts::default());
    let creds = credentials(SignatureKind::V3);
    let err = up.oos.get(&creds, &region(), &name()).await.unwrap_err();
    assert_eq!(
        (err.kind, err.request_id.as_deref()),
        (ErrorKind::Unavailable, Some("R5"))
    );
    assert_eq!(calls.swap(0, Ordering::SeqCst), 4, "1 try + 3 retries");
    up.oos.delete(&creds, &region(), &name()).await.unwrap_err();
    assert_eq!(calls.load(Ordering::SeqCst), 1, "a write is not resent");
}

#[tokio::test]
async fn throttling_waits_for_retry_after() {
    let calls = Arc::new(AtomicU32::new(0));
    let addr = serve(counting_server(calls.clone(), |n| {
        if n == 0 {
            let body = json!({"Code": "Throttling.User", "Message": "slow down", "RequestId": "R"});
            (
                StatusCode::BAD_REQUEST,
                [("x-acs-retry-after", "1")],
                axum::Json(body),
            )
                .into_response()
        } else {
            axum::Json(json!({"RequestId": "R2"})).into_response()
        }
    }))
    .await;
    let up = upstream(addr, fast_retries(), Timeouts::default());
    let start = Instant::now();
    // A write: flow control refused it before doing anything, so it is resent.
    up.oos
        .delete(&credentials(SignatureKind::V3), &region(), &name())
        .await
        .unwrap();
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_write_is_resent_only_when_the_connection_was_refused() {
    // Nothing listens on the port until 150 ms in.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let calls = Arc::new(AtomicU32::new(0));
    let router = counting_server(calls.clone(), |_| {
        axum::Json(json!({"RequestId": "R"})).into_response()
    });
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = tokio::net::TcpListener::bind(port).await.unwrap();
        axum::serve(listener, router).await.unwrap();
    });
    let retry = RetryPolicy {
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        ..fast_retries()
    };
    let up = upstream(port, retry, Timeouts::default());
    up.oos
        .delete(&credentials(SignatureKind::V3), &region(), &name())
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// A DingTalk stand-in: one valid token at a time, counted fetches.
#[derive(Clone, Default)]
struct FakeDingTalk {
    fetches: Arc<AtomicU32>,
    current: Arc<std::sync::Mutex<String>>,
}

impl FakeDingTalk {
    fn router(&self) -> Router {
        Router::new()
            .route(
                "/v1.0/oauth2/accessToken",
                post(|State(s): State<FakeDingTalk>, body: axum::Json<Value>| async move {
                    if body["appSecret"] != "app-secret" {
                        let e = json!({"code": "invalidClientSecret", "message": "bad", "requestid": "T"});
                        return (StatusCode::BAD_REQUEST, axum::Json(e)).into_response();
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let n = s.fetches.fetch_add(1, Ordering::SeqCst) + 1;
                    let token = format!("tok-{n}");
                    *s.current.lock().unwrap() = token.clone();
                    axum::Json(json!({"accessToken": token, "expireIn": 7200})).into_response()
                }),
            )
            .route(
                "/chat/get",
                get(|State(s): State<FakeDingTalk>, Query(q): Query<Vec<(String, String)>>| async move {
                    let token = q.iter().find(|(k, _)| k == "access_token").map(|(_, v)| v.clone());
                    if token.as_deref() != Some(s.current.lock().unwrap().as_str()) {
                        return axum::Json(json!({"errcode": 40001, "errmsg": "invalid token"}));
                    }
                    axum::Json(json!({"errcode": 0, "errmsg": "ok", "chat_info": {
                        "name": "ops", "owner": "u1", "useridlist": ["u1", "u2"],
                        "conversationTag": 2, "chatBannedType": 1, "status": 1}}))
                }),
            )
            .with_state(self.clone())
    }
}

fn app(secret: &str) -> DingTalkApp {
    DingTalkApp {
        app_key: "app".into(),
        app_secret: secret.into(),
        site: DingTalkSite::Mainland,
    }
}

#[tokio::test]
async fn dingtalk_tokens_are_fetched_once_and_refreshed_when_rejected() {
    let fake = FakeDingTalk::default();
    let addr = serve(fake.router()).await;
    let up = Arc::new(upstream(addr, fast_retries(), Timeouts::default()));
    let chat = ChatId::parse("chat1").unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    // 40 callers at 20 QPS: the second half also waits for the rate limit.
    for _ in 0..40 {
        let (up, chat) = (up.clone(), chat.clone());
        tasks.spawn(async move {
            up.dingtalk
                .legacy_get_group(&app("app-secret"), &chat)
                .await
        });
    }
    while let Some(result) = tasks.join_next().await {
        let info = result.unwrap().unwrap();
        assert!(info.organization_group && info.settings.muted);
        assert_eq!(info.members.len(), 2);
    }
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 1);

    // The upstream forgets the token: one refetch, then the call succeeds.
    *fake.current.lock().unwrap() = "rotated".into();
    up.dingtalk
        .legacy_get_group(&app("app-secret"), &chat)
        .await
        .unwrap();
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 2);

    // A wrong app secret is an auth failure naming nothing secret.
    let other = DingTalkApp {
        app_key: "other".into(),
        ..app("wrong-secret")
    };
    let err = up
        .dingtalk
        .legacy_get_group(&other, &chat)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthFailed);
    assert!(!format!("{err:?}").contains("wrong-secret"));
}
