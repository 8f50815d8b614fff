//! The OOS and Security Center clients against the sandbox: every action,
//! both signatures, STS, and wrong credentials.

use crate::support::*;
use backend::sandbox::{AccessKey, DEMO_ACCESS_KEY_ID, SandboxConfig};
use backend::upstream::acs::SignatureKind;
use backend::upstream::error::ErrorKind;
use backend::upstream::oos::ChatConfigWrite;
use backend::upstream::sas::RobotWrite;
use secrecy::ExposeSecret;
use shared::chat_configs::{
    ChatPlatform, ConfigName, DINGTALK_CLIENT_ID, DINGTALK_CLIENT_SECRET, DINGTALK_TEMPLATE_ID,
    ListFilter, ListQuery, RamRole, SettingValue,
};
use shared::robots::{RobotLang, RobotName, RobotScopes, ScopeItem, ScopeRule};

fn dingtalk_write(name: &str, client_secret: &str) -> ChatConfigWrite {
    let configuration = serde_json::json!({
        DINGTALK_CLIENT_ID: "dingclient",
        DINGTALK_CLIENT_SECRET: client_secret,
        DINGTALK_TEMPLATE_ID: "381c5aee-f8af-48a4-94be-cce587e42ea4.schema",
    });
    ChatConfigWrite {
        region_id: region("cn-hangzhou"),
        name: ConfigName::parse(name).unwrap(),
        platform: Some(ChatPlatform::DingTalk),
        ram_role: Some(RamRole::parse("OOSServiceRole").unwrap()),
        resource_group_id: None,
        configuration: Some(configuration.to_string().into()),
    }
}

fn setting<'a>(config: &'a shared::chat_configs::ChatConfig, key: &str) -> &'a SettingValue {
    &config.settings.iter().find(|s| s.key == key).unwrap().value
}

#[tokio::test]
async fn chat_configurations_round_trip() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let key = demo_key();
    let hz = region("cn-hangzhou");

    let listed = up.oos.list(&key, &hz, &ListQuery::default()).await.unwrap();
    assert!(listed.iter().any(|c| c.name.as_str() == "chatops-dingtalk"));
    let filtered = ListQuery {
        filters: vec![ListFilter {
            name: "Type".into(),
            value: "WeChat".into(),
        }],
        max_results: Some(10),
        next_token: None,
    };
    let wecom = up.oos.list(&key, &hz, &filtered).await.unwrap();
    assert_eq!(wecom.len(), 1);
    assert_eq!(wecom[0].platform, Some(ChatPlatform::WeChat));

    let input = dingtalk_write("new-bot", "s3cret");
    let saved = up.oos.create(&key, &input).await.unwrap();
    assert_eq!(saved.value.name.as_str(), "new-bot");
    assert!(saved.value.created.is_some());
    assert!(saved.request_id.is_some(), "Create's RequestId");
    // Create returns no Outputs: the client reads the URL with a Get.
    let webhook = saved.value.webhook_url.clone().unwrap();
    assert!(
        webhook.ends_with(".appflow.aliyunnest.com/webhook/"),
        "{webhook}"
    );

    let got = up.oos.get(&key, &hz, &input.name).await.unwrap();
    assert_eq!(got.summary.platform, Some(ChatPlatform::DingTalk));
    assert_eq!(got.summary.ram_role.as_deref(), Some("OOSServiceRole"));
    assert_eq!(got.summary.webhook_url.as_deref(), Some(webhook.as_str()));
    assert_eq!(
        setting(&got, DINGTALK_CLIENT_SECRET),
        &SettingValue::Secret { set: true }
    );
    assert_eq!(
        setting(&got, DINGTALK_CLIENT_ID),
        &SettingValue::Plain("dingclient".into())
    );

    // An update of the RAM role alone leaves the Configuration out, so the
    // stored secret stays as it was.
    let role_only = ChatConfigWrite {
        platform: None,
        configuration: None,
        ram_role: Some(RamRole::parse("AliyunOOSDefaultRole").unwrap()),
        ..input.clone()
    };
    let updated = up.oos.update(&key, &role_only).await.unwrap();
    assert!(updated.request_id.is_some());
    let got = up.oos.get(&key, &hz, &input.name).await.unwrap();
    assert_eq!(
        got.summary.ram_role.as_deref(),
        Some("AliyunOOSDefaultRole")
    );
    assert_eq!(
        sb.chat_configuration("cn-hangzhou", "new-bot").unwrap()[DINGTALK_CLIENT_SECRET],
        "s3cret"
    );
    // A Configuration replaces the stored one as sent.
    up.oos
        .update(&key, &dingtalk_write("new-bot", "n3w"))
        .await
        .unwrap();
    assert_eq!(
        sb.chat_configuration("cn-hangzhou", "new-bot").unwrap()[DINGTALK_CLIENT_SECRET],
        "n3w"
    );

    let again = up.oos.create(&key, &input).await.unwrap_err();
    assert_eq!(again.kind, ErrorKind::Conflict);
    assert!(again.request_id.is_some());

    let deleted = up.oos.delete(&key, &hz, &input.name).await.unwrap();
    assert!(deleted.request_id.is_some());
    let gone = up.oos.get(&key, &hz, &input.name).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
    assert_eq!(gone.http_status, Some(404));
    let missing = up.oos.update(&key, &input).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn legacy_signatures_and_sts_tokens_work() {
    let mut config = SandboxConfig::demo();
    let mut sts = AccessKey::new("STS.test", "sts-secret");
    sts.sts_token = Some("sts-token-value".into());
    config.access_keys.push(sts);
    let sb = sandbox(config).await;
    let up = clients(&sb);
    let hz = region("cn-hangzhou");
    let name = ConfigName::parse("chatops-dingtalk").unwrap();

    let mut legacy = demo_key();
    legacy.signature = SignatureKind::Legacy;
    up.oos.get(&legacy, &hz, &name).await.unwrap();
    up.sas.list(&legacy, &hz, 1, 20, None).await.unwrap();

    for signature in [SignatureKind::V3, SignatureKind::Legacy] {
        let mut key = demo_key();
        key.access_key_id = "STS.test".into();
        key.access_key_secret = "sts-secret".into();
        key.signature = signature;
        let missing = up.oos.get(&key, &hz, &name).await.unwrap_err();
        assert_eq!(
            missing.kind,
            ErrorKind::BadParameter {
                field: Some("SecurityToken".into())
            },
            "{missing:?}"
        );
        key.security_token = Some("sts-token-value".into());
        up.oos.get(&key, &hz, &name).await.unwrap();
    }
}

#[tokio::test]
async fn wrong_credentials_are_auth_failures() {
    let mut config = SandboxConfig::demo();
    let mut inactive = AccessKey::new("LTAIinactive", "x");
    inactive.active = false;
    config.access_keys.push(inactive);
    let sb = sandbox(config).await;
    let up = clients(&sb);
    let hz = region("cn-hangzhou");
    let name = ConfigName::parse("chatops-dingtalk").unwrap();

    let mut wrong_secret = demo_key();
    wrong_secret.access_key_secret = "not-the-secret".into();
    let mut unknown = demo_key();
    unknown.access_key_id = "LTAIunknown".into();
    let mut disabled = demo_key();
    disabled.access_key_id = "LTAIinactive".into();
    disabled.access_key_secret = "x".into();
    for (key, code) in [
        (wrong_secret, "SignatureDoesNotMatch"),
        (unknown, "InvalidAccessKeyId.NotFound"),
        (disabled, "InvalidAccessKeyId.Inactive"),
    ] {
        let err = up.oos.get(&key, &hz, &name).await.unwrap_err();
        assert_eq!(
            (err.kind.clone(), err.code.as_str()),
            (ErrorKind::AuthFailed, code)
        );
        assert!(!err.retryable);
        assert!(err.request_id.is_some());
    }
    assert_eq!(DEMO_ACCESS_KEY_ID, demo_key().access_key_id);
}

fn rule() -> ScopeRule {
    ScopeRule {
        source: "sas_analysis_online-sas-operation-log-sas-event-suspicious".into(),
        items: vec![ScopeItem {
            field: "item_level".into(),
            values: vec!["all".into()],
        }],
    }
}

#[tokio::test]
async fn robots_round_trip_with_the_token_masked() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let key = demo_key();
    // Mainland and international regions both reach the (single) host.
    let sh = region("cn-beijing");
    let intl = region("eu-central-1");

    let page = up.sas.list(&key, &sh, 1, 20, None).await.unwrap();
    assert!(page.page.total_count >= 5);
    let shown = page.shown();
    for robot in &shown.robots {
        assert!(
            !robot.webhook.as_str().contains("access_token=")
                || robot.webhook.as_str().ends_with("access_token=***")
        );
    }
    let first = &page.robots[0];
    assert!(first.send_url.expose_secret().contains("access_token="));
    assert!(!format!("{first:?}").contains(first.send_url.expose_secret()));

    let write = RobotWrite {
        id: None,
        name: RobotName::parse("chatdesk robot").unwrap(),
        send_url: "https://oapi.dingtalk.com/robot/send?access_token=robot-token-1".into(),
        interval_time: 30,
        rules: vec![rule()],
        group_ids: vec![123, 456],
        lang: Some(RobotLang::En),
    };
    let receipt = up.sas.save(&key, &intl, &write).await.unwrap();
    assert!(receipt.request_id.is_some());
    let found = up
        .sas
        .list(&key, &intl, 1, 20, Some("chatdesk"))
        .await
        .unwrap();
    assert_eq!(found.robots.len(), 1);
    let robot = found.robots[0].robot.clone();
    assert_eq!(
        robot.scopes,
        RobotScopes::Known {
            rules: vec![rule()],
            group_ids: vec![123, 456]
        }
    );
    assert_eq!(robot.interval, 30);
    assert_eq!(
        robot.webhook.as_str(),
        "https://oapi.dingtalk.com/robot/send?access_token=***"
    );

    // Update keeps the stored URL (read back from the upstream).
    let update = RobotWrite {
        id: Some(robot.id),
        name: RobotName::parse("chatdesk robot 2").unwrap(),
        send_url: found.robots[0].send_url.clone(),
        ..write
    };
    up.sas.save(&key, &sh, &update).await.unwrap();
    up.sas
        .set_enabled(&key, &sh, &[robot.id], false)
        .await
        .unwrap();
    up.sas.test_message(&key, &sh, robot.id).await.unwrap();
    let found = up
        .sas
        .list(&key, &sh, 1, 20, Some("chatdesk robot 2"))
        .await
        .unwrap();
    assert!(!found.robots[0].robot.enabled);

    let choices = up
        .sas
        .scope_choices(&key, &sh, RobotLang::En)
        .await
        .unwrap();
    let alerts = &choices.sources[0];
    assert_eq!(alerts.name, rule().source);
    assert_eq!(alerts.label, "Security alerts");
    assert_eq!(alerts.fields[0].key, "item_level");
    assert_eq!(alerts.fields[0].values[0].label, "All");
    assert_eq!(
        choices.describe(&rule()),
        "Security alerts: Alert level All"
    );
    let groups = up.sas.asset_groups(&key, &sh, RobotLang::Zh).await.unwrap();
    let flat = shared::robots::flatten_groups(&groups);
    assert!(
        flat.iter()
            .any(|g| g.id == 124 && g.path == "生产环境 / 生产-华东")
    );

    up.sas.delete(&key, &sh, &[robot.id]).await.unwrap();
    let err = up.sas.delete(&key, &sh, &[robot.id]).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);

    // Regions outside the documented prefixes are refused before any call.
    let err = up
        .sas
        .list(&key, &region("xx-north-1"), 1, 20, None)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::BadParameter {
            field: Some("region_id".into())
        }
    );
}
