//! Live mode: how long after speech does partial text appear, while the machine records?
//!
//! Plays espeak-ng speech (six sentences with pauses, ~40 s) into the live transcriber in
//! real time (100 ms buffers, paced by the wall clock) while the same buffers are written to an
//! encrypted audio file, as `hearth meeting record` does. For every partial and final it
//! records the lag: wall time when the text arrived minus wall time when the last audio it
//! covers had been pushed. Prints p50/p95/max for partials and finals, and the delay from the
//! onset of each utterance to its first text.
//!
//! Run: `cargo bench -p hearth-transcribe --bench live_lag` (needs espeak-ng and sox, and the
//! tiny.en model the tests build; `HEARTH_BENCH_MODEL` may name another ggml file).
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_audio::{AudioKey, SealedWriter};
use hearth_transcribe::live::{LiveEvent, LiveOptions, LiveTranscriber};
use hearth_transcribe::{SAMPLE_RATE, Transcriber, read_wav_16k_mono};

fn summary(name: &str, v: Vec<f64>) {
    common::print_lag_summary(name, 34, v);
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut audio = Vec::new();
    for (i, s) in common::SENTENCES.iter().enumerate() {
        let wav = common::speak(s, dir.path(), &format!("s{i}"));
        audio.extend(read_wav_16k_mono(&wav).unwrap());
        audio.extend(std::iter::repeat_n(0.0f32, SAMPLE_RATE as usize * 3 / 2));
    }
    let model_path = std::env::var_os("HEARTH_BENCH_MODEL")
        .map(Into::into)
        .unwrap_or_else(common::tiny_en_model);
    let model = Arc::new(Transcriber::load(&model_path).unwrap());
    let live = LiveTranscriber::start(Arc::clone(&model), LiveOptions::default()).unwrap();
    let key = AudioKey::generate().unwrap();
    let mut writer =
        SealedWriter::create(&dir.path().join("meeting.audio"), &key, SAMPLE_RATE, 1.0).unwrap();

    // pushed_at[i]: when the 100 ms buffer i (audio up to (i+1)*100 ms) had been pushed.
    let buffer = SAMPLE_RATE as usize / 10;
    let start = Instant::now();
    let mut pushed_at = Vec::new();
    let mut events = Vec::new();
    for (i, piece) in audio.chunks(buffer).enumerate() {
        let due = start + Duration::from_millis(100 * i as u64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        writer.append(piece).unwrap();
        live.push(piece.to_vec());
        pushed_at.push(start.elapsed().as_secs_f64());
        events.extend(
            live.events()
                .try_iter()
                .map(|e| (start.elapsed().as_secs_f64(), e)),
        );
    }
    writer.finish().unwrap();
    let (finals, rest) = live.finish();
    let finished = start.elapsed().as_secs_f64();
    events.extend(rest.try_iter().map(|e| (finished, e)));
    finals.unwrap();

    // Events drained after the loop all carry `finished` as arrival time, which overstates
    // their lag; they are the last utterance's final (no audio follows it).
    let audio_secs = audio.len() as f64 / f64::from(SAMPLE_RATE);
    let pushed = |ms: u64| -> f64 {
        let idx = (ms as usize).div_ceil(100).saturating_sub(1);
        pushed_at.get(idx).copied().unwrap_or(audio_secs)
    };
    let mut partial_lag = Vec::new();
    let mut final_lag = Vec::new();
    let mut first_text: std::collections::BTreeMap<u64, f64> = Default::default();
    let mut onset: std::collections::BTreeMap<u64, u64> = Default::default();
    for (at, e) in &events {
        match e {
            LiveEvent::Partial {
                utterance,
                start_ms,
                covered_to_ms,
                ..
            } => {
                partial_lag.push(at - pushed(*covered_to_ms));
                onset.entry(*utterance).or_insert(*start_ms);
                first_text.entry(*utterance).or_insert(*at);
            }
            LiveEvent::Final {
                utterance,
                segments,
            } => {
                if let (Some(first), Some(last)) = (segments.first(), segments.last()) {
                    final_lag.push(at - pushed(last.end_ms));
                    onset.entry(*utterance).or_insert(first.start_ms);
                    first_text.entry(*utterance).or_insert(*at);
                }
            }
            LiveEvent::Progress { .. } => {}
        }
    }
    let onset_to_text: Vec<f64> = first_text
        .iter()
        .filter_map(|(u, at)| onset.get(u).map(|ms| at - pushed(*ms)))
        .collect();
    println!(
        "live mode, {audio_secs:.1} s of speech played in real time, {} threads, model {}",
        LiveOptions::default().n_threads,
        model_path.display()
    );
    summary("partial text lag (arrival − audio)", partial_lag);
    summary("final text lag (arrival − audio end)", final_lag);
    summary("utterance onset → first text", onset_to_text);
}
