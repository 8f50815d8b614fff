//! The DingTalk clients against the sandbox: every group call of both API
//! generations, the directory, token sharing and refresh, wrong secrets and
//! missing permissions.

use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use backend::sandbox::{DEMO_APP_KEY, DingTalkApp as SandboxApp, PERM_CHAT_READ, SandboxConfig};
use backend::upstream::dingtalk::DingTalkApp;
use backend::upstream::error::ErrorKind;
use backend::upstream::http::DingTalkSite;
use shared::groups::{
    AdminChange, ChatId, DirectoryLang, GroupCreate, GroupName, GroupSettings, GroupUpdate,
    OpenConversationId,
};

fn new_group(name: &str) -> GroupCreate {
    GroupCreate {
        name: GroupName::parse(name).unwrap(),
        owner: user(1),
        members: users(1..=6),
        settings: GroupSettings {
            searchable: true,
            ..GroupSettings::default()
        },
    }
}

#[tokio::test]
async fn legacy_group_calls() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let app = demo_app();
    let dt = &up.dingtalk;

    let created = dt
        .legacy_create_group(&app, &new_group("legacy group"))
        .await
        .unwrap();
    assert!(created.request_id.is_some(), "writes return a receipt");
    let created = created.value;
    let chat = created.chat_id.clone();
    assert!(created.open_conversation_id.is_some());

    let info = dt.legacy_get_group(&app, &chat).await.unwrap();
    assert_eq!(info.name, "legacy group");
    assert_eq!(info.owner, Some(user(1)));
    assert_eq!(info.members.len(), 6);
    assert!(info.settings.searchable && !info.settings.muted && !info.dismissed);

    let update = GroupUpdate {
        name: Some(GroupName::parse("renamed").unwrap()),
        add_members: users(7..=8),
        remove_members: vec![user(6)],
        settings: Some(GroupSettings {
            muted: true,
            ..GroupSettings::default()
        }),
        ..GroupUpdate::default()
    };
    let receipt = dt.legacy_update_group(&app, &chat, &update).await.unwrap();
    assert!(receipt.request_id.is_some());
    let info = dt.legacy_get_group(&app, &chat).await.unwrap();
    assert_eq!((info.name.as_str(), info.members.len()), ("renamed", 7));
    assert!(info.settings.muted && !info.settings.searchable);

    assert!(
        dt.legacy_update_admins(&app, &chat, &users(2..=3), AdminChange::Add)
            .await
            .unwrap()
            .value
    );
    assert!(
        dt.legacy_update_admins(&app, &chat, &[user(3)], AdminChange::Remove)
            .await
            .unwrap()
            .value
    );
    assert!(
        dt.legacy_set_friend_switch(&app, &chat, true)
            .await
            .unwrap()
            .value
    );
    assert!(
        dt.legacy_set_group_nick(&app, &chat, &user(2), "nick")
            .await
            .unwrap()
            .value
    );
    let link = dt
        .legacy_group_join_link(&app, &chat, &user(1))
        .await
        .unwrap();
    assert!(link.starts_with("https://"), "{link}");

    // Documented failures carry the request id and a usable kind.
    let unknown = ChatId::parse("chatdoesnotexist").unwrap();
    let err = dt.legacy_get_group(&app, &unknown).await.unwrap_err();
    assert_eq!(
        (err.kind.clone(), err.code.as_str()),
        (ErrorKind::NotFound, "40016")
    );
    assert!(err.request_id.is_some());
    let err = dt
        .legacy_set_group_nick(&app, &chat, &user(2999), "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
}

#[tokio::test]
async fn new_group_calls() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let app = demo_app();
    let dt = &up.dingtalk;

    let created = dt
        .create_group(&app, &new_group("new group"))
        .await
        .unwrap();
    assert!(
        created.request_id.is_some(),
        "from the x-acs-request-id header"
    );
    let created = created.value;
    let ocid = dt
        .open_conversation_id(&app, &created.chat_id)
        .await
        .unwrap();
    assert_eq!(Some(&ocid), created.open_conversation_id.as_ref());

    let update = GroupUpdate {
        add_members: users(10..=12),
        ..GroupUpdate::default()
    };
    assert!(
        dt.update_group(&app, &created.chat_id, &update)
            .await
            .unwrap()
            .value
    );
    assert!(
        dt.update_admins(&app, &ocid, &[user(2)], AdminChange::Add)
            .await
            .unwrap()
            .value
    );

    let base = dt.group_base_info(&app, &ocid).await.unwrap();
    assert_eq!(
        (base.title.as_str(), base.member_count),
        ("new group", Some(9))
    );

    let first = dt
        .group_members(&app, &ocid, &user(1), 5, None)
        .await
        .unwrap();
    assert_eq!(first.members.len(), 5);
    assert!(first.has_more);
    let rest = dt
        .group_members(&app, &ocid, &user(1), 5, first.next_token)
        .await
        .unwrap();
    assert_eq!(rest.members.len(), 4);
    assert!(rest.members.iter().all(|m| m.name.is_some()));

    let hits = dt.search_groups(&app, &user(1), "new", 10).await.unwrap();
    let hit = hits
        .iter()
        .find(|h| h.open_conversation_id == ocid)
        .unwrap();
    assert_eq!(hit.member_amount, Some(9), "memberAmount comes as a string");
    assert_eq!(base.tag, Some(2), "tag comes as a string");

    let unknown = OpenConversationId::parse("cidUnknown==").unwrap();
    let err = dt.group_base_info(&app, &unknown).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
    assert!(err.request_id.is_some());
}

#[tokio::test]
async fn directory_calls() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let app = demo_app();
    let dt = &up.dingtalk;

    let u = dt.user(&app, &user(1), DirectoryLang::EnUs).await.unwrap();
    assert_eq!(u.user_id, user(1));
    assert!(!u.name.is_empty() && !u.dept_ids.is_empty());
    let departments = dt.departments(&app, 1, DirectoryLang::ZhCn).await.unwrap();
    assert!(!departments.is_empty());
    let dept = departments[0].dept_id;
    let page = dt
        .department_users(&app, dept, 0, 100, DirectoryLang::ZhCn)
        .await
        .unwrap();
    assert!(!page.users.is_empty());
    let missing = dt
        .user(&app, &user(9999), DirectoryLang::ZhCn)
        .await
        .unwrap_err();
    assert_eq!(
        (missing.kind.clone(), missing.code.as_str()),
        (ErrorKind::NotFound, "60121")
    );

    let zh = dt.user(&app, &user(7), DirectoryLang::ZhCn).await.unwrap();
    let found = dt.search_users(&app, &zh.name, 0, 50, true).await.unwrap();
    assert!(found.user_ids.contains(&user(7)), "{found:?}");
    assert_eq!(found.total_count as usize, found.user_ids.len());
    let surname: String = zh.name.chars().take(1).collect();
    let page = dt
        .search_users(&app, &surname, 0, 500, false)
        .await
        .unwrap();
    assert_eq!(page.user_ids.len(), 50, "size is capped at 50");
    assert!(page.has_more && page.total_count > 50);
}

#[tokio::test]
async fn concurrent_callers_share_one_token_and_expiry_refetches_once() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let mut settings = settings(&sb);
    // The rate limit is not under test here.
    settings.dingtalk_rate.per_second = 10_000.0;
    settings.dingtalk_rate.burst = 10_000;
    let up = Arc::new(backend::upstream::Upstream::new(settings));
    let app = demo_app();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 1..=200 {
        let (up, app) = (up.clone(), app.clone());
        tasks.spawn(async move { up.dingtalk.user(&app, &user(n), DirectoryLang::ZhCn).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(sb.token_fetches(DEMO_APP_KEY), 1);

    sb.expire_tokens();
    for n in 1..=3 {
        up.dingtalk
            .user(&app, &user(n), DirectoryLang::ZhCn)
            .await
            .unwrap();
        up.dingtalk
            .group_base_info(
                &app,
                &OpenConversationId::parse(&sb.groups()[0].open_conversation_id).unwrap(),
            )
            .await
            .unwrap();
    }
    assert_eq!(sb.token_fetches(DEMO_APP_KEY), 2);
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_before_it_expires() {
    let mut config = SandboxConfig::demo();
    config.token_ttl = Duration::from_secs(2);
    let sb = sandbox(config).await;
    let up = clients(&sb);
    let app = demo_app();
    up.dingtalk
        .user(&app, &user(1), DirectoryLang::ZhCn)
        .await
        .unwrap();
    // Past 90% of the life (1.8 s), the next call fetches a new token.
    tokio::time::sleep(Duration::from_millis(1900)).await;
    up.dingtalk
        .user(&app, &user(1), DirectoryLang::ZhCn)
        .await
        .unwrap();
    assert_eq!(sb.token_fetches(DEMO_APP_KEY), 2);
}

#[tokio::test]
async fn wrong_secrets_and_missing_permissions_are_named() {
    let mut config = SandboxConfig::demo();
    config.dingtalk_apps.push(SandboxApp {
        app_key: "reader".into(),
        app_secret: "reader-secret".into(),
        permissions: vec![PERM_CHAT_READ.into()],
    });
    let sb = sandbox(config).await;
    let up = clients(&sb);

    let wrong = DingTalkApp {
        app_secret: "wrong".into(),
        ..demo_app()
    };
    let err = up
        .dingtalk
        .user(&wrong, &user(1), DirectoryLang::ZhCn)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthFailed, "{err:?}");
    assert_eq!(err.code, "invalidClientIdOrSecret");
    assert!(
        backend::error::ApiError::from(err)
            .to_string()
            .contains("refused the stored credentials")
    );

    let reader = DingTalkApp {
        app_key: "reader".into(),
        app_secret: "reader-secret".into(),
        site: DingTalkSite::International,
    };
    let err = up
        .dingtalk
        .create_group(&reader, &new_group("no rights"))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::PermissionDenied {
            permission: Some("qyapi_chat_manage".into())
        }
    );
    let err = up
        .dingtalk
        .user(&reader, &user(1), DirectoryLang::ZhCn)
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind.clone(), err.code.as_str()),
        (
            ErrorKind::PermissionDenied {
                permission: Some("qyapi_get_member".into())
            },
            "43007"
        )
    );
}
