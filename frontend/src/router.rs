//! Client-side routing on the History API.
//!
//! leptos_router measured ~45 KB brotli here (the shell went from 39 KB to
//! 84 KB of wasm), almost a third of the console's 150 KB budget, for nested
//! routes and query maps this console does not use. This is what it needs:
//! the current path as a signal, navigation, back/forward, and links that
//! mark the current page.

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

#[derive(Clone, Copy)]
pub struct Router {
    path: RwSignal<String>,
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned())
}

/// Creates the router context and follows the browser's back and forward.
pub fn provide_router() -> Router {
    let router = Router {
        path: RwSignal::new(current_path()),
    };
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        router.path.set(current_path());
    });
    on_cleanup(move || listener.remove());
    provide_context(router);
    router
}

pub fn use_router() -> Router {
    expect_context::<Router>()
}

impl Router {
    /// The current path; reactive.
    pub fn path(&self) -> String {
        self.path.get()
    }

    /// Goes to `to` (a path on this site), adding a history entry.
    pub fn navigate(&self, to: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok())
            && current_path() != to
        {
            // A refused pushState (never for same-origin paths) only loses
            // the history entry; the page still changes.
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(to));
        }
        // After the current event: the new page replaces the old one, and
        // the link clicked may be part of it; disposed during its own click
        // handler, its closure would be called after being dropped.
        let (path, to) = (self.path, to.to_owned());
        queue_microtask(move || path.set(to));
    }
}

/// Whether a click should be left to the browser (new tab, download...).
fn is_special_click(ev: &MouseEvent) -> bool {
    ev.default_prevented()
        || ev.button() != 0
        || ev.ctrl_key()
        || ev.meta_key()
        || ev.shift_key()
        || ev.alt_key()
}

/// An in-app link: navigates without reloading and carries
/// `aria-current="page"` when it points at the current page.
#[component]
pub fn Link(#[prop(into)] href: String, children: Children) -> impl IntoView {
    let router = use_router();
    let target = href.clone();
    let is_current = {
        let href = href.clone();
        move || (router.path() == href).then_some("page")
    };
    let on_click = move |ev: MouseEvent| {
        if !is_special_click(&ev) {
            ev.prevent_default();
            router.navigate(&target);
        }
    };
    view! {
        <a href=href aria-current=is_current on:click=on_click>
            {children()}
        </a>
    }
}
