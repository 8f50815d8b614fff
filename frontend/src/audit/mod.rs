//! The auditor's page: filter the trail, page through it newest first,
//! open an event's before/after diff and export the current filter.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::API_PREFIX;
use shared::audit::{AuditAction, AuditEntry, AuditHealth, EventFilter, EventPage, Outcome};
use wasm_bindgen::JsValue;

use crate::api::{self, Failure};
use crate::i18n::{AuditMsg as M, Msg, use_i18n};
use crate::ui::{DiffView, ErrorPanel};

/// The text of an audit message, reactive to the language.
fn t(msg: M) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(Msg::Audit(msg))
}

/// `<input type="datetime-local">` value (local time) to epoch ms.
fn local_to_ms(value: &str) -> Option<i64> {
    if value.is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    ms.is_finite().then_some(ms as i64)
}

/// Epoch ms as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn show_time(ms: i64) -> String {
    let iso: String = js_sys::Date::new(&JsValue::from_f64(ms as f64))
        .to_iso_string()
        .into();
    format!("{} UTC", iso.get(..19).unwrap_or(&iso).replace('T', " "))
}

fn some(s: String) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    // The form's fields, applied on submit.
    let (from, to, actor, action, target, outcome) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let applied = RwSignal::new(EventFilter::default());
    // Cursors of the pages walked through; the last one is shown.
    let cursors = RwSignal::new(Vec::<i64>::new());
    let page = RwSignal::new(None::<Result<EventPage, Failure>>);
    let selected = RwSignal::new(None::<AuditEntry>);
    let generation = StoredValue::new(0_u32);

    Effect::new(move |_| {
        let filter = EventFilter {
            before: cursors.with(|c| c.last().copied()),
            ..applied.get()
        };
        let this = generation.get_value().wrapping_add(1);
        generation.set_value(this);
        page.set(None);
        spawn_local(async move {
            let result =
                api::get::<EventPage>(&format!("/audit/events?{}", filter.to_query())).await;
            // A slower, older request must not overwrite a newer one.
            if generation.get_value() == this {
                page.set(Some(result));
            }
        });
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        applied.set(EventFilter {
            from: local_to_ms(&from.get()),
            to: local_to_ms(&to.get()),
            actor: some(actor.get()),
            action: some(action.get()),
            target: some(target.get()),
            outcome: Outcome::parse(&outcome.get()),
            ..EventFilter::default()
        });
        cursors.set(Vec::new());
        selected.set(None);
    };
    let on_reset = move |_| {
        for field in [from, to, actor, action, target, outcome] {
            field.set(String::new());
        }
        applied.set(EventFilter::default());
        cursors.set(Vec::new());
        selected.set(None);
    };
    let export_href = move |format: &str| {
        let query = applied.with(EventFilter::to_query);
        let sep = if query.is_empty() { "" } else { "&" };
        format!("{API_PREFIX}/audit/export?format={format}{sep}{query}")
    };
    let next_cursor = move || page.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()?.next_cursor));

    view! {
        <h1>{move || i18n.t(Msg::Area(shared::area::Area::Audit))}</h1>
        <ChainBanner/>
        <form class="audit-filters" on:submit=on_submit aria-label=t(M::Filters)>
            <TextField id="audit-from" label=M::From kind="datetime-local" value=from/>
            <TextField id="audit-to" label=M::To kind="datetime-local" value=to/>
            <TextField id="audit-actor" label=M::Actor kind="text" value=actor/>
            <div class="field">
                <label for="audit-action">{t(M::Action)}</label>
                <select id="audit-action" prop:value=move || action.get()
                    on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">{t(M::AnyAction)}</option>
                    {AuditAction::ALL
                        .into_iter()
                        .map(|a| view! { <option value=a.as_str()>{a.as_str()}</option> })
                        .collect_view()}
                </select>
            </div>
            <TextField id="audit-target" label=M::Target kind="text" value=target/>
            <div class="field">
                <label for="audit-outcome">{t(M::Outcome)}</label>
                <select id="audit-outcome" prop:value=move || outcome.get()
                    on:change=move |ev| outcome.set(event_target_value(&ev))>
                    <option value="">{t(M::AnyOutcome)}</option>
                    {Outcome::ALL
                        .into_iter()
                        .map(|o| view! { <option value=o.as_str()>{t(outcome_msg(o))}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="actions">
                <button type="submit">{t(M::Apply)}</button>
                <button type="button" on:click=on_reset>{t(M::Reset)}</button>
                <a href=move || export_href("csv") download>{t(M::ExportCsv)}</a>
                <a href=move || export_href("jsonl") download>{t(M::ExportJsonl)}</a>
            </div>
        </form>
        {move || match page.get() {
            None => view! { <p role="status">{t(M::Loading)}</p> }.into_any(),
            Some(Err(failure)) => view! {
                <p>{t(M::LoadFailed)}</p>
                <ErrorPanel error=Some(failure)/>
            }
            .into_any(),
            Some(Ok(p)) if p.events.is_empty() => {
                view! { <p role="status">{t(M::NoEvents)}</p> }.into_any()
            }
            Some(Ok(p)) => view! { <EventTable events=p.events selected/> }.into_any(),
        }}
        <div class="pager">
            <button type="button" disabled=move || cursors.with(Vec::is_empty)
                on:click=move |_| cursors.update(|c| { c.pop(); })>
                {t(M::Newer)}
            </button>
            <span>{t(M::Page)} " " {move || cursors.with(Vec::len) + 1}</span>
            <button type="button" disabled=move || next_cursor().is_none()
                on:click=move |_| {
                    if let Some(c) = next_cursor() {
                        cursors.update(|cs| cs.push(c));
                    }
                }>
                {t(M::Older)}
            </button>
        </div>
        {move || selected.get().map(|event| view! { <EventDetails event selected/> })}
    }
}

/// Says so, above everything else, when the server's latest verification
/// of the chain found it broken.
#[component]
fn ChainBanner() -> impl IntoView {
    // A signal set by a task, not a LocalResource: Leptos's resource
    // machinery measured 8.5 KB brotli of the console's budget.
    let health = RwSignal::new(None::<AuditHealth>);
    spawn_local(async move {
        if let Ok(h) = api::get::<Option<AuditHealth>>("/audit/status").await {
            health.set(h);
        }
    });
    move || {
        let h = health.get()?;
        (!h.ok).then(|| {
            view! {
                <div class="banner error" role="alert">
                    <p>
                        {t(M::ChainBroken)} " " {h.first_bad_seq.map(|s| s.to_string())} " — "
                        {h.problem}
                    </p>
                    <p>{t(M::ChainCheckedAt)} " " {show_time(h.checked_at)}</p>
                </div>
            }
        })
    }
}

#[component]
fn TextField(
    id: &'static str,
    label: M,
    kind: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <input id=id type=kind prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
        </div>
    }
}

fn outcome_msg(o: Outcome) -> M {
    match o {
        Outcome::Success => M::Success,
        Outcome::Failure => M::Failure,
        Outcome::Unknown => M::Unknown,
    }
}

fn event_outcome(e: &AuditEntry) -> M {
    outcome_msg(e.outcome)
}

fn target_text(e: &AuditEntry) -> String {
    let name = e.target.label.as_ref().or(e.target.id.as_ref());
    match name {
        Some(name) => format!("{} {name}", e.target.kind),
        None => e.target.kind.clone(),
    }
}

#[component]
fn EventTable(events: Vec<AuditEntry>, selected: RwSignal<Option<AuditEntry>>) -> impl IntoView {
    let rows = events
        .into_iter()
        .map(|e| {
            let outcome = event_outcome(&e);
            let error = e.error_code.clone().map(|c| format!(" ({c})"));
            let details = e.clone();
            view! {
                <tr>
                    <td>{e.seq}</td>
                    <td>{show_time(e.at)}</td>
                    <td>{e.actor.clone()}</td>
                    <td>{e.role.clone()}</td>
                    <td>{e.source.clone()}</td>
                    <td>{e.action.clone()}</td>
                    <td>{target_text(&e)}</td>
                    <td class=format!("outcome-{}", e.outcome.as_str())>{t(outcome)} {error}</td>
                    <td>
                        <button type="button" on:click=move |_| selected.set(Some(details.clone()))>
                            {t(M::Details)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label=t(M::Events)>
        <table class="audit-events">
            <caption>{t(M::Events)}</caption>
            <thead>
                <tr>
                    <th scope="col">"#"</th>
                    <th scope="col">{t(M::Time)}</th>
                    <th scope="col">{t(M::Actor)}</th>
                    <th scope="col">{t(M::Role)}</th>
                    <th scope="col">{t(M::Source)}</th>
                    <th scope="col">{t(M::Action)}</th>
                    <th scope="col">{t(M::Target)}</th>
                    <th scope="col">{t(M::Outcome)}</th>
                    <th scope="col"><span class="visually-hidden">{t(M::Details)}</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
}

#[component]
fn EventDetails(event: AuditEntry, selected: RwSignal<Option<AuditEntry>>) -> impl IntoView {
    let item =
        |label: M, value: Option<String>| value.map(|v| view! { <dt>{t(label)}</dt> <dd>{v}</dd> });
    let link = |n: Option<i64>| n.map(|n| format!("#{n}"));
    // Opening an event moves focus (and the view) to it, for keyboard and
    // screen-reader users as much as for the eye.
    let title = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h2) = title.get() {
            let _ = h2.focus();
        }
    });
    view! {
        <section class="audit-details" aria-labelledby="audit-details-title">
            <h2 id="audit-details-title" tabindex="-1" node_ref=title>
                {t(M::EventTitle)} " #" {event.seq}
            </h2>
            <dl>
                {item(M::Time, Some(show_time(event.at)))}
                {item(M::Actor, Some(event.actor.clone()))}
                {item(M::Action, Some(event.action.clone()))}
                {item(M::Target, Some(target_text(&event)))}
                <dt>{t(M::Outcome)}</dt>
                <dd>{t(event_outcome(&event))}</dd>
                {item(M::IntentEvent, link(event.intent_seq))}
                {item(M::RequestId, event.request_id.clone())}
                {item(M::ErrorCode, event.error_code.clone())}
                {item(M::ErrorMessage, event.error_message.clone())}
                {item(M::Hash, Some(event.hash.clone()))}
            </dl>
            <DiffView changes=event.changes.clone()/>
            <button type="button" on:click=move |_| selected.set(None)>{t(M::Close)}</button>
        </section>
    }
}
