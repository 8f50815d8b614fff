//! Create and edit forms, one set of fields per platform, checked as the
//! user types by the same `shared` parsers the server runs. Secrets are
//! write-only inputs: empty keeps the secret chatdesk holds.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::audit::FieldChange;
use shared::chat_configs::{
    ChatConfigCreateDraft, ChatConfigDetail, ChatConfigDraft, ChatConfigSaved, ChatPlatform,
    CheckAppDraft, ConfigName, ConfigRef, ConfigurationDraft, DINGTALK_CLIENT_ID,
    DINGTALK_TEMPLATE_ID, DingTalkClientId, EntryDraft, Label, RamRole, RegionId, ResourceGroupId,
    SettingValue, TemplateId, WeComKey, is_secret_key,
};
use shared::secret::SecretInput;
use shared::vault::ConnectionCheck;

use super::{API, ChatMsg, m, one_path};
use crate::api::{self, Failure};
use crate::i18n::{Msg, UiMsg, use_i18n};
use crate::ui::{
    Choice, ConfirmDialog, DiffView, ErrorPanel, Field, FieldKind, Form, Request, invalid,
};

/// WeCom rows the form offers (its keys are undocumented; a handful).
const ENTRIES: usize = 6;

/// The DOM ids of one form's inputs: the create and edit forms can both be
/// in the page.
struct Ids {
    ram_role: &'static str,
    resource_group: &'static str,
    labels: &'static str,
    client_id: &'static str,
    client_secret: &'static str,
    template_id: &'static str,
    keys: [&'static str; ENTRIES],
    values: [&'static str; ENTRIES],
}

const NEW_IDS: Ids = Ids {
    ram_role: "chat-new-ram-role",
    resource_group: "chat-new-resource-group",
    labels: "chat-new-labels",
    client_id: "chat-new-client-id",
    client_secret: "chat-new-client-secret",
    template_id: "chat-new-template-id",
    keys: [
        "chat-new-key-1",
        "chat-new-key-2",
        "chat-new-key-3",
        "chat-new-key-4",
        "chat-new-key-5",
        "chat-new-key-6",
    ],
    values: [
        "chat-new-value-1",
        "chat-new-value-2",
        "chat-new-value-3",
        "chat-new-value-4",
        "chat-new-value-5",
        "chat-new-value-6",
    ],
};

const EDIT_IDS: Ids = Ids {
    ram_role: "chat-edit-ram-role",
    resource_group: "chat-edit-resource-group",
    labels: "chat-edit-labels",
    client_id: "chat-edit-client-id",
    client_secret: "chat-edit-client-secret",
    template_id: "chat-edit-template-id",
    keys: [
        "chat-edit-key-1",
        "chat-edit-key-2",
        "chat-edit-key-3",
        "chat-edit-key-4",
        "chat-edit-key-5",
        "chat-edit-key-6",
    ],
    values: [
        "chat-edit-value-1",
        "chat-edit-value-2",
        "chat-edit-value-3",
        "chat-edit-value-4",
        "chat-edit-value-5",
        "chat-edit-value-6",
    ],
};

fn message<T>(result: Result<T, shared::validate::InvalidField>) -> Result<(), String> {
    result.map(|_| ()).map_err(invalid)
}

fn labels_of(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One signal per input.
#[derive(Clone, Copy)]
struct Values {
    platform: RwSignal<String>,
    ram_role: RwSignal<String>,
    resource_group_id: RwSignal<String>,
    labels: RwSignal<String>,
    client_id: RwSignal<String>,
    client_secret: RwSignal<String>,
    template_id: RwSignal<String>,
    keys: [RwSignal<String>; ENTRIES],
    values: [RwSignal<String>; ENTRIES],
    rows: RwSignal<usize>,
}

impl Values {
    fn new() -> Values {
        Values {
            platform: RwSignal::new(ChatPlatform::DingTalk.as_str().to_owned()),
            ram_role: RwSignal::new(String::new()),
            resource_group_id: RwSignal::new(String::new()),
            labels: RwSignal::new(String::new()),
            client_id: RwSignal::new(String::new()),
            client_secret: RwSignal::new(String::new()),
            template_id: RwSignal::new(String::new()),
            keys: std::array::from_fn(|_| RwSignal::new(String::new())),
            values: std::array::from_fn(|_| RwSignal::new(String::new())),
            rows: RwSignal::new(1),
        }
    }

    /// The form filled with what Get returned (secrets stay empty).
    fn of(detail: &ChatConfigDetail) -> Values {
        let v = Values::new();
        let s = &detail.config.summary;
        if let Some(p) = s.platform {
            v.platform.set(p.as_str().to_owned());
        }
        v.ram_role.set(s.ram_role.clone().unwrap_or_default());
        v.resource_group_id
            .set(detail.config.resource_group_id.clone().unwrap_or_default());
        v.labels.set(
            detail
                .labels
                .iter()
                .map(Label::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        );
        let mut row = 0;
        for setting in &detail.config.settings {
            let plain = match &setting.value {
                SettingValue::Plain(text) => text.clone(),
                SettingValue::Secret { .. } => String::new(),
            };
            match setting.key.as_str() {
                DINGTALK_CLIENT_ID => v.client_id.set(plain.clone()),
                DINGTALK_TEMPLATE_ID => v.template_id.set(plain.clone()),
                _ => {}
            }
            if row < ENTRIES {
                v.keys[row].set(setting.key.clone());
                v.values[row].set(plain);
                row += 1;
            }
        }
        v.rows.set(row.max(1));
        v
    }

    fn secret(text: String) -> Option<SecretInput> {
        (!text.trim().is_empty()).then(|| SecretInput::new(text))
    }

    fn configuration(&self) -> ConfigurationDraft {
        if self.platform.get_untracked() == ChatPlatform::WeChat.as_str() {
            let entries = (0..self.rows.get_untracked())
                .filter(|&i| !self.keys[i].get_untracked().trim().is_empty())
                .map(|i| EntryDraft {
                    key: self.keys[i].get_untracked(),
                    value: Values::secret(self.values[i].get_untracked()),
                })
                .collect();
            ConfigurationDraft::WeChat { entries }
        } else {
            ConfigurationDraft::DingTalk {
                client_id: self.client_id.get_untracked(),
                client_secret: Values::secret(self.client_secret.get_untracked()),
                template_id: self.template_id.get_untracked(),
            }
        }
    }

    fn draft(&self) -> ChatConfigDraft {
        ChatConfigDraft {
            ram_role: self.ram_role.get_untracked(),
            resource_group_id: self.resource_group_id.get_untracked(),
            configuration: Some(self.configuration()),
            labels: labels_of(&self.labels.get_untracked()),
        }
    }
}

/// The fields both forms share, and the ones of the chosen platform.
#[component]
fn ConfigFields(values: Values, keep_secret: bool, existing: Option<ConfigRef>) -> impl IntoView {
    // Only an edit has something to keep.
    let ids = if keep_secret { &EDIT_IDS } else { &NEW_IDS };
    let secret_hint = m(if keep_secret {
        ChatMsg::ClientSecretKeep
    } else {
        ChatMsg::ClientSecretNew
    });
    let dingtalk = move || values.platform.get() != ChatPlatform::WeChat.as_str();
    view! {
        <Field id=ids.ram_role label=m(ChatMsg::RamRole) value=values.ram_role name="ram_role"
            check=|v: String| message(RamRole::parse(&v))/>
        <Field id=ids.resource_group label=m(ChatMsg::ResourceGroup)
            value=values.resource_group_id name="resource_group_id"
            check=|v: String| message(ResourceGroupId::parse(&v))/>
        <Field id=ids.labels label=m(ChatMsg::Labels) value=values.labels name="labels"
            hint=m(ChatMsg::LabelsHint)
            check=|v: String| labels_of(&v).iter().try_for_each(|l| message(Label::parse(l)))/>
        {move || if dingtalk() {
            view! {
                <Field id=ids.client_id label=m(ChatMsg::ClientId) value=values.client_id
                    name="configuration.DingTalk.client_id" required=true
                    check=|v: String| message(DingTalkClientId::parse(&v))/>
                <Field id=ids.client_secret label=m(ChatMsg::ClientSecret)
                    value=values.client_secret kind=FieldKind::Secret
                    name="configuration.DingTalk.client_secret" required=!keep_secret hint=secret_hint/>
                <Field id=ids.template_id label=m(ChatMsg::TemplateId) value=values.template_id
                    name="configuration.DingTalk.template_id"
                    check=|v: String| message(TemplateId::parse(&v))/>
                <CheckApp values existing=existing.clone()/>
            }
            .into_any()
        } else {
            view! { <WeComEntries values keys=ids.keys ids=ids.values/> }.into_any()
        }}
    }
}

#[component]
fn WeComEntries(
    values: Values,
    keys: [&'static str; ENTRIES],
    ids: [&'static str; ENTRIES],
) -> impl IntoView {
    let row = move |i: usize| {
        let secret = Memo::new(move |_| values.keys[i].with(|k| is_secret_key(k)));
        view! {
            <div class="entry">
                <Field id=keys[i] label=m(ChatMsg::EntryKey) value=values.keys[i]
                    check=|v: String| message(WeComKey::parse(&v))/>
                {move || if secret.get() {
                    view! {
                        <Field id=ids[i] label=m(ChatMsg::EntryValue) value=values.values[i]
                            kind=FieldKind::Secret hint=m(ChatMsg::EntrySecretKeep)/>
                    }
                    .into_any()
                } else {
                    view! { <Field id=ids[i] label=m(ChatMsg::EntryValue) value=values.values[i]/> }
                        .into_any()
                }}
            </div>
        }
    };
    view! {
        <fieldset>
            <legend>{crate::i18n::tr(m(ChatMsg::WeCom))}</legend>
            {move || (0..values.rows.get()).map(row).collect_view()}
            <button type="button" disabled=move || values.rows.get() >= ENTRIES
                on:click=move |_| values.rows.update(|r| *r = (*r + 1).min(ENTRIES))>
                {crate::i18n::tr(m(ChatMsg::AddEntry))}
            </button>
        </fieldset>
    }
}

/// Gets a DingTalk token with the typed client id and secret (or the held
/// secret of an existing configuration) before OOS stores them.
#[component]
fn CheckApp(values: Values, existing: Option<ConfigRef>) -> impl IntoView {
    let i18n = use_i18n();
    let result = RwSignal::new(None::<Result<ConnectionCheck, Failure>>);
    let check = move |_| {
        let draft = CheckAppDraft {
            client_id: values.client_id.get_untracked(),
            client_secret: Values::secret(values.client_secret.get_untracked()),
            existing: existing.clone(),
        };
        result.set(None);
        spawn_local(async move {
            let r = api::send::<ConnectionCheck>(Method::POST, &format!("{API}/check-app"), &draft)
                .await;
            result.set(Some(r));
        });
    };
    let shown = move || {
        result.get().map(|r| match r {
            Ok(c) => {
                let verdict = i18n.t(m(if c.ok {
                    ChatMsg::AppOk
                } else {
                    ChatMsg::AppFailed
                }));
                view! { <p>{format!("{verdict}: {}", c.message)}</p> }.into_any()
            }
            Err(failure) => view! { <ErrorPanel error=Some(failure)/> }.into_any(),
        })
    };
    view! {
        <p><button type="button" on:click=check>{crate::i18n::tr(m(ChatMsg::CheckApp))}</button></p>
        <div role="status">{shown}</div>
    }
}

#[component]
pub fn CreateForm(
    /// (id, name) of the accounts to choose from; the first by default.
    #[prop(into)]
    accounts: Signal<Vec<(String, String)>>,
    #[prop(into)] on_created: Callback<ConfigRef>,
) -> impl IntoView {
    let values = Values::new();
    // Empty until the user picks one: the first account.
    let account = RwSignal::new(String::new());
    let region = RwSignal::new(String::from("cn-hangzhou"));
    let name = RwSignal::new(String::new());
    let on_submit = move |key: String| -> Option<Request> {
        let chosen = account.get_untracked();
        let account_id = if chosen.is_empty() {
            accounts.with_untracked(|a| a.first().map(|(id, _)| id.clone()).unwrap_or_default())
        } else {
            chosen
        };
        let draft = ChatConfigCreateDraft {
            account_id,
            region_id: region.get_untracked(),
            name: name.get_untracked(),
            fields: values.draft(),
        };
        Some(Box::pin(async move {
            let saved: ChatConfigSaved = api::create(API, &draft, &key).await?;
            on_created.run(ConfigRef {
                account_id: draft.account_id,
                region_id: RegionId::parse(&draft.region_id).map_err(local)?,
                name: saved.name,
            });
            Ok(())
        }))
    };
    view! {
        <Form id="chat-config-new" heading=m(ChatMsg::New) submit=m(ChatMsg::Create) on_submit>
            <div class="field">
                <label for="chat-new-account">{crate::i18n::tr(m(ChatMsg::Account))}</label>
                <select id="chat-new-account" on:change=move |ev| account.set(event_target_value(&ev))>
                    {move || accounts.get().into_iter().map(|(id, label)| view! { <option value=id>{label}</option> }).collect_view()}
                </select>
            </div>
            <Field id="chat-new-region" label=m(ChatMsg::Region) value=region name="region_id"
                required=true check=|v: String| message(RegionId::parse(&v))/>
            <Field id="chat-new-name" label=m(ChatMsg::Name) value=name name="name" required=true
                check=|v: String| message(ConfigName::parse(&v))/>
            <Choice id="chat-new-type" label=m(ChatMsg::Type) value=values.platform options=vec![
                ("DingTalk", m(ChatMsg::DingTalk)),
                ("WeChat", m(ChatMsg::WeCom)),
            ]/>
            <ConfigFields values keep_secret=false existing=None/>
        </Form>
    }
}

fn local(err: shared::validate::InvalidField) -> Failure {
    Failure {
        status: 0,
        body: shared::api::ErrorBody {
            code: "request".into(),
            message: err.to_string(),
            field: Some(err.field.to_owned()),
            problem: Some(err.problem),
            request_id: None,
            trace_id: None,
        },
    }
}

/// Edit: "Review changes" asks the server what would change (the same plan
/// it applies), shows the diff and applies it once confirmed.
#[component]
pub fn EditForm(
    detail: ChatConfigDetail,
    #[prop(into)] on_saved: Callback<ChatConfigDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let values = Values::of(&detail);
    let config = ConfigRef {
        account_id: detail.account_id.clone(),
        region_id: detail.config.summary.region_id.clone(),
        name: detail.config.summary.name.clone(),
    };
    let path = one_path(&config);
    let subject = config.name.to_string();
    let changes = RwSignal::new(None::<Vec<FieldChange>>);
    let failure = RwSignal::new(None::<Failure>);
    let preview = {
        let path = path.clone();
        move |_key: String| -> Option<Request> {
            let draft = values.draft();
            let path = format!("{path}/preview");
            failure.set(None);
            spawn_local(async move {
                match api::send::<Vec<FieldChange>>(Method::POST, &path, &draft).await {
                    Ok(c) => changes.set(Some(c)),
                    Err(f) => failure.set(Some(f)),
                }
            });
            None
        }
    };
    let apply = move || {
        changes.set(None);
        let draft = values.draft();
        let path = path.clone();
        spawn_local(async move {
            match api::send::<ChatConfigDetail>(Method::PUT, &path, &draft).await {
                Ok(d) => on_saved.run(d),
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    let title = {
        let subject = subject.clone();
        Signal::derive(move || i18n.fill(Msg::Ui(UiMsg::ReviewChanges), &subject))
    };
    view! {
        <Form id="chat-config-edit" heading=m(ChatMsg::Edit) subject=subject
            submit=m(ChatMsg::SaveChanges) on_submit=preview>
            <ConfigFields values keep_secret=true existing=Some(config)/>
        </Form>
        <ErrorPanel error=failure/>
        <ConfirmDialog open=Signal::derive(move || changes.with(Option::is_some)) title
            confirm=Msg::Ui(UiMsg::Apply) on_confirm=apply on_cancel=move || changes.set(None)>
            {move || changes.get().map(|c| view! { <DiffView changes=c/> })}
        </ConfirmDialog>
    }
}
