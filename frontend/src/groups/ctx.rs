//! What every part of a group's page shares: the group as last read, its
//! path, the last bulk answer, and what follows a change.

use leptos::prelude::*;
use shared::outcome::ItemOutcome;

use crate::i18n::T;
use crate::router::encode;
use crate::ui::toast::Toasts;
use crate::ui::{Json, Remote, json};

/// What every part of the page shares: the group as last read, and the
/// last bulk answer.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    /// `GET /groups/{id}` (`GroupDetail`) as the server sent it.
    pub group: Remote,
    pub id: StoredValue<String>,
    pub outcomes: RwSignal<Option<Vec<ItemOutcome>>>,
    pub write: bool,
    pub toasts: Toasts,
}

impl Ctx {
    /// `f` of the group; reactive.
    pub fn with<R: Default>(&self, f: impl FnOnce(&Json) -> R) -> R {
        self.group
            .value
            .with(|d| d.as_ref().map(f).unwrap_or_default())
    }

    /// `f` of the group as it is now, for an event or a task.
    pub fn peek<R: Default>(&self, f: impl FnOnce(&Json) -> R) -> R {
        self.group
            .value
            .with_untracked(|d| d.as_ref().map(f).unwrap_or_default())
    }

    /// The members as the server sent them (`MemberView`); reactive.
    pub fn members(&self) -> Vec<Json> {
        self.group.items("/members")
    }

    pub fn name(&self) -> String {
        self.peek(|d| json::s(d, "/group/name"))
    }

    /// An API path under this group's.
    pub fn path(&self, tail: &str) -> String {
        format!("/groups/{}{tail}", self.id.with_value(|id| encode(id)))
    }

    /// After a change: its toast, its per-person outcomes, the new state.
    pub fn changed(&self, toast: T, items: Option<Vec<ItemOutcome>>) {
        self.toasts.ok(toast, &self.name());
        if items.is_some() {
            self.outcomes.set(items);
        }
        self.group.reload();
    }
}
