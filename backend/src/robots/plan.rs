//! The robots' rules as pure functions: what a create or an edit sends
//! (an edit sends back what it leaves out, as stored), how the audit trail
//! and the preview see a robot (the webhook only as a digest), and what a
//! page or bulk request may ask. The webhook URL is a secret throughout: it
//! travels only inside [`RobotWrite`] and [`StoredRobot`].

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use shared::ids::RegionId;
use shared::robots::{
    DEFAULT_PAGE_SIZE, IntervalUnit, MAX_PAGE_SIZE, MaskedUrl, Robot, RobotChanges, RobotId,
    RobotInput, RobotName, RobotScopes, SendInterval,
};
use shared::validate::{InvalidField, Problem};

use crate::upstream::sas::{RobotWrite, StoredRobot};
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
