//! The human-readable part of an export: per household, every change as readable JSON (who,
//! when, what Automerge says about it) and the household's reconstructed state.
//!
//! Each listed change carries its plaintext Automerge bytes too, so the verifier can check that
//! the readable record is the very change the signed log holds (the Automerge change hash is
//! in the entry).

use std::collections::BTreeMap;

use automerge::{AutoCommit, Change};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use crate::entry::Entry;

/// One change of a household for the readable record.
#[derive(Debug, Clone)]
pub struct ReadableChange {
    /// The archive entry.
    pub entry: Entry,
    /// The change's plaintext Automerge bytes; `None` once the entry has expired.
    pub plaintext: Option<Vec<u8>>,
}

/// Why a readable record could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReadableError {
    /// Stored change bytes are not an Automerge change.
    #[error("entry {seq}: the archived change is not an Automerge change: {why}")]
    BadChange {
        /// Entry.
        seq: u64,
        /// What Automerge said.
        why: String,
    },
}

/// RFC 3339 (UTC, milliseconds) for ms since the epoch; the raw number if out of range.
pub fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The readable record of one household: `listed` are the changes in the export's range (in
/// log order); `history` is every change of the document up to the end of the range, from
/// which the state is reconstructed. `names` maps advisor ids to display names.
pub fn household_record(
    household: &str,
    listed: &[ReadableChange],
    history: &[Vec<u8>],
    names: &BTreeMap<String, String>,
) -> Result<Value, ReadableError> {
    let mut changes = Vec::with_capacity(listed.len());
    for c in listed {
        let e = &c.entry;
        let mut item = json!({
            "seq": e.seq,
            "time": rfc3339(e.time),
            "advisor": { "id": e.advisor, "name": names.get(&e.advisor) },
            "device": e.device,
            "change_hash": hex::encode(e.change_hash),
        });
        match &c.plaintext {
            Some(bytes) => {
                let change =
                    Change::from_bytes(bytes.clone()).map_err(|err| ReadableError::BadChange {
                        seq: e.seq,
                        why: err.to_string(),
                    })?;
                item["automerge"] = json!({
                    "actor": change.actor_id().to_hex_string(),
                    "seq": change.seq(),
                    "time": rfc3339(change.timestamp()),
                    "message": change.message(),
                    "deps": change.deps().iter().map(|d| hex::encode(d.0)).collect::<Vec<_>>(),
                    "operations": change.len(),
                });
                item["change"] = Value::String(B64.encode(bytes));
            }
            None => item["expired"] = Value::Bool(true),
        }
        changes.push(item);
    }
    let mut doc = AutoCommit::new();
    let mut unreadable = 0usize;
    for bytes in history {
        if doc.load_incremental(bytes).is_err() {
            unreadable += 1;
        }
    }
    let state = serde_json::to_value(automerge::AutoSerde::from(&doc)).unwrap_or(Value::Null);
    Ok(json!({
        "household": household,
        "changes": changes,
        "state": state,
        "state_note": if unreadable == 0 {
            "the household as of the last listed change, rebuilt from every archived change up to it"
        } else {
            "some earlier changes have expired or could not be read; the state may be incomplete"
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
