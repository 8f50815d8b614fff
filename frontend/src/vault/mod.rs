//! The Credentials page: stored Alibaba Cloud accounts and DingTalk apps by
//! name and fingerprint. Secret inputs are write-only: the server never
//! sends a secret back, so there is nothing to show in them. Deleting asks
//! first; replacing a secret shows what changes before it is applied.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::area::Area;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::vault::{
    AlibabaAccount, AlibabaAccountInput, ConnectionCheck, DingTalkApi, DingTalkApp,
    DingTalkAppInput, DingTalkSite, SignatureKind, check_name, check_region,
};

use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::{Msg, UiMsg, tr, use_i18n};
use crate::ui::error::CopyableId;
use crate::ui::{
    ActionResult, ActionStatus, Choice, Column, ConfirmDialog, DataTable, DiffView, ErrorPanel,
    Field, FieldKind, Form, Listing, Request, SortKey, diff, invalid,
};

const ALIBABA: &str = "/credentials/alibaba";
const DINGTALK: &str = "/credentials/dingtalk";

fn regions_from_text(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

fn check_regions(text: String) -> Result<(), String> {
    regions_from_text(&text)
        .iter()
        .try_for_each(|r| check_region(r))
}

/// A stored credential a row action works on.
#[derive(Clone, Debug, PartialEq)]
enum Credential {
    Alibaba(AlibabaAccount),
    DingTalk(DingTalkApp),
}

impl Credential {
    fn name(&self) -> &str {
        match self {
            Credential::Alibaba(a) => &a.name,
            Credential::DingTalk(a) => &a.name,
        }
    }

    fn path(&self) -> String {
        match self {
            Credential::Alibaba(a) => format!("{ALIBABA}/{}", a.id),
            Credential::DingTalk(a) => format!("{DINGTALK}/{}", a.id),
        }
    }
}

/// What the page's row actions share.
#[derive(Clone, Copy)]
struct Page {
    accounts: Listing<AlibabaAccount>,
    apps: Listing<DingTalkApp>,
    result: ActionResult,
    replacing: RwSignal<Option<Credential>>,
    deleting: RwSignal<Option<Credential>>,
}

impl Page {
    fn reload(&self) {
        self.accounts.load(ALIBABA);
        self.apps.load(DINGTALK);
    }
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let i18n = use_i18n();
    let manage = use_auth().can(Action::CredentialsManage);
    let page = Page {
        accounts: Listing::new(),
        apps: Listing::new(),
        result: ActionResult::new(),
        replacing: RwSignal::new(None),
        deleting: RwSignal::new(None),
    };
    page.reload();
    let delete = move || {
        let Some(target) = page.deleting.get_untracked() else {
            return;
        };
        page.deleting.set(None);
        spawn_local(async move {
            let r = api::send_empty(Method::DELETE, &target.path(), None::<&()>).await;
            page.result.report(r);
            page.reload();
        });
    };
    let actions = move |c: Credential| view! { <RowActions credential=c page/> }.into_any();

    let mut alibaba = vec![
        Column::new(Msg::Name, |a: &AlibabaAccount| {
            name_cell(&a.name, a.sandbox)
        })
        .sort_by(|a: &AlibabaAccount| SortKey::Text(a.name.to_lowercase())),
        Column::new(Msg::Fingerprint, |a: &AlibabaAccount| {
            view! { <code>{a.fingerprint.clone()}</code> }.into_any()
        }),
        Column::new(Msg::Signature, |a: &AlibabaAccount| {
            tr(Msg::SignatureKind(a.signature)).into_any()
        }),
        Column::text(Msg::Regions, |a: &AlibabaAccount| a.regions.join(", ")),
        Column::new(Msg::StsToken, |a: &AlibabaAccount| {
            tr(if a.has_sts_token { Msg::Yes } else { Msg::No }).into_any()
        }),
    ];
    let mut dingtalk = vec![
        Column::new(Msg::Name, |a: &DingTalkApp| name_cell(&a.name, a.sandbox))
            .sort_by(|a: &DingTalkApp| SortKey::Text(a.name.to_lowercase())),
        Column::new(Msg::AppKey, |a: &DingTalkApp| {
            view! { <code>{a.app_key.clone()}</code> }.into_any()
        }),
        Column::new(Msg::Fingerprint, |a: &DingTalkApp| {
            view! { <code>{a.fingerprint.clone()}</code> }.into_any()
        }),
        Column::new(Msg::SiteLabel, |a: &DingTalkApp| {
            tr(Msg::Site(a.site)).into_any()
        }),
        Column::new(Msg::ApiPreference, |a: &DingTalkApp| {
            tr(Msg::Api(a.api)).into_any()
        }),
    ];
    if manage {
        alibaba.push(Column::new(Msg::Actions, move |a: &AlibabaAccount| {
            actions(Credential::Alibaba(a.clone()))
        }));
        dingtalk.push(Column::new(Msg::Actions, move |a: &DingTalkApp| {
            actions(Credential::DingTalk(a.clone()))
        }));
    }
    let deleting_title = Signal::derive(move || {
        page.deleting.with(|d| {
            d.as_ref()
                .map(|c| i18n.fill(Msg::Ui(UiMsg::DeleteCredential), c.name()))
                .unwrap_or_default()
        })
    });
    view! {
        <h1>{tr(Msg::Area(Area::Credentials))}</h1>
        <p>{tr(Msg::WriteOnlyNote)}</p>
        <ActionStatus result=page.result/>
        <h2>{tr(Msg::AlibabaAccounts)}</h2>
        <DataTable id="alibaba-accounts" caption=Msg::AlibabaAccounts rows=page.accounts.rows
            columns=alibaba loading=page.accounts.loading error=page.accounts.error
            key=|a: &AlibabaAccount| a.id.clone() name=|a: &AlibabaAccount| a.name.clone()
            filter=|a: &AlibabaAccount| format!("{} {} {}", a.name, a.fingerprint, a.regions.join(" "))/>
        <h2>{tr(Msg::DingTalkApps)}</h2>
        <DataTable id="dingtalk-apps" caption=Msg::DingTalkApps rows=page.apps.rows
            columns=dingtalk loading=page.apps.loading error=page.apps.error
            key=|a: &DingTalkApp| a.id.clone() name=|a: &DingTalkApp| a.name.clone()
            filter=|a: &DingTalkApp| format!("{} {}", a.name, a.app_key)/>
        <ConfirmDialog open=Signal::derive(move || page.deleting.with(Option::is_some))
            title=deleting_title confirm=Msg::Delete danger=true
            on_confirm=move || delete() on_cancel=move || page.deleting.set(None)>
            <p>{tr(Msg::Ui(UiMsg::DeleteCredentialHint))}</p>
        </ConfirmDialog>
        {move || page.replacing.get().map(|target| view! { <ReplaceSecretForm target page/> })}
        {manage.then(|| view! {
            <NewAlibabaForm on_saved=move || page.reload()/>
            <NewDingTalkForm on_saved=move || page.reload()/>
        })}
    }
}

#[component]
fn RowActions(credential: Credential, page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let checked = RwSignal::new(None::<Result<ConnectionCheck, Failure>>);
    let test_path = format!("{}/test", credential.path());
    let test = move |_| {
        let test_path = test_path.clone();
        checked.set(None);
        spawn_local(async move {
            let result = api::send::<ConnectionCheck>(Method::POST, &test_path, &()).await;
            checked.set(Some(result));
        });
    };
    // The upstream's own words, and its RequestId for its support.
    let shown = move || {
        checked.get().map(|result| match result {
            Ok(c) => {
                let verdict = i18n.t(if c.ok {
                    Msg::ConnectionOk
                } else {
                    Msg::ConnectionFailed
                });
                view! {
                    <p>{format!("{verdict}: {}", c.message)}</p>
                    {c.request_id.map(|id| view! {
                        <dl><CopyableId label=UiMsg::RequestId id/></dl>
                    })}
                }
                .into_any()
            }
            Err(failure) => view! {
                <p>{tr(Msg::ConnectionFailed)}</p>
                <ErrorPanel error=Some(failure)/>
            }
            .into_any(),
        })
    };
    let (replace, delete) = (credential.clone(), credential);
    view! {
        <div class="row-actions">
            <button type="button" on:click=test>{tr(Msg::TestConnection)}</button>
            <button type="button" on:click=move |_| page.replacing.set(Some(replace.clone()))>
                {tr(Msg::ReplaceSecret)}
            </button>
            <button type="button" class="danger" on:click=move |_| page.deleting.set(Some(delete.clone()))>
                {tr(Msg::Delete)}
            </button>
        </div>
        <div role="status">{shown}</div>
    }
}

/// New secrets for a stored credential; what changes is shown and
/// confirmed before it is applied.
#[component]
fn ReplaceSecretForm(target: Credential, page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let sts = RwSignal::new(String::new());
    let alibaba = matches!(target, Credential::Alibaba(_));
    let name = target.name().to_owned();
    let reviewing = RwSignal::new(false);
    let changes = {
        let target = target.clone();
        move || -> Vec<FieldChange> {
            match &target {
                Credential::Alibaba(a) => vec![
                    diff::secret("access_key_id", true),
                    diff::secret("access_key_secret", true),
                    diff::secret(
                        "sts_token",
                        a.has_sts_token || !sts.get_untracked().trim().is_empty(),
                    ),
                ],
                Credential::DingTalk(_) => vec![diff::secret("app_secret", true)],
            }
        }
    };
    let apply = {
        let target = target.clone();
        move || {
            reviewing.set(false);
            let path = target.path();
            let target = target.clone();
            spawn_local(async move {
                let saved = match target {
                    Credential::Alibaba(a) => {
                        let input = AlibabaAccountInput {
                            name: a.name,
                            access_key_id: Some(key_id.get_untracked()),
                            access_key_secret: Some(secret.get_untracked().into()),
                            sts_token: Some(sts.get_untracked().into()),
                            signature: a.signature,
                            regions: a.regions,
                        };
                        page.result
                            .report(api::send::<AlibabaAccount>(Method::PUT, &path, &input).await)
                    }
                    Credential::DingTalk(a) => {
                        let input = DingTalkAppInput {
                            name: a.name,
                            app_key: a.app_key,
                            app_secret: Some(secret.get_untracked().into()),
                            site: a.site,
                            api: a.api,
                        };
                        page.result
                            .report(api::send::<DingTalkApp>(Method::PUT, &path, &input).await)
                    }
                };
                if saved {
                    page.replacing.set(None);
                    page.reload();
                }
            });
        }
    };
    // Submitting only opens the review; the dialog's Apply sends.
    let on_submit = move |_key: String| -> Option<Request> {
        reviewing.set(true);
        None
    };
    let title = {
        let name = name.clone();
        Signal::derive(move || i18n.fill(Msg::Ui(UiMsg::ReviewChanges), &name))
    };
    view! {
        <Form id="replace-secret" heading=Msg::ReplaceSecret subject=name submit=Msg::ReplaceSecret
            on_submit on_cancel=move || page.replacing.set(None)>
            {alibaba.then(|| view! {
                <Field id="replace-key-id" label=Msg::AccessKeyId value=key_id
                    name="access_key_id" required=true/>
            })}
            <Field id="replace-secret-value"
                label=if alibaba { Msg::AccessKeySecret } else { Msg::AppSecret }
                value=secret kind=FieldKind::Secret required=true
                name=if alibaba { "access_key_secret" } else { "app_secret" }/>
            {alibaba.then(|| view! {
                <Field id="replace-sts" label=Msg::StsToken value=sts kind=FieldKind::Secret
                    name="sts_token"/>
            })}
        </Form>
        <ConfirmDialog open=reviewing title confirm=Msg::Ui(UiMsg::Apply)
            on_confirm=move || apply() on_cancel=move || reviewing.set(false)>
            <DiffView changes=changes()/>
        </ConfirmDialog>
    }
}

#[component]
fn NewAlibabaForm(on_saved: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let sts = RwSignal::new(String::new());
    let regions = RwSignal::new(String::new());
    let signature = RwSignal::new(SignatureKind::V3.as_str().to_owned());
    let on_submit = move |key: String| -> Option<Request> {
        let input = AlibabaAccountInput {
            name: name.get_untracked(),
            access_key_id: Some(key_id.get_untracked()),
            access_key_secret: Some(secret.get_untracked().into()),
            sts_token: Some(sts.get_untracked().into()),
            signature: SignatureKind::parse(&signature.get_untracked())?,
            regions: regions_from_text(&regions.get_untracked()),
        };
        let fields = [name, key_id, secret, sts, regions];
        Some(Box::pin(create_then_clear::<_, AlibabaAccount>(
            ALIBABA, input, key, fields, on_saved,
        )))
    };
    view! {
        <Form id="new-alibaba" heading=Msg::Add subject=use_i18n().t(Msg::AlibabaAccounts)
            submit=Msg::Add on_submit>
            <Field id="ali-name" label=Msg::Name value=name name="name" required=true
                check=|v: String| check_name(&v).map_err(invalid)/>
            <Field id="ali-key-id" label=Msg::AccessKeyId value=key_id name="access_key_id"
                required=true/>
            <Field id="ali-secret" label=Msg::AccessKeySecret value=secret kind=FieldKind::Secret
                name="access_key_secret" required=true/>
            <Field id="ali-sts" label=Msg::StsToken value=sts kind=FieldKind::Secret
                name="sts_token"/>
            <Choice id="ali-signature" label=Msg::Signature value=signature
                options=SignatureKind::ALL.map(|k| (k.as_str(), Msg::SignatureKind(k))).to_vec()/>
            <Field id="ali-regions" label=Msg::Regions value=regions name="regions"
                hint=Msg::RegionsHint check=check_regions/>
        </Form>
    }
}

#[component]
fn NewDingTalkForm(on_saved: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let app_key = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let site = RwSignal::new(DingTalkSite::Mainland.as_str().to_owned());
    let api_kind = RwSignal::new(DingTalkApi::New.as_str().to_owned());
    let on_submit = move |key: String| -> Option<Request> {
        let input = DingTalkAppInput {
            name: name.get_untracked(),
            app_key: app_key.get_untracked(),
            app_secret: Some(secret.get_untracked().into()),
            site: DingTalkSite::parse(&site.get_untracked())?,
            api: DingTalkApi::parse(&api_kind.get_untracked())?,
        };
        let fields = [name, app_key, secret];
        Some(Box::pin(create_then_clear::<_, DingTalkApp>(
            DINGTALK, input, key, fields, on_saved,
        )))
    };
    view! {
        <Form id="new-dingtalk" heading=Msg::Add subject=use_i18n().t(Msg::DingTalkApps)
            submit=Msg::Add on_submit>
            <Field id="ding-name" label=Msg::Name value=name name="name" required=true
                check=|v: String| check_name(&v).map_err(invalid)/>
            <Field id="ding-key" label=Msg::AppKey value=app_key name="app_key" required=true/>
            <Field id="ding-secret" label=Msg::AppSecret value=secret kind=FieldKind::Secret
                name="app_secret" required=true/>
            <Choice id="ding-site" label=Msg::SiteLabel value=site
                options=DingTalkSite::ALL.map(|k| (k.as_str(), Msg::Site(k))).to_vec()/>
            <Choice id="ding-api" label=Msg::ApiPreference value=api_kind
                options=DingTalkApi::ALL.map(|k| (k.as_str(), Msg::Api(k))).to_vec()/>
        </Form>
    }
}

/// A credential's name, with a badge when the console stored it for its
/// built-in sandbox.
fn name_cell(name: &str, sandbox: bool) -> AnyView {
    let badge = sandbox.then(|| {
        view! { <span class="badge" title=tr(Msg::Ui(UiMsg::SandboxHint))>{tr(Msg::Ui(UiMsg::Sandbox))}</span> }
    });
    view! { {name.to_owned()} " " {badge} }.into_any()
}

/// Creates a credential from a form, then empties the form's fields and
/// reloads the list.
async fn create_then_clear<I: serde::Serialize, V: serde::de::DeserializeOwned>(
    path: &'static str,
    input: I,
    key: String,
    fields: impl IntoIterator<Item = RwSignal<String>>,
    on_saved: impl Fn(),
) -> Result<(), Failure> {
    api::create::<V>(path, &input, &key).await?;
    for field in fields {
        field.set(String::new());
    }
    on_saved();
    Ok(())
}
