//! Every fault kind, in each upstream's dialect, limited and cleared.

use std::time::{Duration, Instant};

use crate::support::*;
use backend::sandbox::{DEMO_APP_KEY, DEMO_APP_SECRET, Fault, FaultRule, Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn describe() -> AcsRequest {
    AcsRequest::sas("DescribeDingTalk")
}

async fn raw(response: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn gettoken(sandbox: &Sandbox) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = reqwest::Client::new()
        .get(format!("{}/gettoken", sandbox.base_url()))
        .query(&[("appkey", DEMO_APP_KEY), ("appsecret", DEMO_APP_SECRET)])
        .send()
        .await
        .unwrap();
    raw(response).await
}

async fn new_token(sandbox: &Sandbox) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1.0/oauth2/accessToken", sandbox.base_url()))
        .json(&json!({"appKey": DEMO_APP_KEY, "appSecret": DEMO_APP_SECRET}))
        .send()
        .await
        .unwrap();
    raw(response).await
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn throttling_in_each_dialect_limited_to_n_times() {
    let sandbox = start().await;
    sandbox
        .faults()
        .set("DescribeDingTalk", Fault::throttle(3).times(2));
    for _ in 0..2 {
        let reply = describe().send(&sandbox, &Signer::demo()).await;
        assert_eq!(
            (reply.status, reply.acs_code()),
            (StatusCode::BAD_REQUEST, "Throttling.User")
        );
        assert_eq!(reply.headers["x-acs-retry-after"], "3");
    }
    assert_eq!(
        describe().send(&sandbox, &Signer::demo()).await.status,
        StatusCode::OK
    );

    sandbox
        .faults()
        .set("gettoken", Fault::throttle(1).times(1));
    let (status, _, body) = gettoken(&sandbox).await;
    assert_eq!(
        (status, json_of(&body)["errcode"].clone()),
        (StatusCode::OK, json!(90002))
    );
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 0);

    sandbox
        .faults()
        .set("GetAccessToken", Fault::throttle(2).times(1));
    let (status, headers, body) = new_token(&sandbox).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(
        json_of(&body)["code"],
        "Forbidden.AccessDenied.QpsLimitForApi"
    );
    assert!(json_of(&body)["requestid"].is_string());
    assert_eq!(new_token(&sandbox).await.0, StatusCode::OK);
    // Refused fetches are not counted.
    assert_eq!(sandbox.token_fetches(DEMO_APP_KEY), 2);
}

#[tokio::test]
async fn service_unavailable_and_error_rate() {
    let sandbox = start().await;
    sandbox.faults().set("*", Fault::service_unavailable());
    let reply = describe().send(&sandbox, &Signer::demo()).await;
    assert_eq!(
        (reply.status, reply.acs_code()),
        (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
    );
    let (status, _, body) = gettoken(&sandbox).await;
    assert_eq!(
        (status, json_of(&body)["errcode"].clone()),
        (StatusCode::SERVICE_UNAVAILABLE, json!(-1))
    );
    let (status, _, body) = new_token(&sandbox).await;
    assert_eq!(
        (status, json_of(&body)["code"].clone()),
        (StatusCode::SERVICE_UNAVAILABLE, json!("ServiceUnavailable"))
    );
    sandbox.faults().clear();

    sandbox
        .faults()
        .set("DescribeDingTalk", Fault::error_rate(1.0));
    let reply = describe().send(&sandbox, &Signer::demo()).await;
    assert_eq!(
        (reply.status, reply.acs_code()),
        (StatusCode::INTERNAL_SERVER_ERROR, "ServerError"),
        "Security Center's documented code"
    );
    sandbox.faults().set("gettoken", Fault::error_rate(1.0));
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], -1);
    sandbox
        .faults()
        .set("GetAccessToken", Fault::error_rate(1.0));
    assert_eq!(
        new_token(&sandbox).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    // A partial rate fails some calls, not all.
    sandbox.faults().set("gettoken", Fault::error_rate(0.5));
    let mut failed = 0;
    for _ in 0..40 {
        if json_of(&gettoken(&sandbox).await.2)["errcode"] == -1 {
            failed += 1;
        }
    }
    assert!((5..35).contains(&failed), "{failed}");
}

#[tokio::test]
async fn ip_ban_and_malformed_json() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let token = ding.token().await;
    let chat = sandbox.groups()[0].chatid.clone();
    sandbox.faults().set("chat/get", Fault::ip_ban().times(1));
    let reply = ding
        .oapi_get("/chat/get", &token, &[("chatid", &chat)])
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.get("errcode").is_none(), "{}", reply.body);
    assert_eq!(
        (reply.body["status"].clone(), reply.body["wait"].clone()),
        (json!(1111), json!(5))
    );
    assert_eq!(
        ding.oapi_get("/chat/get", &token, &[("chatid", &chat)])
            .await
            .errcode(),
        0
    );

    sandbox
        .faults()
        .set("QueryOpenGroupBaseInfo", Fault::malformed_json().times(1));
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1.0/im/groups/baseInfos/query",
            sandbox.base_url()
        ))
        .header("x-acs-dingtalk-access-token", &token)
        .json(&json!({"openConversationId": sandbox.groups()[0].open_conversation_id}))
        .send()
        .await
        .unwrap();
    let (status, headers, body) = raw(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");

    sandbox
        .faults()
        .set("GetChatConfiguration", Fault::malformed_json());
    let response = reqwest::Client::new()
        .post(format!("{}/", sandbox.base_url()))
        .header("x-acs-action", "GetChatConfiguration")
        .send()
        .await
        .unwrap();
    assert!(serde_json::from_str::<Value>(&raw(response).await.2).is_err());
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let sandbox = start().await;
    sandbox
        .faults()
        .set("gettoken", Fault::drop_connection().times(1));
    let err = reqwest::Client::new()
        .get(format!("{}/gettoken", sandbox.base_url()))
        .query(&[("appkey", DEMO_APP_KEY), ("appsecret", DEMO_APP_SECRET)])
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "{err}");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 0);

    sandbox
        .faults()
        .set("DescribeDingTalk", Fault::drop_connection().times(1));
    let client = reqwest::Client::new();
    let request = client
        .post(format!("{}/", sandbox.base_url()))
        .header("x-acs-action", "DescribeDingTalk");
    assert!(request.send().await.is_err());
    assert_eq!(
        describe().send(&sandbox, &Signer::demo()).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn latency_delays_then_serves() {
    let sandbox = start().await;
    sandbox.faults().set(
        "DescribeDingTalk",
        Fault::latency(Duration::from_millis(300)),
    );
    let started = Instant::now();
    let reply = describe().send(&sandbox, &Signer::demo()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Latency combines with another fault on the same operation.
    sandbox
        .faults()
        .add("DescribeDingTalk", Fault::service_unavailable().times(1));
    let started = Instant::now();
    assert_eq!(
        describe().send(&sandbox, &Signer::demo()).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    sandbox.faults().remove("DescribeDingTalk");
    let started = Instant::now();
    describe().send(&sandbox, &Signer::demo()).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn configured_faults_apply_from_start_and_after_reset() {
    let mut config = SandboxConfig::demo();
    config.faults = vec![FaultRule {
        operation: "gettoken".into(),
        fault: Fault::ip_ban().times(1),
    }];
    let sandbox = start_with(config).await;
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["status"], 1111);
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 0);
    sandbox.faults().set("*", Fault::service_unavailable());
    sandbox.reset();
    // The in-process fault is gone, the configured one is back.
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["status"], 1111);
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 0);
    assert_eq!(
        sandbox.token_fetches(DEMO_APP_KEY),
        1,
        "reset clears the counters"
    );
}

/// The upstream clients' benchmark relies on this counter: concurrent
/// fetches are each counted, and all get the same token.
#[tokio::test]
async fn concurrent_token_fetches_are_counted_and_share_one_token() {
    let sandbox = start().await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let url = format!("{}/gettoken", sandbox.base_url());
        tasks.push(tokio::spawn(async move {
            let response = reqwest::Client::new()
                .get(url)
                .query(&[("appkey", DEMO_APP_KEY), ("appsecret", DEMO_APP_SECRET)])
                .send()
                .await
                .unwrap();
            response.json::<Value>().await.unwrap()["access_token"].clone()
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1);
    assert_eq!(sandbox.token_fetches(DEMO_APP_KEY), 50);
}

#[tokio::test]
async fn faults_can_be_set_over_http() {
    let sandbox = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/__sandbox/faults", sandbox.base_url());
    let rule =
        json!({"operation": "gettoken", "kind": "throttle", "retry_after_secs": 1, "times": 1});
    assert_eq!(
        http.post(&url).json(&rule).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 90002);
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 0);
    let rule = json!({"operation": "*", "kind": "ip_ban"});
    http.post(&url).json(&rule).send().await.unwrap();
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["status"], 1111);
    assert_eq!(
        http.delete(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 0);
    let bad = json!({"operation": "*", "kind": "meteor"});
    assert!(
        http.post(&url)
            .json(&bad)
            .send()
            .await
            .unwrap()
            .status()
            .is_client_error()
    );
}

#[tokio::test]
async fn no_permission_in_each_dialect() {
    let sandbox = start().await;
    sandbox
        .faults()
        .set("DeleteDingTalk", Fault::no_permission());
    let reply = AcsRequest::sas("DeleteDingTalk")
        .param("Ids", "1")
        .send(&sandbox, &Signer::demo())
        .await;
    assert_eq!(
        (reply.status, reply.acs_code()),
        (StatusCode::FORBIDDEN, "NoPermission")
    );
    sandbox.faults().set("gettoken", Fault::no_permission());
    assert_eq!(json_of(&gettoken(&sandbox).await.2)["errcode"], 43007);
    sandbox
        .faults()
        .set("GetAccessToken", Fault::no_permission());
    assert_eq!(new_token(&sandbox).await.0, StatusCode::FORBIDDEN);
}
