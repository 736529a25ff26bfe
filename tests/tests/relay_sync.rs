//! Two advisors of one firm, each with their own profile, share a household through a real
//! `hearth-relay` over real WebSockets; both edit it offline; after `hearth sync` on both,
//! both profiles hold identical documents. Revocation, enrollment codes and credentials too.

use hearth_e2e::{Hearth, RelayProcess};
use serde_json::Value;

fn note_bodies(h: &Hearth, id: &str) -> Vec<String> {
    let data = h.json(&["household", "show", id]);
    let mut bodies: Vec<String> = data["notes"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n["body"].as_str().unwrap().to_string())
        .collect();
    bodies.sort();
    bodies
}

/// The whole two-advisor flow against a relay on `database`.
pub fn two_advisors_converge(database: &str) {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(database);
    let firm = relay.create_firm("Hearthstone Wealth");
    let (_, alice_code) = relay.invite(&firm, "Alice Advisor", false);
    let (_, bob_code) = relay.invite(&firm, "Bob Advisor", false);
    let alice = Hearth::enrolled(dir.path(), "alice", &relay, &alice_code);
    let bob = Hearth::enrolled(dir.path(), "bob", &relay, &bob_code);

    // Alice creates a household and syncs it up; Bob sees nothing of it yet.
    let id = alice.ok(&[
        "household",
        "create",
        "--name",
        "The Johnson Family",
        "--status",
        "client",
    ]);
    let note = alice.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Discussed the 529 plan.",
    ]);
    assert_eq!(alice.json(&["sync"])["offered"], 1);
    let bob_first = bob.json(&["sync"]);
    assert_eq!(bob_first["fetched"], 0, "not shared yet: {bob_first}");
    assert!(
        bob.fails(&["household", "show", &id])
            .contains("no household")
    );

    // Shared with Bob: his next sync fetches it.
    assert!(
        alice
            .ok(&["share", &id, "--with", "Bob Advisor"])
            .contains("Shared")
    );
    assert_eq!(bob.json(&["sync"])["fetched"], 1);
    assert_eq!(
        alice.json(&["household", "show", &id]),
        bob.json(&["household", "show", &id])
    );

    // Both edit offline: Alice adds a member and edits the note's start, Bob edits the note's
    // end and opens a task.
    alice.ok(&[
        "member",
        "add",
        &id,
        "--name",
        "Linda Johnson",
        "--role",
        "Spouse",
    ]);
    alice.ok(&[
        "note",
        "edit",
        &id,
        &note,
        "--text",
        "Annual review. Discussed the 529 plan.",
    ]);
    bob.ok(&[
        "note",
        "edit",
        &id,
        &note,
        "--text",
        "Discussed the 529 plan. Send forms.",
    ]);
    bob.ok(&[
        "task",
        "add",
        &id,
        "--title",
        "Send 529 forms",
        "--due",
        "2026-12-04",
    ]);

    alice.ok(&["sync"]);
    bob.ok(&["sync"]);
    alice.ok(&["sync"]);

    let a = alice.json(&["household", "show", &id]);
    let b = bob.json(&["household", "show", &id]);
    assert_eq!(a, b, "both profiles hold identical documents");
    assert_eq!(
        alice.json(&["history", &id]),
        bob.json(&["history", &id]),
        "same change graph"
    );
    assert_eq!(
        note_bodies(&alice, &id),
        vec!["Annual review. Discussed the 529 plan. Send forms.".to_string()]
    );
    assert_eq!(a["members"].as_object().unwrap().len(), 1);
    assert_eq!(a["tasks"].as_object().unwrap().len(), 1);
    let advisors: Vec<Value> = alice
        .json(&["history", &id])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["advisor"].clone())
        .collect();
    assert!(
        advisors.contains(&Value::from("bob")) && advisors.contains(&Value::from("alice")),
        "history names both advisors: {advisors:?}"
    );
}

#[test]
fn two_advisors_share_and_converge_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    two_advisors_converge(&format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
}

#[test]
fn enrollment_codes_work_once_and_revoked_devices_stay_out() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
    let firm = relay.create_firm("Firm");
    let (advisor, code) = relay.invite(&firm, "Carol", false);
    let carol = Hearth::enrolled(dir.path(), "carol", &relay, &code);

    // The same code again, a wrong code: refused with a clear message.
    let other = Hearth::init(&dir.path().join("other"), "x", "pw");
    for bad in [code.as_str(), "AAAA-BBBB-CCCC-DDDD"] {
        let err = other.fails(&["enroll", "--relay", &relay.url, "--code", bad]);
        assert!(err.contains("refused the enrollment code"), "{err}");
    }
    // Sync before enrolling is a clear error too.
    assert!(other.fails(&["sync"]).contains("not enrolled"));

    let id = carol.ok(&["household", "create", "--name", "Revocable"]);
    carol.ok(&["sync"]);
    let devices = relay.admin_json(&["device", "list", "--firm", &firm, "--advisor", &advisor]);
    let device = devices[0]["id"].as_str().unwrap().to_string();
    relay.admin(&["device", "revoke", "--firm", &firm, "--device", &device]);
    let err = carol.fails(&["sync"]);
    assert!(err.contains("refused this device's credentials"), "{err}");
    // Local data is untouched by the revocation.
    assert!(carol.ok(&["household", "show", &id]).contains("Revocable"));
}

/// Names and note text no relay byte may hold in the clear.
const SECRETS: [&str; 3] = [
    "Vanderbilt-Okonkwo",
    "Zanzibar-octopus",
    "Marguerite Plainview",
];

/// A household with a secret name, a secret note and a secret member, synced through `relay`;
/// returns the enrollment code (which must not be logged either).
fn sync_secrets(dir: &std::path::Path, relay: &RelayProcess) -> String {
    let firm = relay.create_firm("Firm");
    let (_, code) = relay.invite(&firm, "Dana", false);
    let dana = Hearth::enrolled(dir, "dana", relay, &code);
    let id = dana.ok(&[
        "household",
        "create",
        "--name",
        "Quetzalcoatl Vanderbilt-Okonkwo",
    ]);
    dana.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "discussion",
        "--text",
        "Zanzibar-octopus trust",
    ]);
    dana.ok(&[
        "member",
        "add",
        &id,
        "--name",
        "Marguerite Plainview",
        "--role",
        "Head",
    ]);
    dana.ok(&["sync"]);
    // The archive's second copy (segment files beside the database) brought up to date.
    relay.admin(&["archive", "check", "--firm", &firm]);
    code
}

fn assert_no_secrets(files: &[(std::path::PathBuf, Vec<u8>)], also: &[&str]) {
    assert!(!files.is_empty());
    for (path, bytes) in files {
        for needle in SECRETS.iter().chain(also) {
            assert!(
                !hearth_e2e::contains(bytes, needle.as_bytes()),
                "{needle} in plaintext in {}",
                path.display()
            );
        }
    }
}

#[test]
fn relay_stores_and_logs_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let relay_dir = dir.path().join("relay");
    std::fs::create_dir_all(&relay_dir).unwrap();
    let log = dir.path().join("relay.log");
    let mut relay = RelayProcess::start_logging_to(
        &format!("sqlite://{}", relay_dir.join("relay.db").display()),
        &log,
        "debug",
    );
    let code = sync_secrets(dir.path(), &relay);
    relay.kill();
    // Every file the relay wrote: the database, its WAL, the archive's second copy.
    let files = hearth_e2e::all_files(&relay_dir);
    assert!(
        files
            .iter()
            .any(|(p, _)| p.components().any(|c| c.as_os_str() == "archive")),
        "no archive second copy under {}: {:?}",
        relay_dir.display(),
        files.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    assert_no_secrets(&files, &[]);
    // Its log at debug level: no names, no content, no enrollment code.
    let logged = std::fs::read(&log).unwrap();
    assert!(!logged.is_empty(), "the relay logged nothing");
    assert_no_secrets(&[(log, logged)], &[code.as_str()]);
}

#[test]
fn a_postgresql_data_directory_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let mut pg = hearth_relay_store_postgres::testing::TempPostgres::start()
        .expect("start a private PostgreSQL (initdb/pg_ctl)");
    let mut relay = RelayProcess::start(&pg.url());
    sync_secrets(dir.path(), &relay);
    relay.kill();
    // Stopped cleanly: everything is checkpointed into the data files as well as the WAL.
    pg.stop().expect("stop PostgreSQL");
    assert_no_secrets(&hearth_e2e::all_files(&pg.data_dir()), &[]);
}

#[test]
fn two_advisors_share_and_converge_on_postgres() {
    let pg = hearth_relay_store_postgres::testing::TempPostgres::start()
        .expect("start a private PostgreSQL (initdb/pg_ctl)");
    two_advisors_converge(&pg.url());
}

#[test]
fn master_key_rotation_rewraps_firm_keys_and_keeps_every_document() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("relay.db").display());
    let relay = RelayProcess::start(&db);
    let firm = relay.create_firm("Firm");
    let (_, code) = relay.invite(&firm, "Rita", false);
    let rita = Hearth::enrolled(dir.path(), "rita", &relay, &code);
    let id = rita.ok(&["household", "create", "--name", "Rotated"]);
    rita.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Sealed before rotation",
    ]);
    rita.ok(&["sync"]);

    let new_key = "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f";
    let key_file = dir.path().join("new.key");
    std::fs::write(&key_file, new_key).unwrap();
    let out = relay.admin(&[
        "keys",
        "rotate",
        "--new-key-file",
        key_file.to_str().unwrap(),
    ]);
    assert!(out.contains("Re-wrapped 1 firm keys"), "{out}");
    let url = relay.url.clone();
    drop(relay);

    // The relay now runs on the new master key; documents sealed before still open.
    let relay = RelayProcess::start_with_key(&db, new_key);
    assert_ne!(relay.url, url);
    let (_, code2) = relay.invite(&firm, "Second device", false);
    let fresh = Hearth::enrolled(dir.path(), "fresh", &relay, &code2);
    fresh.ok(&["sync"]);
    // A fresh advisor sees nothing unshared; Rita's own new device sees her household.
    assert!(
        fresh
            .fails(&["household", "show", &id])
            .contains("no household")
    );
    let advisors = relay.admin_json(&["advisor", "list", "--firm", &firm]);
    let rita_id = advisors
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Rita")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let code3 = relay.admin_json(&[
        "advisor",
        "reinvite",
        "--firm",
        &firm,
        "--advisor",
        &rita_id,
    ])["enrollment_code"]
        .as_str()
        .unwrap()
        .to_string();
    let rita2 = Hearth::enrolled(dir.path(), "rita2", &relay, &code3);
    assert_eq!(rita2.json(&["sync"])["fetched"], 1);
    assert!(
        rita2
            .ok(&["household", "show", &id])
            .contains("Sealed before rotation")
    );
}
