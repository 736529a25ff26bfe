//! `hearth-relay archive ...`: export, verify (no database), tree heads, the log's self-check,
//! retention and legal holds.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use hearth_archive::bundle::KeyPin;
use serde_json::json;

use crate::archive::{parse_date, parse_end_date};
use crate::service::Relay;

/// Who the CLI acts as in the archive's admin entries and the audit log.
const BY: &str = "operator";

/// Compliance archive commands.
#[derive(Debug, Subcommand)]
pub enum ArchiveCmd {
    /// Write an examiner's bundle of the entries accepted between two dates into OUT.
    Export {
        #[arg(long)]
        firm: String,
        /// First day (YYYY-MM-DD, UTC) or an RFC 3339 time.
        #[arg(long)]
        from: String,
        /// Last day, included (YYYY-MM-DD, UTC) or an RFC 3339 time (excluded).
        #[arg(long)]
        to: String,
        /// Directory to create (must not exist or be empty).
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Verify an exported bundle: every entry, proof, signature and file. Needs no database.
    /// Pin the firm's key (--fingerprint or --public-key, as the firm publishes it): without a
    /// pin only the bundle's internal consistency is checked.
    Verify {
        bundle: PathBuf,
        /// The firm's archive key fingerprint (SHA-256 of the key, hex), from its console's
        /// Archive page or `hearth-relay archive head`.
        #[arg(long, conflicts_with = "public_key")]
        fingerprint: Option<String>,
        /// The firm's Ed25519 public key (64 hex characters).
        #[arg(long)]
        public_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print the latest signed tree head (with --sign, sign one over everything archived now).
    Head {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        sign: bool,
    },
    /// Check the stored log (leaf hashes, signed heads, the second copy) and bring the second
    /// copy up to date.
    Check {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        json: bool,
    },
    /// Show or set the retention period (never below 5 years; never shortened while entries
    /// are kept under the longer period).
    Retention {
        #[arg(long)]
        firm: String,
        /// Set it to this many years.
        #[arg(long)]
        set: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Place a legal hold (on one household, or the whole firm without --household).
    Hold {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        household: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Lift a legal hold.
    Release {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        household: Option<String>,
    },
    /// Remove the bytes of entries accepted before a date (refused within retention).
    Delete {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        before: String,
    },
}

impl ArchiveCmd {
    /// Whether the command runs without the relay's database and configuration.
    pub fn is_offline(&self) -> bool {
        matches!(self, ArchiveCmd::Verify { .. })
    }
}

/// Runs `verify` (offline). Fails, naming the first problem, if the bundle does not verify.
pub fn run_offline(cmd: &ArchiveCmd) -> Result<()> {
    let ArchiveCmd::Verify {
        bundle,
        fingerprint,
        public_key,
        json,
    } = cmd
    else {
        anyhow::bail!("this archive command needs the relay's database");
    };
    let pin = match (fingerprint, public_key) {
        (Some(fp), _) => Some(KeyPin::Fingerprint(fp.clone())),
        (None, Some(key)) => Some(KeyPin::PublicKey(
            hex::decode(key.trim())
                .ok()
                .filter(|k| k.len() == 32)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--public-key must be the 32-byte Ed25519 key in hex (64 characters)"
                    )
                })?,
        )),
        (None, None) => None,
    };
    let started = std::time::Instant::now();
    match crate::archive::verify_bundle(bundle, pin.as_ref()) {
        Ok(report) => {
            if *json {
                println!("{:#}", json!({ "verified": true, "report": report }));
            } else {
                println!(
                    "OK: {} entries, {} tree heads, {} proofs, {} readable changes, {} files verified for firm {} (tree size {}) in {:.2?}",
                    report.entries,
                    report.tree_heads,
                    report.proofs,
                    report.readable_changes,
                    report.files,
                    report.firm,
                    report.tree_size,
                    started.elapsed()
                );
                if report.key_pinned {
                    println!(
                        "Signed with the firm's pinned key {}.",
                        report.key_fingerprint
                    );
                } else {
                    println!(
                        "Checked internal consistency only: signed with key {}, which was not checked against the firm's. \
                         Verify again with --fingerprint FP, FP as the firm publishes it (console Archive page, `hearth-relay archive head`).",
                        report.key_fingerprint
                    );
                }
            }
            Ok(())
        }
        Err(e) => {
            if *json {
                println!("{:#}", json!({ "verified": false, "error": e.0 }));
            }
            anyhow::bail!("bundle {} does NOT verify: {}", bundle.display(), e.0)
        }
    }
}

/// Runs a command that needs the relay.
pub async fn run(relay: &Relay, cmd: ArchiveCmd) -> Result<()> {
    match cmd {
        ArchiveCmd::Verify { .. } => run_offline(&cmd)?,
        ArchiveCmd::Export {
            firm,
            from,
            to,
            out,
            json,
        } => {
            let range = (
                parse_date(&from).map_err(anyhow::Error::msg)?,
                parse_end_date(&to).map_err(anyhow::Error::msg)?,
            );
            let summary = relay
                .archive_export(&firm, range, (&from, &to), &out)
                .await
                .with_context(|| format!("exporting firm {firm}'s archive"))?;
            if json {
                println!("{:#}", json!(summary));
            } else {
                println!(
                    "Wrote {} entries ({} households) to {}, proven against tree head size {}.\nVerify with: hearth-relay archive verify {}",
                    summary.entries,
                    summary.households,
                    summary.path,
                    summary.head.head.size,
                    summary.path
                );
            }
        }
        ArchiveCmd::Head { firm, sign } => {
            let head = if sign {
                relay.archive_sign_head(&firm).await?
            } else {
                relay.archive_latest_head(&firm).await?
            };
            let key = relay.archive_public_key(&firm).await?;
            println!(
                "{:#}",
                json!({
                    "firm": firm,
                    "head": head,
                    "public_key": hex::encode(&key),
                    "fingerprint": hearth_archive::head::fingerprint(&key),
                })
            );
        }
        ArchiveCmd::Check { firm, json } => {
            relay.archive_mirror(&firm).await?;
            let check = relay.archive_check(&firm).await?;
            if json {
                println!("{:#}", json!(check));
            }
            if let Some(problem) = &check.problem {
                anyhow::bail!("firm {firm}'s archive does NOT verify: {problem}");
            }
            if !json {
                println!(
                    "OK: {} entries ({} expired), {} signed tree heads, second copy holds {} entries",
                    check.entries, check.expired, check.tree_heads, check.mirrored
                );
            }
        }
        ArchiveCmd::Retention { firm, set, json } => {
            if let Some(years) = set {
                relay.archive_set_retention(&firm, years, BY).await?;
            }
            let r = relay.archive_retention(&firm).await?;
            if json {
                println!("{:#}", json!(r));
            } else {
                println!("Retention: {} years (minimum {})", r.years, r.min_years);
                for h in &r.holds {
                    println!(
                        "Legal hold on {}: {}",
                        h.household.as_deref().unwrap_or("the whole firm"),
                        h.reason
                    );
                }
            }
        }
        ArchiveCmd::Hold {
            firm,
            household,
            reason,
        } => {
            relay
                .archive_place_hold(&firm, household.as_deref(), &reason, BY)
                .await?;
            println!(
                "Legal hold placed on {}",
                household.as_deref().unwrap_or("the whole firm")
            );
        }
        ArchiveCmd::Release { firm, household } => {
            relay
                .archive_lift_hold(&firm, household.as_deref(), BY)
                .await?;
            println!(
                "Legal hold lifted from {}",
                household.as_deref().unwrap_or("the whole firm")
            );
        }
        ArchiveCmd::Delete { firm, before } => {
            let before = parse_date(&before).map_err(anyhow::Error::msg)?;
            let n = relay.archive_delete_before(&firm, before, BY).await?;
            println!("{n} entries past retention expired (their leaf hashes stay)");
        }
    }
    Ok(())
}
