//! The shell mounted in a real browser (wasm-bindgen-test in Chromium).

use frontend::i18n::{Lang, Msg, text};
use leptos::prelude::*;
use shared::area::Area;
use shared::auth::{Action, Role, SessionInfo, User, permissions};
use shared::vault::{DingTalkApi, DingTalkSite, SignatureKind};
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
    let handle = mount_shell(&root, Role::Admin);
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

fn session(role: Role) -> SessionInfo {
    SessionInfo {
        user: User {
            id: "u1".into(),
            username: "tester".into(),
            role,
            disabled: false,
            created_at: 0,
        },
        csrf_token: "t".into(),
        permissions: permissions(role),
    }
}

/// The signed-in shell for `role`, in English, mounted under `root`.
fn mount_shell(
    root: &web_sys::Element,
    role: Role,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        let i18n = frontend::i18n::provide_i18n();
        i18n.set_lang(Lang::En);
        frontend::router::provide_router();
        frontend::auth::provide_session(session(role));
        view! { <frontend::app::Shell/> }
    })
}

#[wasm_bindgen_test]
async fn navigation_follows_the_role() {
    for (role, expected) in [
        (
            Role::Helpdesk,
            vec![Area::ChatConfigs, Area::Robots, Area::Groups],
        ),
        (Role::Auditor, Area::ALL.to_vec()),
    ] {
        let root = document().create_element("div").unwrap();
        document().body().unwrap().append_child(&root).unwrap();
        let handle = mount_shell(&root, role);
        leptos::task::tick().await;
        let texts: Vec<_> = expected
            .iter()
            .map(|a| text(Lang::En, Msg::Area(*a)).to_owned())
            .collect();
        assert_eq!(nav_texts(&root), texts, "{role:?}");
        drop(handle);
        root.remove();
    }
    assert!(!shared::auth::allows(Role::Auditor, Action::UsersManage));
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
        Msg::NotFoundTitle,
        Msg::NotFoundBody,
        Msg::BackHome,
        Msg::NoAccess,
        Msg::SignInTitle,
        Msg::Username,
        Msg::Password,
        Msg::SignIn,
        Msg::WrongCredentials,
        Msg::TooManyAttempts,
        Msg::AccountMenu,
        Msg::SignOut,
        Msg::ChangePassword,
        Msg::CurrentPassword,
        Msg::NewPassword,
        Msg::ConfirmPassword,
        Msg::PasswordsDiffer,
        Msg::PasswordRule,
        Msg::RoleLabel,
        Msg::Status,
        Msg::Enabled,
        Msg::Disabled,
        Msg::Disable,
        Msg::Enable,
        Msg::ResetPassword,
        Msg::SetPassword,
        Msg::Cancel,
        Msg::Actions,
        Msg::CreateUser,
        Msg::Create,
        Msg::Done,
        Msg::AlibabaAccounts,
        Msg::DingTalkApps,
        Msg::Name,
        Msg::AccessKeyId,
        Msg::AccessKeySecret,
        Msg::StsToken,
        Msg::Signature,
        Msg::Regions,
        Msg::RegionsHint,
        Msg::Fingerprint,
        Msg::AppKey,
        Msg::AppSecret,
        Msg::SiteLabel,
        Msg::ApiPreference,
        Msg::Add,
        Msg::Delete,
        Msg::ReplaceSecret,
        Msg::WriteOnlyNote,
        Msg::Yes,
        Msg::No,
    ]
    .into_iter()
    .chain(Area::ALL.map(Msg::Area))
    .chain(Role::ALL.map(Msg::Role))
    .chain(SignatureKind::ALL.map(Msg::SignatureKind))
    .chain(DingTalkSite::ALL.map(Msg::Site))
    .chain(DingTalkApi::ALL.map(Msg::Api));
    // Product terms that both languages write the same way.
    let same = [Msg::AppName, Msg::AccessKeyId, Msg::AppKey, Msg::AppSecret];
    for msg in all {
        for lang in Lang::ALL {
            assert!(
                !text(lang, msg).trim().is_empty(),
                "{msg:?} is empty in {lang:?}"
            );
        }
        if !same.contains(&msg) {
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
    let handle = mount_shell(&root, Role::Admin);
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
