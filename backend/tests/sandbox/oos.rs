//! OOS chat configurations over HTTP: the five actions per region, masked
//! secrets, Outputs, filters, limits and errors, and reset.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DING_CONF: &str = r#"{"DingTalkClientId":"dingabc","DingTalkClientSecret":"top-secret","DingTalkTemplateId":"381c5aee-f8af-48a4-94be-cce587e42ea4.schema"}"#;

async fn call(sandbox: &backend::sandbox::Sandbox, req: AcsRequest) -> Reply {
    req.send(sandbox, &Signer::demo()).await
}

fn create(region: &str, name: &str, kind: &str, conf: &str) -> AcsRequest {
    AcsRequest::oos("CreateChatConfiguration", region)
        .param("Name", name)
        .param("Type", kind)
        .param("Configuration", conf)
        .param("RamRole", "OOSServiceRole")
}

fn configuration(reply: &Reply) -> Value {
    serde_json::from_str(
        reply.body["ChatConfiguration"]["Configuration"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn create_get_update_delete_per_region() {
    let sandbox = start().await;
    let reply = call(
        &sandbox,
        create("cn-hangzhou", "team.bot-1", "DingTalk", DING_CONF),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let created = &reply.body["ChatConfiguration"];
    assert_eq!(created["Name"], "team.bot-1");
    assert!(created["CreatedDate"].as_str().unwrap().ends_with("+00:00"));

    let get = || AcsRequest::oos("GetChatConfiguration", "cn-hangzhou").param("Name", "team.bot-1");
    let got = call(&sandbox, get()).await;
    let c = &got.body["ChatConfiguration"];
    assert_eq!(c["Type"], "DingTalk");
    assert_eq!(c["RamRole"], "OOSServiceRole");
    assert_eq!(configuration(&got)["DingTalkClientSecret"], "******");
    assert_eq!(configuration(&got)["DingTalkClientId"], "dingabc");
    let outputs: Value = serde_json::from_str(c["Outputs"].as_str().unwrap()).unwrap();
    let url = outputs["URL"].as_str().unwrap();
    assert!(
        url.starts_with("https://") && url.ends_with(".appflow.aliyunnest.com/webhook/"),
        "{url}"
    );

    // The same name in the other region is another configuration.
    let other = call(
        &sandbox,
        AcsRequest::oos("GetChatConfiguration", "cn-shanghai").param("Name", "team.bot-1"),
    )
    .await;
    assert_eq!(
        (other.status, other.acs_code()),
        (StatusCode::NOT_FOUND, "EntityNotExists.ChatConfiguration")
    );
    let sh = call(
        &sandbox,
        create("cn-shanghai", "team.bot-1", "DingTalk", DING_CONF),
    )
    .await;
    assert_eq!(sh.status, StatusCode::OK);
    let sh_got = call(
        &sandbox,
        AcsRequest::oos("GetChatConfiguration", "cn-shanghai").param("Name", "team.bot-1"),
    )
    .await;
    assert_ne!(
        sh_got.body["ChatConfiguration"]["Outputs"], c["Outputs"],
        "one webhook per configuration"
    );

    // Update stores what it is sent: other keys change, dates move, and a
    // mask sent back replaces the secret (as the real service may).
    let update = AcsRequest::oos("UpdateChatConfiguration", "cn-hangzhou")
        .param("Name", "team.bot-1")
        .param(
            "Configuration",
            r#"{"DingTalkClientId":"dingxyz","DingTalkClientSecret":"******"}"#,
        );
    let reply = call(&sandbox, update).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let got = call(&sandbox, get()).await;
    assert_eq!(configuration(&got)["DingTalkClientId"], "dingxyz");
    assert_eq!(got.body["ChatConfiguration"]["Outputs"], c["Outputs"]);
    let stored = sandbox
        .chat_configuration("cn-hangzhou", "team.bot-1")
        .unwrap();
    assert_eq!(stored["DingTalkClientSecret"], "******");
    assert!(stored.get("DingTalkTemplateId").is_none(), "replaced whole");

    let del =
        || AcsRequest::oos("DeleteChatConfiguration", "cn-hangzhou").param("Name", "team.bot-1");
    let reply = call(&sandbox, del()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["Content"], "team.bot-1");
    assert_eq!(call(&sandbox, del()).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&sandbox, get()).await.acs_code(),
        "EntityNotExists.ChatConfiguration"
    );
    let upd = AcsRequest::oos("UpdateChatConfiguration", "cn-hangzhou").param("Name", "team.bot-1");
    assert_eq!(call(&sandbox, upd).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_parameter_named() {
    let sandbox = start().await;
    let dup = call(
        &sandbox,
        create("cn-hangzhou", "chatops-dingtalk", "DingTalk", DING_CONF),
    )
    .await;
    assert_eq!(
        (dup.status, dup.acs_code()),
        (
            StatusCode::CONFLICT,
            "EntityAlreadyExists.ChatConfiguration"
        )
    );
    let cases = [
        (
            AcsRequest::new("GetChatConfiguration", OOS).param("Name", "x"),
            "MissingRegionId",
        ),
        (
            AcsRequest::oos("GetChatConfiguration", "cn-hangzhou"),
            "MissingName",
        ),
        (
            AcsRequest::oos("GetChatConfiguration", "Hangzhou!"),
            "InvalidRegionId",
        ),
        (
            AcsRequest::oos("GetChatConfiguration", "cn-hangzhou").param("Name", ""),
            "MissingName",
        ),
        (
            create("cn-hangzhou", "n", "Slack", DING_CONF),
            "InvalidType",
        ),
        (
            create("cn-hangzhou", "n", "DingTalk", "not json"),
            "InvalidConfiguration",
        ),
        (
            create(
                "cn-hangzhou",
                "n",
                "DingTalk",
                r#"{"DingTalkClientId":"x"}"#,
            ),
            "InvalidConfiguration",
        ),
        (
            AcsRequest::oos("CreateChatConfiguration", "cn-hangzhou")
                .param("Name", "n")
                .param("Type", "WeChat"),
            "MissingConfiguration",
        ),
        (
            AcsRequest::oos("ListChatConfigurations", "cn-hangzhou").param("MaxResults", "0"),
            "InvalidMaxResults",
        ),
        (
            AcsRequest::oos("ListChatConfigurations", "cn-hangzhou").param("MaxResults", "101"),
            "InvalidMaxResults",
        ),
        (
            AcsRequest::oos("ListChatConfigurations", "cn-hangzhou").param("MaxResults", "ten"),
            "InvalidMaxResults",
        ),
        (
            AcsRequest::oos("ListChatConfigurations", "cn-hangzhou")
                .param("Filters.1.Name", "Owner")
                .param("Filters.1.Value", "x"),
            "InvalidFilters1Name",
        ),
    ];
    for (req, code) in cases {
        let reply = call(&sandbox, req).await;
        assert_eq!(
            (reply.status, reply.acs_code()),
            (StatusCode::BAD_REQUEST, code)
        );
        assert!(reply.body["Message"].as_str().unwrap().len() > 10);
    }
    // OOS documents no name rule: any name is looked up as it is.
    let odd = AcsRequest::oos("GetChatConfiguration", "cn-hangzhou").param("Name", "生产 机器人");
    let reply = call(&sandbox, odd).await;
    assert_eq!(
        (reply.status, reply.acs_code()),
        (StatusCode::NOT_FOUND, "EntityNotExists.ChatConfiguration")
    );
    // WeCom keys are open; secret-looking ones are masked.
    let wecom =
        r#"{"CorpId":"ww1","CorpSecret":"s","Token":"t","EncodingAESKey":"k","AgentId":"1"}"#;
    assert_eq!(
        call(&sandbox, create("cn-hangzhou", "wecom-1", "WeChat", wecom))
            .await
            .status,
        StatusCode::OK
    );
    let got = call(
        &sandbox,
        AcsRequest::oos("GetChatConfiguration", "cn-hangzhou").param("Name", "wecom-1"),
    )
    .await;
    assert_eq!(
        configuration(&got),
        json!({"CorpId":"ww1","CorpSecret":"******","Token":"******","EncodingAESKey":"******","AgentId":"1"})
    );
}

fn names(reply: &Reply) -> Vec<String> {
    reply.body["ChatConfigurations"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", reply.body))
        .iter()
        .map(|c| c["Name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_honours_region_filters_and_max_results() {
    let sandbox = start().await;
    let list = |region: &str| AcsRequest::oos("ListChatConfigurations", region);
    let hz = call(&sandbox, list("cn-hangzhou")).await;
    assert_eq!(
        names(&hz),
        ["chatops-dingtalk", "oncall-dingtalk", "release-wecom"]
    );
    let item = &hz.body["ChatConfigurations"][0];
    for field in [
        "Name",
        "Type",
        "RamRole",
        "Outputs",
        "CreatedDate",
        "UpdatedDate",
    ] {
        assert!(item[field].is_string(), "{field}");
    }
    assert!(
        item.get("Configuration").is_none(),
        "List never carries the configuration"
    );
    assert_eq!(
        names(&call(&sandbox, list("cn-shanghai")).await),
        ["chatops-dingtalk", "finance-wecom"]
    );
    assert!(names(&call(&sandbox, list("eu-central-1")).await).is_empty());

    let by_type = list("cn-hangzhou")
        .param("Filters.1.Name", "Type")
        .param("Filters.1.Value", "WeChat");
    assert_eq!(names(&call(&sandbox, by_type).await), ["release-wecom"]);
    let by_name = list("cn-hangzhou")
        .param("Filters.1.Name", "Name")
        .param("Filters.1.Value", "DINGTALK");
    assert_eq!(
        names(&call(&sandbox, by_name).await),
        ["chatops-dingtalk", "oncall-dingtalk"]
    );
    let both = list("cn-hangzhou")
        .param("Filters.1.Name", "Name")
        .param("Filters.1.Value", "dingtalk")
        .param("Filters.2.Name", "Type")
        .param("Filters.2.Value", "WeChat");
    assert!(names(&call(&sandbox, both).await).is_empty());
    let two = list("cn-hangzhou")
        .param("MaxResults", "2")
        .param("NextToken", "ignored");
    assert_eq!(names(&call(&sandbox, two).await).len(), 2);
}

#[tokio::test]
async fn reset_restores_the_demo_configurations() {
    let sandbox = start().await;
    let del =
        AcsRequest::oos("DeleteChatConfiguration", "cn-hangzhou").param("Name", "chatops-dingtalk");
    assert_eq!(call(&sandbox, del).await.status, StatusCode::OK);
    assert_eq!(
        call(
            &sandbox,
            create("cn-hangzhou", "extra", "DingTalk", DING_CONF)
        )
        .await
        .status,
        StatusCode::OK
    );
    sandbox.reset();
    let hz = call(
        &sandbox,
        AcsRequest::oos("ListChatConfigurations", "cn-hangzhou"),
    )
    .await;
    assert_eq!(
        names(&hz),
        ["chatops-dingtalk", "oncall-dingtalk", "release-wecom"]
    );

    // The same over HTTP.
    assert_eq!(
        call(
            &sandbox,
            create("cn-hangzhou", "extra", "DingTalk", DING_CONF)
        )
        .await
        .status,
        StatusCode::OK
    );
    let reset = reqwest::Client::new()
        .post(format!("{}/__sandbox/reset", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    let hz = call(
        &sandbox,
        AcsRequest::oos("ListChatConfigurations", "cn-hangzhou"),
    )
    .await;
    assert_eq!(names(&hz).len(), 3);

    // Without demo data the sandbox starts empty.
    let mut config = backend::sandbox::SandboxConfig::demo();
    config.demo_data = false;
    let empty = start_with(config).await;
    assert!(
        names(
            &call(
                &empty,
                AcsRequest::oos("ListChatConfigurations", "cn-hangzhou")
            )
            .await
        )
        .is_empty()
    );
}
