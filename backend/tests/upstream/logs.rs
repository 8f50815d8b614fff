//! A log capture of calls that carry every kind of secret shows none of
//! them. The capture is the process-wide default subscriber, so events from
//! every thread and callsite reach it.

use crate::support::capture::Captured;
use crate::support::*;
use backend::error::ApiError;
use backend::sandbox::{
    DEMO_ACCESS_KEY_SECRET, DEMO_APP_KEY, DEMO_APP_SECRET, Fault, SandboxConfig,
};
use backend::upstream::oos::ChatConfigWrite;
use backend::upstream::sas::RobotWrite;
use shared::chat_configs::{ChatPlatform, ConfigName};
use shared::groups::{ChatId, DirectoryLang};
use shared::robots::{RobotLang, RobotName};

#[tokio::test]
async fn logs_show_no_secret() {
    let buffer = Captured::global();

    let client_secret = "client-secret-4f1a";
    let robot_token = "robot-token-9c2e";
    let sts_token = "sts-token-77d0";
    let mut config = SandboxConfig::demo();
    let mut sts = backend::sandbox::AccessKey::new("STS.logs", "sts-logs-secret");
    sts.sts_token = Some(sts_token.into());
    config.access_keys.push(sts);
    let sb = sandbox(config).await;
    let up = clients(&sb);
    let hz = region("cn-hangzhou");

    let input = ChatConfigWrite {
        region_id: hz.clone(),
        name: ConfigName::parse("log-bot").unwrap(),
        platform: Some(ChatPlatform::DingTalk),
        ram_role: None,
        resource_group_id: None,
        configuration: Some(
            serde_json::json!({"DingTalkClientId": "id", "DingTalkClientSecret": client_secret})
                .to_string()
                .into(),
        ),
    };
    tracing::info!(?input, "chat configuration write");
    // Failures and retries log too.
    sb.faults()
        .set("CreateChatConfiguration", Fault::throttle(1).times(1));
    up.oos.create(&demo_key(), &input).await.unwrap();
    let mut sts_key = demo_key();
    sts_key.access_key_id = "STS.logs".into();
    sts_key.access_key_secret = "sts-logs-secret".into();
    sts_key.security_token = Some(sts_token.into());
    up.oos.get(&sts_key, &hz, &input.name).await.unwrap();
    let robot = RobotWrite {
        id: None,
        name: RobotName::parse("log robot").unwrap(),
        send_url: format!("https://oapi.dingtalk.com/robot/send?access_token={robot_token}").into(),
        interval_time: 0,
        rules: Vec::new(),
        group_ids: Vec::new(),
        lang: Some(RobotLang::Zh),
    };
    up.sas.save(&demo_key(), &hz, &robot).await.unwrap();
    let page = up.sas.list(&demo_key(), &hz, 1, 50, None).await.unwrap();
    tracing::info!(?page, "robots");
    let chat = ChatId::parse(&sb.groups()[1].chatid).unwrap();
    sb.faults().set("chat/get", Fault::error_rate(1.0).times(1));
    up.dingtalk
        .legacy_get_group(&demo_app(), &chat)
        .await
        .unwrap();
    sb.expire_tokens();
    up.dingtalk
        .user(&demo_app(), &user(1), DirectoryLang::ZhCn)
        .await
        .unwrap();
    let mut wrong = demo_key();
    wrong.access_key_secret = "wrong-secret-0b9d".into();
    let err = up.oos.get(&wrong, &hz, &input.name).await.unwrap_err();
    tracing::error!(?err, api_error = %ApiError::from(err.clone()), "as a handler would log it");
    tracing::info!(?sts_key, app = ?demo_app(), "credentials as Debug");

    // The token now valid, asked for again (the same token comes back).
    let url = format!(
        "{}/gettoken?appkey={DEMO_APP_KEY}&appsecret={DEMO_APP_SECRET}",
        sb.base_url()
    );
    let fetch = || async {
        let answer: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
        answer["access_token"].as_str().unwrap().to_owned()
    };
    let access_token = fetch().await;
    assert_eq!(
        fetch().await,
        access_token,
        "a valid token is handed out again"
    );

    let logs = buffer.text();
    assert!(logs.contains("retrying upstream call"), "the capture works");
    assert!(
        logs.contains("DingTalk token rejected"),
        "the capture works"
    );
    for secret in [
        DEMO_ACCESS_KEY_SECRET,
        DEMO_APP_SECRET,
        "sts-logs-secret",
        "wrong-secret-0b9d",
        client_secret,
        robot_token,
        sts_token,
        access_token.as_str(),
    ] {
        assert!(!logs.contains(secret), "{secret} appears in the logs");
    }
}
