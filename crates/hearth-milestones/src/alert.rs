//! The output: an [`Alert`], and when a computed alert is shown.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar;

/// How exactly an alert's date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// Writes an alert's title. Boxed so that the candidates of every rule share one type.
type Title<'a> = Box<dyn FnOnce() -> String + 'a>;

/// An alert a rule produced, before the span decides whether it is shown.
///
/// The rules produce many more candidates than are shown: every milestone of every person,
/// every RMD year the span reaches, for every household of the advisor's book each time
/// Today is drawn, and only those near the span survive [`Candidate::shown_in`] (in
/// `benches/alerts.rs`, 10,666 of 68,375). So a candidate carries just what decides whether
/// it is shown, borrows its subject and person id from the input, and holds its title as a
/// closure: the formatting, and the owned [`Alert`], happen only for the candidates kept.
#[derive(Debug)]
pub(crate) struct Candidate<'a> {
    draft: Draft<'a>,
    shown: Shown,
}

/// A candidate before it is told when it is shown. Start one with [`Candidate::about`] or
/// [`Candidate::about_subject`]; finish it with [`Draft::dated`], [`Draft::running`] or
/// [`Draft::until_resolved`].
pub(crate) struct Draft<'a> {
    kind: AlertKind,
    person_id: Option<&'a str>,
    subject: &'a str,
    date: NaiveDate,
    ends: Option<NaiveDate>,
    precision: Precision,
    rule: &'static str,
    title: Title<'a>,
}

impl<'a> Candidate<'a> {
    /// An alert about `person`, with the person's name as its subject. `title` is called
    /// only if the alert is shown.
    pub fn about(
        kind: AlertKind,
        person: &'a crate::Person,
        date: NaiveDate,
        precision: Precision,
        rule: &'static str,
        title: impl FnOnce() -> String + 'a,
    ) -> Draft<'a> {
        Draft {
            person_id: Some(&person.id),
            ..Self::about_subject(kind, &person.name, date, precision, rule, title)
        }
    }

    /// An alert about `subject` (a goal, an account, a family change) rather than a
    /// person. `title` is called only if the alert is shown.
    pub fn about_subject(
        kind: AlertKind,
        subject: &'a str,
        date: NaiveDate,
        precision: Precision,
        rule: &'static str,
        title: impl FnOnce() -> String + 'a,
    ) -> Draft<'a> {
        Draft {
            kind,
            person_id: None,
            subject,
            date,
            ends: None,
            precision,
            rule,
            title: Box::new(title),
        }
    }

    /// The alert, if it belongs in a list covering `span`; only then is its title written.
    pub fn shown_in(self, span: Span) -> Option<Alert> {
        let date = self.draft.date;
        let visible = match self.shown {
            Shown::OnDate => span.contains(date),
            Shown::While { from, until } => {
                span.contains(date) || (from <= span.today && span.today <= until)
            }
            Shown::UntilResolved => date <= span.last,
        };
        visible.then(|| self.draft.into_alert())
    }
}

impl<'a> Draft<'a> {
    /// With `ends` as the last day of the window the alert opens.
    pub fn ending(self, ends: NaiveDate) -> Self {
        Draft {
            ends: Some(ends),
            ..self
        }
    }

    /// Shown while its date is within the span. A month- or year-precision alert stands
    /// for its whole month or year, so it also stays while that month or year runs.
    pub fn dated(self) -> Candidate<'a> {
        let whole = match self.precision {
            Precision::Day => None,
            Precision::Month => calendar::last_of_month(self.date),
            Precision::Year => calendar::december_31(self.date.year()),
        };
        let shown = match whole {
            Some(until) => Shown::While {
                from: self.date,
                until,
            },
            None => Shown::OnDate,
        };
        self.shown(shown)
    }

    /// Also shown on every day from `from` to `until`.
    pub fn running(self, from: NaiveDate, until: NaiveDate) -> Candidate<'a> {
        self.shown(Shown::While { from, until })
    }

    /// Shown from its date on, however long ago that was.
    pub fn until_resolved(self) -> Candidate<'a> {
        self.shown(Shown::UntilResolved)
    }

    fn shown(self, shown: Shown) -> Candidate<'a> {
        Candidate { draft: self, shown }
    }

    /// The alert to show: the only place the subject and id are copied and the title is
    /// written.
    fn into_alert(self) -> Alert {
        Alert {
            kind: self.kind,
            person_id: self.person_id.map(str::to_owned),
            subject: self.subject.to_owned(),
            date: self.date,
            ends: self.ends,
            precision: self.precision,
            title: (self.title)(),
            rule: self.rule,
        }
    }
}

impl fmt::Debug for Draft<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft")
            .field("kind", &self.kind)
            .field("person_id", &self.person_id)
            .field("subject", &self.subject)
            .field("date", &self.date)
            .field("ends", &self.ends)
            .field("precision", &self.precision)
            .field("rule", &self.rule)
            .finish_non_exhaustive()
    }
}
