//! Live transcription (VAD-cut utterances, partials, finals) against batch transcription on
//! the same espeak-ng speech: the same words within a small WER difference.

mod common;

use std::sync::Arc;

use hearth_transcribe::live::{LiveEvent, LiveOptions, LiveTranscriber};
use hearth_transcribe::{TranscribeOptions, Transcriber, read_wav_16k_mono};

#[test]
fn live_and_batch_give_the_same_words() {
    let dir = tempfile::tempdir().unwrap();
    // Sentences separated by a second of silence, as in a conversation.
    let mut audio = Vec::new();
    for (i, s) in common::SENTENCES.iter().enumerate() {
        let wav = common::speak(s, dir.path(), &format!("s{i}"));
        audio.extend(read_wav_16k_mono(&wav).unwrap());
        audio.extend(std::iter::repeat_n(0.0f32, 16_000));
    }
    let reference = common::normalize(&common::SENTENCES.join(" "));
    let model = Arc::new(Transcriber::load(&common::tiny_en_model()).unwrap());

    let batch = model
        .transcribe(&audio, &TranscribeOptions::default())
        .unwrap();
    let batch_words = common::normalize(
        &batch
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );

    let live = LiveTranscriber::start(Arc::clone(&model), LiveOptions::default()).unwrap();
    // Feed 100 ms buffers, as a recorder does.
    for piece in audio.chunks(1_600) {
        live.push(piece.to_vec());
    }
    let (finals, events) = live.finish();
    let finals = finals.unwrap();
    let events: Vec<LiveEvent> = events.try_iter().collect();
    let utterances = events
        .iter()
        .filter(|e| matches!(e, LiveEvent::Final { .. }))
        .count();
    assert!(
        (4..=7).contains(&utterances),
        "the VAD cut {utterances} utterances from 6 sentences"
    );
    // Every pushed sample reached the detector, however far the worker lagged (it once
    // dropped a buffer whenever it checked whether it had caught up).
    let last_audio_ms = events
        .iter()
        .filter_map(|e| match e {
            LiveEvent::Progress { audio_ms, .. } => Some(*audio_ms),
            _ => None,
        })
        .max();
    assert_eq!(last_audio_ms, Some(audio.len() as u64 * 1000 / 16_000));
    // Final segments carry times on the recording's clock, in order.
    assert!(finals.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
    assert!(finals.last().unwrap().end_ms <= (audio.len() as u64 * 1000 / 16_000) + 500);
    let live_words = common::normalize(
        &finals
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );

    let wer_batch = common::wer(&reference, &batch_words);
    let wer_live = common::wer(&reference, &live_words);
    let between = common::wer(&batch_words, &live_words);
    eprintln!(
        "batch: {}\nlive:  {}",
        batch_words.join(" "),
        live_words.join(" ")
    );
    eprintln!("WER batch {wer_batch:.3}, live {wer_live:.3}, live vs batch {between:.3}");
    assert!(wer_batch <= 0.15, "batch WER {wer_batch}");
    // Live decoding depends on how far the worker lags the pushed audio (which partials it
    // makes, and so the prompt each utterance gets): on a loaded 2-core CI box it has measured
    // 0.075–0.164 WER where batch gave 0.075. The bound allows that spread, not more.
    assert!(wer_live <= 0.15, "live WER {wer_live}");
    assert!(
        (wer_live - wer_batch).abs() <= 0.05,
        "live {wer_live:.3} vs batch {wer_batch:.3}"
    );
}

#[test]
fn live_transcription_can_be_cancelled() {
    let model = Arc::new(Transcriber::load(&common::tiny_en_model()).unwrap());
    let live = LiveTranscriber::start(model, LiveOptions::default()).unwrap();
    live.cancel();
    live.push(vec![0.1; 16_000]);
    let (result, _) = live.finish();
    assert!(matches!(
        result,
        Err(hearth_transcribe::TranscribeError::Cancelled)
    ));
}
