//! Security Center 2018-12-03 DingTalk notification robots. SAS calls carry
//! no RegionId, so the sandbox keeps one robot list for every region.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::DEMO_ALI_UID;
use super::call::{AcsError, AcsResult, Params};

pub const ACTIONS: [&str; 7] = [
    "DescribeDingTalk",
    "CreateOrUpdateDingTalk",
    "ModifyDingTalkStatus",
    "DeleteDingTalk",
    "DingTalkOnlineTest",
    "DescribeDataSource",
    "DescribeGroupStruct",
];

pub const MAX_PAGE_SIZE: i64 = 100;

#[derive(Clone, Debug, PartialEq)]
pub struct Robot {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub status: i64,
    pub config_list: String,
    /// `"123,456"`, as DescribeDingTalk returns it.
    pub group_id_list: String,
    pub lang: String,
    pub interval_time: i64,
    pub created_ms: i64,
    pub modified_ms: i64,
    /// Test messages sent by DingTalkOnlineTest.
    pub tests_sent: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Robots {
    pub by_id: BTreeMap<i64, Robot>,
    next_id: i64,
    /// The account's Security Center edition is below Enterprise, which
    /// refuses ModifyDingTalkStatus (the documented 403 `NoPermission`).
    pub below_enterprise: bool,
}

impl Robot {
    fn to_json(&self) -> Value {
        json!({
            "Id": self.id,
            "ActionName": self.name,
            "Url": self.url,
            "Status": self.status,
            "ConfigList": self.config_list,
            "GroupIdList": self.group_id_list,
            "DingTalkLang": self.lang,
            "IntervalTime": self.interval_time,
            "AliUid": DEMO_ALI_UID,
            "GmtCreate": self.created_ms,
            "GmtModified": self.modified_ms,
        })
    }
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub fn call(
    robots: &mut Robots,
    now: OffsetDateTime,
    action: &str,
    p: &Params,
) -> AcsResult<Value> {
    match action {
        "DescribeDingTalk" => robots.describe(p),
        "CreateOrUpdateDingTalk" => robots.create_or_update(now, p).map(|_| json!({})),
        "ModifyDingTalkStatus" => {
            if robots.below_enterprise {
                return Err(AcsError::new(
                    StatusCode::FORBIDDEN,
                    "NoPermission",
                    "caller has no permission",
                ));
            }
            let status = match p.require("Status")? {
                "0" => 0,
                "1" => 1,
                _ => return Err(AcsError::invalid("Status", "must be 0 or 1")),
            };
            for id in robots.existing_ids(p)? {
                let robot = robots.by_id.get_mut(&id).expect("checked");
                robot.status = status;
                robot.modified_ms = millis(now);
            }
            Ok(json!({}))
        }
        "DeleteDingTalk" => {
            for id in robots.existing_ids(p)? {
                robots.by_id.remove(&id);
            }
            Ok(json!({}))
        }
        "DingTalkOnlineTest" => {
            let id = p.int("Id")?.ok_or_else(|| AcsError::missing("Id"))?;
            robots.get_mut(id)?.tests_sent += 1;
            Ok(json!({}))
        }
        "DescribeGroupStruct" => group_struct(p),
        _ => data_source(p),
    }
}

fn not_found(id: i64) -> AcsError {
    AcsError::new(
        StatusCode::NOT_FOUND,
        "EntityNotExists.DingTalk",
        format!("The notification robot {id} does not exist."),
    )
}

/// A JSON array carried as a string.
fn json_array(p: &Params, name: &str) -> AcsResult<Option<Vec<Value>>> {
    p.get(name)
        .map(|text| match serde_json::from_str(text) {
            Ok(Value::Array(items)) => Ok(items),
            _ => Err(AcsError::invalid(
                name,
                "must be a JSON array carried as a string",
            )),
        })
        .transpose()
}

impl Robots {
    pub fn insert(&mut self, mut robot: Robot) -> i64 {
        if robot.id == 0 {
            self.next_id += 1;
            robot.id = self.next_id;
        } else {
            self.next_id = self.next_id.max(robot.id);
        }
        let id = robot.id;
        self.by_id.insert(id, robot);
        id
    }

    fn get_mut(&mut self, id: i64) -> AcsResult<&mut Robot> {
        self.by_id.get_mut(&id).ok_or_else(|| not_found(id))
    }

    /// `Ids` as a comma-separated list, all of which must exist (so nothing
    /// is half-applied).
    fn existing_ids(&self, p: &Params) -> AcsResult<Vec<i64>> {
        let ids = p
            .require("Ids")?
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| AcsError::invalid("Ids", format!("{s:?} is not a robot id")))
            })
            .collect::<AcsResult<Vec<i64>>>()?;
        if let Some(id) = ids.iter().find(|id| !self.by_id.contains_key(id)) {
            return Err(not_found(*id));
        }
        Ok(ids)
    }

    /// Newest first (by Id), filtered by a substring of the name.
    fn describe(&self, p: &Params) -> AcsResult<Value> {
        let page = p.int("CurrentPage")?.unwrap_or(1);
        let size = p.int("PageSize")?.unwrap_or(20);
        if page < 1 {
            return Err(AcsError::invalid("CurrentPage", "must be 1 or more"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(AcsError::invalid("PageSize", "must be 1-100"));
        }
        let filter = p.get("RuleActionName").map(str::to_lowercase);
        let matching: Vec<&Robot> = self
            .by_id
            .values()
            .rev()
            .filter(|r| {
                filter
                    .as_ref()
                    .is_none_or(|f| r.name.to_lowercase().contains(f))
            })
            .collect();
        let skip = usize::try_from((page - 1) * size).unwrap_or(usize::MAX);
        let items: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(usize::try_from(size).unwrap_or(0))
            .map(|r| r.to_json())
            .collect();
        Ok(json!({
            "PageInfo": {"CurrentPage": page, "PageSize": size, "TotalCount": matching.len(), "Count": items.len()},
            "ActionList": items,
        }))
    }

    fn create_or_update(&mut self, now: OffsetDateTime, p: &Params) -> AcsResult<i64> {
        let name = p.require("RuleActionName")?;
        if !(2..=64).contains(&name.chars().count()) {
            return Err(AcsError::invalid(
                "RuleActionName",
                "must be 2-64 characters",
            ));
        }
        let url = p.require("SendUrl")?;
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => {}
            _ => {
                return Err(AcsError::invalid(
                    "SendUrl",
                    "must be an https:// webhook URL",
                ));
            }
        }
        let interval = p.int("IntervalTime")?.unwrap_or(0);
        if interval < 0 {
            return Err(AcsError::invalid(
                "IntervalTime",
                "must be 0 (unlimited) or more",
            ));
        }
        let lang = p.get("DingTalkLang").unwrap_or("zh");
        if !matches!(lang, "zh" | "en") {
            return Err(AcsError::invalid("DingTalkLang", "must be zh or en"));
        }
        let config_list = json_array(p, "ConfigList")?;
        let group_ids = json_array(p, "GroupIdList")?
            .map(|items| {
                items
                    .iter()
                    .map(|v| match v {
                        Value::Number(n) => Ok(n.to_string()),
                        Value::String(s) if s.parse::<i64>().is_ok() => Ok(s.clone()),
                        _ => Err(AcsError::invalid("GroupIdList", "must hold group ids")),
                    })
                    .collect::<AcsResult<Vec<String>>>()
            })
            .transpose()?;
        let mut robot = match p.int("Id")? {
            Some(id) => self.get_mut(id)?.clone(),
            None => Robot {
                id: 0,
                name: String::new(),
                url: String::new(),
                status: 1,
                config_list: "[]".into(),
                group_id_list: String::new(),
                lang: String::new(),
                interval_time: 0,
                created_ms: millis(now),
                modified_ms: 0,
                tests_sent: 0,
            },
        };
        robot.name = name.to_owned();
        robot.url = url.to_owned();
        robot.interval_time = interval;
        robot.lang = lang.to_owned();
        robot.modified_ms = millis(now);
        if let Some(list) = config_list {
            robot.config_list = Value::Array(list).to_string();
        }
        if let Some(ids) = group_ids {
            robot.group_id_list = ids.join(",");
        }
        Ok(self.insert(robot))
    }
}

/// `Lang`: `zh` (the default) or `en`.
fn english(p: &Params) -> AcsResult<bool> {
    match p.get("Lang").unwrap_or("zh") {
        "zh" => Ok(false),
        "en" => Ok(true),
        _ => Err(AcsError::invalid("Lang", "must be zh or en")),
    }
}

/// A ConfigList type of DescribeDataSource: (DataSourceId, DataSourceName,
/// Description zh/en, fields).
type SourceSpec = (i64, &'static str, [&'static str; 2], &'static [FieldSpec]);
/// (Filed, FiledName zh/en, allowed values as (value, zh, en)).
type FieldSpec = (
    &'static str,
    [&'static str; 2],
    &'static [(&'static str, &'static str, &'static str)],
);

const LEVELS: &[(&str, &str, &str)] = &[
    ("all", "全部", "All"),
    ("serious", "紧急", "Urgent"),
    ("suspicious", "可疑", "Suspicious"),
    ("remind", "提醒", "Reminder"),
];

const SOURCES: &[SourceSpec] = &[
    (
        1753,
        "sas_analysis_online-sas-operation-log-sas-event-suspicious",
        ["安全告警", "Security alerts"],
        &[
            ("item_level", ["告警等级", "Alert level"], LEVELS),
            (
                "event_type",
                ["告警类型", "Alert type"],
                &[
                    ("all", "全部", "All"),
                    ("webshell", "网站后门", "Web shell"),
                    ("malicious_process", "恶意进程", "Malicious process"),
                ],
            ),
        ],
    ),
    (
        1754,
        "sas_vul_notify",
        ["漏洞", "Vulnerabilities"],
        &[
            (
                "type",
                ["漏洞类型", "Vulnerability type"],
                &[
                    ("all", "全部", "All"),
                    ("cms", "Web-CMS 漏洞", "Web CMS"),
                    ("oval", "Linux 软件漏洞", "Linux software"),
                    ("sys", "Windows 系统漏洞", "Windows system"),
                    ("emg", "应急漏洞", "Emergency"),
                ],
            ),
            (
                "vul_level",
                ["漏洞等级", "Vulnerability level"],
                &[
                    ("all", "全部", "All"),
                    ("asap", "高", "High"),
                    ("later", "中", "Medium"),
                    ("nntf", "低", "Low"),
                ],
            ),
        ],
    ),
    (
        1760,
        "sas_weekly_report",
        ["安全周报", "Weekly report"],
        &[(
            "report_type",
            ["周报类型", "Report type"],
            &[("all", "全部", "All")],
        )],
    ),
];

/// DescribeDataSource: the choices behind ConfigList, in the SDK model's
/// shape (`Filed` is how the API spells it). `Sample` lists the allowed
/// values as `value:label` pairs joined by `;`.
fn data_source(p: &Params) -> AcsResult<Value> {
    let config_type = p.require("ConfigType")?;
    if config_type != "DingTalk" {
        return Err(AcsError::invalid("ConfigType", "must be DingTalk"));
    }
    let en = usize::from(english(p)?);
    let metas: Vec<Value> = SOURCES
        .iter()
        .map(|(id, name, description, fields)| {
            let fields: Vec<Value> = fields
                .iter()
                .map(|(filed, label, values)| {
                    let sample = values
                        .iter()
                        .map(|(v, zh, english)| format!("{v}:{}", [zh, english][en]))
                        .collect::<Vec<_>>()
                        .join(";");
                    let operator = ["属于", "is one of"][en];
                    json!({
                        "Filed": filed,
                        "FiledName": label[en],
                        "Sample": sample,
                        "ValueType": "string",
                        "OperatorList": [
                            {"Name": "in", "Description": operator},
                        ],
                    })
                })
                .collect();
            json!({
                "DataSourceId": id,
                "DataSourceName": name,
                "Description": description[en],
                "MetaDataFields": fields,
            })
        })
        .collect();
    Ok(json!({ "MetaDatas": metas }))
}

/// One asset group of the demo tree.
struct GroupSpec {
    id: i64,
    names: [&'static str; 2],
    /// `GroupFlag`: 0 for the default group.
    flag: i64,
    machines: i64,
    children: &'static [GroupSpec],
}

const fn group(
    id: i64,
    names: [&'static str; 2],
    flag: i64,
    machines: i64,
    children: &'static [GroupSpec],
) -> GroupSpec {
    GroupSpec {
        id,
        names,
        flag,
        machines,
        children,
    }
}

/// The demo's asset groups; 123 and 456 are the ones demo robots name.
const ASSET_GROUPS: &[GroupSpec] = &[
    group(100, ["未分组", "Ungrouped"], 0, 4, &[]),
    group(
        123,
        ["生产环境", "Production"],
        1,
        12,
        &[
            group(124, ["生产-华东", "Production East"], 1, 8, &[]),
            group(125, ["生产-华北", "Production North"], 1, 4, &[]),
        ],
    ),
    group(456, ["测试环境", "Staging"], 1, 6, &[]),
];

fn group_json(spec: &GroupSpec, father: i64, index: usize, level: i64, en: usize) -> Value {
    let children: Vec<Value> = spec
        .children
        .iter()
        .enumerate()
        .map(|(i, child)| group_json(child, spec.id, i, level + 1, en))
        .collect();
    json!({
        "GroupId": spec.id,
        "GroupName": spec.names[en],
        "GroupFather": father,
        "GroupFlag": spec.flag,
        "GroupIndex": index,
        "GroupLevel": level,
        "MachineNum": spec.machines,
        "Groups": children,
    })
}

/// DescribeGroupStruct: the asset group tree behind GroupIdList.
fn group_struct(p: &Params) -> AcsResult<Value> {
    let en = usize::from(english(p)?);
    let groups: Vec<Value> = ASSET_GROUPS
        .iter()
        .enumerate()
        .map(|(i, g)| group_json(g, 0, i, 1, en))
        .collect();
    Ok(json!({ "Groups": groups }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(robots: &mut Robots, name: &str) -> i64 {
        robots
            .create_or_update(
                OffsetDateTime::UNIX_EPOCH,
                &Params::of(&[
                    ("RuleActionName", name),
                    (
                        "SendUrl",
                        "https://oapi.dingtalk.com/robot/send?access_token=x",
                    ),
                    ("GroupIdList", "[1,\"2\"]"),
                ]),
            )
            .unwrap()
    }

    #[test]
    fn create_update_status_delete() {
        let mut robots = Robots::default();
        let a = create(&mut robots, "alerts");
        let b = create(&mut robots, "vulns");
        assert_eq!((a, b), (1, 2));
        assert_eq!(robots.by_id[&a].group_id_list, "1,2");
        let now = OffsetDateTime::UNIX_EPOCH;
        let p = Params::of(&[
            ("Id", "1"),
            ("RuleActionName", "renamed"),
            (
                "SendUrl",
                "https://oapi.dingtalk.com/robot/send?access_token=y",
            ),
        ]);
        assert_eq!(robots.create_or_update(now, &p).unwrap(), 1);
        assert_eq!(robots.by_id[&1].name, "renamed");
        assert_eq!(
            robots.by_id[&1].group_id_list, "1,2",
            "untouched when not sent"
        );
        // One unknown id: nothing changes.
        let err = call(
            &mut robots,
            now,
            "ModifyDingTalkStatus",
            &Params::of(&[("Ids", "1,9"), ("Status", "0")]),
        )
        .unwrap_err();
        assert_eq!(err.code, "EntityNotExists.DingTalk");
        assert_eq!(robots.by_id[&1].status, 1);
        call(
            &mut robots,
            now,
            "ModifyDingTalkStatus",
            &Params::of(&[("Ids", "1,2"), ("Status", "0")]),
        )
        .unwrap();
        assert!(robots.by_id.values().all(|r| r.status == 0));
        call(
            &mut robots,
            now,
            "DeleteDingTalk",
            &Params::of(&[("Ids", "1, 2")]),
        )
        .unwrap();
        assert!(robots.by_id.is_empty());
        // Ids are never reused.
        assert_eq!(create(&mut robots, "again"), 3);
    }

    #[test]
    fn name_length_is_checked_in_characters() {
        let mut robots = Robots::default();
        let now = OffsetDateTime::UNIX_EPOCH;
        for (name, ok) in [
            ("a", false),
            ("漏洞", true),
            (&"x".repeat(64)[..], true),
            (&"x".repeat(65)[..], false),
        ] {
            let p = Params::of(&[("RuleActionName", name), ("SendUrl", "https://h/x")]);
            assert_eq!(robots.create_or_update(now, &p).is_ok(), ok, "{name}");
        }
    }
}
