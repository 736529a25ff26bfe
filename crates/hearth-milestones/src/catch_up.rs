//! Catch-up contributions: from the year a person turns 50, and the higher workplace-plan
//! limit for the years they turn 60 through 63.
//!
//! Both depend only on the year of birth, so a birth year alone gives exact dates.

use crate::alert::{AlertKind, Candidate, Precision};
use crate::calendar;
use crate::{Birth, Person};

// Workplace plans: a participant who will reach 50 by the end of the year is catch-up
// eligible for the whole year, IRC §414(v)(5)(A). IRAs: IRC §219(b)(5)(B) (age 50 by the
// end of the taxable year).
const CATCH_UP_RULE: &str = "IRC §414(v)(5)(A) (workplace plans); IRC §219(b)(5)(B) (IRAs)";

// SECURE 2.0 Act §109 (Pub. L. 117-328) added IRC §414(v)(2)(E): from 2025, a higher
// catch-up limit for participants who reach 60, 61, 62 or 63 by the end of the year.
// Plans may choose not to offer it (IRS proposed catch-up regulations, January 2025).
const AGE_60_CATCH_UP_RULE: &str =
    "IRC §414(v)(2)(E) as added by SECURE 2.0 §109 (ages 60–63, from 2025)";

/// The first year the ages 60–63 limit exists.
const AGE_60_CATCH_UP_FROM: i32 = 2025;

/// January 1 of the year the person turns 50, and of the first year they can use the
/// ages 60–63 catch-up limit.
pub(crate) fn catch_up_alerts<'a>(person: &'a Person, birth: &Birth) -> Vec<Candidate<'a>> {
    let name = &person.name;
    let born = birth.year();
    let mut found = Vec::new();

    if let Some(year) = born.checked_add(50)
        && let Some(date) = calendar::january_1(year)
    {
        let candidate = Candidate::about(
            AlertKind::CatchUpContributions,
            person,
            date,
            Precision::Day,
            CATCH_UP_RULE,
            move || {
                format!(
                    "{name} turns 50 in {year}: catch-up contributions to 401(k), 403(b), 457(b) plans and IRAs allowed from {}",
                    calendar::long_date(date)
                )
            },
        );
        found.push(candidate.dated());
    }

    if let (Some(turns_60), Some(turns_63)) = (born.checked_add(60), born.checked_add(63)) {
        let first = turns_60.max(AGE_60_CATCH_UP_FROM);
        if first <= turns_63
            && let Some(date) = calendar::january_1(first)
        {
            let candidate = Candidate::about(
                AlertKind::CatchUpContributions,
                person,
                date,
                Precision::Day,
                AGE_60_CATCH_UP_RULE,
                move || {
                    let age = first - born;
                    format!(
                        "{name} turns {age} in {first}: higher catch-up limit for ages 60–63 in workplace plans from {} through {turns_63}, if the plan offers it",
                        calendar::long_date(date)
                    )
                },
            );
            found.push(candidate.dated());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    /// (label, birth, expected alerts as (date, title)).
    type CatchUpRow = (&'static str, Birth, Vec<(NaiveDate, &'static str)>);

    #[test]
    fn catch_up_years() {
        let table: Vec<CatchUpRow> = vec![
            (
                "born 1977: 50 in 2027, 60 in 2037",
                Birth::Date(d(1977, 11, 30)),
                vec![
                    (
                        d(2027, 1, 1),
                        "P turns 50 in 2027: catch-up contributions to 401(k), 403(b), 457(b) plans and IRAs allowed from January 1, 2027",
                    ),
                    (
                        d(2037, 1, 1),
                        "P turns 60 in 2037: higher catch-up limit for ages 60–63 in workplace plans from January 1, 2037 through 2040, if the plan offers it",
                    ),
                ],
            ),
            (
                "year only is exact",
                Birth::Year(1977),
                vec![
                    (
                        d(2027, 1, 1),
                        "P turns 50 in 2027: catch-up contributions to 401(k), 403(b), 457(b) plans and IRAs allowed from January 1, 2027",
                    ),
                    (
                        d(2037, 1, 1),
                        "P turns 60 in 2037: higher catch-up limit for ages 60–63 in workplace plans from January 1, 2037 through 2040, if the plan offers it",
                    ),
                ],
            ),
            (
                "born 1963: 62 when the 60–63 limit starts in 2025",
                Birth::Date(d(1963, 4, 4)),
                vec![
                    (
                        d(2013, 1, 1),
                        "P turns 50 in 2013: catch-up contributions to 401(k), 403(b), 457(b) plans and IRAs allowed from January 1, 2013",
                    ),
                    (
                        d(2025, 1, 1),
                        "P turns 62 in 2025: higher catch-up limit for ages 60–63 in workplace plans from January 1, 2025 through 2026, if the plan offers it",
                    ),
                ],
            ),
            (
                "born 1961: 64 in 2025, never in the 60–63 window",
                Birth::Date(d(1961, 4, 4)),
                vec![(
                    d(2011, 1, 1),
                    "P turns 50 in 2011: catch-up contributions to 401(k), 403(b), 457(b) plans and IRAs allowed from January 1, 2011",
                )],
            ),
        ];
        for (label, birth, expected) in table {
            let person = Person {
                id: "p".into(),
                name: "P".into(),
                role: "Head".into(),
                birth: Some(birth),
            };
            let span = crate::alert::Span {
                today: d(1900, 1, 1),
                last: d(2200, 1, 1),
            };
            let got: Vec<_> = catch_up_alerts(&person, &birth)
                .into_iter()
                .filter_map(|candidate| candidate.shown_in(span))
                .map(|alert| (alert.date, alert.title))
                .collect();
            let expected: Vec<_> = expected
                .iter()
                .map(|(date, title)| (*date, title.to_string()))
                .collect();
            assert_eq!(got, expected, "{label}");
        }
    }
}
