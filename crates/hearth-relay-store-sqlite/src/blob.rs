//! [`BlobStore`] on SQLite: sealed document blobs (schema v2).

use async_trait::async_trait;
use hearth_relay_store::{BlobStore, Millis, Result};

use crate::{SqliteStore, map_err};

#[async_trait]
impl BlobStore for SqliteStore {
    async fn put_blob(
        &self,
        firm_id: &str,
        doc_id: &str,
        sha256_hex: &str,
        plaintext_len: i64,
        sealed: &[u8],
        now: Millis,
    ) -> Result<()> {
        // The hash names the content: a retried upload keeps the row already there.
        sqlx::query(
            "INSERT INTO document_blobs (doc_id, sha256, firm_id, plaintext_len, sealed, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (doc_id, sha256) DO NOTHING",
        )
        .bind(doc_id)
        .bind(sha256_hex)
        .bind(firm_id)
        .bind(plaintext_len)
        .bind(sealed)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn get_blob(&self, doc_id: &str, sha256_hex: &str) -> Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT sealed FROM document_blobs WHERE doc_id = ?1 AND sha256 = ?2")
            .bind(doc_id)
            .bind(sha256_hex)
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)
    }

    async fn list_blobs(&self, doc_id: &str) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT sha256 FROM document_blobs WHERE doc_id = ?1")
            .bind(doc_id)
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)
    }

    async fn firm_blob_bytes(&self, firm_id: &str) -> Result<u64> {
        let total: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(plaintext_len), 0) AS BIGINT) FROM document_blobs WHERE firm_id = ?1",
        )
        .bind(firm_id)
        .fetch_one(&self.reader)
        .await
        .map_err(map_err)?;
        Ok(u64::try_from(total).unwrap_or(0))
    }
}
