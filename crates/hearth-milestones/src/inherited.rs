//! The 10-year rule for inherited IRAs and plan accounts.
//!
//! A designated beneficiary who is not an eligible designated beneficiary (surviving
//! spouse, minor child, disabled or chronically ill, or not more than 10 years younger)
//! must empty the account by December 31 of the tenth year after the year of the owner's
//! death. When the owner died on or after their required beginning date, the final
//! regulations also require annual RMDs in years 1–9; that is not modelled here.

use chrono::{Datelike, NaiveDate};

use crate::account::{AccountClass, classify_account};
use crate::alert::{AlertKind, Candidate, Precision};
use crate::calendar::{self, long_date};
use crate::{AccountInput, FactInput, HouseholdInput};

// IRC §401(a)(9)(H)(i) (SECURE Act §401, Pub. L. 116-94) applies the 5-year rule of
// §401(a)(9)(B)(ii) with "10 years" to deaths after December 31, 2019 (SECURE Act
// §401(b)(1)); Treas. Reg. §1.401(a)(9)-3 (final regs T.D. 10001, 2024) reads it as
// December 31 of the 10th year after the year of death. IRAs: IRC §408(a)(6).
const TEN_YEAR_RULE: &str = "IRC §401(a)(9)(H)(i), (B)(ii) as amended by SECURE Act §401; Treas. Reg. §1.401(a)(9)-3 (T.D. 10001, 2024)";

/// Fact keys (normalized) that record an inherited account's original owner's death.
const INHERITED_KEYS: &[&str] = &["inherited_ira", "inherited_ira_death"];

/// The first year of death the 10-year rule applies to.
const TEN_YEAR_RULE_FROM: i32 = 2020;

/// The day an inherited account must be empty under the 10-year rule: December 31 of the
/// tenth year after the year of death (death year + 10). `None` for deaths before 2020,
/// which the older rules govern.
pub fn ten_year_rule_deadline(death_year: i32) -> Option<NaiveDate> {
    if death_year < TEN_YEAR_RULE_FROM {
        return None;
    }
    calendar::december_31(death_year.checked_add(10)?)
}

/// When the original owner died, as recorded in a fact's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Death {
    On(NaiveDate),
    In(i32),
}

impl Death {
    fn year(self) -> i32 {
        match self {
            Death::On(date) => date.year(),
            Death::In(year) => year,
        }
    }
}

/// The first YYYY-MM-DD date in `text`, else the first run of exactly four digits.
fn death_in(text: &str) -> Option<Death> {
    iso_date_in(text)
        .map(Death::On)
        .or_else(|| year_in(text).map(Death::In))
}

/// The first valid YYYY-MM-DD in `text` not glued to other digits.
fn iso_date_in(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find_map(|start| {
        let window = bytes.get(start..start + 10)?;
        let shaped = window.iter().enumerate().all(|(at, byte)| match at {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
        let before = start.checked_sub(1).and_then(|at| bytes.get(at));
        let after = bytes.get(start + 10);
        let bounded = [before, after]
            .iter()
            .all(|byte| !byte.is_some_and(u8::is_ascii_digit));
        if !(shaped && bounded) {
            return None;
        }
        NaiveDate::parse_from_str(std::str::from_utf8(window).ok()?, "%Y-%m-%d").ok()
    })
}

/// The first run of exactly four ASCII digits in `text`.
fn year_in(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 4)
        .and_then(|run| run.parse().ok())
}

/// A deadline for every fact recording an inherited account's original owner's death.
/// Shown from January 1 of the final year (or earlier within the horizon) until it passes.
pub(crate) fn inherited_ira_alerts(household: &HouseholdInput) -> Vec<Candidate<'_>> {
    let deaths: Vec<&FactInput> = household
        .facts
        .iter()
        .filter(|fact| INHERITED_KEYS.contains(&fact.normalized_key().as_str()))
        .collect();
    if deaths.is_empty() {
        // Most households: no need to classify their accounts a second time (RMDs did).
        return Vec::new();
    }
    let subject = inherited_subject(&household.accounts);
    deaths
        .into_iter()
        .filter_map(|fact| deadline_alert(fact, subject))
        .collect()
}

/// The kind of the household's one open inherited account, else "Inherited IRA".
fn inherited_subject(accounts: &[AccountInput]) -> &str {
    let mut inherited = accounts
        .iter()
        .filter(|account| !account.closed)
        .filter(|account| classify_account(&account.kind) == AccountClass::InheritedIra);
    match (inherited.next(), inherited.next()) {
        (Some(only), None) => only.kind.trim(),
        _ => "Inherited IRA",
    }
}

fn deadline_alert<'a>(fact: &FactInput, subject: &'a str) -> Option<Candidate<'a>> {
    let death = death_in(&fact.value)?;
    let deadline = ten_year_rule_deadline(death.year())?;
    let final_year = calendar::january_1(deadline.year())?;
    let candidate = Candidate::about_subject(
        AlertKind::InheritedIraDeadline,
        subject,
        deadline,
        Precision::Day,
        TEN_YEAR_RULE,
        move || {
            let died = match death {
                Death::On(date) => format!("died {}", long_date(date)),
                Death::In(year) => format!("died in {year}"),
            };
            format!(
                "{subject} (original owner {died}): the 10-year rule requires emptying it by {}, unless the beneficiary is an eligible designated beneficiary",
                long_date(deadline)
            )
        },
    );
    Some(candidate.running(final_year, deadline))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn deadline_from_the_recorded_death() {
        let table: &[(&str, &str, Option<NaiveDate>)] = &[
            ("ISO date", "2021-03-15", Some(d(2031, 12, 31))),
            (
                "date inside text",
                "Mom's IRA, she died 2021-03-15.",
                Some(d(2031, 12, 31)),
            ),
            ("year alone", "Dad died in 2022", Some(d(2032, 12, 31))),
            ("US date: its year", "died 3/15/2023", Some(d(2033, 12, 31))),
            (
                "Dec 31 death: still +10",
                "2020-12-31",
                Some(d(2030, 12, 31)),
            ),
            ("2019 death: older rules, no date", "2019-06-01", None),
            (
                "invalid date: falls back to the year",
                "2021-02-30",
                Some(d(2031, 12, 31)),
            ),
            ("no date at all", "ask the client", None),
            ("five digits are not a year", "account 20215", None),
        ];
        for (label, value, expected) in table {
            let deadline = death_in(value).and_then(|death| ten_year_rule_deadline(death.year()));
            assert_eq!(deadline, *expected, "{label}");
        }
    }
}
