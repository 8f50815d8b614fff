//! Security Center notification robots: the domain logic as plain
//! functions over the SAS client, so handlers stay thin and every rule is
//! testable against the sandbox. The webhook URL is a secret throughout:
//! it travels only inside [`RobotWrite`] and [`StoredRobot`].

pub mod http;
pub mod store;

pub use http::routes;

use std::future::Future;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::api::ErrorBody;
use shared::chat_configs::RegionId;
use shared::robots::{
    DEFAULT_PAGE_SIZE, IntervalUnit, MAX_PAGE_SIZE, Robot, RobotId, RobotInput, RobotName,
    RobotOutcome,
};
use shared::validate::InvalidField;

use crate::upstream::acs::AcsCredentials;
use crate::upstream::error::UpstreamError;
use crate::upstream::sas::{RobotWrite, SasClient, StoredRobot, StoredRobotPage};
use crate::upstream::signing::hex_sha256;

/// Fields of [`audit_view`] that the audit diff reports only as changed or
/// unchanged.
pub const SECRET_FIELDS: &[&str] = &["webhook"];

/// A robot as the audit trail and the edit preview compare it. The webhook
/// is reduced to a digest, so even the compared value is no token.
fn audit_view(
    name: &str,
    lang: Option<shared::robots::RobotLang>,
    interval: i64,
    unit: Option<IntervalUnit>,
    scopes: Value,
    webhook: &SecretString,
) -> Value {
    json!({
        "name": name,
        "lang": lang,
        "interval": interval,
        "interval_unit": unit,
        "scopes": scopes,
        "webhook": hex_sha256(webhook.expose_secret().as_bytes()),
    })
}

/// The audit view of a robot read from upstream.
pub fn stored_view(r: &StoredRobot) -> Value {
    audit_view(
        &r.robot.name,
        r.robot.lang,
        r.robot.interval,
        r.robot.interval_unit,
        serde_json::to_value(&r.robot.scopes).unwrap_or(Value::Null),
        &r.send_url,
    )
}

/// The audit view of what a save sends.
pub fn write_view(w: &RobotWrite, unit: IntervalUnit) -> Value {
    let scopes = shared::robots::RobotScopes::Known {
        rules: w.rules.clone(),
        group_ids: w.group_ids.clone(),
    };
    audit_view(
        w.name.as_str(),
        w.lang,
        w.interval_time,
        Some(unit),
        serde_json::to_value(&scopes).unwrap_or(Value::Null),
        &w.send_url,
    )
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

/// Walks every page of a listing (filtered by `name` when given) until
/// `pick` chooses a robot.
async fn scan(
    t: Target<'_>,
    name: Option<&str>,
    mut pick: impl FnMut(&[StoredRobot]) -> Option<StoredRobot>,
) -> Result<Option<StoredRobot>, UpstreamError> {
    let mut page = 1;
    loop {
        let answer = t
            .sas
            .list(t.credentials, t.region, page, MAX_PAGE_SIZE, name)
            .await?;
        if let Some(found) = pick(&answer.robots) {
            return Ok(Some(found));
        }
        let seen = u64::from(page) * u64::from(MAX_PAGE_SIZE);
        if answer.robots.is_empty() || seen >= answer.page.total_count {
            return Ok(None);
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
        None
    })
    .await?;
    Ok(best)
}

/// The robot with `id` (DescribeDingTalk has no id filter: every page is
/// read until it shows up).
pub async fn find_by_id(t: Target<'_>, id: RobotId) -> Result<Option<StoredRobot>, UpstreamError> {
    scan(t, None, |robots| {
        robots.iter().find(|r| r.robot.id == id).cloned()
    })
    .await
}

/// What a create or update sends. On update, no webhook keeps the stored
/// one; on create one is required.
pub fn write_for(
    input: &RobotInput,
    existing: Option<&StoredRobot>,
) -> Result<RobotWrite, InvalidField> {
    let send_url: SecretString = match (&input.webhook, existing) {
        (Some(given), _) => given.expose().into(),
        (None, Some(existing)) => existing.send_url.clone(),
        (None, None) => return Err(InvalidField::new("webhook", "is required")),
    };
    Ok(RobotWrite {
        id: existing.map(|e| e.robot.id),
        name: input.name.clone(),
        send_url,
        interval_time: i64::from(input.interval.amount()),
        rules: input.rules.clone(),
        group_ids: input.group_ids.clone(),
        lang: Some(input.lang),
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

/// Runs `action` for each robot on its own, one after another: one failure
/// neither hides the others' results nor undoes what succeeded.
pub async fn each<F, Fut, E>(ids: &[RobotId], mut action: F) -> Vec<RobotOutcome>
where
    F: FnMut(RobotId) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Into<ErrorBody>,
{
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let error = action(*id).await.err().map(Into::into);
        results.push(RobotOutcome { id: *id, error });
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Backend;
    use crate::db::testing::TestDb;
    use crate::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, Sandbox, SandboxConfig};
    use crate::upstream::acs::SignatureKind;
    use crate::upstream::http::Endpoints;
    use crate::upstream::{Upstream, UpstreamSettings};
    use secrecy::ExposeSecret;
    use shared::robots::{RobotLang, ScopeItem, ScopeRule, SendInterval, WebhookUrl};

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
        let write = write_for(&input("new robot", Some(&url)), None).unwrap();
        let view = write_view(&write, IntervalUnit::Minutes);
        let text = view.to_string();
        assert!(!text.contains(TOKEN), "{text}");
        assert_eq!(view["interval_unit"], "minutes");
        let changes = crate::audit::diff(&Value::Null, &view, SECRET_FIELDS);
        let webhook = changes.iter().find(|c| c.field == "webhook").unwrap();
        assert!(webhook.after.is_none() && webhook.secret.is_some());
    }

    #[test]
    fn writes_keep_or_replace_the_webhook() {
        let url = format!("https://oapi.dingtalk.com/robot/send?access_token={TOKEN}");
        let created = write_for(&input("new robot", Some(&url)), None).unwrap();
        assert_eq!(created.send_url.expose_secret(), url);
        assert_eq!(created.interval_time, 5);
        assert_eq!(
            write_for(&input("new robot", None), None)
                .unwrap_err()
                .field,
            "webhook"
        );
        let existing = StoredRobot {
            robot: Robot {
                id: RobotId(9),
                name: "old".into(),
                webhook: shared::robots::MaskedUrl::mask(&url),
                enabled: true,
                scopes: shared::robots::RobotScopes::Unreadable { reason: "x".into() },
                lang: None,
                interval: 0,
                interval_unit: None,
                ali_uid: None,
                created: None,
                modified: None,
            },
            send_url: "https://oapi.dingtalk.com/robot/send?access_token=kept".into(),
        };
        let kept = write_for(&input("renamed", None), Some(&existing)).unwrap();
        assert_eq!(kept.id, Some(RobotId(9)));
        assert!(kept.send_url.expose_secret().ends_with("=kept"));
    }

    #[tokio::test]
    async fn each_reports_every_robot() {
        let results = each(&[RobotId(1), RobotId(2), RobotId(3)], |id| async move {
            if id == RobotId(2) {
                Err(ErrorBody {
                    code: "upstream_not_found".into(),
                    message: "gone".into(),
                    field: None,
                    problem: None,
                    request_id: Some("R-2".into()),
                    trace_id: None,
                })
            } else {
                Ok(())
            }
        })
        .await;
        let failed: Vec<i64> = results
            .iter()
            .filter(|r| r.error.is_some())
            .map(|r| r.id.0)
            .collect();
        assert_eq!(failed, [2]);
        assert_eq!(results.len(), 3);
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
            let write = write_for(&input(&format!("bulk {n:03}"), Some(&url)), None).unwrap();
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
