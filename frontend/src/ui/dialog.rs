//! A modal question before anything destructive or consequential: its
//! title says what will happen ("Delete credential prod-hz?"). A native
//! `<dialog>` opened with `showModal()` makes the rest of the page inert
//! and gives it role dialog and aria-modal; focus starts on Cancel, Tab
//! wraps inside it, Escape cancels, and focus returns where it was.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{Msg, tr};

const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])";

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

/// Shown while `open` is true. `title` names what will happen and is the
/// dialog's accessible name; `children` may add detail (a diff, a hint).
/// Confirm runs `on_confirm`; Cancel, Escape and closing run `on_cancel`.
/// The parent closes it by making `open` false.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] open: Signal<bool>,
    #[prop(into)] title: Signal<String>,
    /// The confirming button's label, a verb ("Delete", "Apply").
    confirm: Msg,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    /// Styles the confirming button as destructive.
    #[prop(optional)]
    danger: bool,
    #[prop(optional)] children: Option<ChildrenFn>,
) -> impl IntoView {
    let children = StoredValue::new(children);
    move || {
        open.get().then(|| {
            let node = NodeRef::<html::Dialog>::new();
            // Where focus was, to put it back when the dialog goes.
            let opener = send_wrapper::SendWrapper::new(
                web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
            );
            Effect::new(move |_| {
                if let Some(dialog) = node.get()
                    && !dialog.open()
                {
                    let _ = dialog.show_modal();
                }
            });
            on_cleanup(move || {
                // Closed first: nothing outside a modal dialog takes focus.
                if let Some(dialog) = node.try_get_untracked().flatten() {
                    dialog.close();
                }
                if let Some(el) = opener.take() {
                    let _ = el.focus();
                }
            });
            view! {
                <dialog class="confirm" node_ref=node aria-modal="true" aria-labelledby="confirm-title"
                    on:cancel=move |ev: leptos::ev::Event| {
                        ev.prevent_default();
                        on_cancel.run(());
                    }
                    on:keydown=move |ev| {
                        if let Some(dialog) = node.get_untracked() {
                            wrap_focus(&dialog, &ev);
                        }
                    }>
                    <h2 id="confirm-title">{move || title.get()}</h2>
                    {children.with_value(|c| c.as_ref().map(|c| c()))}
                    <div class="actions">
                        <button type="button" autofocus on:click=move |_| on_cancel.run(())>
                            {tr(Msg::Cancel)}
                        </button>
                        <button type="button" class:danger=danger on:click=move |_| on_confirm.run(())>
                            {tr(confirm)}
                        </button>
                    </div>
                </dialog>
            }
        })
    }
}
