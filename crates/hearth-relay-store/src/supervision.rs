//! Storage for firm supervision: the compliance review queue's decisions and the firm's
//! policy. Both are append-only histories, and every write lands in the same transaction as
//! the archive entry that records it, so the archive and these tables never disagree.
//!
//! The queue's items themselves (flags, compliance notes) are not stored here: the relay reads
//! them from the households it holds. Only what a reviewer decided is.

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
}
