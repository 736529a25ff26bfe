//! Hearth's household domain model.
//!
//! Every household is one Automerge document. This crate owns the document's layout
//! ([`model`]), the edits an advisor can make ([`Household`]), custom-field templates
//! ([`template`]) and the history read back from the change graph. It does no I/O.
#![forbid(unsafe_code)]

mod conflicts;
mod digest;
mod edits;
mod error;
mod household;
mod id;
pub mod model;
pub mod money;
pub mod policy;
pub mod template;

pub use automerge;
pub use conflicts::{ConflictValue, FieldConflict};
pub use digest::{
    AccountDigest, FactDigest, GoalDigest, HouseholdDigest, MeetingDigest, PersonDigest, TaskDigest,
};
pub use edits::{
    AccountPatch, Change, FactPatch, GoalPatch, HouseholdPatch, MemberPatch, NewBalance, TaskPatch,
    parse_birth,
};
pub use error::CoreError;
pub use household::{
    Committed, EditContext, HistoryEntry, Household, HouseholdSummary, check_date, check_named_date,
};
pub use id::{DocumentId, new_item_id};
pub use model::*;
