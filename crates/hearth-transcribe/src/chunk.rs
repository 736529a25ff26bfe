//! Cutting long recordings at pauses before whisper sees them.
//!
//! whisper decodes 30-second windows and moves to the next window from the last timestamp it
//! emitted. When that timestamp falls short of the window's end, the speech in between can be
//! skipped: on the benchmark's 60 s clip a whole 20-word passage vanished at the first window
//! boundary. Hearth instead cuts the audio itself into pieces of at most
//! [`MAX_CHUNK_SECS`], at the middle of a pause wherever one exists, and transcribes the
//! pieces one after the other.

use std::ops::Range;

use crate::SAMPLE_RATE;

/// Longest piece handed to whisper (its window is 30 s; the margin keeps the last words
/// inside it).
pub const MAX_CHUNK_SECS: usize = 28;
/// A cut is not made before this much audio (no tiny pieces without context).
const MIN_CHUNK_SECS: usize = 5;
/// Analysis frame.
const FRAME: usize = SAMPLE_RATE as usize * 30 / 1000;
/// A pause is this many quiet frames in a row (300 ms).
const PAUSE_FRAMES: usize = 10;
/// Quiet means below this RMS, or below 3x the recording's noise floor if that is higher
/// (the same rule as the live voice-activity detector's defaults).
const MIN_SPEECH_RMS: f32 = 0.01;
const NOISE_RATIO: f32 = 3.0;

/// Splits `samples` (16 kHz mono) into consecutive ranges covering all of it, each at most
/// [`MAX_CHUNK_SECS`] long, cut at the middle of the latest pause that keeps a piece within
/// the limit (or hard at the limit when someone talks 28 s without a 300 ms pause).
/// Audio of up to [`MAX_CHUNK_SECS`] is one range.
pub fn at_pauses(samples: &[f32]) -> Vec<Range<usize>> {
    let max = MAX_CHUNK_SECS * SAMPLE_RATE as usize;
    let min = MIN_CHUNK_SECS * SAMPLE_RATE as usize;
    let cuts = if samples.len() > max {
        pause_middles(samples)
    } else {
        Vec::new()
    };
    let mut ranges = Vec::new();
    let mut start = 0;
    while samples.len() - start > max {
        let cut = cuts
            .iter()
            .copied()
            .rfind(|c| *c >= start + min && *c <= start + max)
            .unwrap_or(start + max);
        ranges.push(start..cut);
        start = cut;
    }
    ranges.push(start..samples.len());
    ranges
}

/// Sample offsets of the middles of every run of at least [`PAUSE_FRAMES`] quiet frames.
fn pause_middles(samples: &[f32]) -> Vec<usize> {
    let quiet = quiet_frames(samples);
    // Candidate cut points: the middle of every run of at least PAUSE_FRAMES quiet frames.
    let mut cuts = Vec::new();
    let mut run_start = None;
    for (i, q) in quiet.iter().chain(std::iter::once(&false)).enumerate() {
        match (q, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                if i - s >= PAUSE_FRAMES {
                    cuts.push((s + i) / 2 * FRAME);
                }
                run_start = None;
            }
            _ => {}
        }
    }
    cuts
}

/// Whether a piece is digital silence or near it (no 30 ms frame reaches the fixed speech
/// threshold): whisper invents text ("Thank you.") for such pieces, so they are skipped.
pub fn is_silent(samples: &[f32]) -> bool {
    let threshold = MIN_SPEECH_RMS;
    samples.chunks(FRAME).all(|f| rms(f) < threshold)
}

fn rms(frame: &[f32]) -> f32 {
    if frame.is_empty() {
        return 0.0;
    }
    (frame.iter().map(|s| s * s).sum::<f32>() / frame.len() as f32).sqrt()
}

/// Quiet that separates two turns of speech (1 s): shorter pauses stay inside a turn.
const TURN_GAP_FRAMES: usize = 33;
/// A turn with less speech than this is a click or a cough (150 ms).
const MIN_TURN_FRAMES: usize = 5;
/// Audio kept before a turn's first loud frame, so first syllables are not clipped (240 ms).
const TURN_PREROLL_FRAMES: usize = 8;
/// Audio kept after its last loud frame, for trailing consonants (300 ms).
const TURN_HANGOVER_FRAMES: usize = 10;

/// The turns of speech in `samples` (16 kHz mono): runs of speech separated by at least a
/// second of quiet, with a little audio kept either side; a turn over [`MAX_CHUNK_SECS`] is
/// cut at its pauses like [`at_pauses`]. Silence is in no turn. Each stream of a call is
/// transcribed turn by turn: the times of a turn are where the speech is (whisper's own
/// segment times drift across long silences, and it skips or invents words there).
pub fn turns(samples: &[f32]) -> Vec<Range<usize>> {
    let quiet = quiet_frames(samples);
    let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // (first, end, loud frames)
    for (i, q) in quiet.iter().enumerate() {
        if *q {
            continue;
        }
        match runs.last_mut() {
            Some((_, end, loud)) if i - *end < TURN_GAP_FRAMES => {
                *end = i + 1;
                *loud += 1;
            }
            _ => runs.push((i, i + 1, 1)),
        }
    }
    let frames = quiet.len();
    let mut out = Vec::new();
    let mut previous_end = 0;
    for (first, end, loud) in runs {
        if loud < MIN_TURN_FRAMES {
            continue;
        }
        let start = first.saturating_sub(TURN_PREROLL_FRAMES).max(previous_end);
        let end = (end + TURN_HANGOVER_FRAMES).min(frames);
        previous_end = end;
        let range = (start * FRAME)..(end * FRAME).min(samples.len());
        for piece in at_pauses(&samples[range.clone()]) {
            out.push((range.start + piece.start)..(range.start + piece.end));
        }
    }
    out
}

fn quiet_frames(samples: &[f32]) -> Vec<bool> {
    let levels: Vec<f32> = samples.chunks(FRAME).map(rms).collect();
    // Noise floor: the 10th percentile of frame levels — unless the recording has fewer
    // pauses than that, so the threshold never rises above 30 % of the median level.
    let mut sorted = levels.clone();
    sorted.sort_by(f32::total_cmp);
    let at = |q: usize| sorted.get(sorted.len() * q / 100).copied().unwrap_or(0.0);
    let threshold = MIN_SPEECH_RMS.max((at(10) * NOISE_RATIO).min(at(50) * 0.3));
    levels.into_iter().map(|l| l < threshold).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: usize = SAMPLE_RATE as usize;

    fn tone(secs: f32) -> Vec<f32> {
        (0..(secs * SR as f32) as usize)
            .map(|i| 0.3 * (i as f32 * 0.05).sin())
            .collect()
    }

    fn silence(secs: f32) -> Vec<f32> {
        vec![0.0; (secs * SR as f32) as usize]
    }

    #[test]
    fn short_audio_is_one_piece() {
        let a = tone(20.0);
        let r = at_pauses(&a);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0], 0..a.len());
    }

    #[test]
    fn long_audio_is_cut_in_the_middle_of_the_latest_pause() {
        // 10 s talk, 1 s pause, 10 s talk, 1 s pause, 15 s talk: the first cut falls in the
        // second pause (the latest within 28 s), the rest is one piece.
        let mut a = tone(10.0);
        a.extend(silence(1.0));
        a.extend(tone(10.0));
        a.extend(silence(1.0));
        a.extend(tone(15.0));
        let r = at_pauses(&a);
        assert_eq!(r.len(), 2, "{r:?}");
        let cut_secs = r[0].end as f32 / SR as f32;
        assert!((21.3..21.7).contains(&cut_secs), "cut at {cut_secs}");
        assert_eq!(r[1].end, a.len());
        assert_eq!(r[0].end, r[1].start);
    }

    #[test]
    fn talk_without_pauses_is_cut_hard_at_the_limit_and_nothing_is_lost() {
        let a = tone(70.0);
        let r = at_pauses(&a);
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|c| c.len() <= MAX_CHUNK_SECS * SR));
        assert_eq!(r.first().unwrap().start, 0);
        assert_eq!(r.last().unwrap().end, a.len());
        assert!(r.windows(2).all(|w| w[0].end == w[1].start));
    }

    #[test]
    fn turns_are_the_speech_between_long_pauses() {
        // 2 s quiet, 3 s talk with a 0.5 s pause inside, 4 s quiet, a 60 ms click, 3 s
        // quiet, 2 s talk to the end.
        let mut a = silence(2.0);
        a.extend(tone(1.5));
        a.extend(silence(0.5));
        a.extend(tone(1.0));
        a.extend(silence(4.0));
        a.extend(tone(0.06));
        a.extend(silence(3.0));
        a.extend(tone(2.0));
        let t = turns(&a);
        let secs: Vec<(f32, f32)> = t
            .iter()
            .map(|r| (r.start as f32 / SR as f32, r.end as f32 / SR as f32))
            .collect();
        assert_eq!(t.len(), 2, "{secs:?}");
        assert!((1.7..1.8).contains(&secs[0].0), "{secs:?}");
        assert!((5.2..5.4).contains(&secs[0].1), "{secs:?}");
        assert!((11.8..11.85).contains(&secs[1].0), "{secs:?}");
        assert_eq!(t[1].end, a.len());
        assert!(turns(&silence(5.0)).is_empty());
    }

    #[test]
    fn silence_is_recognised_and_noise_raises_the_threshold() {
        assert!(is_silent(&silence(3.0)));
        assert!(!is_silent(&tone(0.5)));
        // Steady room noise well above the fixed threshold still leaves speech-level pauses
        // detectable relative to it.
        let noise: Vec<f32> = (0..SR * 40)
            .map(|i| if (i / 997) % 2 == 0 { 0.02 } else { -0.02 })
            .collect();
        let mut a = noise.clone();
        for (i, s) in tone(12.0).iter().enumerate() {
            a[i] += s;
        }
        for (i, s) in tone(12.0).iter().enumerate() {
            a[SR * 14 + i] += s;
        }
        let r = at_pauses(&a);
        let cut_secs = r[0].end as f32 / SR as f32;
        assert!((12.5..13.5).contains(&cut_secs), "cut at {cut_secs}");
    }
}
