//! Search through the real `hearth` binary: what another advisor wrote is found after
//! `hearth sync` without any reindex, and the CLI's filters, JSON and rebuild work.

use hearth_e2e::{Hearth, RelayProcess};

fn enrolled(dir: &std::path::Path, name: &str, relay: &RelayProcess, code: &str) -> Hearth {
    let h = Hearth::init(&dir.join(name), name, &format!("{name}-pw"));
    let out = h.ok(&["enroll", "--relay", &relay.url, "--code", code]);
    assert!(out.contains("Enrolled"), "{out}");
    h
}

#[test]
fn a_note_written_on_another_laptop_is_found_after_sync() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
    let firm = relay.create_firm("Hearthstone Wealth");
    let (_, a_code) = relay.invite(&firm, "Alice Advisor", false);
    let (_, b_code) = relay.invite(&firm, "Bob Advisor", false);
    let alice = enrolled(dir.path(), "alice", &relay, &a_code);
    let bob = enrolled(dir.path(), "bob", &relay, &b_code);

    let id = alice.ok(&[
        "household",
        "create",
        "--name",
        "The Brennan Family",
        "--status",
        "client",
    ]);
    // Alice searches before anything of Bob's exists: her index is built now.
    assert_eq!(
        alice.json(&["search", "Brennan"]).as_array().unwrap().len(),
        1
    );
    alice.json(&["sync"]);
    alice.ok(&["share", &id, "--with", "Bob Advisor"]);
    assert_eq!(bob.json(&["sync"])["fetched"], 1);

    // Bob writes a note on his laptop and syncs.
    let note = bob.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Mother moving into assisted living; durable power of attorney needed",
    ]);
    bob.json(&["sync"]);
    assert!(
        alice
            .json(&["search", "assisted living"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Alice syncs; no reindex is asked for.
    assert_eq!(alice.json(&["sync"])["updated"], 1);
    let hits = alice.json(&["search", "atorney"]); // a typo, too
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["kind"], "note");
    assert_eq!(hits[0]["item_id"], note.as_str());
    assert_eq!(hits[0]["household_id"], id.as_str());
    assert_eq!(hits[0]["advisor"], "bob");
    assert!(
        hits[0]["snippet_html"]
            .as_str()
            .unwrap()
            .contains("<b>attorney</b>"),
        "{hits:?}"
    );

    // Human output marks the match.
    let text = alice.ok(&["search", "\"power of attorney\""]);
    assert!(
        text.contains("[power] [of] [attorney]") || text.contains("[power of attorney]"),
        "{text}"
    );
}

#[test]
fn filters_rebuild_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Avery Advisor", "pw");
    let johnson = h.ok(&["household", "create", "--name", "The Johnson Family"]);
    let lee = h.ok(&["household", "create", "--name", "Lee Household"]);
    h.ok(&[
        "note",
        "add",
        &johnson,
        "--category",
        "planning",
        "--text",
        "Rollover of the 401k",
    ]);
    h.ok(&[
        "note",
        "add",
        &lee,
        "--category",
        "planning",
        "--text",
        "Rollover to a Roth IRA",
    ]);
    h.ok(&["task", "add", &lee, "--title", "Send rollover paperwork"]);

    assert_eq!(h.json(&["search", "rollover"]).as_array().unwrap().len(), 3);
    let notes = h.json(&["search", "rollover", "--kind", "note"]);
    assert_eq!(notes.as_array().unwrap().len(), 2);
    let lee_only = h.json(&["search", "rollover", "--household", &lee]);
    assert!(
        lee_only
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["household_id"] == lee.as_str())
    );
    assert_eq!(lee_only.as_array().unwrap().len(), 2);
    // Prefix: typing "joh" finds Johnson.
    let joh = h.json(&["search", "joh"]);
    assert_eq!(joh[0]["title"], "The Johnson Family");

    let rebuilt = h.json(&["search", "--rebuild"]);
    assert_eq!(rebuilt["households"], 2);
    assert_eq!(h.json(&["search", "rollover"]).as_array().unwrap().len(), 3);

    assert!(
        h.fails(&["search", "x", "--kind", "planet"])
            .contains("unknown item kind")
    );
    assert!(h.fails(&["search"]).contains("nothing to search for"));
    assert!(
        h.fails(&["search", "x", "--from", "yesterday"])
            .contains("YYYY-MM-DD")
    );
}
