//! `hearth today`, `hearth alerts`, `hearth brief`: the advisor's day from the terminal.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Args;
use hearth_profile::Profile;

use crate::{JsonFlag, print_json, render};

/// A date option: YYYY-MM-DD, or today where you are.
fn day(profile: &Profile, date: Option<String>) -> Result<NaiveDate> {
    match date {
        Some(text) => text.trim().parse().with_context(|| {
            format!("--date '{text}' is not a date; give it as YYYY-MM-DD, e.g. 2026-12-31")
        }),
        None => Ok(profile.local_today()),
    }
}

#[derive(Args)]
pub(crate) struct TodayArgs {
    /// The day to show (default: today).
    #[arg(long)]
    date: Option<String>,
    /// Mark colleagues' changes shown under "since you last looked" as seen.
    #[arg(long)]
    mark_seen: bool,
    #[command(flatten)]
    json: JsonFlag,
}

#[derive(Args)]
pub(crate) struct AlertsArgs {
    /// Only this household.
    #[arg(long)]
    household: Option<String>,
    /// The day to look from (default: today).
    #[arg(long)]
    date: Option<String>,
    /// How many days ahead.
    #[arg(long, default_value_t = 90)]
    days: i64,
    #[command(flatten)]
    json: JsonFlag,
}

#[derive(Args)]
pub(crate) struct BriefArgs {
    /// Household id.
    id: String,
    /// The day of the meeting (default: today).
    #[arg(long)]
    date: Option<String>,
    #[command(flatten)]
    json: JsonFlag,
}

pub(crate) fn today(profile: &mut Profile, args: TodayArgs) -> Result<()> {
    let date = day(profile, args.date)?;
    let view = profile.today_view(date)?;
    if args.json.json {
        print_json(&view)?;
    } else {
        render::today(&view);
    }
    if args.mark_seen {
        profile.mark_seen(view.latest_seq)?;
    }
    Ok(())
}

pub(crate) fn alerts(profile: &Profile, args: AlertsArgs) -> Result<()> {
    let date = day(profile, args.date)?;
    let found = profile.alerts(args.household.as_deref(), date, args.days)?;
    if args.json.json {
        print_json(&found)
    } else {
        render::alerts(&found, date, args.days);
        Ok(())
    }
}

pub(crate) fn brief(profile: &Profile, args: BriefArgs) -> Result<()> {
    let date = day(profile, args.date)?;
    let brief = profile.brief(&args.id, date)?;
    if args.json.json {
        print_json(&brief)
    } else {
        render::brief(&brief);
        Ok(())
    }
}
