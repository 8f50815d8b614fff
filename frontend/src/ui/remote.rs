//! `Remote`: one loader for every page. It follows a path (usually made
//! from the URL), aborts the request it no longer needs (a newer path, or
//! the page left), and keeps what it showed until the new answer replaces
//! it, so a refresh after a change does not blank the page. The answer is
//! kept as the browser parsed it ([`Json`]), read by field path.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::api::{self, Failure};
use crate::json::{self, Json};

#[derive(Clone, Copy)]
pub struct Remote {
    pub value: RwSignal<Option<Json>>,
    pub error: RwSignal<Option<Failure>>,
    pub loading: RwSignal<bool>,
    path: RwSignal<Option<String>>,
    abort: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
}

impl Remote {
    pub fn new() -> Remote {
        let remote = Remote {
            value: RwSignal::new(None),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
            path: RwSignal::new(None),
            abort: StoredValue::new_local(None),
        };
        on_cleanup(move || remote.cancel());
        remote
    }

    /// Loads `path()` now and whenever it changes; `None` loads nothing.
    pub fn follow(path: impl Fn() -> Option<String> + Send + Sync + 'static) -> Remote {
        let remote = Remote::new();
        // Boxed: one copy of this for every page's path.
        let path: Box<dyn Fn() -> Option<String>> = Box::new(path);
        crate::reactive::effect(move || {
            if let Some(p) = path() {
                remote.load(p);
            }
        });
        remote
    }

    /// GETs `path` (under `/api/v1`), dropping any earlier request.
    pub fn load(self, path: String) {
        self.cancel();
        let controller = web_sys::AbortController::new().ok();
        let signal = controller.as_ref().map(web_sys::AbortController::signal);
        self.abort.set_value(controller);
        self.path.set(Some(path.clone()));
        self.loading.set(true);
        spawn_local(async move {
            let answer = api::get_json_abortable(&path, signal.as_ref()).await;
            self.answered(answer);
        });
    }

    fn answered(self, answer: Result<JsValue, Failure>) {
        match answer {
            // An aborted request's owner may be gone: try_ never panics.
            Err(f) if f.body.code == "aborted" => {}
            Ok(value) => {
                self.value.try_set(Some(Json::new(value)));
                self.error.try_set(None);
                self.loading.try_set(false);
            }
            Err(failure) => {
                self.error.try_set(Some(failure));
                self.loading.try_set(false);
            }
        }
    }

    /// The items of the array at `ptr` in the answer (`""`: the answer
    /// itself); none before it came. Reactive.
    pub fn items(&self, ptr: &str) -> Vec<Json> {
        self.value
            .with(|v| v.as_ref().map(|v| json::list(v, ptr)).unwrap_or_default())
    }

    /// Loads the last path again (after a change).
    pub fn reload(self) {
        if let Some(path) = self.path.get_untracked() {
            self.load(path);
        }
    }

    fn cancel(self) {
        if let Some(Some(c)) = self.abort.try_update_value(Option::take) {
            c.abort();
        }
    }
}

impl Default for Remote {
    fn default() -> Self {
        Remote::new()
    }
}
