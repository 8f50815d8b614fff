//! The application shell: top bar, navigation, the page for the address,
//! and the parts every page shares once (toasts, the review dialog).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Meta;
use shared::area::Area;

use crate::api;
use crate::auth::{ACCOUNT_PATH, AccountMenu, AccountPage, SignInPage, provide_auth, use_auth};
use crate::i18n::common as c;
use crate::i18n::{Lang, T, provide_i18n, tr, use_i18n};
use crate::router::{link, provide_router, use_router};
use crate::ui::dialog::provide_review;
use crate::ui::el::{button, dynamic, el, word};
use crate::ui::toast::provide_toasts;
use crate::ui::{ReviewHost, ToastRegion};

/// The pages of the console, parsed from the location path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    Account,
    Area(Area),
    NotFound,
}

impl Page {
    pub fn parse(path: &str) -> Page {
        match path.trim_end_matches('/') {
            "" => Page::Home,
            ACCOUNT_PATH => Page::Account,
            // One object's page lives under its area (`/groups/{id}`).
            path => Area::ALL
                .into_iter()
                .find(|a| {
                    path.strip_prefix(a.path())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .map_or(Page::NotFound, Page::Area),
        }
    }
}

pub const fn area_text(area: Area) -> T {
    match area {
        Area::ChatConfigs => crate::i18n::chat_configs::TITLE,
        Area::Robots => crate::i18n::robots::TITLE,
        Area::Groups => crate::i18n::groups::TITLE,
        Area::Audit => crate::i18n::audit::TITLE,
        Area::Users => crate::i18n::auth::USERS,
        Area::Credentials => crate::i18n::vault::TITLE,
    }
}

/// After a panic the page no longer reacts: the message goes to the
/// console, the user is told in both languages (the language signal may be
/// what failed), and the document is marked so every browser test that
/// checks a page also catches a panic on it.
pub fn on_panic(info: &std::panic::PanicHookInfo) {
    console_error_panic_hook::hook(info);
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = doc.document_element() {
        let _ = root.set_attribute("data-panicked", "true");
    }
    if let (Ok(note), Some(body)) = (doc.create_element("p"), doc.body()) {
        let _ = note.set_attribute("role", "alert");
        let _ = note.set_attribute("class", "panic");
        note.set_text_content(Some(
            "Something went wrong on this page: reload it to continue. 页面出错，请刷新后继续。",
        ));
        let _ = body.prepend_with_node_1(&note);
    }
}

/// The console: the sign-in page until the server knows the user, then the
/// shell.
#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_router();
    provide_theme();
    provide_toasts();
    provide_review();
    let auth = provide_auth();
    let page = dynamic(move || {
        auth.checked().then(|| {
            if auth.session().is_some() {
                Shell().into_any()
            } else {
                SignedOut().into_any()
            }
        })
    });
    vec![page, ToastRegion().into_any(), ReviewHost().into_any()]
}

/// The page's `<main>`, where the skip link leads.
fn main(page: AnyView) -> AnyView {
    el("main")
        .id("main".into())
        .attr("tabindex", "-1")
        .child(page)
        .view()
}

#[component]
fn SignedOut() -> impl IntoView {
    let header = el("header")
        .class("topbar")
        .child(el("span").class("brand").word(c::APP_NAME).view())
        .child(el("div").class("tools").child(preferences()).view());
    vec![header.view(), main(SignInPage().into_any())]
}

/// Top bar, navigation and the page for a signed-in user. On a narrow
/// screen the navigation folds behind a menu button (CSS decides when).
#[component]
pub fn Shell() -> impl IntoView {
    let router = use_router();
    let page = Memo::new(move |_| Page::parse(&router.path()));
    let menu_open = RwSignal::new(false);
    // Choosing a page closes the menu.
    crate::reactive::effect(move || {
        page.track();
        menu_open.set(false);
    });
    let skip = el("a")
        .class("skip-link")
        .attr("href", "#main")
        .word(c::SKIP_TO_CONTENT);
    let brand = el("span")
        .class("brand")
        .child(link("/".into(), tr(c::APP_NAME).into_any()))
        .child(sandbox_badge());
    let menu = button(c::MENU, move || menu_open.update(|o| *o = !*o))
        .class("menu-button")
        .attr("aria-controls", "main-nav")
        .attr_dyn("aria-expanded", move || {
            Some(if menu_open.get() { "true" } else { "false" }.into())
        });
    let tools = el("div")
        .class("tools")
        .child(AccountMenu().into_any())
        .child(preferences());
    let header = el("header")
        .class("topbar")
        .child(brand.view())
        .child(menu.view())
        .child(tools.view());
    let body = dynamic(move || {
        Some(match page.get() {
            Page::Home => crate::home::HomePage().into_any(),
            Page::Account => AccountPage().into_any(),
            Page::Area(area) => area_page(area),
            Page::NotFound => not_found(),
        })
    });
    let frame = el("div")
        .class("frame")
        .child(main_nav(menu_open))
        .child(main(body));
    vec![skip.view(), header.view(), frame.view()]
}

/// "Sandbox" in the top bar when the built-in sandbox is the upstream, so
/// nobody mistakes its demo data for the real thing.
fn sandbox_badge() -> AnyView {
    let sandbox = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(meta) = api::get::<Meta>("/meta").await {
            sandbox.try_set(meta.sandbox);
        }
    });
    let i18n = use_i18n();
    dynamic(move || {
        sandbox.get().then(|| {
            el("span")
                .class("badge")
                .attr_dyn("title", move || Some(i18n.t(c::SANDBOX_HINT).into()))
                .word(c::SANDBOX)
                .view()
        })
    })
}

/// Light, dark or the system's; remembered in this browser.
#[derive(Clone, Copy)]
struct Theme(RwSignal<String>);

const THEME_KEY: &str = "chatdesk.theme";

fn provide_theme() {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let saved = storage
        .as_ref()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .unwrap_or_default();
    let theme = Theme(RwSignal::new(saved));
    crate::reactive::effect(move || {
        let t = theme.0.get();
        if let Some(s) = &storage {
            let _ = s.set_item(THEME_KEY, &t);
        }
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = if t.is_empty() {
                root.remove_attribute("data-theme")
            } else {
                root.set_attribute("data-theme", &t)
            };
        }
    });
    provide_context(theme);
}

/// The language and theme pickers.
fn preferences() -> AnyView {
    let i18n = use_i18n();
    let theme = expect_context::<Theme>();
    let themes = [
        ("", c::THEME_AUTO),
        ("light", c::THEME_LIGHT),
        ("dark", c::THEME_DARK),
    ];
    let label = |id, t| el("label").attr("for", id).word(t).view();
    let option = |value, selected: Box<dyn Fn() -> bool + Send + Sync>, text: AnyView| {
        el("option")
            .attr("value", value)
            .flag("selected", selected)
            .child(text)
            .view()
    };
    let language = el("select")
        .attr("id", "language")
        .on("change", move |ev| {
            if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
                i18n.set_lang(lang);
            }
        })
        .children(Lang::ALL.map(|lang| {
            option(
                lang.code(),
                Box::new(move || i18n.lang() == lang),
                lang.native_name().into_any(),
            )
        }));
    let theme_picker = el("select")
        .attr("id", "theme")
        .on("change", move |ev| theme.0.set(event_target_value(&ev)))
        .children(themes.map(|(v, t)| option(v, Box::new(move || theme.0.get() == v), word(t))));
    el("div")
        .class("pickers")
        .child(label("language", c::LANGUAGE))
        .child(language.view())
        .child(label("theme", c::THEME))
        .child(theme_picker.view())
        .view()
}

/// The areas the user's role may see.
fn main_nav(open: RwSignal<bool>) -> AnyView {
    let auth = use_auth();
    let i18n = use_i18n();
    let item = |href: &str, t| el("li").child(link(href.into(), word(t))).view();
    let areas = dynamic(move || {
        let items = Area::ALL
            .into_iter()
            .filter(|area| auth.can(area.read_action()))
            .map(|area| item(area.path(), area_text(area)));
        Some(items.collect_view().into_any())
    });
    let list = el("ul").child(item("/", c::HOME)).child(areas);
    el("nav")
        .attr("id", "main-nav")
        .class_if("open", move || open.get())
        .attr_dyn("aria-label", move || Some(i18n.t(c::MAIN_NAV).into()))
        .child(list.view())
        .view()
}

/// An area of the console, or why the user cannot see it.
fn area_page(area: Area) -> AnyView {
    let auth = use_auth();
    dynamic(move || {
        Some(match area {
            _ if !auth.can(area.read_action()) => [
                el("h1").word(area_text(area)).view(),
                el("p").attr("role", "alert").word(c::NO_ACCESS).view(),
            ]
            .into_iter()
            .collect_view()
            .into_any(),
            Area::Users => crate::auth::users::UsersPage().into_any(),
            Area::Credentials => crate::vault::CredentialsPage().into_any(),
            Area::Audit => crate::audit::AuditPage().into_any(),
            Area::Robots => crate::robots::RobotsPage().into_any(),
            Area::ChatConfigs => crate::chat_configs::ChatConfigsPage().into_any(),
            Area::Groups => crate::groups::GroupsPage().into_any(),
        })
    })
}

fn not_found() -> AnyView {
    [
        el("h1").word(c::NOT_FOUND).view(),
        el("p").word(c::NOT_FOUND_BODY).view(),
        el("p").child(link("/".into(), word(c::BACK_HOME))).view(),
    ]
    .into_iter()
    .collect_view()
    .into_any()
}
