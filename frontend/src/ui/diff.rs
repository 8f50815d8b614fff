//! Field, before, after: what an update changes, shown before it is
//! applied and in the audit trail. Secrets never appear, only whether they
//! change.

use leptos::prelude::*;
use shared::audit::{FieldChange, SecretChange};

use crate::i18n::{Msg, UiMsg, tr};

/// One changed plain field, or `None` when `before == after`.
pub fn change(field: &str, before: &str, after: &str) -> Option<FieldChange> {
    (before != after).then(|| FieldChange {
        field: field.to_owned(),
        before: (!before.is_empty()).then(|| before.to_owned()),
        after: (!after.is_empty()).then(|| after.to_owned()),
        secret: None,
    })
}

/// A secret field: only whether it changes.
pub fn secret(field: &str, changed: bool) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before: None,
        after: None,
        secret: Some(if changed {
            SecretChange::Changed
        } else {
            SecretChange::Unchanged
        }),
    }
}

fn cell(value: Option<String>, secret: Option<SecretChange>, after: bool) -> AnyView {
    let text = |m: UiMsg| view! { <em>{tr(Msg::Ui(m))}</em> }.into_any();
    match (secret, value) {
        (Some(SecretChange::Changed), _) if after => text(UiMsg::SecretChanged),
        (Some(SecretChange::Unchanged), _) if after => text(UiMsg::SecretUnchanged),
        (Some(_), _) => text(UiMsg::SecretHidden),
        (None, Some(v)) => view! { <code>{v}</code> }.into_any(),
        (None, None) => text(UiMsg::Absent),
    }
}

/// The changes as a table (it scrolls inside itself on a narrow screen),
/// or a note that there are none.
#[component]
pub fn DiffView(changes: Vec<FieldChange>) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p>{tr(Msg::Ui(UiMsg::NoChanges))}</p> }.into_any();
    }
    let rows = changes
        .into_iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{c.field}</th>
                    <td>{cell(c.before, c.secret, false)}</td>
                    <td>{cell(c.after, c.secret, true)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label=tr(Msg::Ui(UiMsg::Changes))>
            <table class="diff">
                <caption>{tr(Msg::Ui(UiMsg::Changes))}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr(Msg::Ui(UiMsg::Field))}</th>
                        <th scope="col">{tr(Msg::Ui(UiMsg::Before))}</th>
                        <th scope="col">{tr(Msg::Ui(UiMsg::After))}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
