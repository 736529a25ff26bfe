//! Social Security full retirement age.

use chrono::{Datelike, NaiveDate};

use crate::age::attained_on;
use crate::alert::{AlertKind, Candidate, Precision};
use crate::calendar::{self, first_of_month, month_and_year};
use crate::{Birth, Person};

// 42 U.S.C. §416(l) (Social Security Act §216(l)); 20 CFR §404.409; SSA, "Retirement age
// by year of birth". Ages are attained the day before the birthday (20 CFR §404.102), so
// January 1 births use the previous year's row and 1st-of-month births reach it a month early.
const FRA_RULE: &str = "42 U.S.C. §416(l); 20 CFR §404.409; SSA \"Retirement age by year of birth\"; 20 CFR §404.102 (age reached the day before the birthday)";

/// Social Security full retirement age as (years, months), by year of birth:
///
/// | born          | FRA        |
/// |---------------|------------|
/// | 1937 or before| 65         |
/// | 1938 – 1942   | 65 + 2, 4, 6, 8, 10 months |
/// | 1943 – 1954   | 66         |
/// | 1955 – 1959   | 66 + 2, 4, 6, 8, 10 months |
/// | 1960 or later | 67         |
///
/// Someone born on January 1 uses the previous year's row (SSA). A year alone is read as
/// December 31, which uses its own row.
pub fn full_retirement_age(birth: &Birth) -> (u32, u32) {
    let year = match birth {
        Birth::Date(date) if date.month() == 1 && date.day() == 1 => date.year() - 1,
        _ => birth.year(),
    };
    match year {
        ..=1937 => (65, 0),
        1938 => (65, 2),
        1939 => (65, 4),
        1940 => (65, 6),
        1941 => (65, 8),
        1942 => (65, 10),
        1943..=1954 => (66, 0),
        1955 => (66, 2),
        1956 => (66, 4),
        1957 => (66, 6),
        1958 => (66, 8),
        1959 => (66, 10),
        _ => (67, 0),
    }
}

/// The first day of the month in which the person reaches full retirement age: the month
/// of the birthday that completes it, or the month before for someone born on the 1st
/// (the age is attained the day before the birthday). For a birth year alone, the latest
/// possible month. `None` only outside chrono's calendar.
pub fn full_retirement_age_month(birth: &Birth) -> Option<NaiveDate> {
    let (years, months) = full_retirement_age(birth);
    Some(first_of_month(attained_on(
        birth.reference_date()?,
        years * 12 + months,
    )?))
}

/// "66 and 10 months", "67".
fn describe((years, months): (u32, u32)) -> String {
    match months {
        0 => years.to_string(),
        _ => format!("{years} and {months} months"),
    }
}

/// The month the person reaches full retirement age.
pub(crate) fn full_retirement_age_alerts<'a>(
    person: &'a Person,
    birth: &Birth,
) -> Option<Candidate<'a>> {
    let latest = full_retirement_age_month(birth)?;
    let name = &person.name;
    let age = full_retirement_age(birth);
    let candidate = match birth {
        Birth::Date(_) => Candidate::about(
            AlertKind::FullRetirementAge,
            person,
            latest,
            Precision::Month,
            FRA_RULE,
            move || {
                format!(
                    "{name} reaches Social Security full retirement age ({}) in {}",
                    describe(age),
                    month_and_year(latest)
                )
            },
        ),
        Birth::Year(year) => {
            // The earliest month: born January 1 (previous year's age) or January 2.
            let earliest = [1, 2]
                .into_iter()
                .filter_map(|day| calendar::ymd(*year, 1, day))
                .filter_map(|born| full_retirement_age_month(&Birth::Date(born)))
                .min()?;
            let year_start = calendar::january_1(latest.year())?;
            Candidate::about(
                AlertKind::FullRetirementAge,
                person,
                year_start,
                Precision::Year,
                FRA_RULE,
                move || {
                    format!(
                        "{name} reaches Social Security full retirement age ({}) between {} and {} (birth year only)",
                        describe(age),
                        month_and_year(earliest),
                        month_and_year(latest),
                    )
                },
            )
        }
    };
    Some(candidate.dated())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn full_retirement_age_and_month() {
        let table: &[(&str, Birth, (u32, u32), NaiveDate)] = &[
            ("1937", Birth::Date(d(1937, 6, 15)), (65, 0), d(2002, 6, 1)),
            ("1938", Birth::Date(d(1938, 6, 15)), (65, 2), d(2003, 8, 1)),
            ("1942", Birth::Date(d(1942, 6, 15)), (65, 10), d(2008, 4, 1)),
            ("1943", Birth::Date(d(1943, 6, 15)), (66, 0), d(2009, 6, 1)),
            ("1954", Birth::Date(d(1954, 6, 15)), (66, 0), d(2020, 6, 1)),
            ("1955", Birth::Date(d(1955, 6, 15)), (66, 2), d(2021, 8, 1)),
            ("1957", Birth::Date(d(1957, 6, 15)), (66, 6), d(2023, 12, 1)),
            ("1959", Birth::Date(d(1959, 6, 15)), (66, 10), d(2026, 4, 1)),
            ("1960", Birth::Date(d(1960, 6, 15)), (67, 0), d(2027, 6, 1)),
            (
                "born 1 Jan 1960: 1959's 66 and 10 months",
                Birth::Date(d(1960, 1, 1)),
                (66, 10),
                d(2026, 10, 1),
            ),
            (
                "born 1 Jan 1955: 1954's 66",
                Birth::Date(d(1955, 1, 1)),
                (66, 0),
                d(2020, 12, 1),
            ),
            (
                "born 2 Jan 1960: 67",
                Birth::Date(d(1960, 1, 2)),
                (67, 0),
                d(2027, 1, 1),
            ),
            (
                "born on the 1st: previous month",
                Birth::Date(d(1961, 6, 1)),
                (67, 0),
                d(2028, 5, 1),
            ),
            (
                "born on the 2nd: birthday month",
                Birth::Date(d(1961, 6, 2)),
                (67, 0),
                d(2028, 6, 1),
            ),
            (
                "born Dec 31 1955: clamps to February",
                Birth::Date(d(1955, 12, 31)),
                (66, 2),
                d(2022, 2, 1),
            ),
            (
                "year only 1959: latest month",
                Birth::Year(1959),
                (66, 10),
                d(2026, 10, 1),
            ),
        ];
        for (label, birth, age, month) in table {
            assert_eq!(full_retirement_age(birth), *age, "{label}: age");
            assert_eq!(
                full_retirement_age_month(birth),
                Some(*month),
                "{label}: month"
            );
        }
    }
}
