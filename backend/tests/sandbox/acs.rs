//! Alibaba Cloud authentication of the sandbox: the official vectors, V3 and
//! legacy signatures, STS tokens, the date window, nonces and the error body.

use crate::support::*;
use backend::sandbox::acs::{AcsVerifier, RequestParts, parse_acs_date};
use backend::sandbox::{AccessKey, Clock, SandboxConfig};
use backend::upstream::signing;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let doc: Value =
        serde_json::from_str(include_str!("../fixtures/acs-signature-vectors.json")).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect()
}

/// Each vector, rebuilt as the HTTP request its signer sent, passes the
/// sandbox's verifier at the vector's date; changing one byte fails it.
#[test]
fn every_signature_vector_passes_the_verifier() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 4);
    for v in &vectors {
        let name = v["name"].as_str().unwrap();
        let inputs = &v["inputs"];
        let date = inputs
            .get("x-acs-date / Timestamp")
            .or_else(|| inputs["headers"].get("x-acs-date"))
            .and_then(Value::as_str)
            .unwrap();
        let key = AccessKey::new(
            inputs["access_key_id"].as_str().unwrap(),
            inputs["access_key_secret"].as_str().unwrap(),
        );
        let verify = |query: &str, headers: &HeaderMap| {
            let clock = Clock::fixed(parse_acs_date(date).unwrap());
            AcsVerifier::new(vec![key.clone()], clock).verify(&RequestParts {
                method: "POST",
                raw_query: query,
                headers,
                body: b"",
            })
        };
        if v["signature_kind"] == "ACS3-HMAC-SHA256" {
            let seen = v.get("signed_request_as_seen_by_signer").unwrap_or(inputs);
            let query = signing::canonical_query(&pairs(&seen["query"]));
            let mut headers = HeaderMap::new();
            for (k, val) in pairs(&seen["headers"]) {
                headers.insert(
                    HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(&val).unwrap(),
                );
            }
            headers.insert(
                "authorization",
                HeaderValue::from_str(v["authorization"].as_str().unwrap()).unwrap(),
            );
            let caller = verify(&query, &headers).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(
                caller.action,
                inputs["action"].as_str().unwrap_or(
                    inputs["headers"]["x-acs-action"]
                        .as_str()
                        .unwrap_or_default()
                ),
                "{name}"
            );
            let tampered = query.replacen('=', "=x", 1);
            assert_eq!(
                verify(&tampered, &headers).unwrap_err().code,
                "SignatureDoesNotMatch",
                "{name}"
            );
        } else {
            let mut params = pairs(&v["signed_params"]);
            params.push(("Signature".into(), v["signature"].as_str().unwrap().into()));
            let query = signing::canonical_query(&params);
            let caller =
                verify(&query, &HeaderMap::new()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(caller.action, "GetChatConfiguration");
            assert!(
                caller
                    .params
                    .iter()
                    .any(|(k, v)| k == "Name" && v == "chatops-dingtalk")
            );
            assert!(!caller.params.iter().any(|(k, _)| k == "Signature"));
            let tampered = query.replace("chatops-dingtalk", "chatops-dingtalj");
            assert_eq!(
                verify(&tampered, &HeaderMap::new()).unwrap_err().code,
                "SignatureDoesNotMatch"
            );
        }
    }
}

#[tokio::test]
async fn v3_and_legacy_calls_with_the_demo_key_are_served() {
    let sandbox = start().await;
    let get =
        AcsRequest::oos("GetChatConfiguration", "cn-hangzhou").param("Name", "chatops-dingtalk");
    let reply = get.send(&sandbox, &Signer::demo()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["ChatConfiguration"]["Name"], "chatops-dingtalk");
    assert!(reply.body["RequestId"].is_string());
    let legacy =
        AcsRequest::oos("GetChatConfiguration", "cn-hangzhou").param("Name", "chatops-dingtalk");
    let reply = legacy.send_legacy(&sandbox, &Signer::demo()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["ChatConfiguration"]["Type"], "DingTalk");
    // Unicode and reserved characters survive both encodings.
    for send_legacy in [false, true] {
        let req = AcsRequest::sas("DescribeDingTalk").param("RuleActionName", "漏洞 通知*+~");
        let reply = if send_legacy {
            req.send_legacy(&sandbox, &Signer::demo()).await
        } else {
            req.send(&sandbox, &Signer::demo()).await
        };
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
}

#[tokio::test]
async fn the_python_sdk_wire_query_is_accepted() {
    let sandbox = start().await;
    let mut req = AcsRequest::sas("DescribeDingTalk")
        .param("RuleActionName", "AK 泄露")
        .param("CurrentPage", "1");
    req.sdk_wire_query = true;
    let reply = req.send(&sandbox, &Signer::demo()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["PageInfo"]["TotalCount"], 1, "{}", reply.body);
}

#[tokio::test]
async fn wrong_credentials_are_refused_with_the_documented_codes() {
    let mut config = SandboxConfig::demo();
    config.access_keys.push(AccessKey {
        active: false,
        ..AccessKey::new("LTAIdisabled", "secret")
    });
    let sandbox = start_with(config).await;
    let req = || AcsRequest::sas("DescribeDingTalk");
    let cases = [
        (
            Signer::new("LTAInobody", "x"),
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
        ),
        (
            Signer::new("LTAIdisabled", "secret"),
            StatusCode::BAD_REQUEST,
            "InvalidAccessKeyId.Inactive",
        ),
        (
            Signer::new(backend::sandbox::DEMO_ACCESS_KEY_ID, "wrong"),
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
        ),
    ];
    for (signer, status, code) in cases {
        for legacy in [false, true] {
            let reply = if legacy {
                req().send_legacy(&sandbox, &signer).await
            } else {
                req().send(&sandbox, &signer).await
            };
            assert_eq!(
                (reply.status, reply.acs_code()),
                (status, code),
                "legacy={legacy}"
            );
        }
    }
    // A parameter added after signing.
    let mut tampered = req();
    tampered.tamper = Some(("PageSize".into(), "5".into()));
    let reply = tampered.send(&sandbox, &Signer::demo()).await;
    assert_eq!(reply.acs_code(), "SignatureDoesNotMatch");
    let reply = tampered.send_legacy(&sandbox, &Signer::demo()).await;
    assert_eq!(reply.acs_code(), "SignatureDoesNotMatch");
}

#[tokio::test]
async fn dates_outside_the_window_and_reused_nonces_are_refused() {
    let sandbox = start().await;
    let old = backend::sandbox::acs::format_acs_date(
        time::OffsetDateTime::now_utc() - time::Duration::minutes(16),
    );
    let soon = backend::sandbox::acs::format_acs_date(
        time::OffsetDateTime::now_utc() + time::Duration::minutes(14),
    );
    for legacy in [false, true] {
        let send = |r: AcsRequest| {
            let sandbox = &sandbox;
            async move {
                if legacy {
                    r.send_legacy(sandbox, &Signer::demo()).await
                } else {
                    r.send(sandbox, &Signer::demo()).await
                }
            }
        };
        let reply = send(AcsRequest::sas("DescribeDingTalk").date(&old)).await;
        assert_eq!(
            (reply.status, reply.acs_code()),
            (StatusCode::BAD_REQUEST, "InvalidTimeStamp.Expired")
        );
        let reply = send(AcsRequest::sas("DescribeDingTalk").date("2026-01-15 08:30:00")).await;
        assert_eq!(reply.acs_code(), "InvalidTimeStamp.Format");
        let reply = send(AcsRequest::sas("DescribeDingTalk").date(&soon)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

        let nonce = fresh_nonce();
        let once = AcsRequest::sas("DescribeDingTalk").nonce(&nonce);
        assert_eq!(send(once.clone()).await.status, StatusCode::OK);
        let again = send(once.clone()).await;
        assert_eq!(
            (again.status, again.acs_code()),
            (StatusCode::BAD_REQUEST, "SignatureNonceUsed")
        );
        // A failed signature does not burn the nonce.
        let fresh = AcsRequest::sas("DescribeDingTalk").nonce(&fresh_nonce());
        let bad = if legacy {
            fresh
                .send_legacy(
                    &sandbox,
                    &Signer::new(backend::sandbox::DEMO_ACCESS_KEY_ID, "no"),
                )
                .await
        } else {
            fresh
                .send(
                    &sandbox,
                    &Signer::new(backend::sandbox::DEMO_ACCESS_KEY_ID, "no"),
                )
                .await
        };
        assert_eq!(bad.acs_code(), "SignatureDoesNotMatch");
        assert_eq!(send(fresh).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn sts_credentials_need_their_signed_token() {
    let mut config = SandboxConfig::demo();
    config.access_keys.push(AccessKey {
        sts_token: Some("CAIS-sts-token==".into()),
        ..AccessKey::new("STS.NUx", "sts-secret")
    });
    let sandbox = start_with(config).await;
    let mut signer = Signer::new("STS.NUx", "sts-secret");
    let req = || AcsRequest::sas("DescribeDingTalk");
    assert_eq!(
        req().send(&sandbox, &signer).await.acs_code(),
        "MissingSecurityToken"
    );
    assert_eq!(
        req().send_legacy(&sandbox, &signer).await.acs_code(),
        "MissingSecurityToken"
    );
    signer.sts_token = Some("CAIS-other".into());
    assert_eq!(
        req().send(&sandbox, &signer).await.acs_code(),
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    signer.sts_token = Some("CAIS-sts-token==".into());
    assert_eq!(req().send(&sandbox, &signer).await.status, StatusCode::OK);
    assert_eq!(
        req().send_legacy(&sandbox, &signer).await.status,
        StatusCode::OK
    );
    // The token must be signed.
    let mut unsigned = req();
    unsigned.unsigned = vec!["x-acs-security-token".into()];
    assert_eq!(
        unsigned.send(&sandbox, &signer).await.acs_code(),
        "IncompleteSignature"
    );
    // A plain key must not carry a token.
    let mut plain = Signer::demo();
    plain.sts_token = Some("CAIS-sts-token==".into());
    assert_eq!(
        req().send(&sandbox, &plain).await.acs_code(),
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
}

#[tokio::test]
async fn malformed_signatures_and_unknown_actions() {
    let sandbox = start().await;
    let http = reqwest::Client::new();
    // No Authorization and no Signature.
    let reply = http
        .post(format!("{}/?RegionId=cn-hangzhou", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["Code"], "IncompleteSignature");
    // Garbage Authorization.
    let reply = http
        .post(format!("{}/", sandbox.base_url()))
        .header("authorization", "ACS3-HMAC-SHA256 Credential=x")
        .send()
        .await
        .unwrap();
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["Code"], "IncompleteSignature");
    // A required header left out of SignedHeaders.
    for header in [
        "x-acs-signature-nonce",
        "x-acs-date",
        "host",
        "x-acs-content-sha256",
    ] {
        let mut req = AcsRequest::sas("DescribeDingTalk");
        req.unsigned = vec![header.into()];
        assert_eq!(
            req.send(&sandbox, &Signer::demo()).await.acs_code(),
            "IncompleteSignature",
            "{header}"
        );
    }
    // A body that does not match x-acs-content-sha256.
    let mut req = AcsRequest::sas("DescribeDingTalk");
    req.body = b"{}".to_vec();
    assert_eq!(
        req.send(&sandbox, &Signer::demo()).await.acs_code(),
        "SignatureDoesNotMatch"
    );
    // Unknown action, and a known action under the wrong product version.
    for (action, version) in [
        ("RunInstances", "2014-05-26"),
        ("DescribeDingTalk", OOS),
        ("NoSuchAction", SAS),
    ] {
        let reply = AcsRequest::new(action, version)
            .send(&sandbox, &Signer::demo())
            .await;
        assert_eq!(
            (reply.status, reply.acs_code()),
            (StatusCode::NOT_FOUND, "InvalidApi.NotFound")
        );
    }
}

#[tokio::test]
async fn serve_starts_the_sandbox_when_no_upstream_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let config = backend::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().into(),
        dist_dir: dir.path().join("dist"),
        ..backend::config::Config::default()
    };
    let app = backend::server::Application::build(config.clone())
        .await
        .unwrap();
    let sandbox = app.sandbox().expect("sandbox runs when no upstream is set");
    let reply = AcsRequest::sas("DescribeDingTalk")
        .send(sandbox, &Signer::demo())
        .await;
    assert_eq!(reply.status, StatusCode::OK);

    let mut real = config;
    real.upstream.oos = Some("https://oos.{region}.aliyuncs.com".into());
    let app = backend::server::Application::build(real).await.unwrap();
    assert!(app.sandbox().is_none());
}
