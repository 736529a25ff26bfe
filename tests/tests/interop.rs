//! Interoperability with the unmodified JavaScript automerge-repo client.
//!
//! A real `hearth-relay`, a real `hearth` profile, and a Node script (`tests/interop/`) that
//! uses `@automerge/automerge-repo` with its WebSocket client adapter exactly as a browser
//! would (the API token in `?token=`). Changes flow both ways: JS → relay → `hearth sync`, and
//! `hearth sync` → relay → JS; a document created by JS is pulled into the profile; an
//! out-of-scope document is unavailable to the JS client.
//!
//! Needs `node` and `npm` on PATH; `npm ci` runs once when `tests/interop/node_modules` is
//! missing or older than `package-lock.json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hearth_e2e::{Hearth, RelayProcess};
use serde_json::Value;

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Runs `node tests/interop/interop.mjs ARGS...`; returns its JSON output, or the failure.
fn node(args: &[&str]) -> Result<Value, String> {
    hearth_e2e::npm_ci(&interop_dir());
    let out = Command::new("node")
        .arg(interop_dir().join("interop.mjs"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("spawn node (Node 20+ must be on PATH)");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    if !out.status.success() {
        return Err(format!("node {args:?} failed: {stdout}{stderr}"));
    }
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("node printed no JSON ({e}): {stdout}{stderr}"))
}

fn node_ok(args: &[&str]) -> Value {
    node(args).unwrap_or_else(|e| panic!("{e}"))
}

/// An API token acting as `advisor` (`hearth-relay token issue`).
fn api_token(relay: &RelayProcess, advisor: &str) -> String {
    let v = relay.admin_json(&["token", "issue", "--advisor", advisor]);
    assert_eq!(v["advisor_id"], advisor, "{v}");
    v["token"].as_str().expect("token").to_string()
}

/// The URL a browser's `WebSocketClientAdapter` would use: the token in the query string.
fn browser_ws_url(relay: &RelayProcess, token: &str) -> String {
    let base = relay
        .url
        .strip_prefix("http://")
        .expect("relay URL is http://");
    let token: String = token
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("ws://{base}/sync?token={token}")
}

struct Setup {
    _dir: tempfile::TempDir,
    relay: RelayProcess,
    firm: String,
    alice: Hearth,
    ws_url: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
    let firm = relay.create_firm("Interop Wealth");
    let (advisor, code) = relay.invite(&firm, "Alice Advisor", false);
    let alice = Hearth::enrolled(dir.path(), "alice", &relay, &code);
    let token = api_token(&relay, &advisor);
    let ws_url = browser_ws_url(&relay, &token);
    Setup {
        _dir: dir,
        relay,
        firm,
        alice,
        ws_url,
    }
}

#[test]
fn js_client_edits_reach_hearth_and_hearth_edits_reach_js() {
    let s = setup();
    let alice = &s.alice;
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
    let before = alice.json(&["household", "show", &id]);

    // JS → relay: a character-wise edit of the note's text and a new task, confirmed on the
    // relay by an independent JS peer before the script exits.
    let js = node_ok(&[
        "edit",
        "--url",
        &s.ws_url,
        "--doc",
        &id,
        "--note",
        &note,
        "--append",
        " Browser says: send the forms.",
        "--task-title",
        "Mail 529 forms",
        "--owner",
        "Alice Advisor",
    ]);
    let expected_body = "Discussed the 529 plan. Browser says: send the forms.";
    assert_eq!(js["body"], expected_body, "{js}");
    assert_eq!(
        js["relayBody"], expected_body,
        "the relay serves the JS change to another peer: {js}"
    );
    let task_id = js["taskId"].as_str().unwrap().to_string();

    // relay → hearth.
    let report = alice.json(&["sync"]);
    assert_eq!(
        report["updated"], 1,
        "hearth pulled the JS change: {report}"
    );
    let after = alice.json(&["household", "show", &id]);
    assert_eq!(after["notes"][&note]["body"], expected_body, "{after}");
    assert_eq!(after["notes"][&note]["category"], "planning");
    let task = &after["tasks"][&task_id];
    assert_eq!(task["title"], "Mail 529 forms", "{after}");
    assert_eq!(task["owner"], "Alice Advisor");
    assert_eq!(task["due"], "2027-01-15");
    assert_eq!(task["status"], "open");
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["members"], before["members"]);
    // hearth can keep working on the JS-edited document.
    alice.ok(&["task", "done", &id, &task_id]);
    assert_eq!(
        alice.json(&["household", "show", &id])["tasks"][&task_id]["status"],
        "done"
    );

    // hearth → relay → JS.
    alice.ok(&[
        "note",
        "edit",
        &id,
        &note,
        "--text",
        "Annual review. Discussed the 529 plan. Browser says: send the forms. Done.",
    ]);
    alice.ok(&[
        "member",
        "add",
        &id,
        "--name",
        "Linda Johnson",
        "--role",
        "Spouse",
    ]);
    let report = alice.json(&["sync"]);
    assert_eq!(report["offered"], 1, "{report}");
    let read = node_ok(&[
        "read",
        "--url",
        &s.ws_url,
        "--doc",
        &id,
        "--until-note-contains",
        "Done.",
    ]);
    let doc = &read["doc"];
    let local = alice.json(&["household", "show", &id]);
    assert_eq!(
        doc["notes"][&note]["body"], local["notes"][&note]["body"],
        "JS sees hearth's note text: {read}"
    );
    assert_eq!(
        doc["notes"][&note]["body"],
        "Annual review. Discussed the 529 plan. Browser says: send the forms. Done."
    );
    let members: Vec<&Value> = doc["members"].as_object().unwrap().values().collect();
    assert_eq!(members.len(), 1, "{read}");
    assert_eq!(members[0]["name"], "Linda Johnson");
    assert_eq!(doc["tasks"][&task_id]["status"], "done", "{read}");
    assert_eq!(doc["name"], "The Johnson Family");
    assert_eq!(doc["id"], id.as_str());
}

#[test]
fn household_created_by_js_is_pulled_by_hearth_and_edited_back() {
    let s = setup();
    let alice = &s.alice;
    let created = node_ok(&[
        "create",
        "--url",
        &s.ws_url,
        "--name",
        "The Browser Family",
        "--note-text",
        "Created in a browser tab.",
    ]);
    let id = created["documentId"].as_str().unwrap().to_string();
    let js_note = created["noteId"].as_str().unwrap().to_string();

    // The relay lists it for the token's advisor, and `hearth sync` fetches it.
    let report = alice.json(&["sync"]);
    assert_eq!(report["fetched"], 1, "{report}");
    let shown = alice.json(&["household", "show", &id]);
    assert_eq!(shown["name"], "The Browser Family", "{shown}");
    assert_eq!(shown["status"], "prospect");
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(
        shown["notes"][&js_note]["body"],
        "Created in a browser tab."
    );
    assert_eq!(shown["notes"][&js_note]["category"], "discussion");
    let listed = alice.ok(&["household", "list"]);
    assert!(listed.contains("The Browser Family"), "{listed}");

    // hearth edits the JS-made document; JS reads the edit back.
    let hearth_note = alice.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "decisions",
        "--text",
        "Hearth replied from the desk.",
    ]);
    alice.ok(&["household", "set", &id, "--status", "client"]);
    alice.ok(&["sync"]);
    let read = node_ok(&[
        "read",
        "--url",
        &s.ws_url,
        "--doc",
        &id,
        "--until-note-contains",
        "Hearth replied",
    ]);
    let doc = &read["doc"];
    assert_eq!(
        doc["notes"][&hearth_note]["body"], "Hearth replied from the desk.",
        "{read}"
    );
    assert_eq!(doc["notes"][&hearth_note]["category"], "decisions");
    assert_eq!(doc["notes"][&js_note]["body"], "Created in a browser tab.");
    assert_eq!(doc["status"], "client", "{read}");
    assert_eq!(doc["name"], "The Browser Family");
}

#[test]
fn js_client_cannot_find_another_advisors_or_firms_household() {
    let s = setup();
    let id = s.alice.ok(&["household", "create", "--name", "Private"]);
    s.alice.ok(&["sync"]);

    // Same firm, not shared; and another firm: JS `find` must reject (doc-unavailable),
    // neither hang nor deliver the document.
    let (bob, _) = s.relay.invite(&s.firm, "Bob Advisor", false);
    let other_firm = s.relay.create_firm("Elsewhere");
    let (eve, _) = s.relay.invite(&other_firm, "Eve", true);
    for advisor in [bob, eve] {
        let url = browser_ws_url(&s.relay, &api_token(&s.relay, &advisor));
        let err = node(&[
            "read",
            "--url",
            &url,
            "--doc",
            &id,
            "--until-note-contains",
            "x",
            "--timeout-ms",
            "15000",
        ])
        .expect_err("an out-of-scope household must not be found");
        assert!(err.contains("unavailable"), "{err}");
        assert!(!err.contains("Private"), "{err}");
    }
    // The owner's token still finds it (so the failures above are about scope).
    s.alice.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "discussion",
        "--text",
        "Owner note.",
    ]);
    s.alice.ok(&["sync"]);
    let read = node_ok(&[
        "read",
        "--url",
        &s.ws_url,
        "--doc",
        &id,
        "--until-note-contains",
        "Owner note.",
    ]);
    assert_eq!(read["doc"]["name"], "Private");
}
