//! SQLite backend of the relay store ([`RelayStore`]), on `sqlx`.
//!
//! * Opened with [`SqliteStore::open`] from `sqlite://PATH` (relative), `sqlite:///ABS/PATH`, a
//!   bare path, or `sqlite::memory:` (tests); the file is created if missing.
//! * Every connection runs in WAL mode with `synchronous=FULL` (an acknowledged write survives
//!   `kill -9` and power loss), foreign keys on, and a busy timeout.
//! * Writes go through a single-connection pool, so writers queue in-process instead of
//!   failing with `SQLITE_BUSY`; write transactions start with `BEGIN IMMEDIATE` so another
//!   process on the same file waits (busy timeout) instead of failing mid-transaction. Reads use
//!   a separate pool and run concurrently (WAL).
//! * The schema is embedded SQL (`migrations/*.sql`), recorded in `schema_migrations`.
//!
//! The workspace's `rusqlite` builds SQLCipher (`bundled-sqlcipher`), and `libsqlite3-sys` is
//! shared, so this driver links SQLCipher too; an unkeyed SQLCipher database is a plain SQLite
//! file.
#![forbid(unsafe_code)]

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use hearth_relay_store::{
    Advisor, ApiToken, AuditEvent, Device, DocAppend, DocumentMeta, Firm, Invite, Millis,
    RefreshToken, RefreshUse, RelayStore, Result, SealedChunk, StoreError,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

/// How long a statement waits on a lock held by another connection or process.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a call waits for a pooled connection before reporting the store unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// Concurrent readers.
const READERS: u32 = 4;

/// Embedded schema migrations: (version, SQL). Append only; never edit a released one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_blobs.sql")),
    (3, include_str!("../migrations/0003_archive.sql")),
    (4, include_str!("../migrations/0004_console.sql")),
    (5, include_str!("../migrations/0005_password_links.sql")),
    (6, include_str!("../migrations/0006_supervision.sql")),
];

mod archive;
mod blob;
mod console;
mod supervision;

/// The relay store on a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

/// What [`SqliteStore::pragmas`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePragmas {
    /// `PRAGMA journal_mode`, lower case (`wal`; `memory` for in-memory databases).
    pub journal_mode: String,
    /// `PRAGMA synchronous` (2 = FULL).
    pub synchronous: i64,
    /// `PRAGMA foreign_keys`.
    pub foreign_keys: bool,
    /// `PRAGMA busy_timeout` in milliseconds.
    pub busy_timeout_ms: i64,
    /// Highest applied migration (0 before [`RelayStore::migrate`]).
    pub schema_version: i64,
}

/// Opens the store at `url_or_path` (see [`SqliteStore::open`]).
pub async fn open(url_or_path: &str) -> Result<SqliteStore> {
    SqliteStore::open(url_or_path).await
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url_or_path`: `sqlite://PATH`,
    /// `sqlite:PATH`, `sqlite::memory:`, or a bare file path. Does not migrate: call
    /// [`RelayStore::migrate`].
    pub async fn open(url_or_path: &str) -> Result<Self> {
        let base = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)
                .map_err(|e| StoreError::Other(format!("bad SQLite URL '{url_or_path}': {e}")))?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        };
        let memory = url_or_path.contains(":memory:") || url_or_path.contains("mode=memory");
        let options = base
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);

        let pool = |max: u32| {
            let p = SqlitePoolOptions::new()
                .max_connections(max)
                .acquire_timeout(ACQUIRE_TIMEOUT);
            // An in-memory database lives as long as its one connection.
            if memory {
                p.min_connections(1).idle_timeout(None).max_lifetime(None)
            } else {
                p
            }
        };
        // Connect the writer eagerly: it creates the file and switches it to WAL.
        let writer = pool(1)
            .connect_with(options.clone())
            .await
            .map_err(map_err)?;
        let reader = if memory {
            writer.clone()
        } else {
            pool(READERS).connect_lazy_with(options)
        };
        Ok(Self { writer, reader })
    }

    /// Closes both pools (waits for checked-out connections to return).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// The settings a write connection actually runs with, and the schema version (for
    /// diagnostics and tests).
    pub async fn pragmas(&self) -> Result<SqlitePragmas> {
        let mut conn = self.writer.acquire().await.map_err(map_err)?;
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        let busy_timeout_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        let schema_version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
                .fetch_optional(&mut *conn)
                .await
                .ok()
                .flatten()
                .flatten();
        Ok(SqlitePragmas {
            journal_mode: journal_mode.to_ascii_lowercase(),
            synchronous,
            foreign_keys: foreign_keys != 0,
            busy_timeout_ms,
            schema_version: schema_version.unwrap_or(0),
        })
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_err)
    }
}

/// Maps a sqlx error to a store error: constraint violations to `Conflict`/`NotFound`,
/// I/O, lock and pool failures to `Unavailable`.
fn map_err(e: sqlx::Error) -> StoreError {
    use sqlx::error::ErrorKind;
    match &e {
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation => StoreError::Conflict(db.message().to_string()),
            ErrorKind::ForeignKeyViolation => {
                StoreError::NotFound(format!("referenced row missing ({})", db.message()))
            }
            _ => {
                let primary = db
                    .code()
                    .and_then(|c| c.parse::<i64>().ok())
                    .map(|c| c & 0xff);
                match primary {
                    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN, SQLITE_IOERR.
                    Some(5 | 6 | 14 | 10) => StoreError::Unavailable(e.to_string()),
                    _ => StoreError::Other(e.to_string()),
                }
            }
        },
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Other(e.to_string()),
    }
}

fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn len_i64(n: usize) -> Result<i64> {
    i64::try_from(n).map_err(|_| StoreError::Other("too many chunks".into()))
}

fn firm_row(r: &SqliteRow) -> sqlx::Result<Firm> {
    Ok(Firm {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        wrapped_key: r.try_get("wrapped_key")?,
        master_key_id: r.try_get("master_key_id")?,
        created_at: r.try_get("created_at")?,
    })
}

fn advisor_row(r: &SqliteRow) -> sqlx::Result<Advisor> {
    Ok(Advisor {
        id: r.try_get("id")?,
        firm_id: r.try_get("firm_id")?,
        name: r.try_get("name")?,
        is_admin: r.try_get("is_admin")?,
        disabled: r.try_get("disabled")?,
        created_at: r.try_get("created_at")?,
    })
}

fn invite_row(r: &SqliteRow) -> sqlx::Result<Invite> {
    Ok(Invite {
        code_hash: r.try_get("code_hash")?,
        firm_id: r.try_get("firm_id")?,
        advisor_id: r.try_get("advisor_id")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        used_at: r.try_get("used_at")?,
    })
}

fn device_row(r: &SqliteRow) -> sqlx::Result<Device> {
    Ok(Device {
        id: r.try_get("id")?,
        firm_id: r.try_get("firm_id")?,
        advisor_id: r.try_get("advisor_id")?,
        label: r.try_get("label")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

fn api_token_row(r: &SqliteRow) -> sqlx::Result<ApiToken> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        token_hash: r.try_get("token_hash")?,
        firm_id: r.try_get("firm_id")?,
        advisor_id: r.try_get("advisor_id")?,
        label: r.try_get("label")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

fn document_row(r: &SqliteRow) -> sqlx::Result<DocumentMeta> {
    Ok(DocumentMeta {
        doc_id: r.try_get("doc_id")?,
        firm_id: r.try_get("firm_id")?,
        owner_id: r.try_get("owner_id")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn audit_row(r: &SqliteRow) -> sqlx::Result<AuditEvent> {
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        firm_id: r.try_get("firm_id")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        at: r.try_get("at")?,
    })
}

/// A share: (document, advisor it is shared with).
fn share_row(r: &SqliteRow) -> sqlx::Result<(String, String)> {
    Ok((r.try_get("doc_id")?, r.try_get("advisor_id")?))
}

fn rows<T>(rows: Vec<SqliteRow>, f: fn(&SqliteRow) -> sqlx::Result<T>) -> Result<Vec<T>> {
    rows.iter().map(|r| f(r).map_err(map_err)).collect()
}

fn opt<T>(row: Option<SqliteRow>, f: fn(&SqliteRow) -> sqlx::Result<T>) -> Result<Option<T>> {
    row.as_ref().map(f).transpose().map_err(map_err)
}

/// Inserts a document row and its first chunks inside `tx`.
async fn create_document_in(
    tx: &mut Transaction<'static, Sqlite>,
    meta: &DocumentMeta,
    chunks: &[Vec<u8>],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO documents (doc_id, firm_id, owner_id, created_at, updated_at, next_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(&meta.doc_id)
    .bind(&meta.firm_id)
    .bind(&meta.owner_id)
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(1 + len_i64(chunks.len())?)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    insert_chunks(tx, &meta.doc_id, 1, chunks).await
}

/// Appends chunks to an existing document inside `tx` (`NotFound` if there is none; the caller
/// drops the transaction, which rolls it back).
async fn append_chunks_in(
    tx: &mut Transaction<'static, Sqlite>,
    doc_id: &str,
    chunks: &[Vec<u8>],
    now: Millis,
) -> Result<()> {
    let n = len_i64(chunks.len())?;
    let next: Option<i64> = sqlx::query_scalar(
        "UPDATE documents SET next_seq = next_seq + ?2, updated_at = MAX(updated_at, ?3)
         WHERE doc_id = ?1 RETURNING next_seq",
    )
    .bind(doc_id)
    .bind(n)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_err)?;
    let Some(next) = next else {
        return Err(StoreError::NotFound(format!("document {doc_id}")));
    };
    insert_chunks(tx, doc_id, next - n, chunks).await
}

async fn insert_chunks(
    tx: &mut Transaction<'static, Sqlite>,
    doc_id: &str,
    first_seq: i64,
    chunks: &[Vec<u8>],
) -> Result<()> {
    for (i, c) in chunks.iter().enumerate() {
        sqlx::query("INSERT INTO chunks (doc_id, seq, sealed) VALUES (?1, ?2, ?3)")
            .bind(doc_id)
            .bind(first_seq + len_i64(i)?)
            .bind(c.as_slice())
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

#[async_trait]
impl RelayStore for SqliteStore {
    async fn migrate(&self) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let current = current.unwrap_or(0);
        let latest = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
        if current > latest {
            return Err(StoreError::Other(format!(
                "database schema version {current} is newer than this relay supports ({latest})"
            )));
        }
        for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            sqlx::raw_sql(*sql)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)")
                .bind(version)
                .bind(now_millis())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn create_firm(&self, firm: &Firm) -> Result<()> {
        sqlx::query(
            "INSERT INTO firms (id, name, wrapped_key, master_key_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&firm.id)
        .bind(&firm.name)
        .bind(&firm.wrapped_key)
        .bind(&firm.master_key_id)
        .bind(firm.created_at)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn firm(&self, id: &str) -> Result<Option<Firm>> {
        let row = sqlx::query(
            "SELECT id, name, wrapped_key, master_key_id, created_at FROM firms WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, firm_row)
    }

    async fn list_firms(&self) -> Result<Vec<Firm>> {
        let r = sqlx::query(
            "SELECT id, name, wrapped_key, master_key_id, created_at FROM firms
             ORDER BY created_at, id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, firm_row)
    }

    async fn rewrap_firm_key(
        &self,
        id: &str,
        previous: &[u8],
        wrapped_key: &[u8],
        master_key_id: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE firms SET wrapped_key = ?2, master_key_id = ?3 WHERE id = ?1 AND wrapped_key = ?4",
        )
        .bind(id)
        .bind(wrapped_key)
        .bind(master_key_id)
        .bind(previous)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM firms WHERE id = ?1")
                .bind(id)
                .fetch_optional(&self.writer)
                .await
                .map_err(map_err)?;
            return Err(match exists {
                Some(_) => StoreError::Conflict(format!(
                    "firm {id}: its key changed meanwhile (another rotation); run it again"
                )),
                None => StoreError::NotFound(format!("firm {id}")),
            });
        }
        Ok(())
    }

    async fn create_advisor(&self, a: &Advisor) -> Result<()> {
        sqlx::query(
            "INSERT INTO advisors (id, firm_id, name, is_admin, disabled, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&a.id)
        .bind(&a.firm_id)
        .bind(&a.name)
        .bind(a.is_admin)
        .bind(a.disabled)
        .bind(a.created_at)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn advisor(&self, id: &str) -> Result<Option<Advisor>> {
        let row = sqlx::query(
            "SELECT id, firm_id, name, is_admin, disabled, created_at FROM advisors WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, advisor_row)
    }

    async fn list_advisors(&self, firm_id: &str) -> Result<Vec<Advisor>> {
        let r = sqlx::query(
            "SELECT id, firm_id, name, is_admin, disabled, created_at FROM advisors
             WHERE firm_id = ?1 ORDER BY created_at, id",
        )
        .bind(firm_id)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, advisor_row)
    }

    async fn set_advisor_disabled(
        &self,
        firm_id: &str,
        advisor_id: &str,
        disabled: bool,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE advisors SET disabled = ?3 WHERE firm_id = ?1 AND id = ?2")
            .bind(firm_id)
            .bind(advisor_id)
            .bind(disabled)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_invite(&self, i: &Invite) -> Result<()> {
        sqlx::query(
            "INSERT INTO invites (code_hash, firm_id, advisor_id, created_at, expires_at, used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&i.code_hash)
        .bind(&i.firm_id)
        .bind(&i.advisor_id)
        .bind(i.created_at)
        .bind(i.expires_at)
        .bind(i.used_at)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn redeem_invite(&self, code_hash: &[u8], now: Millis) -> Result<Option<Invite>> {
        let row = sqlx::query(
            "UPDATE invites SET used_at = ?2
             WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2
             RETURNING code_hash, firm_id, advisor_id, created_at, expires_at, used_at",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_err)?;
        opt(row, invite_row)
    }

    async fn create_device(&self, d: &Device) -> Result<()> {
        sqlx::query(
            "INSERT INTO devices (id, firm_id, advisor_id, label, created_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&d.id)
        .bind(&d.firm_id)
        .bind(&d.advisor_id)
        .bind(&d.label)
        .bind(d.created_at)
        .bind(d.revoked_at)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn device(&self, id: &str) -> Result<Option<Device>> {
        let row = sqlx::query(
            "SELECT id, firm_id, advisor_id, label, created_at, revoked_at FROM devices WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, device_row)
    }

    async fn list_devices(&self, firm_id: &str, advisor_id: Option<&str>) -> Result<Vec<Device>> {
        let r = sqlx::query(
            "SELECT id, firm_id, advisor_id, label, created_at, revoked_at FROM devices
             WHERE firm_id = ?1 AND (?2 IS NULL OR advisor_id = ?2) ORDER BY created_at, id",
        )
        .bind(firm_id)
        .bind(advisor_id)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, device_row)
    }

    async fn revoke_device(&self, firm_id: &str, device_id: &str, now: Millis) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?3) WHERE firm_id = ?1 AND id = ?2",
        )
        .bind(firm_id)
        .bind(device_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            tx.rollback().await.map_err(map_err)?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE device_id = ?1",
        )
        .bind(device_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn insert_refresh_token(&self, t: &RefreshToken) -> Result<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, device_id, created_at, expires_at, used_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&t.token_hash)
        .bind(&t.device_id)
        .bind(t.created_at)
        .bind(t.expires_at)
        .bind(t.used_at)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn refresh_token_device(&self, token_hash: &[u8]) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT device_id FROM refresh_tokens WHERE token_hash = ?1")
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)
    }

    async fn use_refresh_token(&self, token_hash: &[u8], now: Millis) -> Result<RefreshUse> {
        let mut tx = self.write_tx().await?;
        let fresh: Option<String> = sqlx::query_scalar(
            "UPDATE refresh_tokens SET used_at = ?2
             WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2
             RETURNING device_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let outcome = match fresh {
            Some(device_id) => RefreshUse::Fresh { device_id },
            None => {
                let row = sqlx::query(
                    "SELECT device_id, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?1",
                )
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
                classify_unusable(row.as_ref())?
            }
        };
        tx.commit().await.map_err(map_err)?;
        Ok(outcome)
    }

    async fn insert_api_token(&self, t: &ApiToken) -> Result<()> {
        sqlx::query(
            "INSERT INTO api_tokens
                (id, token_hash, firm_id, advisor_id, label, created_at, expires_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(&t.id)
        .bind(&t.token_hash)
        .bind(&t.firm_id)
        .bind(&t.advisor_id)
        .bind(&t.label)
        .bind(t.created_at)
        .bind(t.expires_at)
        .bind(t.revoked_at)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn api_token(&self, token_hash: &[u8]) -> Result<Option<ApiToken>> {
        let row = sqlx::query(
            "SELECT id, token_hash, firm_id, advisor_id, label, created_at, expires_at, revoked_at
             FROM api_tokens WHERE token_hash = ?1",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, api_token_row)
    }

    async fn list_api_tokens(&self, firm_id: &str) -> Result<Vec<ApiToken>> {
        let r = sqlx::query(
            "SELECT id, token_hash, firm_id, advisor_id, label, created_at, expires_at, revoked_at
             FROM api_tokens WHERE firm_id = ?1 ORDER BY created_at, id",
        )
        .bind(firm_id)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, api_token_row)
    }

    async fn revoke_api_token(&self, firm_id: &str, token_id: &str, now: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?3) WHERE firm_id = ?1 AND id = ?2",
        )
        .bind(firm_id)
        .bind(token_id)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn all_documents(&self) -> Result<Vec<DocumentMeta>> {
        let r = sqlx::query(
            "SELECT doc_id, firm_id, owner_id, created_at, updated_at FROM documents
             ORDER BY created_at, doc_id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, document_row)
    }

    async fn all_shares(&self) -> Result<Vec<(String, String)>> {
        let r = sqlx::query("SELECT doc_id, advisor_id FROM shares ORDER BY doc_id, advisor_id")
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)?;
        rows(r, share_row)
    }

    async fn firm_shares(&self, firm_id: &str) -> Result<Vec<(String, String)>> {
        let r = sqlx::query(
            "SELECT s.doc_id, s.advisor_id FROM shares s JOIN documents d ON d.doc_id = s.doc_id
             WHERE d.firm_id = ?1 ORDER BY s.doc_id, s.advisor_id",
        )
        .bind(firm_id)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, share_row)
    }

    async fn document(&self, doc_id: &str) -> Result<Option<DocumentMeta>> {
        let row = sqlx::query(
            "SELECT doc_id, firm_id, owner_id, created_at, updated_at FROM documents WHERE doc_id = ?1",
        )
        .bind(doc_id)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        opt(row, document_row)
    }

    async fn list_documents(&self, firm_id: &str) -> Result<Vec<DocumentMeta>> {
        let r = sqlx::query(
            "SELECT doc_id, firm_id, owner_id, created_at, updated_at FROM documents
             WHERE firm_id = ?1 ORDER BY created_at, doc_id",
        )
        .bind(firm_id)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, document_row)
    }

    async fn create_document(&self, meta: &DocumentMeta, chunks: &[Vec<u8>]) -> Result<()> {
        let mut tx = self.write_tx().await?;
        create_document_in(&mut tx, meta, chunks).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn append_chunks(&self, doc_id: &str, chunks: &[Vec<u8>], now: Millis) -> Result<()> {
        let mut tx = self.write_tx().await?;
        append_chunks_in(&mut tx, doc_id, chunks, now).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn append_batch(&self, batch: &[DocAppend]) -> Result<()> {
        let mut tx = self.write_tx().await?;
        for append in batch {
            match &append.create {
                Some(meta) => create_document_in(&mut tx, meta, &append.chunks).await?,
                None => {
                    append_chunks_in(&mut tx, &append.doc_id, &append.chunks, append.now).await?
                }
            }
            if let Some(first) = append.archive.first() {
                archive::append_in(&mut tx, &first.firm, &append.archive).await?;
            }
        }
        tx.commit().await.map_err(map_err)
    }

    async fn load_chunks(&self, doc_id: &str) -> Result<Vec<SealedChunk>> {
        let r = sqlx::query("SELECT seq, sealed FROM chunks WHERE doc_id = ?1 ORDER BY seq")
            .bind(doc_id)
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)?;
        r.iter()
            .map(|row| {
                Ok(SealedChunk {
                    seq: row.try_get("seq")?,
                    sealed: row.try_get("sealed")?,
                })
            })
            .collect::<sqlx::Result<Vec<_>>>()
            .map_err(map_err)
    }

    async fn compact(&self, doc_id: &str, snapshot: &[u8], up_to_seq: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let locked: Option<i64> = sqlx::query_scalar(
            "UPDATE documents SET next_seq = MAX(next_seq, ?2 + 1) WHERE doc_id = ?1 RETURNING next_seq",
        )
        .bind(doc_id)
        .bind(up_to_seq)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        if locked.is_none() {
            tx.rollback().await.map_err(map_err)?;
            return Err(StoreError::NotFound(format!("document {doc_id}")));
        }
        let deleted = sqlx::query("DELETE FROM chunks WHERE doc_id = ?1 AND seq <= ?2")
            .bind(doc_id)
            .bind(up_to_seq)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if deleted.rows_affected() == 0 {
            // Nothing at or below up_to_seq: a newer compaction already covered it.
            tx.rollback().await.map_err(map_err)?;
            return Ok(());
        }
        sqlx::query("INSERT INTO chunks (doc_id, seq, sealed) VALUES (?1, ?2, ?3)")
            .bind(doc_id)
            .bind(up_to_seq)
            .bind(snapshot)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn share(&self, doc_id: &str, advisor_id: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO shares (doc_id, advisor_id) VALUES (?1, ?2)
             ON CONFLICT (doc_id, advisor_id) DO NOTHING",
        )
        .bind(doc_id)
        .bind(advisor_id)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn unshare(&self, doc_id: &str, advisor_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM shares WHERE doc_id = ?1 AND advisor_id = ?2")
            .bind(doc_id)
            .bind(advisor_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn shares_of(&self, doc_id: &str) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT advisor_id FROM shares WHERE doc_id = ?1 ORDER BY advisor_id")
            .bind(doc_id)
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)
    }

    async fn append_audit(&self, e: &AuditEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit (firm_id, actor, action, target, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&e.firm_id)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.target)
        .bind(e.at)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn list_audit(&self, firm_id: &str, limit: i64) -> Result<Vec<AuditEvent>> {
        let r = sqlx::query(
            "SELECT seq, firm_id, actor, action, target, at FROM audit
             WHERE firm_id = ?1 ORDER BY seq DESC LIMIT ?2",
        )
        .bind(firm_id)
        .bind(limit.max(0))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows(r, audit_row)
    }
}

/// Why a refresh token could not be used: unknown, revoked or expired → `Invalid`; already
/// used → `Replayed`.
fn classify_unusable(row: Option<&SqliteRow>) -> Result<RefreshUse> {
    let Some(row) = row else {
        return Ok(RefreshUse::Invalid);
    };
    let device_id: String = row.try_get("device_id").map_err(map_err)?;
    let used_at: Option<i64> = row.try_get("used_at").map_err(map_err)?;
    let revoked_at: Option<i64> = row.try_get("revoked_at").map_err(map_err)?;
    Ok(match (revoked_at, used_at) {
        (Some(_), _) => RefreshUse::Invalid,
        (None, Some(used_at)) => RefreshUse::Replayed { device_id, used_at },
        (None, None) => RefreshUse::Invalid,
    })
}
