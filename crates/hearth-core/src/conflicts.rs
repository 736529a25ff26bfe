//! Two advisors setting the same field at the same time.
//!
//! Automerge keeps every value written concurrently to one field and picks a winner
//! deterministically; the others are still in the document. Hearth shows them ("Blake set
//! 1,300,000.00 at the same time as you") until someone picks one: writing the field again
//! (resolving, or any later edit of it) supersedes all the concurrent values.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::Serialize;

use crate::model::lenient;
use crate::money::format_amount;
use crate::{Committed, CoreError, EditContext, Household};

/// One of the values a field holds concurrently.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictValue {
    /// The value as shown (money grouped, dates as written).
    pub value: String,
    /// Advisor who wrote it, if the document knows the writer.
    pub advisor: Option<String>,
    /// Whether this is the value Automerge currently shows (its deterministic winner).
    pub shown: bool,
}

/// A field that holds more than one value because they were written concurrently.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldConflict {
    /// Where the field is: `["accounts", "<item id>", "aum"]`. Pass it back to resolve.
    pub path: Vec<String>,
    /// The field in words: "AUM of Rollover IRA".
    pub label: String,
    /// Every concurrent value, the shown one first.
    pub values: Vec<ConflictValue>,
}

impl FieldConflict {
    /// One sentence from `me`'s point of view: "Blake Advisor set 1,300,000.00 at the same
    /// time as you (1,250,000.00)".
    pub fn describe(&self, me: &str) -> String {
        let mine = self
            .values
            .iter()
            .find(|v| v.advisor.as_deref() == Some(me));
        let others: Vec<String> = self
            .values
            .iter()
            .filter(|v| v.advisor.as_deref() != Some(me))
            .map(|v| {
                format!(
                    "{} set {}",
                    v.advisor.as_deref().unwrap_or("someone"),
                    v.value
                )
            })
            .collect();
        match mine {
            Some(m) => format!(
                "{}: {} at the same time as you ({})",
                self.label,
                others.join(" and "),
                m.value
            ),
            None => format!("{}: {}, at the same time", self.label, others.join("; ")),
        }
    }
}

/// Fields whose values are money, shown grouped.
const MONEY_FIELDS: &[&str] = &["aum", "target_amount", "funded_amount", "amount"];

/// Collections scanned for conflicts, with the field that names an item.
const COLLECTIONS: &[(&str, &str, &str)] = &[
    ("members", "member", "name"),
    ("accounts", "account", "kind"),
    ("goals", "goal", "title"),
    ("tasks", "task", "title"),
    ("facts", "fact", "key"),
    ("notes", "note", "category"),
    ("documents", "document", "name"),
    ("meetings", "meeting", "title"),
];

/// Item fields never shown as conflicts: bodies merge character-wise, and a meeting's
/// transcript and analysis are written by one recording, not typed by people.
const SKIPPED_FIELDS: &[&str] = &[
    "body",
    "transcript",
    "analysis",
    "redactions",
    "accepted",
    "balances",
];

fn field_words(field: &str) -> String {
    match field {
        "aum" => "AUM".to_string(),
        "aum_as_of" => "AUM as-of date".to_string(),
        "kind" => "type".to_string(),
        "fee_rate" => "fee rate".to_string(),
        "birth_year" => "birth year".to_string(),
        "birth_date" => "birth date".to_string(),
        "email" => "e-mail".to_string(),
        "due" => "due date".to_string(),
        "archived_at" => "archived".to_string(),
        other => other.replace('_', " "),
    }
}

fn show(field: &str, value: &Value<'_>) -> String {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(text) if MONEY_FIELDS.contains(&field) => format_amount(text),
            ScalarValue::Str(text) => text.to_string(),
            ScalarValue::Int(n) => n.to_string(),
            ScalarValue::Uint(n) => n.to_string(),
            ScalarValue::F64(n) => n.to_string(),
            ScalarValue::Boolean(b) => b.to_string(),
            ScalarValue::Null => "(empty)".to_string(),
            other => other.to_string(),
        },
        Value::Object(ObjType::Text) => "(text)".to_string(),
        Value::Object(_) => "(a different version)".to_string(),
    }
}

impl Household {
    fn writer(
        &self,
        id: &automerge::ObjId,
        actors: &std::collections::BTreeMap<String, crate::ActorInfo>,
    ) -> Option<String> {
        match id {
            automerge::ObjId::Id(_, actor, _) => actors
                .get(&actor.to_hex_string())
                .map(|a| a.advisor.clone()),
            automerge::ObjId::Root => None,
        }
    }

    /// Every field of the household that holds concurrent values, in document order.
    pub fn conflicts(&self) -> Result<Vec<FieldConflict>, CoreError> {
        let doc = self.doc();
        let actors: std::collections::BTreeMap<String, crate::ActorInfo> =
            autosurgeon::hydrate_prop(doc, ROOT, "actors").unwrap_or_default();
        let mut found = Vec::new();
        let mut scan = |obj: &ObjId,
                        path: &[String],
                        label_of: &dyn Fn(&str) -> String|
         -> Result<(), CoreError> {
            for field in doc.keys(obj) {
                if SKIPPED_FIELDS.contains(&field.as_str()) {
                    continue;
                }
                let values = doc.get_all(obj, field.as_str())?;
                if values.len() < 2 {
                    continue;
                }
                // get_all lists values in op order, the winner (what `get` shows) last.
                let mut shown: Vec<ConflictValue> = values
                    .iter()
                    .rev()
                    .enumerate()
                    .map(|(i, (value, id))| ConflictValue {
                        value: show(&field, value),
                        advisor: self.writer(id, &actors),
                        shown: i == 0,
                    })
                    .collect();
                // The same value written twice is agreement, not a conflict.
                let mut seen = std::collections::HashSet::new();
                shown.retain(|v| seen.insert(v.value.clone()));
                if shown.len() < 2 {
                    continue;
                }
                let mut full = path.to_vec();
                full.push(field.clone());
                found.push(FieldConflict {
                    path: full,
                    label: label_of(&field),
                    values: shown,
                });
            }
            Ok(())
        };
        scan(&ROOT, &[], &|f| format!("Household {}", field_words(f)))?;
        for (nested, words) in [("address", "address"), ("custom", "custom field")] {
            if let Some((Value::Object(ObjType::Map), id)) = doc.get(ROOT, nested)? {
                scan(&id, &[nested.to_string()], &|f| {
                    format!("{words} {}", field_words(f))
                })?;
            }
        }
        for (collection, what, name_field) in COLLECTIONS {
            let Some((Value::Object(ObjType::Map), map)) = doc.get(ROOT, *collection)? else {
                continue;
            };
            for item_id in doc.keys(&map) {
                let Some((Value::Object(ObjType::Map), item)) = doc.get(&map, item_id.as_str())?
                else {
                    continue;
                };
                let name = lenient::opt_string(doc, &item, (*name_field).into())
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| what.to_string());
                let path = vec![collection.to_string(), item_id.clone()];
                scan(&item, &path, &|f| {
                    format!("{} of {name}", capitalise(&field_words(f)))
                })?;
                if let Some((Value::Object(ObjType::Map), contact)) = doc.get(&item, "contact")? {
                    let mut nested = path.clone();
                    nested.push("contact".to_string());
                    scan(&contact, &nested, &|f| {
                        format!("{} of {name}", capitalise(&field_words(f)))
                    })?;
                }
            }
        }
        // A nested map that itself conflicts ("contact", "address") shows up once as an
        // object conflict; its fields are compared above.
        found.retain(|c| !c.values.iter().all(|v| v.value == "(a different version)"));
        Ok(found)
    }

    /// Resolves a conflict by keeping one of its values (given as shown, e.g.
    /// "1,300,000.00"): the value is written again, superseding every concurrent one.
    pub fn resolve_conflict(
        &mut self,
        path: &[String],
        keep: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let conflict = self
            .conflicts()?
            .into_iter()
            .find(|c| c.path == path)
            .ok_or_else(|| {
                CoreError::NoSuchConflict(format!(
                    "no conflict at '{}' in this household; `hearth household show ID` lists them",
                    path.join(".")
                ))
            })?;
        let (field, parents) = path
            .split_last()
            .ok_or_else(|| CoreError::NoSuchConflict("empty conflict path".to_string()))?;
        let mut obj = ROOT;
        for step in parents {
            obj = match self.doc().get(&obj, step.as_str())? {
                Some((Value::Object(ObjType::Map), id)) => id,
                _ => {
                    return Err(CoreError::NoSuchConflict(format!(
                        "'{}' is gone",
                        path.join(".")
                    )));
                }
            };
        }
        let values = self.doc().get_all(&obj, field.as_str())?;
        let chosen = values
            .into_iter()
            .find(|(value, _)| show(field, value) == keep.trim())
            .ok_or_else(|| {
                CoreError::NoSuchConflict(format!(
                    "'{keep}' is not one of the values of {}: {}",
                    conflict.label,
                    conflict
                        .values
                        .iter()
                        .map(|v| v.value.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let Value::Scalar(scalar) = chosen.0 else {
            return Err(CoreError::NoSuchConflict(format!(
                "{} holds whole objects; edit it instead",
                conflict.label
            )));
        };
        let scalar = scalar.into_owned();
        let summary = format!("Resolved {}: kept {}", conflict.label, keep.trim());
        let field = field.clone();
        self.edit(ctx, summary, move |doc| {
            doc.put(&obj, field.as_str(), scalar)?;
            Ok(())
        })
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text.to_string(),
    }
}

/// Reads a string field leniently (used by the digest as well).
pub(crate) fn opt_text(doc: &automerge::AutoCommit, obj: &ObjId, field: &str) -> Option<String> {
    lenient::opt_string(doc, obj, field.into()).ok().flatten()
}
