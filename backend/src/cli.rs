//! The `chatdesk` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, LogFormat, Overrides};
use crate::{bundle, sandbox, server, telemetry};

/// chatdesk: one console for OOS chat configurations, Security Center
/// notification robots and DingTalk groups.
#[derive(Debug, Parser)]
#[command(name = "chatdesk", version, about, long_about = None)]
pub struct Cli {
    /// TOML configuration file. Environment variables CHATDESK_* (nested keys
    /// joined by `__`) override it, and flags override both.
    #[arg(
        short,
        long,
        env = "CHATDESK_CONFIG",
        global = true,
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    /// Directory for the embedded database, master key and other state.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database: sqlite://FILE or postgres://... (default: SQLite in the data
    /// directory; DATABASE_URL is honoured).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// File holding the credentials vault's master key (default:
    /// DATA_DIR/master.key).
    #[arg(long, global = true, value_name = "FILE")]
    pub master_key_file: Option<PathBuf>,

    /// Log format.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console: the web app, its JSON API under /api/v1, /healthz
    /// and /readyz. Upstreams without a configured base URL are served by the
    /// built-in sandbox.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// The built web app (trunk's output directory, default ./dist).
        #[arg(long, value_name = "DIR")]
        dist_dir: Option<PathBuf>,
    },
    /// Run only the built-in sandbox (OOS, Security Center and DingTalk
    /// emulators with demo data) and print its demo credentials.
    Sandbox {
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
        listen: std::net::SocketAddr,
        /// TOML file of faults to inject: `[[fault]]` tables with
        /// `operation`, `kind` and the kind's fields (see backend/src/sandbox/README.md).
        #[arg(long, value_name = "FILE")]
        faults: Option<PathBuf>,
    },
    /// Precompress the built web app (.br and .gz beside each file) and print
    /// its size.
    Bundle {
        /// The built web app (default ./dist).
        #[arg(long, value_name = "DIR", default_value = "dist")]
        dist_dir: PathBuf,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

impl Cli {
    fn overrides(&self) -> Overrides {
        let mut overrides = Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            master_key_file: self.master_key_file.clone(),
            log_format: self.log_format,
            ..Overrides::default()
        };
        if let Command::Serve { listen, dist_dir } = &self.command {
            overrides.listen = *listen;
            overrides.dist_dir = dist_dir.clone();
        }
        overrides
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("chatdesk: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Bundle { dist_dir, json } => {
            let report = bundle::precompress(dist_dir)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dist_dir.display()))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.to_table());
            }
            Ok(())
        }
        Command::Sandbox { listen, faults } => {
            telemetry::init(cli.log_format.unwrap_or_default());
            let mut config = sandbox::SandboxConfig::demo();
            if let Some(file) = faults {
                config.faults = sandbox::faults::load_file(file)?;
            }
            tokio::runtime::Runtime::new()?.block_on(run_sandbox(*listen, config))
        }
        Command::Serve { .. } => {
            let config = config::load(cli.config.as_deref(), &cli.overrides())?;
            telemetry::init(config.log_format);
            tokio::runtime::Runtime::new()?.block_on(serve(config))
        }
    }
}

async fn run_sandbox(
    listen: std::net::SocketAddr,
    config: sandbox::SandboxConfig,
) -> anyhow::Result<()> {
    let sandbox = sandbox::Sandbox::start(listen, config).await?;
    println!("chatdesk sandbox is running at {}", sandbox.base_url());
    println!("  AccessKeyId:     {}", sandbox::DEMO_ACCESS_KEY_ID);
    println!("  AccessKeySecret: {}", sandbox::DEMO_ACCESS_KEY_SECRET);
    println!("  DingTalk appKey:    {}", sandbox::DEMO_APP_KEY);
    println!("  DingTalk appSecret: {}", sandbox::DEMO_APP_SECRET);
    server::shutdown_signal().await;
    sandbox.shutdown().await;
    Ok(())
}

async fn serve(config: config::Config) -> anyhow::Result<()> {
    let app = server::Application::build(config).await?;
    println!(
        "chatdesk is running: open http://{} in your browser",
        app.local_addr()
    );
    app.run_until(server::shutdown_signal()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sandbox_subcommand_takes_an_address_and_a_faults_file() {
        let cli = Cli::try_parse_from(["chatdesk", "sandbox", "--faults", "f.toml"]).unwrap();
        match cli.command {
            Command::Sandbox { listen, faults } => {
                assert_eq!(listen, "127.0.0.1:8090".parse().unwrap());
                assert_eq!(faults, Some(PathBuf::from("f.toml")));
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["chatdesk", "sandbox", "--listen", "nope"]).is_err());
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "chatdesk",
            "serve",
            "--data-dir",
            "/x",
            "--listen",
            "127.0.0.1:1",
        ])
        .unwrap();
        let o = cli.overrides();
        assert_eq!(o.data_dir, Some(PathBuf::from("/x")));
        assert_eq!(o.listen, Some("127.0.0.1:1".parse().unwrap()));
    }
}
