//! Forms from field specs: a page lists its fields (label, control, hint,
//! the `shared` check, required) and what submitting does; this part draws
//! them in a drawer, checks as the user types, keeps what was typed in
//! session storage until it is sent (secrets excepted), shows a server's
//! field error next to its field, sends once, and closes on success.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::validate::{InvalidField, Problem};

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::problem::problem_text;
use crate::i18n::{T, tr, use_i18n};
use crate::ui::dialog::{Edit, Wording, modal, review_edit, use_review};
use crate::ui::error::ErrorPanel;
use crate::ui::list::Opt;
use crate::ui::toast::use_toasts;

/// A field's value as the form holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Text(String),
    Bool(bool),
    Pairs(Vec<(String, String)>),
}

/// Every field's value, by key, and the submission's idempotency key:
/// one per draft, so a retry after a lost answer cannot create twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Values(pub BTreeMap<String, Value>, #[serde(default)] pub String);

impl Values {
    /// The `Idempotency-Key` of this submission (the same on a retry).
    pub fn key(&self) -> &str {
        &self.1
    }

    pub fn with(mut self, key: &str, value: Value) -> Values {
        self.0.insert(key.to_owned(), value);
        self
    }

    pub fn text(&self, key: &str) -> String {
        match self.0.get(key) {
            Some(Value::Text(s)) => s.clone(),
            _ => String::new(),
        }
    }

    /// `None` when empty: an optional field left blank.
    pub fn opt(&self, key: &str) -> Option<String> {
        Some(self.text(key)).filter(|s| !s.trim().is_empty())
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.0.get(key), Some(Value::Bool(true)))
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
        match self.0.get(key) {
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
    kept.0.retain(|k, _| !secret.contains(&k.as_str()));
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
    let i18n = use_i18n();
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
        start.0.entry(f.key.to_owned()).or_insert_with(|| f.empty());
    }
    let draft = load_draft(&id).filter(|d| {
        d.0.iter()
            .any(|(k, v)| start.0.get(k).is_some_and(|s| s != v))
    });
    let restored = RwSignal::new(draft.is_some());
    let initial = start.clone();
    if let Some(d) = draft {
        start.0.extend(d.0);
        start.1 = d.1;
    }
    if start.1.is_empty() {
        start.1 = crate::api::new_idempotency_key();
    }
    let values = RwSignal::new(start);
    let errors = RwSignal::new(BTreeMap::<String, Problem>::new());
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
        Effect::new(move |first: Option<()>| {
            let v = values.get();
            if first.is_some() {
                save_draft(&id, &v, &secret);
            }
        });
    }

    let set = move |key: &'static str, value: Value| {
        values.update(|v| {
            v.0.insert(key.to_owned(), value);
        });
        errors.update(|e| {
            e.remove(key);
        });
    };

    let rendered = fields
        .iter()
        .cloned()
        .map(|f| field_view(&id, f, values, errors, set))
        .collect_view();

    let send = {
        let (fields, id) = (Arc::clone(&fields), id.clone());
        move || {
            if busy.get_untracked() {
                return;
            }
            let v = values.get_untracked();
            let found: BTreeMap<String, Problem> = fields
                .iter()
                .filter(|f| f.shown.is_none_or(|s| s(&v)))
                .filter_map(|f| f.problem(v.0.get(f.key)).map(|p| (f.key.to_owned(), p)))
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
                                errors.try_update(|e| e.insert(key.to_owned(), p));
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
    let body = view! {
        <form id=form_id.clone() novalidate on:submit=move |ev| {
            ev.prevent_default();
            send();
        }>
            {move || restored.get().then(|| view! {
                <p class="notice" role="status">
                    {tr(c::DRAFT_RESTORED)}" "
                    <button type="button" class="link" on:click=discard>{tr(c::DISCARD_DRAFT)}</button>
                </p>
            })}
            {move || errors.with(|e| !e.is_empty()).then(|| view! {
                <p class="field-error" role="alert">{tr(c::FIX_FIELDS)}</p>
            })}
            {rendered}
            <ErrorPanel error=failure/>
        </form>
    }
    .into_any();
    let buttons = view! {
        <button type="button" on:click=move |_| on_close.run(())>{tr(c::CANCEL)}</button>
        <button type="submit" class="primary" form=form_id disabled=move || busy.get()
            aria-busy=move || busy.get().then_some("true")>
            {move || i18n.t(submit_label)}
        </button>
    }
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
    errors: RwSignal<BTreeMap<String, Problem>>,
    set: impl Fn(&'static str, Value) + Copy + Send + Sync + 'static,
) -> AnyView {
    let i18n = use_i18n();
    let key = f.key;
    let dom = format!("{form}-{key}");
    let hint_id = format!("{dom}-hint");
    let err_id = format!("{dom}-error");
    let error = move || errors.with(|e| e.get(key).copied());
    let invalid = move || error().is_some().then_some("true");
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
    let text = move || values.with(|v| v.text(key));
    let on_text = move |ev| set(key, Value::Text(event_target_value(&ev)));
    let hint = f
        .hint
        .map(|h| view! { <p class="hint" id=hint_id.clone()>{tr(h)}</p> });
    let err = view! {
        <p class="field-error" id=err_id>
            {move || error().map(|p| problem_text(i18n.lang(), &p))}
        </p>
    };
    // The mark is CSS (`label.required::after`); the control says
    // aria-required, so the label's text stays the field's name.
    let label = view! { <label for=dom.clone() class:required=f.required>{tr(f.label)}</label> };
    let control = match f.control {
        Control::Check => {
            return view! {
                <div class="field check" class:hidden=move || hidden(&f.shown, values)>
                    <label for=dom.clone()>
                        <input id=dom.clone() type="checkbox"
                            prop:checked=move || values.with(|v| v.flag(key))
                            aria-describedby=describedby
                            on:change=move |ev| set(key, Value::Bool(event_target_checked(&ev)))/>
                        " "{tr(f.label)}
                    </label>
                    {hint}
                    {err}
                </div>
            }
            .into_any();
        }
        Control::Pairs(_) => {
            return pairs_view(
                &dom,
                f,
                values,
                set,
                hint.map(IntoAny::into_any),
                err.into_any(),
            );
        }
        Control::Many(options) => {
            return many_view(
                f,
                options,
                values,
                set,
                hint.map(IntoAny::into_any),
                err.into_any(),
            );
        }
        Control::Area | Control::Lines => view! {
            <textarea id=dom.clone() rows="4" prop:value=text aria-invalid=invalid
                aria-required=f.required.then_some("true")
                aria-describedby=describedby on:input=on_text></textarea>
        }
        .into_any(),
        Control::Select(options) => view! {
            <select id=dom.clone() aria-invalid=invalid aria-describedby=describedby
                aria-required=f.required.then_some("true")
                on:change=move |ev| set(key, Value::Text(event_target_value(&ev)))>
                <option value="" selected=move || text().is_empty()>{tr(c::CHOOSE)}</option>
                {move || options.get().into_iter().map(|o| {
                    let v = o.value.clone();
                    view! { <option value=o.value selected=move || text() == v>{o.label}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        control => {
            let (kind, auto) = match control {
                Control::Secret => ("password", "new-password"),
                Control::Number => ("number", "off"),
                _ => ("text", "off"),
            };
            view! {
                <input id=dom.clone() type=kind autocomplete=auto prop:value=text
                    aria-invalid=invalid aria-required=f.required.then_some("true")
                    aria-describedby=describedby on:input=on_text/>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:hidden=move || hidden(&f.shown, values)>
            {label}
            {control}
            {hint}
            {err}
        </div>
    }
    .into_any()
}

fn hidden(shown: &Option<fn(&Values) -> bool>, values: RwSignal<Values>) -> bool {
    shown.is_some_and(|s| !values.with(s))
}

/// Repeatable key/value rows: each row's inputs are labelled "Key 2",
/// "Value 2"; adding stops at the field's maximum.
fn pairs_view(
    dom: &str,
    f: FieldSpec,
    values: RwSignal<Values>,
    set: impl Fn(&'static str, Value) + Copy + Send + Sync + 'static,
    hint: Option<AnyView>,
    err: AnyView,
) -> AnyView {
    let i18n = use_i18n();
    let key = f.key;
    let max = match f.control {
        Control::Pairs(max) => max,
        _ => 0,
    };
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
    let list = move || {
        let dom = dom.clone();
        rows()
            .into_iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let n = (i + 1).to_string();
                let (n1, n2, n3) = (n.clone(), n.clone(), n);
                view! {
                    <div class="pair">
                        <input type="text" id=format!("{dom}-{i}-key") prop:value=k
                            aria-label=move || format!("{} {n1}", i18n.t(c::KEY))
                            on:input=move |ev| edit(i, 0, event_target_value(&ev))/>
                        <input type="text" id=format!("{dom}-{i}-value") prop:value=v
                            aria-label=move || format!("{} {n2}", i18n.t(c::VALUE))
                            on:input=move |ev| edit(i, 1, event_target_value(&ev))/>
                        <button type="button" class="link danger"
                            aria-label=move || i18n.fill(c::REMOVE_ROW, &[&n3])
                            on:click=move |_| {
                                let mut p = rows();
                                p.remove(i);
                                set(key, Value::Pairs(p));
                            }>
                            {tr(c::DELETE)}
                        </button>
                    </div>
                }
            })
            .collect_view()
    };
    // Not inline in the view: `>=` there would end the tag.
    let full = move || rows().len() >= max;
    let add = move |_: leptos::ev::MouseEvent| {
        let mut p = rows();
        p.push((String::new(), String::new()));
        set(key, Value::Pairs(p));
    };
    view! {
        <fieldset class="field pairs" class:hidden=move || hidden(&f.shown, values)>
            <legend>{tr(f.label)}</legend>
            {list}
            <button type="button" disabled=full on:click=add>
                {tr(c::ADD_ROW)}
            </button>
            {hint}
            {err}
        </fieldset>
    }
    .into_any()
}

/// Several choices, each checkbox inside its own label.
fn many_view(
    f: FieldSpec,
    options: Signal<Vec<Opt>>,
    values: RwSignal<Values>,
    set: impl Fn(&'static str, Value) + Copy + Send + Sync + 'static,
    hint: Option<AnyView>,
    err: AnyView,
) -> AnyView {
    let key = f.key;
    let chosen = move || values.with(|v| v.lines(key));
    let toggle = move |value: &str, on: bool| {
        let mut list = chosen();
        list.retain(|v| v != value);
        if on {
            list.push(value.to_owned());
        }
        set(key, Value::Text(list.join("\n")));
    };
    let boxes = move || {
        options
            .get()
            .into_iter()
            .map(|o| {
                let (v1, v2) = (o.value.clone(), o.value);
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || chosen().contains(&v1)
                            on:change=move |ev| toggle(&v2, event_target_checked(&ev))/>
                        " "{o.label}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="field many" class:hidden=move || hidden(&f.shown, values)>
            <legend>{tr(f.label)}</legend>
            {boxes}
            {hint}
            {err}
        </fieldset>
    }
    .into_any()
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
