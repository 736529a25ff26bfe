//! `alerts` end to end on one household at a fixed day.

use std::str::FromStr;

use chrono::NaiveDate;
use hearth_milestones::{
    AccountInput, Alert, AlertKind, Birth, FactInput, GoalInput, HouseholdInput, Person, Precision,
    alerts,
};
use rust_decimal::Decimal;

fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn person(id: &str, name: &str, role: &str, birth: Birth) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        role: role.into(),
        birth: Some(birth),
    }
}

fn account(id: &str, kind: &str, owner: Option<&str>, closed: bool) -> AccountInput {
    AccountInput {
        id: id.into(),
        kind: kind.into(),
        owner: owner.map(Into::into),
        closed,
    }
}

fn fact(id: &str, key: &str, value: &str, recorded_on: Option<NaiveDate>) -> FactInput {
    FactInput {
        id: id.into(),
        key: key.into(),
        value: value.into(),
        recorded_on,
    }
}

fn goal(title: &str, target: &str, funded: &str, started: NaiveDate, due: NaiveDate) -> GoalInput {
    GoalInput {
        id: title.into(),
        title: title.into(),
        target_amount: Some(Decimal::from_str(target).unwrap()),
        funded_amount: Some(Decimal::from_str(funded).unwrap()),
        started_on: Some(started),
        target_date: Some(due),
    }
}

fn johnsons() -> HouseholdInput {
    HouseholdInput {
        people: vec![
            person("p1", "Robert Johnson", "Head", Birth::Date(d(1951, 5, 10))),
            person("p2", "Linda Johnson", "Spouse", Birth::Date(d(1961, 3, 1))),
            person("p3", "Ava Johnson", "Child", Birth::Date(d(2008, 2, 29))),
            person("p4", "Rose Johnson", "Dependent", Birth::Year(1959)),
            person("p5", "Mark Lee", "Other", Birth::Date(d(1966, 8, 31))),
            person("p6", "Jenna Lee", "Other", Birth::Date(d(1977, 6, 2))),
            Person {
                id: "p7".into(),
                name: "No Birth".into(),
                role: "Head".into(),
                birth: None,
            },
        ],
        accounts: vec![
            account("a1", "Rollover IRA", Some("p1"), false),
            account("a2", "401(k)", None, false),
            account("a3", "Roth IRA", Some("p2"), false),
            account("a4", "Inherited IRA", Some("p2"), false),
            account("a5", "Traditional IRA", Some("p1"), true),
            account("a6", "Joint Brokerage", None, false),
        ],
        facts: vec![
            fact(
                "f1",
                "Inherited IRA",
                "Linda's mother died 2021-03-15",
                Some(d(2021, 5, 1)),
            ),
            fact("f2", "New Grandchild", "Baby Mia", Some(d(2025, 12, 20))),
            fact("f3", "divorce", "Mark", Some(d(2025, 6, 1))),
            fact(
                "f4",
                "beneficiary_review",
                "all accounts",
                Some(d(2025, 7, 1)),
            ),
            fact("f5", "death", "Linda's father", Some(d(2025, 10, 1))),
        ],
        goals: vec![
            goal(
                "Ava's college",
                "180000",
                "40000",
                d(2020, 1, 1),
                d(2030, 1, 1),
            ),
            goal("New roof", "20000", "20000", d(2024, 1, 1), d(2026, 6, 1)),
            goal("Boat", "50000", "10000", d(2023, 1, 1), d(2025, 12, 31)),
            goal(
                "Emergency fund",
                "7300",
                "3650",
                d(2025, 1, 15),
                d(2027, 1, 15),
            ),
        ],
        annual_review_month: Some(3),
        last_review: Some(d(2025, 3, 12)),
    }
}

/// (date, kind, subject, precision, title).
type Row = (NaiveDate, AlertKind, &'static str, Precision, &'static str);

#[test]
fn one_household_for_the_next_year() {
    use AlertKind::*;
    use Precision::*;
    let expected: Vec<Row> = vec![
        (
            d(2025, 10, 31),
            BeneficiaryReview,
            "Linda's father",
            Day,
            "Review beneficiary designations after a family change (death: Linda's father; recorded October 1, 2025)",
        ),
        (
            d(2025, 11, 1),
            MedicareEnrollment,
            "Linda Johnson",
            Day,
            "Linda Johnson turns 65 in February 2026 (born on the 1st, so 65 is reached the day before, a month early): Medicare initial enrollment period runs November 1, 2025 through May 31, 2026",
        ),
        (
            d(2026, 1, 1),
            FullRetirementAge,
            "Rose Johnson",
            Year,
            "Rose Johnson reaches Social Security full retirement age (66 and 10 months) between August 2025 and October 2026 (birth year only)",
        ),
        (
            d(2026, 1, 15),
            GoalBehindPace,
            "Ava's college",
            Day,
            "Ava's college is behind pace: 40,000.00 of 180,000.00 funded; 108,699.70 expected by now",
        ),
        (
            d(2026, 1, 15),
            GoalBehindPace,
            "Boat",
            Day,
            "Boat passed its target date of December 31, 2025 with 10,000.00 of 50,000.00 funded",
        ),
        (
            d(2026, 1, 19),
            BeneficiaryReview,
            "Baby Mia",
            Day,
            "Review beneficiary designations after a family change (New Grandchild: Baby Mia; recorded December 20, 2025)",
        ),
        (
            d(2026, 2, 28),
            AgeFiftyNineAndHalf,
            "Mark Lee",
            Day,
            "Mark Lee reaches 59½ on February 28, 2026: IRA and retirement-plan withdrawals no longer owe the 10% early-withdrawal tax",
        ),
        (
            d(2026, 2, 28),
            Birthday,
            "Ava Johnson",
            Day,
            "Ava Johnson turns 18 on February 28, 2026",
        ),
        (
            d(2026, 3, 1),
            Birthday,
            "Linda Johnson",
            Day,
            "Linda Johnson turns 65 on March 1, 2026",
        ),
        (
            d(2026, 3, 1),
            AnnualReview,
            "Annual review",
            Month,
            "Annual review due in March 2026 (last review March 12, 2025)",
        ),
        (
            d(2026, 5, 10),
            Birthday,
            "Robert Johnson",
            Day,
            "Robert Johnson turns 75 on May 10, 2026",
        ),
        (
            d(2026, 6, 2),
            Birthday,
            "Jenna Lee",
            Day,
            "Jenna Lee turns 49 on June 2, 2026",
        ),
        (
            d(2026, 8, 31),
            Birthday,
            "Mark Lee",
            Day,
            "Mark Lee turns 60 on August 31, 2026",
        ),
        (
            d(2026, 12, 31),
            RmdAnnual,
            "Robert Johnson",
            Day,
            "Robert Johnson: 2026 RMD due by December 31, 2026",
        ),
        (
            d(2027, 1, 1),
            CatchUpContributions,
            "Jenna Lee",
            Day,
            "Jenna Lee turns 50 in 2027: catch-up contributions to 401(k), 403(b), 457(b) plans and IRAs allowed from January 1, 2027",
        ),
    ];
    let got: Vec<Alert> = alerts(&johnsons(), d(2026, 1, 15), 365);
    let got_rows: Vec<_> = got
        .iter()
        .map(|a| {
            (
                a.date,
                a.kind,
                a.subject.as_str(),
                a.precision,
                a.title.as_str(),
            )
        })
        .collect();
    let expected_rows: Vec<_> = expected
        .iter()
        .map(|(date, kind, subject, precision, title)| (*date, *kind, *subject, *precision, *title))
        .collect();
    assert_eq!(got_rows, expected_rows);

    let medicare = got.iter().find(|a| a.kind == MedicareEnrollment).unwrap();
    assert_eq!(medicare.ends, Some(d(2026, 5, 31)));
    assert_eq!(medicare.person_id.as_deref(), Some("p2"));
    assert!(
        got.iter().all(|a| !a.rule.is_empty()),
        "every alert cites its rule"
    );
}

#[test]
fn same_output_whatever_the_input_order() {
    let household = johnsons();
    let mut reversed = household.clone();
    reversed.people.reverse();
    reversed.accounts.reverse();
    reversed.facts.reverse();
    reversed.goals.reverse();
    let today = d(2026, 1, 15);
    assert_eq!(
        alerts(&household, today, 365),
        alerts(&reversed, today, 365)
    );
}

#[test]
fn later_days_and_horizons() {
    let household = johnsons();
    let table: &[(&str, NaiveDate, i64, AlertKind, &str, bool)] = &[
        (
            "inherited IRA deadline in its final year",
            d(2031, 2, 1),
            0,
            AlertKind::InheritedIraDeadline,
            "Inherited IRA",
            true,
        ),
        (
            "inherited IRA deadline not yet in view",
            d(2030, 6, 1),
            30,
            AlertKind::InheritedIraDeadline,
            "Inherited IRA",
            false,
        ),
        (
            "Medicare window closed",
            d(2026, 6, 1),
            30,
            AlertKind::MedicareEnrollment,
            "Linda Johnson",
            false,
        ),
        (
            "Medicare window still open on its last day",
            d(2026, 5, 31),
            0,
            AlertKind::MedicareEnrollment,
            "Linda Johnson",
            true,
        ),
        (
            "annual review in its month",
            d(2026, 3, 20),
            0,
            AlertKind::AnnualReview,
            "Annual review",
            true,
        ),
        (
            "negative horizon is today only",
            d(2026, 5, 10),
            -5,
            AlertKind::Birthday,
            "Robert Johnson",
            true,
        ),
        (
            "Linda's first RMD (owner not set) far ahead",
            d(2036, 1, 2),
            0,
            AlertKind::RmdFirst,
            "Linda Johnson",
            true,
        ),
    ];
    for (label, today, horizon, kind, subject, present) in table {
        let found = alerts(&household, *today, *horizon)
            .iter()
            .any(|a| a.kind == *kind && a.subject == *subject);
        assert_eq!(found, *present, "{label}");
    }
    let linda_rmd = alerts(&household, d(2036, 1, 2), 0)
        .into_iter()
        .find(|a| a.kind == AlertKind::RmdFirst)
        .unwrap();
    assert_eq!(
        linda_rmd.title,
        "Linda Johnson turns 75 in 2036: first RMD due by April 1, 2037 (owner not set)"
    );
    let inherited = alerts(&household, d(2031, 2, 1), 0)
        .into_iter()
        .find(|a| a.kind == AlertKind::InheritedIraDeadline)
        .unwrap();
    assert_eq!(inherited.date, d(2031, 12, 31));
    assert_eq!(
        inherited.title,
        "Inherited IRA (original owner died March 15, 2021): the 10-year rule requires emptying it by December 31, 2031, unless the beneficiary is an eligible designated beneficiary"
    );
}

#[test]
fn alerts_serialize_for_the_ui() {
    let first = alerts(&johnsons(), d(2026, 1, 15), 365).remove(1);
    let json = serde_json::to_value(&first).unwrap();
    assert_eq!(json["kind"], "medicare_enrollment");
    assert_eq!(json["date"], "2025-11-01");
    assert_eq!(json["ends"], "2026-05-31");
    assert_eq!(json["precision"], "day");
    assert_eq!(json["person_id"], "p2");
}

#[test]
fn absurd_inputs_do_not_panic() {
    let mut household = johnsons();
    for (id, birth) in [
        ("x1", Birth::Year(i32::MAX)),
        ("x2", Birth::Year(i32::MIN)),
        ("x3", Birth::Date(NaiveDate::MAX)),
        ("x4", Birth::Date(NaiveDate::MIN)),
    ] {
        household.people.push(person(id, id, "Head", birth));
    }
    household.annual_review_month = Some(12);
    for today in [NaiveDate::MIN, d(2026, 1, 15), NaiveDate::MAX] {
        for horizon in [i64::MIN, 0, 365, i64::MAX] {
            let _ = alerts(&household, today, horizon);
        }
    }
}
