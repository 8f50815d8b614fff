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
    view! {
        {move || {
            if !auth.checked() {
                ().into_any()
            } else if auth.session().is_some() {
                view! { <Shell/> }.into_any()
            } else {
                view! { <SignedOut/> }.into_any()
            }
        }}
        <ToastRegion/>
        <ReviewHost/>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    view! {
        <header class="topbar">
            <span class="brand">{tr(c::APP_NAME)}</span>
            <div class="tools"><Preferences/></div>
        </header>
        <main id="main" tabindex="-1">
            <SignInPage/>
        </main>
    }
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
    view! {
        <a class="skip-link" href="#main">{tr(c::SKIP_TO_CONTENT)}</a>
        <header class="topbar">
            <span class="brand">
                {link("/".into(), tr(c::APP_NAME).into_any())}
                <SandboxBadge/>
            </span>
            <button type="button" class="menu-button" aria-controls="main-nav"
                aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                on:click=move |_| menu_open.update(|o| *o = !*o)>
                {tr(c::MENU)}
            </button>
            <div class="tools">
                <AccountMenu/>
                <Preferences/>
            </div>
        </header>
        <div class="frame">
            <MainNav open=menu_open/>
            <main id="main" tabindex="-1">
                {move || match page.get() {
                    Page::Home => crate::home::HomePage().into_any(),
                    Page::Account => AccountPage().into_any(),
                    Page::Area(area) => AreaPage(AreaPageProps { area }).into_any(),
                    Page::NotFound => NotFound().into_any(),
                }}
            </main>
        </div>
    }
}

/// "Sandbox" in the top bar when the built-in sandbox is the upstream, so
/// nobody mistakes its demo data for the real thing.
#[component]
fn SandboxBadge() -> impl IntoView {
    let sandbox = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(meta) = api::get::<Meta>("/meta").await {
            sandbox.try_set(meta.sandbox);
        }
    });
    let i18n = use_i18n();
    move || {
        sandbox.get().then(|| {
            view! {
                <span class="badge" title=move || i18n.t(c::SANDBOX_HINT)>{tr(c::SANDBOX)}</span>
            }
        })
    }
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
#[component]
fn Preferences() -> impl IntoView {
    let i18n = use_i18n();
    let theme = expect_context::<Theme>();
    let themes = [
        ("", c::THEME_AUTO),
        ("light", c::THEME_LIGHT),
        ("dark", c::THEME_DARK),
    ];
    view! {
        <div class="pickers">
            <label for="language">{tr(c::LANGUAGE)}</label>
            <select id="language" on:change=move |ev| {
                if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
                    i18n.set_lang(lang);
                }
            }>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.code() selected=move || i18n.lang() == lang>
                        {lang.native_name()}
                    </option>
                }).collect_view()}
            </select>
            <label for="theme">{tr(c::THEME)}</label>
            <select id="theme" on:change=move |ev| theme.0.set(event_target_value(&ev))>
                {themes.into_iter().map(|(v, t)| view! {
                    <option value=v selected=move || theme.0.get() == v>{tr(t)}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// The areas the user's role may see.
#[component]
fn MainNav(open: RwSignal<bool>) -> impl IntoView {
    let auth = use_auth();
    view! {
        <nav id="main-nav" class:open=move || open.get() aria-label=tr(c::MAIN_NAV)>
            <ul>
                <li>{link("/".into(), tr(c::HOME).into_any())}</li>
                {move || Area::ALL
                    .into_iter()
                    .filter(|area| auth.can(area.read_action()))
                    .map(|area| view! { <li>{link(area.path().into(), tr(area_text(area)).into_any())}</li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// An area of the console, or why the user cannot see it.
#[component]
fn AreaPage(area: Area) -> impl IntoView {
    let auth = use_auth();
    move || match area {
        _ if !auth.can(area.read_action()) => view! {
            <h1>{tr(area_text(area))}</h1>
            <p role="alert">{tr(c::NO_ACCESS)}</p>
        }
        .into_any(),
        Area::Users => crate::auth::users::UsersPage().into_any(),
        Area::Credentials => crate::vault::CredentialsPage().into_any(),
        Area::Audit => crate::audit::AuditPage().into_any(),
        Area::Robots => crate::robots::RobotsPage().into_any(),
        Area::ChatConfigs => crate::chat_configs::ChatConfigsPage().into_any(),
        Area::Groups => crate::groups::GroupsPage().into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>{tr(c::NOT_FOUND)}</h1>
        <p>{tr(c::NOT_FOUND_BODY)}</p>
        <p>{link("/".into(), tr(c::BACK_HOME).into_any())}</p>
    }
}
