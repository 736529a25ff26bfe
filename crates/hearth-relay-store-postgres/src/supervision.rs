//! [`SupervisionStore`] on Postgres: review decisions and policy versions (schema v6), each with
//! its archive entry in one transaction.

use async_trait::async_trait;
use hearth_archive::Entry;
use hearth_relay_store::{PolicyRecord, Result, ReviewRecord, StoreError, SupervisionStore};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::archive::append_in;
use crate::{PostgresStore, map_err, opt, rows};

fn review_row(r: &PgRow) -> sqlx::Result<ReviewRecord> {
    Ok(ReviewRecord {
        firm_id: r.try_get("firm_id")?,
        seq: r.try_get("seq")?,
        item: r.try_get("item")?,
        household: r.try_get("household")?,
        state: r.try_get("state")?,
        comment: r.try_get("comment")?,
        detail: r.try_get("detail")?,
        by: r.try_get("by_actor")?,
        at: r.try_get("at")?,
    })
}

fn policy_row(r: &PgRow) -> sqlx::Result<PolicyRecord> {
    Ok(PolicyRecord {
        firm_id: r.try_get("firm_id")?,
        version: r.try_get("version")?,
        body: r.try_get("body")?,
        set_by: r.try_get("set_by")?,
        set_at: r.try_get("set_at")?,
    })
}

#[async_trait]
impl SupervisionStore for PostgresStore {
    async fn append_review(&self, record: &ReviewRecord, entry: &Entry) -> Result<ReviewRecord> {
        let mut tx = self.write_tx().await?;
        // The archive append first: it locks the firm's log row, so concurrent decisions of
        // one firm take their numbers one after the other.
        append_in(&mut tx, &record.firm_id, std::slice::from_ref(entry)).await?;
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM review_records WHERE firm_id = $1")
                .bind(&record.firm_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        let mut stored = record.clone();
        stored.seq = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO review_records
               (firm_id, seq, item, household, state, comment, detail, by_actor, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&stored.firm_id)
        .bind(stored.seq)
        .bind(&stored.item)
        .bind(&stored.household)
        .bind(&stored.state)
        .bind(&stored.comment)
        .bind(&stored.detail)
        .bind(&stored.by)
        .bind(stored.at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn review_records(&self, firm_id: &str) -> Result<Vec<ReviewRecord>> {
        let r = sqlx::query("SELECT * FROM review_records WHERE firm_id = $1 ORDER BY seq")
            .bind(firm_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows(r, review_row)
    }

    async fn put_policy(&self, policy: &PolicyRecord, entry: &Entry) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // Archive first (it locks the firm's log row: two saves at once are serialised, and
        // the second sees the first's version).
        append_in(&mut tx, &policy.firm_id, std::slice::from_ref(entry)).await?;
        let latest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM firm_policies WHERE firm_id = $1")
                .bind(&policy.firm_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        let expected = latest.unwrap_or(0) + 1;
        if policy.version != expected {
            tx.rollback().await.map_err(map_err)?;
            return Err(StoreError::Conflict(format!(
                "the firm's policy is at version {}; version {} was not saved (someone else changed it — reload and try again)",
                latest.unwrap_or(0),
                policy.version
            )));
        }
        sqlx::query(
            "INSERT INTO firm_policies (firm_id, version, body, set_by, set_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&policy.firm_id)
        .bind(policy.version)
        .bind(&policy.body)
        .bind(&policy.set_by)
        .bind(policy.set_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn policy(&self, firm_id: &str) -> Result<Option<PolicyRecord>> {
        let row = sqlx::query(
            "SELECT * FROM firm_policies WHERE firm_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(firm_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        opt(row, policy_row)
    }

    async fn set_advisor_admin(
        &self,
        firm_id: &str,
        advisor_id: &str,
        admin: bool,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE advisors SET is_admin = $3 WHERE firm_id = $1 AND id = $2")
            .bind(firm_id)
            .bind(advisor_id)
            .bind(admin)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn transfer_documents(&self, firm_id: &str, from: &str, to: &str) -> Result<Vec<String>> {
        let mut tx = self.write_tx().await?;
        let known: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM advisors WHERE firm_id = $1 AND id IN ($2, $3)",
        )
        .bind(firm_id)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        if known != 2 || from == to {
            tx.rollback().await.map_err(map_err)?;
            return Err(StoreError::NotFound(format!(
                "advisors {from} and {to} of firm {firm_id} (two different ones)"
            )));
        }
        let moved: Vec<String> = sqlx::query_scalar(
            "UPDATE documents SET owner_id = $3 WHERE firm_id = $1 AND owner_id = $2
             RETURNING doc_id",
        )
        .bind(firm_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        for doc in &moved {
            sqlx::query("DELETE FROM shares WHERE doc_id = $1 AND advisor_id = $2")
                .bind(doc)
                .bind(to)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        crate::notify(&mut *tx, &self.origin, 's', firm_id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(moved)
    }

    async fn firm_setting(&self, firm_id: &str, key: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM firm_settings WHERE firm_id = $1 AND key = $2")
            .bind(firm_id)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn set_firm_setting(&self, firm_id: &str, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO firm_settings (firm_id, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (firm_id, key) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(firm_id)
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}
