//! The Medicare initial enrollment period around age 65.

use chrono::{Datelike, NaiveDate};

use crate::age::attained_on;
use crate::alert::{AlertKind, Candidate, Precision};
use crate::calendar::{
    add_months, first_of_month, last_of_month, long_date, month_and_year, sub_months,
};
use crate::{Birth, Person};

// The initial enrollment period is the 7 months that begin 3 months before the month the
// person first meets the requirements (turns 65): 42 CFR §406.21 (premium Part A),
// §407.14 (Part B); SSA, "When to sign up for Medicare". Age 65 is attained the day before
// the 65th birthday: 42 CFR §407.10(a)(2)(i); 20 CFR §404.102.
const MEDICARE_RULE: &str = "42 CFR §406.21, §407.14 (initial enrollment period); 42 CFR §407.10(a)(2)(i) (65 is reached the day before the birthday)";

/// 65 years, in months.
const SIXTY_FIVE: u32 = 65 * 12;

/// The Medicare initial enrollment period: from the first day of the third month before the
/// month the person turns 65 to the last day of the third month after it. An age is
/// attained the day before the birthday, so someone born on the 1st turns 65 in the
/// previous month and their window starts a month earlier. For a birth year alone, the
/// latest possible window (born December 31). `None` only outside chrono's calendar.
pub fn medicare_initial_enrollment_period(birth: &Birth) -> Option<(NaiveDate, NaiveDate)> {
    let turns_65_month = first_of_month(attained_on(birth.reference_date()?, SIXTY_FIVE)?);
    let starts = sub_months(turns_65_month, 3)?;
    let ends = last_of_month(add_months(turns_65_month, 3)?)?;
    Some((starts, ends))
}

/// The person's Medicare initial enrollment period, shown from three months before it
/// opens (with a long enough horizon) until it closes.
pub(crate) fn medicare_alerts<'a>(person: &'a Person, birth: &Birth) -> Option<Candidate<'a>> {
    let name = &person.name;
    let candidate = match birth {
        Birth::Date(born) => {
            let (starts, ends) = medicare_initial_enrollment_period(birth)?;
            let turns_65 = attained_on(*born, SIXTY_FIVE)?;
            let first_of_month_note = if born.day() == 1 {
                " (born on the 1st, so 65 is reached the day before, a month early)"
            } else {
                ""
            };
            Candidate::about(
                AlertKind::MedicareEnrollment,
                person,
                starts,
                Precision::Day,
                MEDICARE_RULE,
                move || {
                    format!(
                        "{name} turns 65 in {}{first_of_month_note}: Medicare initial enrollment period runs {} through {}",
                        month_and_year(turns_65),
                        long_date(starts),
                        long_date(ends),
                    )
                },
            )
            .ending(ends)
            .running(starts, ends)
        }
        Birth::Year(year) => {
            let year_65 = year.checked_add(65)?;
            let date = crate::calendar::january_1(year_65)?;
            Candidate::about(
                AlertKind::MedicareEnrollment,
                person,
                date,
                Precision::Year,
                MEDICARE_RULE,
                move || {
                    format!(
                        "{name} turns 65 in {year_65}: the 7-month Medicare initial enrollment period around the birthday month depends on the birth month (birth year only)"
                    )
                },
            )
            .dated()
        }
    };
    Some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn initial_enrollment_period() {
        let table: &[(&str, Birth, NaiveDate, NaiveDate)] = &[
            (
                "born on the 2nd: birthday month",
                Birth::Date(d(1961, 6, 2)),
                d(2026, 3, 1),
                d(2026, 9, 30),
            ),
            (
                "born on the 15th",
                Birth::Date(d(1961, 6, 15)),
                d(2026, 3, 1),
                d(2026, 9, 30),
            ),
            (
                "born on the 1st: a month earlier",
                Birth::Date(d(1961, 6, 1)),
                d(2026, 2, 1),
                d(2026, 8, 31),
            ),
            (
                "born Jan 1: turns 65 in December",
                Birth::Date(d(1961, 1, 1)),
                d(2025, 9, 1),
                d(2026, 3, 31),
            ),
            (
                "born Feb 29: February",
                Birth::Date(d(1960, 2, 29)),
                d(2024, 11, 1),
                d(2025, 5, 31),
            ),
            (
                "born Dec 31: crosses the year",
                Birth::Date(d(1960, 12, 31)),
                d(2025, 9, 1),
                d(2026, 3, 31),
            ),
            (
                "year only: latest window",
                Birth::Year(1961),
                d(2026, 9, 1),
                d(2027, 3, 31),
            ),
        ];
        for (label, birth, starts, ends) in table {
            assert_eq!(
                medicare_initial_enrollment_period(birth),
                Some((*starts, *ends)),
                "{label}"
            );
        }
    }
}
