//! `hearth search`: ranked full-text search over the profile, with highlighted snippets.

use std::io::IsTerminal;
use std::ops::Range;

use anyhow::{Context, Result, bail};
use clap::Args;
use hearth_profile::{Profile, SearchHit, SearchKind, SearchQuery};
use serde_json::json;

use crate::print_json;

#[derive(Args)]
pub struct SearchArgs {
    /// What to look for: words (typos forgiven, the last one also as a prefix) and "quoted
    /// phrases". Empty with filters lists the newest matching items.
    query: Option<String>,
    /// Only this kind: household, member, account, note, task, fact, transcript, document.
    #[arg(long)]
    kind: Option<String>,
    /// Only this household (its id).
    #[arg(long)]
    household: Option<String>,
    /// Only items written or owned by this advisor.
    #[arg(long)]
    advisor: Option<String>,
    /// Only items dated on or after this day (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Only items dated on or before this day (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Most results to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Rebuild the search index from the profile database (runs no query unless one is given).
    #[arg(long)]
    rebuild: bool,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

fn day_ms(day: &str, end_of_day: bool) -> Result<i64> {
    let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .with_context(|| format!("'{day}' is not a date; use YYYY-MM-DD"))?;
    let time = if end_of_day {
        date.and_hms_milli_opt(23, 59, 59, 999)
    } else {
        date.and_hms_opt(0, 0, 0)
    }
    .context("invalid time of day")?;
    Ok(time.and_utc().timestamp_millis())
}

fn marked(text: &str, ranges: &[Range<usize>], bold: bool) -> String {
    let (open, close) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut at = 0;
    for r in ranges {
        if r.start < at
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(open);
        out.push_str(&text[r.start..r.end]);
        out.push_str(close);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

fn hit_json(hit: &SearchHit) -> serde_json::Value {
    let ranges = |r: &[Range<usize>]| r.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>();
    json!({
        "kind": hit.kind.as_str(),
        "household_id": hit.household_id,
        "item_id": hit.item_id,
        "title": hit.title,
        "title_highlights": ranges(&hit.title_highlights),
        "snippet": hit.snippet,
        "highlights": ranges(&hit.highlights),
        "snippet_html": hit.snippet_html,
        "advisor": hit.advisor,
        "date": hit.date,
        "score": hit.score,
    })
}

/// Runs `hearth search`.
pub fn run(profile: &mut Profile, args: SearchArgs) -> Result<()> {
    if args.rebuild {
        let count = profile.rebuild_search_index()?;
        if args.query.is_none() {
            if args.json {
                return print_json(&json!({ "rebuilt": true, "households": count }));
            }
            println!("Rebuilt the search index: {count} households.");
            return Ok(());
        }
    }
    let text = args.query.unwrap_or_default();
    let filtered = args.kind.is_some()
        || args.household.is_some()
        || args.advisor.is_some()
        || args.from.is_some()
        || args.to.is_some();
    if text.trim().is_empty() && !filtered {
        bail!("nothing to search for: give words to find, or a filter such as --kind note");
    }
    let kind = match &args.kind {
        Some(k) => Some(k.parse::<SearchKind>()?),
        None => None,
    };
    let query = SearchQuery {
        text,
        kind,
        household: args.household,
        from: args.from.as_deref().map(|d| day_ms(d, false)).transpose()?,
        to: args.to.as_deref().map(|d| day_ms(d, true)).transpose()?,
        advisor: args.advisor,
        limit: args.limit.max(1),
    };
    let hits = profile.search(&query)?;
    if args.json {
        return print_json(&hits.iter().map(hit_json).collect::<Vec<_>>());
    }
    if hits.is_empty() {
        println!("No matches.");
        return Ok(());
    }
    let bold = std::io::stdout().is_terminal();
    for hit in &hits {
        let item = if hit.item_id == hit.household_id {
            String::new()
        } else {
            format!("  ({})", hit.item_id)
        };
        println!(
            "{:<11} {}  {}{item}",
            hit.kind.as_str(),
            marked(&hit.title, &hit.title_highlights, bold),
            hit.household_id,
        );
        if !hit.snippet.is_empty() {
            println!(
                "            {}",
                marked(&hit.snippet, &hit.highlights, bold).replace('\n', " ")
            );
        }
    }
    Ok(())
}
