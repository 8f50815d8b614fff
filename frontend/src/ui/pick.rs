//! Which Alibaba Cloud account a form starts on: the one the user picked
//! last (the server keeps it per user), else the one the vault marks
//! default, else the first. A credential added later never takes over
//! silently (alphabetical order used to decide).

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::api;
use crate::ui::{Opt, Remote};

/// `GET`/`PUT /preferences`: the last pick per kind of credential.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(default)]
    pub alibaba: Option<String>,
    #[serde(default)]
    pub dingtalk: Option<String>,
}

/// What a picker needs of a stored account.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct AccountChoice {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub default: bool,
}

#[derive(Clone, Copy)]
pub struct AccountPick {
    pub accounts: Remote<Vec<AccountChoice>>,
    prefs: Remote<Preferences>,
}

impl AccountPick {
    /// Loads the accounts and the user's pick when `allowed` (reading the
    /// vault needs a role that may).
    pub fn alibaba(allowed: bool) -> AccountPick {
        AccountPick {
            accounts: Remote::follow(move || allowed.then(|| "/credentials/alibaba".into())),
            prefs: Remote::follow(move || allowed.then(|| "/preferences".into())),
        }
    }

    pub fn options(&self) -> Signal<Vec<Opt>> {
        let accounts = self.accounts;
        Signal::derive(move || {
            accounts.value.with(|a| {
                a.iter()
                    .flatten()
                    .map(|a| Opt::new(&a.id, &a.name))
                    .collect()
            })
        })
    }

    /// The account to start on. Without preferences (an older server
    /// answers 404) the vault's default, else the first.
    pub fn initial(&self) -> String {
        let last = self
            .prefs
            .value
            .with_untracked(|p| p.as_ref().and_then(|p| p.alibaba.clone()));
        self.accounts.value.with_untracked(|a| {
            let a = a.as_deref().unwrap_or_default();
            a.iter()
                .find(|x| last.as_deref() == Some(x.id.as_str()))
                .or_else(|| a.iter().find(|x| x.default))
                .or(a.first())
                .map(|x| x.id.clone())
                .unwrap_or_default()
        })
    }

    pub fn name(&self, id: &str) -> String {
        self.accounts.value.with_untracked(|a| {
            a.iter()
                .flatten()
                .find(|x| x.id == id)
                .map_or_else(|| id.to_owned(), |x| x.name.clone())
        })
    }

    /// Remembers `id` as the user's pick, unless it already is.
    pub fn remember(&self, id: &str) {
        let mut prefs = self.prefs.value.get_untracked().unwrap_or_default();
        if id.is_empty() || prefs.alibaba.as_deref() == Some(id) {
            return;
        }
        prefs.alibaba = Some(id.to_owned());
        self.prefs.value.set(Some(prefs.clone()));
        // Only a convenience: a server without preferences forgets it.
        spawn_local(async move {
            let _ = api::send_empty(Method::PUT, "/preferences", Some(&prefs)).await;
        });
    }
}
