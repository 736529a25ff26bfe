//! Today over a large book, side by side with the household list in the same run, and the
//! pre-meeting brief of a household with three years of history.
//!
//! `cargo bench -p hearth-profile --bench advisor_day` (HEARTH_BENCH_HOUSEHOLDS, default
//! 5,000, with 4 open loops each: 20,000; HEARTH_BENCH_RUNS, default 50). Prints a table;
//! docs/benchmarks.md records it.

use std::time::{Duration, Instant};

use hearth_core::automerge::ActorId;
use hearth_core::{
    Account, AccountPatch, DocumentId, EditContext, Goal, Household, HouseholdStatus, Meeting,
    Member, NewBalance, NoteCategory, Role, TaskStatus, TranscriptSegment, template,
};
use hearth_profile::{InitOptions, KeyStorage, Profile};
use zeroize::Zeroizing;

const DAY_MS: i64 = 86_400_000;
/// 2026-12-05T09:00:00Z, the day Today is drawn for.
const NOW: i64 = 1_796_461_200_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ctx(advisor: &str, now_ms: i64) -> EditContext {
    EditContext {
        advisor: advisor.to_string(),
        device: "bench".to_string(),
        now_ms,
        utc_offset_secs: 0,
    }
}

fn date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

/// A household as a book of business has them: two adults with birth dates, an IRA and a
/// brokerage account, a goal, the wealth template with a review month, four open loops
/// around today (one of them a colleague's).
fn typical(n: usize) -> Household {
    let me = ctx("Bench Advisor", NOW - 400 * DAY_MS);
    let mut h = Household::create(
        DocumentId::random(),
        &format!("The Household {n:05}"),
        HouseholdStatus::Client,
        ActorId::random(),
        &me,
    )
    .expect("create")
    .value;
    let head = h
        .add_member(
            &Member {
                name: format!("Head {n}"),
                role: Role::Head,
                birth_year: Some(1940 + (n % 50) as i64),
                birth_date: Some(format!(
                    "{}-{:02}-{:02}",
                    1940 + n % 50,
                    1 + n % 12,
                    1 + n % 28
                )),
                ..Default::default()
            },
            &me,
        )
        .expect("member")
        .value;
    h.add_member(
        &Member {
            name: format!("Spouse {n}"),
            role: Role::Spouse,
            birth_year: Some(1945 + (n % 40) as i64),
            ..Default::default()
        },
        &me,
    )
    .expect("member");
    h.add_account(
        &Account {
            kind: "Rollover IRA".into(),
            aum: Some(format!("{}.00", 100_000 + n * 37)),
            aum_as_of: Some("2026-06-30".into()),
            owner: Some(head),
            ..Default::default()
        },
        &me,
    )
    .expect("account");
    h.add_account(
        &Account {
            kind: "Joint Brokerage".into(),
            aum: Some(format!("{}.50", 50_000 + n * 11)),
            ..Default::default()
        },
        &me,
    )
    .expect("account");
    h.add_goal(
        &Goal {
            title: "College".into(),
            target_amount: Some("180000".into()),
            funded_amount: Some(format!("{}", n % 90_000)),
            started_on: Some("2024-09-01".into()),
            target_date: Some("2032-08-15".into()),
        },
        &me,
    )
    .expect("goal");
    let wealth = template::builtin_templates()
        .into_iter()
        .find(|t| t.name == "wealth")
        .expect("wealth template");
    h.apply_template(&wealth, &me).expect("template");
    h.set_custom("annual_review_month", &serde_json::json!(1 + n % 12), &me)
        .expect("custom");
    for (k, offset) in [-3i64, 0, 4, 40].into_iter().enumerate() {
        let owner = if k == 3 {
            "Blake Advisor"
        } else {
            "Bench Advisor"
        };
        h.add_task(
            &format!("Follow up {k} for {n}"),
            owner,
            Some(&date(NOW + (offset + (n % 7) as i64) * DAY_MS)),
            None,
            &me,
        )
        .expect("task");
    }
    h
}

/// Three years of monthly meetings (a 30-minute transcript, an analysis, filed notes and
/// tasks each), monthly balances on two accounts.
fn three_years() -> Household {
    let start = NOW - 3 * 365 * DAY_MS;
    let me = ctx("Bench Advisor", start);
    let mut h = Household::create(
        DocumentId::random(),
        "The Long-Standing Family",
        HouseholdStatus::Client,
        ActorId::random(),
        &me,
    )
    .expect("create")
    .value;
    let head = h
        .add_member(
            &Member {
                name: "Robert Long".into(),
                role: Role::Head,
                birth_year: Some(1955),
                birth_date: Some("1955-07-14".into()),
                ..Default::default()
            },
            &me,
        )
        .expect("member")
        .value;
    let accounts: Vec<String> = ["Rollover IRA", "Joint Brokerage"]
        .into_iter()
        .map(|kind| {
            h.add_account(
                &Account {
                    kind: kind.into(),
                    aum: Some("500000.00".into()),
                    aum_as_of: Some(date(start)),
                    owner: Some(head.clone()),
                    ..Default::default()
                },
                &me,
            )
            .expect("account")
            .value
        })
        .collect();
    // A real analysis (the rules engine on a review transcript), stored with every meeting.
    let analysis = include_str!("analysis_sample.json");
    for month in 0..36i64 {
        let at = start + month * 30 * DAY_MS;
        let c = ctx("Bench Advisor", at);
        let transcript: Vec<TranscriptSegment> = (0..300u64)
            .map(|s| TranscriptSegment {
                start_ms: s * 6_000,
                end_ms: s * 6_000 + 5_500,
                speaker: Some(if s % 2 == 0 { "Advisor" } else { "Client" }.into()),
                text: format!(
                    "Segment {s} of meeting {month}: we talked about the portfolio, the RMD schedule and the college fund."
                ),
            })
            .collect();
        let meeting = h
            .add_meeting(
                &Meeting {
                    title: format!("Monthly check-in {month}"),
                    started_at: at,
                    duration_secs: Some(1800),
                    participants: vec!["Robert Long".into()],
                    consent: None,
                    transcript,
                    audio: Some("deleted".into()),
                    analysis: None,
                    redactions: None,
                    accepted: Vec::new(),
                    scheduled: false,
                    recovered: false,
                    audio_notice: None,
                },
                &c,
            )
            .expect("meeting")
            .value;
        h.set_meeting_analysis(&meeting, analysis, &c)
            .expect("analysis");
        for k in 0..4 {
            h.add_note(
                NoteCategory::ALL[k % NoteCategory::ALL.len()],
                &format!("Month {month}: note {k} about the plan, the accounts and next steps."),
                Some(&meeting),
                &c,
            )
            .expect("note");
        }
        for k in 0..3 {
            let task = h
                .add_task(
                    &format!("Month {month} item {k}"),
                    "Bench Advisor",
                    Some(&date(at + 14 * DAY_MS)),
                    Some(&meeting),
                    &c,
                )
                .expect("task")
                .value;
            if month < 34 {
                h.set_task_status(&task, TaskStatus::Done, &c)
                    .expect("done");
            }
        }
        for (i, account) in accounts.iter().enumerate() {
            h.update_account(
                account,
                &AccountPatch {
                    aum: Some(NewBalance {
                        amount: format!("{}.00", 500_000 + month * 5_000 + i as i64 * 1_000),
                        as_of: Some(date(at)),
                    }),
                    ..Default::default()
                },
                &c,
            )
            .expect("balance");
        }
    }
    h
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("advisor_day: skipped outside `cargo bench`");
        return;
    }
    let households = env_usize("HEARTH_BENCH_HOUSEHOLDS", 5_000);
    let runs = env_usize("HEARTH_BENCH_RUNS", 50);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("profile");
    let mut pass = || Ok(Zeroizing::new("benchmark passphrase".to_string()));
    let mut profile = Profile::init(
        &path,
        InitOptions {
            advisor: "Bench Advisor".into(),
            device: "bench".into(),
            key_storage: KeyStorage::Passphrase,
            passphrase: &mut pass,
        },
    )
    .expect("init");

    let build = Instant::now();
    for n in 0..households {
        let mut h = typical(n);
        let id = h.id().expect("id");
        profile.merge_synced(id, &h.save()).expect("store");
    }
    let mut long = three_years();
    let long_id = long.id().expect("id");
    profile.merge_synced(long_id, &long.save()).expect("store");
    println!(
        "advisor_day: {households} households built in {:.1} s",
        build.elapsed().as_secs_f64()
    );

    let day = chrono::DateTime::from_timestamp_millis(NOW)
        .expect("now")
        .date_naive();
    let first = profile.today_view(day).expect("today");
    let loops: usize = first.groups.iter().map(|g| g.loops.len()).sum::<usize>() + first.later_more;
    let today = time(runs, || profile.today_view(day).expect("today"));
    let list = time(runs, || profile.list_households().expect("list"));
    let loops_rows = time(runs, || {
        profile
            .store()
            .open_loops_due_by("2026-12-12")
            .expect("loops")
            .len()
    });
    let later_rows = time(runs, || {
        profile
            .store()
            .open_loops_later("2026-12-12", 50)
            .expect("loops")
            .len()
    });
    let counts = time(runs, || {
        profile
            .store()
            .open_loop_counts("2026-12-12", "2026-12-05")
            .expect("counts")
    });
    let listing_rows = time(runs, || profile.store().listings().expect("listings"));
    let rows = profile.store().listings().expect("listings");
    let parse = time(runs, || {
        rows.iter()
            .filter_map(|r| r.dates_input.as_deref())
            .filter_map(|j| serde_json::from_str::<hearth_milestones::HouseholdInput>(j).ok())
            .count()
    });
    let inputs: Vec<hearth_milestones::HouseholdInput> = rows
        .iter()
        .filter_map(|r| r.dates_input.as_deref())
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect();
    let rules = time(runs, || {
        inputs
            .iter()
            .map(|i| hearth_milestones::alerts(i, day, 90).len())
            .sum::<usize>()
    });
    let id = long_id.to_string();
    let brief = time(runs.min(30), || profile.brief(&id, day).expect("brief"));
    let load = time(runs.min(30), || profile.household_data(&id).expect("load"));
    let load_doc = time(runs.min(30), || profile.household(&id).expect("load"));
    let household = profile.household(&id).expect("load");
    let hydrate = time(runs.min(30), || household.data().expect("hydrate"));
    let light = time(runs.min(30), || {
        household.data_without_transcripts().expect("hydrate")
    });
    let digest = time(runs.min(30), || household.digest().expect("digest"));
    let conflicts = time(runs.min(30), || household.conflicts().expect("conflicts"));

    println!(
        "Today: {loops} open loops shown ({} snoozed), {} alerts, {} upcoming",
        first.snoozed,
        first.alerts.len(),
        first.upcoming.len()
    );
    println!("| operation | p50 ms | p99 ms |");
    println!("|---|---|---|");
    for (name, samples) in [
        (format!("Today over {households} households"), &today),
        (format!("household list ({households})"), &list),
        (
            "  Today: loops due within the week".to_string(),
            &loops_rows,
        ),
        ("  Today: the first later loops".to_string(), &later_rows),
        ("  Today: later and snoozed counts".to_string(), &counts),
        ("  Today: listing rows".to_string(), &listing_rows),
        ("  Today: date inputs parsed".to_string(), &parse),
        ("  Today: date rules run".to_string(), &rules),
        ("brief, 3 years of history".to_string(), &brief),
        ("load that household (typed view)".to_string(), &load),
        ("  of which: Automerge load".to_string(), &load_doc),
        ("  of which: typed view (hydrate)".to_string(), &hydrate),
        ("typed view without transcripts".to_string(), &light),
        ("digest of that household".to_string(), &digest),
        ("conflict scan of that household".to_string(), &conflicts),
    ] {
        println!(
            "| {name} | {:.2} | {:.2} |",
            ms(percentile(samples, 0.5)),
            ms(percentile(samples, 0.99))
        );
    }
}
