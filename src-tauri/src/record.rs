//! Recording a meeting from a microphone: `audio_devices`, `start_recording`,
//! `stop_recording`, `cancel_recording`. The work is `hearth_recording::Recording` (consent
//! recorded first, sealed audio, live transcript, batch transcription, retention); the shell
//! keeps at most one recording and forwards its level and live text as events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_core::NoteCategory;
use hearth_recording::{
    Level, LiveEvent, MeetingAudio, RecordOptions, Recording, RecordingError, SourceKind,
    SystemAudio,
};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::args::{given, meeting_start};
use crate::error::{CommandError, CommandResult};
use crate::media::{progress_control, recording_error, transcribe_and_store};
use crate::state::{ActiveRecording, AppState};
use crate::views::MeetingView;

/// Event with the input level while recording ([`RecordingLevel`]), about ten a second.
pub const RECORDING_LEVEL_EVENT: &str = "recording-level";
/// Event with the live transcript while recording ([`RecordingLive`]).
pub const RECORDING_LIVE_EVENT: &str = "recording-live";

/// How often the level meter is updated.
const LEVEL_EVERY: Duration = Duration::from_millis(100);

/// An input device, as the device picker lists it.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AudioDevice {
    /// Id to record from.
    pub id: String,
    /// Name to show.
    pub name: String,
    /// Whether it is the system's default input (or the default output's system audio).
    pub is_default: bool,
    /// `microphone`, or `system` for the other side of a call (what the computer plays).
    pub kind: String,
}

/// The input level of the last ~100 ms of one stream.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordingLevel {
    /// `microphone` (the advisor) or `system` (the other side of the call).
    pub source: String,
    /// RMS level in dBFS (silence is very negative, full scale is 0).
    pub dbfs: f32,
    /// Seconds since the recording started.
    pub secs: f64,
}

/// Live text of one utterance: partial drafts are replaced by later ones and by the final.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordingLive {
    /// `microphone` (the advisor) or `system` (the other side of the call); utterance
    /// numbers count per source.
    pub source: String,
    /// Utterance number (0, 1, ...).
    pub utterance: u64,
    /// The text so far (partial) or the utterance's text (final).
    pub text: String,
    /// Whether this is the utterance's final text.
    pub is_final: bool,
}

fn audio_error(e: RecordingError) -> CommandError {
    match e {
        RecordingError::Audio(why) => {
            CommandError::new("audio_device", format!("Hearth cannot record: {why}."))
        }
        other => recording_error(other),
    }
}

/// The input devices, the default first.
#[tauri::command]
pub async fn audio_devices() -> CommandResult<Vec<AudioDevice>> {
    let mut devices = tauri::async_runtime::spawn_blocking(hearth_recording::input_devices)
        .await
        .map_err(CommandError::internal)?
        .map_err(|e| {
            CommandError::new(
                "audio_device",
                format!("Hearth cannot list microphones: {e}"),
            )
        })?;
    devices.sort_by_key(|d| !d.is_default);
    Ok(devices
        .into_iter()
        .map(|d| AudioDevice {
            id: d.id,
            name: d.name,
            is_default: d.is_default,
            kind: d.kind.as_str().to_string(),
        })
        .collect())
}

/// Starts recording a meeting: consent checked and recorded (method `in_app`), the model
/// loaded, `device` (or the default input) captured. Returns the meeting id once audio
/// flows; level and live text arrive as `recording-level` and `recording-live` events.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // each is one named IPC argument the UI sends
pub async fn start_recording(
    app: AppHandle,
    state: State<'_, AppState>,
    household_id: String,
    title: String,
    date: Option<String>,
    consented_by: Vec<String>,
    participants: Option<Vec<String>>,
    device: Option<String>,
    other_side: Option<String>,
) -> CommandResult<String> {
    if active(&state)?.is_some() {
        return Err(already_recording());
    }
    let meeting = MeetingAudio {
        household: household_id,
        title: given(Some(title)).unwrap_or_else(|| "Meeting".to_string()),
        started_at_ms: meeting_start(date)?,
        consent_by: consented_by,
        // Everyone in the meeting: with all-party consent (the firm's, or the household's
        // state's) each of them must be among those who consented.
        participants: participants.unwrap_or_default(),
        model: None,
        threads: std::thread::available_parallelism()
            .map(|n| n.get().min(4))
            .unwrap_or(2),
    };
    // `off` for a meeting in the room, a system-audio device id, or (none, `auto`) the
    // default output's where this computer can record it.
    let system = match given(other_side).as_deref() {
        None | Some("auto") => SystemAudio::Auto,
        Some("off") => SystemAudio::Off,
        Some(id) => SystemAudio::Device(id.to_string()),
    };
    let options = RecordOptions {
        device: given(device),
        system,
        max_secs: None,
        live_lag_limit: None,
    };
    let level_app = app.clone();
    let mut last_level: [Option<Instant>; 2] = [None, None];
    let started = Instant::now();
    let on_level = move |kind: SourceKind, level: Level| {
        let last = &mut last_level[usize::from(kind == SourceKind::SystemAudio)];
        if last.is_none_or(|t| t.elapsed() >= LEVEL_EVERY) {
            *last = Some(Instant::now());
            let _ = level_app.emit(
                RECORDING_LEVEL_EVENT,
                RecordingLevel {
                    source: kind.as_str().to_string(),
                    dbfs: level.rms_dbfs(),
                    secs: started.elapsed().as_secs_f64(),
                },
            );
        }
    };
    let live_app = app.clone();
    let on_live = move |kind: SourceKind, event: &LiveEvent| {
        let source = kind.as_str().to_string();
        let live = match event {
            LiveEvent::Partial {
                utterance, text, ..
            } => RecordingLive {
                source,
                utterance: *utterance,
                text: text.trim().to_string(),
                is_final: false,
            },
            LiveEvent::Final {
                utterance,
                segments,
            } => RecordingLive {
                source,
                utterance: *utterance,
                text: segments
                    .iter()
                    .map(|s| s.text.trim())
                    .collect::<Vec<_>>()
                    .join(" "),
                is_final: true,
            },
            LiveEvent::Progress { .. } => return,
        };
        let _ = live_app.emit(RECORDING_LIVE_EVENT, live);
    };
    let recording = state
        .with_profile(move |p| {
            Recording::start(p, &meeting, options, on_level, on_live).map_err(audio_error)
        })
        .await?;
    let meeting_id = recording.meeting_id().to_string();
    let lost_race = {
        let mut slot = active(&state)?;
        if slot.is_some() {
            Some(recording)
        } else {
            *slot = Some(ActiveRecording { recording });
            None
        }
    };
    if let Some(recording) = lost_race {
        // Another start won the race: this one is stopped and keeps only its consent record.
        stop_and_abandon(&state, recording).await?;
        return Err(already_recording());
    }
    state.sync.kick();
    Ok(meeting_id)
}

/// Pauses (`paused: true`) or resumes the recording: while paused nothing the devices hear
/// is kept (both streams record silence and the meeting's clock runs on).
#[tauri::command]
pub async fn pause_recording(state: State<'_, AppState>, paused: bool) -> CommandResult<bool> {
    let slot = active(&state)?;
    let Some(ActiveRecording { recording }) = slot.as_ref() else {
        return Err(CommandError::new("invalid", "No recording is in progress."));
    };
    recording.set_paused(paused);
    Ok(recording.is_paused())
}

/// Stops the recording, files the advisor's own notes typed during the meeting (a
/// discussion note from the meeting, before transcription, so they survive whatever follows),
/// transcribes it on this computer (progress as `import-progress` events) and answers with
/// the meeting and its transcript.
#[tauri::command]
pub async fn stop_recording(
    app: AppHandle,
    state: State<'_, AppState>,
    notes: Option<String>,
) -> CommandResult<MeetingView> {
    let ActiveRecording { recording } = take(&state)?;
    let captured = tauri::async_runtime::spawn_blocking(move || recording.stop())
        .await
        .map_err(CommandError::internal)?;
    if let Some(text) = given(notes) {
        let meeting_id = captured.meeting_id.clone();
        state
            .with_profile(move |p| {
                let household = p.find_meeting(&meeting_id)?.household_id;
                p.edit(&household, |h, ctx| {
                    h.add_note(NoteCategory::Discussion, &text, Some(&meeting_id), ctx)
                })?;
                Ok(())
            })
            .await?;
    }
    let captured = Arc::new(captured);
    let control = progress_control(&app, &state);
    // Reading back and storing need the profile; transcription does not, so the rest of the
    // UI can use the profile while the model runs.
    let read = Arc::clone(&captured);
    let transcription = state
        .with_profile(move |p| read.read_back(p).map_err(recording_error))
        .await?;
    transcribe_and_store(&state, transcription, control, move |t, c| {
        t.transcribe(captured.model(), captured.threads(), c)
    })
    .await
}

/// Stops the recording and discards its audio: the meeting keeps its consent record,
/// marked without audio or transcript.
#[tauri::command]
pub async fn cancel_recording(state: State<'_, AppState>) -> CommandResult<()> {
    let ActiveRecording { recording } = take(&state)?;
    stop_and_abandon(&state, recording).await?;
    state.sync.kick();
    Ok(())
}

fn active(state: &AppState) -> CommandResult<std::sync::MutexGuard<'_, Option<ActiveRecording>>> {
    state
        .recording
        .lock()
        .map_err(|_| CommandError::internal("the recording state is unavailable"))
}

/// Stops `recording` and discards its audio; the meeting keeps its consent record.
async fn stop_and_abandon(state: &AppState, recording: Recording) -> CommandResult<()> {
    let captured = tauri::async_runtime::spawn_blocking(move || recording.stop())
        .await
        .map_err(CommandError::internal)?;
    state
        .with_profile(move |p| {
            captured.abandon(p);
            Ok(())
        })
        .await
}

fn take(state: &AppState) -> CommandResult<ActiveRecording> {
    active(state)?
        .take()
        .ok_or_else(|| CommandError::new("invalid", "No recording is in progress."))
}

fn already_recording() -> CommandError {
    CommandError::new(
        "invalid",
        "A meeting is already being recorded. Stop it before starting another.",
    )
}
