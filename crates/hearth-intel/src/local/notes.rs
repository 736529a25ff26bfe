//! Suggested notes: one per category that has something to say.
//!
//! * discussion: the topics mentioned (dictionary), each citing its first mention;
//! * decisions: sentences with decision language ("the decision is", "let's go ahead");
//! * client_updates: the family, life-event, health and risk-tolerance facts;
//! * planning: advisor recommendations ("my recommendation is", "I'd suggest");
//! * compliance: one line per flag.
//!
//! Sentences that carry a conduct flag are kept out of decisions and planning (they appear
//! under compliance instead).

use std::sync::LazyLock;

use hearth_core::NoteCategory;
use regex::Regex;

use super::{Role, Sentence, re};
use crate::model::{ActionItem, ComplianceFlag, Fact, FactKind, Span, SuggestedNote};

const TOPICS: &[(&str, &str)] = &[
    (
        "Roth conversion",
        r"\broth conversions?\b|\bconvert\w*\b.{0,30}\broth\b|\bconvert \d",
    ),
    (
        "Required minimum distributions",
        r"\brequired minimum distribution|\brmds?\b",
    ),
    ("529 college savings", r"\b529\b|\bcollege savings\b"),
    (
        "Rollover",
        r"\brollover\b|\broll (?:it |that |this )?(?:over|into)\b",
    ),
    ("Beneficiary designations", r"\bbeneficiar"),
    (
        "Life insurance",
        r"\blife insurance\b|\bterm (?:life )?policy\b",
    ),
    ("Long-term care", r"\blong[- ]term care\b|\bltc\b"),
    ("Disability insurance", r"\bdisability\b"),
    ("Social Security timing", r"\bsocial security\b"),
    ("Estate planning", r"\bestate\b|\bwills?\b|\btrust\b"),
    ("Taxes", r"\btax(?:es)?\b|\bcpa\b"),
    (
        "Retirement income",
        r"\bretirement income\b|\bincome plan\b|\bretir\w+",
    ),
    ("Risk tolerance", r"\brisk\b"),
    ("Emergency fund", r"\bemergency fund\b"),
    ("Charitable giving", r"\bcharit\w+|\bqcd\b|\bdonat\w+"),
    (
        "Equity compensation",
        r"\bisos?\b|\brsus?\b|\bstock options\b|\bequity comp",
    ),
    (
        "Employer retirement plans",
        r"\b401\(?k\)?|\b403\(?b\)?|\bsep ira\b|\bsep\b",
    ),
    ("Fees", r"\bfees?\b"),
    ("Performance", r"\bperformance\b|\breturns?\b|\bbenchmark\b"),
    ("Cash transfers", r"\btransfer\b|\bwire\b"),
    (
        "Asset allocation",
        r"\ballocation\b|\brebalanc\w+|\bstocks and bonds\b",
    ),
];

static TOPIC_RES: LazyLock<Vec<(&'static str, Regex)>> =
    LazyLock::new(|| TOPICS.iter().map(|(n, p)| (*n, re(p))).collect());
static DECISION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:the decision is|we decided|we've decided|we have decided|let's go ahead|let's do it|let's go with|we'll go with|we're going to go with|let's start with|let's plan|let's target|we agreed|we've agreed|agreed, we|the plan is|we'll move you|we'll fund|we'll convert)\b",
    )
});
static RECOMMENDATION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:my recommendation|my suggestion|i'd recommend|i recommend|i'd suggest|i suggest|i think a .{0,30} makes sense|it makes sense to|we should|i'd keep|what i'd recommend)\b",
    )
});

fn overlaps_flag(span: &Span, flags: &[ComplianceFlag]) -> bool {
    flags
        .iter()
        .any(|f| !f.kind.is_pii() && f.span.overlaps(span))
}

/// Builds the suggested notes.
pub(crate) fn build(
    sents: &[Sentence<'_>],
    _items: &[ActionItem],
    facts: &[Fact],
    flags: &[ComplianceFlag],
) -> Vec<SuggestedNote> {
    let mut notes = Vec::new();

    // Discussion: topics in order of first mention.
    let mut topics: Vec<(&str, Span)> = Vec::new();
    for s in sents {
        for (name, pattern) in TOPIC_RES.iter() {
            if topics.iter().any(|(n, _)| n == name) {
                continue;
            }
            if pattern.is_match(&s.lower) {
                topics.push((name, s.span()));
            }
        }
    }
    if !topics.is_empty() {
        let names: Vec<&str> = topics.iter().map(|(n, _)| *n).collect();
        notes.push(SuggestedNote {
            category: NoteCategory::Discussion,
            text: format!("Topics discussed: {}.", names.join(", ")),
            spans: topics.iter().map(|(_, s)| *s).collect(),
        });
    }

    fn push_lines(
        notes: &mut Vec<SuggestedNote>,
        category: NoteCategory,
        picked: Vec<&Sentence<'_>>,
    ) {
        if picked.is_empty() {
            return;
        }
        let text = picked
            .iter()
            .map(|s| format!("- {}", s.text.trim()))
            .collect::<Vec<_>>()
            .join("\n");
        notes.push(SuggestedNote {
            category,
            text,
            spans: picked.iter().map(|s| s.span()).collect(),
        });
    }
    let decisions: Vec<&Sentence<'_>> = sents
        .iter()
        .filter(|s| s.role != Role::Client || s.lower.contains("we decided"))
        .filter(|s| DECISION.is_match(&s.lower) && !overlaps_flag(&s.span(), flags))
        .collect();
    push_lines(&mut notes, NoteCategory::Decisions, decisions);

    let updates: Vec<&Fact> = facts
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FactKind::FamilyChange
                    | FactKind::LifeEvent
                    | FactKind::Health
                    | FactKind::RiskTolerance
                    | FactKind::Goal
            )
        })
        .collect();
    if !updates.is_empty() {
        let text = updates
            .iter()
            .map(|f| match f.kind {
                FactKind::RiskTolerance => format!("- Risk tolerance: {}", f.value),
                FactKind::Goal => format!("- Goal: {}", f.value),
                _ => format!("- {}", f.value),
            })
            .collect::<Vec<_>>()
            .join("\n");
        notes.push(SuggestedNote {
            category: NoteCategory::ClientUpdates,
            text,
            spans: updates.iter().map(|f| f.span).collect(),
        });
    }

    let planning: Vec<&Sentence<'_>> = sents
        .iter()
        .filter(|s| s.role != Role::Client)
        .filter(|s| RECOMMENDATION.is_match(&s.lower) && !overlaps_flag(&s.span(), flags))
        .collect();
    push_lines(&mut notes, NoteCategory::Planning, planning);

    if !flags.is_empty() {
        let text = flags
            .iter()
            .map(|f| {
                let what = match f.kind {
                    crate::model::FlagKind::Guarantee => "Possible guarantee of outcome",
                    crate::model::FlagKind::PerformanceClaim => "Performance claim",
                    crate::model::FlagKind::Unsuitable => "Possibly unsuitable recommendation",
                    crate::model::FlagKind::Complaint => "Client complaint",
                    crate::model::FlagKind::PiiSsn => "Social Security number spoken (masked)",
                    crate::model::FlagKind::PiiAccount => "Account number spoken (masked)",
                    crate::model::FlagKind::PiiCard => "Card number spoken (masked)",
                };
                format!("- {what} [{}]: \"{}\"", f.rule_id, f.excerpt)
            })
            .collect::<Vec<_>>()
            .join("\n");
        notes.push(SuggestedNote {
            category: NoteCategory::Compliance,
            text,
            spans: flags.iter().map(|f| f.span).collect(),
        });
    }
    notes
}
