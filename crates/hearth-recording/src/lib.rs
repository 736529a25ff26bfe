//! Meeting audio into a Hearth profile, the same way from every front end (the `hearth` CLI
//! and the desktop app):
//!
//! 1. **consent gate** — the firm's consent mode is checked and the household must exist
//!    before anything is read or written;
//! 2. the recording is **decoded** (bad input stops here: nothing is written) and the
//!    **model** resolved and loaded (a missing model stops here too);
//! 3. the meeting is **begun**: its consent record is written into the household first;
//! 4. the audio is **sealed** into `<profile>/audio/<meeting>.hca` (AES-256-GCM, the
//!    profile's audio key);
//! 5. [`finish`]: what is sealed on disk is **transcribed** on this device, the transcript
//!    redacted and stored in the meeting, and the **retention** policy applied to the audio.
//!    It is [`read_back`] → [`Transcription::transcribe`] → [`complete`]; the middle step
//!    needs no profile, so a UI can let other work use the profile while the model runs.
//!
//! Recording from a microphone is [`Recording::start`] (the same consent gate, model and
//! begin, method `in_app`, then capture with a level meter and live transcript) and
//! [`Recording::stop`] → [`Captured::finish`] (or its read back / transcribe / complete steps).
//! Beside the microphone it records the system audio — the other side of a video call — into
//! `<meeting>.system.hca`; the two are transcribed apart and merged by time into one
//! transcript whose speakers are the advisor and the other side ([`two_sides`]).
//!
//! Each step reports a [`Stage`] to an optional progress callback, and a cancel flag stops
//! the work between steps and inside transcription. Everything here is blocking; UI callers
//! run it on a blocking thread.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod record;
pub mod two_sides;

pub use hearth_audio::capture::input_devices;
pub use hearth_audio::{InputDevice, SourceKind};
pub use hearth_intel::Segment as SpokenSegment;
pub use record::{Captured, Level, LiveEvent, RecordOptions, Recording, SystemAudio};
pub use two_sides::Speakers;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hearth_audio::{AudioError, AudioKey, SealedWriter};
use hearth_models::resolve::ResolveError;
use hearth_profile::{NewRecording, Profile, ProfileError};
use hearth_transcribe::{Segment, TranscribeError, TranscribeOptions, Transcriber};

/// Seconds of audio per sealed (and fsynced) chunk.
pub const CHUNK_SECS: f64 = 1.0;

/// Errors of importing or finishing a recording. Messages say what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// The recording could not be read or decoded (empty, truncated, not audio, codec).
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// No usable model: its message says how to install one.
    #[error(transparent)]
    Model(#[from] ResolveError),
    /// Loading the model or transcribing failed.
    #[error(transparent)]
    Transcribe(#[from] TranscribeError),
    /// The profile refused (consent missing or incomplete, unknown household, storage).
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The capture failed after the meeting was begun: the meeting keeps its consent
    /// record, marked without audio.
    #[error("the recording failed: {0}; the meeting keeps its consent record, without audio")]
    Capture(String),
    /// The meeting's recording is still going on (its audio file is held by a running
    /// recorder, in this or another window): it is not one to recover.
    #[error(
        "meeting {0} is still being recorded (its audio file is in use); stop that recording first, or recover it after it ends"
    )]
    StillRecording(String),
    /// The meeting's audio is not left recording: nothing to recover.
    #[error("meeting {0} was not interrupted while recording: nothing to recover")]
    NotInterrupted(String),
    /// The import was cancelled. When the meeting had been begun, its consent record stays
    /// and the audio was deleted.
    #[error("the import was cancelled{}", meeting_id.as_ref().map(|m| format!(" (meeting {m} keeps its consent record, without audio or transcript)")).unwrap_or_else(|| "; nothing was saved".to_string()))]
    Cancelled {
        /// The meeting begun before the cancel, if any.
        meeting_id: Option<String>,
    },
}

/// Result alias for this crate.
pub type Result<T, E = RecordingError> = std::result::Result<T, E>;

/// Where an import stands, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and decoding the recording.
    Decoding,
    /// Loading the speech model.
    LoadingModel,
    /// Writing the sealed (encrypted) audio.
    Sealing,
    /// Transcribing on this device, in percent.
    Transcribing(u8),
    /// Storing the transcript and applying retention.
    Saving,
}

impl Stage {
    /// A stable name (`decoding`, `loading_model`, `sealing`, `transcribing`, `saving`).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Decoding => "decoding",
            Stage::LoadingModel => "loading_model",
            Stage::Sealing => "sealing",
            Stage::Transcribing(_) => "transcribing",
            Stage::Saving => "saving",
        }
    }
}

/// A progress callback, called from the working thread.
pub type ProgressFn = Arc<dyn Fn(Stage) + Send + Sync>;

/// Progress reporting and cancellation for one import.
#[derive(Clone, Default)]
pub struct Control {
    /// Called at each stage and with the transcription's percent.
    pub progress: Option<ProgressFn>,
    /// Set from any thread to stop the work.
    pub cancel: Arc<AtomicBool>,
}

impl Control {
    fn report(&self, stage: Stage) {
        if let Some(progress) = &self.progress {
            progress(stage);
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancelled())
            .finish()
    }
}

/// A meeting whose audio is imported or recorded.
#[derive(Debug, Clone)]
pub struct MeetingAudio {
    /// Household id.
    pub household: String,
    /// Meeting title.
    pub title: String,
    /// Start time, ms since the epoch.
    pub started_at_ms: i64,
    /// Everyone who consented.
    pub consent_by: Vec<String>,
    /// Everyone taking part (defaults to those who consented).
    pub participants: Vec<String>,
    /// Model name or path to a ggml file (default: `tiny.en`, else `tiny.en-pypi`).
    pub model: Option<String>,
    /// CPU threads for transcription.
    pub threads: usize,
}

/// How the consent was taken: `attested` for a recording made elsewhere, `in_app` when
/// Hearth records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentMethod {
    /// The advisor attests consent for a recording made elsewhere.
    Attested,
    /// Consent taken in Hearth before recording.
    InApp,
}

impl ConsentMethod {
    fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::Attested => "attested",
            ConsentMethod::InApp => "in_app",
        }
    }
}

/// A meeting whose consent is recorded and whose sealed audio file is open.
pub struct Begun {
    /// The meeting's id.
    pub meeting_id: String,
    /// The profile's audio key.
    pub key: AudioKey,
    /// The sealed audio file, ready for samples.
    pub writer: SealedWriter,
}

/// What a finished import or recording produced.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The meeting's id.
    pub meeting_id: String,
    /// The transcript's segments (before redaction; the stored ones are redacted).
    pub segments: usize,
    /// Seconds of audio transcribed.
    pub audio_secs: u64,
    /// What happened to the audio: `deleted`, `kept-until:<ms>` or `none`.
    pub audio_state: String,
    /// What the advisor must know before taking the transcript as complete (stored with the
    /// meeting as its `audio_notice`).
    pub audio_notice: Option<String>,
}

/// Checks consent and that the household exists: nothing is read or written when refused.
pub fn check(profile: &Profile, m: &MeetingAudio) -> Result<()> {
    profile.check_consent(&m.household, &m.participants, &m.consent_by)?;
    profile.household_data(&m.household)?;
    Ok(())
}

/// Resolves ([`hearth_models::resolve`]) and loads the speech model.
pub fn load_model(model: Option<&str>) -> Result<Transcriber> {
    let path = hearth_models::resolve::resolve(model)?;
    Ok(Transcriber::load(&path)?)
}

/// Records consent as a new meeting (before any audio is kept) and opens its sealed file.
pub fn begin(profile: &mut Profile, m: &MeetingAudio, method: ConsentMethod) -> Result<Begun> {
    let key = AudioKey::from_bytes(*profile.audio_key()?);
    let meeting_id = profile.begin_recorded_meeting(&NewRecording {
        household_id: &m.household,
        title: &m.title,
        started_at_ms: m.started_at_ms,
        participants: &m.participants,
        consented_by: &m.consent_by,
        method: method.as_str(),
    })?;
    let writer = match SealedWriter::create(
        &profile.audio_path(&meeting_id),
        &key,
        hearth_audio::TARGET_RATE,
        CHUNK_SECS,
    ) {
        Ok(w) => w,
        Err(e) => {
            abandon(profile, &meeting_id);
            return Err(e.into());
        }
    };
    Ok(Begun {
        meeting_id,
        key,
        writer,
    })
}

/// Marks a begun meeting as having no audio (its consent record stays) and deletes whatever
/// audio was written. Used when capture or an import fails after [`begin`].
pub fn abandon(profile: &mut Profile, meeting_id: &str) {
    if let Err(e) = profile.remove_meeting_audio(meeting_id) {
        tracing::warn!(error = %e, "could not delete the abandoned meeting's audio");
    }
    if let Err(e) = profile.complete_recorded_meeting(meeting_id, &to_transcript(&[]), 0, None) {
        tracing::warn!(error = %e, "could not mark the abandoned meeting as without audio");
    }
}

fn to_transcript(segments: &[Segment]) -> hearth_intel::Transcript {
    hearth_intel::Transcript {
        segments: segments
            .iter()
            .map(|s| hearth_intel::Segment {
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                speaker: None,
                text: s.text.clone(),
            })
            .collect(),
    }
}

/// A begun meeting's sealed audio, read back for transcription: the work between
/// [`read_back`] and [`complete`] needs no profile, so a UI can release its profile while
/// the model runs.
pub struct Transcription {
    /// The meeting's id.
    pub meeting_id: String,
    samples: Vec<f32>,
    other_side: Option<OtherSide>,
    /// What the advisor must know before taking the transcript as complete.
    notice: Option<String>,
}

/// The other side of a call, recorded from system audio.
struct OtherSide {
    samples: Vec<f32>,
    speakers: Speakers,
}

/// Less sound than this on the system stream is a silent other side.
const SILENT_OTHER_SIDE_SECS: f64 = 1.0;

/// The notice of a system stream that heard nothing.
pub const SILENT_OTHER_SIDE: &str = "The other side of the call was silent for the whole \
    meeting: check the output device (this transcript holds the microphone only).";

impl Transcription {
    fn new(meeting_id: &str, samples: Vec<f32>, other_side: Option<(Vec<f32>, Speakers)>) -> Self {
        let notice = other_side
            .as_ref()
            .filter(|(system, _)| hearth_audio::voiced_secs(system) < SILENT_OTHER_SIDE_SECS)
            .map(|_| SILENT_OTHER_SIDE.to_string());
        Self {
            meeting_id: meeting_id.to_string(),
            samples,
            other_side: other_side.map(|(samples, speakers)| OtherSide { samples, speakers }),
            notice,
        }
    }

    /// Seconds of audio (rounded up; the longer stream's).
    pub fn secs(&self) -> u64 {
        let longest = self
            .other_side
            .as_ref()
            .map_or(0, |o| o.samples.len())
            .max(self.samples.len());
        (longest as u64).div_ceil(u64::from(hearth_audio::TARGET_RATE))
    }

    /// Whether the other side of a call was recorded beside the microphone.
    pub fn has_other_side(&self) -> bool {
        self.other_side.is_some()
    }

    /// What the advisor must know before taking the transcript as complete (a silent other
    /// side, or only the microphone recorded), stored with the meeting.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Transcribes the audio on this device, reporting [`Stage::Transcribing`] and stopping
    /// when `control` is cancelled. Empty audio gives no segments. With the other side of a
    /// call, both streams are transcribed apart and merged by time ([`two_sides::merge`]):
    /// the microphone's segments are the advisor's, the system audio's the other side's.
    pub fn transcribe(
        &self,
        model: &Transcriber,
        threads: usize,
        control: &Control,
    ) -> Result<Vec<SpokenSegment>, TranscribeError> {
        let Some(other) = &self.other_side else {
            let mine = transcribe_part(model, &self.samples, threads, control, (0, 100), false)?;
            return Ok(to_transcript(&mine).segments);
        };
        // Progress in proportion to each stream's length.
        let total = (self.samples.len() + other.samples.len()).max(1);
        let split = (self.samples.len() * 100 / total) as u8;
        let (heard, echo_secs) = two_sides::gate_echo(&self.samples, &other.samples);
        if echo_secs > 0.0 {
            tracing::info!(
                echo_secs,
                "the speakers heard by the microphone were left out of its transcript"
            );
        }
        let mine = transcribe_part(model, &heard, threads, control, (0, split), true)?;
        let theirs = if self.notice.as_deref() == Some(SILENT_OTHER_SIDE) {
            // Nothing to hear: whisper would only hallucinate into the silence.
            Vec::new()
        } else {
            transcribe_part(model, &other.samples, threads, control, (split, 100), true)?
        };
        let (merged, echoes) = two_sides::merge(&mine, &theirs, &other.speakers);
        if echoes > 0 {
            tracing::info!(
                echoes,
                "microphone segments that echoed the speakers were kept once"
            );
        }
        Ok(merged)
    }
}

/// Transcribes one stream, its progress mapped into `range` percent; one side of a call
/// turn by turn ([`Transcriber::transcribe_turns`]).
fn transcribe_part(
    model: &Transcriber,
    samples: &[f32],
    threads: usize,
    control: &Control,
    range: (u8, u8),
    by_turns: bool,
) -> Result<Vec<Segment>, TranscribeError> {
    if samples.is_empty() {
        return Ok(Vec::new());
    }
    control.report(Stage::Transcribing(range.0));
    let span = u16::from(range.1.saturating_sub(range.0));
    let options = TranscribeOptions {
        n_threads: threads,
        cancel: Arc::clone(&control.cancel),
        progress: control.progress.clone().map(|progress| {
            Arc::new(move |percent: u8| {
                let scaled = u16::from(range.0) + u16::from(percent.min(100)) * span / 100;
                progress(Stage::Transcribing(scaled as u8))
            }) as Arc<dyn Fn(u8) + Send + Sync>
        }),
        ..TranscribeOptions::default()
    };
    if by_turns {
        model.transcribe_turns(samples, &options)
    } else {
        model.transcribe(samples, &options)
    }
}

/// The system audio of `meeting_id` read with `read`, if it was recorded, with who is
/// speaking on each side (`participants` of the meeting, read only then).
fn other_side(
    profile: &Profile,
    meeting_id: &str,
    read: impl Fn(&Path) -> Result<Vec<f32>>,
    participants: impl FnOnce() -> Result<Vec<String>>,
) -> Result<Option<(Vec<f32>, Speakers)>> {
    let path = profile.system_audio_path(meeting_id);
    if !path.exists() {
        return Ok(None);
    }
    let samples = read(&path)?;
    let speakers = Speakers::for_meeting(profile.advisor(), &participants()?);
    Ok(Some((samples, speakers)))
}

/// Reads back what is sealed on disk for `meeting_id` (exactly the audio that was kept):
/// the microphone or imported file, and the other side of a call when it was recorded.
pub fn read_back(profile: &Profile, meeting_id: &str, key: &AudioKey) -> Result<Transcription> {
    let sealed = hearth_audio::read_sealed(&profile.audio_path(meeting_id), key)?;
    let system = other_side(
        profile,
        meeting_id,
        |path| Ok(hearth_audio::read_sealed(path, key)?.samples),
        || Ok(profile.find_meeting(meeting_id)?.meeting.participants),
    )?;
    Ok(Transcription::new(meeting_id, sealed.samples, system))
}

/// Stores the outcome of [`Transcription::transcribe`]: the redacted transcript, with the
/// retention policy applied to the audio. A cancelled transcription deletes the audio and
/// leaves the meeting with its consent record only; another failure keeps both as they are.
pub fn complete(
    profile: &mut Profile,
    transcription: &Transcription,
    outcome: Result<Vec<SpokenSegment>, TranscribeError>,
    control: &Control,
) -> Result<Finished> {
    let meeting_id = &transcription.meeting_id;
    let segments = match outcome {
        Ok(segments) => segments,
        Err(TranscribeError::Cancelled) => {
            abandon(profile, meeting_id);
            return Err(RecordingError::Cancelled {
                meeting_id: Some(meeting_id.clone()),
            });
        }
        Err(e) => return Err(e.into()),
    };
    control.report(Stage::Saving);
    let secs = transcription.secs();
    let count = segments.len();
    let audio_state = profile.complete_recorded_meeting(
        meeting_id,
        &hearth_intel::Transcript { segments },
        secs,
        transcription.notice(),
    )?;
    Ok(Finished {
        meeting_id: meeting_id.clone(),
        segments: count,
        audio_secs: secs,
        audio_state,
        audio_notice: transcription.notice.clone(),
    })
}

/// [`read_back`], transcribe and [`complete`] in one call, holding the profile throughout.
pub fn finish(
    profile: &mut Profile,
    meeting_id: &str,
    key: &AudioKey,
    model: &Transcriber,
    threads: usize,
    control: &Control,
) -> Result<Finished> {
    let transcription = read_back(profile, meeting_id, key)?;
    let outcome = transcription.transcribe(model, threads, control);
    complete(profile, &transcription, outcome, control)
}

/// What [`recover`] found and did for one interrupted recording.
#[derive(Debug, Clone)]
pub struct Recovered {
    /// The transcript stored and the audio's retention state.
    pub finished: Finished,
    /// Whole one-second chunks that were sealed before the interruption.
    pub chunks: u32,
    /// Why reading stopped before the end of the file (a damaged tail), if it did.
    pub damaged_tail: Option<String>,
}

/// Recordings left `recording` by a process that died (a crash, a kill, a dead battery):
/// sealed audio files without their final chunk that no running recorder holds, whose
/// meeting still says `recording`. Oldest first.
///
/// Run on every start of the app, so it starts from the audio directory (a directory listing
/// and a few chunk headers) and reads households only when such a file exists. A process
/// killed in the instant between recording consent and creating the file leaves no file: that
/// meeting is recovered by naming it (`hearth meeting recover MEETING`). A recovered
/// recording kept by the retention policy stays a candidate (it has no final chunk) and costs
/// a household scan per start until retention deletes it.
pub fn interrupted(profile: &Profile) -> Result<Vec<hearth_profile::UnfinishedRecording>> {
    let dir = profile.audio_dir();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(AudioError::Io {
                action: "listing",
                path: dir,
                source: e,
            }
            .into());
        }
    };
    let mut candidates = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(meeting_id) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".hca"))
            .filter(|id| !id.ends_with(hearth_profile::SYSTEM_AUDIO_SUFFIX))
        else {
            continue;
        };
        if path != profile.audio_path(meeting_id) {
            continue;
        }
        if !hearth_audio::sealed_in_use(&path)? && !hearth_audio::sealed_finished(&path)? {
            candidates.push(meeting_id.to_string());
        }
    }
    Ok(profile.unfinished_recordings(&candidates)?)
}

/// An interrupted recording's sealed audio, read back for transcription
/// ([`read_interrupted`] → [`Transcription::transcribe`] → [`complete_recovered`]).
pub struct Interrupted {
    /// The audio, for [`Transcription::transcribe`].
    pub transcription: Transcription,
    /// Whole one-second chunks that were sealed before the interruption.
    pub chunks: u32,
    /// Why reading stopped before the end of the file (a damaged tail), if it did.
    pub damaged_tail: Option<String>,
}

/// Reads back what an interrupted recording sealed, up to its last whole chunk. A meeting
/// still being recorded, or not left recording, is refused; a wrong key or a damaged file is
/// an error and the audio stays for another try. Nothing is written.
pub fn read_interrupted(profile: &mut Profile, meeting_id: &str) -> Result<Interrupted> {
    let found = profile.find_meeting(meeting_id)?;
    if found.meeting.audio.as_deref() != Some("recording") {
        return Err(RecordingError::NotInterrupted(meeting_id.to_string()));
    }
    let path = profile.audio_path(meeting_id);
    if path.exists() && hearth_audio::sealed_in_use(&path)? {
        return Err(RecordingError::StillRecording(meeting_id.to_string()));
    }
    if !path.exists() && !profile.system_audio_path(meeting_id).exists() {
        // Killed before the audio file was created: the consent record is all there is.
        return Ok(Interrupted {
            transcription: Transcription::new(meeting_id, Vec::new(), None),
            chunks: 0,
            damaged_tail: None,
        });
    }
    let key = AudioKey::from_bytes(*profile.audio_key()?);
    let (samples, chunks, damaged_tail) = if path.exists() {
        let sealed = hearth_audio::read_sealed_recovering(&path, &key)?;
        (sealed.samples, sealed.chunks, sealed.damaged_tail)
    } else {
        (Vec::new(), 0, None)
    };
    let system = other_side(
        profile,
        meeting_id,
        |path| Ok(hearth_audio::read_sealed_recovering(path, &key)?.samples),
        || Ok(found.meeting.participants.clone()),
    )?;
    Ok(Interrupted {
        transcription: Transcription::new(meeting_id, samples, system),
        chunks,
        damaged_tail,
    })
}

/// [`complete`] for an interrupted recording: the transcript is stored, the meeting marked
/// recovered (its consent record stays) and retention applied. A cancelled or failed
/// transcription changes nothing: the audio stays for another try.
pub fn complete_recovered(
    profile: &mut Profile,
    transcription: &Transcription,
    outcome: Result<Vec<SpokenSegment>, TranscribeError>,
    control: &Control,
) -> Result<Finished> {
    let segments = match outcome {
        Ok(segments) => segments,
        Err(TranscribeError::Cancelled) => {
            return Err(RecordingError::Cancelled { meeting_id: None });
        }
        Err(e) => return Err(e.into()),
    };
    control.report(Stage::Saving);
    let secs = transcription.secs();
    let meeting_id = &transcription.meeting_id;
    let count = segments.len();
    let audio_state = profile.complete_recovered_meeting(
        meeting_id,
        &hearth_intel::Transcript { segments },
        secs,
        transcription.notice(),
    )?;
    Ok(Finished {
        meeting_id: meeting_id.clone(),
        segments: count,
        audio_secs: secs,
        audio_state,
        audio_notice: transcription.notice.clone(),
    })
}

/// [`read_interrupted`], transcribe and [`complete_recovered`] in one call, holding the
/// profile throughout.
pub fn recover(
    profile: &mut Profile,
    meeting_id: &str,
    model: &Transcriber,
    threads: usize,
    control: &Control,
) -> Result<Recovered> {
    let Interrupted {
        transcription,
        chunks,
        damaged_tail,
    } = read_interrupted(profile, meeting_id)?;
    let outcome = transcription.transcribe(model, threads, control);
    let finished = complete_recovered(profile, &transcription, outcome, control)?;
    Ok(Recovered {
        finished,
        chunks,
        damaged_tail,
    })
}

/// An imported recording whose consent is recorded and whose audio is sealed in the
/// profile, with the model that will transcribe it.
pub struct Staged {
    /// The meeting's id.
    pub meeting_id: String,
    /// The profile's audio key.
    pub key: AudioKey,
    /// The loaded speech model.
    pub model: Transcriber,
}

/// The first half of an import: consent checked, the file decoded (bad input stops here,
/// nothing written), the model loaded (a missing model stops here too), consent recorded as
/// the meeting (`attested`), the audio sealed into the profile.
pub fn stage_file(
    profile: &mut Profile,
    m: &MeetingAudio,
    file: &Path,
    control: &Control,
) -> Result<Staged> {
    check(profile, m)?;
    control.report(Stage::Decoding);
    let audio = hearth_audio::decode_file(file)?;
    stage_decoded(profile, m, &audio, control)
}

/// The rest of [`stage_file`] / [`stage_bytes`] once the recording is decoded.
fn stage_decoded(
    profile: &mut Profile,
    m: &MeetingAudio,
    audio: &hearth_audio::DecodedAudio,
    control: &Control,
) -> Result<Staged> {
    if control.cancelled() {
        return Err(RecordingError::Cancelled { meeting_id: None });
    }
    control.report(Stage::LoadingModel);
    let model = load_model(m.model.as_deref())?;
    if control.cancelled() {
        return Err(RecordingError::Cancelled { meeting_id: None });
    }
    control.report(Stage::Sealing);
    let Begun {
        meeting_id,
        key,
        mut writer,
    } = begin(profile, m, ConsentMethod::Attested)?;
    if let Err(e) = writer.append(&audio.samples).and_then(|()| writer.finish()) {
        abandon(profile, &meeting_id);
        return Err(e.into());
    }
    Ok(Staged {
        meeting_id,
        key,
        model,
    })
}

/// Imports a recording made elsewhere: [`stage_file`], then [`finish`] (transcribed,
/// retention applied).
pub fn import_file(
    profile: &mut Profile,
    m: &MeetingAudio,
    file: &Path,
    control: &Control,
) -> Result<Finished> {
    let staged = stage_file(profile, m, file, control)?;
    finish(
        profile,
        &staged.meeting_id,
        &staged.key,
        &staged.model,
        m.threads,
        control,
    )
}

/// [`stage_file`] for a recording received as bytes (a UI's file picker), decoded in memory:
/// no plaintext copy of the audio is ever written — only the sealed audio is kept.
/// `file_name`'s extension guides the format probe; errors name `file_name`.
pub fn stage_bytes(
    profile: &mut Profile,
    m: &MeetingAudio,
    file_name: &str,
    bytes: Vec<u8>,
    control: &Control,
) -> Result<Staged> {
    check(profile, m)?;
    control.report(Stage::Decoding);
    let audio = hearth_audio::decode_bytes(bytes, file_name)?;
    stage_decoded(profile, m, &audio, control)
}

/// [`stage_bytes`], then [`finish`], holding the profile throughout.
pub fn import_bytes(
    profile: &mut Profile,
    m: &MeetingAudio,
    file_name: &str,
    bytes: Vec<u8>,
    control: &Control,
) -> Result<Finished> {
    let staged = stage_bytes(profile, m, file_name, bytes, control)?;
    finish(
        profile,
        &staged.meeting_id,
        &staged.key,
        &staged.model,
        m.threads,
        control,
    )
}
