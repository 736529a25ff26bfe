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

/// Why the installed on-device engine cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InstalledError {
    /// The model store failed, or the installed model fails its pin.
    #[error(transparent)]
    Model(#[from] hearth_models::ModelError),
    /// The worker executable is missing.
    #[error(transparent)]
    Worker(#[from] WorkerError),
}

/// The on-device engine over the installed language model
/// ([`hearth_models::resolve::language_model`]) and the worker beside this program, with
/// `threads` CPU threads; `Ok(None)` when no language model is installed.
pub fn installed_engine(
    threads: u32,
) -> Result<Option<hearth_intel::OnDeviceEngine>, InstalledError> {
    let store = hearth_models::resolve::store()?;
    let Some(model) = hearth_models::resolve::language_model(&store)? else {
        return Ok(None);
    };
    let exe = worker_path()?;
    let mut options = WorkerOptions::new(model);
    options.threads = threads.max(1);
    Ok(Some(hearth_intel::OnDeviceEngine::new(Box::new(
        Worker::new(exe, options),
    ))))
}
