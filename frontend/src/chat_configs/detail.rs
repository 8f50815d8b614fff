//! One chat configuration's page: its facts, its settings (secrets only as
//! set or not) and its change history; Edit and Delete for who may.

use leptos::prelude::*;
use shared::auth::Action;

use super::forms::{PLATFORMS, WORDING, api_path, edit_drawer};
use crate::auth::use_auth;
use crate::i18n::chat_configs as tx;
use crate::i18n::common as c;
use crate::i18n::{T, tr, use_i18n};
use crate::router::use_router;
use crate::ui::el::{dynamic, el};
use crate::ui::time::TimeProps;
use crate::ui::{
    AuditTable, Json, Remote, Time, button, code_copy, delete, detail_header, error_panel, fact,
    facts, json, tab_panel, tabs,
};

const LIST: &str = "/chat-configs";

/// The configuration's entries in the audit trail.
fn history_table(path: String) -> AnyView {
    let history = Remote::follow(move || Some(format!("{path}/history")));
    let rows = Signal::derive(move || history.items(""));
    view! {
        <AuditTable id="chat-config-history" caption=c::HISTORY rows=rows
            loading=history.loading error=history.error wording=WORDING/>
    }
    .into_any()
}

// `d` is a `ChatConfigDetail` as the server sent it.

/// A setting's value: plain text, or a secret only as set or not.
fn setting_value(s: &Json) -> AnyView {
    let plain = json::at(s, "/value/plain");
    match plain.js().as_string() {
        Some(v) => v.into_any(),
        None => tr(if json::flag(s, "/value/secret/set") {
            tx::SECRET_SET
        } else {
            tx::SECRET_UNSET
        })
        .into_any(),
    }
}

fn settings_facts(d: &Json) -> AnyView {
    let items = json::list(d, "/config/settings").into_iter().map(|s| {
        el("div")
            .child(el("dt").child(json::s(&s, "/key").into_any()).view())
            .child(el("dd").child(setting_value(&s)).view())
            .view()
    });
    el("dl").class("facts").children(items).view()
}

const SECRETS: &[(&str, T)] = &[
    ("held", tx::SECRETS_HELD),
    ("outside", tx::SECRETS_OUTSIDE),
    ("none", c::NONE),
];

fn main_facts(d: &Json) -> AnyView {
    let time = |ptr| json::millis(d, ptr).map(|millis| Time(TimeProps { millis }));
    let url = json::s(d, "/config/summary/webhook_url");
    let webhook = (!url.is_empty()).then(|| code_copy(tx::WEBHOOK, url));
    let word = |ptr, words: &[(&str, T)]| crate::i18n::word(words, &json::s(d, ptr)).map(tr);
    facts(vec![
        fact(tx::ACCOUNT, json::s(d, "/account_name")),
        fact(tx::REGION, json::s(d, "/config/summary/region_id")),
        fact(tx::PLATFORM, word("/config/summary/platform", PLATFORMS)),
        fact(tx::WEBHOOK, webhook),
        fact(tx::RAM_ROLE, json::s(d, "/config/summary/ram_role")),
        fact(tx::RESOURCE_GROUP, json::s(d, "/config/resource_group_id")),
        fact(tx::LABELS, json::joined(d, "/labels")),
        fact(tx::SECRETS, word("/secrets", SECRETS)),
        fact(c::CREATED, time("/config/summary/created")),
        fact(c::UPDATED, time("/config/summary/updated")),
    ])
}

/// `rest` is the address after `/chat-configs/`: account, region, name.
#[component]
pub fn Detail(rest: String) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
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
        Remote::follow(move || Some(path.clone()))
    };
    let editing = RwSignal::new(false);
    let write = move || auth.can(Action::ChatConfigsWrite);
    let title = {
        let (name, region) = (name.clone(), region.clone());
        Signal::derive(move || i18n.fill(tx::ONE, &[&name, &region]))
    };
    let delete = {
        let (path, name, region) = (path.clone(), name.clone(), region.clone());
        move || {
            let question = i18n.fill(tx::DELETE_Q, &[&name, &region]);
            let leave = Callback::new(move |()| router.navigate(LIST));
            delete(path.clone(), name.clone(), question, leave);
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
    let actions = if write() {
        vec![
            button(c::EDIT, move || editing.set(true)).view(),
            button(c::DELETE, delete).class("danger").view(),
        ]
    } else {
        Vec::new()
    };
    vec![
        detail_header(title, (LIST, tx::TITLE), actions),
        error_panel(detail.error.into()),
        dynamic(move || detail.value.with(|d| d.as_ref().map(main_facts))),
        bar,
        tab_panel("chat-config-tabs", current, dynamic(body)),
        dynamic(drawer),
    ]
}
