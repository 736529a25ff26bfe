//! Builds the labelled corpus's recognised-speech split (`asr`): each chosen meeting is spoken
//! by espeak-ng, one voice per speaker, and transcribed back by whisper on this machine,
//! segment by segment, with the speaker labels removed — a room recording with one
//! microphone, with real recognition errors. The labels stay: action items (what, owner,
//! due), greetings, and facts and flags by segment (their quotes are no longer verbatim, so
//! the corpus test matches those by segment).
//!
//! Run (from the repository root, with the tiny.en model the tests build):
//! `cargo run --release -p hearth-recording --example asr_corpus -- MODEL tests/fixtures/meetings h27 h28 …`
//! Writes `tests/fixtures/meetings/asr/a-<id>.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hearth_transcribe::{TranscribeOptions, Transcriber, read_wav_16k_mono};
use serde_json::Value;

/// espeak-ng voices: the advisor first, then one per other speaker.
const VOICES: [&str; 5] = ["en-us", "en-gb+f3", "en-us+m3", "en-gb-x-rp+f4", "en-us+m7"];

fn speak(text: &str, voice: &str, dir: &Path) -> Vec<f32> {
    let raw = dir.join("raw.wav");
    let out = dir.join("seg.wav");
    let st = Command::new("espeak-ng")
        .args(["-v", voice, "-s", "165", "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .expect("run espeak-ng");
    assert!(st.success(), "espeak-ng failed on {text:?}");
    let st = Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&out)
        .status()
        .expect("run sox");
    assert!(st.success(), "sox failed");
    read_wav_16k_mono(&out).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, dir, ids @ ..] = args.as_slice() else {
        eprintln!("usage: asr_corpus MODEL FIXTURE_DIR ID...");
        std::process::exit(2);
    };
    let model = Transcriber::load(Path::new(model)).unwrap();
    let dir = PathBuf::from(dir);
    let out_dir = dir.join("asr");
    std::fs::create_dir_all(&out_dir).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for id in ids {
        let path = files
            .iter()
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{id}-")))
            })
            .unwrap_or_else(|| panic!("no fixture {id}"));
        let mut fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let advisor_first = fixture["advisor_name"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        let mut speakers: Vec<String> = vec![advisor_first];
        let mut at_ms = 0u64;
        let started = std::time::Instant::now();
        let segments = fixture["segments"].as_array_mut().unwrap();
        for seg in segments.iter_mut() {
            let speaker = seg["speaker"].as_str().unwrap_or("?").to_string();
            let voice_index = match speakers.iter().position(|s| *s == speaker) {
                Some(i) => i,
                None => {
                    speakers.push(speaker.clone());
                    speakers.len() - 1
                }
            };
            let text = seg["text"].as_str().unwrap().to_string();
            let audio = speak(&text, VOICES[voice_index % VOICES.len()], scratch.path());
            let heard = model
                .transcribe(&audio, &TranscribeOptions::default())
                .unwrap()
                .into_iter()
                .map(|s| s.text)
                .collect::<Vec<_>>()
                .join(" ");
            let len_ms = audio.len() as u64 * 1000 / 16_000;
            seg["start_ms"] = at_ms.into();
            seg["end_ms"] = (at_ms + len_ms).into();
            seg["text"] = heard.trim().into();
            seg["speaker"] = Value::Null;
            at_ms += len_ms + 400;
        }
        let original = fixture["id"].as_str().unwrap().to_string();
        fixture["id"] = format!("a-{original}").into();
        fixture["split"] = "asr".into();
        fixture["description"] = format!(
            "{original} spoken by espeak-ng ({} voices) and transcribed by whisper tiny.en segment by segment; no speaker labels. {}",
            speakers.len(),
            fixture["description"].as_str().unwrap_or_default()
        )
        .into();
        let out = out_dir.join(format!("a-{original}.json"));
        std::fs::write(&out, serde_json::to_string_pretty(&fixture).unwrap() + "\n").unwrap();
        eprintln!(
            "{} ({:.0} s of speech) in {:.0} s",
            out.display(),
            at_ms as f64 / 1000.0,
            started.elapsed().as_secs_f64()
        );
    }
}
