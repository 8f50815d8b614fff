//! The trail's entries as one table, for the audit page and every
//! object's History tab: when (the one time format), who, the action,
//! target and outcome worded, and an entry's details with its diff.

use leptos::prelude::*;
use shared::audit::FieldChange;

use crate::api::Failure;
use crate::i18n::audit as tx;
use crate::i18n::common as c;
use crate::i18n::{T, now, use_i18n, word};
use crate::json::{self, Json};
use crate::ui::dialog::{Wording, modal, plan_table};
use crate::ui::el::{button, dynamic, el, text};
use crate::ui::time::TimeProps;
use crate::ui::{Column, DataTable, RowAction, ServerPaging, Time, code_copy, fact, facts};

fn worded(table: &'static [(&'static str, T)], code: String) -> AnyView {
    let i18n = use_i18n();
    text(move || word(table, &code).map_or_else(|| code.clone(), |t| i18n.t(t).to_owned()))
}

/// An entry's target (kind worded, then its label or id), once.
fn target_now(e: &Json) -> String {
    let kind = json::s(e, "/target/kind");
    let kind = word(tx::TARGETS, &kind).map_or(kind, |t| now(t).to_owned());
    let name = match json::s(e, "/target/label") {
        label if label.is_empty() => json::s(e, "/target/id"),
        label => label,
    };
    format!("{kind} · {name}")
}

fn seq(e: &Json) -> String {
    json::text(e, "/seq")
}

/// An entry's facts and its diff, in a dialog.
fn details(entry: Json, wording: Wording, close: Callback<()>) -> AnyView {
    let i18n = use_i18n();
    let seq = seq(&entry);
    let title = Signal::derive(move || i18n.fill(tx::ENTRY, &[&seq]));
    let text = |ptr| json::s(&entry, ptr);
    let target = match text("/target/label") {
        label if label.is_empty() => text("/target/id"),
        label => label,
    };
    let mut items = vec![
        fact(
            tx::WHEN,
            Time(TimeProps {
                millis: json::int(&entry, "/at"),
            }),
        ),
        fact(tx::ACTOR, format!("{} ({})", text("/actor"), text("/role"))),
        fact(tx::ACTION, worded(tx::ACTIONS, text("/action"))),
        fact(tx::TARGET, {
            let kind = worded(tx::TARGETS, text("/target/kind"));
            [kind, " · ".into_any(), target.into_any()]
                .into_iter()
                .collect_view()
        }),
        fact(tx::OUTCOME, worded(tx::OUTCOMES, text("/outcome"))),
    ];
    // Optional fields are left out of the JSON when empty.
    let source = text("/source");
    if !source.is_empty() {
        items.push(fact(tx::SOURCE, source));
    }
    let id = text("/request_id");
    if !id.is_empty() {
        items.push(fact(tx::REQUEST_ID, code_copy(tx::REQUEST_ID, id)));
    }
    let code = text("/error_code");
    if !code.is_empty() {
        let message = text("/error_message");
        items.push(fact(tx::ERROR, format!("{code}: {message}")));
    }
    items.push(fact(
        tx::HASH,
        el("code")
            .class("hash")
            .child(text("/hash").into_any())
            .view(),
    ));
    let changes: Vec<FieldChange> =
        crate::api::decode(json::at(&entry, "/changes").js()).unwrap_or_default();
    let changes = if changes.is_empty() {
        el("p").word(tx::NO_CHANGES).view()
    } else {
        plan_table(&changes, wording)
    };
    let body = [facts(items), el("h3").word(tx::CHANGES).view(), changes]
        .into_iter()
        .collect_view()
        .into_any();
    let buttons = button(c::CLOSE, move || close.run(()))
        .attr("autofocus", "")
        .view();
    modal("drawer", title, body, buttons, close)
}

#[component]
pub fn AuditTable(
    id: &'static str,
    caption: T,
    /// The entries as the server sent them (`AuditEntry`).
    #[prop(into)]
    rows: Signal<Vec<Json>>,
    #[prop(optional, into)] loading: Signal<bool>,
    #[prop(optional, into)] error: Signal<Option<Failure>>,
    #[prop(default = None)] server: Option<ServerPaging>,
    /// How an entry's changes are worded (an object's History tab words
    /// its own fields).
    #[prop(default = Wording::labels(&[]))]
    wording: Wording,
) -> impl IntoView {
    let open = RwSignal::new(None::<Json>);
    let columns = vec![
        Column::time(tx::WHEN, "/at"),
        Column::at(tx::ACTOR, "/actor"),
        Column::word(tx::ACTION, "/action", tx::ACTIONS),
        Column::text(tx::TARGET, target_now),
        Column::new(tx::OUTCOME, |e: &Json| {
            let outcome = json::s(e, "/outcome");
            let (failed, text) = (outcome != "success", word(tx::OUTCOMES, &outcome));
            let text = text.map_or(outcome, |t| now(t).to_owned());
            el("span")
                .class_if("failed", move || failed)
                .child(text.into_any())
                .view()
        }),
        Column::actions(
            seq,
            vec![RowAction::new(c::DETAILS, move |e: &Json| {
                open.set(Some(e.clone()))
            })],
        ),
    ];
    let close = Callback::new(move |()| open.set(None));
    let table = view! {
        <DataTable id=id caption=caption rows=rows columns=columns
            key=seq loading=loading error=error server=server/>
    };
    vec![
        table.into_any(),
        dynamic(move || open.get().map(|e| details(e, wording, close))),
    ]
}
