//! Kill `hearth` with SIGKILL at random moments while it writes; every edit it acknowledged
//! must be there afterwards and the database must pass `PRAGMA integrity_check`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use hearth_e2e::Hearth;
use rand::Rng;
use serde_json::Value;

const KILLS: usize = 60;

#[test]
fn every_acknowledged_edit_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Alice Advisor", "crash-pw");
    let households = [
        h.ok(&["household", "create", "--name", "Crash A"]),
        h.ok(&["household", "create", "--name", "Crash B"]),
    ];
    let mut rng = rand::rng();
    // note id → (household, text) for every acknowledged edit.
    let mut acknowledged: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut killed_mid_stream = 0;

    for round in 0..KILLS {
        let mut child = h
            .command(&["batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let lines: Vec<(String, String)> = (0..400)
            .map(|n| {
                let household = households[n % 2].clone();
                (household, format!("round {round} edit {n}"))
            })
            .collect();
        let feed = lines.clone();
        // Feed edits as fast as the process takes them; it dies mid-stream.
        let writer = std::thread::spawn(move || {
            for (household, text) in feed {
                let line = serde_json::json!({"op": "note.add", "household": household, "category": "discussion", "text": text});
                if writeln!(stdin, "{line}").is_err() {
                    break;
                }
            }
        });
        // Kill after a random number of acknowledgements (0 = while it is still opening).
        let kill_after = rng.random_range(0..30usize);
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut seen = 0;
        while seen < kill_after {
            let mut ack = String::new();
            if reader.read_line(&mut ack).unwrap() == 0 {
                break;
            }
            let ack: Value = serde_json::from_str(&ack).unwrap();
            assert_eq!(ack["ok"], true, "{ack}");
            let n = ack["line"].as_u64().unwrap() as usize - 1;
            acknowledged.insert(ack["id"].as_str().unwrap().to_string(), lines[n].clone());
            seen += 1;
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        if seen > 0 {
            killed_mid_stream += 1;
        }
        let _ = writer.join();
    }
    assert!(
        killed_mid_stream >= 40,
        "most kills land while edits are being written"
    );
    assert!(
        acknowledged.len() > 100,
        "enough acknowledged edits to mean something"
    );

    assert!(h.ok(&["check"]).contains("integrity_check: ok"));
    for household in &households {
        let data = h.json(&["household", "show", household]);
        let notes = data["notes"].as_object().unwrap();
        for (id, (owner, text)) in acknowledged.iter().filter(|(_, (hh, _))| hh == household) {
            let note = notes
                .get(id)
                .unwrap_or_else(|| panic!("acknowledged note {id} ({text}) in {owner} is missing"));
            assert_eq!(note["body"].as_str(), Some(text.as_str()));
        }
    }
}
