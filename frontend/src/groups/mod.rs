//! The DingTalk groups area: the catalogue (filters in the URL, create and
//! import in drawers) and, under `/groups/{id}`, one group's page
//! ([`detail`], [`members`]). Help-desk staff and admins change groups;
//! auditors read the same pages without the controls.

mod ctx;
mod detail;
mod members;
mod trail;

use gloo_net::http::Method;
use leptos::prelude::*;
use shared::area::Area;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::groups::{
    CATALOGUE_PAGE, ChatId, GroupName, GroupSettings, ImportRequest, Label, NewGroupRequest,
};
use shared::outcome::ItemOutcome;

pub use self::members::MemberTable;
use crate::api;
use crate::auth::use_auth;
use crate::i18n::common as c;
use crate::i18n::groups as tx;
use crate::i18n::use_i18n;
use crate::router::{encode, use_router};
use crate::ui::el::dynamic;
use crate::ui::form::Value;
use crate::ui::{
    AccountPick, Column, Control, DataTable, FieldSpec, Filter, FormSpec, Json, Question, Remote,
    Review, ServerPaging, SortKey, Values, Wording, button, filter_bar, form_drawer, json,
    outcomes, page_header, param, submit, use_toasts,
};

const PAGE: usize = CATALOGUE_PAGE as usize;

/// How plans and confirmations word group fields and values.
const WORDING: Wording = Wording {
    labels: &[tx::PLAN_LABELS, &tx::SWITCHES],
    value: |field, v| match (field, v) {
        ("private_chat", "true") => Some(tx::ALLOWED),
        ("private_chat", "false") => Some(tx::FORBIDDEN),
        _ => None,
    },
};

/// `/groups` shows the catalogue, `/groups/{id}` one group.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let sub = crate::router::sub_path(Area::Groups);
    let id = Memo::new(move |_| sub.get());
    dynamic(move || {
        Some(match id.get() {
            Some(id) => detail::GroupPage(detail::GroupPageProps { id }).into_any(),
            None => Catalogue().into_any(),
        })
    })
}

/// "Name (user id)", or the id alone when the name is unknown.
fn person(name: Option<&str>, id: &str) -> String {
    match name {
        Some(name) if !name.is_empty() => format!("{name} ({id})"),
        _ => id.to_owned(),
    }
}

/// Whether the switch `key` (`settings.muted`) is on in a group as the
/// server sent it.
fn switch_on(d: &Json, key: &str) -> bool {
    json::flag(d, &format!("/{}", key.replace('.', "/")))
}

/// A group's switches as form values.
fn switch_values(d: &Json) -> Values {
    tx::SWITCHES.iter().fold(Values::default(), |v, (key, _)| {
        v.with(key, Value::Bool(switch_on(d, key)))
    })
}

fn switches(v: &Values) -> GroupSettings {
    let f = |i: usize| v.flag(tx::SWITCHES[i].0);
    GroupSettings {
        muted: f(0),
        searchable: f(1),
        join_needs_approval: f(2),
        only_owner_mentions_all: f(3),
        only_owner_manages: f(4),
        new_members_see_history: f(5),
    }
}

fn switch_fields() -> impl Iterator<Item = FieldSpec> {
    tx::SWITCHES
        .iter()
        .map(|(key, label)| FieldSpec::new(key, *label, Control::Check))
}

/// Asks before a change the server has no preview route for; the plan,
/// if any, is worded here. True when confirmed.
async fn ask(
    review: Review,
    title: String,
    confirm: String,
    danger: bool,
    changes: Vec<FieldChange>,
) -> bool {
    review
        .ask(Question {
            title,
            confirm,
            danger,
            note: None,
            changes,
            wording: WORDING,
        })
        .await
}

/// The catalogue path for the URL's filters and page.
fn catalogue_path(router: crate::router::Router, page: usize) -> String {
    let mut query: Vec<String> = [("q", "q"), ("app", "app_id"), ("label", "label")]
        .into_iter()
        .filter_map(|(key, api_key)| {
            router
                .param(key)
                .map(|v| format!("{api_key}={}", encode(v.trim())))
        })
        .collect();
    if page > 0 {
        query.push(format!("offset={}", page * PAGE));
    }
    if query.is_empty() {
        "/groups".into()
    } else {
        format!("/groups?{}", query.join("&"))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Drawer {
    Create,
    Import,
}

#[component]
fn Catalogue() -> impl IntoView {
    let i18n = use_i18n();
    let router = use_router();
    let toasts = use_toasts();
    let write = use_auth().can(Action::GroupsWrite);
    let pick = AccountPick::dingtalk();
    let app_opts = pick.options();
    // A link or reload that names an app keeps it; otherwise the list
    // waits for the default rather than loading everything first.
    let ready = RwSignal::new(untrack(|| router.param("app")).is_some());
    let defaulted = StoredValue::new(None::<String>);
    crate::reactive::effect(move || {
        if ready.get_untracked() || !pick.settled() {
            return;
        }
        let id = pick.initial();
        if !id.is_empty() {
            defaulted.set_value(Some(id.clone()));
            router.set_params(&[("app", id)], false);
        }
        ready.set(true);
    });
    let app = param("app");
    let mut prev = None::<String>;
    crate::reactive::effect(move || {
        let now = app.get();
        let automatic = defaulted.with_value(|d| d.as_deref() == Some(now.as_str()));
        if prev.as_ref().is_some_and(|p| *p != now) && !now.is_empty() && !automatic {
            pick.remember(&now);
        }
        prev = Some(now);
    });

    let page = Signal::derive(move || {
        router
            .param("page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1)
            - 1
    });
    let groups = Remote::follow(move || ready.get().then(|| catalogue_path(router, page.get())));
    let rows = Signal::derive(move || groups.items("/groups"));
    let paging = ServerPaging {
        page,
        page_size: PAGE,
        total: Signal::derive(move || {
            groups.value.with(|p| {
                p.as_ref()
                    .and_then(|p| usize::try_from(json::int(p, "/total")).ok())
            })
        }),
        has_next: Signal::derive(move || {
            groups.value.with(|p| {
                p.as_ref()
                    .is_some_and(|p| !json::at(p, "/next_offset").is_null())
            })
        }),
        on_page: Callback::new(move |p: usize| {
            let value = if p == 0 {
                String::new()
            } else {
                (p + 1).to_string()
            };
            router.set_params(&[("page", value)], true);
        }),
    };
    let columns = vec![
        Column::link(tx::GROUP_NAME, "/name", |g| {
            format!("/groups/{}", encode(&json::s(g, "/id")))
        }),
        Column::at(tx::APP, "/app_name"),
        Column::text(tx::OWNER, |g| {
            person(Some(&json::s(g, "/owner_name")), &json::s(g, "/owner"))
        }),
        Column::at(tx::MEMBER_COUNT, "/member_count")
            .sort_by(|g| SortKey::Number(json::int(g, "/member_count"))),
        Column::word(c::STATUS, "/dismissed", tx::DISMISSED_WORDS),
        Column::text(tx::LABELS, |g| json::joined(g, "/labels")),
    ];

    let open = RwSignal::new(None::<Drawer>);
    let last = RwSignal::new(None::<Vec<ItemOutcome>>);
    // One key per draft: a second click or a retry of the same draft
    // replays the first answer instead of making a second group.
    let create_key = StoredValue::new(api::new_idempotency_key());
    let app_field = move || FieldSpec::new("app_id", tx::APP, Control::Select(app_opts)).required();
    let start = move || {
        let id = Some(untrack(|| app.get()))
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| pick.initial());
        Values::default().with("app_id", Value::Text(id))
    };
    let labels_field = || {
        FieldSpec::new("labels", tx::LABELS, Control::Lines)
            .hint(tx::LABELS_HINT)
            .check(|v| {
                v.split(['\n', ','])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .find_map(|l| Label::parse(l).err().map(|e| e.problem))
            })
    };
    // The new catalogue row (`CatalogueGroup`) marked, its name in a toast.
    let done = move |group: &Json, toast| {
        toasts.ok(toast, &json::s(group, "/name"));
        router.set_params(&[("new", json::s(group, "/id"))], false);
        groups.reload();
    };
    let drawer = move || {
        let close = Callback::new(move |()| open.set(None));
        open.get().map(|which| match which {
            Drawer::Create => {
                let mut fields = vec![
                    app_field(),
                    FieldSpec::text("name", tx::GROUP_NAME)
                        .required()
                        .check(|v| GroupName::parse(v).err().map(|e| e.problem)),
                    FieldSpec::text("owner", tx::OWNER)
                        .required()
                        .hint(tx::PERSON_HINT),
                    FieldSpec::new("members", tx::MEMBERS, Control::Lines).hint(tx::PEOPLE_HINT),
                ];
                fields.extend(switch_fields());
                fields.push(labels_field());
                form_drawer(FormSpec {
                    id: "group-new".into(),
                    title: Signal::derive(move || i18n.t(tx::NEW_GROUP).to_owned()),
                    submit_label: tx::CREATE_GROUP,
                    fields,
                    initial: start(),
                    on_submit: submit(move |v: Values| async move {
                        let body = NewGroupRequest {
                            app_id: v.text("app_id"),
                            name: v.text("name").trim().to_owned(),
                            owner: v.text("owner").trim().to_owned(),
                            members: v.lines("members"),
                            settings: switches(&v),
                            labels: v.lines("labels"),
                        };
                        let key = create_key.get_value();
                        // A `CreateReport`: the group and each member's outcome.
                        let report: Json = api::create("/groups", &body, &key).await?;
                        create_key.set_value(api::new_idempotency_key());
                        let added: Vec<ItemOutcome> =
                            api::decode(json::at(&report, "/members/add").js())?;
                        last.set((!added.is_empty()).then_some(added));
                        done(&json::at(&report, "/group"), c::CREATED_TOAST);
                        Ok(true)
                    }),
                    on_close: close,
                })
            }
            Drawer::Import => form_drawer(FormSpec {
                id: "group-import".into(),
                title: Signal::derive(move || i18n.t(tx::IMPORT_GROUP).to_owned()),
                submit_label: tx::IMPORT,
                fields: vec![
                    app_field(),
                    FieldSpec::text("chat_id", tx::CHAT_ID)
                        .required()
                        .hint(tx::CHAT_ID_HINT)
                        .check(|v| ChatId::parse(v.trim()).err().map(|e| e.problem)),
                    labels_field(),
                ],
                initial: start(),
                on_submit: submit(move |v: Values| async move {
                    let body = ImportRequest {
                        app_id: v.text("app_id"),
                        chat_id: v.text("chat_id").trim().to_owned(),
                        labels: v.lines("labels"),
                    };
                    let group: Json = api::send(Method::POST, "/groups/import", &body).await?;
                    done(&group, tx::IMPORTED);
                    Ok(true)
                }),
                on_close: close,
            }),
        })
    };
    vec![
        page_header(
            tx::TITLE,
            if write {
                vec![
                    button(tx::CREATE_GROUP, move || open.set(Some(Drawer::Create)))
                        .class("primary")
                        .view(),
                    button(tx::IMPORT_GROUP, move || open.set(Some(Drawer::Import))).view(),
                ]
            } else {
                Vec::new()
            },
        ),
        filter_bar(
            "groups-filters",
            vec![
                Filter::search("q", tx::SEARCH_HINT),
                Filter::choice("app", tx::APP, app_opts),
                Filter::search("label", tx::LABEL),
            ],
        ),
        outcomes(last),
        view! {
            <DataTable id="groups" caption=tx::CATALOGUE rows=rows columns=columns key=|g|
                json::text(g, "/id") name=|g| json::text(g, "/name")
                highlight=Signal::derive(move || router.param("new")) loading=groups.loading
                error=groups.error server=Some(paging) empty=tx::NO_GROUPS/>
        }
        .into_any(),
        dynamic(drawer),
    ]
}
