//! On-device batch transcription for Hearth with whisper.cpp (through whisper-rs).
//!
//! Audio never leaves the machine: [`Transcriber`] loads a local ggml model (see
//! `hearth-models` for fetching/converting one) and turns 16 kHz mono f32 samples into
//! timed [`Segment`]s, which [`to_vtt`] exports as WebVTT.
//!
//! The API is blocking and CPU-heavy (seconds to minutes). UI code must call it off
//! the UI/async thread, e.g. `tokio::task::spawn_blocking(move || t.transcribe(...))`,
//! and can stop it through the cancel flag in [`TranscribeOptions`].
//!
//! Performance: whisper.cpp (1.8.5, vendored under `vendor/whisper-rs-sys`) is built with
//! OpenMP (`openmp` feature) and runs with flash attention. OpenMP worker threads spin while
//! waiting: on a quiet laptop that is what makes decoding fast (5 ms per token vs 11.5 ms
//! with `OMP_WAIT_POLICY=PASSIVE`), but on a machine busy with other work (parallel test
//! runs, builds) spinning threads starve each other (a 63 s clip took 45 s instead of 14 s).
//! So the default is left alone for advisors and the test scripts set
//! `OMP_WAIT_POLICY=PASSIVE` (read when the OpenMP runtime starts, so not settable here).
//! Quantised models (`hearth_models::ggml::quantize`, q5_1/q8_0) are smaller and faster.
//!
//! [`live`] transcribes while recording: voice-activity detection, partial and final text.
//!
//! Full audio import and resampling belong to `hearth-audio`; [`read_wav_16k_mono`]
//! only reads 16 kHz mono PCM16 WAV for tests and tools.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod chunk;
pub mod live;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

/// The sample rate whisper expects.
pub const SAMPLE_RATE: u32 = 16_000;

/// Errors of transcription.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    /// The model file does not exist.
    #[error("model file {0} not found; install one with hearth-models")]
    ModelNotFound(PathBuf),
    /// The model file is not a valid ggml Whisper model (random bytes, truncated, ...).
    #[error("model file is unusable: {0}")]
    InvalidModel(#[source] hearth_models::ModelError),
    /// whisper.cpp refused to load the model.
    #[error("whisper.cpp could not load model {path}: {message}")]
    ModelLoad {
        /// Model path.
        path: PathBuf,
        /// whisper-rs error text.
        message: String,
    },
    /// No samples were given.
    #[error("no audio: the input has no samples")]
    EmptyAudio,
    /// The audio is not usable (e.g. NaN samples).
    #[error("invalid audio: {0}")]
    InvalidAudio(String),
    /// The WAV file could not be read or is not 16 kHz mono PCM16.
    #[error("cannot read WAV {path}: {message}")]
    Wav {
        /// WAV path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The run was cancelled through the cancel flag.
    #[error("transcription cancelled")]
    Cancelled,
    /// whisper.cpp failed during inference.
    #[error("transcription failed: {0}")]
    Whisper(String),
}

/// Result alias for this crate.
pub type Result<T, E = TranscribeError> = std::result::Result<T, E>;

/// One transcribed stretch of speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Start, milliseconds from the beginning of the audio.
    pub start_ms: u64,
    /// End, milliseconds from the beginning of the audio.
    pub end_ms: u64,
    /// Text, trimmed.
    pub text: String,
}

/// Options of one transcription run.
#[derive(Clone)]
pub struct TranscribeOptions {
    /// CPU threads for whisper.cpp (default 2).
    pub n_threads: usize,
    /// Spoken language (default `"en"`).
    pub language: String,
    /// Set to `true` from any thread to stop the run; whisper.cpp checks it through its
    /// abort callback during inference and between decoding windows.
    pub cancel: Arc<AtomicBool>,
    /// Called with progress in percent (0–100) from the transcribing thread.
    pub progress: Option<Arc<dyn Fn(u8) + Send + Sync>>,
    /// Text said just before this audio (live mode passes the previous utterance), given
    /// to whisper as context the way batch mode carries context between windows.
    pub initial_prompt: Option<String>,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            n_threads: 2,
            language: "en".to_owned(),
            cancel: Arc::new(AtomicBool::new(false)),
            progress: None,
            initial_prompt: None,
        }
    }
}

impl std::fmt::Debug for TranscribeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TranscribeOptions")
            .field("n_threads", &self.n_threads)
            .field("language", &self.language)
            .field("cancel", &self.cancel.load(Ordering::Relaxed))
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Pieces shorter than this many seconds are encoded with a context sized to them.
pub const SHORT_PIECE_SECS: usize = 15;

/// A loaded Whisper model. Loading takes a moment; reuse it across recordings.
/// `Send + Sync`: each [`Transcriber::transcribe`] call creates its own whisper state.
pub struct Transcriber {
    ctx: WhisperContext,
    path: PathBuf,
}

impl std::fmt::Debug for Transcriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcriber")
            .field("path", &self.path)
            .finish()
    }
}

impl Transcriber {
    /// Loads a ggml model. The file's structure is checked in Rust first, so a missing,
    /// truncated or random file gives a clear error instead of reaching whisper.cpp.
    /// (Integrity against a pinned hash is `hearth_models::ModelStore::verify`.)
    pub fn load(model: &Path) -> Result<Self> {
        if !model.is_file() {
            return Err(TranscribeError::ModelNotFound(model.to_path_buf()));
        }
        hearth_models::ggml::inspect(model).map_err(TranscribeError::InvalidModel)?;
        whisper_rs::install_logging_hooks();
        // Flash attention: with whisper.cpp 1.8.5 (vendor/whisper-rs-sys) the encoder runs
        // 4.4x faster on CPU (a 30 s window: 2.0 s without, 0.45 s with, tiny.en, 2 threads).
        // It rules out DTW token timestamps, which Hearth does not use.
        let mut params = WhisperContextParameters::default();
        params.flash_attn(true);
        let ctx = WhisperContext::new_with_params(model, params).map_err(|e| {
            TranscribeError::ModelLoad {
                path: model.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        Ok(Self {
            ctx,
            path: model.to_path_buf(),
        })
    }

    /// The model path.
    pub fn model_path(&self) -> &Path {
        &self.path
    }

    /// Transcribes 16 kHz mono f32 samples (range −1..1) with greedy decoding.
    /// Blocking; see the crate docs for calling it from UI code.
    ///
    /// Audio longer than [`chunk::MAX_CHUNK_SECS`] is cut at pauses ([`chunk::at_pauses`])
    /// and the pieces are transcribed in order, so no speech is lost between whisper's 30 s
    /// windows. The pieces do not get the previous piece's text as a prompt: on the benchmark
    /// clip that made whisper repeat the prompt instead of transcribing (q5_1 WER 12.5 % with
    /// 48 words of context, 9.1 % without; f16 7.4 % either way). `initial_prompt` goes to the
    /// first piece.
    pub fn transcribe(&self, samples: &[f32], opts: &TranscribeOptions) -> Result<Vec<Segment>> {
        if samples.is_empty() {
            return Err(TranscribeError::EmptyAudio);
        }
        if samples.iter().any(|s| !s.is_finite()) {
            return Err(TranscribeError::InvalidAudio("non-finite sample".into()));
        }
        let pieces = chunk::at_pauses(samples);
        if pieces.len() == 1 {
            return self.transcribe_piece(samples, opts);
        }
        self.transcribe_ranges(samples, pieces, opts, false)
    }

    /// Transcribes `samples` turn by turn ([`chunk::turns`]): one stream of a call, where
    /// the speaker talks in turns between long silences while the other side speaks.
    /// Segment times are within their turn, so two streams merge by time; silence is never
    /// handed to whisper. Progress counts the speech only.
    pub fn transcribe_turns(
        &self,
        samples: &[f32],
        opts: &TranscribeOptions,
    ) -> Result<Vec<Segment>> {
        if samples.iter().any(|s| !s.is_finite()) {
            return Err(TranscribeError::InvalidAudio("non-finite sample".into()));
        }
        self.transcribe_ranges(samples, chunk::turns(samples), opts, true)
    }

    /// Transcribes each of `ranges` of `samples` (ascending, not overlapping) on its own, with
    /// segment times from the start of `samples`; digital silence is skipped, progress counts
    /// the audio in the ranges, `initial_prompt` goes to the first. `full_windows`: every range
    /// gets whisper's full 30 s window — a turn of one side of a call, the microphone's with
    /// the other side's echo silenced, lost words with a context sized to it
    /// (benches/two_streams: microphone WER 11.9 % → 32.8 %); otherwise
    /// [`Self::transcribe_piece`] decides.
    fn transcribe_ranges(
        &self,
        samples: &[f32],
        ranges: Vec<std::ops::Range<usize>>,
        opts: &TranscribeOptions,
        full_windows: bool,
    ) -> Result<Vec<Segment>> {
        let total: u64 = ranges.iter().map(|r| r.len() as u64).sum::<u64>().max(1);
        let mut done = 0u64;
        let mut out: Vec<Segment> = Vec::new();
        for (index, range) in ranges.into_iter().enumerate() {
            let audio = &samples[range.clone()];
            let len = range.len() as u64;
            if chunk::is_silent(audio) {
                done += len;
                continue;
            }
            // Progress of the whole run: this range's share of the audio, scaled.
            let progress = opts.progress.as_ref().map(|cb| {
                let cb = Arc::clone(cb);
                let before = done;
                Arc::new(move |p: u8| {
                    cb(((before + len * u64::from(p) / 100) * 100 / total).min(100) as u8);
                }) as Arc<dyn Fn(u8) + Send + Sync>
            });
            let range_opts = TranscribeOptions {
                initial_prompt: opts.initial_prompt.clone().filter(|_| index == 0),
                progress,
                ..opts.clone()
            };
            let segments = if full_windows {
                self.transcribe_window(audio, &range_opts)?
            } else {
                self.transcribe_piece(audio, &range_opts)?
            };
            let offset_ms = range.start as u64 * 1000 / u64::from(SAMPLE_RATE);
            let len_ms = len * 1000 / u64::from(SAMPLE_RATE);
            out.extend(segments.into_iter().map(|s| Segment {
                start_ms: offset_ms + s.start_ms.min(len_ms),
                end_ms: offset_ms + s.end_ms.min(len_ms),
                text: s.text,
            }));
            done += len;
        }
        if let Some(cb) = &opts.progress {
            cb(100);
        }
        Ok(out)
    }

    /// One piece of at most [`chunk::MAX_CHUNK_SECS`]: a piece shorter than
    /// [`SHORT_PIECE_SECS`] gets an encoder context sized to it (as live partials do), a
    /// longer one whisper's full 30 s window. On the 60 s benchmark clip (pieces of 27.5,
    /// 20.8 and 11.7 s) sizing only the short tail cut the time by 14 % at the same WER;
    /// sizing every piece cut 22 % but raised WER from 7.4 % to 10.8 %.
    fn transcribe_piece(&self, samples: &[f32], opts: &TranscribeOptions) -> Result<Vec<Segment>> {
        if samples.len() < SHORT_PIECE_SECS * SAMPLE_RATE as usize {
            self.transcribe_draft(samples, opts)
        } else {
            self.transcribe_window(samples, opts)
        }
    }

    /// One whisper run over at most a few windows of audio.
    pub(crate) fn transcribe_window(
        &self,
        samples: &[f32],
        opts: &TranscribeOptions,
    ) -> Result<Vec<Segment>> {
        self.run_whisper(samples, opts, None)
    }

    /// A quick draft of a short stretch of audio (live partials): the encoder only looks at
    /// as much context as the audio needs instead of whisper's full 30 s, which cuts its cost
    /// roughly in proportion, at some cost in accuracy. Audio over 28 s gets the full window.
    pub(crate) fn transcribe_draft(
        &self,
        samples: &[f32],
        opts: &TranscribeOptions,
    ) -> Result<Vec<Segment>> {
        // whisper's encoder has 50 positions per second (1500 for 30 s); a margin of ~1.3 s
        // keeps the last words, and multiples of 64 are what whisper.cpp's stream tool uses.
        let secs = samples.len() as f64 / f64::from(SAMPLE_RATE);
        let ctx = ((secs * 50.0) as u32 + 64).div_ceil(64) * 64;
        let ctx = i32::try_from(ctx).unwrap_or(1500);
        let audio_ctx = (ctx < 1500).then_some(ctx);
        self.run_whisper(samples, opts, audio_ctx)
    }

    fn run_whisper(
        &self,
        samples: &[f32],
        opts: &TranscribeOptions,
        audio_ctx: Option<i32>,
    ) -> Result<Vec<Segment>> {
        if opts.cancel.load(Ordering::Relaxed) {
            return Err(TranscribeError::Cancelled);
        }
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        if let Some(ctx) = audio_ctx {
            params.set_audio_ctx(ctx);
        }
        params.set_n_threads(i32::try_from(opts.n_threads.clamp(1, 64)).unwrap_or(2));
        params.set_language(Some(&opts.language));
        params.set_translate(false);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_no_context(false);
        params.set_suppress_blank(true);
        if let Some(prompt) = opts.initial_prompt.as_deref().filter(|p| !p.is_empty()) {
            params.set_initial_prompt(prompt);
        }
        // whisper-rs 0.16 never frees the closures given to FullParams (no Drop impl), so
        // they only hold weak references: the caller's callback and flag are dropped
        // normally once this call returns, and the leak is a few bytes per run.
        let cancel = Arc::downgrade(&opts.cancel);
        // Its abort trampoline reads the user data as `F`; passing a boxed trait object as
        // `F` keeps the boxing and the trampoline's cast in agreement.
        let abort: Box<dyn FnMut() -> bool> =
            Box::new(move || cancel.upgrade().is_some_and(|c| c.load(Ordering::Relaxed)));
        params.set_abort_callback_safe(abort);
        if let Some(cb) = &opts.progress {
            let weak = Arc::downgrade(cb);
            params.set_progress_callback_safe(move |p: i32| {
                if let Some(cb) = weak.upgrade() {
                    cb(p.clamp(0, 100) as u8);
                }
            });
        }

        let mut state = self
            .ctx
            .create_state()
            .map_err(|e| TranscribeError::Whisper(format!("cannot create state: {e}")))?;
        let run = state.full(params, samples);
        if opts.cancel.load(Ordering::Relaxed) {
            return Err(TranscribeError::Cancelled);
        }
        run.map_err(|e| TranscribeError::Whisper(e.to_string()))?;

        let mut out = Vec::new();
        for seg in state.as_iter() {
            let text = seg
                .to_str_lossy()
                .map_err(|e| TranscribeError::Whisper(e.to_string()))?
                .trim()
                .to_owned();
            if text.is_empty() {
                continue;
            }
            // whisper timestamps are in centiseconds.
            let start_ms = u64::try_from(seg.start_timestamp()).unwrap_or(0) * 10;
            let end_ms = u64::try_from(seg.end_timestamp()).unwrap_or(0) * 10;
            out.push(Segment {
                start_ms,
                end_ms: end_ms.max(start_ms),
                text,
            });
        }
        if let Some(cb) = &opts.progress {
            cb(100);
        }
        Ok(out)
    }
}

/// Reads a 16 kHz mono 16-bit PCM WAV file into f32 samples in −1..1.
pub fn read_wav_16k_mono(path: &Path) -> Result<Vec<f32>> {
    let err = |message: String| TranscribeError::Wav {
        path: path.to_path_buf(),
        message,
    };
    let reader = hound::WavReader::open(path).map_err(|e| err(e.to_string()))?;
    let spec = reader.spec();
    if spec.sample_rate != SAMPLE_RATE
        || spec.channels != 1
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(err(format!(
            "need 16 kHz mono PCM16, got {} Hz, {} channel(s), {} bit {:?} (resample first)",
            spec.sample_rate, spec.channels, spec.bits_per_sample, spec.sample_format
        )));
    }
    reader
        .into_samples::<i16>()
        .map(|s| s.map(|v| f32::from(v) / 32768.0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(e.to_string()))
}

fn vtt_time(ms: u64) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    format!("{h:02}:{m:02}:{s:02}.{ms:03}")
}

/// WebVTT for the segments: a `WEBVTT` header, then one numbered cue per segment.
/// Text is escaped (`&`, `<`, `>`) and blank lines inside text are collapsed, since a
/// blank line would end the cue.
pub fn to_vtt(segments: &[Segment]) -> String {
    let mut out = String::from("WEBVTT\n");
    for (i, seg) in segments.iter().enumerate() {
        let text = seg
            .text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace("-->", "--&gt;");
        let text: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let _ = write!(
            out,
            "\n{}\n{} --> {}\n{}\n",
            i + 1,
            vtt_time(seg.start_ms),
            vtt_time(seg.end_ms.max(seg.start_ms)),
            text.join("\n")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcriber_can_move_to_a_worker_thread() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Transcriber>();
        assert_send_sync::<TranscribeOptions>();
    }

    #[test]
    fn vtt_format() {
        let segs = vec![
            Segment {
                start_ms: 0,
                end_ms: 2_500,
                text: "Hello <there> & welcome.".into(),
            },
            Segment {
                start_ms: 3_723_004,
                end_ms: 3_725_000,
                text: "Bye.".into(),
            },
        ];
        let vtt = to_vtt(&segs);
        assert_eq!(
            vtt,
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\nHello &lt;there&gt; &amp; welcome.\n\n2\n01:02:03.004 --> 01:02:05.000\nBye.\n"
        );
        assert_eq!(to_vtt(&[]), "WEBVTT\n");
    }
}
