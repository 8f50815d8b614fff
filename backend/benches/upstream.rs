//! Upstream client costs: `cargo bench -p backend --bench upstream`.
//!
//! 1. Signing cost per request (ACS3 and legacy), in ns.
//! 2. 1,000 concurrent DingTalk calls make exactly one token fetch.
//! 3. Added latency of a DingTalk call through the client against a bare
//!    reqwest call to the same sandbox endpoint, p50 and p99, at 200
//!    concurrent callers.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::sandbox::{
    DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_APP_KEY, DEMO_APP_SECRET, Sandbox,
    SandboxConfig,
};
use backend::upstream::acs::{AcsCredentials, RpcRequest, SignatureKind, sign_acs3, sign_legacy};
use backend::upstream::dingtalk::DingTalkApp;
use backend::upstream::error::Service;
use backend::upstream::http::{self, DingTalkSite, Endpoints, Timeouts};
use backend::upstream::ratelimit::Rate;
use backend::upstream::retry::{Idempotency, RetryPolicy};
use backend::upstream::{Upstream, UpstreamSettings};
use shared::groups::{DirectoryLang, UserId};

const CONCURRENCY: usize = 200;
const CALLS_PER_TASK: usize = 25;

fn signing() {
    let credentials = AcsCredentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
        security_token: None,
        signature: SignatureKind::V3,
    };
    let request = RpcRequest::new(
        Service::Sas,
        "2018-12-03",
        "DescribeDingTalk",
        Idempotency::Read,
    )
    .param("CurrentPage", "2")
    .param("PageSize", "20")
    .param("RuleActionName", "漏洞 通知");
    let (date, nonce) = ("2026-01-15T08:30:00Z", "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    let rounds = 200_000u32;
    for (label, legacy) in [("ACS3-HMAC-SHA256", false), ("legacy HMAC-SHA1", true)] {
        // Warm up, then measure.
        for _ in 0..1_000 {
            black_box(sign_acs3(
                &credentials,
                "tds.cn-shanghai.aliyuncs.com",
                &request,
                date,
                nonce,
            ));
        }
        let start = Instant::now();
        for _ in 0..rounds {
            let signed = if legacy {
                sign_legacy(&credentials, black_box(&request), date, nonce)
            } else {
                sign_acs3(
                    &credentials,
                    "tds.cn-shanghai.aliyuncs.com",
                    black_box(&request),
                    date,
                    nonce,
                )
            };
            black_box(signed);
        }
        let ns = start.elapsed().as_nanos() / u128::from(rounds);
        println!("signing, {label}, 3 parameters: {ns} ns per request");
    }
}

fn app() -> DingTalkApp {
    DingTalkApp {
        app_key: DEMO_APP_KEY.into(),
        app_secret: DEMO_APP_SECRET.into(),
        site: DingTalkSite::Mainland,
    }
}

fn user(n: usize) -> UserId {
    UserId::parse(&format!("user{:04}", n % 3000 + 1)).unwrap()
}

/// The client without the politeness limits, which would otherwise be what
/// is measured (20 QPS per app).
fn unthrottled(sandbox: &Sandbox) -> Arc<Upstream> {
    let mut settings = UpstreamSettings::new(Endpoints::single(&sandbox.base_url()));
    settings.dingtalk_rate = Rate {
        per_second: 1e9,
        burst: u32::MAX,
    };
    settings.retry = RetryPolicy::NONE;
    Arc::new(Upstream::new(settings))
}

async fn one_token_fetch(sandbox: &Sandbox) {
    sandbox.reset();
    let up = unthrottled(sandbox);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..1_000 {
        let up = up.clone();
        tasks.spawn(async move {
            up.dingtalk
                .user(&app(), &user(n), DirectoryLang::ZhCn)
                .await
        });
    }
    let mut ok = 0;
    while let Some(done) = tasks.join_next().await {
        ok += usize::from(done.unwrap().is_ok());
    }
    println!(
        "1,000 concurrent DingTalk calls: {ok} succeeded in {:?}, token fetches: {}",
        start.elapsed(),
        sandbox.token_fetches(DEMO_APP_KEY)
    );
    assert_eq!(sandbox.token_fetches(DEMO_APP_KEY), 1);
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Runs `CONCURRENCY` tasks of `CALLS_PER_TASK` sequential calls; returns
/// every call's latency, sorted.
async fn measure<F, Fut>(call: F) -> Vec<Duration>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..CONCURRENCY {
        let call = call.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(CALLS_PER_TASK);
            for i in 0..CALLS_PER_TASK {
                let start = Instant::now();
                call(t * CALLS_PER_TASK + i).await;
                latencies.push(start.elapsed());
            }
            latencies
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done.unwrap());
    }
    all.sort();
    all
}

async fn added_latency(sandbox: &Sandbox) {
    let up = unthrottled(sandbox);
    // The token the client holds (a valid token is handed out again).
    up.dingtalk
        .user(&app(), &user(0), DirectoryLang::ZhCn)
        .await
        .unwrap();
    let token_url = format!(
        "{}/gettoken?appkey={DEMO_APP_KEY}&appsecret={DEMO_APP_SECRET}",
        sandbox.base_url()
    );
    let bare = http::client(Timeouts::default());
    let answer: serde_json::Value = bare
        .get(&token_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["access_token"].as_str().unwrap().to_owned();
    let url = format!(
        "{}/topapi/v2/user/get?access_token={token}",
        sandbox.base_url()
    );

    let bare_call = {
        let (bare, url) = (bare.clone(), url.clone());
        move |n: usize| {
            let (bare, url) = (bare.clone(), url.clone());
            async move {
                let body = serde_json::json!({"userid": user(n), "language": "zh_CN"});
                let response = bare.post(&url).json(&body).send().await.unwrap();
                let value: serde_json::Value = response.json().await.unwrap();
                assert_eq!(value["errcode"], 0);
            }
        }
    };
    let client_call = {
        let up = up.clone();
        move |n: usize| {
            let up = up.clone();
            async move {
                up.dingtalk
                    .user(&app(), &user(n), DirectoryLang::ZhCn)
                    .await
                    .unwrap();
            }
        }
    };
    // Warm both connection pools, then alternate to share any drift.
    measure(bare_call.clone()).await;
    measure(client_call.clone()).await;
    let (mut bare_all, mut client_all) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        bare_all.extend(measure(bare_call.clone()).await);
        client_all.extend(measure(client_call.clone()).await);
    }
    bare_all.sort();
    client_all.sort();
    for (label, p) in [("p50", 0.5), ("p99", 0.99)] {
        let (b, c) = (percentile(&bare_all, p), percentile(&client_all, p));
        println!(
            "{CONCURRENCY} concurrent, {label}: bare reqwest {b:?}, through the client {c:?}, added {:?}",
            c.saturating_sub(b)
        );
    }
    println!("({} calls each way)", bare_all.len());
}

fn main() {
    signing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = SandboxConfig::demo();
        config.demo_data = false;
        let sandbox = Sandbox::start("127.0.0.1:0".parse().unwrap(), config)
            .await
            .unwrap();
        one_token_fetch(&sandbox).await;
        added_latency(&sandbox).await;
        sandbox.shutdown().await;
    });
}
