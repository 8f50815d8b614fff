//! Security Center notification robots: the domain logic as plain
//! functions over the SAS client, so handlers stay thin and every rule is
//! testable against the sandbox. The webhook URL is a secret throughout:
//! it travels only inside [`RobotWrite`] and [`StoredRobot`].

pub mod http;
mod service;
pub mod store;

pub use http::routes;

use std::collections::HashMap;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::ids::RegionId;
use shared::robots::{
    DEFAULT_PAGE_SIZE, IntervalUnit, MAX_PAGE_SIZE, MaskedUrl, Robot, RobotChanges, RobotId,
    RobotInput, RobotName, RobotScopes, SendInterval,
};
use shared::validate::{InvalidField, Problem};

use crate::upstream::acs::AcsCredentials;
use crate::upstream::error::UpstreamError;
use crate::upstream::sas::{RobotWrite, SasClient, StoredRobot, StoredRobotPage};
use crate::upstream::signing::hex_sha256;

/// Fields of [`audit_view`] that the audit diff reports only as changed or
/// unchanged.
pub const SECRET_FIELDS: &[&str] = &["webhook"];

/// A robot as the audit trail and the edit preview compare it. The webhook
/// is reduced to a digest, so even the compared value is no token; `url`
/// is the masked form every user sees.
fn audit_view(robot: &Robot, webhook: &SecretString, enabled: Option<bool>) -> Value {
    let mut view = json!({
        "name": robot.name,
        "url": MaskedUrl::mask(webhook.expose_secret()),
        "lang": robot.lang,
        "interval": robot.interval,
        "interval_unit": robot.interval_unit,
        "scopes": serde_json::to_value(&robot.scopes).unwrap_or(Value::Null),
        "webhook": hex_sha256(webhook.expose_secret().as_bytes()),
    });
    if let Some(enabled) = enabled {
        view["enabled"] = json!(enabled);
    }
    view
}

/// The audit view of a robot read from upstream: what a delete removes.
pub fn stored_view(r: &StoredRobot) -> Value {
    audit_view(&r.robot, &r.send_url, Some(r.robot.enabled))
}

/// The audit view of what a save sends. A create's robot has no state
/// before, so only what it is sent shows; an edit keeps `existing`'s
/// status, which a save does not change.
pub fn write_view(w: &RobotWrite, unit: Option<IntervalUnit>, existing: Option<&Robot>) -> Value {
    let robot = Robot {
        id: w.id.unwrap_or(RobotId(0)),
        name: w.name.to_string(),
        webhook: MaskedUrl::mask(w.send_url.expose_secret()),
        enabled: existing.is_none_or(|e| e.enabled),
        scopes: RobotScopes::Known {
            rules: w.rules.clone(),
            group_ids: w.group_ids.clone(),
        },
        lang: w.lang,
        interval: w.interval_time,
        interval_unit: unit,
        ali_uid: None,
        created: None,
        modified: None,
    };
    audit_view(&robot, &w.send_url, existing.map(|e| e.enabled))
}

/// Where robot calls go: one account's credentials and the region whose
/// Security Center host serves it.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    pub sas: &'a SasClient,
    pub credentials: &'a AcsCredentials,
    pub region: &'a RegionId,
}

/// The region for an account's Security Center calls: its first region
/// (SAS has no RegionId; the region only picks the host), else Shanghai.
pub fn sas_region(regions: &[RegionId]) -> RegionId {
    regions
        .first()
        .cloned()
        .unwrap_or_else(|| RegionId::parse("cn-shanghai").expect("a valid region"))
}

/// A page request: pages from 1, sizes 1 to [`MAX_PAGE_SIZE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub size: u32,
}

impl PageRequest {
    pub fn parse(page: Option<u32>, size: Option<u32>) -> Result<PageRequest, InvalidField> {
        let page = page.unwrap_or(1);
        let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page < 1 {
            return Err(InvalidField::new("page", "must be 1 or more"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(InvalidField::new(
                "page_size",
                format!("must be 1 to {MAX_PAGE_SIZE}"),
            ));
        }
        Ok(PageRequest { page, size })
    }
}

/// One page, optionally filtered by (part of) the name.
pub async fn list(
    t: Target<'_>,
    page: PageRequest,
    name: Option<&str>,
) -> Result<StoredRobotPage, UpstreamError> {
    t.sas
        .list(t.credentials, t.region, page.page, page.size, name)
        .await
}

/// Puts the recorded interval units on robots read from upstream.
pub fn with_units(
    robots: impl IntoIterator<Item = Robot>,
    units: &std::collections::HashMap<RobotId, IntervalUnit>,
) -> Vec<Robot> {
    robots
        .into_iter()
        .map(|mut r| {
            r.interval_unit = units.get(&r.id).copied();
            r
        })
        .collect()
}

/// Walks every page of a listing (filtered by `name` when given), handing
/// each to `seen`, until it answers that it has what it needs.
async fn scan(
    t: Target<'_>,
    name: Option<&str>,
    mut seen: impl FnMut(&[StoredRobot]) -> bool,
) -> Result<(), UpstreamError> {
    let mut page = 1;
    loop {
        let answer = t
            .sas
            .list(t.credentials, t.region, page, MAX_PAGE_SIZE, name)
            .await?;
        if seen(&answer.robots) {
            return Ok(());
        }
        let read = u64::from(page) * u64::from(MAX_PAGE_SIZE);
        if answer.robots.is_empty() || read >= answer.page.total_count {
            return Ok(());
        }
        page += 1;
    }
}

/// The robot named exactly `name`; with several, the newest (highest Id),
/// which is the one a create just made. The filter upstream may match more
/// than the exact name, hence the check here.
pub async fn find_by_name(
    t: Target<'_>,
    name: &RobotName,
) -> Result<Option<StoredRobot>, UpstreamError> {
    let mut best: Option<StoredRobot> = None;
    scan(t, Some(name.as_str()), |robots| {
        for r in robots.iter().filter(|r| r.robot.name == name.as_str()) {
            if best.as_ref().is_none_or(|b| b.robot.id < r.robot.id) {
                best = Some(r.clone());
            }
        }
        false
    })
    .await?;
    Ok(best)
}

/// The robot with `id` (DescribeDingTalk has no id filter: every page is
/// read until it shows up).
pub async fn find_by_id(t: Target<'_>, id: RobotId) -> Result<Option<StoredRobot>, UpstreamError> {
    Ok(find_many(t, &[id]).await?.remove(&id))
}

/// The robots among `ids` that exist, in one walk over the pages (a bulk
/// action records each one's state before it changes it).
pub async fn find_many(
    t: Target<'_>,
    ids: &[RobotId],
) -> Result<HashMap<RobotId, StoredRobot>, UpstreamError> {
    let mut found = HashMap::new();
    scan(t, None, |robots| {
        for r in robots.iter().filter(|r| ids.contains(&r.robot.id)) {
            found.insert(r.robot.id, r.clone());
        }
        ids.iter().all(|id| found.contains_key(id))
    })
    .await?;
    Ok(found)
}

/// What a create sends: every field as given; the webhook is required.
pub fn create_write(input: &RobotInput) -> Result<RobotWrite, InvalidField> {
    let webhook = input
        .webhook
        .as_ref()
        .ok_or_else(|| InvalidField::new("webhook", "is required").because(Problem::Required))?;
    Ok(RobotWrite {
        id: None,
        name: input.name.clone(),
        send_url: webhook.expose().into(),
        interval_time: i64::from(input.interval.amount()),
        rules: input.rules.clone(),
        group_ids: input.group_ids.clone(),
        lang: Some(input.lang),
    })
}

/// What an edit sends, and the interval unit to record (`None` keeps the
/// recorded one, if any).
#[derive(Debug)]
pub struct Edit {
    pub write: RobotWrite,
    pub unit: Option<IntervalUnit>,
}

/// An edit of `existing`: what `changes` leaves out is sent as it is
/// stored (the service replaces every field it is sent, ConfigList and
/// GroupIdList included). Scopes that could not be read cannot be sent
/// back, so an edit of such a robot must choose them again.
pub fn edit_write(changes: &RobotChanges, existing: &StoredRobot) -> Result<Edit, InvalidField> {
    let robot = &existing.robot;
    let name = match &changes.name {
        Some(name) => name.clone(),
        None => RobotName::parse(&robot.name).map_err(|e| {
            InvalidField::new(
                "name",
                format!("the stored name {}: give a new one", e.message),
            )
            .because(e.problem)
        })?,
    };
    let send_url = match &changes.webhook {
        Some(given) => given.expose().into(),
        None => existing.send_url.clone(),
    };
    let unit = changes.interval_unit.or(robot.interval_unit);
    let interval_time = if changes.interval.is_some() || changes.interval_unit.is_some() {
        let unit = unit.ok_or_else(|| {
            InvalidField::new(
                "interval_unit",
                "this robot was set up outside chatdesk: choose seconds or minutes",
            )
            .because(Problem::Required)
        })?;
        let amount = changes.interval.unwrap_or(robot.interval);
        i64::from(SendInterval::parse(amount, unit)?.amount())
    } else {
        robot.interval
    };
    let (rules, group_ids) = match (&robot.scopes, &changes.rules, &changes.group_ids) {
        (_, Some(rules), Some(groups)) => (rules.clone(), groups.clone()),
        (RobotScopes::Known { rules, group_ids }, given_rules, given_groups) => (
            given_rules.clone().unwrap_or_else(|| rules.clone()),
            given_groups.clone().unwrap_or_else(|| group_ids.clone()),
        ),
        (RobotScopes::Unreadable { .. }, rules, _) => {
            let field = if rules.is_none() {
                "rules"
            } else {
                "group_ids"
            };
            return Err(InvalidField::new(
                field,
                "Security Center returned this robot's scopes in a form chatdesk cannot read: \
                 choose its alert scopes and asset groups again to save it",
            )
            .because(Problem::Required));
        }
    };
    Ok(Edit {
        write: RobotWrite {
            id: Some(robot.id),
            name,
            send_url,
            interval_time,
            rules,
            group_ids,
            lang: changes.lang.or(robot.lang),
        },
        unit: changes.interval_unit.or(changes.interval.and(unit)),
    })
}

/// The ids of a bulk action: at least one, no repeats (order kept).
pub fn bulk_ids(ids: &[RobotId]) -> Result<Vec<RobotId>, InvalidField> {
    let mut unique: Vec<RobotId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if unique.is_empty() {
        return Err(InvalidField::new("ids", "choose at least one robot"));
    }
    if unique.len() > usize::try_from(MAX_PAGE_SIZE).unwrap_or(usize::MAX) {
        return Err(InvalidField::new(
            "ids",
            format!("at most {MAX_PAGE_SIZE} robots at once"),
        ));
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Backend;
    use crate::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, Sandbox, SandboxConfig};
    use crate::testing::TestDb;
    use crate::upstream::acs::SignatureKind;
    use crate::upstream::http::Endpoints;
    use crate::upstream::{Upstream, UpstreamSettings};
    use secrecy::ExposeSecret;
    use shared::robots::{RobotLang, ScopeItem, ScopeRule, WebhookUrl};

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
}
