//! The on-device language model, as the desk sees it.
//!
//! llama.cpp and whisper.cpp each bundle their own ggml, and one binary holding both crashes
//! (llama-cpp-rs issue 484). So the model runs in its own process, `hearth-llm` (crate
//! `hearth-llm-worker`), which the desk starts and talks to over its stdin and stdout
//! ([`protocol`]); whisper stays in the desk. [`Worker`] runs it as a
//! [`hearth_intel::TextGenerator`], so [`hearth_intel::OnDeviceEngine`] can analyse meetings
//! with it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod protocol;
mod worker;

pub use worker::{WORKER_ENV, Worker, WorkerError, WorkerOptions, worker_path};
