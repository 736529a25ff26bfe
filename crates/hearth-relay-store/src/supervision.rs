//! Storage for firm supervision: the compliance review queue's decisions and the firm's
//! policy. Both are append-only histories, and every write lands in the same transaction as
//! the archive entry that records it, so the archive and these tables never disagree.
//!
//! The queue's items themselves (flags, compliance notes) are not stored here: the relay reads
//! them from the households it holds. Only what a reviewer decided is.
//!
//! Also here, what a firm admin changes about the firm from the console: an advisor's admin
//! flag, moving a departing advisor's households to a colleague, and the firm's settings (its
//! time zone).

use async_trait::async_trait;
use hearth_archive::Entry;
use serde::Serialize;

use crate::{Millis, Result};

/// One decision on one review item (a later decision on the same item supersedes it; none is
/// ever changed or removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRecord {
    /// Firm.
    pub firm_id: String,
    /// Position in the firm's review history (assigned by the store, from 1).
    pub seq: i64,
    /// The item decided on, stable across rebuilds of the queue, e.g.
    /// `<household>/meeting/<meeting>/flag/<n>` or `<household>/note/<note>`.
    pub item: String,
    /// Household document id.
    pub household: String,
    /// `reviewed`, `escalated`, `dismissed` or `complaint` (a complaint record).
    pub state: String,
    /// The reviewer's comment.
    pub comment: String,
    /// For a complaint record: received, nature, action taken, resolution (JSON object);
    /// empty otherwise.
    pub detail: String,
    /// Who decided (console actor, e.g. `console:<user id>`).
    pub by: String,
    /// When.
    pub at: Millis,
}

/// One version of a firm's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRecord {
    /// Firm.
    pub firm_id: String,
    /// 1 for the first policy, then one more for each change.
    pub version: i64,
    /// The policy as JSON (`hearth_core::policy::FirmPolicy`).
    pub body: String,
    /// Who set it.
    pub set_by: String,
    /// When.
    pub set_at: Millis,
}

/// Review decisions and policy versions. Contract (pinned by the conformance suite):
/// * `append_review` assigns `seq` (1, 2, … per firm) and appends `entry` to the firm's
///   archive in the same transaction; `review_records` lists one firm's, oldest first;
/// * `put_policy` stores version `n` only if the firm's latest is `n - 1` (none: `n` = 1),
///   else `Conflict` and nothing stored (two admins saving at once: one wins, the other is
///   told); the archive entry is written in the same transaction;
/// * `transfer_documents` moves every document `from` owns to `to` (both advisors of the
///   firm, else `NotFound` and nothing moved) in one transaction, drops `to`'s now redundant
///   shares of them, and returns the moved documents' keys;
/// * nothing of one firm is ever listed for another.
#[async_trait]
pub trait SupervisionStore: Send + Sync + 'static {
    /// Records a review decision and its archive entry; returns the stored record.
    async fn append_review(&self, record: &ReviewRecord, entry: &Entry) -> Result<ReviewRecord>;
    /// Every review decision of a firm, oldest first.
    async fn review_records(&self, firm_id: &str) -> Result<Vec<ReviewRecord>>;
    /// Stores a new policy version and its archive entry.
    async fn put_policy(&self, policy: &PolicyRecord, entry: &Entry) -> Result<()>;
    /// The firm's current policy, if one was ever set.
    async fn policy(&self, firm_id: &str) -> Result<Option<PolicyRecord>>;
    /// Makes an advisor of `firm_id` a firm admin or not; false if no such advisor there.
    async fn set_advisor_admin(&self, firm_id: &str, advisor_id: &str, admin: bool)
    -> Result<bool>;
    /// Moves every document `from` owns to `to`; returns the moved documents' stored keys.
    async fn transfer_documents(&self, firm_id: &str, from: &str, to: &str) -> Result<Vec<String>>;
    /// A firm setting (e.g. `time_zone`), if set.
    async fn firm_setting(&self, firm_id: &str, key: &str) -> Result<Option<String>>;
    /// Sets a firm setting.
    async fn set_firm_setting(&self, firm_id: &str, key: &str, value: &str) -> Result<()>;
}
