//! Storage for the compliance archive: each firm's append-only log of entries (see
//! `hearth-archive`), its signed tree heads, its signing key (sealed), its retention policy and
//! its legal holds.
//!
//! A separate trait ([`ArchiveStore`]) that [`RelayStore`](crate::RelayStore) requires, so a
//! backend implements it in its own module. The store assigns sequence numbers inside the
//! writing transaction (one counter row per firm, locked by the update), encodes each entry and
//! computes its leaf hash, so two writers can never give two entries the same position.
//!
//! Rules every backend enforces in the same transaction as the write:
//! * entries are never deleted; expiry only clears an entry's bytes (`body`), keeping its leaf
//!   hash, and only once the entry is older than the firm's retention period and no legal hold
//!   (firm-wide or on its household) covers it;
//! * retention is never below [`MIN_RETENTION_YEARS`], and is never shortened while the log
//!   holds an entry that has not expired (each entry keeps the period it was written under);
//! * every change of retention or holds appends its own admin entry, atomically.

use async_trait::async_trait;
use hearth_archive::{Entry, EntryKind, SignedTreeHead};
use serde::Serialize;

use crate::{Millis, Result};

/// The retention period a firm starts with (SEC 17a-4(a): six years).
pub const DEFAULT_RETENTION_YEARS: i64 = 6;
/// The shortest retention a firm may set (Advisers Act 204-2: five years).
pub const MIN_RETENTION_YEARS: i64 = 5;
/// The longest retention a firm may set.
pub const MAX_RETENTION_YEARS: i64 = 100;
/// A retention "year" for expiry, in ms: 366 days, so leap years never make a record expire
/// early.
pub const RETENTION_YEAR_MS: i64 = 366 * 86_400_000;

/// An archive entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveRecord {
    /// Position in the firm's log (0-based leaf index).
    pub seq: i64,
    /// When it was accepted.
    pub at: Millis,
    /// What it records.
    pub kind: EntryKind,
    /// Advisor.
    pub advisor_id: String,
    /// Device (empty for API tokens and the CLI).
    pub device_id: String,
    /// Household document id (empty for firm-wide admin actions).
    pub doc_id: String,
    /// Automerge change hash (admin: SHA-256 of the action).
    #[serde(serialize_with = "hex_ser")]
    pub change_hash: Vec<u8>,
    /// SHA-256(0x00 ‖ canonical entry): kept forever.
    #[serde(serialize_with = "hex_ser")]
    pub leaf_hash: Vec<u8>,
    /// The canonical entry bytes; `None` once expired.
    #[serde(skip)]
    pub body: Option<Vec<u8>>,
    /// When its bytes were removed.
    pub expired_at: Option<Millis>,
}

fn hex_ser<S: serde::Serializer>(b: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveFilter {
    /// Only this household.
    pub doc_id: Option<String>,
    /// Only this advisor.
    pub advisor_id: Option<String>,
    /// Only entries accepted at or after this time.
    pub from: Option<Millis>,
    /// Only entries accepted before this time.
    pub to: Option<Millis>,
    /// Only entries with a higher sequence number (paging).
    pub after_seq: Option<i64>,
    /// At most this many (0 or less: no limit).
    pub limit: i64,
}

/// A firm's archive signing key: the Ed25519 PKCS#8 document sealed with the firm's data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveKey {
    /// Sealed PKCS#8.
    pub sealed_key: Vec<u8>,
    /// The 32-byte public key.
    pub public_key: Vec<u8>,
    /// Creation time.
    pub created_at: Millis,
}

/// A legal hold: while it stands, nothing it covers expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalHold {
    /// The household it covers; `None` = the whole firm.
    pub household: Option<String>,
    /// Why (matter, case number).
    pub reason: String,
    /// Who placed it.
    pub placed_by: String,
    /// When.
    pub placed_at: Millis,
}

/// The archive's storage.
#[async_trait]
pub trait ArchiveStore: Send + Sync {
    /// Appends entries to `firm_id`'s log, in order, in one durable transaction; each entry's
    /// `seq` is ignored and assigned. Returns the entries as stored.
    async fn archive_append(&self, firm_id: &str, entries: &[Entry]) -> Result<Vec<Entry>>;
    /// Entries matching `filter`, in log order.
    async fn archive_entries(
        &self,
        firm_id: &str,
        filter: &ArchiveFilter,
    ) -> Result<Vec<ArchiveRecord>>;
    /// Leaf hashes of entries `from_seq..` (all the rest), in order.
    async fn archive_leaves(&self, firm_id: &str, from_seq: i64) -> Result<Vec<[u8; 32]>>;
    /// Number of entries in the firm's log.
    async fn archive_size(&self, firm_id: &str) -> Result<i64>;

    /// Stores a signed tree head (`Conflict` if one of that size exists).
    async fn archive_put_head(&self, firm_id: &str, head: &SignedTreeHead) -> Result<()>;
    /// Tree heads signed in `[from, to)`, oldest first.
    async fn archive_heads(
        &self,
        firm_id: &str,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<SignedTreeHead>>;
    /// The largest tree head.
    async fn archive_latest_head(&self, firm_id: &str) -> Result<Option<SignedTreeHead>>;

    /// The firm's signing key.
    async fn archive_key(&self, firm_id: &str) -> Result<Option<ArchiveKey>>;
    /// Stores the firm's signing key (`Conflict` if it has one: keys are never replaced).
    async fn archive_put_key(&self, firm_id: &str, key: &ArchiveKey) -> Result<()>;

    /// The firm's retention period in years ([`DEFAULT_RETENTION_YEARS`] until set).
    async fn archive_retention(&self, firm_id: &str) -> Result<i64>;
    /// Sets the retention period and appends `action` (an admin entry) atomically. Refused
    /// (`Conflict`, nothing written) below [`MIN_RETENTION_YEARS`], above
    /// [`MAX_RETENTION_YEARS`], or shorter than now while any entry has not expired.
    async fn archive_set_retention(
        &self,
        firm_id: &str,
        years: i64,
        action: &Entry,
    ) -> Result<Entry>;
    /// The firm's legal holds.
    async fn archive_holds(&self, firm_id: &str) -> Result<Vec<LegalHold>>;
    /// Places a hold and appends `action` atomically (`Conflict` if that hold exists).
    async fn archive_place_hold(
        &self,
        firm_id: &str,
        hold: &LegalHold,
        action: &Entry,
    ) -> Result<Entry>;
    /// Lifts a hold and appends `action` atomically; `None` (nothing written) if there was no
    /// such hold.
    async fn archive_lift_hold(
        &self,
        firm_id: &str,
        household: Option<&str>,
        action: &Entry,
    ) -> Result<Option<Entry>>;
    /// Clears the bytes of every entry older than the retention period at `now` and not under
    /// a hold (leaf hashes stay). Returns how many expired.
    async fn archive_expire(&self, firm_id: &str, now: Millis) -> Result<u64>;
    /// Takes or renews the one lease to sign tree heads (relays sharing a database sign one
    /// at a time): true if `holder` holds it until `now + ttl_ms` — it was free, expired, or
    /// already `holder`'s.
    async fn archive_take_signing_lease(
        &self,
        holder: &str,
        now: Millis,
        ttl_ms: i64,
    ) -> Result<bool>;
}
