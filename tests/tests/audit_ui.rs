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

/// The actor column of the events table, once it holds `count` rows.
async fn actors_shown(browser: &Browser, count: usize) -> anyhow::Result<Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let cells = browser
            .client
            .find_all(Locator::XPath(
                "//table[contains(@class,'audit-events')]/tbody/tr/td[3]",
            ))
            .await?;
        let mut actors = Vec::new();
        for cell in cells {
            actors.push(cell.text().await?);
        }
        if actors.len() == count || Instant::now() > deadline {
            return Ok(actors);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn xpath(browser: &Browser, xpath: &str) -> anyhow::Result<fantoccini::elements::Element> {
    Ok(browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(xpath))
        .await?)
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

    browser.link_in_nav("Main", "Audit").await?.click().await?;
    browser.heading("Audit").await?;
    assert_eq!(actors_shown(&browser, total).await?.len(), total);
    browser.assert_accessible().await?;

    browser.field("Actor").await?.send_keys("bob").await?;
    xpath(&browser, "//button[normalize-space()='Apply filters']")
        .await?
        .click()
        .await?;
    assert_eq!(actors_shown(&browser, 4).await?, vec!["bob"; 4]);

    xpath(
        &browser,
        "//tr[td[normalize-space()='robot.update']]//button[normalize-space()='Details']",
    )
    .await?
    .click()
    .await?;
    let heading = format!("Event #{robot_seq}");
    browser.heading(&heading).await?;
    let focused = browser.client.active_element().await?.text().await?;
    assert_eq!(focused, heading, "opening an event moves focus to it");
    browser.assert_accessible().await?;
    let row = |field: &str| {
        format!("//table[contains(@class,'diff')]//tr[th[normalize-space()='{field}']]")
    };
    let name = xpath(&browser, &row("name")).await?.text().await?;
    assert!(
        name.contains("\"ops\"") && name.contains("\"ops-2\""),
        "{name}"
    );
    let token = xpath(&browser, &row("webhook.token")).await?.text().await?;
    assert!(
        token.contains("(secret, hidden)") && token.contains("changed"),
        "{token}"
    );
    let page = browser.client.source().await?;
    assert!(!page.contains(WEBHOOK_TOKEN) && !page.contains("tok-old"));
    browser.screenshot("audit-diff").await?;

    let link = xpath(&browser, "//a[normalize-space()='Export CSV']").await?;
    assert!(link.attr("download").await?.is_some());
    let href = link.attr("href").await?.unwrap_or_default();
    assert!(
        href.contains("format=csv") && href.contains("actor=bob"),
        "{href}"
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
    assert_eq!(rows.len(), 4, "{csv_text}");
    assert!(rows.iter().all(|r| &r[3] == "bob"));
    assert!(!csv_text.contains(WEBHOOK_TOKEN));
    browser.close().await
}
