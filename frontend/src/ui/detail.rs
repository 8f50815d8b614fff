//! A detail page's parts: a header with the object's name, a way back to
//! its list and its primary actions; its facts as a description list; and
//! tabs for what hangs off it, the open tab kept in the URL.

use leptos::prelude::*;

use crate::i18n::{T, tr, use_i18n};
use crate::router::{link, use_router};
use crate::ui::el::{el, text};

/// The object's name as the page's `<h1>`, the way back to its list, and
/// its primary actions.
pub fn detail_header(
    title: Signal<String>,
    // The list this object belongs to: its path and name.
    back: (&'static str, T),
    actions: Vec<AnyView>,
) -> AnyView {
    let i18n = use_i18n();
    let nav = el("nav")
        .class("breadcrumb")
        .attr_dyn("aria-label", move || {
            Some(i18n.t(crate::i18n::common::DETAILS).into())
        })
        .child(link(back.0.into(), tr(back.1).into_any()))
        .child(el("span").attr("aria-hidden", "true").text(" / ").view());
    let toolbar = el("div").class("toolbar").children(actions);
    let header = el("div")
        .class("page-header")
        .child(el("h1").child(text(move || title.get())).view())
        .child(toolbar.view());
    [nav.view(), header.view()]
        .into_iter()
        .collect_view()
        .into_any()
}

/// One fact: a label and its value (any view: a time, a badge, a copy
/// button).
pub struct Fact {
    pub label: T,
    pub value: AnyView,
}

pub fn fact(label: T, value: impl IntoView + 'static) -> Fact {
    Fact {
        label,
        value: value.into_any(),
    }
}

/// Facts as a two-column description list.
pub fn facts(items: Vec<Fact>) -> AnyView {
    let rows = items.into_iter().map(|f| {
        el("div")
            .child(el("dt").word(f.label).view())
            .child(el("dd").child(f.value).view())
            .view()
    });
    el("dl").class("facts").children(rows).view()
}

/// The tabs of a detail page; returns the bar and the open tab's key (the
/// URL's `tab`, else the first). Arrow keys move between tabs.
pub fn tabs(id: &'static str, tabs: Vec<(&'static str, T)>) -> (AnyView, Signal<&'static str>) {
    let router = use_router();
    let i18n = use_i18n();
    let keys: Vec<&'static str> = tabs.iter().map(|t| t.0).collect();
    let first = keys[0];
    let current = {
        let keys = keys.clone();
        // A memo: typing in a tab's filter changes the query, not the tab,
        // and must not redraw the panel.
        Memo::new(move |_| {
            let wanted = router.param("tab");
            keys.iter()
                .copied()
                .find(|k| wanted.as_deref() == Some(*k))
                .unwrap_or(first)
        })
    };
    let count = keys.len();
    let keys = StoredValue::new(keys);
    let select = move |i: usize| {
        let key = keys.with_value(|k| k[i % count]);
        router.set_params(
            &[(
                "tab",
                if key == first {
                    String::new()
                } else {
                    key.to_owned()
                },
            )],
            true,
        );
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("{id}-tab-{key}")))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    };
    let buttons = tabs.into_iter().enumerate().map(|(i, (key, label))| {
        let on = move || current.get() == key;
        el("button")
            .attr("type", "button")
            .attr("role", "tab")
            .id(format!("{id}-tab-{key}"))
            .attr_s("aria-controls", format!("{id}-panel"))
            .attr_dyn("aria-selected", move || Some(on().to_string()))
            .attr_dyn("tabindex", move || {
                Some(if on() { "0" } else { "-1" }.into())
            })
            .on("click", move |_| select(i))
            .on(
                "keydown",
                move |ev| match wasm_bindgen::JsCast::unchecked_ref::<web_sys::KeyboardEvent>(&ev)
                    .key()
                    .as_str()
                {
                    "ArrowRight" => select(i + 1),
                    "ArrowLeft" => select(i + count - 1),
                    _ => {}
                },
            )
            .word(label)
            .view()
    });
    let bar = el("div")
        .class("tabs")
        .attr("role", "tablist")
        .attr_dyn("aria-label", move || {
            Some(i18n.t(crate::i18n::common::DETAILS).into())
        })
        .children(buttons)
        .view();
    (bar, current.into())
}

/// The open tab's panel, labelled by its tab.
pub fn tab_panel(id: &'static str, current: Signal<&'static str>, body: AnyView) -> AnyView {
    el("div")
        .attr("role", "tabpanel")
        .id(format!("{id}-panel"))
        .attr("tabindex", "0")
        .attr_dyn("aria-labelledby", move || {
            Some(format!("{id}-tab-{}", current.get()))
        })
        .child(body)
        .view()
}
