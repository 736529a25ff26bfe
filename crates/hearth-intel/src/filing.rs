//! Review, then file: pure conversions from reviewed suggestions into `hearth-core` records.
//! Nothing here touches a document; the caller applies the results through
//! `hearth_core::Household` edits.

use hearth_core::{ClientFact, NoteCategory, Task, TaskStatus};

use crate::IntelError;
use crate::model::{ActionItem, Analysis, Fact, MeetingContext, Owner, SuggestedNote};
use crate::redact::redact_text;

/// What the advisor accepted in review. Indices refer to the [`Analysis`] lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    /// Indices of accepted action items.
    pub accepted_action_items: Vec<usize>,
    /// Indices of accepted facts.
    pub accepted_facts: Vec<usize>,
    /// The notes as the advisor certified them (possibly edited), or `None` if the notes
    /// have not been certified yet (then no note is filed).
    pub certified_notes: Option<Vec<SuggestedNote>>,
}

/// Everything to file for one meeting after review.
#[derive(Debug, Clone, PartialEq)]
pub struct FilingPlan {
    /// Tasks to add.
    pub tasks: Vec<Task>,
    /// Client facts to add (accepted, with provenance).
    pub facts: Vec<ClientFact>,
    /// Notes to add, by category (text redacted again in case an edit pasted a number).
    pub notes: Vec<(NoteCategory, String)>,
}

/// The `source` string for facts and the `source_meeting` for tasks.
pub fn meeting_source(meeting_id: &str) -> String {
    format!("meeting:{meeting_id}")
}

/// Turns an accepted action item into a task. The task owner is always an advisor (the
/// person who tracks the loop): client-owned items become "Client: ..." tasks owned by the
/// meeting's advisor. Due dates are `YYYY-MM-DD`.
pub fn task_from_action_item(
    item: &ActionItem,
    ctx: &MeetingContext,
    meeting_id: &str,
    created_at_ms: i64,
) -> Task {
    let what = item
        .what
        .split(" (re: ")
        .next()
        .unwrap_or(&item.what)
        .trim();
    let title = match item.owner {
        Owner::Advisor => capitalize(what),
        Owner::Client => {
            let who = if ctx.client_names.is_empty() {
                "Client".to_string()
            } else {
                ctx.client_names.join(" & ")
            };
            format!("{who}: {what}")
        }
    };
    Task {
        title: redact_text(&title),
        owner: ctx.advisor_name.clone(),
        due: item.due.map(|d| d.format("%Y-%m-%d").to_string()),
        status: TaskStatus::Open,
        source_meeting: Some(meeting_id.to_string()),
        created_at: created_at_ms,
        snoozed_until: None,
        closed_at: None,
        source_item: None,
    }
}

/// Turns an accepted fact into a client fact with provenance (`source = "meeting:<id>"`).
pub fn client_fact_from_fact(fact: &Fact, meeting_id: &str) -> ClientFact {
    ClientFact {
        key: fact.key.clone(),
        value: redact_text(&fact.value),
        source: meeting_source(meeting_id),
        confidence: fact.confidence.clamp(0.0, 1.0),
        accepted: true,
        recorded_at: None,
        retired_at: None,
    }
}

/// Turns certified notes into `(category, text)` pairs, skipping empty ones.
pub fn notes_for_filing(certified: &[SuggestedNote]) -> Vec<(NoteCategory, String)> {
    certified
        .iter()
        .map(|n| (n.category, redact_text(n.text.trim())))
        .filter(|(_, t)| !t.is_empty())
        .collect()
}

/// Applies a review to an analysis. Fails if an index is out of range.
pub fn plan_filing(
    analysis: &Analysis,
    review: &Review,
    ctx: &MeetingContext,
    meeting_id: &str,
    created_at_ms: i64,
) -> Result<FilingPlan, IntelError> {
    let mut tasks = Vec::new();
    for &i in &review.accepted_action_items {
        let item = analysis
            .action_items
            .get(i)
            .ok_or(IntelError::InvalidReview {
                what: "action item",
                index: i,
            })?;
        let mut task = task_from_action_item(item, ctx, meeting_id, created_at_ms);
        task.source_item = Some(format!("action:{i}"));
        tasks.push(task);
    }
    let mut facts = Vec::new();
    for &i in &review.accepted_facts {
        let fact = analysis.facts.get(i).ok_or(IntelError::InvalidReview {
            what: "fact",
            index: i,
        })?;
        facts.push(client_fact_from_fact(fact, meeting_id));
    }
    let notes = review
        .certified_notes
        .as_deref()
        .map(notes_for_filing)
        .unwrap_or_default();
    Ok(FilingPlan {
        tasks,
        facts,
        notes,
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
