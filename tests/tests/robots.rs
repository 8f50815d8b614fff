//! The robots page in a real Chromium, on the built-in sandbox's demo
//! robots: filters in the URL, disabled robots shown as such; an admin
//! creates a robot after a confirmation, tests it (the toast in view),
//! edits it after the server's plan in words, disables, enables and
//! deletes it, and acts on a selection with an answer per robot; a field
//! error from the server reads in Chinese next to its field; an auditor
//! and a help-desk user only read. No page holds a robot's access token.

use std::time::{Duration, Instant};

use e2e::{Browser, PASSWORD, TestApp};
use fantoccini::Locator;
use shared::auth::Role;

const TOKEN: &str = "e2e0token0ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd";
const NAME: &str = "值班告警";

/// Robot `name`'s row in the list (not in an outcome list).
fn row(name: &str) -> String {
    format!(
        "//table[caption[normalize-space()='Notification robots']]//tr[th[normalize-space()='{name}']]"
    )
}

/// The row-end button `action` of robot `name` ("Edit 值班告警").
async fn act(browser: &Browser, action: &str, name: &str) -> anyhow::Result<()> {
    browser
        .wait_xpath(&format!("//button[@aria-label='{action} {name}']"))
        .await?
        .click()
        .await?;
    Ok(())
}

/// The checkbox inside the label with this text.
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

async fn gone(browser: &Browser, xpath: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.exists(xpath).await? {
        anyhow::ensure!(Instant::now() < deadline, "{xpath} is still there");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// The toast saying `text`, which must sit inside the viewport.
async fn toast_in_view(browser: &Browser, text: &str) -> anyhow::Result<()> {
    let toast = browser.role_with_text("status", text).await?;
    let inside = browser
        .client
        .execute(
            "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;",
            vec![serde_json::to_value(&toast)?],
        )
        .await?;
    assert_eq!(
        inside,
        serde_json::Value::Bool(true),
        "{text} outside the view"
    );
    Ok(())
}

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

async fn status_of(browser: &Browser, name: &str, status: &str) -> anyhow::Result<()> {
    browser
        .wait_xpath(&format!("{}/td[normalize-space()='{status}']", row(name)))
        .await?;
    Ok(())
}

#[tokio::test]
async fn filters_live_in_the_url_and_disabled_robots_show_as_such() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/robots")).await?;
    browser.heading("Notification robots").await?;
    status_of(&browser, "旧告警机器人", "Disabled").await?;
    status_of(&browser, "Security alerts", "Enabled").await?;
    browser.assert_accessible().await?;
    browser
        .field("Status")
        .await?
        .select_by_label("Disabled")
        .await?;
    gone(&browser, &row("Security alerts")).await?;
    browser
        .field("Account")
        .await?
        .select_by_label("Sandbox Alibaba Cloud")
        .await?;
    browser.client.refresh().await?;
    browser.wait_xpath(&row("旧告警机器人")).await?;
    assert!(
        !browser.exists(&row("Security alerts")).await?,
        "kept after a reload"
    );
    browser.button("Reset").await?.click().await?;
    browser.field("Search").await?.send_keys("AK").await?;
    browser.wait_xpath(&row("AK 泄露告警")).await?;
    gone(&browser, &row("Security alerts")).await?;
    browser.assert_fits_phone("robots-list").await?;
    browser.close().await
}

#[tokio::test]
async fn an_admin_creates_tests_edits_disables_and_deletes_a_robot() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/robots")).await?;
    browser.wait_xpath(&row("Security alerts")).await?;

    // Create, after a confirmation that names it and shows what it sends.
    browser.button("New robot").await?.click().await?;
    browser
        .heading("New robot in Sandbox Alibaba Cloud")
        .await?;
    browser.field("Name").await?.send_keys(NAME).await?;
    browser
        .field("Webhook URL")
        .await?
        .send_keys(&format!(
            "https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
        ))
        .await?;
    browser
        .field("Message language")
        .await?
        .select_by_label("Chinese")
        .await?;
    browser.retype("Send interval", "5").await?;
    browser
        .field("Interval unit")
        .await?
        .select_by_label("minutes")
        .await?;
    check(&browser, "Security alerts · Alert level: Urgent").await?;
    check(&browser, "Production / Production East").await?;
    browser.assert_accessible().await?;
    browser.button("Create").await?.click().await?;
    let question = browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Create robot 值班告警 in Sandbox Alibaba Cloud?']]")
        .await?;
    browser
        .wait_xpath("//dialog//tr[th[normalize-space()='Message language']][td[normalize-space()='Chinese']]")
        .await?;
    let text = question.text().await?;
    assert!(
        !text.contains(TOKEN) && !text.contains("interval_unit"),
        "{text}"
    );
    browser.assert_accessible().await?;
    browser
        .dialog_button("Create robot 值班告警")
        .await?
        .click()
        .await?;
    toast_in_view(&browser, "Created: 值班告警").await?;
    gone(&browser, "//dialog").await?;
    browser
        .wait_xpath(&format!("{}[contains(@class, 'highlight')]", row(NAME)))
        .await?;
    let rows = browser.client.find_all(Locator::XPath(&row(NAME))).await?;
    assert_eq!(rows.len(), 1, "listed once");
    let text = rows[0].text().await?;
    assert!(
        text.contains("5 minutes") && text.contains("access_token=***"),
        "{text}"
    );
    assert_no_token(&browser).await?;

    // A test message: the toast is in view, not far above the row.
    browser
        .client
        .execute("window.scrollTo(0, document.body.scrollHeight)", vec![])
        .await?;
    act(&browser, "Test message", NAME).await?;
    toast_in_view(&browser, "Test message sent: 值班告警").await?;

    // Edit: the server's plan with labels, the button naming the save.
    act(&browser, "Edit", NAME).await?;
    browser.heading("Edit robot 值班告警").await?;
    browser.assert_accessible().await?;
    browser.retype("Send interval", "10").await?;
    check(&browser, "Production / Production East").await?;
    browser.button("Review changes").await?.click().await?;
    let plan = browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Review: 值班告警']]")
        .await?;
    browser
        .wait_xpath(
            "//dialog//tr[th[normalize-space()='Send interval']][td[normalize-space()='10']]",
        )
        .await?;
    let text = plan.text().await?;
    for raw in ["interval_unit", "group_ids", "scopes.", "\"", "{"] {
        assert!(!text.contains(raw), "{raw} in {text}");
    }
    browser.assert_accessible().await?;
    browser
        .dialog_button("Save robot 值班告警")
        .await?
        .click()
        .await?;
    toast_in_view(&browser, "Saved: 值班告警").await?;
    browser
        .wait_xpath(&format!("{}[contains(., '10 minutes')]", row(NAME)))
        .await?;

    // Disable asks, enable does not.
    act(&browser, "Disable", NAME).await?;
    browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Disable robot 值班告警?']]")
        .await?;
    browser
        .dialog_button("Disable 值班告警")
        .await?
        .click()
        .await?;
    toast_in_view(&browser, "Disabled: 值班告警").await?;
    status_of(&browser, NAME, "Disabled").await?;
    act(&browser, "Enable", NAME).await?;
    toast_in_view(&browser, "Enabled: 值班告警").await?;
    status_of(&browser, NAME, "Enabled").await?;

    // Delete, asked by name; the toast says deleted.
    act(&browser, "Delete", NAME).await?;
    browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Delete robot 值班告警?']]")
        .await?;
    browser.assert_accessible().await?;
    browser
        .dialog_button("Delete 值班告警")
        .await?
        .click()
        .await?;
    toast_in_view(&browser, "Deleted: 值班告警").await?;
    gone(&browser, &row(NAME)).await?;
    browser.close().await
}

#[tokio::test]
async fn a_selection_gets_an_answer_per_robot() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/robots")).await?;
    browser.wait_xpath(&row("Weekly report")).await?;
    let disable = browser.button("Disable selected").await?;
    assert_eq!(disable.attr("disabled").await?.as_deref(), Some("true"));
    check(&browser, "Select Weekly report").await?;
    check(&browser, "Select Imported robot").await?;
    disable.click().await?;
    browser
        .role_with_text("status", "2 done, 0 unchanged, 0 failed")
        .await?;
    status_of(&browser, "Weekly report", "Disabled").await?;
    status_of(&browser, "Imported robot", "Disabled").await?;
    browser.assert_accessible().await?;
    check(&browser, "Select Weekly report").await?;
    check(&browser, "Select 旧告警机器人").await?;
    check(&browser, "Select Security alerts").await?;
    browser.button("Enable selected").await?.click().await?;
    browser
        .role_with_text("status", "2 done, 1 unchanged, 0 failed")
        .await?;
    status_of(&browser, "旧告警机器人", "Enabled").await?;
    check(&browser, "Select Weekly report").await?;
    check(&browser, "Select Imported robot").await?;
    browser.button("Delete selected").await?.click().await?;
    browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Delete 2 robots?']]")
        .await?;
    browser
        .dialog_button("Delete 2 robots")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "2 done, 0 unchanged, 0 failed")
        .await?;
    gone(&browser, &row("Weekly report")).await?;
    gone(&browser, &row("Imported robot")).await?;
    browser.close().await
}

#[tokio::test]
async fn a_server_field_error_reads_in_chinese_next_to_its_field() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser
        .field("Language")
        .await?
        .select_by_label("简体中文")
        .await?;
    browser.goto(&app.url("/robots")).await?;
    browser.heading("通知机器人").await?;
    act(&browser, "编辑", "Security alerts").await?;
    browser.heading("编辑机器人 Security alerts").await?;
    browser
        .field("间隔单位")
        .await?
        .select_by_label("分钟")
        .await?;
    browser.retype("发送间隔", "5000").await?;
    browser.button("检查变更").await?.click().await?;
    let error = browser
        .wait_xpath("//div[label[starts-with(normalize-space(), '发送间隔')]]/p[contains(@class, 'field-error')][normalize-space()!='']")
        .await?
        .text()
        .await?;
    assert_eq!(error, "须为 0 到 1440 之间的数字。");
    assert!(
        !error.chars().any(|c| c.is_ascii_alphabetic()),
        "no English: {error}"
    );
    browser.assert_accessible().await?;
    browser.close().await
}

#[tokio::test]
async fn auditors_and_help_desk_only_read() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    for (user, role) in [("audrey", Role::Auditor), ("hal", Role::Helpdesk)] {
        app.add_user(user, role).await?;
        let browser = Browser::start().await?;
        browser.sign_in(&app, user, PASSWORD).await?;
        browser.goto(&app.url("/robots")).await?;
        browser.wait_xpath(&row("Security alerts")).await?;
        browser.assert_accessible().await?;
        let webhooks = browser
            .client
            .find_all(Locator::XPath("//table//td[contains(., 'access_token=')]"))
            .await?;
        assert_eq!(webhooks.len(), 6, "the six demo robots");
        for cell in webhooks {
            assert_eq!(
                cell.text().await?,
                "https://oapi.dingtalk.com/robot/send?access_token=***"
            );
        }
        for control in [
            "//button[normalize-space()='New robot']",
            "//button[normalize-space()='Edit']",
            "//button[normalize-space()='Test message']",
            "//button[normalize-space()='Delete selected']",
            "//table//input[@type='checkbox']",
        ] {
            assert!(!browser.exists(control).await?, "{user} sees {control}");
        }
        assert_no_token(&browser).await?;
        browser.close().await?;
    }
    Ok(())
}
