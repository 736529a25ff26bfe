//! The LLM engine against a fake local server speaking the OpenAI and Anthropic wire
//! formats: valid answers are used; malformed, schema-invalid and semantically invalid
//! answers, timeouts and persistent 5xx fall back to the local result; 429 + Retry-After is
//! retried; the key goes in the right header and never into an error.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::NaiveDate;
use hearth_intel::{
    ApiKey, EngineUsed, FallbackEngine, FlagKind, IntelError, LlmConfig, LlmEngine, LlmProvider,
    MeetingContext, Owner, Segment, Tone, Transcript,
};
use serde_json::{Value, json};

const KEY: &str = "sk-test-SECRET-0123456789";

#[derive(Clone)]
enum Reply {
    Respond {
        status: u16,
        retry_after: Option<&'static str>,
        body: String,
    },
    Hang,
}

#[derive(Default)]
struct Fake {
    script: VecDeque<Reply>,
    requests: Vec<(String, HeaderMap, String)>,
}

type Shared = Arc<Mutex<Fake>>;

async fn handle(
    State(st): State<Shared>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let reply = {
        let mut fake = st.lock().expect("lock");
        fake.requests.push((uri.path().to_string(), headers, body));
        fake.script.pop_front().unwrap_or(Reply::Respond {
            status: 500,
            retry_after: None,
            body: "script exhausted".into(),
        })
    };
    match reply {
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Reply::Respond {
            status,
            retry_after,
            body,
        } => {
            let mut resp = (
                StatusCode::from_u16(status).expect("status"),
                [("content-type", "application/json")],
                body,
            )
                .into_response();
            if let Some(ra) = retry_after {
                resp.headers_mut()
                    .insert("retry-after", ra.parse().expect("header"));
            }
            resp
        }
    }
}

fn start(script: Vec<Reply>) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Fake {
        script: script.into(),
        requests: Vec::new(),
    }));
    let state = shared.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr"))
                .expect("send addr");
            let app = Router::new()
                .route("/v1/chat/completions", post(handle))
                .route("/v1/messages", post(handle))
                .with_state(state);
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let addr = rx.recv().expect("server address");
    (format!("http://{addr}"), shared)
}

fn transcript() -> (Transcript, MeetingContext) {
    let seg = |speaker: &str, text: &str| Segment {
        start_ms: 0,
        end_ms: 1000,
        speaker: Some(speaker.into()),
        text: text.into(),
    };
    (
        Transcript {
            segments: vec![
                seg("Dana", "I guarantee you won't lose money with this fund."),
                seg("Robert", "Okay. My social is 412-55-8830 if you need it."),
                seg("Dana", "I'll send you the paperwork by Friday."),
            ],
        },
        MeetingContext {
            meeting_date: NaiveDate::from_ymd_opt(2025, 3, 3).expect("date"),
            household_name: "Henderson Household".into(),
            advisor_name: "Dana Whitfield".into(),
            client_names: vec!["Robert Henderson".into()],
            greeted: None,
            tone: Tone::Formal,
        },
    )
}

fn good_answer() -> Value {
    json!({
        "notes": [{"category": "decisions", "text": "Robert will open the fund.", "segments": [2]}],
        "action_items": [{
            "what": "Send the account paperwork", "owner": "advisor", "due": "2025-03-07",
            "due_phrase": "by Friday", "segment": 2, "quote": "send you the paperwork"
        }],
        "facts": [],
        "flags": [{"kind": "guarantee", "segment": 0, "quote": "I guarantee you won't lose money"}]
    })
}

fn openai_envelope(content: &str) -> String {
    json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]})
        .to_string()
}

fn anthropic_envelope(input: Value) -> String {
    json!({"type": "message", "role": "assistant", "content": [
        {"type": "text", "text": "Recording the analysis."},
        {"type": "tool_use", "id": "toolu_1", "name": "record_meeting_analysis", "input": input}
    ]})
    .to_string()
}

fn ok(body: String) -> Reply {
    Reply::Respond {
        status: 200,
        retry_after: None,
        body,
    }
}

fn config(base: &str, provider: LlmProvider) -> LlmConfig {
    LlmConfig {
        llm_enabled: true,
        provider,
        base_url: base.to_string(),
        model: "test-model".into(),
        timeout: Duration::from_millis(1500),
        connect_timeout: Duration::from_millis(500),
        max_retries: 2,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_secs(2),
        max_tokens: 1024,
    }
}

fn engine(base: &str, provider: LlmProvider) -> FallbackEngine {
    FallbackEngine::from_config(config(base, provider), Some(ApiKey::new(KEY)))
}

#[test]
fn openai_valid_answer_is_used_and_sent_redacted() {
    let (base, fake) = start(vec![ok(openai_envelope(&good_answer().to_string()))]);
    let (t, ctx) = transcript();
    let out = engine(&base, LlmProvider::OpenAiCompatible).analyze_with_fallback(&t, &ctx);
    assert_eq!(out.engine, EngineUsed::Llm, "{:?}", out.fallback_reason);
    let a = &out.analysis;
    assert_eq!(a.action_items.len(), 1);
    assert_eq!(a.action_items[0].what, "Send the account paperwork");
    assert_eq!(a.action_items[0].owner, Owner::Advisor);
    assert_eq!(a.action_items[0].due, NaiveDate::from_ymd_opt(2025, 3, 7));
    assert_eq!(
        t.text_of(&a.action_items[0].span),
        Some("send you the paperwork")
    );
    // The LLM's guarantee flag plus the local SSN flag (local compliance rules always apply).
    assert!(a.flags.iter().any(|f| f.kind == FlagKind::Guarantee));
    assert!(
        a.flags
            .iter()
            .any(|f| f.kind == FlagKind::PiiSsn && f.redacted)
    );
    assert!(a.email.body.contains("Send the account paperwork"));

    let fake = fake.lock().expect("lock");
    assert_eq!(fake.requests.len(), 1);
    let (path, headers, body) = &fake.requests[0];
    assert_eq!(path, "/v1/chat/completions");
    assert_eq!(
        headers.get("authorization").and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert!(headers.get("x-api-key").is_none());
    let body: Value = serde_json::from_str(body).expect("request json");
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(body["model"], "test-model");
    let sent = body.to_string();
    assert!(!sent.contains("412-55-8830"), "raw SSN sent to the LLM");
    assert!(sent.contains("***-**-8830"));
}

#[test]
fn anthropic_tool_answer_is_used_with_the_right_headers() {
    let (base, fake) = start(vec![ok(anthropic_envelope(good_answer()))]);
    let (t, ctx) = transcript();
    let out = engine(&base, LlmProvider::Anthropic).analyze_with_fallback(&t, &ctx);
    assert_eq!(out.engine, EngineUsed::Llm, "{:?}", out.fallback_reason);
    assert_eq!(
        out.analysis.action_items[0].what,
        "Send the account paperwork"
    );
    let fake = fake.lock().expect("lock");
    let (path, headers, body) = &fake.requests[0];
    assert_eq!(path, "/v1/messages");
    assert_eq!(
        headers.get("x-api-key").and_then(|v| v.to_str().ok()),
        Some(KEY)
    );
    assert_eq!(
        headers
            .get("anthropic-version")
            .and_then(|v| v.to_str().ok()),
        Some("2023-06-01")
    );
    assert!(headers.get("authorization").is_none());
    let body: Value = serde_json::from_str(body).expect("request json");
    assert_eq!(body["tool_choice"]["name"], "record_meeting_analysis");
    assert!(body["tools"][0]["input_schema"]["properties"]["action_items"].is_object());
}

fn assert_fallback(out: &hearth_intel::Outcome, reason_contains: &str) {
    assert_eq!(out.engine, EngineUsed::Local);
    let reason = out.fallback_reason.as_deref().expect("a reason");
    assert!(reason.contains(reason_contains), "reason was {reason:?}");
    assert!(!reason.contains(KEY), "key leaked into {reason:?}");
    // The local result stands: its own action item and flags.
    assert!(
        out.analysis
            .action_items
            .iter()
            .any(|i| i.what.contains("send you the paperwork"))
    );
    assert!(
        out.analysis
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::Guarantee)
    );
}

#[test]
fn malformed_json_falls_back() {
    let (base, _) = start(vec![ok(openai_envelope("{\"notes\": [ this is not json"))]);
    let (t, ctx) = transcript();
    let out = engine(&base, LlmProvider::OpenAiCompatible).analyze_with_fallback(&t, &ctx);
    assert_fallback(&out, "not valid JSON");
}

#[test]
fn non_json_envelope_falls_back() {
    let (base, _) = start(vec![ok("<html>proxy error</html>".into())]);
    let (t, ctx) = transcript();
    let out = engine(&base, LlmProvider::OpenAiCompatible).analyze_with_fallback(&t, &ctx);
    assert_fallback(&out, "not JSON");
}

#[test]
fn schema_invalid_answers_fall_back() {
    let mut bad_category = good_answer();
    bad_category["notes"][0]["category"] = json!("gossip");
    let mut bad_owner = good_answer();
    bad_owner["action_items"][0]["owner"] = json!("intern");
    let mut missing_field = good_answer();
    missing_field
        .as_object_mut()
        .expect("object")
        .remove("facts");
    let mut extra_field = good_answer();
    extra_field["action_items"][0]["priority"] = json!("high");
    for (answer, why) in [
        (bad_category, "unknown note category"),
        (bad_owner, "schema"),
        (missing_field, "schema"),
        (extra_field, "schema"),
    ] {
        let (base, _) = start(vec![ok(openai_envelope(&answer.to_string()))]);
        let (t, ctx) = transcript();
        let out = engine(&base, LlmProvider::OpenAiCompatible).analyze_with_fallback(&t, &ctx);
        assert_fallback(&out, why);
    }
}

#[test]
fn semantically_invalid_answers_fall_back() {
    let mut out_of_range = good_answer();
    out_of_range["action_items"][0]["segment"] = json!(17);
    let mut invented_quote = good_answer();
    invented_quote["flags"][0]["quote"] = json!("returns of 40% are certain");
    let mut bad_date = good_answer();
    bad_date["action_items"][0]["due"] = json!("2025-02-30");
    let mut far_date = good_answer();
    far_date["action_items"][0]["due"] = json!("2099-01-01");
    let mut bad_confidence = good_answer();
    bad_confidence["facts"] = json!([{"kind": "goal", "key": "goal", "value": "x", "segment": 0, "quote": "this fund", "confidence": 7.5}]);
    for (answer, why) in [
        (out_of_range, "segment 17"),
        (invented_quote, "quote not found"),
        (bad_date, "bad due date"),
        (far_date, "implausible"),
        (bad_confidence, "confidence"),
    ] {
        let (base, _) = start(vec![ok(anthropic_envelope(answer))]);
        let (t, ctx) = transcript();
        let out = engine(&base, LlmProvider::Anthropic).analyze_with_fallback(&t, &ctx);
        assert_fallback(&out, why);
    }
}

#[test]
fn a_server_that_never_answers_times_out_and_falls_back() {
    let (base, fake) = start(vec![Reply::Hang, Reply::Hang, Reply::Hang]);
    let (t, ctx) = transcript();
    let mut cfg = config(&base, LlmProvider::OpenAiCompatible);
    cfg.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let out =
        FallbackEngine::from_config(cfg, Some(ApiKey::new(KEY))).analyze_with_fallback(&t, &ctx);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_fallback(&out, "timed out");
    // Timeouts are not retried.
    assert_eq!(fake.lock().expect("lock").requests.len(), 1);
}

#[test]
fn rate_limit_with_retry_after_is_retried_then_used() {
    let (base, fake) = start(vec![
        Reply::Respond {
            status: 429,
            retry_after: Some("1"),
            body: "{\"error\":\"slow down\"}".into(),
        },
        ok(openai_envelope(&good_answer().to_string())),
    ]);
    let (t, ctx) = transcript();
    let started = Instant::now();
    let out = engine(&base, LlmProvider::OpenAiCompatible).analyze_with_fallback(&t, &ctx);
    let waited = started.elapsed();
    assert_eq!(out.engine, EngineUsed::Llm, "{:?}", out.fallback_reason);
    assert!(
        waited >= Duration::from_millis(900),
        "Retry-After not honoured: {waited:?}"
    );
    assert_eq!(fake.lock().expect("lock").requests.len(), 2);
}

#[test]
fn persistent_server_errors_fall_back_after_bounded_retries_without_leaking_the_key() {
    let echo = format!("{{\"error\":\"upstream failed for key {KEY}\"}}");
    let five_hundred = Reply::Respond {
        status: 500,
        retry_after: None,
        body: echo,
    };
    let (base, fake) = start(vec![
        five_hundred.clone(),
        five_hundred.clone(),
        five_hundred.clone(),
        five_hundred,
    ]);
    let (t, ctx) = transcript();
    let out = engine(&base, LlmProvider::Anthropic).analyze_with_fallback(&t, &ctx);
    assert_fallback(&out, "500");
    assert!(
        out.fallback_reason
            .as_deref()
            .is_some_and(|r| r.contains("<redacted>"))
    );
    // One try plus max_retries (2).
    assert_eq!(fake.lock().expect("lock").requests.len(), 3);
}

#[test]
fn client_errors_are_not_retried() {
    let (base, fake) = start(vec![Reply::Respond {
        status: 401,
        retry_after: None,
        body: "{\"error\":\"bad key\"}".into(),
    }]);
    let (t, ctx) = transcript();
    let out = engine(&base, LlmProvider::OpenAiCompatible).analyze_with_fallback(&t, &ctx);
    assert_fallback(&out, "401");
    assert_eq!(fake.lock().expect("lock").requests.len(), 1);
}

#[test]
fn nothing_is_sent_unless_the_firm_enabled_llm_use() {
    let (base, fake) = start(vec![ok(openai_envelope(&good_answer().to_string()))]);
    let mut cfg = config(&base, LlmProvider::OpenAiCompatible);
    cfg.llm_enabled = false;
    assert!(matches!(
        LlmEngine::new(cfg.clone(), Some(ApiKey::new(KEY))),
        Err(IntelError::LlmDisabled)
    ));
    let (t, ctx) = transcript();
    let out =
        FallbackEngine::from_config(cfg, Some(ApiKey::new(KEY))).analyze_with_fallback(&t, &ctx);
    assert_eq!(out.engine, EngineUsed::Local);
    assert!(
        out.fallback_reason
            .as_deref()
            .is_some_and(|r| r.contains("not enabled"))
    );
    assert!(fake.lock().expect("lock").requests.is_empty());
}

#[test]
fn connection_refused_falls_back() {
    // Bind and drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let (t, ctx) = transcript();
    let out = engine(
        &format!("http://127.0.0.1:{port}"),
        LlmProvider::OpenAiCompatible,
    )
    .analyze_with_fallback(&t, &ctx);
    assert_fallback(&out, "request failed");
}

#[test]
fn the_key_never_shows_in_debug_output() {
    let key = ApiKey::new(KEY);
    assert!(!format!("{key:?}").contains(KEY));
    let engine = LlmEngine::new(
        config("http://127.0.0.1:9", LlmProvider::Anthropic),
        Some(key),
    )
    .expect("engine");
    assert!(!format!("{engine:?}").contains(KEY));
    let fallback = FallbackEngine::from_config(
        config("http://127.0.0.1:9", LlmProvider::Anthropic),
        Some(ApiKey::new(KEY)),
    );
    assert!(!format!("{fallback:?}").contains(KEY));
}
