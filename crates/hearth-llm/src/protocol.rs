//! What the desk and the `hearth-llm` worker say to each other: one JSON object per line,
//! requests on the worker's stdin, events on its stdout. The worker answers each request with
//! `loaded` (once per model), any number of `progress`, then `done` or `error`. Closing stdin
//! ends the worker; killing it cancels whatever it is doing.

use serde::{Deserialize, Serialize};

/// One generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The GGUF model file (already verified by provisioning; the worker checks its magic).
    pub model: String,
    /// The system message.
    pub system: String,
    /// The user message.
    pub prompt: String,
    /// A JSON schema the answer must follow (turned into a grammar that constrains every
    /// token); `None` for free text.
    pub json_schema: Option<String>,
    /// Most tokens to generate.
    pub max_tokens: u32,
    /// Context size to ask for (capped at what the model was trained with).
    pub context: u32,
    /// CPU threads.
    pub threads: u32,
}

/// What the worker reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The model is in memory.
    Loaded {
        /// Milliseconds the load took.
        load_ms: u64,
        /// The context the model was trained with, tokens.
        n_ctx_train: u32,
    },
    /// Tokens generated so far.
    Progress {
        /// Generated tokens.
        generated: u32,
    },
    /// The answer.
    Done {
        /// The generated text.
        text: String,
        /// Tokens in the prompt.
        prompt_tokens: u32,
        /// Tokens generated.
        generated_tokens: u32,
        /// Milliseconds spent reading the prompt.
        prompt_ms: u64,
        /// Milliseconds spent generating.
        generation_ms: u64,
        /// Whether generation stopped at `max_tokens` rather than at the end of the answer.
        truncated: bool,
    },
    /// The request failed; the worker goes on with the next one.
    Error {
        /// What went wrong, for the advisor's log.
        message: String,
        /// The prompt does not fit the context: the caller should split the work.
        context_overflow: bool,
    },
}
