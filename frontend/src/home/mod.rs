//! The first screen after sign-in: for each area the user may see, what
//! exists and what is failing, each number a link to the list filtered to
//! it; the trail's state and the latest changes for those who may read it.

use leptos::prelude::*;
use shared::auth::Action;

use crate::auth::use_auth;
use crate::i18n::home as tx;
use crate::i18n::{T, fill, use_i18n};
use crate::json::{self, Json};
use crate::router::link;
use crate::ui::el::{dynamic, el, text, word};
use crate::ui::{AuditTable, Remote, error_panel, fact, facts, page_header};

/// A count linking to the list it counts.
fn number(href: String, n: Option<usize>) -> AnyView {
    match n {
        Some(n) => link(href, n.to_string().into_any()),
        None => "…".into_any(),
    }
}

/// One area's card, loaded when the role may read it.
fn card(title: T, path: &'static str, facts_of: fn(&Json) -> Vec<(T, String, usize)>) -> AnyView {
    let data = Remote::follow(move || Some(path.into()));
    let numbers = dynamic(move || {
        data.value.with(|v| {
            v.as_ref().map(|v| {
                let items = facts_of(v).into_iter();
                facts(
                    items
                        .map(|(label, href, n)| fact(label, number(href, Some(n))))
                        .collect(),
                )
            })
        })
    });
    el("article")
        .class("card")
        .child(el("h2").word(title).view())
        .child(numbers)
        .child(error_panel(data.error.into()))
        .view()
}

fn configs(list: &Json) -> Vec<(T, String, usize)> {
    let regions = json::list(list, "/regions");
    let count = regions
        .iter()
        .map(|r| json::list(r, "/outcome/loaded/configs").len())
        .sum();
    let failing = regions
        .iter()
        .filter(|r| !json::at(r, "/outcome/failed").is_null())
        .count();
    vec![
        (tx::CONFIGS, "/chat-configs".into(), count),
        (
            tx::FAILING_REGIONS,
            "/chat-configs?status=failed".into(),
            failing,
        ),
    ]
}

fn robots(list: &Json) -> Vec<(T, String, usize)> {
    let accounts = json::list(list, "");
    let robots = || {
        accounts
            .iter()
            .flat_map(|a| json::list(a, "/result/page/robots"))
    };
    let failing = accounts
        .iter()
        .filter(|a| !json::at(a, "/result/error").is_null())
        .count();
    vec![
        (tx::ROBOTS, "/robots".into(), robots().count()),
        (
            tx::DISABLED_ROBOTS,
            "/robots?status=disabled".into(),
            robots().filter(|r| !json::flag(r, "/enabled")).count(),
        ),
        (
            tx::FAILING_ACCOUNTS,
            "/robots?status=failed".into(),
            failing,
        ),
    ]
}

fn groups(page: &Json) -> Vec<(T, String, usize)> {
    let total = usize::try_from(json::int(page, "/total")).unwrap_or(0);
    vec![(tx::GROUPS, "/groups".into(), total)]
}

fn users(list: &Json) -> Vec<(T, String, usize)> {
    let list = json::list(list, "");
    vec![
        (tx::USERS, "/users".into(), list.len()),
        (
            tx::DISABLED_USERS,
            "/users?status=disabled".into(),
            list.iter().filter(|u| json::flag(u, "/disabled")).count(),
        ),
    ]
}

fn accounts(list: &Json) -> Vec<(T, String, usize)> {
    vec![(
        tx::ACCOUNTS,
        "/credentials".into(),
        json::list(list, "").len(),
    )]
}

fn apps(list: &Json) -> Vec<(T, String, usize)> {
    vec![(
        tx::APPS,
        "/credentials?tab=dingtalk".into(),
        json::list(list, "").len(),
    )]
}

/// The trail's state and its latest entries.
fn trail() -> AnyView {
    let i18n = use_i18n();
    let health = Remote::follow(|| Some("/audit/status".into()));
    let latest = Remote::follow(|| Some("/audit/events?limit=5".into()));
    let rows = Signal::derive(move || latest.items("/events"));
    // An `AuditHealth`, or `null` before the first check.
    let state = move || match health.value.get().filter(|h| !h.is_null()) {
        Some(h) if json::flag(&h, "/ok") => i18n.t(tx::TRAIL_OK).to_owned(),
        Some(h) => fill(
            i18n.t(tx::TRAIL_BAD),
            &[&json::int(&h, "/first_bad_seq").to_string()],
        ),
        None => i18n.t(tx::TRAIL_UNCHECKED).to_owned(),
    };
    el("article")
        .class("card wide")
        .child(el("h2").word(tx::TRAIL).view())
        .child(facts(vec![fact(tx::TRAIL, text(state))]))
        .child(
            view! {
                <AuditTable id="home-latest" caption=tx::LATEST rows=rows
                    loading=latest.loading error=latest.error/>
            }
            .into_any(),
        )
        .child(
            el("p")
                .child(link("/audit".into(), word(tx::ALL_ENTRIES)))
                .view(),
        )
        .view()
}

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    let can = move |a| auth.can(a);
    let cards = [
        can(Action::ChatConfigsRead)
            .then(|| card(crate::i18n::chat_configs::TITLE, "/chat-configs", configs)),
        can(Action::RobotsRead).then(|| card(crate::i18n::robots::TITLE, "/robots", robots)),
        can(Action::GroupsRead).then(|| card(crate::i18n::groups::TITLE, "/groups", groups)),
        can(Action::UsersRead).then(|| card(crate::i18n::auth::USERS, "/users", users)),
        can(Action::CredentialsRead).then(|| {
            card(
                crate::i18n::vault::ALIBABA,
                "/credentials/alibaba",
                accounts,
            )
        }),
        can(Action::CredentialsRead)
            .then(|| card(crate::i18n::vault::DINGTALK, "/credentials/dingtalk", apps)),
        can(Action::AuditRead).then(trail),
    ];
    vec![
        page_header(tx::TITLE, Vec::new()),
        el("div")
            .class("cards")
            .children(cards.into_iter().flatten())
            .view(),
    ]
}
