//! Which Alibaba Cloud account or DingTalk app a page starts on: the one
//! the user picked last (the server keeps it per user), else the one the
//! vault marks default, else the first. A credential added later never
//! takes over silently (alphabetical order used to decide).

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;

use crate::api;
use crate::json::{self, Json};
use crate::ui::{Opt, Remote};

/// `PUT /preferences`: the last pick per kind of credential.
#[derive(Serialize)]
struct Preferences {
    alibaba: Option<String>,
    dingtalk: Option<String>,
}

/// Saves `id` as the user's pick of `kind` (`alibaba` or `dingtalk`) over
/// `prefs` (`GET /preferences` as sent): the preferences now, or `None`
/// when it already was the pick. Only a convenience: a server without
/// preferences forgets it.
fn remember_pick(prefs: &Json, kind: &str, id: &str) -> Option<Json> {
    if id.is_empty() || json::s(prefs, &format!("/{kind}")) == id {
        return None;
    }
    let now = json::with(prefs, kind, id);
    let pick = |ptr| Some(json::s(&now, ptr)).filter(|s| !s.is_empty());
    let body = Preferences {
        alibaba: pick("/alibaba"),
        dingtalk: pick("/dingtalk"),
    };
    spawn_local(async move {
        let _ = api::send_empty(Method::PUT, "/preferences", Some(&body)).await;
    });
    Some(now)
}

#[derive(Clone, Copy)]
pub struct AccountPick {
    /// `alibaba` or `dingtalk`: the preference it is kept under.
    kind: &'static str,
    /// The credentials to pick from (`{id, name, default?}` each), as the
    /// server sent them.
    accounts: Remote,
    prefs: Remote,
}

impl AccountPick {
    fn new(kind: &'static str, list: &'static str, allowed: bool) -> AccountPick {
        AccountPick {
            kind,
            accounts: Remote::follow(move || allowed.then(|| list.into())),
            prefs: Remote::follow(move || allowed.then(|| "/preferences".into())),
        }
    }

    /// The Alibaba Cloud accounts and the user's pick, when `allowed`
    /// (reading the vault needs a role that may).
    pub fn alibaba(allowed: bool) -> AccountPick {
        AccountPick::new("alibaba", "/credentials/alibaba", allowed)
    }

    /// The DingTalk apps groups can be managed through (`AppChoice`, no
    /// secrets: every role that reads groups may list them).
    pub fn dingtalk() -> AccountPick {
        AccountPick::new("dingtalk", "/groups/apps", true)
    }

    /// Whether both answers are in (or failed): [`AccountPick::initial`]
    /// is then the real start. Reactive.
    pub fn settled(&self) -> bool {
        let done = |r: Remote| r.value.with(Option::is_some) || r.error.with(Option::is_some);
        done(self.accounts) && done(self.prefs)
    }

    pub fn options(&self) -> Signal<Vec<Opt>> {
        let accounts = self.accounts;
        Signal::derive(move || {
            accounts
                .items("")
                .iter()
                .map(|a| Opt::new(json::s(a, "/id"), json::s(a, "/name")))
                .collect()
        })
    }

    /// The account to start on. Without preferences (an older server
    /// answers 404) the vault's default, else the first.
    pub fn initial(&self) -> String {
        let last = self
            .prefs
            .value
            .with_untracked(|p| p.as_ref().map(|p| json::s(p, &format!("/{}", self.kind))));
        let a = self.list();
        let id = |x: &Json| json::s(x, "/id");
        a.iter()
            .find(|x| last.as_deref() == Some(id(x).as_str()))
            .or_else(|| a.iter().find(|x| json::flag(x, "/default")))
            .or(a.first())
            .map(id)
            .unwrap_or_default()
    }

    pub fn name(&self, id: &str) -> String {
        self.list()
            .iter()
            .find(|x| json::s(x, "/id") == id)
            .map_or_else(|| id.to_owned(), |x| json::s(x, "/name"))
    }

    /// The accounts as they are now.
    pub fn list(&self) -> Vec<Json> {
        untrack(|| self.accounts.items(""))
    }

    /// Remembers `id` as the user's pick, unless it already is.
    pub fn remember(&self, id: &str) {
        let prefs = self.prefs.value.get_untracked();
        let prefs = prefs.unwrap_or_else(|| Json::new(js_sys::Object::new().into()));
        if let Some(now) = remember_pick(&prefs, self.kind, id) {
            self.prefs.value.set(Some(now));
        }
    }
}
