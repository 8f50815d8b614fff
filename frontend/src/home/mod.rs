//! The first screen after sign-in: for each area the user may see, what
//! exists and what is failing, each number a link to the list filtered to
//! it; the trail's state and the latest changes for those who may read it.

use leptos::prelude::*;
use shared::audit::{AuditHealth, EventPage};
use shared::auth::{Action, User};
use shared::chat_configs::{ChatConfigList, RegionOutcome};
use shared::groups::CataloguePage;
use shared::robots::{AccountResult, AccountRobots};
use shared::vault::{AlibabaAccount, DingTalkApp};

use crate::auth::use_auth;
use crate::i18n::home as tx;
use crate::i18n::{T, fill, tr, use_i18n};
use crate::router::Link;
use crate::ui::{AuditTable, ErrorPanel, PageHeader, Remote, fact, facts};

/// A count linking to the list it counts.
fn number(href: String, n: Option<usize>) -> AnyView {
    match n {
        Some(n) => view! { <Link href=href>{n.to_string()}</Link> }.into_any(),
        None => "…".into_any(),
    }
}

/// One area's card, loaded when the role may read it.
fn card<D: serde::de::DeserializeOwned + Send + Sync + 'static>(
    title: T,
    path: &'static str,
    facts_of: fn(&D) -> Vec<(T, String, usize)>,
) -> AnyView {
    let data = Remote::<D>::follow(move || Some(path.into()));
    view! {
        <article class="card">
            <h2>{tr(title)}</h2>
            {move || data.value.with(|v| v.as_ref().map(|v| facts(
                facts_of(v).into_iter().map(|(label, href, n)| fact(label, number(href, Some(n)))).collect()
            )))}
            <ErrorPanel error=data.error/>
        </article>
    }
    .into_any()
}

fn configs(list: &ChatConfigList) -> Vec<(T, String, usize)> {
    let mut count = 0;
    let mut failing = 0;
    for r in &list.regions {
        match &r.outcome {
            RegionOutcome::Loaded { configs } => count += configs.len(),
            RegionOutcome::Failed { .. } => failing += 1,
        }
    }
    vec![
        (tx::CONFIGS, "/chat-configs".into(), count),
        (
            tx::FAILING_REGIONS,
            "/chat-configs?status=failed".into(),
            failing,
        ),
    ]
}

fn robots(list: &[AccountRobots]) -> Vec<(T, String, usize)> {
    let (mut all, mut disabled, mut failing) = (0, 0, 0);
    for a in list {
        match &a.result {
            AccountResult::Page(p) => {
                all += p.robots.len();
                disabled += p.robots.iter().filter(|r| !r.enabled).count();
            }
            AccountResult::Error(_) => failing += 1,
        }
    }
    vec![
        (tx::ROBOTS, "/robots".into(), all),
        (
            tx::DISABLED_ROBOTS,
            "/robots?status=disabled".into(),
            disabled,
        ),
        (
            tx::FAILING_ACCOUNTS,
            "/robots?status=failed".into(),
            failing,
        ),
    ]
}

fn groups(page: &CataloguePage) -> Vec<(T, String, usize)> {
    vec![(tx::GROUPS, "/groups".into(), page.total as usize)]
}

fn users(list: &[User]) -> Vec<(T, String, usize)> {
    vec![
        (tx::USERS, "/users".into(), list.len()),
        (
            tx::DISABLED_USERS,
            "/users?status=disabled".into(),
            list.iter().filter(|u| u.disabled).count(),
        ),
    ]
}

fn accounts(list: &[AlibabaAccount]) -> Vec<(T, String, usize)> {
    vec![(tx::ACCOUNTS, "/credentials".into(), list.len())]
}

fn apps(list: &[DingTalkApp]) -> Vec<(T, String, usize)> {
    vec![(tx::APPS, "/credentials?tab=dingtalk".into(), list.len())]
}

/// The trail's state and its latest entries.
fn trail() -> AnyView {
    let i18n = use_i18n();
    let health = Remote::<Option<AuditHealth>>::follow(|| Some("/audit/status".into()));
    let latest = Remote::<EventPage>::follow(|| Some("/audit/events?limit=5".into()));
    let rows = Signal::derive(move || {
        latest
            .value
            .with(|p| p.as_ref().map(|p| p.events.clone()).unwrap_or_default())
    });
    let state = move || match health.value.get() {
        Some(Some(h)) if h.ok => i18n.t(tx::TRAIL_OK).to_owned(),
        Some(Some(h)) => fill(
            i18n.t(tx::TRAIL_BAD),
            &[&h.first_bad_seq.unwrap_or_default().to_string()],
        ),
        _ => i18n.t(tx::TRAIL_UNCHECKED).to_owned(),
    };
    view! {
        <article class="card wide">
            <h2>{tr(tx::TRAIL)}</h2>
            {facts(vec![fact(tx::TRAIL, state)])}
            <AuditTable id="home-latest" caption=tx::LATEST rows=rows loading=latest.loading error=latest.error/>
            <p><Link href="/audit">{tr(tx::ALL_ENTRIES)}</Link></p>
        </article>
    }
    .into_any()
}

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    let can = move |a| auth.can(a);
    view! {
        <PageHeader title=tx::TITLE/>
        <div class="cards">
            {can(Action::ChatConfigsRead).then(|| card::<ChatConfigList>(crate::i18n::chat_configs::TITLE, "/chat-configs", configs))}
            {can(Action::RobotsRead).then(|| card::<Vec<AccountRobots>>(crate::i18n::robots::TITLE, "/robots", |v| robots(v)))}
            {can(Action::GroupsRead).then(|| card::<CataloguePage>(crate::i18n::groups::TITLE, "/groups", groups))}
            {can(Action::UsersRead).then(|| card::<Vec<User>>(crate::i18n::auth::USERS, "/users", |v| users(v)))}
            {can(Action::CredentialsRead).then(|| card::<Vec<AlibabaAccount>>(crate::i18n::vault::ALIBABA, "/credentials/alibaba", |v| accounts(v)))}
            {can(Action::CredentialsRead).then(|| card::<Vec<DingTalkApp>>(crate::i18n::vault::DINGTALK, "/credentials/dingtalk", |v| apps(v)))}
            {can(Action::AuditRead).then(trail)}
        </div>
    }
}
