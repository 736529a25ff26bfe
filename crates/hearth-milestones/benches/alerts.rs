//! The date rules over a book of 5,000 households (two adults each, an IRA, a goal, a review
//! month): how long `alerts` takes for all of them on one day.
//!
//! `cargo bench -p hearth-milestones --bench alerts`

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hearth_milestones::{AccountInput, Birth, GoalInput, HouseholdInput, Person};

fn book(households: usize) -> Vec<HouseholdInput> {
    (0..households)
        .map(|n| HouseholdInput {
            people: vec![
                Person {
                    id: format!("h{n}"),
                    name: format!("Head {n}"),
                    role: "Head".into(),
                    birth: NaiveDate::from_ymd_opt(
                        1940 + (n % 50) as i32,
                        1 + (n % 12) as u32,
                        1 + (n % 28) as u32,
                    )
                    .map(Birth::Date),
                },
                Person {
                    id: format!("s{n}"),
                    name: format!("Spouse {n}"),
                    role: "Spouse".into(),
                    birth: Some(Birth::Year(1945 + (n % 40) as i32)),
                },
            ],
            accounts: vec![AccountInput {
                id: format!("a{n}"),
                kind: "Rollover IRA".into(),
                owner: Some(format!("h{n}")),
                closed: false,
            }],
            facts: Vec::new(),
            goals: vec![GoalInput {
                id: format!("g{n}"),
                title: "College".into(),
                target_amount: Some(180_000.into()),
                funded_amount: Some(((n % 90_000) as i64).into()),
                started_on: NaiveDate::from_ymd_opt(2024, 9, 1),
                target_date: NaiveDate::from_ymd_opt(2032, 8, 15),
            }],
            annual_review_month: Some(1 + (n % 12) as u32),
            last_review: None,
        })
        .collect()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("alerts: skipped outside `cargo bench`");
        return;
    }
    let households = book(5_000);
    let day = NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
    let mut samples: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            let n: usize = households
                .iter()
                .map(|h| hearth_milestones::alerts(h, day, 90).len())
                .sum();
            std::hint::black_box(n);
            start.elapsed()
        })
        .collect();
    samples.sort();
    let shown: usize = households
        .iter()
        .map(|h| hearth_milestones::alerts(h, day, 90).len())
        .sum();
    println!(
        "alerts for 5,000 households (10,000 people), 90 days: p50 {:.2} ms, p99 {:.2} ms, {shown} shown",
        samples[25].as_secs_f64() * 1000.0,
        samples[49].as_secs_f64() * 1000.0
    );
}
