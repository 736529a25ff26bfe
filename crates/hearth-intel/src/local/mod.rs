//! The offline engine: sentence splitting, speaker roles, dictionaries and patterns.
//!
//! Every rule works on the **redacted** text of a sentence, so nothing it outputs can carry a
//! masked number. Rules are deliberately phrased over general cues (modal + verb, possession +
//! account word, first-person + emotion word), not over particular sentences, and each output
//! carries a `rule_id` or kind that tells the reviewer why it fired.

mod actions;
mod facts;
pub(crate) mod flags;
mod notes;

use std::sync::LazyLock;

use regex::Regex;

use crate::email::draft_email;
use crate::model::{Analysis, MeetingContext, Span, Transcript};
use crate::redact::redact_transcript;
use crate::{Engine, IntelError};

/// Rules, dictionaries and date arithmetic: deterministic, explainable, offline.
#[derive(Debug, Clone, Default)]
pub struct LocalEngine {
    _private: (),
}

impl LocalEngine {
    /// A local engine with the built-in rules.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Engine for LocalEngine {
    fn analyze(
        &self,
        transcript: &Transcript,
        ctx: &MeetingContext,
    ) -> Result<Analysis, IntelError> {
        Ok(analyze_local(transcript, ctx))
    }
}

/// Who is speaking, relative to the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Advisor,
    Client,
    Unknown,
}

/// One sentence of a segment, with its byte range in the segment text.
#[derive(Debug, Clone)]
pub(crate) struct Sentence<'a> {
    pub segment: usize,
    pub start: usize,
    pub end: usize,
    /// Redacted text of the sentence.
    pub text: &'a str,
    /// ASCII-lowercased copy with curly apostrophes straightened (same byte length is not
    /// guaranteed for the apostrophes, so offsets are always taken from `text` via `lower_map`).
    pub lower: String,
    pub role: Role,
    /// The speaker label as written, if any.
    pub speaker: Option<&'a str>,
}

impl Sentence<'_> {
    pub(crate) fn span(&self) -> Span {
        Span {
            segment: self.segment,
            start: self.start,
            end: self.end,
        }
    }

    pub(crate) fn is_question(&self) -> bool {
        self.text.trim_end().ends_with('?')
    }
}

/// Lowercases ASCII and turns `’` into `'` (three bytes into one). Offsets found in the
/// result are mapped back with [`to_original`].
pub(crate) fn normalize(text: &str) -> String {
    text.replace('\u{2019}', "'").to_ascii_lowercase()
}

/// Maps a byte offset in `normalize(text)` back to `text`.
pub(crate) fn to_original(text: &str, norm_offset: usize) -> usize {
    let mut norm = 0usize;
    for (i, c) in text.char_indices() {
        if norm >= norm_offset {
            return i;
        }
        norm += if c == '\u{2019}' { 1 } else { c.len_utf8() };
    }
    text.len()
}

/// Compiles a case-insensitive pattern written over normalized text.
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(&format!("(?i){pattern}")).expect("built-in pattern")
}

const ABBREVIATIONS: &[&str] = &[
    "st", "mr", "mrs", "ms", "dr", "jr", "sr", "vs", "etc", "inc", "co", "no", "approx", "e.g",
    "i.e",
];

/// Splits a segment into sentences on `.`, `?`, `!` followed by whitespace or end, skipping
/// common abbreviations and decimals.
pub(crate) fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'.' || b == b'?' || b == b'!' {
            // Swallow runs like "..." or "?!".
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'.' | b'?' | b'!' | b'"' | b')') {
                j += 1;
            }
            let at_boundary = j >= bytes.len() || bytes[j].is_ascii_whitespace();
            let is_abbrev = b == b'.' && j == i + 1 && {
                let word_start = text[..i]
                    .rfind(|c: char| c.is_whitespace())
                    .map_or(0, |p| p + 1);
                let word = text[word_start..i].to_ascii_lowercase();
                ABBREVIATIONS.contains(&word.as_str())
            };
            let ellipsis = j - i >= 3 && b == b'.';
            if at_boundary && !is_abbrev && !ellipsis {
                push_trimmed(text, start, j, &mut out);
                start = j;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push((start + lead, end - trail));
    }
}

fn name_tokens(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.len() > 1)
        .map(|t| t.to_lowercase())
        .collect()
}

/// Works out a speaker's role from the meeting context: the advisor's or a client's full
/// name or any part of it ("Dana", "Whitfield"), or the labels "advisor" / "client".
pub(crate) fn role_of(speaker: Option<&str>, ctx: &MeetingContext) -> Role {
    let Some(speaker) = speaker else {
        return Role::Unknown;
    };
    let spk = speaker.trim().to_lowercase();
    if spk.is_empty() {
        return Role::Unknown;
    }
    if spk == "advisor" || spk == "adviser" {
        return Role::Advisor;
    }
    if spk == "client" || spk.starts_with("client ") {
        return Role::Client;
    }
    let matches = |name: &str| {
        let full = name.trim().to_lowercase();
        if full == spk {
            return true;
        }
        let tokens = name_tokens(name);
        let spk_tokens = name_tokens(&spk);
        !spk_tokens.is_empty() && spk_tokens.iter().all(|t| tokens.contains(t))
    };
    let generic = spk == "?"
        || spk.starts_with("speaker")
        || spk.starts_with("unknown")
        || spk.starts_with("spk");
    if matches(&ctx.advisor_name) {
        Role::Advisor
    } else if ctx.client_names.iter().any(|c| matches(c)) || !generic {
        // Anyone named who is not the advisor speaks for the household: a son who came
        // along, a teenager, the other side of a call ("Client" or a participant's name).
        Role::Client
    } else {
        Role::Unknown
    }
}

/// One of the firm's people, by name: "Keiko on my team", "Hannah from our estate planning
/// team", "my assistant, Renata", "Simone, my associate advisor", "Janet Okoro, our branch
/// manager".
pub(crate) static STAFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b[A-Z][a-z]+ (?:on|in|from|at) (?:my|our) (?:[a-z]+ ){0,2}(?:team|group|office|desk|department)\b|\b(?:my|our) (?:assistant|associate|colleague|paraplanner|service associate),? [A-Z][a-z]+|\b[A-Z][a-z]+(?: [A-Z][a-z]+)?, (?:my|our) (?:associate(?: advisor)?|assistant|colleague|paraplanner|branch manager|office manager|manager|compliance officer|partner at the firm)\b",
    )
    .expect("regex")
});

/// First names (lowercase) of the firm's people named in `texts`.
pub(crate) fn staff_names<'t>(texts: impl Iterator<Item = &'t str>) -> Vec<String> {
    let capitalised = |w: &&str| w.starts_with(|c: char| c.is_uppercase());
    texts
        .flat_map(|text| STAFF.find_iter(text))
        .flat_map(|m| {
            m.as_str()
                .split(|c: char| !c.is_alphabetic())
                .filter(capitalised)
                .take(1)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Splits a (redacted) transcript into sentences with roles.
pub(crate) fn sentences<'a>(redacted: &'a Transcript, ctx: &MeetingContext) -> Vec<Sentence<'a>> {
    let mut out = Vec::new();
    // The advisor's associate or branch manager speaks for the firm, not the household.
    let staff = staff_names(redacted.segments.iter().map(|seg| seg.text.as_str()));
    let firm_side = |speaker: Option<&str>| {
        speaker
            .and_then(|sp| sp.split_whitespace().next())
            .is_some_and(|first| staff.contains(&first.to_lowercase()))
    };
    for (i, seg) in redacted.segments.iter().enumerate() {
        let role = match role_of(seg.speaker.as_deref(), ctx) {
            Role::Client if firm_side(seg.speaker.as_deref()) => Role::Advisor,
            role => role,
        };
        for (start, end) in split_sentences(&seg.text) {
            let text = &seg.text[start..end];
            out.push(Sentence {
                segment: i,
                start,
                end,
                text,
                lower: normalize(text),
                role,
                speaker: seg.speaker.as_deref(),
            });
        }
    }
    out
}

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[a-z0-9]+").expect("regex"));

const STOPWORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "to", "of", "for", "in", "on", "at", "by", "with", "from",
    "you", "your", "me", "my", "i", "we", "our", "us", "it", "that", "this", "those", "them", "is",
    "be", "will", "ll", "s", "re", "can", "could", "also", "so", "up", "over", "out", "get",
    "have", "has", "do", "just", "then", "all", "both", "two", "their", "they", "he", "she", "her",
    "his", "him", "about", "into", "make", "sure",
];

/// Lowercased content words, lightly stemmed (plural and -ing/-ed endings dropped).
pub fn content_words(text: &str) -> Vec<String> {
    let lower = normalize(text);
    let mut out: Vec<String> = WORD
        .find_iter(&lower)
        .map(|m| m.as_str())
        .filter(|w| !STOPWORDS.contains(w))
        .map(stem)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn stem(w: &str) -> String {
    let mut s = w.to_string();
    for suffix in ["ing", "ed", "es", "s"] {
        if s.len() > suffix.len() + 3 && s.ends_with(suffix) {
            s.truncate(s.len() - suffix.len());
            break;
        }
    }
    s
}

/// Runs every local rule and drafts the e-mail.
pub(crate) fn analyze_local(transcript: &Transcript, ctx: &MeetingContext) -> Analysis {
    let (redacted, redactions) = redact_transcript(transcript);
    let sents = sentences(&redacted, ctx);
    let mut flags = flags::pii_flags(&redacted, &redactions);
    flags.extend(flags::conduct_flags(&sents));
    flags.sort_by(|a, b| a.span.cmp(&b.span).then(a.kind.cmp(&b.kind)));
    let action_items = actions::extract(&sents, ctx);
    let facts = facts::extract(&sents);
    let notes = notes::build(&sents, &action_items, &facts, &flags);
    let email = draft_email(ctx, &notes, &action_items, &flags);
    Analysis {
        notes,
        action_items,
        facts,
        flags,
        email,
    }
}

/// Test support: a short exchange between Dana Whitfield (the advisor) and Robert Henderson
/// (the client) on Friday 2025-03-07, one segment per (speaker, text) line.
#[cfg(test)]
pub(crate) fn exchange(lines: &[(&str, &str)]) -> (Transcript, MeetingContext) {
    use crate::model::{Segment, Tone};
    let transcript = Transcript {
        segments: lines
            .iter()
            .enumerate()
            .map(|(i, (speaker, text))| Segment {
                start_ms: i as u64 * 1000,
                end_ms: i as u64 * 1000 + 900,
                speaker: Some((*speaker).into()),
                text: (*text).into(),
            })
            .collect(),
    };
    let ctx = MeetingContext {
        meeting_date: chrono::NaiveDate::from_ymd_opt(2025, 3, 7).expect("date"),
        household_name: "Henderson Household".into(),
        advisor_name: "Dana Whitfield".into(),
        client_names: vec!["Robert Henderson".into()],
        greeted: None,
        tone: Tone::ProfessionalWarm,
    };
    (transcript, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_sensibly() {
        let text = "Maybe five thousand to St. Luke's. About 1.2 million... really? Yes! Okay";
        let parts: Vec<&str> = split_sentences(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(
            parts,
            vec![
                "Maybe five thousand to St. Luke's.",
                "About 1.2 million... really?",
                "Yes!",
                "Okay"
            ]
        );
    }

    #[test]
    fn maps_normalized_offsets_back() {
        let text = "I\u{2019}ll send it";
        let norm = normalize(text);
        let at = norm.find("send").expect("found");
        assert_eq!(&text[to_original(text, at)..], "send it");
    }
}
