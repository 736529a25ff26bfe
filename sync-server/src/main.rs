//! `hearth-relay`: serve a firm relay, and administer its tenants from the command line.
#![forbid(unsafe_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use hearth_relay::config::Config;
use hearth_relay::service::Relay;
use hearth_seal::MasterKey;
use serde_json::json;

#[derive(Parser)]
#[command(name = "hearth-relay", version, about = "The Hearth firm relay")]
struct Cli {
    /// Configuration file (TOML).
    #[arg(long, env = "HEARTH_RELAY_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://... (overrides the config file).
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the relay.
    Serve {
        /// Address to listen on (port 0 picks a free port; the address is printed).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Shut down when standard input closes (for supervisors and tests).
        #[arg(long)]
        stop_on_stdin_eof: bool,
    },
    /// Master keys.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Firms (tenants).
    #[command(subcommand)]
    Firm(FirmCmd),
    /// Advisors of a firm.
    #[command(subcommand)]
    Advisor(AdvisorCmd),
    /// Enrolled devices.
    #[command(subcommand)]
    Device(DeviceCmd),
    /// API tokens for scripts and integrations.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Console users: firm admins and platform operators who sign in at /admin.
    #[command(subcommand)]
    Admin(AdminCmd),
    /// The compliance archive: export, verify, tree heads, retention, legal holds.
    #[command(subcommand)]
    Archive(hearth_relay::archive_cli::ArchiveCmd),
}

#[derive(Subcommand)]
enum AdminCmd {
    /// Create a console user: a firm admin (--firm) or a platform operator (--operator).
    /// The password comes from standard input (--password-stdin) or the environment variable
    /// HEARTH_RELAY_ADMIN_PASSWORD, never from a flag (flags show up in `ps` and shell history).
    Create {
        /// The firm they administer.
        #[arg(
            long,
            required_unless_present = "operator",
            conflicts_with = "operator"
        )]
        firm: Option<String>,
        /// A platform operator: creates firms and sees health, never household content.
        #[arg(long)]
        operator: bool,
        /// Their role in the firm: admin, compliance_officer (reads every household's flags
        /// and compliance notes, reviews, sets policy, edits nothing) or auditor (read-only).
        #[arg(long, default_value = "admin", value_parser = parse_console_role, conflicts_with = "operator")]
        role: hearth_relay_store::ConsoleRole,
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Set a console user's password (a forgotten one); ends all their sessions. The password
    /// comes from standard input (--password-stdin) or HEARTH_RELAY_ADMIN_PASSWORD.
    SetPassword {
        /// Their sign-in email.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Make a new one-time set-password link for a console user (a first admin whose link
    /// expired, or one who forgot their password); prints it. Their password is unchanged
    /// until the link is used.
    PasswordLink {
        /// Their sign-in email.
        #[arg(long)]
        email: String,
        /// The relay's public address, to print the whole link (e.g. https://relay.example.com).
        #[arg(long, default_value = "https://RELAY-ADDRESS")]
        relay_url: String,
    },
    /// List a firm's console admins (or, with --operator, the platform operators).
    List {
        #[arg(
            long,
            required_unless_present = "operator",
            conflicts_with = "operator"
        )]
        firm: Option<String>,
        #[arg(long)]
        operator: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Args)]
struct JsonFlag {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Print a new random master key (64 hex characters) for the configuration.
    Generate,
    /// Re-wrap every firm key with a new master key (documents are not re-encrypted). Then
    /// point the configuration at the new key.
    Rotate {
        /// File holding the new master key.
        #[arg(long)]
        new_key_file: PathBuf,
    },
    /// Give a firm's data key a new generation: what is stored from now on is sealed with it,
    /// what was stored before still opens (nothing is re-encrypted). Running relays pick it
    /// up within a minute.
    RotateFirm {
        /// The firm's id.
        firm: String,
    },
}

#[derive(Subcommand)]
enum FirmCmd {
    /// Create a firm.
    Create {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List firms.
    List(JsonFlag),
}

#[derive(Subcommand)]
enum AdvisorCmd {
    /// Add an advisor and print a one-time enrollment code for their device.
    Invite {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        name: String,
        /// Make them a firm admin.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// A new enrollment code for an existing advisor (another device).
    Reinvite {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        advisor: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List a firm's advisors.
    List {
        #[arg(long)]
        firm: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Disable (or re-enable) an advisor.
    Disable {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        advisor: String,
        /// Re-enable instead.
        #[arg(long)]
        enable: bool,
    },
}

#[derive(Subcommand)]
enum DeviceCmd {
    /// List a firm's devices.
    List {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        advisor: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Revoke a device: it is disconnected and can never reconnect.
    Revoke {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        device: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Mint an API token acting as an advisor.
    Issue {
        #[arg(long)]
        advisor: String,
        #[arg(long, default_value = "api")]
        label: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List a firm's API tokens (ids, advisors, labels, state; never the secrets).
    List {
        #[arg(long)]
        firm: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Revoke an API token: it stops authenticating, and connections opened with it close
    /// (at once when revoked through the serving relay's API, within seconds from here).
    Revoke {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        token: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_RELAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Cli::parse())) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn print(json_out: bool, value: serde_json::Value, human: impl FnOnce() -> String) {
    if json_out {
        println!("{value:#}");
    } else {
        println!("{}", human());
    }
}

async fn run(cli: Cli) -> Result<()> {
    if let Command::Keys(KeysCmd::Generate) = cli.command {
        println!("{}", MasterKey::generate()?.to_hex().as_str());
        return Ok(());
    }
    if let Command::Archive(cmd) = &cli.command
        && cmd.is_offline()
    {
        return hearth_relay::archive_cli::run_offline(cmd);
    }
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(db) = cli.database {
        config.database = db;
    }
    if let Command::Serve { listen, .. } = &cli.command
        && let Some(listen) = listen
    {
        config.listen = *listen;
    }
    // Taken before the database is opened, held until the process ends.
    let _serving = match &cli.command {
        Command::Serve { .. } => hearth_relay::config::lock_sqlite_for_serving(&config.database)?,
        _ => None,
    };
    let relay = Relay::open(config).await?;
    match cli.command {
        Command::Keys(KeysCmd::Generate) => unreachable!("handled above"),
        Command::Archive(cmd) => hearth_relay::archive_cli::run(&relay, cmd).await?,
        Command::Serve {
            stop_on_stdin_eof, ..
        } => serve(relay, stop_on_stdin_eof).await?,
        Command::Keys(KeysCmd::Rotate { new_key_file }) => {
            let text = std::fs::read_to_string(&new_key_file)
                .with_context(|| format!("reading {}", new_key_file.display()))?;
            let new_key = MasterKey::from_config(&text)?;
            let count = relay.rotate_master_key(&new_key).await?;
            println!(
                "Re-wrapped {count} firm keys with master key {}; now point the configuration at it.",
                new_key.id()
            );
        }
        Command::Keys(KeysCmd::RotateFirm { firm }) => {
            let generations = relay.rotate_firm_key(&firm).await?;
            println!(
                "Firm {firm}'s data key now has {generations} generations; new data is sealed with the newest, older data still opens."
            );
        }
        Command::Firm(FirmCmd::Create { name, json }) => {
            let firm = relay.create_firm(&name).await?;
            print(json.json, json!(firm), || firm.id.clone());
        }
        Command::Firm(FirmCmd::List(json)) => {
            let firms = relay.store.list_firms().await?;
            print(json.json, json!(firms), || {
                firms
                    .iter()
                    .map(|f| format!("{}\t{}", f.id, f.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::Advisor(AdvisorCmd::Invite {
            firm,
            name,
            admin,
            json,
        }) => {
            let (advisor, code) = relay
                .invite_advisor(&firm, &name, admin, "operator")
                .await?;
            print(
                json.json,
                json!({ "advisor": advisor, "enrollment_code": code }),
                || {
                    format!(
                        "Invited {} ({}). One-time enrollment code: {code}\nOn their laptop: hearth enroll --relay URL --code {code}",
                        advisor.name, advisor.id
                    )
                },
            );
        }
        Command::Advisor(AdvisorCmd::Reinvite {
            firm,
            advisor,
            json,
        }) => {
            let code = relay.reinvite(&firm, &advisor, "operator").await?;
            print(json.json, json!({ "enrollment_code": code }), || {
                code.clone()
            });
        }
        Command::Advisor(AdvisorCmd::List { firm, json }) => {
            let advisors = relay.store.list_advisors(&firm).await?;
            print(json.json, json!(advisors), || {
                advisors
                    .iter()
                    .map(|a| {
                        let role = if a.is_admin { "admin" } else { "advisor" };
                        let state = if a.disabled { " (disabled)" } else { "" };
                        format!("{}\t{}\t{role}{state}", a.id, a.name)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::Advisor(AdvisorCmd::Disable {
            firm,
            advisor,
            enable,
        }) => {
            if !relay
                .store
                .set_advisor_disabled(&firm, &advisor, !enable)
                .await?
            {
                anyhow::bail!("no advisor {advisor} in firm {firm}");
            }
            println!("{} {advisor}", if enable { "Enabled" } else { "Disabled" });
        }
        Command::Device(DeviceCmd::List {
            firm,
            advisor,
            json,
        }) => {
            let devices = relay.store.list_devices(&firm, advisor.as_deref()).await?;
            print(json.json, json!(devices), || {
                credential_lines(
                    devices
                        .iter()
                        .map(|d| (&d.id, &d.advisor_id, &d.label, d.revoked_at.is_some())),
                )
            });
        }
        Command::Device(DeviceCmd::Revoke { firm, device, json }) => {
            if !relay.revoke_device(&firm, &device, "operator").await? {
                anyhow::bail!("no device {device} in firm {firm}");
            }
            print(json.json, json!({ "revoked": device }), || {
                format!("Revoked {device}")
            });
        }
        Command::Token(TokenCmd::Issue {
            advisor,
            label,
            json,
        }) => {
            let (token, secret) = relay.issue_api_token(&advisor, &label, "operator").await?;
            print(
                json.json,
                json!({ "id": token.id, "token": secret, "advisor_id": token.advisor_id }),
                || secret.clone(),
            );
        }
        Command::Token(TokenCmd::List { firm, json }) => {
            let tokens = relay.store.list_api_tokens(&firm).await?;
            print(json.json, json!(tokens), || {
                credential_lines(
                    tokens
                        .iter()
                        .map(|t| (&t.id, &t.advisor_id, &t.label, t.revoked_at.is_some())),
                )
            });
        }
        Command::Token(TokenCmd::Revoke { firm, token, json }) => {
            if !relay.revoke_api_token(&firm, &token, "operator").await? {
                anyhow::bail!(
                    "no active API token {token} in firm {firm}; `hearth-relay token list --firm {firm}` shows them"
                );
            }
            print(json.json, json!({ "revoked": token }), || {
                format!("Revoked {token}")
            });
        }
        Command::Admin(AdminCmd::Create {
            firm,
            role,
            email,
            password_stdin,
            json,
            ..
        }) => {
            let password = admin_password(password_stdin)?;
            let user = hearth_relay::console::auth::create_user(
                &relay,
                firm.as_deref(),
                role,
                &email,
                &password,
                "operator",
            )
            .await?;
            print(json.json, json!(user), || {
                format!(
                    "Created console user {} ({}); sign in at /admin",
                    user.email, user.id
                )
            });
        }
        Command::Admin(AdminCmd::SetPassword {
            email,
            password_stdin,
        }) => {
            let password = admin_password(password_stdin)?;
            let user =
                hearth_relay::console::auth::reset_password(&relay, &email, &password, "operator")
                    .await
                    .with_context(|| {
                        format!("no console user {email}, or the password was refused")
                    })?;
            println!(
                "Set the password of {}; their sessions are ended",
                user.email
            );
        }
        Command::Admin(AdminCmd::PasswordLink { email, relay_url }) => {
            let normalized = hearth_relay::console::auth::normalize_email(&email)?;
            let user = relay
                .store
                .console_user_by_email(&normalized)
                .await?
                .with_context(|| format!("no console user {email}"))?;
            let token =
                hearth_relay::console::auth::create_password_link(&relay, &user, "operator")
                    .await?;
            println!(
                "{}/admin/set-password/{token}\nWorks once, for {} hours; send it to {} over a trusted channel.",
                relay_url.trim_end_matches('/'),
                relay.config.console.password_link_ttl_hours,
                user.email
            );
        }
        Command::Admin(AdminCmd::List { firm, json, .. }) => {
            let users = relay.store.list_console_users(firm.as_deref()).await?;
            print(json.json, json!(users), || {
                users
                    .iter()
                    .map(|u| format!("{}\t{}", u.id, u.email))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

/// A new console user's password: the first line of stdin, or `HEARTH_RELAY_ADMIN_PASSWORD`.
fn admin_password(from_stdin: bool) -> Result<zeroize::Zeroizing<String>> {
    if from_stdin {
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let trimmed = zeroize::Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
        return Ok(trimmed);
    }
    match std::env::var("HEARTH_RELAY_ADMIN_PASSWORD") {
        Ok(p) => Ok(zeroize::Zeroizing::new(p)),
        Err(_) => anyhow::bail!(
            "no password given: pipe it with --password-stdin, or set HEARTH_RELAY_ADMIN_PASSWORD"
        ),
    }
}

/// Devices or API tokens as `id  advisor  label  active|revoked` lines.
fn credential_lines<'a>(
    rows: impl Iterator<Item = (&'a String, &'a String, &'a String, bool)>,
) -> String {
    rows.map(|(id, advisor, label, revoked)| {
        let state = if revoked { "revoked" } else { "active" };
        format!("{id}\t{advisor}\t{label}\t{state}")
    })
    .collect::<Vec<_>>()
    .join("\n")
}

async fn serve(relay: Arc<Relay>, stop_on_stdin_eof: bool) -> Result<()> {
    relay.config.check_transport()?;
    // Other relay processes on the same (PostgreSQL) database: follow what they store.
    let _following = hearth_relay::cluster::follow(relay.clone()).await?;
    let tls = match relay.config.tls_files()? {
        Some((cert, key)) => Some(Arc::new(hearth_relay::listener::TlsFiles::load(cert, key)?)),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(relay.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", relay.config.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("hearth-relay listening on {scheme}://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, tls = tls.is_some(), "listening");
    // A renewed certificate is picked up on SIGHUP without dropping a connection.
    #[cfg(unix)]
    if let Some(tls) = tls.clone() {
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                match tls.reload() {
                    Ok(()) => tracing::info!("TLS certificate reloaded"),
                    Err(e) => {
                        tracing::error!(error = %e, "TLS certificate not reloaded; the previous one stays")
                    }
                }
            }
        });
    }
    // Tree heads every 20 s while entries arrive, the archive's second copy, expiry.
    hearth_relay::archive::spawn_background(relay.clone());
    // Rate-limit state of quiet addresses and devices is dropped every minute.
    {
        let relay = relay.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                relay.trim_limiters();
            }
        });
    }
    let shutdown = async move {
        let stdin_closed = async {
            if stop_on_stdin_eof {
                let mut buf = [0u8; 64];
                let mut stdin = tokio::io::stdin();
                while tokio::io::AsyncReadExt::read(&mut stdin, &mut buf)
                    .await
                    .unwrap_or(0)
                    > 0
                {}
            } else {
                std::future::pending::<()>().await;
            }
        };
        let terminate = async {
            #[cfg(unix)]
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut sig) => {
                    sig.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
            #[cfg(not(unix))]
            std::future::pending::<()>().await;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
            _ = stdin_closed => {}
        }
        tracing::info!("shutting down");
    };
    // Every change a client saw acknowledged was stored before the acknowledgement was sent,
    // so a graceful stop only has to stop accepting and let open requests finish.
    let t = &relay.config.timeouts;
    let deadlines = hearth_relay::listener::Deadlines {
        handshake: std::time::Duration::from_secs(t.tls_handshake_secs),
        headers: std::time::Duration::from_secs(t.header_read_secs),
        request: std::time::Duration::from_secs(t.request_secs),
        drain: std::time::Duration::from_secs(30),
    };
    let app = hearth_relay::http::router(relay);
    hearth_relay::listener::serve(listener, app, tls, deadlines, shutdown).await;
    Ok(())
}

/// `--role NAME` for console users.
fn parse_console_role(name: &str) -> std::result::Result<hearth_relay_store::ConsoleRole, String> {
    hearth_relay_store::ConsoleRole::parse(name)
        .ok_or_else(|| format!("unknown role {name:?}: use admin, compliance_officer or auditor"))
}
