//! "Test connection" with stored credentials against the built-in sandbox:
//! right credentials pass, wrong ones fail with the upstream's word and
//! RequestId, and a missing record is a clear not-found.

use backend::audit::Actor;
use backend::config::Config;
use backend::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_APP_KEY, DEMO_APP_SECRET};
use backend::server::Application;
use backend::vault::connection::{check_alibaba, check_dingtalk};
use shared::vault::{AlibabaAccountInput, DingTalkAppInput, SignatureKind};

async fn app() -> (Application, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.path().to_owned(),
        dist_dir: data.path().join("no-dist"),
        ..Config::default()
    };
    (Application::build(config).await.unwrap(), data)
}

fn account(name: &str, secret: &str, signature: SignatureKind) -> AlibabaAccountInput {
    AlibabaAccountInput {
        name: name.into(),
        access_key_id: Some(DEMO_ACCESS_KEY_ID.into()),
        access_key_secret: Some(secret.into()),
        sts_token: None,
        signature,
        regions: vec!["cn-shanghai".into()],
    }
}

#[tokio::test]
async fn alibaba_accounts_are_checked_with_both_signatures() {
    let (app, _data) = app().await;
    let state = app.state();
    for signature in [SignatureKind::V3, SignatureKind::Legacy] {
        let good = state
            .vault
            .create_alibaba(
                &Actor::cli(),
                &account(
                    &format!("ok {signature:?}"),
                    DEMO_ACCESS_KEY_SECRET,
                    signature,
                ),
            )
            .await
            .unwrap();
        let check = check_alibaba(&state.vault, &state.upstream, &good.id)
            .await
            .unwrap();
        assert!(check.ok, "{check:?}");
        assert!(check.message.contains("cn-shanghai"), "{check:?}");
    }

    let bad = state
        .vault
        .create_alibaba(
            &Actor::cli(),
            &account("wrong", "not-the-secret", SignatureKind::V3),
        )
        .await
        .unwrap();
    let check = check_alibaba(&state.vault, &state.upstream, &bad.id)
        .await
        .unwrap();
    assert!(!check.ok);
    assert!(check.message.contains("SignatureDoesNotMatch"), "{check:?}");
    assert!(check.request_id.is_some(), "{check:?}");
    assert!(!check.message.contains("not-the-secret"));

    let missing = check_alibaba(&state.vault, &state.upstream, "no-such-id")
        .await
        .unwrap_err();
    assert_eq!(
        backend::error::ApiError::from(missing).body().code,
        "not_found"
    );
}

#[tokio::test]
async fn dingtalk_apps_are_checked_by_getting_a_token() {
    let (app, _data) = app().await;
    let state = app.state();
    let input = |name: &str, secret: &str| DingTalkAppInput {
        name: name.into(),
        app_key: DEMO_APP_KEY.into(),
        app_secret: Some(secret.into()),
        site: Default::default(),
        api: Default::default(),
    };
    let good = state
        .vault
        .create_dingtalk(&Actor::cli(), &input("demo", DEMO_APP_SECRET))
        .await
        .unwrap();
    let check = check_dingtalk(&state.vault, &state.upstream, &good.id)
        .await
        .unwrap();
    assert!(check.ok, "{check:?}");

    let bad = state
        .vault
        .create_dingtalk(&Actor::cli(), &input("wrong", "nope"))
        .await
        .unwrap();
    let check = check_dingtalk(&state.vault, &state.upstream, &bad.id)
        .await
        .unwrap();
    assert!(!check.ok, "{check:?}");
    assert!(!check.message.contains("nope"));
}
