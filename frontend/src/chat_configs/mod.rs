//! The chat configurations page: every account's configurations region by
//! region (a region that fails is named, and hides no other), filtered in
//! the URL; a drawer to create one; each configuration's own page.

mod detail;
mod forms;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::area::Area;
use shared::auth::Action;
use shared::chat_configs::{ChatConfigDetail, ChatConfigList, ChatConfigRow, RegionOutcome};

use self::forms::{PLATFORMS, api_path, create_drawer, edit_drawer, platform_text, row_key};
use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::chat_configs as tx;
use crate::i18n::common as c;
use crate::i18n::{tr, use_i18n};
use crate::router::{Link, use_router};
use crate::ui::{
    AccountPick, Column, DataTable, ErrorPanel, Filter, FilterBar, Opt, PageHeader, Remote,
    RowAction, SortKey, Time, choices, confirm_danger, param, use_review, use_toasts,
};

/// A row: the configuration and the account it belongs to.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    account_name: String,
    row: ChatConfigRow,
}

impl Row {
    fn key(&self) -> String {
        let s = &self.row.summary;
        row_key(&self.row.account_id, s.region_id.as_str(), s.name.as_str())
    }

    fn name(&self) -> String {
        self.row.summary.name.as_str().to_owned()
    }

    fn path(&self) -> String {
        let s = &self.row.summary;
        api_path(&self.row.account_id, s.region_id.as_str(), s.name.as_str())
    }
}

/// Which drawer is open.
#[derive(Clone)]
enum Open {
    New,
    Edit(Box<ChatConfigDetail>),
}

#[component]
pub fn ChatConfigsPage() -> impl IntoView {
    let sub = crate::router::sub_path(Area::ChatConfigs);
    move || match sub.get() {
        Some(rest) => detail::Detail(detail::DetailProps { rest }).into_any(),
        None => ListPage().into_any(),
    }
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
    let review = use_review();
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
    let list = Remote::<ChatConfigList>::follow(move || Some(path.get()));
    let (accounts, regions, labels) = (
        RwSignal::new(vec![]),
        RwSignal::new(vec![]),
        RwSignal::new(vec![]),
    );
    Effect::new(move |_| {
        list.value.with(|l| {
            for r in l.iter().flat_map(|l| &l.regions) {
                seen(accounts, vec![Opt::new(&r.account_id, &r.account_name)]);
                seen(
                    regions,
                    vec![Opt::new(r.region_id.as_str(), r.region_id.as_str())],
                );
                if let RegionOutcome::Loaded { configs } = &r.outcome {
                    let found = configs.iter().flat_map(|c| &c.labels);
                    seen(
                        labels,
                        found.map(|l| Opt::new(l.as_str(), l.as_str())).collect(),
                    );
                }
            }
        });
    });
    let rows = Signal::derive(move || {
        list.value.with(|l| {
            l.iter()
                .flat_map(|l| &l.regions)
                .flat_map(|r| match &r.outcome {
                    RegionOutcome::Loaded { configs } => configs
                        .iter()
                        .map(|row| Row {
                            account_name: r.account_name.clone(),
                            row: row.clone(),
                        })
                        .collect(),
                    RegionOutcome::Failed { .. } => Vec::new(),
                })
                .collect::<Vec<_>>()
        })
    });
    // Each region that failed, named, with the reason in words.
    let failures = move || {
        list.value.with(|l| {
            l.iter()
                .flat_map(|l| &l.regions)
                .filter_map(|r| match &r.outcome {
                    RegionOutcome::Failed { error } => {
                        let failure = Failure {
                            status: 0,
                            body: error.clone(),
                        };
                        let named =
                            i18n.fill(tx::REGION_FAILED, &[&r.account_name, r.region_id.as_str()]);
                        Some(view! {
                            <p class="field-error">{named}</p>
                            <ErrorPanel error=Signal::stored(Some(failure))/>
                        })
                    }
                    RegionOutcome::Loaded { .. } => None,
                })
                .collect_view()
        })
    };
    let open = RwSignal::new(None::<Open>);
    let mut columns = vec![
        Column::new(c::NAME, |r: &Row| {
            let (href, name) = (r.path(), r.name());
            view! { <Link href=href>{name}</Link> }.into_any()
        })
        .sort_by(|r| SortKey::Text(r.name().to_lowercase())),
        Column::new(tx::PLATFORM, |r: &Row| {
            r.row
                .summary
                .platform
                .map(|p| tr(platform_text(p)))
                .into_any()
        }),
        Column::text(tx::REGION, |r: &Row| {
            r.row.summary.region_id.as_str().to_owned()
        }),
        Column::text(tx::ACCOUNT, |r: &Row| r.account_name.clone()),
        Column::text(tx::LABELS, |r: &Row| {
            r.row
                .labels
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }),
        Column::new(c::UPDATED, |r: &Row| {
            r.row
                .summary
                .updated
                .map(|t| view! { <Time millis=t.epoch_millis()/> })
                .into_any()
        })
        .sort_by(|r| SortKey::Number(r.row.summary.updated.map_or(0, |t| t.epoch_millis()))),
    ];
    if write() {
        let edit = RowAction::new(c::EDIT, move |r: &Row| {
            let path = r.path();
            spawn_local(async move {
                match api::get::<ChatConfigDetail>(&path).await {
                    Ok(d) => open.set(Some(Open::Edit(Box::new(d)))),
                    Err(f) => toasts.failed(&f),
                }
            });
        });
        let delete = RowAction::new(c::DELETE, move |r: &Row| {
            let (path, name, region) = (r.path(), r.name(), r.row.summary.region_id.clone());
            spawn_local(async move {
                let title = i18n.fill(tx::DELETE_Q, &[&name, region.as_str()]);
                if !confirm_danger(review, title, i18n.fill(c::DELETE_NAMED, &[&name])).await {
                    return;
                }
                match api::send_empty(Method::DELETE, &path, None::<&()>).await {
                    Ok(()) => {
                        toasts.ok(c::DELETED, &name);
                        list.reload();
                    }
                    Err(f) => toasts.failed(&f),
                }
            });
        })
        .danger();
        columns.push(Column::actions(|r: &Row| r.name(), vec![edit, delete]));
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
            Open::Edit(d) => edit_drawer(*d, Callback::new(move |()| list.reload()), close),
        })
    };
    view! {
        <PageHeader title=tx::TITLE>
            {move || write().then(|| view! {
                <button type="button" class="primary" on:click=move |_| open.set(Some(Open::New))>
                    {tr(tx::NEW)}
                </button>
            })}
        </PageHeader>
        <FilterBar id="chat-config-filters" filters=vec![
            Filter::search("q", c::SEARCH),
            Filter::choice("account", tx::ACCOUNT, accounts.into()),
            Filter::choice("region", tx::REGION, regions.into()),
            Filter::choice("type", tx::PLATFORM, choices(PLATFORMS)),
            Filter::choice("label", tx::LABELS, labels.into()),
        ]/>
        {failures}
        <DataTable id="chat-configs" caption=tx::TITLE rows=rows columns=columns
            key=|r: &Row| r.key() name=|r: &Row| r.name()
            filter=|r: &Row| r.name() search=param("q")
            highlight=Signal::derive(move || router.param("new"))
            loading=list.loading error=list.error/>
        {drawer}
    }
}
