//! Correcting a household: every edit and removal, and what happens when two replicas race.

use hearth_core::automerge::ActorId;
use hearth_core::*;

fn ctx(advisor: &str, now_ms: i64) -> EditContext {
    EditContext {
        advisor: advisor.to_string(),
        device: format!("{advisor}'s laptop"),
        now_ms,
        utc_offset_secs: 0,
    }
}

const DAY_MS: i64 = 86_400_000;
/// 2026-12-01T12:00:00Z
const T0: i64 = 1_796_126_400_000;

fn household(advisor: &EditContext) -> Household {
    Household::create(
        DocumentId::random(),
        "The Johnson Family",
        HouseholdStatus::Prospect,
        ActorId::random(),
        advisor,
    )
    .unwrap()
    .value
}

fn replica(of: &mut Household) -> Household {
    Household::load(&of.save(), &[], ActorId::random()).unwrap()
}

fn merged(a: &Household, b: &Household) -> Household {
    let mut ab = a.clone();
    ab.merge(&mut b.clone()).unwrap();
    let mut ba = b.clone();
    ba.merge(&mut a.clone()).unwrap();
    assert_eq!(
        ab.data().unwrap(),
        ba.data().unwrap(),
        "merge order matters"
    );
    ab
}

fn last_summary(h: &mut Household) -> String {
    h.history().unwrap().last().unwrap().summary.clone()
}

#[test]
fn every_record_can_be_corrected_and_each_edit_is_one_attributed_change() {
    let avery = ctx("Avery Advisor", T0);
    let mut h = household(&avery);

    h.update_household(
        &HouseholdPatch {
            name: Some("Johnson Household".into()),
            status: Some(HouseholdStatus::Client),
            segment: Some(Some("A".into())),
            client_ref: Some(Some(" C-1042 ".into())),
            address: Some(Some(Address {
                line1: "1 Main St".into(),
                city: "Springfield".into(),
                region: Some("IL".into()),
                ..Default::default()
            })),
            add_tags: vec!["referral".into(), "vip".into()],
            remove_tags: vec![],
        },
        &avery,
    )
    .unwrap();
    h.update_household(
        &HouseholdPatch {
            remove_tags: vec!["vip".into()],
            address: Some(None),
            ..Default::default()
        },
        &avery,
    )
    .unwrap();
    let d = h.data().unwrap();
    assert_eq!(
        (d.name.as_str(), d.status, d.segment.as_deref()),
        ("Johnson Household", HouseholdStatus::Client, Some("A"))
    );
    assert_eq!(d.tags, ["referral"]);
    assert_eq!(d.client_ref.as_deref(), Some("C-1042"), "trimmed");
    assert_eq!(d.address, None);
    assert_eq!(
        last_summary(&mut h),
        "Updated household: untagged vip; address cleared"
    );

    let linda = h
        .add_member(
            &Member {
                name: "Linda Johnson".into(),
                role: Role::Spouse,
                birth_year: Some(1961),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    h.update_member(
        &linda,
        &MemberPatch {
            birth: Some(Some("1961-04-02".into())),
            phone: Some(Some("555-0101".into())),
            ..Default::default()
        },
        &avery,
    )
    .unwrap();
    let m = &h.data().unwrap().members[&linda];
    assert_eq!(
        (m.birth_year, m.birth_date.as_deref()),
        (Some(1961), Some("1961-04-02"))
    );
    assert_eq!(m.contact.phone.as_deref(), Some("555-0101"));
    assert_eq!(
        last_summary(&mut h),
        "Edited member Linda Johnson: birth date, phone"
    );
    // A year alone is still accepted, and clears the full date.
    h.update_member(
        &linda,
        &MemberPatch {
            birth: Some(Some("1960".into())),
            ..Default::default()
        },
        &avery,
    )
    .unwrap();
    let m = &h.data().unwrap().members[&linda];
    assert_eq!((m.birth_year, m.birth_date.as_deref()), (Some(1960), None));

    let ira = h
        .add_account(
            &Account {
                kind: "Rollover IRA".into(),
                aum: Some("1250000.00".into()),
                aum_as_of: Some("2026-06-30".into()),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    assert_eq!(
        last_summary(&mut h),
        "Added account Rollover IRA with AUM 1,250,000.00"
    );
    let later = ctx("Avery Advisor", T0 + DAY_MS);
    h.update_account(
        &ira,
        &AccountPatch {
            aum: Some(NewBalance {
                amount: "1300000.00".into(),
                as_of: Some("2026-11-30".into()),
            }),
            owner: Some(Some(linda.clone())),
            custodian: Some(Some("Schwab".into())),
            ..Default::default()
        },
        &later,
    )
    .unwrap();
    assert_eq!(
        last_summary(&mut h),
        "Updated AUM of Rollover IRA to 1,300,000.00 as of 2026-11-30; edited custodian, owner"
    );
    // A balance entered late, for an earlier date, joins the history but is not current.
    h.update_account(
        &ira,
        &AccountPatch {
            aum: Some(NewBalance {
                amount: "1280000.00".into(),
                as_of: Some("2026-09-30".into()),
            }),
            ..Default::default()
        },
        &later,
    )
    .unwrap();
    let a = &h.data().unwrap().accounts[&ira];
    assert_eq!(
        (a.aum.as_deref(), a.aum_as_of.as_deref()),
        (Some("1300000.00"), Some("2026-11-30"))
    );
    let mut history: Vec<_> = a
        .balances
        .values()
        .map(|b| (b.as_of.as_str(), b.amount.as_str()))
        .collect();
    history.sort();
    assert_eq!(
        history,
        [
            ("2026-06-30", "1250000.00"),
            ("2026-09-30", "1280000.00"),
            ("2026-11-30", "1300000.00")
        ]
    );
    assert_eq!(a.owner.as_deref(), Some(linda.as_str()));
    h.update_account(
        &ira,
        &AccountPatch {
            closed_on: Some(Some("2026-12-01".into())),
            ..Default::default()
        },
        &later,
    )
    .unwrap();
    assert_eq!(
        h.data().unwrap().accounts[&ira].closed_on.as_deref(),
        Some("2026-12-01")
    );

    let goal = h
        .add_goal(
            &Goal {
                title: "Fund Ava's college".into(),
                target_amount: Some("180000".into()),
                target_date: Some("2030-08-15".into()),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    assert_eq!(
        h.data().unwrap().goals[&goal].started_on.as_deref(),
        Some("2026-12-01"),
        "a goal starts the day it is added"
    );
    h.update_goal(
        &goal,
        &GoalPatch {
            funded_amount: Some(Some("40000.00".into())),
            ..Default::default()
        },
        &avery,
    )
    .unwrap();
    assert_eq!(
        last_summary(&mut h),
        "Edited goal Fund Ava's college: funded amount 40,000.00"
    );

    let fact = h
        .add_fact(
            &ClientFact {
                key: "risk_tolerance".into(),
                value: "moderate".into(),
                source: "advisor".into(),
                confidence: 1.0,
                accepted: true,
                recorded_at: None,
                retired_at: None,
            },
            &avery,
        )
        .unwrap()
        .value;
    assert_eq!(h.data().unwrap().facts[&fact].recorded_at, Some(T0));
    h.update_fact(
        &fact,
        &FactPatch {
            value: Some("growth".into()),
            ..Default::default()
        },
        &avery,
    )
    .unwrap();
    h.retire_fact(&fact, &later).unwrap();
    let f = &h.data().unwrap().facts[&fact];
    assert_eq!(
        (f.value.as_str(), f.retired_at),
        ("growth", Some(T0 + DAY_MS))
    );
    assert_eq!(last_summary(&mut h), "Retired fact risk_tolerance (growth)");

    let note = h
        .add_note(
            NoteCategory::Planning,
            "Reviewed the RMD schedule with Linda and Robert.",
            None,
            &avery,
        )
        .unwrap()
        .value;
    h.remove_note(&note, &avery).unwrap();
    assert!(h.data().unwrap().notes.is_empty());
    assert_eq!(
        last_summary(&mut h),
        "Deleted planning note \u{201c}Reviewed the RMD schedule with Linda and\u{2026}\u{201d}"
    );

    let task = h
        .add_task(
            "Send 529 forms",
            "Avery Advisor",
            Some("2026-12-04"),
            None,
            &avery,
        )
        .unwrap()
        .value;
    h.update_task(
        &task,
        &TaskPatch {
            due: Some(Some("2026-12-10".into())),
            owner: Some("Blake Advisor".into()),
            ..Default::default()
        },
        &avery,
    )
    .unwrap();
    assert_eq!(
        last_summary(&mut h),
        "Edited task Send 529 forms: due 2026-12-10, owner Blake Advisor"
    );
    h.set_task_status(&task, TaskStatus::Cancelled, &later)
        .unwrap();
    assert_eq!(h.data().unwrap().tasks[&task].closed_at, Some(T0 + DAY_MS));
    h.set_task_status(&task, TaskStatus::Open, &later).unwrap();
    let t = &h.data().unwrap().tasks[&task];
    assert_eq!((t.status, t.closed_at), (TaskStatus::Open, None));
    assert_eq!(last_summary(&mut h), "Reopened task Send 529 forms");

    h.remove_goal(&goal, &avery).unwrap();
    h.remove_account(&ira, &avery).unwrap();
    h.remove_member(&linda, &avery).unwrap();
    let d = h.data().unwrap();
    assert!(d.goals.is_empty() && d.accounts.is_empty() && d.members.is_empty());
    let history = h.history().unwrap();
    let tail: Vec<_> = history[history.len() - 3..]
        .iter()
        .map(|e| (e.summary.as_str(), e.advisor.as_deref()))
        .collect();
    assert_eq!(
        tail,
        [
            ("Removed goal Fund Ava's college", Some("Avery Advisor")),
            ("Removed account Rollover IRA", Some("Avery Advisor")),
            ("Removed member Linda Johnson", Some("Avery Advisor")),
        ],
        "history says who removed what"
    );
}

#[test]
fn an_edit_racing_a_removal_does_not_resurrect_half_an_item() {
    let avery = ctx("Avery Advisor", T0);
    let blake = ctx("Blake Advisor", T0 + 1000);
    let mut base = household(&avery);
    let member = base
        .add_member(
            &Member {
                name: "Robert Johnson".into(),
                role: Role::Head,
                birth_year: Some(1958),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    let account = base
        .add_account(
            &Account {
                kind: "401(k)".into(),
                aum: Some("500000".into()),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    let mut a = replica(&mut base);
    let mut b = replica(&mut base);
    a.remove_member(&member, &avery).unwrap();
    a.remove_account(&account, &avery).unwrap();
    b.update_member(
        &member,
        &MemberPatch {
            name: Some("Rob Johnson".into()),
            email: Some(Some("rob@example.com".into())),
            ..Default::default()
        },
        &blake,
    )
    .unwrap();
    b.update_account(
        &account,
        &AccountPatch {
            aum: Some(NewBalance {
                amount: "510000".into(),
                as_of: None,
            }),
            ..Default::default()
        },
        &blake,
    )
    .unwrap();
    let m = merged(&a, &b);
    let data = m.data().expect("the merged household still reads");
    assert!(data.members.is_empty(), "{:?}", data.members);
    assert!(data.accounts.is_empty(), "{:?}", data.accounts);
    assert!(m.conflicts().unwrap().is_empty());
}

#[test]
fn two_advisors_setting_the_same_field_see_a_conflict_until_one_is_picked() {
    let avery = ctx("Avery Advisor", T0);
    let blake = ctx("Blake Advisor", T0 + 1000);
    let mut base = household(&avery);
    let ira = base
        .add_account(
            &Account {
                kind: "Rollover IRA".into(),
                aum: Some("1250000.00".into()),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    let mut a = replica(&mut base);
    let mut b = replica(&mut base);
    let set = |h: &mut Household, amount: &str, who: &EditContext| {
        h.update_account(
            &ira,
            &AccountPatch {
                aum: Some(NewBalance {
                    amount: amount.into(),
                    as_of: Some("2026-12-02".into()),
                }),
                ..Default::default()
            },
            who,
        )
        .unwrap();
    };
    set(&mut a, "1280000.00", &avery);
    set(&mut b, "1300000.00", &blake);
    // Different fields of the same item merge without a conflict.
    b.update_account(
        &ira,
        &AccountPatch {
            custodian: Some(Some("Schwab".into())),
            ..Default::default()
        },
        &blake,
    )
    .unwrap();

    let mut m = merged(&a, &b);
    let conflicts = m.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
    let c = &conflicts[0];
    assert_eq!(c.path, ["accounts", ira.as_str(), "aum"]);
    assert_eq!(c.label, "AUM of Rollover IRA");
    let mut values: Vec<_> = c
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.advisor.as_deref()))
        .collect();
    values.sort();
    assert_eq!(
        values,
        [
            ("1,280,000.00", Some("Avery Advisor")),
            ("1,300,000.00", Some("Blake Advisor"))
        ]
    );
    assert_eq!(c.values.iter().filter(|v| v.shown).count(), 1);
    let shown = c.values.iter().find(|v| v.shown).unwrap();
    assert_eq!(
        m.data().unwrap().accounts[&ira].aum.as_deref(),
        Some(shown.value.replace(',', "").as_str()),
        "the shown value is what the household reads"
    );
    assert_eq!(
        c.describe("Avery Advisor"),
        "AUM of Rollover IRA: Blake Advisor set 1,300,000.00 at the same time as you (1,280,000.00)"
    );
    // Both balances are in the history; only the current AUM conflicts.
    assert_eq!(m.data().unwrap().accounts[&ira].balances.len(), 3);
    assert_eq!(
        m.data().unwrap().accounts[&ira].custodian.as_deref(),
        Some("Schwab")
    );
    assert_eq!(m.digest().unwrap().conflicts, 1);

    // Bad picks change nothing.
    let heads = m.heads();
    assert!(matches!(
        m.resolve_conflict(&c.path, "1,290,000.00", &avery),
        Err(CoreError::NoSuchConflict(_))
    ));
    assert!(matches!(
        m.resolve_conflict(
            &["accounts".into(), ira.clone(), "kind".into()],
            "IRA",
            &avery
        ),
        Err(CoreError::NoSuchConflict(_))
    ));
    assert_eq!(m.heads(), heads);

    m.resolve_conflict(&c.path, "1,300,000.00", &avery).unwrap();
    assert!(m.conflicts().unwrap().is_empty());
    assert_eq!(
        m.data().unwrap().accounts[&ira].aum.as_deref(),
        Some("1300000.00")
    );
    assert_eq!(
        last_summary(&mut m),
        "Resolved AUM of Rollover IRA: kept 1,300,000.00"
    );
    // The resolution travels: a replica that had only the conflict takes it.
    let mut stale = merged(&a, &b);
    stale.merge(&mut m).unwrap();
    assert!(stale.conflicts().unwrap().is_empty());
}

#[test]
fn concurrent_first_balances_of_a_legacy_account_are_both_kept() {
    // An account written before balance histories: no `balances` map.
    let avery = ctx("Avery Advisor", T0);
    let mut base = household(&avery);
    let ira = base
        .add_account(
            &Account {
                kind: "IRA".into(),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    let mut a = replica(&mut base);
    let mut b = replica(&mut base);
    for (h, amount) in [(&mut a, "100.00"), (&mut b, "200.00")] {
        h.update_account(
            &ira,
            &AccountPatch {
                aum: Some(NewBalance {
                    amount: amount.into(),
                    as_of: Some("2026-11-30".into()),
                }),
                ..Default::default()
            },
            &avery,
        )
        .unwrap();
    }
    let m = merged(&a, &b);
    let mut amounts: Vec<_> = m.data().unwrap().accounts[&ira]
        .balances
        .values()
        .map(|b| b.amount.clone())
        .collect();
    amounts.sort();
    assert_eq!(amounts, ["100.00", "200.00"]);
}

#[test]
fn an_archived_household_is_kept_read_only_until_unarchived() {
    let avery = ctx("Avery Advisor", T0);
    let mut h = household(&avery);
    h.set_archived(true, &avery).unwrap();
    assert_eq!(h.archived_at(), Some(T0));
    assert!(h.digest().unwrap().archived);
    let heads = h.heads();
    let err = h
        .add_note(NoteCategory::Planning, "x", None, &avery)
        .unwrap_err();
    assert!(matches!(err, CoreError::Archived { .. }));
    assert!(err.to_string().contains("archived"), "{err}");
    assert!(err.to_string().contains("unarchive"), "{err}");
    assert_eq!(h.heads(), heads, "nothing written");
    // Archiving twice changes nothing.
    assert!(h.set_archived(true, &avery).unwrap().change.is_none());
    h.set_archived(false, &avery).unwrap();
    assert_eq!(h.archived_at(), None);
    h.add_note(NoteCategory::Planning, "Back as a client.", None, &avery)
        .unwrap();
    let summaries: Vec<_> = h
        .history()
        .unwrap()
        .into_iter()
        .map(|e| e.summary)
        .collect();
    assert!(summaries.contains(&"Archived household".to_string()));
    assert!(summaries.contains(&"Unarchived household".to_string()));
}

#[test]
fn bad_edits_name_the_field_and_write_nothing() {
    let avery = ctx("Avery Advisor", T0);
    let mut h = household(&avery);
    let task = h
        .add_task("Call", "Avery Advisor", None, None, &avery)
        .unwrap()
        .value;
    let account = h
        .add_account(
            &Account {
                kind: "IRA".into(),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    let heads = h.heads();
    let e = h.remove_member("nope", &avery).unwrap_err().to_string();
    assert_eq!(e, "no member with id 'nope' in this household");
    let e = h
        .update_task(
            &task,
            &TaskPatch {
                due: Some(Some("12/31/2026".into())),
                ..Default::default()
            },
            &avery,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("due date") && e.contains("YYYY-MM-DD"), "{e}");
    let e = h
        .update_account(
            &account,
            &AccountPatch {
                aum: Some(NewBalance {
                    amount: "1,300,000".into(),
                    as_of: None,
                }),
                ..Default::default()
            },
            &avery,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("AUM") && e.contains("exact decimal"), "{e}");
    let e = h
        .update_account(
            &account,
            &AccountPatch {
                owner: Some(Some("ghost".into())),
                ..Default::default()
            },
            &avery,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("no member with id 'ghost'"), "{e}");
    assert!(matches!(
        h.update_task(&task, &TaskPatch::default(), &avery),
        Err(CoreError::NothingToChange)
    ));
    let e = parse_birth("April 1961").unwrap_err().to_string();
    assert!(e.contains("birth date") && e.contains("1961-04-02"), "{e}");
    assert!(parse_birth("1700").is_err());
    assert!(parse_birth("1961-02-30").is_err());
    let tagless = h.update_household(
        &HouseholdPatch {
            remove_tags: vec!["vip".into()],
            ..Default::default()
        },
        &avery,
    );
    assert!(matches!(
        tagless,
        Err(CoreError::NotFound { what: "tag", .. })
    ));
    assert_eq!(h.heads(), heads, "nothing was committed");
}

#[test]
fn the_digest_holds_what_today_and_lists_need() {
    let avery = ctx("Avery Advisor", T0);
    let mut h = household(&avery);
    let robert = h
        .add_member(
            &Member {
                name: "Robert".into(),
                role: Role::Head,
                birth_year: Some(1958),
                ..Default::default()
            },
            &avery,
        )
        .unwrap()
        .value;
    for (kind, aum, closed) in [
        ("IRA", Some("1000.50"), false),
        ("Brokerage", Some("99.50"), false),
        ("Old 401(k)", Some("5000"), true),
        ("529", None, false),
    ] {
        let id = h
            .add_account(
                &Account {
                    kind: kind.into(),
                    aum: aum.map(str::to_string),
                    owner: Some(robert.clone()),
                    ..Default::default()
                },
                &avery,
            )
            .unwrap()
            .value;
        if closed {
            h.update_account(
                &id,
                &AccountPatch {
                    closed_on: Some(Some("2026-01-01".into())),
                    ..Default::default()
                },
                &avery,
            )
            .unwrap();
        }
    }
    let open = h
        .add_task("Open", "Avery Advisor", Some("2026-12-04"), None, &avery)
        .unwrap()
        .value;
    let done = h
        .add_task("Done", "Avery Advisor", None, None, &avery)
        .unwrap()
        .value;
    h.set_task_status(&done, TaskStatus::Done, &avery).unwrap();
    let template = template::builtin_templates()
        .into_iter()
        .find(|t| t.name == "wealth")
        .unwrap();
    h.apply_template(&template, &avery).unwrap();
    h.set_custom("annual_review_month", &serde_json::json!(3), &avery)
        .unwrap();
    let d = h.digest().unwrap();
    assert_eq!(d.aum_total.as_deref(), Some("1100.00"));
    assert_eq!(d.open_tasks.len(), 1);
    assert_eq!(d.open_tasks[0].id, open);
    assert_eq!(d.people[0].birth_year, Some(1958));
    assert_eq!(d.accounts.len(), 4);
    assert_eq!(d.annual_review_month, Some(3));
    assert!(!d.archived);
    assert_eq!(d.conflicts, 0);
}

#[test]
fn a_merge_names_exactly_the_changes_that_were_new() {
    let avery = ctx("Avery Advisor", T0);
    let mut base = household(&avery);
    let mut a = replica(&mut base);
    let mut b = replica(&mut base);
    b.add_note(NoteCategory::Planning, "one", None, &avery)
        .unwrap();
    b.add_note(NoteCategory::Planning, "two", None, &avery)
        .unwrap();
    a.add_note(NoteCategory::Planning, "mine", None, &avery)
        .unwrap();
    let new = a.merge(&mut b).unwrap();
    let summaries: Vec<_> = a
        .describe_changes(&new)
        .into_iter()
        .map(|e| e.summary)
        .collect();
    assert_eq!(summaries, ["Added planning note", "Added planning note"]);
    assert!(
        a.merge(&mut b).unwrap().is_empty(),
        "nothing new the second time"
    );
}
