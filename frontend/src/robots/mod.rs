//! The Security Center robots page: one account's robots, paged by the
//! server; admins create, edit (after a preview of the changes), enable,
//! disable, delete and test them. Webhooks only ever appear masked.

mod text;

use std::collections::HashSet;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::robots::{
    AccountResult, AccountRobots, AssetGroup, AssetGroupChoice, AssetGroups, BulkOutcome,
    IntervalUnit, PageInfo, Robot, RobotForm, RobotId, RobotIds, RobotLang, RobotName, RobotPage,
    RobotSaved, RobotScopes, ScopeChoices, ScopePick, StatusChange, TestSent, WebhookUrl,
    flatten_groups, picks_of, rules_from_picks,
};
use shared::secret::SecretInput;
use wasm_bindgen::JsValue;

pub use text::{RobotsMsg, robots_text};

use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::{I18n, Lang, Msg, use_i18n};
use crate::ui::{
    ActionResult, Choice, Column, ConfirmDialog, DataTable, DiffView, ErrorPanel, Field, FieldKind,
    Form, Request, ServerPaging, invalid,
};

use RobotsMsg as R;

/// The text of a robots message, reactive to the language.
fn t(msg: R) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(Msg::Robots(msg))
}

/// Epoch ms in the browser's time zone and the UI language.
fn local_time(ms: i64, lang: Lang) -> String {
    js_sys::Date::new(&JsValue::from_f64(ms as f64))
        .to_locale_string(lang.code(), &JsValue::UNDEFINED)
        .into()
}

fn robot_lang(lang: Lang) -> RobotLang {
    match lang {
        Lang::En => RobotLang::En,
        Lang::ZhCn => RobotLang::Zh,
    }
}

/// Adds `item` to `list`, or takes it out if it is there (a checkbox).
fn toggle<T: PartialEq>(list: &mut Vec<T>, item: T) {
    match list.iter().position(|x| *x == item) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(item),
    }
}

/// One robot's result in a bulk action: its name and error, if any.
type Outcome = (String, Option<Failure>);

#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Robot(Robot),
}

/// The page's state, shared by its parts.
#[derive(Clone, Copy)]
struct PageState {
    account: RwSignal<Option<String>>,
    account_name: RwSignal<String>,
    /// From 0, as the table counts.
    page: RwSignal<usize>,
    size: RwSignal<u32>,
    filter: RwSignal<String>,
    rows: RwSignal<Vec<Robot>>,
    info: RwSignal<Option<PageInfo>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<Failure>>,
    choices: RwSignal<ScopeChoices>,
    groups: RwSignal<Vec<AssetGroup>>,
    selected: RwSignal<HashSet<String>>,
    sent: RwSignal<Option<String>>,
    action: ActionResult,
    results: RwSignal<Option<Vec<Outcome>>>,
    editing: RwSignal<Option<Editing>>,
    confirm_delete: RwSignal<bool>,
}

impl PageState {
    fn path(&self, rest: &str) -> Option<String> {
        self.account
            .get_untracked()
            .map(|a| format!("/robots/{a}{rest}"))
    }

    fn show(&self, answer: Result<RobotPage, Failure>) {
        match answer {
            Ok(page) => {
                self.info.set(Some(page.page));
                self.rows.set(page.robots);
                self.error.set(None);
            }
            Err(f) => self.error.set(Some(f)),
        }
        self.loading.set(false);
    }

    fn reload(self) {
        let Some(base) = self.path("") else { return };
        let query = format!(
            "?page={}&page_size={}&name={}",
            self.page.get_untracked() + 1,
            self.size.get_untracked(),
            js_sys::encode_uri_component(&self.filter.get_untracked())
        );
        self.loading.set(true);
        spawn_local(async move {
            self.show(api::get::<RobotPage>(&format!("{base}{query}")).await);
        });
    }

    fn selected_ids(&self) -> Vec<RobotId> {
        self.selected.with_untracked(|s| {
            s.iter()
                .filter_map(|k| k.parse().ok())
                .map(RobotId)
                .collect()
        })
    }

    fn name_of(&self, id: RobotId) -> String {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .find(|r| r.id == id)
                .map_or_else(|| id.to_string(), |r| r.name.clone())
        })
    }

    /// Runs a bulk action and shows each robot's result.
    fn bulk(self, rest: &'static str, body: impl serde::Serialize + 'static) {
        let Some(path) = self.path(rest) else { return };
        self.action.clear();
        spawn_local(async move {
            match api::send::<BulkOutcome>(Method::POST, &path, &body).await {
                Ok(outcome) => {
                    let rows = outcome
                        .results
                        .into_iter()
                        .map(|r| {
                            let error = r.error().cloned().map(|body| Failure { status: 0, body });
                            let name = r.name.clone().unwrap_or_else(|| {
                                r.id.parse()
                                    .map_or(r.id.clone(), |id| self.name_of(RobotId(id)))
                            });
                            (name, error)
                        })
                        .collect();
                    self.results.set(Some(rows));
                }
                Err(f) => {
                    self.action.report::<()>(Err(f));
                }
            }
            self.selected.set(HashSet::new());
            self.reload();
        });
    }
}

#[component]
pub fn RobotsPage() -> impl IntoView {
    let i18n = use_i18n();
    let write = use_auth().can(Action::RobotsWrite);
    let s = PageState {
        account: RwSignal::new(None),
        account_name: RwSignal::new(String::new()),
        page: RwSignal::new(0),
        size: RwSignal::new(20),
        filter: RwSignal::new(String::new()),
        rows: RwSignal::new(Vec::new()),
        info: RwSignal::new(None),
        loading: RwSignal::new(true),
        error: RwSignal::new(None),
        choices: RwSignal::new(ScopeChoices::default()),
        groups: RwSignal::new(Vec::new()),
        selected: RwSignal::new(HashSet::new()),
        sent: RwSignal::new(None),
        action: ActionResult::new(),
        results: RwSignal::new(None),
        editing: RwSignal::new(None),
        confirm_delete: RwSignal::new(false),
    };
    let accounts = RwSignal::new(Vec::<(String, String)>::new());
    // The first page of every account; the first account is shown.
    spawn_local(async move {
        match api::get::<Vec<AccountRobots>>("/robots").await {
            Ok(all) => {
                accounts.set(
                    all.iter()
                        .map(|a| (a.account_id.clone(), a.account_name.clone()))
                        .collect(),
                );
                match all.into_iter().next() {
                    Some(first) => {
                        s.account.set(Some(first.account_id));
                        s.account_name.set(first.account_name);
                        s.show(match first.result {
                            AccountResult::Page(p) => Ok(p),
                            AccountResult::Error(body) => Err(Failure { status: 0, body }),
                        });
                    }
                    None => s.show(Ok(RobotPage {
                        page: PageInfo {
                            current_page: 1,
                            page_size: 20,
                            total_count: 0,
                        },
                        robots: Vec::new(),
                    })),
                }
            }
            Err(f) => s.show(Err(f)),
        }
    });
    // The choices behind the scopes and groups, in the UI language.
    Effect::new(move |_| {
        let lang = robot_lang(i18n.lang()).as_str();
        let Some(account) = s.account.get() else {
            return;
        };
        spawn_local(async move {
            let base = format!("/robots/{account}");
            if let Ok(c) = api::get::<ScopeChoices>(&format!("{base}/choices?lang={lang}")).await {
                s.choices.set(c);
            }
            if let Ok(g) = api::get::<AssetGroups>(&format!("{base}/groups?lang={lang}")).await {
                s.groups.set(g.groups);
            }
        });
    });
    let filter_input = RwSignal::new(String::new());
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        s.filter.set(filter_input.get_untracked());
        s.page.set(0);
        s.reload();
    };
    let on_account = move |ev| {
        let id = event_target_value(&ev);
        let name = accounts.with(|a| a.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()));
        s.account_name.set(name.unwrap_or_default());
        s.account.set(Some(id));
        s.page.set(0);
        s.reload();
    };
    let on_size = move |ev| {
        if let Ok(size) = event_target_value(&ev).parse() {
            s.size.set(size);
            s.page.set(0);
            s.reload();
        }
    };
    let status = move |enabled: bool| {
        let ids = s.selected_ids();
        s.bulk("/status", StatusChange { ids, enabled });
    };
    let none_selected = move || s.selected.with(HashSet::is_empty);
    let paging = ServerPaging {
        page: s.page.into(),
        page_size: 20,
        total: Signal::derive(move || {
            s.info
                .get()
                .map(|p| usize::try_from(p.total_count).unwrap_or(usize::MAX))
        }),
        has_next: Signal::derive(move || {
            s.info
                .get()
                .is_some_and(|p| u64::from(p.current_page) < p.page_count())
        }),
        on_page: Callback::new(move |page| {
            s.page.set(page);
            s.reload();
        }),
    };
    let delete_title = Signal::derive(move || {
        let names: Vec<String> = s
            .selected
            .get()
            .iter()
            .filter_map(|k| k.parse().ok())
            .map(|id| s.name_of(RobotId(id)))
            .collect();
        i18n.fill(Msg::Robots(R::ConfirmDeleteTitle), &names.join(", "))
    });
    let confirm_delete = move |()| {
        s.confirm_delete.set(false);
        let ids = s.selected_ids();
        s.bulk("/delete", RobotIds { ids });
    };
    view! {
        <h1>{t(R::Title)}</h1>
        <p>{t(R::Intro)}</p>
        {(!write).then(|| view! { <p>{t(R::ReadOnly)}</p> })}
        <form class="toolbar" role="search" on:submit=search>
            <Show when=move || { accounts.with(|a| a.len() > 1) }>
                <label for="robots-account">{t(R::Account)}</label>
                <select id="robots-account" on:change=on_account>
                    {move || accounts.get().into_iter().map(|(id, name)| {
                        let selected = s.account.get().as_deref() == Some(id.as_str());
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <label for="robots-filter">{t(R::NameFilter)}</label>
            <input id="robots-filter" type="search" bind:value=filter_input/>
            <button type="submit">{t(R::Search)}</button>
            <label for="robots-page-size">{t(R::PageSize)}</label>
            <select id="robots-page-size" on:change=on_size>
                {[10u32, 20, 50, 100].into_iter().map(|n| view! {
                    <option value=n.to_string() selected=move || s.size.get() == n>{n}</option>
                }).collect_view()}
            </select>
        </form>
        {move || s.sent.get().map(|text| view! { <p class="ok" role="status">{text}</p> })}
        <crate::ui::ActionStatus result=s.action/>
        {write.then(|| view! {
            <div class="toolbar">
                <button type="button" on:click=move |_| s.editing.set(Some(Editing::New))>
                    {t(R::NewRobot)}
                </button>
                <button type="button" disabled=none_selected on:click=move |_| status(true)>
                    {t(R::EnableSelected)}
                </button>
                <button type="button" disabled=none_selected on:click=move |_| status(false)>
                    {t(R::DisableSelected)}
                </button>
                <button type="button" disabled=none_selected on:click=move |_| s.confirm_delete.set(true)>
                    {t(R::DeleteSelected)}
                </button>
            </div>
        })}
        <ConfirmDialog open=s.confirm_delete title=delete_title confirm=Msg::Robots(R::Delete)
            danger=true on_confirm=confirm_delete on_cancel=move |()| s.confirm_delete.set(false)>
            <p>{t(R::ConfirmDeleteBody)}</p>
        </ConfirmDialog>
        <BulkResults s=s/>
        {move || s.editing.get().map(|editing| view! { <RobotEditor s=s editing=editing/> })}
        <RobotsTable s=s paging=paging write=write/>
    }
}

/// The robots of the page; row selection and actions for admins only.
#[component]
fn RobotsTable(s: PageState, paging: ServerPaging, write: bool) -> impl IntoView {
    let i18n = use_i18n();
    let columns = columns(s, write, i18n);
    let key = |r: &Robot| r.id.to_string();
    let name = |r: &Robot| r.name.clone();
    let empty = Msg::Robots(R::NoRobots);
    let caption = Msg::Robots(R::Title);
    if write {
        view! {
            <DataTable id="robots" caption rows=s.rows columns loading=s.loading error=s.error
                server=paging key name empty selection=s.selected/>
        }
        .into_any()
    } else {
        view! {
            <DataTable id="robots" caption rows=s.rows columns loading=s.loading error=s.error
                server=paging key name empty/>
        }
        .into_any()
    }
}

/// The table's columns; the actions column only for admins.
fn columns(s: PageState, write: bool, i18n: I18n) -> Vec<Column<Robot>> {
    let word = move |m| i18n.t(Msg::Robots(m));
    let mut columns = vec![
        Column::text(Msg::Robots(R::Name), |r: &Robot| r.name.clone()),
        Column::new(Msg::Robots(R::Status), move |r: &Robot| {
            let (class, m) = if r.enabled {
                ("badge badge-ok", R::Enabled)
            } else {
                ("badge badge-off", R::Disabled)
            };
            view! { <span class=class>{t(m)}</span> }.into_any()
        }),
        Column::new(Msg::Robots(R::Webhook), |r: &Robot| {
            view! { <code>{r.webhook.as_str().to_owned()}</code> }.into_any()
        }),
        Column::new(Msg::Robots(R::MessageLang), move |r: &Robot| match r.lang {
            Some(RobotLang::Zh) => t(R::LangZh).into_any(),
            Some(RobotLang::En) => t(R::LangEn).into_any(),
            None => ().into_any(),
        }),
        Column::new(Msg::Robots(R::Interval), move |r: &Robot| {
            interval_text(r, i18n).into_any()
        }),
        // Words come with the choices, which may arrive after the rows.
        Column::new(Msg::Robots(R::Scopes), move |r: &Robot| {
            let unreadable = matches!(r.scopes, RobotScopes::Unreadable { .. });
            let robot = r.clone();
            let text = move || s.choices.with(|c| scopes_text(&robot, c, i18n));
            view! { <span class:warning=unreadable>{text}</span> }.into_any()
        }),
        Column::new(Msg::Robots(R::AssetGroups), move |r: &Robot| {
            let robot = r.clone();
            (move || s.groups.with(|g| groups_text(&robot, &flatten_groups(g)))).into_any()
        }),
        Column::new(Msg::Robots(R::Created), move |r: &Robot| {
            r.created
                .map(|at| local_time(at.epoch_millis(), i18n.lang()))
                .unwrap_or_default()
                .into_any()
        }),
        Column::new(Msg::Robots(R::Modified), move |r: &Robot| {
            r.modified
                .map(|at| local_time(at.epoch_millis(), i18n.lang()))
                .unwrap_or_default()
                .into_any()
        }),
    ];
    if write {
        columns.push(Column::new(Msg::Robots(R::Actions), move |r: &Robot| {
            let robot = r.clone();
            let id = r.id;
            // Follow the language, as the visible text does.
            let name = r.name.clone();
            let edit_label = move || format!("{} {}", word(R::Edit), name);
            let name = r.name.clone();
            let test_label = move || format!("{} {}", word(R::SendTest), name);
            let test = move |_| {
                let Some(path) = s.path(&format!("/{id}/test")) else {
                    return;
                };
                s.sent.set(None);
                s.action.clear();
                spawn_local(async move {
                    match api::send::<TestSent>(Method::POST, &path, &()).await {
                        Ok(_) => s.sent.set(Some(word(R::TestSent).to_owned())),
                        Err(f) => {
                            s.action.report::<()>(Err(f));
                        }
                    }
                });
            };
            view! {
                <button type="button" aria-label=edit_label
                    on:click=move |_| s.editing.set(Some(Editing::Robot(robot.clone())))>
                    {t(R::Edit)}
                </button>
                " "
                <button type="button" aria-label=test_label on:click=test>{t(R::SendTest)}</button>
            }
            .into_any()
        }));
    }
    columns
}

#[component]
fn BulkResults(s: PageState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        s.results.get().map(|rows| {
            view! {
                <div role="status"><ul class="results">
                    {rows.into_iter().map(|(name, error)| match error {
                        None => view! { <li>{format!("{name}: {}", i18n.t(Msg::Robots(R::Done)))}</li> }.into_any(),
                        Some(f) => {
                            let what = if f.body.code == "edition_required" {
                                R::EditionRequired
                            } else {
                                R::Failed
                            };
                            view! {
                                <li>
                                    {format!("{name}: {}", i18n.t(Msg::Robots(what)))}
                                    <ErrorPanel error=Signal::stored(Some(f))/>
                                </li>
                            }
                            .into_any()
                        }
                    }).collect_view()}
                </ul></div>
            }
        })
    }
}

/// Scopes in words: each rule with its labels, or why they cannot be read.
fn scopes_text(robot: &Robot, choices: &ScopeChoices, i18n: crate::i18n::I18n) -> String {
    match &robot.scopes {
        RobotScopes::Known { rules, .. } => rules
            .iter()
            .map(|r| choices.describe(r))
            .collect::<Vec<_>>()
            .join("; "),
        RobotScopes::Unreadable { .. } => i18n.t(Msg::Robots(R::ScopesUnreadable)).to_owned(),
    }
}

fn groups_text(robot: &Robot, groups: &[AssetGroupChoice]) -> String {
    match &robot.scopes {
        RobotScopes::Known { group_ids, .. } => group_ids
            .iter()
            .map(|id| {
                groups
                    .iter()
                    .find(|g| g.id == *id)
                    .map_or_else(|| id.to_string(), |g| g.path.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        RobotScopes::Unreadable { .. } => String::new(),
    }
}

fn interval_text(robot: &Robot, i18n: crate::i18n::I18n) -> String {
    let word = |m| i18n.t(Msg::Robots(m));
    if robot.interval == 0 {
        return word(R::NoLimit).to_owned();
    }
    match robot.interval_unit {
        Some(IntervalUnit::Seconds) => format!("{} {}", robot.interval, word(R::Seconds)),
        Some(IntervalUnit::Minutes) => format!("{} {}", robot.interval, word(R::Minutes)),
        None => format!("{} {}", robot.interval, word(R::UnitUnknown)),
    }
}

/// The create or edit form. An edit first shows what it changes, in a
/// confirmation dialog.
#[component]
fn RobotEditor(s: PageState, editing: Editing) -> impl IntoView {
    let i18n = use_i18n();
    let existing = match &editing {
        Editing::Robot(r) => Some(r.clone()),
        Editing::New => None,
    };
    let (rules, group_ids) = match existing.as_ref().map(|r| &r.scopes) {
        Some(RobotScopes::Known { rules, group_ids }) => (rules.clone(), group_ids.clone()),
        _ => (Vec::new(), Vec::new()),
    };
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default(),
    );
    let webhook = RwSignal::new(String::new());
    let lang = RwSignal::new(
        existing
            .as_ref()
            .and_then(|r| r.lang)
            .unwrap_or(RobotLang::Zh)
            .as_str()
            .to_owned(),
    );
    let interval = RwSignal::new(existing.as_ref().map_or(0, |r| r.interval).to_string());
    let unit = RwSignal::new(
        existing
            .as_ref()
            .and_then(|r| r.interval_unit)
            .unwrap_or(IntervalUnit::Minutes)
            .as_str()
            .to_owned(),
    );
    let picks = RwSignal::new(picks_of(&rules));
    let chosen_groups = RwSignal::new(group_ids);
    let preview = RwSignal::new(None::<Vec<FieldChange>>);
    let apply_error = RwSignal::new(None::<Failure>);
    let id = existing.as_ref().map(|r| r.id);
    let form = move || RobotForm {
        name: name.get_untracked(),
        webhook: Some(SecretInput::new(webhook.get_untracked())),
        lang: lang.get_untracked(),
        interval: interval.get_untracked().trim().parse().unwrap_or(-1),
        interval_unit: unit.get_untracked(),
        rules: rules_from_picks(&picks.get_untracked()),
        group_ids: chosen_groups.get_untracked(),
    };
    let saved = move |robot: Robot| {
        // The saved robot stays open, found by its name after a create.
        s.editing.set(Some(Editing::Robot(robot)));
        s.reload();
    };
    let on_submit = move |key: String| -> Option<Request> {
        let body = form();
        let path = match id {
            None => s.path("")?,
            Some(id) => s.path(&format!("/{id}/preview"))?,
        };
        Some(Box::pin(async move {
            match id {
                None => saved(api::create::<RobotSaved>(&path, &body, &key).await?.robot),
                Some(_) => preview.set(Some(
                    api::send::<Vec<FieldChange>>(Method::POST, &path, &body).await?,
                )),
            }
            Ok(())
        }))
    };
    let apply = move |()| {
        let Some(path) = id.and_then(|id| s.path(&format!("/{id}"))) else {
            return;
        };
        let body = form();
        spawn_local(async move {
            match api::send::<RobotSaved>(Method::PUT, &path, &body).await {
                Ok(r) => {
                    preview.set(None);
                    saved(r.robot);
                }
                Err(f) => {
                    preview.set(None);
                    apply_error.set(Some(f));
                }
            }
        });
    };
    let is_new = existing.is_none();
    // A new robot's heading names the account it goes to.
    let subject = existing
        .as_ref()
        .map_or_else(|| s.account_name.get_untracked(), |r| r.name.clone());
    let check_name = |v: String| RobotName::parse(&v).map(|_| ()).map_err(invalid);
    let check_webhook = |v: String| WebhookUrl::parse(&v).map(|_| ()).map_err(invalid);
    let check_interval = |v: String| match v.trim().parse::<i64>() {
        Ok(n) if n >= 0 => Ok(()),
        _ => Err("0 or more".to_owned()),
    };
    let preview_title = Signal::derive(move || i18n.t(Msg::Robots(R::ReviewChanges)).to_owned());
    view! {
        <Form id="robot-editor" heading=Msg::Robots(if is_new { R::NewRobot } else { R::EditTitle })
            subject=subject
            submit=Msg::Robots(if is_new { R::Save } else { R::ReviewChanges })
            on_submit on_cancel=move || s.editing.set(None)>
            <Field id="robot-name" label=Msg::Robots(R::Name) value=name name="name"
                required=true check=check_name/>
            <Field id="robot-webhook" label=Msg::Robots(R::Webhook) value=webhook name="webhook"
                kind=FieldKind::Secret required=is_new check=check_webhook
                hint=Msg::Robots(if is_new { R::WebhookHint } else { R::WebhookKeep })/>
            <Choice id="robot-lang" label=Msg::Robots(R::MessageLang) value=lang
                options=vec![("zh", Msg::Robots(R::LangZh)), ("en", Msg::Robots(R::LangEn))]/>
            <Field id="robot-interval" label=Msg::Robots(R::Interval) value=interval name="interval"
                required=true check=check_interval/>
            <Choice id="robot-interval-unit" label=Msg::Robots(R::IntervalUnit) value=unit
                options=vec![("seconds", Msg::Robots(R::Seconds)), ("minutes", Msg::Robots(R::Minutes))]/>
            <ScopePicker choices=s.choices picks=picks/>
            <GroupPicker groups=s.groups chosen=chosen_groups/>
        </Form>
        <ErrorPanel error=apply_error/>
        <ConfirmDialog open=Signal::derive(move || preview.with(Option::is_some)) title=preview_title
            confirm=Msg::Robots(R::Apply) on_confirm=apply on_cancel=move |()| preview.set(None)>
            {move || preview.get().map(|changes| view! { <DiffView changes/> })}
        </ConfirmDialog>
    }
}

/// Alert scopes as DescribeDataSource offers them: a fieldset per type, a
/// checkbox per value, labelled in words.
#[component]
fn ScopePicker(choices: RwSignal<ScopeChoices>, picks: RwSignal<Vec<ScopePick>>) -> impl IntoView {
    move || {
        let choices = choices.get();
        view! {
            <fieldset>
                <legend>{t(R::Scopes)}</legend>
                {choices.sources.into_iter().map(|source| view! {
                    <fieldset>
                        <legend>{source.label.clone()}</legend>
                        {source.fields.into_iter().map(|field| {
                            let source = source.name.clone();
                            view! {
                                <fieldset>
                                    <legend>{field.label.clone()}</legend>
                                    {field.values.into_iter().map(|value| {
                                        let pick: ScopePick = (source.clone(), field.key.clone(), value.value.clone());
                                        let checked = {
                                            let pick = pick.clone();
                                            move || picks.with(|p| p.contains(&pick))
                                        };
                                        let on_toggle = move |_| picks.update(|p| toggle(p, pick.clone()));
                                        view! {
                                            <label class="check">
                                                <input type="checkbox" prop:checked=checked on:change=on_toggle/>
                                                {value.label}
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                    </fieldset>
                }).collect_view()}
            </fieldset>
        }
    }
}

/// Asset groups picked by name (with their parents') from DescribeGroupStruct.
#[component]
fn GroupPicker(groups: RwSignal<Vec<AssetGroup>>, chosen: RwSignal<Vec<i64>>) -> impl IntoView {
    move || {
        let flat = flatten_groups(&groups.get());
        view! {
            <fieldset>
                <legend>{t(R::AssetGroups)}</legend>
                {flat.into_iter().map(|g| {
                    let id = g.id;
                    let checked = move || chosen.with(|c| c.contains(&id));
                    let on_toggle = move |_| chosen.update(|c| toggle(c, id));
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=checked on:change=on_toggle/>
                            {g.path}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        }
    }
}
