use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use shared::audit::FieldChange;
use shared::audit::SecretChange as Masked;
use shared::chat_configs::{
    ChatConfig, ChatConfigCreateDraft, ChatConfigDraft, ChatConfigFields, ChatConfigSummary,
    ChatPlatform, ConfigName, ConfigRef, ConfigurationDraft, DINGTALK_CLIENT_ID,
    DINGTALK_CLIENT_SECRET, DINGTALK_TEMPLATE_ID, EntryDraft, Label, RegionId, Setting,
    SettingValue,
};
use shared::secret::{SecretInput, UPSTREAM_MASK};

use super::plan::*;
use super::store::HeldSecrets;
use super::*;

fn config_ref() -> ConfigRef {
    ConfigRef {
        account_id: "acc".into(),
        region_id: RegionId::parse("cn-hangzhou").unwrap(),
        name: ConfigName::parse("ops-bot").unwrap(),
    }
}

fn ding(secret: Option<&str>, template: &str) -> ConfigurationDraft {
    ConfigurationDraft::DingTalk {
        client_id: "dingabc".into(),
        client_secret: secret.map(SecretInput::new),
        template_id: template.into(),
    }
}

fn fields(
    ram_role: &str,
    configuration: Option<ConfigurationDraft>,
    labels: &[&str],
) -> ChatConfigFields {
    ChatConfigDraft {
        ram_role: ram_role.into(),
        resource_group_id: String::new(),
        configuration,
        labels: Some(labels.iter().map(|l| (*l).to_owned()).collect()),
    }
    .parse()
    .unwrap()
}

/// What Get returns for a DingTalk configuration (the secret masked).
fn current(template: &str) -> ChatConfig {
    let plain = |k: &str, v: &str| Setting {
        key: k.into(),
        value: SettingValue::Plain(v.into()),
    };
    ChatConfig {
        summary: ChatConfigSummary {
            region_id: config_ref().region_id,
            name: config_ref().name,
            platform: Some(ChatPlatform::DingTalk),
            ram_role: Some("OOSServiceRole".into()),
            webhook_url: None,
            created: None,
            updated: None,
        },
        resource_group_id: None,
        settings: vec![
            plain(DINGTALK_CLIENT_ID, "dingabc"),
            Setting {
                key: DINGTALK_CLIENT_SECRET.into(),
                value: SettingValue::Secret { set: true },
            },
            plain(DINGTALK_TEMPLATE_ID, template),
        ],
    }
}

fn held(secret: &str) -> HeldSecrets {
    [(
        DINGTALK_CLIENT_SECRET.to_owned(),
        SecretString::from(secret),
    )]
    .into()
}

fn sent(plan: &Plan) -> Value {
    let text = plan.write.as_ref().unwrap().configuration.as_ref().unwrap();
    serde_json::from_str(text.expose_secret()).unwrap()
}

fn change<'a>(plan: &'a Plan, field: &str) -> Option<&'a FieldChange> {
    plan.changes.iter().find(|c| c.field == field)
}

#[test]
fn a_create_sends_typed_fields_as_json_and_holds_the_secret() {
    let new = ChatConfigCreateDraft {
        account_id: "acc".into(),
        region_id: "cn-hangzhou".into(),
        name: "ops-bot".into(),
        fields: ChatConfigDraft {
            ram_role: "OOSServiceRole".into(),
            configuration: Some(ding(Some("s3cret \"&=+ 密"), "t.schema")),
            labels: Some(vec!["prod".into()]),
            ..ChatConfigDraft::default()
        },
    }
    .parse()
    .unwrap();
    let plan = plan_create(&new).unwrap();
    let write = plan.write.as_ref().unwrap();
    assert_eq!(write.platform, Some(ChatPlatform::DingTalk));
    assert_eq!(write.ram_role.as_ref().unwrap().as_str(), "OOSServiceRole");
    assert_eq!(
        sent(&plan),
        serde_json::json!({
            "DingTalkClientId": "dingabc",
            "DingTalkClientSecret": "s3cret \"&=+ 密",
            "DingTalkTemplateId": "t.schema",
        })
    );
    assert_eq!(
        plan.secrets.as_ref().unwrap()[DINGTALK_CLIENT_SECRET].expose_secret(),
        "s3cret \"&=+ 密"
    );
    // The audit trail sees the secret as "changed", never its value.
    let secret = change(&plan, "configuration.DingTalkClientSecret").unwrap();
    assert_eq!(
        (secret.before.as_ref(), secret.after.as_ref()),
        (None, None)
    );
    assert_eq!(secret.secret, Some(Masked::Changed));
    let all = serde_json::to_string(&plan.changes).unwrap();
    assert!(!all.contains("s3cret"), "{all}");
    assert_eq!(
        change(&plan, "configuration.DingTalkTemplateId")
            .unwrap()
            .after
            .as_deref(),
        Some("\"t.schema\"")
    );
    assert!(!format!("{plan:?}").contains("s3cret"));
}

#[test]
fn an_edit_re_sends_the_held_secret_never_the_mask() {
    let plan = plan_update(
        &config_ref(),
        &current("old.schema"),
        &[],
        &held("held-secret"),
        &fields("OOSServiceRole", Some(ding(None, "new.schema")), &[]),
    )
    .unwrap();
    let body = sent(&plan);
    assert_eq!(body[DINGTALK_CLIENT_SECRET], "held-secret");
    assert_eq!(body[DINGTALK_TEMPLATE_ID], "new.schema");
    assert!(!body.to_string().contains(UPSTREAM_MASK));
    let write = plan.write.as_ref().unwrap();
    assert_eq!(write.platform, Some(ChatPlatform::DingTalk));
    assert_eq!(write.ram_role, None, "unchanged, not sent");
    assert_eq!(
        change(&plan, "configuration.DingTalkClientSecret")
            .unwrap()
            .secret,
        Some(Masked::Unchanged)
    );
    let template = change(&plan, "configuration.DingTalkTemplateId").unwrap();
    assert_eq!(
        (template.before.as_deref(), template.after.as_deref()),
        (Some("\"old.schema\""), Some("\"new.schema\""))
    );
    assert_eq!(plan.changes.len(), 2, "{:?}", plan.changes);

    // A new secret replaces the held one.
    let plan = plan_update(
        &config_ref(),
        &current("old.schema"),
        &[],
        &held("held-secret"),
        &fields(
            "OOSServiceRole",
            Some(ding(Some("new-secret"), "old.schema")),
            &[],
        ),
    )
    .unwrap();
    assert_eq!(sent(&plan)[DINGTALK_CLIENT_SECRET], "new-secret");
    assert_eq!(
        change(&plan, "configuration.DingTalkClientSecret")
            .unwrap()
            .secret,
        Some(Masked::Changed)
    );
    assert_eq!(
        plan.secrets.unwrap()[DINGTALK_CLIENT_SECRET].expose_secret(),
        "new-secret"
    );
}

#[test]
fn a_configuration_created_outside_needs_its_secret_only_to_change_it() {
    let outside = HeldSecrets::new();
    let err = plan_update(
        &config_ref(),
        &current("old.schema"),
        &[],
        &outside,
        &fields("OOSServiceRole", Some(ding(None, "new.schema")), &[]),
    )
    .unwrap_err();
    let ChatConfigError::Invalid(err) = err else {
        panic!("{err:?}")
    };
    assert_eq!(err.field, "configuration.DingTalk.client_secret");
    assert!(
        err.message.contains("created outside chatdesk"),
        "{}",
        err.message
    );

    // The same form with the Configuration unchanged and a new RAM role:
    // Configuration is left out, no secret needed.
    let plan = plan_update(
        &config_ref(),
        &current("old.schema"),
        &[],
        &outside,
        &fields("AliyunOOSDefaultRole", Some(ding(None, "old.schema")), &[]),
    )
    .unwrap();
    let write = plan.write.as_ref().unwrap();
    assert!(write.configuration.is_none() && write.platform.is_none());
    assert_eq!(
        write.ram_role.as_ref().unwrap().as_str(),
        "AliyunOOSDefaultRole"
    );
    assert!(plan.secrets.is_none(), "nothing new to hold");
    // Secrets are always listed, as "unchanged" here.
    let fields_changed: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.secret != Some(Masked::Unchanged))
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields_changed, ["ram_role"]);

    // Giving the secret makes it held from now on.
    let plan = plan_update(
        &config_ref(),
        &current("old.schema"),
        &[],
        &outside,
        &fields(
            "OOSServiceRole",
            Some(ding(Some("given"), "new.schema")),
            &[],
        ),
    )
    .unwrap();
    assert_eq!(sent(&plan)[DINGTALK_CLIENT_SECRET], "given");
}

#[test]
fn labels_alone_change_nothing_upstream() {
    let plan = plan_update(
        &config_ref(),
        &current("t"),
        &[Label::parse("old").unwrap()],
        &HeldSecrets::new(),
        &fields("OOSServiceRole", None, &["new", "运维"]),
    )
    .unwrap();
    assert!(plan.write.is_none());
    assert!(plan.changes_anything());
    let labels = change(&plan, "labels.0").unwrap();
    assert_eq!(labels.after.as_deref(), Some("\"new\""));
    assert!(change(&plan, "labels.1").is_some());
}

#[test]
fn the_same_form_again_changes_nothing() {
    let plan = plan_update(
        &config_ref(),
        &current("t"),
        &[],
        &held("s"),
        &fields("OOSServiceRole", Some(ding(None, "t")), &[]),
    )
    .unwrap();
    assert!(plan.write.is_none());
    assert!(!plan.changes_anything(), "{:?}", plan.changes);
}

#[test]
fn an_empty_ram_role_leaves_it_as_it_is() {
    let plan = plan_update(
        &config_ref(),
        &current("t"),
        &[],
        &HeldSecrets::new(),
        &fields("", None, &["x"]),
    )
    .unwrap();
    assert!(plan.write.is_none(), "only the label changes");
    assert!(change(&plan, "ram_role").is_none());
}

#[test]
fn wecom_secrets_are_named_by_their_entry() {
    let wecom = ConfigurationDraft::WeChat {
        entries: vec![
            EntryDraft {
                key: "CorpId".into(),
                value: Some(SecretInput::new("ww1")),
            },
            EntryDraft {
                key: "CorpSecret".into(),
                value: None,
            },
        ],
    };
    let mut now = current("t");
    now.summary.platform = Some(ChatPlatform::WeChat);
    let err = plan_update(
        &config_ref(),
        &now,
        &[],
        &HeldSecrets::new(),
        &fields("OOSServiceRole", Some(wecom.clone()), &[]),
    )
    .unwrap_err();
    assert!(
        matches!(err, ChatConfigError::Invalid(ref e) if e.field == "configuration.WeChat.entries[1].value"),
        "{err:?}"
    );
    let held: HeldSecrets = [("CorpSecret".to_owned(), SecretString::from("cs"))].into();
    let plan = plan_update(
        &config_ref(),
        &now,
        &[],
        &held,
        &fields("OOSServiceRole", Some(wecom), &[]),
    )
    .unwrap();
    assert_eq!(
        sent(&plan),
        serde_json::json!({"CorpId": "ww1", "CorpSecret": "cs"})
    );
}

#[test]
fn an_edit_that_leaves_the_labels_out_keeps_them() {
    let kept = [Label::parse("prod").unwrap(), Label::parse("运维").unwrap()];
    let role_only = ChatConfigDraft {
        ram_role: "AliyunOOSDefaultRole".into(),
        ..ChatConfigDraft::default()
    }
    .parse()
    .unwrap();
    let plan = plan_update(
        &config_ref(),
        &current("t"),
        &kept,
        &HeldSecrets::new(),
        &role_only,
    )
    .unwrap();
    assert_eq!(plan.labels, kept, "kept as they are");
    let fields: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.secret != Some(Masked::Unchanged))
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["ram_role"], "the diff shows only what changed");
    let write = plan.write.unwrap();
    assert!(write.configuration.is_none() && write.platform.is_none());
}
