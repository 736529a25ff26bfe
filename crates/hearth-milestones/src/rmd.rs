//! Required minimum distributions from an owner's own tax-deferred retirement accounts.
//!
//! The required beginning date (RBD) used here is the IRA one: April 1 of the year after
//! the owner reaches the RMD age. An employer plan may let a participant who still works
//! there (and owns no more than 5% of the employer) wait until April 1 after retiring,
//! IRC §401(a)(9)(C)(i)(II); that exception is not modelled.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::account::{AccountClass, classify_account};
use crate::alert::{AlertKind, Candidate, Precision, Span};
use crate::calendar::{self, add_months, long_date};
use crate::{Birth, HouseholdInput, Person};

/// The age at which an owner's RMDs start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RmdAge {
    /// 70½: born before July 1, 1949.
    SeventyAndAHalf,
    /// A whole age: 72, 73 or 75.
    Years(u32),
}

// IRC §401(a)(9)(C) before the SECURE Act (Pub. L. 116-94): 70½. SECURE Act §114(d)
// applies the new age only to those who attain 70½ after December 31, 2019, so everyone
// born before July 1, 1949 keeps 70½.
const RULE_70_AND_A_HALF: &str = "IRC §401(a)(9)(C) before the SECURE Act (age 70½), kept by SECURE Act §114(d) for births before July 1, 1949";
// SECURE Act §114(a) (Pub. L. 116-94) replaced 70½ with 72.
const RULE_72: &str = "IRC §401(a)(9)(C) as amended by SECURE Act §114 (age 72)";
// IRC §401(a)(9)(C)(v), added by SECURE 2.0 Act §107 (Pub. L. 117-328): 73 for those born
// 1951–1959, 75 for those born 1960 or later.
const RULE_73: &str = "IRC §401(a)(9)(C)(v) as amended by SECURE 2.0 §107 (age 73)";
// §401(a)(9)(C)(v) as enacted gives someone born in 1959 both 73 and 75; the IRS proposed
// regulations REG-103529-23 (89 FR 58644, July 19, 2024) read it as 73.
const RULE_73_BORN_1959: &str = "IRC §401(a)(9)(C)(v) as amended by SECURE 2.0 §107 (age 73; born 1959: 73 per IRS proposed regs REG-103529-23, 2024)";
const RULE_75: &str = "IRC §401(a)(9)(C)(v) as amended by SECURE 2.0 §107 (age 75)";
// After the first distribution year, each year's RMD is due by December 31 of that year;
// the first one may wait until the RBD. IRC §401(a)(9)(C); Treas. Reg. §1.401(a)(9)-5(a)
// (final regs T.D. 10001, 2024); IRAs by IRC §408(a)(6).
const RULE_ANNUAL: &str =
    "IRC §401(a)(9); Treas. Reg. §1.401(a)(9)-5(a): each later year's RMD by December 31";

/// 70 years and 6 months, in months.
const SEVENTY_AND_A_HALF_MONTHS: u32 = 70 * 12 + 6;

/// The age at which the owner's RMDs start, by date of birth:
///
/// | born                         | age | source |
/// |------------------------------|-----|--------|
/// | before July 1, 1949          | 70½ | pre-2020 §401(a)(9)(C); SECURE Act §114(d) |
/// | July 1, 1949 – Dec 31, 1950  | 72  | SECURE Act §114 |
/// | 1951 – 1959                  | 73  | SECURE 2.0 §107 (1959: IRS proposed regs, 2024) |
/// | 1960 or later                | 75  | SECURE 2.0 §107 |
///
/// A birth year alone is read as December 31, so 1949 alone gives 72 although someone born
/// in the first half of 1949 has 70½; [`alerts`](crate::alerts) says so in the title.
pub fn rmd_start_age(birth: &Birth) -> RmdAge {
    let born = match birth {
        Birth::Date(date) => (date.year(), date.month(), date.day()),
        Birth::Year(year) => (*year, 12, 31),
    };
    if born < (1949, 7, 1) {
        RmdAge::SeventyAndAHalf
    } else if born.0 <= 1950 {
        RmdAge::Years(72)
    } else if born.0 <= 1959 {
        RmdAge::Years(73)
    } else {
        RmdAge::Years(75)
    }
}

/// The owner's required beginning date: April 1 of the year after the year they reach the
/// RMD age (for 70½, the day six calendar months after the 70th birthday). For a birth
/// year alone this is exact from 1950 on; for earlier years it is the latest possible RBD.
/// `None` only outside chrono's calendar.
// IRC §401(a)(9)(C)(i); IRAs: IRC §408(a)(6).
pub fn rmd_required_beginning_date(birth: &Birth) -> Option<NaiveDate> {
    calendar::ymd(first_distribution_year(birth)?.checked_add(1)?, 4, 1)
}

/// The year the owner reaches the RMD age: the first distribution year.
fn first_distribution_year(birth: &Birth) -> Option<i32> {
    match rmd_start_age(birth) {
        RmdAge::Years(age) => birth.year().checked_add(i32::try_from(age).ok()?),
        RmdAge::SeventyAndAHalf => {
            Some(add_months(birth.reference_date()?, SEVENTY_AND_A_HALF_MONTHS)?.year())
        }
    }
}

/// The citation for an owner's first RMD.
fn first_rmd_rule(birth: &Birth) -> &'static str {
    match rmd_start_age(birth) {
        RmdAge::SeventyAndAHalf => RULE_70_AND_A_HALF,
        RmdAge::Years(72) => RULE_72,
        RmdAge::Years(73) if birth.year() == 1959 => RULE_73_BORN_1959,
        RmdAge::Years(73) => RULE_73,
        RmdAge::Years(_) => RULE_75,
    }
}

/// True for the roles an account without an owner is assumed to belong to.
fn may_own_unassigned_accounts(role: &str) -> bool {
    ["head", "spouse", "partner"].contains(&role.trim().to_lowercase().as_str())
}

/// RMD alerts for every person who owns an open [`AccountClass::RmdRetirement`] account.
/// An account without an owner counts for every Head, Spouse and Partner, and their alerts
/// say "(owner not set)" unless they also own such an account outright.
pub(crate) fn rmd_alerts(household: &HouseholdInput, span: Span) -> Vec<Candidate<'_>> {
    let retirement: Vec<_> = household
        .accounts
        .iter()
        .filter(|account| !account.closed)
        .filter(|account| classify_account(&account.kind) == AccountClass::RmdRetirement)
        .collect();
    let mut found = Vec::new();
    for person in &household.people {
        let Some(birth) = &person.birth else {
            continue;
        };
        let mut owns = false;
        let mut assumed = false;
        for account in &retirement {
            match account
                .owner
                .as_deref()
                .map(str::trim)
                .filter(|id| !id.is_empty())
            {
                Some(owner) => owns |= owner == person.id,
                None => assumed |= may_own_unassigned_accounts(&person.role),
            }
        }
        if owns || assumed {
            let note = if owns { "" } else { " (owner not set)" };
            found.extend(person_rmd_alerts(person, birth, note, span));
        }
    }
    found
}

/// How an exactly known first RMD year is reached, for its title.
#[derive(Debug, Clone, Copy)]
enum Reaches {
    /// 70½ on a known day.
    HalfOn(NaiveDate),
    /// 70½ some time in the year (birth year alone).
    HalfIn(i32),
    /// A whole age in the year.
    Turns(u32, i32),
}

impl fmt::Display for Reaches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reaches::HalfOn(date) => write!(f, "reaches 70½ on {}", long_date(*date)),
            Reaches::HalfIn(year) => write!(f, "reaches 70½ in {year}"),
            Reaches::Turns(age, year) => write!(f, "turns {age} in {year}"),
        }
    }
}

/// The first RMD and every later year's RMD that `span` can show, for one owner.
fn person_rmd_alerts<'a>(
    person: &'a Person,
    birth: &Birth,
    note: &'static str,
    span: Span,
) -> Vec<Candidate<'a>> {
    let name = &person.name;
    let Some(first_year) = first_distribution_year(birth) else {
        return Vec::new();
    };
    // A year alone is read as December 31; January 1 gives the earliest first year.
    let earliest_first_year = match birth {
        Birth::Date(_) => Some(first_year),
        Birth::Year(year) => {
            calendar::january_1(*year).and_then(|born| first_distribution_year(&Birth::Date(born)))
        }
    };
    let (Some(earliest_first_year), Some(rbd), Some(concerns_from)) = (
        earliest_first_year,
        rmd_required_beginning_date(birth),
        calendar::january_1(first_year),
    ) else {
        return Vec::new();
    };
    let exact = earliest_first_year == first_year;

    let mut found = Vec::new();
    let first = if exact {
        let reaches = match (rmd_start_age(birth), birth) {
            (RmdAge::SeventyAndAHalf, Birth::Date(born)) => {
                match add_months(*born, SEVENTY_AND_A_HALF_MONTHS) {
                    Some(date) => Reaches::HalfOn(date),
                    None => return Vec::new(),
                }
            }
            (RmdAge::SeventyAndAHalf, Birth::Year(_)) => Reaches::HalfIn(first_year),
            (RmdAge::Years(age), _) => Reaches::Turns(age, first_year),
        };
        Candidate::about(
            AlertKind::RmdFirst,
            person,
            rbd,
            Precision::Day,
            first_rmd_rule(birth),
            move || {
                format!(
                    "{name} {reaches}: first RMD due by {}{note}",
                    long_date(rbd)
                )
            },
        )
        .running(concerns_from, rbd)
    } else {
        let (Some(earliest_rbd), Some(year_start), Some(earliest_from)) = (
            calendar::ymd(earliest_first_year + 1, 4, 1),
            calendar::january_1(rbd.year()),
            calendar::january_1(earliest_first_year),
        ) else {
            return Vec::new();
        };
        Candidate::about(
            AlertKind::RmdFirst,
            person,
            year_start,
            Precision::Year,
            first_rmd_rule(birth),
            move || {
                format!(
                    "{name}: first RMD due by {} or {}, depending on the birth date (birth year only){note}",
                    long_date(earliest_rbd),
                    long_date(rbd),
                )
            },
        )
        .running(earliest_from, rbd)
    };
    found.push(first);

    let from_year = (first_year + 1).max(span.today.year());
    for year in from_year..=span.last.year() {
        let (Some(starts), Some(due)) = (calendar::january_1(year), calendar::december_31(year))
        else {
            continue;
        };
        // In the year after the first distribution year, the first RMD is due too.
        let first_also_due = exact && year == first_year + 1;
        let candidate = Candidate::about(
            AlertKind::RmdAnnual,
            person,
            due,
            Precision::Day,
            RULE_ANNUAL,
            move || {
                let also_first = if first_also_due {
                    format!(
                        "; the first RMD (for {first_year}) is also due this year, by {}",
                        long_date(rbd)
                    )
                } else {
                    String::new()
                };
                format!(
                    "{name}: {year} RMD due by {}{also_first}{note}",
                    long_date(due)
                )
            },
        );
        found.push(candidate.running(starts, due));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountInput, alerts};

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn start_age_and_required_beginning_date() {
        use RmdAge::*;
        let table: &[(&str, Birth, RmdAge, NaiveDate)] = &[
            (
                "born 30 June 1949: 70½ on 30 Dec 2019",
                Birth::Date(d(1949, 6, 30)),
                SeventyAndAHalf,
                d(2020, 4, 1),
            ),
            (
                "born 1 Jan 1949: 70½ on 1 July 2019",
                Birth::Date(d(1949, 1, 1)),
                SeventyAndAHalf,
                d(2020, 4, 1),
            ),
            (
                "born 31 Dec 1948: 70½ on 30 June 2019",
                Birth::Date(d(1948, 12, 31)),
                SeventyAndAHalf,
                d(2020, 4, 1),
            ),
            (
                "born 30 June 1948: 70½ on 30 Dec 2018",
                Birth::Date(d(1948, 6, 30)),
                SeventyAndAHalf,
                d(2019, 4, 1),
            ),
            (
                "born 1 July 1949: 72",
                Birth::Date(d(1949, 7, 1)),
                Years(72),
                d(2022, 4, 1),
            ),
            (
                "born 31 Dec 1950: 72 on 31 Dec 2022",
                Birth::Date(d(1950, 12, 31)),
                Years(72),
                d(2023, 4, 1),
            ),
            (
                "born 1 Jan 1951: 73",
                Birth::Date(d(1951, 1, 1)),
                Years(73),
                d(2025, 4, 1),
            ),
            (
                "born 1959: 73",
                Birth::Date(d(1959, 8, 20)),
                Years(73),
                d(2033, 4, 1),
            ),
            (
                "born 31 Dec 1959: 73",
                Birth::Date(d(1959, 12, 31)),
                Years(73),
                d(2033, 4, 1),
            ),
            (
                "born 1 Jan 1960: 75",
                Birth::Date(d(1960, 1, 1)),
                Years(75),
                d(2036, 4, 1),
            ),
            (
                "year only 1955: exact",
                Birth::Year(1955),
                Years(73),
                d(2029, 4, 1),
            ),
            (
                "year only 1949: read as Dec 31, 72",
                Birth::Year(1949),
                Years(72),
                d(2022, 4, 1),
            ),
            (
                "year only 1948: latest 70½",
                Birth::Year(1948),
                SeventyAndAHalf,
                d(2020, 4, 1),
            ),
        ];
        for (label, birth, age, rbd) in table {
            assert_eq!(rmd_start_age(birth), *age, "{label}: age");
            assert_eq!(
                rmd_required_beginning_date(birth),
                Some(*rbd),
                "{label}: RBD"
            );
        }
    }

    fn person(id: &str, role: &str, birth: Birth) -> Person {
        Person {
            id: id.into(),
            name: format!("P{id}"),
            role: role.into(),
            birth: Some(birth),
        }
    }

    fn account(kind: &str, owner: Option<&str>, closed: bool) -> AccountInput {
        AccountInput {
            id: kind.into(),
            kind: kind.into(),
            owner: owner.map(Into::into),
            closed,
        }
    }

    /// (label, people, accounts, today, horizon, expected (kind, person, date, title)).
    type Row = (
        &'static str,
        Vec<Person>,
        Vec<AccountInput>,
        NaiveDate,
        i64,
        Vec<(AlertKind, &'static str, NaiveDate, &'static str)>,
    );

    #[test]
    fn rmd_alerts_by_account_and_year() {
        let head_1951 = || person("1", "Head", Birth::Date(d(1951, 5, 10)));
        let rows: Vec<Row> = vec![
            (
                "first RMD: shown from the January of the year 73 is reached",
                vec![head_1951()],
                vec![account("Rollover IRA", Some("1"), false)],
                d(2024, 1, 1),
                30,
                vec![(
                    AlertKind::RmdFirst,
                    "1",
                    d(2025, 4, 1),
                    "P1 turns 73 in 2024: first RMD due by April 1, 2025",
                )],
            ),
            (
                "second year has both deadlines",
                vec![head_1951()],
                vec![account("401(k)", Some("1"), false)],
                d(2025, 1, 10),
                30,
                vec![
                    (
                        AlertKind::RmdFirst,
                        "1",
                        d(2025, 4, 1),
                        "P1 turns 73 in 2024: first RMD due by April 1, 2025",
                    ),
                    (
                        AlertKind::RmdAnnual,
                        "1",
                        d(2025, 12, 31),
                        "P1: 2025 RMD due by December 31, 2025; the first RMD (for 2024) is also due this year, by April 1, 2025",
                    ),
                ],
            ),
            (
                "third year: December 31 only",
                vec![head_1951()],
                vec![account("IRA", Some("1"), false)],
                d(2026, 6, 1),
                30,
                vec![(
                    AlertKind::RmdAnnual,
                    "1",
                    d(2026, 12, 31),
                    "P1: 2026 RMD due by December 31, 2026",
                )],
            ),
            (
                "Roth IRA: no RMD",
                vec![head_1951()],
                vec![account("Roth IRA", Some("1"), false)],
                d(2025, 1, 10),
                30,
                vec![],
            ),
            (
                "Roth 401(k): no RMD",
                vec![head_1951()],
                vec![account("Roth 401(k)", Some("1"), false)],
                d(2025, 1, 10),
                30,
                vec![],
            ),
            (
                "closed account: no RMD",
                vec![head_1951()],
                vec![account("Rollover IRA", Some("1"), true)],
                d(2025, 1, 10),
                30,
                vec![],
            ),
            (
                "someone else's account: no RMD",
                vec![
                    head_1951(),
                    person("2", "Spouse", Birth::Date(d(1951, 1, 1))),
                ],
                vec![account("IRA", Some("2"), false)],
                d(2024, 6, 1),
                0,
                vec![(
                    AlertKind::RmdFirst,
                    "2",
                    d(2025, 4, 1),
                    "P2 turns 73 in 2024: first RMD due by April 1, 2025",
                )],
            ),
            (
                "no owner: Head and Spouse, not Child",
                vec![
                    head_1951(),
                    person("2", "spouse", Birth::Date(d(1952, 3, 3))),
                    person("3", "Child", Birth::Date(d(1951, 7, 7))),
                ],
                vec![account("SEP IRA", None, false)],
                d(2024, 6, 1),
                0,
                vec![(
                    AlertKind::RmdFirst,
                    "1",
                    d(2025, 4, 1),
                    "P1 turns 73 in 2024: first RMD due by April 1, 2025 (owner not set)",
                )],
            ),
            (
                "owner set to empty text counts as not set",
                vec![head_1951()],
                vec![account("IRA", Some(" "), false)],
                d(2024, 6, 1),
                0,
                vec![(
                    AlertKind::RmdFirst,
                    "1",
                    d(2025, 4, 1),
                    "P1 turns 73 in 2024: first RMD due by April 1, 2025 (owner not set)",
                )],
            ),
            (
                "born 30 June 1949: 70½, annual in 2021",
                vec![person("1", "Head", Birth::Date(d(1949, 6, 30)))],
                vec![account("IRA", Some("1"), false)],
                d(2019, 12, 1),
                400,
                vec![
                    (
                        AlertKind::RmdFirst,
                        "1",
                        d(2020, 4, 1),
                        "P1 reaches 70½ on December 30, 2019: first RMD due by April 1, 2020",
                    ),
                    (
                        AlertKind::RmdAnnual,
                        "1",
                        d(2020, 12, 31),
                        "P1: 2020 RMD due by December 31, 2020; the first RMD (for 2019) is also due this year, by April 1, 2020",
                    ),
                ],
            ),
            (
                "year only 1949: both possible dates in the title",
                vec![person("1", "Head", Birth::Year(1949))],
                vec![account("IRA", Some("1"), false)],
                d(2021, 6, 1),
                0,
                vec![(
                    AlertKind::RmdFirst,
                    "1",
                    d(2022, 1, 1),
                    "P1: first RMD due by April 1, 2020 or April 1, 2022, depending on the birth date (birth year only)",
                )],
            ),
            (
                "no birth: nothing",
                vec![Person {
                    birth: None,
                    ..head_1951()
                }],
                vec![account("IRA", Some("1"), false)],
                d(2025, 1, 10),
                30,
                vec![],
            ),
        ];
        for (label, people, accounts, today, horizon, expected) in rows {
            let household = HouseholdInput {
                people,
                accounts,
                ..HouseholdInput::default()
            };
            let got: Vec<_> = alerts(&household, today, horizon)
                .into_iter()
                .filter(|a| matches!(a.kind, AlertKind::RmdFirst | AlertKind::RmdAnnual))
                .map(|a| (a.kind, a.person_id.unwrap(), a.date, a.title))
                .collect();
            let expected: Vec<_> = expected
                .into_iter()
                .map(|(kind, id, date, title)| (kind, id.to_string(), date, title.to_string()))
                .collect();
            assert_eq!(got, expected, "{label}");
        }
    }
}
