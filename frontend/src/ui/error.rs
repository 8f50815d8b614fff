//! How a failed call is worded: from its `code` and the field's `problem`,
//! in the user's language; an upstream's own words only when labelled as
//! such; and the two ids support asks for, each with a copy button.

use leptos::prelude::*;

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::problem::{UNKNOWN_CODE, code_text, problem_text};
use crate::i18n::{Lang, fill, use_i18n};
use crate::ui::el::{dynamic, el, text};
use crate::ui::time::{CopyButton, CopyButtonProps};

/// The sentence for a failure.
pub fn failure_text(failure: &Failure, lang: Lang) -> String {
    let body = &failure.body;
    let mut text = code_text(&body.code).map_or_else(
        || fill(UNKNOWN_CODE.get(lang), &[&body.code]),
        |t| t.get(lang).to_owned(),
    );
    if let Some(problem) = &body.problem {
        text.push(' ');
        text.push_str(&problem_text(lang, problem));
    }
    text
}

/// Only an upstream's message is worth showing as is: it is its words,
/// not ours.
fn upstream_words(failure: &Failure) -> Option<&str> {
    failure
        .body
        .code
        .starts_with("upstream_")
        .then_some(failure.body.message.as_str())
}

/// The code, the upstream's words and the ids, as a description list.
pub fn support_ids(failure: &Failure) -> AnyView {
    let body = failure.body.clone();
    let i18n = use_i18n();
    let said = upstream_words(failure).map(|m| {
        let m = m.to_owned();
        el("p")
            .child(text(move || i18n.fill(c::UPSTREAM_SAID, &[&m])))
            .view()
    });
    let code = |id: String| el("code").child(id.into_any());
    let row = |label, value: AnyView| {
        el("div")
            .child(el("dt").word(label).view())
            .child(el("dd").child(value).view())
            .view()
    };
    let id_row = |label, id: Option<String>| {
        id.map(|id| {
            let copy = CopyButton(CopyButtonProps {
                what: label,
                value: id.clone(),
            })
            .into_any();
            row(label, code(id).text(" ").child(copy).view())
        })
    };
    let ids = el("dl")
        .class("ids")
        .child(row(c::ERROR_CODE, code(body.code).view()))
        .children(id_row(c::REQUEST_ID, body.request_id))
        .children(id_row(c::TRACE_ID, body.trace_id));
    said.into_iter()
        .chain([ids.view()])
        .collect_view()
        .into_any()
}

/// The failure in `error`, if any, announced as an alert where it belongs
/// (a list that failed to load, a form that failed to send).
pub fn error_panel(error: Signal<Option<Failure>>) -> AnyView {
    let i18n = use_i18n();
    dynamic(move || {
        error.get().map(|f| {
            let sentence = el("strong").child(failure_text(&f, i18n.lang()).into_any());
            el("div")
                .class("error-panel")
                .attr("role", "alert")
                .child(el("p").child(sentence.view()).view())
                .child(support_ids(&f))
                .view()
        })
    })
}

/// One source of a list that failed (an account, a region): what it is,
/// then its failure; the rest of the list still shows.
pub fn failed_source(named: String, failure: Failure) -> AnyView {
    [
        el("p").class("field-error").child(named.into_any()).view(),
        error_panel(Signal::stored(Some(failure))),
    ]
    .into_iter()
    .collect_view()
    .into_any()
}
