//! The group page's member table in a real browser (wasm-bindgen-test in
//! Chromium): rendering 5,000 members (BENCHMARKS.md).

use frontend::groups::MemberTable;
use frontend::i18n::Lang;
use frontend::json::Json;
use leptos::prelude::*;
use shared::groups::{MemberView, UserId};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Members as the server sends them, parsed by the browser.
fn members(n: usize) -> Vec<Json> {
    let typed: Vec<MemberView> = (1..=n)
        .map(|i| MemberView {
            user_id: UserId::parse(&format!("user{i:05}")).unwrap(),
            name: Some(format!("成员 {i:05}")),
            owner: i == 1,
            admin: i % 400 == 0,
            nickname: None,
        })
        .collect();
    let array = serde_wasm_bindgen::to_value(&typed).unwrap();
    frontend::json::list(&Json::new(array), "")
}

#[wasm_bindgen_test]
async fn a_five_thousand_member_table_renders_one_page_quickly() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let performance = web_sys::window().unwrap().performance().unwrap();
    let rows = RwSignal::new(Vec::new());
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        frontend::i18n::provide_i18n().set_lang(Lang::En);
        view! { <MemberTable rows selection=None/> }
    });
    leptos::task::tick().await;
    let mut times = Vec::new();
    for _ in 0..5 {
        rows.set(Vec::new());
        leptos::task::tick().await;
        let data = members(5000);
        let started = performance.now();
        rows.set(data);
        leptos::task::tick().await;
        let _ = root.offset_height();
        times.push(performance.now() - started);
        let shown = root.query_selector_all("tbody tr").unwrap().length();
        assert_eq!(shown, 25, "one page of rows in the DOM");
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    web_sys::console::log_1(&format!("5,000-member table render (ms): {times:.1?}").into());
    // Reported for BENCHMARKS.md, not asserted: timing is no test.
    web_sys::console::log_1(&format!("median {median:.1} ms").into());
    assert!(root.text_content().unwrap().contains("5000"));
}
