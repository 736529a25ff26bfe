//! `hearth`: the headless face of the Hearth desk. Everything the app does to a profile, a
//! script can do from here; every read command takes `--json`.
#![forbid(unsafe_code)]

mod batch;
mod crm;
mod day;
mod doc;
mod media;
mod meeting;
mod models;
mod records;
mod render;
mod search;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use hearth_core::template;
use hearth_profile::{InitOptions, KeyStorage, Profile};
use hearth_secrets::SecretError;
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "Hearth: a local-first desk for financial advisors"
)]
struct Cli {
    /// Profile directory (one per advisor and device).
    #[arg(long, env = "HEARTH_PROFILE", global = true)]
    profile: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new profile.
    Init {
        /// The advisor who owns the profile.
        #[arg(long)]
        advisor: String,
        /// A label for this device, shown in history (default: the host name).
        #[arg(long)]
        device: Option<String>,
        /// Where to keep the database key.
        #[arg(long, value_enum, default_value_t = KeyChoice::Auto)]
        key_storage: KeyChoice,
    },
    /// Show who this profile is and how it is protected.
    Info(JsonFlag),
    /// Check the profile database's integrity.
    Check(JsonFlag),
    /// Households: create, list, show, correct, archive, settle conflicts.
    #[command(subcommand)]
    Household(records::HouseholdCmd),
    /// Household members.
    #[command(subcommand)]
    Member(records::MemberCmd),
    /// Accounts and their balances.
    #[command(subcommand)]
    Account(records::AccountCmd),
    /// Goals.
    #[command(subcommand)]
    Goal(records::GoalCmd),
    /// Notes (categories: discussion, decisions, client_updates, planning, compliance).
    #[command(subcommand)]
    Note(records::NoteCmd),
    /// Open loops.
    #[command(subcommand)]
    Task(records::TaskCmd),
    /// Client facts.
    #[command(subcommand)]
    Fact(records::FactCmd),
    /// Your day: open loops across households, dates that matter, upcoming reviews, and
    /// what colleagues changed since you last looked.
    Today(day::TodayArgs),
    /// The dates and ages that matter (RMDs, Medicare, Social Security, 59½, birthdays…).
    Alerts(day::AlertsArgs),
    /// The one-page brief to read before meeting a household.
    Brief(day::BriefArgs),
    /// Custom-field templates.
    #[command(subcommand)]
    Template(TemplateCmd),
    /// Who changed what and when in a household.
    History {
        /// Household id.
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Write every household to a JSON file.
    Export {
        /// Output file.
        path: PathBuf,
    },
    /// Import a file written by `hearth export` (merges households that already exist).
    Import {
        /// Input file.
        path: PathBuf,
    },
    /// Apply edits read as JSON lines from stdin; each is acknowledged on stdout once durable.
    Batch,
    /// Enroll this profile with the firm's relay using a one-time code from your firm admin.
    Enroll {
        /// Relay URL, e.g. https://relay.example-firm.com
        #[arg(long)]
        relay: String,
        /// The one-time enrollment code.
        #[arg(long)]
        code: String,
        /// Label for this device (default: the host name).
        #[arg(long)]
        label: Option<String>,
        /// The firm's CA certificate (PEM), when the relay's certificate comes from the firm's
        /// own PKI rather than a public CA. Kept in the profile for later syncs.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<std::path::PathBuf>,
    },
    /// Push and pull every household you can see; exits when both sides agree.
    Sync {
        /// Stay connected: apply remote changes as they arrive, push local edits, reconnect.
        #[arg(long)]
        watch: bool,
        /// Give up after this many seconds (one-shot sync only).
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// This desk's relay: what it witnessed of the firm's compliance archive.
    #[command(subcommand)]
    Relay(RelayCmd),
    /// Meetings: import a transcript, analyse it, accept suggestions.
    #[command(subcommand)]
    Meeting(meeting::MeetingCmd),
    /// Whisper models: list, fetch, verify.
    #[command(subcommand)]
    Models(models::ModelsCmd),
    /// Transcribe an audio file on this computer.
    Transcribe(media::TranscribeArgs),
    /// Audio input devices and the recording retention policy.
    #[command(subcommand)]
    Audio(media::AudioCmd),
    /// Recording consent: the disclosure text and whose consent is needed.
    #[command(subcommand)]
    Consent(media::ConsentCmd),
    /// The optional LLM engine for meeting analysis (off by default).
    #[command(subcommand)]
    Llm(meeting::LlmCmd),
    /// Share a household with another advisor of your firm (by name or id).
    Share {
        id: String,
        #[arg(long = "with")]
        with: String,
    },
    /// Search everything: households, people, accounts, notes, tasks, facts, transcripts, documents.
    Search(search::SearchArgs),
    /// Client documents attached to households.
    #[command(subcommand)]
    Doc(doc::DocCmd),
    /// Import households from a Wealthbox or Redtail contact export (CSV); --preview first.
    ImportCsv(crm::ImportCsvArgs),
    /// Stop sharing a household with an advisor.
    Unshare {
        id: String,
        #[arg(long = "with")]
        with: String,
    },
}

#[derive(Subcommand)]
enum RelayCmd {
    /// The last signed head of the firm's compliance archive this desk checked (every sync
    /// checks that the relay's next head extends it), and the alarm if one stands.
    Witness {
        /// Forget the head and the alarm, after a firm admin has investigated: the next sync
        /// pins the relay's current head afresh.
        #[arg(long)]
        reset: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// The firm's policy this desk follows (fetched on every sync): disclosure, consent,
    /// audio retention, language-model use, required note categories.
    Policy(JsonFlag),
}

#[derive(Args)]
pub(crate) struct JsonFlag {
    /// Print machine-readable JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum KeyChoice {
    /// The OS keyring if one answers, else a passphrase.
    Auto,
    /// The OS keyring only.
    Keyring,
    /// A passphrase (HEARTH_PASSPHRASE or a prompt).
    Passphrase,
}

#[derive(Subcommand)]
enum TemplateCmd {
    /// List the built-in templates.
    List(JsonFlag),
    /// Apply a built-in template to a household.
    Apply { id: String, name: String },
    /// Set a custom field; VALUE is JSON (e.g. 250000, "Acme Life", true).
    Set {
        id: String,
        field: String,
        value: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The passphrase: `HEARTH_PASSPHRASE`, else a prompt on the terminal.
fn passphrase_source(confirm: bool) -> impl FnMut() -> Result<Zeroizing<String>, SecretError> {
    move || {
        if let Ok(p) = std::env::var("HEARTH_PASSPHRASE") {
            return Ok(Zeroizing::new(p));
        }
        if !std::io::stderr().is_terminal() {
            return Err(SecretError::BadPassphrase(
                "a passphrase is needed for the profile database (no OS keyring holds its key): set HEARTH_PASSPHRASE, or run hearth in a terminal to be asked".to_string(),
            ));
        }
        let read = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| {
                    SecretError::BadPassphrase(format!("could not read the passphrase: {e}"))
                })
        };
        let first = read("Hearth passphrase: ")?;
        if confirm && *read("Repeat passphrase: ")? != *first {
            return Err(SecretError::BadPassphrase(
                "the passphrases do not match".to_string(),
            ));
        }
        Ok(first)
    }
}

fn profile_dir(cli_profile: &Option<PathBuf>) -> Result<PathBuf> {
    cli_profile
        .clone()
        .context("no profile given: pass --profile DIR or set HEARTH_PROFILE")
}

fn open(cli_profile: &Option<PathBuf>) -> Result<Profile> {
    let dir = profile_dir(cli_profile)?;
    Ok(Profile::open(&dir, &mut passphrase_source(false))?)
}

fn default_device() -> String {
    std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "this device".to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    if let Command::Init {
        advisor,
        device,
        key_storage,
    } = &cli.command
    {
        let dir = profile_dir(&cli.profile)?;
        if advisor.trim().is_empty() {
            bail!("--advisor must not be empty");
        }
        let profile = Profile::init(
            &dir,
            InitOptions {
                advisor: advisor.clone(),
                device: device.clone().unwrap_or_else(default_device),
                key_storage: match key_storage {
                    KeyChoice::Auto => KeyStorage::Auto,
                    KeyChoice::Keyring => KeyStorage::Keyring,
                    KeyChoice::Passphrase => KeyStorage::Passphrase,
                },
                passphrase: &mut passphrase_source(true),
            },
        )?;
        let info = profile.info()?;
        println!(
            "Created profile {} for {} at {} ({}).",
            info.profile_id,
            info.advisor,
            dir.display(),
            if info.key_source == "keyring" {
                "database key kept in the OS keyring"
            } else {
                "database key derived from your passphrase"
            }
        );
        return Ok(());
    }
    if let Command::Template(TemplateCmd::List(json)) = &cli.command {
        let templates = template::builtin_templates();
        if json.json {
            return print_json(&templates);
        }
        for t in templates {
            println!("{}\t{}", t.name, t.schema);
        }
        return Ok(());
    }

    // Commands that need no profile.
    match cli.command {
        Command::Models(cmd) => return models::run(cmd),
        Command::Transcribe(args) => return media::transcribe(args),
        Command::Audio(media::AudioCmd::Devices(json)) => return media::devices(json),
        _ => {}
    }
    let mut profile = open(&cli.profile)?;
    match cli.command {
        Command::Init { .. } | Command::Template(TemplateCmd::List(_)) => {
            unreachable!("handled above")
        }
        Command::Info(json) => {
            let info = profile.info()?;
            if json.json {
                print_json(&info)?;
            } else {
                render::info(&info);
            }
        }
        Command::Check(json) => {
            let result = profile.store().integrity_check()?;
            if json.json {
                print_json(&serde_json::json!({ "integrity": result }))?;
            } else {
                println!("integrity_check: {result}");
            }
            if result != "ok" {
                bail!("the profile database failed its integrity check");
            }
        }
        Command::Household(cmd) => records::household(&mut profile, cmd)?,
        Command::Member(cmd) => records::member(&mut profile, cmd)?,
        Command::Account(cmd) => records::account(&mut profile, cmd)?,
        Command::Goal(cmd) => records::goal(&mut profile, cmd)?,
        Command::Note(cmd) => records::note(&mut profile, cmd)?,
        Command::Task(cmd) => records::task(&mut profile, cmd)?,
        Command::Fact(cmd) => records::fact(&mut profile, cmd)?,
        Command::Today(args) => day::today(&mut profile, args)?,
        Command::Alerts(args) => day::alerts(&profile, args)?,
        Command::Brief(args) => day::brief(&profile, args)?,
        Command::Template(TemplateCmd::Apply { id, name }) => {
            let template = template::builtin_templates()
                .into_iter()
                .find(|t| t.name == name)
                .with_context(|| {
                    format!("no template named '{name}'; `hearth template list` shows them")
                })?;
            profile.edit(&id, |h, ctx| h.apply_template(&template, ctx))?;
            println!("saved");
        }
        Command::Template(TemplateCmd::Set { id, field, value }) => {
            let value: serde_json::Value = serde_json::from_str(&value).with_context(|| {
                format!("VALUE must be JSON, e.g. 250000 or '\"text\"'; got {value}")
            })?;
            profile.edit(&id, |h, ctx| h.set_custom(&field, &value, ctx))?;
            println!("saved");
        }
        Command::History { id, json } => {
            let history = profile.history(&id)?;
            if json.json {
                print_json(&history)?;
            } else {
                render::history(&history);
            }
        }
        Command::Export { path } => {
            let count = profile.export(&path)?;
            println!("Exported {count} households to {}", path.display());
        }
        Command::Import { path } => {
            let report = profile.import(&path)?;
            println!(
                "Imported {} households ({} new, {} merged)",
                report.added + report.merged,
                report.added,
                report.merged
            );
        }
        Command::Batch => batch::run(&mut profile)?,
        Command::Enroll {
            relay,
            code,
            label,
            ca_cert,
        } => {
            let label = label.unwrap_or_else(default_device);
            let ca = ca_cert
                .map(|path| {
                    std::fs::read_to_string(&path).with_context(|| {
                        format!("cannot read the CA certificate {}", path.display())
                    })
                })
                .transpose()?;
            let creds = runtime()?.block_on(hearth_sync::enroll(
                &mut profile,
                &relay,
                &code,
                &label,
                ca.as_deref(),
            ))?;
            println!(
                "Enrolled this device ({}) with {} as {}. Run `hearth sync` to sync.",
                creds.device_id, creds.firm_name, creds.advisor_name
            );
        }
        Command::Sync {
            watch,
            timeout,
            json,
        } => {
            let rt = runtime()?;
            if watch {
                rt.block_on(hearth_sync::watch(
                    &mut profile,
                    std::time::Duration::from_secs(1),
                    |event| {
                        use std::io::Write;
                        match event {
                            hearth_sync::WatchEvent::Connected => {
                                println!("in sync with the relay")
                            }
                            hearth_sync::WatchEvent::Applied(id) => {
                                println!("applied remote changes to {id}")
                            }
                            hearth_sync::WatchEvent::Pushed(id) => {
                                println!("pushed local changes to {id}")
                            }
                            hearth_sync::WatchEvent::Disconnected(why) => {
                                eprintln!("disconnected ({why}); reconnecting")
                            }
                        }
                        let _ = std::io::stdout().flush();
                    },
                ))?;
            } else {
                let report = rt.block_on(hearth_sync::sync_once(
                    &mut profile,
                    std::time::Duration::from_secs(timeout),
                ))?;
                // What arrived is searchable at once; a failure here loses nothing (the
                // households stay queued and the next search indexes them).
                if let Err(e) = profile.refresh_search_index() {
                    tracing::warn!(error = %e, "search index not updated after sync");
                }
                if json.json {
                    print_json(&report)?;
                } else {
                    println!(
                        "In sync: {} households offered, {} fetched, {} updated, {} not held by the relay for you.",
                        report.offered, report.fetched, report.updated, report.unavailable
                    );
                    if report.blobs_uploaded + report.blobs_downloaded + report.blobs_pending > 0 {
                        println!(
                            "Documents: {} uploaded, {} downloaded, {} not uploaded by anyone yet.",
                            report.blobs_uploaded, report.blobs_downloaded, report.blobs_pending
                        );
                    }
                    for e in &report.blob_errors {
                        eprintln!("warning: {e}");
                    }
                    for what in &report.policy_tightened {
                        println!(
                            "Firm policy v{}: {what}.",
                            report.policy_version.unwrap_or_default()
                        );
                    }
                }
            }
        }
        Command::Relay(RelayCmd::Policy(json)) => {
            let policy = profile.firm_policy()?;
            if json.json {
                print_json(&serde_json::json!({ "policy": policy }))?;
            } else {
                match policy {
                    None => println!(
                        "Your firm has set no policy on the relay (or this desk has not synced since): this desk's own settings apply."
                    ),
                    Some(p) => {
                        println!("Firm policy v{} (set in the relay's console):", p.version);
                        println!(
                            "  disclosure {}: {}",
                            p.disclosure_version, p.disclosure_text
                        );
                        println!(
                            "  consent: {}{}",
                            match p.consent {
                                hearth_core::policy::PolicyConsent::AllParty => "every participant",
                                hearth_core::policy::PolicyConsent::OneParty => "one participant",
                            },
                            if p.all_party_states.is_empty() {
                                String::new()
                            } else {
                                format!(" (every participant in {})", p.all_party_states.join(", "))
                            }
                        );
                        println!(
                            "  audio kept at most {} days after transcription",
                            p.max_audio_days
                        );
                        println!("  language models: {}", serde_json::to_string(&p.llm)?);
                        let required: Vec<&str> = p
                            .required_note_categories
                            .iter()
                            .map(|c| c.as_str())
                            .collect();
                        println!(
                            "  notes required after a meeting: {}",
                            if required.is_empty() {
                                "none".to_string()
                            } else {
                                required.join(", ")
                            }
                        );
                    }
                }
            }
        }
        Command::Relay(RelayCmd::Witness { reset, json }) => {
            if reset {
                hearth_sync::reset_witness(&mut profile)?;
                println!(
                    "Forgot the archive head this desk witnessed; the next sync pins the relay's current one."
                );
            } else {
                let state = hearth_sync::witness_state(&profile)?;
                if json.json {
                    print_json(&state)?;
                } else {
                    match state {
                        None => println!("No archive head witnessed yet: run `hearth sync`."),
                        Some(s) => {
                            if let Some(alarm) = &s.alarm {
                                println!("ALARM: this desk stopped trusting the relay: {alarm}");
                            }
                            println!(
                                "Witnessed the firm's archive over {} entries, root {}, key {}.",
                                s.size, s.root, s.public_key
                            );
                        }
                    }
                }
            }
        }
        Command::Meeting(cmd) => meeting::meeting(&mut profile, cmd)?,
        Command::Llm(cmd) => meeting::llm(&mut profile, cmd)?,
        Command::Audio(cmd) => media::audio(&mut profile, cmd)?,
        Command::Consent(cmd) => media::consent(&mut profile, cmd)?,
        Command::Models(_) | Command::Transcribe(_) => unreachable!("handled above"),
        Command::Share { id, with } => {
            let target = runtime()?.block_on(hearth_sync::share_household(
                &mut profile,
                &id,
                &with,
                true,
                std::time::Duration::from_secs(120),
            ))?;
            println!("Shared {id} with {}.", target.name);
        }
        Command::Search(args) => search::run(&mut profile, args)?,
        Command::Doc(cmd) => doc::run(&mut profile, cmd)?,
        Command::ImportCsv(args) => crm::run(&mut profile, args)?,
        Command::Unshare { id, with } => {
            let target = runtime()?.block_on(hearth_sync::share_household(
                &mut profile,
                &id,
                &with,
                false,
                std::time::Duration::from_secs(120),
            ))?;
            println!("Stopped sharing {id} with {}.", target.name);
        }
    }
    Ok(())
}
