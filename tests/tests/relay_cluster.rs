//! Several relay processes on one PostgreSQL database (initdb/pg_ctl, fsync on), as behind a
//! load balancer: desks and the real JS automerge-repo client on different nodes converge, a
//! change stored through one node reaches a client connected to another while it waits,
//! sharing and unsharing through one node holds on the others within a second, and the
//! firm's archive stays one log with no gaps.
//!
//! Waits are on conditions (a relay's metric, an answer changing), bounded by deadlines.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hearth_e2e::{Hearth, RelayProcess, http};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

fn ws_url(relay: &RelayProcess, token: &str) -> String {
    let base = relay.url.strip_prefix("http://").expect("http:// relay");
    format!("ws://{base}/sync?token={token}")
}

fn metric(relay: &RelayProcess, name: &str) -> f64 {
    let series = format!("hearth_relay_{name} ");
    http::get(&relay.url, "/metrics")
        .body
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0.0, |v| v.trim().parse().unwrap_or(0.0))
}

/// Polls `probe` until it returns `Some`, or panics after `limit` naming `what`.
fn until<T>(limit: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> (T, Duration) {
    let started = Instant::now();
    loop {
        if let Some(v) = probe() {
            return (v, started.elapsed());
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::yield_now();
    }
}

/// An API token acting as `advisor`.
fn api_token(relay: &RelayProcess, advisor: &str) -> String {
    relay.admin_json(&["token", "issue", "--advisor", advisor])["token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// The firm's archive, verified by `node` (`GET /v1/admin/archive/check` as a firm admin).
fn archive_check(node: &RelayProcess, admin_token: &str) -> Value {
    let answer = http::request(
        "GET",
        &node.url,
        "/v1/admin/archive/check",
        &[("Authorization", &format!("Bearer {admin_token}"))],
        None,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    serde_json::from_str(&answer.body).expect("archive check JSON")
}

fn document_status(relay: &RelayProcess, token: &str, doc: &str) -> u16 {
    http::request(
        "GET",
        &relay.url,
        &format!("/v1/documents/{doc}"),
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    )
    .status
}

#[test]
fn three_relays_on_one_postgres_behave_as_one() {
    hearth_e2e::npm_ci(&interop_dir());
    let dir = tempfile::tempdir().unwrap();
    let pg = hearth_relay_store_postgres::testing::TempPostgres::start_durable()
        .expect("start a private PostgreSQL (initdb/pg_ctl), fsync on");
    let url = pg.url();
    let node1 = RelayProcess::start(&url);
    let node2 = RelayProcess::start(&url);
    let node3 = RelayProcess::start(&url);
    let firm = node1.create_firm("Maple Advisors");
    let (alice_id, alice_code) = node1.invite(&firm, "Alice Advisor", false);
    let (bob_id, bob_code) = node1.invite(&firm, "Bob Colleague", false);

    // Desks enrolled through different nodes converge.
    let alice = Hearth::enrolled(dir.path(), "alice", &node3, &alice_code);
    let bob = Hearth::enrolled(dir.path(), "bob", &node1, &bob_code);
    let household = alice.ok(&["household", "create", "--name", "The Okafors"]);
    let note = alice.ok(&[
        "note",
        "add",
        &household,
        "--category",
        "planning",
        "--text",
        "Roll the 401(k) over in January.",
    ]);
    alice.ok(&["sync"]);

    // The real JS client on node 2 opens the household and waits for an edit made through
    // node 3; it is connected (node 2 holds the document in memory) before the edit is made.
    let alice_token = api_token(&node2, &alice_id);
    let reader = Command::new("node")
        .arg(interop_dir().join("interop.mjs"))
        .args([
            "read",
            "--url",
            &ws_url(&node2, &alice_token),
            "--doc",
            &household,
            "--until-note-contains",
            "Bob checked the beneficiaries",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    until(WAIT, "node 2 holds the household for the JS client", || {
        (metric(&node2, "resident_document_bytes") > 0.0).then_some(())
    });

    // Shared through node 3: Bob's desk on node 1 sees it within a second.
    alice.ok(&["share", &household, "--with", "Bob Colleague"]);
    let bob_token = api_token(&node1, &bob_id);
    let (_, shared_after) = until(Duration::from_secs(1), "the share reaches node 1", || {
        (document_status(&node1, &bob_token, &household) == 200).then_some(())
    });
    let synced: Value = bob.json(&["sync"]);
    assert_eq!(synced["fetched"], 1, "{synced}");
    bob.ok(&[
        "note",
        "edit",
        &household,
        &note,
        "--text",
        "Roll the 401(k) over in January. Bob checked the beneficiaries.",
    ]);
    bob.ok(&["sync"]); // through node 1
    let out = reader.wait_with_output().expect("JS client");
    assert!(
        out.status.success(),
        "the JS client on node 2 never saw the edit made through node 1: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And Alice's desk, on node 3, gets it too.
    alice.ok(&["sync"]);
    let shown = alice.json(&["household", "show", &household]);
    assert!(
        shown.to_string().contains("Bob checked the beneficiaries"),
        "{shown}"
    );

    // Unshared through node 3: node 1 answers as for a household that does not exist within
    // a second, and every node agrees.
    alice.ok(&["unshare", &household, "--with", "Bob Colleague"]);
    let (_, unshared_after) = until(Duration::from_secs(1), "the unshare reaches node 1", || {
        (document_status(&node1, &bob_token, &household) == 404).then_some(())
    });
    for node in [&node1, &node2, &node3] {
        assert_eq!(document_status(node, &bob_token, &household), 404);
    }
    eprintln!("share reached node 1 in {shared_after:?}, unshare in {unshared_after:?}");

    // One archive log for the firm, no gaps or duplicates, whichever node wrote.
    let (admin_id, _) = node1.invite(&firm, "Ada Admin", true);
    let admin_token = api_token(&node1, &admin_id);
    let check = archive_check(&node2, &admin_token);
    assert!(check["problem"].is_null(), "{check}");
    // Alice's household and note, Bob's edit: at least three changes, whichever node took them.
    assert!(check["entries"].as_u64().unwrap_or(0) >= 3, "{check}");
}

/// A stand-in for the load balancer: forwards each TCP connection to the backend currently
/// chosen (the test switches it when a node dies, as a health-checking balancer would).
struct Balancer {
    url: String,
    backend: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Balancer {
    fn start(first: &str) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the balancer");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let backend = std::sync::Arc::new(std::sync::Mutex::new(first.to_string()));
        let chosen = backend.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let target = chosen.lock().unwrap().clone();
                let Ok(server) = std::net::TcpStream::connect(&target) else {
                    continue; // the node is down: the client sees the connection close
                };
                let pipe = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                };
                if let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) {
                    pipe(client, server);
                    pipe(s2, c2);
                }
            }
        });
        Balancer { url, backend }
    }

    fn switch_to(&self, node: &str) {
        *self.backend.lock().unwrap() = node.to_string();
    }
}

fn host_of(relay: &RelayProcess) -> String {
    relay.url.trim_start_matches("http://").to_string()
}

#[test]
fn a_node_killed_under_load_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let pg = hearth_relay_store_postgres::testing::TempPostgres::start_durable()
        .expect("start a private PostgreSQL (initdb/pg_ctl), fsync on");
    let url = pg.url();
    let mut node1 = RelayProcess::start(&url);
    let node2 = RelayProcess::start(&url);
    let balancer = Balancer::start(&host_of(&node1));
    let firm = node1.create_firm("Birch Wealth");
    let (_, code) = node1.invite(&firm, "Wes Writer", false);
    // The desk knows only the balancer's address.
    let writer = Hearth::init(&dir.path().join("writer"), "wes", "pw");
    writer.ok(&["enroll", "--relay", &balancer.url, "--code", &code]);
    let household = writer.ok(&["household", "create", "--name", "The Lindqvists"]);
    writer.ok(&["sync"]);

    let mut acknowledged = Vec::new();
    for n in 0..20 {
        let text = format!("note {n}");
        writer.ok(&[
            "note",
            "add",
            &household,
            "--category",
            "planning",
            "--text",
            &text,
        ]);
        if n == 10 {
            // Node 1 dies mid-stream; the balancer's health check moves traffic to node 2.
            node1.kill();
            balancer.switch_to(&host_of(&node2));
        }
        if writer.run(&["sync", "--timeout", "10"]).status.success() {
            acknowledged.push(text);
        }
    }
    assert!(
        acknowledged.len() >= 15,
        "syncs went on through node 2: {acknowledged:?}"
    );
    // Everything acknowledged, by either node, is in the database: a new desk reading through
    // node 2 has it all.
    let (_, reader_code) = node2.invite(&firm, "Rita Reader", true);
    let reader = Hearth::enrolled(dir.path(), "rita", &node2, &reader_code);
    writer.ok(&["share", &household, "--with", "Rita Reader"]);
    reader.ok(&["sync"]);
    let shown = reader.json(&["household", "show", &household]).to_string();
    for text in &acknowledged {
        assert!(
            shown.contains(text),
            "{text} was acknowledged and is missing: {shown}"
        );
    }
    // One gap-free archive log, whichever node wrote.
    let (admin_id, _) = node2.invite(&firm, "Ada Admin", true);
    let token = api_token(&node2, &admin_id);
    let check = archive_check(&node2, &token);
    assert!(check["problem"].is_null(), "{check}");
}
