//! The dates and ages that matter to a financial advisor, as pure functions.
//!
//! Given a household (people with a birth date or year, accounts as the advisor typed
//! them, recorded facts, savings goals and the annual review month) and a day, [`alerts`]
//! lists what is due, opening or happening within a horizon:
//!
//! - **Required minimum distributions** from an owner's tax-deferred accounts: the first
//!   one by the required beginning date (April 1 after the year of age 70½, 72, 73 or 75),
//!   every later one by December 31 ([`rmd_start_age`], [`rmd_required_beginning_date`]).
//! - **Inherited IRAs**: the end of the 10-year rule ([`ten_year_rule_deadline`]).
//! - **Medicare**: the 7-month initial enrollment period around the 65th birthday
//!   ([`medicare_initial_enrollment_period`]).
//! - **Social Security** full retirement age ([`full_retirement_age`],
//!   [`full_retirement_age_month`]).
//! - **Age 59½**, when the 10% early-withdrawal tax stops ([`fifty_nine_and_a_half_date`]).
//! - **Catch-up contributions** from the year of age 50, and the higher limit at 60–63.
//! - **Birthdays** ([`next_birthday`]), the **annual review** ([`next_annual_review`]),
//!   **goals behind pace**, and **beneficiary reviews** after a family change.
//!
//! Every rule cites its source in the code, and every [`Alert`] carries a short `rule`
//! citation the UI can show. Reviews and goal pace are firm practice, and say so.
//!
//! Nothing here reads a clock or does I/O: "today" is always a parameter, and the same
//! input gives the same list.
//!
//! **Birth year alone.** A [`Birth::Year`] is read as December 31 of that year: ages are
//! those the person has certainly reached, and milestone dates are the latest the year
//! allows. Alerts a year alone cannot place get [`Precision::Year`] (dated January 1) and
//! titles that say "(birth year only)", giving the range where it helps. Rules that depend
//! only on the year (catch-up, RMD ages 72–75) stay exact.
//!
//! **Not tax or legal advice.** These are reminders for an advisor, computed from the
//! rules as written in 2025 for the common case. They do not model the still-working
//! exception for employer plans, eligible designated beneficiaries, annual RMDs inside the
//! 10-year period, or plan-specific terms. Confirm with the client's tax professional.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod account;
mod age;
mod alert;
mod calendar;
mod catch_up;
mod goals;
mod inherited;
mod input;
mod medicare;
mod review;
mod rmd;
mod social_security;

use chrono::{Days, NaiveDate};

pub use account::{AccountClass, classify_account};
pub use age::{age_on, fifty_nine_and_a_half_date, next_birthday};
pub use alert::{Alert, AlertKind, Precision};
pub use goals::format_money;
pub use inherited::ten_year_rule_deadline;
pub use input::{AccountInput, Birth, FactInput, GoalInput, HouseholdInput, Person};
pub use medicare::medicare_initial_enrollment_period;
pub use review::next_annual_review;
pub use rmd::{RmdAge, rmd_required_beginning_date, rmd_start_age};
pub use social_security::{full_retirement_age, full_retirement_age_month};

use alert::{Candidate, Span};

/// The longest horizon [`alerts`] looks ahead: 100 years.
pub const MAX_HORIZON_DAYS: i64 = 36_525;

/// Every alert for `household` whose date falls in `[today, today + horizon_days]`, plus
/// those already running on `today`:
///
/// - a window that has opened and not closed (Medicare initial enrollment period);
/// - an RMD whose year has begun and whose deadline has not passed, and an inherited
///   IRA's final year;
/// - a month- or year-precision milestone during its month or year;
/// - a goal behind pace (dated today) or a beneficiary review that is due, however long
///   ago, until resolved.
///
/// `horizon_days` is clamped to `0..=`[`MAX_HORIZON_DAYS`]. The list is sorted by date,
/// then kind, then subject (then title and person, so equal inputs give equal output).
pub fn alerts(household: &HouseholdInput, today: NaiveDate, horizon_days: i64) -> Vec<Alert> {
    let ahead = horizon_days.clamp(0, MAX_HORIZON_DAYS).unsigned_abs();
    let last = today
        .checked_add_days(Days::new(ahead))
        .unwrap_or(NaiveDate::MAX);
    let span = Span { today, last };

    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for person in &household.people {
        let Some(birth) = &person.birth else {
            continue;
        };
        candidates.extend(age::birthday_alerts(person, birth, today));
        candidates.extend(age::fifty_nine_and_a_half_alerts(person, birth));
        candidates.extend(medicare::medicare_alerts(person, birth));
        candidates.extend(social_security::full_retirement_age_alerts(person, birth));
        candidates.extend(catch_up::catch_up_alerts(person, birth));
    }
    candidates.extend(rmd::rmd_alerts(household, span));
    candidates.extend(inherited::inherited_ira_alerts(household));
    candidates.extend(review::annual_review_alerts(household, today));
    candidates.extend(goals::goal_alerts(&household.goals, today));
    candidates.extend(review::beneficiary_review_alerts(&household.facts, today));

    // Only here, for the candidates that are shown, are titles written and strings copied.
    let mut shown: Vec<Alert> = candidates
        .into_iter()
        .filter_map(|candidate| candidate.shown_in(span))
        .collect();
    shown.sort_by(|a, b| {
        (a.date, a.kind, &a.subject, &a.title, &a.person_id).cmp(&(
            b.date,
            b.kind,
            &b.subject,
            &b.title,
            &b.person_id,
        ))
    });
    shown
}
