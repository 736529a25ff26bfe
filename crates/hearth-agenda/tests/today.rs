//! Today's grouping, by table: which group a loop falls in, what is hidden, what is mine.

use chrono::NaiveDate;
use hearth_agenda::today::{
    ActivityLine, Due, HouseholdAlerts, LATER_SHOWN, LoopInput, MeetingInput, TodayInput, build,
};
use hearth_milestones::{Alert, AlertKind, Precision};

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn task(title: &str, owner: &str, due: Option<&str>, snoozed: Option<&str>) -> LoopInput {
    LoopInput {
        household_id: "h1".into(),
        household: "The Johnson Family".into(),
        task_id: format!("t-{title}"),
        title: title.into(),
        owner: owner.into(),
        due: due.map(d),
        snoozed_until: snoozed.map(d),
        source_meeting: None,
    }
}

fn input(loops: Vec<LoopInput>) -> TodayInput {
    TodayInput {
        today: d("2026-12-05"),
        me: "Avery Advisor".into(),
        later_total: loops
            .iter()
            .filter(|l| Due::of(l.due, d("2026-12-05")) == Due::Later)
            .filter(|l| l.snoozed_until.is_none_or(|s| s <= d("2026-12-05")))
            .count(),
        snoozed: loops
            .iter()
            .filter(|l| l.snoozed_until.is_some_and(|s| s > d("2026-12-05")))
            .count(),
        loops,
        alerts: Vec::new(),
        meetings: Vec::new(),
        activity: Vec::new(),
    }
}

#[test]
fn due_dates_fall_in_the_right_group() {
    let today = d("2026-12-05");
    for (due, group) in [
        (Some("2025-01-01"), Due::Overdue),
        (Some("2026-12-04"), Due::Overdue),
        (Some("2026-12-05"), Due::Today),
        (Some("2026-12-06"), Due::ThisWeek),
        (Some("2026-12-12"), Due::ThisWeek),
        (Some("2026-12-13"), Due::Later),
        (Some("2027-06-30"), Due::Later),
        (None, Due::Later),
    ] {
        assert_eq!(Due::of(due.map(d), today), group, "{due:?}");
    }
}

#[test]
fn loops_are_grouped_mine_first_and_snoozed_ones_hidden() {
    let view = build(input(vec![
        task(
            "Colleague's overdue",
            "Blake Advisor",
            Some("2026-12-01"),
            None,
        ),
        task("My overdue", "Avery Advisor", Some("2026-12-03"), None),
        task("Older overdue", "Avery Advisor", Some("2026-11-20"), None),
        task("Due today", "Avery Advisor", Some("2026-12-05"), None),
        task(
            "Snoozed",
            "Avery Advisor",
            Some("2026-12-01"),
            Some("2026-12-10"),
        ),
        task(
            "Snooze over",
            "Avery Advisor",
            Some("2026-12-09"),
            Some("2026-12-05"),
        ),
        task("No date", "Avery Advisor", None, None),
    ]));
    let groups: Vec<(Due, Vec<&str>)> = view
        .groups
        .iter()
        .map(|g| (g.due, g.loops.iter().map(|l| l.title.as_str()).collect()))
        .collect();
    assert_eq!(
        groups,
        [
            (
                Due::Overdue,
                vec!["Older overdue", "My overdue", "Colleague's overdue"]
            ),
            (Due::Today, vec!["Due today"]),
            (Due::ThisWeek, vec!["Snooze over"]),
            (Due::Later, vec!["No date"]),
        ]
    );
    assert_eq!(view.snoozed, 1);
    assert_eq!(view.later_more, 0);
    let overdue = &view.groups[0].loops;
    assert_eq!(overdue[0].days_overdue, Some(15));
    assert!(overdue[0].mine && !overdue[2].mine);
    assert_eq!(view.due_now_mine(), 3);
}

#[test]
fn the_later_group_is_capped_and_counts_the_rest() {
    let loops: Vec<LoopInput> = (0..LATER_SHOWN + 20)
        .map(|i| {
            task(
                &format!("Later {i:03}"),
                "Avery Advisor",
                Some("2027-03-01"),
                None,
            )
        })
        .collect();
    let mut i = input(loops);
    i.later_total = LATER_SHOWN + 120; // 100 more were never read from the store
    let view = build(i);
    assert_eq!(view.groups[0].loops.len(), LATER_SHOWN);
    assert_eq!(view.later_more, 120);
}

fn alert(kind: AlertKind, date: &str, title: &str) -> Alert {
    Alert {
        kind,
        person_id: None,
        subject: "x".into(),
        date: d(date),
        ends: None,
        precision: Precision::Day,
        title: title.into(),
        rule: "test",
    }
}

#[test]
fn alerts_are_split_into_soon_and_later_and_reviews_go_to_upcoming() {
    let mut i = input(Vec::new());
    i.alerts = vec![HouseholdAlerts {
        household_id: "h1".into(),
        household: "The Johnson Family".into(),
        alerts: vec![
            alert(AlertKind::RmdAnnual, "2026-12-31", "RMD"),
            alert(AlertKind::Birthday, "2027-02-10", "Birthday"),
            alert(
                AlertKind::AnnualReview,
                "2026-12-01",
                "Annual review due in December 2026",
            ),
            alert(AlertKind::AnnualReview, "2027-02-01", "Review far away"),
        ],
    }];
    i.meetings = vec![
        MeetingInput {
            household_id: "h1".into(),
            household: "The Johnson Family".into(),
            meeting_id: "m1".into(),
            title: "Q4 review".into(),
            starts_at: 1_796_724_000_000,
            date: d("2026-12-08"),
        },
        MeetingInput {
            household_id: "h1".into(),
            household: "The Johnson Family".into(),
            meeting_id: "m2".into(),
            title: "Past".into(),
            starts_at: 0,
            date: d("2026-12-01"),
        },
    ];
    i.activity = vec![ActivityLine {
        seq: 7,
        household_id: "h1".into(),
        household: "The Johnson Family".into(),
        advisor: Some("Blake Advisor".into()),
        time: 1,
        summary: "Updated AUM".into(),
    }];
    let view = build(i);
    let alerts: Vec<(&str, bool)> = view
        .alerts
        .iter()
        .map(|a| (a.alert.title.as_str(), a.soon))
        .collect();
    assert_eq!(alerts, [("RMD", true), ("Birthday", false)]);
    let upcoming: Vec<(&str, &str)> = view
        .upcoming
        .iter()
        .map(|u| (u.kind, u.title.as_str()))
        .collect();
    assert_eq!(
        upcoming,
        [
            ("annual_review", "Annual review due in December 2026"),
            ("meeting", "Q4 review")
        ]
    );
    assert_eq!(view.latest_seq, 7);
}

#[test]
fn a_large_book_lists_the_soonest_alerts_and_counts_the_rest() {
    let mut i = input(Vec::new());
    i.alerts = (0..300)
        .map(|n| HouseholdAlerts {
            household_id: format!("h{n}"),
            household: format!("Household {n:03}"),
            alerts: vec![alert(
                AlertKind::Birthday,
                &format!("2027-{:02}-{:02}", 1 + (n % 2), 1 + (n % 28)),
                "Birthday",
            )],
        })
        .collect();
    let view = hearth_agenda::today::build(i);
    assert_eq!(view.alerts.len(), hearth_agenda::today::ALERTS_SHOWN);
    assert_eq!(view.alerts_more, 300 - hearth_agenda::today::ALERTS_SHOWN);
    let dates: Vec<_> = view.alerts.iter().map(|a| a.alert.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "soonest first");
    // Every January alert (150 of them) is listed before any February one.
    assert!(
        view.alerts[..150]
            .iter()
            .all(|a| a.alert.date.to_string().starts_with("2027-01"))
    );
}
