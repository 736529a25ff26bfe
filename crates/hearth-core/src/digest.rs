//! What lists, Today and the date alerts need from a household, read without its meetings'
//! transcripts. The store keeps one digest per household, refreshed on every write, so that
//! drawing Today over thousands of households never loads an Automerge document.

use automerge::{ObjType, ROOT, ReadDoc, Value};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::conflicts::opt_text;
use crate::household::hydrate_items;
use crate::model::*;
use crate::{CoreError, Household};

/// An open loop as Today shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDigest {
    /// Task item id.
    pub id: String,
    /// What has to be done.
    pub title: String,
    /// Owning advisor.
    pub owner: String,
    /// Due date, YYYY-MM-DD.
    pub due: Option<String>,
    /// Hidden until this date.
    pub snoozed_until: Option<String>,
    /// Meeting it came from.
    pub source_meeting: Option<String>,
    /// When it was opened, ms since the epoch.
    pub created_at: i64,
}

/// A member, for ages and dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonDigest {
    /// Member item id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Role in the household.
    pub role: String,
    /// Year of birth.
    pub birth_year: Option<i64>,
    /// Full date of birth, YYYY-MM-DD.
    pub birth_date: Option<String>,
}

/// An account, for RMDs and totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountDigest {
    /// Account item id.
    pub id: String,
    /// Account type as typed.
    pub kind: String,
    /// Owning member's item id.
    pub owner: Option<String>,
    /// Whether it is closed.
    pub closed: bool,
    /// Current AUM, exact decimal.
    pub aum: Option<String>,
}

/// A current (not retired) client fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactDigest {
    /// Fact item id.
    pub id: String,
    /// What it is about.
    pub key: String,
    /// Its value.
    pub value: String,
    /// When it was recorded, ms since the epoch.
    pub recorded_at: Option<i64>,
}

/// A goal, for the funding pace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalDigest {
    /// Goal item id.
    pub id: String,
    /// What the goal is.
    pub title: String,
    /// Target amount, exact decimal.
    pub target_amount: Option<String>,
    /// Funded so far, exact decimal.
    pub funded_amount: Option<String>,
    /// When saving started.
    pub started_on: Option<String>,
    /// Target date.
    pub target_date: Option<String>,
}

/// A meeting, without its transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingDigest {
    /// Meeting item id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Start, ms since the epoch.
    pub started_at: i64,
    /// Still on the calendar (not held yet).
    pub scheduled: bool,
}

/// Everything lists, Today and alerts read about one household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdDigest {
    /// Household name.
    pub name: String,
    /// prospect, client or former_client.
    pub status: String,
    /// Service segment.
    pub segment: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Archived households leave lists and Today.
    pub archived: bool,
    /// Sum of the open accounts' AUM, exact decimal; `None` when no account has one.
    pub aum_total: Option<String>,
    /// The wealth template's `annual_review_month`, 1–12.
    pub annual_review_month: Option<u32>,
    /// Open loops.
    pub open_tasks: Vec<TaskDigest>,
    /// Members.
    pub people: Vec<PersonDigest>,
    /// Accounts.
    pub accounts: Vec<AccountDigest>,
    /// Current facts.
    pub facts: Vec<FactDigest>,
    /// Goals.
    pub goals: Vec<GoalDigest>,
    /// Meetings held and scheduled.
    pub meetings: Vec<MeetingDigest>,
    /// How many fields hold concurrent values waiting for someone to pick one.
    pub conflicts: usize,
}

impl HouseholdDigest {
    /// The latest meeting held (not merely scheduled).
    pub fn last_meeting(&self) -> Option<&MeetingDigest> {
        self.meetings
            .iter()
            .filter(|m| !m.scheduled)
            .max_by_key(|m| m.started_at)
    }
}

impl Household {
    /// The household's digest (see [`HouseholdDigest`]); meetings are read without their
    /// transcripts and analyses.
    pub fn digest(&self) -> Result<HouseholdDigest, CoreError> {
        let doc = self.doc();
        let corrupt = |e: autosurgeon::HydrateError| {
            CoreError::Corrupt(format!("not a household document: {e}"))
        };
        let summary = self.summary()?;
        let tags: Vec<String> = autosurgeon::hydrate_prop(doc, ROOT, "tags").unwrap_or_default();
        let members: std::collections::BTreeMap<String, Member> =
            hydrate_items(doc, &ROOT, "members".into()).map_err(corrupt)?;
        let accounts: std::collections::BTreeMap<String, Account> =
            hydrate_items(doc, &ROOT, "accounts".into()).map_err(corrupt)?;
        let goals: std::collections::BTreeMap<String, Goal> =
            hydrate_items(doc, &ROOT, "goals".into()).map_err(corrupt)?;
        let tasks: std::collections::BTreeMap<String, Task> =
            hydrate_items(doc, &ROOT, "tasks".into()).map_err(corrupt)?;
        let facts: std::collections::BTreeMap<String, ClientFact> =
            hydrate_items(doc, &ROOT, "facts".into()).map_err(corrupt)?;

        let mut total = Decimal::ZERO;
        let mut any_aum = false;
        for account in accounts.values().filter(|a| a.closed_on.is_none()) {
            if let Some(aum) = account
                .aum
                .as_deref()
                .and_then(|a| a.parse::<Decimal>().ok())
            {
                total += aum;
                any_aum = true;
            }
        }

        let mut meetings = Vec::new();
        if let Some((Value::Object(ObjType::Map), map)) = doc.get(ROOT, "meetings")? {
            for id in doc.keys(&map) {
                let Some((Value::Object(ObjType::Map), meeting)) = doc.get(&map, id.as_str())?
                else {
                    continue;
                };
                let started_at: Option<i64> =
                    autosurgeon::hydrate_prop(doc, &meeting, "started_at").ok();
                let scheduled: bool =
                    autosurgeon::hydrate_prop(doc, &meeting, "scheduled").unwrap_or(false);
                if let Some(started_at) = started_at {
                    meetings.push(MeetingDigest {
                        title: opt_text(doc, &meeting, "title").unwrap_or_default(),
                        id,
                        started_at,
                        scheduled,
                    });
                }
            }
        }

        let annual_review_month = match doc.get(ROOT, "custom")? {
            Some((Value::Object(ObjType::Map), custom)) => {
                opt_text(doc, &custom, "annual_review_month")
                    .and_then(|json| json.trim().parse::<u32>().ok())
                    .filter(|m| (1..=12).contains(m))
            }
            _ => None,
        };

        Ok(HouseholdDigest {
            name: summary.name,
            status: summary.status.to_string(),
            segment: summary.segment,
            tags,
            archived: self.archived_at().is_some(),
            aum_total: any_aum.then(|| total.to_string()),
            annual_review_month,
            open_tasks: tasks
                .into_iter()
                .filter(|(_, t)| t.status == TaskStatus::Open)
                .map(|(id, t)| TaskDigest {
                    id,
                    title: t.title,
                    owner: t.owner,
                    due: t.due,
                    snoozed_until: t.snoozed_until,
                    source_meeting: t.source_meeting,
                    created_at: t.created_at,
                })
                .collect(),
            people: members
                .into_iter()
                .map(|(id, m)| PersonDigest {
                    id,
                    name: m.name,
                    role: m.role.to_string(),
                    birth_year: m.birth_year,
                    birth_date: m.birth_date,
                })
                .collect(),
            accounts: accounts
                .into_iter()
                .map(|(id, a)| AccountDigest {
                    id,
                    kind: a.kind,
                    owner: a.owner,
                    closed: a.closed_on.is_some(),
                    aum: a.aum,
                })
                .collect(),
            facts: facts
                .into_iter()
                .filter(|(_, f)| f.retired_at.is_none())
                .map(|(id, f)| FactDigest {
                    id,
                    key: f.key,
                    value: f.value,
                    recorded_at: f.recorded_at,
                })
                .collect(),
            goals: goals
                .into_iter()
                .map(|(id, g)| GoalDigest {
                    id,
                    title: g.title,
                    target_amount: g.target_amount,
                    funded_amount: g.funded_amount,
                    started_on: g.started_on,
                    target_date: g.target_date,
                })
                .collect(),
            meetings,
            conflicts: self.conflicts()?.len(),
        })
    }
}
