//! `/api/v1/chat-configs` against the built-in sandbox, on SQLite and
//! PostgreSQL: list with a failing region, get, create, updates that keep,
//! replace or lack the secret, RAM-role-only edits, delete, field errors,
//! upstream refusals; and no response, log line or audit record holding a
//! client secret. The log capture is process-wide, shared by the binary.

use crate::support::capture::Captured;
use crate::support::{Reply, Server, Signed, with_header};
use axum::http::{Method, StatusCode};
use backend::db::Backend;
use backend::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, Fault, Sandbox, SandboxConfig};
use backend::upstream::acs::{AcsCredentials, SignatureKind};
use backend::upstream::http::Endpoints;
use backend::upstream::oos::ChatConfigWrite;
use backend::upstream::{Upstream, UpstreamSettings};
use serde_json::{Value, json};
use shared::chat_configs::{ChatPlatform, ConfigName, RegionId};
use sqlx::Row;

/// Every client secret the tests send; none may come back anywhere.
const SECRETS: [&str; 4] = [
    "cs-first-7Qx&=+/?#%",
    "cs-second-密钥-9Lm",
    "cs-outside-given-3Kd",
    "wecom-corp-secret-5Tz",
];

fn logs() -> Captured {
    Captured::global()
}

struct Api {
    server: Server,
    sandbox: Sandbox,
    admin: Signed,
    account: String,
    replies: Vec<String>,
}

impl Api {
    /// A server whose upstreams are a sandbox the test holds, with one
    /// account for it in two regions.
    async fn start(backend: Backend) -> Api {
        logs();
        let sandbox = Sandbox::start("127.0.0.1:0".parse().unwrap(), SandboxConfig::demo())
            .await
            .unwrap();
        let base = sandbox.base_url();
        let server = Server::start_with(backend, |config| {
            config.upstream.oos = Some(base.clone());
            config.upstream.sas = Some(base.clone());
            config.upstream.dingtalk_api = Some(base.clone());
            config.upstream.dingtalk_oapi = Some(base.clone());
        })
        .await;
        let admin = server.sign_in("admin").await;
        let account = json!({
            "name": "Sandbox hz+sh",
            "access_key_id": DEMO_ACCESS_KEY_ID,
            "access_key_secret": DEMO_ACCESS_KEY_SECRET,
            "regions": ["cn-hangzhou", "cn-shanghai"],
        })
        .to_string();
        let created = server
            .send(
                Method::POST,
                "/credentials/alibaba",
                Some(&admin),
                Some(&account),
            )
            .await;
        assert!(created.status.is_success(), "{}", created.raw);
        let account = created.body["id"].as_str().unwrap().to_owned();
        Api {
            server,
            sandbox,
            admin,
            account,
            replies: Vec::new(),
        }
    }

    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let admin = self.admin.clone();
        self.call_as(&admin, method, path, body).await
    }

    async fn call_as(
        &mut self,
        who: &Signed,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let body = body.map(|b| b.to_string());
        let reply = self
            .server
            .send(
                method,
                &format!("/chat-configs{path}"),
                Some(who),
                body.as_deref(),
            )
            .await;
        self.replies.push(reply.raw.clone());
        reply
    }

    /// Creates a DingTalk configuration through chatdesk, holding
    /// `SECRETS[0]`.
    async fn create(&mut self, region: &str, name: &str) {
        let body = self.create_body(region, name, SECRETS[0]);
        let reply = self.call(Method::POST, "", Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    }

    fn one(&self, region: &str, name: &str) -> String {
        format!("/{}/{region}/{name}", self.account)
    }

    fn create_body(&self, region: &str, name: &str, secret: &str) -> Value {
        json!({
            "account_id": self.account,
            "region_id": region,
            "name": name,
            "fields": {
                "ram_role": "OOSServiceRole",
                "labels": ["运维", "prod"],
                "configuration": {"DingTalk": {
                    "client_id": "dingabc",
                    "client_secret": secret,
                    "template_id": "381c5aee-f8af-48a4-94be-cce587e42ea4.schema",
                }},
            },
        })
    }

    async fn audit_text(&self) -> String {
        let rows = sqlx::query(
            "SELECT action, outcome, COALESCE(target_id, ''), changes, COALESCE(request_id, ''), \
             COALESCE(error_code, ''), COALESCE(error_message, '') FROM audit_events ORDER BY seq",
        )
        .fetch_all(self.server.db.db.pool())
        .await
        .unwrap();
        rows.iter()
            .map(|r| {
                (0..7)
                    .map(|i| r.get::<String, _>(i))
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    async fn kept_rows(&self, table: &str) -> i64 {
        sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.server.db.db.pool())
            .await
            .unwrap()
            .get(0)
    }

    /// No reply, log line or audit record carries any of [`SECRETS`].
    async fn assert_no_secret_leaked(&self) {
        let audit = self.audit_text().await;
        let logs = logs().text();
        for secret in SECRETS {
            for reply in &self.replies {
                assert!(!reply.contains(secret), "a reply holds {secret}: {reply}");
            }
            assert!(!logs.contains(secret), "the log holds {secret}");
            assert!(!audit.contains(secret), "the audit trail holds {secret}");
        }
    }
}

impl Api {
    /// The sandbox as another client sees it, behind chatdesk's back.
    fn upstream(&self) -> (Upstream, AcsCredentials) {
        let key = AcsCredentials {
            access_key_id: DEMO_ACCESS_KEY_ID.into(),
            access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
            security_token: None,
            signature: SignatureKind::V3,
        };
        let endpoints = Endpoints::single(&self.sandbox.base_url());
        (Upstream::new(UpstreamSettings::new(endpoints)), key)
    }

    /// Creates a DingTalk configuration straight in the sandbox.
    async fn create_outside(&self, region: &str, name: &str, secret: &str) {
        let (up, key) = self.upstream();
        let configuration = json!({
            "DingTalkClientId": "dingout",
            "DingTalkClientSecret": secret,
            "DingTalkTemplateId": "outside.schema",
        });
        let write = ChatConfigWrite {
            region_id: RegionId::parse(region).unwrap(),
            name: ConfigName::parse(name).unwrap(),
            platform: Some(ChatPlatform::DingTalk),
            ram_role: None,
            resource_group_id: None,
            configuration: Some(configuration.to_string().into()),
        };
        up.oos.create(&key, &write).await.unwrap();
    }

    async fn delete_outside(&self, region: &str, name: &str) {
        let (up, key) = self.upstream();
        let region = RegionId::parse(region).unwrap();
        let name = ConfigName::parse(name).unwrap();
        up.oos.delete(&key, &region, &name).await.unwrap();
    }
}

fn stored(sandbox: &Sandbox, region: &str, name: &str) -> serde_json::Map<String, Value> {
    sandbox.chat_configuration(region, name).unwrap()
}

fn region_of<'a>(list: &'a Value, region: &str) -> &'a Value {
    list["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region_id"] == region)
        .unwrap_or_else(|| panic!("{region} in {list}"))
}

async fn list_get_create_update_delete(backend: Backend) {
    let mut api = Api::start(backend).await;

    // The list with no parameters: every region of every account, one of
    // them failing on its own.
    api.sandbox()
        .faults()
        .set("ListChatConfigurations@cn-shanghai", Fault::no_permission());
    let list = api.call(Method::GET, "", None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.raw);
    let hz = region_of(&list.body, "cn-hangzhou");
    assert_eq!(
        hz["outcome"]["loaded"]["configs"].as_array().unwrap().len(),
        3
    );
    let sh = region_of(&list.body, "cn-shanghai");
    let error = &sh["outcome"]["failed"]["error"];
    assert_eq!(error["code"], "upstream_permission_denied");
    assert!(error["request_id"].is_string());
    api.sandbox().faults().clear();

    // Create: typed fields become the Configuration, reserved and non-ASCII
    // characters intact; the webhook comes from a Get after the create.
    let body = api.create_body("cn-hangzhou", "ops-bot", SECRETS[0]);
    let created = api.call(Method::POST, "", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.raw);
    let webhook = created.body["webhook_url"].as_str().unwrap().to_owned();
    assert!(
        webhook.ends_with(".appflow.aliyunnest.com/webhook/"),
        "{webhook}"
    );
    let held = stored(api.sandbox(), "cn-hangzhou", "ops-bot");
    assert_eq!(held["DingTalkClientSecret"], SECRETS[0]);
    assert_eq!(held["DingTalkClientId"], "dingabc");

    let wecom = json!({
        "account_id": api.account,
        "region_id": "cn-shanghai",
        "name": "wecom.bot_1",
        "fields": {"configuration": {"WeChat": {"entries": [
            {"key": "CorpId", "value": "ww-企业 &=+%/?#\"'"},
            {"key": "CorpSecret", "value": SECRETS[3]},
            {"key": "AgentName", "value": "值班机器人 <b>"},
        ]}}},
    });
    let reply = api.call(Method::POST, "", Some(wecom)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    let held = stored(api.sandbox(), "cn-shanghai", "wecom.bot_1");
    assert_eq!(held["CorpId"], "ww-企业 &=+%/?#\"'");
    assert_eq!(held["AgentName"], "值班机器人 <b>");
    assert_eq!(held["CorpSecret"], SECRETS[3]);

    // Detail: everything but the secret, with the labels and the history.
    let one = api.one("cn-hangzhou", "ops-bot");
    let detail = api.call(Method::GET, &one, None).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.raw);
    assert_eq!(detail.body["secrets"], "held");
    assert_eq!(detail.body["labels"], json!(["prod", "运维"]));
    assert_eq!(detail.body["config"]["summary"]["webhook_url"], webhook);
    let history = api.call(Method::GET, &format!("{one}/history"), None).await;
    let history = history.body.as_array().unwrap();
    assert!(
        history.iter().any(|e| e["action"] == "chat_config.create"
            && e["outcome"] == "success"
            && e["request_id"].is_string()),
        "{history:?}"
    );

    // Update keeping the secret: chatdesk re-sends the one it holds.
    let edit = |template: &str, secret: Option<&str>| {
        let mut configuration = json!({
            "client_id": "dingabc",
            "template_id": template,
        });
        if let Some(secret) = secret {
            configuration["client_secret"] = secret.into();
        }
        json!({"ram_role": "OOSServiceRole", "labels": ["prod"],
            "configuration": {"DingTalk": configuration}})
    };
    let preview = api
        .call(
            Method::POST,
            &format!("{one}/preview"),
            Some(edit("new.schema", None)),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.raw);
    let changes = preview.body.as_array().unwrap();
    let template = changes
        .iter()
        .find(|c| c["field"] == "configuration.DingTalkTemplateId")
        .unwrap();
    assert_eq!(template["after"], "\"new.schema\"");
    let secret = changes
        .iter()
        .find(|c| c["field"] == "configuration.DingTalkClientSecret")
        .unwrap();
    assert_eq!(secret["secret"], "unchanged");
    assert_eq!(
        stored(api.sandbox(), "cn-hangzhou", "ops-bot")["DingTalkTemplateId"],
        "381c5aee-f8af-48a4-94be-cce587e42ea4.schema",
        "a preview changes nothing"
    );
    let updated = api
        .call(Method::PUT, &one, Some(edit("new.schema", None)))
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.raw);
    let held = stored(api.sandbox(), "cn-hangzhou", "ops-bot");
    assert_eq!(held["DingTalkTemplateId"], "new.schema");
    assert_eq!(
        held["DingTalkClientSecret"], SECRETS[0],
        "kept, never the mask"
    );
    assert_eq!(updated.body["labels"], json!(["prod"]));

    // Update replacing it.
    let replaced = api
        .call(
            Method::PUT,
            &one,
            Some(edit("new.schema", Some(SECRETS[1]))),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.raw);
    assert_eq!(
        stored(api.sandbox(), "cn-hangzhou", "ops-bot")["DingTalkClientSecret"],
        SECRETS[1]
    );

    // A configuration created outside chatdesk (the sandbox's demo data).
    let outside = api.one("cn-hangzhou", "chatops-dingtalk");
    let before = stored(api.sandbox(), "cn-hangzhou", "chatops-dingtalk");
    let detail = api.call(Method::GET, &outside, None).await;
    assert_eq!(detail.body["secrets"], "outside");
    let refused = api
        .call(Method::PUT, &outside, Some(edit("other.schema", None)))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.raw
    );
    assert_eq!(
        refused.body["field"],
        "configuration.DingTalk.client_secret"
    );
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("outside chatdesk")
    );
    assert_eq!(
        stored(api.sandbox(), "cn-hangzhou", "chatops-dingtalk"),
        before
    );
    // RAM role only: the Configuration is left out, the secret untouched.
    let role_only = json!({"ram_role": "AliyunOOSDefaultRole", "labels": []});
    let reply = api.call(Method::PUT, &outside, Some(role_only)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    assert_eq!(
        reply.body["config"]["summary"]["ram_role"],
        "AliyunOOSDefaultRole"
    );
    assert_eq!(
        stored(api.sandbox(), "cn-hangzhou", "chatops-dingtalk"),
        before
    );
    // Given the secret, the edit goes through and chatdesk holds it.
    let given = api
        .call(
            Method::PUT,
            &outside,
            Some(edit("other.schema", Some(SECRETS[2]))),
        )
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.raw);
    assert_eq!(given.body["secrets"], "held");

    // Delete; the labels and secret kept for it go too.
    let deleted = api.call(Method::DELETE, &one, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.raw);
    let gone = api.call(Method::GET, &one, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["code"], "upstream_not_found");
    let audit = api.audit_text().await;
    assert!(audit.contains("chat_config.delete | success"), "{audit}");
    assert!(
        audit.contains("chat_config.delete | intent")
            && audit.contains("\"before\":\"\\\"new.schema\\\"\""),
        "the delete records what it removed: {audit}"
    );
    assert!(
        audit.contains(&format!(
            "chat_config.update | success | {}/cn-hangzhou/ops-bot",
            api.account
        )),
        "{audit}"
    );

    api.assert_no_secret_leaked().await;
}

async fn refusals_leave_chatdesk_unchanged(backend: Backend) {
    let mut api = Api::start(backend).await;
    let acc = api.account.clone();

    // Field errors name the field.
    let cases = [
        (json!({"name": "bad name"}), "name"),
        (json!({"region_id": "Hangzhou"}), "region_id"),
        (json!({"ram_role": "no spaces"}), "fields.ram_role"),
        (json!({"labels": ["a,b"]}), "fields.labels"),
        (
            json!({"configuration": {"DingTalk": {"client_id": "has space", "client_secret": "x"}}}),
            "fields.configuration.DingTalk.client_id",
        ),
        (
            json!({"configuration": {"DingTalk": {"client_id": "ok"}}}),
            "fields.configuration.DingTalk.client_secret",
        ),
        (
            json!({"configuration": {"WeChat": {"entries": [
                {"key": "A", "value": "1"}, {"key": "A", "value": "2"}]}}}),
            "fields.configuration.WeChat.entries[1].key",
        ),
    ];
    for (patch, field) in cases {
        let mut body = api.create_body("cn-hangzhou", "valid-name", SECRETS[0]);
        for (k, v) in patch.as_object().unwrap() {
            if ["name", "region_id"].contains(&k.as_str()) {
                body[k] = v.clone();
            } else {
                body["fields"][k] = v.clone();
            }
        }
        let reply = api.call(Method::POST, "", Some(body)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.raw
        );
        assert_eq!(reply.body["field"], field, "{}", reply.raw);
    }

    // The upstream refuses: its code and RequestId reach the user, and
    // nothing is kept.
    api.sandbox()
        .faults()
        .set("CreateChatConfiguration", Fault::no_permission());
    let body = api.create_body("cn-hangzhou", "denied", SECRETS[0]);
    let denied = api.call(Method::POST, "", Some(body)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.raw);
    assert_eq!(denied.body["code"], "upstream_permission_denied");
    assert!(denied.body["request_id"].is_string());
    assert!(
        denied.body["message"]
            .as_str()
            .unwrap()
            .contains("NoPermission")
    );
    assert_eq!(api.kept_rows("chat_config_secrets").await, 0);
    assert_eq!(api.kept_rows("chat_config_labels").await, 0);
    // The refused call is in the trail as a failed outcome with the
    // upstream's RequestId and code, not as an outcome-unknown intent.
    let request_id = denied.body["request_id"].as_str().unwrap().to_owned();
    let audit = api.audit_text().await;
    let failed = audit
        .lines()
        .find(|l| l.starts_with("chat_config.create | failure"))
        .unwrap_or_else(|| panic!("a failed create in the trail:\n{audit}"));
    assert!(
        failed.contains(&format!("| {request_id} | NoPermission")),
        "{failed}"
    );

    // Throttled beyond what a retry may wait: the user is told when.
    api.sandbox()
        .faults()
        .set("CreateChatConfiguration", Fault::throttle(30));
    let body = api.create_body("cn-hangzhou", "throttled", SECRETS[0]);
    let throttled = api.call(Method::POST, "", Some(body)).await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        throttled.raw
    );
    assert_eq!(throttled.body["code"], "upstream_throttled");
    assert_eq!(throttled.headers["retry-after"], "30");
    assert_eq!(api.kept_rows("chat_config_secrets").await, 0);
    api.sandbox().faults().clear();

    // A server error: a read is retried, a write is not.
    api.create("cn-hangzhou", "kept").await;
    let one = api.one("cn-hangzhou", "kept");
    api.sandbox()
        .faults()
        .set("GetChatConfiguration", Fault::error_rate(1.0).times(1));
    assert_eq!(
        api.call(Method::GET, &one, None).await.status,
        StatusCode::OK
    );
    api.sandbox()
        .faults()
        .set("UpdateChatConfiguration", Fault::error_rate(1.0).times(1));
    let edit = json!({
        "ram_role": "OOSServiceRole",
        "labels": ["new"],
        "configuration": {"DingTalk": {"client_id": "dingabc",
            "client_secret": SECRETS[1], "template_id": "x.schema"}},
    });
    let failed = api.call(Method::PUT, &one, Some(edit)).await;
    assert_eq!(
        failed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        failed.raw
    );
    assert_eq!(failed.body["code"], "upstream_unavailable");
    assert!(failed.body["request_id"].is_string());
    // Neither the upstream nor chatdesk changed: old secret, old labels.
    assert_eq!(
        stored(api.sandbox(), "cn-hangzhou", "kept")["DingTalkClientSecret"],
        SECRETS[0]
    );
    let detail = api.call(Method::GET, &one, None).await;
    assert_eq!(detail.body["labels"], json!(["prod", "运维"]));
    let audit = api.audit_text().await;
    assert!(audit.contains("chat_config.update | failure"), "{audit}");

    // Help-desk staff and auditors read, and cannot change.
    for who in ["helpdesk", "auditor"] {
        let signed = api.server.sign_in(who).await;
        let list = api.call_as(&signed, Method::GET, "", None).await;
        assert_eq!(list.status, StatusCode::OK, "{who}");
        assert_eq!(
            api.call_as(&signed, Method::GET, &one, None).await.status,
            StatusCode::OK
        );
        let body = api.create_body("cn-hangzhou", "nope", SECRETS[0]);
        for (method, path, body) in [
            (Method::POST, String::new(), Some(body)),
            (Method::PUT, one.clone(), Some(json!({"ram_role": "R"}))),
            (Method::DELETE, one.clone(), None),
            (
                Method::POST,
                "/check-app".to_owned(),
                Some(json!({"client_id": "x"})),
            ),
        ] {
            let reply = api.call_as(&signed, method.clone(), &path, body).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{who} {method} {path}");
        }
    }
    let _ = acc;
    api.assert_no_secret_leaked().await;
}

async fn creates_are_idempotent_and_the_app_can_be_checked(backend: Backend) {
    let mut api = Api::start(backend).await;
    let body = api
        .create_body("cn-hangzhou", "once", SECRETS[0])
        .to_string();
    let mut replies = Vec::new();
    for _ in 0..2 {
        let request =
            api.server
                .request(Method::POST, "/chat-configs", Some(&api.admin), Some(&body));
        let reply = api
            .server
            .raw(with_header(request, "idempotency-key", "create-once-1"))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
        replies.push(reply.body);
    }
    assert_eq!(replies[0], replies[1], "the second answer is the first's");
    let again = api
        .call(Method::POST, "", Some(serde_json::from_str(&body).unwrap()))
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "without a key: a second create"
    );
    assert_eq!(again.body["code"], "upstream_conflict");

    // Check the app with typed credentials, then with the held secret.
    let good = json!({"client_id": backend::sandbox::DEMO_APP_KEY,
        "client_secret": backend::sandbox::DEMO_APP_SECRET});
    let check = api.call(Method::POST, "/check-app", Some(good)).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.raw);
    assert_eq!(check.body["ok"], true);
    let wrong = json!({"client_id": backend::sandbox::DEMO_APP_KEY, "client_secret": SECRETS[2]});
    let check = api.call(Method::POST, "/check-app", Some(wrong)).await;
    assert_eq!(check.body["ok"], false, "{}", check.raw);
    let held = json!({"client_id": "dingabc", "existing": {
        "account_id": api.account, "region_id": "cn-hangzhou", "name": "once"}});
    let check = api.call(Method::POST, "/check-app", Some(held)).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.raw);
    assert_eq!(check.body["ok"], false, "dingabc is no app of the sandbox");
    api.assert_no_secret_leaked().await;
}

/// A typed mask is no secret: refused naming the field, before any call
/// that could store it upstream.
async fn a_typed_mask_is_refused(backend: Backend) {
    let mut api = Api::start(backend).await;
    let mask = "******";
    let body = api.create_body("cn-hangzhou", "masked", mask);
    let reply = api.call(Method::POST, "", Some(body)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(
        reply.body["field"],
        "fields.configuration.DingTalk.client_secret"
    );
    assert_eq!(reply.body["problem"]["kind"], "masked", "{}", reply.raw);
    assert!(
        api.sandbox()
            .chat_configuration("cn-hangzhou", "masked")
            .is_none()
    );

    let wecom = json!({
        "account_id": api.account, "region_id": "cn-hangzhou", "name": "masked-wecom",
        "fields": {"configuration": {"WeChat": {"entries": [
            {"key": "CorpId", "value": "ww1"}, {"key": "CorpSecret", "value": mask}]}}},
    });
    let reply = api.call(Method::POST, "", Some(wecom)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(
        reply.body["field"],
        "fields.configuration.WeChat.entries[1].value"
    );
    assert!(
        api.sandbox()
            .chat_configuration("cn-hangzhou", "masked-wecom")
            .is_none()
    );

    // An edit that types the mask leaves the stored secret as it was.
    api.create("cn-hangzhou", "held").await;
    let edit = json!({"configuration": {"DingTalk": {
        "client_id": "dingabc", "client_secret": mask, "template_id": "other.schema"}}});
    let one = api.one("cn-hangzhou", "held");
    let reply = api.call(Method::PUT, &one, Some(edit)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["field"], "configuration.DingTalk.client_secret");
    let held = stored(api.sandbox(), "cn-hangzhou", "held");
    assert_eq!(held["DingTalkClientSecret"], SECRETS[0]);
    assert_eq!(
        held["DingTalkTemplateId"],
        "381c5aee-f8af-48a4-94be-cce587e42ea4.schema"
    );
    let check = json!({"client_id": "dingabc", "client_secret": mask});
    let reply = api.call(Method::POST, "/check-app", Some(check)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["problem"]["kind"], "masked");
    api.assert_no_secret_leaked().await;
}

#[tokio::test]
async fn sqlite_a_typed_mask_is_refused() {
    a_typed_mask_is_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_typed_mask_is_refused() {
    a_typed_mask_is_refused(Backend::Postgres).await;
}

/// A name chatdesk would not create, held upstream: its region lists,
/// neighbours included, and it opens, edits, checks and deletes.
async fn any_upstream_name_reads(backend: Backend) {
    let mut api = Api::start(backend).await;
    let odd = "生产 机器人";
    api.create_outside("cn-hangzhou", odd, SECRETS[2]).await;
    let list = api.call(Method::GET, "", None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.raw);
    let configs = &region_of(&list.body, "cn-hangzhou")["outcome"]["loaded"]["configs"];
    let names: Vec<&str> = configs
        .as_array()
        .unwrap_or_else(|| panic!("the region loads: {}", list.raw))
        .iter()
        .map(|c| c["summary"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&odd) && names.len() == 4, "{names:?}");

    // "Test connection" of the account lists the same region.
    let test = api
        .server
        .send(
            Method::POST,
            &format!("/credentials/alibaba/{}/test", api.account),
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(test.status, StatusCode::OK, "{}", test.raw);
    assert_eq!(test.body["ok"], true, "{}", test.raw);

    let one = format!(
        "/{}/cn-hangzhou/%E7%94%9F%E4%BA%A7%20%E6%9C%BA%E5%99%A8%E4%BA%BA",
        api.account
    );
    let detail = api.call(Method::GET, &one, None).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.raw);
    assert_eq!(detail.body["config"]["summary"]["name"], odd);
    let check = json!({"client_id": "dingout", "existing": {
        "account_id": api.account, "region_id": "cn-hangzhou", "name": odd}});
    let reply = api.call(Method::POST, "/check-app", Some(check)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["field"], "client_secret", "{}", reply.raw);
    let edit = json!({"ram_role": "AliyunOOSDefaultRole", "labels": ["prod"]});
    let reply = api.call(Method::PUT, &one, Some(edit)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    assert_eq!(reply.body["labels"], json!(["prod"]));
    assert_eq!(
        reply.body["config"]["summary"]["ram_role"],
        "AliyunOOSDefaultRole"
    );
    // A new configuration still follows chatdesk's own rule.
    let body = api.create_body("cn-hangzhou", odd, SECRETS[0]);
    let reply = api.call(Method::POST, "", Some(body)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["field"], "name");
    let deleted = api.call(Method::DELETE, &one, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.raw);
    assert!(
        api.sandbox()
            .chat_configuration("cn-hangzhou", odd)
            .is_none()
    );
    assert_eq!(api.kept_rows("chat_config_labels").await, 0);
    api.assert_no_secret_leaked().await;
}

#[tokio::test]
async fn sqlite_any_upstream_name_reads() {
    any_upstream_name_reads(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_any_upstream_name_reads() {
    any_upstream_name_reads(Backend::Postgres).await;
}

/// Deleted and re-created outside chatdesk under the same name, with
/// another secret: chatdesk's old secret is never sent to the new one.
async fn a_held_secret_belongs_to_one_instance(backend: Backend) {
    let mut api = Api::start(backend).await;
    api.create("cn-hangzhou", "reborn").await;
    let one = api.one("cn-hangzhou", "reborn");
    assert_eq!(
        api.call(Method::GET, &one, None).await.body["secrets"],
        "held"
    );

    api.delete_outside("cn-hangzhou", "reborn").await;
    api.create_outside("cn-hangzhou", "reborn", SECRETS[2])
        .await;
    let detail = api.call(Method::GET, &one, None).await;
    assert_eq!(detail.body["secrets"], "outside", "{}", detail.raw);
    let edit = json!({"configuration": {"DingTalk": {
        "client_id": "dingout", "template_id": "edited.schema"}}});
    let refused = api.call(Method::PUT, &one, Some(edit)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.raw
    );
    assert_eq!(
        refused.body["field"],
        "configuration.DingTalk.client_secret"
    );
    let held = stored(api.sandbox(), "cn-hangzhou", "reborn");
    assert_eq!(
        held["DingTalkClientSecret"], SECRETS[2],
        "the old secret is not sent"
    );
    assert_eq!(held["DingTalkTemplateId"], "outside.schema");
    // Checking the app does not try the old secret either.
    let check = json!({"client_id": "dingout", "existing": {
        "account_id": api.account, "region_id": "cn-hangzhou", "name": "reborn"}});
    let reply = api.call(Method::POST, "/check-app", Some(check)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    // Typed again, it is held for the new instance.
    let edit = json!({"configuration": {"DingTalk": {"client_id": "dingout",
        "client_secret": SECRETS[1], "template_id": "edited.schema"}}});
    let given = api.call(Method::PUT, &one, Some(edit)).await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.raw);
    assert_eq!(given.body["secrets"], "held");
    assert_eq!(
        stored(api.sandbox(), "cn-hangzhou", "reborn")["DingTalkClientSecret"],
        SECRETS[1]
    );
    api.assert_no_secret_leaked().await;
}

#[tokio::test]
async fn sqlite_a_held_secret_belongs_to_one_instance() {
    a_held_secret_belongs_to_one_instance(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_held_secret_belongs_to_one_instance() {
    a_held_secret_belongs_to_one_instance(Backend::Postgres).await;
}

/// An edit changes what it names: the RAM role alone keeps the labels,
/// upstream and in the audit diff.
async fn an_edit_leaves_out_what_it_does_not_name(backend: Backend) {
    let mut api = Api::start(backend).await;
    api.create("cn-hangzhou", "patchy").await;
    let before = stored(api.sandbox(), "cn-hangzhou", "patchy");
    let one = api.one("cn-hangzhou", "patchy");
    let reply = api
        .call(
            Method::PUT,
            &one,
            Some(json!({"ram_role": "AliyunOOSDefaultRole"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    assert_eq!(
        reply.body["labels"],
        json!(["prod", "运维"]),
        "{}",
        reply.raw
    );
    assert_eq!(
        reply.body["config"]["summary"]["ram_role"],
        "AliyunOOSDefaultRole"
    );
    assert_eq!(stored(api.sandbox(), "cn-hangzhou", "patchy"), before);
    let audit = api.audit_text().await;
    let create = audit
        .lines()
        .find(|l| l.starts_with("chat_config.create | intent"))
        .unwrap_or_else(|| panic!("{audit}"));
    let target = format!("| {}/cn-hangzhou/patchy |", api.account);
    assert!(
        create.contains(&target) && create.contains("labels.1"),
        "{create}"
    );
    let update = audit
        .lines()
        .find(|l| l.starts_with("chat_config.update | intent"))
        .unwrap_or_else(|| panic!("{audit}"));
    assert!(update.contains("\"ram_role\""), "{update}");
    assert!(
        !update.contains("labels"),
        "labels left out are no change: {update}"
    );
    // Labels given, even none, replace them.
    let reply = api
        .call(Method::PUT, &one, Some(json!({"labels": []})))
        .await;
    assert_eq!(reply.body["labels"], json!([]), "{}", reply.raw);
    api.assert_no_secret_leaked().await;
}

#[tokio::test]
async fn sqlite_an_edit_leaves_out_what_it_does_not_name() {
    an_edit_leaves_out_what_it_does_not_name(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_an_edit_leaves_out_what_it_does_not_name() {
    an_edit_leaves_out_what_it_does_not_name(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_list_get_create_update_delete() {
    list_get_create_update_delete(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_list_get_create_update_delete() {
    list_get_create_update_delete(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_refusals_leave_chatdesk_unchanged() {
    refusals_leave_chatdesk_unchanged(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_refusals_leave_chatdesk_unchanged() {
    refusals_leave_chatdesk_unchanged(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_creates_are_idempotent_and_the_app_can_be_checked() {
    creates_are_idempotent_and_the_app_can_be_checked(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_creates_are_idempotent_and_the_app_can_be_checked() {
    creates_are_idempotent_and_the_app_can_be_checked(Backend::Postgres).await;
}
