//! `/api/v1/robots` against the built-in sandbox, on SQLite and PostgreSQL:
//! paging, filtering, create then find, update keeping the webhook, scope
//! choices, bulk actions with one failure, the test message, an unreadable
//! ConfigList, upstream errors, roles. Every response, log line and audit
//! record of the suite is scanned for robot access tokens (the log capture
//! is the process-wide subscriber, shared by the binary's tests).

use std::sync::Mutex;

use crate::support::*;
use axum::http::{Method, StatusCode};
use backend::db::Backend;
use backend::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use backend::upstream::acs::{AcsCredentials, SignatureKind};
use backend::upstream::http::Endpoints;
use backend::upstream::sas::RobotWrite;
use backend::upstream::{Upstream, UpstreamSettings};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shared::chat_configs::RegionId;
use shared::robots::{RobotLang, RobotName};

/// The tokens the suite sends; none may ever come back.
const TOKENS: [&str; 3] = [
    "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6abcd",
    "ffee0011ffee0011ffee0011ffee0011ffee0011ffee0011ffee0011ffee0011",
    "0000aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666777788889999",
];

fn webhook(i: usize) -> String {
    format!(
        "https://oapi.dingtalk.com/robot/send?access_token={}",
        TOKENS[i]
    )
}

/// The demo robots' own tokens (the sandbox seeds them): secrets too.
fn demo_tokens() -> Vec<String> {
    (0..6)
        .map(|i| backend::upstream::signing::hex_sha256(format!("demo-robot-{i}").as_bytes()))
        .collect()
}

fn logs() -> crate::support::capture::Captured {
    crate::support::capture::Captured::global()
}

/// A server, its admin, and every response it gave (for the final scan).
struct Robots {
    server: Server,
    admin: Signed,
    account: String,
    sandbox: String,
    seen: Mutex<Vec<String>>,
}

impl Robots {
    /// The robot `name` as the sandbox holds it, seen behind the console's
    /// back: what the last upstream call really set.
    async fn held(&self, name: &str) -> shared::robots::Robot {
        let (up, key, region) = self.upstream();
        let page = up.sas.list(&key, &region, 1, 20, Some(name)).await.unwrap();
        page.robots
            .into_iter()
            .find(|r| r.robot.name == name)
            .unwrap_or_else(|| panic!("{name} upstream"))
            .robot
    }

    /// The audit events of `action`, intents and outcomes, newest first.
    async fn events(&self, action: &str) -> Vec<Value> {
        let events = self
            .get(&format!("/audit/events?action={action}"), None)
            .await;
        assert_eq!(events.status, StatusCode::OK, "{}", events.raw);
        events.body["events"].as_array().unwrap().clone()
    }

    async fn start(backend: Backend) -> Robots {
        logs();
        let server = Server::start(backend).await;
        let admin = server.sign_in("admin").await;
        let sandbox = server.sandbox_url.clone().expect("the sandbox stands in");
        let mut robots = Robots {
            server,
            admin,
            account: String::new(),
            sandbox,
            seen: Mutex::new(Vec::new()),
        };
        let mut all = robots.get("/robots", None).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.raw);
        if all.body.as_array().unwrap().is_empty() {
            // Before the first start stored a sandbox account itself.
            let body = json!({
                "name": "Sandbox account",
                "access_key_id": DEMO_ACCESS_KEY_ID,
                "access_key_secret": DEMO_ACCESS_KEY_SECRET,
                "regions": ["cn-shanghai"],
            });
            let made = robots
                .call(Method::POST, "/credentials/alibaba", None, Some(body))
                .await;
            assert!(made.status.is_success(), "{}", made.raw);
            all = robots.get("/robots", None).await;
        }
        robots.account = all.body[0]["account_id"].as_str().unwrap().to_owned();
        robots
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        who: Option<&Signed>,
        body: Option<Value>,
    ) -> Reply {
        let body = body.map(|b| b.to_string());
        let reply = self
            .server
            .send(
                method,
                path,
                Some(who.unwrap_or(&self.admin)),
                body.as_deref(),
            )
            .await;
        self.seen.lock().unwrap().push(reply.raw.clone());
        reply
    }

    async fn get(&self, path: &str, who: Option<&Signed>) -> Reply {
        self.call(Method::GET, path, who, None).await
    }

    fn path(&self, rest: &str) -> String {
        format!("/robots/{}{rest}", self.account)
    }

    async fn fault(&self, operation: &str, kind: Value) {
        let mut rule = json!({ "operation": operation });
        for (k, v) in kind.as_object().unwrap() {
            rule[k] = v.clone();
        }
        let res = reqwest::Client::new()
            .post(format!("{}/__sandbox/faults", self.sandbox))
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    async fn clear_faults(&self) {
        reqwest::Client::new()
            .delete(format!("{}/__sandbox/faults", self.sandbox))
            .send()
            .await
            .unwrap();
    }

    /// The sandbox as a client sees it, behind the console's back.
    fn upstream(&self) -> (Upstream, AcsCredentials, RegionId) {
        let key = AcsCredentials {
            access_key_id: DEMO_ACCESS_KEY_ID.into(),
            access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
            security_token: None,
            signature: SignatureKind::V3,
        };
        let up = Upstream::new(UpstreamSettings::new(Endpoints::single(&self.sandbox)));
        (up, key, RegionId::parse("cn-shanghai").unwrap())
    }

    /// Creates robots straight in the sandbox (no audit, no console).
    async fn seed(&self, names: impl IntoIterator<Item = String>) {
        let (up, key, region) = self.upstream();
        for name in names {
            let write = RobotWrite {
                id: None,
                name: RobotName::parse(&name).unwrap(),
                send_url: webhook(2).into(),
                interval_time: 0,
                rules: Vec::new(),
                group_ids: Vec::new(),
                lang: Some(RobotLang::Zh),
            };
            up.sas.save(&key, &region, &write).await.unwrap();
        }
    }

    /// The webhook the sandbox holds for the robot named `name`.
    async fn held_webhook(&self, name: &str) -> String {
        let (up, key, region) = self.upstream();
        let page = up.sas.list(&key, &region, 1, 20, Some(name)).await.unwrap();
        page.robots[0].send_url.expose_secret().to_owned()
    }

    async fn page(&self, query: &str) -> Value {
        let reply = self.get(&self.path(&format!("?{query}")), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
        reply.body
    }

    /// Every audit record, as exported.
    async fn audit(&self) -> String {
        let reply = self.get("/audit/export?format=jsonl", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
        reply.raw
    }

    /// Scans every response, the audit trail and the logs for tokens.
    async fn assert_no_token_leaked(&self) {
        let audit = self.audit().await;
        let responses = self.seen.lock().unwrap().join("\n");
        let logs = logs().text();
        assert!(logs.contains("upstream"), "the log capture works");
        assert!(!responses.is_empty() && audit.contains("session.sign_in"));
        let mut secrets: Vec<String> = TOKENS.iter().map(|t| (*t).to_owned()).collect();
        secrets.extend(demo_tokens());
        for token in &secrets {
            assert!(
                !responses.contains(token.as_str()),
                "a response holds {token}"
            );
            assert!(
                !audit.contains(token.as_str()),
                "the audit trail holds {token}"
            );
            assert!(!logs.contains(token.as_str()), "the logs hold {token}");
        }
    }
}

fn names(page: &Value) -> Vec<String> {
    page["robots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn paging_filtering_and_every_account() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        // GET with no parameters: the first page of every account.
        let all = r.get("/robots", None).await;
        let first = &all.body[0];
        let first = &first["result"]["page"];
        assert_eq!(first["page"]["total_count"], 6, "{}", all.raw);
        assert_eq!(first["page"]["current_page"], 1);
        for robot in first["robots"].as_array().unwrap() {
            assert_eq!(
                robot["webhook"],
                "https://oapi.dingtalk.com/robot/send?access_token=***"
            );
        }

        r.seed((0..44).map(|i| format!("paged {i:02}"))).await;
        let page1 = r.page("page=1&page_size=20").await;
        let page2 = r.page("page=2&page_size=20").await;
        let page3 = r.page("page=3&page_size=20").await;
        let past = r.page("page=4&page_size=20").await;
        assert_eq!(page1["page"]["total_count"], 50);
        assert_eq!(names(&page1).len(), 20);
        assert_eq!(names(&page2).len(), 20);
        assert_eq!(names(&page3).len(), 10, "the last page");
        assert!(names(&past).is_empty(), "past the end");
        assert_eq!(past["page"]["total_count"], 50);
        assert_eq!(names(&page1)[0], "paged 43", "newest first");
        assert_eq!(names(&page3).last().unwrap(), "漏洞通知");
        let mut all_names = [names(&page1), names(&page2), names(&page3)].concat();
        all_names.sort();
        all_names.dedup();
        assert_eq!(all_names.len(), 50, "no robot twice, none missing");

        let filtered = r.page("name=paged%201").await;
        assert_eq!(filtered["page"]["total_count"], 10);
        assert!(names(&filtered).iter().all(|n| n.starts_with("paged 1")));

        for (query, field) in [
            ("page=0", "page"),
            ("page=x", "page"),
            ("page_size=101", "page_size"),
        ] {
            let reply = r.get(&r.path(&format!("?{query}")), None).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(reply.body["field"], field);
        }
        let missing = r.get("/robots/no-such-account", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.raw);
        r.assert_no_token_leaked().await;
    }
}

#[tokio::test]
async fn an_unreadable_config_list_does_not_hide_the_page() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let page = r.page("").await;
        let robots = page["robots"].as_array().unwrap();
        assert_eq!(robots.len(), 6);
        let imported = robots
            .iter()
            .find(|x| x["name"] == "Imported robot")
            .unwrap();
        assert!(
            imported["scopes"]["unreadable"]["reason"].is_string(),
            "{imported}"
        );
        let string_form = robots.iter().find(|x| x["name"] == "AK 泄露告警").unwrap();
        assert_eq!(
            string_form["scopes"]["known"]["rules"][0]["items"][0]["values"],
            json!(["serious"])
        );
        r.assert_no_token_leaked().await;
    }
}

/// The choices of DescribeDataSource and the groups of DescribeGroupStruct
/// drive the form; what is chosen there comes back from the robot.
#[tokio::test]
async fn create_find_update_keeping_the_webhook() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let choices = r.get(&r.path("/choices?lang=en"), None).await;
        assert_eq!(choices.status, StatusCode::OK, "{}", choices.raw);
        let source = &choices.body["sources"][1];
        assert_eq!(source["label"], "Vulnerabilities");
        let field = &source["fields"][1];
        assert_eq!(field["label"], "Vulnerability level");
        let values: Vec<Value> = field["values"].as_array().unwrap()[1..3]
            .iter()
            .map(|v| v["value"].clone())
            .collect();
        let bad = r.get(&r.path("/choices?lang=fr"), None).await;
        assert_eq!(bad.body["field"], "lang", "{}", bad.raw);
        let groups = r.get(&r.path("/groups?lang=en"), None).await;
        assert_eq!(groups.status, StatusCode::OK, "{}", groups.raw);
        let production = &groups.body["groups"][1];
        assert_eq!(production["name"], "Production");
        let east = &production["children"][0];
        assert_eq!(east["name"], "Production East");

        let rules = json!([{
            "source": source["name"],
            "items": [{"field": field["key"], "values": values}],
        }]);
        let input = |name: &str, webhook: Option<String>| {
            let mut body = json!({
                "name": name,
                "lang": "en",
                "interval": 10,
                "interval_unit": "minutes",
                "rules": rules,
                "group_ids": [east["id"], groups.body["groups"][2]["id"]],
            });
            if let Some(w) = webhook {
                body["webhook"] = json!(w);
            }
            body
        };

        // Bad input names the field; nothing is created.
        for (body, field) in [
            (input("x", Some(webhook(0))), "name"),
            (
                input("robot one", Some("https://example.com/hook".into())),
                "webhook",
            ),
            (input("robot one", None), "webhook"),
        ] {
            let reply = r.call(Method::POST, &r.path(""), None, Some(body)).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                reply.raw
            );
            assert_eq!(reply.body["field"], field, "{}", reply.raw);
        }
        assert_eq!(r.page("").await["page"]["total_count"], 6);

        let created = r
            .call(
                Method::POST,
                &r.path(""),
                None,
                Some(input("robot one", Some(webhook(0)))),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.raw);
        let robot = &created.body["robot"];
        let id = robot["id"].as_i64().unwrap();
        assert_eq!(id, 7, "found by name after the create");
        assert_eq!(
            robot["scopes"]["known"]["rules"], rules,
            "scopes round-trip"
        );
        assert_eq!(robot["scopes"]["known"]["group_ids"], json!([124, 456]));
        assert_eq!(robot["interval"], 10);
        assert_eq!(robot["interval_unit"], "minutes");
        assert_eq!(robot["enabled"], true);

        // The preview says what an edit changes; the webhook only as unchanged.
        let edit = input("robot renamed", None);
        let preview = r
            .call(
                Method::POST,
                &r.path(&format!("/{id}/preview")),
                None,
                Some(edit.clone()),
            )
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.raw);
        let changes = preview.body.as_array().unwrap();
        assert!(changes.iter().any(|c| c["field"] == "name"
            && c["before"] == "\"robot one\""
            && c["after"] == "\"robot renamed\""));
        let secret = changes.iter().find(|c| c["field"] == "webhook").unwrap();
        assert_eq!(secret, &json!({"field": "webhook", "secret": "unchanged"}));

        let updated = r
            .call(Method::PUT, &r.path(&format!("/{id}")), None, Some(edit))
            .await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.raw);
        assert_eq!(updated.body["robot"]["name"], "robot renamed");
        // The sandbox still holds the first webhook.
        assert_eq!(r.held_webhook("robot renamed").await, webhook(0));

        // A new webhook replaces it, reported only as changed.
        let replaced = r
            .call(
                Method::PUT,
                &r.path(&format!("/{id}")),
                None,
                Some(input("robot renamed", Some(webhook(1)))),
            )
            .await;
        assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.raw);
        assert_eq!(r.held_webhook("robot renamed").await, webhook(1));
        let audit = r.audit().await;
        assert!(audit.contains("robot.create") && audit.contains("robot.update"));
        assert!(audit.contains("\"changed\""), "the webhook as changed");

        let missing = r
            .call(
                Method::PUT,
                &r.path("/999"),
                None,
                Some(input("ghost robot", None)),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.raw);
        r.assert_no_token_leaked().await;
    }
}

fn outcomes(reply: &Reply) -> Vec<(i64, Option<String>)> {
    reply.body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", reply.raw))
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().parse().unwrap(),
                o["error"]["code"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn bulk_actions_report_each_robot() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let status = |ids: Value, enabled: bool| json!({"ids": ids, "enabled": enabled});
        let reply = r
            .call(
                Method::POST,
                &r.path("/status"),
                None,
                Some(status(json!([1, 999, 2]), false)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
        assert_eq!(
            outcomes(&reply),
            vec![
                (1, None),
                (999, Some("upstream_not_found".into())),
                (2, None)
            ]
        );
        assert!(reply.body["results"][1]["error"]["request_id"].is_string());
        let page = r.page("").await;
        let enabled = |id: i64| {
            page["robots"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == id)
                .map(|x| x["enabled"].as_bool().unwrap())
        };
        assert_eq!(
            (enabled(1), enabled(2), enabled(3)),
            (Some(false), Some(false), Some(true))
        );

        // Below the Enterprise edition, the refusal is said in words.
        reqwest::Client::new()
            .post(format!("{}/__sandbox/sas/edition", r.sandbox))
            .json(&json!({"enterprise": false}))
            .send()
            .await
            .unwrap();
        let refused = r
            .call(
                Method::POST,
                &r.path("/status"),
                None,
                Some(status(json!([3]), false)),
            )
            .await;
        let error = &refused.body["results"][0]["error"];
        assert_eq!(error["code"], "edition_required", "{}", refused.raw);
        assert!(error["message"].as_str().unwrap().contains("Enterprise"));
        assert!(error["request_id"].is_string());

        let deleted = r
            .call(
                Method::POST,
                &r.path("/delete"),
                None,
                Some(json!({"ids": [3, 998, 4]})),
            )
            .await;
        assert_eq!(
            outcomes(&deleted),
            vec![
                (3, None),
                (998, Some("upstream_not_found".into())),
                (4, None)
            ]
        );
        assert_eq!(r.page("").await["page"]["total_count"], 4);
        let empty = r
            .call(
                Method::POST,
                &r.path("/delete"),
                None,
                Some(json!({"ids": []})),
            )
            .await;
        assert_eq!(empty.body["field"], "ids");

        // One audit outcome per robot, failures included.
        let events = r.get("/audit/events?action=robot.delete", None).await;
        let ids: Vec<String> = events.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["outcome"] != "intent")
            .map(|e| {
                e["target"]["id"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        for id in ["3", "998", "4"] {
            assert_eq!(ids.iter().filter(|i| *i == id).count(), 1, "{}", events.raw);
        }
        r.assert_no_token_leaked().await;
    }
}

#[tokio::test]
async fn test_message_is_sent_not_delivered() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let sent = r.call(Method::POST, &r.path("/2/test"), None, None).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.raw);
        assert_eq!(sent.body, json!({"sent": true}));
        let gone = r.call(Method::POST, &r.path("/999/test"), None, None).await;
        assert_eq!(gone.body["code"], "upstream_not_found");
        assert!(r.audit().await.contains("robot.test_message"));
        r.assert_no_token_leaked().await;
    }
}

#[tokio::test]
async fn upstream_errors_show_code_and_request_id() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        r.fault("DescribeDingTalk", json!({"kind": "no_permission"}))
            .await;
        let denied = r.get(&r.path(""), None).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.raw);
        assert_eq!(denied.body["code"], "upstream_permission_denied");
        assert!(
            denied.body["message"]
                .as_str()
                .unwrap()
                .contains("NoPermission")
        );
        assert!(denied.body["request_id"].is_string());
        // The overview reports the account's error in its place.
        let all = r.get("/robots", None).await;
        assert_eq!(all.status, StatusCode::OK);
        assert_eq!(
            all.body[0]["result"]["error"]["code"],
            "upstream_permission_denied"
        );

        r.clear_faults().await;
        r.fault(
            "DescribeDingTalk",
            json!({"kind": "error_rate", "rate": 1.0}),
        )
        .await;
        let failed = r.get(&r.path(""), None).await;
        assert_eq!(
            failed.body["code"], "upstream_unavailable",
            "{}",
            failed.raw
        );
        assert!(
            failed.body["message"]
                .as_str()
                .unwrap()
                .contains("ServerError")
        );
        assert!(failed.body["request_id"].is_string());

        r.clear_faults().await;
        r.fault(
            "DingTalkOnlineTest",
            json!({"kind": "throttle", "retry_after_secs": 120}),
        )
        .await;
        let busy = r.call(Method::POST, &r.path("/1/test"), None, None).await;
        assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS, "{}", busy.raw);
        assert_eq!(busy.body["code"], "upstream_throttled");
        assert!(
            busy.body["message"]
                .as_str()
                .unwrap()
                .contains("Throttling")
        );
        assert!(busy.body["request_id"].is_string());
        r.assert_no_token_leaked().await;
    }
}

#[tokio::test]
async fn helpdesk_and_auditors_read_with_masked_webhooks() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        for role in ["helpdesk", "auditor"] {
            let who = r.server.sign_in(role).await;
            let page = r.get(&r.path(""), Some(&who)).await;
            assert_eq!(page.status, StatusCode::OK);
            for robot in page.body["robots"].as_array().unwrap() {
                assert!(
                    robot["webhook"]
                        .as_str()
                        .unwrap()
                        .ends_with("access_token=***")
                );
            }
            let choices = r.get(&r.path("/choices"), Some(&who)).await;
            assert_eq!(choices.status, StatusCode::OK);
            for (method, path, body) in [
                (Method::POST, r.path(""), json!({})),
                (Method::PUT, r.path("/1"), json!({})),
                (
                    Method::POST,
                    r.path("/status"),
                    json!({"ids": [1], "enabled": false}),
                ),
                (Method::POST, r.path("/delete"), json!({"ids": [1]})),
                (Method::POST, r.path("/1/test"), json!({})),
                (Method::POST, r.path("/1/preview"), json!({})),
            ] {
                let reply = r.call(method, &path, Some(&who), Some(body)).await;
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role} {path}");
            }
        }
        assert_eq!(
            r.page("").await["page"]["total_count"],
            6,
            "nothing changed"
        );
        r.assert_no_token_leaked().await;
    }
}

/// The event that records a change's before and after (the intent, or
/// the one entry that joins it with its outcome).
fn has_changes(event: &Value) -> bool {
    event["changes"].as_array().is_some_and(|c| !c.is_empty())
}

/// A scope choice the sandbox offers and two asset groups it has.
fn offered_rules() -> Value {
    json!([{"source": "sas_vul_notify",
        "items": [{"field": "vul_level", "values": ["asap", "later"]}]}])
}

fn created_body(name: &str) -> Value {
    json!({
        "name": name, "webhook": webhook(0), "lang": "en", "interval": 10,
        "interval_unit": "minutes", "rules": offered_rules(), "group_ids": [124, 456],
    })
}

/// A field an edit leaves out stays as it is, in the upstream call and in
/// the audit diff: a rename sends the stored scopes, language and interval.
#[tokio::test]
async fn an_edit_leaves_out_what_it_does_not_name() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let created = r
            .call(
                Method::POST,
                &r.path(""),
                None,
                Some(created_body("patch me")),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.raw);
        let id = created.body["robot"]["id"].as_i64().unwrap();
        let before = r.held("patch me").await;
        // The create's outcome names the robot the service made.
        let creates = r.events("robot.create").await;
        let target = format!("{}/{id}", r.account);
        assert!(
            creates
                .iter()
                .any(|e| e["target"]["id"] == target.as_str() && e["request_id"].is_string()),
            "{creates:?}"
        );

        let renamed = r
            .call(
                Method::PUT,
                &r.path(&format!("/{id}")),
                None,
                Some(json!({"name": "patched"})),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.raw);
        let after = r.held("patched").await;
        assert_eq!(
            after.scopes, before.scopes,
            "ConfigList and GroupIdList kept"
        );
        assert_eq!((after.lang, after.interval), (before.lang, before.interval));
        assert_eq!(renamed.body["robot"]["interval_unit"], "minutes");
        assert_eq!(r.held_webhook("patched").await, webhook(0));
        let update = r
            .events("robot.update")
            .await
            .into_iter()
            .find(has_changes)
            .unwrap();
        let fields: Vec<&str> = update["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["secret"].is_null())
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name"], "{update}");

        // Asset groups alone: the alert scopes stay.
        let groups = r
            .call(
                Method::PUT,
                &r.path(&format!("/{id}")),
                None,
                Some(json!({"group_ids": [456]})),
            )
            .await;
        assert_eq!(groups.status, StatusCode::OK, "{}", groups.raw);
        let shown = &groups.body["robot"]["scopes"]["known"];
        assert_eq!(shown["rules"], offered_rules());
        assert_eq!(shown["group_ids"], json!([456]));
        r.assert_no_token_leaked().await;
    }
}

/// Choices are checked before anything is sent: each refusal names its
/// field, and an input the service can never accept is no "try again".
#[tokio::test]
async fn choices_are_checked_before_any_change() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let huge = "x".repeat(60 * 1024);
        let with = |rules: Value, groups: Value| {
            let mut body = created_body("checked robot");
            body["rules"] = rules;
            body["group_ids"] = groups;
            body
        };
        let cases = [
            (
                with(json!([{"source": huge, "items": []}]), json!([])),
                "rules[0].source",
                "length",
            ),
            (
                with(json!([{"source": "no_such_type", "items": []}]), json!([])),
                "rules[0].source",
                "unknown",
            ),
            (
                with(
                    json!([{"source": "sas_vul_notify",
                        "items": [{"field": "vul_level", "values": ["asap", "never"]}]}]),
                    json!([]),
                ),
                "rules[0].items[0].values[1]",
                "unknown",
            ),
            (
                with(offered_rules(), json!([124, 99999])),
                "group_ids[1]",
                "unknown",
            ),
        ];
        for (body, field, problem) in cases {
            let reply = r.call(Method::POST, &r.path(""), None, Some(body)).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                reply.raw
            );
            assert_eq!(
                reply.body["field"],
                field,
                "{}",
                &reply.raw[..reply.raw.len().min(300)]
            );
            assert_eq!(reply.body["problem"]["kind"], problem, "{field}");
            assert!(reply.raw.len() < 2000, "the input is not echoed");
        }
        // The same on an edit, and nothing was created or changed.
        let bad = json!({"rules": [{"source": huge, "items": []}]});
        let reply = r.call(Method::PUT, &r.path("/1"), None, Some(bad)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            &reply.raw[..300.min(reply.raw.len())]
        );
        assert_eq!(reply.body["field"], "rules[0].source");
        assert_eq!(r.page("").await["page"]["total_count"], 6);
        assert!(r.events("robot.create").await.is_empty());
        assert!(r.events("robot.update").await.is_empty());

        // A request too long to be sent at all is refused as such, at once,
        // not retried as if the service were down.
        let (up, key, region) = r.upstream();
        let started = std::time::Instant::now();
        let err = up
            .sas
            .list(&key, &region, 1, 20, Some(&"y".repeat(70_000)))
            .await
            .unwrap_err();
        assert_eq!(
            err.kind,
            backend::upstream::error::ErrorKind::Rejected,
            "{err}"
        );
        assert!(!err.retryable && !err.reached_server);
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
        r.assert_no_token_leaked().await;
    }
}

/// One robot has its own address: read it, delete it.
#[tokio::test]
async fn one_robot_reads_and_deletes_at_its_address() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let one = r.get(&r.path("/2"), None).await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.raw);
        assert_eq!(one.body["id"], 2);
        assert!(
            one.body["webhook"]
                .as_str()
                .unwrap()
                .ends_with("access_token=***")
        );
        let name = one.body["name"].as_str().unwrap().to_owned();
        assert_eq!(
            r.get(&r.path("/999"), None).await.status,
            StatusCode::NOT_FOUND
        );
        for role in ["helpdesk", "auditor"] {
            let who = r.server.sign_in(role).await;
            assert_eq!(
                r.get(&r.path("/2"), Some(&who)).await.status,
                StatusCode::OK
            );
            let refused = r
                .call(Method::DELETE, &r.path("/2"), Some(&who), None)
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role}");
        }
        let gone = r.call(Method::DELETE, &r.path("/2"), None, None).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.raw);
        assert_eq!(
            r.get(&r.path("/2"), None).await.status,
            StatusCode::NOT_FOUND
        );
        let again = r.call(Method::DELETE, &r.path("/2"), None, None).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.raw);
        // The trail says what was deleted.
        let deleted = r
            .events("robot.delete")
            .await
            .into_iter()
            .find(has_changes)
            .unwrap();
        assert_eq!(deleted["target"]["label"], name.as_str());
        let before = |field: &str| {
            deleted["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["field"].as_str().unwrap().starts_with(field))
                .map(|c| c["before"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(before("name"), [format!("{name:?}")]);
        assert_eq!(
            before("url"),
            ["\"https://oapi.dingtalk.com/robot/send?access_token=***\""]
        );
        assert!(!before("scopes").is_empty(), "{deleted}");
        assert_eq!(r.page("").await["page"]["total_count"], 5);
        r.assert_no_token_leaked().await;
    }
}

/// Bulk answers say per robot what happened, and the trail records each
/// change with its state before and after.
#[tokio::test]
async fn bulk_answers_and_their_audit_say_what_changed() {
    for backend in Backend::ALL {
        let r = Robots::start(backend).await;
        let first = r.get(&r.path("/1"), None).await.body;
        let enabled = first["enabled"].as_bool().unwrap();
        let reply = r
            .call(
                Method::POST,
                &r.path("/status"),
                None,
                Some(json!({"ids": [1, 999], "enabled": !enabled})),
            )
            .await;
        let results = reply.body["results"].as_array().unwrap();
        assert_eq!(results[0]["status"], "done", "{}", reply.raw);
        assert_eq!(results[0]["name"], first["name"]);
        assert!(results[0]["request_id"].is_string());
        assert_eq!(results[1]["status"], "failed");
        assert_eq!(results[1]["error"]["code"], "upstream_not_found");
        let status = r
            .events("robot.update")
            .await
            .into_iter()
            .find(|e| has_changes(e) && e["target"]["id"].as_str().unwrap().ends_with("/1"))
            .unwrap();
        assert_eq!(
            status["changes"],
            json!([{"field": "enabled", "before": enabled.to_string(), "after": (!enabled).to_string()}])
        );
        // Already so: unchanged, nothing sent or recorded.
        let updates = r.events("robot.update").await.len();
        let again = r
            .call(
                Method::POST,
                &r.path("/status"),
                None,
                Some(json!({"ids": [1], "enabled": !enabled})),
            )
            .await;
        assert_eq!(
            again.body["results"][0]["status"], "unchanged",
            "{}",
            again.raw
        );
        assert_eq!(r.events("robot.update").await.len(), updates);
        let deleted = r
            .call(
                Method::POST,
                &r.path("/delete"),
                None,
                Some(json!({"ids": [1]})),
            )
            .await;
        assert_eq!(
            deleted.body["results"][0]["status"], "done",
            "{}",
            deleted.raw
        );
        assert_eq!(deleted.body["results"][0]["name"], first["name"]);
        r.assert_no_token_leaked().await;
    }
}
