//! Listing chat configurations across accounts and regions: one failing
//! region does not hide the others, labels come from chatdesk's database
//! on both engines, and the regions are asked in parallel.

use std::time::{Duration, Instant};

use crate::support::*;
use backend::chat_configs::service::{Account, list};
use backend::chat_configs::store;
use backend::db::Backend;
use backend::sandbox::{Fault, SandboxConfig};
use backend::testing::TestDb;
use shared::chat_configs::{
    ChatConfigList, ChatPlatform, ConfigName, Label, ListParams, RegionOutcome,
};

async fn account_row(db: &backend::db::Db) -> String {
    let id = backend::db::new_id();
    sqlx::query(
        "INSERT INTO alibaba_accounts \
         (id, name, secret_ciphertext, fingerprint, signature, regions, created_at, updated_at) \
         VALUES ($1, 'Sandbox', 'x', 'f', 'v3', 'cn-hangzhou', 0, 0)",
    )
    .bind(&id)
    .execute(db.pool())
    .await
    .unwrap();
    id
}

fn account(id: &str, regions: &[&str]) -> Account {
    Account {
        id: id.to_owned(),
        name: "Sandbox".into(),
        regions: regions.iter().map(|r| region(r)).collect(),
        acs: demo_key(),
    }
}

fn names(list: &ChatConfigList, region_id: &str) -> Vec<String> {
    let listing = list
        .regions
        .iter()
        .find(|r| r.region_id.as_str() == region_id)
        .unwrap();
    match &listing.outcome {
        RegionOutcome::Loaded { configs } => {
            configs.iter().map(|c| c.summary.name.to_string()).collect()
        }
        RegionOutcome::Failed { error } => panic!("{region_id} failed: {error:?}"),
    }
}

#[tokio::test]
async fn one_failing_region_is_reported_alone_and_labels_filter_on_both_engines() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let id = account_row(&t.db).await;
        let accounts = [account(&id, &["cn-hangzhou", "cn-shanghai"])];
        sb.faults()
            .set("ListChatConfigurations@cn-shanghai", Fault::no_permission());
        let all = list(&t.db, &up, &accounts, &ListParams::default())
            .await
            .unwrap();
        assert_eq!(all.regions.len(), 2);
        assert_eq!(
            names(&all, "cn-hangzhou").len(),
            3,
            "{backend:?}: the healthy region is listed"
        );
        let failed = all
            .regions
            .iter()
            .find(|r| r.region_id.as_str() == "cn-shanghai")
            .unwrap();
        let RegionOutcome::Failed { error } = &failed.outcome else {
            panic!("cn-shanghai should fail")
        };
        assert_eq!(error.code, "upstream_permission_denied");
        assert!(error.request_id.is_some(), "{error:?}");
        assert!(
            error.message.contains("oos:ListChatConfigurations"),
            "{}",
            error.message
        );
        sb.faults().clear();

        // Labels, kept here, come with the rows and filter them.
        let oncall = store::config_ref(
            &id,
            region("cn-hangzhou"),
            ConfigName::parse("oncall-dingtalk").unwrap(),
        );
        let mut tx = t.db.pool().begin().await.unwrap();
        store::set_labels(&mut tx, &oncall, &[Label::parse("值班").unwrap()])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let params = ListParams {
            label: Some("值班".into()),
            regions: Some("cn-hangzhou,cn-shanghai".into()),
            ..ListParams::default()
        };
        let labelled = list(&t.db, &up, &accounts, &params).await.unwrap();
        assert_eq!(names(&labelled, "cn-hangzhou"), ["oncall-dingtalk"]);
        assert!(names(&labelled, "cn-shanghai").is_empty());

        // Name and type go upstream as filters.
        let params = ListParams {
            name: Some("wecom".into()),
            platform: Some(ChatPlatform::WeChat),
            ..ListParams::default()
        };
        let wecom = list(&t.db, &up, &accounts, &params).await.unwrap();
        assert_eq!(names(&wecom, "cn-hangzhou"), ["release-wecom"]);
        assert_eq!(names(&wecom, "cn-shanghai"), ["finance-wecom"]);

        let bad = ListParams {
            regions: Some("cn-hangzhou,Bad Region".into()),
            ..ListParams::default()
        };
        let err = list(&t.db, &up, &accounts, &bad).await.unwrap_err();
        assert!(err.to_string().starts_with("regions:"), "{err}");
    }
}

#[tokio::test]
async fn regions_are_asked_in_parallel() {
    let sb = sandbox(SandboxConfig::demo()).await;
    let up = clients(&sb);
    let t = TestDb::fresh(Backend::Sqlite).await;
    let id = account_row(&t.db).await;
    let regions = backend::sandbox::TEN_REGIONS;
    let accounts = [account(&id, &regions)];
    let delay = Duration::from_millis(300);
    sb.faults()
        .set("ListChatConfigurations", Fault::latency(delay));
    let started = Instant::now();
    let all = list(&t.db, &up, &accounts, &ListParams::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(all.regions.len(), 10);
    assert!(
        all.regions
            .iter()
            .all(|r| matches!(r.outcome, RegionOutcome::Loaded { .. }))
    );
    // Sequential would take 10 x 300 ms.
    assert!(took < delay * 3, "took {took:?}");
}
