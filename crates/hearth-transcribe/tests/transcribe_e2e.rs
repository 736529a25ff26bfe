//! End to end: tiny.en converted from PyPI by hearth-models, espeak-ng speech,
//! whisper.cpp transcription, WER bound; plus error paths.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Instant;

use hearth_transcribe::{
    TranscribeError, TranscribeOptions, Transcriber, read_wav_16k_mono, to_vtt,
};

const SCRIPT: &str = "Good morning Susan, thanks for coming in today. \
Let's review your retirement plan before we talk about the house. \
Your portfolio returned six percent last year, which is in line with our expectations. \
I recommend increasing your monthly contribution to the retirement account. \
We should also rebalance toward bonds, since you plan to retire in eight years. \
Please bring your latest tax return to our next meeting.";

#[test]
fn normalizer_and_wer() {
    let r = common::normalize("It's 6% of $401, OK?");
    assert_eq!(
        r,
        [
            "its", "six", "percent", "of", "four", "hundred", "one", "dollars", "ok"
        ]
    );
    let a = common::normalize("the cat sat");
    let b = common::normalize("the bat sat down");
    assert!((common::wer(&a, &b) - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(common::wer(&a, &a), 0.0);
}

#[test]
fn transcribes_espeak_meeting_with_low_wer() {
    let model = common::tiny_en_model();
    let tmp = tempfile::tempdir().unwrap();
    let wav = common::speak(SCRIPT, tmp.path(), "meeting");
    let samples = read_wav_16k_mono(&wav).unwrap();
    // espeak-ng's own output is 22.05 kHz: the reader refuses it instead of mis-timing.
    let e = read_wav_16k_mono(&tmp.path().join("meeting-raw.wav")).unwrap_err();
    assert!(e.to_string().contains("16 kHz"), "{e}");
    let secs = samples.len() as f64 / 16_000.0;
    assert!(secs > 15.0, "script too short: {secs:.1}s");

    let t = Transcriber::load(&model).unwrap();
    let last = Arc::new(AtomicU8::new(0));
    let seen = Arc::clone(&last);
    let opts = TranscribeOptions {
        progress: Some(Arc::new(move |p| seen.store(p, Ordering::Relaxed))),
        ..TranscribeOptions::default()
    };
    let start = Instant::now();
    let segs = t.transcribe(&samples, &opts).unwrap();
    let wall = start.elapsed().as_secs_f64();
    let text: String = segs
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let (r, h) = (common::normalize(SCRIPT), common::normalize(&text));
    let w = common::wer(&r, &h);
    eprintln!(
        "audio {secs:.1}s, wall {wall:.2}s, WER {:.1}%\n{text}",
        w * 100.0
    );
    assert!(w <= 0.15, "WER {:.1}% > 15%: {text}", w * 100.0);
    assert_eq!(last.load(Ordering::Relaxed), 100);

    assert!(!segs.is_empty());
    for pair in segs.windows(2) {
        assert!(pair[0].start_ms <= pair[1].start_ms);
    }
    let end = segs.last().map(|s| s.end_ms).unwrap_or(0);
    assert!(
        end as f64 <= secs * 1000.0 + 1500.0 && end as f64 >= secs * 1000.0 * 0.6,
        "end {end} ms vs {secs}s"
    );
    let vtt = to_vtt(&segs);
    assert!(vtt.starts_with("WEBVTT\n\n1\n00:00:0"));
    assert!(vtt.contains(" --> "));

    // Empty audio is a clear error, not a crash.
    assert!(matches!(
        t.transcribe(&[], &opts),
        Err(TranscribeError::EmptyAudio)
    ));

    // The progress closure is released once the caller drops its options (whisper-rs
    // itself leaks what it is given; the crate only hands it weak references).
    drop(opts);
    assert_eq!(Arc::strong_count(&last), 1);

    // A pre-set cancel flag stops the run.
    let cancelled = TranscribeOptions {
        cancel: Arc::new(AtomicBool::new(true)),
        ..TranscribeOptions::default()
    };
    assert!(matches!(
        t.transcribe(&samples, &cancelled),
        Err(TranscribeError::Cancelled)
    ));

    // Cancelling from another thread mid-run stops it through whisper's abort callback.
    let flag = Arc::new(AtomicBool::new(false));
    let opts = TranscribeOptions {
        cancel: Arc::clone(&flag),
        ..TranscribeOptions::default()
    };
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        flag.store(true, Ordering::Relaxed);
    });
    let start = Instant::now();
    let res = t.transcribe(&samples, &opts);
    setter.join().unwrap();
    assert!(matches!(res, Err(TranscribeError::Cancelled)), "{res:?}");
    assert!(
        start.elapsed().as_secs_f64() < wall,
        "cancel did not shorten the run"
    );
}

#[test]
fn bad_models_are_clear_errors() {
    let model = common::tiny_en_model();
    let tmp = tempfile::tempdir().unwrap();

    let missing = tmp.path().join("nope.bin");
    assert!(matches!(
        Transcriber::load(&missing),
        Err(TranscribeError::ModelNotFound(_))
    ));

    let random = tmp.path().join("random.bin");
    let bytes: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&random, bytes).unwrap();
    let e = Transcriber::load(&random).unwrap_err();
    assert!(matches!(e, TranscribeError::InvalidModel(_)), "{e}");
    assert!(e.to_string().contains("not a ggml"), "{e}");

    let full = std::fs::read(&model).unwrap();
    let truncated = tmp.path().join("truncated.bin");
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    let e = Transcriber::load(&truncated).unwrap_err();
    assert!(matches!(e, TranscribeError::InvalidModel(_)), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");

    // Same size, flipped bytes: structure is fine, the pinned hash is what catches it.
    let mut flipped = full.clone();
    let mid = flipped.len() - 1000;
    flipped[mid] ^= 0xff;
    let store = hearth_models::ModelStore::new(tmp.path().join("store"));
    let src = tmp.path().join("flipped.bin");
    std::fs::write(&src, &flipped).unwrap();
    let e = store.install_from_file("tiny.en-pypi", &src).unwrap_err();
    assert!(
        matches!(e, hearth_models::ModelError::HashMismatch { .. }),
        "{e}"
    );
    let installed = store.path_of(hearth_models::registry::lookup("tiny.en-pypi").unwrap());
    assert!(!installed.exists());
    // The real file installs, verifies, and loads from the store.
    let path = store.install_from_file("tiny.en-pypi", &model).unwrap();
    assert_eq!(store.verify("tiny.en-pypi").unwrap(), path);
    Transcriber::load(&path).unwrap();
}

/// `tiny.en-pypi-q5_1` is quantised locally from an installed `tiny.en-pypi` (no network),
/// matches its pinned hash, loads in whisper.cpp and transcribes about as well as f16; without
/// the source model installed the store says which model to install first.
#[test]
fn quantised_model_is_built_from_the_installed_f16_model_and_transcribes() {
    let store_dir = tempfile::tempdir().unwrap();
    let store = hearth_models::ModelStore::new(store_dir.path());
    let e = store.fetch("tiny.en-pypi-q5_1", &mut |_| {}).unwrap_err();
    assert!(
        matches!(&e, hearth_models::ModelError::NotInstalled { name, .. } if name == "tiny.en-pypi"),
        "{e}"
    );
    std::fs::copy(
        common::tiny_en_model(),
        store_dir.path().join("ggml-tiny.en-pypi.bin"),
    )
    .unwrap();
    let q = store.fetch("tiny.en-pypi-q5_1", &mut |_| {}).unwrap();
    assert_eq!(store.verify("tiny.en-pypi-q5_1").unwrap(), q);
    let info = hearth_models::ggml::inspect(&q).unwrap();
    assert_eq!(info.hparams.ftype, 2009, "q5_1 with quantisation version 2");
    assert!(std::fs::metadata(&q).unwrap().len() < 40_000_000);

    let tmp = tempfile::tempdir().unwrap();
    let samples = read_wav_16k_mono(&common::speak(SCRIPT, tmp.path(), "q")).unwrap();
    let (wer, text) = script_wer(&q, &samples);
    eprintln!("q5_1 WER {wer:.3}: {text}");
    assert!(wer <= 0.15, "q5_1 WER {wer:.3}: {text}");

    // q8_0 too: on CPUs with AMX, ggml's AMX matmul crashed the process on q8_0 models
    // (vendor/whisper-rs-sys builds without AMX since).
    let q8 = tmp.path().join("ggml-tiny.en-q8_0.bin");
    hearth_models::ggml::quantize(
        &common::tiny_en_model(),
        &q8,
        hearth_models::ggml::TensorType::Q8_0,
    )
    .unwrap();
    let (wer, text) = script_wer(&q8, &samples);
    assert!(wer <= 0.15, "q8_0 WER {wer:.3}: {text}");
}

/// Transcribes `samples` (the spoken SCRIPT) with `model`: the WER against SCRIPT and the text.
fn script_wer(model: &std::path::Path, samples: &[f32]) -> (f64, String) {
    let segs = Transcriber::load(model)
        .unwrap()
        .transcribe(samples, &TranscribeOptions::default())
        .unwrap();
    let text: Vec<&str> = segs.iter().map(|s| s.text.as_str()).collect();
    let text = text.join(" ");
    let wer = common::wer(&common::normalize(SCRIPT), &common::normalize(&text));
    (wer, text)
}
