//! Toasts: every action's outcome, at the top of the view whatever was
//! scrolled, worded in the user's language. Successes fade after a few
//! seconds; failures stay until dismissed, with the ids support asks for.

use leptos::prelude::*;

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::{I18n, T, use_i18n};
use crate::ui::el::{dynamic, el};
use crate::ui::error::{failure_text, support_ids};

#[derive(Clone)]
struct Toast {
    id: u32,
    text: String,
    bad: bool,
    failure: Option<Failure>,
}

/// How many toasts show at once; a new one beyond replaces the oldest.
const SLOTS: usize = 4;

/// Toasts sit in fixed slots, each drawn on its own: a toast is drawn
/// once and stays put while others come and go, so a screen reader
/// announces it once (and no keyed list's code is in the wasm for it).
#[derive(Clone, Copy)]
pub struct Toasts {
    slots: [RwSignal<Option<Toast>>; SLOTS],
    next: StoredValue<u32>,
    i18n: I18n,
}

const FADE_MS: u64 = 6000;

impl Toasts {
    fn push(&self, text: String, bad: bool, failure: Option<Failure>) -> u32 {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        // A free slot, else the oldest toast's.
        let age = |s: &RwSignal<Option<Toast>>| s.with_untracked(|t| t.as_ref().map(|t| t.id));
        if let Some(slot) = self.slots.iter().min_by_key(|s| age(s)) {
            slot.set(Some(Toast {
                id,
                text,
                bad,
                failure,
            }));
        }
        id
    }

    /// `text` with `{}` filled by `name` ("Deleted: 值班告警").
    pub fn ok(&self, text: T, name: &str) {
        let id = self.push(self.i18n.fill(text, &[name]), false, None);
        let toasts = *self;
        set_timeout(
            move || toasts.dismiss(id),
            std::time::Duration::from_millis(FADE_MS),
        );
    }

    pub fn failed(&self, failure: &Failure) {
        let text = failure_text(failure, self.i18n.lang());
        self.push(text, true, Some(failure.clone()));
    }

    /// A failure of an action on something named: "Connection failed:
    /// ops-hz", then why.
    pub fn failed_at(&self, text: T, name: &str, failure: &Failure) {
        let why = failure_text(failure, self.i18n.lang());
        self.push(
            format!("{} {why}", self.i18n.fill(text, &[name])),
            true,
            Some(failure.clone()),
        );
    }

    fn dismiss(&self, id: u32) {
        for slot in self.slots {
            if slot.with_untracked(|t| t.as_ref().is_some_and(|t| t.id == id)) {
                slot.try_set(None);
            }
        }
    }
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        slots: std::array::from_fn(|_| RwSignal::new(None)),
        next: StoredValue::new(0),
        i18n: use_i18n(),
    };
    provide_context(toasts);
    toasts
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Where toasts appear; once, in the shell.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    let i18n = use_i18n();
    let toast = move |toast: Toast| {
        let dismiss = el("button")
            .attr("type", "button")
            .class("link")
            .on("click", move |_| toasts.dismiss(toast.id))
            .word(c::DISMISS)
            .view();
        el("div")
            .class(if toast.bad { "toast failed" } else { "toast" })
            // Oldest first, whichever slot each is in.
            .attr_s("style", format!("order:{}", toast.id))
            .attr("role", if toast.bad { "alert" } else { "status" })
            .child(el("p").child(toast.text.into_any()).view())
            .children(toast.failure.as_ref().map(support_ids))
            .child(dismiss)
            .view()
    };
    let list = toasts
        .slots
        .map(|slot| dynamic(move || slot.get().map(toast)));
    el("section")
        .class("toasts")
        .attr_dyn("aria-label", move || Some(i18n.t(c::NOTIFICATIONS).into()))
        .children(list)
        .view()
}
