//! Turning a household into searchable items.

use std::fmt;
use std::str::FromStr;

use hearth_core::{DocumentRef, HouseholdData};

use crate::Error;

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// The household itself: name, status, tags, address, goals, custom fields.
    Household,
    /// A person in the household.
    Member,
    /// A financial account.
    Account,
    /// A note.
    Note,
    /// An open loop.
    Task,
    /// A client fact.
    Fact,
    /// A meeting transcript (one item per meeting).
    Transcript,
    /// An attached document: its name, type and extracted text.
    Document,
}

impl Kind {
    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::Household,
        Kind::Member,
        Kind::Account,
        Kind::Note,
        Kind::Task,
        Kind::Fact,
        Kind::Transcript,
        Kind::Document,
    ];

    /// The name stored in the index and accepted by [`FromStr`].
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Household => "household",
            Kind::Member => "member",
            Kind::Account => "account",
            Kind::Note => "note",
            Kind::Task => "task",
            Kind::Fact => "fact",
            Kind::Transcript => "transcript",
            Kind::Document => "document",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::InvalidKind(s.to_string()))
    }
}

/// One searchable item, as it goes into the index.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDoc {
    /// What it is.
    pub kind: Kind,
    /// The household it belongs to.
    pub household_id: String,
    /// The item id within the household (the household id for [`Kind::Household`]).
    pub item_id: String,
    /// Short title shown in results.
    pub title: String,
    /// The searchable text.
    pub body: String,
    /// Advisor who wrote or owns it (empty when none).
    pub advisor: String,
    /// When it happened, ms since the epoch.
    pub date: i64,
}

fn push_line(body: &mut String, line: impl AsRef<str>) {
    let line = line.as_ref().trim();
    if !line.is_empty() {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(line);
    }
}

fn first_line(text: &str, max_chars: usize) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= max_chars {
        line.to_string()
    } else {
        let mut cut: String = line.chars().take(max_chars).collect();
        cut.push('…');
        cut
    }
}

/// Supplies the extracted text of an attached document (by item id and reference), when the
/// profile has it; documents whose text is unknown are indexed by name and type only.
pub type DocumentText<'a> = &'a dyn Fn(&str, &DocumentRef) -> Option<String>;

/// Every searchable item of a household, in a stable order.
pub fn household_items(h: &HouseholdData) -> Vec<ItemDoc> {
    household_items_with_text(h, &|_, _| None)
}

/// Every searchable item of a household, attached documents with their extracted text.
pub fn household_items_with_text(
    h: &HouseholdData,
    document_text: DocumentText<'_>,
) -> Vec<ItemDoc> {
    let item = |kind, item_id: &str, title: String, body: String, advisor: &str, date| ItemDoc {
        kind,
        household_id: h.id.clone(),
        item_id: item_id.to_string(),
        title,
        body,
        advisor: advisor.to_string(),
        date,
    };
    let mut items = Vec::new();

    let mut body = String::new();
    push_line(&mut body, &h.name);
    push_line(&mut body, h.status.as_str());
    if let Some(segment) = &h.segment {
        push_line(&mut body, format!("segment {segment}"));
    }
    push_line(&mut body, h.tags.join(", "));
    if let Some(a) = &h.address {
        let parts = [
            Some(a.line1.as_str()),
            a.line2.as_deref(),
            Some(a.city.as_str()),
            a.region.as_deref(),
            a.postal_code.as_deref(),
            a.country.as_deref(),
        ];
        push_line(
            &mut body,
            parts
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    for goal in h.goals.values() {
        let mut line = format!("Goal: {}", goal.title);
        if let Some(amount) = &goal.target_amount {
            line.push_str(&format!(" ({amount})"));
        }
        if let Some(date) = &goal.target_date {
            line.push_str(&format!(" by {date}"));
        }
        push_line(&mut body, line);
    }
    for (field, value) in &h.custom {
        let value = serde_json::from_str::<serde_json::Value>(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| value.clone());
        push_line(&mut body, format!("{}: {value}", field.replace('_', " ")));
    }
    items.push(item(
        Kind::Household,
        &h.id,
        h.name.clone(),
        body,
        "",
        h.created_at,
    ));

    for (id, m) in &h.members {
        let mut body = String::new();
        push_line(&mut body, &m.name);
        push_line(&mut body, m.role.as_str());
        if let Some(year) = m.birth_year {
            push_line(&mut body, format!("born {year}"));
        }
        if let Some(email) = &m.contact.email {
            push_line(&mut body, email);
        }
        if let Some(phone) = &m.contact.phone {
            push_line(&mut body, phone);
        }
        items.push(item(
            Kind::Member,
            id,
            m.name.clone(),
            body,
            "",
            h.created_at,
        ));
    }

    for (id, a) in &h.accounts {
        let title = match &a.custodian {
            Some(c) => format!("{} at {c}", a.kind),
            None => a.kind.clone(),
        };
        let mut body = title.clone();
        if let Some(r) = &a.registration {
            push_line(&mut body, r);
        }
        items.push(item(Kind::Account, id, title, body, "", h.created_at));
    }

    for (id, n) in &h.notes {
        let text = n.body.as_str();
        let title = first_line(text, 80);
        let title = if title.is_empty() {
            n.category.as_str().replace('_', " ")
        } else {
            title
        };
        items.push(item(
            Kind::Note,
            id,
            title,
            text.to_string(),
            &n.author,
            n.created_at,
        ));
    }

    for (id, t) in &h.tasks {
        let mut body = t.title.clone();
        push_line(&mut body, t.status.as_str());
        if let Some(due) = &t.due {
            push_line(&mut body, format!("due {due}"));
        }
        items.push(item(
            Kind::Task,
            id,
            t.title.clone(),
            body,
            &t.owner,
            t.created_at,
        ));
    }

    for (id, f) in &h.facts {
        let key = f.key.replace('_', " ");
        let date = f
            .source
            .strip_prefix("meeting:")
            .and_then(|m| h.meetings.get(m))
            .map_or(h.created_at, |m| m.started_at);
        items.push(item(
            Kind::Fact,
            id,
            key.clone(),
            format!("{key}: {}", f.value),
            "",
            date,
        ));
    }

    for (id, m) in &h.meetings {
        if m.transcript.is_empty() {
            continue;
        }
        let mut body = String::new();
        for seg in &m.transcript {
            match &seg.speaker {
                Some(s) => push_line(&mut body, format!("{s}: {}", seg.text)),
                None => push_line(&mut body, &seg.text),
            }
        }
        let advisor = m.consent.as_ref().map_or("", |c| c.recorded_by.as_str());
        items.push(item(
            Kind::Transcript,
            id,
            m.title.clone(),
            body,
            advisor,
            m.started_at,
        ));
    }

    for (id, d) in &h.documents {
        let mut body = format!("{}\n{}", d.name, d.media_type);
        if let Some(text) = document_text(id, d) {
            push_line(&mut body, text);
        }
        items.push(item(
            Kind::Document,
            id,
            d.name.clone(),
            body,
            "",
            d.added_at,
        ));
    }

    items
}
