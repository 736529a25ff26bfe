//! Review-then-file helpers and the e-mail draft.

use chrono::NaiveDate;
use hearth_core::{NoteCategory, TaskStatus};
use hearth_intel::{
    Engine, IntelError, LocalEngine, MeetingContext, Owner, Review, Segment, SuggestedNote, Tone,
    Transcript, client_fact_from_fact, plan_filing, task_from_action_item,
};

fn meeting(tone: Tone) -> (Transcript, MeetingContext) {
    let seg = |speaker: &str, text: &str| Segment {
        start_ms: 0,
        end_ms: 1,
        speaker: Some(speaker.into()),
        text: text.into(),
    };
    (
        Transcript {
            segments: vec![
                seg(
                    "Dana",
                    "So the decision is: we convert 80,000 from the IRA in November.",
                ),
                seg(
                    "Robert",
                    "Sounds good. I'm more conservative than I used to be, honestly.",
                ),
                seg(
                    "Dana",
                    "I'll run the tax projection and send it to you by Friday. Robert, can you send me last year's return by the end of the month?",
                ),
                seg(
                    "Robert",
                    "Sure. The account number is 7730019842 if you need it.",
                ),
                seg("Dana", "I guarantee you won't lose money on this."),
            ],
        },
        MeetingContext {
            meeting_date: NaiveDate::from_ymd_opt(2025, 3, 3).expect("date"),
            household_name: "Henderson Household".into(),
            advisor_name: "Dana Whitfield".into(),
            client_names: vec!["Robert Henderson".into(), "Linda Henderson".into()],
            greeted: None,
            tone,
        },
    )
}

#[test]
fn accepted_items_become_core_records() {
    let (t, ctx) = meeting(Tone::ProfessionalWarm);
    let a = LocalEngine::new().analyze(&t, &ctx).expect("analysis");
    assert_eq!(a.action_items.len(), 2, "{:#?}", a.action_items);
    let adv = a
        .action_items
        .iter()
        .position(|i| i.owner == Owner::Advisor)
        .expect("advisor item");
    let cli = a
        .action_items
        .iter()
        .position(|i| i.owner == Owner::Client)
        .expect("client item");

    let task = task_from_action_item(&a.action_items[adv], &ctx, "m-42", 1_700_000_000_000);
    assert!(
        task.title.starts_with("Run the tax projection"),
        "{}",
        task.title
    );
    assert_eq!(task.owner, "Dana Whitfield");
    assert_eq!(task.due.as_deref(), Some("2025-03-07"));
    assert_eq!(task.status, TaskStatus::Open);
    assert_eq!(task.source_meeting.as_deref(), Some("m-42"));

    let task = task_from_action_item(&a.action_items[cli], &ctx, "m-42", 0);
    assert!(
        task.title
            .starts_with("Robert Henderson & Linda Henderson: send me last year"),
        "{}",
        task.title
    );
    assert_eq!(task.due.as_deref(), Some("2025-03-31"));

    let risk = a
        .facts
        .iter()
        .find(|f| f.key == "risk_tolerance")
        .expect("risk fact");
    let fact = client_fact_from_fact(risk, "m-42");
    assert_eq!(fact.value, "conservative");
    assert_eq!(fact.source, "meeting:m-42");
    assert!(fact.accepted);
    assert!((0.0..=1.0).contains(&fact.confidence));

    // Notes are filed only once certified; edits are redacted again.
    let review = Review {
        accepted_action_items: vec![adv],
        accepted_facts: vec![],
        certified_notes: None,
    };
    let plan = plan_filing(&a, &review, &ctx, "m-42", 0).expect("plan");
    assert_eq!(plan.tasks.len(), 1);
    assert!(plan.notes.is_empty());
    let mut edited = a.notes.clone();
    edited.push(SuggestedNote {
        category: NoteCategory::Planning,
        text: "Client SSN 412-55-8830 on file.".into(),
        spans: vec![],
    });
    let review = Review {
        certified_notes: Some(edited),
        ..Review::default()
    };
    let plan = plan_filing(&a, &review, &ctx, "m-42", 0).expect("plan");
    assert!(
        plan.notes
            .iter()
            .any(|(c, t)| *c == NoteCategory::Planning && t.contains("***-**-8830"))
    );
    assert!(plan.notes.iter().all(|(_, t)| !t.contains("412-55")));
    assert!(
        plan.notes
            .iter()
            .any(|(c, _)| *c == NoteCategory::Decisions)
    );
    assert!(
        plan.notes
            .iter()
            .any(|(c, _)| *c == NoteCategory::Compliance)
    );

    let bad = Review {
        accepted_facts: vec![99],
        ..Review::default()
    };
    assert!(matches!(
        plan_filing(&a, &bad, &ctx, "m-42", 0),
        Err(IntelError::InvalidReview {
            what: "fact",
            index: 99
        })
    ));
}

#[test]
fn email_draft_follows_the_tone_and_lists_owners_and_dates() {
    let mut bodies = Vec::new();
    for tone in [Tone::ProfessionalWarm, Tone::Formal, Tone::Conversational] {
        let (t, ctx) = meeting(tone);
        let a = LocalEngine::new().analyze(&t, &ctx).expect("analysis");
        let e = &a.email;
        assert_eq!(e.tone, tone);
        assert!(
            e.body
                .contains("Run the tax projection and send it to you (by Fri Mar 7)"),
            "{}",
            e.body
        );
        assert!(
            e.body
                .contains("Send me last year's return (by Mon Mar 31)"),
            "{}",
            e.body
        );
        assert!(
            e.body
                .contains("we convert 80,000 from the IRA in November"),
            "{}",
            e.body
        );
        assert!(e.body.ends_with("Dana Whitfield\n"));
        // The flagged guarantee and the account number never reach the draft.
        assert!(!e.body.contains("guarantee"));
        assert!(!e.body.contains("7730019842"));
        bodies.push((e.subject.clone(), e.body.clone()));
    }
    assert!(bodies[0].1.starts_with("Hi Robert and Linda,"));
    assert!(
        bodies[1]
            .1
            .starts_with("Dear Robert Henderson and Linda Henderson,")
    );
    assert!(bodies[2].1.starts_with("Hi Robert and Linda!"));
    assert_ne!(bodies[0].0, bodies[1].0);
}

#[test]
fn analysis_round_trips_through_json() {
    let (t, ctx) = meeting(Tone::Formal);
    let a = LocalEngine::new().analyze(&t, &ctx).expect("analysis");
    let json = serde_json::to_string(&a).expect("json");
    let back: hearth_intel::Analysis = serde_json::from_str(&json).expect("parse");
    assert_eq!(a, back);
    assert!(json.contains("\"category\":\"decisions\""));
    for f in &a.flags {
        assert!(t.contains_span(&f.span));
    }
    for i in &a.action_items {
        assert!(t.contains_span(&i.span));
    }
}
