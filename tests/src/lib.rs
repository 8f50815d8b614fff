//! Helpers for end-to-end tests: the real `chatdesk` server on a free
//! loopback port, and headless Chromium driven through chromedriver.
//! Elements are found as a person finds them: by role, label and text.
//! Every test runs axe-core on each page it visits
//! ([`Browser::assert_accessible`]) and fails on serious or critical
//! violations.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use backend::audit::Actor;
use backend::auth::{sessions, users};
use backend::config::{Config, LogFormat};
use backend::sandbox::{Sandbox, SandboxConfig};
use backend::server::Application;
use backend::state::AppState;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use shared::auth::Role;
use tokio::sync::oneshot;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// The built console as it ships; the test command builds it first.
pub fn dist_dir() -> PathBuf {
    built("dist")
}

fn built(dir: &str) -> PathBuf {
    let dist = workspace_root().join(dir);
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: build the console first (./dev build)",
        dist.display()
    );
    dist
}

/// Password of every account the tests create, the first admin's included.
pub const PASSWORD: &str = "e2e password 123";

/// A running console with its own data directory, stopped on drop.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    _data: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> anyhow::Result<TestApp> {
        TestApp::spawn_with(|_| {}).await
    }

    /// A console whose configuration `configure` adjusts first (e.g. to
    /// point the upstreams at a sandbox the test controls).
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> anyhow::Result<TestApp> {
        let data = tempfile::tempdir()?;
        let mut config = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data.path().to_owned(),
            dist_dir: dist_dir(),
            log_format: LogFormat::Pretty,
            ..Config::default()
        };
        configure(&mut config);
        let app = Application::build(config).await?;
        let addr = app.local_addr();
        let state = app.state().clone();
        // The first start made `admin` with a random password; use a known one.
        let admin = users::by_username(&state.db, "admin").await?;
        users::set_password(&state.db, &Actor::cli(), &admin.id, PASSWORD).await?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Ok(TestApp {
            addr,
            state,
            _data: data,
            stop: Some(stop),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A console whose upstreams are a sandbox the test holds, so it can
    /// inject faults and see what the upstream stored.
    pub async fn with_own_sandbox() -> anyhow::Result<(TestApp, Sandbox)> {
        let sandbox =
            Sandbox::start(SocketAddr::from(([127, 0, 0, 1], 0)), SandboxConfig::demo()).await?;
        let base = sandbox.base_url();
        let app = TestApp::spawn_with(|config| {
            config.upstream.oos = Some(base.clone());
            config.upstream.sas = Some(base.clone());
            config.upstream.dingtalk_api = Some(base.clone());
            config.upstream.dingtalk_oapi = Some(base.clone());
        })
        .await?;
        Ok((app, sandbox))
    }

    /// Creates an account with [`PASSWORD`].
    pub async fn add_user(&self, username: &str, role: Role) -> anyhow::Result<()> {
        users::create(&self.state.db, &Actor::cli(), username, role, PASSWORD).await?;
        Ok(())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// chromedriver as a child process, killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> anyhow::Result<Driver> {
        let port = free_port()?;
        let mut command =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()));
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, which Chromium joins: a test that fails
        // before closing the browser must not leave Chromium running.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .context("cannot start chromedriver (install it with scripts/setup)")?;
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("chromedriver did not listen on port {port} within 15 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium it started.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session.
pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

/// How long to wait for the app to render something.
const WAIT: Duration = Duration::from_secs(10);

/// The desktop window the tests start with.
const WINDOW: (u32, u32) = (1280, 800);

/// axe-core's browser script, installed from npm by `scripts/setup`.
fn axe_script() -> &'static str {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let path = workspace_root().join("tools/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}): run scripts/setup (npm ci in tools/)",
                path.display()
            )
        })
    })
}

/// The outermost elements that reach past the viewport's right edge.
const WIDE_ELEMENTS: &str = r#"
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && !out.some(o => o.contains(el))) out.push(el);
    }
    return out.slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
"#;

/// Runs axe in the page and answers the serious and critical violations,
/// one line per element.
const AXE_RUN: &str = r#"
    const done = arguments[arguments.length - 1];
    axe.run(document, { resultTypes: ['violations'] }).then(r => done(
      r.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .flatMap(v => v.nodes.map(n => `${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')}`))
    )).catch(e => done(['axe failed: ' + e]));
"#;

/// A Chrome DevTools Protocol command, sent through chromedriver's vendor
/// endpoint `POST /session/{id}/goog/cdp/execute` to the current page.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        // Always set once the session is open; without one chromedriver
        // answers "invalid session id".
        let id = session_id.unwrap_or_default();
        base_url.join(&format!("session/{id}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Sends the DevTools command `cmd` (e.g. `Network.clearBrowserCache`)
    /// with `params` to the current page and answers its result.
    pub async fn cdp(
        &self,
        cmd: &str,
        params: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let command = Cdp {
            cmd: cmd.to_owned(),
            params,
        };
        self.client
            .issue_cmd(command)
            .await
            .with_context(|| format!("DevTools command {cmd}"))
    }

    /// Slows the page's CPU down `rate` times (1 = full speed), as DevTools'
    /// performance panel does; it lasts across navigations in this tab.
    pub async fn throttle_cpu(&self, rate: f64) -> anyhow::Result<()> {
        self.cdp(
            "Emulation.setCPUThrottlingRate",
            serde_json::json!({ "rate": rate }),
        )
        .await?;
        Ok(())
    }

    /// Runs `source` in every document this tab loads from now on, before
    /// the page's own scripts; answers the id that
    /// `Page.removeScriptToEvaluateOnNewDocument` takes.
    pub async fn on_every_new_document(&self, source: &str) -> anyhow::Result<String> {
        let added = self
            .cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                serde_json::json!({ "source": source }),
            )
            .await?;
        added["identifier"]
            .as_str()
            .map(str::to_owned)
            .context("Page.addScriptToEvaluateOnNewDocument answered no identifier")
    }

    pub async fn start() -> anyhow::Result<Browser> {
        let driver = Driver::start()?;
        let profile = tempfile::tempdir()?;
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--window-size={},{}", WINDOW.0, WINDOW.1),
            "--lang=en-US",
        ]
        .map(|a| a.to_string())
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .context("cannot open a Chromium session")?;
        Ok(Browser {
            client,
            _profile: profile,
            _driver: driver,
        })
    }

    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        Ok(self.client.goto(url).await?)
    }

    /// Fails on any serious or critical axe-core violation in the page as
    /// it is now, or if the console has panicked. Call it after every
    /// navigation (and with dialogs open).
    pub async fn assert_accessible(&self) -> anyhow::Result<()> {
        // Every page check also catches a panic in the console (the app's
        // panic hook marks the document).
        let panicked = self
            .client
            .execute(
                "return document.documentElement.dataset.panicked === 'true'",
                vec![],
            )
            .await?;
        if panicked == serde_json::Value::Bool(true) {
            let path = self.client.current_url().await?.path().to_owned();
            bail!("the console panicked on {path} (see the browser console)");
        }
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object'", vec![])
            .await?;
        if loaded != serde_json::Value::Bool(true) {
            // The script is the body of the executed function: it sets
            // window.axe (no eval, which the console's CSP forbids).
            self.client
                .execute(&format!("{}\nreturn true;", axe_script()), vec![])
                .await
                .context("injecting axe-core")?;
        }
        let found = self.client.execute_async(AXE_RUN, vec![]).await?;
        let violations: Vec<String> = serde_json::from_value(found)?;
        let path = self.client.current_url().await?.path().to_owned();
        if !violations.is_empty() {
            bail!(
                "accessibility violations on {path}:\n{}",
                violations.join("\n")
            );
        }
        Ok(())
    }

    /// At a phone's width (390 px) the page must not scroll sideways and
    /// must pass axe; saves a screenshot `NAME-390.png`, then restores the
    /// desktop window.
    pub async fn assert_fits_phone(&self, name: &str) -> anyhow::Result<()> {
        const PHONE: i64 = 390;
        self.resize_viewport(PHONE, 844).await?;
        // Let the layout settle after the resize.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let widths = self
            .client
            .execute(
                "return [window.innerWidth, document.documentElement.scrollWidth]",
                vec![],
            )
            .await?;
        let inner = widths[0].as_i64().unwrap_or_default();
        let scroll = widths[1].as_i64().unwrap_or(i64::MAX);
        self.screenshot(&format!("{name}-390")).await?;
        let checked = self.assert_accessible().await;
        let (w, h) = WINDOW;
        self.client.set_window_size(w, h).await?;
        checked?;
        if inner != PHONE || scroll > PHONE {
            let wide = self.client.execute(WIDE_ELEMENTS, vec![]).await?;
            bail!("{name} at {inner} px wide scrolls to {scroll} px; too wide: {wide}");
        }
        Ok(())
    }

    /// Sizes the window so that the page's viewport is `width` wide.
    async fn resize_viewport(&self, width: i64, height: u32) -> anyhow::Result<()> {
        let mut target = width;
        for _ in 0..3 {
            self.client
                .set_window_size(u32::try_from(target)?, height)
                .await?;
            let inner = self
                .client
                .execute("return window.innerWidth", vec![])
                .await?
                .as_i64()
                .unwrap_or(width);
            if inner == width {
                break;
            }
            target += width - inner;
        }
        Ok(())
    }

    /// Two clicks in quick succession, as a mouse double click sends them.
    pub async fn double_click(&self, element: &Element) -> anyhow::Result<()> {
        let down = PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        };
        let up = PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        };
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: element.clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(down.clone())
            .then(up.clone())
            .then(down)
            .then(up);
        self.client.perform_actions(mouse).await?;
        Ok(())
    }

    /// Ends the browser's session on the server, as an idle timeout does.
    pub async fn expire_session(&self, app: &TestApp) -> anyhow::Result<()> {
        let cookies = self.client.get_all_cookies().await?;
        let cookie = cookies
            .iter()
            .find(|c| c.name().ends_with("chatdesk"))
            .context("no session cookie")?;
        sessions::revoke(&app.state.db, &sessions::hash_id(cookie.value())).await
    }

    /// The first element matching `xpath`, waiting for it to appear.
    pub async fn wait_xpath(&self, xpath: &str) -> anyhow::Result<Element> {
        let found = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(xpath))
            .await;
        if found.is_err() {
            // What the page showed instead, for whoever reads the failure.
            let _ = self.screenshot("last-failure").await;
        }
        found.with_context(|| format!("nothing matched {xpath} within {WAIT:?}"))
    }

    /// A heading of any level with exactly this text.
    pub async fn heading(&self, text: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&format!(
            "//*[self::h1 or self::h2 or self::h3 or @role='heading'][normalize-space()={}]",
            xpath_literal(text)
        ))
        .await
    }

    /// A link with exactly this text, inside the landmark with this name
    /// (`nav` labelled by aria-label) if given.
    pub async fn link_in_nav(&self, nav_label: &str, text: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&format!(
            "//nav[@aria-label={}]//a[normalize-space()={}]",
            xpath_literal(nav_label),
            xpath_literal(text)
        ))
        .await
    }

    /// The form control whose `<label>` has exactly this text, or whose
    /// `aria-label` is this text (a key/value row's "Key 2").
    pub async fn field(&self, label: &str) -> anyhow::Result<Element> {
        let lit = xpath_literal(label);
        // An open modal dialog is all a user can reach: look there first.
        let scope = if self.exists("//dialog[@open]").await? {
            "(//dialog[@open])[last()]"
        } else {
            ""
        };
        let found = self
            .wait_xpath(&format!(
                "{scope}//label[normalize-space()={lit}] | {scope}//*[@aria-label={lit}][self::input or self::select or self::textarea]"
            ))
            .await?;
        if found.tag_name().await? != "label" {
            return Ok(found);
        }
        let id = found
            .attr("for")
            .await?
            .with_context(|| format!("label {label:?} has no `for`"))?;
        self.wait_xpath(&format!("//*[@id={}]", xpath_literal(&id)))
            .await
    }

    /// Replaces what the field labelled `label` holds with `text`, as a
    /// user does (select all, delete, type), so the page sees every input
    /// event; WebDriver's `clear` sends none.
    pub async fn retype(&self, label: &str, text: &str) -> anyhow::Result<()> {
        let field = self.field(label).await?;
        field.send_keys("\u{E009}a\u{E009}\u{E003}").await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// The table row whose header cell is exactly `name`.
    pub async fn row(&self, name: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&row_xpath(name)).await
    }

    /// The button named `action` in the row `name` ("Delete prod-hz").
    pub async fn row_button(&self, name: &str, action: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&format!(
            "{}//button[normalize-space()={}]",
            row_xpath(name),
            xpath_literal(action)
        ))
        .await
    }

    /// Waits until nothing matches `xpath`.
    pub async fn wait_gone(&self, xpath: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + WAIT;
        while self.exists(xpath).await? {
            anyhow::ensure!(Instant::now() < deadline, "{xpath} stayed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Picks `option` in the select labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) -> anyhow::Result<()> {
        self.field(label).await?.select_by_label(option).await?;
        Ok(())
    }

    /// Sets the window so that the viewport is `width` px wide.
    pub async fn set_width(&self, width: i64) -> anyhow::Result<()> {
        self.resize_viewport(width, 844).await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        Ok(())
    }

    /// Waits until some element's own text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&format!(
            "//*[text()[contains(., {})]]",
            xpath_literal(text)
        ))
        .await
    }

    /// A button with exactly this text.
    pub async fn button(&self, name: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&format!(
            "//button[normalize-space()={}]",
            xpath_literal(name)
        ))
        .await
    }

    /// The button named `name` in the topmost open dialog (a
    /// confirmation's own Cancel, not the drawer's under it, nor the
    /// page's button of the same name).
    pub async fn dialog_button(&self, name: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&format!(
            "(//dialog[@open])[last()]//button[normalize-space()={}]",
            xpath_literal(name)
        ))
        .await
    }

    /// An element with this ARIA role whose text contains `text`.
    pub async fn role_with_text(&self, role: &str, text: &str) -> anyhow::Result<Element> {
        self.wait_xpath(&format!(
            "//*[@role={}][contains(normalize-space(), {})]",
            xpath_literal(role),
            xpath_literal(text)
        ))
        .await
    }

    /// Signs in through the sign-in page at `app`'s root and waits for the
    /// account menu.
    pub async fn sign_in(
        &self,
        app: &TestApp,
        username: &str,
        password: &str,
    ) -> anyhow::Result<()> {
        self.goto(&app.url("/")).await?;
        self.sign_in_here(username, password).await
    }

    /// Signs in on the sign-in page already shown, wherever it is.
    pub async fn sign_in_here(&self, username: &str, password: &str) -> anyhow::Result<()> {
        self.field("User name").await?.send_keys(username).await?;
        self.assert_accessible().await?;
        self.field("Password").await?.send_keys(password).await?;
        self.button("Sign in").await?.click().await?;
        self.button("Sign out").await?;
        self.assert_accessible().await
    }

    /// The texts of the links in the navigation landmark `nav_label`.
    pub async fn nav_links(&self, nav_label: &str) -> anyhow::Result<Vec<String>> {
        let nav = self
            .wait_xpath(&format!("//nav[@aria-label={}]", xpath_literal(nav_label)))
            .await?;
        let mut texts = Vec::new();
        for link in nav.find_all(Locator::Css("a")).await? {
            texts.push(link.text().await?);
        }
        Ok(texts)
    }

    /// True when something matches `xpath` right now (no waiting).
    pub async fn exists(&self, xpath: &str) -> anyhow::Result<bool> {
        Ok(!self
            .client
            .find_all(Locator::XPath(xpath))
            .await?
            .is_empty())
    }

    /// Saves a PNG under `target/e2e-screenshots/NAME.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = workspace_root().join("target").join("e2e-screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    pub async fn close(self) -> anyhow::Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// A table row whose header cell is exactly `name`.
pub fn row_xpath(name: &str) -> String {
    format!("//tr[th[normalize-space()={}]]", xpath_literal(name))
}

/// Quotes `s` for XPath 1.0, which has no escape for quotes.
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<_> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

#[cfg(test)]
mod tests {
    use super::xpath_literal;

    #[test]
    fn xpath_literals_survive_quotes() {
        assert_eq!(xpath_literal("Robots"), "'Robots'");
        assert_eq!(xpath_literal("it's"), "\"it's\"");
        assert_eq!(xpath_literal(r#"a'b"c"#), r#"concat('a', "'", 'b"c')"#);
    }
}
