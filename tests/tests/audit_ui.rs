//! The auditor's page in a real Chromium: filter by actor, open an event's
//! diff (secrets masked), export the filtered trail as CSV.

use std::time::{Duration, Instant};

use backend::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use e2e::{Browser, PASSWORD, TestApp};
use fantoccini::Locator;
use serde_json::json;
use shared::auth::Role;

const WEBHOOK_TOKEN: &str = "tok-9f8e7d6c5b4a";

/// Appends 12 events (alice 8, bob 4); returns the seq of bob's robot change.
async fn seed(app: &TestApp) -> anyhow::Result<i64> {
    let db = app.state.db.clone();
    let actor = |name: &str| Actor {
        user_id: Some(format!("id-{name}")),
        username: name.to_owned(),
        role: "admin".to_owned(),
        source: Some([192, 0, 2, 1].into()),
    };
    let mut events = Vec::new();
    for i in 0..8 {
        let target = Target::new(TargetKind::Group, format!("chat{i}"), format!("group {i}"));
        events.push(NewEvent::success(
            actor("alice"),
            AuditAction::GroupUpdate,
            target,
        ));
    }
    for i in 0..3 {
        events.push(NewEvent::success(
            actor("bob"),
            AuditAction::SignIn,
            Target::new(TargetKind::Session, format!("s{i}"), "bob"),
        ));
    }
    let before = json!({"name": "ops", "webhook": {"url": "https://oapi.dingtalk.com/robot/send", "token": "tok-old"}});
    let after = json!({"name": "ops-2", "webhook": {"url": "https://oapi.dingtalk.com/robot/send", "token": WEBHOOK_TOKEN}});
    events.push(
        NewEvent::success(
            actor("bob"),
            AuditAction::RobotUpdate,
            Target::new(TargetKind::Robot, "r1", "ops"),
        )
        .with_changes(audit::diff(&before, &after, &[])),
    );
    let mut tx = db.pool().begin().await?;
    let mut last = 0;
    for event in &events {
        last = audit::append(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(last)
}

/// The actor column of the entries table, once it holds `count` rows.
async fn actors_shown(browser: &Browser, count: usize) -> anyhow::Result<Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let cells = browser
            .client
            .find_all(Locator::XPath("//table[@id='audit']/tbody/tr/td[1]"))
            .await?;
        let mut actors = Vec::new();
        for cell in cells {
            // A row redrawn while it is read (the page still loading) is
            // gone: read the table again.
            match cell.text().await {
                Ok(text) => actors.push(text),
                Err(_) => break,
            }
        }
        if actors.len() == count || Instant::now() > deadline {
            return Ok(actors);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn auditor_filters_by_actor_opens_a_diff_and_exports_csv() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let robot_seq = seed(&app).await?;
    let browser = Browser::start().await?;
    app.add_user("auditor", Role::Auditor).await?;
    browser.sign_in(&app, "auditor", PASSWORD).await?;
    // The seeded events and those of the setup itself (accounts, sign-in).
    let total = usize::try_from(audit::verify(&app.state.db).await?.head_seq)?;
    assert!(total > 12);

    browser
        .link_in_nav("Main", "Audit trail")
        .await?
        .click()
        .await?;
    browser.heading("Audit trail").await?;
    assert_eq!(actors_shown(&browser, total).await?.len(), total);
    browser.assert_accessible().await?;

    // Filters live in the URL; actions and targets are worded.
    browser.field("Who").await?.send_keys("bob").await?;
    assert_eq!(actors_shown(&browser, 4).await?, vec!["bob"; 4]);
    browser.choose("Action", "Changed a robot").await?;
    assert_eq!(actors_shown(&browser, 1).await?, vec!["bob"]);
    browser.choose("Outcome", "Succeeded").await?;
    browser.client.refresh().await?;
    assert_eq!(actors_shown(&browser, 1).await?, vec!["bob"]);
    browser.wait_for_text("Notification robot").await?;
    browser.field("From (day)").await?;
    browser.field("To (day, inclusive)").await?;
    browser.field("Target").await?.send_keys("ops").await?;
    assert_eq!(actors_shown(&browser, 1).await?, vec!["bob"]);

    browser
        .wait_xpath("//table[@id='audit']//button[normalize-space()='Details']")
        .await?
        .click()
        .await?;
    browser.heading(&format!("Entry {robot_seq}")).await?;
    browser.assert_accessible().await?;
    let row = |field: &str| {
        format!("//table[contains(@class,'plan')]//tr[th[normalize-space()='{field}']]")
    };
    let name = browser.wait_xpath(&row("name")).await?.text().await?;
    assert!(name.contains("ops") && name.contains("ops-2"), "{name}");
    let token = browser
        .wait_xpath(&row("webhook.token"))
        .await?
        .text()
        .await?;
    assert!(token.contains("replaced (not shown)"), "{token}");
    let page = browser.client.source().await?;
    assert!(!page.contains(WEBHOOK_TOKEN) && !page.contains("tok-old"));
    browser.dialog_button("Close").await?.click().await?;
    browser.wait_gone("//dialog").await?;

    let link = browser
        .wait_xpath("//a[normalize-space()='Export CSV']")
        .await?;
    assert!(link.attr("download").await?.is_some());
    let href = link.attr("href").await?.unwrap_or_default();
    assert!(
        href.contains("format=csv") && href.contains("actor=bob"),
        "{href}"
    );
    let jsonl = browser
        .wait_xpath("//a[normalize-space()='Export JSON Lines']")
        .await?;
    assert!(
        jsonl
            .attr("href")
            .await?
            .unwrap_or_default()
            .contains("format=jsonl")
    );
    let csv_text = browser
        .client
        .execute(
            "return fetch(arguments[0]).then(r => r.text())",
            vec![json!(href)],
        )
        .await?;
    let csv_text = csv_text.as_str().unwrap_or_default().to_owned();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 1, "{csv_text}");
    assert!(rows.iter().all(|r| &r[3] == "bob"));
    assert!(!csv_text.contains(WEBHOOK_TOKEN));

    browser.button("Verify the chain").await?.click().await?;
    browser.role_with_text("status", "The chain holds").await?;
    browser.button("Reset").await?.click().await?;
    assert_eq!(actors_shown(&browser, total).await?.len(), total);
    browser.close().await
}
