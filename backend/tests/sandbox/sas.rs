//! Security Center notification robots over HTTP.

use crate::support::*;
use backend::sandbox::Sandbox;
use reqwest::StatusCode;
use serde_json::Value;

const URL: &str = "https://oapi.dingtalk.com/robot/send?access_token=abc123";

async fn call(sandbox: &Sandbox, req: AcsRequest) -> Reply {
    req.send(sandbox, &Signer::demo()).await
}

async fn robots(sandbox: &Sandbox, req: AcsRequest) -> (Value, Vec<Value>) {
    let reply = call(sandbox, req).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    (
        reply.body["PageInfo"].clone(),
        reply.body["ActionList"].as_array().unwrap().clone(),
    )
}

fn describe() -> AcsRequest {
    AcsRequest::sas("DescribeDingTalk")
}

#[tokio::test]
async fn describe_pages_and_filters_the_demo_robots() {
    let sandbox = start().await;
    let (page, items) = robots(&sandbox, describe()).await;
    assert_eq!(page["CurrentPage"], 1);
    assert_eq!(page["PageSize"], 20);
    assert_eq!(page["TotalCount"], 6);
    assert_eq!(items.len(), 6);
    let first = &items[0];
    for field in [
        "Id",
        "Status",
        "IntervalTime",
        "AliUid",
        "GmtCreate",
        "GmtModified",
    ] {
        assert!(first[field].is_i64(), "{field}: {first}");
    }
    for field in [
        "ActionName",
        "Url",
        "ConfigList",
        "GroupIdList",
        "DingTalkLang",
    ] {
        assert!(first[field].is_string(), "{field}: {first}");
    }
    let ids: Vec<i64> = items.iter().map(|r| r["Id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [6, 5, 4, 3, 2, 1], "newest first");
    // The seed's lenient forms: a string `valueList`, a ConfigList that is
    // not a list.
    let config = |id: i64| {
        items.iter().find(|r| r["Id"] == id).unwrap()["ConfigList"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        config(3).contains(r#""valueList":"serious""#),
        "{}",
        config(3)
    );
    assert!(config(6).starts_with('{'), "{}", config(6));

    let (page, items) = robots(
        &sandbox,
        describe().param("CurrentPage", "2").param("PageSize", "2"),
    )
    .await;
    assert_eq!(
        (page["CurrentPage"].clone(), page["TotalCount"].clone()),
        (2.into(), 6.into())
    );
    assert_eq!(page["Count"], 2);
    assert_eq!(
        items
            .iter()
            .map(|r| r["Id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [4, 3]
    );
    let (page, items) = robots(&sandbox, describe().param("CurrentPage", "9")).await;
    assert!(items.is_empty());
    assert_eq!(
        (page["TotalCount"].clone(), page["Count"].clone()),
        (6.into(), 0.into())
    );

    let (page, items) = robots(&sandbox, describe().param("RuleActionName", "告警")).await;
    assert_eq!(page["TotalCount"], 2);
    assert!(
        items
            .iter()
            .all(|r| r["ActionName"].as_str().unwrap().contains("告警"))
    );

    for (name, value) in [
        ("PageSize", "0"),
        ("PageSize", "101"),
        ("CurrentPage", "0"),
        ("CurrentPage", "x"),
    ] {
        let reply = call(&sandbox, describe().param(name, value)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.acs_code(), format!("Invalid{name}"));
    }
}

#[tokio::test]
async fn create_update_toggle_test_and_delete() {
    let sandbox = start().await;
    let create = |name: &str| {
        AcsRequest::sas("CreateOrUpdateDingTalk")
            .param("RuleActionName", name)
            .param("SendUrl", URL)
            .param("IntervalTime", "30")
            .param("DingTalkLang", "en")
            .param("GroupIdList", "[123,456]")
            .param(
                "ConfigList",
                r#"[{"type":"sas_vul_notify","configItemList":[{"key":"vul_level","valueList":["asap"]}]}]"#,
            )
    };
    assert_eq!(call(&sandbox, create("ab")).await.status, StatusCode::OK);
    assert_eq!(
        call(&sandbox, create(&"长".repeat(64))).await.status,
        StatusCode::OK
    );
    for bad in ["a", &"x".repeat(65)] {
        assert_eq!(
            call(&sandbox, create(bad)).await.acs_code(),
            "InvalidRuleActionName"
        );
    }
    let (_, items) = robots(&sandbox, describe().param("RuleActionName", "ab")).await;
    let robot = &items[0];
    assert_eq!(robot["ActionName"], "ab");
    assert_eq!(robot["GroupIdList"], "123,456");
    assert_eq!(robot["IntervalTime"], 30);
    assert_eq!(robot["Status"], 1);
    assert_eq!(robot["DingTalkLang"], "en");
    let id = robot["Id"].as_i64().unwrap().to_string();

    // Id present = update of that robot.
    let update = AcsRequest::sas("CreateOrUpdateDingTalk")
        .param("Id", &id)
        .param("RuleActionName", "renamed")
        .param("SendUrl", URL);
    assert_eq!(call(&sandbox, update).await.status, StatusCode::OK);
    let (page, items) = robots(&sandbox, describe()).await;
    assert_eq!(page["TotalCount"], 8);
    let robot = items
        .iter()
        .find(|r| r["Id"].as_i64().map(|i| i.to_string()).as_deref() == Some(id.as_str()))
        .unwrap();
    assert_eq!(robot["ActionName"], "renamed");
    assert_eq!(robot["GroupIdList"], "123,456", "fields not sent are kept");
    let missing = AcsRequest::sas("CreateOrUpdateDingTalk")
        .param("Id", "999")
        .param("RuleActionName", "ghost")
        .param("SendUrl", URL);
    assert_eq!(
        call(&sandbox, missing).await.acs_code(),
        "EntityNotExists.DingTalk"
    );

    let status = |ids: &str, s: &str| {
        AcsRequest::sas("ModifyDingTalkStatus")
            .param("Ids", ids)
            .param("Status", s)
    };
    assert_eq!(
        call(&sandbox, status(&format!("1,{id}"), "0")).await.status,
        StatusCode::OK
    );
    let (_, items) = robots(&sandbox, describe()).await;
    let disabled: Vec<i64> = items
        .iter()
        .filter(|r| r["Status"] == 0)
        .map(|r| r["Id"].as_i64().unwrap())
        .collect();
    assert!(disabled.contains(&1) && disabled.contains(&id.parse().unwrap()));
    assert_eq!(
        call(&sandbox, status("1", "2")).await.acs_code(),
        "InvalidStatus"
    );
    assert_eq!(
        call(&sandbox, status("1,999", "1")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&sandbox, status("1,x", "1")).await.acs_code(),
        "InvalidIds"
    );

    let test = |i: &str| AcsRequest::sas("DingTalkOnlineTest").param("Id", i);
    assert_eq!(call(&sandbox, test(&id)).await.status, StatusCode::OK);
    assert_eq!(
        call(&sandbox, test("999")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&sandbox, AcsRequest::sas("DingTalkOnlineTest"))
            .await
            .acs_code(),
        "MissingId"
    );

    // One unknown id: nothing is deleted.
    let del = |ids: &str| AcsRequest::sas("DeleteDingTalk").param("Ids", ids);
    assert_eq!(
        call(&sandbox, del(&format!("{id},999"))).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(robots(&sandbox, describe()).await.0["TotalCount"], 8);
    assert_eq!(
        call(&sandbox, del(&format!("1,2,{id}"))).await.status,
        StatusCode::OK
    );
    assert_eq!(robots(&sandbox, describe()).await.0["TotalCount"], 5);
    assert_eq!(
        call(&sandbox, AcsRequest::sas("DeleteDingTalk"))
            .await
            .acs_code(),
        "MissingIds"
    );
}

#[tokio::test]
async fn create_checks_every_parameter() {
    let sandbox = start().await;
    let base = || AcsRequest::sas("CreateOrUpdateDingTalk").param("RuleActionName", "robot");
    let cases = [
        (
            AcsRequest::sas("CreateOrUpdateDingTalk").param("SendUrl", URL),
            "MissingRuleActionName",
        ),
        (base(), "MissingSendUrl"),
        (base().param("SendUrl", "not a url"), "InvalidSendUrl"),
        (
            base().param("SendUrl", URL).param("IntervalTime", "-1"),
            "InvalidIntervalTime",
        ),
        (
            base().param("SendUrl", URL).param("DingTalkLang", "fr"),
            "InvalidDingTalkLang",
        ),
        (
            base().param("SendUrl", URL).param("ConfigList", "{}"),
            "InvalidConfigList",
        ),
        (
            base().param("SendUrl", URL).param("GroupIdList", "[\"a\"]"),
            "InvalidGroupIdList",
        ),
    ];
    for (req, code) in cases {
        assert_eq!(call(&sandbox, req).await.acs_code(), code);
    }
}

#[tokio::test]
async fn data_source_answers_the_sdk_model_in_both_languages() {
    let sandbox = start().await;
    let ds = |lang: &str| {
        AcsRequest::sas("DescribeDataSource")
            .param("ConfigType", "DingTalk")
            .param("Lang", lang)
    };
    let zh = call(&sandbox, ds("zh")).await;
    let en = call(&sandbox, ds("en")).await;
    assert_eq!(zh.status, StatusCode::OK);
    let metas = |r: &Reply| r.body["MetaDatas"].as_array().unwrap().clone();
    let names = |r: &Reply| -> Vec<String> {
        metas(r)
            .iter()
            .map(|m| m["DataSourceName"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&zh), names(&en));
    assert!(
        names(&zh)
            .contains(&"sas_analysis_online-sas-operation-log-sas-event-suspicious".to_owned())
    );
    for meta in metas(&en) {
        assert!(meta["DataSourceId"].is_i64(), "{meta}");
        assert!(meta["Description"].is_string(), "{meta}");
        for field in meta["MetaDataFields"].as_array().unwrap() {
            for name in ["Filed", "FiledName", "Sample", "ValueType"] {
                assert!(field[name].is_string(), "{name}: {field}");
            }
            let op = &field["OperatorList"][0];
            assert!(op["Name"].is_string() && op["Description"].is_string());
        }
    }
    assert_eq!(metas(&zh)[0]["Description"], "安全告警");
    assert_eq!(metas(&en)[0]["Description"], "Security alerts");
    let level = &metas(&en)[0]["MetaDataFields"][0];
    assert_eq!(level["Filed"], "item_level");
    assert_eq!(level["FiledName"], "Alert level");
    assert!(
        level["Sample"]
            .as_str()
            .unwrap()
            .starts_with("all:All;serious:Urgent")
    );
    assert_eq!(
        call(&sandbox, AcsRequest::sas("DescribeDataSource"))
            .await
            .acs_code(),
        "MissingConfigType"
    );
    assert_eq!(call(&sandbox, ds("de")).await.acs_code(), "InvalidLang");
}

#[tokio::test]
async fn group_struct_is_a_tree_of_asset_groups() {
    let sandbox = start().await;
    let reply = call(
        &sandbox,
        AcsRequest::sas("DescribeGroupStruct").param("Lang", "en"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let groups = reply.body["Groups"].as_array().unwrap();
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ungrouped", "Production", "Staging"]);
    for g in groups {
        for int in [
            "GroupId",
            "GroupFather",
            "GroupFlag",
            "GroupIndex",
            "GroupLevel",
            "MachineNum",
        ] {
            assert!(g[int].is_i64(), "{int}: {g}");
        }
    }
    assert_eq!(groups[0]["GroupFlag"], 0, "the default group");
    let child = &groups[1]["Groups"][0];
    assert_eq!(
        (child["GroupFather"].clone(), child["GroupLevel"].clone()),
        (123.into(), 2.into())
    );
    let zh = call(&sandbox, AcsRequest::sas("DescribeGroupStruct")).await;
    assert_eq!(zh.body["Groups"][1]["GroupName"], "生产环境");
}

#[tokio::test]
async fn status_changes_need_the_enterprise_edition() {
    let sandbox = start().await;
    let status = AcsRequest::sas("ModifyDingTalkStatus")
        .param("Ids", "1")
        .param("Status", "0");
    sandbox.set_sas_enterprise(false);
    let reply = call(&sandbox, status.clone()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.acs_code(), "NoPermission");
    assert_eq!(reply.body["Message"], "caller has no permission");
    // Everything else still works below Enterprise.
    let test = AcsRequest::sas("DingTalkOnlineTest").param("Id", "1");
    assert_eq!(call(&sandbox, test).await.status, StatusCode::OK);
    sandbox.reset();
    assert_eq!(call(&sandbox, status).await.status, StatusCode::OK);
}

#[tokio::test]
async fn faults_speak_security_centers_documented_errors() {
    use backend::sandbox::Fault;
    let sandbox = start().await;
    sandbox
        .faults()
        .set("DescribeDingTalk", Fault::error_rate(1.0));
    let reply = call(&sandbox, describe()).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.acs_code(), "ServerError");
    sandbox
        .faults()
        .set("DescribeDingTalk", Fault::no_permission());
    let reply = call(&sandbox, describe()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.acs_code(), "NoPermission");
    assert_eq!(reply.body["Message"], "caller has no permission");
    sandbox.faults().set("DescribeDingTalk", Fault::throttle(3));
    let reply = call(&sandbox, describe()).await;
    assert_eq!(reply.acs_code(), "Throttling.User");
    assert_eq!(reply.headers["x-acs-retry-after"], "3");
}
