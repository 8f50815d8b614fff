//! The robots' rules, and finding robots in the sandbox's pages.

use super::plan::*;
use super::service::{Target, find_by_id, find_by_name};
use super::store;
use crate::db::Backend;
use crate::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, Sandbox, SandboxConfig};
use crate::testing::TestDb;
use crate::upstream::acs::{AcsCredentials, SignatureKind};
use crate::upstream::http::Endpoints;
use crate::upstream::sas::StoredRobot;
use crate::upstream::{Upstream, UpstreamSettings};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shared::robots::{
    IntervalUnit, Robot, RobotChanges, RobotId, RobotInput, RobotLang, RobotName, RobotScopes,
    ScopeItem, ScopeRule, SendInterval, WebhookUrl,
};
use shared::validate::Problem;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn credentials() -> AcsCredentials {
    AcsCredentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
        security_token: None,
        signature: SignatureKind::V3,
    }
}

fn input(name: &str, webhook: Option<&str>) -> RobotInput {
    RobotInput {
        name: RobotName::parse(name).unwrap(),
        webhook: webhook.map(|w| WebhookUrl::parse(w).unwrap()),
        lang: RobotLang::En,
        interval: SendInterval::parse(5, IntervalUnit::Minutes).unwrap(),
        rules: vec![ScopeRule {
            source: "sas_vul_notify".into(),
            items: vec![ScopeItem {
                field: "vul_level".into(),
                values: vec!["asap".into()],
            }],
        }],
        group_ids: vec![123],
    }
}

#[test]
fn pages_and_ids_are_checked() {
    assert_eq!(
        PageRequest::parse(None, None).unwrap(),
        PageRequest { page: 1, size: 20 }
    );
    assert_eq!(PageRequest::parse(Some(0), None).unwrap_err().field, "page");
    assert_eq!(
        PageRequest::parse(None, Some(101)).unwrap_err().field,
        "page_size"
    );
    assert_eq!(
        bulk_ids(&[RobotId(2), RobotId(1), RobotId(2)]).unwrap(),
        vec![RobotId(2), RobotId(1)]
    );
    assert_eq!(bulk_ids(&[]).unwrap_err().field, "ids");
    assert_eq!(sas_region(&[]).as_str(), "cn-shanghai");
}

#[test]
fn audit_views_never_hold_the_token() {
    let url = format!("https://oapi.dingtalk.com/robot/send?access_token={TOKEN}");
    let write = create_write(&input("new robot", Some(&url))).unwrap();
    let view = write_view(&write, Some(IntervalUnit::Minutes), None);
    let text = view.to_string();
    assert!(!text.contains(TOKEN), "{text}");
    assert_eq!(view["interval_unit"], "minutes");
    assert_eq!(
        view["url"],
        "https://oapi.dingtalk.com/robot/send?access_token=***"
    );
    let changes = crate::audit::diff(&Value::Null, &view, SECRET_FIELDS);
    let webhook = changes.iter().find(|c| c.field == "webhook").unwrap();
    assert!(webhook.after.is_none() && webhook.secret.is_some());
}

fn stored(scopes: RobotScopes, unit: Option<IntervalUnit>) -> StoredRobot {
    let url = "https://oapi.dingtalk.com/robot/send?access_token=kept";
    StoredRobot {
        robot: Robot {
            id: RobotId(9),
            name: "old name".into(),
            webhook: shared::robots::MaskedUrl::mask(url),
            enabled: true,
            scopes,
            lang: Some(RobotLang::Zh),
            interval: 30,
            interval_unit: unit,
            ali_uid: None,
            created: None,
            modified: None,
        },
        send_url: url.into(),
    }
}

fn known() -> RobotScopes {
    RobotScopes::Known {
        rules: input("x robot", None).rules,
        group_ids: vec![123, 456],
    }
}

fn changes(json: Value) -> RobotChanges {
    RobotChanges::parse(serde_json::from_value(json).unwrap()).unwrap()
}

#[test]
fn creates_need_a_webhook() {
    let url = format!("https://oapi.dingtalk.com/robot/send?access_token={TOKEN}");
    let created = create_write(&input("new robot", Some(&url))).unwrap();
    assert_eq!(created.send_url.expose_secret(), url);
    assert_eq!(created.interval_time, 5);
    assert_eq!(created.id, None);
    let err = create_write(&input("new robot", None)).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.problem),
        ("webhook", Problem::Required)
    );
}

#[test]
fn an_edit_sends_what_it_leaves_out_as_it_is() {
    let existing = stored(known(), None);
    let edit = edit_write(&changes(json!({"name": "renamed"})), &existing).unwrap();
    let w = &edit.write;
    assert_eq!((w.id, w.name.as_str()), (Some(RobotId(9)), "renamed"));
    assert!(w.send_url.expose_secret().ends_with("=kept"));
    assert_eq!(w.rules, input("x robot", None).rules, "scopes kept");
    assert_eq!(w.group_ids, [123, 456]);
    assert_eq!((w.lang, w.interval_time), (Some(RobotLang::Zh), 30));
    assert_eq!(edit.unit, None, "no unit needed, none recorded");
    // Only the name differs in the audit diff.
    let after = write_view(w, existing.robot.interval_unit, Some(&existing.robot));
    let diff = crate::audit::diff(&stored_view(&existing), &after, SECRET_FIELDS);
    let changed: Vec<&str> = diff
        .iter()
        .filter(|c| c.secret.is_none())
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(changed, ["name"]);

    let cleared = edit_write(&changes(json!({"group_ids": []})), &existing).unwrap();
    assert!(cleared.write.group_ids.is_empty() && !cleared.write.rules.is_empty());
    // A new amount needs a unit: the recorded one, or one given.
    let err = edit_write(&changes(json!({"interval": 10})), &existing).unwrap_err();
    assert_eq!(err.field, "interval_unit");
    let minutes = stored(known(), Some(IntervalUnit::Minutes));
    let edit = edit_write(&changes(json!({"interval": 10})), &minutes).unwrap();
    assert_eq!(
        (edit.write.interval_time, edit.unit),
        (10, Some(IntervalUnit::Minutes))
    );
    let err = edit_write(&changes(json!({"interval": 5000})), &minutes).unwrap_err();
    assert_eq!(err.field, "interval");
}

#[test]
fn unreadable_scopes_are_chosen_again_not_wiped() {
    let existing = stored(RobotScopes::Unreadable { reason: "x".into() }, None);
    let err = edit_write(&changes(json!({"name": "renamed"})), &existing).unwrap_err();
    assert_eq!(err.field, "rules");
    let err = edit_write(&changes(json!({"rules": []})), &existing).unwrap_err();
    assert_eq!(err.field, "group_ids");
    let both = changes(json!({"rules": [], "group_ids": [1]}));
    assert_eq!(edit_write(&both, &existing).unwrap().write.group_ids, [1]);
}

#[tokio::test]
async fn create_then_find_by_name_and_by_id() {
    let sandbox = Sandbox::start("127.0.0.1:0".parse().unwrap(), SandboxConfig::demo())
        .await
        .unwrap();
    let upstream = Upstream::new(UpstreamSettings::new(Endpoints::single(
        &sandbox.base_url(),
    )));
    let credentials = credentials();
    let region = sas_region(&[]);
    let t = Target {
        sas: &upstream.sas,
        credentials: &credentials,
        region: &region,
    };
    // Enough robots for several pages of 100, two sharing a name prefix.
    let url = format!("https://oapi.dingtalk.com/robot/send?access_token={TOKEN}");
    for n in 0..105 {
        let write = create_write(&input(&format!("bulk {n:03}"), Some(&url))).unwrap();
        upstream
            .sas
            .save(t.credentials, t.region, &write)
            .await
            .unwrap();
    }
    let name = RobotName::parse("bulk 00").unwrap();
    assert!(
        find_by_name(t, &name).await.unwrap().is_none(),
        "exact names only"
    );
    let name = RobotName::parse("bulk 004").unwrap();
    let found = find_by_name(t, &name).await.unwrap().unwrap();
    assert_eq!(found.robot.name, "bulk 004");
    // The oldest demo robot sits on the last page of 100.
    let first = find_by_id(t, RobotId(1)).await.unwrap().unwrap();
    assert_eq!(first.robot.name, "漏洞通知");
    assert!(find_by_id(t, RobotId(9999)).await.unwrap().is_none());
}

#[tokio::test]
async fn interval_units_are_stored_per_account_on_every_backend() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        sqlx::query(
            "INSERT INTO alibaba_accounts \
             (id, name, secret_ciphertext, fingerprint, signature, regions, created_at, updated_at) \
             VALUES ('a1', 'one', 'x', 'f', 'v3', '', 0, 0)",
        )
        .execute(t.db.pool())
        .await
        .unwrap();
        store::set_interval_unit(&t.db, "a1", RobotId(7), IntervalUnit::Seconds)
            .await
            .unwrap();
        store::set_interval_unit(&t.db, "a1", RobotId(7), IntervalUnit::Minutes)
            .await
            .unwrap();
        store::set_interval_unit(&t.db, "a1", RobotId(8), IntervalUnit::Seconds)
            .await
            .unwrap();
        let units = store::interval_units(&t.db, "a1").await.unwrap();
        assert_eq!(units.len(), 2, "{backend:?}");
        assert_eq!(units[&RobotId(7)], IntervalUnit::Minutes);
        store::forget(&t.db, "a1", RobotId(7)).await.unwrap();
        let units = store::interval_units(&t.db, "a1").await.unwrap();
        assert!(!units.contains_key(&RobotId(7)));
        assert!(store::interval_units(&t.db, "a2").await.unwrap().is_empty());
        // Units go with their account.
        sqlx::query("DELETE FROM alibaba_accounts WHERE id = 'a1'")
            .execute(t.db.pool())
            .await
            .unwrap();
        assert!(store::interval_units(&t.db, "a1").await.unwrap().is_empty());
    }
}
