//! The users page: a list with filters in the URL, a drawer to create a
//! user, and edits (role, disabling, a password reset) that each ask for
//! confirmation naming the person, with the server's plan.

use gloo_net::http::Method;
use leptos::prelude::*;
use shared::auth::{Action, NewUser, PasswordReset, Role, User, UserUpdate, check_username};

use super::{password_fields, role_text, same_password, use_auth};
use crate::api;
use crate::i18n::common as c;
use crate::i18n::{auth as tx, now, use_i18n};
use crate::router::{encode, use_router};
use crate::ui::{
    Column, Control, DataTable, Edit, FieldSpec, Filter, FilterBar, FormSpec, PageHeader, Remote,
    RowAction, Time, Values, Wording, choices, confirm_danger, form_drawer, param, review_edit,
    submit, use_review, use_toasts,
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
    Edit(User),
    Password(User),
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let review = use_review();
    let router = use_router();
    let users = Remote::<Vec<User>>::follow(|| Some("/users".into()));
    let open = RwSignal::new(None::<Open>);
    let manage = move || auth.can(Action::UsersManage);
    let role_filter = param("role");
    let status_filter = param("status");
    let rows = Signal::derive(move || {
        let (role, status) = (role_filter.get(), status_filter.get());
        users.value.with(|u| {
            u.iter()
                .flatten()
                .filter(|u| role.is_empty() || u.role.as_str() == role)
                .filter(|u| status.is_empty() || (status == "disabled") == u.disabled)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let mut columns = vec![
        Column::text(tx::USERNAME, |u: &User| u.username.clone()),
        Column::new(tx::ROLE, |u: &User| now(role_text(u.role)).into_any())
            .sort_by(|u| crate::ui::SortKey::Text(u.role.as_str().into())),
        Column::new(c::STATUS, |u: &User| {
            now(if u.disabled { c::DISABLED } else { c::ENABLED }).into_any()
        }),
        Column::new(c::CREATED, |u: &User| {
            view! { <Time millis=u.created_at/> }.into_any()
        })
        .sort_by(|u| crate::ui::SortKey::Number(u.created_at)),
    ];
    if manage() {
        let edit = RowAction::new(c::EDIT, move |u: &User| {
            open.set(Some(Open::Edit(u.clone())))
        });
        let reset = RowAction::new(tx::RESET_PASSWORD, move |u: &User| {
            open.set(Some(Open::Password(u.clone())));
        });
        columns.push(Column::actions(
            |u: &User| u.username.clone(),
            vec![edit, reset],
        ));
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
                    let user: User = api::create("/users", &body, v.key()).await?;
                    toasts.ok(c::CREATED_TOAST, &user.username);
                    router.set_params(&[("new", user.id.clone())], false);
                    users.reload();
                    Ok(true)
                }),
                on_close: close,
            }),
            Open::Edit(user) => {
                let name = user.username.clone();
                let initial = Values::default()
                    .with(
                        "role",
                        crate::ui::form::Value::Text(user.role.as_str().into()),
                    )
                    .with("disabled", crate::ui::form::Value::Bool(user.disabled));
                let title_name = name.clone();
                form_drawer(FormSpec {
                    id: format!("user-edit-{}", user.id),
                    title: Signal::derive(move || i18n.fill(tx::EDIT_USER, &[&title_name])),
                    submit_label: c::REVIEW,
                    fields: vec![
                        FieldSpec::new("role", tx::ROLE, Control::Select(choices(tx::ROLES)))
                            .required(),
                        FieldSpec::new("disabled", tx::ACCOUNT_DISABLED, Control::Check),
                    ],
                    initial,
                    on_submit: submit(move |v: Values| {
                        let (id, name) = (user.id.clone(), name.clone());
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
                let title_name = user.username.clone();
                form_drawer(FormSpec {
                    id: format!("user-password-{}", user.id),
                    title: Signal::derive(move || i18n.fill(tx::RESET_PASSWORD_OF, &[&title_name])),
                    submit_label: tx::SET_PASSWORD,
                    fields: password_fields(false),
                    initial: Values::default(),
                    on_submit: submit(move |v: Values| {
                        let user = user.clone();
                        async move {
                            let body = PasswordReset {
                                password: same_password(&v)?.into(),
                            };
                            let title = i18n.fill(tx::RESET_PASSWORD_OF, &[&user.username]);
                            if !confirm_danger(review, format!("{title}?"), title).await {
                                return Ok(false);
                            }
                            let path = format!("/users/{}/password", encode(&user.id));
                            api::send_empty(Method::POST, &path, Some(&body)).await?;
                            toasts.ok(c::SAVED, &user.username);
                            Ok(true)
                        }
                    }),
                    on_close: close,
                })
            }
        })
    };
    view! {
        <PageHeader title=tx::USERS>
            {move || manage().then(|| view! {
                <button type="button" class="primary" on:click=move |_| open.set(Some(Open::New))>
                    {crate::i18n::tr(tx::NEW_USER)}
                </button>
            })}
        </PageHeader>
        <FilterBar id="users-filters" filters=vec![
            Filter::search("q", c::SEARCH),
            Filter::choice("role", tx::ROLE, choices(tx::ROLES)),
            Filter::choice("status", c::STATUS, status_opts),
        ]/>
        <DataTable id="users" caption=tx::USERS rows=rows columns=columns
            key=|u: &User| u.id.clone() name=|u: &User| u.username.clone()
            filter=|u: &User| u.username.clone() search=param("q")
            highlight=Signal::derive(move || router.param("new"))
            loading=users.loading error=users.error/>
        {drawer}
    }
}
