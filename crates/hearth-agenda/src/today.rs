//! Today: the advisor's home screen, across every household they can see.

use chrono::{Days, NaiveDate};
use hearth_milestones::{Alert, AlertKind};
use serde::Serialize;

/// How far ahead Today shows date alerts.
pub const ALERT_HORIZON_DAYS: i64 = 90;
/// Alerts this close are "soon" (the 30-day view).
pub const SOON_DAYS: i64 = 30;
/// How far ahead Today lists scheduled meetings and annual reviews.
pub const UPCOMING_DAYS: i64 = 30;
/// "This week": due within this many days after today.
pub const WEEK_DAYS: i64 = 7;
/// The "later" group lists at most this many loops (the rest are counted).
pub const LATER_SHOWN: usize = 50;
/// Today lists at most this many date alerts, soonest first (the rest are counted; the
/// alerts view lists them all).
pub const ALERTS_SHOWN: usize = 200;

/// An open loop as read from the listing rows.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopInput {
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// Task item id.
    pub task_id: String,
    /// What has to be done.
    pub title: String,
    /// Owning advisor.
    pub owner: String,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Hidden until this date.
    pub snoozed_until: Option<NaiveDate>,
    /// Meeting it came from.
    pub source_meeting: Option<String>,
}

/// A household's date alerts, computed by the caller with `hearth_milestones::alerts`.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdAlerts {
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// Its alerts for the next [`ALERT_HORIZON_DAYS`].
    pub alerts: Vec<Alert>,
}

/// A meeting on the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingInput {
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// Meeting item id.
    pub meeting_id: String,
    /// Title.
    pub title: String,
    /// Start, ms since the epoch.
    pub starts_at: i64,
    /// Its calendar date where the advisor is.
    pub date: NaiveDate,
}

/// A colleague's change that arrived through sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityLine {
    /// Its arrival number on this desk (mark up to it as seen).
    pub seq: i64,
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// Who made it.
    pub advisor: Option<String>,
    /// When, ms since the epoch.
    pub time: i64,
    /// What they did, in words.
    pub summary: String,
}

/// Everything Today is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayInput {
    /// The day.
    pub today: NaiveDate,
    /// The advisor looking.
    pub me: String,
    /// Open loops of every household that is not archived: all due within the week (or
    /// overdue), and the first ones due later.
    pub loops: Vec<LoopInput>,
    /// How many loops are due later or undated and not snoozed, listed or not.
    pub later_total: usize,
    /// How many loops are snoozed.
    pub snoozed: usize,
    /// Date alerts, per household.
    pub alerts: Vec<HouseholdAlerts>,
    /// Scheduled meetings from today on.
    pub meetings: Vec<MeetingInput>,
    /// Colleagues' changes since the advisor last looked, newest first.
    pub activity: Vec<ActivityLine>,
}

/// Which group an open loop falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// Due before today.
    Overdue,
    /// Due today.
    Today,
    /// Due within the next [`WEEK_DAYS`] days.
    ThisWeek,
    /// Due later, or no due date.
    Later,
}

impl Due {
    /// The group's heading.
    pub fn label(&self) -> &'static str {
        match self {
            Due::Overdue => "Overdue",
            Due::Today => "Today",
            Due::ThisWeek => "This week",
            Due::Later => "Later",
        }
    }

    /// The group of a due date on `today`.
    pub fn of(due: Option<NaiveDate>, today: NaiveDate) -> Due {
        let Some(due) = due else {
            return Due::Later;
        };
        let week_end = today
            .checked_add_days(Days::new(WEEK_DAYS.unsigned_abs()))
            .unwrap_or(NaiveDate::MAX);
        if due < today {
            Due::Overdue
        } else if due == today {
            Due::Today
        } else if due <= week_end {
            Due::ThisWeek
        } else {
            Due::Later
        }
    }
}

/// An open loop on Today.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TodayLoop {
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// Task item id.
    pub task_id: String,
    /// What has to be done.
    pub title: String,
    /// Owning advisor.
    pub owner: String,
    /// Owned by the advisor looking.
    pub mine: bool,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Days past due (overdue loops only).
    pub days_overdue: Option<i64>,
    /// Meeting it came from.
    pub source_meeting: Option<String>,
}

/// One group of open loops.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LoopGroup {
    /// Which group.
    pub due: Due,
    /// Its heading.
    pub label: &'static str,
    /// The loops, the advisor's own first, then by due date.
    pub loops: Vec<TodayLoop>,
}

/// A date alert on Today.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TodayAlert {
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// Within [`SOON_DAYS`] (or already running).
    pub soon: bool,
    /// The alert.
    #[serde(flatten)]
    pub alert: Alert,
}

/// What is coming: a scheduled meeting or an annual review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Upcoming {
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// "meeting" or "annual_review".
    pub kind: &'static str,
    /// What it is.
    pub title: String,
    /// Its date.
    pub date: NaiveDate,
    /// The meeting's start, ms since the epoch (meetings only).
    pub starts_at: Option<i64>,
    /// The meeting's id (meetings only).
    pub meeting_id: Option<String>,
}

/// The advisor's day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Today {
    /// The day.
    pub date: NaiveDate,
    /// The advisor looking.
    pub advisor: String,
    /// Open loops: overdue, today, this week, later (empty groups left out).
    pub groups: Vec<LoopGroup>,
    /// Loops hidden by a snooze.
    pub snoozed: usize,
    /// Loops due later that are not listed in the "later" group.
    pub later_more: usize,
    /// Date alerts in the next [`ALERT_HORIZON_DAYS`], by date (at most [`ALERTS_SHOWN`]).
    pub alerts: Vec<TodayAlert>,
    /// Alerts in the horizon that are not listed.
    pub alerts_more: usize,
    /// Meetings and annual reviews in the next [`UPCOMING_DAYS`], by date.
    pub upcoming: Vec<Upcoming>,
    /// Colleagues' changes since the advisor last looked, newest first.
    pub since_you_last_looked: Vec<ActivityLine>,
    /// The newest of them: pass it to "mark as seen" so nothing that arrives after this
    /// view was drawn is marked.
    pub latest_seq: i64,
}

impl Today {
    /// How many loops are due today or overdue and the advisor's own: what a notification
    /// and the tray count say.
    pub fn due_now_mine(&self) -> usize {
        self.groups
            .iter()
            .filter(|g| matches!(g.due, Due::Overdue | Due::Today))
            .flat_map(|g| &g.loops)
            .filter(|l| l.mine)
            .count()
    }
}

fn days_after(today: NaiveDate, days: i64) -> NaiveDate {
    today
        .checked_add_days(Days::new(days.unsigned_abs()))
        .unwrap_or(NaiveDate::MAX)
}

/// Builds Today.
pub fn build(input: TodayInput) -> Today {
    let today = input.today;
    let mut groups: Vec<LoopGroup> = [Due::Overdue, Due::Today, Due::ThisWeek, Due::Later]
        .into_iter()
        .map(|due| LoopGroup {
            due,
            label: due.label(),
            loops: Vec::new(),
        })
        .collect();
    for l in input.loops {
        if l.snoozed_until.is_some_and(|until| until > today) {
            continue;
        }
        let due = Due::of(l.due, today);
        let item = TodayLoop {
            mine: l.owner == input.me,
            days_overdue: (due == Due::Overdue)
                .then(|| l.due.map(|d| (today - d).num_days()))
                .flatten(),
            household_id: l.household_id,
            household: l.household,
            task_id: l.task_id,
            title: l.title,
            owner: l.owner,
            due: l.due,
            source_meeting: l.source_meeting,
        };
        if let Some(group) = groups.iter_mut().find(|g| g.due == due) {
            group.loops.push(item);
        }
    }
    for group in &mut groups {
        group.loops.sort_by(|a, b| {
            (!a.mine, a.due.is_none(), a.due, &a.household, &a.title).cmp(&(
                !b.mine,
                b.due.is_none(),
                b.due,
                &b.household,
                &b.title,
            ))
        });
        if group.due == Due::Later {
            group.loops.truncate(LATER_SHOWN);
        }
    }
    let later_listed = groups
        .iter()
        .find(|g| g.due == Due::Later)
        .map_or(0, |g| g.loops.len());
    let later_more = input.later_total.saturating_sub(later_listed);
    groups.retain(|g| !g.loops.is_empty());

    let soon_end = days_after(today, SOON_DAYS);
    let upcoming_end = days_after(today, UPCOMING_DAYS);
    let mut upcoming = Vec::new();
    // Pick the soonest alerts first and copy only those: a large book has thousands.
    let mut found: Vec<(usize, &Alert)> = Vec::new();
    for (h, household) in input.alerts.iter().enumerate() {
        for alert in &household.alerts {
            if alert.kind == AlertKind::AnnualReview {
                if alert.date <= upcoming_end {
                    upcoming.push(Upcoming {
                        household_id: household.household_id.clone(),
                        household: household.household.clone(),
                        kind: "annual_review",
                        title: alert.title.clone(),
                        date: alert.date,
                        starts_at: None,
                        meeting_id: None,
                    });
                }
                continue;
            }
            found.push((h, alert));
        }
    }
    let order = |a: &(usize, &Alert), b: &(usize, &Alert)| {
        (a.1.date, &input.alerts[a.0].household, a.1.kind, &a.1.title).cmp(&(
            b.1.date,
            &input.alerts[b.0].household,
            b.1.kind,
            &b.1.title,
        ))
    };
    let alerts_more = found.len().saturating_sub(ALERTS_SHOWN);
    if found.len() > ALERTS_SHOWN {
        found.select_nth_unstable_by(ALERTS_SHOWN, order);
        found.truncate(ALERTS_SHOWN);
    }
    found.sort_by(order);
    let alerts: Vec<TodayAlert> = found
        .into_iter()
        .map(|(h, alert)| TodayAlert {
            household_id: input.alerts[h].household_id.clone(),
            household: input.alerts[h].household.clone(),
            soon: alert.date <= soon_end,
            alert: alert.clone(),
        })
        .collect();
    for m in input.meetings {
        if m.date >= today && m.date <= upcoming_end {
            upcoming.push(Upcoming {
                household_id: m.household_id,
                household: m.household,
                kind: "meeting",
                title: m.title,
                date: m.date,
                starts_at: Some(m.starts_at),
                meeting_id: Some(m.meeting_id),
            });
        }
    }
    upcoming.sort_by(|a, b| {
        (a.date, a.starts_at, &a.household).cmp(&(b.date, b.starts_at, &b.household))
    });

    Today {
        date: today,
        advisor: input.me,
        groups,
        snoozed: input.snoozed,
        later_more,
        alerts,
        alerts_more,
        upcoming,
        latest_seq: input.activity.iter().map(|a| a.seq).max().unwrap_or(0),
        since_you_last_looked: input.activity,
    }
}
