//! The typed view of a household document.
//!
//! Layout of the Automerge document (one per household):
//!
//! ```text
//! { schema: 1, id, name, status, segment?, tags: [..], address?, created_at,
//!   members:   { <item id>: Member },      accounts: { <item id>: Account },
//!   goals:     { <item id>: Goal },        notes:    { <item id>: Note (body is Automerge Text) },
//!   tasks:     { <item id>: Task },        documents:{ <item id>: DocumentRef },
//!   meetings:  { <item id>: Meeting },     facts:    { <item id>: ClientFact },
//!   template?: Template, custom: { <field>: <JSON text> },
//!   actors:    { <actor hex>: ActorInfo } }
//! ```
//!
//! Collections are maps keyed by random item ids rather than lists, so two replicas that add
//! items concurrently end up with both; every field is its own register, so concurrent edits
//! to different fields merge; note bodies are Automerge text, so concurrent edits to the same
//! note merge character by character.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::Serialize;

use crate::CoreError;

/// Readers that accept a string field written either as a scalar string (what Hearth
/// writes) or as Automerge text (what JavaScript automerge writes for a plain string), so
/// documents edited by any automerge-repo client stay readable.
pub(crate) mod lenient {
    use automerge::{ObjId, ObjType, ScalarValue, Value};
    use autosurgeon::{HydrateError, Prop, ReadDoc};

    pub(crate) fn opt_string<D: ReadDoc>(
        doc: &D,
        obj: &ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<String>, HydrateError> {
        let found = doc
            .get(obj, automerge::Prop::from(&prop))
            .map_err(|e| HydrateError::unexpected("a string", e.to_string()))?;
        match found {
            None => Ok(None),
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(text) => Ok(Some(text.to_string())),
                ScalarValue::Null => Ok(None),
                other => Err(HydrateError::unexpected("a string", format!("{other:?}"))),
            },
            Some((Value::Object(ObjType::Text), id)) => doc
                .text(&id)
                .map(Some)
                .map_err(|e| HydrateError::unexpected("a string", e.to_string())),
            Some((Value::Object(other), _)) => {
                Err(HydrateError::unexpected("a string", format!("{other:?}")))
            }
        }
    }

    pub(crate) fn string<D: ReadDoc>(
        doc: &D,
        obj: &ObjId,
        prop: Prop<'_>,
    ) -> Result<String, HydrateError> {
        let name = prop.to_string();
        opt_string(doc, obj, prop)?
            .ok_or_else(|| HydrateError::unexpected("a string", format!("nothing at '{name}'")))
    }
}

/// Version of the document layout written by this build.
pub const SCHEMA_VERSION: u64 = 1;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name { $($(#[$vmeta])* #[cfg_attr(feature = "ts", ts(rename = $text))] $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored in the document and accepted on the command line.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl FromStr for $name {
            type Err = CoreError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| CoreError::InvalidValue {
                        what: $what,
                        given: s.to_string(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
                s.parse().map_err(|e: CoreError| HydrateError::unexpected($what, e.to_string()))
            }

            // JavaScript automerge writes plain strings as text objects.
            fn hydrate_text<D: autosurgeon::ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, HydrateError> {
                let text = doc.text(obj).map_err(|e| HydrateError::unexpected($what, e.to_string()))?;
                Self::hydrate_string(&text)
            }
        }

        impl Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
                reconciler.str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Where a household stands with the firm.
    HouseholdStatus, "household status", {
        Prospect => "prospect", Client => "client",
        /// A household the firm no longer serves (kept: books and records).
        FormerClient => "former_client"
    }
);

string_enum!(
    /// A member's role in the household.
    Role, "member role", {
        Head => "Head", Spouse => "Spouse", Partner => "Partner", Child => "Child",
        Dependent => "Dependent", Other => "Other"
    }
);

string_enum!(
    /// The five note categories every Hearth note is filed under.
    NoteCategory, "note category", {
        /// What was talked about.
        Discussion => "discussion",
        /// What was decided.
        Decisions => "decisions",
        /// News from the client: life events, changes.
        ClientUpdates => "client_updates",
        /// Planning work and recommendations.
        Planning => "planning",
        /// Anything compliance needs to see.
        Compliance => "compliance"
    }
);

string_enum!(
    /// Where an open loop stands.
    TaskStatus, "task status", { Open => "open", Done => "done", Cancelled => "cancelled" }
);

/// A postal address.
#[derive(Debug, Clone, PartialEq, Default, Hydrate, Reconcile, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Address {
    /// Street and number.
    #[autosurgeon(hydrate = "lenient::string")]
    pub line1: String,
    /// Apartment, suite.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub line2: Option<String>,
    /// City or town.
    #[autosurgeon(hydrate = "lenient::string")]
    pub city: String,
    /// State, province or region.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub region: Option<String>,
    /// ZIP or postal code.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub postal_code: Option<String>,
    /// ISO country code.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub country: Option<String>,
}

/// Contact details of a member.
#[derive(Debug, Clone, PartialEq, Default, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contact {
    /// E-mail address.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub email: Option<String>,
    /// Phone number.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub phone: Option<String>,
}

// The enum comes from `string_enum!`, which derives no Default; `Other` is the role of a
// member added without one.
#[allow(clippy::derivable_impls)]
impl Default for Role {
    fn default() -> Self {
        Role::Other
    }
}

/// A person in the household.
#[derive(Debug, Clone, PartialEq, Default, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    /// Full name.
    #[autosurgeon(hydrate = "lenient::string")]
    pub name: String,
    /// Role in the household.
    pub role: Role,
    /// Year of birth (drives RMD and age-based planning). Always set when `birth_date` is,
    /// so readers that know only the year keep working.
    #[autosurgeon(missing = "Default::default")]
    pub birth_year: Option<i64>,
    /// Full date of birth, YYYY-MM-DD, when known (day-exact Medicare windows, 59½,
    /// birthdays); a year alone gives year-level dates.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub birth_date: Option<String>,
    /// How to reach them.
    #[autosurgeon(missing = "Default::default")]
    pub contact: Contact,
}

/// One recorded balance of an account: what it was worth on a date. An account keeps every
/// balance ever entered, so the brief can show the change since the last meeting.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Balance {
    /// The balance, exact decimal text.
    #[autosurgeon(hydrate = "lenient::string")]
    pub amount: String,
    /// The date the balance is as of, YYYY-MM-DD.
    #[autosurgeon(hydrate = "lenient::string")]
    pub as_of: String,
    /// When it was entered, ms since the epoch.
    pub recorded_at: i64,
    /// Advisor who entered it.
    #[autosurgeon(hydrate = "lenient::string")]
    pub recorded_by: String,
}

/// A financial account held by the household.
#[derive(Debug, Clone, PartialEq, Default, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Account {
    /// Account type, e.g. "Roth IRA", "Brokerage", "401(k)".
    #[autosurgeon(hydrate = "lenient::string")]
    pub kind: String,
    /// Custodian, e.g. "Schwab".
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub custodian: Option<String>,
    /// Registration, e.g. "JTWROS", "Individual", "Trust".
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub registration: Option<String>,
    /// Assets under management as an exact decimal string (never a float).
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub aum: Option<String>,
    /// Annual advisory fee rate as an exact decimal string, e.g. "0.0100" for 1%.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub fee_rate: Option<String>,
    /// The date `aum` is as of, YYYY-MM-DD.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub aum_as_of: Option<String>,
    /// Every balance entered, by item id (concurrent entries are all kept).
    #[autosurgeon(missing = "Default::default")]
    pub balances: BTreeMap<String, Balance>,
    /// The member (item id) who owns it: RMDs follow the owner.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub owner: Option<String>,
    /// The date it was closed, YYYY-MM-DD; a closed account is kept but counts for nothing.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub closed_on: Option<String>,
}

/// A goal the household is working towards.
#[derive(Debug, Clone, PartialEq, Default, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Goal {
    /// What the goal is, e.g. "Retire at 62".
    #[autosurgeon(hydrate = "lenient::string")]
    pub title: String,
    /// Target amount as an exact decimal string.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub target_amount: Option<String>,
    /// Target date, YYYY-MM-DD.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub target_date: Option<String>,
    /// How much is put aside so far, exact decimal text (progress = funded / target).
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub funded_amount: Option<String>,
    /// When saving towards it started, YYYY-MM-DD (the straight-line pace runs from here).
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub started_on: Option<String>,
}

/// A note in one of the five categories. The body is Automerge text.
#[derive(Debug, Clone, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    /// Which of the five categories it is filed under.
    pub category: NoteCategory,
    /// The note's text; concurrent edits merge character-wise.
    #[serde(serialize_with = "serialize_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub body: autosurgeon::Text,
    /// Advisor who wrote it.
    #[autosurgeon(hydrate = "lenient::string")]
    pub author: String,
    /// When it was written, ms since the epoch.
    pub created_at: i64,
    /// Meeting it came from, if any.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub source_meeting: Option<String>,
}

impl PartialEq for Note {
    fn eq(&self, other: &Self) -> bool {
        self.category == other.category
            && self.body.as_str() == other.body.as_str()
            && self.author == other.author
            && self.created_at == other.created_at
            && self.source_meeting == other.source_meeting
    }
}

fn serialize_text<S: serde::Serializer>(text: &autosurgeon::Text, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text.as_str())
}

/// An open loop: something someone has to do for the household.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Task {
    /// What has to be done.
    #[autosurgeon(hydrate = "lenient::string")]
    pub title: String,
    /// Advisor who owns it.
    #[autosurgeon(hydrate = "lenient::string")]
    pub owner: String,
    /// Due date, YYYY-MM-DD.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub due: Option<String>,
    /// Open, done or cancelled.
    pub status: TaskStatus,
    /// Meeting it came from, if any.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub source_meeting: Option<String>,
    /// When it was created, ms since the epoch.
    pub created_at: i64,
    /// Hidden from Today until this date, YYYY-MM-DD.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub snoozed_until: Option<String>,
    /// When it was marked done or cancelled, ms since the epoch.
    #[autosurgeon(missing = "Default::default")]
    pub closed_at: Option<i64>,
    /// The meeting analysis item it was filed from, e.g. `action:2` (with `source_meeting`).
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub source_item: Option<String>,
}

/// A reference to a client document stored in the profile (the bytes live elsewhere).
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DocumentRef {
    /// File name as the advisor attached it.
    #[autosurgeon(hydrate = "lenient::string")]
    pub name: String,
    /// Media type, e.g. "application/pdf".
    #[autosurgeon(hydrate = "lenient::string")]
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex; the content address of the blob.
    #[autosurgeon(hydrate = "lenient::string")]
    pub sha256: String,
    /// When it was attached, ms since the epoch.
    pub added_at: i64,
    /// Whether the content has text: "text", "no_text_layer" (a scanned PDF) or "image".
    /// Absent in references written before extraction existed.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_layer: Option<String>,
}

/// Who agreed to a meeting being recorded, when, and to which disclosure. Part of the meeting
/// record, so it travels with the household.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Consent {
    /// Everyone who consented (two-party-consent states need every participant).
    pub consented_by: Vec<String>,
    /// When consent was recorded, ms since the epoch.
    pub recorded_at: i64,
    /// Advisor who recorded (or attested) it.
    #[autosurgeon(hydrate = "lenient::string")]
    pub recorded_by: String,
    /// Version of the firm's disclosure text that was read.
    #[autosurgeon(hydrate = "lenient::string")]
    pub disclosure_version: String,
    /// The disclosure text itself.
    #[autosurgeon(hydrate = "lenient::string")]
    pub disclosure_text: String,
    /// `in_app` (captured before recording) or `attested` (a recording made elsewhere).
    #[autosurgeon(hydrate = "lenient::string")]
    pub method: String,
}

/// One stretch of a meeting transcript (stored redacted).
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TranscriptSegment {
    /// Start, ms from the start of the recording.
    pub start_ms: u64,
    /// End, ms from the start of the recording.
    pub end_ms: u64,
    /// Speaker label, when known.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub speaker: Option<String>,
    /// What was said (SSNs, account and card numbers masked).
    #[autosurgeon(hydrate = "lenient::string")]
    pub text: String,
}

/// A meeting with the household: when, who, consent, the (redacted) transcript, what happened
/// to the audio, and the review state of its analysis. Audio bytes are never in the document.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Meeting {
    /// Short title, e.g. "Annual review".
    #[autosurgeon(hydrate = "lenient::string")]
    pub title: String,
    /// Start time, ms since the epoch.
    pub started_at: i64,
    /// Length in seconds, once known.
    #[autosurgeon(missing = "Default::default")]
    pub duration_secs: Option<u64>,
    /// Who took part.
    #[autosurgeon(missing = "Default::default")]
    pub participants: Vec<String>,
    /// The recorded consent.
    #[autosurgeon(missing = "Default::default")]
    pub consent: Option<Consent>,
    /// The transcript, redacted.
    #[autosurgeon(missing = "Default::default")]
    pub transcript: Vec<TranscriptSegment>,
    /// What happened to the audio (the bytes themselves never enter the document):
    /// `none` (transcript only), `recording` (capture or import in progress), `kept` (in
    /// the profile, encrypted, no deadline), `kept-until:<ms since the epoch>` (deleted by
    /// the retention policy after that time), `deleted` (per policy).
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub audio: Option<String>,
    /// The latest analysis (JSON, redacted), so review decisions refer to stable items.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub analysis: Option<String>,
    /// Where numbers were masked in the transcript (JSON: segment, offsets, kind, rule; never
    /// the raw value), so the compliance record keeps that something was redacted.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub redactions: Option<String>,
    /// Items the advisor accepted, e.g. `action:0`, `fact:2`, `notes`.
    #[autosurgeon(missing = "Default::default")]
    pub accepted: Vec<String>,
    /// A meeting on the calendar that has not happened yet (no consent, no transcript).
    #[autosurgeon(missing = "Default::default")]
    pub scheduled: bool,
    /// The recording was interrupted (a crash, a kill, a dead battery) and its transcript
    /// holds what was sealed up to the last whole second before that (`hearth meeting
    /// recover`, or the app's prompt on the next start).
    #[autosurgeon(missing = "Default::default")]
    pub recovered: bool,
    /// What the advisor must know about the recording before trusting the transcript as
    /// complete, e.g. that the other side of the call was silent for the whole meeting (the
    /// wrong output device) or that only the microphone could be recorded.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    pub audio_notice: Option<String>,
}

/// A fact about the client, with where it came from.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClientFact {
    /// What the fact is about, e.g. "risk_tolerance".
    #[autosurgeon(hydrate = "lenient::string")]
    pub key: String,
    /// The value, e.g. "moderate".
    #[autosurgeon(hydrate = "lenient::string")]
    pub value: String,
    /// Where it came from, e.g. "meeting:<id>" or "advisor".
    #[autosurgeon(hydrate = "lenient::string")]
    pub source: String,
    /// Confidence between 0 and 1.
    pub confidence: f64,
    /// Whether the advisor accepted it.
    pub accepted: bool,
    /// When it was recorded, ms since the epoch (absent in facts written before it existed).
    #[autosurgeon(missing = "Default::default")]
    pub recorded_at: Option<i64>,
    /// When it stopped being true, ms since the epoch: a retired fact is kept for the
    /// record but no longer shown as current.
    #[autosurgeon(missing = "Default::default")]
    pub retired_at: Option<i64>,
}

/// The custom-field template a household uses (seed 002's industry templates).
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Template {
    /// Template name, e.g. "wealth" or "insurance".
    #[autosurgeon(hydrate = "lenient::string")]
    pub name: String,
    /// JSON Schema (object with typed properties) as text.
    #[autosurgeon(hydrate = "lenient::string")]
    pub schema: String,
}

/// Who an Automerge actor is: the advisor and device that wrote with it.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActorInfo {
    /// Advisor name.
    #[autosurgeon(hydrate = "lenient::string")]
    pub advisor: String,
    /// Device label.
    #[autosurgeon(hydrate = "lenient::string")]
    pub device: String,
}

/// The whole household, as read from its document.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdData {
    /// Layout version.
    pub schema: u64,
    /// The household (document) id, bs58check.
    #[autosurgeon(hydrate = "lenient::string")]
    pub id: String,
    /// Household name, e.g. "The Johnson Family".
    #[autosurgeon(hydrate = "lenient::string")]
    pub name: String,
    /// Prospect or client.
    pub status: HouseholdStatus,
    /// Service segment, e.g. "A", "Premier".
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub segment: Option<String>,
    /// The firm's own reference for the client (e.g. a CRM or custodian number, "C-1042"): how
    /// the firm's admins recognise the household in the relay's console without its name.
    #[autosurgeon(missing = "Default::default", hydrate = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub client_ref: Option<String>,
    /// When it was archived, ms since the epoch: an archived household leaves lists and
    /// Today but is kept (an advisor never hard-deletes a client record).
    #[autosurgeon(missing = "Default::default")]
    pub archived_at: Option<i64>,
    /// Free tags.
    #[autosurgeon(missing = "Default::default")]
    pub tags: Vec<String>,
    /// Mailing address.
    #[autosurgeon(missing = "Default::default")]
    pub address: Option<Address>,
    /// When it was created, ms since the epoch.
    pub created_at: i64,
    /// People, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub members: BTreeMap<String, Member>,
    /// Accounts, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub accounts: BTreeMap<String, Account>,
    /// Goals, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub goals: BTreeMap<String, Goal>,
    /// Notes, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub notes: BTreeMap<String, Note>,
    /// Open loops, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub tasks: BTreeMap<String, Task>,
    /// Document references, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub documents: BTreeMap<String, DocumentRef>,
    /// Meetings, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub meetings: BTreeMap<String, Meeting>,
    /// Client facts, by item id.
    #[autosurgeon(
        missing = "Default::default",
        hydrate = "crate::household::hydrate_items"
    )]
    pub facts: BTreeMap<String, ClientFact>,
    /// Custom-field template, if one is applied.
    #[autosurgeon(missing = "Default::default")]
    pub template: Option<Template>,
    /// Custom field values as JSON text, by field name.
    #[autosurgeon(missing = "Default::default")]
    pub custom: BTreeMap<String, String>,
    /// Actor id (hex) → who wrote with it.
    #[autosurgeon(missing = "Default::default")]
    pub actors: BTreeMap<String, ActorInfo>,
}
