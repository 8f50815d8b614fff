//! The users page: a list with filters in the URL, a drawer to create a
//! user, and edits (role, disabling, a password reset) that each ask for
//! confirmation naming the person, with the server's plan.

use gloo_net::http::Method;
use leptos::prelude::*;
use shared::auth::{Action, NewUser, PasswordReset, Role, UserUpdate, check_username};

use super::{password_fields, role_text, same_password, use_auth};
use crate::api;
use crate::i18n::common as c;
use crate::i18n::{auth as tx, use_i18n};
use crate::router::{encode, use_router};
use crate::ui::el::dynamic;
use crate::ui::{
    Column, Control, DataTable, Edit, FieldSpec, Filter, FormSpec, Json, Remote, RowAction, Values,
    Wording, button, choices, confirm_danger, filter_bar, form_drawer, json, page_header, param,
    review_edit, submit, use_review, use_toasts,
};

const WORDING: Wording = Wording {
    labels: &[tx::USER_LABELS],
    value: |field, v| match field {
        "role" => Role::parse(v).map(role_text),
        _ => None,
    },
};

/// Which drawer is open.
#[derive(Clone, PartialEq)]
enum Open {
    New,
    Edit(Json),
    Password(Json),
}

fn id(u: &Json) -> String {
    json::text(u, "/id")
}

fn username(u: &Json) -> String {
    json::text(u, "/username")
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let review = use_review();
    let router = use_router();
    let users = Remote::follow(|| Some("/users".into()));
    let open = RwSignal::new(None::<Open>);
    let manage = move || auth.can(Action::UsersManage);
    let role_filter = param("role");
    let status_filter = param("status");
    let rows = Signal::derive(move || {
        let (role, status) = (role_filter.get(), status_filter.get());
        users
            .items("")
            .into_iter()
            .filter(|u| role.is_empty() || json::s(u, "/role") == role)
            .filter(|u| status.is_empty() || (status == "disabled") == json::flag(u, "/disabled"))
            .collect::<Vec<_>>()
    });
    let mut columns = vec![
        Column::at(tx::USERNAME, "/username"),
        Column::word(tx::ROLE, "/role", tx::ROLES),
        Column::word(c::STATUS, "/disabled", c::DISABLED_WORDS),
        Column::time(c::CREATED, "/created_at"),
    ];
    if manage() {
        let edit = RowAction::new(c::EDIT, move |u: &Json| {
            open.set(Some(Open::Edit(u.clone())))
        });
        let reset = RowAction::new(tx::RESET_PASSWORD, move |u: &Json| {
            open.set(Some(Open::Password(u.clone())));
        });
        columns.push(Column::actions(username, vec![edit, reset]));
    }
    let status_opts = choices(&[("enabled", c::ENABLED), ("disabled", c::DISABLED)]);

    let drawer = move || {
        let close = Callback::new(move |()| open.set(None));
        open.get().map(|which| match which {
            Open::New => form_drawer(FormSpec {
                id: "user-new".into(),
                title: Signal::derive(move || i18n.t(tx::NEW_USER).to_owned()),
                submit_label: tx::CREATE_USER,
                fields: {
                    let mut f = vec![
                        FieldSpec::text("username", tx::USERNAME)
                            .required()
                            .hint(tx::USERNAME_HINT)
                            .check(|v| check_username(v).err().map(|e| e.problem)),
                        FieldSpec::new("role", tx::ROLE, Control::Select(choices(tx::ROLES)))
                            .required(),
                    ];
                    f.extend(password_fields(false));
                    f
                },
                initial: Values::default(),
                on_submit: submit(move |v: Values| async move {
                    let body = NewUser {
                        username: v.text("username"),
                        role: Role::parse(&v.text("role")).unwrap_or(Role::Auditor),
                        password: same_password(&v)?.into(),
                    };
                    let user: Json = api::create("/users", &body, v.key()).await?;
                    toasts.ok(c::CREATED_TOAST, &username(&user));
                    router.set_params(&[("new", id(&user))], false);
                    users.reload();
                    Ok(true)
                }),
                on_close: close,
            }),
            Open::Edit(user) => {
                let (user_id, name) = (id(&user), username(&user));
                let initial = Values::default()
                    .with(
                        "role",
                        crate::ui::form::Value::Text(json::text(&user, "/role")),
                    )
                    .with(
                        "disabled",
                        crate::ui::form::Value::Bool(json::flag(&user, "/disabled")),
                    );
                let title_name = name.clone();
                form_drawer(FormSpec {
                    id: format!("user-edit-{user_id}"),
                    title: Signal::derive(move || i18n.fill(tx::EDIT_USER, &[&title_name])),
                    submit_label: c::REVIEW,
                    fields: vec![
                        FieldSpec::new("role", tx::ROLE, Control::Select(choices(tx::ROLES)))
                            .required(),
                        FieldSpec::new("disabled", tx::ACCOUNT_DISABLED, Control::Check),
                    ],
                    initial,
                    on_submit: submit(move |v: Values| {
                        let (id, name) = (user_id.clone(), name.clone());
                        async move {
                            let body = UserUpdate {
                                role: Role::parse(&v.text("role")),
                                disabled: Some(v.flag("disabled")),
                            };
                            let path = format!("/users/{}", encode(&id));
                            let edit = Edit {
                                preview: format!("{path}/preview"),
                                method: Method::PATCH,
                                apply: path,
                                body: api::to_json(&body)?,
                            };
                            let title = i18n.fill(c::PLAN_TITLE, &[&name]);
                            let confirm = i18n.fill(tx::APPLY_USER, &[&name]);
                            if review_edit(review, edit, title, confirm, WORDING)
                                .await?
                                .is_none()
                            {
                                return Ok(false);
                            }
                            toasts.ok(c::SAVED, &name);
                            users.reload();
                            Ok(true)
                        }
                    }),
                    on_close: close,
                })
            }
            Open::Password(user) => {
                let (user_id, name) = (id(&user), username(&user));
                let title_name = name.clone();
                form_drawer(FormSpec {
                    id: format!("user-password-{user_id}"),
                    title: Signal::derive(move || i18n.fill(tx::RESET_PASSWORD_OF, &[&title_name])),
                    submit_label: tx::SET_PASSWORD,
                    fields: password_fields(false),
                    initial: Values::default(),
                    on_submit: submit(move |v: Values| {
                        let (user_id, name) = (user_id.clone(), name.clone());
                        async move {
                            let body = PasswordReset {
                                password: same_password(&v)?.into(),
                            };
                            let title = i18n.fill(tx::RESET_PASSWORD_OF, &[&name]);
                            if !confirm_danger(review, format!("{title}?"), title).await {
                                return Ok(false);
                            }
                            let path = format!("/users/{}/password", encode(&user_id));
                            api::send_empty(Method::POST, &path, Some(&body)).await?;
                            toasts.ok(c::SAVED, &name);
                            Ok(true)
                        }
                    }),
                    on_close: close,
                })
            }
        })
    };
    vec![
        page_header(
            tx::USERS,
            if manage() {
                vec![
                    button(tx::NEW_USER, move || open.set(Some(Open::New)))
                        .class("primary")
                        .view(),
                ]
            } else {
                Vec::new()
            },
        ),
        filter_bar(
            "users-filters",
            vec![
                Filter::search("q", c::SEARCH),
                Filter::choice("role", tx::ROLE, choices(tx::ROLES)),
                Filter::choice("status", c::STATUS, status_opts),
            ],
        ),
        view! {
            <DataTable id="users" caption=tx::USERS rows=rows columns=columns key=id
                name=username filter=username search=param("q")
                highlight=Signal::derive(move || router.param("new")) loading=users.loading
                error=users.error/>
        }
        .into_any(),
        dynamic(drawer),
    ]
}
