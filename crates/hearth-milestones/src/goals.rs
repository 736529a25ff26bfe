//! Savings goals behind a straight-line funding pace, and money formatting.

use std::fmt::Write;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::GoalInput;
use crate::alert::{AlertKind, Candidate, Precision};
use crate::calendar::long_date;

// A firm convention, not a rule of law: a goal should be funded in proportion to the time
// elapsed between its start and its target date.
const PACE_RULE: &str = "Firm practice: straight-line funding pace from start to target date";

/// `amount` rounded half-to-even to cents, with thousands separators: "52,333.33",
/// "-1,000.50", "0.00".
pub fn format_money(amount: Decimal) -> String {
    let mut cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    if cents.is_zero() {
        cents = Decimal::ZERO; // no "-0.00"
    }
    // The rounding leaves at most two decimal places, so the mantissa scaled to exactly two
    // is the amount in cents. Integers format much faster than a `Decimal`, and every goal
    // shown on Today writes three amounts.
    let cents_abs = cents.mantissa().unsigned_abs() * 10_u128.pow(2 - cents.scale());
    let whole = (cents_abs / 100).to_string();
    let mut text = String::with_capacity(1 + whole.len() + whole.len() / 3 + 3);
    if cents.is_sign_negative() {
        text.push('-');
    }
    for (at, digit) in whole.chars().enumerate() {
        if at > 0 && (whole.len() - at).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    write!(text, ".{:02}", cents_abs % 100).expect("writing to a String cannot fail");
    text
}

/// How far a goal is from its straight-line pace on `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Funded at or above the pace, fully funded, or not yet started.
    OnPace,
    /// Before or on the target date, funded below `expected`.
    Behind { expected: Decimal },
    /// After the target date and not fully funded.
    Overdue,
}

/// Where `goal` stands on `today`. `None` when the goal lacks a positive target, a funded
/// amount, a start or a target date after the start.
///
/// Expected = target × days elapsed / days total, clamped to [0, target]. The comparison
/// is exact: funded × days total < target × days elapsed; only the displayed expectation
/// is divided.
pub(crate) fn standing(goal: &GoalInput, today: NaiveDate) -> Option<Standing> {
    let target = goal
        .target_amount
        .filter(|target| target.is_sign_positive() && !target.is_zero())?;
    let funded = goal.funded_amount?;
    let (started, due) = (goal.started_on?, goal.target_date?);
    if started >= due {
        return None;
    }
    if funded >= target {
        return Some(Standing::OnPace);
    }
    if today > due {
        return Some(Standing::Overdue);
    }
    let total = Decimal::from((due - started).num_days());
    let elapsed = Decimal::from((today - started).num_days().max(0));
    let behind = funded.checked_mul(total)? < target.checked_mul(elapsed)?;
    if !behind {
        return Some(Standing::OnPace);
    }
    let expected = (target.checked_mul(elapsed)? / total).min(target);
    Some(Standing::Behind { expected })
}

/// An alert for every goal behind pace on `today`; its date is today, since being behind
/// is a state that lasts until the goal catches up. The amounts are written out only for
/// the goals that are behind, and only once the alert is shown.
pub(crate) fn goal_alerts(goals: &[GoalInput], today: NaiveDate) -> Vec<Candidate<'_>> {
    goals
        .iter()
        .filter_map(|goal| {
            // What the pace asks for by now; `None` once past the target date.
            let expected_by_now = match standing(goal, today)? {
                Standing::OnPace => return None,
                Standing::Behind { expected } => Some(expected),
                Standing::Overdue => None,
            };
            let (funded, target, due) =
                (goal.funded_amount?, goal.target_amount?, goal.target_date?);
            let name = goal.title.trim();
            let candidate = Candidate::about_subject(
                AlertKind::GoalBehindPace,
                name,
                today,
                Precision::Day,
                PACE_RULE,
                move || {
                    let (funded, target) = (format_money(funded), format_money(target));
                    match expected_by_now {
                        Some(expected) => format!(
                            "{name} is behind pace: {funded} of {target} funded; {} expected by now",
                            format_money(expected)
                        ),
                        None => format!(
                            "{name} passed its target date of {} with {funded} of {target} funded",
                            long_date(due)
                        ),
                    }
                },
            );
            Some(candidate.until_resolved())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn money(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn formats_money() {
        let table: &[(&str, &str)] = &[
            ("0", "0.00"),
            ("5", "5.00"),
            ("999.999", "1,000.00"),
            ("1000", "1,000.00"),
            ("52333.333333", "52,333.33"),
            ("180000", "180,000.00"),
            ("1234567.891", "1,234,567.89"),
            ("0.125", "0.12"),
            ("0.135", "0.14"),
            ("-1000.5", "-1,000.50"),
            ("-0.001", "0.00"),
            ("100000", "100,000.00"),
        ];
        for (amount, expected) in table {
            assert_eq!(format_money(money(amount)), *expected, "{amount}");
        }
    }

    #[test]
    fn goal_pace() {
        let goal = |target: &str, funded: &str, started: NaiveDate, due: NaiveDate| GoalInput {
            id: "g".into(),
            title: "Ava's college".into(),
            target_amount: Some(money(target)),
            funded_amount: Some(money(funded)),
            started_on: Some(started),
            target_date: Some(due),
        };
        let (start, due) = (d(2020, 1, 1), d(2030, 1, 1)); // 3,653 days
        let table: Vec<(&str, GoalInput, NaiveDate, Option<Standing>)> = vec![
            (
                "exactly on pace: half the days, half the money",
                goal("3653", "1826", start, due),
                d(2024, 12, 31),
                Some(Standing::OnPace),
            ),
            (
                "one cent short of the pace",
                goal("3653", "1825.99", start, due),
                d(2024, 12, 31),
                Some(Standing::Behind {
                    expected: money("1826"),
                }),
            ),
            (
                "ahead of pace",
                goal("180000", "100000", start, due),
                d(2025, 1, 1),
                Some(Standing::OnPace),
            ),
            (
                "before the start",
                goal("180000", "0", start, due),
                d(2019, 6, 1),
                Some(Standing::OnPace),
            ),
            (
                "on the target date, short",
                goal("180000", "179999", start, due),
                due,
                Some(Standing::Behind {
                    expected: money("180000"),
                }),
            ),
            (
                "past the target date, short",
                goal("180000", "170000", start, due),
                d(2030, 1, 2),
                Some(Standing::Overdue),
            ),
            (
                "past the target date, fully funded",
                goal("180000", "180000", start, due),
                d(2031, 1, 1),
                Some(Standing::OnPace),
            ),
            (
                "zero target: skipped",
                goal("0", "0", start, due),
                d(2025, 1, 1),
                None,
            ),
            (
                "start not before target: skipped",
                goal("100", "0", due, start),
                d(2025, 1, 1),
                None,
            ),
        ];
        for (label, goal, today, expected) in table {
            assert_eq!(standing(&goal, today), expected, "{label}");
        }
        let missing = GoalInput {
            funded_amount: None,
            ..goal("100", "0", start, due)
        };
        assert_eq!(
            standing(&missing, d(2025, 1, 1)),
            None,
            "no funded amount: skipped"
        );
    }
}
