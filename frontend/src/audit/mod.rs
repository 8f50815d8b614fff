//! The audit trail: filters in the URL, newest first, pages by cursor,
//! each entry's details with its diff, the chain's health and a check of
//! it, and the export of exactly what the filters show.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::API_PREFIX;
use shared::audit::{EventFilter, Outcome};
use shared::auth::Action;
use wasm_bindgen::JsValue;

use crate::api;
use crate::auth::use_auth;
use crate::i18n::audit as tx;
use crate::i18n::{T, use_i18n};
use crate::router::use_router;
use crate::ui::el::{dynamic, el};
use crate::ui::time::local_text;
use crate::ui::{
    AuditTable, Filter, Json, Remote, ServerPaging, button, choices, filter_bar, json, page_header,
    param, use_toasts,
};

/// Local midnight of `YYYY-MM-DD` plus `days`, as epoch ms.
fn day_start(day: &str, days: u32) -> Option<i64> {
    let d = js_sys::Date::new(&JsValue::from_str(&format!("{day}T00:00:00")));
    let ms = d.get_time();
    ms.is_finite()
        .then(|| ms as i64 + i64::from(days) * 86_400_000)
}

/// The API's filter from the URL's.
fn filter(before: Option<i64>) -> EventFilter {
    let p = |k: &'static str| Some(param(k).get()).filter(|s| !s.is_empty());
    EventFilter {
        from: p("from").and_then(|d| day_start(&d, 0)),
        // The day chosen is included: up to the next midnight.
        to: p("to").and_then(|d| day_start(&d, 1)),
        actor: p("actor"),
        action: p("action"),
        target: p("target"),
        outcome: p("outcome").and_then(|o| Outcome::ALL.into_iter().find(|x| x.as_str() == o)),
        before,
        limit: None,
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let router = use_router();
    // Cursors of the newer pages walked through; the URL's `before` is the
    // page shown, so a reload keeps it.
    let trail = RwSignal::new(Vec::<Option<i64>>::new());
    let before = Signal::derive(move || router.param("before").and_then(|b| b.parse().ok()));
    let page =
        Remote::follow(move || Some(format!("/audit/events?{}", filter(before.get()).to_query())));
    // An `AuditHealth`, or `null` before the first check.
    let health = Remote::follow(|| Some("/audit/status".into()));
    let rows = Signal::derive(move || page.items("/events"));
    let next = Signal::derive(move || {
        page.value.with(|p| {
            p.as_ref()
                .filter(|p| !json::at(p, "/next_cursor").is_null())
                .map(|p| json::int(p, "/next_cursor"))
        })
    });
    let paging = ServerPaging {
        page: Signal::derive(move || trail.with(Vec::len)),
        page_size: shared::audit::DEFAULT_PAGE_SIZE as usize,
        total: Signal::stored(None),
        has_next: Signal::derive(move || next.get().is_some()),
        on_page: Callback::new(move |to: usize| {
            let here = trail.with_untracked(Vec::len);
            let cursor = if to > here {
                trail.update(|t| t.push(before.get_untracked()));
                next.get_untracked()
            } else {
                trail.try_update(Vec::pop).flatten().flatten()
            };
            router.set_params(
                &[("before", cursor.map(|c| c.to_string()).unwrap_or_default())],
                true,
            );
        }),
    };
    // A new filter starts from the newest entries.
    crate::reactive::effect(move || {
        for k in ["from", "to", "actor", "action", "target", "outcome"] {
            router.param(k);
        }
        trail.set(Vec::new());
    });
    let export = move |format: &'static str| {
        let mut f = filter(None);
        f.before = None;
        format!("{API_PREFIX}/audit/export?{}&format={format}", f.to_query())
    };
    let verify = move || {
        spawn_local(async move {
            // A `VerifyReport`: valid unless it names a first broken link.
            match api::get::<Json>("/audit/verify").await {
                Ok(r) if json::at(&r, "/first_broken").is_null() => {
                    toasts.ok(tx::VERIFIED, &json::text(&r, "/checked"));
                }
                Ok(r) => {
                    let (seq, why) = (
                        json::int(&r, "/first_broken/seq"),
                        json::s(&r, "/first_broken/reason"),
                    );
                    toasts.ok(tx::BROKEN, &format!("{seq} ({why})"));
                }
                Err(f) => toasts.failed(&f),
            }
            health.reload();
        });
    };
    let banner = dynamic(move || {
        health.value.get().filter(|h| !h.is_null()).map(|h| {
            let ok = json::flag(&h, "/ok");
            let text = if ok {
                i18n.fill(tx::HEALTH_OK, &[&local_text(json::int(&h, "/checked_at"))])
            } else {
                let seq = json::int(&h, "/first_bad_seq").to_string();
                i18n.fill(tx::HEALTH_BAD, &[&seq, &json::s(&h, "/problem")])
            };
            el("p")
                .class("notice")
                .class_if("failed", move || !ok)
                .attr("role", "status")
                .child(text.into_any())
                .view()
        })
    });
    let actions: &'static [(&'static str, T)] = tx::ACTIONS;
    let download = move |format: &'static str, label| {
        el("a")
            .class("button")
            .attr_dyn("href", move || Some(export(format)))
            .attr("download", "")
            .word(label)
            .view()
    };
    let mut header_actions = Vec::new();
    if auth.can(Action::AuditExport) {
        header_actions.push(download("csv", tx::EXPORT_CSV));
        header_actions.push(download("jsonl", tx::EXPORT_JSONL));
    }
    header_actions.push(button(tx::VERIFY, verify).view());
    vec![
        page_header(tx::TITLE, header_actions),
        banner,
        filter_bar(
            "audit-filters",
            vec![
                Filter::date("from", tx::FROM),
                Filter::date("to", tx::TO),
                Filter::search("actor", tx::ACTOR),
                Filter::choice("action", tx::ACTION, choices(actions)),
                Filter::search("target", tx::TARGET),
                Filter::choice("outcome", tx::OUTCOME, choices(tx::OUTCOMES)),
            ],
        ),
        view! {
            <AuditTable id="audit" caption=tx::TITLE rows=rows loading=page.loading
                error=page.error server=Some(paging)/>
        }
        .into_any(),
    ]
}
