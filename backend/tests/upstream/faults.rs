//! The clients under the sandbox's faults: throttling with retry-after, 5xx
//! on reads and writes, timeouts, malformed bodies, dropped connections, the
//! DingTalk IP ban.

use std::time::{Duration, Instant};

use crate::support::*;
use axum::response::IntoResponse;
use backend::error::ApiError;
use backend::sandbox::{Fault, SandboxConfig};
use backend::upstream::Upstream;
use backend::upstream::error::ErrorKind;
use backend::upstream::http::Timeouts;
use backend::upstream::retry::RetryPolicy;
use shared::chat_configs::{ConfigName, ListQuery};
use shared::groups::{ChatId, OpenConversationId};
use shared::robots::RobotId;

fn demo_config() -> ConfigName {
    ConfigName::parse("chatops-dingtalk").unwrap()
}

async fn first_robot(up: &Upstream) -> RobotId {
    let page = up
        .sas
        .list(&demo_key(), &region("cn-hangzhou"), 1, 20, None)
        .await
        .unwrap();
    page.robots[0].robot.id
}

#[tokio::test]
async fn throttling_waits_for_retry_after_or_tells_the_user() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let hz = region("cn-hangzhou");

    sb.faults()
        .set("GetChatConfiguration", Fault::throttle(1).times(1));
    let start = Instant::now();
    up.oos.get(&demo_key(), &hz, &demo_config()).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(1));

    // Flow control refuses before acting, so even a write is resent.
    sb.faults()
        .set("ModifyDingTalkStatus", Fault::throttle(1).times(1));
    let robot = first_robot(&up).await;
    up.sas
        .set_enabled(&demo_key(), &hz, &[robot], true)
        .await
        .unwrap();

    // A wait longer than the policy allows goes back to the user.
    sb.faults()
        .set("GetChatConfiguration", Fault::throttle(60).times(1));
    let start = Instant::now();
    let err = up
        .oos
        .get(&demo_key(), &hz, &demo_config())
        .await
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(
        err.kind,
        ErrorKind::Throttled {
            retry_after: Some(Duration::from_secs(60))
        }
    );
    assert!(err.request_id.is_some());
    let response = ApiError::from(err).into_response();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "60");

    // DingTalk's 90002 (legacy) and QpsLimitForApi (new API) are retried too.
    let groups = sb.groups();
    let chat = ChatId::parse(&groups[1].chatid).unwrap();
    let ocid = OpenConversationId::parse(&groups[1].open_conversation_id).unwrap();
    sb.faults().set("chat/get", Fault::throttle(1).times(2));
    up.dingtalk
        .legacy_get_group(&demo_app(), &chat)
        .await
        .unwrap();
    sb.faults()
        .set("QueryOpenGroupBaseInfo", Fault::throttle(1).times(2));
    up.dingtalk
        .group_base_info(&demo_app(), &ocid)
        .await
        .unwrap();
}

#[tokio::test]
async fn server_errors_retry_reads_but_never_writes() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let hz = region("cn-hangzhou");

    sb.faults().set(
        "ListChatConfigurations",
        Fault::service_unavailable().times(3),
    );
    up.oos
        .list(&demo_key(), &hz, &ListQuery::default())
        .await
        .unwrap();
    sb.faults()
        .set("ListChatConfigurations", Fault::error_rate(1.0).times(4));
    let err = up
        .oos
        .list(&demo_key(), &hz, &ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind.clone(), err.retryable),
        (ErrorKind::Unavailable, true)
    );

    // A failed delete is not resent: the configuration is still there, and
    // the user decides.
    sb.faults().set(
        "DeleteChatConfiguration",
        Fault::service_unavailable().times(1),
    );
    let err = up
        .oos
        .delete(&demo_key(), &hz, &demo_config())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unavailable);
    up.oos.get(&demo_key(), &hz, &demo_config()).await.unwrap();
    up.oos
        .delete(&demo_key(), &hz, &demo_config())
        .await
        .unwrap();

    // Legacy -1 "system busy" on a read is retried.
    let chat = ChatId::parse(&sb.groups()[1].chatid).unwrap();
    sb.faults().set("chat/get", Fault::error_rate(1.0).times(3));
    up.dingtalk
        .legacy_get_group(&demo_app(), &chat)
        .await
        .unwrap();
    // On a write it is not.
    sb.faults().set(
        "topapi/chat/updategroupnick",
        Fault::error_rate(1.0).times(1),
    );
    let err = up
        .dingtalk
        .legacy_set_group_nick(&demo_app(), &chat, &user(1), "x")
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Unavailable, "-1")
    );
}

#[tokio::test]
async fn slow_upstreams_time_out() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let mut settings = settings(&sb);
    settings.timeouts = Timeouts {
        connect: Duration::from_secs(1),
        call: Duration::from_millis(300),
    };
    settings.retry = RetryPolicy::NONE;
    let up = Upstream::new(settings);
    sb.faults().set(
        "GetChatConfiguration",
        Fault::latency(Duration::from_millis(1500)),
    );
    let start = Instant::now();
    let err = up
        .oos
        .get(&demo_key(), &region("cn-hangzhou"), &demo_config())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(start.elapsed() < Duration::from_secs(1));
    let body = ApiError::from(err).body();
    assert_eq!(body.code, "upstream_timeout");
}

#[tokio::test]
async fn malformed_bodies_and_dropped_connections() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let hz = region("cn-hangzhou");

    sb.faults().set("DescribeDingTalk", Fault::malformed_json());
    let err = up
        .sas
        .list(&demo_key(), &hz, 1, 20, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol);
    assert_eq!(ApiError::from(err).body().code, "upstream_protocol");
    sb.faults().clear();

    let ocid = OpenConversationId::parse(&sb.groups()[1].open_conversation_id).unwrap();
    sb.faults()
        .set("QueryOpenGroupBaseInfo", Fault::malformed_json());
    let err = up
        .dingtalk
        .group_base_info(&demo_app(), &ocid)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol);
    sb.faults().clear();

    // A dropped read is retried; a dropped write is not (it may have landed).
    sb.faults()
        .set("GetChatConfiguration", Fault::drop_connection().times(2));
    up.oos.get(&demo_key(), &hz, &demo_config()).await.unwrap();
    let robot = first_robot(&up).await;
    sb.faults()
        .set("DeleteDingTalk", Fault::drop_connection().times(1));
    let err = up.sas.delete(&demo_key(), &hz, &[robot]).await.unwrap_err();
    assert!(err.reached_server && err.retryable, "{err:?}");
    assert_eq!(
        first_robot(&up).await,
        robot,
        "the robot was not deleted twice"
    );

    // The IP ban: a body without errcode, waiting minutes, handed back.
    let chat = ChatId::parse(&sb.groups()[1].chatid).unwrap();
    sb.faults().set("chat/get", Fault::ip_ban().times(1));
    let err = up
        .dingtalk
        .legacy_get_group(&demo_app(), &chat)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Throttled {
            retry_after: Some(Duration::from_secs(300))
        }
    );

    // RAM says no: the user learns which action to grant.
    sb.faults()
        .set("GetChatConfiguration", Fault::no_permission().times(1));
    let err = up
        .oos
        .get(&demo_key(), &hz, &demo_config())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::PermissionDenied {
            permission: Some("oos:GetChatConfiguration".into())
        }
    );
    let body = ApiError::from(err).body();
    assert!(
        body.message.contains("oos:GetChatConfiguration"),
        "{}",
        body.message
    );
    assert!(body.request_id.is_some());
}
