//! Forms from field specs: a page lists its fields (label, control, hint,
//! the `shared` check, required) and what submitting does; this part draws
//! them in a drawer, checks as the user types, keeps what was typed in
//! session storage until it is sent (secrets excepted), shows a server's
//! field error next to its field, sends once, and closes on success.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;
use serde::Serialize;
use shared::validate::{InvalidField, Problem};

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::problem::problem_text;
use crate::i18n::{T, use_i18n};
use crate::json::{self, Json};
use crate::ui::dialog::{Edit, Wording, modal, review_edit, use_review};
use crate::ui::el::{El, dynamic, el, text};
use crate::ui::error::error_panel;
use crate::ui::list::{Opt, select_options};
use crate::ui::toast::use_toasts;
use crate::wire::FromJson;

/// A field's value as the form holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Value {
    Text(String),
    Bool(bool),
    Pairs(Vec<(String, String)>),
}

/// Every field's value, by key, and the submission's idempotency key:
/// one per draft, so a retry after a lost answer cannot create twice.
/// A list, not a map: a form has a few fields, and a map's code was
/// ~10 KB of the wasm (BENCHMARKS.md, fourth pass).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Values {
    fields: Vec<(String, Value)>,
    key: String,
}

/// A draft as `save_draft` wrote it (serde's form of [`Values`]:
/// `{"fields": [["name", {"Text": "…"}]], "key": "…"}`); a value of
/// another shape is left out.
impl FromJson for Values {
    fn from_json(v: &Json) -> Option<Values> {
        let value = |field: &Json| {
            let (kind, inner) = json::entries(field, "/1").pop()?;
            let value = match kind.as_str() {
                "Text" => Value::Text(inner.js().as_string()?),
                "Bool" => Value::Bool(inner.js().as_bool()?),
                "Pairs" => Value::Pairs(
                    json::list(&inner, "")
                        .iter()
                        .map(|p| (json::s(p, "/0"), json::s(p, "/1")))
                        .collect(),
                ),
                _ => return None,
            };
            Some((json::at(field, "/0").js().as_string()?, value))
        };
        Some(Values {
            fields: json::list(v, "/fields").iter().filter_map(value).collect(),
            key: json::s(v, "/key"),
        })
    }
}

impl Values {
    /// The `Idempotency-Key` of this submission (the same on a retry).
    pub fn key(&self) -> &str {
        &self.key
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn set(&mut self, key: &str, value: Value) {
        match self.fields.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((key.to_owned(), value)),
        }
    }

    pub fn with(mut self, key: &str, value: Value) -> Values {
        self.set(key, value);
        self
    }

    pub fn text(&self, key: &str) -> String {
        match self.get(key) {
            Some(Value::Text(s)) => s.clone(),
            _ => String::new(),
        }
    }

    /// `None` when empty: an optional field left blank.
    pub fn opt(&self, key: &str) -> Option<String> {
        Some(self.text(key)).filter(|s| !s.trim().is_empty())
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Value::Bool(true)))
    }

    /// A one-item-per-line field's items, trimmed, blanks dropped.
    pub fn lines(&self, key: &str) -> Vec<String> {
        self.text(key)
            .split(['\n', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn pairs(&self, key: &str) -> Vec<(String, String)> {
        match self.get(key) {
            Some(Value::Pairs(p)) => p.clone(),
            _ => Vec::new(),
        }
    }
}

/// How a field is entered.
#[derive(Clone)]
pub enum Control {
    Text,
    /// Never shown back, never kept in a draft.
    Secret,
    Number,
    /// Several lines of text.
    Area,
    /// One item per line (or comma-separated).
    Lines,
    Select(Signal<Vec<Opt>>),
    Check,
    /// Repeatable key/value rows, at most this many.
    Pairs(usize),
    /// Any number of these, a checkbox each; the value is the chosen
    /// values one per line (`Values::lines`).
    Many(Signal<Vec<Opt>>),
}

pub type Check = fn(&str) -> Option<Problem>;

/// The fields' problems, by field key, in the fields' order.
type Errors = Vec<(&'static str, Problem)>;

#[derive(Clone)]
pub struct FieldSpec {
    /// The field's JSON path in the request: server errors name it.
    pub key: &'static str,
    pub label: T,
    pub control: Control,
    pub hint: Option<T>,
    pub required: bool,
    pub check: Option<Check>,
    /// Shown only when this says so (a field that depends on another).
    pub shown: Option<fn(&Values) -> bool>,
}

impl FieldSpec {
    pub fn new(key: &'static str, label: T, control: Control) -> FieldSpec {
        FieldSpec {
            key,
            label,
            control,
            hint: None,
            required: false,
            check: None,
            shown: None,
        }
    }
    pub fn text(key: &'static str, label: T) -> FieldSpec {
        FieldSpec::new(key, label, Control::Text)
    }
    pub fn required(mut self) -> FieldSpec {
        self.required = true;
        self
    }
    pub fn hint(mut self, hint: T) -> FieldSpec {
        self.hint = Some(hint);
        self
    }
    pub fn check(mut self, check: Check) -> FieldSpec {
        self.check = Some(check);
        self
    }
    pub fn shown(mut self, when: fn(&Values) -> bool) -> FieldSpec {
        self.shown = Some(when);
        self
    }

    fn empty(&self) -> Value {
        match self.control {
            Control::Check => Value::Bool(false),
            Control::Pairs(_) => Value::Pairs(Vec::new()),
            _ => Value::Text(String::new()),
        }
    }

    fn problem(&self, value: Option<&Value>) -> Option<Problem> {
        let text = match value {
            Some(Value::Text(s)) => s.as_str(),
            Some(Value::Pairs(p)) if self.required && p.is_empty() => {
                return Some(Problem::Required);
            }
            _ => return None,
        };
        if text.trim().is_empty() {
            return self.required.then_some(Problem::Required);
        }
        self.check.and_then(|check| check(text))
    }
}

/// What submitting does: `Ok(true)` when it was applied (the form closes),
/// `Ok(false)` when the user backed out at review (it stays open).
pub type Submit =
    Arc<dyn Fn(Values) -> Pin<Box<dyn Future<Output = Result<bool, Failure>>>> + Send + Sync>;

pub fn submit<F, Fut>(f: F) -> Submit
where
    F: Fn(Values) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<bool, Failure>> + 'static,
{
    Arc::new(move |v| Box::pin(f(v)))
}

/// A failure found in the browser, worded like the server's.
pub fn invalid(e: InvalidField) -> Failure {
    Failure::invalid(&e.field, e.problem)
}

pub struct FormSpec {
    /// Unique per form and object ("robot-edit-42"): DOM ids and the draft.
    pub id: String,
    pub title: Signal<String>,
    pub submit_label: T,
    pub fields: Vec<FieldSpec>,
    pub initial: Values,
    pub on_submit: Submit,
    pub on_close: Callback<()>,
}

/// An edit of one object: its fields in a drawer, then the server's plan
/// for them (`POST {path}/preview`) to confirm, then `PUT {path}`; a toast
/// and `saved` once applied.
pub struct EditForm {
    /// The object's API path (under `/api/v1`); also names the draft.
    pub path: String,
    /// What the title, the confirm button and the toast call it.
    pub name: String,
    /// "Edit {}" and "Apply to {}", each filled with `name`.
    pub title: T,
    pub apply: T,
    pub fields: Vec<FieldSpec>,
    pub initial: Values,
    /// The request body the fields make.
    pub body: fn(&Values) -> Result<String, Failure>,
    pub wording: Wording,
    pub saved: Callback<()>,
    pub close: Callback<()>,
}

pub fn edit_drawer(e: EditForm) -> AnyView {
    let (i18n, toasts, review) = (use_i18n(), use_toasts(), use_review());
    let EditForm {
        path,
        name,
        title,
        apply,
        fields,
        initial,
        body,
        wording,
        saved,
        close,
    } = e;
    let title_name = name.clone();
    form_drawer(FormSpec {
        // An id and a draft per object; paths hold slashes and spaces.
        id: format!(
            "edit{}",
            path.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        ),
        title: Signal::derive(move || i18n.fill(title, &[&title_name])),
        submit_label: c::REVIEW,
        fields,
        initial,
        on_submit: submit(move |v: Values| {
            let (path, name) = (path.clone(), name.clone());
            async move {
                let edit = Edit {
                    preview: format!("{path}/preview"),
                    method: gloo_net::http::Method::PUT,
                    apply: path,
                    body: body(&v)?,
                };
                let plan_title = i18n.fill(c::PLAN_TITLE, &[&name]);
                let confirm = i18n.fill(apply, &[&name]);
                if review_edit(review, edit, plan_title, confirm, wording)
                    .await?
                    .is_none()
                {
                    return Ok(false);
                }
                toasts.ok(c::SAVED, &name);
                saved.run(());
                Ok(true)
            }
        }),
        on_close: close,
    })
}

fn draft_key(id: &str) -> String {
    format!("chatdesk.draft.{id}")
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn load_draft(id: &str) -> Option<Values> {
    let text = session()?.get_item(&draft_key(id)).ok()??;
    // The browser parses: the JSON parser stays out of the wasm.
    crate::api::decode(js_sys::JSON::parse(&text).ok()?).ok()
}

fn save_draft(id: &str, values: &Values, secret: &[&'static str]) {
    let mut kept = values.clone();
    kept.fields.retain(|(k, _)| !secret.contains(&k.as_str()));
    if let (Some(s), Ok(text)) = (session(), serde_json::to_string(&kept)) {
        // Storage full or refused: the draft is only lost on reload.
        let _ = s.set_item(&draft_key(id), &text);
    }
}

pub fn clear_draft(id: &str) {
    if let Some(s) = session() {
        let _ = s.remove_item(&draft_key(id));
    }
}

/// Whether the server's field path `path` belongs to field `key`.
fn names(path: &str, key: &str) -> bool {
    path == key
        || path
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(['[', '.']))
}

/// The form, in a drawer at the screen's side.
pub fn form_drawer(spec: FormSpec) -> AnyView {
    let FormSpec {
        id,
        title,
        submit_label,
        fields,
        initial,
        on_submit,
        on_close,
    } = spec;
    let mut start = initial;
    for f in &fields {
        if start.get(f.key).is_none() {
            start.set(f.key, f.empty());
        }
    }
    let draft = load_draft(&id).filter(|d| {
        d.fields
            .iter()
            .any(|(k, v)| start.get(k).is_some_and(|s| s != v))
    });
    let restored = RwSignal::new(draft.is_some());
    let initial = start.clone();
    if let Some(d) = draft {
        for (k, v) in d.fields {
            start.set(&k, v);
        }
        start.key = d.key;
    }
    if start.key.is_empty() {
        start.key = crate::api::new_idempotency_key();
    }
    let values = RwSignal::new(start);
    let errors = RwSignal::new(Errors::new());
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let fields = Arc::new(fields);
    let secret: Vec<&'static str> = fields
        .iter()
        .filter(|f| matches!(f.control, Control::Secret))
        .map(|f| f.key)
        .collect();
    {
        let id = id.clone();
        // The first run only subscribes: the draft is what was loaded.
        let mut first = true;
        crate::reactive::effect(move || {
            let v = values.get();
            if !std::mem::take(&mut first) {
                save_draft(&id, &v, &secret);
            }
        });
    }

    let set = move |key: &'static str, value: Value| {
        values.update(|v| {
            v.set(key, value);
        });
        errors.update(|e| e.retain(|(k, _)| *k != key));
    };

    let rendered = fields
        .iter()
        .cloned()
        .map(|f| field_view(&id, f, values, errors, set))
        .collect::<Vec<_>>();

    let send = {
        let (fields, id) = (Arc::clone(&fields), id.clone());
        move || {
            if busy.get_untracked() {
                return;
            }
            let v = values.get_untracked();
            let found: Errors = fields
                .iter()
                .filter(|f| f.shown.is_none_or(|s| s(&v)))
                .filter_map(|f| f.problem(v.get(f.key)).map(|p| (f.key, p)))
                .collect();
            if !found.is_empty() {
                errors.set(found);
                failure.set(None);
                focus_first_error();
                return;
            }
            busy.set(true);
            failure.set(None);
            let (run, fields, id) = (Arc::clone(&on_submit), Arc::clone(&fields), id.clone());
            leptos::task::spawn_local(async move {
                match run(v).await {
                    Ok(true) => {
                        clear_draft(&id);
                        on_close.run(());
                    }
                    Ok(false) => {}
                    Err(f) => {
                        let key = f.body.field.as_deref().and_then(|path| {
                            fields.iter().find(|s| names(path, s.key)).map(|s| s.key)
                        });
                        match (key, f.body.problem) {
                            (Some(key), Some(p)) => {
                                errors.try_update(|e| {
                                    e.retain(|(k, _)| *k != key);
                                    e.push((key, p));
                                });
                                failure.try_set(None);
                                focus_first_error();
                            }
                            _ => {
                                failure.try_set(Some(f));
                            }
                        }
                    }
                }
                busy.try_set(false);
            });
        }
    };
    let initial = StoredValue::new(initial);
    let discard = move |_| {
        values.set(initial.get_value());
        restored.set(false);
    };
    let form_id = format!("{id}-form");
    let notice = move || {
        restored.get().then(|| {
            el("p")
                .class("notice")
                .attr("role", "status")
                .word(c::DRAFT_RESTORED)
                .text(" ")
                .child(
                    el("button")
                        .attr("type", "button")
                        .class("link")
                        .on("click", discard)
                        .word(c::DISCARD_DRAFT)
                        .view(),
                )
                .view()
        })
    };
    let fix = move || {
        errors.with(|e| !e.is_empty()).then(|| {
            el("p")
                .class("field-error")
                .attr("role", "alert")
                .word(c::FIX_FIELDS)
                .view()
        })
    };
    let body = el("form")
        .id(form_id.clone())
        .attr("novalidate", "")
        .on("submit", move |ev| {
            ev.prevent_default();
            send();
        })
        .child(dynamic(notice))
        .child(dynamic(fix))
        .children(rendered)
        .child(error_panel(failure.into()))
        .view();
    let buttons = [
        el("button")
            .attr("type", "button")
            .on("click", move |_| on_close.run(()))
            .word(c::CANCEL)
            .view(),
        el("button")
            .attr("type", "submit")
            .class("primary")
            .attr_s("form", form_id)
            .flag("disabled", move || busy.get())
            .attr_dyn("aria-busy", move || busy.get().then(|| "true".into()))
            .word(submit_label)
            .view(),
    ]
    .into_iter()
    .collect_view()
    .into_any();
    modal("drawer", title, body, buttons, on_close)
}

fn focus_first_error() {
    // After the errors render.
    request_animation_frame(|| {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector("dialog [aria-invalid='true']")
                    .ok()
                    .flatten()
            })
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

fn field_view(
    form: &str,
    f: FieldSpec,
    values: RwSignal<Values>,
    errors: RwSignal<Errors>,
    set: impl Fn(&'static str, Value) + Copy + Send + Sync + 'static,
) -> AnyView {
    let i18n = use_i18n();
    let key = f.key;
    let dom = format!("{form}-{key}");
    let hint_id = format!("{dom}-hint");
    let err_id = format!("{dom}-error");
    let error = move || errors.with(|e| e.iter().find(|(k, _)| *k == key).map(|(_, p)| *p));
    let describedby = {
        let (h, e, has_hint) = (hint_id.clone(), err_id.clone(), f.hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(h.clone());
            }
            if error().is_some() {
                ids.push(e.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let text_of = move || values.with(|v| v.text(key));
    let hint = f
        .hint
        .map(|h| el("p").class("hint").id(hint_id).word(h).view());
    let err = el("p")
        .class("field-error")
        .id(err_id)
        .child(text(move || {
            error()
                .map(|p| problem_text(i18n.lang(), &p))
                .unwrap_or_default()
        }))
        .view();
    let shown = f.shown;
    let hidden = move || shown.is_some_and(|s| !values.with(s));
    // The control for the field's kind, with what every control says.
    let input = |tag: &'static str| {
        el(tag)
            .id(dom.clone())
            .attr_dyn("aria-invalid", move || error().map(|_| "true".into()))
            .attr_dyn("aria-describedby", describedby.clone())
    };
    let required = |e: El| {
        if f.required {
            e.attr("aria-required", "true")
        } else {
            e
        }
    };
    let on_text = move |ev: web_sys::Event| set(key, Value::Text(event_target_value(&ev)));
    let (class, label, control) = match f.control {
        Control::Check => {
            let check = input("input")
                .attr("type", "checkbox")
                .checked(move || values.with(|v| v.flag(key)))
                .on("change", move |ev| {
                    set(key, Value::Bool(event_target_checked(&ev)))
                });
            // The box inside its own label: a click on the words ticks it.
            let label = el("label")
                .attr_s("for", dom.clone())
                .child(check.view())
                .text(" ")
                .word(f.label)
                .view();
            ("field check", label, None)
        }
        Control::Pairs(max) => {
            let legend = el("legend").word(f.label).view();
            (
                "field pairs",
                legend,
                Some(pairs_view(&dom, key, max, values, set)),
            )
        }
        Control::Many(options) => {
            let legend = el("legend").word(f.label).view();
            (
                "field many",
                legend,
                Some(many_view(key, options, values, set)),
            )
        }
        control => {
            let control = match control {
                Control::Area | Control::Lines => input("textarea")
                    .attr("rows", "4")
                    .value(text_of)
                    .on("input", on_text),
                Control::Select(options) => input("select")
                    .on("change", on_text)
                    .children(select_options(c::CHOOSE, options, text_of)),
                control => {
                    let (kind, auto) = match control {
                        Control::Secret => ("password", "new-password"),
                        Control::Number => ("number", "off"),
                        _ => ("text", "off"),
                    };
                    input("input")
                        .attr("type", kind)
                        .attr("autocomplete", auto)
                        .value(text_of)
                        .on("input", on_text)
                }
            };
            // The mark is CSS (`label.required::after`); the control says
            // aria-required, so the label's text stays the field's name.
            let label = el("label").attr_s("for", dom.clone());
            let label = if f.required {
                label.class("required")
            } else {
                label
            };
            (
                "field",
                label.word(f.label).view(),
                Some(required(control).view()),
            )
        }
    };
    let tag = if control.is_some() && class != "field" {
        "fieldset"
    } else {
        "div"
    };
    el(tag)
        .class(class)
        .class_if("hidden", hidden)
        .child(label)
        .children(control)
        .children(hint)
        .child(err)
        .view()
}

/// Repeatable key/value rows: each row's inputs are labelled "Key 2",
/// "Value 2"; adding stops at the field's maximum.
fn pairs_view(
    dom: &str,
    key: &'static str,
    max: usize,
    values: RwSignal<Values>,
    set: impl Fn(&'static str, Value) + Copy + Send + Sync + 'static,
) -> AnyView {
    let i18n = use_i18n();
    let rows = move || values.with(|v| v.pairs(key));
    let edit = move |i: usize, which: usize, text: String| {
        let mut p = rows();
        if let Some(row) = p.get_mut(i) {
            if which == 0 {
                row.0 = text;
            } else {
                row.1 = text;
            }
        }
        set(key, Value::Pairs(p));
    };
    let dom = dom.to_owned();
    // Redrawn only when rows come or go: a redraw makes new inputs, and
    // the one being typed in would lose focus.
    let count = Memo::new(move |_| values.with(|v| v.pairs(key).len()));
    let list = dynamic(move || {
        let rows = (0..count.get()).map(|i| {
            let n = i + 1;
            let cell = |which: usize, word: T, part: &str| {
                let value = move || {
                    values.with(|v| {
                        v.pairs(key)
                            .get(i)
                            .map(|p| if which == 0 { p.0.clone() } else { p.1.clone() })
                            .unwrap_or_default()
                    })
                };
                el("input")
                    .attr("type", "text")
                    .id(format!("{dom}-{i}-{part}"))
                    .value(value)
                    .attr_dyn("aria-label", move || Some(format!("{} {n}", i18n.t(word))))
                    .on("input", move |ev| edit(i, which, event_target_value(&ev)))
                    .view()
            };
            let remove = el("button")
                .attr("type", "button")
                .class("link danger")
                .attr_dyn("aria-label", move || {
                    Some(i18n.fill(c::REMOVE_ROW, &[&n.to_string()]))
                })
                .on("click", move |_| {
                    let mut p = rows();
                    p.remove(i);
                    set(key, Value::Pairs(p));
                })
                .word(c::DELETE)
                .view();
            el("div")
                .class("pair")
                .child(cell(0, c::KEY, "key"))
                .child(cell(1, c::VALUE, "value"))
                .child(remove)
                .view()
        });
        Some(rows.collect_view().into_any())
    });
    let add = el("button")
        .attr("type", "button")
        .flag("disabled", move || rows().len() >= max)
        .on("click", move |_| {
            let mut p = rows();
            p.push((String::new(), String::new()));
            set(key, Value::Pairs(p));
        })
        .word(c::ADD_ROW)
        .view();
    [list, add].into_iter().collect_view().into_any()
}

/// Several choices, each checkbox inside its own label.
fn many_view(
    key: &'static str,
    options: Signal<Vec<Opt>>,
    values: RwSignal<Values>,
    set: impl Fn(&'static str, Value) + Copy + Send + Sync + 'static,
) -> AnyView {
    let chosen = move || values.with(|v| v.lines(key));
    let toggle = move |value: &str, on: bool| {
        let mut list = chosen();
        list.retain(|v| v != value);
        if on {
            list.push(value.to_owned());
        }
        set(key, Value::Text(list.join("\n")));
    };
    dynamic(move || {
        let boxes = options.get().into_iter().map(|o| {
            let (v1, v2) = (o.value.clone(), o.value);
            let check = el("input")
                .attr("type", "checkbox")
                .checked(move || chosen().contains(&v1))
                .on("change", move |ev| toggle(&v2, event_target_checked(&ev)))
                .view();
            el("label")
                .class("check")
                .child(check)
                .text(" ")
                .child(o.label.into_any())
                .view()
        });
        Some(boxes.collect_view().into_any())
    })
}

/// `Opt`s from static choices worded in the current language.
pub fn choices(items: &'static [(&'static str, T)]) -> Signal<Vec<Opt>> {
    let i18n = use_i18n();
    Signal::derive(move || {
        items
            .iter()
            .map(|(v, t)| Opt::new(*v, i18n.t(*t)))
            .collect()
    })
}
