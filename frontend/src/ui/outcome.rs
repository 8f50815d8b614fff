//! One list for every bulk answer: each item, what became of it, and for a
//! failure the reason in the user's language with the ids support asks for.

use leptos::prelude::*;
use shared::outcome::{ItemOutcome, ItemStatus};

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::use_i18n;
use crate::ui::el::{dynamic, el, text};
use crate::ui::error::{failure_text, support_ids};

/// The last bulk answer's items, until the next one (none before it).
pub fn outcomes(last: RwSignal<Option<Vec<ItemOutcome>>>) -> AnyView {
    dynamic(move || last.get().map(list))
}

fn list(items: Vec<ItemOutcome>) -> AnyView {
    let i18n = use_i18n();
    let count =
        |f: fn(&ItemStatus) -> bool| items.iter().filter(|i| f(&i.status)).count().to_string();
    let done = count(|s| matches!(s, ItemStatus::Done { .. }));
    let same = count(|s| matches!(s, ItemStatus::Unchanged));
    let failed = count(|s| matches!(s, ItemStatus::Failed { .. }));
    let rows = items.into_iter().map(|item| {
        let name = item.name.clone().unwrap_or_else(|| item.id.clone());
        let (status, detail) = match item.status {
            ItemStatus::Done { .. } => (c::OUTCOME_DONE, None),
            ItemStatus::Unchanged => (c::OUTCOME_UNCHANGED, None),
            ItemStatus::Failed { error } => {
                let f = Failure {
                    status: 0,
                    body: Box::new(error),
                };
                let text = failure_text(&f, i18n.lang());
                (
                    c::OUTCOME_FAILED,
                    Some([el("p").child(text.into_any()).view(), support_ids(&f)]),
                )
            }
        };
        let row = el("tr");
        let row = if detail.is_some() {
            row.class("failed")
        } else {
            row
        };
        row.child(el("th").attr("scope", "row").child(name.into_any()).view())
            .child(
                el("td")
                    .word(status)
                    .children(detail.into_iter().flatten())
                    .view(),
            )
            .view()
    });
    let head = |t| el("th").attr("scope", "col").word(t).view();
    let table = el("table")
        .child(
            el("thead")
                .child(el("tr").child(head(c::ITEM)).child(head(c::RESULT)).view())
                .view(),
        )
        .child(el("tbody").children(rows).view());
    el("div")
        .class("outcomes")
        .attr("role", "status")
        .child(
            el("p")
                .child(text(move || {
                    i18n.fill(c::OUTCOMES, &[&done, &same, &failed])
                }))
                .view(),
        )
        .child(el("div").class("table-scroll").child(table.view()).view())
        .view()
}
