//! The `hearth` CLI end to end on real SQLCipher profiles.

use hearth_e2e::{Hearth, all_files, contains};
use serde_json::Value;

fn sample_household(h: &Hearth, name: &str) -> String {
    let id = h.ok(&["household", "create", "--name", name, "--status", "client"]);
    h.ok(&[
        "member",
        "add",
        &id,
        "--name",
        &format!("{name} Head"),
        "--role",
        "Head",
        "--birth-year",
        "1961",
    ]);
    h.ok(&[
        "member",
        "add",
        &id,
        "--name",
        &format!("{name} Kid"),
        "--role",
        "child",
    ]);
    h.ok(&[
        "account",
        "add",
        &id,
        "--type",
        "Roth IRA",
        "--custodian",
        "Schwab",
        "--aum",
        "1250000.10",
        "--fee-rate",
        "0.0085",
    ]);
    h.ok(&[
        "goal",
        "add",
        &id,
        "--title",
        "Retire at 62",
        "--amount",
        "3000000",
        "--date",
        "2031-06-30",
    ]);
    let note = h.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Fund the 529 before year end.",
    ]);
    h.ok(&[
        "note",
        "edit",
        &id,
        &note,
        "--text",
        "Fund the 529 for Ava before year end.",
    ]);
    let task = h.ok(&[
        "task",
        "add",
        &id,
        "--title",
        "Send ACAT form",
        "--due",
        "2026-12-04",
    ]);
    h.ok(&["task", "done", &id, &task]);
    h.ok(&["task", "add", &id, "--title", "Review beneficiaries"]);
    h.ok(&[
        "fact",
        "add",
        &id,
        "--key",
        "risk_tolerance",
        "--value",
        "moderate",
        "--confidence",
        "0.9",
    ]);
    h.ok(&["template", "apply", &id, "insurance"]);
    h.ok(&["template", "set", &id, "face_amount", "500000"]);
    h.ok(&[
        "household",
        "set",
        &id,
        "--segment",
        "A",
        "--tag",
        "referral",
    ]);
    id
}

#[test]
fn a_household_round_trips_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Alice Advisor", "pw-one");
    let id = sample_household(&h, "Johnson");
    let data = h.json(&["household", "show", &id]);
    assert_eq!(data["name"], "Johnson");
    assert_eq!(data["status"], "client");
    assert_eq!(data["segment"], "A");
    assert_eq!(data["members"].as_object().unwrap().len(), 2);
    let account = data["accounts"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(account["aum"], "1250000.10", "AUM is exact");
    let note = data["notes"].as_object().unwrap().values().next().unwrap();
    assert_eq!(note["body"], "Fund the 529 for Ava before year end.");
    assert_eq!(note["category"], "planning");
    let statuses: Vec<_> = data["tasks"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["status"].clone())
        .collect();
    assert!(statuses.contains(&Value::from("done")) && statuses.contains(&Value::from("open")));
    assert_eq!(data["custom"]["face_amount"], "500000");

    let list = h.json(&["household", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], Value::from(id.clone()));
    assert_eq!(list[0]["segment"], "A");

    let history = h.json(&["history", &id]);
    let entries = history.as_array().unwrap();
    assert_eq!(
        entries.len(),
        14,
        "one change per acknowledged edit (`household set` with two fields is one): {history:#}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e["advisor"] == "Alice Advisor" && e["device"] == "Alice Advisor-laptop")
    );
    assert_eq!(entries[0]["summary"], "Created household Johnson");
    assert!(
        entries
            .iter()
            .any(|e| e["summary"] == "Completed task Send ACAT form")
    );

    let human = h.ok(&["household", "show", &id]);
    assert!(human.contains("total AUM 1,250,000.10"), "{human}");
}

#[test]
fn the_database_file_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Alice Advisor", "pw-one");
    let id = h.ok(&["household", "create", "--name", "Xerxes Quimby-Vantablack"]);
    h.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "discussion",
        "--text",
        "Zanzibar-octopus inheritance plan",
    ]);
    h.ok(&[
        "member",
        "add",
        &id,
        "--name",
        "Philomena Quimby-Vantablack",
        "--role",
        "Spouse",
    ]);
    // The household was really written (so the search below can fail).
    assert!(
        h.ok(&["household", "show", &id])
            .contains("Zanzibar-octopus")
    );
    let files = all_files(&h.profile);
    assert!(files.iter().any(|(p, _)| p.ends_with("hearth.db")));
    for (path, bytes) in &files {
        for needle in ["Quimby-Vantablack", "Zanzibar-octopus", "Alice Advisor"] {
            assert!(
                !contains(bytes, needle.as_bytes()),
                "{needle} in plaintext in {}",
                path.display()
            );
        }
    }
}

#[test]
fn wrong_passphrase_is_a_clear_error_and_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Hearth::init(&dir.path().join("p"), "Alice Advisor", "right passphrase");
    let id = h.ok(&["household", "create", "--name", "Lee"]);
    let before = all_files(&h.profile);
    h.env = vec![("HEARTH_PASSPHRASE".into(), "wrong passphrase".into())];
    for args in [
        vec!["household", "list"],
        vec![
            "note",
            "add",
            id.as_str(),
            "--category",
            "planning",
            "--text",
            "x",
        ],
    ] {
        let err = h.fails(&args);
        assert!(err.contains("wrong passphrase or key"), "{err}");
        assert!(
            !err.contains("hmac"),
            "no SQLCipher internals leak to the user: {err}"
        );
    }
    assert_eq!(
        all_files(&h.profile),
        before,
        "the profile is byte-for-byte unchanged"
    );
    h.env.clear();
    let err = h.fails(&["household", "list"]);
    assert!(
        err.contains("HEARTH_PASSPHRASE"),
        "tells the user how to give the passphrase: {err}"
    );
    h.env = vec![("HEARTH_PASSPHRASE".into(), "right passphrase".into())];
    assert!(h.ok(&["household", "list"]).contains("Lee"));
}

#[test]
fn bad_input_fails_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Alice Advisor", "pw");
    let id = h.ok(&["household", "create", "--name", "Patel"]);
    let snapshot = |h: &Hearth| {
        (
            h.json(&["household", "show", &id]),
            h.json(&["history", &id]),
        )
    };
    let before = snapshot(&h);
    let unknown = "2Z6nH8vjCk1ykNdRtaZWbQhbj7AS"; // well-formed, not in this profile
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["household", "show", unknown], "no household with id"),
        (
            vec!["household", "show", "not-an-id"],
            "no household with id",
        ),
        (
            vec![
                "note",
                "add",
                unknown,
                "--category",
                "planning",
                "--text",
                "x",
            ],
            "no household with id",
        ),
        (
            vec!["member", "add", &id, "--name", "X", "--role", "Grandparent"],
            "not a valid member role",
        ),
        (
            vec!["note", "add", &id, "--category", "gossip", "--text", "x"],
            "not a valid note category",
        ),
        (
            vec![
                "note",
                "add",
                &id,
                "--category",
                "planning",
                "--text",
                "   ",
            ],
            "must not be empty",
        ),
        (
            vec!["task", "add", &id, "--title", "T", "--due", "12/01/2026"],
            "YYYY-MM-DD",
        ),
        (
            vec!["task", "done", &id, "0000000000000000"],
            "no task with id",
        ),
        (
            vec!["account", "add", &id, "--type", "IRA", "--aum", "lots"],
            "exact decimal",
        ),
        (
            vec!["template", "set", &id, "face_amount", "1"],
            "no custom-field template",
        ),
        (
            vec!["household", "create", "--name", "X", "--status", "vip"],
            "not a valid household status",
        ),
    ];
    for (args, expected) in cases {
        let err = h.fails(&args);
        assert!(
            err.contains(expected),
            "hearth {args:?}: expected '{expected}' in: {err}"
        );
    }
    assert_eq!(snapshot(&h), before, "nothing changed");
    assert_eq!(h.json(&["household", "list"]).as_array().unwrap().len(), 1);

    // Malformed import files: each refused with a reason, nothing imported.
    let export = dir.path().join("good.json");
    h.ok(&["export", export.to_str().unwrap()]);
    let good: Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    let mut bad_doc = good.clone();
    bad_doc["households"][0]["automerge"] = Value::from("AAAA");
    let mut bad_id = good.clone();
    bad_id["households"][0]["id"] = Value::from(unknown);
    let mut wrong_format = good.clone();
    wrong_format["format"] = Value::from("something-else");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("garbage.json", b"{ this is not json".to_vec()),
        ("empty.json", Vec::new()),
        ("bad-doc.json", serde_json::to_vec(&bad_doc).unwrap()),
        ("mismatched-id.json", serde_json::to_vec(&bad_id).unwrap()),
        (
            "wrong-format.json",
            serde_json::to_vec(&wrong_format).unwrap(),
        ),
    ];
    let fresh = Hearth::init(&dir.path().join("fresh"), "Bob Advisor", "pw2");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = fresh.fails(&["import", path.to_str().unwrap()]);
        assert!(err.contains("nothing was imported"), "{name}: {err}");
    }
    let err = fresh.fails(&["import", dir.path().join("missing.json").to_str().unwrap()]);
    assert!(err.contains("cannot read it"), "{err}");
    assert_eq!(fresh.json(&["household", "list"]), Value::Array(vec![]));
}

#[test]
fn export_then_import_into_a_fresh_profile_reproduces_every_household() {
    let dir = tempfile::tempdir().unwrap();
    let a = Hearth::init(&dir.path().join("a"), "Alice Advisor", "pw-a");
    let ids: Vec<String> = ["Johnson", "Nakamura", "O'Brien"]
        .iter()
        .map(|n| sample_household(&a, n))
        .collect();
    let file = dir.path().join("export.json");
    assert!(
        a.ok(&["export", file.to_str().unwrap()])
            .contains("Exported 3 households")
    );

    let b = Hearth::init(&dir.path().join("b"), "Bob Advisor", "pw-b");
    assert!(b.ok(&["import", file.to_str().unwrap()]).contains("3 new"));
    assert_eq!(a.json(&["household", "list"]).as_array().unwrap().len(), 3);
    for id in &ids {
        assert_eq!(
            a.json(&["household", "show", id]),
            b.json(&["household", "show", id])
        );
        assert_eq!(
            a.json(&["history", id]),
            b.json(&["history", id]),
            "same changes, same hashes"
        );
    }
    // Importing again merges and changes nothing.
    assert!(
        b.ok(&["import", file.to_str().unwrap()])
            .contains("3 merged")
    );
    for id in &ids {
        assert_eq!(a.json(&["history", id]), b.json(&["history", id]));
    }
    // The imported profile can keep editing; the new change carries Bob's name.
    b.ok(&[
        "note",
        "add",
        &ids[0],
        "--category",
        "decisions",
        "--text",
        "Keep the Roth conversion.",
    ]);
    let history = b.json(&["history", &ids[0]]);
    assert_eq!(
        history.as_array().unwrap().last().unwrap()["advisor"],
        "Bob Advisor"
    );
}

#[test]
fn profile_from_env_and_missing_profile_messages() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Alice Advisor", "pw");
    let out = std::process::Command::new(hearth_e2e::bin("hearth"))
        .args(["household", "list", "--json"])
        .env("HEARTH_PROFILE", &h.profile)
        .env("HEARTH_PASSPHRASE", "pw")
        .output()
        .unwrap();
    assert!(out.status.success());
    let missing = Hearth {
        profile: dir.path().join("nowhere"),
        env: vec![],
    };
    let err = missing.fails(&["household", "list"]);
    assert!(
        err.contains("no Hearth profile") && err.contains("init"),
        "{err}"
    );
    let err = h.fails(&["init", "--advisor", "Again"]);
    assert!(err.contains("already exists"), "{err}");
}
