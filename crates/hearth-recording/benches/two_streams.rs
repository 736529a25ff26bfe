//! A video call on two streams at once: how far behind is the live text of each side, what
//! does capture of both cost, and how well is each side transcribed afterwards?
//!
//! An advisor (the microphone) and a client (the system audio) take turns, espeak-ng speech
//! with half-second gaps; without headphones the microphone also hears the client from the
//! speakers, 12 dB down. Both streams are played in real time (100 ms buffers, paced by the
//! wall clock) into two live transcribers and two sealed audio files at once, as
//! `hearth meeting record` does with `--system` (the microphone's live audio through the echo
//! gate). Reports per stream the lag of partial and
//! final text (arrival minus the moment the audio it covers was pushed), the process CPU over
//! the live part, and then the batch transcription of each stream turn by turn (echo gated),
//! its time, and the WER of each side and of the merged transcript.
//!
//! Run: `cargo bench -p hearth-recording --bench two_streams` (needs espeak-ng and sox and the
//! tiny.en model the tests build; `HEARTH_BENCH_MODEL` may name another ggml file).
#![allow(clippy::unwrap_used)]

#[path = "../../hearth-transcribe/tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_audio::{AudioKey, SealedWriter};
use hearth_recording::two_sides::{EchoGate, Speakers, gate_echo, merge};
use hearth_transcribe::live::{LiveEvent, LiveOptions, LiveTranscriber};
use hearth_transcribe::{SAMPLE_RATE, TranscribeOptions, Transcriber, read_wav_16k_mono};

const CLIENT: [&str; 6] = [
    "Good morning. Thanks for fitting us in before the holidays.",
    "We were hoping to retire a little earlier, maybe at sixty two.",
    "That sounds fine, as long as we keep enough in cash for the roof.",
    "I will sign the beneficiary change form and send it back this week.",
    "Eight years still feels like a long time, but we trust the plan.",
    "I will email you the tax return on Friday.",
];

fn summary(name: &str, v: Vec<f64>) {
    common::print_lag_summary(name, 44, v);
}

/// CPU seconds (user + system) this process has used: /proc/self/stat fields 14 and 15.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// Lags of one stream's events: (partial lags, final lags).
fn lags(events: &[(f64, LiveEvent)], pushed_at: &[f64], audio_secs: f64) -> (Vec<f64>, Vec<f64>) {
    let pushed = |ms: u64| -> f64 {
        let idx = (ms as usize).div_ceil(100).saturating_sub(1);
        pushed_at.get(idx).copied().unwrap_or(audio_secs)
    };
    let mut partial = Vec::new();
    let mut finals = Vec::new();
    for (at, e) in events {
        match e {
            LiveEvent::Partial { covered_to_ms, .. } => partial.push(at - pushed(*covered_to_ms)),
            LiveEvent::Final { segments, .. } => {
                if let Some(last) = segments.last() {
                    finals.push(at - pushed(last.end_ms));
                }
            }
            LiveEvent::Progress { .. } => {}
        }
    }
    (partial, finals)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // Two tracks of one length: each side's turns, silence while the other talks.
    let (mut advisor, mut client) = (Vec::new(), Vec::new());
    let gap = SAMPLE_RATE as usize / 2;
    for (i, (mine, theirs)) in common::SENTENCES.iter().zip(CLIENT).enumerate() {
        for (who, text) in [(0, *mine), (1, theirs)] {
            let wav = common::speak(text, dir.path(), &format!("t{i}-{who}"));
            let said = read_wav_16k_mono(&wav).unwrap();
            let (speaker, other) = if who == 0 {
                (&mut advisor, &mut client)
            } else {
                (&mut client, &mut advisor)
            };
            other.extend(std::iter::repeat_n(0.0f32, said.len() + gap));
            speaker.extend(said);
            speaker.extend(std::iter::repeat_n(0.0f32, gap));
        }
    }
    // Without headphones: the microphone hears the client from the speakers, 12 dB down.
    let mic: Vec<f32> = advisor
        .iter()
        .zip(&client)
        .map(|(a, c)| (a + 0.25 * c).clamp(-1.0, 1.0))
        .collect();
    let audio_secs = mic.len() as f64 / f64::from(SAMPLE_RATE);

    let model_path = std::env::var_os("HEARTH_BENCH_MODEL")
        .map(Into::into)
        .unwrap_or_else(common::tiny_en_model);
    let model = Arc::new(Transcriber::load(&model_path).unwrap());
    let key = AudioKey::generate().unwrap();
    // Threads per live transcriber (the recorder gives each the meeting's threads).
    let threads: usize = std::env::var("BENCH_LIVE_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(LiveOptions::default().n_threads);
    let live = [&mic, &client].map(|_| {
        let options = LiveOptions {
            n_threads: threads,
            ..LiveOptions::default()
        };
        LiveTranscriber::start(Arc::clone(&model), options).unwrap()
    });
    let mut writers = ["mic", "system"].map(|name| {
        SealedWriter::create(
            &dir.path().join(format!("{name}.hca")),
            &key,
            SAMPLE_RATE,
            1.0,
        )
        .unwrap()
    });

    let mut gate = EchoGate::default();
    let buffer = SAMPLE_RATE as usize / 10;
    let cpu_before = cpu_secs();
    let start = Instant::now();
    let mut pushed_at = Vec::new();
    let mut events: [Vec<(f64, LiveEvent)>; 2] = [Vec::new(), Vec::new()];
    for (i, (a, b)) in mic.chunks(buffer).zip(client.chunks(buffer)).enumerate() {
        let due = start + Duration::from_millis(100 * i as u64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        // As the recorder does: the system audio to its live transcript and the echo gate,
        // the microphone through the gate.
        for (side, piece) in [a, b].into_iter().enumerate() {
            writers[side].append(piece).unwrap();
        }
        live[1].push(b.to_vec());
        let released = [gate.push_mic(a), gate.push_system(b)].concat();
        if !released.is_empty() {
            live[0].push(released);
        }
        pushed_at.push(start.elapsed().as_secs_f64());
        for (side, l) in live.iter().enumerate() {
            events[side].extend(
                l.events()
                    .try_iter()
                    .map(|e| (start.elapsed().as_secs_f64(), e)),
            );
        }
    }
    for w in writers {
        w.finish().unwrap();
    }
    live[0].push(gate.finish());
    let played = start.elapsed().as_secs_f64();
    let cpu_live = cpu_secs() - cpu_before;
    for (side, l) in live.into_iter().enumerate() {
        let (result, rest) = l.finish();
        let at = start.elapsed().as_secs_f64();
        events[side].extend(rest.try_iter().map(|e| (at, e)));
        result.unwrap();
    }

    println!(
        "two streams, {audio_secs:.1} s each played in real time, {} threads per live transcriber, model {}",
        threads,
        model_path.display()
    );
    for (side, name) in ["microphone (advisor)", "system (client)"]
        .iter()
        .enumerate()
    {
        let (partial, finals) = lags(&events[side], &pushed_at, audio_secs);
        summary(&format!("{name}: partial text lag"), partial);
        summary(&format!("{name}: final text lag"), finals);
    }
    println!(
        "CPU while recording both live: {cpu_live:.1} s over {played:.1} s = {:.0} % of one core ({:.0} % of the machine's {} cores)",
        cpu_live / played * 100.0,
        cpu_live / played * 100.0
            / std::thread::available_parallelism().map_or(1, |n| n.get()) as f64,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // After the meeting: each stream turn by turn (the microphone with the echo gated), merged.
    let options = TranscribeOptions::default();
    let t = Instant::now();
    let (heard, gated_secs) = gate_echo(&mic, &client);
    let mine = model.transcribe_turns(&heard, &options).unwrap();
    let mic_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let theirs = model.transcribe_turns(&client, &options).unwrap();
    let system_secs = t.elapsed().as_secs_f64();
    let speakers = Speakers::for_meeting("Advisor", &["Client".to_string()]);
    let (merged, echoes) = merge(&mine, &theirs, &speakers);
    let text = |segments: &[hearth_transcribe::Segment]| {
        common::normalize(
            &segments
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    let wer_mic = common::wer(
        &common::normalize(&common::SENTENCES.join(" ")),
        &text(&mine),
    );
    let wer_system = common::wer(&common::normalize(&CLIENT.join(" ")), &text(&theirs));
    let spoken: Vec<&str> = common::SENTENCES
        .iter()
        .zip(CLIENT)
        .flat_map(|(a, c)| [*a, c])
        .collect();
    let merged_text = common::normalize(
        &merged
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    let wer_merged = common::wer(&common::normalize(&spoken.join(" ")), &merged_text);
    println!(
        "batch after the meeting: microphone {mic_secs:.2} s ({gated_secs:.1} s of echo gated), system {system_secs:.2} s, for {audio_secs:.1} s each"
    );
    println!(
        "WER microphone {:.1} %, system {:.1} %, merged {:.1} % ({} echo segments dropped)",
        wer_mic * 100.0,
        wer_system * 100.0,
        wer_merged * 100.0,
        echoes
    );
}
