//! `hearth import-csv`: move in from a Wealthbox or Redtail contact export.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use hearth_profile::{CrmFormat, Profile, plan_crm_import};

use crate::print_json;

#[derive(Args)]
pub struct ImportCsvArgs {
    /// The CSV export.
    file: PathBuf,
    /// Which CRM wrote it: wealthbox or redtail.
    #[arg(long)]
    format: CrmFormat,
    /// Map a column to a field, overriding the built-in mapping: --map "Spouse Email=email".
    /// Fields: household, full_name, first_name, last_name, role, status, email, phone,
    /// birth_date, address_line1, city, region, postal_code, tags, note, ignore.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
    /// Show what would be created; write nothing.
    #[arg(long)]
    preview: bool,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `hearth import-csv`.
pub fn run(profile: &mut Profile, args: ImportCsvArgs) -> Result<()> {
    let overrides = args
        .map
        .iter()
        .map(|m| {
            m.rsplit_once('=')
                .map(|(c, f)| (c.trim().to_string(), f.trim().to_string()))
                .with_context(|| format!("--map {m}: expected COLUMN=FIELD"))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut plan = plan_crm_import(&args.file, args.format, &overrides)?;
    profile.check_crm_import(&mut plan)?;
    if args.preview {
        if args.json {
            return print_json(&plan);
        }
        println!("Columns used:");
        for (column, field) in &plan.columns {
            println!("  {column} -> {field}");
        }
        for h in &plan.households {
            println!(
                "{} {} ({}, {} members{})",
                if h.exists { "skip  " } else { "create" },
                h.name,
                h.status,
                h.members.len(),
                if h.exists {
                    ", already in this profile"
                } else {
                    ""
                }
            );
            for m in &h.members {
                println!("         {} ({})", m.name, m.role);
            }
        }
        for w in &plan.warnings {
            println!("warning: {w}");
        }
        println!("Preview only: nothing was written. Run again without --preview to import.");
        return Ok(());
    }
    let created = profile.apply_crm_import(&mut plan)?;
    if args.json {
        return print_json(&serde_json::json!({
            "created": created,
            "skipped": plan.households.iter().filter(|h| h.exists).map(|h| &h.name).collect::<Vec<_>>(),
            "warnings": plan.warnings,
        }));
    }
    for c in &created {
        println!("{}\t{}\t{} members", c.id, c.name, c.members);
    }
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "Imported {} households ({} skipped as already present).",
        created.len(),
        plan.households.iter().filter(|h| h.exists).count()
    );
    Ok(())
}
