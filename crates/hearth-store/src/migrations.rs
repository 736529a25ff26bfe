//! Schema versions. Each step runs once, in order, inside one transaction, and is recorded in
//! `schema_migrations`; a database written by an older build is brought up to date on open.

use rusqlite::{Connection, OptionalExtension};

use crate::StoreError;

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = 3;

const STEPS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE households (
             id TEXT PRIMARY KEY,
             name TEXT NOT NULL,
             status TEXT NOT NULL,
             snapshot BLOB NOT NULL,
             updated_at INTEGER NOT NULL
         );
         CREATE TABLE changes (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
             bytes BLOB NOT NULL
         );
         CREATE INDEX changes_by_household ON changes(household_id, seq);",
    ),
    (
        // Version 2: segments for list filters, and a name index so listing 5,000 households
        // is an index walk.
        2,
        "ALTER TABLE households ADD COLUMN segment TEXT;
         CREATE INDEX households_by_name ON households(name COLLATE NOCASE, id);",
    ),
    (
        // Version 3: what Today, the household list and date alerts read, kept in rows beside
        // each document and refreshed with every write, so no view loads documents to draw.
        // In tables of their own: a column of `households` placed after `snapshot` would make
        // every scan read the snapshots' overflow pages.
        3,
        "CREATE TABLE listings (
             household_id TEXT PRIMARY KEY REFERENCES households(id) ON DELETE CASCADE,
             name TEXT NOT NULL,
             status TEXT NOT NULL,
             segment TEXT,
             updated_at INTEGER NOT NULL,
             archived INTEGER NOT NULL DEFAULT 0,
             aum_total TEXT,
             last_contact INTEGER,
             open_loops INTEGER NOT NULL DEFAULT 0,
             conflicts INTEGER NOT NULL DEFAULT 0,
             review_month INTEGER,
             dates_input TEXT,
             version INTEGER NOT NULL
         );
         CREATE TABLE open_loops (
             household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
             task_id TEXT NOT NULL,
             title TEXT NOT NULL,
             owner TEXT NOT NULL,
             due TEXT,
             snoozed_until TEXT,
             source_meeting TEXT,
             created_at INTEGER NOT NULL,
             PRIMARY KEY (household_id, task_id)
         );
         -- Covering: Today reads a range of due dates from the index alone, in order.
         CREATE INDEX open_loops_by_due ON open_loops(due, household_id, task_id, title, owner,
             snoozed_until, source_meeting, created_at);
         CREATE INDEX open_loops_snoozed ON open_loops(snoozed_until) WHERE snoozed_until IS NOT NULL;
         CREATE TABLE calendar (
             household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
             meeting_id TEXT NOT NULL,
             title TEXT NOT NULL,
             starts_at INTEGER NOT NULL,
             PRIMARY KEY (household_id, meeting_id)
         );
         CREATE INDEX calendar_by_time ON calendar(starts_at);
         CREATE TABLE activity (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
             change_hash TEXT NOT NULL UNIQUE,
             advisor TEXT,
             time INTEGER NOT NULL,
             summary TEXT NOT NULL
         );
         CREATE INDEX activity_by_time ON activity(time);",
    ),
];

/// The version recorded in the database (0 for an empty one).
pub fn current(conn: &Connection) -> Result<i64, StoreError> {
    let has_table: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(0);
    }
    Ok(conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten()
        .unwrap_or(0))
}

/// Applies every step after the database's version, up to `target`.
pub fn migrate(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let found = current(conn)?;
    if found > CURRENT_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: CURRENT_VERSION,
        });
    }
    if found >= target {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    for (version, sql) in STEPS.iter().filter(|(v, _)| *v > found && *v <= target) {
        tracing::info!(version, "migrating profile database");
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations(version, applied_at) VALUES (?1, CAST(strftime('%s','now') AS INTEGER) * 1000)",
            [version],
        )?;
    }
    tx.commit()?;
    Ok(())
}
