//! Signing in as each role in a real Chromium: the navigation follows the
//! role, edit controls appear only for those allowed, and the server
//! refuses a forced call.

use e2e::{Browser, PASSWORD, TestApp};
use serde_json::json;
use shared::auth::Role;

const ALL_AREAS: [&str; 6] = [
    "Chat configurations",
    "Robots",
    "Groups",
    "Audit",
    "Users",
    "Credentials",
];

#[tokio::test]
async fn each_role_sees_its_navigation() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    app.add_user("audit", Role::Auditor).await?;
    let browser = Browser::start().await?;
    for (user, expected) in [
        ("admin", ALL_AREAS.to_vec()),
        ("desk", vec!["Chat configurations", "Robots", "Groups"]),
        ("audit", ALL_AREAS.to_vec()),
    ] {
        browser.sign_in(&app, user, PASSWORD).await?;
        assert_eq!(browser.nav_links("Main").await?, expected, "{user}");
        browser.button("Sign out").await?.click().await?;
        browser.heading("Sign in to chatdesk").await?;
        browser.assert_accessible().await?;
    }
    // A help-desk user who types the address of Users is told no.
    browser.sign_in(&app, "desk", PASSWORD).await?;
    browser.goto(&app.url("/users")).await?;
    browser
        .role_with_text("alert", "Your role does not give access to this page.")
        .await?;
    browser.assert_accessible().await?;
    browser.close().await
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_and_the_session_cookie_is_host_prefixed()
-> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.goto(&app.url("/")).await?;
    browser.field("User name").await?.send_keys("admin").await?;
    browser
        .field("Password")
        .await?
        .send_keys("not the password")
        .await?;
    browser.button("Sign in").await?.click().await?;
    browser
        .role_with_text("alert", "Wrong user name or password.")
        .await?;
    browser.assert_accessible().await?;

    browser.sign_in(&app, "admin", PASSWORD).await?;
    // Chromium keeps a Secure, __Host- cookie on http://127.0.0.1 (a
    // secure context), so the same name works without TLS in tests.
    let cookies = browser.client.get_all_cookies().await?;
    let session = cookies
        .iter()
        .find(|c| c.name() == "__Host-chatdesk")
        .expect("the session cookie is set");
    assert_eq!(session.secure(), Some(true));
    assert_eq!(session.http_only(), Some(true));
    assert_eq!(session.path(), Some("/"));
    // The page itself cannot read it.
    let visible = browser
        .client
        .execute("return document.cookie", vec![])
        .await?;
    assert!(!visible.as_str().unwrap_or_default().contains("chatdesk"));

    // The session survives a reload and the app boots under the CSP.
    browser.client.refresh().await?;
    browser.button("Sign out").await?;
    let csp = browser
        .client
        .execute_async(
            "const done = arguments[0]; fetch('/').then(r => done(r.headers.get('content-security-policy')));",
            vec![],
        )
        .await?;
    let csp = csp.as_str().unwrap_or_default();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    browser.close().await
}

/// Runs `fetch` in the page with the session's CSRF token; returns the
/// status and the error code.
async fn forced_call(
    browser: &Browser,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> anyhow::Result<(u64, String)> {
    let script = r#"
        const [method, path, body, done] = arguments;
        fetch('/api/v1/session').then(r => r.json()).then(s =>
          fetch('/api/v1' + path, {
            method,
            headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token },
            body: JSON.stringify(body),
          })
        ).then(async r => done([r.status, (await r.json()).code || '']));
    "#;
    let result = browser
        .client
        .execute_async(script, vec![json!(method), json!(path), body])
        .await?;
    Ok((
        result[0].as_u64().unwrap_or_default(),
        result[1].as_str().unwrap_or_default().to_owned(),
    ))
}

#[tokio::test]
async fn an_auditor_sees_no_edit_controls_and_forced_calls_are_refused() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("audit", Role::Auditor).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "audit", PASSWORD).await?;

    browser.link_in_nav("Main", "Users").await?.click().await?;
    browser.heading("Users").await?;
    browser.wait_for_text("admin").await?;
    browser.assert_accessible().await?;
    for xpath in [
        "//h2[normalize-space()='New user']",
        "//button[normalize-space()='Disable']",
        "//button[normalize-space()='Reset password']",
        "//main//select",
    ] {
        assert!(!browser.exists(xpath).await?, "an auditor sees {xpath}");
    }
    browser
        .link_in_nav("Main", "Credentials")
        .await?
        .click()
        .await?;
    browser.heading("Alibaba Cloud accounts").await?;
    browser.assert_accessible().await?;
    assert!(!browser.exists("//button[normalize-space()='Add']").await?);
    // The tables' filter boxes are the only inputs: no forms, no secrets.
    assert!(!browser.exists("//main//form").await?);
    assert!(!browser.exists("//main//input[@type='password']").await?);

    let new_user = json!({ "username": "mallory", "role": "admin", "password": "a long password" });
    assert_eq!(
        forced_call(&browser, "POST", "/users", new_user).await?,
        (403, "forbidden".into())
    );
    let app_input = json!({ "name": "x", "app_key": "k", "app_secret": "s" });
    assert_eq!(
        forced_call(&browser, "POST", "/credentials/dingtalk", app_input).await?,
        (403, "forbidden".into())
    );
    browser.close().await
}

#[tokio::test]
async fn an_admin_manages_users_and_write_only_credentials() -> anyhow::Result<()> {
    const SECRET: &str = "BrowserSecretValue9f8e7d";
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;

    browser.goto(&app.url("/users")).await?;
    browser.heading("Users").await?;
    browser.assert_accessible().await?;
    browser
        .field("User name")
        .await?
        .send_keys("newdesk")
        .await?;
    browser
        .field("Role")
        .await?
        .select_by_label("Help desk")
        .await?;
    browser.field("Password").await?.send_keys("short").await?;
    browser.button("Create").await?.click().await?;
    browser.role_with_text("alert", "at least 12").await?;
    browser.field("Password").await?.clear().await?;
    browser
        .field("Password")
        .await?
        .send_keys("a long enough password")
        .await?;
    browser.button("Create").await?.click().await?;
    browser.wait_for_text("newdesk").await?;
    browser.role_with_text("status", "Saved.").await?;
    browser.screenshot("users-admin").await?;

    browser.goto(&app.url("/credentials")).await?;
    let name = browser.wait_xpath("//input[@id='ding-name']").await?;
    browser.assert_accessible().await?;
    name.send_keys("ops bot").await?;
    browser
        .field("AppKey")
        .await?
        .send_keys("dingkey42")
        .await?;
    let secret = browser.field("AppSecret").await?;
    assert_eq!(secret.attr("type").await?.as_deref(), Some("password"));
    secret.send_keys(SECRET).await?;
    browser
        .wait_xpath("//form[.//input[@id='ding-name']]//button[@type='submit']")
        .await?
        .click()
        .await?;
    browser.wait_for_text("dingkey42").await?;
    browser.screenshot("credentials-admin").await?;
    let page = browser.client.source().await?;
    assert!(!page.contains(SECRET), "the page shows the secret");
    assert!(page.contains('…'), "a fingerprint is shown");

    // Everyone changes their own password from the account menu.
    browser.button("Sign out").await?;
    browser
        .client
        .find(fantoccini::Locator::LinkText("Change password"))
        .await?
        .click()
        .await?;
    browser.heading("Change password").await?;
    browser.assert_accessible().await?;
    browser
        .field("Current password")
        .await?
        .send_keys(PASSWORD)
        .await?;
    browser
        .field("New password")
        .await?
        .send_keys("a brand new password")
        .await?;
    browser
        .field("Repeat the new password")
        .await?
        .send_keys("a brand new password")
        .await?;
    browser.button("Change password").await?.click().await?;
    browser.role_with_text("status", "Saved.").await?;
    browser.button("Sign out").await?.click().await?;
    browser
        .sign_in(&app, "admin", "a brand new password")
        .await?;
    browser.close().await
}
