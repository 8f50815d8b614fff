//! The console's shell in a real Chromium: it renders, navigates and
//! switches language.

use e2e::{Browser, PASSWORD, TestApp};

#[tokio::test]
async fn app_shell_renders_navigates_and_switches_language() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;

    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.heading("Welcome to chatdesk").await?;
    // The built-in sandbox is the upstream: the top bar says so.
    browser
        .wait_xpath("//header//*[normalize-space()='Sandbox']")
        .await?;
    for area in [
        "Chat configurations",
        "Robots",
        "Groups",
        "Audit",
        "Users",
        "Credentials",
    ] {
        browser.link_in_nav("Main", area).await?;
    }

    // Client-side navigation marks the current page for assistive technology.
    browser.link_in_nav("Main", "Robots").await?.click().await?;
    browser.heading("Notification robots").await?;
    browser.assert_accessible().await?;
    let current = browser
        .link_in_nav("Main", "Robots")
        .await?
        .attr("aria-current")
        .await?;
    assert_eq!(current.as_deref(), Some("page"));

    // Switching the language changes the navigation and is remembered.
    browser
        .field("Language")
        .await?
        .select_by_label("简体中文")
        .await?;
    browser.link_in_nav("主导航", "通知机器人").await?;
    browser.heading("通知机器人").await?;
    browser.assert_accessible().await?;
    let lang = browser
        .client
        .execute("return document.documentElement.lang", vec![])
        .await?;
    assert_eq!(lang, "zh-CN");
    browser.client.refresh().await?;
    browser.link_in_nav("主导航", "群组").await?;

    let shot = browser.screenshot("app-shell-zh").await?;
    assert!(
        std::fs::metadata(&shot)?.len() > 1000,
        "screenshot {shot:?} is empty"
    );

    browser
        .field("语言")
        .await?
        .select_by_label("English")
        .await?;
    browser.link_in_nav("Main", "Groups").await?;
    browser.close().await
}

#[tokio::test]
async fn unknown_route_shows_the_not_found_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/no/such/page")).await?;
    browser.heading("Page not found").await?;
    browser.assert_accessible().await?;
    browser.goto(&app.url("/nonsense")).await?;
    browser.heading("Page not found").await?;
    browser.close().await
}
