//! Meeting intelligence for Hearth: from a transcript to suggested notes, action items,
//! client facts, compliance flags and a follow-up e-mail draft.
//!
//! * One result type, [`Analysis`]; every output cites a [`Span`] (segment index + byte
//!   range in that segment's text).
//! * One trait, [`Engine`], with two engines: [`LocalEngine`] (rules, dictionaries, date
//!   arithmetic; deterministic and offline) and [`LlmEngine`] (OpenAI-compatible or
//!   Anthropic; only constructible from a config with `llm_enabled`). [`FallbackEngine`]
//!   runs the LLM when there is one and keeps the local result, with the reason, whenever the
//!   LLM fails in any way.
//! * [`redact()`] masks SSNs, account numbers and card numbers, length-preserving, so raw
//!   numbers never reach an [`Analysis`] (or an LLM).
//! * [`resolve_due`] turns "by Friday", "end of the quarter", "in two weeks" into dates; the
//!   conventions are documented in [`dates`].
//! * [`filing`] turns reviewed items into `hearth-core` tasks, client facts and notes.
//! * Drafts are drafts: nothing in this crate sends e-mail.
//!
//! # Quality bars (local engine, labelled corpus in `tests/fixtures/meetings/`)
//!
//! The `corpus` integration test scores the local engine on the labelled transcripts and
//! fails below these bars:
//!
//! | scope | kind | bar |
//! |---|---|---|
//! | all | compliance flags | recall ≥ 0.80 and precision ≥ 0.70 |
//! | all | action items | F1 ≥ 0.70 |
//! | all | facts | F1 ≥ 0.60 |
//! | holdout | compliance flags | recall ≥ 0.70 |
//! | holdout | action items | F1 ≥ 0.60 |
//! | holdout2–holdout5 | action items | F1 ≥ 0.85 |
//! | holdout2–holdout5 | compliance flags | recall ≥ 0.9 |
//! | holdout2–holdout5 | owner / due-date accuracy (of items matched by wording) | ≥ 0.9 / ≥ 0.85 |
//! | holdout6 (blind, then tuned on once) | action F1 / owner / due | ≥ 0.68 / ≥ 0.9 / ≥ 0.9 |
//! | holdout7 (the latest blind set) | action F1 / owner / due | ≥ 0.67 / ≥ 0.9 / ≥ 0.88 |
//! | holdout6, holdout7 | compliance flags | recall ≥ 0.9 |
//! | holdout2 | facts | F1 ≥ 0.75 |
//! | asr | action items; flags; owner / due | F1 ≥ 0.45; recall ≥ 0.65, ≤ 1 false; ≥ 0.75 / ≥ 0.65 |
//! | holdout–holdout7 | false guarantee or performance flags | none |
//! | holdout–holdout7, asr | follow-ups greeting exactly the adults who took part | all |
//!
//! Matching rules: a predicted flag is correct if it overlaps a labelled flag of the same
//! kind, and a labelled flag is found if some predicted flag of its kind overlaps it (spans
//! are sentence-level, so this is lenient on boundaries, not on kind); facts likewise on kind +
//! overlapping span; action items are matched one-to-one on owner + identical due date (or
//! both undated) + word overlap (at least one shared content word and at least 30% of the
//! smaller item's content words). Run
//! `cargo test -p hearth-intel --test corpus -- --nocapture` for the per-kind table, with
//! `INTEL_CORPUS_VERBOSE=1` to list every miss and false alarm.
//!
//! **Honesty note.** 17 transcripts (`m*`, split `dev`) were written first and the rules were
//! developed against them, so dev scores are optimistic. 9 (`h*`, split `holdout`) were written
//! after the rules. Their first, blind run scored: action items P 0.74 / R 0.74 (F1 0.74),
//! facts P 0.86 / R 0.43 (F1 0.57), flags P 1.00 / R 0.45 (F1 0.62). Some general gaps that run
//! exposed were then fixed (account numbers after "there is", "not acceptable" / "charged me
//! twice" complaints, "digital assets", "up 60 percent", "this weekend"), so later holdout
//! numbers are no longer blind; the blind numbers above are the better estimate of how the
//! rules do on unseen meetings, especially for complaint wording.
//!
//! 15 more (`h27`–`h41`, split `holdout2`) were written blind for issue 15 by someone who had
//! not read the rules, around the failures advisors reported (greetings, two commitments in
//! one sentence, ordinal days, advisor opinions vs client facts, garbled SSNs). Their first
//! run, before any change: action items P 0.66 / R 0.49 (F1 0.56), owner accuracy 0.90,
//! due-date accuracy 0.69, facts F1 0.62, flags P 0.94 / R 0.52, one false guarantee flag,
//! greetings right 6/15. After the general fixes (greeting from participants and ages,
//! ordinal days, "… and you'll …" / "… and she'll …" split into their own items, "before
//! then", spoken SSNs, named non-advisor speakers on the client side, risk/health/life
//! vocabulary, negated "risk-free"): action items P 0.81 / R 0.70 (F1 0.76), owner 0.96,
//! due dates 0.85, facts F1 0.79, flags P 1.00 / R 1.00, no false conduct flags, greetings
//! 15/15. The action-item goal (F1 ≥ 0.85) was not met; what was left was mostly wording the
//! clause cutter misses ("do mine", "upload mine") and commitments phrased without a trigger.
//!
//! **Third round.** 15 more (`h61`–`h75`, split `holdout3`) were written blind by a helper who
//! read only the fixture format, while the rules were being improved on `holdout` and
//! `holdout2` (which are therefore no longer blind: a wider verb list, the firm's staff
//! committing for the advisor, "you and Mike can …", "… and you two sign it by Friday", a
//! date that opens the sentence, "you'll have it within two weeks", "the same day", accepted
//! offers, "let's …" taken on by the speaker, instructions that open a sentence, pronouns
//! resolved to the earlier item of the sentence, an answer that changes what was asked).
//! Measured once, with only two labels corrected first (the brief had given the labeller a
//! wrong convention for "end of next week"): the rules before the round scored action items
//! P 0.75 / R 0.77 (F1 0.76), owner 0.98, due 0.89, facts F1 0.49, flags P 0.90 / R 0.75, one
//! false guarantee flag; after it, P 0.75 / R 0.80 (F1 0.77). The gains on the seen splits
//! (holdout2 0.76 → 0.90) hardly carried over: most of them fitted how the earlier fixtures
//! were written. The round then continued on `holdout3` itself (third-person household
//! commitments — "Frank's going to call …", "Erik can drop it off" —, "when the paperwork
//! comes, forward it to me", a clause-final "then", "this quarter's fee" not being a date,
//! "I'm not going to tell you anything is risk-free" not being a guarantee, "no phone calls"
//! as a complaint, a second SSN asked for as "his number", an account number read back
//! without its label now masked, and health/goal/risk vocabulary): holdout3 action items
//! P 0.85 / R 0.94 (F1 0.89), due 0.97, facts F1 0.64, flags 1.00 / 1.00; holdout2 F1 0.92.
//! `h76`–`h90` (split `holdout4`) were written blind after that, by another helper with
//! another brief (different topics and speaking styles). **Their first run is the honest
//! estimate for unseen meetings:** action items P 0.66 / R 0.72 (F1 0.69), owner 1.00, due
//! 0.86, facts F1 0.43, flags P 0.73 / R 0.62 with three false conduct flags ("One page, I
//! promise.", "no risk debate needed", "someone who picks up the phone" after "every year"),
//! greetings 15/15, and one account number not masked (given after "Do you have the account
//! number handy?" with no label in its own sentence). The rules from before the round score
//! F1 0.66 there: the round's action-item work, worth +0.16 on the splits it was done on, was
//! worth +0.03 on meetings nobody had tuned for. Rules that look for phrasings reach about
//! 0.7 on meetings written by someone else; the 0.85 goal needs a model that reads the
//! meeting (the on-device engine with a capable model, `hearth models`), which cannot be
//! obtained here to measure. After that run, the masking gap and the three false flags were
//! fixed (an account number given in answer to a question about it; a trailing "I promise";
//! "no risk debate"; "picks up" is not "up"), plus "nobody bothered to call me" as a
//! complaint: holdout4 flags P 1.00 / R 0.92, no false flags.
//!
//! **Fourth round,** on holdout4 (now seen): "you'll hear back from me by Monday", "expect an
//! email from me Monday with …", a request answered in the next turn by a commitment (one
//! item, the committed date, "(re: …)" what was asked), an acknowledgement whose "it" is what
//! was just asked of the other side, "X will have to dig up …", "go ahead and send …", "let
//! me check…" as thinking aloud, "call me any time" as no task, and a pronoun resolved to a
//! sentence naming a document when the turn before is a different speaker's. Seen splits:
//! holdout4 F1 0.87, holdout3 0.91, holdout2 0.91, dev 0.89. `h91`–`h105` (split
//! `holdout5`) were written blind meanwhile, by a third helper with the date conventions
//! given correctly and other speaking styles. **Their first run** (the rules of the fourth
//! round, e0ad9cf): action items P 0.72 / R 0.62 (F1 0.67), owner 0.90, due 0.85, facts F1
//! 0.56, flags P 0.78 / R 0.67 with one false guarantee flag ("I'm not saying this is
//! risk-free"), greetings 15/15, no raw number in any analysis. The same meetings with the
//! rules from before the third round (a43a1cc): F1 0.56, due 0.75, flags 0.70 / 0.67 with two
//! false flags; with the third round's rules (39a7efc): F1 0.67. So on meetings nobody tuned
//! for, the third round was worth +0.11 action F1 and +0.10 due-date accuracy, the fourth
//! nothing measurable. **Unseen-meeting action F1 stays at 0.67–0.69 across two independent
//! blind sets: the 0.85 is not reached by rules, and nothing here can measure the
//! recommended language model that might reach it.** After that run, fixed: "not saying …
//! risk-free" and "not that we're unhappy" no longer flag, "I want the 6,400 back" and
//! "didn't get sold until Thursday" are complaints, and a spoken SSN given in turn ("Mine is
//! six four oh, …") is masked: holdout5 flags P 1.00 / R 0.92, no false flags.
//!
//! **Fifth round,** on holdout5 (now seen; 2026-12-07, b80c7c0–b129e13): "would you mind
//! …ing", "can I ask you to", "we need you to", homework labels and numbered instructions,
//! "have an attorney look at it", "you'll have both / a written answer from us / an email from
//! me with it" as the speaker's delivery, "the team will", more task verbs, "the paperwork is
//! on me", and not tasks ("let's see how it goes", "here's what we'll do,", "Vanguard will …
//! on its own", "the year-end tax documents", "no decision today"); facts: an amount in a
//! named account is the account, and risk/goal/health wording. holdout5 action F1 0.67 →
//! 0.88, facts 0.56 → 0.70; no split lower. `h106`–`h120` (split `holdout6`) were written
//! blind meanwhile by a fourth helper, asked for hedged, passive, delegated and revised
//! commitments. **Their first run** (b129e13): action items P 0.59 / R 0.56 (F1 0.58), owner
//! 0.91, due 0.85, facts F1 0.63, flags P 0.67 / R 0.50 with one false guarantee flag ("I
//! can't promise any of these funds won't lose money"), greetings 15/15 — and two numbers
//! left in clear (an account number given after "account numbers" in the plural, and the
//! next person's spoken one) plus a garbled SSN ("517 for four, 2903") and its read-back. The
//! rules from before the round (a4727c0) score F1 0.56 and facts 0.57 there: the fifth round
//! was worth +0.02 action F1 and +0.06 facts F1 on meetings nobody tuned for. After that run,
//! fixed: both masking gaps, the SSN, the false flag, "has to last me" as a need for safety,
//! and one complaint flag per turn: holdout6 flags P 1.00 / R 1.00, no false flags.
//!
//! **Sixth round,** on holdout6 (now seen): the firm's people by name ("Keiko on my team …,
//! and she'll reach out Monday"), "I should be able to …", "you'll have a signed letter by …"
//! answering a request, "the paperwork goes out Friday", and recaps that move the tasks they
//! name to the date said last ("Dana sends the forms tomorrow, I call my sister this
//! weekend", "Thursday for the comparison, Monday for Kevin"); facts vocabulary from its
//! misses. holdout6 action F1 0.58 → 0.70, facts 0.63 → 0.79; no split lower.
//! `h121`–`h135` (split `holdout7`) were written blind meanwhile by a fifth helper, in
//! settings the earlier sets lack (a phone check-in, an associate who takes tasks, a lawyer
//! dictating her list, a daughter with power of attorney, an interpreter, a client who recaps
//! everything). **Their first run** (0127386): action items P 0.67 / R 0.71 (F1 0.69), owner
//! 0.91, due 0.90, facts F1 0.59, flags P 1.00 / R 0.81, no false conduct flags, greetings
//! 15/15, no raw number in any analysis. The same meetings with the rules from before this
//! work (a4727c0): F1 0.64, owner 0.89, due 0.87, facts 0.52; after the fifth round only
//! (b129e13): F1 0.65, facts 0.58. So on unseen meetings the fifth round was worth +0.01 and
//! the sixth (recaps, the firm's people, hedged and passive commitments) +0.04; **on the last
//! four blind sets (holdout4–7) the rules reach 0.58–0.69 action F1, never the issue's
//! 0.85.** After that run, fixed: "money we cannot lose" / "I want it safe" as a need for
//! safety before a triple-leveraged fund, and "your office's mistake", "dropped the ball" as
//! complaints: holdout7 flags P 1.00 / R 1.00. Then, on holdout7 (now seen): the advisor's
//! associate or branch manager, introduced as such ("Simone, my associate advisor"), speaks
//! for the firm, and a list a client announces as her own ("My list. One, …") is hers:
//! holdout7 action F1 0.74, owner 0.98.
//!
//! **Recognised speech** (split `asr`: twenty of these meetings — h27–h41 and h18–h22 —
//! spoken by espeak-ng and transcribed by whisper tiny.en segment by segment, no speaker
//! labels): action items P 0.60 / R 0.44 (F1 0.51), owner 0.83 (every owner a guess without
//! speakers), due dates 0.74, facts F1 0.67, flags P 0.96 / R 0.70 (0.60 before card and
//! account numbers written with thousands separators after a card or account cue were
//! recognised), one false guarantee flag (whisper heard "can't promise" as "can promise"),
//! greetings 15/15. Recognition errors in the verbs and dates of commitments are most of the
//! action-item gap; two-stream capture (speakers from the devices) settles owners.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod dates;
pub mod email;
pub mod eval;
pub mod filing;
pub mod llm;
mod local;
pub mod model;
pub mod on_device;
pub mod redact;

pub use dates::{find_due_phrase, resolve_due};
pub use email::{Member, draft_email, greeting_names};
pub use filing::{
    FilingPlan, Review, client_fact_from_fact, notes_for_filing, plan_filing, task_from_action_item,
};
pub use llm::{ApiKey, LlmConfig, LlmEngine, LlmProvider, wire_schema};
pub use local::{LocalEngine, content_words};
pub use model::*;
pub use on_device::{GenerateError, Generation, GenerationStats, OnDeviceEngine, TextGenerator};
pub use redact::{PiiKind, Redaction, redact, redact_text, redact_transcript};

/// Compliance flags (`redacted: true`) for numbers the redactor masked in a transcript: lets a
/// caller that stores only the redacted transcript keep the record that something was masked.
pub fn redaction_flags(redacted: &Transcript, found: &[(usize, Redaction)]) -> Vec<ComplianceFlag> {
    local::flags::pii_flags(redacted, found)
}

/// Everything that can go wrong in this crate. Messages never contain an API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntelError {
    /// The firm has not enabled LLM use; no LLM engine can be built.
    #[error("LLM use is not enabled for this firm")]
    LlmDisabled,
    /// The request did not complete (connection refused, TLS, reading the body).
    #[error("LLM request failed: {0}")]
    Http(String),
    /// The request timed out.
    #[error("LLM request timed out")]
    Timeout,
    /// The server answered with an error status (after any retries).
    #[error("LLM server answered {status}: {detail}")]
    Status {
        /// HTTP status code.
        status: u16,
        /// The start of the body (scrubbed).
        detail: String,
    },
    /// The answer did not parse or failed validation.
    #[error("LLM output rejected: {0}")]
    InvalidLlmOutput(String),
    /// A review referred to an item that does not exist.
    #[error("review refers to {what} #{index}, which does not exist")]
    InvalidReview {
        /// "action item" or "fact".
        what: &'static str,
        /// The bad index.
        index: usize,
    },
}

impl IntelError {
    fn scrubbed(self, scrub: impl Fn(&str) -> String) -> Self {
        match self {
            IntelError::Http(m) => IntelError::Http(scrub(&m)),
            IntelError::Status { status, detail } => IntelError::Status {
                status,
                detail: scrub(&detail),
            },
            IntelError::InvalidLlmOutput(m) => IntelError::InvalidLlmOutput(scrub(&m)),
            other => other,
        }
    }
}

/// Something that can analyse a meeting transcript.
pub trait Engine {
    /// Analyses `transcript` in the light of `ctx`.
    fn analyze(
        &self,
        transcript: &Transcript,
        ctx: &MeetingContext,
    ) -> Result<Analysis, IntelError>;
}

/// Which engine produced an [`Outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EngineUsed {
    /// The rules engine.
    Local,
    /// The LLM (validated, merged with local compliance flags).
    Llm,
    /// The language model on this computer (validated, unsourced items left out, merged
    /// with local compliance flags).
    OnDevice,
}

/// The result of [`FallbackEngine::analyze_with_fallback`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The analysis to show for review.
    pub analysis: Analysis,
    /// Which engine it came from.
    pub engine: EngineUsed,
    /// Why the LLM result was not used, when an LLM was configured but failed (or was
    /// disabled).
    pub fallback_reason: Option<String>,
}

/// Runs the LLM engine if there is one, and the local engine otherwise or whenever the LLM
/// fails in any way.
///
/// Order: the cloud LLM when the firm enabled one (an explicit choice), else the on-device
/// model when one is installed, else the rules; whichever model fails, the rules' analysis
/// is shown with the reason.
#[derive(Debug)]
pub struct FallbackEngine {
    llm: Option<LlmEngine>,
    on_device: Option<OnDeviceEngine>,
    disabled_reason: Option<String>,
}

impl FallbackEngine {
    /// Local only.
    pub fn local_only() -> Self {
        Self {
            llm: None,
            on_device: None,
            disabled_reason: None,
        }
    }

    /// Adds the on-device model (used when no cloud LLM is enabled).
    pub fn with_on_device(mut self, engine: OnDeviceEngine) -> Self {
        self.on_device = Some(engine);
        self
    }

    /// The on-device engine, if one was added (its [`OnDeviceEngine::last_stats`]).
    pub fn on_device(&self) -> Option<&OnDeviceEngine> {
        self.on_device.as_ref()
    }

    /// Uses the LLM when the firm config enables it; otherwise local only (and the outcome
    /// says why).
    pub fn from_config(config: LlmConfig, key: Option<ApiKey>) -> Self {
        match LlmEngine::new(config, key) {
            Ok(llm) => Self {
                llm: Some(llm),
                on_device: None,
                disabled_reason: None,
            },
            Err(e) => Self {
                llm: None,
                on_device: None,
                disabled_reason: Some(e.to_string()),
            },
        }
    }

    /// Analyses with the LLM if configured, falling back to the local result.
    pub fn analyze_with_fallback(&self, transcript: &Transcript, ctx: &MeetingContext) -> Outcome {
        let local = || local::analyze_local(transcript, ctx);
        let (result, engine) = match (&self.llm, &self.on_device) {
            (Some(llm), _) => (llm.analyze(transcript, ctx), EngineUsed::Llm),
            (None, Some(on_device)) => (on_device.analyze(transcript, ctx), EngineUsed::OnDevice),
            (None, None) => {
                return Outcome {
                    analysis: local(),
                    engine: EngineUsed::Local,
                    fallback_reason: self.disabled_reason.clone(),
                };
            }
        };
        match result {
            Ok(analysis) => Outcome {
                analysis,
                engine,
                fallback_reason: None,
            },
            Err(e) => {
                tracing::warn!(error = %e, "LLM analysis failed; using the local result");
                Outcome {
                    analysis: local(),
                    engine: EngineUsed::Local,
                    fallback_reason: Some(e.to_string()),
                }
            }
        }
    }
}

impl Engine for FallbackEngine {
    fn analyze(
        &self,
        transcript: &Transcript,
        ctx: &MeetingContext,
    ) -> Result<Analysis, IntelError> {
        Ok(self.analyze_with_fallback(transcript, ctx).analysis)
    }
}
