//! The shared UI parts in a real Chromium: the confirmation before a
//! delete, a session that expires mid-visit, a double-clicked submit, an
//! upstream failure with its RequestId, and every page on a 390 px phone.

use backend::audit::Actor;
use backend::sandbox::{
    DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_APP_KEY, DEMO_APP_SECRET, Fault,
};
use e2e::{Browser, PASSWORD, TestApp};
use shared::auth::Role;
use shared::vault::{AlibabaAccountInput, DingTalkAppInput};

/// How many stored DingTalk apps are named `name`.
async fn apps_named(app: &TestApp, name: &str) -> anyhow::Result<usize> {
    let apps = app.state.vault.list_dingtalk().await?;
    Ok(apps.iter().filter(|a| a.name == name).count())
}

/// A DingTalk app named `name`, stored directly in the vault.
async fn store_app(app: &TestApp, name: &str) -> anyhow::Result<()> {
    let input = DingTalkAppInput {
        name: name.into(),
        app_key: DEMO_APP_KEY.into(),
        app_secret: Some(DEMO_APP_SECRET.into()),
        ..DingTalkAppInput::default()
    };
    app.state
        .vault
        .create_dingtalk(&Actor::cli(), &input)
        .await?;
    Ok(())
}

#[tokio::test]
async fn deleting_a_credential_asks_first_naming_it_and_cancel_keeps_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    store_app(&app, "prod-hz").await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser
        .link_in_nav("Main", "Credentials")
        .await?
        .click()
        .await?;
    let row = "//tr[th[normalize-space()='prod-hz']]";
    browser.wait_xpath(row).await?;
    browser.assert_accessible().await?;

    let delete = format!("{row}//button[normalize-space()='Delete']");
    browser.wait_xpath(&delete).await?.click().await?;
    let dialog = browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Delete credential prod-hz?']]")
        .await?;
    assert_eq!(dialog.attr("aria-modal").await?.as_deref(), Some("true"));
    let focused = browser.client.active_element().await?.text().await?;
    assert_eq!(focused, "Cancel", "focus starts on the safe choice");
    browser.screenshot("credential-delete-confirm").await?;
    browser.assert_accessible().await?;
    browser.dialog_button("Cancel").await?.click().await?;
    assert!(!browser.exists("//dialog").await?);
    assert!(browser.exists(row).await?, "Cancel keeps the credential");
    assert_eq!(apps_named(&app, "prod-hz").await?, 1);

    // Escape cancels too; Delete in the dialog deletes.
    browser.wait_xpath(&delete).await?.click().await?;
    browser.wait_xpath("//dialog[@open]").await?;
    browser
        .client
        .active_element()
        .await?
        .send_keys("\u{e00c}")
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!browser.exists("//dialog").await?, "Escape closes it");
    assert_eq!(apps_named(&app, "prod-hz").await?, 1);
    browser.wait_xpath(&delete).await?.click().await?;
    browser.dialog_button("Delete").await?.click().await?;
    browser.role_with_text("status", "Saved.").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while browser.exists(row).await? {
        anyhow::ensure!(std::time::Instant::now() < deadline, "the row stayed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(apps_named(&app, "prod-hz").await?, 0);
    browser.close().await
}

#[tokio::test]
async fn an_expired_session_lands_on_sign_in_and_returns_to_the_same_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.link_in_nav("Main", "Users").await?.click().await?;
    browser.heading("Users").await?;

    browser.expire_session(&app).await?;
    // The next call finds the session gone.
    browser.field("User name").await?.send_keys("late").await?;
    browser
        .field("Password")
        .await?
        .send_keys("a long enough password")
        .await?;
    browser.button("Create").await?.click().await?;
    browser
        .role_with_text("status", "Your session expired; sign in again.")
        .await?;
    browser.heading("Sign in to chatdesk").await?;
    browser.assert_accessible().await?;
    assert_eq!(browser.client.current_url().await?.path(), "/users");

    browser.sign_in_here("admin", PASSWORD).await?;
    browser.heading("Users").await?;
    assert_eq!(browser.client.current_url().await?.path(), "/users");
    browser.close().await
}

#[tokio::test]
async fn a_double_click_on_submit_sends_one_request() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/users")).await?;
    browser.heading("Users").await?;
    browser.assert_accessible().await?;
    browser.field("User name").await?.send_keys("twice").await?;
    browser
        .field("Password")
        .await?
        .send_keys("a long enough password")
        .await?;
    let create = browser.button("Create").await?;
    browser.double_click(&create).await?;
    browser.role_with_text("status", "Saved.").await?;
    browser
        .wait_xpath("//tr[th[normalize-space()='twice']]")
        .await?;
    let users = backend::auth::users::list(&app.state.db).await?;
    let created = users.iter().filter(|u| u.username == "twice").count();
    assert_eq!(created, 1);
    // No second attempt was refused either: the page shows no error.
    assert!(
        !browser
            .exists("//*[contains(@class,'error-panel')]")
            .await?
    );
    browser.close().await
}

#[tokio::test]
async fn a_failed_connection_test_shows_the_upstream_request_id() -> anyhow::Result<()> {
    let (app, sandbox) = TestApp::with_own_sandbox().await?;
    let input = AlibabaAccountInput {
        name: "ops-hz".into(),
        access_key_id: Some(DEMO_ACCESS_KEY_ID.into()),
        access_key_secret: Some(DEMO_ACCESS_KEY_SECRET.into()),
        regions: vec!["cn-hangzhou".into()],
        ..AlibabaAccountInput::default()
    };
    app.state
        .vault
        .create_alibaba(&Actor::cli(), &input)
        .await?;
    sandbox.faults().set("*", Fault::no_permission());

    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/credentials")).await?;
    browser
        .wait_xpath(
            "//tr[th[normalize-space()='ops-hz']]//button[normalize-space()='Test connection']",
        )
        .await?
        .click()
        .await?;
    let id = browser
        .wait_xpath("//dt[normalize-space()='Upstream RequestId']/following-sibling::dd[1]/code")
        .await?
        .text()
        .await?;
    assert!(!id.trim().is_empty(), "the RequestId is shown");
    browser.button("Copy Upstream RequestId").await?;
    browser.wait_for_text("Connection failed").await?;
    browser.screenshot("connection-failed-request-id").await?;
    browser.assert_accessible().await?;
    browser.close().await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn every_page_fits_a_390_px_phone() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    store_app(&app, "a credential with a rather long name for a phone").await?;
    app.add_user("helpdesk.with.a.long.name@example.com", Role::Helpdesk)
        .await?;
    let browser = Browser::start().await?;
    browser.goto(&app.url("/")).await?;
    browser.heading("Sign in to chatdesk").await?;
    browser.assert_fits_phone("sign-in").await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    for (path, heading) in [
        ("/", "Welcome to chatdesk"),
        ("/chat-configs", "Chat configurations"),
        ("/robots", "Notification robots"),
        ("/groups", "Groups"),
        ("/audit", "Audit"),
        ("/users", "Users"),
        ("/credentials", "Credentials"),
        ("/account", "Account"),
    ] {
        browser.goto(&app.url(path)).await?;
        browser.heading(heading).await?;
        // Let lists arrive before measuring.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        browser.assert_accessible().await?;
        let name = if path == "/" { "home" } else { &path[1..] };
        browser.assert_fits_phone(name).await?;
    }

    // On the phone the navigation hides behind the menu button.
    browser.goto(&app.url("/")).await?;
    browser.heading("Welcome to chatdesk").await?;
    browser.client.set_window_size(390, 844).await?;
    let menu = browser.button("Menu").await?;
    assert_eq!(menu.attr("aria-expanded").await?.as_deref(), Some("false"));
    assert!(
        !browser
            .link_in_nav("Main", "Users")
            .await?
            .is_displayed()
            .await?
    );
    menu.click().await?;
    assert_eq!(menu.attr("aria-expanded").await?.as_deref(), Some("true"));
    browser.link_in_nav("Main", "Users").await?.click().await?;
    browser.heading("Users").await?;
    assert_eq!(menu.attr("aria-expanded").await?.as_deref(), Some("false"));
    browser.assert_accessible().await?;
    browser.close().await
}
