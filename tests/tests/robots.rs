//! The robots page in a real Chromium: an admin creates a robot choosing
//! its scopes and asset groups by name, disables it, sends a test and
//! deletes it; an auditor reads the list with masked webhooks and no edit
//! controls. No page ever holds a robot's access token.

use std::time::{Duration, Instant};

use e2e::{Browser, PASSWORD, TestApp};
use fantoccini::Locator;
use shared::auth::Role;

const TOKEN: &str = "e2e0token0ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd";

/// The demo robots' tokens, which the sandbox seeds.
fn demo_tokens() -> Vec<String> {
    (0..6)
        .map(|i| backend::upstream::signing::hex_sha256(format!("demo-robot-{i}").as_bytes()))
        .collect()
}

async fn assert_no_token(browser: &Browser) -> anyhow::Result<()> {
    let page = browser.client.source().await?;
    assert!(
        !page.contains(TOKEN),
        "the page shows the new robot's token"
    );
    for token in demo_tokens() {
        assert!(!page.contains(&token), "the page shows a demo token");
    }
    Ok(())
}

/// The checkbox labelled by the text next to it.
async fn check(browser: &Browser, label: &str) -> anyhow::Result<()> {
    browser
        .wait_xpath(&format!(
            "//label[normalize-space()='{label}']/input[@type='checkbox']"
        ))
        .await?
        .click()
        .await?;
    Ok(())
}

/// The status badge in the row of robot `name`, once it reads `status`.
async fn wait_status(browser: &Browser, name: &str, status: &str) -> anyhow::Result<()> {
    let xpath =
        format!("//tr[th[normalize-space()='{name}']]/td/span[normalize-space()='{status}']");
    browser.wait_xpath(&xpath).await?;
    Ok(())
}

async fn wait_gone(browser: &Browser, xpath: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.exists(xpath).await? {
        anyhow::ensure!(Instant::now() < deadline, "{xpath} is still there");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
async fn admin_manages_a_robot_and_an_auditor_only_reads() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("auditor", Role::Auditor).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.link_in_nav("Main", "Robots").await?.click().await?;
    browser.heading("Notification robots").await?;
    browser.wait_for_text("Security alerts").await?;
    browser.assert_accessible().await?;
    // Scopes and asset groups in words, even when their names arrive after
    // the rows.
    let demo = "//tr[th[normalize-space()='漏洞通知']][contains(., 'Vulnerabilities: Vulnerability type All') and contains(., 'Production, Staging')]";
    browser.wait_xpath(demo).await?;

    // Create: scopes and asset groups are chosen by their names.
    browser.button("New robot").await?.click().await?;
    browser.heading("New robot: Sandbox Alibaba Cloud").await?;
    browser.field("Name").await?.send_keys("e2e robot").await?;
    browser
        .field("Webhook")
        .await?
        .send_keys(&format!(
            "https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
        ))
        .await?;
    browser.field("Send interval").await?.clear().await?;
    browser.field("Send interval").await?.send_keys("5").await?;
    check(&browser, "Urgent").await?;
    check(&browser, "Web shell").await?;
    check(&browser, "Production / Production East").await?;
    browser.assert_accessible().await?;
    browser.button("Save").await?.click().await?;
    // Found by name after the create and opened.
    browser.heading("Edit robot: e2e robot").await?;
    let row = browser
        .wait_xpath("//tr[th[normalize-space()='e2e robot']]")
        .await?
        .text()
        .await?;
    assert!(row.contains("Alert level Urgent"), "{row}");
    assert!(row.contains("Alert type Web shell"), "{row}");
    assert!(row.contains("Production / Production East"), "{row}");
    assert!(row.contains("5 minutes"), "{row}");
    assert!(row.contains("access_token=***"), "{row}");
    wait_status(&browser, "e2e robot", "Enabled").await?;
    browser.button("Cancel").await?.click().await?;

    // Disable it and see the status change.
    check(&browser, "Select e2e robot").await?;
    browser.button("Disable selected").await?.click().await?;
    browser.role_with_text("status", "e2e robot: done").await?;
    wait_status(&browser, "e2e robot", "Disabled").await?;

    // A test message is "sent": delivery is not reported.
    browser
        .wait_xpath("//button[@aria-label='Send test message e2e robot']")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "Test message sent")
        .await?;
    assert_no_token(&browser).await?;
    browser.assert_accessible().await?;
    browser.screenshot("robots-admin").await?;

    // An edit shows what it changes before it is applied.
    browser
        .wait_xpath("//button[@aria-label='Edit e2e robot']")
        .await?
        .click()
        .await?;
    browser.heading("Edit robot: e2e robot").await?;
    let name = browser.field("Name").await?;
    name.clear().await?;
    name.send_keys("e2e robot 2").await?;
    browser.button("Review the changes").await?.click().await?;
    let diff = browser.wait_xpath("//dialog").await?.text().await?;
    assert!(diff.contains("e2e robot 2"), "{diff}");
    browser.assert_accessible().await?;
    browser.dialog_button("Apply").await?.click().await?;
    browser.heading("Edit robot: e2e robot 2").await?;
    browser.button("Cancel").await?.click().await?;

    // Delete after a confirmation that names it.
    check(&browser, "Select e2e robot 2").await?;
    browser.button("Delete selected").await?.click().await?;
    browser.heading("Delete e2e robot 2?").await?;
    browser.dialog_button("Delete").await?.click().await?;
    wait_gone(&browser, "//tr[th[normalize-space()='e2e robot 2']]").await?;
    browser.button("Sign out").await?.click().await?;

    // The auditor reads masked webhooks and finds no edit control.
    browser
        .field("User name")
        .await?
        .send_keys("auditor")
        .await?;
    browser.field("Password").await?.send_keys(PASSWORD).await?;
    browser.button("Sign in").await?.click().await?;
    browser.link_in_nav("Main", "Robots").await?.click().await?;
    browser.heading("Notification robots").await?;
    browser.wait_for_text("Security alerts").await?;
    browser.assert_accessible().await?;
    let webhooks = browser
        .client
        .find_all(Locator::XPath("//table//td/code"))
        .await?;
    assert_eq!(webhooks.len(), 6, "the six demo robots");
    for cell in webhooks {
        let text = cell.text().await?;
        assert_eq!(
            text, "https://oapi.dingtalk.com/robot/send?access_token=***",
            "masked for every role"
        );
    }
    for control in [
        "//button[normalize-space()='New robot']",
        "//button[normalize-space()='Edit']",
        "//button[normalize-space()='Delete selected']",
        "//input[@type='checkbox']",
    ] {
        assert!(!browser.exists(control).await?, "an auditor sees {control}");
    }
    assert_no_token(&browser).await?;
    browser.close().await
}
