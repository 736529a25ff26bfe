//! The import's gates on a real (SQLCipher) profile: bad input, missing consent and a missing
//! model stop the import before anything is written, and no copy of the recording is left.

use std::path::Path;

use hearth_core::HouseholdStatus;
use hearth_profile::{InitOptions, KeyStorage, Profile, ProfileError};
use hearth_recording::{Control, MeetingAudio, RecordingError};
use zeroize::Zeroizing;

fn init(dir: &Path) -> (Profile, String) {
    let mut pass = || Ok(Zeroizing::new("correct horse battery".to_string()));
    let mut profile = Profile::init(
        dir,
        InitOptions {
            advisor: "Avery Advisor".into(),
            device: "test".into(),
            key_storage: KeyStorage::Passphrase,
            passphrase: &mut pass,
        },
    )
    .unwrap();
    let id = profile
        .create_household("Okafor", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    (profile, id)
}

fn meeting(household: &str, consent_by: &[&str], model: &str) -> MeetingAudio {
    MeetingAudio {
        household: household.to_string(),
        title: "Phone review".to_string(),
        started_at_ms: 0,
        consent_by: consent_by.iter().map(|s| s.to_string()).collect(),
        participants: Vec::new(),
        model: Some(model.to_string()),
        threads: 1,
    }
}

/// One second of a 440 Hz tone as a 16 kHz mono 16-bit WAV.
fn tone_wav() -> Vec<u8> {
    let samples: Vec<i16> = (0..16_000)
        .map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / 16_000.0).sin() * 8_000.0) as i16)
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&16_000u32.to_le_bytes());
    wav.extend_from_slice(&32_000u32.to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

fn nothing_written(profile: &Profile, id: &str) {
    assert!(profile.household_data(id).unwrap().meetings.is_empty());
    nothing_left_in_audio_dir(profile);
}

#[test]
fn a_recording_that_is_not_audio_is_named_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut profile, id) = init(&dir.path().join("p"));
    let m = meeting(&id, &["Ada Okafor"], "/nowhere/ggml.bin");
    let err = hearth_recording::import_bytes(
        &mut profile,
        &m,
        "call.wav",
        b"this is not a recording".to_vec(),
        &Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, RecordingError::Audio(_)), "{err}");
    let message = err.to_string();
    assert!(message.contains("call.wav"), "{message}");
    nothing_written(&profile, &id);
}

#[test]
fn consent_and_the_model_are_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (mut profile, id) = init(&dir.path().join("p"));
    let wav = tone_wav();

    let no_consent = meeting(&id, &[], "/nowhere/ggml.bin");
    let err = hearth_recording::import_bytes(
        &mut profile,
        &no_consent,
        "call.wav",
        wav.clone(),
        &Control::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, RecordingError::Profile(ProfileError::ConsentRequired)),
        "{err}"
    );
    nothing_written(&profile, &id);

    let no_model = meeting(&id, &["Ada Okafor"], "/nowhere/ggml.bin");
    let err = hearth_recording::import_bytes(
        &mut profile,
        &no_model,
        "call.wav",
        wav.clone(),
        &Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, RecordingError::Model(_)), "{err}");
    assert!(err.to_string().contains("not found"), "{err}");
    nothing_written(&profile, &id);

    // A cancel before the meeting is begun saves nothing either.
    let control = Control::default();
    control
        .cancel
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err =
        hearth_recording::import_bytes(&mut profile, &no_model, "call.wav", wav.clone(), &control)
            .unwrap_err();
    assert!(
        matches!(err, RecordingError::Cancelled { meeting_id: None }),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was saved"), "{err}");
    nothing_written(&profile, &id);
}

#[path = "../../hearth-transcribe/tests/common/mod.rs"]
mod speech;

/// A recording end to end with the real model (tiny.en, built from PyPI and cached by the
/// test suite): staged with the profile, transcribed without it, completed; and a cancel
/// after staging deletes the audio and keeps only the consent record.
#[test]
fn a_recording_is_sealed_transcribed_and_its_audio_deleted_and_a_cancel_keeps_only_consent() {
    let dir = tempfile::tempdir().unwrap();
    let (mut profile, id) = init(&dir.path().join("p"));
    let model = speech::tiny_en_model();
    let wav = speech::speak(
        "We reviewed your retirement plan and the college savings account.",
        dir.path(),
        "speech",
    );
    let bytes = std::fs::read(&wav).unwrap();
    let m = meeting(&id, &["Ada Okafor"], model.to_str().unwrap());
    let stages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&stages);
    let control = Control {
        progress: Some(std::sync::Arc::new(move |stage| {
            seen.lock().unwrap().push(stage)
        })),
        ..Control::default()
    };

    let staged =
        hearth_recording::stage_bytes(&mut profile, &m, "call.wav", bytes.clone(), &control)
            .unwrap();
    // Consent is in the household before any transcript; the sealed audio is on disk.
    let data = profile.household_data(&id).unwrap();
    let begun = &data.meetings[&staged.meeting_id];
    assert_eq!(begun.consent.as_ref().unwrap().method, "attested");
    assert!(profile.audio_path(&staged.meeting_id).is_file());
    let transcription =
        hearth_recording::read_back(&profile, &staged.meeting_id, &staged.key).unwrap();
    let outcome = transcription.transcribe(&staged.model, 2, &control);
    let finished =
        hearth_recording::complete(&mut profile, &transcription, outcome, &control).unwrap();
    assert_eq!(finished.audio_state, "deleted");
    let data = profile.household_data(&id).unwrap();
    let text = data.meetings[&finished.meeting_id]
        .transcript
        .iter()
        .map(|s| s.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("retirement"), "{text}");
    nothing_left_in_audio_dir(&profile);
    let stages = stages.lock().unwrap().clone();
    assert_eq!(stages.first(), Some(&hearth_recording::Stage::Decoding));
    assert_eq!(stages.last(), Some(&hearth_recording::Stage::Saving));
    assert!(stages.contains(&hearth_recording::Stage::Transcribing(100)));

    // Cancelled after staging: the meeting keeps its consent, the audio is gone.
    let control = Control::default();
    let staged =
        hearth_recording::stage_bytes(&mut profile, &m, "call.wav", bytes.clone(), &control)
            .unwrap();
    control
        .cancel
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = hearth_recording::finish(
        &mut profile,
        &staged.meeting_id,
        &staged.key,
        &staged.model,
        2,
        &control,
    )
    .unwrap_err();
    assert!(
        matches!(&err, RecordingError::Cancelled { meeting_id: Some(m) } if *m == staged.meeting_id),
        "{err}"
    );
    let data = profile.household_data(&id).unwrap();
    let cancelled = &data.meetings[&staged.meeting_id];
    assert!(cancelled.consent.is_some());
    assert!(cancelled.transcript.is_empty());
    assert_eq!(cancelled.audio.as_deref(), Some("none"));
    nothing_left_in_audio_dir(&profile);
}

fn nothing_left_in_audio_dir(profile: &Profile) {
    let left: Vec<_> = std::fs::read_dir(profile.audio_dir())
        .map(|rd| rd.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left in the audio directory: {left:?}");
}
