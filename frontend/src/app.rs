//! The application shell: banner, navigation, pages.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Meta;
use shared::area::Area;

use crate::api;
use crate::audit::AuditPage;
use crate::auth::{
    ACCOUNT_PATH, AccountMenu, ChangePasswordPage, SignInPage, provide_auth, use_auth,
};
use crate::chat_configs::ChatConfigsPage;
use crate::groups::GroupsPage;
use crate::i18n::{Lang, Msg, UiMsg, provide_i18n, tr, use_i18n};
use crate::robots::RobotsPage;
use crate::router::{Link, provide_router};
use crate::users::UsersPage;
use crate::vault::CredentialsPage;

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
            // One group's or chat configuration's page lives under its area.
            path if let Some(area) = [Area::Groups, Area::ChatConfigs].into_iter().find(|a| {
                path.strip_prefix(a.path())
                    .is_some_and(|rest| rest.starts_with('/'))
            }) =>
            {
                Page::Area(area)
            }
            path => Area::from_path(path).map_or(Page::NotFound, Page::Area),
        }
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
    let auth = provide_auth();
    move || {
        if !auth.checked() {
            ().into_any()
        } else if auth.session().is_some() {
            view! { <Shell/> }.into_any()
        } else {
            view! { <SignedOut/> }.into_any()
        }
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    view! {
        <header class="topbar">
            <span class="brand">{tr(Msg::AppName)}</span>
            <LanguagePicker/>
        </header>
        <main id="main" tabindex="-1">
            <SignInPage/>
        </main>
    }
}

/// Banner, navigation and pages for a signed-in user. On a narrow screen
/// the navigation folds behind a menu button (CSS decides when).
#[component]
pub fn Shell() -> impl IntoView {
    let router = crate::router::use_router();
    let page = Memo::new(move |_| Page::parse(&router.path()));
    let menu_open = RwSignal::new(false);
    // Choosing a page closes the menu.
    Effect::new(move |_| {
        page.track();
        menu_open.set(false);
    });
    view! {
        <a class="skip-link" href="#main">{tr(Msg::SkipToContent)}</a>
        <header class="topbar">
            <span class="brand">
                <Link href="/">{tr(Msg::AppName)}</Link>
                <SandboxBadge/>
            </span>
            <button type="button" class="menu-button" aria-controls="main-nav"
                aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                on:click=move |_| menu_open.update(|o| *o = !*o)>
                {tr(Msg::Ui(UiMsg::Menu))}
            </button>
            <div class="tools">
                <AccountMenu/>
                <LanguagePicker/>
            </div>
        </header>
        <div class="frame">
            <MainNav open=menu_open/>
            <main id="main" tabindex="-1">
                {move || match page.get() {
                    Page::Home => Home().into_any(),
                    Page::Account => ChangePasswordPage().into_any(),
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
            sandbox.set(meta.sandbox);
        }
    });
    move || {
        sandbox.get().then(|| {
            view! {
                <span class="badge" title=tr(Msg::Ui(UiMsg::SandboxHint))>
                    {tr(Msg::Ui(UiMsg::Sandbox))}
                </span>
            }
        })
    }
}

#[component]
fn LanguagePicker() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev| {
        if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
            i18n.set_lang(lang);
        }
    };
    view! {
        <div class="language">
            <label for="language">{tr(Msg::Language)}</label>
            <select id="language" on:change=on_change>
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <option value=lang.code() selected=move || i18n.lang() == lang>
                                {lang.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The areas the user's role may see.
#[component]
fn MainNav(open: RwSignal<bool>) -> impl IntoView {
    let auth = use_auth();
    view! {
        <nav id="main-nav" class:open=move || open.get() aria-label=tr(Msg::MainNav)>
            <ul>
                {move || {
                    Area::ALL
                        .into_iter()
                        .filter(|area| auth.can(area.read_action()))
                        .map(|area| {
                            view! {
                                <li>
                                    <Link href=area.path()>{tr(Msg::Area(area))}</Link>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </nav>
    }
}

#[component]
fn Home() -> impl IntoView {
    view! {
        <h1>{tr(Msg::HomeTitle)}</h1>
        <p>{tr(Msg::HomeIntro)}</p>
    }
}

/// An area of the console, or why the user cannot see it.
#[component]
fn AreaPage(area: Area) -> impl IntoView {
    let auth = use_auth();
    move || match area {
        _ if !auth.can(area.read_action()) => view! {
            <h1>{tr(Msg::Area(area))}</h1>
            <p role="alert">{tr(Msg::NoAccess)}</p>
        }
        .into_any(),
        Area::Users => UsersPage().into_any(),
        Area::Credentials => CredentialsPage().into_any(),
        Area::Audit => AuditPage().into_any(),
        Area::Robots => RobotsPage().into_any(),
        Area::ChatConfigs => ChatConfigsPage().into_any(),
        Area::Groups => GroupsPage().into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>{tr(Msg::NotFoundTitle)}</h1>
        <p>{tr(Msg::NotFoundBody)}</p>
        <p>
            <Link href="/">{tr(Msg::BackHome)}</Link>
        </p>
    }
}
