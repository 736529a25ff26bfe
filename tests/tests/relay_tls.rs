//! TLS end to end, as a firm on its own PKI runs it: the relay terminates TLS with a
//! certificate signed by the firm's CA (made here with the `openssl` CLI); a desk enrolls and
//! syncs with `--ca-cert` and is refused without it (the enrollment code survives the refusal);
//! the relay sends HSTS; a renewed certificate is served after SIGHUP without a restart; the
//! desk refuses unencrypted and `ws://` addresses with a message saying what to use; the
//! relay refuses plain HTTP on a non-loopback address unless told `insecure_http = true`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hearth_e2e::pki::firm_pki;
use hearth_e2e::{Hearth, RelayProcess, TEST_RELAY_CONFIG};

/// `GET /healthz` over TLS with `openssl s_client`, verifying against `ca`; the raw response,
/// or `None` when the certificate does not verify.
fn get_healthz(url: &str, ca: &Path) -> Option<String> {
    let host = url.trim_start_matches("https://");
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-verify_return_error",
            "-connect",
            host,
            "-CAfile",
        ])
        .arg(ca)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_client");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success() && text.starts_with("HTTP/1.1 200")).then_some(text)
}

#[test]
fn a_desk_syncs_over_tls_with_the_firm_ca_and_is_refused_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = firm_pki(dir.path(), "maple");
    let tls_cert = dir.path().join("live-cert.pem");
    let tls_key = dir.path().join("live-key.pem");
    std::fs::copy(&cert, &tls_cert).unwrap();
    std::fs::copy(&key, &tls_key).unwrap();
    let config = format!(
        "{TEST_RELAY_CONFIG}\n[tls]\ncert_file = \"{}\"\nkey_file = \"{}\"\n",
        tls_cert.display(),
        tls_key.display()
    );
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        &config,
    );
    assert!(relay.url.starts_with("https://127.0.0.1:"), "{}", relay.url);
    let firm = relay.create_firm("Maple Advisors");
    let (_, alice_code) = relay.invite(&firm, "Alice", false);
    let (_, bob_code) = relay.invite(&firm, "Bob", false);

    // HSTS on every answer under TLS.
    let healthz = get_healthz(&relay.url, &ca).expect("the relay's certificate verifies");
    assert!(
        healthz
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age="),
        "{healthz}"
    );

    // Without the firm's CA the desk does not trust the relay; the code is not spent.
    let alice = Hearth::init(&dir.path().join("alice"), "Alice", "pw-a");
    let refused = alice.fails(&["enroll", "--relay", &relay.url, "--code", &alice_code]);
    assert!(refused.contains("cannot reach the relay"), "{refused}");
    assert!(
        refused.to_ascii_lowercase().contains("certificate"),
        "the refusal names the certificate: {refused}"
    );
    let ca_arg = ca.to_str().unwrap();
    alice.ok(&[
        "enroll",
        "--relay",
        &relay.url,
        "--code",
        &alice_code,
        "--ca-cert",
        ca_arg,
    ]);
    let bob = Hearth::init(&dir.path().join("bob"), "Bob", "pw-b");
    bob.ok(&[
        "enroll",
        "--relay",
        &relay.url,
        "--code",
        &bob_code,
        "--ca-cert",
        ca_arg,
    ]);

    // Households cross the TLS relay both ways.
    let id = alice.ok(&["household", "create", "--name", "The Tls Family"]);
    alice.ok(&["share", &id, "--with", "Bob"]);
    bob.ok(&["sync"]);
    assert_eq!(
        bob.json(&["household", "show", &id])["name"],
        "The Tls Family"
    );
    bob.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "discussion",
        "--text",
        "Over TLS.",
    ]);
    bob.ok(&["sync"]);
    alice.ok(&["sync"]);
    assert!(alice.ok(&["household", "show", &id]).contains("Over TLS."));

    // A renewed certificate (from a new CA) is served after SIGHUP, without a restart.
    let (new_ca, new_cert, new_key) = firm_pki(dir.path(), "renewed");
    std::fs::copy(&new_cert, &tls_cert).unwrap();
    std::fs::copy(&new_key, &tls_key).unwrap();
    let hup = Command::new("kill")
        .args(["-HUP", &relay.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while get_healthz(&relay.url, &new_ca).is_none() {
        assert!(
            Instant::now() < deadline,
            "the renewed certificate was never served"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        get_healthz(&relay.url, &ca).is_none(),
        "the old certificate is still served"
    );
}

#[test]
fn the_desk_refuses_unencrypted_and_websocket_addresses_readably() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Hearth::init(&dir.path().join("desk"), "Dana", "pw-d");
    let plain = desk.fails(&[
        "enroll",
        "--relay",
        "http://relay.example-firm.com",
        "--code",
        "X",
    ]);
    assert!(
        plain.contains("is not encrypted") && plain.contains("https://"),
        "{plain}"
    );
    let ws = desk.fails(&[
        "enroll",
        "--relay",
        "wss://relay.example-firm.com/sync",
        "--code",
        "X",
    ]);
    assert!(
        ws.contains("WebSocket address") && ws.contains("https://relay.example-firm.com"),
        "{ws}"
    );
    let junk = desk.fails(&["enroll", "--relay", "relay.example-firm.com", "--code", "X"]);
    assert!(junk.contains("not a relay address"), "{junk}");
    assert!(desk.fails(&["sync"]).contains("not enrolled"));
}

#[test]
fn the_relay_refuses_plain_http_off_loopback_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("relay.db").display());
    let serve = |config: &str| {
        let file = dir.path().join("relay.toml");
        std::fs::write(&file, config).unwrap();
        Command::new(hearth_e2e::bin("hearth-relay"))
            .arg("--config")
            .arg(&file)
            .args([
                "--database",
                &database,
                "serve",
                "--listen",
                "0.0.0.0:0",
                "--stop-on-stdin-eof",
            ])
            .env("HEARTH_RELAY_MASTER_KEY", hearth_e2e::TEST_MASTER_KEY)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let refused = serve("").wait_with_output().unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("refusing to serve plain HTTP") && stderr.contains("insecure_http"),
        "{stderr}"
    );

    let mut allowed = serve("insecure_http = true\n");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(allowed.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.contains("listening on http://0.0.0.0:"), "{line}");
    drop(allowed.stdin.take());
    assert!(allowed.wait().unwrap().success());
}
