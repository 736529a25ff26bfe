//! End to end on the real desktop app: the built `hearth-desktop` binary (with the built UI
//! embedded) under Xvfb, driven through `tauri-driver` + `WebKitWebDriver` by a Node
//! WebDriver client (`tests/desktop/e2e.mjs`, webdriverio from npm). Two app instances with
//! two profiles enroll with a real `hearth-relay`; the script creates a household, adds
//! accounts (exact AUM total), a note and an open loop, shares the household with the
//! second advisor, runs a meeting (consent →
//! transcript → analysis → accept → follow-up draft), imports a recording (espeak-ng speech)
//! and gets its transcript after installing the speech model from Settings (first seeing the
//! model-missing error), attaches a document and finds its text with Ctrl-K, checks readable
//! errors (no keyring, relay down, wrong passphrase, no model, a junk model, an unsupported
//! document), and sees edits sync both ways. Screenshots of every screen
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

#[path = "../../crates/hearth-transcribe/tests/common/mod.rs"]
mod speech;

/// What the recording says; the e2e checks a few of its words in the transcript it shows.
const SPEECH: &str = "Good morning Linda. We reviewed your retirement plan and the college savings \
account for your daughter. I will send the rollover forms next week.";

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
    hearth_e2e::npm_ci(&ui);
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
    hearth_e2e::npm_ci(&repo().join("tests/desktop"));

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
    // Inputs for the audio, model and document steps.
    let test_model = speech::tiny_en_model();
    let models_dir = work.path().join("models");
    std::fs::create_dir_all(&models_dir).expect("models dir");
    let inputs = work.path().join("inputs");
    std::fs::create_dir_all(&inputs).expect("inputs dir");
    let audio = speech::speak(SPEECH, &inputs, "speech");
    let junk_model = inputs.join("ggml-tiny.en-pypi.bin");
    std::fs::write(&junk_model, vec![0x5au8; 64 * 1024]).expect("junk model");
    // The microphone: the same speech through an ALSA `file` device (as tests/capture.rs), in
    // the device's native format, with a minute of silence after it so the audio is still
    // flowing when the script presses Stop.
    let mic_raw = hearth_e2e::microphone_input(&inputs, &audio, 1, 60);
    let alsa_conf = hearth_e2e::alsa_file_microphone(&inputs, &mic_raw);
    let doc_txt = inputs.join("beneficiary-letter.txt");
    std::fs::write(
        &doc_txt,
        "Letter from Quillfeather Trust Company confirming the beneficiary change for Linda Johnson.\n",
    )
    .expect("document");
    let doc_bad = inputs.join("installer.exe");
    std::fs::write(&doc_bad, [0x4du8, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]).expect("exe");

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
        .env("MODELS_DIR", &models_dir)
        .env("TEST_MODEL", &test_model)
        .env("JUNK_MODEL", &junk_model)
        .env("AUDIO_WAV", &audio)
        .env("DOC_TXT", &doc_txt)
        .env("DOC_BAD", &doc_bad)
        .env("HEARTH_BIN", hearth_e2e::bin("hearth"))
        // Both app instances see the file-backed microphone as their only input device.
        .env("ALSA_CONFIG_PATH", &alsa_conf)
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
    let profile_a_dir = profile_a.clone();
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
    // The balance both advisors set at the same time, as Ada settled it in the app.
    let ira = shown["accounts"]
        .as_object()
        .expect("accounts")
        .values()
        .find(|a| a["kind"] == "Rollover IRA")
        .expect("the IRA");
    assert_eq!(ira["aum"], "1310000.00", "{ira}");
    assert!(
        shown["conflicts"].as_array().expect("conflicts").is_empty(),
        "{}",
        shown["conflicts"]
    );
    let history = ada.json(&["history", id]).to_string();
    for line in [
        "Completed task Call the custodian",
        "Updated AUM of Rollover IRA to 1,300,000.10",
        "Resolved AUM of Rollover IRA: kept 1,310,000.00",
    ] {
        assert!(
            history.contains(line),
            "{line:?} not in the history: {history}"
        );
    }
    // Three meetings: the pasted transcript (items accepted), the imported recording (the
    // attempt without a model wrote nothing) and the one recorded from the microphone.
    let meetings = shown["meetings"].as_object().expect("meetings");
    assert_eq!(meetings.len(), 3, "{meetings:?}");
    assert!(
        meetings
            .values()
            .any(|m| !m["accepted"].as_array().expect("accepted").is_empty())
    );
    assert!(
        !shown["meetings"].to_string().contains("078-05-1120"),
        "the SSN was stored unmasked"
    );
    let recorded = meetings
        .values()
        .find(|m| m["title"] == "Phone review (recording)")
        .unwrap_or_else(|| panic!("no imported recording among {meetings:?}"));
    assert_eq!(recorded["audio"], "deleted", "{recorded}");
    let said = recorded["transcript"].to_string().to_lowercase();
    assert!(said.contains("retirement"), "{said}");
    // Recorded in the app: consent taken in Hearth, the audio deleted after transcription.
    let live = meetings
        .values()
        .find(|m| m["title"] == "Live review (microphone)")
        .unwrap_or_else(|| panic!("no recorded meeting among {meetings:?}"));
    assert_eq!(live["consent"]["method"], "in_app", "{live}");
    // All-party consent by then: the household member in the room and the guest both
    // consented, and both are recorded as the meeting's participants.
    for who in ["Linda Johnson", "Robert Johnson"] {
        let named = |field: &serde_json::Value| {
            field
                .as_array()
                .is_some_and(|names| names.iter().any(|n| n == who))
        };
        assert!(named(&live["consent"]["consented_by"]), "{who}: {live}");
        assert!(named(&live["participants"]), "{who}: {live}");
    }
    assert_eq!(live["audio"], "deleted", "{live}");
    let said = live["transcript"].to_string().to_lowercase();
    for word in ["retirement", "college", "daughter"] {
        assert!(said.contains(word), "{word} missing from {said}");
    }
    // Only the sealed audio is ever kept, and it is deleted after transcription; no
    // temporary copy of the recording or the document outlives its import.
    let leftovers: Vec<_> = hearth_e2e::all_files(&profile_a_dir)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| {
            p.components().any(|c| {
                let c = c.as_os_str().to_string_lossy();
                c.starts_with(".import-") || c.starts_with(".attach-") || c.ends_with(".hca")
            })
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The attached document is in the household, stored here.
    let docs = ada.json(&["doc", "list", id]);
    assert!(
        docs.to_string().contains("beneficiary-letter.txt"),
        "{docs}"
    );
}
