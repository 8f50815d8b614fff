//! `Remote<T>`: one loader for every page. It follows a path (usually made
//! from the URL), aborts the request it no longer needs (a newer path, or
//! the page left), and keeps what it showed until the new answer replaces
//! it, so a refresh after a change does not blank the page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

use crate::api::{self, Failure};

pub struct Remote<T: Send + Sync + 'static> {
    pub value: RwSignal<Option<T>>,
    pub error: RwSignal<Option<Failure>>,
    pub loading: RwSignal<bool>,
    path: RwSignal<Option<String>>,
    abort: StoredValue<Option<SendWrapper<web_sys::AbortController>>>,
}

impl<T: Send + Sync + 'static> Clone for Remote<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Remote<T> {}

impl<T: DeserializeOwned + Send + Sync + 'static> Remote<T> {
    pub fn new() -> Remote<T> {
        let remote = Remote {
            value: RwSignal::new(None),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
            path: RwSignal::new(None),
            abort: StoredValue::new(None),
        };
        on_cleanup(move || remote.cancel());
        remote
    }

    /// Loads `path()` now and whenever it changes; `None` loads nothing.
    pub fn follow(path: impl Fn() -> Option<String> + Send + Sync + 'static) -> Remote<T> {
        let remote = Remote::new();
        Effect::new(move |_| {
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
        self.abort.set_value(controller.map(SendWrapper::new));
        self.path.set(Some(path.clone()));
        self.loading.set(true);
        fetch(
            path,
            signal,
            Box::new(move |answer| match answer.and_then(api::decode::<T>) {
                // An aborted request's owner may be gone: try_ never panics.
                Err(f) if f.body.code == "aborted" => {}
                Ok(value) => {
                    self.value.try_set(Some(value));
                    self.error.try_set(None);
                    self.loading.try_set(false);
                }
                Err(failure) => {
                    self.error.try_set(Some(failure));
                    self.loading.try_set(false);
                }
            }),
        );
    }

    /// Loads the last path again (after a change).
    pub fn reload(self) {
        if let Some(path) = self.path.get_untracked() {
            self.load(path);
        }
    }
}

impl<T: Send + Sync + 'static> Remote<T> {
    fn cancel(self) {
        if let Some(Some(c)) = self.abort.try_update_value(Option::take) {
            c.abort();
        }
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> Default for Remote<T> {
    fn default() -> Self {
        Remote::new()
    }
}

/// Not generic, so the waiting is compiled once for every answer type.
fn fetch(
    path: String,
    signal: Option<web_sys::AbortSignal>,
    done: Box<dyn FnOnce(Result<JsValue, Failure>)>,
) {
    spawn_local(async move { done(api::get_json_abortable(&path, signal.as_ref()).await) });
}
