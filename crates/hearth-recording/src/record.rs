//! Recording a meeting from an input device: [`Recording::start`] records consent, loads the
//! model and starts capture with a level meter and live transcript; [`Recording::stop`] ends
//! the capture; [`Captured::finish`] transcribes what was sealed and applies retention.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use hearth_audio::{AudioKey, CaptureOptions, CaptureReport, CaptureSession, Recorder};
use hearth_profile::Profile;
use hearth_transcribe::live::{LiveOptions, LiveTranscriber};
use hearth_transcribe::{Segment, Transcriber};

use crate::{
    Begun, ConsentMethod, Control, Finished, MeetingAudio, Result, Transcription, abandon, begin,
    check, complete, load_model, read_back,
};

pub use hearth_audio::Level;
pub use hearth_transcribe::live::LiveEvent;

/// Where and how long to record.
#[derive(Debug, Clone, Default)]
pub struct RecordOptions {
    /// Input device id or name (`None`: the system default input).
    pub device: Option<String>,
    /// Stop by itself after this many seconds of captured audio.
    pub max_secs: Option<f64>,
}

/// A meeting being recorded: its consent is recorded, the device is captured into the
/// sealed audio file, levels and live text go to the callbacks given to [`Recording::start`].
/// Dropping it stops the capture (the sealed audio stays for [`Captured::finish`] or is
/// removed by [`abandon`]).
pub struct Recording {
    meeting_id: String,
    key: AudioKey,
    model: Arc<Transcriber>,
    threads: usize,
    session: CaptureSession,
    live_done: StopOnDrop,
    live: JoinHandle<Option<Vec<Segment>>>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("meeting_id", &self.meeting_id)
            .finish_non_exhaustive()
    }
}

impl Recording {
    /// Checks consent (refused → nothing written), loads the model (missing → nothing
    /// written), records consent as a new meeting (method `in_app`) and starts capturing.
    /// Returns once audio flows. `on_level` is called for every buffer the device delivers
    /// (throttle it for a display); `on_live` gets the live transcript's partial and final
    /// text. If the device cannot be opened, the meeting keeps its consent record, marked
    /// without audio, and the device's error is returned.
    pub fn start(
        profile: &mut Profile,
        m: &MeetingAudio,
        options: RecordOptions,
        on_level: impl FnMut(Level) + Send + 'static,
        mut on_live: impl FnMut(&LiveEvent) + Send + 'static,
    ) -> Result<Self> {
        check(profile, m)?;
        let model = Arc::new(load_model(m.model.as_deref())?);
        let Begun {
            meeting_id,
            key,
            writer,
        } = begin(profile, m, ConsentMethod::InApp)?;
        let live = match LiveTranscriber::start(
            Arc::clone(&model),
            LiveOptions {
                n_threads: m.threads,
                ..LiveOptions::default()
            },
        ) {
            Ok(live) => live,
            Err(e) => {
                abandon(profile, &meeting_id);
                return Err(e.into());
            }
        };
        let mut recorder = Recorder::new(writer).with_level(on_level);
        if let Some(tx) = live.sender() {
            recorder = recorder.with_live(tx);
        }
        let session = match CaptureSession::start(
            CaptureOptions {
                device: options.device,
                max_secs: options.max_secs,
                ..CaptureOptions::default()
            },
            recorder,
        ) {
            Ok(session) => session,
            Err(e) => {
                drop(live);
                abandon(profile, &meeting_id);
                return Err(e.into());
            }
        };
        // The live transcriber's events are forwarded on their own thread until the capture
        // ends; then its last utterance is transcribed and forwarded too.
        let live_done = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&live_done);
        let forward = move || {
            while !done.load(Ordering::SeqCst) {
                if let Ok(event) = live.events().recv_timeout(Duration::from_millis(100)) {
                    on_live(&event);
                }
            }
            let (result, events) = live.finish();
            for event in events.try_iter() {
                on_live(&event);
            }
            match result {
                Ok(segments) => Some(segments),
                Err(e) => {
                    tracing::warn!(error = %e, "live transcription failed; the recording is transcribed in full");
                    None
                }
            }
        };
        let live = match std::thread::Builder::new()
            .name("hearth-live-events".into())
            .spawn(forward)
        {
            Ok(join) => join,
            Err(e) => {
                let _ = session.stop();
                abandon(profile, &meeting_id);
                return Err(hearth_audio::AudioError::Device(format!(
                    "cannot start the live transcript thread: {e}"
                ))
                .into());
            }
        };
        Ok(Self {
            meeting_id,
            key,
            model,
            threads: m.threads,
            session,
            live_done: StopOnDrop(live_done),
            live,
        })
    }

    /// The meeting's id.
    pub fn meeting_id(&self) -> &str {
        &self.meeting_id
    }

    /// A flag that stops the capture when set (e.g. from a key press on another thread).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.session.stop_flag()
    }

    /// Whether the capture ended by itself (duration reached, device lost) or was stopped
    /// through [`Self::stop_flag`].
    pub fn is_finished(&self) -> bool {
        self.session.is_finished()
    }

    /// Stops the capture (the sealed file is finished and fsynced) and the live transcript
    /// (its last utterance is transcribed and reported). Needs no profile.
    pub fn stop(self) -> Captured {
        self.session.stop_flag().store(true, Ordering::SeqCst);
        self.wait()
    }

    /// Waits until the capture ends by itself (or through [`Self::stop_flag`]), then as
    /// [`Self::stop`].
    pub fn wait(self) -> Captured {
        let capture = self.session.wait();
        self.live_done.0.store(true, Ordering::SeqCst);
        let live = self.live.join().ok().flatten();
        Captured {
            meeting_id: self.meeting_id,
            key: self.key,
            model: self.model,
            threads: self.threads,
            capture,
            live,
        }
    }
}

/// Ends the live transcript's forwarding when a [`Recording`] is dropped without
/// [`Recording::stop`] (e.g. the app quits while recording).
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A recording whose capture has ended, ready to be transcribed.
pub struct Captured {
    /// The meeting's id.
    pub meeting_id: String,
    key: AudioKey,
    model: Arc<Transcriber>,
    threads: usize,
    /// How the capture ended (what was sealed, why it stopped), or why it failed.
    pub capture: Result<CaptureReport, hearth_audio::AudioError>,
    /// The live transcript's final segments (`None` when live transcription failed).
    pub live: Option<Vec<Segment>>,
}

impl std::fmt::Debug for Captured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Captured")
            .field("meeting_id", &self.meeting_id)
            .field("capture", &self.capture)
            .finish_non_exhaustive()
    }
}

impl Captured {
    /// The loaded model, for [`Transcription::transcribe`].
    pub fn model(&self) -> &Transcriber {
        &self.model
    }

    /// CPU threads for transcription.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Reads back what was sealed (see [`read_back`]). A failed capture is abandoned here:
    /// the meeting keeps its consent record without audio, and the capture's error is
    /// returned.
    pub fn read_back(&self, profile: &mut Profile) -> Result<Transcription> {
        if let Err(e) = &self.capture {
            abandon(profile, &self.meeting_id);
            return Err(crate::RecordingError::Capture(e.to_string()));
        }
        read_back(profile, &self.meeting_id, &self.key)
    }

    /// Transcribes what was sealed and stores it with retention applied: [`Self::read_back`],
    /// [`Transcription::transcribe`] and [`complete`], holding the profile throughout.
    pub fn finish(&self, profile: &mut Profile, control: &Control) -> Result<Finished> {
        let transcription = self.read_back(profile)?;
        let outcome = transcription.transcribe(&self.model, self.threads, control);
        complete(profile, &transcription, outcome, control)
    }

    /// Abandons the recording: the meeting keeps its consent record, marked without audio,
    /// and the sealed audio is deleted.
    pub fn abandon(&self, profile: &mut Profile) {
        abandon(profile, &self.meeting_id);
    }
}
