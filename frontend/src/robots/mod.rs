//! The Security Center robots page: every account's robots in one list
//! (an account that fails is named and hides no other), filtered in the
//! URL; test, edit, enable, disable and delete per row or for a selection,
//! each bulk answer item by item; a drawer for a new robot.

mod forms;

use std::collections::HashSet;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Action;
use shared::outcome::{ItemOutcome, ItemStatus};
use shared::robots::{AccountResult, AccountRobots, BulkOutcome, Robot, RobotIds, StatusChange};

use self::forms::{create_drawer, edit_drawer, lang_text, robot_path, unit_text};
use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::common as c;
use crate::i18n::robots as tx;
use crate::i18n::{now, tr, use_i18n};
use crate::router::{encode, use_router};
use crate::ui::{
    AccountPick, Column, DataTable, ErrorPanel, Filter, FilterBar, Opt, Outcomes, PageHeader,
    Question, Remote, RowAction, SortKey, Time, Wording, choices, confirm_danger, param,
    use_review, use_toasts,
};

#[derive(Clone, Debug, PartialEq)]
struct Row {
    account_id: String,
    account_name: String,
    robot: Robot,
}

impl Row {
    fn key(&self) -> String {
        format!("{}/{}", self.account_id, self.robot.id)
    }

    fn path(&self) -> String {
        robot_path(&self.account_id, &self.robot)
    }

    fn name(&self) -> String {
        self.robot.name.clone()
    }
}

#[derive(Clone)]
enum Open {
    New(String, String),
    Edit(Box<Row>),
}

/// What a bulk call does to each robot of one account.
#[derive(Clone, Copy)]
enum Bulk {
    Status(bool),
    Delete,
}

async fn bulk(account: &str, ids: Vec<shared::robots::RobotId>, what: Bulk) -> Vec<ItemOutcome> {
    let base = format!("/robots/{}", encode(account));
    let answer = match what {
        Bulk::Status(enabled) => {
            let body = StatusChange {
                ids: ids.clone(),
                enabled,
            };
            api::send::<BulkOutcome>(Method::POST, &format!("{base}/status"), &body).await
        }
        Bulk::Delete => {
            let body = RobotIds { ids: ids.clone() };
            api::send::<BulkOutcome>(Method::POST, &format!("{base}/delete"), &body).await
        }
    };
    match answer {
        Ok(b) => b.results,
        // The whole call failed: each robot says so.
        Err(f) => ids
            .iter()
            .map(|id| ItemOutcome::failed(id.to_string(), None, f.body.clone()))
            .collect(),
    }
}

#[component]
pub fn RobotsPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let review = use_review();
    let router = use_router();
    let write = move || auth.can(Action::RobotsWrite);
    let pick = AccountPick::alibaba(write());
    let list = Remote::<Vec<AccountRobots>>::follow(|| Some("/robots?page_size=100".into()));
    let (account, status) = (param("account"), param("status"));
    let accounts = Signal::derive(move || {
        list.value.with(|l| {
            l.iter()
                .flatten()
                .map(|a| Opt::new(&a.account_id, &a.account_name))
                .collect::<Vec<_>>()
        })
    });
    // A chosen account is the user's pick for the next new robot too.
    Effect::new(move |_| {
        let a = account.get();
        if write() && !a.is_empty() {
            pick.remember(&a);
        }
    });
    let rows = Signal::derive(move || {
        let (account, status) = (account.get(), status.get());
        list.value.with(|l| {
            l.iter()
                .flatten()
                .filter(|a| account.is_empty() || a.account_id == account)
                .flat_map(|a| match &a.result {
                    AccountResult::Page(p) => p
                        .robots
                        .iter()
                        .filter(|r| status.is_empty() || (status == "enabled") == r.enabled)
                        .map(|r| Row {
                            account_id: a.account_id.clone(),
                            account_name: a.account_name.clone(),
                            robot: r.clone(),
                        })
                        .collect(),
                    AccountResult::Error(_) => Vec::new(),
                })
                .collect::<Vec<_>>()
        })
    });
    let failures = move || {
        list.value.with(|l| {
            l.iter()
                .flatten()
                .filter_map(|a| match &a.result {
                    AccountResult::Error(body) => {
                        let failure = Failure { status: 0, body: body.clone() };
                        Some(view! {
                            <p class="field-error">{i18n.fill(tx::ACCOUNT_FAILED, &[&a.account_name])}</p>
                            <ErrorPanel error=Signal::stored(Some(failure))/>
                        })
                    }
                    AccountResult::Page(_) => None,
                })
                .collect_view()
        })
    };
    let selected = RwSignal::new(HashSet::<String>::new());
    let outcomes = RwSignal::new(None::<Vec<ItemOutcome>>);
    let open = RwSignal::new(None::<Open>);

    // Runs `what` on `targets`, account by account; a selection's answer
    // shows robot by robot, a row's in a toast.
    let run_bulk = move |targets: Vec<Row>, what: Bulk, from_row: bool| {
        spawn_local(async move {
            let mut by_account: Vec<(String, Vec<shared::robots::RobotId>)> = Vec::new();
            for r in &targets {
                match by_account.iter_mut().find(|(a, _)| *a == r.account_id) {
                    Some((_, ids)) => ids.push(r.robot.id),
                    None => by_account.push((r.account_id.clone(), vec![r.robot.id])),
                }
            }
            let mut items = Vec::new();
            for (account, ids) in by_account {
                items.extend(bulk(&account, ids, what).await);
            }
            let failed = items.iter().find_map(|i| match &i.status {
                ItemStatus::Failed { error } => Some(error.clone()),
                _ => None,
            });
            match (from_row, failed) {
                (true, Some(error)) => toasts.failed(&Failure {
                    status: 0,
                    body: error,
                }),
                (true, None) => {
                    let text = match what {
                        Bulk::Status(true) => tx::ENABLED_TOAST,
                        Bulk::Status(false) => tx::DISABLED_TOAST,
                        Bulk::Delete => c::DELETED,
                    };
                    toasts.ok(text, &targets[0].robot.name);
                }
                (false, _) => {
                    toasts.ok(tx::DONE_MANY, &targets.len().to_string());
                    outcomes.set(Some(items));
                }
            }
            selected.set(HashSet::new());
            list.reload();
        });
    };
    let ask = move |title: String, confirm: String, note| async move {
        review
            .ask(Question {
                title,
                confirm,
                danger: true,
                note,
                changes: Vec::new(),
                wording: Wording::labels(&[]),
            })
            .await
    };

    let mut columns = vec![
        Column::text(c::NAME, |r: &Row| r.robot.name.clone()),
        Column::new(c::STATUS, |r: &Row| {
            now(if r.robot.enabled {
                c::ENABLED
            } else {
                c::DISABLED
            })
            .into_any()
        })
        .sort_by(|r| SortKey::Number(i64::from(r.robot.enabled))),
        Column::text(tx::ACCOUNT, |r: &Row| r.account_name.clone()),
        Column::new(tx::LANG, |r: &Row| {
            r.robot.lang.map(|l| now(lang_text(l))).into_any()
        }),
        Column::new(tx::INTERVAL, |r: &Row| {
            let amount = r.robot.interval;
            let unit = r.robot.interval_unit.map(unit_text);
            let i18n = use_i18n();
            (move || match (amount, unit) {
                (0, _) => i18n.t(tx::NO_LIMIT).to_owned(),
                (n, Some(u)) => format!("{n} {}", i18n.t(u)),
                (n, None) => n.to_string(),
            })
            .into_any()
        })
        .sort_by(|r| SortKey::Number(r.robot.interval)),
        Column::text(tx::WEBHOOK, |r: &Row| r.robot.webhook.as_str().to_owned()),
        Column::new(c::UPDATED, |r: &Row| {
            r.robot
                .modified
                .map(|t| view! { <Time millis=t.epoch_millis()/> })
                .into_any()
        })
        .sort_by(|r| SortKey::Number(r.robot.modified.map_or(0, |t| t.epoch_millis()))),
    ];
    if write() {
        let test = RowAction::new(tx::TEST, move |r: &Row| {
            let (path, name) = (format!("{}/test", r.path()), r.robot.name.clone());
            spawn_local(async move {
                match api::send_empty(Method::POST, &path, None::<&()>).await {
                    Ok(()) => toasts.ok(tx::TEST_SENT, &name),
                    Err(f) => toasts.failed(&f),
                }
            });
        });
        let edit = RowAction::new(c::EDIT, move |r: &Row| {
            open.set(Some(Open::Edit(Box::new(r.clone()))))
        });
        let enable = RowAction::new(tx::ENABLE, move |r: &Row| {
            run_bulk(vec![r.clone()], Bulk::Status(true), true)
        })
        .when(|r| !r.robot.enabled);
        let disable = RowAction::new(tx::DISABLE, move |r: &Row| {
            let row = r.clone();
            spawn_local(async move {
                let name = &row.robot.name;
                let title = i18n.fill(tx::DISABLE_Q, &[name]);
                if ask(
                    title,
                    i18n.fill(tx::DISABLE_NAMED, &[name]),
                    Some(tx::DISABLE_NOTE),
                )
                .await
                {
                    run_bulk(vec![row], Bulk::Status(false), true);
                }
            });
        })
        .when(|r| r.robot.enabled);
        let delete = RowAction::new(c::DELETE, move |r: &Row| {
            let row = r.clone();
            spawn_local(async move {
                let name = row.robot.name.clone();
                let title = i18n.fill(tx::DELETE_Q, &[&name]);
                if !confirm_danger(review, title, i18n.fill(c::DELETE_NAMED, &[&name])).await {
                    return;
                }
                match api::send_empty(Method::DELETE, &row.path(), None::<&()>).await {
                    Ok(()) => {
                        toasts.ok(c::DELETED, &name);
                        list.reload();
                    }
                    Err(f) => toasts.failed(&f),
                }
            });
        })
        .danger();
        columns.push(Column::actions(
            |r: &Row| r.robot.name.clone(),
            vec![test, edit, enable, disable, delete],
        ));
    }
    let chosen = move || {
        let keys = selected.get();
        rows.get()
            .into_iter()
            .filter(|r| keys.contains(&r.key()))
            .collect::<Vec<_>>()
    };
    let delete_chosen = move |_| {
        let targets = chosen();
        spawn_local(async move {
            let n = targets.len().to_string();
            let title = i18n.fill(tx::DELETE_MANY_Q, &[&n]);
            if confirm_danger(review, title, i18n.fill(tx::DELETE_MANY, &[&n])).await {
                run_bulk(targets, Bulk::Delete, false);
            }
        });
    };
    let new_robot = move |_| {
        let wanted = Some(account.get_untracked()).filter(|a| !a.is_empty());
        let id = wanted.unwrap_or_else(|| pick.initial());
        let name = accounts
            .get_untracked()
            .into_iter()
            .find(|o| o.value == id)
            .map_or_else(|| pick.name(&id), |o| o.label);
        open.set(Some(Open::New(id, name)));
    };
    let none_chosen = move || selected.with(HashSet::is_empty);
    let drawer = move || {
        let close = Callback::new(move |()| open.set(None));
        open.get().map(|which| match which {
            Open::New(id, name) => {
                let created = Callback::new(move |key: String| {
                    if let Some((account, _)) = key.split_once('/') {
                        pick.remember(account);
                    }
                    router.set_params(&[("new", key)], false);
                    list.reload();
                });
                create_drawer((id, name), created, close)
            }
            Open::Edit(row) => edit_drawer(
                row.account_id,
                row.robot,
                Callback::new(move |()| list.reload()),
                close,
            ),
        })
    };
    let highlight = Signal::derive(move || router.param("new"));
    // Selection only for who can act on it.
    let table = if write() {
        view! {
            <DataTable id="robots" caption=tx::TITLE rows=rows columns=columns
                key=Row::key name=Row::name filter=Row::name search=param("q")
                highlight=highlight selection=selected loading=list.loading error=list.error/>
        }
        .into_any()
    } else {
        view! {
            <DataTable id="robots" caption=tx::TITLE rows=rows columns=columns
                key=Row::key name=Row::name filter=Row::name search=param("q")
                highlight=highlight loading=list.loading error=list.error/>
        }
        .into_any()
    };
    view! {
        <PageHeader title=tx::TITLE>
            {move || write().then(|| view! {
                <button type="button" disabled=none_chosen
                    on:click=move |_| run_bulk(chosen(), Bulk::Status(true), false)>{tr(tx::ENABLE_MANY)}</button>
                <button type="button" disabled=none_chosen
                    on:click=move |_| run_bulk(chosen(), Bulk::Status(false), false)>{tr(tx::DISABLE_MANY)}</button>
                <button type="button" class="danger" disabled=none_chosen on:click=delete_chosen>
                    {tr(tx::DELETE_SELECTED)}
                </button>
                <button type="button" class="primary" on:click=new_robot>{tr(tx::NEW)}</button>
            })}
        </PageHeader>
        <FilterBar id="robot-filters" filters=vec![
            Filter::search("q", c::SEARCH),
            Filter::choice("account", tx::ACCOUNT, accounts),
            Filter::choice("status", c::STATUS, choices(&[("enabled", c::ENABLED), ("disabled", c::DISABLED)])),
        ]/>
        {failures}
        {move || outcomes.get().map(|items| view! { <Outcomes items=items/> })}
        {table}
        {drawer}
    }
}
