//! Who is signed in, the sign-in page, the account page and the users
//! page. The UI follows the permission matrix in `shared` only to hide
//! what a role cannot do; the server enforces it.

pub mod users;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{Action, PasswordChange, Role, SessionInfo, SignIn, allows, check_new_password};
use shared::validate::Problem;

use crate::api::{self, Failure};
use crate::i18n::auth as tx;
use crate::i18n::{T, tr, use_i18n};
use crate::ui::el::{dynamic, el, text};
use crate::ui::error::failure_text;
use crate::ui::{
    Control, FieldSpec, FormSpec, Values, button, fact, facts, form_drawer, page_header, submit,
    use_toasts,
};

/// Where the signed-in user sees their account and changes the password.
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

    pub fn user_id(&self) -> Option<String> {
        self.session.with(|s| {
            s.as_ref()
                .and_then(Option::as_ref)
                .map(|s| s.user.id.clone())
        })
    }

    fn set(&self, session: Option<SessionInfo>) {
        if let Some(s) = &session {
            api::set_csrf_token(&s.csrf_token);
            self.expired.set(false);
        }
        self.session.set(Some(session));
    }

    fn new() -> Auth {
        let auth = Auth {
            session: RwSignal::new(None),
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
    let auth = Auth::new();
    spawn_local(async move {
        auth.set(api::get::<SessionInfo>("/session").await.ok());
    });
    auth
}

/// Creates the context for a known session (components mounted on their
/// own, as in tests).
pub fn provide_session(session: SessionInfo) -> Auth {
    let auth = Auth::new();
    auth.set(Some(session));
    auth
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

pub const fn role_text(role: Role) -> T {
    match role {
        Role::Admin => tx::ADMIN,
        Role::Helpdesk => tx::HELPDESK,
        Role::Auditor => tx::AUDITOR,
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: web_sys::Event| {
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
    let field = |id: &'static str, label, kind, autocomplete, value: RwSignal<String>| {
        let input = el("input")
            .attr("id", id)
            .attr("type", kind)
            .attr("autocomplete", autocomplete)
            .attr("required", "")
            .value(move || value.get())
            .on("input", move |ev| value.set(event_target_value(&ev)));
        el("div")
            .class("field")
            .child(el("label").attr("for", id).word(label).view())
            .child(input.view())
            .view()
    };
    let expired = dynamic(move || {
        auth.expired.get().then(|| {
            el("p")
                .class("notice")
                .attr("role", "status")
                .word(tx::SESSION_EXPIRED)
                .view()
        })
    });
    let failed = dynamic(move || {
        error.get().map(|f| {
            el("p")
                .class("field-error")
                .attr("role", "alert")
                .child(failure_text(&f, i18n.lang()).into_any())
                .view()
        })
    });
    let submit = el("button")
        .attr("type", "submit")
        .class("primary")
        .flag("disabled", move || busy.get())
        .word(tx::SIGN_IN);
    let form = el("form")
        .on("submit", on_submit)
        .child(field(
            "sign-in-username",
            tx::USERNAME,
            "text",
            "username",
            username,
        ))
        .child(field(
            "sign-in-password",
            tx::PASSWORD,
            "password",
            "current-password",
            password,
        ))
        .child(failed)
        .child(submit.view());
    el("section")
        .class("sign-in")
        .child(el("h1").word(tx::SIGN_IN_TITLE).view())
        .child(expired)
        .child(form.view())
        .view()
}

/// The signed-in user, a link to the account page and sign-out.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let auth = use_auth();
    let sign_out = move || {
        spawn_local(async move {
            // Signed out locally even if the server is gone: the cookie then
            // expires on its own.
            let _ = api::send_empty(Method::DELETE, "/session", None::<&()>).await;
            auth.set(None);
        });
    };
    let i18n = use_i18n();
    dynamic(move || {
        auth.session().map(|s| {
            let role = role_text(s.user.role);
            let who = text(move || format!("{} · {}", s.user.username, i18n.t(role)));
            el("div")
                .class("account")
                .attr("role", "group")
                .attr_dyn("aria-label", move || Some(i18n.t(tx::ACCOUNT).into()))
                .child(crate::router::link(ACCOUNT_PATH.into(), who))
                .child(button(tx::SIGN_OUT, sign_out).class("link").view())
                .view()
        })
    })
}

/// The fields of a new password, typed twice; with `current`, the old one
/// first.
pub fn password_fields(current: bool) -> Vec<FieldSpec> {
    let mut fields = Vec::new();
    if current {
        fields.push(
            FieldSpec::new("current_password", tx::CURRENT_PASSWORD, Control::Secret).required(),
        );
    }
    fields.push(
        FieldSpec::new("new_password", tx::NEW_PASSWORD, Control::Secret)
            .required()
            .hint(tx::PASSWORD_RULE)
            .check(|v| check_new_password(v).err().map(|e| e.problem)),
    );
    fields
        .push(FieldSpec::new("confirm_password", tx::CONFIRM_PASSWORD, Control::Secret).required());
    fields
}

/// The new password, when typed the same twice (checked in the browser).
pub fn same_password(v: &Values) -> Result<String, Failure> {
    let new = v.text("new_password");
    if new == v.text("confirm_password") {
        Ok(new)
    } else {
        Err(Failure::invalid("confirm_password", Problem::Mismatch))
    }
}

/// The account page: who you are, and your password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let form = move || {
        let name = auth.session().map(|s| s.user.username).unwrap_or_default();
        form_drawer(FormSpec {
            id: "change-password".into(),
            title: Signal::derive(move || i18n.t(tx::CHANGE_PASSWORD).to_owned()),
            submit_label: tx::CHANGE_PASSWORD,
            fields: password_fields(true),
            initial: Values::default(),
            on_submit: submit(move |v: Values| {
                let name = name.clone();
                async move {
                    let body = PasswordChange {
                        current_password: v.text("current_password").into(),
                        new_password: same_password(&v)?.into(),
                    };
                    api::send_empty(Method::POST, "/me/password", Some(&body)).await?;
                    toasts.ok(tx::PASSWORD_CHANGED, &name);
                    Ok(true)
                }
            }),
            on_close: Callback::new(move |()| open.set(false)),
        })
    };
    vec![
        page_header(
            tx::ACCOUNT,
            if auth.can(Action::OwnPasswordChange) {
                vec![
                    button(tx::CHANGE_PASSWORD, move || open.set(true))
                        .class("primary")
                        .view(),
                ]
            } else {
                Vec::new()
            },
        ),
        dynamic(move || {
            auth.session().map(|s| {
                facts(vec![
                    fact(tx::USERNAME, s.user.username),
                    fact(tx::ROLE, tr(role_text(s.user.role))),
                ])
            })
        }),
        dynamic(move || open.get().then(form)),
    ]
}
