//! Concurrent offline edits on two replicas merge to the same state in either order.

use hearth_core::automerge::ActorId;
use hearth_core::*;

fn ctx(advisor: &str, device: &str, now_ms: i64) -> EditContext {
    EditContext {
        advisor: advisor.to_string(),
        device: device.to_string(),
        now_ms,
        utc_offset_secs: 0,
    }
}

fn replica_of(original: &mut Household, actor: &str) -> Household {
    Household::load(&original.save(), &[], ActorId::from(actor.as_bytes())).unwrap()
}

#[test]
fn concurrent_member_add_and_same_note_edits_merge_in_both_orders() {
    let alice = ctx("Alice Advisor", "alice-laptop", 1_700_000_000_000);
    let bob = ctx("Bob Advisor", "bob-laptop", 1_700_000_500_000);
    let mut base = Household::create(
        DocumentId::random(),
        "The Johnson Family",
        HouseholdStatus::Client,
        ActorId::from(b"base-actor".as_slice()),
        &alice,
    )
    .unwrap()
    .value;
    let note = base
        .add_note(
            NoteCategory::Discussion,
            "Discussed the 529 plan.",
            None,
            &alice,
        )
        .unwrap()
        .value;

    let mut a = replica_of(&mut base, "replica-a");
    let mut b = replica_of(&mut base, "replica-b");

    // Offline on A: a member is added and the note gets a sentence at its start.
    a.add_member(
        &Member {
            name: "Jane Johnson".into(),
            role: Role::Spouse,
            birth_year: Some(1968),
            ..Default::default()
        },
        &alice,
    )
    .unwrap();
    a.edit_note(&note, "Annual review. Discussed the 529 plan.", &alice)
        .unwrap();
    // Offline on B: the same note gets a sentence at its end, and the household is renamed.
    b.edit_note(&note, "Discussed the 529 plan. Send forms.", &bob)
        .unwrap();
    b.rename("Johnson Household", &bob).unwrap();

    let mut ab = a.clone();
    ab.merge(&mut b.clone()).unwrap();
    let mut ba = b.clone();
    ba.merge(&mut a.clone()).unwrap();

    let (x, y) = (ab.data().unwrap(), ba.data().unwrap());
    assert_eq!(x, y, "both merge orders reach the same state");
    assert_eq!(ab.heads(), ba.heads());
    assert_eq!(
        x.notes[&note].body.as_str(),
        "Annual review. Discussed the 529 plan. Send forms.",
        "both edits to the note survive, character-wise"
    );
    assert_eq!(x.name, "Johnson Household");
    assert_eq!(x.members.len(), 1);
    assert_eq!(x.members.values().next().unwrap().name, "Jane Johnson");
}

#[test]
fn concurrent_adds_to_a_collection_keep_both_items() {
    let c = ctx("A", "d", 0);
    let mut base = Household::create(
        DocumentId::random(),
        "Lee",
        HouseholdStatus::Prospect,
        ActorId::random(),
        &c,
    )
    .unwrap()
    .value;
    let mut a = replica_of(&mut base, "a");
    let mut b = replica_of(&mut base, "b");
    a.add_task("Send ACAT form", "A", Some("2026-12-01"), None, &c)
        .unwrap();
    b.add_task("Call about RMD", "B", None, None, &c).unwrap();
    a.merge(&mut b).unwrap();
    let titles: Vec<_> = a
        .data()
        .unwrap()
        .tasks
        .values()
        .map(|t| t.title.clone())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
}

#[test]
fn history_names_advisor_and_device_for_each_change() {
    let alice = ctx("Alice Advisor", "alice-laptop", 1_700_000_000_000);
    let mut h = Household::create(
        DocumentId::random(),
        "Patel",
        HouseholdStatus::Client,
        ActorId::random(),
        &alice,
    )
    .unwrap()
    .value;
    let task = h
        .add_task("Rebalance", "Alice Advisor", None, None, &alice)
        .unwrap()
        .value;
    h.set_task_status(&task, TaskStatus::Done, &alice).unwrap();
    let history = h.history().unwrap();
    let summaries: Vec<_> = history.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Created household Patel",
            "Opened task Rebalance",
            "Completed task Rebalance"
        ]
    );
    assert!(
        history
            .iter()
            .all(|e| e.advisor.as_deref() == Some("Alice Advisor")
                && e.device.as_deref() == Some("alice-laptop")
                && e.time == 1_700_000_000)
    );
}

#[test]
fn bad_edits_are_refused_and_change_nothing() {
    let c = ctx("A", "d", 0);
    let mut h = Household::create(
        DocumentId::random(),
        "Kim",
        HouseholdStatus::Client,
        ActorId::random(),
        &c,
    )
    .unwrap()
    .value;
    let before = h.heads();
    assert!(matches!(
        h.set_task_status("nope", TaskStatus::Done, &c),
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        h.edit_note("nope", "x", &c),
        Err(CoreError::NotFound { .. })
    ));
    assert!(h.add_task("  ", "A", None, None, &c).is_err());
    assert!(
        h.add_task("Do it", "A", Some("31/12/2026"), None, &c)
            .is_err()
    );
    let bad_account = Account {
        kind: "IRA".into(),
        custodian: None,
        registration: None,
        aum: Some("1.2e6".into()),
        ..Default::default()
    };
    assert!(h.add_account(&bad_account, &c).is_err());
    assert!(
        h.set_custom("carrier", &serde_json::json!("x"), &c)
            .is_err()
    );
    assert_eq!(h.heads(), before, "nothing was committed");
    assert!("Grandparent".parse::<Role>().is_err());
    assert!("gossip".parse::<NoteCategory>().is_err());
}

#[test]
fn custom_fields_follow_the_template() {
    let c = ctx("A", "d", 0);
    let mut h = Household::create(
        DocumentId::random(),
        "Ortiz",
        HouseholdStatus::Client,
        ActorId::random(),
        &c,
    )
    .unwrap()
    .value;
    let insurance = template::builtin_templates()
        .into_iter()
        .find(|t| t.name == "insurance")
        .unwrap();
    h.apply_template(&insurance, &c).unwrap();
    h.set_custom("face_amount", &serde_json::json!(250000), &c)
        .unwrap();
    assert!(
        h.set_custom("face_amount", &serde_json::json!("a lot"), &c)
            .is_err()
    );
    assert_eq!(h.data().unwrap().custom["face_amount"], "250000");
}

#[test]
fn loading_garbage_is_a_clear_error() {
    let err = Household::load(b"definitely not automerge", &[], ActorId::random()).unwrap_err();
    assert!(matches!(err, CoreError::Corrupt(_)), "{err}");
    // A valid Automerge document that is not a household is refused too.
    let mut other = hearth_core::automerge::AutoCommit::new();
    use hearth_core::automerge::transaction::Transactable;
    other
        .put(hearth_core::automerge::ROOT, "hello", "world")
        .unwrap();
    let err = Household::load(&other.save(), &[], ActorId::random()).unwrap_err();
    assert!(err.to_string().contains("not a household"), "{err}");
}

#[test]
fn strings_written_as_text_by_javascript_clients_still_read() {
    use hearth_core::automerge::transaction::Transactable;
    use hearth_core::automerge::{ObjType, ROOT, ReadDoc};
    let c = ctx("A", "d", 0);
    let mut h = Household::create(
        DocumentId::random(),
        "Scalar",
        HouseholdStatus::Client,
        ActorId::random(),
        &c,
    )
    .unwrap()
    .value;
    // What `doc.name = "..."` does in JavaScript automerge: a text object, not a scalar.
    let doc = h.doc_mut();
    let text = doc.put_object(ROOT, "name", ObjType::Text).unwrap();
    doc.splice_text(&text, 0, 0, "Written By JS").unwrap();
    doc.commit();
    assert_eq!(h.data().unwrap().name, "Written By JS");
    assert_eq!(h.summary().unwrap().name, "Written By JS");
    assert!(h.doc().get(ROOT, "name").unwrap().is_some());
}

#[test]
fn history_order_is_the_same_on_every_replica() {
    let c = ctx("A", "d", 1_000);
    let mut base = Household::create(
        DocumentId::random(),
        "Order",
        HouseholdStatus::Client,
        ActorId::random(),
        &c,
    )
    .unwrap()
    .value;
    let mut a = replica_of(&mut base, "a");
    let mut b = replica_of(&mut base, "b");
    for n in 0..3 {
        a.add_task(&format!("a{n}"), "A", None, None, &c).unwrap();
        b.add_task(&format!("b{n}"), "B", None, None, &c).unwrap();
    }
    let mut ab = a.clone();
    ab.merge(&mut b.clone()).unwrap();
    let mut ba = b.clone();
    ba.merge(&mut a.clone()).unwrap();
    assert_eq!(ab.history().unwrap(), ba.history().unwrap());
    let h = ab.history().unwrap();
    assert_eq!(
        h[0].summary, "Created household Order",
        "causal order first"
    );
}

#[test]
fn a_household_written_by_another_client_may_leave_optional_parts_out() {
    use hearth_core::automerge::transaction::Transactable;
    use hearth_core::automerge::{AutoCommit, ROOT};
    let id = DocumentId::random();
    // Only what a minimal JavaScript client would write.
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "schema", 1u64).unwrap();
    doc.put(ROOT, "id", id.to_string()).unwrap();
    doc.put(ROOT, "name", "Minimal").unwrap();
    doc.put(ROOT, "status", "prospect").unwrap();
    doc.put(ROOT, "created_at", 0i64).unwrap();
    let h = Household::from_doc(doc).unwrap();
    let data = h.data().unwrap();
    assert_eq!(
        (data.name.as_str(), data.members.len(), data.address),
        ("Minimal", 0, None)
    );
}
