//! Running the `hearth-llm` worker process as a [`TextGenerator`].

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use hearth_intel::{GenerateError, Generation, TextGenerator};

use crate::protocol::{Event, Request};

/// Environment variable naming the worker executable (default: `hearth-llm` next to the
/// running program).
pub const WORKER_ENV: &str = "HEARTH_LLM_WORKER";

/// Why the worker could not be started.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The executable is missing.
    #[error(
        "the on-device model's helper `{0}` is missing; reinstall Hearth (or set HEARTH_LLM_WORKER)"
    )]
    Missing(PathBuf),
}

/// The worker executable: `HEARTH_LLM_WORKER`, else `hearth-llm` beside the current program.
pub fn worker_path() -> Result<PathBuf, WorkerError> {
    if let Some(p) = std::env::var_os(WORKER_ENV).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(WorkerError::Missing(p))
        };
    }
    let name = format!("hearth-llm{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join(&name)))
        .unwrap_or_else(|| PathBuf::from(&name));
    if beside.is_file() {
        Ok(beside)
    } else {
        Err(WorkerError::Missing(beside))
    }
}

/// How the worker generates.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The GGUF model.
    pub model: PathBuf,
    /// CPU threads for llama.cpp.
    pub threads: u32,
    /// Context to ask for, tokens.
    pub context: u32,
    /// Most tokens per answer.
    pub max_tokens: u32,
}

impl WorkerOptions {
    /// Defaults for `model`: 2 threads, a 4,096-token context, answers of up to 2,048 tokens
    /// (the on-device schema bounds an answer to about 1,500).
    pub fn new(model: impl Into<PathBuf>) -> Self {
        Self {
            model: model.into(),
            threads: 2,
            context: 4096,
            max_tokens: 2048,
        }
    }
}

/// The running worker's pipes (held while a request is in flight).
struct Pipes {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// The worker process, started on first use and kept for the next request (the model stays
/// loaded). [`Worker::cancel`] from any thread kills it; the generation in progress then
/// returns [`GenerateError::Cancelled`] and the next one starts a fresh worker.
pub struct Worker {
    exe: PathBuf,
    options: WorkerOptions,
    pipes: Mutex<Option<Pipes>>,
    /// The worker process, apart from its pipes, so [`Worker::cancel`] can kill it while a
    /// request holds the pipes.
    child: Mutex<Option<Child>>,
    cancelled: Arc<AtomicBool>,
    peak_rss: Mutex<u64>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("exe", &self.exe)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker running `exe` (see [`worker_path`]).
    pub fn new(exe: impl Into<PathBuf>, options: WorkerOptions) -> Self {
        Self {
            exe: exe.into(),
            options,
            pipes: Mutex::new(None),
            child: Mutex::new(None),
            cancelled: Arc::new(AtomicBool::new(false)),
            peak_rss: Mutex::new(0),
        }
    }

    /// Stops the generation in progress (kills the worker process).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        if let Some(child) = self
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            let _ = child.kill();
        }
    }

    /// Whether a worker process is running (started and not known to have stopped).
    pub fn is_running(&self) -> bool {
        self.child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Kills and reaps the worker, if any (the next request starts a new one).
    fn stop(&self, pipes: &mut Option<Pipes>) {
        *pipes = None;
        if let Some(mut child) = self.child.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The worker's peak memory so far (resident set, bytes; Linux only, else 0).
    pub fn peak_rss_bytes(&self) -> u64 {
        *self.peak_rss.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn start(&self) -> Result<Pipes, GenerateError> {
        let mut child = Command::new(&self.exe)
            .env("OMP_WAIT_POLICY", "PASSIVE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                GenerateError::Failed(format!("could not start {}: {e}", self.exe.display()))
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(GenerateError::Failed("the worker has no pipes".into()));
        };
        *self.child.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);
        Ok(Pipes {
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    fn note_memory(&self) {
        let pid = self
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(Child::id);
        if let Some(pid) = pid {
            let rss = peak_rss_of(pid);
            let mut peak = self.peak_rss.lock().unwrap_or_else(|p| p.into_inner());
            *peak = (*peak).max(rss);
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let mut pipes = self.pipes.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.stop(&mut pipes);
    }
}

impl TextGenerator for Worker {
    fn generate(
        &self,
        system: &str,
        prompt: &str,
        json_schema: &str,
    ) -> Result<Generation, GenerateError> {
        let mut guard = self.pipes.lock().unwrap_or_else(|p| p.into_inner());
        if self.cancelled.swap(false, Ordering::SeqCst) {
            // A cancel with nothing in flight: the next request starts clean.
            self.stop(&mut guard);
        }
        if guard.is_none() {
            *guard = Some(self.start()?);
        }
        let request = Request {
            model: self.options.model.display().to_string(),
            system: system.to_string(),
            prompt: prompt.to_string(),
            json_schema: Some(json_schema.to_string()),
            max_tokens: self.options.max_tokens,
            context: self.options.context,
            threads: self.options.threads,
        };
        let outcome = exchange(guard.as_mut(), &request);
        self.note_memory();
        match outcome {
            Ok(generation) => Ok(generation),
            Err(e) => {
                // The worker is dead or confused: the next request starts a new one.
                self.stop(&mut guard);
                if self.cancelled.swap(false, Ordering::SeqCst) {
                    Err(GenerateError::Cancelled)
                } else {
                    Err(e)
                }
            }
        }
    }
}

fn exchange(running: Option<&mut Pipes>, request: &Request) -> Result<Generation, GenerateError> {
    let Some(running) = running else {
        return Err(GenerateError::Failed("the worker is not running".into()));
    };
    let died = |e: std::io::Error| GenerateError::Failed(format!("the worker stopped: {e}"));
    let line = serde_json::to_string(request)
        .map_err(|e| GenerateError::Failed(format!("request: {e}")))?;
    running.stdin.write_all(line.as_bytes()).map_err(died)?;
    running.stdin.write_all(b"\n").map_err(died)?;
    running.stdin.flush().map_err(died)?;
    let mut line = String::new();
    loop {
        line.clear();
        if running.stdout.read_line(&mut line).map_err(died)? == 0 {
            return Err(GenerateError::Failed(
                "the worker stopped before answering".into(),
            ));
        }
        let event: Event = serde_json::from_str(line.trim())
            .map_err(|e| GenerateError::Failed(format!("the worker said something odd: {e}")))?;
        match event {
            Event::Loaded { load_ms, .. } => {
                tracing::debug!(load_ms, "on-device model loaded");
            }
            Event::Progress { .. } => {}
            Event::Done {
                text,
                prompt_tokens,
                generated_tokens,
                prompt_ms,
                generation_ms,
                truncated,
            } => {
                return Ok(Generation {
                    text,
                    prompt_tokens,
                    generated_tokens,
                    prompt_ms,
                    generation_ms,
                    truncated,
                });
            }
            Event::Error {
                message,
                context_overflow: true,
            } => return Err(GenerateError::ContextOverflow(message)),
            Event::Error { message, .. } => return Err(GenerateError::Failed(message)),
        }
    }
}

/// Peak resident set of a process, bytes (`VmHWM`; Linux only).
fn peak_rss_of(pid: u32) -> u64 {
    let status = Path::new("/proc").join(pid.to_string()).join("status");
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
