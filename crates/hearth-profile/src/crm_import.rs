//! Moving in from a CRM: contact exports from Wealthbox and Redtail (CSV) become households
//! with their members, tags, addresses and background notes.
//!
//! Two steps, so nothing is written by surprise: [`plan_crm_import`] reads the file and maps
//! its columns (built-in mappings per format, overridden column by column) into an
//! [`ImportPlan`] — what would be created, plus warnings for rows it could not use — and
//! [`Profile::apply_crm_import`] creates it. Contacts are grouped into households by the
//! export's household (Wealthbox) or family (Redtail) column; a contact without one becomes a
//! household of its own. A household whose name already exists in the profile is skipped, so
//! running the same import twice does not duplicate anyone.

use std::collections::BTreeMap;
use std::path::Path;

use hearth_core::{Address, Contact, HouseholdStatus, Member, NoteCategory, Role};
use serde::Serialize;

use crate::{Profile, ProfileError};

/// The CRM an export came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrmFormat {
    /// Wealthbox "Contacts" export.
    Wealthbox,
    /// Redtail "Contacts" export.
    Redtail,
}

/// The Hearth fields a column can map to.
pub const FIELDS: &[&str] = &[
    "household",
    "full_name",
    "first_name",
    "last_name",
    "role",
    "status",
    "email",
    "phone",
    "birth_date",
    "address_line1",
    "city",
    "region",
    "postal_code",
    "tags",
    "note",
    "ignore",
];

impl CrmFormat {
    /// Built-in mapping: (export column, Hearth field). Column names match case-insensitively.
    pub fn mapping(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            CrmFormat::Wealthbox => &[
                ("Household", "household"),
                ("Household Title", "role"),
                ("First Name", "first_name"),
                ("Last Name", "last_name"),
                ("Contact Type", "status"),
                ("Email", "email"),
                ("Email Address", "email"),
                ("Phone", "phone"),
                ("Phone Number", "phone"),
                ("Birth Date", "birth_date"),
                ("Street Line 1", "address_line1"),
                ("City", "city"),
                ("State", "region"),
                ("ZIP", "postal_code"),
                ("Tags", "tags"),
                ("Background Information", "note"),
            ],
            CrmFormat::Redtail => &[
                ("Family Name", "household"),
                ("Family Relationship", "role"),
                ("First Name", "first_name"),
                ("Last Name", "last_name"),
                ("Name", "full_name"),
                ("Category", "status"),
                ("Primary Email", "email"),
                ("Primary Phone", "phone"),
                ("DOB", "birth_date"),
                ("Address 1", "address_line1"),
                ("City", "city"),
                ("State", "region"),
                ("Zip", "postal_code"),
                ("Tag Groups", "tags"),
                ("Important Information", "note"),
            ],
        }
    }

    fn label(&self) -> &'static str {
        match self {
            CrmFormat::Wealthbox => "Wealthbox",
            CrmFormat::Redtail => "Redtail",
        }
    }
}

impl std::str::FromStr for CrmFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wealthbox" => Ok(CrmFormat::Wealthbox),
            "redtail" => Ok(CrmFormat::Redtail),
            other => Err(format!(
                "unknown CRM format '{other}' (expected wealthbox or redtail)"
            )),
        }
    }
}

/// A household the import would create.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlannedHousehold {
    /// Household name.
    pub name: String,
    /// Client or prospect.
    pub status: HouseholdStatus,
    /// Members, in file order.
    pub members: Vec<Member>,
    /// Tags, deduplicated.
    pub tags: Vec<String>,
    /// Mailing address (the first member's that has one).
    pub address: Option<Address>,
    /// Background text, as one note.
    pub notes: Vec<String>,
    /// Already in the profile under this name: skipped.
    pub exists: bool,
}

/// What an import would do.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportPlan {
    /// Households, by name.
    pub households: Vec<PlannedHousehold>,
    /// Rows or values that could not be used, with their line numbers.
    pub warnings: Vec<String>,
    /// Column → field actually used.
    pub columns: BTreeMap<String, String>,
    /// Where the data came from (for the note that records the import).
    pub source: String,
}

fn bad(path: &Path, reason: impl Into<String>) -> ProfileError {
    ProfileError::BadImport {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn role_of(text: &str) -> Option<Role> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "" => return None,
        "head" | "head of household" | "primary" | "client" => Role::Head,
        "spouse" | "wife" | "husband" => Role::Spouse,
        "partner" | "domestic partner" => Role::Partner,
        "child" | "son" | "daughter" => Role::Child,
        "dependent" | "dependant" => Role::Dependent,
        _ => Role::Other,
    })
}

fn status_of(text: &str) -> HouseholdStatus {
    if text.to_ascii_lowercase().contains("client") || text.eq_ignore_ascii_case("active") {
        HouseholdStatus::Client
    } else {
        HouseholdStatus::Prospect
    }
}

/// A year from "1961-04-02", "04/02/1961", "1961".
/// A full birth date in the forms CRM exports use (2026-03-14, 03/14/2026), as YYYY-MM-DD.
fn birth_date(text: &str) -> Option<String> {
    ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(text.trim(), f).ok())
        .map(|d| d.to_string())
}

fn birth_year(text: &str) -> Option<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|p| p.len() == 4)
        .filter_map(|p| p.parse::<i64>().ok())
        .find(|y| (1850..=2100).contains(y))
}

/// Reads a CRM export and plans the import. `overrides` are `(column, field)` pairs that
/// replace or extend the built-in mapping (`field` "ignore" drops a column). Writes nothing.
pub fn plan_crm_import(
    path: &Path,
    format: CrmFormat,
    overrides: &[(String, String)],
) -> Result<ImportPlan, ProfileError> {
    for (column, field) in overrides {
        if !FIELDS.contains(&field.as_str()) {
            return Err(bad(
                path,
                format!(
                    "--map {column}={field}: '{field}' is not a field; use one of {}",
                    FIELDS.join(", ")
                ),
            ));
        }
    }
    let bytes = std::fs::read(path).map_err(|source| ProfileError::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    plan_crm_import_bytes(bytes, path, format, overrides)
}

/// [`plan_crm_import`] for a file already read (the desktop app receives files as bytes);
/// `name` is how errors and the import note refer to it.
pub fn plan_crm_import_bytes(
    bytes: Vec<u8>,
    name: &Path,
    format: CrmFormat,
    overrides: &[(String, String)],
) -> Result<ImportPlan, ProfileError> {
    let path = name;
    for (column, field) in overrides {
        if !FIELDS.contains(&field.as_str()) {
            return Err(bad(
                path,
                format!(
                    "{column} → {field}: '{field}' is not a field; use one of {}",
                    FIELDS.join(", ")
                ),
            ));
        }
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| bad(path, "the file is not UTF-8 text; export it as UTF-8 CSV"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| bad(path, format!("cannot read the header row: {e}")))?
        .clone();

    // Column index → field: overrides first, then the built-in mapping.
    let mut columns = BTreeMap::new();
    let mut by_index: Vec<Option<&str>> = vec![None; headers.len()];
    for (i, header) in headers.iter().enumerate() {
        let h = header.trim();
        let field = overrides
            .iter()
            .find(|(c, _)| c.trim().eq_ignore_ascii_case(h))
            .map(|(_, f)| f.as_str())
            .or_else(|| {
                format
                    .mapping()
                    .iter()
                    .find(|(c, _)| c.eq_ignore_ascii_case(h))
                    .map(|(_, f)| *f)
            });
        if let Some(field) = field.filter(|f| *f != "ignore") {
            let field = FIELDS
                .iter()
                .copied()
                .find(|f| *f == field)
                .unwrap_or("ignore");
            by_index[i] = Some(field);
            columns.insert(h.to_string(), field.to_string());
        }
    }
    let has = |f: &str| by_index.contains(&Some(f));
    if !(has("full_name") || has("first_name") || has("last_name")) {
        return Err(bad(
            path,
            format!(
                "no name column found for a {} export (expected e.g. \"First Name\" and \"Last Name\"); say which column holds the names (first_name, last_name or full_name)",
                format.label()
            ),
        ));
    }

    let mut warnings = Vec::new();
    let mut order: Vec<String> = Vec::new();
    let mut households: BTreeMap<String, PlannedHousehold> = BTreeMap::new();
    for (row_no, record) in reader.records().enumerate() {
        let line = row_no + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                warnings.push(format!("line {line}: skipped, not valid CSV ({e})"));
                continue;
            }
        };
        let mut get = BTreeMap::<&str, String>::new();
        for (i, value) in record.iter().enumerate() {
            if let Some(Some(field)) = by_index.get(i) {
                let value = value.trim();
                if !value.is_empty() {
                    get.entry(field).or_insert_with(|| value.to_string());
                }
            }
        }
        let name = match get.get("full_name") {
            Some(n) => n.clone(),
            None => [get.get("first_name"), get.get("last_name")]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        };
        if name.trim().is_empty() {
            warnings.push(format!("line {line}: skipped, no name"));
            continue;
        }
        let household_name =
            get.get("household")
                .cloned()
                .unwrap_or_else(|| match get.get("last_name") {
                    Some(last) => format!("{last} Household"),
                    None => name.clone(),
                });
        let entry = households.entry(household_name.clone()).or_insert_with(|| {
            order.push(household_name.clone());
            PlannedHousehold {
                name: household_name.clone(),
                status: HouseholdStatus::Prospect,
                members: Vec::new(),
                tags: Vec::new(),
                address: None,
                notes: Vec::new(),
                exists: false,
            }
        });
        if let Some(status) = get.get("status")
            && status_of(status) == HouseholdStatus::Client
        {
            entry.status = HouseholdStatus::Client;
        }
        let role =
            get.get("role")
                .and_then(|r| role_of(r))
                .unwrap_or(if entry.members.is_empty() {
                    Role::Head
                } else {
                    Role::Other
                });
        let birth = get.get("birth_date").and_then(|d| {
            let year = birth_year(d);
            if year.is_none() {
                warnings.push(format!(
                    "line {line}: birth date '{d}' not understood; left empty"
                ));
            }
            year
        });
        entry.members.push(Member {
            name: name.trim().to_string(),
            role,
            birth_year: birth,
            birth_date: get.get("birth_date").and_then(|d| birth_date(d)),
            contact: Contact {
                email: get.get("email").cloned(),
                phone: get.get("phone").cloned(),
            },
        });
        if let Some(tags) = get.get("tags") {
            for tag in tags
                .split([',', ';', '|'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                if !entry.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                    entry.tags.push(tag.to_string());
                }
            }
        }
        if entry.address.is_none()
            && let (Some(line1), Some(city)) = (get.get("address_line1"), get.get("city"))
        {
            entry.address = Some(Address {
                line1: line1.clone(),
                line2: None,
                city: city.clone(),
                region: get.get("region").cloned(),
                postal_code: get.get("postal_code").cloned(),
                country: None,
            });
        }
        if let Some(note) = get.get("note") {
            entry.notes.push(format!("{}: {note}", name.trim()));
        }
    }
    let households = order
        .into_iter()
        .filter_map(|n| households.remove(&n))
        .collect();
    Ok(ImportPlan {
        households,
        warnings,
        columns,
        source: format.label().to_string(),
    })
}

/// A household the import created.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportedHousehold {
    /// Its new id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Members added.
    pub members: usize,
}

impl Profile {
    /// Marks the plan's households that already exist in the profile (by name, ignoring
    /// case); [`Profile::apply_crm_import`] skips them.
    pub fn check_crm_import(&self, plan: &mut ImportPlan) -> Result<(), ProfileError> {
        let existing: Vec<String> = self
            .list_households()?
            .into_iter()
            .map(|h| h.name.to_lowercase())
            .collect();
        for h in &mut plan.households {
            h.exists = existing.contains(&h.name.to_lowercase());
        }
        Ok(())
    }

    /// Creates the plan's households (skipping those that already exist). Each household is
    /// created and filled edit by edit, each durable when it returns.
    pub fn apply_crm_import(
        &mut self,
        plan: &mut ImportPlan,
    ) -> Result<Vec<ImportedHousehold>, ProfileError> {
        self.check_crm_import(plan)?;
        let mut created = Vec::new();
        for h in plan.households.iter().filter(|h| !h.exists) {
            let id = self.create_household(&h.name, h.status)?.to_string();
            for m in &h.members {
                self.edit(&id, |hh, ctx| hh.add_member(m, ctx))?;
            }
            for tag in &h.tags {
                self.edit(&id, |hh, ctx| hh.add_tag(tag, ctx))?;
            }
            if let Some(address) = &h.address {
                self.edit(&id, |hh, ctx| hh.set_address(address, ctx))?;
            }
            if !h.notes.is_empty() {
                let text = format!("Imported from {}:\n{}", plan.source, h.notes.join("\n"));
                self.edit(&id, |hh, ctx| {
                    hh.add_note(NoteCategory::ClientUpdates, &text, None, ctx)
                })?;
            }
            created.push(ImportedHousehold {
                id,
                name: h.name.clone(),
                members: h.members.len(),
            });
        }
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_statuses_and_years() {
        assert_eq!(role_of("Head of Household"), Some(Role::Head));
        assert_eq!(role_of("Wife"), Some(Role::Spouse));
        assert_eq!(role_of("Grandchild"), Some(Role::Other));
        assert_eq!(role_of(""), None);
        assert_eq!(status_of("Client"), HouseholdStatus::Client);
        assert_eq!(status_of("Prospect"), HouseholdStatus::Prospect);
        assert_eq!(birth_year("04/02/1961"), Some(1961));
        assert_eq!(birth_year("1958-11-30"), Some(1958));
        assert_eq!(birth_year("unknown"), None);
    }
}
