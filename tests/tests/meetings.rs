//! Meetings end to end through the CLI: import a transcript with attested consent, analyse it
//! offline, accept suggestions, and see exactly that in the household and its history.

use hearth_e2e::{Hearth, all_files, contains};

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/meetings")
        .join(name)
}

#[test]
fn import_analyse_accept_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Dana Advisor", "pw");
    let id = h.ok(&[
        "household",
        "create",
        "--name",
        "Nakamura",
        "--status",
        "client",
    ]);
    let file = fixture("h21-onboarding-pii-nakamura.json");
    let file = file.to_str().unwrap();

    // No consent, no meeting.
    let before = h.json(&["history", &id]);
    let err = h.fails(&["meeting", "import-transcript", &id, file]);
    assert!(err.contains("consent is required"), "{err}");
    assert_eq!(h.json(&["history", &id]), before, "nothing was written");

    let meeting = h.ok(&[
        "meeting",
        "import-transcript",
        &id,
        file,
        "--consent-by",
        "Kenji Nakamura,Aiko Nakamura",
        "--title",
        "Onboarding",
        "--date",
        "2026-01-30",
    ]);
    let shown = h.json(&["meeting", "show", &meeting]);
    assert_eq!(
        shown["meeting"]["consent"]["consented_by"],
        serde_json::json!(["Kenji Nakamura", "Aiko Nakamura"])
    );
    assert_eq!(shown["meeting"]["consent"]["method"], "attested");
    // Consent is part of the household document (it syncs with it).
    let household = h.json(&["household", "show", &id]);
    assert_eq!(
        household["meetings"][&meeting]["consent"]["disclosure_version"],
        "2026-1"
    );

    // PII in the transcript is masked before it is stored: the raw values are nowhere.
    // The fixture's client reads out a Social Security number and an account number.
    let raw_ssns: Vec<String> = ["523714409"]
        .into_iter()
        .filter(|n| {
            std::fs::read_to_string(fixture("h21-onboarding-pii-nakamura.json"))
                .unwrap()
                .contains(n)
        })
        .map(str::to_string)
        .collect();
    assert!(!raw_ssns.is_empty(), "the fixture has an SSN to redact");
    let export = dir.path().join("export.json");
    h.ok(&["export", export.to_str().unwrap()]);
    let exported = std::fs::read(&export).unwrap();
    for ssn in &raw_ssns {
        assert!(
            !contains(&exported, ssn.as_bytes()),
            "raw SSN {ssn} was stored"
        );
        assert!(!contains(
            h.ok(&["meeting", "show", &meeting]).as_bytes(),
            ssn.as_bytes()
        ));
    }
    for (path, bytes) in all_files(&h.profile) {
        assert!(
            !contains(&bytes, b"Nakamura"),
            "plaintext in {}",
            path.display()
        );
    }

    // Analyse offline; accept the first action item and fact, and certify the notes.
    let analysis = h.json(&["meeting", "analyze", &meeting]);
    assert_eq!(analysis["engine"], "local");
    let items = analysis["analysis"]["action_items"].as_array().unwrap();
    assert!(!items.is_empty(), "{analysis:#}");
    let flags = analysis["analysis"]["flags"].as_array().unwrap();
    assert!(
        flags.iter().any(|f| f["redacted"] == true),
        "the PII flag records the redaction: {flags:?}"
    );
    let first = items[0].clone();
    let tasks_before = h.json(&["household", "show", &id])["tasks"]
        .as_object()
        .unwrap()
        .len();
    assert!(
        h.ok(&["meeting", "accept", &meeting, "action:0", "notes"])
            .contains("Filed action:0, note:0")
    );
    let after = h.json(&["household", "show", &id]);
    let tasks = after["tasks"].as_object().unwrap();
    assert_eq!(tasks.len(), tasks_before + 1);
    let task = tasks
        .values()
        .find(|t| t["source_meeting"] == meeting.as_str())
        .unwrap();
    assert_eq!(
        task["due"], first["due"],
        "the due date shown is the one filed"
    );
    let what = first["what"]
        .as_str()
        .unwrap()
        .split(" (re: ")
        .next()
        .unwrap()
        .to_lowercase();
    assert!(
        task["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .ends_with(&what),
        "{task} vs {first}"
    );
    let notes = after["notes"].as_object().unwrap();
    assert_eq!(
        notes.len(),
        analysis["analysis"]["notes"].as_array().unwrap().len()
    );
    assert!(
        notes
            .values()
            .all(|n| n["source_meeting"] == meeting.as_str())
    );

    // History records who accepted what.
    let history = h.json(&["history", &id]);
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["advisor"], "Dana Advisor");
    let suggested_notes = analysis["analysis"]["notes"].as_array().unwrap().len();
    let notes_filed = match suggested_notes {
        1 => "1 note".to_string(),
        n => format!("{n} notes"),
    };
    assert!(
        last["summary"].as_str().unwrap().contains(&format!(
            "Filed 1 action item and {notes_filed} from Onboarding"
        )),
        "{last}"
    );

    // Accepting again files nothing twice; a bad item is a clear error.
    assert!(
        h.ok(&["meeting", "accept", &meeting, "action:0"])
            .contains("Nothing new")
    );
    assert!(
        h.fails(&["meeting", "accept", &meeting, "action:999"])
            .contains("cannot accept")
    );
    assert!(
        h.fails(&["meeting", "accept", &meeting, "banana"])
            .contains("cannot accept")
    );
    assert!(
        h.fails(&["meeting", "analyze", "0000000000000000"])
            .contains("no meeting")
    );

    let vtt = dir.path().join("m.vtt");
    h.ok(&["meeting", "export-vtt", &meeting, vtt.to_str().unwrap()]);
    let vtt = std::fs::read_to_string(vtt).unwrap();
    assert!(
        vtt.starts_with("WEBVTT\n") && vtt.contains(" --> "),
        "{vtt}"
    );
}

#[test]
fn llm_engine_is_off_unless_enabled_and_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Dana Advisor", "pw");
    let id = h.ok(&["household", "create", "--name", "Lee"]);
    let transcript = dir.path().join("t.txt");
    std::fs::write(
        &transcript,
        "Dana: I'll send the rollover paperwork by Friday.\nKim: Great, thanks.\n",
    )
    .unwrap();
    let meeting = h.ok(&[
        "meeting",
        "import-transcript",
        &id,
        transcript.to_str().unwrap(),
        "--consent-by",
        "Kim Lee",
    ]);
    assert!(
        h.fails(&["meeting", "analyze", &meeting, "--engine", "llm"])
            .contains("no LLM is configured")
    );
    // Configured but not enabled: nothing is sent, the local result stands and says why.
    h.ok(&[
        "llm",
        "set",
        "--provider",
        "openai",
        "--base-url",
        "http://127.0.0.1:9",
        "--model",
        "m",
    ]);
    let out = h.json(&["meeting", "analyze", &meeting, "--engine", "llm"]);
    assert_eq!(out["engine"], "local");
    assert!(
        out["fallback_reason"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("not enabled"),
        "{out}"
    );
    // Enabled but unreachable: falls back to local, no crash.
    h.ok(&[
        "llm",
        "set",
        "--provider",
        "openai",
        "--base-url",
        "http://127.0.0.1:9",
        "--model",
        "m",
        "--enable",
    ]);
    let out = h.json(&["meeting", "analyze", &meeting, "--engine", "llm"]);
    assert_eq!(out["engine"], "local");
    assert!(out["fallback_reason"].is_string(), "{out}");
    assert!(
        !out["analysis"]["action_items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A room recording's speakers, named after the fact: relabelling a speaker (all segments, or
/// a range) is one change, and an analysed meeting is analysed again so owners follow.
#[test]
fn relabelled_speakers_move_the_action_items_to_their_owners() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Dana Advisor", "pw");
    let id = h.ok(&["household", "create", "--name", "Okafor"]);
    let transcript = dir.path().join("room.txt");
    std::fs::write(
        &transcript,
        "Speaker 1: I'll send you the rollover forms by Friday.\n\
         Speaker 2: And I will sign the beneficiary change form next week.\n\
         Speaker 1: Perfect, thank you.\n",
    )
    .unwrap();
    let meeting = h.ok(&[
        "meeting",
        "import-transcript",
        &id,
        transcript.to_str().unwrap(),
        "--consent-by",
        "Ada Okafor",
        "--date",
        "2026-03-02",
    ]);
    let owners = |analysis: &serde_json::Value| -> Vec<(String, String)> {
        analysis["action_items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["owner"].as_str().unwrap().to_string(),
                    i["what"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let first = h.json(&["meeting", "analyze", &meeting, "--engine", "local"]);
    // Unnamed speakers: every commitment is taken as the advisor's (a guess).
    assert!(
        owners(&first["analysis"])
            .iter()
            .all(|(o, _)| o == "advisor"),
        "{first}"
    );
    // ...and marked as a guess for the review.
    let guessed = |analysis: &serde_json::Value, needle: &str| {
        analysis["action_items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["what"].as_str().unwrap().contains(needle))
            .map(|i| i["owner_guessed"] == true)
            .unwrap_or_else(|| panic!("no item about {needle}: {analysis}"))
    };
    assert!(
        guessed(&first["analysis"], "sign the beneficiary"),
        "{first}"
    );

    // Bad input changes nothing.
    let err = h.fails(&[
        "meeting",
        "relabel",
        &meeting,
        "--speaker",
        "Speaker 2=Ada",
        "--segments",
        "5-9",
    ]);
    assert!(err.contains("outside"), "{err}");
    assert!(
        h.fails(&["meeting", "relabel", &meeting, "--speaker", "Speaker 2"])
            .contains("OLD=NEW")
    );
    let before = h.json(&["history", &id]);

    let relabelled = h.json(&[
        "meeting",
        "relabel",
        &meeting,
        "--speaker",
        "Speaker 2=Ada Okafor",
    ]);
    assert_eq!(relabelled["relabelled"], 1);
    assert_eq!(relabelled["reanalysed"], true);
    let owned = owners(&relabelled["analysis"]);
    assert!(
        owned
            .iter()
            .any(|(o, w)| o == "client" && w.contains("sign the beneficiary")),
        "{owned:?}"
    );
    assert!(
        !guessed(&relabelled["analysis"], "sign the beneficiary"),
        "a named speaker's commitment is no guess: {relabelled}"
    );
    assert!(
        owned
            .iter()
            .any(|(o, w)| o == "advisor" && w.contains("rollover forms")),
        "{owned:?}"
    );
    // Only segment 0 of speaker 1: one segment, the other keeps its label.
    let one = h.json(&[
        "meeting",
        "relabel",
        &meeting,
        "--speaker",
        "Speaker 1=Dana Advisor",
        "--segments",
        "0-0",
    ]);
    assert_eq!(one["relabelled"], 1);
    let shown = h.json(&["meeting", "show", &meeting]);
    let speakers: Vec<&str> = shown["meeting"]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers, ["Dana Advisor", "Ada Okafor", "Speaker 1"]);
    let history = h.json(&["history", &id]);
    let added = history.as_array().unwrap().len() - before.as_array().unwrap().len();
    assert!(added >= 2, "each relabel is a change: {history}");
    assert!(
        history.to_string().contains("Relabelled speakers"),
        "{history}"
    );
}

/// The advisor edits suggestions before filing them: an action item's wording, owner and due
/// date, one note of several, the follow-up e-mail; notes are certified one by one; what is
/// filed is what was edited; a filed suggestion and bad input are refused and change nothing.
#[test]
fn suggestions_are_edited_before_they_are_filed() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Dana Advisor", "pw");
    let id = h.ok(&["household", "create", "--name", "Okafor"]);
    let transcript = dir.path().join("t.txt");
    std::fs::write(
        &transcript,
        "Dana Advisor: I'll send you the rollover forms by Friday.\n\
         Ada Okafor: We want to retire at sixty two. We sold the rental property in March.\n\
         Ada Okafor: And I will sign the beneficiary change form next week.\n\
         Dana Advisor: We decided to keep the moderate allocation.\n",
    )
    .unwrap();
    let meeting = h.ok(&[
        "meeting",
        "import-transcript",
        &id,
        transcript.to_str().unwrap(),
        "--consent-by",
        "Ada Okafor",
        "--date",
        "2026-03-02",
    ]);
    let analysis = h.json(&["meeting", "analyze", &meeting, "--engine", "local"]);
    let notes = analysis["analysis"]["notes"].as_array().unwrap().len();
    assert!(notes >= 2, "{analysis}");

    // An action item reworded, given to the client, with another due date.
    let revised = h.json(&[
        "meeting",
        "revise",
        &meeting,
        "action:0",
        "--text",
        "Send the IRA rollover forms",
        "--owner",
        "client",
        "--due",
        "2026-03-13",
    ]);
    let item = &revised["analysis"]["action_items"][0];
    assert_eq!(item["what"], "Send the IRA rollover forms");
    assert_eq!(item["owner"], "client");
    assert_eq!(item["due"], "2026-03-13");
    // A note in the advisor's words; an account number typed in is masked.
    h.ok(&[
        "meeting",
        "revise",
        &meeting,
        "note:1",
        "--text",
        "Rental sold in March; proceeds to account 4417123456789113.",
    ]);
    let email = h.json(&[
        "meeting",
        "revise",
        &meeting,
        "email",
        "--subject",
        "Our review and next steps",
    ]);
    assert_eq!(
        email["analysis"]["email"]["subject"],
        "Our review and next steps"
    );
    let stored = h.json(&["meeting", "show", &meeting]).to_string();
    assert!(!stored.contains("4417123456789113"), "{stored}");

    // Bad input: a suggestion that does not exist, an unknown owner, a bad date, an emptied
    // note — each a clear error, nothing changed.
    let before = h.json(&["meeting", "show", &meeting]);
    for (args, says) in [
        (vec!["action:99", "--text", "x"], "action:99"),
        (vec!["action:0", "--owner", "grandson"], "advisor or client"),
        (vec!["action:0", "--due", "next friday"], "YYYY-MM-DD"),
        (vec!["note:0", "--text", "   "], "empty"),
        (vec!["memo:1", "--text", "x"], "memo:1"),
    ] {
        let mut all = vec!["meeting", "revise", meeting.as_str()];
        all.extend(args);
        let err = h.fails(&all);
        assert!(err.contains(says), "{all:?}: {err}");
    }
    assert_eq!(h.json(&["meeting", "show", &meeting]), before);

    // One note of several is certified and filed, as edited, with the edited task.
    h.ok(&["meeting", "accept", &meeting, "action:0", "note:1"]);
    let household = h.json(&["household", "show", &id]);
    let filed_notes: Vec<String> = household["notes"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n["body"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(filed_notes.len(), 1, "{filed_notes:?}");
    assert!(
        filed_notes[0].contains("Rental sold in March"),
        "{filed_notes:?}"
    );
    let task = household["tasks"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert!(
        task["title"]
            .as_str()
            .unwrap()
            .contains("Send the IRA rollover forms"),
        "{task}"
    );
    assert_eq!(task["due"], "2026-03-13");
    // Filed suggestions cannot be revised here any more; the other notes still can, and are
    // filed by `notes` without filing the first one twice.
    let err = h.fails(&["meeting", "revise", &meeting, "action:0", "--text", "y"]);
    assert!(err.contains("already filed"), "{err}");
    h.ok(&["meeting", "accept", &meeting, "notes"]);
    let household = h.json(&["household", "show", &id]);
    assert_eq!(household["notes"].as_object().unwrap().len(), notes);
}
