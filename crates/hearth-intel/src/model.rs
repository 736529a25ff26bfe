//! The input (transcript, meeting context) and output ([`Analysis`]) types shared by every
//! engine.

use chrono::NaiveDate;
use hearth_core::NoteCategory;
use serde::{Deserialize, Serialize};

/// One diarized stretch of speech.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Segment {
    /// Start, milliseconds from the start of the recording.
    pub start_ms: u64,
    /// End, milliseconds from the start of the recording.
    pub end_ms: u64,
    /// Speaker label from diarization (a name, or `None` when unknown).
    #[serde(default)]
    pub speaker: Option<String>,
    /// What was said.
    pub text: String,
}

/// A meeting transcript: segments in recording order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Transcript {
    /// The segments, in order. Spans refer to them by index.
    pub segments: Vec<Segment>,
}

impl Transcript {
    /// The text a span covers, if the span is valid for this transcript.
    pub fn text_of(&self, span: &Span) -> Option<&str> {
        self.segments
            .get(span.segment)
            .and_then(|s| s.text.get(span.start..span.end))
    }

    /// Whether `span` lies inside this transcript (segment exists, offsets on char
    /// boundaries, `start <= end <= len`).
    pub fn contains_span(&self, span: &Span) -> bool {
        self.text_of(span).is_some()
    }
}

/// Tone of the follow-up e-mail draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Friendly but professional (the default).
    #[default]
    ProfessionalWarm,
    /// Formal letter style.
    Formal,
    /// Relaxed, first-name style.
    Conversational,
}

/// What the engine needs to know about the meeting besides the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingContext {
    /// Date of the meeting: the anchor for relative due dates.
    pub meeting_date: NaiveDate,
    /// Household name, e.g. "The Henderson Family".
    pub household_name: String,
    /// The advisor leading the meeting (matched against speaker labels).
    pub advisor_name: String,
    /// The household's clients (matched against speaker labels).
    pub client_names: Vec<String>,
    /// Who the follow-up e-mail greets, full names ([`crate::greeting_names`]: adult household
    /// members who took part). `None` (an older caller): `client_names`. Empty: a neutral
    /// greeting.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub greeted: Option<Vec<String>>,
    /// Tone for the follow-up draft.
    #[serde(default)]
    pub tone: Tone,
}

/// Where in the transcript an output comes from: a segment index and a byte range in that
/// segment's text.
///
/// Redaction is length-preserving (digits become `*`), so a span is valid both in the raw
/// transcript and in its redacted form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Span {
    /// Index into [`Transcript::segments`].
    pub segment: usize,
    /// Start byte offset into the segment text (inclusive).
    pub start: usize,
    /// End byte offset into the segment text (exclusive).
    pub end: usize,
}

impl Span {
    /// Whether two spans share at least one byte (same segment, overlapping ranges).
    pub fn overlaps(&self, other: &Span) -> bool {
        self.segment == other.segment && self.start < other.end && other.start < self.end
    }
}

/// Who owns an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// The advisor (or the advisor's firm).
    Advisor,
    /// The client household.
    Client,
}

/// A suggested note in one of Hearth's five categories; a draft until the advisor
/// certifies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestedNote {
    /// Category it would be filed under.
    pub category: NoteCategory,
    /// Note text (redacted).
    pub text: String,
    /// Transcript spans the note is based on.
    pub spans: Vec<Span>,
}

/// Something someone agreed to do after the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionItem {
    /// What has to be done (redacted).
    pub what: String,
    /// Who does it.
    pub owner: Owner,
    /// Due date resolved against the meeting date, if one was stated.
    pub due: Option<NaiveDate>,
    /// The phrase the due date came from, e.g. "by Friday".
    pub due_phrase: Option<String>,
    /// Where it was said.
    pub span: Span,
    /// The owner is a guess: nobody is named as the speaker of the sentence (one microphone
    /// in a room, no relabelling), so "I'll …" was taken as the advisor's. The review says
    /// so, and relabelling the speakers settles it.
    #[serde(default)]
    pub owner_guessed: bool,
}

/// The kind of a client fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// Retirement, job change, home purchase or sale, pension change.
    LifeEvent,
    /// Something the client wants to achieve.
    Goal,
    /// How much risk the client is willing to take.
    RiskTolerance,
    /// Marriage, divorce, birth, death, a parent needing care.
    FamilyChange,
    /// An account or asset the household holds.
    Account,
    /// A money amount: spending, income, balance, gift.
    Amount,
    /// An insurance policy held or missing.
    Insurance,
    /// A health matter the client disclosed.
    Health,
}

impl FactKind {
    /// Every kind.
    pub const ALL: &'static [FactKind] = &[
        FactKind::LifeEvent,
        FactKind::Goal,
        FactKind::RiskTolerance,
        FactKind::FamilyChange,
        FactKind::Account,
        FactKind::Amount,
        FactKind::Insurance,
        FactKind::Health,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            FactKind::LifeEvent => "life_event",
            FactKind::Goal => "goal",
            FactKind::RiskTolerance => "risk_tolerance",
            FactKind::FamilyChange => "family_change",
            FactKind::Account => "account",
            FactKind::Amount => "amount",
            FactKind::Insurance => "insurance",
            FactKind::Health => "health",
        }
    }
}

/// A fact about the client, as suggested by the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Fact {
    /// What sort of fact.
    pub kind: FactKind,
    /// Key it would be filed under, e.g. "risk_tolerance", "monthly_amount".
    pub key: String,
    /// The value (redacted), e.g. "conservative" or the statement itself.
    pub value: String,
    /// Where it was said.
    pub span: Span,
    /// Confidence between 0 and 1.
    pub confidence: f64,
}

/// The kind of a compliance flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// The advisor guaranteed an outcome or said there is no risk.
    Guarantee,
    /// The advisor claimed past or certain performance.
    PerformanceClaim,
    /// A high-risk recommendation to a client whose situation calls for safety or income.
    Unsuitable,
    /// The client complained.
    Complaint,
    /// A Social Security number was spoken.
    PiiSsn,
    /// An account number was spoken.
    PiiAccount,
    /// A payment card number was spoken.
    PiiCard,
}

impl FlagKind {
    /// Every kind.
    pub const ALL: &'static [FlagKind] = &[
        FlagKind::Guarantee,
        FlagKind::PerformanceClaim,
        FlagKind::Unsuitable,
        FlagKind::Complaint,
        FlagKind::PiiSsn,
        FlagKind::PiiAccount,
        FlagKind::PiiCard,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            FlagKind::Guarantee => "guarantee",
            FlagKind::PerformanceClaim => "performance_claim",
            FlagKind::Unsuitable => "unsuitable",
            FlagKind::Complaint => "complaint",
            FlagKind::PiiSsn => "pii_ssn",
            FlagKind::PiiAccount => "pii_account",
            FlagKind::PiiCard => "pii_card",
        }
    }

    /// Whether the flag is about sensitive numbers (as opposed to conduct).
    pub fn is_pii(&self) -> bool {
        matches!(
            self,
            FlagKind::PiiSsn | FlagKind::PiiAccount | FlagKind::PiiCard
        )
    }
}

/// Something compliance should see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComplianceFlag {
    /// Stable id of the rule that fired, e.g. "guarantee.no_loss" or "llm.guarantee".
    pub rule_id: String,
    /// What kind of problem.
    pub kind: FlagKind,
    /// Where it was said.
    pub span: Span,
    /// The sentence, redacted.
    pub excerpt: String,
    /// Whether digits were masked in the stored text because of this flag.
    pub redacted: bool,
}

/// A follow-up e-mail draft. Hearth never sends it: the advisor copies it into their own
/// mail client after review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpDraft {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Tone it was written in.
    pub tone: Tone,
}

/// Everything extracted from one meeting. Nothing here is filed until the advisor reviews it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Analysis {
    /// Suggested notes by category.
    pub notes: Vec<SuggestedNote>,
    /// Action items with owners and due dates.
    pub action_items: Vec<ActionItem>,
    /// Client facts.
    pub facts: Vec<Fact>,
    /// Compliance flags.
    pub flags: Vec<ComplianceFlag>,
    /// Follow-up e-mail draft.
    pub email: FollowUpDraft,
}
