//! How a failed call is shown: the translated message for its code, the
//! server's own words, and the two ids support asks for (the upstream's
//! RequestId and the console's request id), each with a copy button.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::Failure;
use crate::i18n::{I18n, Msg, UiMsg, error_text, tr, use_i18n};

/// The message for a failed call in the current language (reactive): ours
/// for a known code, else the server's.
pub fn failure_text(failure: &Failure, i18n: I18n) -> String {
    error_text(i18n.lang(), &failure.body.code).map_or_else(
        || failure.body.message.clone(),
        std::borrow::ToOwned::to_owned,
    )
}

/// The failure in `error`, if any, announced as an alert.
#[component]
pub fn ErrorPanel(#[prop(into)] error: Signal<Option<Failure>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|f| {
            let text = failure_text(&f, i18n);
            // The server's words add detail (which field, what the upstream
            // said) unless they are what we already show.
            let detail =
                (f.body.message != text).then(|| i18n.fill(Msg::Ui(UiMsg::Details), &f.body.message));
            view! {
                <div class="error-panel" role="alert">
                    <p class="error-message"><strong>{text}</strong></p>
                    {detail.map(|d| view! { <p>{d}</p> })}
                    <dl>
                        <dt>{tr(Msg::Ui(UiMsg::ErrorCode))}</dt>
                        <dd><code>{f.body.code.clone()}</code></dd>
                        {f.body.request_id.map(|id| view! { <CopyableId label=UiMsg::RequestId id/> })}
                        {f.body.trace_id.map(|id| view! { <CopyableId label=UiMsg::TraceId id/> })}
                    </dl>
                </div>
            }
        })
    }
}

/// A `<dt>`/`<dd>` pair (put it in a `<dl>`): an id support asks for and
/// a button that copies it.
#[component]
pub fn CopyableId(label: UiMsg, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let value = id.clone();
    let copy = move |_| {
        copied.set(copy_text(&value));
    };
    view! {
        <dt>{tr(Msg::Ui(label))}</dt>
        <dd>
            <code>{id}</code>
            " "
            <button type="button" class="copy" on:click=copy>
                {move || i18n.fill(Msg::Ui(UiMsg::Copy), i18n.t(Msg::Ui(label)))}
            </button>
            <span role="status">{move || copied.get().then(tr(Msg::Ui(UiMsg::Copied)))}</span>
        </dd>
    }
}

/// Puts `text` on the clipboard; false where the browser offers no
/// clipboard (plain HTTP to a remote host is not a secure context).
pub fn copy_text(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let available = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined());
    if available {
        // The promise settles later; a refusal leaves nothing to undo.
        let _ = navigator.clipboard().write_text(text);
    }
    available
}
