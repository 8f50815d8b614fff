//! Who is signed in, the sign-in page, the account menu and the password
//! change page. The UI only follows the permission matrix to hide what a
//! role cannot do; the server enforces it.

use crate::app::ACCOUNT_PATH;
use crate::router::Link;
use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{Action, PasswordChange, SessionInfo, SignIn, allows};

use crate::api::{self, Failure};
use crate::i18n::{I18n, Msg, tr, use_i18n};

/// The session, shared through context. `None` inside `Some` means
/// "checked: not signed in".
#[derive(Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Option<SessionInfo>>>,
}

impl Auth {
    pub fn checked(&self) -> bool {
        self.session.with(Option::is_some)
    }

    pub fn session(&self) -> Option<SessionInfo> {
        self.session.get().flatten()
    }

    /// Whether the signed-in user's role allows `action` (reactive).
    pub fn can(&self, action: Action) -> bool {
        self.session.with(|s| {
            s.as_ref()
                .and_then(Option::as_ref)
                .is_some_and(|s| allows(s.user.role, action))
        })
    }

    fn set(&self, session: Option<SessionInfo>) {
        if let Some(s) = &session {
            api::set_csrf_token(&s.csrf_token);
        }
        self.session.set(Some(session));
    }
}

/// Creates the context and asks the server who is signed in.
pub fn provide_auth() -> Auth {
    let auth = Auth {
        session: RwSignal::new(None),
    };
    provide_context(auth);
    spawn_local(async move {
        auth.set(api::get::<SessionInfo>("/session").await.ok());
    });
    auth
}

/// Creates the context for a known session (components mounted on their
/// own, as in tests).
pub fn provide_session(session: SessionInfo) -> Auth {
    let auth = Auth {
        session: RwSignal::new(None),
    };
    auth.set(Some(session));
    provide_context(auth);
    auth
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The message for a failed call: ours for known codes, else the server's.
pub fn failure_text(failure: &Failure, i18n: I18n) -> String {
    let known = match failure.body.code.as_str() {
        "invalid_credentials" => Msg::WrongCredentials,
        "too_many_attempts" => Msg::TooManyAttempts,
        "forbidden" => Msg::NoAccess,
        _ => return failure.body.message.clone(),
    };
    i18n.t(known).to_owned()
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let body = SignIn {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::send::<SessionInfo>(Method::POST, "/session", &body).await {
                Ok(session) => auth.set(Some(session)),
                Err(failure) => {
                    password.set(String::new());
                    error.set(Some(failure));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="sign-in">
            <h1>{tr(Msg::SignInTitle)}</h1>
            <form on:submit=submit>
                <label for="sign-in-username">{tr(Msg::Username)}</label>
                <input id="sign-in-username" type="text" autocomplete="username" required
                    bind:value=username/>
                <label for="sign-in-password">{tr(Msg::Password)}</label>
                <input id="sign-in-password" type="password" autocomplete="current-password"
                    required bind:value=password/>
                {move || error.get().map(|f| view! {
                    <p class="error" role="alert">{failure_text(&f, i18n)}</p>
                })}
                <button type="submit" disabled=move || busy.get()>{tr(Msg::SignIn)}</button>
            </form>
        </section>
    }
}

/// The signed-in user, a link to change the password and sign-out.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let auth = use_auth();
    let sign_out = move |_| {
        spawn_local(async move {
            // Signed out locally even if the server is gone: the cookie then
            // expires on its own.
            let _ = api::send_empty(Method::DELETE, "/session", None::<&()>).await;
            auth.set(None);
        });
    };
    move || {
        auth.session().map(|s| {
            let role = s.user.role;
            view! {
                <div class="account" role="group" aria-label=tr(Msg::AccountMenu)>
                    <span class="who">{s.user.username.clone()} " · " {tr(Msg::Role(role))}</span>
                    <Link href=ACCOUNT_PATH>{tr(Msg::ChangePassword)}</Link>
                    <button type="button" on:click=sign_out>{tr(Msg::SignOut)}</button>
                </div>
            }
        })
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if new.get_untracked() != confirm.get_untracked() {
            outcome.set(Some(Err(i18n.t(Msg::PasswordsDiffer).to_owned())));
            return;
        }
        let body = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        spawn_local(async move {
            let result = api::send_empty(Method::POST, "/me/password", Some(&body)).await;
            if result.is_ok() {
                for s in [current, new, confirm] {
                    s.set(String::new());
                }
            }
            outcome.set(Some(result.map_err(|f| failure_text(&f, i18n))));
        });
    };
    view! {
        <h1>{tr(Msg::ChangePassword)}</h1>
        <form class="stack" on:submit=submit>
            <label for="pw-current">{tr(Msg::CurrentPassword)}</label>
            <input id="pw-current" type="password" autocomplete="current-password" required
                bind:value=current/>
            <label for="pw-new">{tr(Msg::NewPassword)}</label>
            <input id="pw-new" type="password" autocomplete="new-password" required minlength="12"
                bind:value=new/>
            <small>{tr(Msg::PasswordRule)}</small>
            <label for="pw-confirm">{tr(Msg::ConfirmPassword)}</label>
            <input id="pw-confirm" type="password" autocomplete="new-password" required
                bind:value=confirm/>
            <Outcome outcome=outcome/>
            <button type="submit">{tr(Msg::ChangePassword)}</button>
        </form>
    }
}

/// The result of the last submit: "saved" or the error, announced.
#[component]
pub fn Outcome(outcome: RwSignal<Option<Result<(), String>>>) -> impl IntoView {
    move || {
        outcome.get().map(|r| match r {
            Ok(()) => view! { <p class="ok" role="status">{tr(Msg::Done)}</p> }.into_any(),
            Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
        })
    }
}
