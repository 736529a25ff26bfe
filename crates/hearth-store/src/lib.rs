//! Hearth's encrypted local store.
//!
//! One SQLCipher database per advisor profile holds, for each household, its compacted
//! Automerge snapshot plus the incremental changes written since, a few summary columns for
//! fast listing, and the profile's metadata.
//!
//! Durability: the database runs in WAL mode with `synchronous = FULL`, so every committed
//! transaction has been fsynced to the WAL before [`Store::append_change`] returns. An edit the
//! caller has been told about therefore survives `kill -9` and power loss. Writes that read
//! first (load, edit, append) run inside one `BEGIN IMMEDIATE` transaction so two processes
//! editing the same profile cannot interleave.
#![forbid(unsafe_code)]

mod migrations;

use std::path::{Path, PathBuf};
use std::time::Duration;

use hearth_secrets::DbKey;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

pub use migrations::CURRENT_VERSION;

/// How many incremental changes a household accumulates before they are folded into a new
/// snapshot. Loading cost grows with the change count; compaction costs one `save()`.
pub const COMPACT_AFTER: i64 = 64;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key does not open the database (or the file is not a Hearth database).
    #[error(
        "could not unlock the profile database {path}: wrong passphrase or key, or the file is damaged. \
         Nothing was changed"
    )]
    WrongKey {
        /// The database file.
        path: PathBuf,
    },
    /// SQLCipher did not initialise in this process, so no database can be keyed.
    #[error(
        "the database encryption library (SQLCipher) failed to start: {detail}. \
         Nothing was opened; reinstall Hearth if this persists"
    )]
    CipherUnavailable {
        /// What SQLCipher reported.
        detail: String,
    },
    /// No database at the path.
    #[error("no profile database at {path}; create one with `hearth init`")]
    Missing {
        /// The database file.
        path: PathBuf,
    },
    /// A database already exists where a new one was to be created.
    #[error("a profile database already exists at {path}; refusing to overwrite it")]
    Exists {
        /// The database file.
        path: PathBuf,
    },
    /// The database was written by a newer Hearth.
    #[error(
        "the profile database has schema version {found}, newer than this Hearth understands ({supported}); \
         upgrade Hearth"
    )]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// Any other SQLite/SQLCipher failure.
    ///
    /// [`StoreError::is_busy`] tells a lock held too long by another process (worth retrying)
    /// from everything else.
    #[error("profile database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Whether this is SQLite's "database is locked": another process held the profile's
    /// write lock past the busy timeout. Retrying later can succeed.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(e) if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        )
    }
}

/// How the database file is protected.
pub enum Encryption<'a> {
    /// SQLCipher with a raw 256-bit key: every profile.
    Key(&'a DbKey),
    /// No encryption. Only for measuring SQLCipher's overhead against the same code.
    Plaintext,
}

/// The listing row of a household, kept beside its document so that listing never has to
/// load documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRow {
    /// Household (document) id.
    pub id: String,
    /// Household name.
    pub name: String,
    /// Prospect or client.
    pub status: String,
    /// Service segment.
    pub segment: Option<String>,
    /// Last local write, ms since the epoch.
    pub updated_at: i64,
}

/// An open loop of a household, as Today lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLoopRow {
    /// Household id.
    pub household_id: String,
    /// Task item id.
    pub task_id: String,
    /// What has to be done.
    pub title: String,
    /// Owning advisor.
    pub owner: String,
    /// Due date, YYYY-MM-DD.
    pub due: Option<String>,
    /// Hidden until this date, YYYY-MM-DD.
    pub snoozed_until: Option<String>,
    /// Meeting it came from.
    pub source_meeting: Option<String>,
    /// When it was opened, ms since the epoch.
    pub created_at: i64,
}

/// A meeting on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    /// Household id.
    pub household_id: String,
    /// Meeting item id.
    pub meeting_id: String,
    /// Title.
    pub title: String,
    /// Start, ms since the epoch.
    pub starts_at: i64,
}

/// What lists and Today read about one household, stored beside its document and refreshed
/// in the same transaction as every write to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Archived households leave lists and Today.
    pub archived: bool,
    /// Sum of open accounts' AUM, exact decimal text.
    pub aum_total: Option<String>,
    /// Last meeting held, ms since the epoch.
    pub last_contact: Option<i64>,
    /// Fields holding concurrent values.
    pub conflicts: i64,
    /// The month of the household's annual review, 1–12.
    pub review_month: Option<u32>,
    /// The inputs of the date alerts, as JSON (`None`: nothing to compute dates from).
    pub dates_input: Option<String>,
    /// Open loops.
    pub open_loops: Vec<OpenLoopRow>,
    /// Scheduled meetings.
    pub calendar: Vec<CalendarRow>,
    /// Version of the rules that built it; rows built by older rules are rebuilt on open.
    pub version: i64,
}

/// A household's listing row with what the list shows beyond the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingRow {
    /// Name, status, segment, last write.
    pub household: HouseholdRow,
    /// Archived.
    pub archived: bool,
    /// Sum of open accounts' AUM.
    pub aum_total: Option<String>,
    /// Last meeting held, ms since the epoch.
    pub last_contact: Option<i64>,
    /// Number of open loops.
    pub open_loops: i64,
    /// Fields holding concurrent values.
    pub conflicts: i64,
    /// The month of the household's annual review, 1–12.
    pub review_month: Option<u32>,
    /// The inputs of the date alerts, as JSON.
    pub dates_input: Option<String>,
    /// Version of the rules that built the row.
    pub listing_version: i64,
}

/// A change a colleague made, recorded when it arrived through sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    /// Arrival order on this desk (assigned by the store; ignored when recording).
    pub seq: i64,
    /// Household id.
    pub household_id: String,
    /// Automerge change hash, hex.
    pub change_hash: String,
    /// Advisor who made it, if the document names them.
    pub advisor: Option<String>,
    /// When it was made (the change's own time), ms since the epoch.
    pub time: i64,
    /// What it did, in words.
    pub summary: String,
}

/// A household's stored document: a snapshot plus the changes saved after it, in order.
#[derive(Debug, Clone, Default)]
pub struct StoredDoc {
    /// Compacted Automerge document.
    pub snapshot: Vec<u8>,
    /// Incremental changes since the snapshot.
    pub changes: Vec<Vec<u8>>,
}

/// An open profile database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A write transaction that holds the database's write lock from its first statement.
pub struct WriteTx<'a> {
    tx: rusqlite::Transaction<'a>,
}

/// Opens a SQLite connection once SQLCipher is known to be initialised in this process.
///
/// SQLite marks itself initialised *before* it runs SQLCipher's extra initialisation, outside
/// its lock, so a second thread opening a database at that moment gets a connection whose
/// `PRAGMA key` fails ("An error occurred with PRAGMA key or rekey"). CI hit this once with
/// tests opening stores in parallel; an app opening its profile while the sync task starts
/// could hit it too. The first caller here keys a throwaway in-memory database until SQLCipher
/// answers, and every other caller waits for that on the `OnceLock`.
fn open_connection(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    static SQLCIPHER_READY: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let ready = SQLCIPHER_READY.get_or_init(|| {
        // The race window is the few microseconds SQLCipher's init takes on another thread;
        // a bounded number of yields covers it without a timed sleep.
        let mut last_error = String::new();
        for _ in 0..100_000 {
            let probe =
                Connection::open_in_memory().and_then(|c| c.execute_batch("PRAGMA key = 'probe';"));
            match probe {
                Ok(()) => return Ok(()),
                Err(e) => last_error = e.to_string(),
            }
            std::thread::yield_now();
        }
        Err(last_error)
    });
    if let Err(detail) = ready {
        return Err(StoreError::CipherUnavailable {
            detail: detail.clone(),
        });
    }
    Ok(Connection::open_with_flags(path, flags)?)
}

impl Store {
    /// Creates a new, empty database at `path`.
    pub fn create(path: &Path, encryption: Encryption<'_>) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = open_connection(path, flags)?;
        let mut store = Self::setup(conn, path, encryption)?;
        migrations::migrate(&mut store.conn, CURRENT_VERSION)?;
        Ok(store)
    }

    /// Opens an existing database, migrating it to the current schema if an older build wrote it.
    pub fn open(path: &Path, encryption: Encryption<'_>) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = open_connection(path, flags)?;
        let mut store = Self::setup(conn, path, encryption)?;
        migrations::migrate(&mut store.conn, CURRENT_VERSION)?;
        Ok(store)
    }

    /// Keys the connection, proves the key right with a read (before anything could write),
    /// then sets the durability pragmas.
    fn setup(
        conn: Connection,
        path: &Path,
        encryption: Encryption<'_>,
    ) -> Result<Self, StoreError> {
        // SQLCipher logs a failed HMAC check to stderr by default; a wrong passphrase is an
        // expected event that Hearth reports itself, and the log line would only confuse.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        // Another process (a `hearth sync --watch`, the app) may be writing: wait for it
        // rather than fail, from the very first read.
        conn.busy_timeout(Duration::from_secs(10))?;
        if let Encryption::Key(key) = encryption {
            let pragma =
                zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()));
            conn.execute_batch(&pragma)?;
        }
        let wrong_key = |e: &rusqlite::Error| {
            matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase)
            )
        };
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(_) => {}
            Err(e) if wrong_key(&e) => {
                return Err(StoreError::WrongKey {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        // journal_mode returns a row, so it is read rather than executed.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "could not switch the profile database to WAL mode");
        }
        // Sorts and temporary indexes in memory: on disk they would be encrypted temp files,
        // and a 20,000-row ORDER BY through them took 300 ms.
        // A 32 MiB page cache (SQLite's default is 2 MB): Today reads the listing rows, the
        // open loops and the calendar together, and with the default each query evicted the
        // others' pages, so every draw decrypted them all again (68 ms for a week of loops).
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -32768;",
        )?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        migrations::current(&self.conn)
    }

    /// Reads a profile metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Every profile metadata entry whose key starts with `prefix`, by key.
    pub fn meta_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        // A range over the primary key rather than LIKE, so it is an index walk and `%`/`_`
        // in the prefix mean nothing special. Keys are ASCII; U+10FFFF sorts after them.
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, value FROM meta WHERE key >= ?1 AND key < ?1 || char(1114111) ORDER BY key",
        )?;
        let rows = stmt.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Lists every household, by name.
    pub fn list_households(&self) -> Result<Vec<HouseholdRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, status, segment, updated_at FROM households ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map([], row_to_household)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every household's listing row, by name (archived ones included). Households whose
    /// listing was never built are not in it (see [`Store::stale_listings`]).
    pub fn listings(&self) -> Result<Vec<ListingRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT household_id, name, status, segment, updated_at, archived, aum_total,
                    last_contact, open_loops, conflicts, review_month, dates_input, version
             FROM listings ORDER BY name COLLATE NOCASE, household_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ListingRow {
                household: row_to_household(r)?,
                archived: r.get(5)?,
                aum_total: r.get(6)?,
                last_contact: r.get(7)?,
                open_loops: r.get(8)?,
                conflicts: r.get(9)?,
                review_month: r.get(10)?,
                dates_input: r.get(11)?,
                listing_version: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Households whose listing was built by rules older than `version`, or never.
    pub fn stale_listings(&self, version: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.id FROM households h LEFT JOIN listings l ON l.household_id = h.id
             WHERE l.version IS NULL OR l.version < ?1",
        )?;
        let rows = stmt.query_map([version], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open loops due on or before `due_max` (YYYY-MM-DD), in no particular order. Archived
    /// households have no open-loop rows (see [`WriteTx::put_listing`]).
    pub fn open_loops_due_by(&self, due_max: &str) -> Result<Vec<OpenLoopRow>, StoreError> {
        self.open_loops_query(
            "SELECT household_id, task_id, title, owner, due, snoozed_until, source_meeting, created_at
             FROM open_loops WHERE due <= ?1",
            params![due_max],
        )
    }

    /// Up to `limit` open loops due after `due_min` (soonest first), then up to `limit`
    /// undated ones: the head of Today's "later" group.
    pub fn open_loops_later(
        &self,
        due_min: &str,
        limit: i64,
    ) -> Result<Vec<OpenLoopRow>, StoreError> {
        let mut rows = self.open_loops_query(
            "SELECT household_id, task_id, title, owner, due, snoozed_until, source_meeting, created_at
             FROM open_loops WHERE due > ?1 ORDER BY due LIMIT ?2",
            params![due_min, limit],
        )?;
        rows.extend(self.open_loops_query(
            "SELECT household_id, task_id, title, owner, due, snoozed_until, source_meeting, created_at
             FROM open_loops WHERE due IS NULL LIMIT ?1",
            params![limit],
        )?);
        Ok(rows)
    }

    /// How many open loops are due after `due_min` or undated and not snoozed past `today`,
    /// and how many are snoozed past `today` (dates YYYY-MM-DD): Today counts what it does
    /// not list.
    pub fn open_loop_counts(&self, due_min: &str, today: &str) -> Result<(i64, i64), StoreError> {
        let later = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM open_loops
                 WHERE (due > ?1 OR due IS NULL) AND coalesce(snoozed_until, '') <= ?2",
            )?
            .query_row([due_min, today], |r| r.get(0))?;
        let snoozed = self
            .conn
            .prepare_cached("SELECT count(*) FROM open_loops WHERE snoozed_until > ?1")?
            .query_row([today], |r| r.get(0))?;
        Ok((later, snoozed))
    }

    fn open_loops_query(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<OpenLoopRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok(OpenLoopRow {
                household_id: r.get(0)?,
                task_id: r.get(1)?,
                title: r.get(2)?,
                owner: r.get(3)?,
                due: r.get(4)?,
                snoozed_until: r.get(5)?,
                source_meeting: r.get(6)?,
                created_at: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Meetings scheduled in `[from_ms, to_ms)` for households that are not archived, by
    /// time, each with its household's name.
    pub fn calendar(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(CalendarRow, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.household_id, c.meeting_id, c.title, c.starts_at, h.name
             FROM calendar c JOIN listings h ON h.household_id = c.household_id
             WHERE c.starts_at >= ?1 AND c.starts_at < ?2
             ORDER BY c.starts_at",
        )?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok((
                CalendarRow {
                    household_id: r.get(0)?,
                    meeting_id: r.get(1)?,
                    title: r.get(2)?,
                    starts_at: r.get(3)?,
                },
                r.get(4)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The next scheduled meeting of each household, from `from_ms` on: household id → start.
    pub fn next_meetings(
        &self,
        from_ms: i64,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT household_id, min(starts_at) FROM calendar WHERE starts_at >= ?1 GROUP BY household_id",
        )?;
        let rows = stmt.query_map([from_ms], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Colleagues' changes recorded after activity number `after_seq` and made after
    /// `since_ms`, newest first, at most `limit`, each with its household's name.
    pub fn activity(
        &self,
        after_seq: i64,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<(ActivityRow, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.seq, a.household_id, a.change_hash, a.advisor, a.time, a.summary, h.name
             FROM activity a JOIN listings h ON h.household_id = a.household_id
             WHERE a.seq > ?1 AND a.time > ?2 AND h.archived = 0
             ORDER BY a.time DESC, a.seq DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![after_seq, since_ms, limit], |r| {
            Ok((
                ActivityRow {
                    seq: r.get(0)?,
                    household_id: r.get(1)?,
                    change_hash: r.get(2)?,
                    advisor: r.get(3)?,
                    time: r.get(4)?,
                    summary: r.get(5)?,
                },
                r.get(6)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reads one household's stored document, or `None` if the id is unknown.
    pub fn load(&self, id: &str) -> Result<Option<StoredDoc>, StoreError> {
        load(&self.conn, id)
    }

    /// Number of households.
    pub fn household_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM households", [], |r| r.get(0))?)
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok("ok")` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(lines.join("\n"))
    }

    /// Starts a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so a
    /// read-modify-write inside it cannot race another process.
    pub fn write(&mut self) -> Result<WriteTx<'_>, StoreError> {
        Ok(WriteTx {
            tx: self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?,
        })
    }
}

fn row_to_household(r: &rusqlite::Row<'_>) -> rusqlite::Result<HouseholdRow> {
    Ok(HouseholdRow {
        id: r.get(0)?,
        name: r.get(1)?,
        status: r.get(2)?,
        segment: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

fn load(conn: &Connection, id: &str) -> Result<Option<StoredDoc>, StoreError> {
    let snapshot: Option<Vec<u8>> = conn
        .prepare_cached("SELECT snapshot FROM households WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(snapshot) = snapshot else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT bytes FROM changes WHERE household_id = ?1 ORDER BY seq")?;
    let changes = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<Result<Vec<Vec<u8>>, _>>()?;
    Ok(Some(StoredDoc { snapshot, changes }))
}

impl WriteTx<'_> {
    /// Reads one household's stored document inside the transaction.
    pub fn load(&self, id: &str) -> Result<Option<StoredDoc>, StoreError> {
        load(&self.tx, id)
    }

    /// A household's listing row as stored beside its document (name, status, segment, last
    /// write), or `None` if the id is unknown.
    pub fn household_row(&self, id: &str) -> Result<Option<HouseholdRow>, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id, name, status, segment, updated_at FROM households WHERE id = ?1",
            )?
            .query_row([id], row_to_household)
            .optional()?)
    }

    /// Sets a profile metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Reads a profile metadata value inside the transaction.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Deletes a profile metadata entry if it still has `value` (so a newer write made by
    /// another process in the meantime survives). Returns whether it was deleted.
    pub fn delete_meta_if(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        Ok(self
            .tx
            .prepare_cached("DELETE FROM meta WHERE key = ?1 AND value = ?2")?
            .execute(params![key, value])?
            > 0)
    }

    /// Stores a household's full document (new, or replacing what was there), dropping any
    /// incremental changes it supersedes.
    pub fn put_snapshot(&self, row: &HouseholdRow, snapshot: &[u8]) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO households(id, name, status, segment, snapshot, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, status = excluded.status,
               segment = excluded.segment, snapshot = excluded.snapshot, updated_at = excluded.updated_at",
            params![row.id, row.name, row.status, row.segment, snapshot, row.updated_at],
        )?;
        self.tx
            .prepare_cached("DELETE FROM changes WHERE household_id = ?1")?
            .execute([&row.id])?;
        Ok(())
    }

    /// Appends one incremental change to an existing household and refreshes its listing row.
    /// Returns how many changes the household now has beyond its snapshot, so the caller can
    /// decide to compact.
    pub fn append_change(&self, row: &HouseholdRow, change: &[u8]) -> Result<i64, StoreError> {
        self.tx
            .prepare_cached("INSERT INTO changes(household_id, bytes) VALUES (?1, ?2)")?
            .execute(params![row.id, change])?;
        self.tx
            .prepare_cached(
                "UPDATE households SET name = ?2, status = ?3, segment = ?4, updated_at = ?5 WHERE id = ?1",
            )?
            .execute(params![row.id, row.name, row.status, row.segment, row.updated_at])?;
        Ok(self
            .tx
            .prepare_cached("SELECT count(*) FROM changes WHERE household_id = ?1")?
            .query_row([&row.id], |r| r.get(0))?)
    }

    /// Replaces a household's listing (its list row, open loops and calendar rows).
    pub fn put_listing(&self, row: &HouseholdRow, listing: &Listing) -> Result<(), StoreError> {
        let household_id = row.id.as_str();
        self.tx
            .prepare_cached(
                "INSERT INTO listings(household_id, name, status, segment, updated_at, archived,
                   aum_total, last_contact, open_loops, conflicts, review_month, dates_input, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT(household_id) DO UPDATE SET name = excluded.name,
                   status = excluded.status, segment = excluded.segment,
                   updated_at = excluded.updated_at, archived = excluded.archived,
                   aum_total = excluded.aum_total, last_contact = excluded.last_contact,
                   open_loops = excluded.open_loops, conflicts = excluded.conflicts,
                   review_month = excluded.review_month, dates_input = excluded.dates_input,
                   version = excluded.version",
            )?
            .execute(params![
                household_id,
                row.name,
                row.status,
                row.segment,
                row.updated_at,
                listing.archived,
                listing.aum_total,
                listing.last_contact,
                listing.open_loops.len() as i64,
                listing.conflicts,
                listing.review_month,
                listing.dates_input,
                listing.version
            ])?;
        self.tx
            .prepare_cached("DELETE FROM open_loops WHERE household_id = ?1")?
            .execute([household_id])?;
        // An archived household is out of Today: its loops and meetings are not indexed, so
        // Today's queries never need to join the listing to leave it out.
        let indexed = |rows_count: usize| if listing.archived { 0 } else { rows_count };
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO open_loops(household_id, task_id, title, owner, due, snoozed_until, source_meeting, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for l in &listing.open_loops[..indexed(listing.open_loops.len())] {
            insert.execute(params![
                household_id,
                l.task_id,
                l.title,
                l.owner,
                l.due,
                l.snoozed_until,
                l.source_meeting,
                l.created_at
            ])?;
        }
        self.tx
            .prepare_cached("DELETE FROM calendar WHERE household_id = ?1")?
            .execute([household_id])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO calendar(household_id, meeting_id, title, starts_at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for c in &listing.calendar[..indexed(listing.calendar.len())] {
            insert.execute(params![household_id, c.meeting_id, c.title, c.starts_at])?;
        }
        Ok(())
    }

    /// Records colleagues' changes that arrived; a change already recorded is skipped.
    pub fn record_activity(&self, rows: &[ActivityRow]) -> Result<(), StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT OR IGNORE INTO activity(household_id, change_hash, advisor, time, summary)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for a in rows {
            insert.execute(params![
                a.household_id,
                a.change_hash,
                a.advisor,
                a.time,
                a.summary
            ])?;
        }
        Ok(())
    }

    /// Commits: when this returns, the transaction is on disk (WAL fsynced).
    pub fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, name: &str) -> HouseholdRow {
        HouseholdRow {
            id: id.into(),
            name: name.into(),
            status: "client".into(),
            segment: None,
            updated_at: 1,
        }
    }

    #[test]
    fn file_holds_no_plaintext_and_wrong_key_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profile.db");
        let key = DbKey::generate().unwrap();
        let mut store = Store::create(&path, Encryption::Key(&key)).unwrap();
        let tx = store.write().unwrap();
        tx.put_snapshot(
            &row("h1", "Zebulon Quackenbush"),
            b"snapshot Zebulon Quackenbush",
        )
        .unwrap();
        tx.append_change(
            &row("h1", "Zebulon Quackenbush"),
            b"change Zebulon Quackenbush",
        )
        .unwrap();
        tx.commit().unwrap();
        drop(store);

        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(
                !bytes.windows(9).any(|w| w == b"Quackenbu"),
                "plaintext on disk"
            );
        }

        let before = std::fs::read(&path).unwrap();
        let wrong = DbKey::generate().unwrap();
        let err = Store::open(&path, Encryption::Key(&wrong)).err().unwrap();
        assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
        assert!(err.to_string().contains("wrong passphrase or key"));
        let err = Store::open(&path, Encryption::Plaintext).err().unwrap();
        assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "a failed unlock must not touch the file"
        );

        let store = Store::open(&path, Encryption::Key(&key)).unwrap();
        let doc = store.load("h1").unwrap().unwrap();
        assert_eq!(doc.snapshot, b"snapshot Zebulon Quackenbush");
        assert_eq!(doc.changes, vec![b"change Zebulon Quackenbush".to_vec()]);
        assert_eq!(store.integrity_check().unwrap(), "ok");
        assert!(store.load("nope").unwrap().is_none());
    }

    #[test]
    fn a_version_1_database_is_migrated_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let key = DbKey::generate().unwrap();
        {
            // What an older build wrote: schema version 1 only.
            let conn = open_connection(
                &path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            )
            .unwrap();
            let mut store = Store::setup(conn, &path, Encryption::Key(&key)).unwrap();
            migrations::migrate(&mut store.conn, 1).unwrap();
            store
                .conn
                .execute(
                    "INSERT INTO households(id, name, status, snapshot, updated_at) VALUES ('h', 'Old', 'client', x'00', 5)",
                    [],
                )
                .unwrap();
            assert_eq!(store.schema_version().unwrap(), 1);
        }
        let store = Store::open(&path, Encryption::Key(&key)).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT_VERSION);
        assert_eq!(
            store.list_households().unwrap(),
            vec![HouseholdRow {
                id: "h".into(),
                name: "Old".into(),
                status: "client".into(),
                segment: None,
                updated_at: 5
            }]
        );
    }

    #[test]
    fn newer_schema_is_refused_and_missing_or_existing_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let key = DbKey::generate().unwrap();
        assert!(matches!(
            Store::open(&path, Encryption::Key(&key)).err().unwrap(),
            StoreError::Missing { .. }
        ));
        let store = Store::create(&path, Encryption::Key(&key)).unwrap();
        store
            .conn
            .execute("INSERT INTO schema_migrations VALUES (99, 0)", [])
            .unwrap();
        drop(store);
        assert!(matches!(
            Store::create(&path, Encryption::Key(&key)).err().unwrap(),
            StoreError::Exists { .. }
        ));
        assert!(matches!(
            Store::open(&path, Encryption::Key(&key)).err().unwrap(),
            StoreError::TooNew { found: 99, .. }
        ));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        std::fs::write(&path, vec![0x5au8; 8192]).unwrap();
        let key = DbKey::generate().unwrap();
        assert!(matches!(
            Store::open(&path, Encryption::Key(&key)).err().unwrap(),
            StoreError::WrongKey { .. }
        ));
        assert_eq!(std::fs::read(&path).unwrap(), vec![0x5au8; 8192]);
    }
}
