//! A detail page's parts: a header with the object's name, a way back to
//! its list and its primary actions; its facts as a description list; and
//! tabs for what hangs off it, the open tab kept in the URL.

use leptos::prelude::*;

use crate::i18n::{T, tr, use_i18n};
use crate::router::{Link, use_router};

#[component]
pub fn DetailHeader(
    #[prop(into)] title: Signal<String>,
    /// The list this object belongs to: its path and name.
    back: (&'static str, T),
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <nav class="breadcrumb" aria-label=tr(crate::i18n::common::DETAILS)>
            <Link href=back.0>{tr(back.1)}</Link>
            <span aria-hidden="true">" / "</span>
        </nav>
        <div class="page-header">
            <h1>{move || title.get()}</h1>
            <div class="toolbar">{children.map(|c| c())}</div>
        </div>
    }
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
    let rows = items
        .into_iter()
        .map(|f| view! { <div><dt>{tr(f.label)}</dt><dd>{f.value}</dd></div> })
        .collect_view();
    view! { <dl class="facts">{rows}</dl> }.into_any()
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
    let buttons = tabs
        .into_iter()
        .enumerate()
        .map(|(i, (key, label))| {
            let on = move || current.get() == key;
            view! {
                <button type="button" role="tab" id=format!("{id}-tab-{key}")
                    aria-controls=format!("{id}-panel")
                    aria-selected=move || if on() { "true" } else { "false" }
                    tabindex=move || if on() { "0" } else { "-1" }
                    on:click=move |_| select(i)
                    on:keydown=move |ev| match ev.key().as_str() {
                        "ArrowRight" => select(i + 1),
                        "ArrowLeft" => select(i + count - 1),
                        _ => {}
                    }>
                    {tr(label)}
                </button>
            }
        })
        .collect_view();
    let bar = view! {
        <div class="tabs" role="tablist" aria-label=move || i18n.t(crate::i18n::common::DETAILS)>
            {buttons}
        </div>
    }
    .into_any();
    (bar, current.into())
}

/// The open tab's panel, labelled by its tab.
pub fn tab_panel(id: &'static str, current: Signal<&'static str>, body: AnyView) -> AnyView {
    view! {
        <div role="tabpanel" id=format!("{id}-panel") tabindex="0"
            aria-labelledby=move || format!("{id}-tab-{}", current.get())>
            {body}
        </div>
    }
    .into_any()
}
