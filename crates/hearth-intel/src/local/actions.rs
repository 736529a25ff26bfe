//! Action items: a trigger (first-person commitment, a request to the other party, "let's"
//! with a date), an action verb, the clause it governs, and a due phrase in that clause.
//!
//! Owner: a commitment belongs to the speaker's side; a request ("can you", "you'll need
//! to", "I'll need your") belongs to the other side; an unknown speaker is treated as the
//! advisor. Short acknowledgements that only point back ("I'll send that over tomorrow",
//! "I can do that", "Try to do that by next Friday") update the most recent item of the same
//! owner in the last two segments instead of creating a new one. A sentence that is little
//! more than a due phrase ("Ideally in the next two weeks.") dates the previous undated item
//! in the same segment. Near-duplicates (same owner, compatible due, mostly the same words,
//! as in a recap) are merged.

use std::sync::LazyLock;

use regex::Regex;

use super::{Role, Sentence, content_words, re, to_original};
use crate::dates::{find_due_phrase, resolve_due};
use crate::model::{ActionItem, MeetingContext, Owner, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// "I'll", "we'll", "let me", "I'm going to", "I can".
    Commit,
    /// "I'm" + verb-ing ("I'm sending").
    Progressive,
    /// "can you", "you'll need to", "please".
    Request,
    /// "I'll need your ..." (the other side provides it).
    NeedYour,
    /// "let's" (only with a due phrase).
    LetUs,
    /// "… and you'll sign …": the second half of a coordinated commitment, the listener's.
    AssignYou,
    /// "… and she'll bring …", "… and Thomas will do …": someone of the client's household.
    AssignOther,
}

static TRIGGERS: LazyLock<Vec<(Trigger, Regex)>> = LazyLock::new(|| {
    vec![
        (Trigger::NeedYour, re(r"\bi(?:'ll| will) need your\b")),
        (
            Trigger::Commit,
            re(
                r"\b(?:i'll|i will|i'm going to|i am going to|i'm gonna|i can|let me|we'll|we will|we're going to|we are going to|my team will|my assistant will)\b",
            ),
        ),
        (Trigger::Progressive, re(r"\b(?:i'm|i am|we're|we are)\b")),
        (
            Trigger::Request,
            re(
                r"\b(?:can you(?: two| both| all)?|could you(?: two| both| all)?|would you|will you|i need you to|i'd like you to|i want you to|please|you(?: two| both| all)?(?:'ll| will) need to|you need to|you(?:'ll| will) have to|you have to|make sure you|be sure to|don't forget to|remember to|if you could|try to)\b",
            ),
        ),
        (Trigger::LetUs, re(r"\blet's\b")),
        (
            Trigger::AssignYou,
            re(
                r"(?:\b(?:and|then)\s+|[,:;]\s*)(?:then\s+)?you(?: and [a-z]+)?(?:'ll| will| can)\b",
            ),
        ),
        (
            Trigger::AssignOther,
            re(r"\b(?:and|then)\s+([a-z]+)(?:'ll| will)\b"),
        ),
    ]
});

/// Words that are not a person in "… and X will …".
const NOT_A_PERSON: &[&str] = &[
    "i",
    "we",
    "you",
    "it",
    "that",
    "this",
    "there",
    "which",
    "what",
    "who",
    "then",
    "that's",
    "things",
    "everything",
    "nothing",
    "rates",
    "markets",
    "taxes",
];

const VERBS: &[&str] = &[
    "send",
    "email",
    "e-mail",
    "mail",
    "call",
    "text",
    "phone",
    "submit",
    "file",
    "prepare",
    "draft",
    "write",
    "run",
    "model",
    "build",
    "pull",
    "get",
    "gather",
    "set",
    "open",
    "schedule",
    "book",
    "review",
    "check",
    "double",
    "confirm",
    "follow",
    "reach",
    "contact",
    "introduce",
    "escalate",
    "forward",
    "share",
    "update",
    "change",
    "sign",
    "complete",
    "fill",
    "upload",
    "bring",
    "drop",
    "talk",
    "ask",
    "request",
    "initiate",
    "start",
    "place",
    "transfer",
    "process",
    "calculate",
    "research",
    "find",
    "dig",
    "make",
    "have",
    "log",
    "move",
    "rebalance",
    "order",
    "print",
    "scan",
    "return",
    "collect",
    "compile",
    "coordinate",
    "loop",
    "do",
    "add",
    "remove",
    "give",
    "provide",
    "circle",
    "touch",
    "verify",
    "look",
    "put",
    "take",
    "arrange",
    "handle",
    "shoot",
    "get",
];

/// Verbs that only count with a particular next word.
fn verb_needs(verb: &str) -> Option<&'static [&'static str]> {
    match verb {
        "look" => Some(&["into", "at", "over", "up", "for"]),
        "take" => Some(&["care"]),
        "talk" => Some(&["to", "with"]),
        _ => None,
    }
}

const SKIP: &[&str] = &[
    "also",
    "just",
    "then",
    "still",
    "definitely",
    "absolutely",
    "personally",
    "quickly",
    "both",
    "all",
    "actually",
    "probably",
    "first",
    "right",
    "now",
    "go",
    "ahead",
    "and",
    "try",
    "to",
    "immediately",
    "gladly",
    "certainly",
    "happily",
    "two",
    "please",
];

const POINTERS: &[&str] = &["that", "it", "those", "them", "this", "these", "her", "him"];
const ACK_WORDS: &[&str] = &[
    "that", "it", "those", "them", "this", "these", "her", "him", "over", "back", "to", "you",
    "for", "me", "along", "done", "up", "right", "away", "asap", "sure", "into", "of", "care",
    "on", "out", "too", "in", "again", "us", "the", "and", "ready",
];

static CLAUSE_CUT: LazyLock<Regex> = LazyLock::new(|| {
    re(r";|\s[-\u{2014}\u{2013}]\s|\bso that\b|\bso\b|\bbecause\b|\bwhich\b|\bsince\b")
});
static CONDITIONAL: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bif\b[^,.]{0,60}$|\bnext time\b[^.]{0,20}$"));
static WH_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:what|how|where|when|why|which|who)\s+(?:\w+\s+)?$"));
static WORDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[a-z][a-z'\-]*").expect("regex"));

fn stem_ing(word: &str) -> Option<String> {
    let base = word.strip_suffix("ing")?;
    if VERBS.contains(&base) {
        return Some(base.to_string());
    }
    let with_e = format!("{base}e");
    if VERBS.contains(&with_e.as_str()) {
        return Some(with_e);
    }
    let b = base.as_bytes();
    if b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] {
        let single = &base[..base.len() - 1];
        if VERBS.contains(&single) {
            return Some(single.to_string());
        }
    }
    None
}

/// A candidate found in a sentence.
struct Candidate {
    trigger: Trigger,
    /// Offset (normalized text) where the trigger starts.
    at: usize,
    /// Offset (normalized text) where the verb starts.
    verb_at: usize,
}

fn find_verb(lower: &str, from: usize, trigger: Trigger) -> Option<(usize, String)> {
    let rest = &lower[from..];
    let mut words = WORDS.find_iter(rest).peekable();
    let mut skipped = 0;
    while let Some(w) = words.next() {
        let word = w.as_str();
        if skipped < 4 && SKIP.contains(&word) {
            skipped += 1;
            continue;
        }
        let base = match trigger {
            Trigger::Progressive => stem_ing(word)?,
            Trigger::NeedYour | Trigger::LetUs => {
                return Some((from + w.start(), word.to_string()));
            }
            _ => {
                if VERBS.contains(&word) {
                    word.to_string()
                } else {
                    return None;
                }
            }
        };
        if let Some(needs) = verb_needs(&base) {
            let next = words.peek().map(|n| n.as_str()).unwrap_or("");
            if !needs.contains(&next) {
                return None;
            }
        }
        if base == "have" && words.peek().is_some_and(|n| n.as_str() == "to") {
            return None;
        }
        if base == "put" && !rest.contains("together") {
            return None;
        }
        return Some((from + w.start(), base));
    }
    None
}

fn candidates(s: &Sentence<'_>) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = Vec::new();
    for (trigger, pattern) in TRIGGERS.iter() {
        for m in pattern.find_iter(&s.lower) {
            if found
                .iter()
                .any(|c| c.at <= m.start() && m.start() < c.verb_at)
            {
                continue;
            }
            if CONDITIONAL.is_match(&s.lower[..m.start()]) {
                continue;
            }
            if *trigger == Trigger::Request && WH_BEFORE.is_match(&s.lower[..m.start()]) {
                continue;
            }
            if *trigger == Trigger::AssignOther {
                let who = pattern
                    .captures(&s.lower[m.start()..])
                    .and_then(|c| c.get(1))
                    .map_or("", |w| w.as_str());
                if NOT_A_PERSON.contains(&who) {
                    continue;
                }
            }
            if let Some((verb_at, _verb)) = find_verb(&s.lower, m.end(), *trigger) {
                found.push(Candidate {
                    trigger: *trigger,
                    at: m.start(),
                    verb_at,
                });
            }
        }
    }
    found.sort_by_key(|c| c.at);
    found
}

fn owner_for(trigger: Trigger, role: Role) -> Owner {
    let speaker_side = match role {
        Role::Client => Owner::Client,
        Role::Advisor | Role::Unknown => Owner::Advisor,
    };
    match trigger {
        Trigger::Commit | Trigger::Progressive | Trigger::LetUs => speaker_side,
        Trigger::Request | Trigger::NeedYour | Trigger::AssignYou => match speaker_side {
            Owner::Advisor => Owner::Client,
            Owner::Client => Owner::Advisor,
        },
        // A third person in a commitment is family (the advisor's own staff commit with
        // "my assistant will", a first-person trigger).
        Trigger::AssignOther => Owner::Client,
    }
}

fn tidy(text: &str) -> String {
    let t = text
        .trim()
        .trim_end_matches([',', '.', '?', '!', ';'])
        .trim();
    let t = t.strip_suffix(" and").unwrap_or(t);
    let t = t.strip_suffix(",").unwrap_or(t);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Pending {
    item: ActionItem,
    /// Set when the item is only an acknowledgement pointing back.
    ack: bool,
}

/// Extracts action items from sentences (in transcript order).
pub(crate) fn extract(sents: &[Sentence<'_>], ctx: &MeetingContext) -> Vec<ActionItem> {
    let mut items: Vec<ActionItem> = Vec::new();
    for (idx, s) in sents.iter().enumerate() {
        let cands = candidates(s);
        if cands.is_empty() {
            date_previous(s, &mut items, ctx);
            continue;
        }
        for (k, c) in cands.iter().enumerate() {
            let clause_end = cands.get(k + 1).map_or(s.lower.len(), |n| n.at);
            if let Some(p) = build(s, c, clause_end, ctx, sents, idx) {
                if p.ack {
                    apply_ack(p.item, &mut items);
                } else {
                    items.push(p.item);
                }
            }
        }
    }
    dedupe(items)
}

fn build(
    s: &Sentence<'_>,
    c: &Candidate,
    clause_end: usize,
    ctx: &MeetingContext,
    sents: &[Sentence<'_>],
    idx: usize,
) -> Option<Pending> {
    let owner = owner_for(c.trigger, s.role);
    let clause_lower = &s.lower[c.verb_at..clause_end];
    // Due phrase: searched in the whole clause (before cutting "so ..." tails).
    let due_in_clause = find_due_phrase(clause_lower);
    let (due, due_phrase) = match due_in_clause {
        Some((a, b)) => {
            let oa = to_original(s.text, c.verb_at + a);
            let ob = to_original(s.text, c.verb_at + b);
            let phrase = s.text[oa..ob].to_string();
            (resolve_due(&phrase, ctx.meeting_date), Some(phrase))
        }
        None => match THEN.find(clause_lower) {
            // "… before then": the date said last (the next meeting, a trip).
            Some(m) => (
                earlier_date(sents, idx, ctx),
                Some(
                    s.text[to_original(s.text, c.verb_at + m.start())
                        ..to_original(s.text, c.verb_at + m.end())]
                        .to_string(),
                ),
            ),
            None => (None, None),
        },
    };
    if matches!(c.trigger, Trigger::LetUs | Trigger::Progressive) && due_phrase.is_none() {
        return None;
    }
    // "Let's meet again next Wednesday" is the next meeting, not a task.
    if c.trigger == Trigger::LetUs
        && WORDS.find(clause_lower).is_some_and(|w| {
            matches!(
                w.as_str(),
                "meet" | "talk" | "catch" | "reconvene" | "regroup"
            )
        })
    {
        return None;
    }
    // The "what": the clause from the verb, cut at "so / because / ;", minus the due phrase.
    let cut = CLAUSE_CUT
        .find(clause_lower)
        .map_or(clause_lower.len(), |m| m.start());
    let mut what_lower = clause_lower[..cut].to_string();
    if let Some((a, b)) = due_in_clause
        && b <= cut
    {
        what_lower.replace_range(a..b, "");
    }
    let ack_only = {
        let words: Vec<&str> = WORDS.find_iter(&what_lower).map(|m| m.as_str()).collect();
        let pointer_early = words.iter().skip(1).take(2).any(|w| POINTERS.contains(w));
        words.len() >= 2 && pointer_early && words[1..].iter().all(|w| ACK_WORDS.contains(w))
            || words.len() == 1
    };
    let points_back = {
        let words: Vec<&str> = WORDS.find_iter(&what_lower).map(|m| m.as_str()).collect();
        words.iter().skip(1).take(2).any(|w| POINTERS.contains(w))
    };
    let start = to_original(s.text, c.verb_at);
    let end_norm = c.verb_at + cut;
    let end = to_original(s.text, end_norm);
    let mut what = tidy(&s.text[start..end]);
    if let Some(phrase) = &due_phrase
        && let Some(pos) = what.find(phrase.as_str())
    {
        what.replace_range(pos..pos + phrase.len(), "");
        what = tidy(&what);
    }
    if c.trigger == Trigger::NeedYour {
        what = format!("provide your {what}");
    }
    if points_back && let Some(prev) = antecedent(sents, idx) {
        what = format!("{what} (re: {prev})");
    }
    let span_start = s.start + to_original(s.text, c.at);
    let span = Span {
        segment: s.segment,
        start: span_start,
        end: s.start + end.max(to_original(s.text, c.at)),
    };
    Some(Pending {
        item: ActionItem {
            what,
            owner,
            due,
            due_phrase,
            span,
            // A family member named in the third person is the client's whoever speaks.
            owner_guessed: s.role == Role::Unknown && c.trigger != Trigger::AssignOther,
        },
        ack: ack_only,
    })
}

static THEN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:by|before|until|for) then\b|\b(?:on|for) that day\b|\bthat same day\b")
});

/// The date "then" points back to: the latest due phrase said in this sentence's segment or
/// the two before it, resolved against the meeting date.
fn earlier_date(
    sents: &[Sentence<'_>],
    idx: usize,
    ctx: &MeetingContext,
) -> Option<chrono::NaiveDate> {
    let current = sents.get(idx)?.segment;
    sents[..=idx]
        .iter()
        .rev()
        .take_while(|s| s.segment + 2 >= current)
        .find_map(|s| {
            let (a, b) = find_due_phrase(&s.lower)?;
            let phrase = &s.text[to_original(s.text, a)..to_original(s.text, b)];
            resolve_due(phrase, ctx.meeting_date)
        })
}

/// The nearest earlier sentence with some substance, for "send that over"-style items.
fn antecedent(sents: &[Sentence<'_>], idx: usize) -> Option<String> {
    let current = sents.get(idx)?.segment;
    sents[..idx]
        .iter()
        .rev()
        .take_while(|s| s.segment + 2 >= current)
        .find(|s| s.text.split_whitespace().count() >= 5)
        .map(|s| tidy(s.text))
}

/// An acknowledgement updates the latest item of the same owner from the last two segments;
/// without one it stands on its own only if it carries a date.
fn apply_ack(ack: ActionItem, items: &mut Vec<ActionItem>) {
    let target = items
        .iter_mut()
        .rev()
        .take_while(|i| i.span.segment + 2 >= ack.span.segment)
        .find(|i| i.owner == ack.owner);
    match target {
        Some(t) => {
            if ack.due.is_some() {
                t.due = ack.due;
                t.due_phrase = ack.due_phrase;
            }
        }
        None => {
            if ack.due.is_some() {
                items.push(ack);
            }
        }
    }
}

static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:ideally|preferably|hopefully|maybe|say|okay|ok|and|or|so|please|if possible|if you can|try|at the latest|,|\s)*$",
    )
});

/// "Ideally in the next two weeks." dates the previous undated item in the same segment.
fn date_previous(s: &Sentence<'_>, items: &mut [ActionItem], ctx: &MeetingContext) {
    let Some((a, b)) = find_due_phrase(&s.lower) else {
        return;
    };
    let rest = format!("{} {}", &s.lower[..a], &s.lower[b..]);
    let rest = rest.trim().trim_end_matches(['.', '?', '!']).trim();
    if !FILLER.is_match(rest) {
        return;
    }
    if let Some(last) = items.last_mut()
        && last.span.segment == s.segment
        && last.due.is_none()
    {
        let phrase = s.text[to_original(s.text, a)..to_original(s.text, b)].to_string();
        last.due = resolve_due(&phrase, ctx.meeting_date);
        last.due_phrase = Some(phrase);
    }
}

fn shared_words(a: &str, b: &str) -> (usize, usize) {
    let wa = content_words(a);
    let wb = content_words(b);
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    (shared, wa.len().min(wb.len()))
}

/// Same task: mostly the same words, or the same explicit date and two words in common.
fn same_task(a: &ActionItem, b: &ActionItem) -> bool {
    let (shared, smaller) = shared_words(&a.what, &b.what);
    let mostly = smaller > 0 && shared * 10 >= smaller * 6;
    let same_date = a.due.is_some() && a.due == b.due && shared >= 2;
    mostly || same_date
}

fn dedupe(items: Vec<ActionItem>) -> Vec<ActionItem> {
    let mut out: Vec<ActionItem> = Vec::new();
    for item in items {
        let dup = out.iter_mut().find(|o| {
            o.owner == item.owner
                && (o.due == item.due || o.due.is_none() || item.due.is_none())
                && same_task(o, &item)
        });
        match dup {
            Some(o) => {
                if o.due.is_none() && item.due.is_some() {
                    o.due = item.due;
                    o.due_phrase = item.due_phrase;
                }
            }
            None => out.push(item),
        }
    }
    out
}
