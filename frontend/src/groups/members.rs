//! A group's people: the members tab (filter, select, add, remove, admins,
//! each answer one line per person) and the nicknames tab.

use std::collections::HashSet;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::audit::FieldChange;
use shared::groups::{AdminsChange, MembersChange, NicknameChange};

use super::ctx::Ctx;
use super::{ask, person};
use crate::api;
use crate::i18n::common as c;
use crate::i18n::groups as tx;
use crate::i18n::{I18n, now, use_i18n};
use crate::ui::el::{button, dynamic, el, text};
use crate::ui::form::Value;
use crate::ui::{
    Column, Control, DataTable, FieldSpec, Filter, FormSpec, Json, RowAction, SortKey, Values,
    filter_bar, form_drawer, json, outcomes, param, submit, use_review, use_toasts,
};

/// How many names a confirmation spells out before "and N more".
const NAMED: usize = 10;

// A member is a `MemberView` as the server sent it.
fn user_id(m: &Json) -> String {
    json::text(m, "/user_id")
}

fn label(m: &Json) -> String {
    person(Some(&json::s(m, "/name")), &json::s(m, "/user_id"))
}

fn is_owner(m: &Json) -> bool {
    json::flag(m, "/owner")
}

fn is_admin(m: &Json) -> bool {
    json::flag(m, "/admin")
}

fn role(m: &Json) -> crate::i18n::T {
    if is_owner(m) {
        tx::ROLE_OWNER
    } else if is_admin(m) {
        tx::ROLE_ADMIN
    } else {
        tx::ROLE_MEMBER
    }
}

fn nickname(m: &Json) -> String {
    json::text(m, "/nickname/value")
}

/// What the filter searches: name, user id and nickname.
fn haystack(m: &Json) -> String {
    format!(
        "{} {} {}",
        json::s(m, "/name"),
        json::s(m, "/user_id"),
        json::s(m, "/nickname/value")
    )
}

/// The people a confirmation names: all of a few, the first of many.
fn named(i18n: I18n, people: &[String]) -> String {
    let shown = people[..people.len().min(NAMED)].join(", ");
    match people.len().checked_sub(NAMED).filter(|n| *n > 0) {
        Some(more) => i18n.fill(tx::AND_MORE, &[&shown, &more.to_string()]),
        None => shown,
    }
}

/// "Remove 3 members", or the singular for one.
fn how_many(i18n: I18n, one: crate::i18n::T, many: crate::i18n::T, n: usize) -> String {
    if n == 1 {
        i18n.t(one).to_owned()
    } else {
        i18n.fill(many, &[&n.to_string()])
    }
}

/// The members table: name, user id, role and nickname, filtered by
/// `search` over texts prepared once per row (1,000 members stay fast).
#[component]
pub fn MemberTable(
    /// The members as the server sends them (`MemberView`).
    #[prop(into)]
    rows: Signal<Vec<Json>>,
    #[prop(optional, into)] search: Signal<String>,
    /// The selected rows' user ids; checkboxes only when given.
    selection: Option<RwSignal<HashSet<String>>>,
    #[prop(optional)] actions: Vec<RowAction>,
) -> impl IntoView {
    let mut columns = vec![
        Column::at(c::NAME, "/name"),
        Column::new(tx::USER_ID, |m: &Json| {
            el("code").child(user_id(m).into_any()).view()
        })
        .sort_by(|m| SortKey::Text(user_id(m))),
        Column::new(tx::ROLE, |m: &Json| now(role(m)).into_any())
            .sort_by(|m| SortKey::Number(i64::from(!is_owner(m)) * 2 + i64::from(!is_admin(m)))),
        Column::text(tx::NICKNAME, nickname),
    ];
    if !actions.is_empty() {
        columns.push(Column::actions(label, actions));
    }
    let key = user_id;
    view! {
        <DataTable id="members" caption=tx::MEMBERS rows=rows columns=columns key=key
            name=label filter=haystack search=search selection=selection/>
    }
}

/// Makes or unmakes `m` an admin, after asking.
fn admin_action(ctx: Ctx, make: bool) -> RowAction {
    let (i18n, review, toasts) = (use_i18n(), use_review(), use_toasts());
    let (words, question) = if make {
        (tx::MAKE_ADMIN, tx::MAKE_ADMIN_OF)
    } else {
        (tx::UNSET_ADMIN, tx::UNSET_ADMIN_OF)
    };
    let action = RowAction::new(words, move |m: &Json| {
        let (who, id) = (label(m), user_id(m));
        let title = i18n.fill(question, &[&who, &ctx.name()]);
        let confirm = format!("{} {who}", i18n.t(words));
        spawn_local(async move {
            if !ask(review, title, confirm, false, Vec::new()).await {
                return;
            }
            let body = if make {
                AdminsChange {
                    add: vec![id],
                    ..AdminsChange::default()
                }
            } else {
                AdminsChange {
                    remove: vec![id],
                    ..AdminsChange::default()
                }
            };
            let at = if make { "/add" } else { "/remove" };
            match api::send_outcomes(Method::POST, &ctx.path("/admins"), &body, at).await {
                Ok(items) => ctx.changed(c::SAVED, Some(items)),
                Err(f) => toasts.failed(&f),
            }
        });
    });
    if make {
        action.when(|m| !is_owner(m) && !is_admin(m))
    } else {
        action.when(is_admin)
    }
}

pub(super) fn members_tab(ctx: Ctx) -> AnyView {
    let (i18n, review, toasts) = (use_i18n(), use_review(), use_toasts());
    let rows = Signal::derive(move || ctx.members());
    let selected = RwSignal::new(HashSet::<String>::new());
    let adding = RwSignal::new(false);
    let count = move || selected.with(HashSet::len);
    let remove = move |_: web_sys::Event| {
        let picked: Vec<Json> = untrack(|| ctx.members())
            .into_iter()
            .filter(|m| selected.with_untracked(|s| s.contains(&json::s(m, "/user_id"))))
            .collect();
        let names: Vec<String> = picked.iter().map(label).collect();
        let title = i18n.fill(tx::REMOVE_FROM, &[&ctx.name(), &named(i18n, &names)]);
        let confirm = how_many(i18n, tx::REMOVE_ONE, tx::REMOVE_N, picked.len());
        let body = MembersChange {
            remove: picked.iter().map(user_id).collect(),
            ..MembersChange::default()
        };
        spawn_local(async move {
            if !ask(review, title, confirm, true, Vec::new()).await {
                return;
            }
            match api::send_outcomes(Method::POST, &ctx.path("/members"), &body, "/remove").await {
                Ok(items) => {
                    selected.set(HashSet::new());
                    ctx.changed(tx::MEMBERS_CHANGED, Some(items));
                }
                Err(f) => toasts.failed(&f),
            }
        });
    };
    let add_drawer = move || {
        adding.get().then(|| {
            form_drawer(FormSpec {
                id: format!("group-add-{}", ctx.id.get_value()),
                title: Signal::derive(move || {
                    format!("{}: {}", i18n.t(tx::ADD_MEMBERS), ctx.name())
                }),
                submit_label: tx::ADD_MEMBERS,
                fields: vec![
                    FieldSpec::new("add", tx::PEOPLE, Control::Lines)
                        .required()
                        .hint(tx::PEOPLE_HINT),
                ],
                initial: Values::default(),
                on_submit: submit(move |v: Values| async move {
                    let people = v.lines("add");
                    let title = i18n.fill(tx::ADD_TO, &[&ctx.name(), &named(i18n, &people)]);
                    let confirm = how_many(i18n, tx::ADD_ONE, tx::ADD_N, people.len());
                    if !ask(review, title, confirm, false, Vec::new()).await {
                        return Ok(false);
                    }
                    let body = MembersChange {
                        add: people,
                        ..MembersChange::default()
                    };
                    let path = ctx.path("/members");
                    let added = api::send_outcomes(Method::POST, &path, &body, "/add").await?;
                    ctx.changed(tx::MEMBERS_CHANGED, Some(added));
                    Ok(true)
                }),
                on_close: Callback::new(move |()| adding.set(false)),
            })
        })
    };
    let (selection, actions) = if ctx.write {
        (
            Some(selected),
            vec![admin_action(ctx, true), admin_action(ctx, false)],
        )
    } else {
        (None, Vec::new())
    };
    // Not inline in the view: a comparison there would end the tag.
    let none = move || count() == 0;
    let toolbar = ctx.write.then(|| {
        let remove = el("button")
            .attr("type", "button")
            .class("danger")
            .flag("disabled", none)
            .on("click", remove)
            .child(text(move || {
                how_many(i18n, tx::REMOVE_ONE, tx::REMOVE_N, count())
            }));
        el("div")
            .class("toolbar")
            .child(button(tx::ADD_MEMBERS, move || adding.set(true)).view())
            .child(remove.view())
            .view()
    });
    vec![
        outcomes(ctx.outcomes),
        toolbar.into_any(),
        filter_bar(
            "members-filters",
            vec![Filter::search("who", tx::FILTER_MEMBERS)],
        ),
        view! { <MemberTable rows=rows search=param("who") selection=selection actions=actions/> }
            .into_any(),
        dynamic(add_drawer),
    ]
    .into_any()
}

/// Nicknames are set through chatdesk only (DingTalk cannot read them
/// back), so each shows who set it and when.
pub(super) fn nicknames_tab(ctx: Ctx) -> AnyView {
    let (i18n, review) = (use_i18n(), use_review());
    let rows = Signal::derive(move || ctx.members());
    let editing = RwSignal::new(None::<Json>);
    let mut columns = vec![
        Column::text(c::NAME, label),
        Column::text(tx::NICKNAME, nickname),
        Column::at(tx::WHO, "/nickname/by"),
        Column::time(tx::WHEN, "/nickname/at"),
    ];
    if ctx.write {
        let set = RowAction::new(tx::SET_NICKNAME, move |m: &Json| {
            editing.set(Some(m.clone()));
        });
        columns.push(Column::actions(label, vec![set]));
    }
    let drawer = move || {
        editing.get().map(|m| {
            let who = label(&m);
            let before = nickname(&m);
            let title_who = who.clone();
            form_drawer(FormSpec {
                id: format!("group-nick-{}-{}", ctx.id.get_value(), user_id(&m)),
                title: Signal::derive(move || i18n.fill(tx::NICKNAME_OF, &[&title_who])),
                submit_label: c::REVIEW,
                fields: vec![FieldSpec::text("nickname", tx::NICKNAME).hint(tx::NICKNAME_HINT)],
                initial: Values::default().with("nickname", Value::Text(before.clone())),
                on_submit: submit(move |v: Values| {
                    let (who, before, id) = (who.clone(), before.clone(), user_id(&m));
                    async move {
                        let after = v.text("nickname").trim().to_owned();
                        let plan = vec![FieldChange {
                            field: "nickname".into(),
                            before: api::to_json(&before).ok(),
                            after: api::to_json(&after).ok(),
                            secret: None,
                        }];
                        let title = i18n.fill(c::PLAN_TITLE, &[&who]);
                        let confirm = i18n.fill(tx::SET_NICKNAME_OF, &[&who]);
                        if !ask(review, title, confirm, false, plan).await {
                            return Ok(false);
                        }
                        let body = NicknameChange {
                            user_id: id,
                            nickname: after,
                        };
                        api::send_empty(Method::PUT, &ctx.path("/nickname"), Some(&body)).await?;
                        ctx.changed(c::SAVED, None);
                        Ok(true)
                    }
                }),
                on_close: Callback::new(move |()| editing.set(None)),
            })
        })
    };
    vec![
        filter_bar(
            "nicknames-filters",
            vec![Filter::search("who", tx::FILTER_MEMBERS)],
        ),
        view! {
            <DataTable id="nicknames" caption=tx::TAB_NICKNAMES rows=rows columns=columns
                key=user_id name=label filter=haystack search=param("who")/>
        }
        .into_any(),
        dynamic(drawer),
    ]
    .into_any()
}
