//! Compliance flags.
//!
//! * `pii.*`: one flag per redaction (see [`crate::redact`]).
//! * `guarantee.*`, `performance.*`: advisor (or unknown) speech that promises outcomes or
//!   claims performance; negated forms ("I can't guarantee", "nobody beats the market
//!   every year") do not fire.
//! * `unsuitable.high_risk_for_income_client`: an advisor recommending a high-risk product
//!   (uncovered options, margin, leverage, crypto, penny stocks, concentrating a whole
//!   account) in a meeting where the client signalled they need safety or income (retired,
//!   living on the portfolio, conservative, can't afford losses).
//! * `complaint.*`: client dissatisfaction, unauthorized activity, escalation threats.
//!
//! Flagged sentences of the same kind in one segment become one flag spanning them.

use std::sync::LazyLock;

use regex::Regex;

use super::{Role, Sentence, re};
use crate::model::{ComplianceFlag, FlagKind, Span, Transcript};
use crate::redact::{PiiKind, Redaction};

/// Flags for the numbers the redactor found.
pub(crate) fn pii_flags(
    redacted: &Transcript,
    found: &[(usize, Redaction)],
) -> Vec<ComplianceFlag> {
    found
        .iter()
        .map(|(seg, r)| {
            let kind = match r.kind {
                PiiKind::Ssn => FlagKind::PiiSsn,
                PiiKind::Account => FlagKind::PiiAccount,
                PiiKind::Card => FlagKind::PiiCard,
            };
            let excerpt = redacted
                .segments
                .get(*seg)
                .map(|s| excerpt_around(&s.text, r.start, r.end))
                .unwrap_or_default();
            ComplianceFlag {
                rule_id: r.rule_id.clone(),
                kind,
                span: Span {
                    segment: *seg,
                    start: r.start,
                    end: r.end,
                },
                excerpt,
                redacted: r.hidden_digits > 0,
            }
        })
        .collect()
}

fn excerpt_around(text: &str, start: usize, end: usize) -> String {
    let mut a = start.saturating_sub(40);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (end + 40).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    text[a..b].trim().to_string()
}

struct Rule {
    id: &'static str,
    kind: FlagKind,
    pattern: Regex,
    /// If this matches the sentence, the rule does not fire.
    unless: Option<Regex>,
}

static NEGATED_GUARANTEE: &str = r"\b(?:can't|cannot|can not|won't|don't|no one can|nobody can|nothing is|not|never|no)\s+(?:\w+\s+)?(?:guarantee|promise)|\bno guarantees?\b|\bisn't guaranteed\b|\bnot guaranteed\b";

static ADVISOR_RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        Rule {
            id: "guarantee.promise",
            kind: FlagKind::Guarantee,
            pattern: re(
                r"\b(?:i|we) (?:can |will |absolutely |personally )?(?:guarantee|promise)\b|\bguaranteed? (?:to|you)\b|\bguaranteed (?:returns?|growth|gains?|profit)",
            ),
            unless: Some(re(&format!(
                // "One page, I promise.": a promise about the meeting, not about returns.
                r"{NEGATED_GUARANTEE}|,\s*(?:i|we) promise[.!]?\s*$"
            ))),
        },
        Rule {
            id: "guarantee.no_loss",
            kind: FlagKind::Guarantee,
            pattern: re(
                r"\b(?:won't|will not|can't|cannot|never|not going to) lose (?:any |a (?:dime|penny|cent)|money|a thing|anything)|\b(?:no|zero) risk\b|\brisk[- ]free\b|\bsure thing\b|\bcan't go wrong\b|\b(?:100|a hundred) percent safe\b|\bcompletely safe\b|\bcan't lose\b",
            ),
            unless: Some(re(
                // "I just can't lose it" is someone's fear for their own money (the client's,
                // heard without speaker labels), not a promise made to them.
                r"\b(?:(?:not going to|won't|will not|never|can't|cannot) (?:tell|say|promise|pretend)|not (?:saying|telling|promising|pretending))\b.{0,30}\b(?:risk[- ]free|no risk|sure thing)|\b(?:can't|cannot|can not|won't|not|no one can|nobody can) (?:\w+ )?(?:promise|guarantee)\b.{0,40}\b(?:won't|will not|never|can't|not going to) lose\b|\bno risk (?:debate|discussion|question|conversation|talk)\b|\bthere's no such thing as (?:no|zero) risk\b|\bnothing(?: is|'s) risk[- ]free\b|\bno (?:\w+ )?(?:is|are) risk[- ]free\b|\bnot risk[- ]free\b|\bisn't risk[- ]free\b|\baren't risk[- ]free\b|\bi (?:just |really |simply )?(?:can't|cannot) (?:afford to )?lose (?:it|this|that|everything|my)\b",
            )),
        },
        Rule {
            id: "performance.beat_market",
            kind: FlagKind::PerformanceClaim,
            pattern: re(
                r"\b(?:beat|beats|beaten|beating|outperform\w*|outpaced?)\b.{0,40}\b(?:market|s&p|index|indexes|benchmark|dow|nasdaq|everyone|everybody|competition)",
            ),
            unless: Some(re(
                r"\b(?:don't|do not|doesn't|can't|cannot|won't|no one|nobody|never try|not trying|hard to|nobody can|rarely)\b.{0,25}\b(?:beat|outperform)",
            )),
        },
        Rule {
            id: "performance.never_down",
            kind: FlagKind::PerformanceClaim,
            pattern: re(
                r"\b(?:never|not once)\b.{0,20}\b(?:losing|down|negative|bad) (?:month|year|quarter)|\bevery (?:single )?year\b.{0,30}\b(?:up|positive|gains?|made money)\b|\bup while (?:everyone|everybody|the market|others)|\bnever had a client (?:run out of money|lose money|lose a (?:dime|penny))",
            ),
            // "… every year, and someone who picks up the phone."
            unless: Some(re(
                r"\b(?:picks?|picked|picking|sets?|follows?|shows?|signs?) up\b",
            )),
        },
        Rule {
            id: "performance.return_claim",
            kind: FlagKind::PerformanceClaim,
            pattern: re(
                r"\b(?:averaged?|averaging|returned|earned|made|gained|delivered)\b.{0,25}\b(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)[ -]?(?:percent|%)|\b(?:doubled|tripled)\b.{0,15}\bmoney\b|\b(?:are|were|was|is|been) up (?:over |about |nearly |almost )?\d+(?:\.\d+)? ?(?:percent|%)",
            ),
            unless: Some(re(
                r"\b(?:expect|assume|assuming|projection|project|hypothetical|if)\b",
            )),
        },
    ]
});

static CLIENT_RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        Rule {
            id: "complaint.dissatisfied",
            kind: FlagKind::Complaint,
            pattern: re(
                r"\b(?:i'm|i am|we're|we are|i was|we were|i've been|we've been|i feel|we feel)\b(?:\s+\w+){0,2}?\s+(?:upset|angry|frustrated|disappointed|unhappy|not happy|furious|annoyed|fed up|livid|let down)\b|\bkept (?:me |us )?in the dark\b|\b(?:this|that) is unacceptable\b|\bthat's unacceptable\b|\b(?:not|isn't|is not) (?:\w+ )?acceptable\b|\bthat's not how you treat\b|\bthis is not how you treat\b",
            ),
            // "It's not that we're unhappy, exactly."
            unless: Some(re(r"\bnot that (?:i'm|we're|i am|we are|i was|we were)\b")),
        },
        Rule {
            id: "complaint.unauthorized",
            kind: FlagKind::Complaint,
            pattern: re(
                r"\b(?:never|didn't|did not|don't remember)\s+(?:authoriz|approv|agree)\w*|\bunauthori[sz]ed\b|\bthat's not what (?:i|we) (?:agreed|asked|wanted|said|signed)|\bwithout (?:my|our) (?:permission|consent|approval)",
            ),
            unless: None,
        },
        Rule {
            id: "complaint.service",
            kind: FlagKind::Complaint,
            pattern: re(
                r"\bnobody (?:called|got back|returned|explained|told|bothered|thought about|cared)\b|\bno one (?:called|got back|returned|explained|told)\b|\byou never (?:told|explained|called|mentioned)\b|\bi was never told\b|\bnever (?:called|got back to) (?:me|us)\b|\bnever heard (?:anything|back)\b|\b(?:charged|billed) (?:me|us) (?:\w+ ){0,3}twice\b|\bdouble[- ](?:charged|billed)\b|\band (?:no|not a single|not one) (?:phone )?(?:calls?|call back|returned calls?)\b|\bi want (?:my|our|the) (?:\$?\d[\d,]* |money )?back\b|\bdidn't get (?:sold|bought|placed|executed|done) until\b|\b(?:your|your office's|your team's|the firm's) (?:mistake|error|screw-?up)\b|\bdropped the ball\b",
            ),
            unless: None,
        },
        Rule {
            id: "complaint.escalation",
            kind: FlagKind::Complaint,
            pattern: re(
                r"\b(?:file|filing|make|making|lodge) (?:a |an )?(?:formal )?complaint\b|\bspeak (?:to|with) (?:your|a|the) (?:supervisor|manager|boss|compliance)|\breviewed by someone (?:else|other)|\b(?:i'm|we're|i am|we are|i'll be|we'll be) (?:moving|taking|pulling|transferring) (?:my|our|all my|all our) (?:accounts?|money|business|assets)\b|\breport (?:you|this) to\b",
            ),
            unless: Some(re(r"\b(?:to you|over to you|over here|here)\b")),
        },
    ]
});

static HIGH_RISK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:uncovered|naked) (?:call|put|option)s?|\bselling (?:call|put)s?\b|\boptions? (?:trading|strateg\w+)\b|\bmargin\b|\b(?:triple|double|2x|3x|two times|three times)[- ]?(?:leveraged)?\b.{0,10}\b(?:etf|fund)|\bleveraged\b|\binverse etf\b|\bcrypto\w*|\bbitcoin\b|\bdigital assets?\b|\bpenny stocks?\b|\bday trad\w+|\bprivate placement|\bnon-traded reit|\bspeculative\b|\b(?:the whole|your whole|your entire|the entire|all of your) (?:\d[\d,]*|account|ira|portfolio|savings|nest egg|retirement)",
    )
});
static RECOMMEND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:i want to|i'd like to|i think you should|you should|i recommend|i'd recommend|i suggest|i'd suggest|my recommendation|let's|we should|we'll put|i'm going to put|we're going to put|put)\b",
    )
});
static NEEDS_SAFETY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:i'm retired|we're retired|retiree|pay (?:my|our|the) bills|living on|live on|fixed income|need (?:the|that|this) (?:income|check)|need income|can't afford to lose|cannot afford to lose|don't want to lose|all (?:i|we) have|safety net|conservative|widow\w*|i'm (?:7|8|9)\d\b|pension\w*|can't afford to (?:gamble|risk)|(?:has|have|needs?) to last (?:me|us)|need (?:this|it|that|the money) to be safe|money (?:we|i) (?:can't|cannot) lose|(?:i|we) want it safe)",
    )
});

fn fire(rules: &[Rule], s: &Sentence<'_>) -> Option<(&'static str, FlagKind)> {
    rules.iter().find_map(|r| {
        let hit = r.pattern.is_match(&s.lower);
        let vetoed = r.unless.as_ref().is_some_and(|u| u.is_match(&s.lower));
        (hit && !vetoed).then_some((r.id, r.kind))
    })
}

/// Conduct flags (guarantee, performance claim, unsuitable, complaint) from sentences.
pub(crate) fn conduct_flags(sents: &[Sentence<'_>]) -> Vec<ComplianceFlag> {
    let needs_safety = sents
        .iter()
        .any(|s| matches!(s.role, Role::Client | Role::Unknown) && NEEDS_SAFETY.is_match(&s.lower));
    let mut flags: Vec<ComplianceFlag> = Vec::new();
    for s in sents {
        let mut hits: Vec<(&'static str, FlagKind)> = Vec::new();
        if matches!(s.role, Role::Advisor | Role::Unknown) {
            hits.extend(fire(&ADVISOR_RULES, s));
            if needs_safety && HIGH_RISK.is_match(&s.lower) && RECOMMEND.is_match(&s.lower) {
                hits.push((
                    "unsuitable.high_risk_for_income_client",
                    FlagKind::Unsuitable,
                ));
            }
        }
        if matches!(s.role, Role::Client | Role::Unknown) {
            hits.extend(fire(&CLIENT_RULES, s));
        }
        for (id, kind) in hits {
            // One flag of a kind per turn: "With the thing I'm upset about. Your office mailed
            // my statement to Greg. … I never authorized anyone to send him anything." is one
            // complaint, spanning the sentences between.
            if let Some(prev) = flags.iter_mut().rev().find(|f| f.kind == kind)
                && prev.span.segment == s.segment
            {
                prev.span.end = s.end;
                prev.excerpt = format!("{} {}", prev.excerpt, s.text.trim());
                continue;
            }
            flags.push(ComplianceFlag {
                rule_id: id.to_string(),
                kind,
                span: s.span(),
                excerpt: s.text.trim().to_string(),
                redacted: false,
            });
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conduct flags raised on a short exchange between Dana (the advisor) and Robert
    /// (the client), as (kind, segment).
    fn flagged(lines: &[(&str, &str)]) -> Vec<(FlagKind, usize)> {
        let (transcript, ctx) = super::super::exchange(lines);
        let sents = super::super::sentences(&transcript, &ctx);
        conduct_flags(&sents)
            .into_iter()
            .map(|f| (f.kind, f.span.segment))
            .collect()
    }

    /// (speaker, text) lines of one exchange.
    type Exchange<'a> = &'a [(&'a str, &'a str)];

    #[test]
    fn conduct_flags_and_their_near_misses() {
        use FlagKind::*;
        let cases: &[(Exchange<'_>, &[(FlagKind, usize)])] = &[
            (
                &[("Dana", "I guarantee you won't lose money on this.")],
                &[(Guarantee, 0)],
            ),
            // Near misses: a promise not made, a promise about the meeting.
            (
                &[(
                    "Dana",
                    "Unlike the guy with the bagels, I can't promise any of these funds won't lose money in a bad year.",
                )],
                &[],
            ),
            (&[("Dana", "I'm not saying this is risk-free.")], &[]),
            (&[("Dana", "One page, I promise.")], &[]),
            // One complaint per turn, whatever sentences it takes.
            (
                &[(
                    "Robert",
                    "With the thing I'm upset about. Your office mailed my statement to Greg. I never authorized anyone to send him anything.",
                )],
                &[(Complaint, 0)],
            ),
            (
                &[(
                    "Robert",
                    "The school charged us a late fee because of your office's mistake. This is the second time your office has dropped the ball on us.",
                )],
                &[(Complaint, 0)],
            ),
            (
                &[
                    (
                        "Robert",
                        "This is money we cannot lose. It's the house. I want it safe.",
                    ),
                    (
                        "Dana",
                        "Honestly, for the house fund I'd put the whole 19,000 in TQQQ, the triple-leveraged Nasdaq fund.",
                    ),
                ],
                &[(Unsuitable, 1)],
            ),
            // A client who needs the money safe, then leverage recommended.
            (
                &[
                    (
                        "Robert",
                        "This money has to last me the rest of my life. I can't afford to gamble with it.",
                    ),
                    (
                        "Dana",
                        "I want to put 600,000 of that into our strategy, which uses two-times leveraged ETFs.",
                    ),
                ],
                &[(Unsuitable, 1)],
            ),
        ];
        for (lines, expected) in cases {
            assert_eq!(flagged(lines), *expected, "{lines:?}");
        }
    }
}
