//! The chat configurations page: every account's configurations region by
//! region (a region that fails is named, and hides no other), filtered in
//! the URL; a drawer to create one; each configuration's own page.

mod detail;
mod forms;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::area::Area;
use shared::auth::Action;

use self::forms::{PLATFORMS, api_path, create_drawer, edit_drawer, row_key};
use crate::api;
use crate::auth::use_auth;
use crate::i18n::chat_configs as tx;
use crate::i18n::common as c;
use crate::i18n::use_i18n;
use crate::router::use_router;
use crate::ui::el::dynamic;
use crate::ui::{
    AccountPick, Column, DataTable, Filter, Json, Opt, Remote, RowAction, button, choices, delete,
    failed_source, filter_bar, json, page_header, param, use_toasts,
};

/// A row: the configuration as the server sent it (`ChatConfigRow`),
/// with the `account_name` of the account it belongs to added.
fn parts(r: &Json) -> [String; 3] {
    [
        json::s(r, "/account_id"),
        json::s(r, "/summary/region_id"),
        json::s(r, "/summary/name"),
    ]
}

fn key(r: &Json) -> String {
    let [account, region, name] = parts(r);
    row_key(&account, &region, &name)
}

fn name(r: &Json) -> String {
    json::text(r, "/summary/name")
}

fn item_path(r: &Json) -> String {
    let [account, region, name] = parts(r);
    api_path(&account, &region, &name)
}

/// Which drawer is open.
#[derive(Clone)]
enum Open {
    New,
    Edit(Json),
}

#[component]
pub fn ChatConfigsPage() -> impl IntoView {
    let sub = crate::router::sub_path(Area::ChatConfigs);
    dynamic(move || {
        Some(match sub.get() {
            Some(rest) => detail::Detail(detail::DetailProps { rest }).into_any(),
            None => ListPage().into_any(),
        })
    })
}

/// `(value, label)` pairs seen so far, kept when a filter narrows the
/// answer (the filter's own choices must not vanish).
fn seen(into: RwSignal<Vec<Opt>>, found: Vec<Opt>) {
    into.update(|all| {
        for o in found {
            if !all.contains(&o) {
                all.push(o);
            }
        }
    });
}

#[component]
fn ListPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let router = use_router();
    let write = move || auth.can(Action::ChatConfigsWrite);
    let pick = AccountPick::alibaba(write());
    let (account, region, kind, label) = (
        param("account"),
        param("region"),
        param("type"),
        param("label"),
    );
    // A memo: only a filter the server applies loads again (not the
    // search box, which filters the rows here, nor `new`).
    let path = Memo::new(move |_| {
        let query = shared::chat_configs::ListParams {
            account_id: Some(account.get()).filter(|s| !s.is_empty()),
            regions: Some(region.get()).filter(|s| !s.is_empty()),
            platform: shared::chat_configs::ChatPlatform::parse(&kind.get()),
            label: Some(label.get()).filter(|s| !s.is_empty()),
            name: None,
        }
        .to_query();
        format!("/chat-configs?{query}")
    });
    let list = Remote::follow(move || Some(path.get()));
    let regions_answered = move || list.items("/regions");
    let (accounts, regions, labels) = (
        RwSignal::new(vec![]),
        RwSignal::new(vec![]),
        RwSignal::new(vec![]),
    );
    let configs = |r: &Json| json::list(r, "/outcome/loaded/configs");
    crate::reactive::effect(move || {
        for r in regions_answered() {
            let (account, region) = (json::s(&r, "/account_id"), json::s(&r, "/region_id"));
            seen(
                accounts,
                vec![Opt::new(account, json::s(&r, "/account_name"))],
            );
            seen(regions, vec![Opt::new(&region, &region)]);
            let found = configs(&r)
                .iter()
                .flat_map(|c| json::strings(c, "/labels"))
                .collect::<Vec<_>>();
            seen(labels, found.iter().map(|l| Opt::new(l, l)).collect());
        }
    });
    let rows = Signal::derive(move || {
        regions_answered()
            .iter()
            .flat_map(|r| {
                let account = json::text(r, "/account_name");
                configs(r)
                    .into_iter()
                    .map(move |c| json::with(&c, "account_name", &account))
            })
            .collect::<Vec<_>>()
    });
    // Each region that failed, named, with the reason in words.
    let failures = move || {
        regions_answered()
            .into_iter()
            .filter_map(|r| {
                let failure = api::failure_of(&json::at(&r, "/outcome/failed/error"))?;
                let named = i18n.fill(
                    tx::REGION_FAILED,
                    &[&json::s(&r, "/account_name"), &json::s(&r, "/region_id")],
                );
                Some(failed_source(named, failure))
            })
            .collect_view()
    };
    let open = RwSignal::new(None::<Open>);
    let mut columns = vec![
        Column::link(c::NAME, "/summary/name", item_path),
        Column::word(tx::PLATFORM, "/summary/platform", PLATFORMS),
        Column::at(tx::REGION, "/summary/region_id"),
        Column::at(tx::ACCOUNT, "/account_name"),
        Column::text(tx::LABELS, |r| json::joined(r, "/labels")),
        Column::time(c::UPDATED, "/summary/updated"),
    ];
    if write() {
        let edit = RowAction::new(c::EDIT, move |r: &Json| {
            let path = item_path(r);
            spawn_local(async move {
                match api::get::<Json>(&path).await {
                    Ok(d) => open.set(Some(Open::Edit(d))),
                    Err(f) => toasts.failed(&f),
                }
            });
        });
        let delete = RowAction::new(c::DELETE, move |r: &Json| {
            let (name, region) = (name(r), json::text(r, "/summary/region_id"));
            let question = i18n.fill(tx::DELETE_Q, &[&name, &region]);
            let reload = Callback::new(move |()| list.reload());
            delete(item_path(r), name, question, reload);
        })
        .danger();
        columns.push(Column::actions(name, vec![edit, delete]));
    }
    let drawer = move || {
        let close = Callback::new(move |()| open.set(None));
        open.get().map(|which| match which {
            Open::New => {
                let created = Callback::new(move |key: String| {
                    router.set_params(&[("new", key)], false);
                    list.reload();
                });
                create_drawer(pick, regions.into(), created, close)
            }
            Open::Edit(d) => edit_drawer(d, Callback::new(move |()| list.reload()), close),
        })
    };
    vec![
        page_header(
            tx::TITLE,
            if write() {
                vec![
                    button(tx::NEW, move || open.set(Some(Open::New)))
                        .class("primary")
                        .view(),
                ]
            } else {
                Vec::new()
            },
        ),
        filter_bar(
            "chat-config-filters",
            vec![
                Filter::search("q", c::SEARCH),
                Filter::choice("account", tx::ACCOUNT, accounts.into()),
                Filter::choice("region", tx::REGION, regions.into()),
                Filter::choice("type", tx::PLATFORM, choices(PLATFORMS)),
                Filter::choice("label", tx::LABELS, labels.into()),
            ],
        ),
        dynamic(move || Some(failures().into_any())),
        view! {
            <DataTable id="chat-configs" caption=tx::TITLE rows=rows columns=columns key=key
                name=name filter=name search=param("q")
                highlight=Signal::derive(move || router.param("new")) loading=list.loading
                error=list.error/>
        }
        .into_any(),
        dynamic(drawer),
    ]
}
