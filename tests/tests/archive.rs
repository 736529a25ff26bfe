//! The compliance archive end to end: a real relay, a real advisor's `hearth` syncing changes,
//! the admin REST API and the `hearth-relay archive` CLI.
//!
//! * every accepted change is an archive entry (also across a kill -9);
//! * a tree head saved earlier is proven a prefix of a later one; a rewritten history is
//!   detected (by the consistency proof and by the log's self-check);
//! * an exported bundle verifies untouched, and one flipped byte in an entry, a proof, a tree
//!   head or a signature makes `archive verify` fail naming it;
//! * shortening retention or deleting before expiry is refused through the API and the CLI.

use std::path::Path;
use std::process::{Command, Stdio};

use hearth_archive::SignedTreeHead;
use hearth_archive::merkle::verify_consistency;
use hearth_e2e::{Hearth, RelayProcess, TEST_MASTER_KEY, bin, http};
use serde_json::Value;

fn call(
    relay: &RelayProcess,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let r = http::request(method, &relay.url, path, &[("Authorization", &auth)], body);
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

/// `hearth-relay --database DB ARGS` → (success, stdout, stderr).
fn cli(database: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(bin("hearth-relay"))
        .args(["--database", database])
        .args(args)
        .env("HEARTH_RELAY_MASTER_KEY", TEST_MASTER_KEY)
        .env("HEARTH_RELAY_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("spawn hearth-relay");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `hearth-relay archive verify DIR` with no database or configuration at all.
fn verify(dir: &Path) -> (bool, String) {
    verify_pinned(dir, &[])
}

/// `hearth-relay archive verify DIR PIN...` (e.g. `--fingerprint FP`).
fn verify_pinned(dir: &Path, pin: &[&str]) -> (bool, String) {
    let out = Command::new(bin("hearth-relay"))
        .args(["archive", "verify"])
        .arg(dir)
        .args(pin)
        .env_remove("HEARTH_RELAY_MASTER_KEY")
        .env_remove("HEARTH_RELAY_DATABASE")
        .stdin(Stdio::null())
        .output()
        .expect("spawn hearth-relay");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn head(v: &Value) -> SignedTreeHead {
    serde_json::from_value(v["head"].clone()).expect("a signed tree head")
}

fn hashes(v: &Value) -> Vec<[u8; 32]> {
    v["hashes"]
        .as_array()
        .expect("hashes")
        .iter()
        .map(|h| {
            hex::decode(h.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Replaces one character right after `needle` (+ `skip`) in `file` with another valid one.
fn flip(dir: &Path, file: &str, needle: &str, skip: usize) {
    let path = dir.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {file}"))
        + needle.len()
        + skip;
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn archive_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("relay.db");
    let database = format!("sqlite://{}", db_path.display());
    let mut relay = RelayProcess::start(&database);
    let firm = relay.create_firm("Maple Advisors");
    let (admin_id, code) = relay.invite(&firm, "Ada Admin", true);
    let token = relay.admin_json(&["token", "issue", "--advisor", &admin_id])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let ada = Hearth::init(&dir.path().join("ada"), "Ada Admin", "ada-pw");
    ada.ok(&[
        "enroll",
        "--relay",
        &relay.url,
        "--code",
        &code,
        "--label",
        "ada-laptop",
    ]);

    // Changes through a real client.
    let id = ada.ok(&[
        "household",
        "create",
        "--name",
        "The Johnson Family",
        "--status",
        "client",
    ]);
    for i in 0..3 {
        ada.ok(&[
            "note",
            "add",
            &id,
            "--category",
            "planning",
            "--text",
            &format!("Review {i}."),
        ]);
    }
    ada.json(&["sync"]);
    let (status, entries) = call(
        &relay,
        "GET",
        &format!("/v1/admin/archive/entries?household={id}"),
        &token,
        None,
    );
    assert_eq!(status, 200, "{entries}");
    let first_count = entries.as_array().unwrap().len();
    assert!(first_count >= 4, "create + 3 notes archived: {entries}");
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] == "change" && e["advisor_id"] == admin_id.as_str())
    );

    // A tree head saved now (as an examiner would keep it)...
    let (status, saved) = call(&relay, "POST", "/v1/admin/archive/head", &token, None);
    assert_eq!(status, 200, "{saved}");
    let public_key = hex::decode(saved["public_key"].as_str().unwrap()).unwrap();
    let old = head(&saved);
    old.verify(&firm, &public_key)
        .expect("signed by the firm's key");

    // ...is a prefix of a later one.
    ada.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Later note.",
    ]);
    ada.json(&["sync"]);
    let (_, later) = call(&relay, "POST", "/v1/admin/archive/head", &token, None);
    let new = head(&later);
    new.verify(&firm, &public_key).unwrap();
    assert!(new.head.size > old.head.size);
    let (status, proof) = call(
        &relay,
        "GET",
        &format!(
            "/v1/admin/archive/proofs/consistency?old={}&new={}",
            old.head.size, new.head.size
        ),
        &token,
        None,
    );
    assert_eq!(status, 200, "{proof}");
    verify_consistency(
        old.head.size,
        new.head.size,
        &old.head.root,
        &new.head.root,
        &hashes(&proof),
    )
    .expect("the saved head is a prefix of today's");

    // Retention: never below 5 years, never shortened while entries live — API and CLI.
    for (years, why) in [(4, "below"), (5, "cannot be shortened")] {
        let (status, body) = call(
            &relay,
            "PUT",
            "/v1/admin/archive/retention",
            &token,
            Some(&format!("{{\"years\":{years}}}")),
        );
        assert_eq!(status, 400, "{body}");
        assert!(body["error"].as_str().unwrap().contains(why), "{body}");
    }
    let (ok, _, err) = cli(
        &database,
        &["archive", "retention", "--firm", &firm, "--set", "5"],
    );
    assert!(!ok && err.contains("cannot be shortened"), "{err}");
    let (status, body) = call(
        &relay,
        "PUT",
        "/v1/admin/archive/retention",
        &token,
        Some("{\"years\":8}"),
    );
    assert_eq!((status, body["years"].as_i64()), (200, Some(8)), "{body}");
    let (ok, _, err) = cli(
        &database,
        &["archive", "retention", "--firm", &firm, "--set", "7"],
    );
    assert!(!ok && err.contains("cannot be shortened"), "{err}");
    // Deleting before expiry.
    let (status, body) = call(
        &relay,
        "POST",
        "/v1/admin/archive/expire",
        &token,
        Some("{\"before\":\"2100-01-01\"}"),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("refused"),
        "{body}"
    );
    let (ok, _, err) = cli(
        &database,
        &[
            "archive",
            "delete",
            "--firm",
            &firm,
            "--before",
            "2100-01-01",
        ],
    );
    assert!(!ok && err.contains("refused"), "{err}");
    // A legal hold; every admin action is an archive entry.
    let (status, body) = call(
        &relay,
        "POST",
        "/v1/admin/archive/holds",
        &token,
        Some(&format!(
            "{{\"household\":\"{id}\",\"reason\":\"Matter 17\"}}"
        )),
    );
    assert_eq!(status, 201, "{body}");
    let (_, all) = call(
        &relay,
        "GET",
        "/v1/admin/archive/entries?limit=1000",
        &token,
        None,
    );
    let admin_entries = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "admin")
        .count();
    assert_eq!(admin_entries, 2, "retention 8 and the hold: {all}");

    // kill -9: every change acknowledged before it is still archived after.
    ada.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Just before the crash.",
    ]);
    ada.json(&["sync"]);
    let (_, before_kill) = call(
        &relay,
        "GET",
        "/v1/admin/archive/entries?limit=1000",
        &token,
        None,
    );
    relay.kill();
    relay.restart();
    let (_, after_kill) = call(
        &relay,
        "GET",
        "/v1/admin/archive/entries?limit=1000",
        &token,
        None,
    );
    assert_eq!(before_kill, after_kill);
    let (ok, out, err) = cli(&database, &["archive", "check", "--firm", &firm]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("second copy holds"), "{out}");

    // Export with the CLI; the untouched bundle verifies with no database.
    let bundle = dir.path().join("bundle");
    let (ok, out, err) = cli(
        &database,
        &[
            "archive",
            "export",
            "--firm",
            &firm,
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            bundle.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, out) = verify(&bundle);
    assert!(ok, "{out}");
    assert!(out.contains("Checked internal consistency only"), "{out}");
    // The examiner pins the firm's key by the fingerprint the firm publishes.
    let published: Value =
        serde_json::from_str(&relay.admin(&["archive", "head", "--firm", &firm])).unwrap();
    let fingerprint = published["fingerprint"].as_str().unwrap().to_string();
    let (ok, out) = verify_pinned(&bundle, &["--fingerprint", &fingerprint]);
    assert!(
        ok && out.contains("Signed with the firm's pinned key"),
        "{out}"
    );
    let (ok, out) = verify_pinned(&bundle, &["--fingerprint", &"ab".repeat(32)]);
    assert!(!ok && out.contains("not the firm's pinned key"), "{out}");
    // A byte flipped anywhere in any file but README.txt is caught, pinned.
    let mut files = Vec::new();
    for sub in ["", "households"] {
        for e in std::fs::read_dir(bundle.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() && p.file_name().unwrap() != "README.txt" {
                files.push(p.strip_prefix(&bundle).unwrap().to_path_buf());
            }
        }
    }
    assert!(files.len() >= 9, "{files:?}");
    for (i, file) in files.iter().enumerate() {
        for at in [0.1, 0.5, 0.9] {
            let copy = dir.path().join(format!("flipped-{i}-{at}"));
            copy_dir(&bundle, &copy);
            let path = copy.join(file);
            let mut bytes = std::fs::read(&path).unwrap();
            let pos = ((bytes.len() - 1) as f64 * at) as usize;
            bytes[pos] = if bytes[pos] == b'7' { b'8' } else { b'7' };
            std::fs::write(&path, bytes).unwrap();
            let (ok, out) = verify_pinned(&copy, &["--fingerprint", &fingerprint]);
            assert!(
                !ok,
                "a byte flipped in {} at {at} went unnoticed: {out}",
                file.display()
            );
        }
    }
    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(bundle.join(format!("households/{id}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(record["state"]["name"], "The Johnson Family");
    assert_eq!(record["changes"][0]["advisor"]["name"], "Ada Admin");

    // One flipped byte in each part is caught and named.
    let cases = [
        ("entries.jsonl", "\"entry\":\"", 120, "entry "),
        ("proofs.jsonl", "\"hashes\":[\"", 3, "proof"),
        ("tree_heads.jsonl", "\"size\":", 0, "tree head "),
        ("tree_heads.jsonl", "\"signature\":\"", 9, "tree head "),
    ];
    for (i, (file, needle, skip, named)) in cases.iter().enumerate() {
        let copy = dir.path().join(format!("tampered-{i}"));
        copy_dir(&bundle, &copy);
        flip(&copy, file, needle, *skip);
        let (ok, out) = verify(&copy);
        assert!(!ok, "a flipped byte in {file} went unnoticed: {out}");
        assert!(
            out.contains(named),
            "flipping {file}: expected the error to name '{named}': {out}"
        );
    }

    // A rewritten history: someone with the database recomputes an old entry and its leaf.
    relay.kill();
    {
        let db = rusqlite::Connection::open(&db_path).unwrap();
        db.execute_batch("DROP TRIGGER archive_entries_only_expire")
            .unwrap();
        let body: Vec<u8> = db
            .query_row(
                "SELECT body FROM archive_entries WHERE firm_id = ?1 AND seq = 1",
                [&firm],
                |r| r.get(0),
            )
            .unwrap();
        let mut entry = hearth_archive::Entry::decode(&body).unwrap();
        entry.time += 1;
        let forged = entry.encode().unwrap();
        db.execute(
            "UPDATE archive_entries SET body = ?1, leaf_hash = ?2 WHERE firm_id = ?3 AND seq = 1",
            rusqlite::params![forged, entry.leaf_hash().unwrap().to_vec(), firm],
        )
        .unwrap();
    }
    relay.restart();
    let (ok, out, err) = cli(&database, &["archive", "check", "--firm", &firm]);
    assert!(!ok && err.contains("history was rewritten"), "{out}{err}");
    // Ada's desk, a witness of the history before, catches it at its next sync and stops.
    let refused = ada.fails(&["sync"]);
    assert!(
        refused.contains("stopped trusting the relay") && refused.contains("does not extend"),
        "{refused}"
    );
    // Accepted by hand here, so that the relay can be made to sign over the rewritten log.
    ada.ok(&["relay", "witness", "--reset"]);
    ada.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "After the rewrite.",
    ]);
    ada.json(&["sync"]);
    let (_, rewritten) = call(&relay, "POST", "/v1/admin/archive/head", &token, None);
    let forged_head = head(&rewritten);
    let (_, proof) = call(
        &relay,
        "GET",
        &format!(
            "/v1/admin/archive/proofs/consistency?old={}&new={}",
            old.head.size, forged_head.head.size
        ),
        &token,
        None,
    );
    assert!(
        verify_consistency(
            old.head.size,
            forged_head.head.size,
            &old.head.root,
            &forged_head.head.root,
            &hashes(&proof)
        )
        .is_err(),
        "the saved head must expose the rewritten entry"
    );
}

#[test]
fn archive_admin_api_is_firm_scoped_and_admin_only() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("relay.db").display());
    let relay = RelayProcess::start(&database);
    let firm_a = relay.create_firm("A");
    let firm_b = relay.create_firm("B");
    let (_, _) = relay.invite(&firm_a, "A admin", true);
    let (b_admin, _) = relay.invite(&firm_b, "B admin", true);
    let (b_plain, _) = relay.invite(&firm_b, "B advisor", false);
    let tok = |adv: &str| {
        relay.admin_json(&["token", "issue", "--advisor", adv])["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (b_admin_tok, b_plain_tok) = (tok(&b_admin), tok(&b_plain));
    // Firm A archives something (a retention change is an entry).
    let (ok, _, err) = cli(
        &database,
        &["archive", "retention", "--firm", &firm_a, "--set", "9"],
    );
    assert!(ok, "{err}");
    let (_, a_head) = {
        let (ok, out, err) = cli(&database, &["archive", "head", "--firm", &firm_a, "--sign"]);
        assert!(ok, "{err}");
        (ok, serde_json::from_str::<Value>(&out).unwrap())
    };
    assert_eq!(a_head["head"]["size"], 1);
    // B's admin sees only B's (empty) log, whatever is in the URL.
    let (status, entries) = call(
        &relay,
        "GET",
        &format!("/v1/admin/archive/entries?firm={firm_a}"),
        &b_admin_tok,
        None,
    );
    assert_eq!((status, entries.as_array().map(Vec::len)), (200, Some(0)));
    let (status, head) = call(&relay, "GET", "/v1/admin/archive/head", &b_admin_tok, None);
    assert_eq!(status, 200);
    assert!(
        head["head"].is_null() && head["firm"] == firm_b.as_str(),
        "{head}"
    );
    assert_ne!(
        head["public_key"], a_head["public_key"],
        "each firm signs with its own key"
    );
    let (status, body) = call(
        &relay,
        "GET",
        "/v1/admin/archive/proofs/inclusion?seq=0&size=1",
        &b_admin_tok,
        None,
    );
    assert_eq!(status, 400, "firm A's entry 0 is not in B's log: {body}");
    // Non-admins get nothing.
    for (method, path) in [
        ("GET", "/v1/admin/archive/entries"),
        ("GET", "/v1/admin/archive/head"),
        ("GET", "/v1/admin/archive/retention"),
    ] {
        let (status, _) = call(&relay, method, path, &b_plain_tok, None);
        assert_eq!(status, 403, "{path}");
    }
}

/// Every desk witnesses the firm's archive: it keeps the last signed head it saw and checks
/// on each sync that the relay's next head extends it. A relay whose stored log was altered
/// underneath it (a leaf rewritten, then a new head signed over the altered tree with the
/// firm's own key) is caught by the desk, which stops syncing with it until reset.
#[test]
fn a_desk_catches_a_relay_whose_archive_was_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let mut relay = RelayProcess::start(&format!("sqlite://{}", db.display()));
    let firm = relay.create_firm("Witnessed Wealth");
    let (_, code) = relay.invite(&firm, "Alice Advisor", false);
    let alice = Hearth::enrolled(dir.path(), "alice", &relay, &code);
    let sign = |relay: &RelayProcess| -> u64 {
        let head: Value =
            serde_json::from_str(&relay.admin(&["archive", "head", "--firm", &firm, "--sign"]))
                .unwrap();
        head["head"]["size"].as_u64().expect("a signed head")
    };
    let id = alice.ok(&["household", "create", "--name", "The Osei Family"]);
    alice.json(&["sync"]);
    let first = sign(&relay);
    alice.json(&["sync"]);
    let seen = alice.json(&["relay", "witness"]);
    assert_eq!(seen["size"].as_u64(), Some(first), "{seen}");

    // The log grows; the next head extends the one seen (a consistency proof checks it).
    alice.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Roth conversion.",
    ]);
    alice.json(&["sync"]);
    let second = sign(&relay);
    assert!(second > first);
    alice.json(&["sync"]);
    assert_eq!(
        alice.json(&["relay", "witness"])["size"].as_u64(),
        Some(second)
    );

    // Someone with the database rewrites an early entry (past the append-only triggers).
    relay.kill();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP TRIGGER archive_entries_only_expire;
             UPDATE archive_entries SET leaf_hash = randomblob(32) WHERE seq = 0;",
        )
        .unwrap();
    }
    relay.restart();
    // Nothing new is signed yet: the relay still shows the head the desk saw.
    alice.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "RMD in March.",
    ]);
    alice.json(&["sync"]);
    // The relay signs a head over the altered log, with the firm's real key.
    let forged = sign(&relay);
    assert!(forged > second);
    let refused = alice.fails(&["sync"]);
    assert!(
        refused.contains("stopped trusting the relay") && refused.contains("does not extend"),
        "{refused}"
    );
    // It stays refused, and says so, until someone has looked.
    assert!(
        alice
            .fails(&["sync"])
            .contains("stopped trusting the relay")
    );
    let shown = alice.ok(&["relay", "witness"]);
    assert!(shown.contains("ALARM"), "{shown}");
    alice.ok(&["relay", "witness", "--reset"]);
    alice.json(&["sync"]);
    assert_eq!(
        alice.json(&["relay", "witness"])["size"].as_u64(),
        Some(forged)
    );
}
