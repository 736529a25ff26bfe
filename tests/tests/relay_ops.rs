//! Operating the relay: health, readiness, metrics, rate limits, kill -9 durability, and a
//! PostgreSQL restart underneath it.

use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use hearth_e2e::{Hearth, RelayProcess, http};

fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("relay.db").display())
}

#[test]
fn health_readiness_metrics_and_auth_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    // The default limits: 20 enrollment/token requests per minute per address.
    let relay = RelayProcess::start_with_config(&sqlite_url(dir.path()), "");
    assert_eq!(
        http::get(&relay.url, "/healthz"),
        http::Response {
            status: 200,
            body: "ok".into()
        }
    );
    assert_eq!(http::get(&relay.url, "/readyz").status, 200);

    assert_eq!(http::get(&relay.url, "/v1/me").status, 401);
    // Enrollment guesses from one address are limited (20 a minute by default).
    let statuses: Vec<u16> = (0..25)
        .map(|_| {
            http::post_json(
                &relay.url,
                "/v1/enroll",
                r#"{"code":"AAAA-BBBB-CCCC-DDDD"}"#,
            )
            .status
        })
        .collect();
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");

    let metrics = http::get(&relay.url, "/metrics");
    assert_eq!(metrics.status, 200);
    for series in [
        "hearth_relay_connections",
        "hearth_relay_changes_total",
        "hearth_relay_persist_seconds_bucket",
        "hearth_relay_denials_total{reason=\"unauthorized\"}",
        "hearth_relay_denials_total{reason=\"rate_limited\"} 5",
    ] {
        assert!(
            metrics.body.contains(series),
            "{series} missing from:\n{}",
            metrics.body
        );
    }
}

/// A fresh device of `advisor` pulls what the relay holds (a fresh profile, so it cannot
/// re-push anything the relay may have lost); returns the note texts of household `id`.
fn relay_holds(
    relay: &RelayProcess,
    firm: &str,
    advisor: &str,
    dir: &std::path::Path,
    id: &str,
) -> Vec<String> {
    let code = relay.admin_json(&["advisor", "reinvite", "--firm", firm, "--advisor", advisor])["enrollment_code"]
        .as_str()
        .unwrap()
        .to_string();
    let reader = Hearth::init(dir, "reader", "pw-reader");
    reader.ok(&["enroll", "--relay", &relay.url, "--code", &code]);
    reader.ok(&["sync"]);
    let data = reader.json(&["household", "show", id]);
    data["notes"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n["body"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn kill_9_loses_nothing_the_relay_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    kill_9_loses_nothing(dir.path(), &sqlite_url(dir.path()));
}

#[test]
fn kill_9_loses_nothing_the_relay_acknowledged_on_postgres_with_fsync() {
    let dir = tempfile::tempdir().unwrap();
    let pg = hearth_relay_store_postgres::testing::TempPostgres::start_durable()
        .expect("start a private PostgreSQL (initdb/pg_ctl), fsync on");
    kill_9_loses_nothing(dir.path(), &pg.url());
}

/// Three kill -9s of a relay on `database` while a writer and a loader sync; every note a
/// completed `hearth sync` acknowledged is still there after each restart.
fn kill_9_loses_nothing(dir: &std::path::Path, database: &str) {
    let mut relay = RelayProcess::start(database);
    let firm = relay.create_firm("Firm");
    let (advisor, code) = relay.invite(&firm, "Alice", false);
    let writer = Hearth::init(&dir.join("writer"), "alice", "pw1");
    writer.ok(&["enroll", "--relay", &relay.url, "--code", &code]);
    let id = writer.ok(&["household", "create", "--name", "Durable"]);
    writer.ok(&["sync"]);

    // A second device keeps the relay busy: it adds a note and syncs, over and over, so the
    // kills land while sync sessions are storing changes.
    let load_code = relay.admin_json(&[
        "advisor",
        "reinvite",
        "--firm",
        &firm,
        "--advisor",
        &advisor,
    ])["enrollment_code"]
        .as_str()
        .unwrap()
        .to_string();
    let loader = Hearth::init(&dir.join("loader"), "alice", "pw-load");
    loader.ok(&["enroll", "--relay", &relay.url, "--code", &load_code]);
    let busy = loader.ok(&["household", "create", "--name", "Busy"]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (synced_tx, synced) = mpsc::channel::<()>();
    let load = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                loader.ok(&[
                    "note",
                    "add",
                    &busy,
                    "--category",
                    "discussion",
                    "--text",
                    &format!("load {n}"),
                ]);
                n += 1;
                // Fails while the relay is down; that is the point.
                if loader.run(&["sync", "--timeout", "10"]).status.success() {
                    let _ = synced_tx.send(());
                }
            }
        })
    };

    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..3 {
        for n in 0..5 {
            let text = format!("round {round} note {n}");
            writer.ok(&[
                "note",
                "add",
                &id,
                "--category",
                "planning",
                "--text",
                &text,
            ]);
            acknowledged.push(text);
        }
        // A completed `hearth sync` means the relay acknowledged every one of them.
        writer.ok(&["sync"]);
        // Edits that are still in flight when the relay dies need not survive; these do not
        // count as acknowledged.
        writer.ok(&[
            "note",
            "add",
            &id,
            "--category",
            "planning",
            "--text",
            &format!("round {round} unacknowledged"),
        ]);
        let mut in_flight = writer
            .command(&["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the loader has stored something since the last restart, then kill the
        // relay while it (and the writer's in-flight sync) are mid-session.
        while synced.try_recv().is_ok() {}
        synced
            .recv_timeout(Duration::from_secs(90))
            .expect("the loader syncs");
        relay.kill();
        let _ = in_flight.wait();
        relay.restart();
        assert_eq!(
            http::get(&relay.url, "/readyz").status,
            200,
            "round {round}"
        );
        let held = relay_holds(
            &relay,
            &firm,
            &advisor,
            &dir.join(format!("reader-{round}")),
            &id,
        );
        for text in &acknowledged {
            assert!(
                held.contains(text),
                "round {round}: acknowledged note '{text}' lost; the relay holds {held:?}"
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    load.join().expect("loader thread");

    // And clients converge once they sync again.
    writer.ok(&["sync"]);
    let held = relay_holds(&relay, &firm, &advisor, &dir.join("reader-final"), &id);
    let here = writer.json(&["household", "show", &id])["notes"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(
        held.len(),
        here,
        "the relay and the writer agree after a final sync"
    );
}

#[test]
fn postgres_restart_under_the_relay_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut pg = hearth_relay_store_postgres::testing::TempPostgres::start().expect("PostgreSQL");
    let relay = RelayProcess::start(&pg.url());
    let firm = relay.create_firm("Firm");
    let (_, code) = relay.invite(&firm, "Pat", false);
    let pat = Hearth::init(&dir.path().join("pat"), "pat", "pw");
    pat.ok(&["enroll", "--relay", &relay.url, "--code", &code]);
    let id = pat.ok(&["household", "create", "--name", "Before the outage"]);
    pat.ok(&["sync"]);
    assert_eq!(http::get(&relay.url, "/readyz").status, 200);

    pg.stop().expect("stop PostgreSQL");
    let ready = http::get(&relay.url, "/readyz");
    assert_eq!(ready.status, 503, "{ready:?}");
    pat.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Written during the outage",
    ]);
    let err = pat.fails(&["sync", "--timeout", "20"]);
    // The relay is up but its database is not: it answers 503, and the desk says it cannot
    // sync now (a transient failure) — not that its credentials were refused.
    assert!(
        err.contains("503") && !err.contains("refused this device's credentials"),
        "a clear error while the database is down: {err}"
    );

    pg.start_again().expect("start PostgreSQL again");
    assert_eq!(
        http::get(&relay.url, "/readyz").status,
        200,
        "ready again without a relay restart"
    );
    pat.ok(&["sync"]);
    let second = Hearth::init(&dir.path().join("second"), "pat", "pw2");
    let code = relay.admin_json(&["advisor", "list", "--firm", &firm])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = relay.admin_json(&["advisor", "reinvite", "--firm", &firm, "--advisor", &code])["enrollment_code"]
        .as_str()
        .unwrap()
        .to_string();
    second.ok(&["enroll", "--relay", &relay.url, "--code", &code]);
    second.ok(&["sync"]);
    let shown = second.ok(&["household", "show", &id]);
    assert!(
        shown.contains("Before the outage") && shown.contains("Written during the outage"),
        "{shown}"
    );
}

/// SQLite is single-process for the relay: a second `serve` on the same file refuses to start
/// with a message saying what to do, while admin commands still work beside the running one,
/// and the lock goes with the process that held it (even killed).
#[test]
fn a_second_relay_on_the_same_sqlite_file_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("relay.db").display());
    let mut first = RelayProcess::start(&database);
    let second = std::process::Command::new(hearth_e2e::bin("hearth-relay"))
        .args([
            "--database",
            &database,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--stop-on-stdin-eof",
        ])
        .env("HEARTH_RELAY_MASTER_KEY", hearth_e2e::TEST_MASTER_KEY)
        .stdin(Stdio::null())
        .output()
        .expect("spawn hearth-relay");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "a second relay started: {stderr}");
    assert!(
        stderr.contains("already serving") && stderr.contains("PostgreSQL"),
        "{stderr}"
    );
    assert!(second.stdout.is_empty(), "it never listened");
    // Operator commands beside the running relay are fine.
    let firm = first.create_firm("Side By Side");
    assert!(first.admin(&["firm", "list"]).contains(&firm));
    // Killed, the first releases the file: a relay starts on it again.
    first.kill();
    first.restart();
    assert_eq!(
        http::get(&first.url, "/readyz").status,
        200,
        "the restarted relay serves"
    );
}
