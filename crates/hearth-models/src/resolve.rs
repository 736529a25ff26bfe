//! Which model file a transcription uses: a named model or a path, else the default
//! (`tiny.en`), else the same model built from PyPI (`tiny.en-pypi`) — always verified
//! against its pin, with errors that say how to install one.
//!
//! The CLI (`hearth transcribe`, `hearth meeting import/record`, `hearth models fetch`) and
//! the desktop app resolve and download models the same way, from the same store ([`store`]:
//! `$HEARTH_MODELS_DIR`, else the per-user cache) and the same source ([`fetch`]:
//! `$HEARTH_MODEL_BASE_URL`, a firm mirror, else the registry's URL).

use std::path::{Path, PathBuf};

use crate::{DownloadProgress, ModelError, ModelSource, ModelStore, registry};

/// The model transcription uses when none is named.
pub const DEFAULT_MODEL: &str = "tiny.en";
/// The same model built from PyPI, used when the published file is not installed.
pub const FALLBACK_MODEL: &str = "tiny.en-pypi";
/// Environment variable that overrides the model store's directory.
pub const MODELS_DIR_ENV: &str = "HEARTH_MODELS_DIR";
/// Environment variable naming a firm mirror that serves model files by file name.
pub const MODEL_BASE_URL_ENV: &str = "HEARTH_MODEL_BASE_URL";

/// Why no usable model was found. Every message ends with what to do.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Neither the default model nor its PyPI-built twin is installed.
    #[error(
        "no Whisper model is installed (looked in {dir}): run `hearth models fetch {DEFAULT_MODEL}` (or `hearth models fetch {FALLBACK_MODEL}` without access to the model host)"
    )]
    NoModel {
        /// The store searched.
        dir: PathBuf,
    },
    /// A model path was given and there is no file there.
    #[error("model file {0} not found")]
    FileNotFound(String),
    /// A named model is not installed.
    #[error("{source}; run `hearth models fetch {name}`")]
    NotInstalled {
        /// The model.
        name: String,
        /// The store's answer.
        #[source]
        source: ModelError,
    },
    /// The installed file does not match its pinned hash.
    #[error(
        "{source}; the installed file is damaged: fetch it again with `hearth models fetch {name}`"
    )]
    Damaged {
        /// The model.
        name: String,
        /// The store's answer.
        #[source]
        source: ModelError,
    },
    /// Anything else the store reported (unknown name, I/O, no cache directory).
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// The model store: `$HEARTH_MODELS_DIR`, else the per-user cache.
pub fn store() -> Result<ModelStore, ModelError> {
    match std::env::var_os(MODELS_DIR_ENV).filter(|d| !d.is_empty()) {
        Some(dir) => Ok(ModelStore::new(PathBuf::from(dir))),
        None => ModelStore::user_default(),
    }
}

/// The firm mirror (`$HEARTH_MODEL_BASE_URL`), if set.
pub fn mirror() -> Option<String> {
    std::env::var(MODEL_BASE_URL_ENV)
        .ok()
        .map(|base| base.trim_end_matches('/').to_owned())
        .filter(|base| !base.is_empty())
}

/// Whether [`fetch`] can download `spec`: from the mirror when one is set, else only models
/// published at a URL (the others are built locally, see [`crate::pypi`]).
pub fn downloadable(spec: &registry::ModelSpec) -> bool {
    mirror().is_some() || matches!(spec.source, ModelSource::Url(_))
}

/// Downloads a model into `store` (resumable, verified against its pin): from the mirror
/// (`<mirror>/<file name>`) when [`mirror`] is set, else from its registry URL.
pub fn fetch(
    store: &ModelStore,
    name: &str,
    progress: &mut dyn FnMut(DownloadProgress),
) -> Result<PathBuf, ModelError> {
    let spec = registry::lookup(name)?;
    match mirror() {
        Some(base) => store.fetch_url(
            &format!("{base}/{}", spec.file_name),
            spec.file_name,
            spec.sha256,
            progress,
        ),
        None => store.fetch(name, progress),
    }
}

/// A model path from a name or path (default: `tiny.en`, else `tiny.en-pypi`), verified
/// against the pinned hash, in [`store`].
pub fn resolve(model: Option<&str>) -> Result<PathBuf, ResolveError> {
    resolve_in(&store()?, model)
}

/// [`resolve`] in a given store.
pub fn resolve_in(store: &ModelStore, model: Option<&str>) -> Result<PathBuf, ResolveError> {
    if let Some(m) = model {
        let p = Path::new(m);
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        if registry::lookup(m).is_err() && (m.contains('/') || m.ends_with(".bin")) {
            return Err(ResolveError::FileNotFound(m.to_owned()));
        }
        return verify(store, m);
    }
    match store.verify(DEFAULT_MODEL) {
        Ok(p) => Ok(p),
        Err(ModelError::NotInstalled { .. }) => match store.verify(FALLBACK_MODEL) {
            Ok(p) => Ok(p),
            Err(ModelError::NotInstalled { .. }) => Err(ResolveError::NoModel {
                dir: store.dir().to_path_buf(),
            }),
            Err(e) => Err(with_hint(FALLBACK_MODEL, e)),
        },
        Err(e) => Err(with_hint(DEFAULT_MODEL, e)),
    }
}

/// [`ModelStore::verify`] with the errors of [`resolve`] (what to run to install or repair).
pub fn verify(store: &ModelStore, name: &str) -> Result<PathBuf, ResolveError> {
    store.verify(name).map_err(|e| with_hint(name, e))
}

fn with_hint(name: &str, e: ModelError) -> ResolveError {
    match e {
        ModelError::NotInstalled { .. } => ResolveError::NotInstalled {
            name: name.to_owned(),
            source: e,
        },
        ModelError::HashMismatch { .. } => ResolveError::Damaged {
            name: name.to_owned(),
            source: e,
        },
        e => ResolveError::Model(e),
    }
}

/// Environment variable naming a GGUF language model file to use instead of the store's.
pub const LANGUAGE_MODEL_ENV: &str = "HEARTH_LLM_MODEL";

/// The language model for on-device analysis: `HEARTH_LLM_MODEL` if set, else the first
/// installed [`registry::ModelKind::Language`] model in registry order whose file matches its
/// pin. `Ok(None)` when none is installed (the desk then uses the rules); a file that fails
/// its pin is an error (refused before anything loads it).
pub fn language_model(store: &ModelStore) -> Result<Option<PathBuf>, ModelError> {
    if let Some(path) = std::env::var_os(LANGUAGE_MODEL_ENV).filter(|v| !v.is_empty()) {
        return Ok(Some(PathBuf::from(path)));
    }
    for spec in registry::REGISTRY
        .iter()
        .filter(|s| s.kind == registry::ModelKind::Language)
    {
        match store.verify(spec.name) {
            Ok(path) => return Ok(Some(path)),
            Err(ModelError::NotInstalled { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_store_says_how_to_install_a_model() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve_in(&ModelStore::new(dir.path()), None).unwrap_err();
        assert!(matches!(err, ResolveError::NoModel { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("hearth models fetch tiny.en` (or `hearth models fetch tiny.en-pypi"),
            "{err}"
        );
    }

    #[test]
    fn named_models_and_paths_get_specific_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = ModelStore::new(dir.path());
        let err = resolve_in(&store, Some("/nowhere/ggml.bin")).unwrap_err();
        assert!(matches!(err, ResolveError::FileNotFound(_)), "{err}");
        let err = resolve_in(&store, Some("base.en")).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("run `hearth models fetch base.en`"),
            "{err}"
        );
        // A file in place of the default that fails its pin is reported as damaged.
        let spec = registry::lookup(DEFAULT_MODEL).unwrap();
        std::fs::write(store.path_of(spec), b"not a model").unwrap();
        let err = resolve_in(&store, None).unwrap_err();
        assert!(matches!(err, ResolveError::Damaged { .. }), "{err}");
        // An existing file given by path is taken as is (loading checks its structure).
        let file = dir.path().join("mine.bin");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(resolve_in(&store, file.to_str()).unwrap(), file);
    }
}
