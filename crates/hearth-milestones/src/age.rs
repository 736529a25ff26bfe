//! Ages, birthdays and age 59½.

use chrono::{Datelike, NaiveDate};

use crate::alert::{AlertKind, Candidate, Precision};
use crate::calendar::{self, add_months, long_date};
use crate::{Birth, Person};

/// Citation for birthday alerts.
const BIRTHDAY_RULE: &str =
    "Date of birth on file (February 29 birthdays fall on February 28 in common years)";

/// IRC §72(t)(2)(A)(i): the 10% additional tax on early distributions does not apply to
/// distributions made on or after the date the employee attains age 59½.
const FIFTY_NINE_AND_A_HALF_RULE: &str = "IRC §72(t)(2)(A)(i)";

/// 59 years and 6 months, in months.
const FIFTY_NINE_AND_A_HALF_MONTHS: u32 = 59 * 12 + 6;

/// The person's age in whole years on `on`, counting a birthday on the day itself; a
/// February 29 birthday counts on February 28 in common years. `None` before birth.
///
/// For a birth year alone the person is taken as born on December 31 of that year, so the
/// result is the age they have certainly reached: `on.year() - year - 1`, or
/// `on.year() - year` on December 31. `None` before December 31 of the birth year.
pub fn age_on(birth: &Birth, on: NaiveDate) -> Option<u32> {
    let born = birth.reference_date()?;
    if on < born {
        return None;
    }
    let years = u32::try_from(on.year() - born.year()).ok()?;
    let anniversary = add_months(born, years.checked_mul(12)?)?;
    Some(if on < anniversary { years - 1 } else { years })
}

/// The day an age of `months` months is attained under the rule that an age is attained
/// on the day before the anniversary of birth (20 CFR §404.102; for Medicare,
/// 42 CFR §407.10(a)(2)(i)). Someone born on the 1st therefore attains it in the previous
/// month. An anniversary that falls on a day the month lacks (February 29 in a common
/// year) is taken as the 1st of the next month, so that age is attained on the month's last
/// day (February 28), as SSA does for leap-day births.
pub(crate) fn attained_on(born: NaiveDate, months: u32) -> Option<NaiveDate> {
    let anniversary = add_months(born, months)?;
    if anniversary.day() == born.day() {
        anniversary.pred_opt()
    } else {
        Some(anniversary)
    }
}

/// The next birthday on or after `today`, with the age turned then (at least 1). A
/// February 29 birthday falls on February 28 in common years. `None` for a birth year
/// alone, or a birth in a later year than `today`.
pub fn next_birthday(birth: &Birth, today: NaiveDate) -> Option<(NaiveDate, u32)> {
    let Birth::Date(born) = birth else {
        return None;
    };
    let mut age = u32::try_from(today.year() - born.year()).ok()?.max(1);
    let mut date = add_months(*born, age.checked_mul(12)?)?;
    if date < today {
        age += 1;
        date = add_months(*born, age.checked_mul(12)?)?;
    }
    Some((date, age))
}

/// The day the person reaches 59½: the birth date plus 59 years and 6 months, clamped to
/// the end of the month (born August 31 → February 28 or 29; born February 29 → August 29).
/// For a birth year alone, the latest such day: June 30 of the year after they turn 59.
// IRC §72(t)(2)(A)(i).
pub fn fifty_nine_and_a_half_date(birth: &Birth) -> Option<NaiveDate> {
    add_months(birth.reference_date()?, FIFTY_NINE_AND_A_HALF_MONTHS)
}

/// The person's next birthday, if it is a full date.
pub(crate) fn birthday_alerts<'a>(
    person: &'a Person,
    birth: &Birth,
    today: NaiveDate,
) -> Option<Candidate<'a>> {
    let (date, age) = next_birthday(birth, today)?;
    let candidate = Candidate::about(
        AlertKind::Birthday,
        person,
        date,
        Precision::Day,
        BIRTHDAY_RULE,
        move || format!("{} turns {age} on {}", person.name, long_date(date)),
    );
    Some(candidate.dated())
}

/// The day the person reaches 59½.
pub(crate) fn fifty_nine_and_a_half_alerts<'a>(
    person: &'a Person,
    birth: &Birth,
) -> Option<Candidate<'a>> {
    let latest = fifty_nine_and_a_half_date(birth)?;
    const EFFECT: &str =
        "IRA and retirement-plan withdrawals no longer owe the 10% early-withdrawal tax";
    let candidate = match birth {
        Birth::Date(_) => Candidate::about(
            AlertKind::AgeFiftyNineAndHalf,
            person,
            latest,
            Precision::Day,
            FIFTY_NINE_AND_A_HALF_RULE,
            move || {
                format!(
                    "{} reaches 59½ on {}: {EFFECT}",
                    person.name,
                    long_date(latest)
                )
            },
        ),
        Birth::Year(year) => {
            let earliest = calendar::january_1(*year)
                .and_then(|born| add_months(born, FIFTY_NINE_AND_A_HALF_MONTHS))?;
            let year_start = calendar::january_1(latest.year())?;
            Candidate::about(
                AlertKind::AgeFiftyNineAndHalf,
                person,
                year_start,
                Precision::Year,
                FIFTY_NINE_AND_A_HALF_RULE,
                move || {
                    format!(
                        "{} reaches 59½ between {} and {} (birth year only): {EFFECT}",
                        person.name,
                        long_date(earliest),
                        long_date(latest),
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
    fn age_on_counts_whole_years() {
        let table: &[(&str, Birth, NaiveDate, Option<u32>)] = &[
            (
                "day before birthday",
                Birth::Date(d(1960, 5, 10)),
                d(2025, 5, 9),
                Some(64),
            ),
            (
                "on birthday",
                Birth::Date(d(1960, 5, 10)),
                d(2025, 5, 10),
                Some(65),
            ),
            (
                "day of birth",
                Birth::Date(d(2020, 5, 10)),
                d(2020, 5, 10),
                Some(0),
            ),
            (
                "before birth",
                Birth::Date(d(2020, 5, 10)),
                d(2020, 5, 9),
                None,
            ),
            (
                "Feb 29, common year Feb 27",
                Birth::Date(d(1960, 2, 29)),
                d(2025, 2, 27),
                Some(64),
            ),
            (
                "Feb 29, common year Feb 28",
                Birth::Date(d(1960, 2, 29)),
                d(2025, 2, 28),
                Some(65),
            ),
            (
                "Feb 29, leap year Feb 28",
                Birth::Date(d(1960, 2, 29)),
                d(2024, 2, 28),
                Some(63),
            ),
            (
                "Feb 29, leap year Feb 29",
                Birth::Date(d(1960, 2, 29)),
                d(2024, 2, 29),
                Some(64),
            ),
            (
                "year only, mid-year",
                Birth::Year(1960),
                d(2025, 6, 1),
                Some(64),
            ),
            (
                "year only, Dec 30",
                Birth::Year(1960),
                d(2025, 12, 30),
                Some(64),
            ),
            (
                "year only, Dec 31",
                Birth::Year(1960),
                d(2025, 12, 31),
                Some(65),
            ),
            (
                "year only, birth year",
                Birth::Year(1960),
                d(1960, 6, 1),
                None,
            ),
        ];
        for (label, birth, on, expected) in table {
            assert_eq!(age_on(birth, *on), *expected, "{label}");
        }
    }

    /// (label, birth, today, next birthday and age).
    type BirthdayRow = (&'static str, Birth, NaiveDate, Option<(NaiveDate, u32)>);

    #[test]
    fn next_birthday_on_or_after_today() {
        let table: &[BirthdayRow] = &[
            (
                "later this year",
                Birth::Date(d(1960, 5, 10)),
                d(2026, 1, 15),
                Some((d(2026, 5, 10), 66)),
            ),
            (
                "today",
                Birth::Date(d(1960, 5, 10)),
                d(2026, 5, 10),
                Some((d(2026, 5, 10), 66)),
            ),
            (
                "passed this year",
                Birth::Date(d(1960, 5, 10)),
                d(2026, 5, 11),
                Some((d(2027, 5, 10), 67)),
            ),
            (
                "Feb 29 in a common year",
                Birth::Date(d(1960, 2, 29)),
                d(2027, 1, 1),
                Some((d(2027, 2, 28), 67)),
            ),
            (
                "Feb 29 in a leap year",
                Birth::Date(d(1960, 2, 29)),
                d(2028, 1, 1),
                Some((d(2028, 2, 29), 68)),
            ),
            (
                "born this year turns 1 next year",
                Birth::Date(d(2026, 1, 3)),
                d(2026, 1, 15),
                Some((d(2027, 1, 3), 1)),
            ),
            ("year only", Birth::Year(1960), d(2026, 1, 15), None),
        ];
        for (label, birth, today, expected) in table {
            assert_eq!(next_birthday(birth, *today), *expected, "{label}");
        }
    }

    #[test]
    fn fifty_nine_and_a_half_clamps_to_month_end() {
        let table: &[(&str, Birth, NaiveDate)] = &[
            ("ordinary", Birth::Date(d(1967, 3, 15)), d(2026, 9, 15)),
            (
                "Aug 31 into a common February",
                Birth::Date(d(1966, 8, 31)),
                d(2026, 2, 28),
            ),
            (
                "Aug 31 into a leap February",
                Birth::Date(d(1968, 8, 31)),
                d(2028, 2, 29),
            ),
            ("Feb 29", Birth::Date(d(1968, 2, 29)), d(2027, 8, 29)),
            (
                "year only: latest, born Dec 31",
                Birth::Year(1967),
                d(2027, 6, 30),
            ),
        ];
        for (label, birth, expected) in table {
            assert_eq!(
                fifty_nine_and_a_half_date(birth),
                Some(*expected),
                "{label}"
            );
        }
    }

    #[test]
    fn ages_are_attained_the_day_before_the_anniversary() {
        let table: &[(&str, NaiveDate, u32, NaiveDate)] = &[
            ("born on the 2nd", d(1961, 3, 2), 65 * 12, d(2026, 3, 1)),
            (
                "born on the 1st: previous month",
                d(1961, 3, 1),
                65 * 12,
                d(2026, 2, 28),
            ),
            (
                "born Jan 1: previous year",
                d(1961, 1, 1),
                65 * 12,
                d(2025, 12, 31),
            ),
            (
                "born Feb 29, common year",
                d(1960, 2, 29),
                65 * 12,
                d(2025, 2, 28),
            ),
            (
                "born Feb 29, leap-year anniversary",
                d(1960, 2, 29),
                64 * 12,
                d(2024, 2, 28),
            ),
            (
                "born Dec 31, plus 66 and 2 months",
                d(1955, 12, 31),
                66 * 12 + 2,
                d(2022, 2, 28),
            ),
        ];
        for (label, born, months, expected) in table {
            assert_eq!(attained_on(*born, *months), Some(*expected), "{label}");
        }
    }
}
