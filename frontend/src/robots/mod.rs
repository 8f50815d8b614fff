//! The Security Center robots page: one account's robots, paged by the
//! server; admins create, edit (after a preview of the changes), enable,
//! disable, delete and test them. Webhooks only ever appear masked.

mod text;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::ErrorBody;
use shared::audit::{FieldChange, SecretChange};
use shared::auth::Action;
use shared::robots::{
    AccountResult, AccountRobots, AssetGroup, AssetGroupChoice, AssetGroups, BulkOutcome,
    IntervalUnit, Robot, RobotForm, RobotId, RobotIds, RobotLang, RobotPage, RobotSaved,
    RobotScopes, ScopeChoices, ScopePick, StatusChange, TestSent, flatten_groups, picks_of,
    rules_from_picks,
};
use shared::secret::SecretInput;
use wasm_bindgen::JsValue;

pub use text::{RobotsMsg, robots_text};

use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::{Lang, Msg, use_i18n};

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

/// An error as the user reads it: message, code and upstream RequestId.
fn error_text(e: &ErrorBody) -> String {
    match &e.request_id {
        Some(id) => format!("{} ({}, RequestId {id})", e.message, e.code),
        None => format!("{} ({})", e.message, e.code),
    }
}

/// What the page tells the user after an action.
#[derive(Clone, Debug, PartialEq)]
enum Notice {
    Ok(String),
    Error(ErrorBody),
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
type Outcome = (String, Option<ErrorBody>);

#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Robot(Robot),
}

#[derive(Clone, Copy)]
struct PageState {
    account: RwSignal<Option<String>>,
    page: RwSignal<u32>,
    size: RwSignal<u32>,
    filter: RwSignal<String>,
    data: RwSignal<Option<Result<RobotPage, ErrorBody>>>,
    choices: RwSignal<ScopeChoices>,
    groups: RwSignal<Vec<AssetGroup>>,
    selected: RwSignal<Vec<RobotId>>,
    notice: RwSignal<Option<Notice>>,
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

    fn reload(self) {
        let Some(base) = self.path("") else { return };
        let query = format!(
            "?page={}&page_size={}&name={}",
            self.page.get_untracked(),
            self.size.get_untracked(),
            js_sys::encode_uri_component(&self.filter.get_untracked())
        );
        spawn_local(async move {
            let answer = api::get::<RobotPage>(&format!("{base}{query}")).await;
            self.data.set(Some(answer.map_err(|f: Failure| f.body)));
            self.selected.set(Vec::new());
        });
    }

    fn robots(&self) -> Vec<Robot> {
        self.data.with(|d| match d {
            Some(Ok(page)) => page.robots.clone(),
            _ => Vec::new(),
        })
    }

    fn name_of(&self, id: RobotId) -> String {
        self.robots()
            .into_iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_string(), |r| r.name)
    }

    /// Runs a bulk action and shows each robot's result.
    fn bulk(self, rest: &'static str, body: impl serde::Serialize + 'static) {
        let Some(path) = self.path(rest) else { return };
        spawn_local(async move {
            match api::send::<BulkOutcome>(Method::POST, &path, &body).await {
                Ok(outcome) => {
                    let rows = outcome
                        .results
                        .into_iter()
                        .map(|r| (self.name_of(r.id), r.error))
                        .collect();
                    self.results.set(Some(rows));
                }
                Err(f) => self.notice.set(Some(Notice::Error(f.body))),
            }
            self.reload();
        });
    }
}

#[component]
pub fn RobotsPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let write = move || auth.can(Action::RobotsWrite);
    let s = PageState {
        account: RwSignal::new(None),
        page: RwSignal::new(1),
        size: RwSignal::new(20),
        filter: RwSignal::new(String::new()),
        data: RwSignal::new(None),
        choices: RwSignal::new(ScopeChoices::default()),
        groups: RwSignal::new(Vec::new()),
        selected: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
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
                if let Some(first) = all.into_iter().next() {
                    s.account.set(Some(first.account_id));
                    s.data.set(Some(match first.result {
                        AccountResult::Page(p) => Ok(p),
                        AccountResult::Error(e) => Err(e),
                    }));
                }
            }
            Err(f) => s.data.set(Some(Err(f.body))),
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
        s.page.set(1);
        s.reload();
    };
    let on_account = move |ev| {
        s.account.set(Some(event_target_value(&ev)));
        s.page.set(1);
        s.reload();
    };
    let status = move |enabled: bool| {
        let ids = s.selected.get_untracked();
        s.bulk("/status", StatusChange { ids, enabled });
    };
    let none_selected = move || s.selected.with(Vec::is_empty);
    view! {
        <h1>{t(R::Title)}</h1>
        <p>{t(R::Intro)}</p>
        <Show when=move || !write()>
            <p>{t(R::ReadOnly)}</p>
        </Show>
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
        </form>
        <NoticeView notice=s.notice/>
        <Show when=write>
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
        </Show>
        <ConfirmDelete s=s/>
        <BulkResults s=s/>
        {move || s.editing.get().map(|editing| view! { <RobotEditor s=s editing=editing/> })}
        <RobotTable s=s write=Signal::derive(write)/>
        <Pager s=s/>
    }
}

#[component]
fn NoticeView(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    move || {
        notice.get().map(|n| match n {
            Notice::Ok(text) => view! { <p class="ok" role="status">{text}</p> }.into_any(),
            Notice::Error(e) => {
                view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any()
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

#[component]
fn RobotTable(s: PageState, write: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let choices = s.choices.get();
        let groups = flatten_groups(&s.groups.get());
        let lang = i18n.lang();
        s.robots()
            .into_iter()
            .map(|r| {
                let id = r.id;
                let checked = move || s.selected.with(|sel| sel.contains(&id));
                let on_toggle = move |_| s.selected.update(|sel| toggle(sel, id));
                let select_label = format!("{} {}", i18n.t(Msg::Robots(R::Select)), r.name);
                let (badge, badge_text) = if r.enabled {
                    ("badge badge-ok", R::Enabled)
                } else {
                    ("badge badge-off", R::Disabled)
                };
                let lang_text = match r.lang {
                    Some(RobotLang::Zh) => i18n.t(Msg::Robots(R::LangZh)),
                    Some(RobotLang::En) => i18n.t(Msg::Robots(R::LangEn)),
                    None => "",
                };
                let scopes = scopes_text(&r, &choices, i18n);
                let unreadable = matches!(r.scopes, RobotScopes::Unreadable { .. });
                let time = |at: Option<shared::time::Timestamp>| {
                    at.map(|at| local_time(at.epoch_millis(), lang))
                        .unwrap_or_default()
                };
                let robot = r.clone();
                let test = move |_| {
                    let Some(path) = s.path(&format!("/{id}/test")) else {
                        return;
                    };
                    spawn_local(async move {
                        let sent = api::send::<TestSent>(Method::POST, &path, &()).await;
                        s.notice.set(Some(match sent {
                            Ok(_) => Notice::Ok(i18n.t(Msg::Robots(R::TestSent)).to_owned()),
                            Err(f) => Notice::Error(f.body),
                        }));
                    });
                };
                let edit_label = format!("{} {}", i18n.t(Msg::Robots(R::Edit)), r.name);
                let test_label = format!("{} {}", i18n.t(Msg::Robots(R::SendTest)), r.name);
                view! {
                    <tr>
                        <Show when=move || write.get()>
                            <td><input type="checkbox" aria-label=select_label.clone() prop:checked=checked on:change=on_toggle/></td>
                        </Show>
                        <th scope="row">{r.name.clone()}</th>
                        <td><span class=badge>{t(badge_text)}</span></td>
                        <td><code>{r.webhook.as_str().to_owned()}</code></td>
                        <td>{lang_text}</td>
                        <td>{interval_text(&r, i18n)}</td>
                        <td class:warning=unreadable>{scopes}</td>
                        <td>{groups_text(&r, &groups)}</td>
                        <td>{time(r.created)}</td>
                        <td>{time(r.modified)}</td>
                        <Show when=move || write.get()>
                            <td>
                                <button type="button" aria-label=edit_label.clone()
                                    on:click={
                                        let robot = robot.clone();
                                        move |_| s.editing.set(Some(Editing::Robot(robot.clone())))
                                    }>{t(R::Edit)}</button>
                                " "
                                <button type="button" aria-label=test_label.clone() on:click=test>{t(R::SendTest)}</button>
                            </td>
                        </Show>
                    </tr>
                }
            })
            .collect_view()
    };
    move || match s.data.get() {
        None => view! { <p role="status">{t(R::Loading)}</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
        Some(Ok(page)) if page.robots.is_empty() => view! { <p>{t(R::NoRobots)}</p> }.into_any(),
        Some(Ok(_)) => view! {
            <table class="robots">
                <thead><tr>
                    <Show when=move || write.get()><th scope="col">{t(R::Select)}</th></Show>
                    <th scope="col">{t(R::Name)}</th>
                    <th scope="col">{t(R::Status)}</th>
                    <th scope="col">{t(R::Webhook)}</th>
                    <th scope="col">{t(R::MessageLang)}</th>
                    <th scope="col">{t(R::Interval)}</th>
                    <th scope="col">{t(R::Scopes)}</th>
                    <th scope="col">{t(R::AssetGroups)}</th>
                    <th scope="col">{t(R::Created)}</th>
                    <th scope="col">{t(R::Modified)}</th>
                    <Show when=move || write.get()><th scope="col">{t(R::Actions)}</th></Show>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any(),
    }
}

#[component]
fn Pager(s: PageState) -> impl IntoView {
    let info = move || {
        s.data.with(|d| match d {
            Some(Ok(p)) => Some(p.page),
            _ => None,
        })
    };
    let pages = move || info().map_or(1, |p| p.page_count().max(1));
    let go = move |delta: i64| {
        let next = (i64::from(s.page.get_untracked()) + delta).max(1);
        s.page.set(u32::try_from(next).unwrap_or(1));
        s.reload();
    };
    let on_size = move |ev| {
        if let Ok(size) = event_target_value(&ev).parse() {
            s.size.set(size);
            s.page.set(1);
            s.reload();
        }
    };
    view! {
        <nav class="pager" aria-label=t(R::PageOf)>
            <button type="button" disabled=move || s.page.get() <= 1 on:click=move |_| go(-1)>
                {t(R::PreviousPage)}
            </button>
            <span role="status">
                {t(R::PageOf)} " " {move || s.page.get()} " / " {pages} " · "
                {move || info().map_or(0, |p| p.total_count)} " " {t(R::Total)}
            </span>
            <button type="button" disabled=move || u64::from(s.page.get()) >= pages() on:click=move |_| go(1)>
                {t(R::NextPage)}
            </button>
            <label for="robots-page-size">{t(R::PageSize)}</label>
            <select id="robots-page-size" on:change=on_size>
                {[10u32, 20, 50, 100].into_iter().map(|n| view! {
                    <option value=n.to_string() selected=move || s.size.get() == n>{n}</option>
                }).collect_view()}
            </select>
        </nav>
    }
}

#[component]
fn ConfirmDelete(s: PageState) -> impl IntoView {
    let names = move || {
        s.selected
            .get()
            .into_iter()
            .map(|id| s.name_of(id))
            .collect::<Vec<_>>()
    };
    let confirm = move |_| {
        s.confirm_delete.set(false);
        let ids = s.selected.get_untracked();
        s.bulk("/delete", RobotIds { ids });
    };
    view! {
        <Show when=move || s.confirm_delete.get()>
            <div role="alertdialog" aria-labelledby="robots-delete-title" class="dialog">
                <h2 id="robots-delete-title">{t(R::ConfirmDeleteTitle)}</h2>
                <p>{t(R::ConfirmDeleteBody)}</p>
                <ul>{move || names().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                <button type="button" on:click=confirm>{t(R::Delete)}</button>
                " "
                <button type="button" on:click=move |_| s.confirm_delete.set(false)>{t(R::Cancel)}</button>
            </div>
        </Show>
    }
}

#[component]
fn BulkResults(s: PageState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        s.results.get().map(|rows| {
            view! {
                <ul class="results" role="status">
                    {rows.into_iter().map(|(name, error)| {
                        let text = match &error {
                            None => format!("{name}: {}", i18n.t(Msg::Robots(R::Done))),
                            Some(e) if e.code == "edition_required" => format!(
                                "{name}: {} {}",
                                i18n.t(Msg::Robots(R::EditionRequired)),
                                error_text(e)
                            ),
                            Some(e) => format!("{name}: {} — {}", i18n.t(Msg::Robots(R::Failed)), error_text(e)),
                        };
                        view! { <li class:error=error.is_some()>{text}</li> }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// The create or edit form. An edit first shows what it changes.
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
    let error = RwSignal::new(None::<ErrorBody>);
    let busy = RwSignal::new(false);
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
        s.notice.set(Some(Notice::Ok(format!(
            "{}: {}",
            robot.name,
            i18n.t(Msg::Robots(R::Done))
        ))));
        // The saved robot stays open, found by its name after a create.
        s.editing.set(Some(Editing::Robot(robot)));
        s.reload();
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = match id {
                None => {
                    let path = s.path("").unwrap_or_default();
                    api::send::<RobotSaved>(Method::POST, &path, &form())
                        .await
                        .map(|r| saved(r.robot))
                }
                Some(id) => {
                    let path = s.path(&format!("/{id}/preview")).unwrap_or_default();
                    api::send::<Vec<FieldChange>>(Method::POST, &path, &form())
                        .await
                        .map(|changes| preview.set(Some(changes)))
                }
            };
            if let Err(f) = result {
                error.set(Some(f.body));
            }
            busy.set(false);
        });
    };
    let apply = move |_| {
        let Some(id) = id else { return };
        busy.set(true);
        spawn_local(async move {
            let path = s.path(&format!("/{id}")).unwrap_or_default();
            match api::send::<RobotSaved>(Method::PUT, &path, &form()).await {
                Ok(r) => {
                    preview.set(None);
                    saved(r.robot);
                }
                Err(f) => error.set(Some(f.body)),
            }
            busy.set(false);
        });
    };
    let title = match &existing {
        Some(r) => format!("{} {}", i18n.t(Msg::Robots(R::Edit)), r.name),
        None => i18n.t(Msg::Robots(R::NewRobot)).to_owned(),
    };
    let is_new = existing.is_none();
    let field_error = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|e| e.field.as_deref() == Some(field))
                    .map(|e| e.message.clone())
            })
        }
    };
    view! {
        <form class="stack editor" on:submit=submit autocomplete="off" aria-labelledby="robot-editor-title">
            <h2 id="robot-editor-title">{title}</h2>
            <label for="robot-name">{t(R::Name)}</label>
            <input id="robot-name" type="text" required minlength="2" maxlength="64" bind:value=name/>
            <span class="field-error">{field_error("name")}</span>
            <label for="robot-webhook">{t(R::Webhook)}</label>
            <input id="robot-webhook" type="password" autocomplete="new-password"
                placeholder=t(R::WebhookHint) bind:value=webhook required=is_new/>
            <Show when=move || !is_new><small>{t(R::WebhookKeep)}</small></Show>
            <span class="field-error">{field_error("webhook")}</span>
            <label for="robot-lang">{t(R::MessageLang)}</label>
            <select id="robot-lang" on:change=move |ev| lang.set(event_target_value(&ev))>
                <option value="zh" selected=move || lang.get() == "zh">{t(R::LangZh)}</option>
                <option value="en" selected=move || lang.get() == "en">{t(R::LangEn)}</option>
            </select>
            <label for="robot-interval">{t(R::Interval)}</label>
            <input id="robot-interval" type="number" min="0" bind:value=interval/>
            <label for="robot-interval-unit">{t(R::IntervalUnit)}</label>
            <select id="robot-interval-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                <option value="seconds" selected=move || unit.get() == "seconds">{t(R::Seconds)}</option>
                <option value="minutes" selected=move || unit.get() == "minutes">{t(R::Minutes)}</option>
            </select>
            <span class="field-error">{field_error("interval")}</span>
            <ScopePicker choices=s.choices picks=picks/>
            <GroupPicker groups=s.groups chosen=chosen_groups/>
            {move || error.get().filter(|e| e.field.is_none()).map(|e| view! {
                <p class="error" role="alert">{error_text(&e)}</p>
            })}
            <div>
                <button type="submit" disabled=move || busy.get()>
                    {move || if is_new { i18n.t(Msg::Robots(R::Save)) } else { i18n.t(Msg::Robots(R::ReviewChanges)) }}
                </button>
                " "
                <button type="button" on:click=move |_| s.editing.set(None)>{t(R::Cancel)}</button>
            </div>
            {move || preview.get().map(|changes| view! {
                <section aria-labelledby="robot-preview-title">
                    <h3 id="robot-preview-title">{t(R::ReviewChanges)}</h3>
                    <ChangesView changes=changes/>
                    <button type="button" disabled=move || busy.get() on:click=apply>{t(R::Apply)}</button>
                </section>
            })}
        </form>
    }
}

#[component]
fn ChangesView(changes: Vec<FieldChange>) -> impl IntoView {
    let i18n = use_i18n();
    let shown: Vec<FieldChange> = changes
        .into_iter()
        .filter(|c| c.secret != Some(SecretChange::Unchanged))
        .collect();
    if shown.is_empty() {
        return view! { <p>{t(R::NoChanges)}</p> }.into_any();
    }
    let audit = move |m| i18n.t(Msg::Audit(m));
    view! {
        <table class="diff">
            <thead><tr>
                <th scope="col">{move || audit(crate::i18n::AuditMsg::Field)}</th>
                <th scope="col">{move || audit(crate::i18n::AuditMsg::Before)}</th>
                <th scope="col">{move || audit(crate::i18n::AuditMsg::After)}</th>
            </tr></thead>
            <tbody>
                {shown.into_iter().map(|c| {
                    let (before, after) = match c.secret {
                        Some(_) => (String::new(), audit(crate::i18n::AuditMsg::SecretChanged).to_owned()),
                        None => (c.before.unwrap_or_default(), c.after.unwrap_or_default()),
                    };
                    view! { <tr><th scope="row">{c.field}</th><td>{before}</td><td>{after}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
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
