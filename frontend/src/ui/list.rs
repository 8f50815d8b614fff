//! What a list page has above its table: a header with the page's title
//! and toolbar buttons, and a one-line filter bar whose values live in the
//! URL query (reload, Back and a shared link keep them).

use leptos::prelude::*;

use crate::i18n::common as c;
use crate::i18n::{T, use_i18n};
use crate::router::use_router;
use crate::ui::el::{dynamic, el};

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

/// A select's options: `first` for no value ("Any", "Choose…"), then
/// `options`, the one `current` names selected.
pub fn select_options(
    first: T,
    options: Signal<Vec<Opt>>,
    current: impl Fn() -> String + Copy + Send + Sync + 'static,
) -> [AnyView; 2] {
    let none = el("option")
        .attr("value", "")
        .flag("selected", move || current().is_empty())
        .word(first)
        .view();
    let list = dynamic(move || {
        let items = options.get().into_iter().map(|o| {
            let v = o.value.clone();
            el("option")
                .attr_s("value", o.value)
                .flag("selected", move || current() == v)
                .child(o.label.into_any())
                .view()
        });
        Some(items.collect_view().into_any())
    });
    [none, list]
}

/// The page's `<h1>` and its toolbar (the primary actions).
pub fn page_header(title: T, actions: Vec<AnyView>) -> AnyView {
    header("h1", title, actions)
}

/// A section's header inside a page: its heading and its actions.
pub fn section_header(title: T, actions: Vec<AnyView>) -> AnyView {
    header("h2", title, actions)
}

fn header(heading: &'static str, title: T, actions: Vec<AnyView>) -> AnyView {
    el("div")
        .class("page-header")
        .child(el(heading).word(title).view())
        .child(el("div").class("toolbar").children(actions).view())
        .view()
}

/// The filters in one line (wrapping on a narrow screen). Choosing a value
/// adds a history entry; typing replaces it, so Back undoes a choice, not
/// each keystroke. Changing any filter goes back to the first page.
pub fn filter_bar(id: &'static str, filters: Vec<Filter>) -> AnyView {
    let router = use_router();
    let i18n = use_i18n();
    let keys: Vec<&'static str> = filters.iter().map(|f| f.key).collect();
    let set = move |key: &'static str, value: String, push: bool| {
        router.set_params(&[(key, value), ("page", String::new())], push);
    };
    let controls = filters.into_iter().map(|f| {
        let key = f.key;
        let dom_id = format!("{id}-{key}");
        let current = move || router.param(key).unwrap_or_default();
        let control = match f.kind {
            FilterKind::Search => el("input")
                .attr("type", "search")
                .attr("autocomplete", "off")
                .value(current)
                .on("input", move |ev| set(key, event_target_value(&ev), false)),
            FilterKind::Date => el("input")
                .attr("type", "date")
                .value(current)
                .on("change", move |ev| set(key, event_target_value(&ev), true)),
            FilterKind::Choice(options) => el("select")
                .on("change", move |ev| set(key, event_target_value(&ev), true))
                .children(select_options(c::ANY, options, current)),
        };
        el("div")
            .class("filter")
            .child(
                el("label")
                    .attr_s("for", dom_id.clone())
                    .word(f.label)
                    .view(),
            )
            .child(control.id(dom_id).view())
            .view()
    });
    let any_set = {
        let keys = keys.clone();
        move || keys.iter().any(|k| router.param(k).is_some())
    };
    let reset = move |_| {
        let cleared: Vec<(&str, String)> = keys.iter().map(|k| (*k, String::new())).collect();
        router.set_params(&cleared, true);
    };
    el("div")
        .attr("role", "search")
        .class("filter-bar")
        .attr_dyn("aria-label", move || Some(i18n.t(c::FILTERS).into()))
        .children(controls)
        .child(
            el("button")
                .attr("type", "button")
                .class("link")
                .flag("disabled", move || !any_set())
                .on("click", reset)
                .word(c::RESET)
                .view(),
        )
        .view()
}
