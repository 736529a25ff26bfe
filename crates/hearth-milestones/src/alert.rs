//! The output: an [`Alert`], and when a computed alert is shown.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar;

/// How exactly an alert's date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// The exact day.
    Day,
    /// Some time in the month; `date` is its first day (Social Security counts in months).
    Month,
    /// Some time in the year, derived from a birth year alone; `date` is January 1. The UI
    /// marks it "(birth year only)".
    Year,
}

/// What an alert is about. The order here is the tie-break order of [`crate::alerts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The first required minimum distribution, due by the required beginning date.
    RmdFirst,
    /// A later year's required minimum distribution, due by December 31.
    RmdAnnual,
    /// The end of an inherited IRA's 10-year distribution period.
    InheritedIraDeadline,
    /// The Medicare initial enrollment period around the 65th birthday.
    MedicareEnrollment,
    /// Social Security full retirement age.
    FullRetirementAge,
    /// Age 59½: no more 10% additional tax on early distributions.
    AgeFiftyNineAndHalf,
    /// Catch-up contributions open (age 50, and the higher limit at 60–63).
    CatchUpContributions,
    /// A birthday.
    Birthday,
    /// The household's annual review.
    AnnualReview,
    /// A savings goal behind its straight-line pace.
    GoalBehindPace,
    /// Beneficiary designations to review after a family change.
    BeneficiaryReview,
}

/// One date that matters, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// What it is about.
    pub kind: AlertKind,
    /// The person it concerns, if any.
    pub person_id: Option<String>,
    /// The person's name, the goal's title, the account or fact it comes from.
    pub subject: String,
    /// When it is due, happens or opens (first day of the month or year for
    /// [`Precision::Month`] and [`Precision::Year`]). For a goal behind pace, today; for an
    /// overdue review, the day it became due.
    pub date: NaiveDate,
    /// The last day of a window (the Medicare initial enrollment period).
    pub ends: Option<NaiveDate>,
    /// How exactly `date` is known.
    pub precision: Precision,
    /// One plain-English sentence.
    pub title: String,
    /// Where the date comes from: statute, regulation, agency page or firm practice.
    pub rule: &'static str,
}

/// The days an alert list covers: `today` through `last` inclusive.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub today: NaiveDate,
    pub last: NaiveDate,
}

impl Span {
    /// True when `date` is in `[today, last]`.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.today <= date && date <= self.last
    }
}

/// When a computed alert belongs in the list.
#[derive(Debug, Clone, Copy)]
enum Shown {
    /// Only while its date is within the span.
    OnDate,
    /// While its date is within the span, and also on every day from `from` to `until`
    /// (a window that is open, a deadline whose year has begun).
    While { from: NaiveDate, until: NaiveDate },
    /// From whenever it became due until the rule stops producing it (overdue states).
    UntilResolved,
}

/// An alert a rule produced, before the span decides whether it is shown.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    alert: Alert,
    shown: Shown,
}

impl Candidate {
    /// An alert shown while its date is within the span. A month- or year-precision alert
    /// stands for its whole month or year, so it also stays while that month or year runs.
    pub fn dated(alert: Alert) -> Self {
        let whole = match alert.precision {
            Precision::Day => None,
            Precision::Month => calendar::last_of_month(alert.date),
            Precision::Year => calendar::december_31(alert.date.year()),
        };
        let shown = match whole {
            Some(until) => Shown::While {
                from: alert.date,
                until,
            },
            None => Shown::OnDate,
        };
        Candidate { alert, shown }
    }

    /// An alert also shown on every day from `from` to `until`.
    pub fn running(alert: Alert, from: NaiveDate, until: NaiveDate) -> Self {
        Candidate {
            alert,
            shown: Shown::While { from, until },
        }
    }

    /// An alert shown from its date on, however long ago that was.
    pub fn until_resolved(alert: Alert) -> Self {
        Candidate {
            alert,
            shown: Shown::UntilResolved,
        }
    }

    /// The alert, if it belongs in a list covering `span`.
    pub fn shown_in(self, span: Span) -> Option<Alert> {
        let date = self.alert.date;
        let visible = match self.shown {
            Shown::OnDate => span.contains(date),
            Shown::While { from, until } => {
                span.contains(date) || (from <= span.today && span.today <= until)
            }
            Shown::UntilResolved => date <= span.last,
        };
        visible.then_some(self.alert)
    }
}

impl Alert {
    /// An alert about `person`, with the person's name as its subject.
    pub(crate) fn about(
        kind: AlertKind,
        person: &crate::Person,
        date: NaiveDate,
        precision: Precision,
        title: String,
        rule: &'static str,
    ) -> Self {
        Alert {
            kind,
            person_id: Some(person.id.clone()),
            subject: person.name.clone(),
            date,
            ends: None,
            precision,
            title,
            rule,
        }
    }
}
