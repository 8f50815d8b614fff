//! One list for every bulk answer: each item, what became of it, and for a
//! failure the reason in the user's language with the ids support asks for.

use leptos::prelude::*;
use shared::outcome::{ItemOutcome, ItemStatus};

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::{tr, use_i18n};
use crate::ui::error::{failure_text, support_ids};

#[component]
pub fn Outcomes(items: Vec<ItemOutcome>) -> impl IntoView {
    let i18n = use_i18n();
    let count =
        |f: fn(&ItemStatus) -> bool| items.iter().filter(|i| f(&i.status)).count().to_string();
    let done = count(|s| matches!(s, ItemStatus::Done { .. }));
    let same = count(|s| matches!(s, ItemStatus::Unchanged));
    let failed = count(|s| matches!(s, ItemStatus::Failed { .. }));
    let rows = items
        .into_iter()
        .map(|item| {
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
                        Some(view! { <p>{text}</p>{support_ids(&f)} }),
                    )
                }
            };
            let failed = detail.is_some();
            view! {
                <tr class:failed=failed>
                    <th scope="row">{name}</th>
                    <td>{tr(status)}{detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="outcomes" role="status">
            <p>{move || i18n.fill(c::OUTCOMES, &[&done, &same, &failed])}</p>
            <div class="table-scroll">
                <table>
                    <thead><tr><th scope="col">{tr(c::ITEM)}</th><th scope="col">{tr(c::RESULT)}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}
