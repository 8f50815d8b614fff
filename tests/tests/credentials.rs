//! The credentials vault in a real Chromium: every field of both kinds'
//! drawers, write-only secrets, an edit's plan with secrets as kept or
//! replaced, the default a new credential never takes, a connection test
//! in a toast, and a delete that asks naming the credential.

use backend::audit::Actor;
use backend::sandbox::{
    DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_APP_KEY, DEMO_APP_SECRET, Fault,
};
use e2e::{Browser, PASSWORD, TestApp};
use shared::auth::Role;
use shared::vault::{AlibabaAccountInput, DingTalkAppInput};

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
async fn an_admin_adds_an_account_whose_secret_never_comes_back() -> anyhow::Result<()> {
    const SECRET: &str = "BrowserSecretValue9f8e7d";
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/credentials")).await?;
    browser.heading("Alibaba Cloud accounts").await?;
    browser
        .button("Add Alibaba Cloud account")
        .await?
        .click()
        .await?;
    browser.field("Name").await?.send_keys("ops-hz").await?;
    browser
        .field("AccessKey ID")
        .await?
        .send_keys(DEMO_ACCESS_KEY_ID)
        .await?;
    let secret = browser.field("AccessKey secret").await?;
    assert_eq!(secret.attr("type").await?.as_deref(), Some("password"));
    secret.send_keys(SECRET).await?;
    browser
        .field("STS token")
        .await?
        .send_keys("sts-token-value")
        .await?;
    browser.choose("Signature", "HMAC-SHA1 (legacy)").await?;
    browser
        .field("Regions")
        .await?
        .send_keys("cn-hangzhou\nnot a region")
        .await?;
    browser.dialog_button("Create").await?.click().await?;
    browser
        .wait_for_text("This is not in the expected form.")
        .await?;
    browser.assert_accessible().await?;
    browser
        .retype("Regions", "cn-hangzhou\ncn-shanghai")
        .await?;
    // A draft survives a reload, its secrets excepted.
    browser.client.refresh().await?;
    browser
        .button("Add Alibaba Cloud account")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("What you typed before was restored.")
        .await?;
    assert_eq!(
        browser.field("Name").await?.prop("value").await?.as_deref(),
        Some("ops-hz")
    );
    assert_eq!(
        browser
            .field("AccessKey secret")
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some("")
    );
    browser
        .field("AccessKey secret")
        .await?
        .send_keys(SECRET)
        .await?;
    browser.dialog_button("Create").await?.click().await?;
    browser.role_with_text("status", "Created: ops-hz").await?;
    let row = browser.row("ops-hz").await?;
    assert_eq!(row.attr("class").await?.as_deref(), Some("highlight"));
    browser.wait_for_text("cn-hangzhou, cn-shanghai").await?;
    let page = browser.client.source().await?;
    assert!(!page.contains(SECRET), "the page shows the secret");

    // An edit shows the plan: the secret only as kept.
    browser.row_button("ops-hz", "Edit").await?.click().await?;
    browser.retype("Name", "ops-hangzhou").await?;
    browser
        .field("Remove the stored STS token")
        .await?
        .click()
        .await?;
    browser
        .dialog_button("Review changes")
        .await?
        .click()
        .await?;
    browser.heading("Review: ops-hz").await?;
    browser
        .wait_xpath("//table[contains(@class,'plan')]//*[normalize-space()='ops-hangzhou']")
        .await?;
    browser.assert_accessible().await?;
    browser
        .dialog_button("Apply to ops-hz")
        .await?
        .click()
        .await?;
    browser.role_with_text("status", "Saved: ops-hz").await?;
    browser.row("ops-hangzhou").await?;
    browser.close().await
}

#[tokio::test]
async fn a_new_app_does_not_become_the_default_until_chosen() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    store_app(&app, "first-app").await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/credentials?tab=dingtalk")).await?;
    browser.heading("DingTalk apps").await?;
    browser.button("Add DingTalk app").await?.click().await?;
    browser.field("Name").await?.send_keys("a-new-app").await?;
    browser
        .field("AppKey")
        .await?
        .send_keys("dingnewkey42")
        .await?;
    browser
        .field("AppSecret")
        .await?
        .send_keys("aNewAppSecretValue42")
        .await?;
    browser.choose("Site", "International").await?;
    browser
        .choose("API", "Legacy API (oapi.dingtalk.com)")
        .await?;
    browser.dialog_button("Create").await?.click().await?;
    browser
        .role_with_text("status", "Created: a-new-app")
        .await?;
    let apps = app.state.vault.list_dingtalk().await?;
    let new = apps.iter().find(|a| a.name == "a-new-app").expect("stored");
    assert!(!new.default, "a new app became the default");
    browser
        .row_button("a-new-app", "Make default")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "Now the default: a-new-app")
        .await?;
    let apps = app.state.vault.list_dingtalk().await?;
    let defaults: Vec<_> = apps
        .iter()
        .filter(|a| a.default)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(defaults, ["a-new-app"]);
    browser.assert_accessible().await?;
    browser.close().await
}

#[tokio::test]
async fn deleting_asks_naming_the_credential_and_cancel_or_escape_keep_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    store_app(&app, "prod-hz").await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/credentials?tab=dingtalk")).await?;
    browser
        .row_button("prod-hz", "Delete")
        .await?
        .click()
        .await?;
    let dialog = browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Delete credential prod-hz?']]")
        .await?;
    assert_eq!(dialog.attr("aria-modal").await?.as_deref(), Some("true"));
    let focused = browser.client.active_element().await?.text().await?;
    assert_eq!(focused, "Cancel", "focus starts on the safe choice");
    browser.assert_accessible().await?;
    browser.dialog_button("Cancel").await?.click().await?;
    browser.wait_gone("//dialog").await?;
    browser
        .row_button("prod-hz", "Delete")
        .await?
        .click()
        .await?;
    browser.wait_xpath("//dialog[@open]").await?;
    browser
        .client
        .active_element()
        .await?
        .send_keys("\u{e00c}")
        .await?;
    browser.wait_gone("//dialog").await?;
    assert_eq!(
        app.state
            .vault
            .list_dingtalk()
            .await?
            .iter()
            .filter(|a| a.name == "prod-hz")
            .count(),
        1
    );
    browser
        .row_button("prod-hz", "Delete")
        .await?
        .click()
        .await?;
    browser
        .dialog_button("Delete prod-hz")
        .await?
        .click()
        .await?;
    browser.role_with_text("status", "Deleted: prod-hz").await?;
    browser.wait_gone(&e2e::row_xpath("prod-hz")).await?;
    browser.close().await
}

#[tokio::test]
async fn a_failed_connection_test_is_a_toast_with_the_request_id() -> anyhow::Result<()> {
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
        .row_button("ops-hz", "Test connection")
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//section[contains(@class,'toasts')]//*[contains(., 'ops-hz')]")
        .await?;
    browser.screenshot("connection-failed").await?;
    browser.assert_accessible().await?;
    browser.close().await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn help_desk_and_auditors_see_no_vault_controls() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("audit", Role::Auditor).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "audit", PASSWORD).await?;
    browser.goto(&app.url("/credentials")).await?;
    browser.heading("Alibaba Cloud accounts").await?;
    for xpath in [
        "//button[normalize-space()='Add Alibaba Cloud account']",
        "//button[normalize-space()='Edit']",
        "//button[normalize-space()='Delete']",
        "//main//input[@type='password']",
    ] {
        assert!(!browser.exists(xpath).await?, "an auditor sees {xpath}");
    }
    browser.assert_accessible().await?;
    browser.close().await
}
