//! Client-side routing on the History API: the path and the query as
//! signals, navigation, back/forward, links that mark the current page.
//!
//! leptos_router measured ~45 KB brotli here for nested routes and query
//! maps this console does not use. List filters, detail tabs and paging
//! live in the query, so a reload, Back and a shared link keep them.

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::ui::el::el;

#[derive(Clone, Copy)]
pub struct Router {
    path: RwSignal<String>,
    /// `key=value` pairs of the query, decoded, in order.
    query: RwSignal<Vec<(String, String)>>,
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

fn current_path() -> String {
    location()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_else(|| "/".to_owned())
}

fn current_query() -> Vec<(String, String)> {
    parse_query(&location().and_then(|l| l.search().ok()).unwrap_or_default())
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(&s.replace('+', " ")).map_or_else(|_| s.to_owned(), String::from)
}

pub fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// `?a=1&b=x%20y` as pairs; empty values are dropped.
pub fn parse_query(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (!v.is_empty()).then(|| (decode(k), decode(v)))
        })
        .collect()
}

/// Pairs as a query string without `?`; empty values are left out.
pub fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Creates the router context and follows the browser's back and forward.
pub fn provide_router() -> Router {
    let router = Router {
        path: RwSignal::new(current_path()),
        query: RwSignal::new(current_query()),
    };
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        router.path.set(current_path());
        router.query.set(current_query());
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

    /// One query parameter; reactive.
    pub fn param(&self, key: &str) -> Option<String> {
        self.query
            .with(|q| q.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    /// The whole query, for an API call that takes the same filters.
    pub fn query(&self) -> Vec<(String, String)> {
        self.query.get()
    }

    /// Sets query parameters (an empty value removes one). `push` adds a
    /// history entry (a filter chosen); otherwise the entry is replaced
    /// (each keystroke in a search box).
    pub fn set_params(&self, changes: &[(&str, String)], push: bool) {
        let mut pairs = self.query.get_untracked();
        for (key, value) in changes {
            pairs.retain(|(k, _)| k != key);
            if !value.is_empty() {
                pairs.push(((*key).to_owned(), value.clone()));
            }
        }
        let qs = query_string(&pairs);
        let url = if qs.is_empty() {
            self.path.get_untracked()
        } else {
            format!("{}?{qs}", self.path.get_untracked())
        };
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = if push {
                history.push_state_with_url(&JsValue::NULL, "", Some(&url))
            } else {
                history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
            };
        }
        self.query.set(pairs);
    }

    /// Goes to `to` (a path on this site, maybe with a query), adding a
    /// history entry.
    pub fn navigate(&self, to: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            // A refused pushState (never for same-origin paths) only loses
            // the history entry; the page still changes.
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(to));
        }
        let (path, query) = match to.split_once('?') {
            Some((p, q)) => (p.to_owned(), parse_query(q)),
            None => (to.to_owned(), Vec::new()),
        };
        // After the current event: the link clicked may be part of the page
        // replaced, and its closure must not be dropped while it runs.
        let router = *self;
        queue_microtask(move || {
            router.query.set(query);
            router.path.set(path);
        });
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
pub fn link(href: String, label: AnyView) -> AnyView {
    let router = use_router();
    let target = href.clone();
    let is_current = {
        let href = href.clone();
        move || (router.path() == href).then_some("page")
    };
    let on_click = move |ev: web_sys::Event| {
        if !is_special_click(ev.unchecked_ref()) {
            ev.prevent_default();
            router.navigate(&target);
        }
    };
    el("a")
        .attr_s("href", href)
        .attr_dyn("aria-current", move || is_current().map(String::from))
        .on("click", on_click)
        .child(label)
        .view()
}

/// The rest of the path after an area's (`/groups/{id}` gives the id,
/// decoded), for its detail pages; reactive.
pub fn sub_path(area: shared::area::Area) -> Signal<Option<String>> {
    let router = use_router();
    Signal::derive(move || {
        router
            .path()
            .strip_prefix(area.path())
            .and_then(|r| r.strip_prefix('/'))
            .filter(|r| !r.is_empty())
            .map(|r| js_sys::decode_uri_component(r).map_or_else(|_| r.to_owned(), String::from))
    })
}
