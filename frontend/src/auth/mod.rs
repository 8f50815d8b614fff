//! Who is signed in, the sign-in page, the account menu and the password
//! change page. The UI only follows the permission matrix to hide what a
//! role cannot do; the server enforces it.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{Action, PasswordChange, SessionInfo, SignIn, allows, check_new_password};

use crate::api::{self, Failure};
use crate::i18n::{Msg, UiMsg, tr, use_i18n};
use crate::router::Link;
use crate::ui::{Field, FieldKind, Form, Request, failure_text, invalid};

/// Where the signed-in user changes their own password.
pub const ACCOUNT_PATH: &str = "/account";

/// The session, shared through context. `None` inside `Some` means
/// "checked: not signed in".
#[derive(Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Option<SessionInfo>>>,
    /// The server ended the session (a call got 401): sign-in says so.
    expired: RwSignal<bool>,
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
            self.expired.set(false);
        }
        self.session.set(Some(session));
    }

    fn new(session: Option<Option<SessionInfo>>) -> Auth {
        let auth = Auth {
            session: RwSignal::new(session),
            expired: RwSignal::new(false),
        };
        // Any call that finds the session gone shows sign-in in place: the
        // address stays, so signing in again returns to the same page.
        api::on_session_expired(move || {
            if auth.session.with_untracked(|s| matches!(s, Some(Some(_)))) {
                auth.expired.set(true);
                auth.session.set(Some(None));
            }
        });
        provide_context(auth);
        auth
    }
}

/// Creates the context and asks the server who is signed in.
pub fn provide_auth() -> Auth {
    let auth = Auth::new(None);
    spawn_local(async move {
        auth.set(api::get::<SessionInfo>("/session").await.ok());
    });
    auth
}

/// Creates the context for a known session (components mounted on their
/// own, as in tests).
pub fn provide_session(session: SessionInfo) -> Auth {
    let auth = Auth::new(None);
    auth.set(Some(session));
    auth
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
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
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let body = SignIn {
            username: username.get_untracked(),
            password: password.get_untracked().into(),
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
            {move || auth.expired.get().then(|| view! {
                <p class="notice" role="status">{tr(Msg::Ui(UiMsg::SessionExpired))}</p>
            })}
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
    let on_submit = move |_key: String| -> Option<Request> {
        let body = PasswordChange {
            current_password: current.get_untracked().into(),
            new_password: new.get_untracked().into(),
        };
        Some(Box::pin(async move {
            api::send_empty(Method::POST, "/me/password", Some(&body)).await?;
            for s in [current, new, confirm] {
                s.set(String::new());
            }
            Ok(())
        }))
    };
    let same = move |v: String| {
        if v == new.get() {
            Ok(())
        } else {
            Err(i18n.t(Msg::PasswordsDiffer).to_owned())
        }
    };
    view! {
        <h1>{tr(Msg::AccountMenu)}</h1>
        <Form id="change-password" heading=Msg::ChangePassword submit=Msg::ChangePassword
            on_submit=on_submit>
            <Field id="pw-current" label=Msg::CurrentPassword value=current kind=FieldKind::Password
                name="current_password" required=true/>
            <Field id="pw-new" label=Msg::NewPassword value=new kind=FieldKind::NewPassword
                name="new_password" required=true hint=Msg::PasswordRule
                check=|v: String| check_new_password(&v).map_err(invalid)/>
            <Field id="pw-confirm" label=Msg::ConfirmPassword value=confirm
                kind=FieldKind::NewPassword required=true check=same/>
        </Form>
    }
}
