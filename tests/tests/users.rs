//! The users page in a real Chromium: every field of the create drawer,
//! an edit that shows the server's plan and asks naming the person, a
//! password reset, filters kept in the URL, and what an auditor sees.

use e2e::{Browser, PASSWORD, TestApp, row_xpath};
use shared::auth::Role;

async fn fill_new_user(
    browser: &Browser,
    name: &str,
    password: &str,
    again: &str,
) -> anyhow::Result<()> {
    browser.field("User name").await?.send_keys(name).await?;
    browser.choose("Role", "Help desk").await?;
    browser
        .field("New password")
        .await?
        .send_keys(password)
        .await?;
    browser
        .field("New password again")
        .await?
        .send_keys(again)
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_admin_creates_a_user_once_and_the_new_row_is_marked() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/users")).await?;
    browser.heading("Users").await?;
    browser.button("New user").await?.click().await?;
    browser.heading("New user").await?;
    browser.assert_accessible().await?;
    // Checked as typed, worded from the problem; the second password must match.
    fill_new_user(&browser, "Newdesk", "short", "short").await?;
    browser.dialog_button("Create user").await?.click().await?;
    browser
        .wait_for_text("Must be 12 to 256 long; this is 5.")
        .await?;
    browser.wait_for_text("The character").await?;
    browser.retype("User name", "newdesk").await?;
    browser
        .retype("New password", "a long enough password")
        .await?;
    browser
        .retype("New password again", "a long enough pasword")
        .await?;
    browser.dialog_button("Create user").await?.click().await?;
    browser
        .wait_for_text("Does not match the field above.")
        .await?;
    browser.assert_accessible().await?;
    browser
        .retype("New password again", "a long enough password")
        .await?;
    let create = browser.dialog_button("Create user").await?;
    browser.double_click(&create).await?;
    browser.role_with_text("status", "Created: newdesk").await?;
    browser.wait_gone("//dialog").await?;
    let row = browser.row("newdesk").await?;
    assert_eq!(row.attr("class").await?.as_deref(), Some("highlight"));
    let users = backend::auth::users::list(&app.state.db).await?;
    assert_eq!(users.iter().filter(|u| u.username == "newdesk").count(), 1);
    browser.assert_accessible().await?;
    browser.close().await
}

#[tokio::test]
async fn a_role_change_shows_the_plan_and_waits_for_confirmation() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("bob", Role::Auditor).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/users")).await?;
    browser.row_button("bob", "Edit").await?.click().await?;
    browser.heading("Edit bob").await?;
    browser.choose("Role", "Administrator").await?;
    browser.field("Account disabled").await?.click().await?;
    browser
        .dialog_button("Review changes")
        .await?
        .click()
        .await?;
    // The plan in words: no raw keys, no JSON.
    browser.heading("Review: bob").await?;
    for text in [
        "Role",
        "Auditor",
        "Administrator",
        "Account disabled",
        "Yes",
    ] {
        browser
            .wait_xpath(&format!(
                "//table[contains(@class,'plan')]//*[normalize-space()='{text}']"
            ))
            .await?;
    }
    browser.assert_accessible().await?;
    // Nothing applies before the confirmation; Cancel keeps the drawer.
    let before = backend::auth::users::list(&app.state.db).await?;
    assert!(
        before
            .iter()
            .any(|u| u.username == "bob" && u.role == Role::Auditor && !u.disabled)
    );
    browser.dialog_button("Cancel").await?.click().await?;
    browser.heading("Edit bob").await?;
    browser
        .dialog_button("Review changes")
        .await?
        .click()
        .await?;
    browser.dialog_button("Apply to bob").await?.click().await?;
    browser.role_with_text("status", "Saved: bob").await?;
    browser.wait_gone("//dialog").await?;
    let after = backend::auth::users::list(&app.state.db).await?;
    assert!(
        after
            .iter()
            .any(|u| u.username == "bob" && u.role == Role::Admin && u.disabled)
    );

    // Filters live in the URL: a reload keeps them.
    browser.choose("Status", "Disabled").await?;
    browser.choose("Role", "Administrator").await?;
    browser.client.refresh().await?;
    browser.row("bob").await?;
    assert!(!browser.exists(&row_xpath("admin")).await?);
    browser.button("Reset").await?.click().await?;
    browser.row("admin").await?;
    browser.close().await
}

#[tokio::test]
async fn a_password_reset_asks_naming_the_person() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("carol", Role::Helpdesk).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/users")).await?;
    browser
        .row_button("carol", "Reset password")
        .await?
        .click()
        .await?;
    browser
        .field("New password")
        .await?
        .send_keys("carol's new password")
        .await?;
    browser
        .field("New password again")
        .await?
        .send_keys("carol's new password")
        .await?;
    browser.dialog_button("Set password").await?.click().await?;
    browser.heading("Reset the password of carol?").await?;
    browser
        .dialog_button("Reset the password of carol")
        .await?
        .click()
        .await?;
    browser.role_with_text("status", "Saved: carol").await?;
    browser.button("Sign out").await?.click().await?;
    browser
        .sign_in(&app, "carol", "carol's new password")
        .await?;
    browser.close().await
}

#[tokio::test]
async fn everyone_changes_their_own_password_on_the_account_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser
        .wait_xpath("//*[@role='group'][@aria-label='Your account']//a")
        .await?
        .click()
        .await?;
    browser.heading("Your account").await?;
    browser.button("Change password").await?.click().await?;
    browser
        .field("Current password")
        .await?
        .send_keys("not it at all")
        .await?;
    browser
        .field("New password")
        .await?
        .send_keys("a brand new password")
        .await?;
    browser
        .field("New password again")
        .await?
        .send_keys("a brand new password")
        .await?;
    browser
        .dialog_button("Change password")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("This is not your current password.")
        .await?;
    browser.retype("Current password", PASSWORD).await?;
    browser
        .dialog_button("Change password")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "Password changed for admin")
        .await?;
    browser.button("Sign out").await?.click().await?;
    browser
        .sign_in(&app, "admin", "a brand new password")
        .await?;
    browser.close().await
}

#[tokio::test]
async fn an_auditor_reads_users_without_edit_controls() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("audit", Role::Auditor).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "audit", PASSWORD).await?;
    browser.goto(&app.url("/users")).await?;
    browser.row("admin").await?;
    for xpath in [
        "//button[normalize-space()='New user']",
        "//button[normalize-space()='Edit']",
        "//button[normalize-space()='Reset password']",
    ] {
        assert!(!browser.exists(xpath).await?, "an auditor sees {xpath}");
    }
    browser.assert_accessible().await?;
    browser.close().await
}
