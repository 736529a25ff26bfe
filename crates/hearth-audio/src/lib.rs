//! Meeting audio for Hearth: everything between a microphone (or a recording made elsewhere)
//! and the 16 kHz mono samples the transcriber wants.
//!
//! * [`decode`]: import a recording (WAV, MP3, M4A/AAC, FLAC, OGG/Vorbis) with symphonia.
//! * [`resample`]: downmix any channel count and resample any rate to 16 kHz mono with
//!   rubato's sinc resampler, streaming (buffers of any size, rate changes mid-stream).
//! * [`sealed`]: the encrypted audio file in the profile: AES-256-GCM chunks written (and
//!   fsynced) every ~1–2 s while recording, each authenticated with its index and a
//!   last-chunk flag, so a crash loses at most the chunk in progress and a truncated file
//!   still opens up to its last whole chunk.
//! * [`pipeline`]: the sans-I/O recording pipeline — feed it captured buffers (any rate and
//!   channel count) and it meters levels, resamples, streams into a sealed file and hands
//!   16 kHz samples to a live consumer. Tests drive it without any audio hardware.
//! * [`capture`]: the cpal front end: list input devices, open the chosen one at its
//!   native format, and keep recording through a device that changes sample rate or
//!   disappears (reopen, or stop cleanly with everything captured so far kept); system
//!   audio (the other side of a video call) per platform, kept in time with the microphone.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod capture;
pub mod decode;
pub mod pipeline;
pub mod resample;
pub mod sealed;
mod system;

/// Test signals shared by the crate's unit tests.
#[cfg(test)]
pub(crate) mod test_signal {
    /// A 300 Hz sine at amplitude 0.4, `secs` long, interleaved over `channels`.
    pub(crate) fn tone(rate: u32, channels: u16, secs: f32) -> Vec<f32> {
        let n = (rate as f32 * secs) as usize;
        (0..n)
            .flat_map(|i| {
                let v = (2.0 * std::f32::consts::PI * 300.0 * i as f32 / rate as f32).sin() * 0.4;
                std::iter::repeat_n(v, usize::from(channels))
            })
            .collect()
    }
}

use std::path::PathBuf;

pub use capture::{
    CaptureOptions, CaptureReport, CaptureSession, InputDevice, SourceKind, StopReason,
};
pub use decode::{DecodedAudio, decode_bytes, decode_file};
pub use pipeline::{Level, Recorder, RecorderReport, VOICED_DBFS, voiced_secs};
pub use resample::MonoResampler;
pub use sealed::{
    AudioKey, SealedAudio, SealedWriter, read_sealed, read_sealed_recovering, sealed_finished,
    sealed_in_use,
};

/// The sample rate everything downstream (whisper) expects.
pub const TARGET_RATE: u32 = 16_000;

/// Errors of audio import, capture and storage, phrased for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "writing", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file has no bytes at all.
    #[error("{0} is empty (0 bytes): nothing to import")]
    Empty(PathBuf),
    /// The file is not a recording in any container Hearth reads.
    #[error(
        "{path} is not an audio recording Hearth can read ({detail}); supported: WAV, MP3, M4A/AAC, FLAC, OGG/Vorbis"
    )]
    NotAudio {
        /// The file.
        path: PathBuf,
        /// What the probe said.
        detail: String,
    },
    /// The container is known but its audio codec is not.
    #[error(
        "{path} uses an audio codec Hearth cannot decode ({codec}); convert it to WAV, MP3, AAC, FLAC or Vorbis first"
    )]
    UnsupportedCodec {
        /// The file.
        path: PathBuf,
        /// The codec, as far as it is known.
        codec: String,
    },
    /// The file ends before its header says it should.
    #[error("{path} is truncated: {detail}; the file is damaged or was still being written")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// How much is missing.
        detail: String,
    },
    /// The file has an audio track but it holds no sound.
    #[error("{0} contains no audio samples")]
    NoSamples(PathBuf),
    /// Decoding failed part-way through.
    #[error("cannot decode {path}: {detail}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The resampler could not be built or failed (an invalid sample rate, e.g. 0 Hz).
    #[error("cannot resample audio: {0}")]
    Resample(String),
    /// An encrypted audio file is not one, or is damaged beyond its last whole chunk.
    #[error("{path} is not a readable Hearth audio file: {reason}")]
    Sealed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The audio key does not open this file (another profile's recording, or tampering).
    #[error(
        "{0} cannot be decrypted with this profile's audio key (wrong profile, or the file was altered)"
    )]
    WrongKey(PathBuf),
    /// Encryption of the audio file failed.
    #[error("audio encryption: {0}")]
    Crypto(String),
    /// No input device of that name.
    #[error(
        "no audio input device named {name:?}; `hearth audio devices` lists them ({available})"
    )]
    NoSuchDevice {
        /// Name asked for.
        name: String,
        /// Names available.
        available: String,
    },
    /// System audio (the other side of a call) cannot be recorded here.
    #[error("cannot record the other side of the call (system audio): {0}")]
    NoSystemAudio(String),
    /// No input device at all.
    #[error("no audio input device is available (is a microphone connected and allowed?)")]
    NoInputDevice,
    /// The audio system refused (host unavailable, device busy, unsupported format, ...).
    #[error("audio device error: {0}")]
    Device(String),
}

/// Result alias for this crate.
pub type Result<T, E = AudioError> = std::result::Result<T, E>;

pub(crate) fn io_err(
    action: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> AudioError {
    let path = path.into();
    move |source| AudioError::Io {
        action,
        path,
        source,
    }
}
