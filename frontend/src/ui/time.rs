//! One time format everywhere: the user's local time with its UTC offset,
//! the exact UTC instant on hover and for machines (`<time datetime>`).
//! And one copy-to-clipboard button.

use leptos::prelude::*;

use crate::i18n::common as c;
use crate::i18n::{T, use_i18n};
use crate::ui::el::{el, text};

fn two(n: u32) -> String {
    format!("{n:02}")
}

/// `2026-12-02 12:51 UTC+8` in the browser's zone.
pub fn local_text(millis: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    // getTimezoneOffset is minutes *behind* UTC.
    let offset = -(d.get_timezone_offset() as i32);
    let sign = if offset < 0 { '-' } else { '+' };
    let (h, m) = (offset.abs() / 60, offset.abs() % 60);
    let zone = if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    };
    format!(
        "{}-{}-{} {}:{} {zone}",
        d.get_full_year(),
        two(d.get_month() + 1),
        two(d.get_date()),
        two(d.get_hours()),
        two(d.get_minutes()),
    )
}

/// The exact instant, `2026-12-02T04:51:45.123Z`.
pub fn utc_text(millis: i64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64))
        .to_iso_string()
        .into()
}

/// A timestamp (epoch milliseconds) as the console shows every time.
#[component]
pub fn Time(millis: i64) -> impl IntoView {
    let utc = utc_text(millis);
    el("time")
        .attr_s("datetime", utc.clone())
        .attr_s("title", utc)
        .child(local_text(millis).into_any())
        .view()
}

/// Copies `value`; says whether it worked, next to itself.
#[component]
pub fn CopyButton(
    /// What is copied, for the button's accessible name ("Copy RequestId").
    what: T,
    #[prop(into)] value: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let Some(window) = web_sys::window() else {
            state.set(Some(false));
            return;
        };
        let promise = window.navigator().clipboard().write_text(&value);
        leptos::task::spawn_local(async move {
            // Refused without focus or permission: say so, never pretend.
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            state.try_set(Some(ok));
        });
    };
    let button = el("button")
        .attr("type", "button")
        .class("link copy")
        .on("click", copy)
        .attr_dyn("aria-label", move || {
            Some(i18n.fill(c::COPY, &[i18n.t(what)]))
        })
        .word(c::COPY_SHORT);
    let said = move || {
        state
            .get()
            .map(|ok| {
                i18n.t(if ok { c::COPIED } else { c::COPY_FAILED })
                    .to_owned()
            })
            .unwrap_or_default()
    };
    let status = el("span")
        .attr("role", "status")
        .class("copy-status")
        .child(text(said));
    [button.view(), status.view()].into_iter().collect_view()
}

/// A value in `<code>` with its copy button (an id, a link).
pub fn code_copy(what: T, value: String) -> AnyView {
    [
        el("code").child(value.clone().into_any()).view(),
        " ".into_any(),
        CopyButton(CopyButtonProps { what, value }).into_any(),
    ]
    .into_iter()
    .collect_view()
    .into_any()
}
