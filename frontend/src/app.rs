//! The application shell: banner, navigation, routes.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    hooks::use_params_map,
    path,
};
use shared::area::Area;

use crate::i18n::{Lang, Msg, provide_i18n, use_i18n};

#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_i18n();
    view! {
        <Router>
            <a class="skip-link" href="#main">{move || i18n.t(Msg::SkipToContent)}</a>
            <header class="topbar">
                <A href="/" attr:class="brand">{move || i18n.t(Msg::AppName)}</A>
                <LanguagePicker/>
            </header>
            <div class="frame">
                <MainNav/>
                <main id="main" tabindex="-1">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=Home/>
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
            <label for="language">{move || i18n.t(Msg::Language)}</label>
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

#[component]
fn MainNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav aria-label=move || i18n.t(Msg::MainNav)>
            <ul>
                {Area::ALL
                    .into_iter()
                    .map(|area| {
                        view! {
                            <li>
                                <A href=area.path()>{move || i18n.t(Msg::Area(area))}</A>
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
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t(Msg::HomeTitle)}</h1>
        <p>{move || i18n.t(Msg::HomeIntro)}</p>
    }
}

/// An area of the console; unknown first segments are the 404 page.
#[component]
fn AreaPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let area = move || params.with(|p| Area::from_path(&format!("/{}", p.get("area")?)));
    move || match area() {
        Some(area) => view! {
            <h1>{move || i18n.t(Msg::Area(area))}</h1>
            <p>{move || i18n.t(Msg::AreaPending)}</p>
        }
        .into_any(),
        None => NotFound().into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t(Msg::NotFoundTitle)}</h1>
        <p>{move || i18n.t(Msg::NotFoundBody)}</p>
        <p>
            <A href="/">{move || i18n.t(Msg::BackHome)}</A>
        </p>
    }
}
