//! The relay's storage trait, in atuin's pattern: one trait, backends behind it (SQLite in
//! `hearth-relay-store-sqlite`, PostgreSQL in `hearth-relay-store-postgres`), chosen by URL.
//!
//! The store holds no plaintext client data: documents arrive already sealed with their firm's
//! data key (see `hearth-seal`), and tokens and invite codes arrive already hashed. It does no
//! access control either — the relay's single scope function decides who may see what; the
//! store only answers by id. Every method that lists takes the firm it lists for.
#![forbid(unsafe_code)]

use async_trait::async_trait;
use serde::Serialize;

#[cfg(feature = "testkit")]
pub mod testkit;

mod console;
pub use console::{ConsoleRole, ConsoleSession, ConsoleStore, ConsoleUser, PasswordLink};

mod supervision;
pub use supervision::{PolicyRecord, ReviewRecord, SupervisionStore};

mod blob;
pub use blob::BlobStore;

mod archive;
pub use archive::{
    ArchiveFilter, ArchiveKey, ArchiveRecord, ArchiveStore, DEFAULT_RETENTION_YEARS, LegalHold,
    MAX_RETENTION_YEARS, MIN_RETENTION_YEARS, RETENTION_YEAR_MS,
};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// What another relay process on the same database changed (PostgreSQL: LISTEN/NOTIFY,
/// delivered when the writing transaction commits). A relay node uses these to keep its
/// in-memory view (scope index, resident documents, open connections) current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreNotice {
    /// New chunks were stored for a document (its stored key, `<firm>/<document>`).
    Changed(String),
    /// Who may see what in a firm changed: a document created or moved, a share, an advisor
    /// disabled or promoted, a device or token revoked (the firm id).
    Scope(String),
    /// Notices may have been lost (the listening connection dropped and came back): rebuild
    /// everything from the store.
    Lagged,
}

/// Errors from a relay store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (the relay reports not-ready and clients retry).
    #[error("relay database unavailable: {0}")]
    Unavailable(String),
    /// A row that must be unique already exists.
    #[error("already exists: {0}")]
    Conflict(String),
    /// A row the operation needs does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The URL names no backend this build has.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// Anything else the database said.
    #[error("relay database error: {0}")]
    Other(String),
}

/// Result alias for store calls.
pub type Result<T> = std::result::Result<T, StoreError>;

/// A tenant: one advisory firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Firm {
    /// Firm id (random, URL-safe).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The firm's data key, wrapped (encrypted) with the relay's master key.
    #[serde(skip)]
    pub wrapped_key: Vec<u8>,
    /// Which master key wrapped it.
    pub master_key_id: String,
    /// Creation time.
    pub created_at: Millis,
}

/// An advisor of a firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advisor {
    /// Advisor id (random, URL-safe).
    pub id: String,
    /// Firm the advisor belongs to.
    pub firm_id: String,
    /// Display name.
    pub name: String,
    /// Firm admins can share any household of the firm and run the console.
    pub is_admin: bool,
    /// Disabled advisors cannot connect or enroll.
    pub disabled: bool,
    /// Creation time.
    pub created_at: Millis,
}

/// A one-time enrollment code, stored hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// SHA-256 of the code.
    pub code_hash: Vec<u8>,
    /// Firm.
    pub firm_id: String,
    /// Advisor the code enrolls a device for.
    pub advisor_id: String,
    /// Creation time.
    pub created_at: Millis,
    /// The code stops working at this time.
    pub expires_at: Millis,
    /// Set when redeemed; a code works once.
    pub used_at: Option<Millis>,
}

/// A device (laptop) enrolled for an advisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    /// Device id.
    pub id: String,
    /// Firm.
    pub firm_id: String,
    /// Advisor.
    pub advisor_id: String,
    /// Label the device gave itself (host name).
    pub label: String,
    /// Enrollment time.
    pub created_at: Millis,
    /// Set when revoked; a revoked device can never connect again.
    pub revoked_at: Option<Millis>,
}

/// A refresh token, stored hashed. Each use rotates it: the old one is marked used and a new
/// one issued. Presenting a used one again means it was stolen: the device is revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// SHA-256 of the token.
    pub token_hash: Vec<u8>,
    /// Device it belongs to.
    pub device_id: String,
    /// Issue time.
    pub created_at: Millis,
    /// Expiry.
    pub expires_at: Millis,
    /// Set when rotated.
    pub used_at: Option<Millis>,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// Valid and unused: it is now marked used; issue a new one for this device.
    Fresh {
        /// Device id.
        device_id: String,
    },
    /// Already used before: a replay. The caller revokes the device.
    Replayed {
        /// Device id.
        device_id: String,
        /// When it was first used (lets the relay tell a client's retry from a thief).
        used_at: Millis,
    },
    /// Unknown or expired.
    Invalid,
}

/// A long-lived token for scripts and integrations, stored hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Token id (not secret; used to list and revoke).
    pub id: String,
    /// SHA-256 of the token.
    #[serde(skip)]
    pub token_hash: Vec<u8>,
    /// Firm.
    pub firm_id: String,
    /// Advisor it acts as.
    pub advisor_id: String,
    /// What it is for.
    pub label: String,
    /// Issue time.
    pub created_at: Millis,
    /// Expiry, if any.
    pub expires_at: Option<Millis>,
    /// Set when revoked.
    pub revoked_at: Option<Millis>,
}

/// Who owns a household document and which firm it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentMeta {
    /// automerge-repo document id (bs58check).
    pub doc_id: String,
    /// Firm: fixed at creation, never changes.
    pub firm_id: String,
    /// Owning advisor.
    pub owner_id: String,
    /// Creation time.
    pub created_at: Millis,
    /// Last accepted change.
    pub updated_at: Millis,
}

/// One stored piece of a document: a snapshot or an incremental change, sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedChunk {
    /// Order within the document.
    pub seq: i64,
    /// Sealed bytes (nonce ‖ ciphertext ‖ tag).
    pub sealed: Vec<u8>,
}

/// An audit event: every administrative action and every denial worth an admin's eye.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Order (assigned by the store).
    pub seq: i64,
    /// Firm it concerns (`None` for platform-level events).
    pub firm_id: Option<String>,
    /// Who did it ("advisor:<id>", "operator", "device:<id>").
    pub actor: String,
    /// What happened, e.g. "device.revoke".
    pub action: String,
    /// What it was done to, e.g. a device id.
    pub target: String,
    /// When.
    pub at: Millis,
}

/// One document's share of a group commit ([`RelayStore::append_batch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocAppend {
    /// The document (its namespaced store key).
    pub doc_id: String,
    /// Set when the document is new: it is created with `chunks` (`Conflict` if it exists).
    pub create: Option<DocumentMeta>,
    /// Sealed changes, in order.
    pub chunks: Vec<Vec<u8>>,
    /// When they were accepted (the document's `updated_at`).
    pub now: Millis,
    /// The compliance-archive entries for these changes (`seq` is assigned): appended to
    /// their firm's log in the same transaction, so no accepted change is ever unarchived.
    pub archive: Vec<hearth_archive::Entry>,
}

/// The relay's storage. Implementations must be safe to call from many tasks at once.
#[async_trait]
pub trait RelayStore:
    ConsoleStore + ArchiveStore + BlobStore + SupervisionStore + Send + Sync + 'static
{
    /// Creates or upgrades the schema.
    async fn migrate(&self) -> Result<()>;
    /// Notices of what *other* processes store in this database, for a backend several relay
    /// processes may share (PostgreSQL); `None` for a single-process backend (SQLite).
    async fn listen(&self) -> Result<Option<tokio::sync::mpsc::UnboundedReceiver<StoreNotice>>> {
        Ok(None)
    }
    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> Result<()>;

    /// Inserts a firm.
    async fn create_firm(&self, firm: &Firm) -> Result<()>;
    /// A firm by id.
    async fn firm(&self, id: &str) -> Result<Option<Firm>>;
    /// Every firm (operator views, key rotation).
    async fn list_firms(&self) -> Result<Vec<Firm>>;
    /// Replaces a firm's wrapped key, if it is still `previous` (master-key rotation
    /// re-wraps, firm-key rotation adds a generation; neither re-encrypts). `Conflict` if it
    /// changed meanwhile (two rotations racing: the loser retries and nothing is lost),
    /// `NotFound` for an unknown firm.
    async fn rewrap_firm_key(
        &self,
        id: &str,
        previous: &[u8],
        wrapped_key: &[u8],
        master_key_id: &str,
    ) -> Result<()>;

    /// Inserts an advisor.
    async fn create_advisor(&self, advisor: &Advisor) -> Result<()>;
    /// An advisor by id, whatever the firm (for authentication after a token is verified).
    async fn advisor(&self, id: &str) -> Result<Option<Advisor>>;
    /// The firm's advisors.
    async fn list_advisors(&self, firm_id: &str) -> Result<Vec<Advisor>>;
    /// Disables or re-enables an advisor of `firm_id`; false if no such advisor in that firm.
    async fn set_advisor_disabled(
        &self,
        firm_id: &str,
        advisor_id: &str,
        disabled: bool,
    ) -> Result<bool>;

    /// Inserts an invite.
    async fn create_invite(&self, invite: &Invite) -> Result<()>;
    /// Atomically redeems an unused, unexpired invite (marks it used) and returns it; `None`
    /// if unknown, used or expired.
    async fn redeem_invite(&self, code_hash: &[u8], now: Millis) -> Result<Option<Invite>>;

    /// Inserts a device.
    async fn create_device(&self, device: &Device) -> Result<()>;
    /// A device by id, whatever the firm (for authentication).
    async fn device(&self, id: &str) -> Result<Option<Device>>;
    /// The firm's devices, optionally of one advisor.
    async fn list_devices(&self, firm_id: &str, advisor_id: Option<&str>) -> Result<Vec<Device>>;
    /// Revokes a device of `firm_id` and all its refresh tokens; false if no such device there.
    async fn revoke_device(&self, firm_id: &str, device_id: &str, now: Millis) -> Result<bool>;

    /// Inserts a refresh token.
    async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<()>;
    /// Presents a refresh token (atomically marks a fresh one used).
    async fn use_refresh_token(&self, token_hash: &[u8], now: Millis) -> Result<RefreshUse>;
    /// The device a refresh token (used or not) belongs to, without using it; for limiting
    /// refreshes per device before one is carried out.
    async fn refresh_token_device(&self, token_hash: &[u8]) -> Result<Option<String>>;

    /// Inserts an API token.
    async fn insert_api_token(&self, token: &ApiToken) -> Result<()>;
    /// An API token by hash.
    async fn api_token(&self, token_hash: &[u8]) -> Result<Option<ApiToken>>;
    /// The firm's API tokens.
    async fn list_api_tokens(&self, firm_id: &str) -> Result<Vec<ApiToken>>;
    /// Revokes an API token of `firm_id`; false if no such token there.
    async fn revoke_api_token(&self, firm_id: &str, token_id: &str, now: Millis) -> Result<bool>;

    /// Every document's ownership (loaded into the relay's scope index at start).
    async fn all_documents(&self) -> Result<Vec<DocumentMeta>>;
    /// Every share as (doc id, advisor id) (loaded into the scope index at start).
    async fn all_shares(&self) -> Result<Vec<(String, String)>>;
    /// The shares of one firm's documents: (document, advisor).
    async fn firm_shares(&self, firm_id: &str) -> Result<Vec<(String, String)>>;
    /// A document's ownership by id, whatever the firm.
    async fn document(&self, doc_id: &str) -> Result<Option<DocumentMeta>>;
    /// The firm's documents.
    async fn list_documents(&self, firm_id: &str) -> Result<Vec<DocumentMeta>>;
    /// Creates a document with its first sealed chunks (Conflict if the id exists).
    async fn create_document(&self, meta: &DocumentMeta, chunks: &[Vec<u8>]) -> Result<()>;
    /// Appends sealed changes to a document, durably, in order.
    async fn append_chunks(&self, doc_id: &str, chunks: &[Vec<u8>], now: Millis) -> Result<()>;
    /// Applies many creates/appends, in order, in ONE durable transaction (group commit): all
    /// of them are stored or none is.
    async fn append_batch(&self, batch: &[DocAppend]) -> Result<()>;
    /// The document's chunks in order (empty if unknown).
    async fn load_chunks(&self, doc_id: &str) -> Result<Vec<SealedChunk>>;
    /// Replaces every chunk up to and including `up_to_seq` with one sealed snapshot.
    async fn compact(&self, doc_id: &str, snapshot: &[u8], up_to_seq: i64) -> Result<()>;

    /// Shares a document with an advisor (idempotent).
    async fn share(&self, doc_id: &str, advisor_id: &str) -> Result<()>;
    /// Stops sharing (idempotent).
    async fn unshare(&self, doc_id: &str, advisor_id: &str) -> Result<()>;
    /// Advisors a document is shared with.
    async fn shares_of(&self, doc_id: &str) -> Result<Vec<String>>;

    /// Appends an audit event (its `seq` is ignored and assigned).
    async fn append_audit(&self, event: &AuditEvent) -> Result<()>;
    /// The firm's most recent audit events, newest first.
    async fn list_audit(&self, firm_id: &str, limit: i64) -> Result<Vec<AuditEvent>>;
}
