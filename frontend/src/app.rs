//! The application shell: banner, navigation, pages.

use leptos::prelude::*;
use shared::area::Area;

use crate::audit::AuditPage;
use crate::auth::{AccountMenu, ChangePasswordPage, SignInPage, provide_auth, use_auth};
use crate::i18n::{Lang, Msg, provide_i18n, tr, use_i18n};
use crate::robots::RobotsPage;
use crate::router::{Link, provide_router};
use crate::users::UsersPage;
use crate::vault::CredentialsPage;

/// Where the signed-in user changes their own password.
pub const ACCOUNT_PATH: &str = "/account";

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
            path => Area::from_path(path).map_or(Page::NotFound, Page::Area),
        }
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

/// Banner, navigation and pages for a signed-in user.
#[component]
pub fn Shell() -> impl IntoView {
    let router = crate::router::use_router();
    let page = Memo::new(move |_| Page::parse(&router.path()));
    view! {
        <a class="skip-link" href="#main">{tr(Msg::SkipToContent)}</a>
        <header class="topbar">
            <span class="brand">
                <Link href="/">{tr(Msg::AppName)}</Link>
            </span>
            <div class="tools">
                <AccountMenu/>
                <LanguagePicker/>
            </div>
        </header>
        <div class="frame">
            <MainNav/>
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
fn MainNav() -> impl IntoView {
    let auth = use_auth();
    view! {
        <nav aria-label=tr(Msg::MainNav)>
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
        _ => view! {
            <h1>{tr(Msg::Area(area))}</h1>
            <p>{tr(Msg::AreaPending)}</p>
        }
        .into_any(),
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
