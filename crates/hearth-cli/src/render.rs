//! Human-readable output. `--json` output is the serde form of the same values.

use std::str::FromStr;

use chrono::{DateTime, Local, NaiveDate};
use hearth_core::money::format_amount;
use hearth_core::{FieldConflict, HistoryEntry, HouseholdData};
use hearth_profile::{Brief, HouseholdAlert, HouseholdSummary, ProfileInfo, Today};
use rust_decimal::Decimal;

/// A time as the advisor reads it: local, to the minute.
fn when_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| ms.to_string())
}

fn date_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&Local).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub fn info(info: &ProfileInfo) {
    println!("Profile   {}", info.profile_id);
    println!("Advisor   {}", info.advisor);
    println!("Device    {}", info.device);
    println!("Key       {}", info.key_source);
    println!("Schema    v{}", info.schema_version);
    println!("Households {}", info.households);
}

pub fn household_list(rows: &[HouseholdSummary]) {
    if rows.is_empty() {
        println!("No households yet. Create one with `hearth household create --name NAME`.");
        return;
    }
    println!(
        "{:<27}  {:<30}  {:<13} {:>16}  {:<10}  {:<11}  {:>5}",
        "ID", "NAME", "STATUS", "AUM", "LAST SEEN", "NEXT REVIEW", "LOOPS"
    );
    for r in rows {
        let mut name = r.name.clone();
        if r.archived {
            name.push_str(" (archived)");
        }
        if r.conflicts > 0 {
            name.push_str(" ⚠");
        }
        println!(
            "{:<27}  {:<30}  {:<13} {:>16}  {:<10}  {:<11}  {:>5}",
            r.id,
            name,
            r.status.replace('_', " "),
            r.aum_total
                .as_deref()
                .map(format_amount)
                .unwrap_or_default(),
            r.last_contact.map(date_ms).unwrap_or_else(|| "-".into()),
            r.next_review.as_deref().unwrap_or("-"),
            r.open_loops
        );
    }
}

/// Fields two advisors set at the same time, and how to settle each.
pub fn conflicts(conflicts: &[FieldConflict], me: &str) {
    if conflicts.is_empty() {
        return;
    }
    section("Set at the same time — pick one", conflicts.len());
    for c in conflicts {
        println!("  {}", c.describe(me));
        println!(
            "      hearth household resolve ID {} --keep '{}'",
            c.path.join("."),
            c.values.first().map(|v| v.value.as_str()).unwrap_or("")
        );
    }
}

pub fn household(h: &HouseholdData) {
    println!("{}  ({})", h.name, h.status);
    println!("id {}", h.id);
    if let Some(segment) = &h.segment {
        println!("segment {segment}");
    }
    if !h.tags.is_empty() {
        println!("tags {}", h.tags.join(", "));
    }
    if let Some(a) = &h.address {
        println!("address {}, {}", a.line1, a.city);
    }
    section("Members", h.members.len());
    for (id, m) in &h.members {
        let born = match (&m.birth_date, m.birth_year) {
            (Some(date), _) => format!(", born {date}"),
            (None, Some(y)) => format!(", born {y}"),
            _ => String::new(),
        };
        println!("  {id}  {} ({}{born})", m.name, m.role);
    }
    section("Accounts", h.accounts.len());
    let mut total = Decimal::ZERO;
    for (id, a) in &h.accounts {
        let aum = a.aum.as_deref().and_then(|v| Decimal::from_str(v).ok());
        if a.closed_on.is_none() {
            total += aum.unwrap_or_default();
        }
        let as_of = a
            .aum_as_of
            .as_deref()
            .map(|d| format!(" as of {d}"))
            .unwrap_or_default();
        let closed = a
            .closed_on
            .as_deref()
            .map(|d| format!("  (closed {d})"))
            .unwrap_or_default();
        println!(
            "  {id}  {}  {}  AUM {}{as_of}{closed}",
            a.kind,
            a.custodian.as_deref().unwrap_or("-"),
            a.aum
                .as_deref()
                .map(format_amount)
                .unwrap_or_else(|| "-".into())
        );
    }
    if !h.accounts.is_empty() {
        println!("  total AUM {}", format_amount(&total.to_string()));
    }
    section("Goals", h.goals.len());
    for (id, g) in &h.goals {
        let amounts = match (&g.funded_amount, &g.target_amount) {
            (Some(f), Some(t)) => format!("  {} of {}", format_amount(f), format_amount(t)),
            (None, Some(t)) => format!("  target {}", format_amount(t)),
            _ => String::new(),
        };
        println!(
            "  {id}  {}{amounts}  {}",
            g.title,
            g.target_date.as_deref().unwrap_or("")
        );
    }
    section("Notes", h.notes.len());
    let mut notes: Vec<_> = h.notes.iter().collect();
    notes.sort_by_key(|(_, n)| n.created_at);
    for (id, n) in notes {
        println!(
            "  {id}  [{}] {} — {}",
            n.category,
            when_ms(n.created_at),
            n.author
        );
        for line in n.body.as_str().lines() {
            println!("      {line}");
        }
    }
    section("Open loops", h.tasks.len());
    let mut tasks: Vec<_> = h.tasks.iter().collect();
    tasks.sort_by_key(|(_, t)| (t.due.clone().unwrap_or_else(|| "9999".into()), t.created_at));
    for (id, t) in tasks {
        println!(
            "  {id}  [{}] {}  due {}  ({})",
            t.status,
            t.title,
            t.due.as_deref().unwrap_or("-"),
            t.owner
        );
    }
    section("Facts", h.facts.len());
    for (id, f) in h.facts.iter().filter(|(_, f)| f.retired_at.is_none()) {
        println!(
            "  {id}  {} = {}  ({}, {:.0}%)",
            f.key,
            f.value,
            f.source,
            f.confidence * 100.0
        );
    }
    section("Documents", h.documents.len());
    for (id, d) in &h.documents {
        println!("  {id}  {} ({} bytes)", d.name, d.size);
    }
    section("Meetings", h.meetings.len());
    for (id, m) in &h.meetings {
        println!("  {id}  {} {}", when_ms(m.started_at), m.title);
        match &m.consent {
            Some(c) => println!(
                "      consent: {} ({}, {}, disclosure v{})",
                c.consented_by.join(", "),
                when_ms(c.recorded_at),
                c.method,
                c.disclosure_version
            ),
            None => println!("      consent: none recorded"),
        }
    }
    if let Some(t) = &h.template {
        section("Custom fields", h.custom.len());
        println!("  template {}", t.name);
        for (k, v) in &h.custom {
            println!("  {k} = {v}");
        }
    }
}

fn section(title: &str, count: usize) {
    if count > 0 {
        println!("\n{title} ({count})");
    }
}

pub fn history(entries: &[HistoryEntry]) {
    for e in entries {
        let when = DateTime::from_timestamp(e.time, 0)
            .map(|t| {
                t.with_timezone(&Local)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|| e.time.to_string());
        let who = match (&e.advisor, &e.device) {
            (Some(a), Some(d)) => format!("{a} ({d})"),
            _ => format!("actor {}", &e.actor[..e.actor.len().min(12)]),
        };
        println!("{when}  {who:<32}  {}", e.summary);
    }
}

/// Today, grouped.
pub fn today(t: &Today) {
    println!("Today, {} — {}", t.date.format("%A %Y-%m-%d"), t.advisor);
    if t.groups.is_empty() {
        println!("\nNo open loops.");
    }
    for g in &t.groups {
        println!("\n{} ({})", g.label, g.loops.len());
        for l in &g.loops {
            let due = match (l.due, l.days_overdue) {
                (Some(d), Some(n)) => {
                    format!("due {d}, {n} day{} late", if n == 1 { "" } else { "s" })
                }
                (Some(d), None) => format!("due {d}"),
                (None, _) => "no due date".to_string(),
            };
            let whose = if l.mine {
                String::new()
            } else {
                format!("  [{}]", l.owner)
            };
            println!(
                "  {}  {} — {}  ({due}){whose}",
                l.task_id, l.title, l.household
            );
            println!("      household {}", l.household_id);
        }
    }
    if t.later_more > 0 {
        println!("  … and {} more later", t.later_more);
    }
    if t.snoozed > 0 {
        println!("\n{} snoozed", t.snoozed);
    }
    if !t.alerts.is_empty() {
        println!("\nDates that matter, next 90 days ({})", t.alerts.len());
        for a in &t.alerts {
            let soon = if a.soon { "*" } else { " " };
            println!(
                "  {soon} {}  {} — {}",
                a.alert.date, a.alert.title, a.household
            );
        }
    }
    if !t.upcoming.is_empty() {
        println!("\nUpcoming reviews and meetings ({})", t.upcoming.len());
        for u in &t.upcoming {
            let when = u
                .starts_at
                .map(when_ms)
                .unwrap_or_else(|| u.date.to_string());
            println!(
                "  {when}  {} — {}   (hearth brief {})",
                u.title, u.household, u.household_id
            );
        }
    }
    if !t.since_you_last_looked.is_empty() {
        println!(
            "\nSince you last looked ({})",
            t.since_you_last_looked.len()
        );
        for a in &t.since_you_last_looked {
            println!(
                "  {}  {} — {}: {}",
                when_ms(a.time),
                a.advisor.as_deref().unwrap_or("Someone"),
                a.household,
                a.summary
            );
        }
    }
}

/// Date alerts, one per line.
pub fn alerts(found: &[HouseholdAlert], from: NaiveDate, days: i64) {
    if found.is_empty() {
        println!("No dates in the {days} days from {from}.");
        return;
    }
    for a in found {
        let until = a.alert.ends.map(|e| format!(" – {e}")).unwrap_or_default();
        println!(
            "{}{until}  {} — {}",
            a.alert.date, a.alert.title, a.household
        );
        println!("      {}", a.alert.rule);
    }
}

/// The pre-meeting brief as a page of text.
pub fn brief(b: &Brief) {
    println!("{} — brief for {}", b.name, b.date);
    println!(
        "{}{}",
        b.status.replace('_', " "),
        b.segment
            .as_deref()
            .map(|s| format!(", segment {s}"))
            .unwrap_or_default()
    );
    if !b.agenda.is_empty() {
        println!("\nSuggested agenda");
        for (n, point) in b.agenda.iter().enumerate() {
            println!("  {}. {point}", n + 1);
        }
    }
    section("Members", b.members.len());
    for m in &b.members {
        let age = match (m.age, m.age_from_year_only) {
            (Some(a), false) => format!(", {a}"),
            (Some(a), true) => format!(", about {a}"),
            (None, _) => String::new(),
        };
        println!("  {} ({}{age})", m.name, m.role);
        for a in &m.milestones {
            println!("      {}  {}", a.date, a.title);
        }
    }
    section("Accounts", b.accounts.len());
    for a in &b.accounts {
        let change = a
            .change_since_last_meeting
            .as_ref()
            .map(|c| {
                format!(
                    "  ({}{} since {}{})",
                    if c.delta.starts_with('-') { "" } else { "+" },
                    format_amount(&c.delta),
                    c.from_as_of,
                    c.percent
                        .as_deref()
                        .map(|p| format!(", {p}%"))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default();
        println!(
            "  {}  {}  {}{change}",
            a.kind,
            a.owner.as_deref().unwrap_or(""),
            a.aum
                .as_deref()
                .map(format_amount)
                .unwrap_or_else(|| "-".into())
        );
    }
    if let Some(total) = &b.aum_total {
        println!("  total {}", format_amount(total));
    }
    section("Goals", b.goals.len());
    for g in &b.goals {
        let progress = g
            .progress_percent
            .as_deref()
            .map(|p| format!("  {p}% funded"))
            .unwrap_or_default();
        let behind = if g.behind_pace {
            "  — behind pace"
        } else {
            ""
        };
        println!("  {}{progress}{behind}", g.title);
    }
    for a in &b.household_alerts {
        println!("  ! {}", a.title);
    }
    if let Some(m) = &b.last_meeting {
        println!("\nLast meeting: {} ({})", m.title, date_ms(m.started_at));
        for d in &m.decisions {
            println!("  decided: {d}");
        }
        for i in &m.action_items {
            let due = i
                .due
                .as_deref()
                .map(|d| format!(", due {d}"))
                .unwrap_or_default();
            println!("  [{}] {} ({}{due})", i.status, i.what, i.side);
        }
    }
    section("Open loops", b.open_loops.len());
    for l in &b.open_loops {
        let late = if l.overdue { " OVERDUE" } else { "" };
        println!(
            "  {}  due {}{late}  ({})",
            l.title,
            l.due.as_deref().unwrap_or("-"),
            l.owner
        );
    }
    section("Client facts", b.facts.len());
    for f in &b.facts {
        println!("  {} = {}  ({})", f.key, f.value, f.source);
    }
    println!("\nCompliance");
    match &b.compliance.last_adv_delivery {
        Some((date, _)) => println!("  last Form ADV delivery noted {date}"),
        None => println!("  no Form ADV delivery noted"),
    }
    for f in &b.compliance.flags {
        println!(
            "  {} — {}: \"{}\"",
            date_ms(f.started_at),
            f.kind,
            f.excerpt
        );
    }
}
