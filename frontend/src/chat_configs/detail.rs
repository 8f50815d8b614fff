//! One chat configuration's page: its facts, its settings (secrets only as
//! set or not) and its change history; Edit and Delete for who may.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::audit::{AuditEntry, Outcome};
use shared::auth::Action;
use shared::chat_configs::{ChatConfigDetail, SecretSource, SettingValue};

use super::forms::{api_path, edit_drawer, platform_text};
use crate::api;
use crate::auth::use_auth;
use crate::i18n::chat_configs as tx;
use crate::i18n::common as c;
use crate::i18n::{T, now, tr, use_i18n};
use crate::router::use_router;
use crate::ui::{
    Column, CopyButton, DataTable, DetailHeader, ErrorPanel, Remote, Time, confirm_danger, fact,
    facts, tab_panel, tabs, use_review, use_toasts,
};

const LIST: &str = "/chat-configs";

fn action_text(action: &str) -> T {
    match action {
        "chat_config.create" => tx::ACT_CREATE,
        "chat_config.delete" => tx::ACT_DELETE,
        _ => tx::ACT_UPDATE,
    }
}

fn history_table(path: String) -> AnyView {
    let history = Remote::<Vec<AuditEntry>>::follow(move || Some(format!("{path}/history")));
    let columns = vec![
        Column::new(tx::WHEN, |e: &AuditEntry| {
            view! { <Time millis=e.at/> }.into_any()
        })
        .sort_by(|e| crate::ui::SortKey::Number(e.at)),
        Column::text(tx::WHO, |e: &AuditEntry| e.actor.clone()),
        Column::new(tx::WHAT, |e: &AuditEntry| {
            now(action_text(&e.action)).into_any()
        }),
        Column::new(tx::OUTCOME, |e: &AuditEntry| {
            now(match e.outcome {
                Outcome::Success => tx::OK,
                Outcome::Failure => tx::FAILED,
                Outcome::Unknown => tx::UNKNOWN,
            })
            .into_any()
        }),
    ];
    view! {
        <DataTable id="chat-config-history" caption=c::HISTORY
            rows=Signal::derive(move || history.value.get().unwrap_or_default())
            columns=columns key=|e: &AuditEntry| e.seq.to_string()
            loading=history.loading error=history.error/>
    }
    .into_any()
}

fn settings_facts(d: &ChatConfigDetail) -> AnyView {
    let items = d
        .config
        .settings
        .iter()
        .map(|s| match &s.value {
            SettingValue::Plain(v) => (s.key.clone(), v.clone().into_any()),
            SettingValue::Secret { set } => (
                s.key.clone(),
                tr(if *set {
                    tx::SECRET_SET
                } else {
                    tx::SECRET_UNSET
                })
                .into_any(),
            ),
        })
        .map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> })
        .collect_view();
    view! { <dl class="facts">{items}</dl> }.into_any()
}

fn main_facts(d: &ChatConfigDetail) -> AnyView {
    let s = &d.config.summary;
    let time =
        |t: Option<shared::time::Timestamp>| t.map(|t| view! { <Time millis=t.epoch_millis()/> });
    let webhook = s.webhook_url.clone().map(|url| {
        view! { <code>{url.clone()}</code>" "<CopyButton what=tx::WEBHOOK value=url/> }
    });
    let labels: Vec<&str> = d.labels.iter().map(|l| l.as_str()).collect();
    facts(vec![
        fact(tx::ACCOUNT, d.account_name.clone()),
        fact(tx::REGION, s.region_id.as_str().to_owned()),
        fact(tx::PLATFORM, s.platform.map(|p| tr(platform_text(p)))),
        fact(tx::WEBHOOK, webhook),
        fact(tx::RAM_ROLE, s.ram_role.clone().unwrap_or_default()),
        fact(
            tx::RESOURCE_GROUP,
            d.config.resource_group_id.clone().unwrap_or_default(),
        ),
        fact(tx::LABELS, labels.join(", ")),
        fact(
            tx::SECRETS,
            tr(match d.secrets {
                SecretSource::Held => tx::SECRETS_HELD,
                SecretSource::Outside => tx::SECRETS_OUTSIDE,
                SecretSource::None => c::NONE,
            }),
        ),
        fact(c::CREATED, time(s.created)),
        fact(c::UPDATED, time(s.updated)),
    ])
}

/// `rest` is the address after `/chat-configs/`: account, region, name.
#[component]
pub fn Detail(rest: String) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let review = use_review();
    let router = use_router();
    let mut parts = rest.splitn(3, '/');
    let (account, region, name) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let path = api_path(&account, &region, &name);
    let detail = {
        let path = path.clone();
        Remote::<ChatConfigDetail>::follow(move || Some(path.clone()))
    };
    let editing = RwSignal::new(false);
    let write = move || auth.can(Action::ChatConfigsWrite);
    let title = {
        let (name, region) = (name.clone(), region.clone());
        Signal::derive(move || i18n.fill(tx::ONE, &[&name, &region]))
    };
    let delete = {
        let (path, name, region) = (path.clone(), name.clone(), region.clone());
        move |_| {
            let (path, name, region) = (path.clone(), name.clone(), region.clone());
            spawn_local(async move {
                let question = i18n.fill(tx::DELETE_Q, &[&name, &region]);
                if !confirm_danger(review, question, i18n.fill(c::DELETE_NAMED, &[&name])).await {
                    return;
                }
                match api::send_empty(Method::DELETE, &path, None::<&()>).await {
                    Ok(()) => {
                        toasts.ok(c::DELETED, &name);
                        router.navigate(LIST);
                    }
                    Err(f) => toasts.failed(&f),
                }
            });
        }
    };
    let mut tab_list = vec![("configuration", tx::CONFIGURATION)];
    if auth.can(Action::AuditRead) {
        tab_list.push(("history", c::HISTORY));
    }
    let (bar, current) = tabs("chat-config-tabs", tab_list);
    let body = move || {
        detail.value.with(|d| {
            d.as_ref().map(|d| match current.get() {
                "history" => history_table(path.clone()),
                _ => settings_facts(d),
            })
        })
    };
    let drawer = move || {
        let d = detail.value.get().filter(|_| editing.get())?;
        let close = Callback::new(move |()| editing.set(false));
        Some(edit_drawer(
            d,
            Callback::new(move |()| detail.reload()),
            close,
        ))
    };
    view! {
        <DetailHeader title=title back=(LIST, tx::TITLE)>
            {move || write().then(|| view! {
                <button type="button" on:click=move |_| editing.set(true)>{tr(c::EDIT)}</button>
                <button type="button" class="danger" on:click=delete.clone()>{tr(c::DELETE)}</button>
            })}
        </DetailHeader>
        <ErrorPanel error=detail.error/>
        {move || detail.value.with(|d| d.as_ref().map(main_facts))}
        {bar}
        {tab_panel("chat-config-tabs", current, body.into_any())}
        {drawer}
    }
}
