//! Human-readable output. `--json` output is the serde form of the same values.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use hearth_core::{HistoryEntry, HouseholdData};
use hearth_profile::{HouseholdSummary, ProfileInfo};
use rust_decimal::Decimal;

fn when_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| ms.to_string())
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
    for r in rows {
        println!(
            "{}  {:<32}  {:<9} {}",
            r.id,
            r.name,
            r.status,
            r.segment.as_deref().unwrap_or("")
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
        let born = m
            .birth_year
            .map(|y| format!(", born {y}"))
            .unwrap_or_default();
        println!("  {id}  {} ({}{born})", m.name, m.role);
    }
    section("Accounts", h.accounts.len());
    let mut total = Decimal::ZERO;
    for (id, a) in &h.accounts {
        let aum = a.aum.as_deref().and_then(|v| Decimal::from_str(v).ok());
        total += aum.unwrap_or_default();
        println!(
            "  {id}  {}  {}  AUM {}",
            a.kind,
            a.custodian.as_deref().unwrap_or("-"),
            a.aum.as_deref().unwrap_or("-")
        );
    }
    if !h.accounts.is_empty() {
        println!("  total AUM {total}");
    }
    section("Goals", h.goals.len());
    for (id, g) in &h.goals {
        println!(
            "  {id}  {}  {}",
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
    for (id, f) in &h.facts {
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
        let when = DateTime::<Utc>::from_timestamp(e.time, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| e.time.to_string());
        let who = match (&e.advisor, &e.device) {
            (Some(a), Some(d)) => format!("{a} ({d})"),
            _ => format!("actor {}", &e.actor[..e.actor.len().min(12)]),
        };
        println!("{when}  {who:<32}  {}", e.summary);
    }
}
