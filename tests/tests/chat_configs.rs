//! Chat configurations in a real Chromium, against the built-in sandbox: an
//! admin creates a DingTalk configuration, copies its webhook URL, edits
//! its template id after seeing the diff, and deletes it after confirming;
//! an auditor and a help-desk user see the list and the detail with no way
//! to change anything.

use std::time::{Duration, Instant};

use backend::audit::Actor;
use backend::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, Sandbox};
use e2e::{Browser, PASSWORD, TestApp};
use shared::auth::Role;
use shared::vault::AlibabaAccountInput;

const NAME: &str = "e2e-bot";
const ROW: &str = "//tr[th[normalize-space()='e2e-bot']]";

/// What the sandbox holds for `name` in cn-hangzhou, secrets in clear.
fn stored(sandbox: &Sandbox, name: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    sandbox.chat_configuration("cn-hangzhou", name)
}

/// The console on a sandbox the test holds, with one account for it.
async fn with_account() -> anyhow::Result<(TestApp, Sandbox)> {
    let (app, sandbox) = TestApp::with_own_sandbox().await?;
    let input = AlibabaAccountInput {
        name: "ops".into(),
        access_key_id: Some(DEMO_ACCESS_KEY_ID.into()),
        access_key_secret: Some(DEMO_ACCESS_KEY_SECRET.into()),
        regions: vec!["cn-hangzhou".into(), "cn-shanghai".into()],
        ..AlibabaAccountInput::default()
    };
    app.state
        .vault
        .create_alibaba(&Actor::cli(), &input)
        .await?;
    Ok((app, sandbox))
}

async fn until(what: &str, check: impl Fn() -> bool) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        anyhow::ensure!(Instant::now() < deadline, "{what} did not happen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
async fn an_admin_creates_copies_edits_after_the_diff_and_deletes_after_confirming()
-> anyhow::Result<()> {
    let (app, sandbox) = with_account().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser
        .link_in_nav("Main", "Chat configurations")
        .await?
        .click()
        .await?;
    browser.heading("Chat configurations").await?;
    // The sandbox's demo configurations, region by region.
    browser
        .wait_xpath("//tr[th[normalize-space()='chatops-dingtalk']]")
        .await?;
    browser.assert_accessible().await?;

    // Create.
    browser.field("Name").await?.send_keys(NAME).await?;
    browser
        .field("RAM role")
        .await?
        .send_keys("OOSServiceRole")
        .await?;
    browser
        .field("Labels")
        .await?
        .send_keys("e2e, 运维")
        .await?;
    browser
        .field("Client id (AppKey)")
        .await?
        .send_keys("dingabc")
        .await?;
    browser
        .field("Client secret (AppSecret)")
        .await?
        .send_keys("e2e-client-secret")
        .await?;
    browser
        .field("Template id")
        .await?
        .send_keys("first.schema")
        .await?;
    browser.assert_accessible().await?;
    browser.button("Create").await?.click().await?;
    browser
        .heading("Chat configuration e2e-bot (cn-hangzhou)")
        .await?;
    let held = stored(&sandbox, NAME).expect("created upstream");
    assert_eq!(held["DingTalkClientSecret"], "e2e-client-secret");
    assert_eq!(held["DingTalkTemplateId"], "first.schema");

    // Copy the webhook URL shown in the detail.
    browser
        .wait_for_text(".appflow.aliyunnest.com/webhook/")
        .await?;
    browser
        .button("Copy webhook URL of e2e-bot")
        .await?
        .click()
        .await?;
    browser.role_with_text("status", "Copied.").await?;
    browser.assert_accessible().await?;

    // Edit the template id: the diff first, the secret only as unchanged.
    let template = browser.field("Template id").await?;
    template.clear().await?;
    template.send_keys("second.schema").await?;
    browser.button("Review changes").await?.click().await?;
    let dialog = browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Apply these changes to e2e-bot?']]")
        .await?;
    browser
        .wait_xpath("//dialog//tr[th[normalize-space()='configuration.DingTalkTemplateId']][td[contains(., 'second.schema')]]")
        .await?;
    browser
        .wait_xpath("//dialog//tr[th[normalize-space()='configuration.DingTalkClientSecret']][td[normalize-space()='unchanged']]")
        .await?;
    assert!(!dialog.text().await?.contains("e2e-client-secret"));
    assert_eq!(
        stored(&sandbox, NAME).unwrap()["DingTalkTemplateId"],
        "first.schema",
        "nothing applied before the confirmation"
    );
    browser.assert_accessible().await?;
    browser.dialog_button("Apply").await?.click().await?;
    until("the edit", || {
        stored(&sandbox, NAME).is_some_and(|c| c["DingTalkTemplateId"] == "second.schema")
    })
    .await?;
    assert_eq!(
        stored(&sandbox, NAME).unwrap()["DingTalkClientSecret"],
        "e2e-client-secret",
        "the held secret was re-sent, not a mask"
    );
    browser
        .wait_xpath("//tr[td[normalize-space()='chat_config.update']]")
        .await?;

    // Delete, confirming by name and region.
    browser.button("Delete").await?.click().await?;
    browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Delete chat configuration e2e-bot (cn-hangzhou)?']]")
        .await?;
    browser.assert_accessible().await?;
    browser.dialog_button("Delete").await?.click().await?;
    until("the delete", || stored(&sandbox, NAME).is_none()).await?;
    browser.heading("Chat configurations").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.exists(ROW).await? {
        anyhow::ensure!(Instant::now() < deadline, "the deleted row stayed listed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser
        .wait_xpath("//tr[th[normalize-space()='chatops-dingtalk']]")
        .await?;
    browser.close().await
}

#[tokio::test]
async fn auditors_and_help_desk_read_without_edit_controls() -> anyhow::Result<()> {
    let (app, _sandbox) = with_account().await?;
    for (user, role) in [("audrey", Role::Auditor), ("hal", Role::Helpdesk)] {
        app.add_user(user, role).await?;
        let browser = Browser::start().await?;
        browser.sign_in(&app, user, PASSWORD).await?;
        browser
            .link_in_nav("Main", "Chat configurations")
            .await?
            .click()
            .await?;
        browser
            .wait_xpath("//tr[th[normalize-space()='chatops-dingtalk']]")
            .await?;
        browser.assert_accessible().await?;
        assert!(
            !browser.exists("//form[@id='chat-config-new']").await?,
            "{user}"
        );
        browser
            .wait_xpath("//tr[th[normalize-space()='chatops-dingtalk']]//a")
            .await?
            .click()
            .await?;
        browser
            .heading("Chat configuration chatops-dingtalk (cn-hangzhou)")
            .await?;
        // Its own address: it survives a reload, and Back is the list.
        let url = browser.client.current_url().await?;
        assert!(
            url.path().ends_with("/cn-hangzhou/chatops-dingtalk"),
            "{url}"
        );
        browser.client.refresh().await?;
        browser
            .heading("Chat configuration chatops-dingtalk (cn-hangzhou)")
            .await?;
        browser.wait_for_text("DingTalkClientId").await?;
        browser.assert_accessible().await?;
        browser.assert_fits_phone("chat-config-detail").await?;
        for control in ["Review changes", "Delete", "Check the app"] {
            let xpath = format!("//button[normalize-space()='{control}']");
            assert!(!browser.exists(&xpath).await?, "{user} sees {control}");
        }
        assert!(
            !browser.exists("//input[@type='password']").await?,
            "{user}"
        );
        browser
            .wait_xpath("//a[normalize-space()='Back to the list']")
            .await?
            .click()
            .await?;
        browser
            .wait_xpath("//tr[th[normalize-space()='chatops-dingtalk']]")
            .await?;
        browser.close().await?;
    }
    Ok(())
}
