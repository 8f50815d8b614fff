//! The create and edit drawers of a chat configuration: the fields per
//! platform, keyed by their JSON paths in a `ChatConfigDraft` so the
//! server's field errors land on them; secrets write-only.

use leptos::prelude::*;
use shared::chat_configs::{
    ChatConfigCreateDraft, ChatConfigDraft, ChatPlatform, ConfigurationDraft, DingTalkClientId,
    EntryDraft, MAX_WECOM_ENTRIES, NewConfigName, RamRole, ResourceGroupId, TemplateId,
};
use shared::secret::SecretInput;
use shared::validate::Problem;

use crate::api::{self, Failure};
use crate::i18n::chat_configs as tx;
use crate::i18n::common as c;
use crate::i18n::use_i18n;
use crate::ui::form::{EditForm, Value, edit_drawer as ui_edit_drawer};
use crate::ui::{
    AccountPick, Control, FieldSpec, FormSpec, Json, Opt, Values, Wording, choices, form_drawer,
    json, submit, use_toasts,
};

pub const WORDING: Wording = Wording {
    labels: &[tx::LABELS_OF_FIELDS],
    value: |field, v| match (field, ChatPlatform::parse(v)) {
        ("type", Some(p)) => Some(platform_text(p)),
        _ => None,
    },
};

pub const fn platform_text(p: ChatPlatform) -> crate::i18n::T {
    match p {
        ChatPlatform::DingTalk => tx::DINGTALK,
        ChatPlatform::WeChat => tx::WECOM,
    }
}

pub const PLATFORMS: &[(&str, crate::i18n::T)] =
    &[("DingTalk", tx::DINGTALK), ("WeChat", tx::WECOM)];

const CLIENT_ID: &str = "configuration.DingTalk.client_id";
const CLIENT_SECRET: &str = "configuration.DingTalk.client_secret";
const TEMPLATE_ID: &str = "configuration.DingTalk.template_id";
const ENTRIES: &str = "configuration.WeChat.entries";

fn problem<T>(r: Result<T, shared::validate::InvalidField>) -> Option<Problem> {
    r.err().map(|e| e.problem)
}

fn is_dingtalk(v: &Values) -> bool {
    v.text("platform") == "DingTalk"
}

fn is_wecom(v: &Values) -> bool {
    v.text("platform") == "WeChat"
}

/// The fields an edit and a create share.
fn shared_fields(new: bool) -> Vec<FieldSpec> {
    let secret =
        FieldSpec::new(CLIENT_SECRET, tx::CLIENT_SECRET, Control::Secret).shown(is_dingtalk);
    vec![
        FieldSpec::text(CLIENT_ID, tx::CLIENT_ID)
            .required()
            .shown(is_dingtalk)
            .check(|s| problem(DingTalkClientId::parse(s))),
        if new {
            secret.required()
        } else {
            secret.hint(tx::SECRET_KEEP)
        },
        FieldSpec::text(TEMPLATE_ID, tx::TEMPLATE_ID)
            .shown(is_dingtalk)
            .check(|s| problem(TemplateId::parse(s))),
        FieldSpec::new(ENTRIES, tx::ENTRIES, Control::Pairs(MAX_WECOM_ENTRIES))
            .required()
            .hint(tx::ENTRIES_HINT)
            .shown(is_wecom),
        FieldSpec::text("ram_role", tx::RAM_ROLE).check(|s| problem(RamRole::parse(s))),
        FieldSpec::text("resource_group_id", tx::RESOURCE_GROUP)
            .check(|s| problem(ResourceGroupId::parse(s))),
        FieldSpec::new("labels", tx::LABELS, Control::Lines).hint(tx::LABELS_HINT),
    ]
}

/// The typed form as the API takes it; a secret left empty keeps the held one.
fn draft(v: &Values) -> ChatConfigDraft {
    let secret = |s: String| Some(SecretInput::new(s)).filter(|s| !s.is_empty());
    let configuration = if is_wecom(v) {
        ConfigurationDraft::WeChat {
            entries: v
                .pairs(ENTRIES)
                .into_iter()
                .map(|(key, value)| EntryDraft {
                    key,
                    value: secret(value),
                })
                .collect(),
        }
    } else {
        ConfigurationDraft::DingTalk {
            client_id: v.text(CLIENT_ID),
            client_secret: secret(v.text(CLIENT_SECRET)),
            template_id: v.text(TEMPLATE_ID),
        }
    };
    ChatConfigDraft {
        ram_role: v.text("ram_role"),
        resource_group_id: v.text("resource_group_id"),
        configuration: Some(configuration),
        labels: Some(v.lines("labels")),
    }
}

/// A create's fields sit under `fields`: its errors name them there.
fn unnest(mut f: Failure) -> Failure {
    if let Some(path) = f
        .body
        .field
        .as_deref()
        .and_then(|p| p.strip_prefix("fields."))
    {
        f.body.field = Some(path.to_owned());
    }
    f
}

/// The row key of a configuration, as the list highlights it.
pub fn row_key(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

/// The create drawer; `created` gets the new row's key.
pub fn create_drawer(
    pick: AccountPick,
    regions: Signal<Vec<Opt>>,
    created: Callback<String>,
    close: Callback<()>,
) -> AnyView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let mut fields = vec![
        FieldSpec::new("account_id", tx::ACCOUNT, Control::Select(pick.options())).required(),
        FieldSpec::new("region_id", tx::REGION, Control::Select(regions)).required(),
        FieldSpec::text("name", c::NAME)
            .required()
            .check(|s| problem(NewConfigName::parse(s))),
        FieldSpec::new(
            "platform",
            tx::PLATFORM,
            Control::Select(choices(PLATFORMS)),
        )
        .required(),
    ];
    fields.extend(shared_fields(true));
    let initial = Values::default()
        .with("account_id", Value::Text(pick.initial()))
        .with("platform", Value::Text("DingTalk".into()));
    form_drawer(FormSpec {
        id: "chat-config-new".into(),
        title: Signal::derive(move || i18n.t(tx::NEW).to_owned()),
        submit_label: c::CREATE,
        fields,
        initial,
        on_submit: submit(move |v: Values| async move {
            let body = ChatConfigCreateDraft {
                account_id: v.text("account_id"),
                region_id: v.text("region_id"),
                name: v.text("name"),
                fields: draft(&v),
            };
            let key = api::new_idempotency_key();
            // A `ChatConfigSaved`.
            let saved: Json = api::create("/chat-configs", &body, &key)
                .await
                .map_err(unnest)?;
            let name = json::s(&saved, "/name");
            pick.remember(&body.account_id);
            toasts.ok(c::CREATED_TOAST, &name);
            created.run(row_key(&body.account_id, &body.region_id, &name));
            Ok(true)
        }),
        on_close: close,
    })
}

/// The API path of one configuration.
pub fn api_path(account: &str, region: &str, name: &str) -> String {
    use crate::router::encode;
    format!(
        "/chat-configs/{}/{}/{}",
        encode(account),
        encode(region),
        encode(name)
    )
}

/// The form as the configuration (a `ChatConfigDetail` as sent) is now;
/// secrets empty (kept).
fn current(d: &Json) -> Values {
    let settings = json::list(d, "/config/settings");
    // A secret has no `plain` value: it shows empty.
    let entries: Vec<(String, String)> = settings
        .iter()
        .map(|x| (json::s(x, "/key"), json::s(x, "/value/plain")))
        .collect();
    let plain = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let platform = match json::s(d, "/config/summary/platform") {
        p if p.is_empty() => ChatPlatform::DingTalk.as_str().to_owned(),
        p => p,
    };
    Values::default()
        .with("platform", Value::Text(platform))
        .with(
            CLIENT_ID,
            Value::Text(plain(shared::chat_configs::DINGTALK_CLIENT_ID)),
        )
        .with(
            TEMPLATE_ID,
            Value::Text(plain(shared::chat_configs::DINGTALK_TEMPLATE_ID)),
        )
        .with(
            "ram_role",
            Value::Text(json::s(d, "/config/summary/ram_role")),
        )
        .with(
            "resource_group_id",
            Value::Text(json::s(d, "/config/resource_group_id")),
        )
        .with(
            "labels",
            Value::Text(json::strings(d, "/labels").join("\n")),
        )
        .with(ENTRIES, Value::Pairs(entries))
}

/// The edit drawer: the server's plan, then the change once confirmed.
pub fn edit_drawer(detail: Json, saved: Callback<()>, close: Callback<()>) -> AnyView {
    let name = json::s(&detail, "/config/summary/name");
    let region = json::s(&detail, "/config/summary/region_id");
    ui_edit_drawer(EditForm {
        path: api_path(&json::s(&detail, "/account_id"), &region, &name),
        name,
        title: tx::EDIT_TITLE,
        apply: tx::APPLY,
        fields: shared_fields(false),
        initial: current(&detail),
        body: |v| api::to_json(&draft(v)),
        wording: WORDING,
        saved,
        close,
    })
}
