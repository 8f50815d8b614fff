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
use shared::robots::{RobotId, RobotIds, StatusChange};

use self::forms::{create_drawer, edit_drawer, robot_path};
use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::common as c;
use crate::i18n::robots as tx;
use crate::i18n::use_i18n;
use crate::router::{encode, use_router};
use crate::ui::el::dynamic;
use crate::ui::{
    AccountPick, Column, DataTable, Filter, Json, Opt, Question, Remote, RowAction, SortKey,
    Wording, button, choices, confirm_danger, delete, failed_source, filter_bar, json, outcomes,
    page_header, param, use_review, use_toasts,
};

/// A row: the robot as the server sent it, with `account_id` and
/// `account_name` added.
fn key(r: &Json) -> String {
    format!("{}/{}", json::s(r, "/account_id"), json::int(r, "/id"))
}

fn path(r: &Json) -> String {
    robot_path(&json::s(r, "/account_id"), json::int(r, "/id"))
}

fn name(r: &Json) -> String {
    json::text(r, "/name")
}

fn robot_id(r: &Json) -> RobotId {
    RobotId(json::int(r, "/id"))
}

#[derive(Clone)]
enum Open {
    New(String, String),
    Edit(Json),
}

/// What a bulk call does to each robot of one account.
#[derive(Clone, Copy)]
enum Bulk {
    Status(bool),
    Delete,
}

async fn bulk(account: &str, ids: Vec<RobotId>, what: Bulk) -> Vec<ItemOutcome> {
    let base = format!("/robots/{}", encode(account));
    let answer = match what {
        Bulk::Status(enabled) => {
            let body = StatusChange {
                ids: ids.clone(),
                enabled,
            };
            api::send_outcomes(Method::POST, &format!("{base}/status"), &body, "/results").await
        }
        Bulk::Delete => {
            let body = RobotIds { ids: ids.clone() };
            api::send_outcomes(Method::POST, &format!("{base}/delete"), &body, "/results").await
        }
    };
    match answer {
        Ok(items) => items,
        // The whole call failed: each robot says so.
        Err(f) => ids
            .iter()
            .map(|id| ItemOutcome::failed(id.to_string(), None, (*f.body).clone()))
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
    let list = Remote::follow(|| Some("/robots?page_size=100".into()));
    // One item per account: its page of robots, or the error it gave.
    let answers = move || list.items("");
    let (account, status) = (param("account"), param("status"));
    let accounts = Signal::derive(move || {
        answers()
            .iter()
            .map(|a| Opt::new(json::s(a, "/account_id"), json::s(a, "/account_name")))
            .collect::<Vec<_>>()
    });
    // A chosen account is the user's pick for the next new robot too.
    crate::reactive::effect(move || {
        let a = account.get();
        if write() && !a.is_empty() {
            pick.remember(&a);
        }
    });
    let rows = Signal::derive(move || {
        let (account, status) = (account.get(), status.get());
        answers()
            .iter()
            .filter(|a| account.is_empty() || json::s(a, "/account_id") == account)
            .flat_map(|a| {
                json::list(a, "/result/page/robots")
                    .iter()
                    .filter(|r| {
                        status.is_empty() || (status == "enabled") == json::flag(r, "/enabled")
                    })
                    .map(|r| {
                        let r = json::with(r, "account_id", &json::s(a, "/account_id"));
                        json::with(&r, "account_name", &json::s(a, "/account_name"))
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let failures = move || {
        answers()
            .into_iter()
            .filter_map(|a| {
                let failure = api::failure_of(&json::at(&a, "/result/error"))?;
                let named = i18n.fill(tx::ACCOUNT_FAILED, &[&json::s(&a, "/account_name")]);
                Some(failed_source(named, failure))
            })
            .collect_view()
    };
    let selected = RwSignal::new(HashSet::<String>::new());
    let last = RwSignal::new(None::<Vec<ItemOutcome>>);
    let open = RwSignal::new(None::<Open>);

    // Runs `what` on `targets`, account by account; a selection's answer
    // shows robot by robot, a row's in a toast.
    let run_bulk = move |targets: Vec<Json>, what: Bulk, from_row: bool| {
        spawn_local(async move {
            let mut by_account: Vec<(String, Vec<RobotId>)> = Vec::new();
            for r in &targets {
                let account = json::s(r, "/account_id");
                match by_account.iter_mut().find(|(a, _)| *a == account) {
                    Some((_, ids)) => ids.push(robot_id(r)),
                    None => by_account.push((account.to_owned(), vec![robot_id(r)])),
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
                    body: Box::new(error),
                }),
                (true, None) => {
                    let text = match what {
                        Bulk::Status(true) => tx::ENABLED_TOAST,
                        Bulk::Status(false) => tx::DISABLED_TOAST,
                        Bulk::Delete => c::DELETED,
                    };
                    toasts.ok(text, &name(&targets[0]));
                }
                (false, _) => {
                    toasts.ok(tx::DONE_MANY, &targets.len().to_string());
                    last.set(Some(items));
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
        Column::at(c::NAME, "/name"),
        Column::word(c::STATUS, "/enabled", c::ENABLED_WORDS),
        Column::at(tx::ACCOUNT, "/account_name"),
        Column::word(tx::LANG, "/lang", tx::LANGS),
        Column::new(tx::INTERVAL, |r: &Json| {
            let amount = json::int(r, "/interval");
            let unit = crate::i18n::word(tx::UNITS, &json::s(r, "/interval_unit"));
            match (amount, unit) {
                (0, _) => crate::i18n::now(tx::NO_LIMIT).to_owned(),
                (n, Some(u)) => format!("{n} {}", crate::i18n::now(u)),
                (n, None) => n.to_string(),
            }
            .into_any()
        })
        .sort_by(|r| SortKey::Number(json::int(r, "/interval"))),
        Column::at(tx::WEBHOOK, "/webhook"),
        Column::time(c::UPDATED, "/modified"),
    ];
    if write() {
        let test = RowAction::new(tx::TEST, move |r: &Json| {
            let (path, name) = (format!("{}/test", path(r)), name(r));
            spawn_local(async move {
                match api::send_empty(Method::POST, &path, None::<&()>).await {
                    Ok(()) => toasts.ok(tx::TEST_SENT, &name),
                    Err(f) => toasts.failed(&f),
                }
            });
        });
        let edit = RowAction::new(c::EDIT, move |r: &Json| {
            open.set(Some(Open::Edit(r.clone())))
        });
        let enable = RowAction::new(tx::ENABLE, move |r: &Json| {
            run_bulk(vec![r.clone()], Bulk::Status(true), true)
        })
        .when(|r| !json::flag(r, "/enabled"));
        let disable = RowAction::new(tx::DISABLE, move |r: &Json| {
            let row = r.clone();
            spawn_local(async move {
                let name = &name(&row);
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
        .when(|r| json::flag(r, "/enabled"));
        let delete = RowAction::new(c::DELETE, move |r: &Json| {
            let name = name(r);
            let question = i18n.fill(tx::DELETE_Q, &[&name]);
            delete(
                path(r),
                name,
                question,
                Callback::new(move |()| list.reload()),
            );
        })
        .danger();
        columns.push(Column::actions(
            name,
            vec![test, edit, enable, disable, delete],
        ));
    }
    let chosen = move || {
        let keys = selected.get();
        rows.get()
            .into_iter()
            .filter(|r| keys.contains(&key(r)))
            .collect::<Vec<_>>()
    };
    let delete_chosen = move || {
        let targets = chosen();
        spawn_local(async move {
            let n = targets.len().to_string();
            let title = i18n.fill(tx::DELETE_MANY_Q, &[&n]);
            if confirm_danger(review, title, i18n.fill(tx::DELETE_MANY, &[&n])).await {
                run_bulk(targets, Bulk::Delete, false);
            }
        });
    };
    let new_robot = move || {
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
                json::s(&row, "/account_id"),
                row,
                Callback::new(move |()| list.reload()),
                close,
            ),
        })
    };
    let actions = if write() {
        let some = move |b: crate::ui::el::El| b.flag("disabled", none_chosen).view();
        vec![
            some(button(tx::ENABLE_MANY, move || {
                run_bulk(chosen(), Bulk::Status(true), false)
            })),
            some(button(tx::DISABLE_MANY, move || {
                run_bulk(chosen(), Bulk::Status(false), false)
            })),
            some(button(tx::DELETE_SELECTED, delete_chosen).class("danger")),
            button(tx::NEW, new_robot).class("primary").view(),
        ]
    } else {
        Vec::new()
    };
    let highlight = Signal::derive(move || router.param("new"));
    // Selection only for who can act on it.
    let table = view! {
        <DataTable id="robots" caption=tx::TITLE rows=rows columns=columns
            key=key name=name filter=name search=param("q")
            highlight=highlight selection=write().then_some(selected)
            loading=list.loading error=list.error/>
    }
    .into_any();
    vec![
        page_header(tx::TITLE, actions),
        filter_bar(
            "robot-filters",
            vec![
                Filter::search("q", c::SEARCH),
                Filter::choice("account", tx::ACCOUNT, accounts),
                Filter::choice(
                    "status",
                    c::STATUS,
                    choices(&[("enabled", c::ENABLED), ("disabled", c::DISABLED)]),
                ),
            ],
        ),
        dynamic(move || Some(failures().into_any())),
        outcomes(last),
        table,
        dynamic(drawer),
    ]
}
