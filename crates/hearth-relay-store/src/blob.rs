//! Storage for document blobs: the bytes of files attached to a household (PDFs, statements),
//! kept next to the household they belong to.
//!
//! A separate trait ([`BlobStore`]) that [`RelayStore`](crate::RelayStore) requires, so a
//! backend implements it in its own module. Blobs arrive already sealed with the firm's data
//! key, keyed by (stored document id, SHA-256 of the plaintext as lower-case hex); the store
//! never sees the plaintext and does no access control.

use async_trait::async_trait;

use crate::{Millis, Result};

/// Document blobs. Contract details (pinned by the conformance suite):
/// * `put_blob` for a document that does not exist → `NotFound`;
/// * `put_blob` of a (document, hash) that is already stored changes nothing and succeeds
///   (uploads are retried; the hash names the content);
/// * the same hash under two documents is two blobs (a blob is reachable only through its
///   household, so scope follows the household).
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores a sealed blob of `doc_id` (the stored, firm-qualified document id) under the
    /// plaintext's SHA-256; `plaintext_len` is the size before sealing (for quotas and lists).
    async fn put_blob(
        &self,
        firm_id: &str,
        doc_id: &str,
        sha256_hex: &str,
        plaintext_len: i64,
        sealed: &[u8],
        now: Millis,
    ) -> Result<()>;
    /// The sealed blob of `doc_id` with this hash, if stored.
    async fn get_blob(&self, doc_id: &str, sha256_hex: &str) -> Result<Option<Vec<u8>>>;
    /// The hashes of the blobs stored for `doc_id`.
    async fn list_blobs(&self, doc_id: &str) -> Result<Vec<String>>;
    /// Plaintext bytes of every blob stored for the firm (its quota's use).
    async fn firm_blob_bytes(&self, firm_id: &str) -> Result<u64>;
}
