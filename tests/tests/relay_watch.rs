//! `hearth sync --watch`: remote edits arrive as they happen, local edits are pushed, and a
//! revoked device is thrown out and cannot get back in.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hearth_e2e::{Hearth, RelayProcess};

/// Lines a watching `hearth sync --watch` prints, delivered over a channel.
struct Watcher {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watcher {
    fn start(h: &Hearth) -> Self {
        let mut child = h
            .command(&["sync", "--watch"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher { child, lines }
    }

    /// Waits (bounded) for a line containing `needle`.
    fn expect(&self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => continue,
                Err(e) => panic!("no '{needle}' from hearth sync --watch: {e}"),
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_applies_remote_edits_pushes_local_ones_and_stops_when_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
    let firm = relay.create_firm("Firm");
    let (_, alice_code) = relay.invite(&firm, "Alice", false);
    let (bob_id, bob_code) = relay.invite(&firm, "Bob", false);
    let alice = Hearth::init(&dir.path().join("alice"), "alice", "pw-a");
    alice.ok(&["enroll", "--relay", &relay.url, "--code", &alice_code]);
    let bob = Hearth::init(&dir.path().join("bob"), "bob", "pw-b");
    bob.ok(&["enroll", "--relay", &relay.url, "--code", &bob_code]);

    let id = alice.ok(&["household", "create", "--name", "Watched"]);
    alice.ok(&["sync"]);
    alice.ok(&["share", &id, "--with", "Bob"]);
    bob.ok(&["sync"]);

    let mut watcher = Watcher::start(&bob);
    watcher.expect("in sync with the relay");

    // A remote edit arrives without Bob doing anything.
    alice.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "discussion",
        "--text",
        "Called about the RMD.",
    ]);
    alice.ok(&["sync"]);
    watcher.expect(&format!("applied remote changes to {id}"));
    assert!(
        bob.ok(&["household", "show", &id])
            .contains("Called about the RMD.")
    );

    // A local edit is pushed by the watcher; Alice pulls it.
    bob.ok(&["task", "add", &id, "--title", "Send the RMD form"]);
    watcher.expect(&format!("pushed local changes to {id}"));
    alice.ok(&["sync"]);
    assert!(
        alice
            .ok(&["household", "show", &id])
            .contains("Send the RMD form")
    );

    // Revoking Bob's device disconnects the watcher, and it cannot reconnect.
    let devices = relay.admin_json(&["device", "list", "--firm", &firm, "--advisor", &bob_id]);
    let device = devices[0]["id"].as_str().unwrap().to_string();
    relay.admin(&["device", "revoke", "--firm", &firm, "--device", &device]);
    let (tx, rx) = mpsc::channel();
    let mut child = std::mem::replace(
        &mut watcher.child,
        std::process::Command::new("true").spawn().unwrap(),
    );
    std::thread::spawn(move || {
        let status = child.wait();
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
        }
        let _ = tx.send((status, stderr));
    });
    let (status, stderr) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the watcher exits after revocation");
    assert!(!status.unwrap().success());
    assert!(
        stderr.contains("refused this device's credentials"),
        "{stderr}"
    );
}
