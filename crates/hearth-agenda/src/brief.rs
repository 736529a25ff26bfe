//! The pre-meeting brief: one page per household, built from its document alone.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use hearth_core::{Account, HouseholdData, Meeting, NoteCategory, TaskStatus};
use hearth_intel::{Analysis, FlagKind, Owner};
use hearth_milestones::{
    AccountClass, Alert, AlertKind, Birth, HouseholdInput, Precision, age_on, classify_account,
    format_money,
};
use rust_decimal::Decimal;
use serde::Serialize;

/// How far ahead a member's milestones are listed.
pub const MILESTONE_HORIZON_DAYS: i64 = 365;
/// A change in AUM since the last meeting beyond this share is put on the agenda.
const AUM_AGENDA_PERCENT: i64 = 5;

/// A member with their age and coming milestones.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefMember {
    /// Member item id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Age today, when known.
    pub age: Option<u32>,
    /// The age is computed from a birth year alone.
    pub age_from_year_only: bool,
    /// Milestones in the next year (RMD, Medicare, Social Security, 59½, birthday…).
    pub milestones: Vec<Alert>,
}

/// How an account's value moved since the last meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AumChange {
    /// The balance on or before the last meeting, exact decimal.
    pub from: String,
    /// Its as-of date.
    pub from_as_of: String,
    /// The difference to the current AUM, exact decimal.
    pub delta: String,
    /// The difference in percent of `from`, two decimals (`None` when `from` is zero).
    pub percent: Option<String>,
}

/// An account on the brief.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefAccount {
    /// Account item id.
    pub id: String,
    /// Type.
    pub kind: String,
    /// Custodian.
    pub custodian: Option<String>,
    /// Owner's name.
    pub owner: Option<String>,
    /// Current AUM, exact decimal.
    pub aum: Option<String>,
    /// Its as-of date.
    pub aum_as_of: Option<String>,
    /// Change since the last meeting, when a balance from then is on record.
    pub change_since_last_meeting: Option<AumChange>,
}

/// A goal and how far along it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefGoal {
    /// Goal item id.
    pub id: String,
    /// What it is.
    pub title: String,
    /// Target amount.
    pub target_amount: Option<String>,
    /// Funded so far.
    pub funded_amount: Option<String>,
    /// Funded / target in percent, two decimals.
    pub progress_percent: Option<String>,
    /// Target date.
    pub target_date: Option<String>,
    /// Behind its straight-line pace.
    pub behind_pace: bool,
}

/// An action item agreed at the last meeting, with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefActionItem {
    /// What was agreed.
    pub what: String,
    /// "advisor" or "client".
    pub side: &'static str,
    /// Due date.
    pub due: Option<String>,
    /// "open", "done", "cancelled", or "not filed" (suggested, never accepted).
    pub status: &'static str,
}

/// The last meeting held.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastMeeting {
    /// Meeting item id.
    pub id: String,
    /// Title.
    pub title: String,
    /// When, ms since the epoch.
    pub started_at: i64,
    /// What was decided (filed notes, or the analysis's suggestions if none were filed).
    pub decisions: Vec<String>,
    /// What both sides agreed to do.
    pub action_items: Vec<BriefActionItem>,
}

/// An open loop on the brief.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefLoop {
    /// Task item id.
    pub id: String,
    /// What has to be done.
    pub title: String,
    /// Owning advisor.
    pub owner: String,
    /// Due date.
    pub due: Option<String>,
    /// Past due.
    pub overdue: bool,
}

/// A current client fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefFact {
    /// What it is about.
    pub key: String,
    /// Its value.
    pub value: String,
    /// Where it came from.
    pub source: String,
}

/// A compliance flag raised in a recent meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefFlag {
    /// Meeting it was raised in.
    pub meeting: String,
    /// When, ms since the epoch.
    pub started_at: i64,
    /// What kind, in words.
    pub kind: String,
    /// The words it is about (redacted).
    pub excerpt: String,
}

/// Compliance on the brief.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BriefCompliance {
    /// The last note recording a Form ADV delivery: its date (YYYY-MM-DD) and text.
    pub last_adv_delivery: Option<(String, String)>,
    /// Flags raised in meetings of the last 12 months.
    pub flags: Vec<BriefFlag>,
}

/// The brief.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Brief {
    /// Household id.
    pub household_id: String,
    /// Name.
    pub name: String,
    /// Status.
    pub status: String,
    /// Segment.
    pub segment: Option<String>,
    /// The day it was built for.
    pub date: NaiveDate,
    /// Members with ages and milestones.
    pub members: Vec<BriefMember>,
    /// Household-wide alerts (goals, reviews, inherited IRAs, beneficiaries).
    pub household_alerts: Vec<Alert>,
    /// Open accounts.
    pub accounts: Vec<BriefAccount>,
    /// Sum of open accounts' AUM.
    pub aum_total: Option<String>,
    /// Goals.
    pub goals: Vec<BriefGoal>,
    /// The last meeting held.
    pub last_meeting: Option<LastMeeting>,
    /// Open loops, overdue first.
    pub open_loops: Vec<BriefLoop>,
    /// Current client facts.
    pub facts: Vec<BriefFact>,
    /// Compliance items.
    pub compliance: BriefCompliance,
    /// Fields two advisors set at the same time.
    pub conflicts: usize,
    /// Suggested agenda points, most pressing first.
    pub agenda: Vec<String>,
}

fn flag_words(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::Guarantee => "Guarantee of an outcome",
        FlagKind::PerformanceClaim => "Performance claim",
        FlagKind::Unsuitable => "Possibly unsuitable recommendation",
        FlagKind::Complaint => "Client complaint",
        FlagKind::PiiSsn => "Social Security number spoken",
        FlagKind::PiiAccount => "Account number spoken",
        FlagKind::PiiCard => "Card number spoken",
    }
}

fn date_of(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono::Local).date_naive())
}

fn percent(part: Decimal, whole: Decimal) -> Option<String> {
    if whole.is_zero() {
        return None;
    }
    let p = (part * Decimal::ONE_HUNDRED / whole).round_dp(2);
    Some(format!("{p:.2}"))
}

/// The balance on record on or before `date`: the latest such as-of date.
fn balance_on(account: &Account, date: NaiveDate) -> Option<(Decimal, String)> {
    account
        .balances
        .values()
        .filter_map(|b| {
            let as_of: NaiveDate = b.as_of.parse().ok()?;
            let amount: Decimal = b.amount.parse().ok()?;
            (as_of <= date).then(|| (as_of, b.recorded_at, amount, b.as_of.clone()))
        })
        .max_by_key(|(as_of, recorded_at, _, _)| (*as_of, *recorded_at))
        .map(|(_, _, amount, as_of)| (amount, as_of))
}

/// The meeting held last (not merely scheduled), with its id.
fn last_meeting(data: &HouseholdData, now_ms: i64) -> Option<(&String, &Meeting)> {
    data.meetings
        .iter()
        .filter(|(_, m)| !m.scheduled && m.started_at <= now_ms)
        .max_by_key(|(_, m)| m.started_at)
}

/// Builds the brief for `data` on `today`. `alerts_input` is the household's date-rule input
/// (the same the listing rows hold); `conflicts` the number of conflicting fields.
pub fn build(
    household_id: &str,
    data: &HouseholdData,
    alerts_input: Option<&HouseholdInput>,
    conflicts: usize,
    today: NaiveDate,
    now_ms: i64,
) -> Brief {
    let alerts = alerts_input
        .map(|input| hearth_milestones::alerts(input, today, MILESTONE_HORIZON_DAYS))
        .unwrap_or_default();
    let birth_of = |id: &str| -> Option<Birth> {
        alerts_input?
            .people
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| p.birth)
    };
    let members: Vec<BriefMember> = data
        .members
        .iter()
        .map(|(id, m)| {
            let birth = birth_of(id);
            BriefMember {
                id: id.clone(),
                name: m.name.clone(),
                role: m.role.to_string(),
                age: birth.as_ref().and_then(|b| age_on(b, today)),
                age_from_year_only: birth.is_some_and(|b| b.is_year_only()),
                milestones: alerts
                    .iter()
                    .filter(|a| a.person_id.as_deref() == Some(id.as_str()))
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    let household_alerts: Vec<Alert> = alerts
        .iter()
        .filter(|a| a.person_id.is_none())
        .cloned()
        .collect();

    let last = last_meeting(data, now_ms);
    let last_date = last.and_then(|(_, m)| date_of(m.started_at));
    let mut total = Decimal::ZERO;
    let mut any_aum = false;
    let accounts: Vec<BriefAccount> = data
        .accounts
        .iter()
        .filter(|(_, a)| a.closed_on.is_none())
        .map(|(id, a)| {
            let current: Option<Decimal> = a.aum.as_deref().and_then(|v| v.parse().ok());
            if let Some(c) = current {
                total += c;
                any_aum = true;
            }
            let change = match (current, last_date) {
                (Some(now), Some(then)) => {
                    balance_on(a, then).map(|(from, from_as_of)| AumChange {
                        from: from.to_string(),
                        from_as_of,
                        delta: (now - from).to_string(),
                        percent: percent(now - from, from),
                    })
                }
                _ => None,
            };
            BriefAccount {
                id: id.clone(),
                kind: a.kind.clone(),
                custodian: a.custodian.clone(),
                owner: a
                    .owner
                    .as_ref()
                    .and_then(|o| data.members.get(o))
                    .map(|m| m.name.clone()),
                aum: a.aum.clone(),
                aum_as_of: a.aum_as_of.clone(),
                change_since_last_meeting: change,
            }
        })
        .collect();

    let behind: Vec<&str> = alerts
        .iter()
        .filter(|a| a.kind == AlertKind::GoalBehindPace)
        .map(|a| a.subject.as_str())
        .collect();
    let goals: Vec<BriefGoal> = data
        .goals
        .iter()
        .map(|(id, g)| {
            let target: Option<Decimal> = g.target_amount.as_deref().and_then(|v| v.parse().ok());
            let funded: Option<Decimal> = g.funded_amount.as_deref().and_then(|v| v.parse().ok());
            BriefGoal {
                id: id.clone(),
                title: g.title.clone(),
                target_amount: g.target_amount.clone(),
                funded_amount: g.funded_amount.clone(),
                progress_percent: match (funded, target) {
                    (Some(f), Some(t)) => percent(f, t),
                    _ => None,
                },
                target_date: g.target_date.clone(),
                behind_pace: behind.contains(&g.title.as_str()),
            }
        })
        .collect();

    let last_meeting = last.map(|(id, m)| {
        let analysis: Option<Analysis> = m
            .analysis
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok());
        let mut decisions: Vec<String> = data
            .notes
            .values()
            .filter(|n| {
                n.source_meeting.as_deref() == Some(id.as_str())
                    && n.category == NoteCategory::Decisions
            })
            .map(|n| n.body.as_str().to_string())
            .collect();
        if decisions.is_empty()
            && let Some(a) = &analysis
        {
            decisions = a
                .notes
                .iter()
                .filter(|n| n.category == NoteCategory::Decisions)
                .map(|n| n.text.clone())
                .collect();
        }
        let filed: BTreeMap<&str, TaskStatus> = data
            .tasks
            .values()
            .filter(|t| t.source_meeting.as_deref() == Some(id.as_str()))
            .filter_map(|t| t.source_item.as_deref().map(|item| (item, t.status)))
            .collect();
        let mut action_items: Vec<BriefActionItem> = analysis
            .iter()
            .flat_map(|a| a.action_items.iter().enumerate())
            .map(|(i, item)| {
                let key = format!("action:{i}");
                let status = match filed.get(key.as_str()) {
                    Some(TaskStatus::Open) => "open",
                    Some(TaskStatus::Done) => "done",
                    Some(TaskStatus::Cancelled) => "cancelled",
                    // Filed before tasks recorded their item: accepted, state unknown.
                    None if m.accepted.contains(&key) => "filed",
                    None => "not filed",
                };
                BriefActionItem {
                    what: item.what.clone(),
                    side: match item.owner {
                        Owner::Advisor => "advisor",
                        Owner::Client => "client",
                    },
                    due: item.due.map(|d| d.to_string()),
                    status,
                }
            })
            .collect();
        // Tasks linked to the meeting without an analysis item behind them. When items were
        // accepted before tasks recorded their item, those tasks are the "filed" entries
        // above, so they are not listed twice.
        let filed_unlinked = m.accepted.iter().any(|k| k.starts_with("action:"));
        action_items.extend(
            data.tasks
                .values()
                .filter(|t| {
                    !filed_unlinked
                        && t.source_meeting.as_deref() == Some(id.as_str())
                        && t.source_item.is_none()
                })
                .map(|t| BriefActionItem {
                    what: t.title.clone(),
                    side: "advisor",
                    due: t.due.clone(),
                    status: match t.status {
                        TaskStatus::Open => "open",
                        TaskStatus::Done => "done",
                        TaskStatus::Cancelled => "cancelled",
                    },
                }),
        );
        LastMeeting {
            id: id.clone(),
            title: m.title.clone(),
            started_at: m.started_at,
            decisions,
            action_items,
        }
    });

    let today_text = today.to_string();
    let mut open_loops: Vec<BriefLoop> = data
        .tasks
        .iter()
        .filter(|(_, t)| t.status == TaskStatus::Open)
        .map(|(id, t)| BriefLoop {
            id: id.clone(),
            title: t.title.clone(),
            owner: t.owner.clone(),
            due: t.due.clone(),
            overdue: t.due.as_deref().is_some_and(|d| d < today_text.as_str()),
        })
        .collect();
    open_loops.sort_by(|a, b| {
        (!a.overdue, a.due.is_none(), &a.due, &a.title).cmp(&(
            !b.overdue,
            b.due.is_none(),
            &b.due,
            &b.title,
        ))
    });

    let facts: Vec<BriefFact> = data
        .facts
        .values()
        .filter(|f| f.retired_at.is_none())
        .map(|f| BriefFact {
            key: f.key.clone(),
            value: f.value.clone(),
            source: f.source.clone(),
        })
        .collect();

    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let last_adv_delivery = data
        .notes
        .values()
        .filter(|n| {
            n.category == NoteCategory::Compliance && n.body.as_str().to_uppercase().contains("ADV")
        })
        .max_by_key(|n| n.created_at)
        .and_then(|n| {
            Some((
                date_of(n.created_at)?.to_string(),
                n.body.as_str().to_string(),
            ))
        });
    let mut flags: Vec<BriefFlag> = data
        .meetings
        .values()
        .filter(|m| date_of(m.started_at).is_some_and(|d| d >= year_ago))
        .flat_map(|m| {
            let analysis: Option<Analysis> = m
                .analysis
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok());
            analysis
                .map(|a| a.flags)
                .unwrap_or_default()
                .into_iter()
                .map(move |f| BriefFlag {
                    meeting: m.title.clone(),
                    started_at: m.started_at,
                    kind: flag_words(f.kind).to_string(),
                    excerpt: f.excerpt,
                })
        })
        .collect();
    flags.sort_by_key(|f| std::cmp::Reverse(f.started_at));
    let compliance = BriefCompliance {
        last_adv_delivery,
        flags,
    };

    let mut brief = Brief {
        household_id: household_id.to_string(),
        name: data.name.clone(),
        status: data.status.to_string(),
        segment: data.segment.clone(),
        date: today,
        members,
        household_alerts,
        accounts,
        aum_total: any_aum.then(|| total.to_string()),
        goals,
        last_meeting,
        open_loops,
        facts,
        compliance,
        conflicts,
        agenda: Vec::new(),
    };
    brief.agenda = agenda(&brief, data, year_ago);
    brief
}

/// Suggested agenda points, most pressing first.
fn agenda(brief: &Brief, data: &HouseholdData, year_ago: NaiveDate) -> Vec<String> {
    let mut points = Vec::new();
    if brief.conflicts > 0 {
        points.push(format!(
            "Settle {} field{} two advisors changed at the same time",
            brief.conflicts,
            if brief.conflicts == 1 { "" } else { "s" }
        ));
    }
    for l in brief.open_loops.iter().filter(|l| l.overdue) {
        points.push(format!(
            "Overdue: {} (due {})",
            l.title,
            l.due.as_deref().unwrap_or("")
        ));
    }
    if let Some(last) = &brief.last_meeting {
        for item in last
            .action_items
            .iter()
            .filter(|i| i.side == "client" && matches!(i.status, "open" | "not filed" | "filed"))
        {
            points.push(format!(
                "Check on the client's item from {}: {}",
                last.title, item.what
            ));
        }
    }
    let soon = brief.date + chrono::Days::new(120);
    for m in &brief.members {
        for a in m.milestones.iter().filter(|a| a.date <= soon) {
            let point = match a.kind {
                AlertKind::RmdFirst | AlertKind::RmdAnnual => Some(format!("RMD: {}", a.title)),
                AlertKind::MedicareEnrollment => Some(format!("Medicare: {}", a.title)),
                AlertKind::FullRetirementAge => Some(format!("Social Security: {}", a.title)),
                AlertKind::AgeFiftyNineAndHalf | AlertKind::CatchUpContributions => {
                    Some(a.title.clone())
                }
                _ => None,
            };
            points.extend(point.map(|p| {
                if a.precision == Precision::Year && !p.contains("birth year only") {
                    format!("{p} (birth year only)")
                } else {
                    p
                }
            }));
        }
    }
    for a in &brief.household_alerts {
        match a.kind {
            AlertKind::GoalBehindPace
            | AlertKind::BeneficiaryReview
            | AlertKind::InheritedIraDeadline => points.push(a.title.clone()),
            _ => {}
        }
    }
    for account in &brief.accounts {
        if let Some(change) = &account.change_since_last_meeting
            && let Some(p) = change
                .percent
                .as_deref()
                .and_then(|p| p.parse::<Decimal>().ok())
            && p.abs() >= Decimal::from(AUM_AGENDA_PERCENT)
        {
            let delta: Decimal = change.delta.parse().unwrap_or_default();
            points.push(format!(
                "{} is {} {}% ({}) since the last meeting",
                account.kind,
                if p.is_sign_negative() { "down" } else { "up" },
                p.abs(),
                format_money(delta.abs())
            ));
        }
    }
    // 529 gaps: a minor with no education account in the household.
    let has_529 = data
        .accounts
        .values()
        .any(|a| a.closed_on.is_none() && classify_account(&a.kind) == AccountClass::Education529);
    if !has_529 {
        for m in &brief.members {
            if m.age.is_some_and(|age| age < 18) {
                points.push(format!(
                    "529 gap: {} ({}) has no education savings account",
                    m.name,
                    m.age.unwrap_or_default()
                ));
            }
        }
    }
    // SEC Rule 204-3(b): the brochure (Form ADV Part 2A) is delivered or offered each year.
    let adv_recent = brief
        .compliance
        .last_adv_delivery
        .as_ref()
        .and_then(|(date, _)| date.parse::<NaiveDate>().ok())
        .is_some_and(|d| d >= year_ago);
    if data.status == hearth_core::HouseholdStatus::Client && !adv_recent {
        points.push(match &brief.compliance.last_adv_delivery {
            Some((date, _)) => {
                format!("Offer this year's Form ADV Part 2A (last delivery noted {date})")
            }
            None => "Offer Form ADV Part 2A (no delivery noted)".to_string(),
        });
    }
    if !brief.compliance.flags.is_empty() {
        points.push(format!(
            "Follow up on {} compliance flag{} from recent meetings",
            brief.compliance.flags.len(),
            if brief.compliance.flags.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    points
}
