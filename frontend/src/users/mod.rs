//! The Users page: everyone allowed to read it sees the accounts; admins
//! also create them, change roles, disable and reset passwords.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{Action, NewUser, PasswordReset, Role, User, UserUpdate};

use crate::api;
use crate::auth::{Outcome, failure_text, use_auth};
use crate::i18n::{Msg, tr, use_i18n};

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let users = RwSignal::new(Vec::<User>::new());
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let reload = move || {
        spawn_local(async move {
            match api::get::<Vec<User>>("/users").await {
                Ok(list) => users.set(list),
                Err(f) => outcome.set(Some(Err(failure_text(&f, i18n)))),
            }
        });
    };
    reload();
    let manage = move || auth.can(Action::UsersManage);
    let change = move |id: String, update: UserUpdate| {
        spawn_local(async move {
            let r = api::send::<User>(Method::PATCH, &format!("/users/{id}"), &update).await;
            outcome.set(Some(r.map(|_| ()).map_err(|f| failure_text(&f, i18n))));
            reload();
        });
    };
    let resetting = RwSignal::new(None::<User>);
    view! {
        <h1>{tr(Msg::Area(shared::area::Area::Users))}</h1>
        <Outcome outcome=outcome/>
        <table>
            <thead>
                <tr>
                    <th scope="col">{tr(Msg::Username)}</th>
                    <th scope="col">{tr(Msg::RoleLabel)}</th>
                    <th scope="col">{tr(Msg::Status)}</th>
                    <Show when=manage><th scope="col">{tr(Msg::Actions)}</th></Show>
                </tr>
            </thead>
            <tbody>
                {move || users.get().into_iter().map(|user| {
                    let id = user.id.clone();
                    let id2 = user.id.clone();
                    let disabled = user.disabled;
                    let role = user.role;
                    let name = user.username.clone();
                    let select_id = format!("role-{}", user.id);
                    let for_reset = user.clone();
                    view! {
                        <tr>
                            <th scope="row">{user.username.clone()}</th>
                            <td>
                                {move || if manage() {
                                    let id = id.clone();
                                    view! {
                                        <label class="visually-hidden" for=select_id.clone()>
                                            {i18n.t(Msg::RoleLabel)} " " {name.clone()}
                                        </label>
                                        <select id=select_id.clone() on:change=move |ev| {
                                            if let Some(role) = Role::parse(&event_target_value(&ev)) {
                                                change(id.clone(), UserUpdate { role: Some(role), disabled: None });
                                            }
                                        }>
                                            <RoleOptions selected=role/>
                                        </select>
                                    }.into_any()
                                } else {
                                    i18n.t(Msg::Role(role)).into_any()
                                }}
                            </td>
                            <td>{tr(if disabled { Msg::Disabled } else { Msg::Enabled })}</td>
                            <Show when=manage>
                                <td>
                                    <button type="button" on:click={
                                        let id = id2.clone();
                                        move |_| change(id.clone(), UserUpdate { role: None, disabled: Some(!disabled) })
                                    }>
                                        {tr(if disabled { Msg::Enable } else { Msg::Disable })}
                                    </button>
                                    " "
                                    <button type="button" on:click={
                                        let user = for_reset.clone();
                                        move |_| resetting.set(Some(user.clone()))
                                    }>{tr(Msg::ResetPassword)}</button>
                                </td>
                            </Show>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || resetting.get().map(|user| view! { <ResetPassword user=user resetting=resetting outcome=outcome/> })}
        <Show when=manage>
            <NewUserForm on_created=move || reload() outcome=outcome/>
        </Show>
    }
}

#[component]
fn RoleOptions(selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|role| {
            view! {
                <option value=role.as_str() selected=role == selected>
                    {tr(Msg::Role(role))}
                </option>
            }
        })
        .collect_view()
}

#[component]
fn ResetPassword(
    user: User,
    resetting: RwSignal<Option<User>>,
    outcome: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let password = RwSignal::new(String::new());
    let id = user.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let path = format!("/users/{id}/password");
        let body = PasswordReset {
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let r = api::send_empty(Method::POST, &path, Some(&body)).await;
            if r.is_ok() {
                resetting.set(None);
            }
            outcome.set(Some(r.map_err(|f| failure_text(&f, i18n))));
        });
    };
    view! {
        <form class="stack" on:submit=submit>
            <h2>{tr(Msg::ResetPassword)} ": " {user.username.clone()}</h2>
            <label for="reset-password">{tr(Msg::NewPassword)}</label>
            <input id="reset-password" type="password" autocomplete="new-password" required
                minlength="12" bind:value=password/>
            <small>{tr(Msg::PasswordRule)}</small>
            <div>
                <button type="submit">{tr(Msg::SetPassword)}</button>
                " "
                <button type="button" on:click=move |_| resetting.set(None)>{tr(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

#[component]
fn NewUserForm(
    on_created: impl Fn() + Copy + 'static,
    outcome: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Helpdesk);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewUser {
            username: username.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let r = api::send::<User>(Method::POST, "/users", &body).await;
            if r.is_ok() {
                username.set(String::new());
                password.set(String::new());
                on_created();
            }
            outcome.set(Some(r.map(|_| ()).map_err(|f| failure_text(&f, i18n))));
        });
    };
    view! {
        <form class="stack" on:submit=submit>
            <h2>{tr(Msg::CreateUser)}</h2>
            <label for="new-user-name">{tr(Msg::Username)}</label>
            <input id="new-user-name" type="text" autocomplete="off" required bind:value=username/>
            <label for="new-user-role">{tr(Msg::RoleLabel)}</label>
            <select id="new-user-role" on:change=move |ev| {
                if let Some(r) = Role::parse(&event_target_value(&ev)) {
                    role.set(r);
                }
            }>
                <RoleOptions selected=Role::Helpdesk/>
            </select>
            <label for="new-user-password">{tr(Msg::Password)}</label>
            <input id="new-user-password" type="password" autocomplete="new-password" required
                minlength="12" bind:value=password/>
            <small>{tr(Msg::PasswordRule)}</small>
            <button type="submit">{tr(Msg::Create)}</button>
        </form>
    }
}
