//! Chat configurations in a real Chromium, against a sandbox the test
//! holds: the filters live in the URL; an admin creates a WeCom
//! configuration with several key/value rows (the old form held one),
//! edits it after the server's plan in words, and deletes it after a
//! question naming it; a DingTalk edit refuses the upstream's mask next to
//! its field; an auditor and a help-desk user read without edit controls.
//! A benchmark prints how soon the list's first row appears with the CPU
//! throttled 4x (issue 18's budget).

use std::time::{Duration, Instant};

use anyhow::Context;
use backend::audit::Actor;
use backend::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, Fault, Sandbox};
use e2e::{Browser, PASSWORD, TestApp};
use fantoccini::Locator;
use shared::auth::Role;
use shared::vault::AlibabaAccountInput;

const NAME: &str = "e2e-wecom";

fn row(name: &str) -> String {
    format!("//tr[th[normalize-space()='{name}']]")
}

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

async fn gone(browser: &Browser, xpath: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.exists(xpath).await? {
        anyhow::ensure!(Instant::now() < deadline, "{xpath} is still there");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn count(browser: &Browser, xpath: &str) -> anyhow::Result<usize> {
    Ok(browser.client.find_all(Locator::XPath(xpath)).await?.len())
}

/// The input labelled `label` by its `aria-label` (a key/value row).
async fn labelled(browser: &Browser, label: &str) -> anyhow::Result<fantoccini::elements::Element> {
    browser
        .wait_xpath(&format!("//input[@aria-label='{label}']"))
        .await
}

/// The number of the key/value row whose key is `key`.
async fn row_of(browser: &Browser, key: &str) -> anyhow::Result<usize> {
    for n in 1..=30 {
        let input = labelled(browser, &format!("Key {n}")).await?;
        if input.prop("value").await?.as_deref() == Some(key) {
            return Ok(n);
        }
    }
    anyhow::bail!("no row has the key {key}")
}

#[tokio::test]
async fn filters_live_in_the_url_in_one_line() -> anyhow::Result<()> {
    let (app, _sandbox) = with_account().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/chat-configs")).await?;
    browser.heading("Chat configurations").await?;
    browser.wait_xpath(&row("release-wecom")).await?;
    browser.assert_accessible().await?;
    // One line: every filter at the same height.
    let tops = browser
        .client
        .execute(
            "return [...document.querySelectorAll('[role=search] .filter')].map(f => f.getBoundingClientRect().bottom)",
            vec![],
        )
        .await?;
    let tops: Vec<f64> = serde_json::from_value(tops)?;
    assert_eq!(tops.len(), 5, "search, account, region, platform, label");
    assert!(tops.iter().all(|t| (t - tops[0]).abs() < 2.0), "{tops:?}");

    browser
        .field("Platform")
        .await?
        .select_by_label("WeCom")
        .await?;
    gone(&browser, &row("oncall-dingtalk")).await?;
    browser.wait_xpath(&row("finance-wecom")).await?;
    browser
        .field("Region")
        .await?
        .select_by_label("cn-shanghai")
        .await?;
    gone(&browser, &row("release-wecom")).await?;
    browser
        .field("Account")
        .await?
        .select_by_label("ops")
        .await?;
    browser.field("Labels").await?;
    browser.client.refresh().await?;
    browser.wait_xpath(&row("finance-wecom")).await?;
    let url = browser.client.current_url().await?;
    let query = url.query().unwrap_or_default();
    assert!(
        query.contains("type=WeChat") && query.contains("region=cn-shanghai"),
        "{url}"
    );
    assert!(
        !browser.exists(&row("release-wecom")).await?,
        "kept after a reload"
    );
    browser.button("Reset").await?.click().await?;
    browser.wait_xpath(&row("oncall-dingtalk")).await?;
    browser.field("Search").await?.send_keys("oncall").await?;
    gone(&browser, &row("release-wecom")).await?;
    assert!(browser.exists(&row("oncall-dingtalk")).await?);
    browser.assert_fits_phone("chat-configs-list").await?;
    browser.close().await
}

#[tokio::test]
async fn a_region_that_fails_is_named_and_hides_no_other() -> anyhow::Result<()> {
    let (app, sandbox) = with_account().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    // After the home page has read the lists, or it takes the fault.
    browser
        .wait_xpath("//div[dt[normalize-space()='Chat configurations']]/dd/a")
        .await?;
    sandbox
        .faults()
        .set("ListChatConfigurations", Fault::no_permission().times(1));
    browser.goto(&app.url("/chat-configs")).await?;
    let named = browser
        .wait_for_text("could not be listed:")
        .await?
        .text()
        .await?;
    let listed = if named.contains("cn-hangzhou") {
        "cn-shanghai"
    } else {
        "cn-hangzhou"
    };
    assert!(named.starts_with("ops · "), "{named}");
    browser
        .wait_for_text("The credential lacks a permission the upstream service requires.")
        .await?;
    // The other region's rows are listed.
    browser
        .wait_xpath(&format!("//tr[td[normalize-space()='{listed}']]"))
        .await?;
    let panels = browser
        .client
        .find_all(Locator::XPath("//p[contains(., 'could not be listed:')]"))
        .await?;
    assert_eq!(panels.len(), 1, "one region failed");
    browser.assert_accessible().await?;
    browser.close().await
}

#[tokio::test]
async fn an_admin_creates_a_wecom_configuration_with_several_rows_edits_and_deletes_it()
-> anyhow::Result<()> {
    let (app, sandbox) = with_account().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/chat-configs")).await?;
    browser.wait_xpath(&row("chatops-dingtalk")).await?;

    // The rows stop at the maximum (30); labels are numbered, not `Key {}`.
    browser
        .button("Create chat configuration")
        .await?
        .click()
        .await?;
    browser.heading("Create chat configuration").await?;
    browser
        .field("Platform")
        .await?
        .select_by_label("WeCom")
        .await?;
    let add = browser.button("Add a row").await?;
    for _ in 0..30 {
        add.click().await?;
    }
    labelled(&browser, "Key 30").await?;
    assert!(!browser.exists("//input[@aria-label='Key {}']").await?);
    assert_eq!(
        add.attr("disabled").await?.as_deref(),
        Some("true"),
        "Add stops at 30"
    );
    browser
        .wait_xpath("//button[@aria-label='Delete row 30']")
        .await?
        .click()
        .await?;
    assert_eq!(add.attr("disabled").await?, None, "one row less, Add again");
    browser.button("Cancel").await?.click().await?;
    gone(&browser, "//dialog").await?;

    // The draft came back; discarded, the form starts empty.
    browser
        .button("Create chat configuration")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("What you typed before was restored.")
        .await?;
    browser.button("Discard").await?.click().await?;
    assert!(!browser.exists("//input[@aria-label='Key 1']").await?);

    // Create: DingTalk's fields give way to WeCom's rows.
    browser
        .field("Account")
        .await?
        .select_by_label("ops")
        .await?;
    browser
        .field("Region")
        .await?
        .select_by_label("cn-hangzhou")
        .await?;
    browser.field("Name").await?.send_keys(NAME).await?;
    assert!(
        browser
            .field("Client id (AppKey)")
            .await?
            .is_displayed()
            .await?
    );
    browser
        .field("Platform")
        .await?
        .select_by_label("WeCom")
        .await?;
    assert!(
        !browser
            .field("Client id (AppKey)")
            .await?
            .is_displayed()
            .await?
    );
    for _ in 0..3 {
        browser.button("Add a row").await?.click().await?;
    }
    for (i, (k, v)) in [
        ("CorpId", "ww-e2e"),
        ("CorpSecret", "******"),
        ("AgentId", "1000003"),
    ]
    .iter()
    .enumerate()
    {
        labelled(&browser, &format!("Key {}", i + 1))
            .await?
            .send_keys(k)
            .await?;
        labelled(&browser, &format!("Value {}", i + 1))
            .await?
            .send_keys(v)
            .await?;
    }
    browser
        .field("RAM role")
        .await?
        .send_keys("OOSServiceRole")
        .await?;
    browser
        .field("Resource group id")
        .await?
        .send_keys("rg-acfmxsn4m4demo")
        .await?;
    browser
        .field("Labels")
        .await?
        .send_keys("e2e, 运维")
        .await?;
    browser.assert_accessible().await?;
    browser.button("Create").await?.click().await?;
    // The mask is no secret: the server says so next to the rows.
    browser
        .wait_xpath("//fieldset[legend[normalize-space()='WeCom settings']]//p[contains(., 'This is the mask (******)')]")
        .await?;
    assert!(stored(&sandbox, NAME).is_none(), "nothing created");
    let secret = labelled(&browser, "Value 2").await?;
    secret.clear().await?;
    secret.send_keys("e2e-corp-secret").await?;
    browser.button("Create").await?.click().await?;
    browser
        .role_with_text("status", "Created: e2e-wecom")
        .await?;
    gone(&browser, "//dialog").await?;
    let marked = format!("{}[contains(@class, 'highlight')]", row(NAME));
    browser.wait_xpath(&marked).await?;
    assert_eq!(count(&browser, &row(NAME)).await?, 1, "listed once");
    let held = stored(&sandbox, NAME).expect("created upstream");
    assert_eq!(held["CorpId"], "ww-e2e");
    assert_eq!(held["CorpSecret"], "e2e-corp-secret");
    assert_eq!(held["AgentId"], "1000003", "all three rows reached the API");

    // Its page: facts, the secret only as set, the history.
    browser
        .wait_xpath(&format!("{}//a", row(NAME)))
        .await?
        .click()
        .await?;
    browser
        .heading("Chat configuration e2e-wecom (cn-hangzhou)")
        .await?;
    browser.wait_for_text("set (not shown)").await?;
    assert!(!browser.client.source().await?.contains("e2e-corp-secret"));
    browser
        .wait_xpath("//button[@aria-label='Copy Webhook URL']")
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//span[@role='status'][normalize-space()!='']")
        .await?;
    browser.assert_accessible().await?;
    browser
        .wait_xpath("//button[@role='tab'][normalize-space()='History']")
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//table[@id='chat-config-history']//td[normalize-space()='Created a chat configuration']")
        .await?;
    browser
        .wait_xpath("//button[@role='tab'][normalize-space()='Configuration']")
        .await?
        .click()
        .await?;

    // Edit: the plan in words, then the change.
    browser.button("Edit").await?.click().await?;
    browser.heading("Edit chat configuration e2e-wecom").await?;
    let secret_row = row_of(&browser, "CorpSecret").await?;
    let value = labelled(&browser, &format!("Value {secret_row}")).await?;
    assert_eq!(
        value.prop("value").await?.as_deref(),
        Some(""),
        "never shown back"
    );
    browser.assert_accessible().await?;
    let agent_row = row_of(&browser, "AgentId").await?;
    let agent = labelled(&browser, &format!("Value {agent_row}")).await?;
    agent.clear().await?;
    agent.send_keys("1000004").await?;
    browser.button("Review changes").await?.click().await?;
    let dialog = browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Review: e2e-wecom']]")
        .await?;
    browser
        .wait_xpath("//dialog//tr[th[normalize-space()='Agent id (AgentId)']][td[normalize-space()='1000004']]")
        .await?;
    let text = dialog.text().await?;
    assert!(
        !text.contains("configuration.") && !text.contains('{'),
        "{text}"
    );
    browser.assert_accessible().await?;
    browser
        .dialog_button("Apply changes to e2e-wecom")
        .await?
        .click()
        .await?;
    browser.role_with_text("status", "Saved: e2e-wecom").await?;
    until("the edit", || {
        stored(&sandbox, NAME).is_some_and(|c| c["AgentId"] == "1000004")
    })
    .await?;
    assert_eq!(
        stored(&sandbox, NAME).unwrap()["CorpSecret"],
        "e2e-corp-secret",
        "kept"
    );

    // Delete, asked by name; the toast says deleted.
    browser.button("Delete").await?.click().await?;
    browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Delete chat configuration e2e-wecom (cn-hangzhou)?']]")
        .await?;
    browser.assert_accessible().await?;
    browser
        .dialog_button("Delete e2e-wecom")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "Deleted: e2e-wecom")
        .await?;
    until("the delete", || stored(&sandbox, NAME).is_none()).await?;
    browser.heading("Chat configurations").await?;
    browser.wait_xpath(&row("chatops-dingtalk")).await?;
    gone(&browser, &row(NAME)).await?;
    browser.close().await
}

#[tokio::test]
async fn a_dingtalk_edit_refuses_the_mask_at_its_field_and_a_row_delete_says_deleted()
-> anyhow::Result<()> {
    let (app, sandbox) = with_account().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    browser.goto(&app.url("/chat-configs")).await?;
    let oncall = row("oncall-dingtalk");
    browser
        .wait_xpath(&format!("{oncall}//button[normalize-space()='Edit']"))
        .await?
        .click()
        .await?;
    browser
        .heading("Edit chat configuration oncall-dingtalk")
        .await?;
    browser
        .retype("Client id (AppKey)", "dingoa8demo2client")
        .await?;
    browser.retype("Card template id", "second.schema").await?;
    browser
        .retype("Client secret (AppSecret)", "******")
        .await?;
    browser.button("Review changes").await?.click().await?;
    let secret_error = "//div[label[starts-with(normalize-space(), 'Client secret')]]/p[contains(@class, 'field-error')]";
    let error = browser
        .wait_xpath(&format!("{secret_error}[normalize-space()!='']"))
        .await?;
    assert!(error.text().await?.contains("mask"));
    // Emptied as a user does (select all, delete), so the page hears it.
    browser
        .field("Client secret (AppSecret)")
        .await?
        .send_keys("\u{e009}a\u{e009}\u{e017}")
        .await?;
    browser.button("Review changes").await?.click().await?;
    // Made outside chatdesk, it holds no secret to keep: one is required.
    browser
        .wait_xpath(&format!(
            "{secret_error}[normalize-space()='This is required.']"
        ))
        .await?;
    browser
        .field("Client secret (AppSecret)")
        .await?
        .send_keys("e2e-dingtalk-secret")
        .await?;
    browser.button("Review changes").await?.click().await?;
    browser
        .wait_xpath("//dialog//tr[th[normalize-space()='Card template id']][td[normalize-space()='second.schema']]")
        .await?;
    browser
        .dialog_button("Apply changes to oncall-dingtalk")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "Saved: oncall-dingtalk")
        .await?;
    until("the edit", || {
        stored(&sandbox, "oncall-dingtalk")
            .is_some_and(|c| c["DingTalkTemplateId"] == "second.schema")
    })
    .await?;
    assert_eq!(
        stored(&sandbox, "oncall-dingtalk").unwrap()["DingTalkClientSecret"],
        "e2e-dingtalk-secret"
    );

    browser
        .wait_xpath(&format!("{oncall}//button[normalize-space()='Delete']"))
        .await?
        .click()
        .await?;
    browser
        .wait_xpath("//dialog[@open][.//h2[normalize-space()='Delete chat configuration oncall-dingtalk (cn-hangzhou)?']]")
        .await?;
    browser
        .dialog_button("Delete oncall-dingtalk")
        .await?
        .click()
        .await?;
    browser
        .role_with_text("status", "Deleted: oncall-dingtalk")
        .await?;
    gone(&browser, &oncall).await?;
    assert!(stored(&sandbox, "oncall-dingtalk").is_none());
    browser.close().await
}

#[tokio::test]
async fn auditors_and_help_desk_read_without_edit_controls() -> anyhow::Result<()> {
    let (app, _sandbox) = with_account().await?;
    for (user, role) in [("audrey", Role::Auditor), ("hal", Role::Helpdesk)] {
        app.add_user(user, role).await?;
        let browser = Browser::start().await?;
        browser.sign_in(&app, user, PASSWORD).await?;
        browser.goto(&app.url("/chat-configs")).await?;
        browser.wait_xpath(&row("release-wecom")).await?;
        browser.assert_accessible().await?;
        for control in ["Create chat configuration", "Edit", "Delete"] {
            let xpath = format!("//button[normalize-space()='{control}']");
            assert!(!browser.exists(&xpath).await?, "{user} sees {control}");
        }
        browser
            .wait_xpath(&format!("{}//a", row("release-wecom")))
            .await?
            .click()
            .await?;
        browser
            .heading("Chat configuration release-wecom (cn-hangzhou)")
            .await?;
        browser.wait_for_text("CorpId").await?;
        browser.client.refresh().await?;
        browser
            .heading("Chat configuration release-wecom (cn-hangzhou)")
            .await?;
        browser.wait_for_text("set (not shown)").await?;
        browser.assert_accessible().await?;
        browser.assert_fits_phone("chat-config-detail").await?;
        for control in ["Edit", "Delete"] {
            let xpath = format!("//button[normalize-space()='{control}']");
            assert!(!browser.exists(&xpath).await?, "{user} sees {control}");
        }
        let history = browser
            .exists("//button[@role='tab'][normalize-space()='History']")
            .await?;
        assert_eq!(history, role == Role::Auditor, "history is audit data");
        browser
            .wait_xpath("//nav//a[normalize-space()='Chat configurations']")
            .await?
            .click()
            .await?;
        browser.wait_xpath(&row("release-wecom")).await?;
        browser.close().await?;
    }
    Ok(())
}

/// Issue 18's budget, measured (BENCHMARKS.md): the first data row of
/// /chat-configs <= 1 s from navigation on loopback with the CPU throttled
/// 4x. Five full page loads an admin makes (the first with an empty HTTP
/// cache, then reloads) at full speed and at a quarter of it; each timed
/// inside the page from the navigation's start until the table has a row.
/// A measurement, not a timed test: a loaded CI machine must not fail the
/// suite.
#[tokio::test]
async fn first_data_row_of_chat_configs_with_the_cpu_throttled_4x() -> anyhow::Result<()> {
    const RUNS: usize = 5;
    // The built-in sandbox and its demo account, as a fresh console has them.
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    let observer = browser.on_every_new_document(FIRST_ROW_OBSERVER).await?;
    let url = app.url("/chat-configs");
    for rate in [1.0, 4.0] {
        browser.throttle_cpu(rate).await?;
        browser
            .cdp("Network.clearBrowserCache", serde_json::json!({}))
            .await?;
        let mut rows = Vec::with_capacity(RUNS);
        for run in 0..RUNS {
            if run == 0 {
                browser.goto(&url).await?;
            } else {
                browser.client.refresh().await?;
            }
            let t = browser
                .client
                .execute_async(FIRST_ROW_TIMES, vec![])
                .await?;
            let ms = |key: &str| t[key].as_f64().unwrap_or(f64::NAN);
            let row = t["row"]
                .as_f64()
                .context("the chat configurations table got no row")?;
            let load = if run == 0 { "cold" } else { "reload" };
            println!(
                "first data row, CPU {rate}x, run {} ({load}): {row:.1} ms (html {:.1}, wasm {:.1}, session {:.1}-{:.1}, list {:.1}-{:.1})",
                run + 1,
                ms("html"),
                ms("wasm"),
                ms("session_start"),
                ms("session"),
                ms("list_start"),
                ms("list_end"),
            );
            rows.push(row);
        }
        // What the throttling does to plain script, as a check it applies.
        let spin = browser.client.execute(SPIN, vec![]).await?;
        let mut sorted = rows.clone();
        sorted.sort_by(f64::total_cmp);
        let each: Vec<_> = rows.iter().map(|ms| format!("{ms:.1}")).collect();
        println!(
            "first data row, CPU {rate}x: median {:.1} ms of [{}] (a fixed loop: {:.1} ms)",
            sorted[RUNS / 2],
            each.join(", "),
            spin.as_f64().unwrap_or(f64::NAN),
        );
        assert_eq!(rows.len(), RUNS, "every load was measured");
    }
    browser.throttle_cpu(1.0).await?;
    browser
        .cdp(
            "Page.removeScriptToEvaluateOnNewDocument",
            serde_json::json!({ "identifier": observer }),
        )
        .await?;
    browser.row("release-wecom").await?;
    browser.assert_accessible().await?;
    browser.close().await?;
    Ok(())
}

/// Run in every new document before the console's scripts: on
/// /chat-configs, `window.firstChatConfigRow` resolves to `performance.now()`
/// (from the navigation's start) the moment the table captioned "Chat
/// configurations" first has a row in its body; a MutationObserver's
/// callback runs right after the DOM change, before the next paint.
const FIRST_ROW_OBSERVER: &str = r#"
if (location.pathname === "/chat-configs") {
  window.firstChatConfigRow = new Promise(resolve => {
    const hasRow = () => [...document.getElementsByTagName("table")].some(t =>
      t.caption && t.caption.textContent.trim() === "Chat configurations" &&
      t.tBodies.length > 0 && t.tBodies[0].rows.length > 0);
    const observer = new MutationObserver(() => {
      if (hasRow()) {
        const now = performance.now();
        observer.disconnect();
        resolve(now);
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}
"#;

/// Waits for the first row; answers when it was there and when the page's
/// parts arrived (navigation and resource timings), in ms from the
/// navigation's start, `null` for what the page did not load.
const FIRST_ROW_TIMES: &str = r#"
const done = arguments[arguments.length - 1];
if (!window.firstChatConfigRow) {
  done({ row: null, html: 0 });
} else {
  window.firstChatConfigRow.then(row => {
    const nav = performance.getEntriesByType("navigation")[0];
    const loaded = performance.getEntriesByType("resource");
    const find = test => loaded.find(r => test(new URL(r.name)));
    const wasm = find(u => u.pathname.endsWith(".wasm"));
    const session = find(u => u.pathname === "/api/v1/session");
    const list = find(u => u.pathname === "/api/v1/chat-configs");
    done({
      row,
      html: nav.responseEnd,
      wasm: wasm ? wasm.responseEnd : null,
      session_start: session ? session.startTime : null,
      session: session ? session.responseEnd : null,
      list_start: list ? list.startTime : null,
      list_end: list ? list.responseEnd : null,
    });
  });
}
"#;

/// A fixed amount of plain script, timed: about 4x longer when throttled.
const SPIN: &str = r#"
const t0 = performance.now();
let x = 0;
for (let i = 0; i < 20000000; i++) x = (x + i) % 1000003;
return performance.now() - t0 + x * 0;
"#;
