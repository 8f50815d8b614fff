//! The application shell: banner, navigation, routes.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    hooks::use_params_map,
    path,
};
use shared::area::Area;

use crate::auth::{AccountMenu, ChangePasswordPage, SignInPage, provide_auth, use_auth};
use crate::i18n::{Lang, Msg, provide_i18n, tr, use_i18n};
use crate::users::UsersPage;
use crate::vault::CredentialsPage;

/// The console: the sign-in page until the server knows the user, then the
/// shell.
#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
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
    view! {
        <Router>
            <a class="skip-link" href="#main">{tr(Msg::SkipToContent)}</a>
            <header class="topbar">
                <A href="/" attr:class="brand">{tr(Msg::AppName)}</A>
                <div class="tools">
                    <AccountMenu/>
                    <LanguagePicker/>
                </div>
            </header>
            <div class="frame">
                <MainNav/>
                <main id="main" tabindex="-1">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=Home/>
                        <Route path=path!("/account") view=ChangePasswordPage/>
                        <Route path=path!("/:area") view=AreaPage/>
                    </Routes>
                </main>
            </div>
        </Router>
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
                {move || Area::ALL
                    .into_iter()
                    .filter(|area| auth.can(area.read_action()))
                    .map(|area| {
                        view! {
                            <li>
                                <A href=area.path()>{tr(Msg::Area(area))}</A>
                            </li>
                        }
                    })
                    .collect_view()}
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

/// An area of the console; unknown first segments are the 404 page.
#[component]
fn AreaPage() -> impl IntoView {
    let auth = use_auth();
    let params = use_params_map();
    let area = move || params.with(|p| Area::from_path(&format!("/{}", p.get("area")?)));
    move || match area() {
        Some(area) if !auth.can(area.read_action()) => view! {
            <h1>{tr(Msg::Area(area))}</h1>
            <p role="alert">{tr(Msg::NoAccess)}</p>
        }
        .into_any(),
        Some(Area::Users) => view! { <UsersPage/> }.into_any(),
        Some(Area::Credentials) => view! { <CredentialsPage/> }.into_any(),
        Some(area) => view! {
            <h1>{tr(Msg::Area(area))}</h1>
            <p>{tr(Msg::AreaPending)}</p>
        }
        .into_any(),
        None => NotFound().into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>{tr(Msg::NotFoundTitle)}</h1>
        <p>{tr(Msg::NotFoundBody)}</p>
        <p>
            <A href="/">{tr(Msg::BackHome)}</A>
        </p>
    }
}
