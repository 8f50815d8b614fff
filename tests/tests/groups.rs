//! The groups area in a real Chromium against the built-in sandbox. A
//! help-desk user filters the catalogue (the filters survive a reload),
//! creates a group with a double click (one group, the form closed, the
//! new row highlighted once), imports one by chat id, meets an ambiguous
//! owner name in Chinese, and on a group's page removes, adds and promotes
//! members (one outcome line per person), renames, transfers, changes the
//! settings and private chat (each checkbox inside its label, each control
//! showing the stored state), sets a nickname and shows the join QR code.
//! An auditor reads the same pages, with the history, and no edit control.

use std::collections::HashMap;
use std::time::Duration;

use backend::groups::store;
use backend::sandbox::{DEMO_APP_KEY, DEMO_APP_SECRET};
use backend::upstream::dingtalk::DingTalkApp;
use backend::upstream::http::DingTalkSite;
use e2e::{Browser, PASSWORD, TestApp};
use fantoccini::Locator;
use shared::auth::Role;
use shared::groups::{
    CatalogueGroup, CatalogueQuery, GroupCreate, GroupName, GroupSettings, UserId,
};

/// An XPath string literal (the texts here hold no apostrophe).
fn lit(text: &str) -> String {
    assert!(!text.contains('\''), "{text}");
    format!("'{text}'")
}

fn demo_app() -> DingTalkApp {
    DingTalkApp {
        app_key: DEMO_APP_KEY.into(),
        app_secret: DEMO_APP_SECRET.into(),
        site: DingTalkSite::Mainland,
    }
}

/// The catalogue entries named exactly `name`.
async fn named(app: &TestApp, name: &str) -> anyhow::Result<Vec<CatalogueGroup>> {
    let query = CatalogueQuery {
        q: Some(name.to_owned()),
        ..CatalogueQuery::default()
    };
    let page = store::page(&app.state.db, &query).await?;
    Ok(page.groups.into_iter().filter(|g| g.name == name).collect())
}

async fn group(app: &TestApp, name: &str) -> anyhow::Result<CatalogueGroup> {
    named(app, name)
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no group {name}"))
}

/// "Name (user id)" of each member, as the page labels them.
async fn members(app: &TestApp, id: &str) -> anyhow::Result<Vec<(String, String)>> {
    Ok(store::members(&app.state.db, id)
        .await?
        .into_iter()
        .map(|(uid, name)| {
            let label = format!("{} ({uid})", name.unwrap_or_default());
            (uid.to_string(), label)
        })
        .collect())
}

/// The page's label of member `uid` of group `id`.
async fn label_of(app: &TestApp, id: &str, uid: &str) -> anyhow::Result<String> {
    members(app, id)
        .await?
        .into_iter()
        .find(|(m, _)| m == uid)
        .map(|(_, label)| label)
        .ok_or_else(|| anyhow::anyhow!("{uid} is not a member"))
}

/// Sends a drawer to review, then confirms with the button named `confirm`.
async fn review_and_confirm(browser: &Browser, confirm: &str) -> anyhow::Result<()> {
    browser
        .dialog_button("Review changes")
        .await?
        .click()
        .await?;
    browser.dialog_button(confirm).await?.click().await?;
    Ok(())
}

/// Clicks the button whose accessible name is `name` (a row action).
async fn click_named(browser: &Browser, name: &str) -> anyhow::Result<()> {
    browser
        .wait_xpath(&format!("//button[@aria-label={}]", lit(name)))
        .await?
        .click()
        .await?;
    Ok(())
}

/// A name several people of the demo directory share, and how many.
async fn shared_name(app: &TestApp) -> anyhow::Result<(String, u32)> {
    let big = group(app, "全员大群").await?;
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (_, name) in store::members(&app.state.db, &big.id).await? {
        *seen.entry(name.unwrap_or_default()).or_default() += 1;
    }
    let (name, _) = seen
        .into_iter()
        .filter(|(n, c)| *c > 1 && !n.is_empty())
        .min()
        .ok_or_else(|| anyhow::anyhow!("no shared name among 1,000 people"))?;
    let found = app
        .state
        .upstream
        .dingtalk
        .search_users(&demo_app(), &name, 0, 2, true)
        .await?;
    Ok((name, found.total_count))
}

/// The checkbox inside the label with exactly this text.
async fn checkbox(browser: &Browser, label: &str) -> anyhow::Result<fantoccini::elements::Element> {
    browser
        .wait_xpath(&format!(
            "//label[normalize-space()={}]/input[@type='checkbox']",
            lit(label)
        ))
        .await
}

async fn checked(el: &fantoccini::elements::Element) -> anyhow::Result<bool> {
    Ok(el.prop("checked").await?.as_deref() == Some("true"))
}

async fn tab(browser: &Browser, name: &str) -> anyhow::Result<()> {
    browser
        .wait_xpath(&format!(
            "//*[@role='tab'][normalize-space()={}]",
            lit(name)
        ))
        .await?
        .click()
        .await?;
    browser
        .wait_xpath(&format!(
            "//*[@role='tab'][@aria-selected='true'][normalize-space()={}]",
            lit(name)
        ))
        .await?;
    Ok(())
}

/// Waits until nothing matches `xpath` (a dialog closing, a row leaving).
async fn gone(browser: &Browser, xpath: &str) -> anyhow::Result<()> {
    for _ in 0..100 {
        if !browser.exists(xpath).await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("{xpath} still there after 10 s")
}

/// The rows of the outcome list.
async fn outcome_lines(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let list = browser.role_with_text("status", "done").await?;
    let mut lines = Vec::new();
    for row in list.find_all(Locator::XPath(".//tbody/tr")).await? {
        lines.push(row.text().await?);
    }
    Ok(lines)
}

/// Replaces what the field holds with `text`, key by key as a person
/// types (select all, delete), so every keystroke's input event fires.
const NEW_GROUP: &str = "E2E 新群";

#[tokio::test]
async fn helpdesk_filters_creates_once_and_imports_in_the_catalogue() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    // A group made outside chatdesk, the way another tool would.
    let owner = UserId::parse("user2003")?;
    let outside = app
        .state
        .upstream
        .dingtalk
        .legacy_create_group(
            &demo_app(),
            &GroupCreate {
                name: GroupName::parse("外部创建的群")?,
                owner: owner.clone(),
                members: vec![owner],
                settings: GroupSettings::default(),
            },
        )
        .await?
        .value
        .chat_id;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "desk", PASSWORD).await?;
    browser
        .link_in_nav("Main", "DingTalk groups")
        .await?
        .click()
        .await?;
    browser.heading("DingTalk groups").await?;
    browser
        .wait_xpath("//table[@id='groups']//a[normalize-space()='值班群']")
        .await?;
    // No remembered pick (the server has no preferences yet): the first app.
    let picker = browser.field("DingTalk app").await?;
    let chosen = picker.prop("value").await?.unwrap_or_default();
    assert!(!chosen.is_empty(), "an app is chosen by default");
    assert!(
        browser
            .client
            .current_url()
            .await?
            .as_str()
            .contains("app=")
    );
    browser.assert_accessible().await?;

    // Filters live in the URL: a member finds the group, and a reload
    // keeps it. (Demo members past user1000 are not in 全员大群.)
    let sales = group(&app, "销售华北").await?;
    let (member, _) = members(&app, &sales.id)
        .await?
        .into_iter()
        .find(|(id, _)| id.as_str() > "user1000")
        .expect("a member past user1000");
    let sales_row = "//table[@id='groups']//a[normalize-space()='销售华北']";
    let everyone = "//table[@id='groups']//a[normalize-space()='全员大群']";
    browser.retype("Name, owner or member", &member).await?;
    gone(&browser, everyone).await?;
    browser.wait_xpath(sales_row).await?;
    let url = browser.client.current_url().await?;
    assert!(url.as_str().contains(&format!("q={member}")), "{url}");
    browser.goto(url.as_str()).await?;
    let search = browser.field("Name, owner or member").await?;
    assert_eq!(
        search.prop("value").await?.as_deref(),
        Some(member.as_str())
    );
    browser.wait_xpath(sales_row).await?;
    gone(&browser, everyone).await?;
    browser.button("Reset").await?.click().await?;
    browser
        .wait_xpath("//table[@id='groups']//a[normalize-space()='全员大群']")
        .await?;
    // The one page of twenty demo groups: no page to go to.
    assert!(
        browser
            .button("Next")
            .await?
            .attr("disabled")
            .await?
            .is_some()
    );
    assert!(
        browser
            .button("Previous")
            .await?
            .attr("disabled")
            .await?
            .is_some()
    );
    // Reset went back to every app; choose the demo app again.
    let picker = browser.field("DingTalk app").await?;
    assert_eq!(picker.prop("value").await?.as_deref(), Some(""));
    let demo = picker
        .find(Locator::XPath("./option[@value!='']"))
        .await?
        .text()
        .await?;
    picker.select_by_label(&demo).await?;
    browser
        .wait_xpath("//table[@id='groups']//a[normalize-space()='全员大群']")
        .await?;
    assert!(
        browser
            .client
            .current_url()
            .await?
            .as_str()
            .contains("app=")
    );

    // What was typed survives a reload until discarded.
    browser.button("Create group").await?.click().await?;
    browser.heading("New group").await?;
    browser.retype("Group name", "草稿").await?;
    browser.goto(&app.url("/groups")).await?;
    browser.button("Create group").await?.click().await?;
    browser
        .wait_for_text("What you typed before was restored.")
        .await?;
    browser.button("Discard").await?.click().await?;
    let name = browser.field("Group name").await?;
    assert_eq!(name.prop("value").await?.as_deref(), Some(""));

    // Every field of the form; the two switches ticked by their labels.
    let app_select = browser.field("DingTalk app").await?;
    assert!(
        !app_select
            .prop("value")
            .await?
            .unwrap_or_default()
            .is_empty()
    );
    let first = app_select
        .find(Locator::XPath("./option[@value!='']"))
        .await?
        .text()
        .await?;
    app_select.select_by_label(&first).await?;
    browser.retype("Group name", NEW_GROUP).await?;
    browser.retype("Owner", "user0003").await?;
    browser.retype("Members", "user0004\nuser0005").await?;
    browser.retype("Labels", "e2e").await?;
    for label in ["Everyone muted", "Can be found by search"] {
        browser
            .wait_xpath(&format!("//label[normalize-space()={}]", lit(label)))
            .await?
            .click()
            .await?;
        assert!(checked(&checkbox(&browser, label).await?).await?, "{label}");
    }
    for label in [
        "Joining needs approval",
        "Only the owner may @all",
        "Only the owner manages",
        "New members see the last 100 messages",
    ] {
        assert!(
            !checked(&checkbox(&browser, label).await?).await?,
            "{label}"
        );
    }
    browser.assert_accessible().await?;
    let create = browser.dialog_button("Create group").await?;
    browser.double_click(&create).await?;
    browser
        .role_with_text("status", &format!("Created: {NEW_GROUP}"))
        .await?;
    gone(&browser, "//dialog").await?;
    let row = format!(
        "//table[@id='groups']//tbody/tr[.//a[normalize-space()={}]]",
        lit(NEW_GROUP)
    );
    browser
        .wait_xpath(&format!("{row}[contains(@class,'highlight')]"))
        .await?;
    let rows = browser.client.find_all(Locator::XPath(&row)).await?;
    assert_eq!(rows.len(), 1, "the new group shows once");
    let made = named(&app, NEW_GROUP).await?;
    assert_eq!(made.len(), 1, "a double click made one group");
    let info = app
        .state
        .upstream
        .dingtalk
        .legacy_get_group(&demo_app(), &made[0].chat_id)
        .await?;
    assert!(
        info.settings.muted && info.settings.searchable,
        "{:?}",
        info.settings
    );
    assert_eq!(info.members.len(), 3, "owner and two members");
    // Nothing is left to send twice: the form opens empty.
    browser.button("Create group").await?.click().await?;
    let name = browser.field("Group name").await?;
    assert_eq!(name.prop("value").await?.as_deref(), Some(""));
    browser.dialog_button("Cancel").await?.click().await?;
    gone(&browser, "//dialog").await?;

    // An owner's name several people share, in Chinese: the sentence with
    // their number, no English.
    let (shared, count) = shared_name(&app).await?;
    browser
        .field("Language")
        .await?
        .select_by_label("简体中文")
        .await?;
    browser.button("创建群").await?.click().await?;
    browser.retype("群名称", "同名测试").await?;
    browser.retype("群主", &shared).await?;
    browser.dialog_button("创建群").await?.click().await?;
    let sentence = format!("有 {count} 人同名，请按用户 ID 选择。");
    let said = browser.wait_for_text(&sentence).await?.text().await?;
    assert_eq!(said, sentence, "the Chinese sentence alone, no English");
    let owner = browser.field("群主").await?;
    assert_eq!(owner.attr("aria-invalid").await?.as_deref(), Some("true"));
    browser.assert_accessible().await?;
    browser.dialog_button("取消").await?.click().await?;
    browser
        .field("语言")
        .await?
        .select_by_label("English")
        .await?;

    // Import by chat id, with a label; then the label filter finds it.
    browser.button("Import group").await?.click().await?;
    browser.heading("Import group").await?;
    let import_app = browser.field("DingTalk app").await?;
    assert!(
        !import_app
            .prop("value")
            .await?
            .unwrap_or_default()
            .is_empty()
    );
    browser.retype("Chat id", outside.as_str()).await?;
    browser.retype("Labels", "ops").await?;
    browser.assert_accessible().await?;
    browser.dialog_button("Import").await?.click().await?;
    browser
        .role_with_text("status", "Imported: 外部创建的群")
        .await?;
    browser
        .wait_xpath("//table[@id='groups']//tr[contains(@class,'highlight')]//a[normalize-space()='外部创建的群']")
        .await?;
    browser.retype("Label", "ops").await?;
    gone(
        &browser,
        "//table[@id='groups']//a[normalize-space()='全员大群']",
    )
    .await?;
    browser
        .wait_xpath("//table[@id='groups']//a[normalize-space()='外部创建的群']")
        .await?;
    browser.assert_accessible().await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn helpdesk_changes_members_settings_and_nicknames_on_the_group_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    let duty = group(&app, "值班群").await?;
    let people = members(&app, &duty.id).await?;
    let before = app
        .state
        .upstream
        .dingtalk
        .legacy_get_group(&demo_app(), &duty.chat_id)
        .await?
        .settings;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "desk", PASSWORD).await?;
    browser
        .goto(&app.url(&format!("/groups/{}", duty.id)))
        .await?;
    browser.heading("值班群").await?;
    browser.wait_for_text(duty.chat_id.as_str()).await?;
    browser
        .wait_xpath("//button[@aria-label='Copy Chat id']")
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//*[@role='status'][normalize-space()='Copied' or starts-with(normalize-space(), 'Copy failed')]")
        .await?;
    browser.assert_accessible().await?;

    // Filter, select two members, remove them: the count and the people
    // are named, and each gets an outcome line.
    let (id_a, a) = people[people.len() - 1].clone();
    let (_, b) = people[people.len() - 2].clone();
    for label in [&a, &b] {
        browser
            .retype(
                "Filter members",
                label.split(" (").next().unwrap_or_default(),
            )
            .await?;
        checkbox(&browser, &format!("Select {label}"))
            .await?
            .click()
            .await?;
    }
    browser.retype("Filter members", "").await?;
    browser.button("Remove 2 members").await?.click().await?;
    let title = browser.wait_xpath("//dialog//h2").await?.text().await?;
    assert!(title.contains(&a) && title.contains(&b), "{title}");
    browser.assert_accessible().await?;
    browser
        .dialog_button("Remove 2 members")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "Members changed: 值班群")
        .await?;
    let lines = outcome_lines(&browser).await?;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        [&a, &b].iter().all(|who| {
            let name = who.split(" (").next().unwrap_or_default();
            lines
                .iter()
                .any(|l| l.starts_with(name) && l.ends_with("Done"))
        }),
        "{lines:?}"
    );
    gone(
        &browser,
        &format!(
            "//table[@id='members']//code[normalize-space()={}]",
            lit(&id_a)
        ),
    )
    .await?;

    // Add two by user id: one outcome line each.
    browser.button("Add members").await?.click().await?;
    browser.retype("People", "user2001\nuser2002").await?;
    browser.dialog_button("Add members").await?.click().await?;
    browser
        .dialog_button("Add 2 members")
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//table[@id='members']//code[normalize-space()='user2002']")
        .await?;
    let lines = outcome_lines(&browser).await?;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.contains("Done")), "{lines:?}");

    // An ambiguous name is refused next to the field, with the count.
    let (shared, count) = shared_name(&app).await?;
    browser.button("Add members").await?.click().await?;
    browser.retype("People", &shared).await?;
    browser.dialog_button("Add members").await?.click().await?;
    browser.dialog_button("Add 1 member").await?.click().await?;
    browser
        .wait_for_text(&format!(
            "{count} people share this name: pick one by user id."
        ))
        .await?;
    browser.dialog_button("Cancel").await?.click().await?;
    gone(&browser, "//dialog").await?;

    // Make one an admin and back, each asked and reported.
    browser.retype("Filter members", "user2001").await?;
    let who = label_of(&app, &duty.id, "user2001").await?;
    click_named(&browser, &format!("Make admin {who}")).await?;
    browser
        .dialog_button(&format!("Make admin {who}"))
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//table[@id='members']//tr[.//code[normalize-space()='user2001']]/td[normalize-space()='Admin']")
        .await?;
    assert_eq!(outcome_lines(&browser).await?.len(), 1);
    click_named(&browser, &format!("Remove admin {who}")).await?;
    browser
        .dialog_button(&format!("Remove admin {who}"))
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//table[@id='members']//tr[.//code[normalize-space()='user2001']]/td[normalize-space()='Member']")
        .await?;

    // Rename through the server's plan.
    browser.button("Rename").await?.click().await?;
    browser.retype("Group name", "值班群 夜班").await?;
    browser
        .dialog_button("Review changes")
        .await?
        .click()
        .await?;
    browser.heading("Review: 值班群").await?;
    let plan = browser.wait_xpath("//dialog//table").await?.text().await?;
    assert!(
        plan.contains("Group name") && plan.contains("值班群 夜班"),
        "{plan}"
    );
    browser.assert_accessible().await?;
    browser
        .dialog_button("Rename to 值班群 夜班")
        .await?
        .click()
        .await?;
    browser.heading("值班群 夜班").await?;

    // Transfer the owner to a member.
    browser.button("Transfer owner").await?.click().await?;
    browser.retype("New owner", "user2002").await?;
    review_and_confirm(&browser, "Transfer 值班群 夜班 to user2002").await?;
    browser
        .wait_xpath("//dl//dd[contains(normalize-space(), '(user2002)')]")
        .await?;

    // Settings: each box inside its label, showing DingTalk's state.
    tab(&browser, "Settings").await?;
    browser.button("Change settings").await?.click().await?;
    let states = [
        ("Everyone muted", before.muted),
        ("Can be found by search", before.searchable),
        ("Joining needs approval", before.join_needs_approval),
        ("Only the owner may @all", before.only_owner_mentions_all),
        ("Only the owner manages", before.only_owner_manages),
        (
            "New members see the last 100 messages",
            before.new_members_see_history,
        ),
    ];
    for (label, on) in states {
        assert_eq!(
            checked(&checkbox(&browser, label).await?).await?,
            on,
            "{label}"
        );
    }
    assert!(
        states.iter().any(|(_, on)| *on),
        "the demo group has a switch on"
    );
    browser.assert_accessible().await?;
    browser
        .wait_xpath("//label[normalize-space()='Everyone muted']")
        .await?
        .click()
        .await?;
    browser
        .dialog_button("Review changes")
        .await?
        .click()
        .await?;
    let plan = browser.wait_xpath("//dialog//table").await?.text().await?;
    assert!(plan.contains("Everyone muted"), "{plan}");
    browser
        .dialog_button("Change settings of 值班群 夜班")
        .await?
        .click()
        .await?;
    // The transfer's toast may still show: wait for the new state instead.
    let muted = if before.muted { "No" } else { "Yes" };
    browser
        .wait_xpath(&format!(
            "//dl/div[dt[normalize-space()='Everyone muted']]/dd[normalize-space()={}]",
            lit(muted)
        ))
        .await?;
    let after = app
        .state
        .upstream
        .dingtalk
        .legacy_get_group(&demo_app(), &duty.chat_id)
        .await?
        .settings;
    assert_eq!(after.muted, !before.muted);

    // Private chat: never set through chatdesk, so not claimed either way.
    browser.wait_for_text("Not set through chatdesk").await?;
    browser.button("Change private chat").await?.click().await?;
    let private = browser.field("Private chat between members").await?;
    assert_eq!(private.prop("value").await?.as_deref(), Some(""));
    private.select_by_label("Forbidden").await?;
    review_and_confirm(&browser, "Forbid private chat in 值班群 夜班").await?;
    browser.wait_for_text("Forbidden (set by desk").await?;
    browser.button("Change private chat").await?.click().await?;
    let private = browser.field("Private chat between members").await?;
    assert_eq!(private.prop("value").await?.as_deref(), Some("forbidden"));
    browser.dialog_button("Cancel").await?.click().await?;
    gone(&browser, "//dialog").await?;

    // A nickname, confirmed, then shown with who set it.
    tab(&browser, "Nicknames").await?;
    browser.retype("Filter members", "user2002").await?;
    let owner = label_of(&app, &duty.id, "user2002").await?;
    click_named(&browser, &format!("Set nickname {owner}")).await?;
    browser.retype("Group nickname", "夜班长").await?;
    review_and_confirm(&browser, &format!("Set the nickname of {owner}")).await?;
    browser
        .wait_xpath("//table[@id='nicknames']//td[normalize-space()='夜班长']")
        .await?;
    browser.assert_accessible().await?;

    // The join QR code the server draws, and its link.
    tab(&browser, "Join QR").await?;
    let img = browser
        .wait_xpath("//img[@alt='QR code to join 值班群 夜班']")
        .await?;
    let loaded = browser
        .client
        .execute_async(
            "const [img, done] = arguments;
             if (img.complete) { done(img.naturalWidth > 0); return; }
             img.addEventListener('load', () => done(img.naturalWidth > 0));
             img.addEventListener('error', () => done(false));",
            vec![serde_json::to_value(&img)?],
        )
        .await?;
    assert_eq!(loaded, serde_json::json!(true), "the QR image loads");
    browser.wait_for_text("https://qr.dingtalk.com/").await?;
    browser
        .wait_xpath("//button[@aria-label='Copy Join link']")
        .await?
        .click()
        .await?;
    browser.assert_accessible().await?;
    // The audit trail is not the help desk's to read.
    assert!(
        !browser
            .exists("//*[@role='tab'][normalize-space()='History']")
            .await?
    );
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn an_auditor_reads_groups_and_their_history_without_edit_controls() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("audrey", Role::Auditor).await?;
    let duty = group(&app, "值班群").await?;
    let page = format!("/groups/{}", duty.id);
    let browser = Browser::start().await?;

    // An admin renames the group, so its history has an entry.
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url(&page)).await?;
    browser.button("Rename").await?.click().await?;
    browser.retype("Group name", "值班群 A").await?;
    review_and_confirm(&browser, "Rename to 值班群 A").await?;
    browser.heading("值班群 A").await?;
    browser.button("Sign out").await?.click().await?;

    browser.sign_in(&app, "audrey", PASSWORD).await?;
    browser.goto(&app.url("/groups")).await?;
    browser
        .wait_xpath("//table[@id='groups']//a[normalize-space()='值班群 A']")
        .await?;
    browser.assert_accessible().await?;
    browser.assert_fits_phone("groups").await?;
    for control in ["Create group", "Import group"] {
        let xpath = format!("//button[normalize-space()={}]", lit(control));
        assert!(
            !browser.exists(&xpath).await?,
            "an auditor sees {control:?}"
        );
    }
    browser
        .wait_xpath("//table[@id='groups']//a[normalize-space()='值班群 A']")
        .await?
        .click()
        .await?;
    browser.heading("值班群 A").await?;
    browser.wait_xpath("//table[@id='members']//code").await?;
    browser.assert_accessible().await?;
    browser.assert_fits_phone("group").await?;
    let edits = [
        "Rename",
        "Transfer owner",
        "Add members",
        "Make admin",
        "Remove admin",
    ];
    for control in edits {
        let xpath = format!("//button[normalize-space()={}]", lit(control));
        assert!(
            !browser.exists(&xpath).await?,
            "an auditor sees {control:?}"
        );
    }
    assert!(
        !browser
            .exists("//button[starts-with(normalize-space(), 'Remove ')]")
            .await?
    );
    assert!(
        !browser
            .exists("//table[@id='members']//input[@type='checkbox']")
            .await?
    );
    assert!(
        !browser
            .exists("//*[@role='tab'][normalize-space()='Join QR']")
            .await?
    );
    tab(&browser, "Settings").await?;
    browser.wait_for_text("Not set through chatdesk").await?;
    for control in ["Change settings", "Change private chat"] {
        let xpath = format!("//button[normalize-space()={}]", lit(control));
        assert!(
            !browser.exists(&xpath).await?,
            "an auditor sees {control:?}"
        );
    }
    tab(&browser, "Nicknames").await?;
    browser
        .wait_xpath("//table[@id='nicknames']//tbody/tr")
        .await?;
    assert!(
        !browser
            .exists("//button[starts-with(@aria-label, 'Set nickname')]")
            .await?
    );

    // The history: the rename, worded, with the one time format; its
    // details name the changed field in the group's words.
    tab(&browser, "History").await?;
    let row = browser
        .wait_xpath("//table[@id='group-history']//tr[.//td[normalize-space()='Renamed a group']]")
        .await?;
    let text = row.text().await?;
    assert!(
        text.contains("admin") && text.contains("Succeeded"),
        "{text}"
    );
    row.find(Locator::XPath(".//time[@datetime]")).await?;
    browser.assert_accessible().await?;
    row.find(Locator::XPath(
        ".//button[starts-with(@aria-label, 'Details')]",
    ))
    .await?
    .click()
    .await?;
    browser
        .wait_xpath("//dialog[@open]//th[@scope='row'][normalize-space()='Group name']")
        .await?;
    browser.close().await?;
    Ok(())
}

/// BENCHMARKS.md: one keystroke in the filter of the 1,000-member group,
/// from the input event to the table showing the matches, in Chromium.
#[tokio::test]
async fn filtering_the_thousand_member_group_per_keystroke() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "desk", PASSWORD).await?;
    let big = group(&app, "全员大群").await?;
    browser
        .goto(&app.url(&format!("/groups/{}", big.id)))
        .await?;
    browser.heading("全员大群").await?;
    browser.wait_for_text("1000 rows").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let timings = browser.client.execute_async(KEYSTROKES, vec![]).await?;
    let mut ms: Vec<f64> = serde_json::from_value(timings)?;
    ms.sort_by(f64::total_cmp);
    let median = ms[ms.len() / 2];
    let worst = ms[ms.len() - 1];
    println!(
        "filter keystroke over 1,000 members: median {median:.1} ms, worst {worst:.1} ms, {ms:?}"
    );
    // A measurement for BENCHMARKS.md (budget 16 ms), not a timed test: a
    // loaded CI machine must not fail the suite.
    assert_eq!(ms.len(), 18, "every keystroke was measured");
    browser.close().await?;
    Ok(())
}

/// Types digits that narrow and widen the matches, one character at a
/// time, and times each from the input event until the page has handled it
/// and laid out the table (a message-channel tick runs after the
/// microtasks Leptos updates the DOM in; reading `offsetHeight` forces the
/// layout).
const KEYSTROKES: &str = r#"
const done = arguments[arguments.length - 1];
const input = document.getElementById("members-filters-who");
const table = document.getElementById("members");
const texts = ["9", "99", "999", "99", "9", "", "5", "55", "555", "55", "5", "", "1", "12", "123", "12", "1", ""];
const times = [];
const tick = () => new Promise(resolve => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve();
  channel.port2.postMessage(0);
});
(async () => {
  for (const text of texts) {
    await new Promise(r => setTimeout(r, 30));
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await tick();
    void table.offsetHeight;
    times.push(performance.now() - t0);
  }
  done(times);
})();
"#;
