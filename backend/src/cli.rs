//! The `chatdesk` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use shared::auth::{Role, UserUpdate};

use crate::audit::{self, Actor};
use crate::auth::{password, users};
use crate::config::{self, LogFormat, Overrides};
use crate::db::Db;
use crate::vault::MasterKey;
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
    /// and /readyz. With no upstream base URL configured, the built-in
    /// sandbox serves every upstream (and the first start stores credentials
    /// for it); otherwise unset ones go to the official hosts.
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
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Manage local accounts on the server, e.g. for a locked-out operator.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit trail's chain; prints the number of events checked
    /// and every problem found (the first one is `first_broken`), and fails
    /// if there is one.
    Verify {
        /// Also prove that the trail still holds, unchanged, everything up
        /// to each checkpoint in FILE (written by `chatdesk audit
        /// checkpoint` or the server): this catches deleted newest events.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
    },
    /// Verify the trail and append a signed checkpoint of its last good
    /// event to FILE (default: audit.checkpoint_file, or
    /// DATA_DIR/audit-checkpoints.jsonl); prints it. Ship the file
    /// somewhere the database's writers cannot reach.
    Checkpoint {
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. Prints a random password unless --password-stdin.
    Add {
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Change an account's role.
    SetRole {
        username: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Re-enable a disabled account.
    Enable { username: String },
    /// Set a new password (random and printed unless --password-stdin) and
    /// end the account's sessions.
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "expected admin, helpdesk or auditor".to_owned())
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
        Command::Audit { command } => {
            let config = config::load(cli.config.as_deref(), &cli.overrides())?;
            tokio::runtime::Runtime::new()?.block_on(audit_command(config, command))
        }
        Command::Serve { .. } => {
            let config = config::load(cli.config.as_deref(), &cli.overrides())?;
            telemetry::init(config.log_format);
            tokio::runtime::Runtime::new()?.block_on(serve(config))
        }
        Command::User(command) => {
            let config = config::load(cli.config.as_deref(), &cli.overrides())?;
            telemetry::init(config.log_format);
            tokio::runtime::Runtime::new()?.block_on(async {
                let db = open_db(&config).await?;
                let result = user_command(&db, command, &mut std::io::stdin().lock()).await;
                db.close().await;
                print!("{}", result?);
                Ok(())
            })
        }
    }
}

/// The password given on `input`, or a new random one to print.
fn new_password(
    from_input: bool,
    input: &mut impl std::io::BufRead,
) -> anyhow::Result<(String, bool)> {
    if from_input {
        let mut line = String::new();
        input.read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((password::random_password(), true))
    }
}

/// Runs a `chatdesk user` command; returns what to print.
pub async fn user_command(
    db: &Db,
    command: &UserCommand,
    input: &mut impl std::io::BufRead,
) -> anyhow::Result<String> {
    let set = |role, disabled| UserUpdate { role, disabled };
    let update = async |username: &str, change: UserUpdate| -> anyhow::Result<String> {
        let user = users::by_username(db, username).await?;
        let user = users::update(db, &Actor::cli(), &user.id, &change).await?;
        Ok(format!(
            "{}: role {}, {}\n",
            user.username,
            user.role.as_str(),
            if user.disabled { "disabled" } else { "enabled" }
        ))
    };
    match command {
        UserCommand::Add {
            username,
            role,
            password_stdin,
        } => {
            let (password, generated) = new_password(*password_stdin, input)?;
            let user = users::create(db, &Actor::cli(), username, *role, &password).await?;
            let mut out = format!("created {} ({})\n", user.username, user.role.as_str());
            if generated {
                out.push_str(&format!("password: {password}\n"));
            }
            Ok(out)
        }
        UserCommand::List => Ok(users::list(db)
            .await?
            .into_iter()
            .map(|u| {
                format!(
                    "{:<32} {:<9} {}\n",
                    u.username,
                    u.role.as_str(),
                    if u.disabled { "disabled" } else { "enabled" }
                )
            })
            .collect()),
        UserCommand::SetRole { username, role } => update(username, set(Some(*role), None)).await,
        UserCommand::Disable { username } => update(username, set(None, Some(true))).await,
        UserCommand::Enable { username } => update(username, set(None, Some(false))).await,
        UserCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let (password, generated) = new_password(*password_stdin, input)?;
            let user = users::by_username(db, username).await?;
            users::set_password(db, &Actor::cli(), &user.id, &password).await?;
            let mut out = format!("password of {} reset; its sessions ended\n", user.username);
            if generated {
                out.push_str(&format!("password: {password}\n"));
            }
            Ok(out)
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

/// Opens the database and its audit trail with the configured audit key,
/// as the server does.
async fn open_db(config: &config::Config) -> anyhow::Result<Db> {
    let db = Db::open(config).await?;
    audit::open(&db, keyring(config)?).await?;
    Ok(db)
}

/// The audit keys the server would use.
fn keyring(config: &config::Config) -> anyhow::Result<audit::Keyring> {
    let master = MasterKey::load(&config.master_key_file(), config.master_key_file.is_none())?;
    audit::Keyring::load(config, Some(&master))
}

/// Verifying and checkpointing read the trail and never change it: only
/// a console's start upgrades a trail (and says so in its log).
async fn audit_command(config: config::Config, command: &AuditCommand) -> anyhow::Result<()> {
    let db = Db::open(&config).await?;
    audit::open_read_only(&db, keyring(&config)?).await?;
    let result = match command {
        AuditCommand::Verify { checkpoint } => {
            let checkpoints = match checkpoint {
                Some(file) => audit::read_checkpoints(file)?,
                None => Vec::new(),
            };
            let report = audit::verify_against(&db, &checkpoints).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            report
        }
        AuditCommand::Checkpoint { file } => {
            let file = file
                .clone()
                .unwrap_or_else(|| config.audit_checkpoint_file());
            let (cp, report) = audit::checkpoint(&db, &file).await?;
            println!("{}", serde_json::to_string(&cp)?);
            report
        }
    };
    db.close().await;
    match result.first_broken {
        None => Ok(()),
        Some(b) => anyhow::bail!(
            "the audit trail is broken at seq {}: {} ({} problems in all)",
            b.seq,
            b.reason,
            result.problem_count
        ),
    }
}

async fn serve(config: config::Config) -> anyhow::Result<()> {
    let app = server::Application::build(config).await?;
    if let Some(password) = app.first_admin_password() {
        // Shown once, on the terminal, never logged.
        println!(
            "created the first account: user admin, password {password}\n\
             (change it after signing in; set {} to choose it)",
            server::ADMIN_PASSWORD_VAR
        );
    }
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

    fn parse_user(args: &[&str]) -> UserCommand {
        let cli = Cli::try_parse_from(["chatdesk", "user"].iter().chain(args)).unwrap();
        match cli.command {
            Command::User(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn user_commands_manage_accounts_on_both_databases() {
        use crate::db::Backend;
        use crate::testing::TestDb;
        for backend in Backend::ALL {
            let t = TestDb::fresh(backend).await;
            let mut no_input = std::io::empty();
            let add = parse_user(&["add", "ops", "--role", "helpdesk"]);
            let out = user_command(&t.db, &add, &mut no_input).await.unwrap();
            assert!(
                out.contains("created ops (helpdesk)") && out.contains("password: "),
                "{out}"
            );

            let mut stdin = std::io::Cursor::new("chosen password 1\n");
            let add = parse_user(&["add", "aud", "--role", "auditor", "--password-stdin"]);
            let out = user_command(&t.db, &add, &mut stdin).await.unwrap();
            assert!(!out.contains("password:"), "{out}");
            let (_, hash) = users::credentials(&t.db, "aud").await.unwrap().unwrap();
            assert!(password::verify_blocking(
                &"chosen password 1".into(),
                &hash
            ));

            let set = parse_user(&["set-role", "ops", "admin"]);
            assert_eq!(
                user_command(&t.db, &set, &mut no_input).await.unwrap(),
                "ops: role admin, enabled\n"
            );
            let disable = parse_user(&["disable", "aud"]);
            assert!(
                user_command(&t.db, &disable, &mut no_input)
                    .await
                    .unwrap()
                    .contains("disabled")
            );
            let list = user_command(&t.db, &parse_user(&["list"]), &mut no_input)
                .await
                .unwrap();
            assert_eq!(list.lines().count(), 2, "{list}");
            let enable = parse_user(&["enable", "aud"]);
            assert!(
                user_command(&t.db, &enable, &mut no_input)
                    .await
                    .unwrap()
                    .contains("enabled")
            );
            let reset = parse_user(&["reset-password", "aud"]);
            assert!(
                user_command(&t.db, &reset, &mut no_input)
                    .await
                    .unwrap()
                    .contains("password: ")
            );
            assert!(
                user_command(&t.db, &parse_user(&["disable", "nobody"]), &mut no_input)
                    .await
                    .is_err()
            );
            assert!(
                Cli::try_parse_from(["chatdesk", "user", "add", "x", "--role", "root"]).is_err()
            );

            // Each change is recorded as done by an operator on the server.
            let filter = shared::audit::EventFilter::default();
            let mut events = crate::audit::query(&t.db, &filter).await.unwrap().events;
            events.reverse();
            let recorded: Vec<_> = events
                .iter()
                .map(|e| {
                    let who = (e.actor.as_str(), e.role.as_str(), e.actor_id.is_none());
                    (who, e.action.as_str(), e.target.label.as_deref().unwrap())
                })
                .collect();
            let cli = ("cli", "operator", true);
            assert_eq!(
                recorded,
                [
                    (cli, "user.create", "ops"),
                    (cli, "user.create", "aud"),
                    (cli, "user.update", "ops"),
                    (cli, "user.disable", "aud"),
                    (cli, "user.enable", "aud"),
                    (cli, "user.password_reset", "aud"),
                ]
            );
            assert!(events.iter().all(|e| e.source.is_none()));
        }
    }
}
