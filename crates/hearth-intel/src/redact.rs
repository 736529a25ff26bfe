//! Masking of sensitive numbers (SSNs, account numbers, card numbers) in stored text.
//!
//! Masking is **length-preserving**: every hidden ASCII digit becomes `*` and separators are
//! kept, so byte offsets computed on the raw text stay valid on the redacted text. The last
//! four digits stay visible (`***-**-6789`, `****** **1234`), which is the usual way advisors
//! and custodians refer to a number without disclosing it.
//!
//! What is detected:
//! * SSN: `###-##-####` (dashes or spaces), and a bare 9-digit run within a few words after a
//!   label ("social security", "SSN", "social").
//! * Card: 13–19 digits (optionally grouped by spaces or dashes) that pass the Luhn check.
//! * SSN spoken or garbled by transcription ("nine oh two, five five... 1 2 3 4",
//!   "9O3 61 2O58", "nine-seven-two, thirty, eighty-one sixty"): after an SSN label in the
//!   same segment or the one before, a run of digits, digit words and look-alike letters
//!   worth 8–10 digits. Every letter and digit of it is masked.
//! * Account: a 6–17 digit run (optionally grouped, letters allowed as in "Z 48-227-193")
//!   right after a label ("account", "acct", "account number is", "account at Summit Bank
//!   is"). "Account/card ending in 1234" is recorded as a reference
//!   but nothing is hidden (only the last four digits were spoken).

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::model::{Segment, Transcript};

/// What sort of sensitive number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// Social Security number.
    Ssn,
    /// Bank or brokerage account number.
    Account,
    /// Payment card number.
    Card,
}

/// One masked (or referenced) number. It never holds the raw value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// What was found.
    pub kind: PiiKind,
    /// Id of the rule that found it, e.g. "pii.ssn.dashed".
    pub rule_id: String,
    /// Start byte offset in the input text.
    pub start: usize,
    /// End byte offset in the input text (exclusive).
    pub end: usize,
    /// The replacement text (same length as the original).
    pub masked: String,
    /// How many digits were hidden (0 for "ending in 1234" references).
    pub hidden_digits: usize,
}

static SSN_DASHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d-])(\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})(?:$|[^\d-])").expect("regex")
});
static SSN_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:ssn|social security(?: number)?|social|ss#)\b[^\d.?!]{0,25}?(\d{9})\b")
        .expect("regex")
});
static DIGIT_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d(?:[ -]?\d){5,18}").expect("regex"));
static ACCOUNT_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    // Commas between digits too: speech recognisers write "664,47109" for 66447109.
    Regex::new(
        r"(?i)\b(?:account|acct|a/c)\.?(?:\s+(?:number|no\.?|num|#))?(?:\s+(?:there|here|over there|(?:at|with) \w+(?: \w+){0,2}))?(?:\s*(?:is|was|it's|:|#))?\s*(?:like\s+)?(?-i:((?:[A-Z]{1,2}[ -]?)?\d(?:[ ,-]?[0-9A-Z]){5,18}))\b",
    )
    .expect("regex")
});
/// A card named as a card or by its network, then its number the way a speech recogniser
/// writes it: digit groups with thousands separators ("4,111,111,111,111,111") or dots,
/// spaces, hyphens. With the cue, 13–21 digits are a card number whatever the check digit says
/// (recognition adds and drops digits).
static CARD_CUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:card|visa|master ?card|amex|american express|discover)\b[^\d!]{0,30}?(\d(?:[,. -]?\d){12,20})\b")
        .expect("regex")
});
/// An amount written with thousands separators ("640,000"), which is not an account number.
static GROUPED_AMOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(?:,\d{3})+$").expect("regex"));
static ENDING_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(account|acct|card|amex|visa|mastercard|debit card|credit card)\b[^.?!\d]{0,20}?\bending (?:in|with)\s+(\d{4})\b")
        .expect("regex")
});

/// An account number named (the previous turn asked for one when it also asks a question).
static ACCOUNT_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:account|acct)(?: numbers?| no\.?| #)\b").expect("regex")
});
/// A North American phone number ("503-555-0148"), not an account.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{3}[ -]\d{3}[ -]\d{4}$").expect("regex"));
static SSN_CUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:social security|ssn|social|ss#)\b").expect("regex"));

/// How many digits a spoken token stands for: "nine" 1, "oh" 1, "sixty" 2, "903" 3, "2O58"
/// 4 (letters that transcription confuses with digits), `None` for anything else.
fn spoken_digits(token: &str) -> Option<usize> {
    let lower = token.to_ascii_lowercase();
    let words1 = [
        "zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let words2 = [
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
    ];
    if words1.contains(&lower.as_str()) {
        return Some(1);
    }
    if words2.contains(&lower.as_str()) {
        return Some(2);
    }
    let digits = token.chars().filter(char::is_ascii_digit).count();
    let lookalike = token
        .chars()
        .all(|c| c.is_ascii_digit() || "OolI".contains(c));
    (digits > 0 && lookalike).then_some(token.len())
}

/// Spoken or garbled SSNs in `text`: byte ranges of runs worth 8–10 digits that come after an
/// SSN label in `text` (or anywhere, when `cued` says the previous segment had one).
fn spoken_ssns(text: &str, cued: bool) -> Vec<(usize, usize)> {
    let cue_end = SSN_CUE.find(text).map(|m| m.end());
    let from = match (cue_end, cued) {
        (Some(end), _) => end,
        (None, true) => 0,
        (None, false) => return Vec::new(),
    };
    spoken_numbers(text, from, 8..=10, 4)
}

/// Runs of spoken or garbled digits in `text` from byte `from` on, worth `digits` digits in
/// all, in at least two parts, starting within `lead` words of `from` or of a sentence start.
fn spoken_numbers(
    text: &str,
    from: usize,
    digits: std::ops::RangeInclusive<usize>,
    lead: usize,
) -> Vec<(usize, usize)> {
    let wanted = digits;
    // Tokens (alphanumeric runs) with their offsets, from the cue on.
    let tokens: Vec<(usize, usize)> = text[from..]
        .char_indices()
        .filter(|(i, c)| {
            c.is_ascii_alphanumeric()
                && !text[from..][..*i]
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_ascii_alphanumeric())
        })
        .map(|(i, _)| {
            let start = from + i;
            let len = text[start..]
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(text.len() - start);
            (start, start + len)
        })
        .collect();
    // What may stand between two parts of one number: spaces, commas, hyphens, an ellipsis,
    // "and then".
    let joins = |gap: &str| {
        let g = gap.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '-');
        let g = g.trim_start_matches("...").trim_start_matches('…');
        let g = g.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '-');
        g.is_empty() || g == "and" || g == "and then" || g == "then"
    };
    let mut found = Vec::new();
    let mut i = 0;
    // Words since the label (or the last number found: "Sorry, 903, 61, 2058" corrects it);
    // a number further on is something else (a routing number, an amount).
    let mut words_since_anchor = 0;
    while i < tokens.len() {
        let (s, e) = tokens[i];
        // A new sentence ("Sorry, the line cut out. That was nine oh two…") starts afresh.
        let before = if i == 0 { from } else { tokens[i - 1].1 };
        if text[before..s].contains(['.', '?', '!']) {
            words_since_anchor = 0;
        }
        let first = &text[s..e];
        // A number does not start with "oh" (an interjection as often as a digit).
        let starts = spoken_digits(first).is_some()
            && !matches!(first.to_ascii_lowercase().as_str(), "oh" | "o")
            && words_since_anchor <= lead;
        if !starts {
            words_since_anchor += 1;
            i += 1;
            continue;
        }
        let mut digits = 0;
        let mut end = e;
        let mut j = i;
        let mut after_tens = false;
        while j < tokens.len() {
            let (ts, te) = tokens[j];
            if j > i && !joins(&text[end..ts]) {
                break;
            }
            // "517 for four, 2903": a recogniser writes "four" as "for" (or "two" as "to")
            // between digits.
            let sound_alike = j > i
                && sounds_like_a_digit(&text[ts..te])
                && tokens
                    .get(j + 1)
                    .is_some_and(|&(ns, ne)| spoken_digits(&text[ns..ne]).is_some());
            let Some(n) = spoken_digits(&text[ts..te]).or(sound_alike.then_some(1)) else {
                // "and then" between digits is skipped by `joins`; any other word ends it.
                let w = text[ts..te].to_ascii_lowercase();
                if (w == "and" || w == "then") && j + 1 < tokens.len() {
                    j += 1;
                    continue;
                }
                break;
            };
            let word = text[ts..te].to_ascii_lowercase();
            let tens = n == 2 && word.ends_with('y');
            // "sixty-one" is two digits, not three.
            if !(after_tens && n == 1 && !word.chars().any(|c| c.is_ascii_digit())) {
                digits += n;
            }
            after_tens = tens;
            end = te;
            j += 1;
        }
        // One unbroken token is a written number (the labelled-SSN rule's business, or a
        // routing number); a spoken one comes in parts.
        if wanted.contains(&digits) && j - i >= 2 {
            found.push((s, end));
            words_since_anchor = 0;
            i = j;
        } else {
            words_since_anchor += 1;
            i += 1;
        }
    }
    found
}

/// Whether a digit string passes the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    let mut count = 0usize;
    for (i, c) in digits
        .chars()
        .rev()
        .filter(|c| c.is_ascii_digit())
        .enumerate()
    {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        count += 1;
    }
    count > 0 && sum.is_multiple_of(10)
}

fn digit_count(s: &str) -> usize {
    s.chars().filter(|c| c.is_ascii_digit()).count()
}

/// Mask every digit but the last `keep` with `*`, keeping separators and length.
fn mask_digits(s: &str, keep: usize) -> (String, usize) {
    let total = digit_count(s);
    let hide = total.saturating_sub(keep);
    let mut seen = 0usize;
    let masked = s
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen <= hide { '*' } else { c }
            } else {
                c
            }
        })
        .collect();
    (masked, hide)
}

/// Finds sensitive numbers in `text` and returns the masked text and what was masked.
/// Redactions are sorted by position and never overlap.
pub fn redact(text: &str) -> (String, Vec<Redaction>) {
    redact_in_context(text, false)
}

/// [`redact`], where `ssn_cued` says the conversation just asked for or gave a Social
/// Security number (the previous segment named one): a spoken number here is then one too.
pub fn redact_in_context(text: &str, ssn_cued: bool) -> (String, Vec<Redaction>) {
    let found = find_sensitive(text, ssn_cued, false);
    (apply_masks(text, &found), found)
}

/// What [`redact_in_context`] masks in `text`, in order; `account_cued`: the previous
/// segment asked for an account number, so a bare run of digits here is one.
fn find_sensitive(text: &str, ssn_cued: bool, account_cued: bool) -> Vec<Redaction> {
    let mut found: Vec<Redaction> = Vec::new();
    let overlaps =
        |found: &[Redaction], s: usize, e: usize| found.iter().any(|r| r.start < e && s < r.end);
    let push = |found: &mut Vec<Redaction>, kind, rule: &str, s: usize, e: usize| {
        if overlaps(found, s, e) {
            return;
        }
        let (masked, hidden) = mask_digits(&text[s..e], 4);
        found.push(Redaction {
            kind,
            rule_id: rule.to_string(),
            start: s,
            end: e,
            masked,
            hidden_digits: hidden,
        });
    };

    for c in SSN_DASHED.captures_iter(text) {
        if let Some(m) = c.get(1) {
            push(
                &mut found,
                PiiKind::Ssn,
                "pii.ssn.formatted",
                m.start(),
                m.end(),
            );
        }
    }
    for m in DIGIT_RUN.find_iter(text) {
        let n = digit_count(m.as_str());
        if (13..=19).contains(&n) && luhn_valid(m.as_str()) {
            push(
                &mut found,
                PiiKind::Card,
                "pii.card.luhn",
                m.start(),
                m.end(),
            );
        }
    }
    for c in CARD_CUED.captures_iter(text) {
        if let Some(m) = c.get(1)
            && (13..=21).contains(&digit_count(m.as_str()))
        {
            push(
                &mut found,
                PiiKind::Card,
                "pii.card.cued",
                m.start(),
                m.end(),
            );
        }
    }
    for c in SSN_LABELLED.captures_iter(text) {
        if let Some(m) = c.get(1) {
            push(
                &mut found,
                PiiKind::Ssn,
                "pii.ssn.labelled",
                m.start(),
                m.end(),
            );
        }
    }
    // A number with its account label is an account number, whatever SSNs came before.
    for c in ACCOUNT_LABELLED.captures_iter(text) {
        if let Some(m) = c.get(1) {
            let n = digit_count(m.as_str());
            if (6..=17).contains(&n) && !GROUPED_AMOUNT.is_match(m.as_str()) {
                push(
                    &mut found,
                    PiiKind::Account,
                    "pii.account.labelled",
                    m.start(),
                    m.end(),
                );
            }
        }
    }
    for (s, e) in spoken_ssns(text, ssn_cued) {
        if !overlaps(&found, s, e) {
            found.push(spoken(text, s, e, PiiKind::Ssn, "pii.ssn.spoken"));
        }
    }
    if account_cued {
        // "Do you have the account numbers handy?" — "And my IRA there is, let me see, five two
        // oh eight, three three nine one."
        for (s, e) in spoken_numbers(text, 0, 6..=17, 10) {
            // Written digits ("503-555-0148", "730,000") are the digit-run rule's.
            let said = text[s..e].chars().any(|c| c.is_ascii_alphabetic());
            if said && !overlaps(&found, s, e) {
                found.push(spoken(text, s, e, PiiKind::Account, "pii.account.spoken"));
            }
        }
        // "Do you have the account number handy?" — "Here. 4471-0938-52."
        for m in DIGIT_RUN.find_iter(text) {
            let n = digit_count(m.as_str());
            if (6..=17).contains(&n) && !PHONE.is_match(m.as_str()) {
                push(
                    &mut found,
                    PiiKind::Account,
                    "pii.account.cued",
                    m.start(),
                    m.end(),
                );
            }
        }
    }
    for c in ENDING_IN.captures_iter(text) {
        if let (Some(label), Some(whole)) = (c.get(1), c.get(0)) {
            if overlaps(&found, whole.start(), whole.end()) {
                continue;
            }
            let lower = label.as_str().to_ascii_lowercase();
            let kind = if lower.starts_with("acc") || lower == "acct" {
                PiiKind::Account
            } else {
                PiiKind::Card
            };
            found.push(Redaction {
                kind,
                rule_id: "pii.reference.ending_in".to_string(),
                start: whole.start(),
                end: whole.end(),
                masked: whole.as_str().to_string(),
                hidden_digits: 0,
            });
        }
    }
    found.sort_by_key(|r| r.start);
    found
}

/// "for" ("four"), "to" / "too" ("two"): what a recogniser writes for a digit said between
/// digits.
fn sounds_like_a_digit(word: &str) -> bool {
    matches!(word.to_ascii_lowercase().as_str(), "for" | "to" | "too")
}

/// A spoken number at `s..e` of `text` masked: every digit, digit word and look-alike becomes
/// `*`; "and then" between them stays.
fn spoken(text: &str, s: usize, e: usize, kind: PiiKind, rule: &str) -> Redaction {
    let mut masked = String::with_capacity(e - s);
    let mut rest = &text[s..e];
    while !rest.is_empty() {
        let word_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if word_len == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            masked.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let word = &rest[..word_len];
        if spoken_digits(word).is_some() || sounds_like_a_digit(word) {
            masked.extend(std::iter::repeat_n('*', word_len));
        } else {
            masked.push_str(word);
        }
        rest = &rest[word_len..];
    }
    Redaction {
        kind,
        rule_id: rule.to_string(),
        start: s,
        end: e,
        hidden_digits: masked.chars().filter(|c| *c == '*').count(),
        masked,
    }
}

/// `text` with each of `found` (sorted, not overlapping) replaced by its mask.
fn apply_masks(text: &str, found: &[Redaction]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for r in found {
        out.push_str(&text[at..r.start]);
        out.push_str(&r.masked);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Letters and digits of `s`, upper-cased: "Z47 318862" and "z47-318-862" are one number.
fn alphanumerics(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Numbers masked somewhere in a meeting, masked again wherever the meeting repeats them
/// without the label that caught them the first time ("Z47 318862, got it." — the advisor
/// reading an account number back).
fn repeated_numbers(text: &str, known: &[(PiiKind, String)], found: &mut Vec<Redaction>) {
    // Each letter or digit of `text` with its byte offset.
    let chars: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphanumeric())
        .map(|(i, c)| (i, c.to_ascii_uppercase()))
        .collect();
    let flat: String = chars.iter().map(|(_, c)| *c).collect();
    for (kind, number) in known {
        let mut from = 0;
        while let Some(pos) = flat[from..].find(number.as_str()) {
            let first = from + pos;
            let last = first + number.len() - 1;
            from = last + 1;
            let start = chars[first].0;
            let end = chars[last].0 + 1;
            // Whole tokens only: not the tail of a longer number.
            let glued = |i: Option<char>| i.is_some_and(|c| c.is_ascii_alphanumeric());
            if glued(text[..start].chars().next_back()) || glued(text[end..].chars().next()) {
                continue;
            }
            if found.iter().any(|r| r.start < end && start < r.end) {
                continue;
            }
            let (masked, hidden_digits) = mask_digits(&text[start..end], 4);
            found.push(Redaction {
                kind: *kind,
                rule_id: "pii.repeated".to_string(),
                start,
                end,
                masked,
                hidden_digits,
            });
        }
    }
    found.sort_by_key(|r| r.start);
}

/// Masks every segment of a transcript; returns the redacted transcript and, per segment
/// index, what was masked. Span offsets are unchanged (masking is length-preserving).
///
/// A number masked in one segment is masked in every other segment that repeats it.
pub fn redact_transcript(transcript: &Transcript) -> (Transcript, Vec<(usize, Redaction)>) {
    let mut per_segment: Vec<Vec<Redaction>> = Vec::with_capacity(transcript.segments.len());
    for (i, s) in transcript.segments.iter().enumerate() {
        let previous = i
            .checked_sub(1)
            .map(|p| transcript.segments[p].text.as_str());
        let two_back = i
            .checked_sub(2)
            .map(|p| transcript.segments[p].text.as_str());
        // Once Social Security numbers are being given, a spoken number is the next one:
        // "… I'll need his number too." — "Sipho's is nine oh eight, …"; "Mine is six four
        // oh, …"; the advisor reading one back.
        let ssns_being_given = per_segment
            .iter()
            .rev()
            .take(4)
            .flatten()
            .any(|r| r.kind == PiiKind::Ssn);
        // "Do you need our Social Security numbers?" — "Yes, for the transfer." — "Mine is …"
        let cued = [previous, two_back]
            .iter()
            .flatten()
            .any(|p| SSN_CUE.is_match(p))
            || ssns_being_given;
        // "Do you have the account numbers handy?": asked for, so the answer is one, and the
        // next person's after it.
        let asked = |p: &str| ACCOUNT_CUE.is_match(p) && p.contains('?');
        let accounts_being_given = per_segment
            .last()
            .is_some_and(|f| f.iter().any(|r| r.kind == PiiKind::Account));
        let account_cued =
            previous.is_some_and(asked) || (accounts_being_given && two_back.is_some_and(asked));
        per_segment.push(find_sensitive(&s.text, cued, account_cued));
    }
    let mut known: Vec<(PiiKind, String)> = Vec::new();
    for (segment, found) in transcript.segments.iter().zip(&per_segment) {
        for r in found.iter().filter(|r| r.hidden_digits > 0) {
            let number = alphanumerics(&segment.text[r.start..r.end]);
            // Spoken digits ("nine one four") do not repeat as written ones; short runs
            // would mask ordinary numbers.
            if digit_count(&number) >= 6 && !known.iter().any(|(_, n)| *n == number) {
                known.push((r.kind, number));
            }
        }
    }
    let mut all = Vec::new();
    let segments = transcript
        .segments
        .iter()
        .zip(per_segment.iter_mut())
        .enumerate()
        .map(|(i, (s, found))| {
            repeated_numbers(&s.text, &known, found);
            let text = apply_masks(&s.text, found);
            all.extend(found.drain(..).map(|r| (i, r)));
            Segment { text, ..s.clone() }
        })
        .collect();
    (Transcript { segments }, all)
}

/// Masks sensitive numbers in free text (note bodies, edited drafts) and returns the text.
pub fn redact_text(text: &str) -> String {
    redact(text).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_formatted_ssn() {
        let (out, r) = redact("Sure, it's 412-55-8830.");
        assert_eq!(out, "Sure, it's ***-**-8830.");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].kind, PiiKind::Ssn);
        assert_eq!(r[0].hidden_digits, 5);
    }

    #[test]
    fn masks_labelled_nine_digit_ssn_but_not_bare() {
        let (out, r) = redact("My social security number is 412558830 and routing 121000248");
        assert_eq!(
            out,
            "My social security number is *****8830 and routing 121000248"
        );
        assert_eq!(r.len(), 1);
        let (out, r) = redact("The routing number is 121000248.");
        assert!(r.is_empty(), "{out}");
    }

    #[test]
    fn masks_luhn_cards_only() {
        let (out, r) = redact("My card is 4532 0151 1283 0366, thanks");
        assert_eq!(out, "My card is **** **** **** 0366, thanks");
        assert_eq!(r[0].kind, PiiKind::Card);
        let (_, r) = redact("Order 4532 0151 1283 0367 please");
        assert!(r.is_empty());
        let (out, _) = redact("amex 378282246310005.");
        assert_eq!(out, "amex ***********0005.");
    }

    #[test]
    fn masks_labelled_accounts() {
        let (out, r) = redact("The account number is 7730 0198 42, I think.");
        assert_eq!(out, "The account number is **** **98 42, I think.");
        assert_eq!(r[0].kind, PiiKind::Account);
        let (out, _) = redact("Wells Fargo, account 4410029381.");
        assert_eq!(out, "Wells Fargo, account ******9381.");
        let (out, r) = redact("acct #: 12345678");
        assert_eq!(out, "acct #: ****5678", "{r:?}");
        // Too short to be an account number.
        let (_, r) = redact("account 12345");
        assert!(r.is_empty());
    }

    #[test]
    fn ending_in_is_a_reference_not_a_mask() {
        let (out, r) = redact("The card ending in 1004?");
        assert_eq!(out, "The card ending in 1004?");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].kind, PiiKind::Card);
        assert_eq!(r[0].hidden_digits, 0);
        let (_, r) = redact("the account ending in 7781");
        assert_eq!(r[0].kind, PiiKind::Account);
    }

    #[test]
    fn leaves_money_phones_and_years_alone() {
        for text in [
            "We have about 1,200,000 and spend 9,000 a month.",
            "Call me at 555-867-5309.",
            "Since 2009 we have done well; in 2022 too.",
            "Convert 80,000 in November.",
        ] {
            let (out, r) = redact(text);
            assert_eq!(out, text);
            assert!(r.is_empty());
        }
    }

    #[test]
    fn redaction_preserves_length() {
        let text = "SSN 078-05-1120, card 6011-0009-9013-9424, account no. 99887766";
        let (out, r) = redact(text);
        assert_eq!(out.len(), text.len());
        assert_eq!(r.len(), 3);
        assert!(!out.contains("078-05"));
        assert!(!out.contains("6011"));
        assert!(!out.contains("9988"));
    }

    #[test]
    fn masks_spoken_and_garbled_ssns_after_a_label() {
        // (text, whether the previous segment named an SSN, the masked text)
        let cases: &[(&str, bool, &str)] = &[
            (
                "My Social Security number is nine oh two, five five... 1 2 3 4.",
                false,
                "My Social Security number is **** ** ***, **** ****... * * * *.",
            ),
            (
                "My SSN is nine-oh-seven sixty-one forty-four eighty-eight.",
                false,
                "My SSN is ****-**-***** *****-*** *****-**** ******-*****.",
            ),
            (
                "Mine's easy, my social is 902 55 l234.",
                false,
                "Mine's easy, my social is *** ** ****.",
            ),
            (
                "That was nine oh two, five five, and then one two three four?",
                true,
                "That was **** ** ***, **** ****, and then *** *** ***** ****?",
            ),
            (
                "And mine is 9O3 61 2O58. Sorry, 903, 61, 2058.",
                true,
                "And mine is *** ** ****. Sorry, ***, **, ****.",
            ),
        ];
        for (text, cued, expected) in cases {
            let (out, found) = redact_in_context(text, *cued);
            assert_eq!(&out, expected, "{text}");
            assert!(found.iter().all(|r| r.kind == PiiKind::Ssn), "{text}");
        }
        // Numbers that are not an SSN stay: amounts, a year, a phone extension, and any
        // spoken number with no SSN named nearby.
        for (text, cued) in [
            ("My social worker said we have about 640,000 saved.", false),
            ("We retire in twenty thirty-one, at sixty-five.", true),
            ("Call me at extension four four one two.", false),
            ("It is nine zero four, one one, six six five two.", false),
        ] {
            let (out, found) = redact_in_context(text, cued);
            assert_eq!(out, text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }

    #[test]
    fn masks_numbers_as_a_speech_recogniser_writes_them_after_a_label() {
        // Whisper's renderings of spoken card and account numbers (from the corpus's
        // recognised-speech split): thousands separators, extra digits.
        for (text, kind, digits) in [
            (
                "can I just put it on my visa? It's 4,111,111,111,111,111,111",
                PiiKind::Card,
                "4,111,111,111,111,111,111",
            ),
            (
                "I was going to put the first one on the Mastercard. It's 5,955,955,945,444.",
                PiiKind::Card,
                "5,955,955,945,444",
            ),
            (
                "At first Harbor Bank, account number 664,47109, the routing number is on the check.",
                PiiKind::Account,
                "664,47109",
            ),
        ] {
            let (out, found) = redact(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].kind, kind, "{text}");
            assert!(!out.contains(digits), "{out}");
        }
        // An amount with thousands separators after "account" is money, not a number to mask;
        // a card amount is not a card number.
        for text in [
            "The account is 640,000 now.",
            "I put 12,500 on the visa card last month.",
        ] {
            let (out, found) = redact(text);
            assert!(found.is_empty(), "{text}: {found:?}");
            assert_eq!(out, text);
        }
    }

    /// A transcript segment with no speaker.
    fn seg(text: &str) -> Segment {
        Segment {
            start_ms: 0,
            end_ms: 1,
            speaker: None,
            text: text.into(),
        }
    }

    #[test]
    fn a_number_read_back_without_its_label_is_masked_too() {
        let transcript = Transcript {
            segments: vec![
                seg("The account number is Z47 318862."),
                seg("Z47 318862, got it. And the 318862 shares? No, 1318862 is the plan."),
            ],
        };
        let (out, found) = redact_transcript(&transcript);
        assert_eq!(out.segments[0].text, "The account number is Z** **8862.");
        // The read-back is masked; a longer number that merely contains it is not, nor is
        // a part of it on its own.
        assert_eq!(
            out.segments[1].text,
            "Z** **8862, got it. And the 318862 shares? No, 1318862 is the plan."
        );
        let repeated: Vec<_> = found.iter().filter(|(i, _)| *i == 1).collect();
        assert_eq!(repeated.len(), 1);
        assert_eq!(repeated[0].1.kind, PiiKind::Account);
        assert_eq!(repeated[0].1.rule_id, "pii.repeated");
    }

    #[test]
    fn digits_given_after_the_account_number_was_asked_for_are_masked() {
        let (out, found) = redact_transcript(&Transcript {
            segments: vec![
                seg("About 760,000. Do you have the account number handy?"),
                seg(
                    "It's five oh three... no, that's the phone, 503-555-0148. Here. 4471-0938-52.",
                ),
                seg("Got it, 4471-0938-52. And the balance is 760,000."),
            ],
        });
        assert_eq!(
            out.segments[1].text,
            "It's five oh three... no, that's the phone, 503-555-0148. Here. ****-**38-52."
        );
        assert_eq!(
            out.segments[2].text,
            "Got it, ****-**38-52. And the balance is 760,000."
        );
        assert_eq!(
            found
                .iter()
                .filter(|(_, r)| r.kind == PiiKind::Account)
                .count(),
            2
        );
    }

    #[test]
    fn a_second_social_security_number_asked_for_as_a_number_is_masked() {
        let transcript = Transcript {
            segments: vec![
                seg("I'll need your Social Security number."),
                seg("It's nine one four, 22, seven three five one."),
                seg("And for Sipho's 529, I'll need his number too."),
                seg("Sipho's is nine oh eight, 41, sixty six o two."),
            ],
        };
        let (out, found) = redact_transcript(&transcript);
        assert_eq!(
            out.segments[3].text,
            "Sipho's is **** ** *****, **, ***** *** * ***."
        );
        assert!(found.iter().any(|(i, r)| *i == 3 && r.kind == PiiKind::Ssn));
        // The next person's, in turn.
        let (out, _) = redact_transcript(&Transcript {
            segments: vec![
                seg("Now, Social Security numbers. Kwame, you first."),
                seg("53l 48 2O76."),
                seg("That's it."),
                seg("Mine is six four oh, two two, nine one eight three."),
            ],
        });
        assert_eq!(
            out.segments[3].text,
            "Mine is *** **** **, *** ***, **** *** ***** *****."
        );
        // Without a number being given before, "his number" alone is no cue.
        let (out, _) = redact_transcript(&Transcript {
            segments: vec![
                seg("What's his number at work?"),
                seg("It's five five five, 41, sixty six o two."),
            ],
        });
        assert_eq!(
            out.segments[1].text,
            "It's five five five, 41, sixty six o two."
        );
    }

    #[test]
    fn numbers_given_in_turn_after_they_were_asked_for_are_masked() {
        // Two account numbers asked for at once, the second spoken by the next person.
        let (out, found) = redact_transcript(&Transcript {
            segments: vec![
                seg(
                    "I'd like to bring the Schwab accounts over. Do you have the account numbers handy?",
                ),
                seg("The joint one is 4417-2289. That's the big one, about 730,000."),
                seg("And my IRA there is, let me see, five two oh eight, three three nine one."),
            ],
        });
        assert_eq!(
            out.segments[1].text,
            "The joint one is ****-2289. That's the big one, about 730,000."
        );
        assert_eq!(
            out.segments[2].text,
            "And my IRA there is, let me see, **** *** ** *****, ***** ***** **** ***."
        );
        assert_eq!(
            found
                .iter()
                .filter(|(_, r)| r.kind == PiiKind::Account)
                .count(),
            2
        );
        // Social Security numbers asked for by the client, answered after the advisor's
        // reply, garbled ("for" for "four"), then read back.
        let (out, found) = redact_transcript(&Transcript {
            segments: vec![
                seg("Do you need our Social Security numbers for that?"),
                seg("Yes, for the new account forms."),
                seg("Mine is 517 for four, 2903."),
                seg("Let me read that back. Five one seven, four four, two nine zero three?"),
            ],
        });
        assert_eq!(out.segments[2].text, "Mine is *** *** ****, ****.");
        assert_eq!(
            out.segments[3].text,
            "Let me read that back. **** *** *****, **** ****, *** **** **** *****?"
        );
        assert_eq!(
            found.iter().filter(|(_, r)| r.kind == PiiKind::Ssn).count(),
            2
        );
    }

    #[test]
    fn masks_labelled_account_numbers_with_letters_and_a_bank_name() {
        let (out, found) = redact("The account number is Z 48-227-193. It's got about 640,000.");
        assert_eq!(
            out,
            "The account number is Z **-**7-193. It's got about 640,000."
        );
        assert_eq!(found[0].kind, PiiKind::Account);
        let (out, _) = redact("Their account at Summit Bank is 3304 7781 22.");
        assert_eq!(out, "Their account at Summit Bank is **** **81 22.");
        let (out, _) = redact("The brokerage is at Merrill, account 5J7-40921.");
        assert_eq!(out, "The brokerage is at Merrill, account *J*-*0921.");
    }
}
