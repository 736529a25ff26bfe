//! What the rules read: a household's people, accounts, facts, goals and review settings.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// When a person was born: a full date, or a birth year alone.
///
/// A year alone is read as **December 31 of that year**, the latest date it allows. Every
/// age computed from it is then an age the person has certainly reached, and every
/// milestone date is one by which everybody born that year has reached the milestone.
/// Alerts that a year alone cannot place exactly carry [`crate::Precision::Year`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Birth {
    /// The full date of birth.
    Date(NaiveDate),
    /// Only the year of birth is known.
    Year(i32),
}

impl Birth {
    /// The year of birth.
    pub fn year(&self) -> i32 {
        match self {
            Birth::Date(date) => date.year(),
            Birth::Year(year) => *year,
        }
    }

    /// True when only the year is known.
    pub fn is_year_only(&self) -> bool {
        matches!(self, Birth::Year(_))
    }

    /// The date the rules compute from: the birth date itself, or December 31 for a year
    /// alone. `None` only for a year outside chrono's calendar.
    pub(crate) fn reference_date(&self) -> Option<NaiveDate> {
        match self {
            Birth::Date(date) => Some(*date),
            Birth::Year(year) => crate::calendar::december_31(*year),
        }
    }
}

/// A member of the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Stable id; accounts name their owner by it.
    pub id: String,
    /// Display name, used in alert titles.
    pub name: String,
    /// "Head", "Spouse", "Partner", "Child", "Dependent" or "Other". Only decides who an
    /// account without an owner is assumed to belong to; ages are computed for everyone.
    pub role: String,
    /// Date or year of birth; a person without one gets no age-based alerts.
    pub birth: Option<Birth>,
}

/// An account as the advisor typed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInput {
    /// Stable id.
    pub id: String,
    /// Free text, e.g. "Rollover IRA", "401(k)", "Roth IRA", "Inherited IRA", "529 Plan";
    /// read by [`crate::classify_account`].
    pub kind: String,
    /// The owning person's id, if set.
    pub owner: Option<String>,
    /// Closed accounts are ignored.
    pub closed: bool,
}

/// A free-form fact recorded about the household (e.g. key "marriage").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactInput {
    /// Stable id.
    pub id: String,
    /// What the fact is about; matched case-insensitively.
    pub key: String,
    /// The fact itself, free text.
    pub value: String,
    /// The day it was recorded, if known.
    pub recorded_on: Option<NaiveDate>,
}

/// A savings goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalInput {
    /// Stable id.
    pub id: String,
    /// Display title, e.g. "Ava's college".
    pub title: String,
    /// Amount to reach.
    pub target_amount: Option<Decimal>,
    /// Amount saved so far.
    pub funded_amount: Option<Decimal>,
    /// When saving started.
    pub started_on: Option<NaiveDate>,
    /// When the target should be reached.
    pub target_date: Option<NaiveDate>,
}

/// Everything the rules read about one household.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HouseholdInput {
    /// The household's members.
    pub people: Vec<Person>,
    /// Its accounts, open and closed.
    pub accounts: Vec<AccountInput>,
    /// Recorded facts.
    pub facts: Vec<FactInput>,
    /// Savings goals.
    pub goals: Vec<GoalInput>,
    /// The month (1..=12) of the household's annual review, from its template.
    pub annual_review_month: Option<u32>,
    /// The date of the last review meeting.
    pub last_review: Option<NaiveDate>,
}

impl FactInput {
    /// The key lowercased and trimmed, with spaces and hyphens as underscores:
    /// "Inherited IRA" → "inherited_ira".
    pub(crate) fn normalized_key(&self) -> String {
        self.key
            .trim()
            .to_lowercase()
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("_")
    }
}
