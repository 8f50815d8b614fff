//! The one question before a change: review, confirm, apply. A page asks
//! with the server's plan (or, for a delete, just what will go) and awaits
//! the answer; the dialog shows the plan as a diff with human labels and
//! values, and its confirm button names the action ("Remove 3 members").
//! A native `<dialog>` opened with `showModal()` makes the rest of the page
//! inert; focus starts on Cancel, Tab wraps inside, Escape cancels, and
//! focus returns where it was.

use futures_channel::oneshot;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use shared::audit::{FieldChange, SecretChange};
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::common as c;
use crate::i18n::{Lang, T, use_i18n};
use crate::ui::el::{dynamic, el, text};

const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])";

/// How a page names its fields and values in a plan: each field key to its
/// label (from one table or several, so a table the page uses elsewhere is
/// not written twice), and a field's text value to words when it is a code
/// (a role, a platform; a flag comes as `true`/`false`).
#[derive(Clone, Copy)]
pub struct Wording {
    pub labels: &'static [&'static [(&'static str, T)]],
    pub value: fn(&str, &str) -> Option<T>,
}

impl Wording {
    pub const fn labels(labels: &'static [&'static [(&'static str, T)]]) -> Wording {
        Wording {
            labels,
            value: |_, _| None,
        }
    }

    /// A field's label; a path such as `members[2]` takes its head's.
    pub fn label(&self, lang: Lang, field: &str) -> String {
        let head = field.split(['[', '.']).next().unwrap_or(field);
        self.labels
            .iter()
            .copied()
            .flatten()
            .find(|(k, _)| *k == field || *k == head)
            .map_or_else(|| field.replace('_', " "), |(_, t)| t.get(lang).to_owned())
    }

    /// A value (its JSON text) in words. Parsed by the browser: the JSON
    /// parser stays out of the wasm.
    pub fn value(&self, lang: Lang, field: &str, json: Option<&str>) -> String {
        let Some(json) = json else {
            return c::EMPTY_VALUE.get(lang).to_owned();
        };
        match js_sys::JSON::parse(json) {
            Ok(v) => self.words(lang, field, &v),
            Err(_) => json.to_owned(),
        }
    }

    fn words(&self, lang: Lang, field: &str, v: &JsValue) -> String {
        let empty = || c::EMPTY_VALUE.get(lang).to_owned();
        if let Some(s) = v.as_string() {
            return match (self.value)(field, &s) {
                Some(t) => t.get(lang).to_owned(),
                None if s.is_empty() => empty(),
                None => s,
            };
        }
        if let Some(b) = v.as_bool() {
            // A page may word a flag its own way ("Allowed"), else Yes/No.
            let text = if b { "true" } else { "false" };
            let t = (self.value)(field, text).unwrap_or(if b { c::YES } else { c::NO });
            return t.get(lang).to_owned();
        }
        if v.as_f64().is_some() {
            return js_sys::JSON::stringify(v).map_or_else(|_| empty(), String::from);
        }
        if v.is_null() || v.is_undefined() {
            return empty();
        }
        if let Some(items) = v.dyn_ref::<js_sys::Array>() {
            let words: Vec<String> = items.iter().map(|i| self.words(lang, field, &i)).collect();
            return if words.is_empty() {
                empty()
            } else {
                words.join(", ")
            };
        }
        js_sys::Object::entries(v.unchecked_ref())
            .iter()
            .map(|pair| {
                let pair: js_sys::Array = pair.unchecked_into();
                let key = pair.get(0).as_string().unwrap_or_default();
                let words = self.words(lang, &key, &pair.get(1));
                format!("{}: {words}", self.label(lang, &key))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What the dialog asks.
pub struct Question {
    /// Worded already: "Delete robot 值班告警?".
    pub title: String,
    /// The confirming button: "Remove 3 members".
    pub confirm: String,
    pub danger: bool,
    /// A sentence under the title ("This cannot be undone.").
    pub note: Option<T>,
    /// The server's plan; empty for a delete.
    pub changes: Vec<FieldChange>,
    pub wording: Wording,
}

#[derive(Clone, Copy)]
pub struct Review {
    question: RwSignal<Option<std::sync::Arc<Question>>>,
    answer: StoredValue<Option<oneshot::Sender<bool>>>,
}

impl Review {
    /// Shows `question`; true when the user confirmed. A question still
    /// open is answered no.
    pub async fn ask(&self, question: Question) -> bool {
        let (tx, rx) = oneshot::channel();
        self.reply(false);
        self.answer.set_value(Some(tx));
        self.question.set(Some(std::sync::Arc::new(question)));
        rx.await.unwrap_or(false)
    }

    fn reply(&self, yes: bool) {
        if let Some(Some(tx)) = self.answer.try_update_value(Option::take) {
            let _ = tx.send(yes);
        }
        self.question.try_set(None);
    }
}

pub fn provide_review() -> Review {
    let review = Review {
        question: RwSignal::new(None),
        answer: StoredValue::new(None),
    };
    provide_context(review);
    review
}

pub fn use_review() -> Review {
    expect_context::<Review>()
}

/// Keeps Tab and Shift+Tab inside `dialog`.
fn wrap_focus(dialog: &web_sys::HtmlElement, ev: &KeyboardEvent) {
    if ev.key() != "Tab" {
        return;
    }
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let item = |i: u32| {
        list.item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
    };
    let (Some(first), Some(last)) = (item(0), item(list.length().saturating_sub(1))) else {
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.unchecked_ref());
    let target = if ev.shift_key() && at(&first) {
        last
    } else if !ev.shift_key() && at(&last) {
        first
    } else {
        return;
    };
    ev.prevent_default();
    let _ = target.focus();
}

/// A modal `<dialog>` with a title, a body and a row of buttons; used by
/// the review dialog and the drawer forms.
pub fn modal(
    class: &'static str,
    title: Signal<String>,
    body: AnyView,
    buttons: AnyView,
    on_cancel: Callback<()>,
) -> AnyView {
    let node = StoredValue::new_local(None::<web_sys::HtmlDialogElement>);
    // Where focus was, to put it back when the dialog goes.
    let opener = StoredValue::new_local(
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    // After the first render, when the dialog is in the page.
    crate::reactive::effect(move || {
        if let Some(dialog) = node.get_value()
            && !dialog.open()
        {
            let _ = dialog.show_modal();
        }
    });
    on_cleanup(move || {
        // Closed first: nothing outside a modal dialog takes focus.
        if let Some(dialog) = node.try_get_value().flatten() {
            dialog.close();
        }
        if let Some(el) = opener.try_get_value().flatten() {
            let _ = el.focus();
        }
    });
    let title_id = format!("{class}-title");
    el("dialog")
        .class(class)
        .made(move |e| node.set_value(e.dyn_into().ok()))
        .attr("aria-modal", "true")
        .attr_s("aria-labelledby", title_id.clone())
        .on("cancel", move |ev| {
            ev.prevent_default();
            on_cancel.run(());
        })
        .on("keydown", move |ev| {
            if let Some(dialog) = node.get_value() {
                wrap_focus(&dialog, ev.unchecked_ref());
            }
        })
        .child(
            el("h2")
                .id(title_id)
                .child(text(move || title.get()))
                .view(),
        )
        .child(body)
        .child(el("div").class("actions").child(buttons).view())
        .view()
}

/// The plan as a table: field, before, after; secrets only as replaced
/// or kept.
pub fn plan_table(changes: &[FieldChange], wording: Wording) -> AnyView {
    let i18n = use_i18n();
    let rows = changes.iter().map(|ch| {
        let field = ch.field.clone();
        let label = text(move || wording.label(i18n.lang(), &field));
        let (before, after) = match ch.secret {
            Some(s) => {
                let t = if s == SecretChange::Changed {
                    c::SECRET_CHANGED
                } else {
                    c::SECRET_UNCHANGED
                };
                (i18n.t(c::EMPTY_VALUE).to_owned(), i18n.t(t).to_owned())
            }
            None => {
                let lang = i18n.lang();
                (
                    wording.value(lang, &ch.field, ch.before.as_deref()),
                    wording.value(lang, &ch.field, ch.after.as_deref()),
                )
            }
        };
        let cell = |tag, value: String| {
            el("td")
                .child(el(tag).child(value.into_any()).view())
                .view()
        };
        el("tr")
            .child(el("th").attr("scope", "row").child(label).view())
            .child(cell("del", before))
            .child(cell("ins", after))
            .view()
    });
    let head =
        [c::FIELD, c::BEFORE, c::AFTER].map(|t| el("th").attr("scope", "col").word(t).view());
    el("div")
        .class("table-scroll")
        .child(
            el("table")
                .class("plan")
                .child(el("thead").child(el("tr").children(head).view()).view())
                .child(el("tbody").children(rows).view())
                .view(),
        )
        .view()
}

/// Where the question is shown; once, in the shell.
#[component]
pub fn ReviewHost() -> impl IntoView {
    let review = use_review();
    dynamic(move || {
        review.question.get().map(|q| {
            let title = Signal::stored(q.title.clone());
            let note = q.note.map(|n| el("p").word(n).view());
            let plan = (!q.changes.is_empty()).then(|| plan_table(&q.changes, q.wording));
            let body = [note, plan].into_iter().flatten().collect_view().into_any();
            let confirm = el("button").attr("type", "button").class("primary");
            let confirm = if q.danger {
                confirm.class("danger")
            } else {
                confirm
            };
            let buttons = [
                el("button")
                    .attr("type", "button")
                    .attr("autofocus", "")
                    .on("click", move |_| review.reply(false))
                    .word(c::CANCEL)
                    .view(),
                confirm
                    .on("click", move |_| review.reply(true))
                    .child(q.confirm.clone().into_any())
                    .view(),
            ]
            .into_iter()
            .collect_view()
            .into_any();
            modal(
                "review",
                title,
                body,
                buttons,
                Callback::new(move |()| review.reply(false)),
            )
        })
    })
}

/// What an edit sends: where the server plans it and where it applies it.
pub struct Edit {
    pub preview: String,
    pub method: gloo_net::http::Method,
    pub apply: String,
    pub body: String,
}

/// Asks the server for the plan, shows it, and applies it once confirmed.
/// `Ok(Some(answer))` when applied (the apply call's JSON), `Ok(None)`
/// when nothing would change or the user backed out.
pub async fn review_edit(
    review: Review,
    edit: Edit,
    title: String,
    confirm: String,
    wording: Wording,
) -> Result<Option<wasm_bindgen::JsValue>, crate::api::Failure> {
    use crate::api;
    let plan = api::send_json_text(
        gloo_net::http::Method::POST,
        &edit.preview,
        edit.body.clone(),
    )
    .await?;
    let changes: Vec<FieldChange> = api::decode(plan)?;
    let question = Question {
        title,
        confirm,
        danger: false,
        note: changes.is_empty().then_some(c::NO_CHANGES),
        changes,
        wording,
    };
    let nothing = question.changes.is_empty();
    if !review.ask(question).await || nothing {
        return Ok(None);
    }
    api::send_json_text(edit.method, &edit.apply, edit.body)
        .await
        .map(Some)
}

/// Asks before a delete (or another change without a plan), naming what
/// goes; true when confirmed.
pub async fn confirm_danger(review: Review, title: String, confirm: String) -> bool {
    review
        .ask(Question {
            title,
            confirm,
            danger: true,
            note: Some(c::CONFIRM_DELETE_BODY),
            changes: Vec::new(),
            wording: Wording::labels(&[]),
        })
        .await
}

/// A delete as every page does it: asks `question` (worded by the page,
/// "Delete robot 值班告警?") with a button naming `name`, sends
/// `DELETE {path}`, says it was deleted or why not, then runs `done`
/// (reload the list, leave the deleted object's page).
pub fn delete(path: String, name: String, question: String, done: Callback<()>) {
    let (i18n, review) = (use_i18n(), use_review());
    let toasts = crate::ui::use_toasts();
    leptos::task::spawn_local(async move {
        let confirm = i18n.fill(c::DELETE_NAMED, &[&name]);
        if !confirm_danger(review, question, confirm).await {
            return;
        }
        match crate::api::send_empty(gloo_net::http::Method::DELETE, &path, None::<&()>).await {
            Ok(()) => {
                toasts.ok(c::DELETED, &name);
                done.run(());
            }
            Err(f) => toasts.failed(&f),
        }
    });
}
