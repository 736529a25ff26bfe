//! The recording pipeline without any audio I/O: captured buffers in, a sealed file, level
//! readings and 16 kHz samples for live transcription out.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use crate::resample::MonoResampler;
use crate::sealed::SealedWriter;
use crate::{Result, TARGET_RATE};

/// Loudness of one captured buffer, for a level meter.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Level {
    /// Root mean square, 0..1 (full scale = 1).
    pub rms: f32,
    /// Largest absolute sample, 0..1.
    pub peak: f32,
}

impl Level {
    /// Measures interleaved samples (all channels together).
    pub fn measure(samples: &[f32]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        let (mut sum, mut peak) = (0.0f64, 0.0f32);
        for s in samples {
            sum += f64::from(*s) * f64::from(*s);
            peak = peak.max(s.abs());
        }
        Self {
            rms: (sum / samples.len() as f64).sqrt() as f32,
            peak: peak.min(1.0),
        }
    }

    /// RMS in dBFS (−∞ for silence, clamped to −120).
    pub fn rms_dbfs(&self) -> f32 {
        (20.0 * self.rms.max(1e-6).log10()).max(-120.0)
    }
}

/// What a finished recording holds.
#[derive(Debug, Clone, PartialEq)]
pub struct RecorderReport {
    /// The sealed file.
    pub path: PathBuf,
    /// 16 kHz samples written.
    pub samples: u64,
    /// Times the input's sample rate or channel count changed mid-recording.
    pub format_changes: u32,
}

/// A buffer whose RMS is above this is sound, not silence or a noise floor.
pub const VOICED_DBFS: f32 = -50.0;

/// Seconds of 16 kHz mono `samples` louder than [`VOICED_DBFS`], measured in 100 ms frames:
/// next to nothing means nobody was heard (a muted microphone, a system stream from the
/// wrong output device). Taken from the sealed audio, so a recovered recording is judged the
/// same way.
pub fn voiced_secs(samples: &[f32]) -> f64 {
    let frame = TARGET_RATE as usize / 10;
    samples
        .chunks(frame)
        .filter(|f| Level::measure(f).rms_dbfs() > VOICED_DBFS)
        .map(|f| f.len() as f64 / f64::from(TARGET_RATE))
        .sum()
}

impl RecorderReport {
    /// Duration in seconds.
    pub fn secs(&self) -> f64 {
        self.samples as f64 / f64::from(TARGET_RATE)
    }
}

/// Where a recorder hands 16 kHz audio for live transcription.
type LiveSink = Box<dyn FnMut(&[f32]) -> bool + Send>;

/// Feeds captured audio (any rate and channel count, changing at will) through the
/// resampler into a [`SealedWriter`], reporting levels and forwarding 16 kHz mono samples
/// to an optional live consumer. No audio hardware involved: the capture front end, a
/// file import or a test all push buffers the same way.
pub struct Recorder {
    writer: SealedWriter,
    resampler: Option<MonoResampler>,
    live: Option<LiveSink>,
    on_level: Option<Box<dyn FnMut(Level) + Send>>,
    samples: u64,
    format_changes: u32,
    input_secs: f64,
    scratch: Vec<f32>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("writer", &self.writer)
            .field("samples", &self.samples)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder writing into `writer` (a 16 kHz sealed file).
    pub fn new(writer: SealedWriter) -> Self {
        Self {
            writer,
            resampler: None,
            live: None,
            on_level: None,
            samples: 0,
            format_changes: 0,
            input_secs: 0.0,
            scratch: Vec::new(),
        }
    }

    /// Also sends every piece of 16 kHz mono audio to `tx` (live transcription). A closed
    /// receiver just stops the forwarding; recording goes on.
    pub fn with_live(self, tx: Sender<Vec<f32>>) -> Self {
        self.with_live_fn(move |samples| tx.send(samples.to_vec()).is_ok())
    }

    /// Also hands every piece of 16 kHz mono audio to `sink` (e.g. an echo gate in front of
    /// live transcription); once it returns `false` it is not called again.
    pub fn with_live_fn(mut self, sink: impl FnMut(&[f32]) -> bool + Send + 'static) -> Self {
        self.live = Some(Box::new(sink));
        self
    }

    /// Calls `f` with the level of every pushed buffer (a level meter).
    pub fn with_level(mut self, f: impl FnMut(Level) + Send + 'static) -> Self {
        self.on_level = Some(Box::new(f));
        self
    }

    /// Seconds of 16 kHz audio produced so far.
    pub fn captured_secs(&self) -> f64 {
        self.samples as f64 / f64::from(TARGET_RATE)
    }

    /// Seconds of captured audio pushed so far: what the resampler was given, ahead of
    /// [`Self::captured_secs`] by its latency (the rest comes out at [`Self::finish`]).
    pub fn input_secs(&self) -> f64 {
        self.input_secs
    }

    /// Seconds already sealed on disk (what a crash now would keep).
    pub fn durable_secs(&self) -> f64 {
        self.writer.durable_samples() as f64 / f64::from(TARGET_RATE)
    }

    /// Pushes one captured buffer of interleaved samples. A new rate or channel count
    /// (a Bluetooth headset switching profiles, a reopened device) flushes the old
    /// resampler and continues seamlessly with a new one.
    pub fn push(&mut self, interleaved: &[f32], channels: u16, rate: u32) -> Result<Level> {
        let level = Level::measure(interleaved);
        if channels > 0 && rate > 0 {
            self.input_secs += interleaved.len() as f64 / f64::from(channels) / f64::from(rate);
        }
        if let Some(f) = self.on_level.as_mut() {
            f(level);
        }
        self.scratch.clear();
        let changed = self
            .resampler
            .as_ref()
            .is_some_and(|r| r.rate() != rate || r.channels() != channels);
        if changed {
            if let Some(mut old) = self.resampler.take() {
                old.finish(&mut self.scratch)?;
            }
            self.format_changes += 1;
            tracing::info!(rate, channels, "capture format changed; resampler rebuilt");
        }
        if self.resampler.is_none() {
            self.resampler = Some(MonoResampler::new(rate, channels)?);
        }
        if let Some(r) = self.resampler.as_mut() {
            r.push(interleaved, &mut self.scratch)?;
        }
        self.emit()?;
        Ok(level)
    }

    /// Pushes `secs` of silence, in the input's current format (straight at 16 kHz before
    /// the first buffer). A loopback delivers nothing while nothing plays; the gap is filled
    /// so the stream keeps time with the microphone's.
    pub fn push_silence(&mut self, secs: f64) -> Result<()> {
        match self.resampler.as_ref().map(|r| (r.rate(), r.channels())) {
            Some((rate, channels)) => {
                let frames = (secs * f64::from(rate)).round() as usize;
                let zeros = vec![0.0; frames * usize::from(channels)];
                self.push(&zeros, channels, rate).map(|_| ())
            }
            None => {
                if let Some(f) = self.on_level.as_mut() {
                    f(Level::default());
                }
                let samples = (secs * f64::from(TARGET_RATE)).round() as usize;
                self.input_secs += samples as f64 / f64::from(TARGET_RATE);
                self.scratch.clear();
                self.scratch.resize(samples, 0.0);
                self.emit()
            }
        }
    }

    fn emit(&mut self) -> Result<()> {
        if self.scratch.is_empty() {
            return Ok(());
        }
        self.writer.append(&self.scratch)?;
        self.samples += self.scratch.len() as u64;
        if let Some(sink) = self.live.as_mut()
            && !sink(&self.scratch)
        {
            self.live = None;
        }
        Ok(())
    }

    /// Flushes the resampler, seals the final chunk and fsyncs.
    pub fn finish(mut self) -> Result<RecorderReport> {
        self.scratch.clear();
        if let Some(mut r) = self.resampler.take() {
            r.finish(&mut self.scratch)?;
        }
        self.emit()?;
        let path = self.writer.path().to_path_buf();
        let samples = self.writer.finish()?;
        Ok(RecorderReport {
            path,
            samples,
            format_changes: self.format_changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sealed::{AudioKey, read_sealed};
    use crate::test_signal::tone;

    #[test]
    fn rate_changes_mid_recording_keep_time_and_audio() {
        let dir = tempfile::tempdir().unwrap();
        let key = AudioKey::generate().unwrap();
        let path = dir.path().join("r.hca");
        let writer = SealedWriter::create(&path, &key, TARGET_RATE, 1.0).unwrap();
        let levels = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&levels);
        let (tx, rx) = std::sync::mpsc::channel();
        let mut rec = Recorder::new(writer)
            .with_live(tx)
            .with_level(move |l| seen.lock().unwrap().push(l));
        // 2 s at 48 kHz stereo, then the headset drops to 8 kHz mono (HFP), then 44.1 kHz.
        for piece in tone(48_000, 2, 2.0).chunks(960) {
            rec.push(piece, 2, 48_000).unwrap();
        }
        for piece in tone(8_000, 1, 1.5).chunks(160) {
            rec.push(piece, 1, 8_000).unwrap();
        }
        for piece in tone(44_100, 1, 1.0).chunks(441) {
            rec.push(piece, 1, 44_100).unwrap();
        }
        let report = rec.finish().unwrap();
        assert_eq!(report.format_changes, 2);
        assert_eq!(report.samples, 72_000, "4.5 s at 16 kHz");
        let live: usize = rx.try_iter().map(|v| v.len()).sum();
        assert_eq!(live, 72_000, "the live consumer saw every sample");
        let sealed = read_sealed(&path, &key).unwrap();
        assert!(sealed.complete);
        assert_eq!(sealed.samples.len(), 72_000);
        let rms = Level::measure(&sealed.samples[1000..70_000]).rms;
        assert!((rms - 0.4 / 2f32.sqrt()).abs() < 0.02, "rms {rms}");
        let levels = levels.lock().unwrap();
        assert!(levels.iter().all(|l| (l.peak - 0.4).abs() < 0.01));
        assert!((levels[0].rms_dbfs() - -10.97).abs() < 0.2);
    }
}
