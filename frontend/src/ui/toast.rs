//! Toasts: every action's outcome, at the top of the view whatever was
//! scrolled, worded in the user's language. Successes fade after a few
//! seconds; failures stay until dismissed, with the ids support asks for.

use leptos::prelude::*;

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::{I18n, T, use_i18n};
use crate::ui::el::el;
use crate::ui::error::{failure_text, support_ids};

#[derive(Clone)]
struct Toast {
    id: u32,
    text: String,
    bad: bool,
    failure: Option<Failure>,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u32>,
    i18n: I18n,
}

const FADE_MS: u64 = 6000;

impl Toasts {
    fn push(&self, text: String, bad: bool, failure: Option<Failure>) -> u32 {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|t| {
            t.push(Toast {
                id,
                text,
                bad,
                failure,
            })
        });
        id
    }

    /// `text` with `{}` filled by `name` ("Deleted: 值班告警").
    pub fn ok(&self, text: T, name: &str) {
        let id = self.push(self.i18n.fill(text, &[name]), false, None);
        let items = self.items;
        set_timeout(
            move || items.try_update(|t| t.retain(|x| x.id != id)).unwrap_or(()),
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
        self.items.update(|t| t.retain(|x| x.id != id));
    }
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        items: RwSignal::new(Vec::new()),
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
            .attr("role", if toast.bad { "alert" } else { "status" })
            .child(el("p").child(toast.text.into_any()).view())
            .children(toast.failure.as_ref().map(support_ids))
            .child(dismiss)
            .view()
    };
    let list = view! { <For each=move || toasts.items.get() key=|t| t.id children=toast/> };
    el("section")
        .class("toasts")
        .attr_dyn("aria-label", move || Some(i18n.t(c::NOTIFICATIONS).into()))
        .child(list.into_any())
        .view()
}
