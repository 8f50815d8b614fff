//! The chat configurations page: a list across accounts and regions (each
//! region loaded or failed on its own), a detail view with the webhook URL
//! and the change history, and create/edit forms per platform. Secrets are
//! write-only; an edit shows its field-level diff (secrets only as changed
//! or unchanged) and asks before it is applied; a delete names the
//! configuration and its region.

mod form;
mod text;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::area::Area;
use shared::audit::AuditEntry;
use shared::auth::Action;
use shared::chat_configs::{
    ChatConfigDetail, ChatConfigList, ChatConfigRow, ChatPlatform, ConfigName, ConfigRef,
    ListParams, RegionId, RegionOutcome, SecretSource, SettingValue,
};

use self::form::{CreateForm, EditForm};
pub use self::text::{ChatMsg, chat_text};
use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::{Msg, tr, use_i18n};
use crate::router::{Link, Router, use_router};
use crate::ui::{
    ActionResult, ActionStatus, Choice, Column, ConfirmDialog, DataTable, ErrorPanel, Field,
    SortKey,
};

const API: &str = "/chat-configs";

fn m(msg: ChatMsg) -> Msg {
    Msg::Chat(msg)
}

fn platform_msg(platform: Option<ChatPlatform>) -> Msg {
    match platform {
        Some(ChatPlatform::DingTalk) => m(ChatMsg::DingTalk),
        Some(ChatPlatform::WeChat) => m(ChatMsg::WeCom),
        None => Msg::Ui(crate::i18n::UiMsg::Absent),
    }
}

/// `YYYY-MM-DD HH:MM` (UTC) of epoch milliseconds.
fn when(millis: Option<i64>) -> String {
    millis
        .map(|ms| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            let iso: String = date.to_iso_string().into();
            iso.get(..16).unwrap_or_default().replace('T', " ")
        })
        .unwrap_or_default()
}

/// The API path of one configuration, and the console's page for it (its
/// parts are URL-safe: ids, region ids and names of letters, digits, `-`,
/// `_` and `.`).
fn one_path(c: &ConfigRef) -> String {
    format!("{API}/{}/{}/{}", c.account_id, c.region_id, c.name)
}

/// The configuration a console address shows, if it names one.
fn config_at(path: &str) -> Option<ConfigRef> {
    let rest = path.strip_prefix(API)?.strip_prefix('/')?;
    let mut parts = rest.trim_end_matches('/').split('/');
    let (account, region, name) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || account.is_empty() {
        return None;
    }
    Some(ConfigRef {
        account_id: account.to_owned(),
        region_id: RegionId::parse(region).ok()?,
        name: ConfigName::parse(name).ok()?,
    })
}

/// Puts `text` on the clipboard; false where the browser has none.
fn copy(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let clipboard =
        js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| !c.is_undefined());
    if clipboard {
        let _ = navigator.clipboard().write_text(text);
    }
    clipboard
}

/// The webhook URL with a button that copies it.
#[component]
fn Webhook(url: Option<String>, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    url.map(|url| {
        let value = url.clone();
        view! {
            <code>{url}</code>
            " "
            <button type="button" class="copy" on:click=move |_| copied.set(copy(&value))>
                {move || i18n.fill(m(ChatMsg::CopyWebhook), &name)}
            </button>
            <span role="status">
                {move || copied.get().then(tr(Msg::Ui(crate::i18n::UiMsg::Copied)))}
            </span>
        }
    })
}

#[derive(Clone, Copy)]
struct Page {
    list: RwSignal<Option<ChatConfigList>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<Failure>>,
    /// The configuration the address names: each one has its own page.
    open: Memo<Option<ConfigRef>>,
    router: Router,
    result: ActionResult,
}

impl Page {
    /// Opens `config`'s page, or goes back to the list.
    fn show(&self, config: Option<&ConfigRef>) {
        let path = config.map_or_else(|| API.to_owned(), one_path);
        self.router.navigate(&path);
    }

    fn load(&self, params: ListParams) {
        let page = *self;
        page.loading.set(true);
        spawn_local(async move {
            let query = params.to_query();
            let path = if query.is_empty() {
                API.to_owned()
            } else {
                format!("{API}?{query}")
            };
            match api::get::<ChatConfigList>(&path).await {
                Ok(list) => {
                    page.list.set(Some(list));
                    page.error.set(None);
                }
                Err(failure) => page.error.set(Some(failure)),
            }
            page.loading.set(false);
        });
    }

    /// Every (account id, account name) the last answer named; reactive.
    fn accounts(&self) -> Vec<(String, String)> {
        self.list.with(|l| {
            let mut seen: Vec<(String, String)> = Vec::new();
            for r in l.iter().flat_map(|l| l.regions.iter()) {
                if !seen.iter().any(|(id, _)| *id == r.account_id) {
                    seen.push((r.account_id.clone(), r.account_name.clone()));
                }
            }
            seen
        })
    }
}

#[component]
pub fn ChatConfigsPage() -> impl IntoView {
    let write = use_auth().can(Action::ChatConfigsWrite);
    let router = use_router();
    let page = Page {
        list: RwSignal::new(None),
        loading: RwSignal::new(false),
        error: RwSignal::new(None),
        open: Memo::new(move |_| config_at(&router.path())),
        router,
        result: ActionResult::new(),
    };
    let params = RwSignal::new(ListParams::default());
    page.load(ListParams::default());
    view! {
        <h1>{tr(Msg::Area(Area::ChatConfigs))}</h1>
        <p>{tr(m(ChatMsg::Intro))}</p>
        <ActionStatus result=page.result/>
        // The list stays mounted (hidden) while a detail is open, so going
        // back keeps its filters and nothing it subscribes to is dropped.
        {move || page.open.get().map(|config| view! { <Detail config page write/> })}
        <div hidden=move || page.open.with(Option::is_some)>
            <Filters page params/>
            <Listing page/>
            {write.then(|| view! {
                <CreateForm accounts=Signal::derive(move || page.accounts()) on_created=move |c: ConfigRef| {
                    page.load(params.get_untracked());
                    page.show(Some(&c));
                }/>
            })}
        </div>
    }
}

#[component]
fn Filters(page: Page, params: RwSignal<ListParams>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let platform = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let regions = RwSignal::new(String::new());
    let account = RwSignal::new(String::new());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let next = ListParams {
            account_id: text(account),
            regions: text(regions),
            name: text(name),
            platform: ChatPlatform::parse(&platform.get_untracked()),
            label: text(label),
        };
        params.set(next.clone());
        page.load(next);
    };
    view! {
        <form class="filters" aria-labelledby="chat-filters-title" on:submit=apply>
            <h2 id="chat-filters-title">{tr(m(ChatMsg::Filters))}</h2>
            <div class="field">
                <label for="chat-filter-account">{tr(m(ChatMsg::Account))}</label>
                <select id="chat-filter-account" on:change=move |ev| account.set(event_target_value(&ev))>
                    <option value="">{tr(m(ChatMsg::AllAccounts))}</option>
                    {move || page.accounts().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </div>
            <Field id="chat-filter-regions" label=m(ChatMsg::Regions) value=regions
                hint=m(ChatMsg::RegionsHint)/>
            <Field id="chat-filter-name" label=m(ChatMsg::NameFilter) value=name/>
            <Choice id="chat-filter-type" label=m(ChatMsg::TypeFilter) value=platform options=vec![
                ("", m(ChatMsg::AnyType)),
                ("DingTalk", m(ChatMsg::DingTalk)),
                ("WeChat", m(ChatMsg::WeCom)),
            ]/>
            <Field id="chat-filter-label" label=m(ChatMsg::LabelFilter) value=label/>
            <div class="actions">
                <button type="submit">{tr(m(ChatMsg::Apply))}</button>
            </div>
        </form>
    }
}

#[component]
fn Listing(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let rows = Signal::derive(move || {
        page.list.with(|l| {
            l.iter()
                .flat_map(|l| l.regions.iter())
                .flat_map(|r| match &r.outcome {
                    RegionOutcome::Loaded { configs } => configs.clone(),
                    RegionOutcome::Failed { .. } => Vec::new(),
                })
                .collect::<Vec<ChatConfigRow>>()
        })
    });
    // Each region's outcome on its own line: a failure is that region's.
    let regions = move || {
        page.list.with(|l| {
            l.iter()
                .flat_map(|l| l.regions.clone())
                .map(|r| {
                    let title = format!("{} · {}", r.account_name, r.region_id);
                    match r.outcome {
                        RegionOutcome::Loaded { configs } => view! {
                            <li>{title}": "{move || i18n.fill(m(ChatMsg::Loaded), &configs.len().to_string())}</li>
                        }
                        .into_any(),
                        RegionOutcome::Failed { error } => {
                            let failure = Failure { status: 0, body: error };
                            view! {
                                <li>
                                    {title}": "{tr(m(ChatMsg::RegionFailed))}
                                    <ErrorPanel error=Some(failure)/>
                                </li>
                            }
                            .into_any()
                        }
                    }
                })
                .collect_view()
        })
    };
    let columns = vec![
        Column::new(m(ChatMsg::Name), move |r: &ChatConfigRow| {
            let config = ConfigRef {
                account_id: r.account_id.clone(),
                region_id: r.summary.region_id.clone(),
                name: r.summary.name.clone(),
            };
            let name = r.summary.name.to_string();
            view! { <Link href=one_path(&config)>{name}</Link> }.into_any()
        })
        .sort_by(|r: &ChatConfigRow| SortKey::Text(r.summary.name.to_string())),
        Column::new(m(ChatMsg::Type), |r: &ChatConfigRow| {
            tr(platform_msg(r.summary.platform)).into_any()
        }),
        Column::text(m(ChatMsg::RamRole), |r: &ChatConfigRow| {
            r.summary.ram_role.clone().unwrap_or_default()
        }),
        Column::text(m(ChatMsg::Region), |r: &ChatConfigRow| {
            r.summary.region_id.to_string()
        }),
        Column::text(m(ChatMsg::Updated), |r: &ChatConfigRow| {
            when(r.summary.updated.map(|t| t.epoch_millis()))
        })
        .sort_by(|r: &ChatConfigRow| {
            SortKey::Number(r.summary.updated.map_or(0, |t| t.epoch_millis()))
        }),
        Column::new(m(ChatMsg::Webhook), |r: &ChatConfigRow| {
            view! { <Webhook url=r.summary.webhook_url.clone() name=r.summary.name.to_string()/> }
                .into_any()
        }),
        Column::text(m(ChatMsg::Labels), |r: &ChatConfigRow| {
            r.labels
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }),
    ];
    view! {
        <ul class="region-status" aria-live="polite">{regions}</ul>
        <DataTable id="chat-configs" caption=m(ChatMsg::Configurations) rows columns
            loading=page.loading error=page.error
            key=|r: &ChatConfigRow| format!("{}/{}/{}", r.account_id, r.summary.region_id, r.summary.name)
            name=|r: &ChatConfigRow| r.summary.name.to_string()
            filter=|r: &ChatConfigRow| format!("{} {} {}", r.summary.name, r.summary.region_id,
                r.labels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(" "))/>
    }
}

#[component]
fn Detail(config: ConfigRef, page: Page, write: bool) -> impl IntoView {
    let i18n = use_i18n();
    let detail = RwSignal::new(None::<ChatConfigDetail>);
    let history = RwSignal::new(Vec::<AuditEntry>::new());
    let error = RwSignal::new(None::<Failure>);
    let deleting = RwSignal::new(false);
    let path = one_path(&config);
    let load = {
        let path = path.clone();
        move || {
            let path = path.clone();
            spawn_local(async move {
                match api::get::<ChatConfigDetail>(&path).await {
                    Ok(d) => {
                        detail.set(Some(d));
                        error.set(None);
                    }
                    Err(f) => error.set(Some(f)),
                }
                // The history is the audit trail's; a failure shows above.
                match api::get::<Vec<AuditEntry>>(&format!("{path}/history")).await {
                    Ok(events) => history.set(events),
                    Err(f) => error.set(Some(f)),
                }
            });
        }
    };
    load();
    let title = format!("{} ({})", config.name, config.region_id);
    // Back to the list at once; the list reloads when OOS answered, and
    // the result shows above it.
    let delete = {
        let path = path.clone();
        move || {
            deleting.set(false);
            page.show(None);
            let path = path.clone();
            spawn_local(async move {
                let r = api::send_empty(Method::DELETE, &path, None::<&()>).await;
                page.result.report(r);
                page.load(ListParams::default());
            });
        }
    };
    let delete_title = {
        let title = title.clone();
        Signal::derive(move || i18n.fill(m(ChatMsg::DeleteTitle), &title))
    };
    let heading = title.clone();
    view! {
        <p><Link href=API>{tr(m(ChatMsg::Back))}</Link></p>
        <h2>{move || i18n.fill(m(ChatMsg::Details), &heading)}</h2>
        <ErrorPanel error/>
        {move || detail.get().is_none().then(|| view! { <p role="status">{tr(m(ChatMsg::Loading))}</p> })}
        {move || detail.get().map(|d| view! { <DetailBody detail=d history/> })}
        {move || (write && detail.with(Option::is_some)).then(|| {
            let d = detail.get_untracked().unwrap();
            let reload = load.clone();
            view! {
                <EditForm detail=d on_saved=move |_: ChatConfigDetail| reload()/>
                <p>
                    <button type="button" class="danger" on:click=move |_| deleting.set(true)>
                        {tr(m(ChatMsg::Delete))}
                    </button>
                </p>
            }
        })}
        <ConfirmDialog open=deleting title=delete_title confirm=m(ChatMsg::Delete) danger=true
            on_confirm=move || delete() on_cancel=move || deleting.set(false)>
            <p>{tr(m(ChatMsg::DeleteHint))}</p>
        </ConfirmDialog>
    }
}

#[component]
fn DetailBody(detail: ChatConfigDetail, history: RwSignal<Vec<AuditEntry>>) -> impl IntoView {
    let s = &detail.config.summary;
    let settings = detail
        .config
        .settings
        .iter()
        .map(|setting| {
            let value = match &setting.value {
                SettingValue::Plain(v) => view! { <code>{v.clone()}</code> }.into_any(),
                SettingValue::Secret { set: true } => {
                    view! { <em>{tr(m(ChatMsg::SecretSet))}</em> }.into_any()
                }
                SettingValue::Secret { set: false } => {
                    view! { <em>{tr(m(ChatMsg::SecretNotSet))}</em> }.into_any()
                }
            };
            view! { <dt>{setting.key.clone()}</dt><dd>{value}</dd> }
        })
        .collect_view();
    let secrets = match detail.secrets {
        SecretSource::Held => ChatMsg::SecretsHeld,
        SecretSource::Outside => ChatMsg::SecretsOutside,
        SecretSource::None => ChatMsg::SecretsNone,
    };
    let columns = vec![
        Column::text(m(ChatMsg::Time), |e: &AuditEntry| when(Some(e.at))),
        Column::text(m(ChatMsg::Actor), |e: &AuditEntry| e.actor.clone()),
        Column::text(m(ChatMsg::Action), |e: &AuditEntry| e.action.clone()),
        Column::text(m(ChatMsg::Outcome), |e: &AuditEntry| {
            e.outcome.as_str().to_owned()
        }),
        Column::text(Msg::Ui(crate::i18n::UiMsg::RequestId), |e: &AuditEntry| {
            e.request_id.clone().unwrap_or_default()
        }),
    ];
    let labels = detail
        .labels
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <dl class="details">
            <dt>{tr(m(ChatMsg::Account))}</dt><dd>{detail.account_name.clone()}</dd>
            <dt>{tr(m(ChatMsg::Type))}</dt><dd>{tr(platform_msg(s.platform))}</dd>
            <dt>{tr(m(ChatMsg::RamRole))}</dt><dd>{s.ram_role.clone()}</dd>
            <dt>{tr(m(ChatMsg::ResourceGroup))}</dt><dd>{detail.config.resource_group_id.clone()}</dd>
            <dt>{tr(m(ChatMsg::Created))}</dt><dd>{when(s.created.map(|t| t.epoch_millis()))}</dd>
            <dt>{tr(m(ChatMsg::Updated))}</dt><dd>{when(s.updated.map(|t| t.epoch_millis()))}</dd>
            <dt>{tr(m(ChatMsg::Webhook))}</dt>
            <dd><Webhook url=s.webhook_url.clone() name=s.name.to_string()/></dd>
            <dt>{tr(m(ChatMsg::Labels))}</dt><dd>{labels}</dd>
        </dl>
        <h3>{tr(m(ChatMsg::Settings))}</h3>
        <dl class="details">{settings}</dl>
        <p>{tr(m(secrets))}</p>
        <DataTable id="chat-config-history" caption=m(ChatMsg::History) rows=history columns
            key=|e: &AuditEntry| e.seq.to_string()/>
    }
}
