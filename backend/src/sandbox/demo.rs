//! The deterministic demo state: chat configurations in two regions, a
//! handful of robots, twenty groups (one at the 1,000-member cap, one
//! dismissed). Everything derives from fixed values, never from the clock.

use serde_json::{Map, json};
use time::OffsetDateTime;
use time::macros::datetime;

use super::dingtalk::directory::{Directory, USER_COUNT, userid};
use super::dingtalk::groups::{AdminRole, MAX_MEMBERS, NewGroup};
use super::oos::{ChatConfig, outputs_for};
use super::sas::Robot;
use super::state::World;
use crate::upstream::signing::hex_sha256;

/// (region, name, type, client id or corp id, secret).
const CHAT_CONFIGS: [(&str, &str, &str, &str, &str); 5] = [
    (
        "cn-hangzhou",
        "chatops-dingtalk",
        "DingTalk",
        "dingoa8demo1client",
        "demo-secret-hz-1",
    ),
    (
        "cn-hangzhou",
        "oncall-dingtalk",
        "DingTalk",
        "dingoa8demo2client",
        "demo-secret-hz-2",
    ),
    (
        "cn-hangzhou",
        "release-wecom",
        "WeChat",
        "ww0demo0corp0hz",
        "demo-secret-hz-3",
    ),
    (
        "cn-shanghai",
        "chatops-dingtalk",
        "DingTalk",
        "dingoa8demo3client",
        "demo-secret-sh-1",
    ),
    (
        "cn-shanghai",
        "finance-wecom",
        "WeChat",
        "ww0demo0corp0sh",
        "demo-secret-sh-2",
    ),
];

const ALERTS_ALL: &str = r#"[{"type":"sas_analysis_online-sas-operation-log-sas-event-suspicious","configItemList":[{"key":"item_level","valueList":["all"]},{"key":"event_type","valueList":["all"]}]}]"#;

/// (name, status, interval, language, ConfigList). One ConfigList carries
/// `valueList` as a string (the seed's own form), one is not a list at all
/// (a robot configured elsewhere that the console must still show).
const ROBOTS: [(&str, i64, i64, &str, &str); 6] = [
    (
        "漏洞通知",
        1,
        0,
        "zh",
        r#"[{"type":"sas_vul_notify","configItemList":[{"key":"type","valueList":["all"]},{"key":"vul_level","valueList":["asap","later"]}]}]"#,
    ),
    ("Security alerts", 1, 60, "en", ALERTS_ALL),
    (
        "AK 泄露告警",
        1,
        10,
        "zh",
        r#"[{"type":"sas_analysis_online-sas-operation-log-sas-event-suspicious","configItemList":[{"key":"item_level","valueList":"serious"}]}]"#,
    ),
    ("Weekly report", 1, 0, "en", ALERTS_ALL),
    ("旧告警机器人", 0, 30, "zh", ALERTS_ALL),
    (
        "Imported robot",
        1,
        0,
        "en",
        r#"{"type":"sas_vul_notify","items":"all"}"#,
    ),
];

/// (name, members). The owner is the first member.
const GROUPS: [(&str, usize); 20] = [
    ("全员大群", 1000),
    ("研发周会", 40),
    ("值班群", 12),
    ("前端组", 25),
    ("后端组", 30),
    ("旧项目群", 8),
    ("Release train", 15),
    ("SRE on-call", 10),
    ("产品评审", 20),
    ("市场活动", 50),
    ("销售华东", 80),
    ("销售华北", 60),
    ("客服一线", 100),
    ("财务报销答疑", 5),
    ("HR 通知", 300),
    ("法务咨询", 3),
    ("新人入职 2026", 41),
    ("Design guild", 7),
    ("安全应急响应", 12),
    ("Hackathon", 150),
];

/// The group demo data leaves dismissed, to show `status` 2.
pub const DISMISSED_GROUP: &str = "旧项目群";

const DEMO_START: OffsetDateTime = datetime!(2025-12-23 10:16:37 UTC);

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

pub fn seed(world: &mut World, directory: &Directory) {
    for (i, (region, name, kind, client, secret)) in CHAT_CONFIGS.iter().enumerate() {
        let mut configuration = Map::new();
        if *kind == "DingTalk" {
            configuration.insert("DingTalkClientId".into(), json!(client));
            configuration.insert("DingTalkClientSecret".into(), json!(secret));
            configuration.insert(
                "DingTalkTemplateId".into(),
                json!("381c5aee-f8af-48a4-94be-cce587e42ea4.schema"),
            );
        } else {
            configuration.insert("CorpId".into(), json!(client));
            configuration.insert("CorpSecret".into(), json!(secret));
            configuration.insert("AgentId".into(), json!("1000002"));
        }
        let seq = world.configs.next_seq();
        let created = DEMO_START + time::Duration::days(i as i64);
        world.configs.by_key.insert(
            ((*region).to_owned(), (*name).to_owned()),
            ChatConfig {
                name: (*name).to_owned(),
                kind: (*kind).to_owned(),
                ram_role: Some("OOSServiceRole".into()),
                configuration,
                resource_group_id: Some("rg-acfmxsn4m4demo".into()),
                created,
                updated: created + time::Duration::hours(3),
                outputs: outputs_for(region, name, seq),
            },
        );
    }

    for (i, (name, status, interval, lang, config_list)) in ROBOTS.iter().enumerate() {
        let created = DEMO_START + time::Duration::hours(i as i64 * 7);
        world.robots.insert(Robot {
            id: 0,
            name: (*name).to_owned(),
            url: format!(
                "https://oapi.dingtalk.com/robot/send?access_token={}",
                hex_sha256(format!("demo-robot-{i}").as_bytes())
            ),
            status: *status,
            config_list: (*config_list).to_owned(),
            group_id_list: if i % 2 == 0 {
                "123,456".into()
            } else {
                String::new()
            },
            lang: (*lang).to_owned(),
            interval_time: *interval,
            created_ms: millis(created),
            modified_ms: millis(created + time::Duration::minutes(5)),
            tests_sent: 0,
        });
    }

    for (i, (name, size)) in GROUPS.iter().enumerate() {
        // Spread the groups over the directory; wrap around its end.
        let start = if *size == MAX_MEMBERS {
            0
        } else {
            (i * 97) % USER_COUNT
        };
        let members: Vec<String> = (0..*size)
            .map(|k| userid((start + k) % USER_COUNT + 1))
            .collect();
        let owner = members[0].clone();
        let mut settings = [None; 6];
        settings[i % 6] = Some(1);
        let chatid = world
            .groups
            .seed(
                directory,
                NewGroup {
                    name: Some((*name).to_owned()),
                    owner: Some(owner),
                    members: members.clone(),
                    icon: Some(format!("@lADPsandboxIcon{i:02}")),
                    settings,
                    ..NewGroup::default()
                },
            )
            .expect("demo groups respect every limit");
        if members.len() >= 4 {
            world
                .groups
                .set_admins(&chatid, &members[1..3], AdminRole::Add)
                .expect("demo admins are members");
            world
                .groups
                .set_nick(&chatid, &members[1], "管理员")
                .expect("demo nick");
        }
        if *name == DISMISSED_GROUP {
            world.groups.dismiss(&chatid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::SandboxConfig;

    #[test]
    fn demo_is_deterministic_and_within_limits() {
        let config = SandboxConfig::demo();
        let dir = Directory::generate(config.seed);
        let [mut a, mut b] = [World::new(&config), World::new(&config)];
        seed(&mut a, &dir);
        seed(&mut b, &dir);
        assert_eq!(a.groups.len(), 20);
        let ids_a: Vec<_> = a.groups.iter().map(|g| g.chatid.clone()).collect();
        let ids_b: Vec<_> = b.groups.iter().map(|g| g.chatid.clone()).collect();
        assert_eq!(ids_a, ids_b);
        assert!(a.groups.iter().any(|g| g.members.len() == MAX_MEMBERS));
        assert_eq!(a.groups.iter().filter(|g| g.status == 2).count(), 1);
        assert_eq!(a.configs.by_key.len(), 5);
        assert_eq!(a.robots.by_id.len(), 6);
        for region in ["cn-hangzhou", "cn-shanghai"] {
            assert!(a.configs.by_key.keys().any(|(r, _)| r == region));
        }
    }
}
