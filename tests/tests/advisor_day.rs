//! The advisor's day through the real `hearth` binary on real SQLCipher profiles: correcting
//! records, Today, the date alerts, the brief, archiving; and, with a real relay, a
//! colleague's edit in "since you last looked" and two advisors' concurrent edit shown as a
//! conflict until one is picked.

use hearth_e2e::{Hearth, RelayProcess};
use serde_json::Value;

const TODAY: &str = "2026-12-05";

fn titles(group: &Value) -> Vec<String> {
    let mut t: Vec<String> = group["loops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

fn group<'a>(today: &'a Value, due: &str) -> Option<&'a Value> {
    today["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["due"] == due)
}

fn history_len(h: &Hearth, id: &str) -> usize {
    h.json(&["history", id]).as_array().unwrap().len()
}

#[test]
fn an_advisors_day_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Avery Advisor", "pw");
    let id = h.ok(&[
        "household",
        "create",
        "--name",
        "The Johnson Family",
        "--status",
        "prospect",
    ]);
    let robert = h.ok(&[
        "member",
        "add",
        &id,
        "--name",
        "Robert Johnson",
        "--role",
        "Head",
        "--birth-date",
        "1951-03-14",
    ]);
    // Turns 65 on 2027-02-10: the Medicare window runs 2026-11-01 .. 2027-05-31.
    let linda = h.ok(&[
        "member",
        "add",
        &id,
        "--name",
        "Linda J",
        "--role",
        "Spouse",
        "--birth-year",
        "1962",
    ]);
    h.ok(&[
        "member",
        "edit",
        &id,
        &linda,
        "--name",
        "Linda Johnson",
        "--birth-date",
        "1962-02-10",
        "--phone",
        "555-0101",
    ]);
    let ira = h.ok(&[
        "account",
        "add",
        &id,
        "--type",
        "Rollover IRA",
        "--custodian",
        "Schwab",
        "--aum",
        "1250000.00",
        "--as-of",
        "2026-06-30",
        "--owner",
        &robert,
    ]);
    let transcript = dir.path().join("review.txt");
    std::fs::write(
        &transcript,
        "Avery: Let's review the IRA.\nRobert: We decided to keep the allocation.\n",
    )
    .unwrap();
    h.ok(&[
        "meeting",
        "import-transcript",
        &id,
        transcript.to_str().unwrap(),
        "--consent-by",
        "Robert Johnson",
        "--title",
        "Q3 review",
        "--date",
        "2026-09-15",
    ]);
    h.ok(&[
        "account",
        "edit",
        &id,
        &ira,
        "--aum",
        "1300000.00",
        "--as-of",
        "2026-11-30",
    ]);
    h.ok(&[
        "household",
        "set",
        &id,
        "--status",
        "client",
        "--tag",
        "retiree",
    ]);
    let overdue = h.ok(&[
        "task",
        "add",
        &id,
        "--title",
        "Send RMD form",
        "--due",
        "2026-12-01",
    ]);
    h.ok(&["task", "add", &id, "--title", "Call Linda", "--due", TODAY]);
    let week = h.ok(&[
        "task",
        "add",
        &id,
        "--title",
        "Rebalance",
        "--due",
        "2026-12-09",
    ]);
    let later = h.ok(&[
        "task",
        "add",
        &id,
        "--title",
        "Estate documents",
        "--due",
        "2027-01-15",
    ]);

    // Today, grouped.
    let today = h.json(&["today", "--date", TODAY]);
    assert_eq!(today["date"], TODAY);
    assert_eq!(titles(group(&today, "overdue").unwrap()), ["Send RMD form"]);
    assert_eq!(
        group(&today, "overdue").unwrap()["loops"][0]["days_overdue"],
        4
    );
    assert_eq!(titles(group(&today, "today").unwrap()), ["Call Linda"]);
    assert_eq!(titles(group(&today, "this_week").unwrap()), ["Rebalance"]);
    assert_eq!(
        titles(group(&today, "later").unwrap()),
        ["Estate documents"]
    );
    assert!(
        today["groups"][0]["loops"][0]["mine"].as_bool().unwrap(),
        "{today:#}"
    );
    let kinds: Vec<&str> = today["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"medicare_enrollment"), "{kinds:?}");
    assert!(kinds.contains(&"rmd_annual"), "{kinds:?}");

    // Done, snooze and reschedule in place.
    h.ok(&["task", "done", &id, &overdue]);
    h.ok(&["task", "edit", &id, &later, "--snooze", "2027-01-01"]);
    h.ok(&["task", "edit", &id, &week, "--due", TODAY]);
    let today = h.json(&["today", "--date", TODAY]);
    assert!(group(&today, "overdue").is_none(), "{today:#}");
    assert_eq!(
        titles(group(&today, "today").unwrap()),
        ["Call Linda", "Rebalance"]
    );
    assert!(group(&today, "later").is_none());
    assert_eq!(today["snoozed"], 1);
    let human = h.ok(&["today", "--date", TODAY]);
    assert!(human.contains("Rebalance — The Johnson Family"), "{human}");

    // The dates that matter, exactly.
    let alerts = h.json(&[
        "alerts",
        "--household",
        &id,
        "--date",
        TODAY,
        "--days",
        "120",
    ]);
    let find = |kind: &str| {
        alerts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {alerts:#}"))
            .clone()
    };
    let medicare = find("medicare_enrollment");
    assert_eq!(medicare["subject"], "Linda Johnson");
    assert_eq!(medicare["date"], "2026-11-01");
    assert_eq!(medicare["ends"], "2027-05-31");
    assert_eq!(medicare["precision"], "day");
    let rmd = find("rmd_annual");
    assert_eq!(rmd["subject"], "Robert Johnson");
    assert_eq!(rmd["date"], "2026-12-31");
    assert!(rmd["rule"].as_str().unwrap().contains("401(a)(9)"));
    let birthday = find("birthday");
    assert_eq!(birthday["date"], "2027-02-10");

    // The brief: AUM change since the last meeting, ages, the agenda.
    let brief = h.json(&["brief", &id, "--date", TODAY]);
    let account = &brief["accounts"][0];
    assert_eq!(account["aum"], "1300000.00");
    let change = &account["change_since_last_meeting"];
    assert_eq!(change["from"], "1250000.00");
    assert_eq!(change["from_as_of"], "2026-06-30");
    assert_eq!(change["delta"], "50000.00");
    assert_eq!(change["percent"], "4.00");
    assert_eq!(brief["last_meeting"]["title"], "Q3 review");
    let ages: Vec<(String, u64)> = brief["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().into(),
                m["age"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(ages.contains(&("Robert Johnson".into(), 75)), "{ages:?}");
    assert!(ages.contains(&("Linda Johnson".into(), 64)), "{ages:?}");
    let agenda: Vec<&str> = brief["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        agenda.iter().any(|a| a.starts_with("Medicare:")),
        "{agenda:?}"
    );
    assert!(agenda.iter().any(|a| a.starts_with("RMD:")), "{agenda:?}");
    assert!(
        agenda.iter().any(|a| a.contains("Form ADV")),
        "a client with no ADV delivery noted: {agenda:?}"
    );
    let page = h.ok(&["brief", &id, "--date", TODAY]);
    assert!(
        page.contains("+50,000.00 since 2026-06-30, 4.00%"),
        "{page}"
    );

    // The list shows AUM, last contact, next review and open loops.
    let list = h.json(&["household", "list"]);
    assert_eq!(list[0]["aum_total"], "1300000.00");
    assert_eq!(list[0]["open_loops"], 3);
    assert_eq!(list[0]["status"], "client");
    assert!(list[0]["last_contact"].as_i64().is_some());

    // History reads as sentences.
    let history: Vec<String> = h
        .json(&["history", &id])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "Edited member Linda J: name, birth date, phone",
        "Updated AUM of Rollover IRA to 1,300,000.00 as of 2026-11-30",
        "Updated household: status client; tagged retiree",
        "Completed task Send RMD form",
        "Edited task Estate documents: snoozed until 2027-01-01",
    ] {
        assert!(
            history.iter().any(|s| s == expected),
            "{expected:?} not in {history:#?}"
        );
    }

    // Bad input: named, nothing written.
    let before = history_len(&h, &id);
    let e = h.fails(&["member", "edit", &id, "nope", "--name", "X"]);
    assert!(e.contains("no member with id 'nope'"), "{e}");
    let e = h.fails(&["task", "edit", &id, &week, "--due", "12/31/2026"]);
    assert!(e.contains("due date") && e.contains("YYYY-MM-DD"), "{e}");
    let e = h.fails(&["account", "edit", &id, &ira, "--aum", "1,300,000"]);
    assert!(e.contains("AUM") && e.contains("exact decimal"), "{e}");
    let e = h.fails(&["task", "edit", &id, &week, "--owner", "Nobody Known"]);
    assert!(e.contains("no advisor named 'Nobody Known'"), "{e}");
    let e = h.fails(&["today", "--date", "tomorrow"]);
    assert!(e.contains("YYYY-MM-DD"), "{e}");
    assert_eq!(history_len(&h, &id), before, "nothing was written");

    // Archive: kept, out of lists and Today, read-only until unarchived.
    h.ok(&["household", "archive", &id]);
    assert_eq!(h.json(&["household", "list"]).as_array().unwrap().len(), 0);
    assert_eq!(
        h.json(&["household", "list", "--archived"])
            .as_array()
            .unwrap()[0]["archived"],
        true
    );
    assert!(
        h.json(&["today", "--date", TODAY])["groups"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let e = h.fails(&["note", "add", &id, "--category", "planning", "--text", "x"]);
    assert!(e.contains("archived") && e.contains("unarchive"), "{e}");
    h.ok(&["household", "unarchive", &id]);
    assert_eq!(h.json(&["household", "list"]).as_array().unwrap().len(), 1);

    // Removal is attributed.
    h.ok(&["account", "remove", &id, &ira]);
    let last = h
        .json(&["history", &id])
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["summary"], "Removed account Rollover IRA");
    assert_eq!(last["advisor"], "Avery Advisor");
}

#[test]
fn a_colleagues_edit_and_a_concurrent_edit_through_a_real_relay() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
    let firm = relay.create_firm("Hearthstone Wealth");
    let (_, avery_code) = relay.invite(&firm, "Avery Advisor", false);
    let (_, blake_code) = relay.invite(&firm, "Blake Advisor", false);
    let avery = Hearth::enrolled(dir.path(), "Avery Advisor", &relay, &avery_code);
    let blake = Hearth::enrolled(dir.path(), "Blake Advisor", &relay, &blake_code);

    let id = avery.ok(&[
        "household",
        "create",
        "--name",
        "The Johnson Family",
        "--status",
        "client",
    ]);
    let ira = avery.ok(&[
        "account",
        "add",
        &id,
        "--type",
        "Rollover IRA",
        "--aum",
        "1250000.00",
        "--as-of",
        "2026-06-30",
    ]);
    // Shared before any sync: the household is uploaded first.
    let shared = avery.ok(&["share", &id, "--with", "Blake Advisor"]);
    assert!(shared.contains("Shared"), "{shared}");
    blake.ok(&["sync"]);
    // Nothing new from colleagues yet; mark what is there as seen.
    avery.ok(&["today", "--mark-seen"]);

    // Blake updates the AUM and gives Avery a task; Avery's Today shows both after a sync.
    blake.ok(&[
        "account",
        "edit",
        &id,
        &ira,
        "--aum",
        "1280000.00",
        "--as-of",
        "2026-12-01",
    ]);
    blake.ok(&[
        "task",
        "add",
        &id,
        "--title",
        "Call Robert about the RMD",
        "--due",
        TODAY,
        "--owner",
        "avery advisor",
    ]);
    blake.ok(&["sync"]);
    avery.ok(&["sync"]);
    let today = avery.json(&["today", "--date", TODAY]);
    let lines: Vec<(String, String)> = today["since_you_last_looked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["advisor"].as_str().unwrap().to_string(),
                l["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        lines.contains(&(
            "Blake Advisor".into(),
            "Updated AUM of Rollover IRA to 1,280,000.00 as of 2026-12-01".into()
        )),
        "{lines:#?}"
    );
    assert!(
        lines.iter().all(|(who, _)| who == "Blake Advisor"),
        "only colleagues' changes: {lines:#?}"
    );
    let due_today = group(&today, "today").expect("Blake's task is due today");
    assert_eq!(due_today["loops"][0]["title"], "Call Robert about the RMD");
    assert_eq!(due_today["loops"][0]["owner"], "Avery Advisor");
    assert_eq!(due_today["loops"][0]["mine"], true);
    // Marked as seen, the lines go; Blake's own Today never lists his own changes.
    avery.ok(&["today", "--mark-seen"]);
    assert!(
        avery.json(&["today"])["since_you_last_looked"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        blake.json(&["today"])["since_you_last_looked"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["advisor"] != "Blake Advisor")
    );

    // Both set the AUM offline at the same time: a conflict, shown on both desks.
    avery.ok(&[
        "account",
        "edit",
        &id,
        &ira,
        "--aum",
        "1300000.00",
        "--as-of",
        "2026-12-02",
    ]);
    blake.ok(&[
        "account",
        "edit",
        &id,
        &ira,
        "--aum",
        "1310000.00",
        "--as-of",
        "2026-12-02",
    ]);
    avery.ok(&["sync"]);
    blake.ok(&["sync"]);
    avery.ok(&["sync"]);
    for desk in [&avery, &blake] {
        let shown = desk.json(&["household", "show", &id]);
        let conflicts = shown["conflicts"].as_array().unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
        assert_eq!(conflicts[0]["label"], "AUM of Rollover IRA");
        assert_eq!(conflicts[0]["path"][2], "aum");
        assert_eq!(desk.json(&["household", "list"])[0]["conflicts"], 1);
    }
    let page = avery.ok(&["household", "show", &id]);
    assert!(
        page.contains("Blake Advisor set 1,310,000.00 at the same time as you (1,300,000.00)"),
        "{page}"
    );
    let field = format!("accounts.{ira}.aum");
    let e = avery.fails(&["household", "resolve", &id, &field, "--keep", "1,000.00"]);
    assert!(e.contains("not one of the values"), "{e}");
    avery.ok(&[
        "household",
        "resolve",
        &id,
        &field,
        "--keep",
        "1,310,000.00",
    ]);
    avery.ok(&["sync"]);
    blake.ok(&["sync"]);
    for desk in [&avery, &blake] {
        let shown = desk.json(&["household", "show", &id]);
        assert!(
            shown["conflicts"].as_array().unwrap().is_empty(),
            "{shown:#}"
        );
        assert_eq!(shown["accounts"][&ira]["aum"], "1310000.00");
    }
    let brief = blake.json(&["brief", &id]);
    assert_eq!(brief["conflicts"], 0);
}
