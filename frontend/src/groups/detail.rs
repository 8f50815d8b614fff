//! One group's page: its name and primary actions (rename, transfer the
//! owner), its facts, and the tabs Members · Settings · Nicknames · Join QR
//! · History. Edits go through the server's plan (`POST …/preview`).

use gloo_net::http::Method;
use leptos::prelude::*;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::groups::{GroupEdit, GroupName, PrivateChatChange, SettingsPatch};

use super::ctx::Ctx;
use super::{WORDING, ask, person, switch_fields, switch_on, switch_values, switches};
use crate::api;
use crate::auth::use_auth;
use crate::i18n::common as c;
use crate::i18n::groups as tx;
use crate::i18n::{I18n, T, use_i18n};
use crate::ui::el::{dynamic, el, text};
use crate::ui::form::Value;
use crate::ui::time::TimeProps;
use crate::ui::time::local_text;
use crate::ui::{
    Control, Edit, FieldSpec, FormSpec, Json, Remote, Time, Values, button, choices, code_copy,
    detail_header, error_panel, fact, facts, form_drawer, json, review_edit, submit, tab_panel,
    tabs, use_review, use_toasts,
};

#[derive(Clone, Copy, PartialEq)]
enum Drawer {
    Rename,
    Transfer,
    Settings,
    Private,
}

const PRIVATE_CHOICES: &[(&str, T)] = &[("allowed", tx::ALLOWED), ("forbidden", tx::FORBIDDEN)];

#[component]
pub(super) fn GroupPage(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let ctx = Ctx {
        group: Remote::new(),
        id: StoredValue::new(id),
        outcomes: RwSignal::new(None),
        write: auth.can(Action::GroupsWrite),
        toasts: use_toasts(),
    };
    ctx.group.load(ctx.path(""));
    let title = Signal::derive(move || {
        ctx.group.value.with(|d| {
            d.as_ref().map_or_else(
                || i18n.t(c::LOADING).to_owned(),
                |d| json::s(d, "/group/name"),
            )
        })
    });
    let open = RwSignal::new(None::<Drawer>);
    let opens = move |label: T, which: Drawer| button(label, move || open.set(Some(which))).view();
    let mut list = vec![
        ("members", tx::MEMBERS),
        ("settings", tx::TAB_SETTINGS),
        ("nicknames", tx::TAB_NICKNAMES),
    ];
    // The join link is a write route; the history is the audit trail's.
    if ctx.write {
        list.push(("qr", tx::TAB_QR));
    }
    if auth.can(Action::AuditRead) {
        list.push(("history", c::HISTORY));
    }
    let loaded = Memo::new(move |_| ctx.group.value.with(Option::is_some));
    let body = move || {
        loaded.get().then(|| {
            untrack(|| {
                let (bar, tab) = tabs("group", list.clone());
                // Only a change of tab redraws the panel, not each keystroke
                // in a filter that also lives in the URL.
                let current = Memo::new(move |_| tab.get());
                // Untracked: a tab reads the group as it draws, and a reload
                // of the group must update the tab, not redraw it.
                let panel = dynamic(move || {
                    let key = current.get();
                    Some(untrack(|| match key {
                        "settings" => settings_tab(ctx, open),
                        "nicknames" => super::members::nicknames_tab(ctx),
                        "qr" => super::trail::join_qr(ctx),
                        "history" => super::trail::history(ctx),
                        _ => super::members::members_tab(ctx),
                    }))
                });
                [
                    facts_of(ctx),
                    bar,
                    tab_panel("group", current.into(), panel),
                ]
            })
        })
    };
    let actions = if ctx.write {
        vec![
            opens(tx::RENAME, Drawer::Rename),
            opens(tx::TRANSFER, Drawer::Transfer),
        ]
    } else {
        Vec::new()
    };
    vec![
        detail_header(title, ("/groups", tx::TITLE), actions),
        error_panel(ctx.group.error.into()),
        dynamic(move || body().map(|b| b.into_iter().collect_view().into_any())),
        dynamic(move || {
            open.get()
                .map(|which| drawer(ctx, which, Callback::new(move |()| open.set(None))))
        }),
    ]
}

fn facts_of(ctx: Ctx) -> AnyView {
    let chat = ctx.peek(|d| json::s(d, "/group/chat_id"));
    let names_error = move || ctx.with(|d| !json::at(d, "/names_error").is_null());
    let i18n = use_i18n();
    // A fact that follows the group as it reloads.
    let live = |f: fn(&Json, I18n) -> String| text(move || ctx.with(|d| f(d, i18n)));
    let notice = dynamic(move || {
        names_error().then(|| {
            el("p")
                .class("notice")
                .attr("role", "status")
                .word(tx::NAMES_ERROR)
                .view()
        })
    });
    let facts = facts(vec![
        fact(tx::CHAT_ID_FACT, code_copy(tx::CHAT_ID_FACT, chat)),
        fact(
            tx::OWNER,
            live(|d, _| {
                person(
                    Some(&json::s(d, "/group/owner_name")),
                    &json::s(d, "/group/owner"),
                )
            }),
        ),
        fact(
            tx::MEMBER_COUNT,
            live(|d, _| json::len(d, "/members").to_string()),
        ),
        fact(tx::APP, live(|d, _| json::s(d, "/group/app_name"))),
        fact(
            tx::API_KIND,
            live(|d, i18n| {
                let legacy = json::s(d, "/api") == "legacy";
                i18n.t(if legacy { tx::API_LEGACY } else { tx::API_NEW })
                    .to_owned()
            }),
        ),
        fact(
            c::STATUS,
            live(|d, i18n| {
                let dismissed = json::flag(d, "/group/dismissed");
                i18n.t(if dismissed { tx::DISMISSED } else { tx::ACTIVE })
                    .to_owned()
            }),
        ),
        fact(tx::LABELS, live(|d, _| json::joined(d, "/group/labels"))),
        fact(
            tx::REFRESHED,
            dynamic(move || {
                let at = ctx.with(|d| json::int(d, "/group/refreshed_at"));
                Some(Time(TimeProps { millis: at }).into_any())
            }),
        ),
    ]);
    [notice, facts].into_iter().collect_view().into_any()
}

/// What chatdesk last set private chat to, if it ever did (DingTalk
/// cannot say).
fn private_chat(d: &Json) -> Option<bool> {
    let set = json::at(d, "/private_chat");
    (!set.is_null()).then(|| json::flag(&set, "/value"))
}

/// "Allowed (set by desk, 2026-12-02 12:51 UTC+8)", or that chatdesk
/// never set it.
fn private_text(i18n: I18n, d: &Json) -> String {
    match private_chat(d) {
        Some(on) => {
            let state = i18n.t(if on { tx::ALLOWED } else { tx::FORBIDDEN });
            let (by, at) = (
                json::s(d, "/private_chat/by"),
                json::int(d, "/private_chat/at"),
            );
            i18n.fill(tx::SET_BY, &[state, &by, &local_text(at)])
        }
        None => i18n.t(tx::NOT_SET).to_owned(),
    }
}

fn settings_tab(ctx: Ctx, open: RwSignal<Option<Drawer>>) -> AnyView {
    let i18n = use_i18n();
    let mut items: Vec<_> = tx::SWITCHES
        .iter()
        .map(|(key, label)| {
            fact(
                *label,
                text(move || {
                    i18n.t(if ctx.with(|d| switch_on(d, key)) {
                        c::YES
                    } else {
                        c::NO
                    })
                    .to_owned()
                }),
            )
        })
        .collect();
    items.push(fact(
        tx::PRIVATE_CHAT,
        text(move || ctx.with(|d| private_text(i18n, d))),
    ));
    let opens = move |label: T, which: Drawer| button(label, move || open.set(Some(which))).view();
    let toolbar = ctx.write.then(|| {
        el("div")
            .class("toolbar")
            .child(opens(tx::CHANGE_SETTINGS, Drawer::Settings))
            .child(opens(tx::CHANGE_PRIVATE, Drawer::Private))
            .view()
    });
    [facts(items)]
        .into_iter()
        .chain(toolbar)
        .collect_view()
        .into_any()
}

/// An edit the server plans: what the form turns into, and the confirm
/// button's words for it.
struct EditForm {
    key: &'static str,
    title: T,
    fields: Vec<FieldSpec>,
    initial: Values,
    edit: fn(&Values, &Json) -> GroupEdit,
    confirm: fn(I18n, &str, &Values) -> String,
}

fn drawer(ctx: Ctx, which: Drawer, close: Callback<()>) -> AnyView {
    let form = match which {
        Drawer::Private => return private_drawer(ctx, close),
        Drawer::Rename => EditForm {
            key: "rename",
            title: tx::RENAME,
            fields: vec![
                FieldSpec::text("name", tx::GROUP_NAME)
                    .required()
                    .check(|v| GroupName::parse(v).err().map(|e| e.problem)),
            ],
            initial: Values::default().with("name", Value::Text(ctx.name())),
            edit: |v, _| GroupEdit {
                name: Some(v.text("name").trim().to_owned()),
                ..GroupEdit::default()
            },
            confirm: |i18n, _, v| i18n.fill(tx::RENAME_TO, &[v.text("name").trim()]),
        },
        Drawer::Transfer => EditForm {
            key: "owner",
            title: tx::TRANSFER,
            fields: vec![
                FieldSpec::text("owner", tx::NEW_OWNER)
                    .required()
                    .hint(tx::PERSON_HINT),
            ],
            initial: Values::default(),
            edit: |v, _| GroupEdit {
                owner: Some(v.text("owner").trim().to_owned()),
                ..GroupEdit::default()
            },
            confirm: |i18n, group, v| i18n.fill(tx::TRANSFER_TO, &[group, v.text("owner").trim()]),
        },
        Drawer::Settings => EditForm {
            key: "settings",
            title: tx::CHANGE_SETTINGS,
            fields: switch_fields().collect(),
            initial: ctx.peek(switch_values),
            edit: |v, d| GroupEdit {
                settings: SettingsPatch::between(switches(&switch_values(d)), switches(v)),
                ..GroupEdit::default()
            },
            confirm: |i18n, group, _| i18n.fill(tx::APPLY_SETTINGS, &[group]),
        },
    };
    edit_drawer(ctx, form, close)
}

fn form_title(ctx: Ctx, title: T) -> Signal<String> {
    let i18n = use_i18n();
    Signal::derive(move || format!("{}: {}", i18n.t(title), ctx.name()))
}

fn edit_drawer(ctx: Ctx, form: EditForm, close: Callback<()>) -> AnyView {
    let (i18n, review) = (use_i18n(), use_review());
    let EditForm {
        key,
        title,
        fields,
        initial,
        edit,
        confirm,
    } = form;
    form_drawer(FormSpec {
        id: format!("group-{key}-{}", ctx.id.get_value()),
        title: form_title(ctx, title),
        submit_label: c::REVIEW,
        fields,
        initial,
        on_submit: submit(move |v: Values| async move {
            let name = ctx.name();
            let body = ctx.peek(|d| edit(&v, d));
            let path = ctx.path("");
            let plan = Edit {
                preview: format!("{path}/preview"),
                method: Method::PATCH,
                apply: path,
                body: api::to_json(&body)?,
            };
            let title = i18n.fill(c::PLAN_TITLE, &[&name]);
            let confirm = confirm(i18n, &name, &v);
            if review_edit(review, plan, title, confirm, WORDING)
                .await?
                .is_none()
            {
                return Ok(false);
            }
            ctx.changed(c::SAVED, None);
            Ok(true)
        }),
        on_close: close,
    })
}

/// Private chat has no preview route: the one-line plan is made here from
/// what chatdesk last set.
fn private_drawer(ctx: Ctx, close: Callback<()>) -> AnyView {
    let (i18n, review) = (use_i18n(), use_review());
    let stored = ctx.peek(private_chat);
    let start = match stored {
        Some(true) => "allowed",
        Some(false) => "forbidden",
        None => "",
    };
    form_drawer(FormSpec {
        id: format!("group-private-{}", ctx.id.get_value()),
        title: form_title(ctx, tx::CHANGE_PRIVATE),
        submit_label: c::REVIEW,
        fields: vec![
            FieldSpec::new(
                "allowed",
                tx::PRIVATE_CHAT,
                Control::Select(choices(PRIVATE_CHOICES)),
            )
            .required()
            .hint(tx::NOT_SET),
        ],
        initial: Values::default().with("allowed", Value::Text(start.into())),
        on_submit: submit(move |v: Values| async move {
            let allowed = v.text("allowed") == "allowed";
            let name = ctx.name();
            let plan = vec![FieldChange {
                field: "private_chat".into(),
                before: stored.map(|b| b.to_string()),
                after: Some(allowed.to_string()),
                secret: None,
            }];
            let words = if allowed {
                tx::ALLOW_PRIVATE
            } else {
                tx::FORBID_PRIVATE
            };
            let title = i18n.fill(c::PLAN_TITLE, &[&name]);
            if !ask(review, title, i18n.fill(words, &[&name]), false, plan).await {
                return Ok(false);
            }
            let body = PrivateChatChange { allowed };
            api::send_empty(Method::PUT, &ctx.path("/private-chat"), Some(&body)).await?;
            ctx.changed(c::SAVED, None);
            Ok(true)
        }),
        on_close: close,
    })
}
