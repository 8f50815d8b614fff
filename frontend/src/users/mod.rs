//! The Users page: everyone allowed to read it sees the accounts; admins
//! also create them, change roles, disable and reset passwords.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::area::Area;
use shared::auth::{
    Action, NewUser, PasswordReset, Role, User, UserUpdate, check_new_password, check_username,
};

use crate::api;
use crate::auth::use_auth;
use crate::i18n::{Msg, tr, use_i18n};
use crate::ui::table::SortKey;
use crate::ui::{
    ActionResult, ActionStatus, Choice, Column, DataTable, Field, FieldKind, Form, Listing,
    Request, invalid,
};

fn role_options() -> Vec<(&'static str, Msg)> {
    Role::ALL.map(|r| (r.as_str(), Msg::Role(r))).to_vec()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let manage = use_auth().can(Action::UsersManage);
    let users = Listing::<User>::new();
    users.load("/users");
    let result = ActionResult::new();
    let change = move |id: String, update: UserUpdate| {
        spawn_local(async move {
            let r = api::send::<User>(Method::PATCH, &format!("/users/{id}"), &update).await;
            result.report(r);
            users.load("/users");
        });
    };
    let resetting = RwSignal::new(None::<User>);

    let mut columns = vec![
        Column::text(Msg::Username, |u: &User| u.username.clone()),
        Column::new(Msg::RoleLabel, move |u: &User| {
            if !manage {
                return tr(Msg::Role(u.role)).into_any();
            }
            let id = u.id.clone();
            let select_id = format!("role-{}", u.id);
            let name = u.username.clone();
            let role = u.role;
            view! {
                <label class="visually-hidden" for=select_id.clone()>
                    {move || format!("{} {name}", i18n.t(Msg::RoleLabel))}
                </label>
                <select id=select_id on:change=move |ev| {
                    if let Some(role) = Role::parse(&event_target_value(&ev)) {
                        change(id.clone(), UserUpdate { role: Some(role), disabled: None });
                    }
                }>
                    {Role::ALL.map(|r| view! {
                        <option value=r.as_str() selected=r == role>{tr(Msg::Role(r))}</option>
                    }).collect_view()}
                </select>
            }
            .into_any()
        })
        .sort_by(|u: &User| SortKey::Text(u.role.as_str().to_owned())),
        Column::new(Msg::Status, |u: &User| {
            tr(if u.disabled {
                Msg::Disabled
            } else {
                Msg::Enabled
            })
            .into_any()
        })
        .sort_by(|u: &User| SortKey::Number(i64::from(u.disabled))),
    ];
    if manage {
        columns.push(Column::new(Msg::Actions, move |u: &User| {
            let (id, disabled) = (u.id.clone(), u.disabled);
            let user = u.clone();
            view! {
                <button type="button" on:click=move |_| {
                    change(id.clone(), UserUpdate { role: None, disabled: Some(!disabled) });
                }>
                    {tr(if disabled { Msg::Enable } else { Msg::Disable })}
                </button>
                " "
                <button type="button" on:click=move |_| resetting.set(Some(user.clone()))>
                    {tr(Msg::ResetPassword)}
                </button>
            }
            .into_any()
        }));
    }
    view! {
        <h1>{tr(Msg::Area(Area::Users))}</h1>
        <ActionStatus result/>
        <DataTable id="users" caption=Msg::Area(Area::Users) rows=users.rows columns
            loading=users.loading error=users.error
            key=|u: &User| u.id.clone() name=|u: &User| u.username.clone()
            filter=|u: &User| format!("{} {}", u.username, u.role.as_str())/>
        {move || resetting.get().map(|user| view! { <ResetPassword user resetting result/> })}
        {manage.then(|| view! { <NewUserForm on_created=move || users.load("/users")/> })}
    }
}

#[component]
fn ResetPassword(
    user: User,
    resetting: RwSignal<Option<User>>,
    result: ActionResult,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let path = format!("/users/{}/password", user.id);
    let on_submit = move |_key: String| -> Option<Request> {
        let body = PasswordReset {
            password: password.get_untracked().into(),
        };
        let path = path.clone();
        Some(Box::pin(async move {
            api::send_empty(Method::POST, &path, Some(&body)).await?;
            resetting.set(None);
            result.report(Ok(()));
            Ok(())
        }))
    };
    view! {
        <Form id="reset-password-form" heading=Msg::ResetPassword subject=user.username.clone()
            submit=Msg::SetPassword on_submit on_cancel=move || resetting.set(None)>
            <Field id="reset-password" label=Msg::NewPassword value=password
                kind=FieldKind::NewPassword name="password" required=true hint=Msg::PasswordRule
                check=|v: String| check_new_password(&v).map_err(invalid)/>
        </Form>
    }
}

#[component]
fn NewUserForm(on_created: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Helpdesk.as_str().to_owned());
    let on_submit = move |key: String| -> Option<Request> {
        let body = NewUser {
            username: username.get_untracked(),
            role: Role::parse(&role.get_untracked())?,
            password: password.get_untracked().into(),
        };
        Some(Box::pin(async move {
            api::create::<User>("/users", &body, &key).await?;
            username.set(String::new());
            password.set(String::new());
            on_created();
            Ok(())
        }))
    };
    view! {
        <Form id="new-user" heading=Msg::CreateUser submit=Msg::Create on_submit>
            <Field id="new-user-name" label=Msg::Username value=username name="username"
                required=true check=|v: String| check_username(&v).map_err(invalid)/>
            <Choice id="new-user-role" label=Msg::RoleLabel value=role options=role_options()/>
            <Field id="new-user-password" label=Msg::Password value=password
                kind=FieldKind::NewPassword name="password" required=true hint=Msg::PasswordRule
                check=|v: String| check_new_password(&v).map_err(invalid)/>
        </Form>
    }
}
