//! The groups area in a real Chromium against the built-in sandbox: a
//! help-desk user finds a group by a member's name, adds two people picked
//! by name, makes one an admin, renames the group after seeing the diff,
//! shows the join QR code and sees the result on the group page; an auditor
//! sees the same page without edit controls.

use backend::sandbox::{DEMO_APP_KEY, DEMO_APP_SECRET};
use backend::upstream::dingtalk::DingTalkApp;
use backend::upstream::http::DingTalkSite;
use std::time::Duration;

use backend::groups::store;
use e2e::{Browser, PASSWORD, TestApp};
use shared::auth::Role;
use shared::groups::{
    CatalogueQuery, DirectoryLang, GroupCreate, GroupName, GroupSettings, UserId,
};

/// An XPath string literal (the texts here hold no apostrophe).
fn lit(text: &str) -> String {
    assert!(!text.contains('\''), "{text}");
    format!("'{text}'")
}

/// A directory name, read the way the console reads it.
async fn name_of(app: &TestApp, id: &str) -> anyhow::Result<String> {
    let ding = DingTalkApp {
        app_key: DEMO_APP_KEY.into(),
        app_secret: DEMO_APP_SECRET.into(),
        site: DingTalkSite::Mainland,
    };
    let user = app
        .state
        .upstream
        .dingtalk
        .user(&ding, &UserId::parse(id)?, DirectoryLang::ZhCn)
        .await?;
    Ok(user.name)
}

/// The name of the last member of the demo group `group`.
async fn member_of(app: &TestApp, group: &str) -> anyhow::Result<String> {
    let query = CatalogueQuery {
        q: Some(group.to_owned()),
        ..CatalogueQuery::default()
    };
    let found = store::page(&app.state.db, &query).await?;
    let entry = found
        .groups
        .iter()
        .find(|g| g.name == group)
        .ok_or_else(|| anyhow::anyhow!("no demo group {group}"))?;
    let members = store::members(&app.state.db, &entry.id).await?;
    let (_, name) = members
        .last()
        .ok_or_else(|| anyhow::anyhow!("no members"))?;
    name.clone()
        .ok_or_else(|| anyhow::anyhow!("a member without a name"))
}

async fn pick(browser: &Browser, app: &TestApp, id: &str) -> anyhow::Result<()> {
    let name = name_of(app, id).await?;
    let field = browser.field("Find people by name").await?;
    field.clear().await?;
    field.send_keys(&name).await?;
    browser.button("Search").await?.click().await?;
    browser
        .button(&format!("Pick {name} ({id})"))
        .await?
        .click()
        .await?;
    browser.button(&format!("Unpick {name} ({id})")).await?;
    Ok(())
}

#[tokio::test]
async fn helpdesk_changes_a_group_and_an_auditor_only_reads_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    app.add_user("audrey", Role::Auditor).await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "desk", PASSWORD).await?;

    // Find the on-call group by one of its members' names.
    browser.link_in_nav("Main", "Groups").await?.click().await?;
    browser.heading("Groups").await?;
    browser.wait_xpath("//table[@id='groups']//a").await?;
    browser.assert_accessible().await?;
    let member = member_of(&app, "值班群").await?;
    browser
        .field("Find groups by name, owner or member")
        .await?
        .send_keys(&member)
        .await?;
    browser.button("Search").await?.click().await?;
    browser
        .wait_xpath("//table[@id='groups']//a[normalize-space()='值班群']")
        .await?
        .click()
        .await?;
    browser.heading("值班群").await?;
    browser.wait_for_text(&member).await?;
    browser.assert_accessible().await?;

    // Add two people picked by name.
    pick(&browser, &app, "user2001").await?;
    pick(&browser, &app, "user2002").await?;
    browser.button("Add members").await?.click().await?;
    browser.heading("Add 2 people to the group?").await?;
    browser.assert_accessible().await?;
    browser.button("Add").await?.click().await?;
    let results = browser
        .wait_xpath("//table[contains(@class,'report')]")
        .await?;
    let text = results.text().await?;
    assert!(
        text.contains("user2001") && text.contains("user2002"),
        "{text}"
    );
    assert!(!text.contains("Failed"), "{text}");

    // Make one of them an admin: filter the members, select, confirm.
    let second = name_of(&app, "user2002").await?;
    let filter = browser
        .wait_xpath("//input[@type='search' and starts-with(@id,'members')]")
        .await?;
    filter.send_keys("user2002").await?;
    let label = format!("Select {second} (user2002)");
    browser
        .wait_xpath(&format!(
            "//label[.//*[normalize-space()={}]]//input[@type='checkbox']",
            lit(&label)
        ))
        .await?
        .click()
        .await?;
    browser.button("Make admin").await?.click().await?;
    browser.button("Apply").await?.click().await?;
    browser
        .wait_xpath("//table[@id='members']//tr[.//code[normalize-space()='user2002']]/td[normalize-space()='Admin']")
        .await?;

    // Rename after seeing the diff.
    let name = browser.field("Group name").await?;
    name.clear().await?;
    name.send_keys("值班群 夜班").await?;
    browser.button("Review changes").await?.click().await?;
    browser.heading("Apply these changes to 值班群?").await?;
    let diff = browser
        .wait_xpath("//dialog//table[contains(@class,'diff')]")
        .await?
        .text()
        .await?;
    assert!(
        diff.contains("值班群") && diff.contains("值班群 夜班"),
        "{diff}"
    );
    browser.assert_accessible().await?;
    browser.button("Apply").await?.click().await?;
    browser.heading("值班群 夜班").await?;

    // The join QR code, drawn by the server, with its link.
    browser.button("Show join QR code").await?.click().await?;
    let img = browser
        .wait_xpath("//img[@alt='QR code to join 值班群 夜班']")
        .await?;
    // Resolves when the image has loaded (or failed), whenever that is.
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
    browser.button("Copy join link").await?;
    browser.assert_accessible().await?;

    // The result on the group page after a reload.
    let url = browser.client.current_url().await?;
    browser.goto(url.as_str()).await?;
    browser.heading("值班群 夜班").await?;
    browser
        .wait_xpath("//table[@id='members']//code[normalize-space()='user2001']")
        .await?;

    // An auditor sees the same page with no edit controls.
    browser.button("Sign out").await?.click().await?;
    browser.sign_in(&app, "audrey", PASSWORD).await?;
    browser.goto(url.as_str()).await?;
    browser.heading("值班群 夜班").await?;
    browser.heading("Members").await?;
    browser.assert_accessible().await?;
    for control in [
        "Add members",
        "Review changes",
        "Make admin",
        "Remove selected members",
        "Show join QR code",
    ] {
        let xpath = format!("//button[normalize-space()={}]", lit(control));
        assert!(
            !browser.exists(&xpath).await?,
            "an auditor sees {control:?}"
        );
    }
    let boxes = "//table[@id='members']//input[@type='checkbox']";
    assert!(
        !browser.exists(boxes).await?,
        "an auditor can select members"
    );
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn helpdesk_imports_a_group_by_chat_id_and_labels_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("desk", Role::Helpdesk).await?;
    // A group made outside chatdesk, the way another tool would.
    let ding = DingTalkApp {
        app_key: DEMO_APP_KEY.into(),
        app_secret: DEMO_APP_SECRET.into(),
        site: DingTalkSite::Mainland,
    };
    let owner = UserId::parse("user2003")?;
    let outside = app
        .state
        .upstream
        .dingtalk
        .legacy_create_group(
            &ding,
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
    browser.link_in_nav("Main", "Groups").await?.click().await?;
    browser.heading("Import a group by chat id").await?;

    // A chat id DingTalk cannot read: refused, and the reason is given.
    let chat_id = browser.field("Chat id (chatid)").await?;
    chat_id
        .send_keys("chat0123456789abcdef0123456789abcd")
        .await?;
    browser.button("Import group").await?.click().await?;
    browser.wait_for_text("server-side").await?;
    browser.assert_accessible().await?;

    chat_id.clear().await?;
    chat_id.send_keys(outside.as_str()).await?;
    // Both forms have a "Labels" field: this one is the import form's.
    browser
        .wait_xpath("//input[@id='import-labels']")
        .await?
        .send_keys("ops")
        .await?;
    browser.button("Import group").await?.click().await?;
    // The form links the group it imported; an in-app navigation away
    // from the page holding the form.
    let link =
        "//form[@id='import-group']/following-sibling::p/a[normalize-space()='外部创建的群']";
    browser.wait_xpath(link).await?.click().await?;
    browser.heading("外部创建的群").await?;
    browser.wait_for_text("ops").await?;

    // Relabel it on its page.
    let labels = browser
        .wait_xpath("//input[@id='group-labels-value']")
        .await?;
    labels.clear().await?;
    labels.send_keys("ops, night shift").await?;
    browser
        .wait_xpath("//*[@id='group-labels']//button[@type='submit']")
        .await?
        .click()
        .await?;
    // Sorted, as the catalogue keeps them.
    browser
        .wait_xpath("//dl//dd[normalize-space()='night shift, ops']")
        .await?;
    browser.assert_accessible().await?;
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
    let query = CatalogueQuery {
        q: Some("全员大群".into()),
        ..CatalogueQuery::default()
    };
    let big = store::page(&app.state.db, &query).await?.groups.remove(0);
    browser
        .goto(&app.url(&format!("/groups/{}", big.id)))
        .await?;
    browser.heading("全员大群").await?;
    browser
        .wait_xpath("//table[@id='members']//code[normalize-space()='user1000']/ancestor::tr | //p[@role='status'][contains(., '1000')]")
        .await
        .ok();
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
const input = document.querySelector("input[type=search][id^=members]");
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
