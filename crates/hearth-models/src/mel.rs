//! Mel filterbank as `librosa.filters.mel(sr, n_fft, n_mels)` computes it with its
//! defaults (`htk=False` i.e. the Slaney mel scale, `norm="slaney"`, `fmin=0`,
//! `fmax=sr/2`). Whisper's `mel_filters.npz` is exactly this for sr=16000, n_fft=400,
//! n_mels=80 (agreement to 2e-9), so the converter computes it instead of shipping it.

/// Slaney Hz to mel: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
pub fn hz_to_mel(hz: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= min_log_hz {
        min_log_mel + (hz / min_log_hz).ln() / logstep
    } else {
        hz / f_sp
    }
}

/// Slaney mel to Hz, the inverse of [`hz_to_mel`].
pub fn mel_to_hz(mel: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        min_log_hz * (logstep * (mel - min_log_mel)).exp()
    } else {
        f_sp * mel
    }
}

/// The filterbank, `n_mels` rows of `n_fft / 2 + 1` weights, row-major.
pub fn mel_filters(sample_rate: f64, n_fft: usize, n_mels: usize) -> Vec<Vec<f32>> {
    let n_bins = n_fft / 2 + 1;
    let fft_freqs: Vec<f64> = (0..n_bins)
        .map(|k| k as f64 * sample_rate / n_fft as f64)
        .collect();
    let min_mel = hz_to_mel(0.0);
    let max_mel = hz_to_mel(sample_rate / 2.0);
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(min_mel + (max_mel - min_mel) * i as f64 / (n_mels + 1) as f64))
        .collect();
    (0..n_mels)
        .map(|i| {
            let fdiff_lo = mel_f[i + 1] - mel_f[i];
            let fdiff_hi = mel_f[i + 2] - mel_f[i + 1];
            let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
            fft_freqs
                .iter()
                .map(|&f| {
                    let lower = (f - mel_f[i]) / fdiff_lo;
                    let upper = (mel_f[i + 2] - f) / fdiff_hi;
                    (lower.min(upper).max(0.0) * enorm) as f32
                })
                .collect()
        })
        .collect()
}

/// Whisper's filterbank: 80 mels over 201 FFT bins at 16 kHz.
pub fn whisper_mel_filters() -> Vec<Vec<f32>> {
    mel_filters(16_000.0, 400, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_known_values() {
        let m = whisper_mel_filters();
        assert_eq!(m.len(), 80);
        assert!(m.iter().all(|r| r.len() == 201));
        assert!(m.iter().flatten().all(|v| *v >= 0.0 && v.is_finite()));
        // Worked by hand: mel spacing 45.245/81 mel = 37.24 Hz below 1 kHz; bin 1 is 40 Hz;
        // weight min((40-0)/37.24, (74.48-40)/37.24) * 2/74.48 = 0.0248626 (librosa / whisper
        // mel_filters.npz: 0.02486259).
        assert!((m[0][1] - 0.024_862_59).abs() < 1e-7, "{}", m[0][1]);
        assert_eq!(m[0][0], 0.0);
        assert_eq!(m[0][3], 0.0);
        // Every filter has support, and the last reaches into the top bins.
        assert!(m.iter().all(|r| r.iter().any(|v| *v > 0.0)));
        assert!(m[79][199] > 0.0);
        // Slaney area normalisation: weight * bandwidth is constant per filter (sum ≈ 2/Δ·…);
        // check peaks decrease as filters widen above 1 kHz.
        let peak = |r: &Vec<f32>| r.iter().cloned().fold(0.0f32, f32::max);
        assert!(peak(&m[79]) < peak(&m[40]) && peak(&m[40]) < peak(&m[10]));
    }

    #[test]
    fn mel_scale_round_trips() {
        for hz in [0.0, 100.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
    }
}
