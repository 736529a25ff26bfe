//! End to end on the real desktop app: the built `hearth-desktop` binary (with the built UI
//! embedded) under Xvfb, driven through `tauri-driver` + `WebKitWebDriver` by a Node
//! WebDriver client (`tests/desktop/e2e.mjs`, webdriverio from npm). Two app instances with
//! two profiles enroll with a real `hearth-relay`; the script creates a household, adds
//! accounts (exact AUM total), a note and an open loop, shares the household with the
//! second advisor, runs a meeting (consent →
//! transcript → analysis → accept → follow-up draft), checks readable errors (no keyring,
//! relay down, wrong passphrase), and sees edits sync both ways. Screenshots of every screen
//! go to `docs/screenshots/desktop-*.png`. Afterwards the profile is read back with the
//! `hearth` CLI, so what the UI showed is what is on disk.
//!
//! Needs (scripts/setup.sh installs them): `xvfb-run`, `WebKitWebDriver`
//! (webkit2gtk-driver), `tauri-driver` (`$HOME/.cache/hearth-tools/bin` or `$TAURI_DRIVER`),
//! Node 20+ with npm. The test runs the UI's unit tests (Vitest), builds the UI (`npm ci` +
//! `npm run build` in `ui/`) and then
//! `cargo build -p hearth-desktop`, so the binary embeds the current UI.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hearth_e2e::{Hearth, RelayProcess};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

fn run(what: &str, cmd: &mut Command) {
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

/// `npm ci` in `dir` unless its node_modules is current with the lockfile.
fn npm_ci(dir: &Path) {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = dir.join("node_modules").join(".package-lock.json");
    if matches!((mtime(&installed), mtime(&dir.join("package-lock.json"))), (Some(i), Some(l)) if i >= l)
    {
        return;
    }
    let ci = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("npm ci in {}: cannot start: {e}", dir.display()));
    if ci.success() {
        return;
    }
    // The registry mirror here cannot resolve some optional per-platform packages the lock
    // names (e.g. @tailwindcss/oxide-android-arm64), so `npm ci` calls the lock out of sync;
    // `npm install --no-save` installs the same pinned tree without rewriting the lock (as
    // bench/relay/run.sh does for cbor-x).
    run(
        &format!("npm install --no-save in {}", dir.display()),
        Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .current_dir(dir),
    );
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let cached = PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
        .join(".cache/hearth-tools/bin/tauri-driver");
    if cached.is_file() {
        return cached;
    }
    PathBuf::from("tauri-driver")
}

fn require(program: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{program} is not installed; run scripts/setup.sh (it installs the desktop test tools)"
    );
}

#[test]
fn desktop_app_end_to_end() {
    require("xvfb-run");
    require("WebKitWebDriver");
    require("node");
    let driver = tauri_driver();
    assert!(
        driver.is_file() || driver == Path::new("tauri-driver"),
        "tauri-driver is missing at {}; run scripts/setup.sh",
        driver.display()
    );

    // The UI, then the app embedding it.
    let ui = repo().join("ui");
    npm_ci(&ui);
    run(
        "npm test (ui: Vitest)",
        Command::new("npm").args(["test"]).current_dir(&ui),
    );
    run(
        "npm run build (ui)",
        Command::new("npm").args(["run", "build"]).current_dir(&ui),
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run(
        "cargo build -p hearth-desktop",
        Command::new(cargo)
            .args(["build", "-p", "hearth-desktop", "--bin", "hearth-desktop"])
            .current_dir(repo()),
    );
    let app = hearth_e2e::bin("hearth-desktop");
    npm_ci(&repo().join("tests/desktop"));

    let work = tempfile::tempdir().expect("temp dir");
    let relay = RelayProcess::start(&format!(
        "sqlite://{}",
        work.path().join("relay.db").display()
    ));
    let firm = relay.create_firm("Maple Advisors");
    let (_, code_a) = relay.invite(&firm, "Ada Advisor", false);
    // Bob sees Ada's household only because she shares it with him from the app.
    let (_, code_b) = relay.invite(&firm, "Bob Colleague", false);
    let profile_a = work.path().join("profile-a");
    let profile_b = work.path().join("profile-b");

    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1440x900x24", "node"])
        .arg(repo().join("tests/desktop/e2e.mjs"))
        .env("HEARTH_DESKTOP_BIN", &app)
        .env("TAURI_DRIVER", &driver)
        .env("PROFILE_A", &profile_a)
        .env("PROFILE_B", &profile_b)
        .env("RELAY_URL", &relay.url)
        .env("CODE_A", &code_a)
        .env("CODE_B", &code_b)
        .env("SCREENSHOTS", repo().join("docs/screenshots"))
        .stdin(Stdio::null())
        .output()
        .expect("run xvfb-run node tests/desktop/e2e.mjs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("PASS"),
        "the desktop end-to-end script failed ({}):\n{stdout}\n{stderr}",
        output.status
    );

    // What the UI did is on disk, in the encrypted profile, as the CLI reads it.
    let ada = Hearth {
        profile: profile_a,
        env: vec![("HEARTH_PASSPHRASE".into(), "correct horse battery".into())],
    };
    let list = ada.json(&["household", "list"]);
    let rows = list.as_array().expect("household list is an array");
    assert_eq!(rows.len(), 1, "{list}");
    assert_eq!(rows[0]["name"], "The Johnson Family");
    let id = rows[0]["id"].as_str().expect("household id");
    let shown = ada.json(&["household", "show", id]);
    let notes: Vec<String> = shown["notes"]
        .as_object()
        .expect("notes")
        .values()
        .map(|n| n["body"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n == "Reviewed the RMD schedule with Linda."),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Linda called about the beneficiary forms")),
        "Bob's note did not sync into Ada's profile: {notes:?}"
    );
    assert_eq!(shown["accounts"].as_object().map(|a| a.len()), Some(2));
    let meetings = shown["meetings"].as_object().expect("meetings");
    assert_eq!(meetings.len(), 1);
    let meeting = meetings.values().next().expect("one meeting");
    assert!(!meeting["accepted"].as_array().expect("accepted").is_empty());
    assert!(
        !meeting.to_string().contains("078-05-1120"),
        "the SSN was stored unmasked"
    );
}
