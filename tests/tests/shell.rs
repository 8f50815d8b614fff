//! The console's shell in a real Chromium: sign-in, the navigation each
//! role sees, language and theme (remembered), the phone menu, the
//! not-found page, and what a session cookie looks like.

use e2e::{Browser, PASSWORD, TestApp};
use shared::auth::Role;

const ALL_AREAS: [&str; 7] = [
    "Home",
    "Chat configurations",
    "Notification robots",
    "DingTalk groups",
    "Audit trail",
    "Users",
    "Credentials",
];

#[tokio::test]
async fn each_role_sees_its_navigation_and_is_told_no_elsewhere() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    app.add_user("audit", Role::Auditor).await?;
    let browser = Browser::start().await?;
    for (user, expected) in [
        ("admin", ALL_AREAS.to_vec()),
        ("desk", ALL_AREAS[..4].to_vec()),
        ("audit", ALL_AREAS.to_vec()),
    ] {
        browser.sign_in(&app, user, PASSWORD).await?;
        browser.heading("Overview").await?;
        assert_eq!(browser.nav_links("Main").await?, expected, "{user}");
        browser.button("Sign out").await?.click().await?;
        browser.heading("Sign in to chatdesk").await?;
    }
    browser.sign_in(&app, "desk", PASSWORD).await?;
    browser.goto(&app.url("/users")).await?;
    browser
        .role_with_text("alert", "Your role cannot see this page.")
        .await?;
    browser.assert_accessible().await?;
    browser.close().await
}

#[tokio::test]
async fn language_and_theme_switch_and_are_remembered() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    // The built-in sandbox is the upstream: the top bar says so.
    browser
        .wait_xpath("//header//*[normalize-space()='Sandbox']")
        .await?;
    browser
        .link_in_nav("Main", "Notification robots")
        .await?
        .click()
        .await?;
    browser.heading("Notification robots").await?;
    let current = browser
        .link_in_nav("Main", "Notification robots")
        .await?
        .attr("aria-current")
        .await?;
    assert_eq!(current.as_deref(), Some("page"));

    browser.choose("Language", "简体中文").await?;
    browser.heading("通知机器人").await?;
    browser.choose("主题", "深色").await?;
    let read = |script: &'static str| {
        let client = browser.client.clone();
        async move { client.execute(script, vec![]).await }
    };
    assert_eq!(read("return document.documentElement.lang").await?, "zh-CN");
    assert_eq!(
        read("return document.documentElement.dataset.theme").await?,
        "dark"
    );
    browser.client.refresh().await?;
    browser.link_in_nav("主导航", "钉钉群").await?;
    assert_eq!(
        read("return document.documentElement.dataset.theme").await?,
        "dark"
    );
    browser.assert_accessible().await?;
    browser.choose("主题", "跟随系统").await?;
    assert_eq!(
        read("return document.documentElement.dataset.theme || ''").await?,
        ""
    );
    browser.choose("语言", "English").await?;
    browser.link_in_nav("Main", "DingTalk groups").await?;
    browser.close().await
}

#[tokio::test]
async fn on_a_phone_the_navigation_hides_behind_the_menu() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.set_width(390).await?;
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

#[tokio::test]
async fn unknown_route_shows_the_not_found_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/no/such/page")).await?;
    browser.heading("Page not found").await?;
    browser.assert_accessible().await?;
    browser
        .client
        .find(fantoccini::Locator::LinkText("Back to the home page"))
        .await?
        .click()
        .await?;
    browser.heading("Overview").await?;
    browser.close().await
}

#[tokio::test]
async fn a_wrong_password_is_worded_and_the_session_cookie_is_host_prefixed() -> anyhow::Result<()>
{
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
    let cookies = browser.client.get_all_cookies().await?;
    let session = cookies
        .iter()
        .find(|c| c.name() == "__Host-chatdesk")
        .expect("the session cookie is set");
    assert_eq!(session.secure(), Some(true));
    assert_eq!(session.http_only(), Some(true));
    let visible = browser
        .client
        .execute("return document.cookie", vec![])
        .await?;
    assert!(!visible.as_str().unwrap_or_default().contains("chatdesk"));
    // The session survives a reload and the app boots under the CSP.
    browser.client.refresh().await?;
    browser.button("Sign out").await?;
    browser.close().await
}

#[tokio::test]
async fn an_expired_session_signs_in_again_on_the_same_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/audit?actor=admin")).await?;
    browser.heading("Audit trail").await?;
    browser.expire_session(&app).await?;
    // The next call finds the session gone.
    browser.choose("Outcome", "Failed").await?;
    browser
        .role_with_text(
            "status",
            "Your session ended. Sign in again to continue where you were.",
        )
        .await?;
    browser.assert_accessible().await?;
    assert_eq!(browser.client.current_url().await?.path(), "/audit");
    browser.sign_in_here("admin", PASSWORD).await?;
    browser.heading("Audit trail").await?;
    let url = browser.client.current_url().await?;
    assert_eq!(url.query(), Some("actor=admin&outcome=failure"));
    browser.close().await
}
