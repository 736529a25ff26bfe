//! [`ConsoleStore`] on SQLite: console users and sessions (schema v4) and set-password links (v5).

use async_trait::async_trait;
use hearth_relay_store::{
    ConsoleRole, ConsoleSession, ConsoleStore, ConsoleUser, Millis, PasswordLink, Result,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{SqliteStore, map_err, opt, rows};

fn user_row(r: &SqliteRow) -> sqlx::Result<ConsoleUser> {
    Ok(ConsoleUser {
        id: r.try_get("id")?,
        firm_id: r.try_get("firm_id")?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        // A name this build does not know (written by a newer relay) grants the least.
        role: ConsoleRole::parse(r.try_get::<&str, _>("role")?).unwrap_or(ConsoleRole::Auditor),
        created_at: r.try_get("created_at")?,
    })
}

fn session_row(r: &SqliteRow) -> sqlx::Result<ConsoleSession> {
    Ok(ConsoleSession {
        token_hash: r.try_get("token_hash")?,
        user_id: r.try_get("user_id")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

#[async_trait]
impl ConsoleStore for SqliteStore {
    async fn create_console_user(&self, u: &ConsoleUser) -> Result<()> {
        sqlx::query(
            "INSERT INTO console_users (id, firm_id, email, password_hash, created_at, role)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&u.id)
        .bind(&u.firm_id)
        .bind(&u.email)
        .bind(&u.password_hash)
        .bind(u.created_at)
        .bind(u.role.as_str())
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn console_user_by_email(&self, email: &str) -> Result<Option<ConsoleUser>> {
        let row = sqlx::query(
            "SELECT id, firm_id, email, password_hash, role, created_at FROM console_users
             WHERE email = ?1",
        )
        .bind(email)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, user_row)
    }

    async fn console_user(&self, id: &str) -> Result<Option<ConsoleUser>> {
        let row = sqlx::query(
            "SELECT id, firm_id, email, password_hash, role, created_at FROM console_users
             WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, user_row)
    }

    async fn list_console_users(&self, firm_id: Option<&str>) -> Result<Vec<ConsoleUser>> {
        let r = sqlx::query(
            "SELECT id, firm_id, email, password_hash, role, created_at FROM console_users
             WHERE firm_id IS ?1 ORDER BY created_at, id",
        )
        .bind(firm_id)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, user_row)
    }

    async fn set_console_role(&self, firm_id: &str, id: &str, role: ConsoleRole) -> Result<bool> {
        let done = sqlx::query("UPDATE console_users SET role = ?3 WHERE id = ?1 AND firm_id = ?2")
            .bind(id)
            .bind(firm_id)
            .bind(role.as_str())
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_console_password(&self, id: &str, password_hash: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE console_users SET password_hash = ?2 WHERE id = ?1")
            .bind(id)
            .bind(password_hash)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_console_session(&self, s: &ConsoleSession) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM console_sessions WHERE expires_at <= ?1")
            .bind(s.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(&s.token_hash)
        .bind(&s.user_id)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn console_session(
        &self,
        token_hash: &[u8],
        now: Millis,
    ) -> Result<Option<ConsoleSession>> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, created_at, expires_at FROM console_sessions
             WHERE token_hash = ?1 AND expires_at > ?2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, session_row)
    }

    async fn delete_console_session(&self, token_hash: &[u8]) -> Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE token_hash = ?1")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_console_sessions_of(&self, user_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE user_id = ?1")
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn create_password_link(&self, link: &PasswordLink) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM console_password_links WHERE expires_at <= ?1")
            .bind(link.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO console_password_links (token_hash, user_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(&link.token_hash)
        .bind(&link.user_id)
        .bind(link.created_at)
        .bind(link.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn password_link_user(&self, token_hash: &[u8], now: Millis) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT user_id FROM console_password_links WHERE token_hash = ?1 AND expires_at > ?2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, |r| r.try_get("user_id"))
    }

    async fn take_password_link(&self, token_hash: &[u8], now: Millis) -> Result<Option<String>> {
        let row = sqlx::query(
            "DELETE FROM console_password_links WHERE token_hash = ?1 AND expires_at > ?2
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_err)?;
        opt(row, |r| r.try_get("user_id"))
    }
}
