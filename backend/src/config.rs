//! Configuration: defaults, then a TOML file, then `CHATDESK_*` environment
//! variables (nested keys joined by `__`, e.g. `CHATDESK_UPSTREAM__OOS`),
//! then command-line flags. `DATABASE_URL` is honoured as well, below
//! `CHATDESK_DATABASE_URL`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Placeholder in upstream base URLs that is replaced by the region.
pub const REGION_PLACEHOLDER: &str = "{region}";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the console listens on.
    pub listen: SocketAddr,
    /// Where the embedded database, master key and other state live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// File holding the vault's master key; default: `data_dir/master.key`.
    pub master_key_file: Option<PathBuf>,
    /// The built single-page app (trunk's output).
    pub dist_dir: PathBuf,
    pub log_format: LogFormat,
    pub upstream: UpstreamConfig,
    pub sessions: SessionConfig,
    pub audit: AuditConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            master_key_file: None,
            dist_dir: PathBuf::from("dist"),
            log_format: LogFormat::Auto,
            upstream: UpstreamConfig::default(),
            sessions: SessionConfig::default(),
            audit: AuditConfig::default(),
        }
    }
}

impl Config {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("chatdesk.db").display()
            ),
        }
    }

    pub fn master_key_file(&self) -> PathBuf {
        self.master_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    pub fn audit_checkpoint_file(&self) -> PathBuf {
        self.audit
            .checkpoint_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-checkpoints.jsonl"))
    }
}

/// The audit trail's key and checkpoints (see backend/src/audit/keys.rs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// File holding the audit key (base64 of at least 32 bytes); default:
    /// a key derived from the vault's master key. `CHATDESK_AUDIT_KEY`
    /// takes precedence.
    pub key_file: Option<PathBuf>,
    /// Keys that signed older events, after a rotation.
    pub previous_key_files: Vec<PathBuf>,
    /// Minutes between checkpoints while serving; 0 turns them off.
    pub checkpoint_interval_minutes: u64,
    /// Where checkpoints are appended; default:
    /// `data_dir/audit-checkpoints.jsonl`.
    pub checkpoint_file: Option<PathBuf>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            key_file: None,
            previous_key_files: Vec::new(),
            checkpoint_interval_minutes: 60,
            checkpoint_file: None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable on a terminal, JSON otherwise.
    #[default]
    Auto,
    Pretty,
    Json,
}

/// How long a sign-in lasts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// A session unused for this long ends.
    pub idle_timeout_minutes: u64,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout_hours: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
        }
    }
}

impl SessionConfig {
    pub fn idle_timeout_ms(&self) -> i64 {
        i64::try_from(self.idle_timeout_minutes.saturating_mul(60_000)).unwrap_or(i64::MAX)
    }

    pub fn absolute_timeout_ms(&self) -> i64 {
        i64::try_from(self.absolute_timeout_hours.saturating_mul(3_600_000)).unwrap_or(i64::MAX)
    }
}

/// Base URLs of the upstream services. With none set, the built-in sandbox
/// serves all four; with any set, unset ones go to the official hosts.
/// `{region}` in the OOS and Security Center URLs is replaced by the
/// call's region (e.g. `https://oos.{region}.aliyuncs.com`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpstreamConfig {
    pub oos: Option<String>,
    pub sas: Option<String>,
    pub dingtalk_api: Option<String>,
    pub dingtalk_oapi: Option<String>,
    /// Connect timeout of every upstream call (default 5000).
    pub connect_timeout_ms: Option<u64>,
    /// Whole-call timeout of every upstream call (default 10000).
    pub call_timeout_ms: Option<u64>,
    /// Calls per second per DingTalk app (default 20).
    pub dingtalk_qps: Option<u32>,
    /// Calls per second per Alibaba Cloud AccessKey (default 10).
    pub acs_qps: Option<u32>,
}

impl UpstreamConfig {
    fn named(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("upstream.oos", self.oos.as_deref()),
            ("upstream.sas", self.sas.as_deref()),
            ("upstream.dingtalk_api", self.dingtalk_api.as_deref()),
            ("upstream.dingtalk_oapi", self.dingtalk_oapi.as_deref()),
        ]
    }

    /// True when no real upstream is configured, so the sandbox stands in.
    pub fn is_sandbox(&self) -> bool {
        self.named().iter().all(|(_, url)| url.is_none())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("invalid configuration: {field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
}

/// Values given on the command line; `None` leaves the lower layers alone.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_key_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dist_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
}

/// Top-level keys an environment variable may set; other `CHATDESK_*`
/// variables (such as `CHATDESK_CONFIG`) belong to other readers.
const ENV_KEYS: [&str; 9] = [
    "listen",
    "data_dir",
    "database_url",
    "master_key_file",
    "dist_dir",
    "log_format",
    "upstream",
    "sessions",
    "audit",
];

/// Loads the configuration from `file` (if any), the process environment and
/// `overrides`.
pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(file) = file {
        if !file.is_file() {
            return Err(ConfigError::MissingFile(file.to_owned()));
        }
        figment = figment.merge(Toml::file_exact(file));
    }
    if let Ok(url) = std::env::var("DATABASE_URL") {
        figment = figment.merge(Serialized::default("database_url", url));
    }
    // `split` has already turned `__` into `.` when the filter runs.
    let env = Env::prefixed("CHATDESK_").split("__").filter(|key| {
        let top = key.as_str().split('.').next().unwrap_or_default();
        ENV_KEYS.iter().any(|k| top.eq_ignore_ascii_case(k))
    });
    let config: Config = figment
        .merge(env)
        .merge(Serialized::defaults(overrides))
        .extract()
        .map_err(|e| ConfigError::Invalid(Box::new(e)))?;
    validate(&config)?;
    Ok(config)
}

fn validate(config: &Config) -> Result<(), ConfigError> {
    if config.sessions.idle_timeout_minutes == 0 || config.sessions.absolute_timeout_hours == 0 {
        return Err(ConfigError::Field {
            field: "sessions",
            message: "timeouts must be at least 1".into(),
        });
    }
    for (field, url) in config.upstream.named() {
        if let Some(url) = url {
            check_base_url(url).map_err(|message| ConfigError::Field { field, message })?;
        }
    }
    let limits = [
        (
            "upstream.connect_timeout_ms",
            config.upstream.connect_timeout_ms,
        ),
        ("upstream.call_timeout_ms", config.upstream.call_timeout_ms),
        (
            "upstream.dingtalk_qps",
            config.upstream.dingtalk_qps.map(u64::from),
        ),
        ("upstream.acs_qps", config.upstream.acs_qps.map(u64::from)),
    ];
    for (field, value) in limits {
        if value == Some(0) {
            return Err(ConfigError::Field {
                field,
                message: "must be greater than 0".into(),
            });
        }
    }
    if let Some(url) = &config.database_url
        && !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
    {
        return Err(ConfigError::Field {
            field: "database_url",
            message: "must start with sqlite:, postgres: or postgresql:".into(),
        });
    }
    Ok(())
}

/// An upstream base URL must be absolute http(s), once `{region}` is filled.
fn check_base_url(url: &str) -> Result<(), String> {
    let filled = url.replace(REGION_PLACEHOLDER, "cn-hangzhou");
    let parsed = url::Url::parse(&filled).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(()),
        _ => Err(format!(
            "{url:?} must be an http:// or https:// URL with a host"
        )),
    }
}

#[cfg(test)]
// figment::Jail's closures must return its (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    // figment::Jail isolates environment variables and the working directory.
    #[test]
    fn layers_apply_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "chatdesk.toml",
                r#"
                listen = "127.0.0.1:9000"
                data_dir = "/var/lib/chatdesk"
                [upstream]
                oos = "https://oos.{region}.aliyuncs.com"
                "#,
            )?;
            jail.set_env("CHATDESK_LISTEN", "127.0.0.1:9100");
            jail.set_env("CHATDESK_UPSTREAM__DINGTALK_API", "http://127.0.0.1:7000");
            jail.set_env("CHATDESK_CONFIG", "ignored by the loader");
            let overrides = Overrides {
                data_dir: Some("/tmp/override".into()),
                ..Overrides::default()
            };
            let config = load(Some(Path::new("chatdesk.toml")), &overrides).unwrap();
            assert_eq!(config.listen, "127.0.0.1:9100".parse().unwrap());
            assert_eq!(config.data_dir, PathBuf::from("/tmp/override"));
            assert_eq!(
                config.upstream.oos.as_deref(),
                Some("https://oos.{region}.aliyuncs.com")
            );
            assert_eq!(
                config.upstream.dingtalk_api.as_deref(),
                Some("http://127.0.0.1:7000")
            );
            assert!(!config.upstream.is_sandbox());
            Ok(())
        });
    }

    #[test]
    fn defaults_use_sqlite_in_data_dir_and_the_sandbox() {
        figment::Jail::expect_with(|_| {
            let config = load(None, &Overrides::default()).unwrap();
            assert_eq!(config.database_url(), "sqlite://data/chatdesk.db?mode=rwc");
            assert_eq!(config.master_key_file(), PathBuf::from("data/master.key"));
            assert!(config.upstream.is_sandbox());
            Ok(())
        });
    }

    #[test]
    fn database_url_env_is_honoured_below_chatdesk_prefix() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "postgres://127.0.0.1/test");
            let config = load(None, &Overrides::default()).unwrap();
            assert_eq!(config.database_url(), "postgres://127.0.0.1/test");
            jail.set_env("CHATDESK_DATABASE_URL", "sqlite://other.db");
            let config = load(None, &Overrides::default()).unwrap();
            assert_eq!(config.database_url(), "sqlite://other.db");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_urls_name_the_field() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("typo.toml", "listn = \"127.0.0.1:1\"")?;
            let err = load(Some(Path::new("typo.toml")), &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("listn"), "{err}");

            jail.create_file("bad.toml", "[upstream]\nsas = \"ftp://x\"")?;
            let err = load(Some(Path::new("bad.toml")), &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("upstream.sas"), "{err}");

            let err = load(Some(Path::new("missing.toml")), &Overrides::default()).unwrap_err();
            assert!(matches!(err, ConfigError::MissingFile(_)));
            Ok(())
        });
    }

    #[test]
    fn upstream_limits_must_be_positive() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CHATDESK_UPSTREAM__DINGTALK_QPS", "0");
            let err = load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("upstream.dingtalk_qps"), "{err}");
            jail.set_env("CHATDESK_UPSTREAM__DINGTALK_QPS", "40");
            jail.set_env("CHATDESK_UPSTREAM__CALL_TIMEOUT_MS", "2500");
            let config = load(None, &Overrides::default()).unwrap();
            assert_eq!(config.upstream.dingtalk_qps, Some(40));
            assert_eq!(config.upstream.call_timeout_ms, Some(2500));
            assert!(config.upstream.is_sandbox());
            Ok(())
        });
    }

    #[test]
    fn database_url_scheme_is_checked() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CHATDESK_DATABASE_URL", "mysql://x");
            let err = load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("database_url"), "{err}");
            Ok(())
        });
    }
}
