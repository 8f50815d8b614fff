//! Labelled fields that check themselves as the user types, with the same
//! functions in `shared` the server runs, and a form that sends nothing
//! while a field is wrong or a request is pending (a double click sends
//! one request). Each submission attempt carries an idempotency key; a
//! retry of the same values reuses it, so the server creates once.

use std::future::Future;
use std::pin::Pin;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{Failure, new_idempotency_key};
use shared::validate::{InvalidField, Problem};

use crate::i18n::{Lang, Msg, UiMsg, tr, use_i18n};
use crate::ui::ErrorPanel;

/// What a form sends: the call, resolved when the server answered.
pub type Request = Pin<Box<dyn Future<Output = Result<(), Failure>>>>;

/// Why a value is refused, in the words of `shared`'s checks.
pub type Check = Callback<String, Result<(), String>>;

/// A field as its form sees it.
#[derive(Clone, Copy)]
struct Registered {
    id: &'static str,
    value: RwSignal<String>,
    error: Memo<Option<String>>,
    dirty: RwSignal<bool>,
}

/// Shared by a [`Form`] and the fields inside it.
#[derive(Clone, Copy)]
struct FormCtx {
    submitted: RwSignal<bool>,
    failure: RwSignal<Option<Failure>>,
    fields: StoredValue<Vec<Registered>>,
}

/// The result of an action outside a form (a button in a table row):
/// "Saved." or the [`ErrorPanel`], shown by [`ActionStatus`].
#[derive(Clone, Copy)]
pub struct ActionResult {
    done: RwSignal<bool>,
    error: RwSignal<Option<Failure>>,
}

impl ActionResult {
    pub fn new() -> ActionResult {
        ActionResult {
            done: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Shows the result; true when it succeeded.
    pub fn report<T>(&self, result: Result<T, Failure>) -> bool {
        let ok = result.is_ok();
        self.done.set(ok);
        self.error.set(result.err());
        ok
    }

    pub fn clear(&self) {
        self.done.set(false);
        self.error.set(None);
    }
}

impl Default for ActionResult {
    fn default() -> Self {
        ActionResult::new()
    }
}

#[component]
pub fn ActionStatus(result: ActionResult) -> impl IntoView {
    view! {
        {move || result.done.get().then(|| view! { <p class="ok" role="status">{tr(Msg::Done)}</p> })}
        <ErrorPanel error=result.error/>
    }
}

/// The kinds of input, each with the right `type` and `autocomplete`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FieldKind {
    #[default]
    Text,
    /// The user's own current password.
    Password,
    /// A new password for an account.
    NewPassword,
    /// A write-only secret (AccessKey secret, AppSecret): never autofilled.
    Secret,
    DateTime,
}

impl FieldKind {
    const fn input_type(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Password | FieldKind::NewPassword | FieldKind::Secret => "password",
            FieldKind::DateTime => "datetime-local",
        }
    }

    const fn autocomplete(self) -> &'static str {
        match self {
            FieldKind::Password => "current-password",
            FieldKind::NewPassword | FieldKind::Secret => "new-password",
            FieldKind::Text | FieldKind::DateTime => "off",
        }
    }
}

/// A value's problem in the user's language, for a field's `check`. English
/// keeps `shared`'s own wording, which also names what is allowed; other
/// languages word the common problems themselves. Reactive: a check runs in
/// the field's memo, so the error follows a language switch.
pub fn invalid(e: InvalidField) -> String {
    let i18n = use_i18n();
    if i18n.lang() == Lang::En {
        return e.message;
    }
    let text = |m| i18n.t(Msg::Ui(m));
    match e.problem {
        Problem::Empty => text(UiMsg::FieldEmpty).to_owned(),
        Problem::Length { min, max, count } => [min, max, count]
            .iter()
            .fold(text(UiMsg::FieldLength).to_owned(), |t, n| {
                t.replacen("{}", &n.to_string(), 1)
            }),
        Problem::Char(c) => i18n.fill(Msg::Ui(UiMsg::FieldChar), &format!("{c:?}")),
        // The console engineer words the newer problems; until then English.
        _ => e.message,
    }
}

/// Adds a field to its form while it is shown.
fn register(
    form: FormCtx,
    id: &'static str,
    value: RwSignal<String>,
    error: Memo<Option<String>>,
    dirty: RwSignal<bool>,
) {
    form.fields.update_value(|f| {
        f.push(Registered {
            id,
            value,
            error,
            dirty,
        });
    });
    on_cleanup(move || {
        // The form may be gone first.
        let _ = form.fields.try_update_value(|f| f.retain(|r| r.id != id));
    });
}

/// A labelled input. Inside a [`Form`] its error shows once the user has
/// typed in it or tried to submit, and follows every keystroke after
/// that; an error the server gives for `name` shows here too.
#[component]
pub fn Field(
    /// The input's DOM id, unique on the page.
    id: &'static str,
    label: Msg,
    value: RwSignal<String>,
    #[prop(optional)] kind: FieldKind,
    /// The request's field name, to show the server's error for it here.
    #[prop(optional)]
    name: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] check: Option<Check>,
    #[prop(optional)] hint: Option<Msg>,
) -> impl IntoView {
    let form = use_context::<FormCtx>();
    let dirty = RwSignal::new(false);
    let error = Memo::new(move |_| {
        let v = value.get();
        if v.trim().is_empty() {
            return required.then(String::new);
        }
        check.and_then(|c| c.run(v).err())
    });
    if let Some(form) = form {
        register(form, id, value, error, dirty);
    }
    let required_text = tr(Msg::Ui(UiMsg::Required));
    // `try_`: while a page is torn down the form's signals may go before
    // the field's effects do.
    let shown = move || {
        let server = form.and_then(|f| {
            f.failure
                .try_with(|x| {
                    x.as_ref()
                        .filter(|x| !name.is_empty() && x.body.field.as_deref() == Some(name))
                        .map(|x| x.body.message.clone())
                })
                .flatten()
        });
        let visible = dirty.get() || form.is_some_and(|f| f.submitted.try_get() == Some(true));
        let local = visible.then(|| error.get()).flatten().map(|e| {
            if e.is_empty() {
                required_text().to_owned()
            } else {
                e
            }
        });
        local.or(server)
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
            <input id=id type=kind.input_type() autocomplete=kind.autocomplete()
                aria-required=required.then_some("true")
                aria-invalid=move || shown().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| {
                    dirty.set(true);
                    value.set(event_target_value(&ev));
                }/>
            {hint.map(|h| view! { <small id=hint_id>{tr(h)}</small> })}
            <p id=error_id class="field-error" role="alert">{shown}</p>
        </div>
    }
}

/// A labelled `<select>` of fixed options (value, label).
#[component]
pub fn Choice(
    id: &'static str,
    label: Msg,
    value: RwSignal<String>,
    options: Vec<(&'static str, Msg)>,
) -> impl IntoView {
    if let Some(form) = use_context::<FormCtx>() {
        register(form, id, value, Memo::new(|_| None), RwSignal::new(false));
    }
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
            <select id=id prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(v, m)| view! {
                        <option value=v selected=move || value.get() == v>{tr(m)}</option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// A form with a heading, its fields (`children`), a submit button and an
/// optional Cancel. On submit with every field valid it calls `on_submit`
/// with the attempt's idempotency key (pass it to `api::create`); the
/// returned request runs while the button is disabled, then "Saved." or
/// the [`ErrorPanel`] shows. `None` from `on_submit` sends nothing.
#[component]
pub fn Form(
    /// DOM id; the heading is `{id}-title`.
    id: &'static str,
    heading: Msg,
    /// Shown after the heading: "Reset password: bob".
    #[prop(optional, into)]
    subject: Option<String>,
    submit: Msg,
    #[prop(into)] on_submit: Callback<String, Option<Request>>,
    #[prop(optional, into)] on_cancel: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    let ctx = FormCtx {
        submitted: RwSignal::new(false),
        failure: RwSignal::new(None),
        fields: StoredValue::new(Vec::new()),
    };
    provide_context(ctx);
    let pending = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    // The values and key of the last attempt that did not succeed.
    let attempt = StoredValue::new(None::<(String, String)>);
    let send = move |ev: SubmitEvent| {
        ev.prevent_default();
        // Checked before anything renders: a second click in the same
        // frame finds the form pending.
        if pending.get_untracked() {
            return;
        }
        ctx.submitted.set(true);
        saved.set(false);
        let fields = ctx.fields.get_value();
        if let Some(bad) = fields.iter().find(|f| f.error.get_untracked().is_some()) {
            blocked.set(true);
            focus(bad.id);
            return;
        }
        blocked.set(false);
        let values: Vec<String> = fields.iter().map(|f| f.value.get_untracked()).collect();
        let values = values.join("\u{1f}");
        let key = match attempt.get_value() {
            Some((last, key)) if last == values => key,
            _ => new_idempotency_key(),
        };
        attempt.set_value(Some((values, key.clone())));
        let Some(request) = on_submit.run(key) else {
            return;
        };
        pending.set(true);
        ctx.failure.set(None);
        spawn_local(async move {
            let result = request.await;
            pending.set(false);
            match result {
                Ok(()) => {
                    attempt.set_value(None);
                    ctx.submitted.set(false);
                    for f in fields {
                        f.dirty.set(false);
                    }
                    saved.set(true);
                }
                Err(failure) => ctx.failure.set(Some(failure)),
            }
        });
    };
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <form id=id class="stack" novalidate aria-labelledby=labelled_by on:submit=send>
            <h2 id=title_id>{tr(heading)} {subject.map(|s| format!(": {s}"))}</h2>
            {children()}
            {move || blocked.get().then(|| view! {
                <p class="error" role="alert">{tr(Msg::Ui(UiMsg::FixFields))}</p>
            })}
            <ActionStatus result=ActionResult { done: saved, error: ctx.failure }/>
            <div class="actions">
                <button type="submit" disabled=move || pending.get()
                    aria-busy=move || pending.get().then_some("true")>
                    {tr(submit)}
                </button>
                {on_cancel.map(|cancel| view! {
                    <button type="button" on:click=move |_| cancel.run(())>{tr(Msg::Cancel)}</button>
                })}
            </div>
        </form>
    }
}
