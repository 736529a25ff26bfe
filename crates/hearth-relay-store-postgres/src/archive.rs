//! [`ArchiveStore`] on PostgreSQL (schema v3). The per-firm counter row is updated first in
//! every appending transaction, which locks it: appends of one firm serialise, even across
//! relays on one database, and never share a sequence number.

use async_trait::async_trait;
use hearth_archive::{Entry, EntryKind, SignedTreeHead, TreeHead};
use hearth_relay_store::{
    ArchiveFilter, ArchiveKey, ArchiveRecord, ArchiveStore, DEFAULT_RETENTION_YEARS, LegalHold,
    MAX_RETENTION_YEARS, MIN_RETENTION_YEARS, Millis, RETENTION_YEAR_MS, Result, StoreError,
};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};

use crate::{PostgresStore, map_err};

fn record_row(r: &PgRow) -> sqlx::Result<ArchiveRecord> {
    let kind: i64 = r.try_get("kind")?;
    Ok(ArchiveRecord {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        kind: if kind == 1 {
            EntryKind::Admin
        } else {
            EntryKind::Change
        },
        advisor_id: r.try_get("advisor_id")?,
        device_id: r.try_get("device_id")?,
        doc_id: r.try_get("doc_id")?,
        change_hash: r.try_get("change_hash")?,
        leaf_hash: r.try_get("leaf_hash")?,
        body: r.try_get("body")?,
        expired_at: r.try_get("expired_at")?,
    })
}

fn head_row(r: &PgRow) -> Result<SignedTreeHead> {
    let size: i64 = r.try_get("size").map_err(map_err)?;
    let root: Vec<u8> = r.try_get("root").map_err(map_err)?;
    Ok(SignedTreeHead {
        head: TreeHead {
            size: u64::try_from(size)
                .map_err(|_| StoreError::Other("negative tree size".into()))?,
            time: r.try_get("at").map_err(map_err)?,
            root: root
                .try_into()
                .map_err(|_| StoreError::Other("a stored root is not 32 bytes".into()))?,
        },
        signature: r.try_get("signature").map_err(map_err)?,
    })
}

fn to_i64(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| StoreError::Other("archive sequence overflow".into()))
}

/// Appends `entries` to `firm_id`'s log inside `tx`, assigning sequence numbers.
pub(crate) async fn append_in(
    tx: &mut Transaction<'static, Postgres>,
    firm_id: &str,
    entries: &[Entry],
) -> Result<Vec<Entry>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    if entries.iter().any(|e| e.firm != firm_id) {
        return Err(StoreError::Other(
            "an archive entry names another firm".into(),
        ));
    }
    let n = to_i64(entries.len() as u64)?;
    sqlx::query(
        "INSERT INTO archive_logs (firm_id, next_seq, retention_years) VALUES ($1, 0, $2)
         ON CONFLICT (firm_id) DO NOTHING",
    )
    .bind(firm_id)
    .bind(DEFAULT_RETENTION_YEARS)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    let next: i64 = sqlx::query_scalar(
        "UPDATE archive_logs SET next_seq = next_seq + $2 WHERE firm_id = $1 RETURNING next_seq",
    )
    .bind(firm_id)
    .bind(n)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err)?;
    let first = next - n;
    let mut stored = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let mut e = e.clone();
        let seq = first + to_i64(i as u64)?;
        e.seq = u64::try_from(seq).map_err(|_| StoreError::Other("negative seq".into()))?;
        let body = e
            .encode()
            .map_err(|err| StoreError::Other(format!("archive entry: {err}")))?;
        let leaf = hearth_archive::merkle::leaf_hash(&body);
        sqlx::query(
            "INSERT INTO archive_entries
               (firm_id, seq, at, kind, advisor_id, device_id, doc_id, change_hash, leaf_hash, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(firm_id)
        .bind(seq)
        .bind(e.time)
        .bind(i64::from(e.kind.code()))
        .bind(&e.advisor)
        .bind(&e.device)
        .bind(&e.document)
        .bind(e.change_hash.as_slice())
        .bind(leaf.as_slice())
        .bind(body)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
        stored.push(e);
    }
    Ok(stored)
}

async fn retention_in(tx: &mut Transaction<'static, Postgres>, firm_id: &str) -> Result<i64> {
    let years: Option<i64> =
        sqlx::query_scalar("SELECT retention_years FROM archive_logs WHERE firm_id = $1")
            .bind(firm_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(map_err)?;
    Ok(years.unwrap_or(DEFAULT_RETENTION_YEARS))
}

#[async_trait]
impl ArchiveStore for PostgresStore {
    async fn archive_append(&self, firm_id: &str, entries: &[Entry]) -> Result<Vec<Entry>> {
        let mut tx = self.write_tx().await?;
        let stored = append_in(&mut tx, firm_id, entries).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn archive_entries(
        &self,
        firm_id: &str,
        f: &ArchiveFilter,
    ) -> Result<Vec<ArchiveRecord>> {
        let r = sqlx::query(
            "SELECT seq, at, kind, advisor_id, device_id, doc_id, change_hash, leaf_hash, body,
                    expired_at
             FROM archive_entries
             WHERE firm_id = $1 AND ($2 IS NULL OR doc_id = $2) AND ($3 IS NULL OR advisor_id = $3)
               AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) AND ($6 IS NULL OR seq > $6)
             ORDER BY seq LIMIT $7",
        )
        .bind(firm_id)
        .bind(&f.doc_id)
        .bind(&f.advisor_id)
        .bind(f.from)
        .bind(f.to)
        .bind(f.after_seq)
        .bind((f.limit > 0).then_some(f.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        r.iter()
            .map(|row| record_row(row).map_err(map_err))
            .collect()
    }

    async fn archive_leaves(&self, firm_id: &str, from_seq: i64) -> Result<Vec<[u8; 32]>> {
        let r: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT leaf_hash FROM archive_entries WHERE firm_id = $1 AND seq >= $2 ORDER BY seq",
        )
        .bind(firm_id)
        .bind(from_seq)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        r.into_iter()
            .map(|h| {
                h.try_into()
                    .map_err(|_| StoreError::Other("a stored leaf hash is not 32 bytes".into()))
            })
            .collect()
    }

    async fn archive_size(&self, firm_id: &str) -> Result<i64> {
        let n: Option<i64> =
            sqlx::query_scalar("SELECT next_seq FROM archive_logs WHERE firm_id = $1")
                .bind(firm_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(n.unwrap_or(0))
    }

    async fn archive_put_head(&self, firm_id: &str, h: &SignedTreeHead) -> Result<()> {
        sqlx::query(
            "INSERT INTO archive_heads (firm_id, size, at, root, signature)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(firm_id)
        .bind(to_i64(h.head.size)?)
        .bind(h.head.time)
        .bind(h.head.root.as_slice())
        .bind(&h.signature)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn archive_heads(
        &self,
        firm_id: &str,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<SignedTreeHead>> {
        let r = sqlx::query(
            "SELECT size, at, root, signature FROM archive_heads
             WHERE firm_id = $1 AND at >= $2 AND at < $3 ORDER BY size",
        )
        .bind(firm_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        r.iter().map(head_row).collect()
    }

    async fn archive_latest_head(&self, firm_id: &str) -> Result<Option<SignedTreeHead>> {
        let r = sqlx::query(
            "SELECT size, at, root, signature FROM archive_heads
             WHERE firm_id = $1 ORDER BY size DESC LIMIT 1",
        )
        .bind(firm_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        r.as_ref().map(head_row).transpose()
    }

    async fn archive_key(&self, firm_id: &str) -> Result<Option<ArchiveKey>> {
        let r = sqlx::query(
            "SELECT sealed_key, public_key, created_at FROM archive_keys WHERE firm_id = $1",
        )
        .bind(firm_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        r.map(|row| {
            Ok(ArchiveKey {
                sealed_key: row.try_get("sealed_key")?,
                public_key: row.try_get("public_key")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .transpose()
        .map_err(map_err)
    }

    async fn archive_put_key(&self, firm_id: &str, key: &ArchiveKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO archive_keys (firm_id, sealed_key, public_key, created_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(firm_id)
        .bind(&key.sealed_key)
        .bind(&key.public_key)
        .bind(key.created_at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn archive_retention(&self, firm_id: &str) -> Result<i64> {
        let years: Option<i64> =
            sqlx::query_scalar("SELECT retention_years FROM archive_logs WHERE firm_id = $1")
                .bind(firm_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(years.unwrap_or(DEFAULT_RETENTION_YEARS))
    }

    async fn archive_set_retention(
        &self,
        firm_id: &str,
        years: i64,
        action: &Entry,
    ) -> Result<Entry> {
        if !(MIN_RETENTION_YEARS..=MAX_RETENTION_YEARS).contains(&years) {
            return Err(StoreError::Conflict(format!(
                "retention must be between {MIN_RETENTION_YEARS} and {MAX_RETENTION_YEARS} years"
            )));
        }
        let mut tx = self.write_tx().await?;
        let current = retention_in(&mut tx, firm_id).await?;
        if years < current {
            let live: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM archive_entries WHERE firm_id = $1 AND body IS NOT NULL",
            )
            .bind(firm_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            if live > 0 {
                tx.rollback().await.map_err(map_err)?;
                return Err(StoreError::Conflict(format!(
                    "retention cannot be shortened from {current} to {years} years: {live} archived entries were kept under {current} years and have not expired"
                )));
            }
        }
        sqlx::query(
            "INSERT INTO archive_logs (firm_id, next_seq, retention_years) VALUES ($1, 0, $2)
             ON CONFLICT (firm_id) DO UPDATE SET retention_years = EXCLUDED.retention_years",
        )
        .bind(firm_id)
        .bind(years)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let stored = append_in(&mut tx, firm_id, std::slice::from_ref(action)).await?;
        tx.commit().await.map_err(map_err)?;
        stored
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Other("admin entry not stored".into()))
    }

    async fn archive_holds(&self, firm_id: &str) -> Result<Vec<LegalHold>> {
        let r = sqlx::query(
            "SELECT household, reason, placed_by, placed_at FROM archive_holds
             WHERE firm_id = $1 ORDER BY placed_at, household",
        )
        .bind(firm_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        r.iter()
            .map(|row| {
                let household: String = row.try_get("household")?;
                Ok(LegalHold {
                    household: (!household.is_empty()).then_some(household),
                    reason: row.try_get("reason")?,
                    placed_by: row.try_get("placed_by")?,
                    placed_at: row.try_get("placed_at")?,
                })
            })
            .collect::<sqlx::Result<Vec<_>>>()
            .map_err(map_err)
    }

    async fn archive_place_hold(
        &self,
        firm_id: &str,
        hold: &LegalHold,
        action: &Entry,
    ) -> Result<Entry> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO archive_holds (firm_id, household, reason, placed_by, placed_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(firm_id)
        .bind(hold.household.as_deref().unwrap_or(""))
        .bind(&hold.reason)
        .bind(&hold.placed_by)
        .bind(hold.placed_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let stored = append_in(&mut tx, firm_id, std::slice::from_ref(action)).await?;
        tx.commit().await.map_err(map_err)?;
        stored
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Other("admin entry not stored".into()))
    }

    async fn archive_lift_hold(
        &self,
        firm_id: &str,
        household: Option<&str>,
        action: &Entry,
    ) -> Result<Option<Entry>> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM archive_holds WHERE firm_id = $1 AND household = $2")
            .bind(firm_id)
            .bind(household.unwrap_or(""))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            tx.rollback().await.map_err(map_err)?;
            return Ok(None);
        }
        let stored = append_in(&mut tx, firm_id, std::slice::from_ref(action)).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored.into_iter().next())
    }

    async fn archive_expire(&self, firm_id: &str, now: Millis) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let years = retention_in(&mut tx, firm_id).await?;
        let cutoff = now.saturating_sub(years.saturating_mul(RETENTION_YEAR_MS));
        let done = sqlx::query(
            "UPDATE archive_entries SET body = NULL, expired_at = $2
             WHERE firm_id = $1 AND body IS NOT NULL AND at < $3
               AND NOT EXISTS (SELECT 1 FROM archive_holds h
                               WHERE h.firm_id = $1 AND (h.household = '' OR h.household = archive_entries.doc_id))",
        )
        .bind(firm_id)
        .bind(now)
        .bind(cutoff)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn archive_take_signing_lease(
        &self,
        holder: &str,
        now: Millis,
        ttl_ms: i64,
    ) -> Result<bool> {
        let held: Option<String> = sqlx::query_scalar(
            "INSERT INTO archive_signing_lease (id, holder, expires_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
             WHERE archive_signing_lease.holder = EXCLUDED.holder
                OR archive_signing_lease.expires_at <= $3
             RETURNING holder",
        )
        .bind(holder)
        .bind(now.saturating_add(ttl_ms))
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(held.is_some())
    }
}
