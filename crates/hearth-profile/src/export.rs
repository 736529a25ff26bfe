//! "You own your data": the whole profile as one JSON file, and back.
//!
//! Each household is exported twice: as its full Automerge document (base64; the lossless
//! form, history included, which import uses) and as readable JSON (for people and other
//! tools). Import checks every household before writing any, then writes all of them in one
//! transaction, so a bad file imports nothing.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hearth_core::{DocumentId, Household, HouseholdData};
use serde::{Deserialize, Serialize};

use crate::{Profile, ProfileError};

/// The `format` field of a Hearth export file.
pub const EXPORT_FORMAT: &str = "hearth-export";
const EXPORT_VERSION: u32 = 1;
/// Largest import file accepted; a profile of 5,000 households exports to a few tens of MB.
const MAX_IMPORT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct ExportFile {
    format: String,
    version: u32,
    exported_at: String,
    advisor: String,
    households: Vec<ExportedHousehold>,
}

#[derive(Serialize, Deserialize)]
struct ExportedHousehold {
    id: String,
    /// The Automerge document, base64.
    automerge: String,
    /// Readable view; ignored on import.
    #[serde(default, skip_deserializing)]
    data: Option<HouseholdData>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    /// Households that were new to this profile.
    pub added: usize,
    /// Households that existed and were merged with the imported copy.
    pub merged: usize,
}

impl Profile {
    /// Writes every household to `path` as JSON (atomically: a crash leaves no half file).
    pub fn export(&self, path: &Path) -> Result<usize, ProfileError> {
        let mut households = Vec::new();
        for row in self.store.list_households()? {
            let mut household = self.household(&row.id)?;
            households.push(ExportedHousehold {
                id: row.id,
                automerge: BASE64.encode(household.save()),
                data: Some(household.data()?),
            });
        }
        let count = households.len();
        let file = ExportFile {
            format: EXPORT_FORMAT.to_string(),
            version: EXPORT_VERSION,
            exported_at: chrono::Utc::now().to_rfc3339(),
            advisor: self.advisor.clone(),
            households,
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| ProfileError::Io {
            action: "encoding export",
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        crate::write_atomically(path, &bytes)?;
        Ok(count)
    }

    /// Imports an export file. Households already here are merged with the imported copy
    /// (Automerge merges are idempotent, so importing twice changes nothing).
    pub fn import(&mut self, path: &Path) -> Result<ImportReport, ProfileError> {
        let bad = |reason: String| ProfileError::BadImport {
            path: path.to_path_buf(),
            reason,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| bad(format!("cannot read it ({e})")))?
            .len();
        if size > MAX_IMPORT_BYTES {
            return Err(bad(format!(
                "it is {size} bytes, more than the {MAX_IMPORT_BYTES} accepted"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
        self.import_bytes(&bytes, path)
    }

    /// [`Profile::import`] for a file already read (the desktop app receives files as bytes);
    /// `name` is how errors refer to it.
    pub fn import_bytes(
        &mut self,
        bytes: &[u8],
        name: &Path,
    ) -> Result<ImportReport, ProfileError> {
        let path = name;
        let bad = |reason: String| ProfileError::BadImport {
            path: path.to_path_buf(),
            reason,
        };
        if bytes.len() as u64 > MAX_IMPORT_BYTES {
            return Err(bad(format!(
                "it is {} bytes, more than the {MAX_IMPORT_BYTES} accepted",
                bytes.len()
            )));
        }
        let file: ExportFile = serde_json::from_slice(bytes)
            .map_err(|e| bad(format!("it is not a Hearth export ({e})")))?;
        if file.format != EXPORT_FORMAT || file.version != EXPORT_VERSION {
            return Err(bad(format!(
                "format '{}' version {} is not '{EXPORT_FORMAT}' version {EXPORT_VERSION}",
                file.format, file.version
            )));
        }
        // Check everything before writing anything.
        let mut checked = Vec::with_capacity(file.households.len());
        for (n, h) in file.households.iter().enumerate() {
            let which = || format!("household #{} ({})", n + 1, h.id);
            let id: DocumentId = h.id.parse().map_err(|e| bad(format!("{}: {e}", which())))?;
            let doc_bytes = BASE64
                .decode(&h.automerge)
                .map_err(|e| bad(format!("{}: document is not base64 ({e})", which())))?;
            let household = Household::load(&doc_bytes, &[], self.actor.clone())
                .map_err(|e| bad(format!("{}: {e}", which())))?;
            let inner = household
                .id()
                .map_err(|e| bad(format!("{}: {e}", which())))?;
            if inner != id {
                return Err(bad(format!(
                    "{}: the document says it is household {inner}",
                    which()
                )));
            }
            checked.push((id, household));
        }
        let tx = self.store.write()?;
        let mut report = ImportReport {
            added: 0,
            merged: 0,
        };
        for (id, household) in checked {
            if tx.load(&id.to_string())?.is_some() {
                report.merged += 1;
            } else {
                report.added += 1;
            }
            crate::merge_in(&tx, &self.actor, &self.advisor, id, household)?;
        }
        tx.commit()?;
        Ok(report)
    }
}
