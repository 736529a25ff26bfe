//! Firm-practice reviews: the annual review meeting, and beneficiary designations after a
//! family change. Neither is a legal requirement; the citations say so.

use chrono::{Datelike, Days, NaiveDate};

use crate::alert::{AlertKind, Candidate, Precision};
use crate::calendar::{self, long_date, month_and_year};
use crate::{FactInput, HouseholdInput};

// The household template's review month; a firm convention.
const ANNUAL_REVIEW_RULE: &str = "Firm practice: household template's annual_review_month";

// Advisors review beneficiary designations after a marriage, divorce, birth or death,
// because designations, not wills, decide who inherits retirement accounts and insurance.
// A firm convention, not a legal requirement.
const BENEFICIARY_RULE: &str = "Firm practice: review beneficiary designations after a family change (not a legal requirement)";

/// Fact keys (normalized) that record a family change.
const FAMILY_CHANGE_KEYS: &[&str] = &[
    "marriage",
    "married",
    "divorce",
    "divorced",
    "separation",
    "birth",
    "new_child",
    "new_grandchild",
    "adoption",
    "death",
    "widowed",
    "family_change",
    "remarriage",
];

/// Fact keys (normalized) that record a completed beneficiary review.
const REVIEWED_KEYS: &[&str] = &["beneficiary_review", "beneficiaries_reviewed"];

/// Days after a family change by which beneficiaries should be reviewed.
const BENEFICIARY_REVIEW_DAYS: u64 = 30;

/// The first day of the next annual review month: this year's if today is in or before
/// that month and no review has happened in it this year, else next year's. `None` when no
/// valid month (1..=12) is set.
pub fn next_annual_review(
    review_month: Option<u32>,
    last_review: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let month = review_month.filter(|month| (1..=12).contains(month))?;
    let reviewed_this_year =
        last_review.is_some_and(|date| date.year() == today.year() && date.month() == month);
    let year = if today.month() <= month && !reviewed_this_year {
        today.year()
    } else {
        today.year().checked_add(1)?
    };
    calendar::ymd(year, month, 1)
}

/// The next annual review; a month-precision alert, so it stays through its month.
pub(crate) fn annual_review_alerts(
    household: &HouseholdInput,
    today: NaiveDate,
) -> Option<Candidate<'static>> {
    let date = next_annual_review(household.annual_review_month, household.last_review, today)?;
    let last_review = household.last_review;
    let candidate = Candidate::about_subject(
        AlertKind::AnnualReview,
        "Annual review",
        date,
        Precision::Month,
        ANNUAL_REVIEW_RULE,
        move || {
            let last = last_review
                .map(|date| format!(" (last review {})", long_date(date)))
                .unwrap_or_default();
            format!("Annual review due in {}{last}", month_and_year(date))
        },
    );
    Some(candidate.dated())
}

/// True when a beneficiary review fact clears `change`: one recorded on or after the
/// change's date. An undated change is cleared by any review fact, since their order
/// cannot be told; an undated review cannot clear a dated change.
fn cleared(change: &FactInput, reviews: &[&FactInput]) -> bool {
    reviews
        .iter()
        .any(|review| match (change.recorded_on, review.recorded_on) {
            (None, _) => true,
            (Some(changed), Some(reviewed)) => reviewed >= changed,
            (Some(_), None) => false,
        })
}

/// A review due 30 days after each family change that no later beneficiary review clears
/// (due today when the change has no date). Shown from then until cleared.
pub(crate) fn beneficiary_review_alerts(
    facts: &[FactInput],
    today: NaiveDate,
) -> Vec<Candidate<'_>> {
    let reviews: Vec<&FactInput> = facts
        .iter()
        .filter(|fact| REVIEWED_KEYS.contains(&fact.normalized_key().as_str()))
        .collect();
    facts
        .iter()
        .filter(|fact| FAMILY_CHANGE_KEYS.contains(&fact.normalized_key().as_str()))
        .filter(|fact| !cleared(fact, &reviews))
        .filter_map(|fact| {
            let key = fact.key.trim();
            let value = fact.value.trim();
            let date = match fact.recorded_on {
                Some(recorded) => recorded.checked_add_days(Days::new(BENEFICIARY_REVIEW_DAYS))?,
                None => today,
            };
            let candidate = Candidate::about_subject(
                AlertKind::BeneficiaryReview,
                if value.is_empty() { key } else { value },
                date,
                Precision::Day,
                BENEFICIARY_RULE,
                move || {
                    let what = if value.is_empty() {
                        key.to_string()
                    } else {
                        format!("{key}: {value}")
                    };
                    let when = match fact.recorded_on {
                        Some(recorded) => format!("recorded {}", long_date(recorded)),
                        None => "no date recorded".to_string(),
                    };
                    format!(
                        "Review beneficiary designations after a family change ({what}; {when})"
                    )
                },
            );
            Some(candidate.until_resolved())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    /// (label, review month, last review, today, expected).
    type ReviewRow = (
        &'static str,
        Option<u32>,
        Option<NaiveDate>,
        NaiveDate,
        Option<NaiveDate>,
    );

    #[test]
    fn next_annual_review_month() {
        let table: &[ReviewRow] = &[
            (
                "month ahead this year",
                Some(4),
                None,
                d(2026, 1, 15),
                Some(d(2026, 4, 1)),
            ),
            (
                "in the month, not yet reviewed",
                Some(4),
                Some(d(2025, 4, 10)),
                d(2026, 4, 20),
                Some(d(2026, 4, 1)),
            ),
            (
                "in the month, already reviewed",
                Some(4),
                Some(d(2026, 4, 3)),
                d(2026, 4, 20),
                Some(d(2027, 4, 1)),
            ),
            (
                "month already passed this year",
                Some(4),
                Some(d(2025, 4, 10)),
                d(2026, 5, 2),
                Some(d(2027, 4, 1)),
            ),
            (
                "December, today in January",
                Some(12),
                None,
                d(2026, 1, 1),
                Some(d(2026, 12, 1)),
            ),
            ("no month", None, None, d(2026, 1, 15), None),
            ("month 13 ignored", Some(13), None, d(2026, 1, 15), None),
            ("month 0 ignored", Some(0), None, d(2026, 1, 15), None),
        ];
        for (label, month, last, today, expected) in table {
            assert_eq!(
                next_annual_review(*month, *last, *today),
                *expected,
                "{label}"
            );
        }
    }

    fn fact(key: &str, value: &str, recorded_on: Option<NaiveDate>) -> FactInput {
        FactInput {
            id: key.into(),
            key: key.into(),
            value: value.into(),
            recorded_on,
        }
    }

    #[test]
    fn beneficiary_review_after_family_change() {
        let today = d(2026, 3, 1);
        let table: Vec<(&str, Vec<FactInput>, Vec<NaiveDate>)> = vec![
            (
                "marriage: due 30 days later",
                vec![fact("Marriage", "Ava married Sam", Some(d(2026, 2, 10)))],
                vec![d(2026, 3, 12)],
            ),
            (
                "key with spaces and case",
                vec![fact("New Child", "", Some(d(2026, 1, 1)))],
                vec![d(2026, 1, 31)],
            ),
            (
                "cleared by a later review",
                vec![
                    fact("divorce", "", Some(d(2026, 1, 5))),
                    fact("beneficiary_review", "done", Some(d(2026, 2, 1))),
                ],
                vec![],
            ),
            (
                "cleared by a review the same day",
                vec![
                    fact("death", "", Some(d(2026, 1, 5))),
                    fact("Beneficiaries Reviewed", "", Some(d(2026, 1, 5))),
                ],
                vec![],
            ),
            (
                "an earlier review does not clear it",
                vec![
                    fact("widowed", "", Some(d(2026, 1, 5))),
                    fact("beneficiary_review", "", Some(d(2025, 12, 1))),
                ],
                vec![d(2026, 2, 4)],
            ),
            (
                "undated change: due today",
                vec![fact("adoption", "", None)],
                vec![today],
            ),
            (
                "undated change cleared by any review",
                vec![
                    fact("adoption", "", None),
                    fact("beneficiary_review", "", None),
                ],
                vec![],
            ),
            (
                "not a family change",
                vec![fact("favorite_color", "blue", Some(d(2026, 1, 1)))],
                vec![],
            ),
        ];
        for (label, facts, expected) in table {
            let got: Vec<_> = beneficiary_review_alerts(&facts, today)
                .into_iter()
                .filter_map(|candidate| {
                    candidate.shown_in(crate::alert::Span {
                        today,
                        last: d(2026, 3, 31),
                    })
                })
                .map(|alert| alert.date)
                .collect();
            assert_eq!(got, expected, "{label}");
        }
    }
}
