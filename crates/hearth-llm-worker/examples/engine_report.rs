//! Report per engine on the labelled corpus (issue 15), every engine scored alike by
//! `hearth_intel::eval`:
//!
//! * `rules` — the local engine;
//! * `on-device` — the on-device engine with the installed model, through the real
//!   `hearth-llm` worker (windows, bounded schema, unsourced items left out);
//! * `client` — the LLM client (`LlmEngine`, OpenAI wire format, the unbounded wire schema,
//!   strict citations) over HTTP against a local OpenAI-compatible server
//!   (`POST /v1/chat/completions` with `response_format: json_schema`) that runs the same
//!   model in a second worker, as llama.cpp's own server would.
//!
//! For each model engine two rows: what the desk shows (the rules' analysis whenever the model
//! fails) and the model alone (a meeting it fails counts as nothing found), with how many
//! answers were used and why the others were not. (The on-device engine itself fills a list
//! its model left empty with the rules' list, so its "alone" row includes those.)
//!
//! `cargo build --release -p hearth-llm-worker --bins --examples &&
//! target/release/examples/engine_report [--split holdout2] [--engines rules,on-device,client]
//! [--threads 2]` (`--split all` for every split; the model is `HEARTH_LLM_MODEL`, else the
//! test model `smollm2-135m`).

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hearth_intel::eval::{LabelledMeeting, MeetingScore, Report, load_corpus};
use hearth_intel::{
    Analysis, EngineUsed, FallbackEngine, GenerationStats, LlmConfig, LlmProvider, MeetingContext,
    OnDeviceEngine, TextGenerator, draft_email,
};
use hearth_llm::{Worker, WorkerOptions};
use serde_json::{Value, json};

struct ServerState {
    worker: Worker,
    model: String,
    /// What the server has generated (one window per request), for tokens per second.
    totals: Mutex<GenerationStats>,
}

/// `POST /v1/chat/completions`: the system and user messages and the JSON schema of
/// `response_format` go to the model; the answer comes back as an OpenAI chat completion.
async fn chat_completions(
    State(state): State<Arc<ServerState>>,
    Json(body): Json<Value>,
) -> Response {
    let message = |role: &str| -> String {
        body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["role"] == role)
            .filter_map(|m| m["content"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (system, user) = (message("system"), message("user"));
    let Some(schema) = body.pointer("/response_format/json_schema/schema") else {
        let error = json!({"error": {"message": "this server answers only requests with response_format.json_schema"}});
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    };
    let schema = schema.to_string();
    let worker_state = Arc::clone(&state);
    let answer =
        tokio::task::spawn_blocking(move || worker_state.worker.generate(&system, &user, &schema))
            .await;
    match answer {
        Ok(Ok(g)) => {
            let request = {
                let mut totals = state.totals.lock().unwrap_or_else(|p| p.into_inner());
                totals.add_generation(&g);
                totals.windows
            };
            Json(json!({
                "id": format!("chatcmpl-{request}"),
                "object": "chat.completion",
                "model": state.model,
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": g.text},
                    "finish_reason": if g.truncated { "length" } else { "stop" },
                }],
                "usage": {
                    "prompt_tokens": g.prompt_tokens,
                    "completion_tokens": g.generated_tokens,
                    "total_tokens": g.prompt_tokens + g.generated_tokens,
                },
            }))
            .into_response()
        }
        Ok(Err(e)) => {
            let error = json!({"error": {"message": e.to_string()}});
            (StatusCode::INTERNAL_SERVER_ERROR, Json(error)).into_response()
        }
        Err(e) => {
            let error = json!({"error": {"message": format!("generation panicked: {e}")}});
            (StatusCode::INTERNAL_SERVER_ERROR, Json(error)).into_response()
        }
    }
}

/// Starts the local OpenAI-compatible server on 127.0.0.1 (a port it chooses); it runs until
/// the program ends.
fn start_server(state: Arc<ServerState>) -> anyhow::Result<SocketAddr> {
    let runtime = tokio::runtime::Runtime::new().context("tokio runtime")?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .context("bind 127.0.0.1")?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .with_state(state);
    std::thread::spawn(move || {
        if let Err(e) = runtime.block_on(async move { axum::serve(listener, app).await }) {
            eprintln!("local server stopped: {e}");
        }
    });
    Ok(addr)
}

/// One engine's results over the chosen meetings.
#[derive(Default)]
struct EngineRun {
    /// What the desk shows.
    desk: Report,
    /// The model alone (None for the rules).
    alone: Report,
    used: usize,
    meetings: usize,
    /// Why answers were not used → how often.
    failures: BTreeMap<String, usize>,
    wall: Duration,
}

fn nothing_found(ctx: &MeetingContext) -> Analysis {
    Analysis {
        notes: Vec::new(),
        action_items: Vec::new(),
        facts: Vec::new(),
        flags: Vec::new(),
        email: draft_email(ctx, &[], &[], &[]),
    }
}

/// Analyses every meeting with `engine`; `after_each` sees the engine after each analysis.
fn run(
    engine: &FallbackEngine,
    meetings: &[&LabelledMeeting],
    name: &str,
    after_each: &mut dyn FnMut(&FallbackEngine),
) -> EngineRun {
    let mut out = EngineRun::default();
    let started = Instant::now();
    for (i, m) in meetings.iter().enumerate() {
        let (t, ctx) = m.input();
        let t0 = Instant::now();
        let outcome = engine.analyze_with_fallback(&t, &ctx);
        after_each(engine);
        let desk: MeetingScore = m.score(&outcome.analysis);
        out.desk.add(m, &desk);
        out.meetings += 1;
        let model_answered = outcome.engine != EngineUsed::Local;
        if model_answered {
            out.used += 1;
            out.alone.add(m, &desk);
        } else {
            out.alone.add(m, &m.score(&nothing_found(&ctx)));
            // Group reasons by their start (the rest names a segment or a quote). The rules
            // alone have no model to fail.
            if let Some(reason) = outcome.fallback_reason {
                let key: String = reason.chars().take(70).collect();
                *out.failures.entry(key).or_default() += 1;
            }
        }
        eprintln!(
            "{name}: {}/{} {} in {:.1} s ({})",
            i + 1,
            meetings.len(),
            m.id,
            t0.elapsed().as_secs_f64(),
            if model_answered { "model" } else { "rules" }
        );
    }
    out.wall = started.elapsed();
    out
}

fn main() -> anyhow::Result<()> {
    let split: String = common::arg("--split", "holdout2".to_string());
    let engines: String = common::arg("--engines", "rules,on-device,client".to_string());
    let threads: u32 = common::arg("--threads", 2);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/meetings");
    let corpus = load_corpus(&dir)?;
    let meetings: Vec<&LabelledMeeting> = corpus
        .iter()
        .filter(|m| split == "all" || m.split == split)
        .collect();
    anyhow::ensure!(!meetings.is_empty(), "no meetings in split {split:?}");
    let needs_model = engines.split(',').any(|e| e != "rules");
    let model = needs_model.then(common::model);
    let worker_options = |model: &PathBuf| {
        let mut options = WorkerOptions::new(model);
        options.threads = threads;
        options
    };
    let mut rows: Vec<(String, EngineRun, GenerationStats)> = Vec::new();
    for engine in engines.split(',') {
        match engine {
            "rules" => {
                let fallback = FallbackEngine::local_only();
                rows.push((
                    "rules".into(),
                    run(&fallback, &meetings, engine, &mut |_| {}),
                    GenerationStats::default(),
                ));
            }
            "on-device" => {
                let model = model.as_ref().context("model")?;
                let worker = Arc::new(Worker::new(common::worker_exe(), worker_options(model)));
                let on_device = OnDeviceEngine::new(Box::new(Arc::clone(&worker)));
                let fallback = FallbackEngine::local_only().with_on_device(on_device);
                // The engine keeps the last analysis's figures: sum them over the meetings.
                let mut stats = GenerationStats::default();
                let result = run(&fallback, &meetings, engine, &mut |e| {
                    if let Some(on_device) = e.on_device() {
                        stats.add(&on_device.last_stats());
                    }
                });
                rows.push(("on-device".into(), result, stats));
            }
            "client" => {
                let model = model.as_ref().context("model")?;
                let state = Arc::new(ServerState {
                    worker: Worker::new(common::worker_exe(), worker_options(model)),
                    model: "smollm2-135m".into(),
                    totals: Mutex::new(GenerationStats::default()),
                });
                let addr = start_server(Arc::clone(&state))?;
                let config = LlmConfig {
                    llm_enabled: true,
                    provider: LlmProvider::OpenAiCompatible,
                    base_url: format!("http://{addr}"),
                    model: state.model.clone(),
                    timeout: Duration::from_secs(900),
                    max_retries: 0,
                    max_tokens: 2048,
                    ..LlmConfig::default()
                };
                let fallback = FallbackEngine::from_config(config, None);
                let result = run(&fallback, &meetings, engine, &mut |_| {});
                let stats = *state.totals.lock().unwrap_or_else(|p| p.into_inner());
                rows.push(("client".into(), result, stats));
            }
            other => anyhow::bail!("unknown engine {other:?}: rules, on-device or client"),
        }
    }
    println!(
        "\nsplit {split}, {} meetings, model {}\n",
        meetings.len(),
        model
            .as_ref()
            .map_or("-".into(), |m| m.display().to_string())
    );
    for (name, r, stats) in &rows {
        if name == "rules" {
            println!("== rules: {:.1} s wall", r.wall.as_secs_f64());
        } else {
            println!(
                "== {name}: {:.0} s wall, model answers used {}/{}",
                r.wall.as_secs_f64(),
                r.used,
                r.meetings
            );
        }
        if stats.windows > 0 {
            println!(
                "   {} requests, prompt {:.0} tok/s, generation {:.1} tok/s, {} items left out unsourced",
                stats.windows,
                stats.prompt_tokens_per_sec(),
                stats.generation_tokens_per_sec(),
                stats.dropped_unsourced
            );
        }
        for (reason, n) in &r.failures {
            println!("   fell back {n}×: {reason}");
        }
        println!("-- what the desk shows\n{}", r.desk);
        if name != "rules" {
            println!(
                "-- the model alone (a failed meeting: nothing found)\n{}",
                r.alone
            );
        }
    }
    Ok(())
}
