//! The opt-in LLM engine: OpenAI-compatible chat completions (OpenAI, Ollama, llama.cpp
//! server, vLLM) or the Anthropic messages API.
//!
//! Guarantees:
//! * **Off unless the firm enabled it.** [`LlmEngine::new`] refuses a config whose
//!   `llm_enabled` is false, and there is no other way to build one, so no code path can send
//!   a transcript anywhere without the firm's flag.
//! * **Redacted before it leaves.** Only the redacted transcript is sent.
//! * **Validated before use.** The reply must parse against the wire schema
//!   ([`wire_schema`]) and pass semantic checks (every cited segment exists, every quote is in
//!   that segment, dates are real dates, confidences in 0..=1, sizes bounded). Any failure is
//!   an error, and [`crate::FallbackEngine`] then uses the local result.
//! * **Bounded.** Per-request timeout; retries only on 429 and 5xx, at most `max_retries`,
//!   with exponential backoff, honouring `Retry-After` (capped at `max_backoff`). Timeouts are
//!   not retried.
//! * **The key stays secret.** It is sent only in the provider's auth header, never logged,
//!   and scrubbed from every error message.
//! * Compliance flags from the local rules are always merged in (the LLM can add flags, not
//!   remove them), all text is redacted again, and the e-mail draft is written locally.

use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use hearth_core::NoteCategory;
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::email::draft_email;
use crate::local::analyze_local;
use crate::model::{
    ActionItem, Analysis, ComplianceFlag, Fact, FactKind, FlagKind, MeetingContext, Owner, Span,
    SuggestedNote, Transcript,
};
use crate::redact::{redact_text, redact_transcript};
use crate::{Engine, IntelError};

/// Which wire format to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmProvider {
    /// `POST {base}/v1/chat/completions` with `response_format: json_schema`
    /// (OpenAI, Ollama, llama.cpp server, vLLM...). Key as `Authorization: Bearer`.
    OpenAiCompatible,
    /// `POST {base}/v1/messages` with a forced tool call whose input schema is the wire
    /// schema. Key as `x-api-key`, plus `anthropic-version`.
    Anthropic,
}

/// The firm's LLM settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmConfig {
    /// Whether the firm allows sending (redacted) transcripts to an LLM at all.
    pub llm_enabled: bool,
    /// Wire format.
    pub provider: LlmProvider,
    /// Base URL without the `/v1/...` path, e.g. `http://127.0.0.1:11434`.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Retries after the first attempt (429 / 5xx only).
    pub max_retries: u32,
    /// First backoff; doubles each retry.
    pub initial_backoff: Duration,
    /// Cap on any wait, including a server's `Retry-After`.
    pub max_backoff: Duration,
    /// Output token budget.
    pub max_tokens: u32,
}

impl Default for LlmConfig {
    /// Disabled, OpenAI-compatible on a local Ollama, 60 s timeout, 2 retries.
    fn default() -> Self {
        Self {
            llm_enabled: false,
            provider: LlmProvider::OpenAiCompatible,
            base_url: "http://127.0.0.1:11434".to_string(),
            model: "llama3.1".to_string(),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_tokens: 4096,
        }
    }
}

/// The profile setting that holds [`LlmSettings`] as JSON.
pub const LLM_SETTING: &str = "llm";

/// The OS-keyring account that holds the LLM API key of profile `profile_id`.
pub fn key_account(profile_id: &str) -> String {
    format!("llm-{profile_id}")
}

/// The LLM engine as the advisor configured it (`hearth llm set`, the desktop's settings),
/// stored as JSON in the profile's [`LLM_SETTING`]; the rest of [`LlmConfig`] keeps its
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct LlmSettings {
    /// Whether redacted transcripts may be sent to it.
    pub enabled: bool,
    /// `openai` (any OpenAI-compatible server) or `anthropic`.
    pub provider: String,
    /// Base URL.
    pub base_url: String,
    /// Model name.
    pub model: String,
}

impl Default for LlmSettings {
    /// Off, OpenAI-compatible, no server chosen.
    fn default() -> Self {
        Self {
            enabled: false,
            provider: "openai".to_string(),
            base_url: String::new(),
            model: String::new(),
        }
    }
}

impl LlmSettings {
    /// The engine configuration these settings choose.
    pub fn config(&self) -> LlmConfig {
        LlmConfig {
            llm_enabled: self.enabled,
            provider: if self.provider == "anthropic" {
                LlmProvider::Anthropic
            } else {
                LlmProvider::OpenAiCompatible
            },
            base_url: self.base_url.clone(),
            model: self.model.clone(),
            ..LlmConfig::default()
        }
    }
}

/// An API key. Its `Debug` output is redacted and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key (the caller reads it from the OS keyring).
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// The LLM engine. Build it with [`LlmEngine::new`] from an enabled config.
pub struct LlmEngine {
    config: LlmConfig,
    key: Option<ApiKey>,
    client: Client,
}

impl fmt::Debug for LlmEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmEngine")
            .field("provider", &self.config.provider)
            .field("base_url", &self.config.base_url)
            .field("model", &self.config.model)
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl LlmEngine {
    /// Builds the engine. Fails with [`IntelError::LlmDisabled`] unless
    /// `config.llm_enabled` is true. `key` may be `None` for local servers that need none.
    pub fn new(config: LlmConfig, key: Option<ApiKey>) -> Result<Self, IntelError> {
        if !config.llm_enabled {
            return Err(IntelError::LlmDisabled);
        }
        let client = Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| IntelError::Http(e.to_string()))?;
        Ok(Self {
            config,
            key,
            client,
        })
    }

    fn scrub(&self, text: &str) -> String {
        match &self.key {
            Some(k) if !k.expose().is_empty() => text.replace(k.expose(), "<redacted>"),
            _ => text.to_string(),
        }
    }

    fn endpoint(&self) -> String {
        let base = self.config.base_url.trim_end_matches('/');
        match self.config.provider {
            LlmProvider::OpenAiCompatible => format!("{base}/v1/chat/completions"),
            LlmProvider::Anthropic => format!("{base}/v1/messages"),
        }
    }

    fn request_body(&self, prompt: &str) -> Value {
        let schema = wire_schema();
        match self.config.provider {
            LlmProvider::OpenAiCompatible => json!({
                "model": self.config.model,
                "temperature": 0,
                "max_tokens": self.config.max_tokens,
                "messages": [
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": prompt},
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "meeting_analysis", "strict": true, "schema": schema},
                },
            }),
            LlmProvider::Anthropic => json!({
                "model": self.config.model,
                "max_tokens": self.config.max_tokens,
                "temperature": 0,
                "system": SYSTEM_PROMPT,
                "messages": [{"role": "user", "content": prompt}],
                "tools": [{
                    "name": "record_meeting_analysis",
                    "description": "Record the structured analysis of the meeting transcript.",
                    "input_schema": schema,
                }],
                "tool_choice": {"type": "tool", "name": "record_meeting_analysis"},
            }),
        }
    }

    fn send_once(&self, body: &Value) -> Result<Response, reqwest::Error> {
        let mut req = self.client.post(self.endpoint()).json(body);
        match self.config.provider {
            LlmProvider::OpenAiCompatible => {
                if let Some(k) = &self.key {
                    req = req.bearer_auth(k.expose());
                }
            }
            LlmProvider::Anthropic => {
                if let Some(k) = &self.key {
                    req = req.header("x-api-key", k.expose());
                }
                req = req.header("anthropic-version", "2023-06-01");
            }
        }
        req.send()
    }

    /// Sends the request with bounded retries; returns the response body as JSON.
    fn call(&self, body: &Value) -> Result<Value, IntelError> {
        let mut attempt: u32 = 0;
        loop {
            let resp = self.send_once(body).map_err(|e| {
                if e.is_timeout() {
                    IntelError::Timeout
                } else {
                    IntelError::Http(self.scrub(&e.without_url().to_string()))
                }
            })?;
            let status = resp.status();
            if status.is_success() {
                let text = resp
                    .text()
                    .map_err(|e| IntelError::Http(self.scrub(&e.without_url().to_string())))?;
                return serde_json::from_str(&text).map_err(|e| {
                    IntelError::InvalidLlmOutput(format!("response is not JSON: {e}"))
                });
            }
            let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if retryable && attempt < self.config.max_retries {
                let wait = retry_after(&resp)
                    .unwrap_or_else(|| {
                        self.config
                            .initial_backoff
                            .saturating_mul(1 << attempt.min(16))
                    })
                    .min(self.config.max_backoff);
                tracing::debug!(
                    status = status.as_u16(),
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "llm: retrying"
                );
                std::thread::sleep(wait);
                attempt += 1;
                continue;
            }
            let detail: String = resp.text().unwrap_or_default().chars().take(200).collect();
            return Err(IntelError::Status {
                status: status.as_u16(),
                detail: self.scrub(&detail),
            });
        }
    }

    /// Pulls the analysis object out of the provider's envelope.
    fn extract_payload(&self, envelope: &Value) -> Result<Value, IntelError> {
        let bad = |why: &str| IntelError::InvalidLlmOutput(why.to_string());
        match self.config.provider {
            LlmProvider::OpenAiCompatible => {
                let content = envelope
                    .pointer("/choices/0/message/content")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("no choices[0].message.content"))?;
                parse_json_text(content)
            }
            LlmProvider::Anthropic => {
                let blocks = envelope
                    .get("content")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("no content blocks"))?;
                if let Some(input) = blocks
                    .iter()
                    .find(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
                    .and_then(|b| b.get("input"))
                {
                    return Ok(input.clone());
                }
                let text = blocks
                    .iter()
                    .find_map(|b| b.get("text").and_then(Value::as_str))
                    .ok_or_else(|| bad("no tool_use or text block"))?;
                parse_json_text(text)
            }
        }
    }

    fn analyze_inner(
        &self,
        transcript: &Transcript,
        ctx: &MeetingContext,
    ) -> Result<Analysis, IntelError> {
        let (redacted, _) = redact_transcript(transcript);
        let prompt = build_prompt(&redacted, ctx);
        let envelope = self.call(&self.request_body(&prompt))?;
        let payload = self.extract_payload(&envelope)?;
        let wire: WireAnalysis = serde_json::from_value(payload)
            .map_err(|e| IntelError::InvalidLlmOutput(format!("does not match the schema: {e}")))?;
        let analysis = validate(wire, &redacted, ctx)?;
        Ok(with_rules_flags_and_draft(
            analysis,
            analyze_local(transcript, ctx),
            ctx,
        ))
    }
}

/// A model's analysis, finished the same way for every model: the deterministic rules'
/// compliance flags always apply (auditable; the model's are extra candidates), flags in
/// transcript order, and the follow-up draft written from what was found. `local` is the
/// rules' analysis of the same transcript.
pub(crate) fn with_rules_flags_and_draft(
    mut analysis: Analysis,
    local: Analysis,
    ctx: &MeetingContext,
) -> Analysis {
    for f in local.flags {
        if !analysis
            .flags
            .iter()
            .any(|g| g.kind == f.kind && g.span.overlaps(&f.span))
        {
            analysis.flags.push(f);
        }
    }
    analysis
        .flags
        .sort_by(|a, b| a.span.cmp(&b.span).then(a.kind.cmp(&b.kind)));
    analysis.email = draft_email(
        ctx,
        &analysis.notes,
        &analysis.action_items,
        &analysis.flags,
    );
    analysis
}

impl Engine for LlmEngine {
    fn analyze(
        &self,
        transcript: &Transcript,
        ctx: &MeetingContext,
    ) -> Result<Analysis, IntelError> {
        self.analyze_inner(transcript, ctx)
            .map_err(|e| e.scrubbed(|s| self.scrub(s)))
    }
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let value = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

pub(crate) fn parse_json_text(text: &str) -> Result<Value, IntelError> {
    let t = text.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .map(|r| r.trim_end().trim_end_matches("```"))
        .unwrap_or(t);
    serde_json::from_str(t.trim())
        .map_err(|e| IntelError::InvalidLlmOutput(format!("content is not valid JSON: {e}")))
}

pub(crate) const SYSTEM_PROMPT: &str = "You analyse transcripts of meetings between a financial advisor and their clients. \
Extract: notes in the categories discussion, decisions, client_updates, planning, compliance; \
action items (what, owner advisor|client, due date as YYYY-MM-DD resolved against the meeting date or null, the due phrase or null); \
client facts (kind life_event|goal|risk_tolerance|family_change|account|amount|insurance|health, key, value, confidence 0..1); \
compliance flags (guarantee, performance_claim, unsuitable, complaint). \
Every item cites the index of the segment it comes from and a short quote copied verbatim from that segment. \
Never invent facts. Digits shown as * were redacted: do not try to restore them. Answer only with the JSON object.";

fn build_prompt(redacted: &Transcript, ctx: &MeetingContext) -> String {
    build_prompt_for(redacted, 0..redacted.segments.len(), ctx)
}

/// The prompt for the segments in `range` (numbered as in the whole transcript, so the
/// model's citations locate in it).
pub(crate) fn build_prompt_for(
    redacted: &Transcript,
    range: std::ops::Range<usize>,
    ctx: &MeetingContext,
) -> String {
    let mut p = format!(
        "Meeting date: {} ({}).\nHousehold: {}\nAdvisor: {}\nClients: {}\n\nTranscript (one segment per line, [index] speaker: text):\n",
        ctx.meeting_date,
        ctx.meeting_date.format("%A"),
        ctx.household_name,
        ctx.advisor_name,
        ctx.client_names.join(", ")
    );
    for (i, s) in redacted
        .segments
        .iter()
        .enumerate()
        .skip(range.start)
        .take(range.len())
    {
        p.push_str(&format!(
            "[{i}] {}: {}\n",
            s.speaker.as_deref().unwrap_or("unknown"),
            s.text
        ));
    }
    p
}

/// The JSON schema the LLM must answer in (the "wire" form of an [`Analysis`]: segment
/// index + verbatim quote instead of byte offsets, which models cannot count reliably).
pub fn wire_schema() -> Value {
    let categories: Vec<&str> = NoteCategory::ALL.iter().map(|c| c.as_str()).collect();
    let fact_kinds: Vec<&str> = FactKind::ALL.iter().map(|k| k.as_str()).collect();
    let flag_kinds = ["guarantee", "performance_claim", "unsuitable", "complaint"];
    let nullable_string = json!({"type": ["string", "null"]});
    let segment = json!({"type": "integer", "minimum": 0});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["notes", "action_items", "facts", "flags"],
        "properties": {
            "notes": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["category", "text", "segments"],
                "properties": {
                    "category": {"type": "string", "enum": categories},
                    "text": {"type": "string"},
                    "segments": {"type": "array", "items": segment},
                }
            }},
            "action_items": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["what", "owner", "due", "due_phrase", "segment", "quote"],
                "properties": {
                    "what": {"type": "string"},
                    "owner": {"type": "string", "enum": ["advisor", "client"]},
                    "due": nullable_string,
                    "due_phrase": nullable_string,
                    "segment": segment,
                    "quote": {"type": "string"},
                }
            }},
            "facts": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["kind", "key", "value", "segment", "quote", "confidence"],
                "properties": {
                    "kind": {"type": "string", "enum": fact_kinds},
                    "key": {"type": "string"},
                    "value": {"type": "string"},
                    "segment": segment,
                    "quote": {"type": "string"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                }
            }},
            "flags": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["kind", "segment", "quote"],
                "properties": {
                    "kind": {"type": "string", "enum": flag_kinds},
                    "segment": segment,
                    "quote": {"type": "string"},
                }
            }},
        }
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireNote {
    category: String,
    text: String,
    segments: Vec<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireAction {
    what: String,
    owner: Owner,
    due: Option<String>,
    due_phrase: Option<String>,
    segment: usize,
    quote: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireFact {
    kind: FactKind,
    key: String,
    value: String,
    segment: usize,
    quote: String,
    confidence: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireFlag {
    kind: FlagKind,
    segment: usize,
    quote: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireAnalysis {
    notes: Vec<WireNote>,
    action_items: Vec<WireAction>,
    facts: Vec<WireFact>,
    flags: Vec<WireFlag>,
}

const MAX_ITEMS: usize = 200;
const MAX_TEXT: usize = 4000;

/// Finds `quote` in segment `segment`: exact, then ASCII-case-insensitive.
fn locate(redacted: &Transcript, segment: usize, quote: &str) -> Result<Span, IntelError> {
    let seg = redacted.segments.get(segment).ok_or_else(|| {
        IntelError::InvalidLlmOutput(format!(
            "cites segment {segment}, transcript has {}",
            redacted.segments.len()
        ))
    })?;
    let q = quote.trim();
    if q.is_empty() {
        return Err(IntelError::InvalidLlmOutput("empty quote".into()));
    }
    let found = seg
        .text
        .find(q)
        .or_else(|| seg.text.to_ascii_lowercase().find(&q.to_ascii_lowercase()));
    match found {
        Some(start)
            if seg.text.is_char_boundary(start) && seg.text.is_char_boundary(start + q.len()) =>
        {
            Ok(Span {
                segment,
                start,
                end: start + q.len(),
            })
        }
        _ => Err(IntelError::InvalidLlmOutput(format!(
            "quote not found in segment {segment}"
        ))),
    }
}

fn check_text(what: &str, text: &str) -> Result<String, IntelError> {
    let t = text.trim();
    if t.is_empty() || t.len() > MAX_TEXT {
        return Err(IntelError::InvalidLlmOutput(format!(
            "{what} is empty or too long"
        )));
    }
    Ok(redact_text(t))
}

fn validate(
    wire: WireAnalysis,
    redacted: &Transcript,
    ctx: &MeetingContext,
) -> Result<Analysis, IntelError> {
    validate_wire(wire, redacted, ctx, Citations::Strict).map(|(analysis, _)| analysis)
}

/// What to do with an item whose citation does not check out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Citations {
    /// Reject the whole answer (a cloud model that should know better).
    Strict,
    /// Leave the item out and count it: a statement without a source is not filed (a small
    /// on-device model misquotes now and then; the rest of its answer stands).
    DropUnsourced,
}

/// Validates a wire answer; returns the analysis and how many items were left out.
pub(crate) fn validate_wire(
    wire: WireAnalysis,
    redacted: &Transcript,
    ctx: &MeetingContext,
    citations: Citations,
) -> Result<(Analysis, usize), IntelError> {
    let mut dropped = 0usize;
    // Strict: the first bad item fails the answer. Lenient: it is counted and skipped.
    let mut reject = |e: IntelError| -> Result<(), IntelError> {
        match citations {
            Citations::Strict => Err(e),
            Citations::DropUnsourced => {
                dropped += 1;
                Ok(())
            }
        }
    };
    let total = wire.notes.len() + wire.action_items.len() + wire.facts.len() + wire.flags.len();
    if total > MAX_ITEMS {
        return Err(IntelError::InvalidLlmOutput(format!(
            "{total} items is too many"
        )));
    }
    let mut notes = Vec::new();
    for n in wire.notes {
        let note = (|| {
            let category: NoteCategory = n.category.parse().map_err(|_| {
                IntelError::InvalidLlmOutput(format!("unknown note category {:?}", n.category))
            })?;
            let mut spans = Vec::new();
            for s in &n.segments {
                let seg = redacted.segments.get(*s).ok_or_else(|| {
                    IntelError::InvalidLlmOutput(format!("note cites segment {s}, out of range"))
                })?;
                spans.push(Span {
                    segment: *s,
                    start: 0,
                    end: seg.text.len(),
                });
            }
            if spans.is_empty() {
                return Err(IntelError::InvalidLlmOutput("note cites no segment".into()));
            }
            Ok(SuggestedNote {
                category,
                text: check_text("note text", &n.text)?,
                spans,
            })
        })();
        match note {
            Ok(note) => notes.push(note),
            Err(e) => {
                reject(e)?;
            }
        }
    }
    let mut action_items = Vec::new();
    for a in wire.action_items {
        let span = match locate(redacted, a.segment, &a.quote) {
            Ok(span) => span,
            Err(e) => {
                reject(e)?;
                continue;
            }
        };
        let due = match a.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => {
                let checked = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| IntelError::InvalidLlmOutput(format!("bad due date {d:?}")))
                    .and_then(|date| {
                        // A due date years away from the meeting is a hallucination, not a plan.
                        if (date - ctx.meeting_date).num_days().abs() > 3 * 366 {
                            Err(IntelError::InvalidLlmOutput(format!(
                                "implausible due date {d}"
                            )))
                        } else {
                            Ok(date)
                        }
                    });
                match checked {
                    Ok(date) => Some(date),
                    Err(e) => {
                        reject(e)?;
                        continue;
                    }
                }
            }
        };
        let what = match check_text("action item", &a.what) {
            Ok(what) => what,
            Err(e) => {
                reject(e)?;
                continue;
            }
        };
        let owner_guessed = redacted
            .segments
            .get(span.segment)
            .is_none_or(|seg| seg.speaker.is_none());
        action_items.push(ActionItem {
            what,
            owner: a.owner,
            due,
            due_phrase: a.due_phrase.map(|p| redact_text(&p)),
            span,
            owner_guessed,
        });
    }
    let mut facts = Vec::new();
    for f in wire.facts {
        if !(0.0..=1.0).contains(&f.confidence) || !f.confidence.is_finite() {
            reject(IntelError::InvalidLlmOutput(
                "confidence outside 0..1".into(),
            ))?;
            continue;
        }
        let fact = (|| {
            Ok(Fact {
                kind: f.kind,
                key: check_text("fact key", &f.key)?,
                value: check_text("fact value", &f.value)?,
                span: locate(redacted, f.segment, &f.quote)?,
                confidence: f.confidence,
            })
        })();
        match fact {
            Ok(fact) => facts.push(fact),
            Err(e) => {
                reject(e)?;
            }
        }
    }
    let mut flags = Vec::new();
    for f in wire.flags {
        if f.kind.is_pii() {
            // Sensitive numbers are the redactor's job; the model never sees them.
            continue;
        }
        let span = match locate(redacted, f.segment, &f.quote) {
            Ok(span) => span,
            Err(e) => {
                reject(e)?;
                continue;
            }
        };
        let excerpt = redacted
            .text_of(&span)
            .map(str::to_string)
            .unwrap_or_default();
        flags.push(ComplianceFlag {
            rule_id: format!("llm.{}", f.kind.as_str()),
            kind: f.kind,
            span,
            excerpt,
            redacted: false,
        });
    }
    Ok((
        Analysis {
            notes,
            action_items,
            facts,
            flags,
            email: draft_email(ctx, &[], &[], &[]),
        },
        dropped,
    ))
}
