//! Streaming downmix + resample to 16 kHz mono.

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, FixedAsync, Indexing, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use crate::{AudioError, Result, TARGET_RATE};

/// Frames the sinc resampler takes per call.
const CHUNK: usize = 1024;

/// Turns interleaved frames of any channel count and rate into 16 kHz mono, in pieces of
/// any size. Channels are averaged; the rate is converted with a windowed-sinc resampler
/// (rubato), whose delay is trimmed so output sample `n` lines up with input time
/// `n / 16 000 s`. At 16 kHz input the samples pass through untouched.
pub struct MonoResampler {
    rate: u32,
    channels: u16,
    inner: Option<Async<f32>>,
    /// Mono input waiting for a full resampler chunk.
    pending: Vec<f32>,
    in_frames: u64,
    out_frames: u64,
    /// Leading output frames still to drop (the resampler's delay).
    to_trim: usize,
    out_buf: Vec<f32>,
}

impl std::fmt::Debug for MonoResampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonoResampler")
            .field("rate", &self.rate)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl MonoResampler {
    /// A resampler from `rate` Hz with `channels` interleaved channels.
    pub fn new(rate: u32, channels: u16) -> Result<Self> {
        if rate == 0 || channels == 0 {
            return Err(AudioError::Resample(format!(
                "invalid input format: {rate} Hz, {channels} channel(s)"
            )));
        }
        let inner = if rate == TARGET_RATE {
            None
        } else {
            let params = SincInterpolationParameters {
                sinc_len: 128,
                f_cutoff: 0.925,
                interpolation: SincInterpolationType::Linear,
                oversampling_factor: 128,
                window: WindowFunction::BlackmanHarris2,
            };
            let ratio = f64::from(TARGET_RATE) / f64::from(rate);
            Some(
                Async::<f32>::new_sinc(ratio, 1.0, &params, CHUNK, 1, FixedAsync::Input)
                    .map_err(|e| AudioError::Resample(e.to_string()))?,
            )
        };
        let to_trim = inner.as_ref().map_or(0, |r| r.output_delay());
        let out_len = inner.as_ref().map_or(0, |r| r.output_frames_max());
        Ok(Self {
            rate,
            channels,
            inner,
            pending: Vec::new(),
            in_frames: 0,
            out_frames: 0,
            to_trim,
            out_buf: vec![0.0; out_len],
        })
    }

    /// Input sample rate.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Input channel count.
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// Feeds interleaved samples (a trailing partial frame is ignored) and appends the 16 kHz
    /// mono output available so far to `out`.
    pub fn push(&mut self, interleaved: &[f32], out: &mut Vec<f32>) -> Result<()> {
        let ch = usize::from(self.channels);
        let frames = interleaved.len() / ch;
        self.in_frames += frames as u64;
        let scale = 1.0 / ch as f32;
        let mono = interleaved
            .chunks_exact(ch)
            .map(|f| f.iter().sum::<f32>() * scale);
        if self.inner.is_none() {
            let before = out.len();
            out.extend(mono);
            self.out_frames += (out.len() - before) as u64;
            return Ok(());
        }
        self.pending.extend(mono);
        let mut start = 0;
        while self.pending.len() - start >= CHUNK {
            self.run(start, None, out)?;
            start += CHUNK;
        }
        self.pending.drain(..start);
        Ok(())
    }

    /// Flushes what is buffered (end of stream or a format change) so the output covers
    /// exactly the input's duration.
    pub fn finish(&mut self, out: &mut Vec<f32>) -> Result<()> {
        if self.inner.is_none() {
            return Ok(());
        }
        let expected =
            (self.in_frames as f64 * f64::from(TARGET_RATE) / f64::from(self.rate)).round() as u64;
        let before = out.len();
        if !self.pending.is_empty() {
            let len = self.pending.len();
            self.pending.resize(CHUNK, 0.0);
            self.run(0, Some(len), out)?;
            self.pending.clear();
        }
        // Pump silence through until the delay line has released the real signal.
        self.pending.resize(CHUNK, 0.0);
        let mut guard = 0;
        while self.out_frames < expected && guard < 64 {
            self.run(0, Some(0), out)?;
            guard += 1;
        }
        self.pending.clear();
        if self.out_frames > expected {
            let extra = (self.out_frames - expected) as usize;
            let keep = out.len().saturating_sub(extra).max(before);
            out.truncate(keep);
            self.out_frames = expected;
        }
        Ok(())
    }

    fn run(&mut self, start: usize, partial: Option<usize>, out: &mut Vec<f32>) -> Result<()> {
        let Some(inner) = self.inner.as_mut() else {
            return Ok(());
        };
        let input = InterleavedSlice::new(&self.pending[start..start + CHUNK], 1, CHUNK)
            .map_err(|e| AudioError::Resample(e.to_string()))?;
        let out_len = self.out_buf.len();
        let mut output = InterleavedSlice::new_mut(&mut self.out_buf, 1, out_len)
            .map_err(|e| AudioError::Resample(e.to_string()))?;
        let indexing = Indexing {
            input_offset: 0,
            output_offset: 0,
            partial_len: partial,
            active_channels_mask: None,
        };
        let (_, produced) = inner
            .process_into_buffer(&input, &mut output, Some(&indexing))
            .map_err(|e| AudioError::Resample(e.to_string()))?;
        let skip = self.to_trim.min(produced);
        self.to_trim -= skip;
        out.extend_from_slice(&self.out_buf[skip..produced]);
        self.out_frames += (produced - skip) as u64;
        Ok(())
    }
}

/// Resamples a whole interleaved buffer to 16 kHz mono in one call.
pub fn to_16k_mono(interleaved: &[f32], rate: u32, channels: u16) -> Result<Vec<f32>> {
    let mut r = MonoResampler::new(rate, channels)?;
    let mut out = Vec::with_capacity(
        (interleaved.len() as f64 / f64::from(channels.max(1)) * f64::from(TARGET_RATE)
            / f64::from(rate.max(1))) as usize
            + CHUNK,
    );
    r.push(interleaved, &mut out)?;
    r.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, secs: f32, channels: u16) -> Vec<f32> {
        let n = (rate as f32 * secs) as usize;
        (0..n)
            .flat_map(|i| {
                let v = (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5;
                std::iter::repeat_n(v, usize::from(channels))
            })
            .collect()
    }

    /// Correlation of `x` with a 16 kHz sine of `freq` Hz (amplitude estimate).
    fn amplitude_at(x: &[f32], freq: f32) -> f32 {
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for (i, v) in x.iter().enumerate() {
            let ph = 2.0 * std::f64::consts::PI * f64::from(freq) * i as f64 / 16_000.0;
            s += f64::from(*v) * ph.sin();
            c += f64::from(*v) * ph.cos();
        }
        (2.0 * (s * s + c * c).sqrt() / x.len() as f64) as f32
    }

    #[test]
    fn resamples_48k_stereo_keeping_length_and_tone() {
        let input = sine(440.0, 48_000, 2.0, 2);
        // Push in odd-sized pieces, as a device would deliver them.
        let mut r = MonoResampler::new(48_000, 2).unwrap();
        let mut out = Vec::new();
        for piece in input.chunks(2 * 441) {
            r.push(piece, &mut out).unwrap();
        }
        r.finish(&mut out).unwrap();
        assert_eq!(out.len(), 32_000);
        let amp = amplitude_at(&out[1000..31_000], 440.0);
        assert!((amp - 0.5).abs() < 0.02, "440 Hz amplitude {amp}");
        // The phase lines up: the resampler's delay is trimmed to within one output sample
        // (a one-sample shift of this tone would deviate by 0.086).
        let reference = sine(440.0, 16_000, 2.0, 1);
        let err: f32 = out[2000..30_000]
            .iter()
            .zip(&reference[2000..30_000])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.08, "max deviation from the ideal 16 kHz tone {err}");
    }

    #[test]
    fn removes_content_above_the_new_nyquist() {
        // 10 kHz cannot exist at 16 kHz: it must be filtered, not aliased to 6 kHz.
        let out = to_16k_mono(&sine(10_000.0, 44_100, 1.0, 1), 44_100, 1).unwrap();
        assert_eq!(out.len(), 16_000);
        let alias = amplitude_at(&out[1000..15_000], 6_000.0);
        assert!(alias < 0.01, "aliased energy {alias}");
    }

    #[test]
    fn passthrough_and_downmix_at_16k() {
        let out = to_16k_mono(&[0.2, 0.4, -0.2, -0.4, 1.0, 0.0], 16_000, 2).unwrap();
        assert_eq!(out, vec![0.3, -0.3, 0.5]);
        assert!(MonoResampler::new(0, 1).is_err());
        assert!(MonoResampler::new(16_000, 0).is_err());
    }
}
