//! Analysis by a language model on this computer: the same answer shape as the cloud engine
//! ([`crate::llm::wire_schema`], with bounded lists), produced by a [`TextGenerator`] — in the
//! desk, the `hearth-llm` worker process (crate `hearth-llm`), which constrains every token
//! to the schema with a grammar.
//!
//! A transcript longer than a window is analysed window by window (segments keep their
//! numbers, so citations locate in the whole transcript); a window the model's context cannot
//! hold is halved until it fits. Every item must cite a segment and quote it: an item whose
//! quote is not in that segment is left out (a statement without a source is not filed).
//! Flags from the deterministic rules are always added (auditable); the model's own flags are
//! kept as candidates (`rule_id` `llm.*`). Anything else that goes wrong — an answer cut
//! short, not JSON, a worker that failed — is an error, and [`crate::FallbackEngine`] shows
//! the rules' analysis with the reason instead.

use std::ops::Range;
use std::sync::Mutex;

use serde_json::Value;

use crate::email::draft_email;
use crate::llm::{
    Citations, SYSTEM_PROMPT, WireAnalysis, build_prompt_for, parse_json_text, validate_wire,
    wire_schema, with_rules_flags_and_draft,
};
use crate::local::analyze_local;
use crate::model::{Analysis, MeetingContext, Transcript};
use crate::redact::redact_transcript;
use crate::{Engine, IntelError};

/// One answer of a [`TextGenerator`].
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// The text (with a schema: the JSON).
    pub text: String,
    /// Tokens in the prompt.
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub generated_tokens: u32,
    /// Milliseconds reading the prompt.
    pub prompt_ms: u64,
    /// Milliseconds generating.
    pub generation_ms: u64,
    /// Generation stopped at its token limit, not at the end of the answer.
    pub truncated: bool,
}

/// Why a [`TextGenerator`] gave no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerateError {
    /// The prompt does not fit the model's context: give it less.
    #[error("the prompt does not fit the model's context: {0}")]
    ContextOverflow(String),
    /// Stopped on request.
    #[error("cancelled")]
    Cancelled,
    /// Anything else (the model could not load, the worker died…), in words.
    #[error("{0}")]
    Failed(String),
}

/// Something that writes text for a system message and a prompt, constrained to a JSON
/// schema: the on-device model.
pub trait TextGenerator: Send + Sync {
    /// Generates an answer that follows `json_schema`.
    fn generate(
        &self,
        system: &str,
        prompt: &str,
        json_schema: &str,
    ) -> Result<Generation, GenerateError>;
}

/// A generator shared between an engine and whoever else holds it (a benchmark reading its
/// memory, a server answering with the same loaded model).
impl<T: TextGenerator + ?Sized> TextGenerator for std::sync::Arc<T> {
    fn generate(
        &self,
        system: &str,
        prompt: &str,
        json_schema: &str,
    ) -> Result<Generation, GenerateError> {
        (**self).generate(system, prompt, json_schema)
    }
}

/// Totals over the windows of the last analysis, for a benchmark or a log line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GenerationStats {
    /// Windows the transcript was analysed in.
    pub windows: u32,
    /// Prompt tokens, all windows.
    pub prompt_tokens: u64,
    /// Generated tokens, all windows.
    pub generated_tokens: u64,
    /// Milliseconds reading prompts.
    pub prompt_ms: u64,
    /// Milliseconds generating.
    pub generation_ms: u64,
    /// Items left out because their citation did not check out.
    pub dropped_unsourced: u64,
}

impl GenerationStats {
    /// Counts one answer (one window).
    pub fn add_generation(&mut self, g: &Generation) {
        self.windows += 1;
        self.prompt_tokens += u64::from(g.prompt_tokens);
        self.generated_tokens += u64::from(g.generated_tokens);
        self.prompt_ms += g.prompt_ms;
        self.generation_ms += g.generation_ms;
    }

    /// Adds another analysis's totals (figures over several meetings).
    pub fn add(&mut self, other: &GenerationStats) {
        self.windows += other.windows;
        self.prompt_tokens += other.prompt_tokens;
        self.generated_tokens += other.generated_tokens;
        self.prompt_ms += other.prompt_ms;
        self.generation_ms += other.generation_ms;
        self.dropped_unsourced += other.dropped_unsourced;
    }

    /// Prompt tokens per second.
    pub fn prompt_tokens_per_sec(&self) -> f64 {
        self.prompt_tokens as f64 / (self.prompt_ms.max(1) as f64 / 1000.0)
    }

    /// Generated tokens per second.
    pub fn generation_tokens_per_sec(&self) -> f64 {
        self.generated_tokens as f64 / (self.generation_ms.max(1) as f64 / 1000.0)
    }
}

/// Characters of transcript per window by default: about 1,500 tokens, so a window, the
/// instructions and the answer fit a 4,096-token context.
pub const DEFAULT_WINDOW_CHARS: usize = 6_000;

/// Most items per list the model may produce in one window (bounds the answer's length).
const MAX_ITEMS_PER_LIST: u64 = 3;
/// Longest text field the model may write, characters (dates 10, keys and due phrases 40):
/// with three items per list the longest possible answer is about 1,300 tokens, under the
/// worker's 2,048-token budget, so an answer is never cut short.
const MAX_TEXT_CHARS: u64 = 100;

/// The on-device engine.
pub struct OnDeviceEngine {
    generator: Box<dyn TextGenerator>,
    window_chars: usize,
    last: Mutex<GenerationStats>,
}

impl std::fmt::Debug for OnDeviceEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnDeviceEngine")
            .field("window_chars", &self.window_chars)
            .finish_non_exhaustive()
    }
}

impl OnDeviceEngine {
    /// An engine over `generator`, with windows of [`DEFAULT_WINDOW_CHARS`].
    pub fn new(generator: Box<dyn TextGenerator>) -> Self {
        Self {
            generator,
            window_chars: DEFAULT_WINDOW_CHARS,
            last: Mutex::new(GenerationStats::default()),
        }
    }

    /// Sets the characters of transcript per window.
    pub fn with_window_chars(mut self, chars: usize) -> Self {
        self.window_chars = chars.max(1);
        self
    }

    /// Token counts and times of the last analysis.
    pub fn last_stats(&self) -> GenerationStats {
        *self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema the model answers in: the cloud engine's, with every list and every text
    /// bounded (a small model that rambles is cut off by the grammar, not by the token limit).
    pub fn schema() -> Value {
        fn bound(v: &mut Value, field: &str) {
            match v {
                Value::Object(obj) => {
                    let types: Vec<&str> = match obj.get("type") {
                        Some(Value::String(t)) => vec![t.as_str()],
                        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                        _ => Vec::new(),
                    };
                    if types.contains(&"array") {
                        obj.insert("maxItems".into(), Value::from(MAX_ITEMS_PER_LIST));
                    } else if types.contains(&"string") && !obj.contains_key("enum") {
                        let max = match field {
                            "due" => 10, // YYYY-MM-DD
                            "key" | "due_phrase" => 40,
                            _ => MAX_TEXT_CHARS,
                        };
                        obj.insert("maxLength".into(), Value::from(max));
                    }
                    for (name, child) in obj.iter_mut() {
                        bound(child, name);
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|i| bound(i, field)),
                _ => {}
            }
        }
        let mut schema = wire_schema();
        bound(&mut schema, "");
        schema
    }

    fn analyze_window(
        &self,
        redacted: &Transcript,
        range: Range<usize>,
        ctx: &MeetingContext,
        schema: &str,
        stats: &mut GenerationStats,
    ) -> Result<Vec<Analysis>, IntelError> {
        let prompt = build_prompt_for(redacted, range.clone(), ctx);
        let generation = match self.generator.generate(SYSTEM_PROMPT, &prompt, schema) {
            Ok(g) => g,
            Err(GenerateError::ContextOverflow(why)) if range.len() > 1 => {
                tracing::debug!(%why, segments = range.len(), "window too long for the context; halving it");
                let mid = range.start + range.len() / 2;
                let mut first =
                    self.analyze_window(redacted, range.start..mid, ctx, schema, stats)?;
                first.extend(self.analyze_window(redacted, mid..range.end, ctx, schema, stats)?);
                return Ok(first);
            }
            Err(e) => {
                return Err(IntelError::InvalidLlmOutput(format!(
                    "on-device model: {e}"
                )));
            }
        };
        stats.add_generation(&generation);
        if generation.truncated {
            return Err(IntelError::InvalidLlmOutput(format!(
                "the on-device model's answer was cut short after {} tokens",
                generation.generated_tokens
            )));
        }
        let payload = parse_json_text(&generation.text)?;
        let wire: WireAnalysis = serde_json::from_value(payload)
            .map_err(|e| IntelError::InvalidLlmOutput(format!("does not match the schema: {e}")))?;
        let (analysis, dropped) = validate_wire(wire, redacted, ctx, Citations::DropUnsourced)?;
        stats.dropped_unsourced += dropped as u64;
        Ok(vec![analysis])
    }
}

/// Consecutive segment ranges of at most `max_chars` characters of text each (a longer
/// segment is a window by itself).
fn windows(transcript: &Transcript, max_chars: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = 0;
    for (i, s) in transcript.segments.iter().enumerate() {
        let len = s.text.len();
        if i > start && chars + len > max_chars {
            out.push(start..i);
            start = i;
            chars = 0;
        }
        chars += len;
    }
    if start < transcript.segments.len() {
        out.push(start..transcript.segments.len());
    }
    out
}

impl Engine for OnDeviceEngine {
    fn analyze(
        &self,
        transcript: &Transcript,
        ctx: &MeetingContext,
    ) -> Result<Analysis, IntelError> {
        let (redacted, _) = redact_transcript(transcript);
        let schema = Self::schema().to_string();
        let mut stats = GenerationStats::default();
        let mut merged = Analysis {
            notes: Vec::new(),
            action_items: Vec::new(),
            facts: Vec::new(),
            flags: Vec::new(),
            email: draft_email(ctx, &[], &[], &[]),
        };
        // Every window or none: a window that fails fails the analysis (the rules' result is
        // shown instead), never a half-filed one.
        let outcome = windows(&redacted, self.window_chars)
            .into_iter()
            .try_for_each(|range| {
                for part in self.analyze_window(&redacted, range, ctx, &schema, &mut stats)? {
                    merged.notes.extend(part.notes);
                    merged.action_items.extend(part.action_items);
                    merged.facts.extend(part.facts);
                    merged.flags.extend(part.flags);
                }
                Ok::<(), IntelError>(())
            });
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = stats;
        outcome?;
        // A list the model left empty — often because every item it wrote cited words not in
        // the transcript (the small test model did so on every blind-holdout meeting) — is
        // the rules' list: an advisor is better served by the rules' action items than by
        // none.
        let mut rules = analyze_local(transcript, ctx);
        if merged.action_items.is_empty() {
            merged.action_items = std::mem::take(&mut rules.action_items);
        }
        if merged.facts.is_empty() {
            merged.facts = std::mem::take(&mut rules.facts);
        }
        Ok(with_rules_flags_and_draft(merged, rules, ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Segment;

    fn transcript(texts: &[&str]) -> Transcript {
        Transcript {
            segments: texts
                .iter()
                .enumerate()
                .map(|(i, t)| Segment {
                    start_ms: i as u64 * 1000,
                    end_ms: i as u64 * 1000 + 900,
                    speaker: Some(if i % 2 == 0 { "Dana" } else { "Ada" }.into()),
                    text: (*t).into(),
                })
                .collect(),
        }
    }

    fn ctx() -> MeetingContext {
        MeetingContext {
            meeting_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            household_name: "Okafor".into(),
            advisor_name: "Dana".into(),
            client_names: vec!["Ada Okafor".into()],
            greeted: None,
            tone: crate::model::Tone::ProfessionalWarm,
        }
    }

    /// Answers every window with one action item quoting the window's first segment (or a
    /// misquote, or an overflow for windows longer than a limit).
    struct Scripted {
        misquote: bool,
        overflow_above_segments: usize,
        calls: Mutex<Vec<usize>>,
    }

    impl TextGenerator for Scripted {
        fn generate(
            &self,
            _: &str,
            prompt: &str,
            schema: &str,
        ) -> Result<Generation, GenerateError> {
            assert!(schema.contains("maxItems"), "lists are bounded");
            let lines: Vec<&str> = prompt.lines().filter(|l| l.starts_with('[')).collect();
            self.calls.lock().unwrap().push(lines.len());
            if lines.len() > self.overflow_above_segments {
                return Err(GenerateError::ContextOverflow("too long".into()));
            }
            let first: usize = lines[0][1..lines[0].find(']').unwrap()].parse().unwrap();
            let quote = if self.misquote {
                "words nobody said"
            } else {
                "send the forms"
            };
            let text = serde_json::json!({
                "notes": [], "facts": [], "flags": [],
                "action_items": [{"what": "Send the forms", "owner": "advisor", "due": null,
                    "due_phrase": null, "segment": first, "quote": quote}]
            })
            .to_string();
            Ok(Generation {
                text,
                prompt_tokens: 100,
                generated_tokens: 40,
                prompt_ms: 50,
                generation_ms: 400,
                truncated: false,
            })
        }
    }

    #[test]
    fn long_transcripts_go_in_windows_that_halve_until_they_fit() {
        let t = transcript(&["I will send the forms today."; 8]);
        let engine = OnDeviceEngine::new(Box::new(Scripted {
            misquote: false,
            overflow_above_segments: 2,
            calls: Mutex::new(Vec::new()),
        }))
        .with_window_chars(4 * 28);
        let a = engine.analyze(&t, &ctx()).expect("analysis");
        // Two windows of four segments, each halved to two: four items, one per window.
        assert_eq!(a.action_items.len(), 4);
        let starts: Vec<usize> = a.action_items.iter().map(|i| i.span.segment).collect();
        assert_eq!(starts, vec![0, 2, 4, 6]);
        assert_eq!(engine.last_stats().windows, 4);
        assert!((engine.last_stats().generation_tokens_per_sec() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_statement_without_a_source_is_not_filed_and_the_rules_fill_the_empty_list() {
        let t = transcript(&["I will send the forms today.", "Thanks."]);
        let engine = OnDeviceEngine::new(Box::new(Scripted {
            misquote: true,
            overflow_above_segments: usize::MAX,
            calls: Mutex::new(Vec::new()),
        }));
        let a = engine.analyze(&t, &ctx()).expect("analysis");
        assert_eq!(engine.last_stats().dropped_unsourced, 1);
        // The model's item ("Send the forms", citing words nobody said) is gone; the rules'
        // item from the same sentence stands in its place.
        let rules = analyze_local(&t, &ctx());
        assert!(!rules.action_items.is_empty());
        assert_eq!(a.action_items, rules.action_items);
    }
}
