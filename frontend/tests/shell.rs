//! The shell mounted in a real browser (wasm-bindgen-test in Chromium).

use frontend::i18n::{Lang, Msg, text};
use shared::area::Area;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn nav_texts(root: &web_sys::Element) -> Vec<String> {
    let links = root.query_selector_all("nav a").unwrap();
    (0..links.length())
        .map(|i| links.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn language_switch_changes_navigation() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item("chatdesk.lang", "en")
        .unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), frontend::App);
    leptos::task::tick().await;

    let english: Vec<_> = Area::ALL
        .iter()
        .map(|a| text(Lang::En, Msg::Area(*a)).to_owned())
        .collect();
    assert_eq!(nav_texts(&root), english);

    let select: web_sys::HtmlSelectElement = root
        .query_selector("select#language")
        .unwrap()
        .unwrap()
        .unchecked_into();
    select.set_value("zh-CN");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    leptos::task::tick().await;

    let chinese: Vec<_> = Area::ALL
        .iter()
        .map(|a| text(Lang::ZhCn, Msg::Area(*a)).to_owned())
        .collect();
    assert_eq!(nav_texts(&root), chinese);
    assert_eq!(
        document()
            .document_element()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("zh-CN")
    );
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("chatdesk.lang")
        .unwrap();
    assert_eq!(stored.as_deref(), Some("zh-CN"));
    drop(handle);
}

#[wasm_bindgen_test]
fn every_message_is_translated() {
    let all = [
        Msg::AppName,
        Msg::SkipToContent,
        Msg::MainNav,
        Msg::Language,
        Msg::HomeTitle,
        Msg::HomeIntro,
        Msg::AreaPending,
        Msg::NotFoundTitle,
        Msg::NotFoundBody,
        Msg::BackHome,
    ]
    .into_iter()
    .chain(Area::ALL.map(Msg::Area));
    for msg in all {
        for lang in Lang::ALL {
            assert!(
                !text(lang, msg).trim().is_empty(),
                "{msg:?} is empty in {lang:?}"
            );
        }
        if msg != Msg::AppName {
            assert_ne!(
                text(Lang::En, msg),
                text(Lang::ZhCn, msg),
                "{msg:?} is not translated"
            );
        }
    }
}

#[wasm_bindgen_test]
fn browser_language_tags_are_understood() {
    assert_eq!(Lang::from_code("zh-Hans-CN"), Some(Lang::ZhCn));
    assert_eq!(Lang::from_code("zh_CN"), Some(Lang::ZhCn));
    assert_eq!(Lang::from_code("en-GB"), Some(Lang::En));
    assert_eq!(Lang::from_code("fr"), None);
    for lang in Lang::ALL {
        assert_eq!(Lang::from_code(lang.code()), Some(lang));
    }
}

#[wasm_bindgen_test]
fn paths_parse_into_pages() {
    use frontend::app::Page;
    assert_eq!(Page::parse("/"), Page::Home);
    assert_eq!(Page::parse(""), Page::Home);
    assert_eq!(Page::parse("/robots"), Page::Area(Area::Robots));
    assert_eq!(Page::parse("/robots/"), Page::Area(Area::Robots));
    assert_eq!(Page::parse("/robotsx"), Page::NotFound);
    assert_eq!(Page::parse("/no/such/page"), Page::NotFound);
}

#[wasm_bindgen_test]
async fn links_navigate_without_reload_and_mark_the_current_page() {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), frontend::App);
    leptos::task::tick().await;

    let link = |href: &str| -> web_sys::HtmlElement {
        root.query_selector(&format!("nav a[href='{href}']"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    link("/groups").click();
    leptos::task::tick().await;
    assert_eq!(
        web_sys::window().unwrap().location().pathname().unwrap(),
        "/groups"
    );
    assert_eq!(
        link("/groups").get_attribute("aria-current").as_deref(),
        Some("page")
    );
    assert_eq!(link("/robots").get_attribute("aria-current"), None);
    let heading = root
        .query_selector("main h1")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(
        heading,
        text(
            Lang::from_code(
                &document()
                    .document_element()
                    .unwrap()
                    .get_attribute("lang")
                    .unwrap()
            )
            .unwrap(),
            Msg::Area(Area::Groups)
        )
    );
    drop(handle);
}
