//! Toasts: every action's outcome, at the top of the view whatever was
//! scrolled, worded in the user's language. Successes fade after a few
//! seconds; failures stay until dismissed, with the ids support asks for.

use leptos::prelude::*;

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::{I18n, T, tr, use_i18n};
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
    view! {
        <section class="toasts" aria-label=move || i18n.t(c::NOTIFICATIONS)>
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class="toast" class:failed=toast.bad role=if toast.bad { "alert" } else { "status" }>
                    <p>{toast.text.clone()}</p>
                    {toast.failure.as_ref().map(support_ids)}
                    <button type="button" class="link" on:click=move |_| toasts.dismiss(toast.id)>
                        {tr(c::DISMISS)}
                    </button>
                </div>
            </For>
        </section>
    }
}
