//! The home page: each area's numbers, each a link to its list filtered
//! to what it counts; the trail's latest changes for those who may read it.

use e2e::{Browser, PASSWORD, TestApp};
use shared::auth::Role;

#[tokio::test]
async fn the_home_page_counts_and_links_to_filtered_lists() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("gone", Role::Helpdesk).await?;
    let gone = backend::auth::users::list(&app.state.db)
        .await?
        .into_iter()
        .find(|u| u.username == "gone")
        .expect("added");
    let update = shared::auth::UserUpdate {
        role: None,
        disabled: Some(true),
    };
    backend::auth::users::update(
        &app.state.db,
        &backend::audit::Actor::cli(),
        &gone.id,
        &update,
    )
    .await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.heading("Overview").await?;
    let disabled = browser
        .wait_xpath("//div[dt[normalize-space()='Disabled users']]/dd/a")
        .await?;
    assert_eq!(disabled.text().await?, "1");
    disabled.click().await?;
    browser.heading("Users").await?;
    browser.row("gone").await?;
    assert!(!browser.exists(&e2e::row_xpath("admin")).await?);
    browser.client.back().await?;
    browser.heading("Overview").await?;
    browser
        .wait_xpath("//table[@id='home-latest']//td[normalize-space()='admin']")
        .await?;
    browser.assert_accessible().await?;
    browser.close().await
}

#[tokio::test]
async fn help_desk_sees_only_its_areas_on_the_home_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "desk", PASSWORD).await?;
    browser.heading("Overview").await?;
    browser
        .wait_xpath("//main//h2[normalize-space()='DingTalk groups']")
        .await?;
    for hidden in ["Users", "Alibaba Cloud accounts", "Audit trail"] {
        assert!(
            !browser
                .exists(&format!("//main//h2[normalize-space()='{hidden}']"))
                .await?,
            "help desk sees {hidden}"
        );
    }
    browser.assert_accessible().await?;
    browser.close().await
}
