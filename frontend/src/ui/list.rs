//! What a list page has above its table: a header with the page's title
//! and toolbar buttons, and a one-line filter bar whose values live in the
//! URL query (reload, Back and a shared link keep them).

use leptos::prelude::*;

use crate::i18n::common as c;
use crate::i18n::{T, tr, use_i18n};
use crate::router::use_router;

/// A choice in a select: its value and what the user reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// How a filter is entered.
pub enum FilterKind {
    /// Free text, applied as the user types.
    Search,
    /// One of these (plus "Any").
    Choice(Signal<Vec<Opt>>),
    /// A day (`YYYY-MM-DD`).
    Date,
}

/// One filter: its URL query key, label and control.
pub struct Filter {
    pub key: &'static str,
    pub label: T,
    pub kind: FilterKind,
}

impl Filter {
    pub fn search(key: &'static str, label: T) -> Filter {
        Filter {
            key,
            label,
            kind: FilterKind::Search,
        }
    }

    pub fn choice(key: &'static str, label: T, options: Signal<Vec<Opt>>) -> Filter {
        Filter {
            key,
            label,
            kind: FilterKind::Choice(options),
        }
    }

    pub fn date(key: &'static str, label: T) -> Filter {
        Filter {
            key,
            label,
            kind: FilterKind::Date,
        }
    }
}

/// A filter's current value from the URL; reactive.
/// A memo, so a keystroke in one filter wakes only what reads that one.
pub fn param(key: &'static str) -> Signal<String> {
    let router = use_router();
    Memo::new(move |_| router.param(key).unwrap_or_default()).into()
}

/// The page's `<h1>` and its toolbar (the primary actions).
#[component]
pub fn PageHeader(title: T, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>{tr(title)}</h1>
            <div class="toolbar">{children.map(|c| c())}</div>
        </div>
    }
}

/// The filters in one line (wrapping on a narrow screen). Choosing a value
/// adds a history entry; typing replaces it, so Back undoes a choice, not
/// each keystroke. Changing any filter goes back to the first page.
#[component]
pub fn FilterBar(id: &'static str, filters: Vec<Filter>) -> impl IntoView {
    let router = use_router();
    let i18n = use_i18n();
    let keys: Vec<&'static str> = filters.iter().map(|f| f.key).collect();
    let set = move |key: &'static str, value: String, push: bool| {
        router.set_params(&[(key, value), ("page", String::new())], push);
    };
    let controls = filters
        .into_iter()
        .map(|f| {
            let key = f.key;
            let dom_id = format!("{id}-{key}");
            let current = move || router.param(key).unwrap_or_default();
            let control = match f.kind {
                FilterKind::Search => view! {
                    <input id=dom_id.clone() type="search" autocomplete="off"
                        prop:value=current
                        on:input=move |ev| set(key, event_target_value(&ev), false)/>
                }
                .into_any(),
                FilterKind::Date => view! {
                    <input id=dom_id.clone() type="date" prop:value=current
                        on:change=move |ev| set(key, event_target_value(&ev), true)/>
                }
                .into_any(),
                FilterKind::Choice(options) => view! {
                    <select id=dom_id.clone() on:change=move |ev| set(key, event_target_value(&ev), true)>
                        <option value="" selected=move || current().is_empty()>{tr(c::ANY)}</option>
                        {move || options.get().into_iter().map(|o| {
                            let v = o.value.clone();
                            view! { <option value=o.value selected=move || current() == v>{o.label}</option> }
                        }).collect_view()}
                    </select>
                }
                .into_any(),
            };
            view! {
                <div class="filter">
                    <label for=dom_id>{tr(f.label)}</label>
                    {control}
                </div>
            }
        })
        .collect_view();
    let any_set = {
        let keys = keys.clone();
        move || keys.iter().any(|k| router.param(k).is_some())
    };
    let reset = move |_| {
        let cleared: Vec<(&str, String)> = keys.iter().map(|k| (*k, String::new())).collect();
        router.set_params(&cleared, true);
    };
    view! {
        <div role="search" class="filter-bar" aria-label=move || i18n.t(c::FILTERS)>
            {controls}
            <button type="button" class="link" disabled=move || !any_set() on:click=reset>
                {tr(c::RESET)}
            </button>
        </div>
    }
}
