//! The follow-up e-mail draft. Hearth never sends it; there is no sending code anywhere in
//! this crate.

use chrono::NaiveDate;
use hearth_core::NoteCategory;

use crate::model::{
    ActionItem, ComplianceFlag, FollowUpDraft, MeetingContext, Owner, SuggestedNote, Tone,
};

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// A household member, as the greeting rule needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Full name, as in the household record.
    pub name: String,
    /// Date of birth, when known.
    pub birth_date: Option<NaiveDate>,
    /// Year of birth, when only that is known.
    pub birth_year: Option<i32>,
}

impl Member {
    /// Whether they are 18 or over on `day`. Unknown age counts as adult; a birth year alone
    /// counts as adult only when 18 is certain (a year of 18 could still be 17).
    fn adult_on(&self, day: NaiveDate) -> bool {
        if let Some(born) = self.birth_date {
            return day.years_since(born).is_some_and(|years| years >= 18);
        }
        match self.birth_year {
            Some(year) => chrono::Datelike::year(&day) - year > 18,
            None => true,
        }
    }
}

/// Who the follow-up greets (full names, for [`MeetingContext::client_names`]): the meeting's
/// consented participants who are members of the household and 18 or over on the meeting
/// day, in the participants' order. Never someone who was not there, a minor, or a guest who
/// is not in the household (a CPA, an attorney); with nobody left the draft falls back to a
/// neutral greeting.
pub fn greeting_names(members: &[Member], participants: &[String], day: NaiveDate) -> Vec<String> {
    let same = |a: &str, b: &str| {
        a.split_whitespace()
            .map(str::to_lowercase)
            .eq(b.split_whitespace().map(str::to_lowercase))
    };
    let mut out: Vec<String> = Vec::new();
    for m in participants
        .iter()
        .filter_map(|p| members.iter().find(|m| same(&m.name, p)))
        .filter(|m| m.adult_on(day))
    {
        if !out.contains(&m.name) {
            out.push(m.name.clone());
        }
    }
    out
}

fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "Hi Ada and Ben," — or `neutral` when nobody is to be greeted by name (never "Hi ,").
fn greet(salutation: &str, names: &[&str], end: &str, neutral: &str) -> String {
    let names: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !n.trim().is_empty())
        .collect();
    if names.is_empty() {
        neutral.to_string()
    } else {
        format!("{salutation} {}{end}", join_names(&names))
    }
}

fn long_date(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

fn short_date(d: NaiveDate) -> String {
    d.format("%a %b %-d").to_string()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn item_line(item: &ActionItem) -> String {
    // Drop the "(re: ...)" context the reviewer sees; the client doesn't need it.
    let what = item.what.split(" (re: ").next().unwrap_or(&item.what);
    match item.due {
        Some(d) => format!("- {} (by {})", capitalize(what), short_date(d)),
        None => format!("- {}", capitalize(what)),
    }
}

/// Drafts the follow-up e-mail from the decisions note and the action items, in the
/// meeting's tone. Flagged statements never make it into the draft.
pub fn draft_email(
    ctx: &MeetingContext,
    notes: &[SuggestedNote],
    items: &[ActionItem],
    flags: &[ComplianceFlag],
) -> FollowUpDraft {
    let greeted = ctx.greeted.as_ref().unwrap_or(&ctx.client_names);
    let firsts: Vec<&str> = greeted.iter().map(|n| first_name(n)).collect();
    let fulls: Vec<&str> = greeted.iter().map(|n| n.as_str()).collect();
    let date = long_date(ctx.meeting_date);
    let (subject, greeting, opening, closing) = match ctx.tone {
        Tone::ProfessionalWarm => (
            format!("Follow-up from our meeting on {date}"),
            greet("Hi", &firsts, ",", "Hello,"),
            "Thank you for taking the time to meet with me today. Here is a short summary of what we discussed and the next steps.".to_string(),
            "As always, please reach out if anything here doesn't match your understanding or if questions come up.\n\nWarm regards,".to_string(),
        ),
        Tone::Formal => (
            format!("Summary of our meeting on {date}"),
            greet("Dear", &fulls, ",", "Good afternoon,"),
            format!("Thank you for meeting with me on {date}. Please find below a summary of the decisions reached and the agreed next steps."),
            "Should any of the above not reflect your understanding, please let me know at your earliest convenience.\n\nSincerely,".to_string(),
        ),
        Tone::Conversational => (
            "Quick recap from today".to_string(),
            greet("Hi", &firsts, "!", "Hi there!"),
            "Great catching up today. Here's a quick recap so nothing falls through the cracks.".to_string(),
            "Shout if I missed anything!\n\nThanks,".to_string(),
        ),
    };

    let mut body = format!("{greeting}\n\n{opening}\n");
    let flagged = |spans: &[crate::model::Span]| {
        spans
            .iter()
            .any(|s| flags.iter().any(|f| !f.kind.is_pii() && f.span.overlaps(s)))
    };
    let decisions: Vec<String> = notes
        .iter()
        .filter(|n| n.category == NoteCategory::Decisions && !flagged(&n.spans))
        .flat_map(|n| n.text.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    if !decisions.is_empty() {
        let heading = match ctx.tone {
            Tone::Formal => "Decisions",
            Tone::ProfessionalWarm => "What we decided",
            Tone::Conversational => "What we landed on",
        };
        body.push_str(&format!("\n{heading}:\n{}\n", decisions.join("\n")));
    }
    let ours: Vec<String> = items
        .iter()
        .filter(|i| {
            i.owner == Owner::Advisor
                && !flags
                    .iter()
                    .any(|f| !f.kind.is_pii() && f.span.overlaps(&i.span))
        })
        .map(item_line)
        .collect();
    let yours: Vec<String> = items
        .iter()
        .filter(|i| i.owner == Owner::Client)
        .map(item_line)
        .collect();
    if !ours.is_empty() {
        let heading = match ctx.tone {
            Tone::Formal => format!("Next steps for {}", ctx.advisor_name),
            _ => "Next steps on my side".to_string(),
        };
        body.push_str(&format!("\n{heading}:\n{}\n", ours.join("\n")));
    }
    if !yours.is_empty() {
        let heading = match ctx.tone {
            Tone::Formal => "Next steps for you".to_string(),
            _ => "Next steps for you".to_string(),
        };
        body.push_str(&format!("\n{heading}:\n{}\n", yours.join("\n")));
    }
    if decisions.is_empty() && ours.is_empty() && yours.is_empty() {
        body.push_str("\nNo specific next steps came out of this meeting.\n");
    }
    body.push_str(&format!("\n{closing}\n{}\n", ctx.advisor_name));
    FollowUpDraft {
        subject,
        body,
        tone: ctx.tone,
    }
}
