//! The application shell: banner, navigation, routes.

use leptos::prelude::*;
use shared::area::Area;

use crate::audit::AuditPage;
use crate::i18n::{Lang, Msg, provide_i18n, use_i18n};
use crate::router::{Link, provide_router};

/// The pages of the console, parsed from the location path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    Area(Area),
    NotFound,
}

impl Page {
    pub fn parse(path: &str) -> Page {
        match path {
            "" | "/" => Page::Home,
            _ => Area::from_path(path.trim_end_matches('/')).map_or(Page::NotFound, Page::Area),
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_i18n();
    let router = provide_router();
    let page = Memo::new(move |_| Page::parse(&router.path()));
    view! {
        <a class="skip-link" href="#main">{move || i18n.t(Msg::SkipToContent)}</a>
        <header class="topbar">
            <span class="brand">
                <Link href="/">{move || i18n.t(Msg::AppName)}</Link>
            </span>
            <LanguagePicker/>
        </header>
        <div class="frame">
            <MainNav/>
            <main id="main" tabindex="-1">
                {move || match page.get() {
                    Page::Home => Home().into_any(),
                    Page::Area(Area::Audit) => AuditPage().into_any(),
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
                                <Link href=area.path()>{move || i18n.t(Msg::Area(area))}</Link>
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

#[component]
fn AreaPage(area: Area) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t(Msg::Area(area))}</h1>
        <p>{move || i18n.t(Msg::AreaPending)}</p>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t(Msg::NotFoundTitle)}</h1>
        <p>{move || i18n.t(Msg::NotFoundBody)}</p>
        <p>
            <Link href="/">{move || i18n.t(Msg::BackHome)}</Link>
        </p>
    }
}
