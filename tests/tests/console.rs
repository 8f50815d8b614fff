//! Every page of the console in every way it is shown: English and
//! Chinese, light and dark, 1280 and 390 px. Each must pass axe (no
//! serious or critical violation) and fit a phone without scrolling
//! sideways. With `CHATDESK_SCREENSHOTS=dir` the same walk saves each
//! page light, dark and on a phone (`./dev screenshots`, for docs/).

use e2e::{Browser, PASSWORD, TestApp};

const PAGES: [(&str, &str, &str); 8] = [
    ("/", "Overview", "概览"),
    ("/chat-configs", "Chat configurations", "聊天配置"),
    ("/robots", "Notification robots", "通知机器人"),
    ("/groups", "DingTalk groups", "钉钉群"),
    ("/audit", "Audit trail", "审计记录"),
    ("/users", "Users", "用户"),
    ("/credentials", "Credentials", "凭据"),
    ("/account", "Your account", "我的账号"),
];

#[tokio::test]
async fn every_page_passes_axe_in_both_languages_themes_and_widths() -> anyhow::Result<()> {
    let shots = std::env::var_os("CHATDESK_SCREENSHOTS").map(std::path::PathBuf::from);
    let app = TestApp::spawn().await?;
    let browser = Browser::start().await?;
    browser.sign_in(&app, "admin", PASSWORD).await?;
    for zh in [false, true] {
        let (language, theme) = if zh {
            ("语言", "主题")
        } else {
            ("Language", "Theme")
        };
        for dark in [false, true] {
            let theme_name = match (zh, dark) {
                (false, false) => "Light",
                (false, true) => "Dark",
                (true, false) => "浅色",
                (true, true) => "深色",
            };
            browser.choose(theme, theme_name).await?;
            for width in [1280, 390] {
                browser.set_width(width).await?;
                for (path, en, cn) in PAGES {
                    browser.goto(&app.url(path)).await?;
                    browser.heading(if zh { cn } else { en }).await?;
                    // Let every list arrive before judging the page.
                    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
                    browser.assert_accessible().await.map_err(|e| {
                        e.context(format!("{path} zh={zh} dark={dark} width={width}"))
                    })?;
                    if width == 390 {
                        let sizes = browser
                            .client
                            .execute(
                                "return [window.innerWidth, document.documentElement.scrollWidth]",
                                vec![],
                            )
                            .await?;
                        let (inner, scroll) = (sizes[0].as_i64(), sizes[1].as_i64());
                        anyhow::ensure!(
                            inner >= scroll,
                            "{path} scrolls sideways on a phone: {sizes}"
                        );
                    }
                    if let Some(dir) = shots.as_ref().filter(|_| !zh && (width == 1280 || !dark)) {
                        let kind = match (dark, width) {
                            (_, 390) => "phone",
                            (true, _) => "dark",
                            _ => "light",
                        };
                        let name = if path == "/" { "home" } else { &path[1..] };
                        std::fs::create_dir_all(dir)?;
                        let png = browser.client.screenshot().await?;
                        std::fs::write(dir.join(format!("{name}-{kind}.png")), png)?;
                    }
                }
            }
        }
        if !zh {
            browser.choose(language, "简体中文").await?;
        }
    }
    browser.close().await
}
