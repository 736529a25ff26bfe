//! The pre-meeting brief, built from a real household document.

use chrono::NaiveDate;
use hearth_agenda::brief::build;
use hearth_core::automerge::ActorId;
use hearth_core::*;
use hearth_milestones::{AccountInput, Birth, GoalInput, HouseholdInput, Person};

const DAY: i64 = 86_400_000;
/// 2026-09-15T12:00:00Z: the last meeting.
const MEETING: i64 = 1_789_473_600_000;
/// 2026-12-05T12:00:00Z: the brief is read.
const NOW: i64 = 1_796_472_000_000;

fn at(ms: i64) -> EditContext {
    EditContext {
        advisor: "Avery Advisor".into(),
        device: "laptop".into(),
        now_ms: ms,
        utc_offset_secs: 0,
    }
}

const ANALYSIS: &str = r#"{
  "notes": [{"category": "decisions", "text": "Keep the moderate allocation.", "spans": []}],
  "action_items": [
    {"what": "send the 529 contribution form", "owner": "advisor", "due": "2026-09-18", "due_phrase": "by Friday", "span": {"segment": 0, "start": 0, "end": 1}},
    {"what": "send the latest 401(k) statement", "owner": "client", "due": "2026-09-22", "due_phrase": "by next Tuesday", "span": {"segment": 1, "start": 0, "end": 1}},
    {"what": "review the bond sleeve", "owner": "advisor", "due": null, "due_phrase": null, "span": {"segment": 2, "start": 0, "end": 1}}
  ],
  "facts": [],
  "flags": [{"rule_id": "guarantee.no_loss", "kind": "guarantee", "span": {"segment": 3, "start": 0, "end": 1}, "excerpt": "you can't lose money", "redacted": false}],
  "email": {"subject": "Follow-up", "body": "Hi", "tone": "professional_warm"}
}"#;

#[test]
fn the_brief_shows_changes_since_the_last_meeting_and_suggests_an_agenda() {
    let mut h = Household::create(
        DocumentId::random(),
        "The Johnson Family",
        HouseholdStatus::Client,
        ActorId::random(),
        &at(MEETING - 200 * DAY),
    )
    .unwrap()
    .value;
    let robert = h
        .add_member(
            &Member {
                name: "Robert Johnson".into(),
                role: Role::Head,
                birth_year: Some(1951),
                birth_date: Some("1951-03-14".into()),
                ..Default::default()
            },
            &at(MEETING - 200 * DAY),
        )
        .unwrap()
        .value;
    let ava = h
        .add_member(
            &Member {
                name: "Ava Johnson".into(),
                role: Role::Child,
                birth_year: Some(2014),
                birth_date: Some("2014-06-01".into()),
                ..Default::default()
            },
            &at(MEETING - 200 * DAY),
        )
        .unwrap()
        .value;
    let ira = h
        .add_account(
            &Account {
                kind: "Rollover IRA".into(),
                aum: Some("1000000.00".into()),
                aum_as_of: Some("2026-06-30".into()),
                owner: Some(robert.clone()),
                ..Default::default()
            },
            &at(MEETING - 100 * DAY),
        )
        .unwrap()
        .value;
    let meeting = h
        .add_meeting(
            &Meeting {
                title: "Q3 review".into(),
                started_at: MEETING,
                duration_secs: Some(1800),
                participants: vec!["Robert Johnson".into()],
                consent: None,
                transcript: Vec::new(),
                audio: None,
                analysis: Some(ANALYSIS.into()),
                redactions: None,
                accepted: vec!["action:0".into(), "action:1".into()],
                scheduled: false,
                recovered: false,
                audio_notice: None,
            },
            &at(MEETING),
        )
        .unwrap()
        .value;
    // Action item 0 was filed and done; item 1 (the client's) filed and still open; item 2
    // never filed.
    for (item, title, done) in [
        ("action:0", "Send the 529 form", true),
        ("action:1", "Client: send statement", false),
    ] {
        let mut task = Task {
            title: title.into(),
            owner: "Avery Advisor".into(),
            due: Some("2026-09-22".into()),
            status: TaskStatus::Open,
            source_meeting: Some(meeting.clone()),
            created_at: MEETING,
            snoozed_until: None,
            closed_at: None,
            source_item: Some(item.into()),
        };
        if done {
            task.status = TaskStatus::Done;
        }
        h.file_meeting_items(&meeting, &[], &[task], &[], &[], &at(MEETING + 1000))
            .unwrap();
    }
    h.add_task(
        "Call about the RMD",
        "Avery Advisor",
        Some("2026-12-01"),
        None,
        &at(NOW - 10 * DAY),
    )
    .unwrap();
    h.update_account(
        &ira,
        &AccountPatch {
            aum: Some(NewBalance {
                amount: "920000.00".into(),
                as_of: Some("2026-11-30".into()),
            }),
            ..Default::default()
        },
        &at(NOW - DAY),
    )
    .unwrap();
    h.add_goal(
        &Goal {
            title: "Ava's college".into(),
            target_amount: Some("100000".into()),
            funded_amount: Some("10000".into()),
            started_on: Some("2024-01-01".into()),
            target_date: Some("2032-08-15".into()),
        },
        &at(NOW),
    )
    .unwrap();

    let data = h.data().unwrap();
    let input = HouseholdInput {
        people: vec![
            Person {
                id: robert.clone(),
                name: "Robert Johnson".into(),
                role: "Head".into(),
                birth: Some(Birth::Date(NaiveDate::from_ymd_opt(1951, 3, 14).unwrap())),
            },
            Person {
                id: ava.clone(),
                name: "Ava Johnson".into(),
                role: "Child".into(),
                birth: Some(Birth::Date(NaiveDate::from_ymd_opt(2014, 6, 1).unwrap())),
            },
        ],
        accounts: vec![AccountInput {
            id: ira.clone(),
            kind: "Rollover IRA".into(),
            owner: Some(robert.clone()),
            closed: false,
        }],
        goals: vec![GoalInput {
            id: "g".into(),
            title: "Ava's college".into(),
            target_amount: Some(100_000.into()),
            funded_amount: Some(10_000.into()),
            started_on: NaiveDate::from_ymd_opt(2024, 1, 1),
            target_date: NaiveDate::from_ymd_opt(2032, 8, 15),
        }],
        ..Default::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    let brief = build(&data.id, &data, Some(&input), 0, today, NOW);

    let account = &brief.accounts[0];
    let change = account
        .change_since_last_meeting
        .as_ref()
        .expect("a change");
    assert_eq!(
        (
            change.from.as_str(),
            change.from_as_of.as_str(),
            change.delta.as_str()
        ),
        ("1000000.00", "2026-06-30", "-80000.00")
    );
    assert_eq!(change.percent.as_deref(), Some("-8.00"));
    assert_eq!(account.owner.as_deref(), Some("Robert Johnson"));

    let last = brief.last_meeting.as_ref().expect("last meeting");
    assert_eq!(last.title, "Q3 review");
    assert_eq!(last.decisions, ["Keep the moderate allocation."]);
    let items: Vec<(&str, &str, &str)> = last
        .action_items
        .iter()
        .map(|i| (i.what.as_str(), i.side, i.status))
        .collect();
    assert_eq!(
        items,
        [
            ("send the 529 contribution form", "advisor", "done"),
            ("send the latest 401(k) statement", "client", "open"),
            ("review the bond sleeve", "advisor", "not filed"),
        ]
    );

    let ages: Vec<(&str, Option<u32>)> = brief
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.age))
        .collect();
    assert!(ages.contains(&("Robert Johnson", Some(75))), "{ages:?}");
    assert!(ages.contains(&("Ava Johnson", Some(12))), "{ages:?}");
    let loops: Vec<(&str, bool)> = brief
        .open_loops
        .iter()
        .map(|l| (l.title.as_str(), l.overdue))
        .collect();
    assert_eq!(
        loops,
        [
            ("Client: send statement", true),
            ("Call about the RMD", true)
        ],
        "overdue first, oldest first"
    );
    assert_eq!(brief.compliance.flags.len(), 1);
    assert_eq!(brief.compliance.flags[0].kind, "Guarantee of an outcome");
    assert_eq!(brief.goals[0].progress_percent.as_deref(), Some("10.00"));

    let agenda = brief.agenda.join("\n");
    for expected in [
        "Overdue: Call about the RMD (due 2026-12-01)",
        "Check on the client's item from Q3 review: send the latest 401(k) statement",
        "RMD: Robert Johnson: 2026 RMD due by December 31, 2026",
        "Rollover IRA is down 8.00% (80,000.00) since the last meeting",
        "529 gap: Ava Johnson (12) has no education savings account",
        "Offer Form ADV Part 2A (no delivery noted)",
        "Follow up on 1 compliance flag from recent meetings",
    ] {
        assert!(agenda.contains(expected), "{expected:?} not in:\n{agenda}");
    }
    assert!(
        brief.agenda.iter().any(|a| a.contains("behind pace")),
        "the goal is behind its straight-line pace: {agenda}"
    );
}

#[test]
fn a_household_with_nothing_in_it_gets_an_empty_brief() {
    let h = Household::create(
        DocumentId::random(),
        "Nakamura",
        HouseholdStatus::Prospect,
        ActorId::random(),
        &at(NOW),
    )
    .unwrap()
    .value;
    let data = h.data().unwrap();
    let brief = build(
        &data.id,
        &data,
        None,
        0,
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        NOW,
    );
    assert!(brief.last_meeting.is_none());
    assert!(brief.agenda.is_empty(), "{:?}", brief.agenda);
    assert_eq!(brief.aum_total, None);
}
