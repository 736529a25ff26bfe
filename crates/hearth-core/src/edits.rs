//! Correcting a household: every field of every record can be edited, every item removed,
//! and the household itself archived.
//!
//! Each edit writes only the fields it changes, in place, inside the item's existing map:
//! never a new object at the item's key. So an edit that races a removal on another replica
//! lands inside a deleted object and vanishes with it, instead of bringing back a half item;
//! and two edits of different fields of the same item both survive the merge.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use autosurgeon::reconcile_prop;

use crate::household::{check_decimal, check_named_date, non_empty, obj};
use crate::model::{lenient, *};
use crate::money::format_amount;
use crate::{Committed, CoreError, EditContext, Household, new_item_id};

/// A field an edit may leave alone (`None`), clear (`Some(None)`) or set (`Some(Some(v))`).
pub type Change<T> = Option<Option<T>>;

/// What to change about the household itself.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdPatch {
    /// New name.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    /// New status.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<HouseholdStatus>,
    /// New service segment.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub segment: Change<String>,
    /// New client reference (the firm's own number for the client).
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub client_ref: Change<String>,
    /// New mailing address.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "Address | null"))]
    pub address: Change<Address>,
    /// Tags to add (present ones are kept once).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub add_tags: Vec<String>,
    /// Tags to remove.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub remove_tags: Vec<String>,
}

/// What to change about a member.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberPatch {
    /// New full name.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    /// New role.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub role: Option<Role>,
    /// Birth: a year (`1961`) or a full date (`1961-04-02`); see [`parse_birth`].
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub birth: Change<String>,
    /// E-mail address.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub email: Change<String>,
    /// Phone number.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub phone: Change<String>,
}

/// A new balance for an account.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewBalance {
    /// The balance, exact decimal text.
    pub amount: String,
    /// The date it is as of (default: today where the advisor is).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub as_of: Option<String>,
}

/// What to change about an account.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountPatch {
    /// Account type, e.g. "Roth IRA".
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub kind: Option<String>,
    /// Custodian.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub custodian: Change<String>,
    /// Registration.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub registration: Change<String>,
    /// Annual fee rate, exact decimal.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub fee_rate: Change<String>,
    /// Owning member (item id).
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub owner: Change<String>,
    /// Closing date (set: closed; clear: reopened).
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub closed_on: Change<String>,
    /// A new balance: becomes the account's AUM and joins its balance history.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub aum: Option<NewBalance>,
}

/// What to change about a goal.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoalPatch {
    /// New title.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// Target amount, exact decimal.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub target_amount: Change<String>,
    /// Target date.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub target_date: Change<String>,
    /// Amount funded so far, exact decimal.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub funded_amount: Change<String>,
}

/// What to change about a client fact.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FactPatch {
    /// What the fact is about.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key: Option<String>,
    /// Its value.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub value: Option<String>,
}

/// What to change about an open loop.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TaskPatch {
    /// New title.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// Due date (reschedule), or none.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub due: Change<String>,
    /// Owning advisor (checked by the caller against who can see the household).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub owner: Option<String>,
    /// Hidden from Today until this date.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub snoozed_until: Change<String>,
}

/// Reads a field that may be absent (keep), `null` (clear) or a value (set).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Reads a birth given as a year (`1961`) or a full date (`1961-04-02`): the year, and the
/// date when one was given.
pub fn parse_birth(text: &str) -> Result<(i64, Option<String>), CoreError> {
    let text = text.trim();
    let invalid = || CoreError::InvalidValue {
        what: "birth date",
        given: text.to_string(),
        expected: "a year (1961) or a date as YYYY-MM-DD (1961-04-02)".to_string(),
    };
    let plausible = |year: i64| (1850..=2200).contains(&year);
    if let Ok(year) = text.parse::<i64>() {
        return plausible(year).then_some((year, None)).ok_or_else(invalid);
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid())?;
    let year = i64::from(chrono::Datelike::year(&date));
    plausible(year)
        .then(|| (year, Some(date.to_string())))
        .ok_or_else(invalid)
}

/// One scalar write into an item's map.
enum Write {
    Str(String),
    Int(i64),
    Clear,
}

impl Write {
    fn text(change: Option<String>) -> Self {
        match change {
            Some(value) => Write::Str(value),
            None => Write::Clear,
        }
    }
}

/// Applies writes to one map object, in place.
fn apply(doc: &mut AutoCommit, obj: &ObjId, writes: Vec<(&str, Write)>) -> Result<(), CoreError> {
    for (field, write) in writes {
        match write {
            Write::Str(value) => doc.put(obj, field, value)?,
            Write::Int(value) => doc.put(obj, field, value)?,
            Write::Clear => {
                if doc.get(obj, field)?.is_some() {
                    doc.delete(obj, field)?;
                }
            }
        }
    }
    Ok(())
}

/// Empty strings from forms mean "clear".
fn cleaned(change: Change<String>) -> Change<String> {
    change.map(|v| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
}

fn words(fields: &[&str]) -> String {
    fields.join(", ")
}

impl Household {
    /// When the household was archived, if it is.
    pub fn archived_at(&self) -> Option<i64> {
        match self.doc().get(ROOT, "archived_at") {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Int(ms) => Some(*ms),
                ScalarValue::Uint(ms) => i64::try_from(*ms).ok(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The display name of an item: a member's name, an account's type, a goal's title…
    fn item_name(&self, item: &ObjId, field: &str) -> String {
        lenient::opt_string(self.doc(), item, field.into())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Changes the household's own fields in one change.
    pub fn update_household(
        &mut self,
        patch: &HouseholdPatch,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let mut writes = Vec::new();
        let mut said = Vec::new();
        if let Some(name) = &patch.name {
            let name = non_empty("household name", name)?;
            writes.push(("name", Write::Str(name.to_string())));
            said.push(format!("renamed to {name}"));
        }
        if let Some(status) = patch.status {
            writes.push(("status", Write::Str(status.as_str().to_string())));
            said.push(format!("status {}", status.as_str().replace('_', " ")));
        }
        if let Some(segment) = cleaned(patch.segment.clone()) {
            said.push(match &segment {
                Some(s) => format!("segment {s}"),
                None => "segment cleared".to_string(),
            });
            writes.push(("segment", Write::text(segment)));
        }
        if let Some(client_ref) = cleaned(patch.client_ref.clone()) {
            said.push(match &client_ref {
                Some(r) => format!("client reference {r}"),
                None => "client reference cleared".to_string(),
            });
            writes.push(("client_ref", Write::text(client_ref)));
        }
        let add: Vec<String> = patch
            .add_tags
            .iter()
            .map(|t| non_empty("tag", t).map(str::to_string))
            .collect::<Result<_, _>>()?;
        let remove: Vec<String> = patch
            .remove_tags
            .iter()
            .map(|t| t.trim().to_string())
            .collect();
        let current = self.data()?.tags;
        for tag in &remove {
            if !current.contains(tag) {
                return Err(CoreError::NotFound {
                    what: "tag",
                    id: tag.clone(),
                });
            }
        }
        if !add.is_empty() {
            said.push(format!("tagged {}", add.join(", ")));
        }
        if !remove.is_empty() {
            said.push(format!("untagged {}", remove.join(", ")));
        }
        if let Some(address) = &patch.address {
            if let Some(a) = address {
                non_empty("street (address line 1)", &a.line1)?;
                non_empty("city", &a.city)?;
            }
            said.push(
                if address.is_some() {
                    "address"
                } else {
                    "address cleared"
                }
                .to_string(),
            );
        }
        if said.is_empty() {
            return Err(CoreError::NothingToChange);
        }
        let summary = format!("Updated household: {}", said.join("; "));
        let address = patch.address.clone();
        self.edit(ctx, summary, |doc| {
            apply(doc, &ROOT, writes)?;
            match address {
                Some(Some(a)) => reconcile_prop(doc, ROOT, "address", Some(&a))?,
                Some(None) if doc.get(ROOT, "address")?.is_some() => doc.delete(ROOT, "address")?,
                Some(None) | None => {}
            }
            let tags = obj(doc, &ROOT, "tags", ObjType::List)?;
            // Remove from the end so earlier indexes stay valid.
            for i in (0..doc.length(&tags)).rev() {
                let text = lenient::opt_string(doc, &tags, i.into()).ok().flatten();
                if text.is_some_and(|t| remove.contains(&t)) {
                    doc.delete(&tags, i)?;
                }
            }
            let present = (0..doc.length(&tags))
                .filter_map(|i| lenient::opt_string(doc, &tags, i.into()).ok().flatten())
                .collect::<Vec<_>>();
            for tag in add.iter().filter(|t| !present.contains(t)) {
                let len = doc.length(&tags);
                doc.insert(&tags, len, tag.as_str())?;
            }
            Ok(())
        })
    }

    /// Archives the household (kept, read-only, out of lists and Today) or brings it back.
    /// Archiving an archived household, or unarchiving an active one, changes nothing.
    pub fn set_archived(
        &mut self,
        archived: bool,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        if archived == self.archived_at().is_some() {
            return Ok(Committed {
                value: (),
                change: None,
            });
        }
        if archived {
            self.edit(ctx, "Archived household".to_string(), |doc| {
                doc.put(ROOT, "archived_at", ctx.now_ms)?;
                Ok(())
            })
        } else {
            self.edit_any(ctx, "Unarchived household".to_string(), |doc| {
                doc.delete(ROOT, "archived_at")?;
                Ok(())
            })
        }
    }

    /// Edits a member's fields.
    pub fn update_member(
        &mut self,
        member_id: &str,
        patch: &MemberPatch,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let member = self.item(member_id, "members", "member")?;
        let old_name = self.item_name(&member, "name");
        let mut writes = Vec::new();
        let mut fields = Vec::new();
        if let Some(name) = &patch.name {
            writes.push((
                "name",
                Write::Str(non_empty("member name", name)?.to_string()),
            ));
            fields.push("name");
        }
        if let Some(role) = patch.role {
            writes.push(("role", Write::Str(role.as_str().to_string())));
            fields.push("role");
        }
        if let Some(birth) = cleaned(patch.birth.clone()) {
            match birth {
                Some(text) => {
                    let (year, date) = parse_birth(&text)?;
                    writes.push(("birth_year", Write::Int(year)));
                    writes.push(("birth_date", Write::text(date)));
                }
                None => {
                    writes.push(("birth_year", Write::Clear));
                    writes.push(("birth_date", Write::Clear));
                }
            }
            fields.push("birth date");
        }
        let mut contact_writes = Vec::new();
        if let Some(email) = cleaned(patch.email.clone()) {
            contact_writes.push(("email", Write::text(email)));
            fields.push("e-mail");
        }
        if let Some(phone) = cleaned(patch.phone.clone()) {
            contact_writes.push(("phone", Write::text(phone)));
            fields.push("phone");
        }
        if fields.is_empty() {
            return Err(CoreError::NothingToChange);
        }
        let summary = format!("Edited member {old_name}: {}", words(&fields));
        self.edit(ctx, summary, |doc| {
            apply(doc, &member, writes)?;
            if !contact_writes.is_empty() {
                let contact = match doc.get(&member, "contact")? {
                    Some((Value::Object(ObjType::Map), id)) => id,
                    _ => doc.put_object(&member, "contact", ObjType::Map)?,
                };
                apply(doc, &contact, contact_writes)?;
            }
            Ok(())
        })
    }

    /// Removes a member.
    pub fn remove_member(
        &mut self,
        member_id: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        self.remove_item("members", member_id, "member", "name")
            .and_then(|(name, map)| {
                self.edit(ctx, format!("Removed member {name}"), |doc| {
                    doc.delete(&map, member_id)?;
                    Ok(())
                })
            })
    }

    /// Edits an account: its details, its owner, closing it, or a new balance (which becomes
    /// its AUM and is added to its balance history).
    pub fn update_account(
        &mut self,
        account_id: &str,
        patch: &AccountPatch,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let account = self.item(account_id, "accounts", "account")?;
        let kind = self.item_name(&account, "kind");
        let mut writes = Vec::new();
        let mut fields = Vec::new();
        if let Some(new_kind) = &patch.kind {
            writes.push((
                "kind",
                Write::Str(non_empty("account type", new_kind)?.to_string()),
            ));
            fields.push("type");
        }
        for (field, label, change) in [
            ("custodian", "custodian", &patch.custodian),
            ("registration", "registration", &patch.registration),
        ] {
            if let Some(value) = cleaned(change.clone()) {
                writes.push((field, Write::text(value)));
                fields.push(label);
            }
        }
        if let Some(rate) = cleaned(patch.fee_rate.clone()) {
            if let Some(r) = &rate {
                check_decimal("fee rate", r)?;
            }
            writes.push(("fee_rate", Write::text(rate)));
            fields.push("fee rate");
        }
        if let Some(owner) = cleaned(patch.owner.clone()) {
            if let Some(member) = &owner {
                self.item(member, "members", "member")?;
            }
            writes.push(("owner", Write::text(owner)));
            fields.push("owner");
        }
        if let Some(closed) = cleaned(patch.closed_on.clone()) {
            if let Some(date) = &closed {
                check_named_date("closing date", date)?;
            }
            fields.push(if closed.is_some() {
                "closed"
            } else {
                "reopened"
            });
            writes.push(("closed_on", Write::text(closed)));
        }
        let balance = match &patch.aum {
            Some(new) => {
                check_decimal("AUM", new.amount.trim())?;
                let as_of = match &new.as_of {
                    Some(date) => {
                        check_named_date("as-of date", date.trim())?;
                        date.trim().to_string()
                    }
                    None => ctx.today().to_string(),
                };
                Some(Balance {
                    amount: new.amount.trim().to_string(),
                    as_of,
                    recorded_at: ctx.now_ms,
                    recorded_by: ctx.advisor.clone(),
                })
            }
            None => None,
        };
        let summary = match (&balance, fields.is_empty()) {
            (None, true) => return Err(CoreError::NothingToChange),
            (None, false) => format!("Edited account {kind}: {}", words(&fields)),
            (Some(b), true) => format!(
                "Updated AUM of {kind} to {} as of {}",
                format_amount(&b.amount),
                b.as_of
            ),
            (Some(b), false) => format!(
                "Updated AUM of {kind} to {} as of {}; edited {}",
                format_amount(&b.amount),
                b.as_of,
                words(&fields)
            ),
        };
        self.edit(ctx, summary, |doc| {
            apply(doc, &account, writes)?;
            if let Some(balance) = balance {
                // The account's current AUM is the latest as-of date entered; an older
                // balance entered late joins the history without replacing it.
                let current: Option<String> =
                    lenient::opt_string(doc, &account, "aum_as_of".into())
                        .ok()
                        .flatten();
                if current
                    .as_deref()
                    .is_none_or(|c| c <= balance.as_of.as_str())
                {
                    doc.put(&account, "aum", balance.amount.as_str())?;
                    doc.put(&account, "aum_as_of", balance.as_of.as_str())?;
                }
                let balances = match doc.get(&account, "balances")? {
                    Some((Value::Object(ObjType::Map), id)) => id,
                    _ => doc.put_object(&account, "balances", ObjType::Map)?,
                };
                reconcile_prop(doc, &balances, new_item_id().as_str(), &balance)?;
            }
            Ok(())
        })
    }

    /// Removes an account (its balance history goes with it; history keeps who removed it).
    pub fn remove_account(
        &mut self,
        account_id: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        self.remove_item("accounts", account_id, "account", "kind")
            .and_then(|(kind, map)| {
                self.edit(ctx, format!("Removed account {kind}"), |doc| {
                    doc.delete(&map, account_id)?;
                    Ok(())
                })
            })
    }

    /// Edits a goal.
    pub fn update_goal(
        &mut self,
        goal_id: &str,
        patch: &GoalPatch,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let goal = self.item(goal_id, "goals", "goal")?;
        let title = self.item_name(&goal, "title");
        let mut writes = Vec::new();
        let mut fields = Vec::new();
        if let Some(new_title) = &patch.title {
            writes.push((
                "title",
                Write::Str(non_empty("goal title", new_title)?.to_string()),
            ));
            fields.push("title".to_string());
        }
        for (field, label, change) in [
            ("target_amount", "target amount", &patch.target_amount),
            ("funded_amount", "funded amount", &patch.funded_amount),
        ] {
            if let Some(value) = cleaned(change.clone()) {
                if let Some(v) = &value {
                    check_decimal(label, v)?;
                }
                fields.push(match &value {
                    Some(v) => format!("{label} {}", format_amount(v)),
                    None => format!("{label} cleared"),
                });
                writes.push((field, Write::text(value)));
            }
        }
        if let Some(date) = cleaned(patch.target_date.clone()) {
            if let Some(d) = &date {
                check_named_date("target date", d)?;
            }
            fields.push("target date".to_string());
            writes.push(("target_date", Write::text(date)));
        }
        if fields.is_empty() {
            return Err(CoreError::NothingToChange);
        }
        let summary = format!("Edited goal {title}: {}", fields.join(", "));
        self.edit(ctx, summary, |doc| apply(doc, &goal, writes))
    }

    /// Removes a goal.
    pub fn remove_goal(
        &mut self,
        goal_id: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        self.remove_item("goals", goal_id, "goal", "title")
            .and_then(|(title, map)| {
                self.edit(ctx, format!("Removed goal {title}"), |doc| {
                    doc.delete(&map, goal_id)?;
                    Ok(())
                })
            })
    }

    /// Edits a client fact's key or value.
    pub fn update_fact(
        &mut self,
        fact_id: &str,
        patch: &FactPatch,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let fact = self.item(fact_id, "facts", "fact")?;
        let key = self.item_name(&fact, "key");
        let mut writes = Vec::new();
        if let Some(new_key) = &patch.key {
            writes.push((
                "key",
                Write::Str(non_empty("fact key", new_key)?.to_string()),
            ));
        }
        if let Some(value) = &patch.value {
            writes.push((
                "value",
                Write::Str(non_empty("fact value", value)?.to_string()),
            ));
        }
        if writes.is_empty() {
            return Err(CoreError::NothingToChange);
        }
        let shown = patch
            .value
            .as_deref()
            .map(|v| format!(" to {}", v.trim()))
            .unwrap_or_default();
        self.edit(ctx, format!("Edited fact {key}{shown}"), |doc| {
            apply(doc, &fact, writes)
        })
    }

    /// Retires a client fact: it stays in the record, no longer current.
    pub fn retire_fact(
        &mut self,
        fact_id: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let fact = self.item(fact_id, "facts", "fact")?;
        let key = self.item_name(&fact, "key");
        let value = self.item_name(&fact, "value");
        self.edit(ctx, format!("Retired fact {key} ({value})"), |doc| {
            doc.put(&fact, "retired_at", ctx.now_ms)?;
            Ok(())
        })
    }

    /// Deletes a note.
    pub fn remove_note(
        &mut self,
        note_id: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let note = self.item(note_id, "notes", "note")?;
        let category = self.item_name(&note, "category").replace('_', " ");
        let excerpt = lenient::opt_string(self.doc(), &note, "body".into())
            .ok()
            .flatten()
            .map(|body| excerpt(&body, 40))
            .unwrap_or_default();
        let map = obj(self.doc(), &ROOT, "notes", ObjType::Map)?;
        self.edit(
            ctx,
            format!("Deleted {category} note \u{201c}{excerpt}\u{201d}"),
            |doc| {
                doc.delete(&map, note_id)?;
                Ok(())
            },
        )
    }

    /// Edits an open loop: title, due date (reschedule), owner, snooze.
    pub fn update_task(
        &mut self,
        task_id: &str,
        patch: &TaskPatch,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let task = self.item(task_id, "tasks", "task")?;
        let title = self.item_name(&task, "title");
        let mut writes = Vec::new();
        let mut said = Vec::new();
        if let Some(new_title) = &patch.title {
            let t = non_empty("task title", new_title)?;
            writes.push(("title", Write::Str(t.to_string())));
            said.push(format!("renamed to {t}"));
        }
        if let Some(due) = cleaned(patch.due.clone()) {
            if let Some(d) = &due {
                check_named_date("due date", d)?;
            }
            said.push(match &due {
                Some(d) => format!("due {d}"),
                None => "no due date".to_string(),
            });
            writes.push(("due", Write::text(due)));
        }
        if let Some(owner) = &patch.owner {
            let o = non_empty("task owner", owner)?;
            writes.push(("owner", Write::Str(o.to_string())));
            said.push(format!("owner {o}"));
        }
        if let Some(snooze) = cleaned(patch.snoozed_until.clone()) {
            if let Some(d) = &snooze {
                check_named_date("snooze date", d)?;
            }
            said.push(match &snooze {
                Some(d) => format!("snoozed until {d}"),
                None => "unsnoozed".to_string(),
            });
            writes.push(("snoozed_until", Write::text(snooze)));
        }
        if said.is_empty() {
            return Err(CoreError::NothingToChange);
        }
        let summary = format!("Edited task {title}: {}", said.join(", "));
        self.edit(ctx, summary, |doc| apply(doc, &task, writes))
    }

    /// Finds an item to remove: its display name and its collection's map.
    fn remove_item(
        &self,
        collection: &str,
        id: &str,
        what: &'static str,
        name_field: &str,
    ) -> Result<(String, ObjId), CoreError> {
        let item = self.item(id, collection, what)?;
        let name = self.item_name(&item, name_field);
        let map = obj(self.doc(), &ROOT, collection, ObjType::Map)?;
        Ok((name, map))
    }
}

/// The first `max` characters of a text, on one line, with an ellipsis if cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}\u{2026}", cut.trim_end())
}
