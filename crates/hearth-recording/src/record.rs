//! Recording a meeting from an input device: [`Recording::start`] records consent, loads the
//! model and starts capture with a level meter and live transcript; [`Recording::stop`] ends
//! the capture; [`Captured::finish`] transcribes what was sealed and applies retention.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hearth_audio::{
    AudioKey, CaptureOptions, CaptureReport, CaptureSession, Recorder, SealedWriter, SourceKind,
    StopReason,
};
use hearth_profile::Profile;
use hearth_transcribe::live::{LiveOptions, LiveTranscriber};
use hearth_transcribe::{Segment, Transcriber};

use crate::two_sides::EchoGate;
use crate::{
    Begun, CHUNK_SECS, ConsentMethod, Control, Finished, MeetingAudio, Result, Transcription,
    abandon, begin, check, complete, load_model, read_back,
};

pub use hearth_audio::Level;
pub use hearth_transcribe::live::LiveEvent;

/// Where and how long to record.
#[derive(Debug, Clone, Default)]
pub struct RecordOptions {
    /// Microphone id or name (`None`: the system default input).
    pub device: Option<String>,
    /// The other side of the call.
    pub system: SystemAudio,
    /// Stop by itself after this many seconds of captured audio.
    pub max_secs: Option<f64>,
    /// How far the other side's live transcript may fall behind its audio before it is left
    /// for after the meeting (`None`: [`LIVE_LAG_LIMIT`]).
    pub live_lag_limit: Option<Duration>,
}

/// How far the other side's live transcript may fall behind by default. Both sides keep up
/// on two cores with tiny.en (final text p95 ≈ 3 s, benches/two_streams); a machine that
/// cannot would show text half a minute late while starving the advisor's own side, so
/// the other side is then transcribed after the meeting only, and the meeting says so.
pub const LIVE_LAG_LIMIT: Duration = Duration::from_secs(30);

/// What the meeting says when the other side's live transcript was given up.
const LIVE_GAVE_UP: &str = "This computer could not transcribe both sides live, so the other side of the call was transcribed after the meeting.";

/// How far a live transcript is behind its audio, and whether it was given up for that: the
/// feed counts the samples it sent, the event forwarder compares them with how much audio the
/// transcriber has read (its `Progress`).
#[derive(Debug)]
struct LiveLag {
    limit: Duration,
    sent_samples: AtomicU64,
    gave_up: AtomicBool,
}

impl LiveLag {
    fn new(limit: Duration) -> Self {
        Self {
            limit,
            sent_samples: AtomicU64::new(0),
            gave_up: AtomicBool::new(false),
        }
    }

    fn sent(&self, samples: usize) {
        self.sent_samples
            .fetch_add(samples as u64, Ordering::Relaxed);
    }

    /// Whether a transcriber that has read `audio_ms` is more than the limit behind what
    /// was sent.
    fn too_far_behind(&self, audio_ms: u64) -> bool {
        let sent_ms =
            self.sent_samples.load(Ordering::Relaxed) * 1000 / u64::from(hearth_audio::TARGET_RATE);
        sent_ms.saturating_sub(audio_ms) > self.limit.as_millis() as u64
    }

    fn give_up(&self) {
        self.gave_up.store(true, Ordering::SeqCst);
    }

    fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }
}

/// The notices that apply, as one (`None` when none does).
fn joined(notices: &[Option<&str>]) -> Option<String> {
    let present: Vec<&str> = notices.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| present.join(" "))
}

/// Whether to record the system audio — the other side of a video call — beside the
/// microphone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SystemAudio {
    /// The default output's system audio where this computer can record it; otherwise the
    /// microphone alone, and the meeting says so.
    #[default]
    Auto,
    /// This system-audio source (`hearth audio devices`); failing to open it stops the start.
    Device(String),
    /// The microphone only (a meeting in the room).
    Off,
}

type LevelFn = Arc<Mutex<dyn FnMut(SourceKind, Level) + Send>>;
type LiveFn = Arc<Mutex<dyn FnMut(SourceKind, &LiveEvent) + Send>>;

/// One captured stream with its live transcript.
struct Side {
    session: CaptureSession,
    live_end: LiveEnd,
}

impl Side {
    /// Starts capturing `kind` into `writer`, with levels and live text tagged with `kind`.
    #[allow(clippy::too_many_arguments)] // the parts of one stream, each needed once
    fn start(
        kind: SourceKind,
        device: Option<String>,
        max_secs: Option<f64>,
        anchor: Instant,
        writer: SealedWriter,
        stop: Arc<AtomicBool>,
        paused: Arc<AtomicBool>,
        live: LiveTranscriber,
        feed: Option<LiveFeed>,
        lag: Option<Arc<LiveLag>>,
        on_level: &LevelFn,
        on_live: &LiveFn,
    ) -> Result<Self> {
        let levels = Arc::clone(on_level);
        let mut recorder = Recorder::new(writer).with_level(move |level| {
            if let Ok(mut f) = levels.lock() {
                f(kind, level);
            }
        });
        match (feed, live.sender()) {
            (Some(feed), _) => recorder = recorder.with_live_fn(feed),
            (None, Some(tx)) => recorder = recorder.with_live(tx),
            (None, None) => {}
        }
        // The live transcriber's events are forwarded on their own thread until the capture
        // ends; then its last utterance is transcribed and forwarded too. It starts first:
        // once a capture runs, stopping it would stop every stream of the recording (they
        // share one stop flag).
        let live_done = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&live_done);
        let on_live = Arc::clone(on_live);
        let emit = move |event: &LiveEvent| {
            if let Ok(mut f) = on_live.lock() {
                f(kind, event);
            }
        };
        let forward = move || {
            while !done.load(Ordering::SeqCst) {
                match live.events().recv_timeout(Duration::from_millis(100)) {
                    Ok(LiveEvent::Progress { audio_ms, .. })
                        if lag.as_ref().is_some_and(|lag| lag.too_far_behind(audio_ms)) =>
                    {
                        // Too far behind to be worth reading: stop it, so the advisor's own
                        // side keeps the cores; the sealed audio is transcribed afterwards.
                        tracing::warn!(
                            ?kind,
                            "the live transcript fell too far behind; leaving it for after the meeting"
                        );
                        if let Some(lag) = &lag {
                            lag.give_up();
                        }
                        live.cancel();
                        break;
                    }
                    Ok(event) => emit(&event),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    // The transcriber has ended (failed or cancelled): nothing more to wait for.
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            let (result, events) = live.finish();
            for event in events.try_iter() {
                emit(&event);
            }
            match result {
                Ok(segments) => Some(segments),
                Err(e) => {
                    tracing::warn!(error = %e, "live transcription failed; the recording is transcribed in full");
                    None
                }
            }
        };
        let live = std::thread::Builder::new()
            .name("hearth-live-events".into())
            .spawn(forward)
            .map_err(|e| {
                hearth_audio::AudioError::Device(format!(
                    "cannot start the live transcript thread: {e}"
                ))
            })?;
        let live_end = LiveEnd {
            live_done: StopOnDrop(live_done),
            live,
        };
        let session = match CaptureSession::start_with_stop(
            CaptureOptions {
                device,
                kind,
                max_secs,
                anchor: Some(anchor),
                paused: Some(paused),
                ..CaptureOptions::default()
            },
            recorder,
            stop,
        ) {
            Ok(session) => session,
            Err(e) => {
                live_end.finish();
                return Err(e.into());
            }
        };
        Ok(Self { session, live_end })
    }

    /// Waits for the capture to end; the live transcript is still finishing.
    fn end_capture(self) -> (Result<CaptureReport, hearth_audio::AudioError>, LiveEnd) {
        (self.session.wait(), self.live_end)
    }
}

/// A stream's live transcript after its capture ended.
struct LiveEnd {
    live_done: StopOnDrop,
    live: JoinHandle<Option<Vec<Segment>>>,
}

impl LiveEnd {
    /// Transcribes the last utterance and returns the live transcript's final segments.
    fn finish(self) -> Option<Vec<Segment>> {
        self.live_done.0.store(true, Ordering::SeqCst);
        self.live.join().ok().flatten()
    }
}

/// What a recorder hands its 16 kHz audio to for the live transcript.
type LiveFeed = Box<dyn FnMut(&[f32]) -> bool + Send>;

/// Releases the microphone audio an [`EchoGate`] holds back once the system stream ends
/// (the end of the meeting, or its device lost): dropped with the system recorder.
struct GateEnd {
    gate: Arc<Mutex<EchoGate>>,
    mic: Option<std::sync::mpsc::Sender<Vec<f32>>>,
}

impl Drop for GateEnd {
    fn drop(&mut self) {
        let rest = self.gate.lock().map(|mut g| g.finish()).unwrap_or_default();
        if let Some(tx) = &self.mic
            && !rest.is_empty()
        {
            let _ = tx.send(rest);
        }
    }
}

/// The live feeds of a call's two streams: the system audio goes to its own live transcript
/// and into the echo gate, the microphone through the gate, so the live transcript does not
/// show the client's words (heard from the speakers) as the advisor's.
/// The other side's live transcript is fed until `lag` says it was given up.
fn gated_feeds(
    mic_live: &LiveTranscriber,
    system_live: &LiveTranscriber,
    lag: Arc<LiveLag>,
) -> (LiveFeed, LiveFeed) {
    let gate = Arc::new(Mutex::new(EchoGate::default()));
    let mic_tx = mic_live.sender();
    let system_tx = system_live.sender();
    let send_mic = {
        let mic_tx = mic_tx.clone();
        move |samples: Vec<f32>| {
            if let Some(tx) = &mic_tx
                && !samples.is_empty()
            {
                let _ = tx.send(samples);
            }
        }
    };
    let end = GateEnd {
        gate: Arc::clone(&gate),
        mic: mic_tx,
    };
    let system_gate = Arc::clone(&gate);
    let send = send_mic.clone();
    let system_feed = move |samples: &[f32]| {
        let _ends_the_gate = &end;
        if let Some(tx) = &system_tx
            && !lag.gave_up()
        {
            lag.sent(samples.len());
            let _ = tx.send(samples.to_vec());
        }
        if let Ok(mut g) = system_gate.lock() {
            send(g.push_system(samples));
        }
        true
    };
    let mic_feed = move |samples: &[f32]| {
        if let Ok(mut g) = gate.lock() {
            send_mic(g.push_mic(samples));
        }
        true
    };
    (Box::new(mic_feed), Box::new(system_feed))
}

/// A meeting being recorded: its consent is recorded, the microphone (and the other side of
/// the call, when there is one) captured into sealed audio files, levels and live text go to
/// the callbacks given to [`Recording::start`]. Dropping it stops the capture (the sealed
/// audio stays for [`Captured::finish`] or is removed by [`abandon`]).
pub struct Recording {
    meeting_id: String,
    key: AudioKey,
    model: Arc<Transcriber>,
    threads: usize,
    stop: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    mic: Side,
    system: Option<Side>,
    /// Whether the other side's live transcript was given up (see [`LIVE_LAG_LIMIT`]).
    system_lag: Arc<LiveLag>,
    notice: Option<String>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("meeting_id", &self.meeting_id)
            .field("system", &self.system.is_some())
            .finish_non_exhaustive()
    }
}

impl Recording {
    /// Checks consent (refused → nothing written), loads the model (missing → nothing
    /// written), records consent as a new meeting (method `in_app`) and starts capturing
    /// the microphone and, per [`RecordOptions::system`], the other side of the call.
    /// Returns once audio flows. `on_level` is called for every buffer a device delivers
    /// (throttle it for a display); `on_live` gets the live transcript's partial and final
    /// text; both say which stream. If a device cannot be opened, the meeting keeps its
    /// consent record, marked without audio, and the device's error is returned.
    pub fn start(
        profile: &mut Profile,
        m: &MeetingAudio,
        options: RecordOptions,
        on_level: impl FnMut(SourceKind, Level) + Send + 'static,
        on_live: impl FnMut(SourceKind, &LiveEvent) + Send + 'static,
    ) -> Result<Self> {
        check(profile, m)?;
        let model = Arc::new(load_model(m.model.as_deref())?);
        let Begun {
            meeting_id,
            key,
            writer,
        } = begin(profile, m, ConsentMethod::InApp)?;
        let on_level: LevelFn = Arc::new(Mutex::new(on_level));
        let on_live: LiveFn = Arc::new(Mutex::new(on_live));
        let stop = Arc::new(AtomicBool::new(false));
        // Both streams are timed from here, whichever device opens first.
        let anchor = Instant::now();
        // Two live transcripts share the threads: on two cores, one thread each kept both
        // sides' final text within ~2 s (p50) where two each fell behind (benches/two_streams).
        let live_threads = if options.system == SystemAudio::Off {
            m.threads
        } else {
            (m.threads / 2).max(1)
        };
        let new_live = || {
            LiveTranscriber::start(
                Arc::clone(&model),
                LiveOptions {
                    n_threads: live_threads,
                    ..LiveOptions::default()
                },
            )
        };
        let paused = Arc::new(AtomicBool::new(false));
        let start_side = |kind, device, writer, live, feed, lag| {
            Side::start(
                kind,
                device,
                options.max_secs,
                anchor,
                writer,
                Arc::clone(&stop),
                Arc::clone(&paused),
                live,
                feed,
                lag,
                &on_level,
                &on_live,
            )
        };
        let system_lag = Arc::new(LiveLag::new(
            options.live_lag_limit.unwrap_or(LIVE_LAG_LIMIT),
        ));
        let mic_live = match new_live() {
            Ok(live) => live,
            Err(e) => {
                drop(writer);
                abandon(profile, &meeting_id);
                return Err(e.into());
            }
        };
        let mut mic_feed = None;
        // The other side first: when it cannot be had and must be, nothing else started.
        let mut notice = None;
        let system = match &options.system {
            SystemAudio::Off => None,
            chosen => {
                let device = match chosen {
                    SystemAudio::Device(d) => Some(d.clone()),
                    _ => None,
                };
                let path = profile.system_audio_path(&meeting_id);
                let started = new_live()
                    .map_err(crate::RecordingError::from)
                    .and_then(|live| {
                        let writer = SealedWriter::create(
                            &path,
                            &key,
                            hearth_audio::TARGET_RATE,
                            CHUNK_SECS,
                        )?;
                        let (mic_gated, system_feed) =
                            gated_feeds(&mic_live, &live, Arc::clone(&system_lag));
                        let side = start_side(
                            SourceKind::SystemAudio,
                            device,
                            writer,
                            live,
                            Some(system_feed),
                            Some(Arc::clone(&system_lag)),
                        )?;
                        mic_feed = Some(mic_gated);
                        Ok(side)
                    });
                match started {
                    Ok(side) => Some(side),
                    Err(e) => {
                        let _ = std::fs::remove_file(&path);
                        if *chosen != SystemAudio::Auto {
                            drop(writer);
                            abandon(profile, &meeting_id);
                            return Err(e);
                        }
                        tracing::warn!(error = %e, "the other side of the call cannot be recorded; recording the microphone only");
                        notice = Some(format!(
                            "Only the microphone was recorded: {e}. If this was a call, the other side is missing."
                        ));
                        None
                    }
                }
            }
        };
        let mic = match start_side(
            SourceKind::Microphone,
            options.device.clone(),
            writer,
            mic_live,
            mic_feed,
            None,
        ) {
            Ok(side) => side,
            Err(e) => {
                stop.store(true, Ordering::SeqCst);
                if let Some(system) = system {
                    let (_, live) = system.end_capture();
                    live.finish();
                }
                abandon(profile, &meeting_id);
                return Err(e);
            }
        };
        Ok(Self {
            meeting_id,
            key,
            model,
            threads: m.threads,
            stop,
            paused,
            mic,
            system,
            system_lag,
            notice,
        })
    }

    /// The meeting's id.
    pub fn meeting_id(&self) -> &str {
        &self.meeting_id
    }

    /// Whether the other side of the call is being recorded.
    pub fn records_other_side(&self) -> bool {
        self.system.is_some()
    }

    /// Pauses (`true`) or resumes the recording. While paused nothing the devices hear is
    /// kept: both streams record silence, so the meeting's timeline runs on.
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    /// Whether the recording is paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// A flag that stops the capture when set (e.g. from a key press on another thread).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Whether the microphone's capture ended by itself (duration reached, device lost) or
    /// was stopped through [`Self::stop_flag`].
    pub fn is_finished(&self) -> bool {
        self.mic.session.is_finished()
    }

    /// Stops the capture (the sealed files are finished and fsynced) and the live transcript
    /// (its last utterance is transcribed and reported). Needs no profile.
    pub fn stop(self) -> Captured {
        self.stop.store(true, Ordering::SeqCst);
        self.wait()
    }

    /// Waits until the microphone's capture ends by itself (or through
    /// [`Self::stop_flag`]), then stops the other side too, as [`Self::stop`].
    pub fn wait(self) -> Captured {
        // Both captures end before either live transcript finishes: the microphone's live
        // audio waits in the echo gate until the system stream has ended.
        let (capture, mic_live) = self.mic.end_capture();
        self.stop.store(true, Ordering::SeqCst);
        let system = self.system.map(Side::end_capture);
        let live = mic_live.finish();
        let system = system.map(|(capture, live)| {
            live.finish();
            capture
        });
        let gave_up = self.system_lag.gave_up().then_some(LIVE_GAVE_UP);
        let notice = joined(&[self.notice.as_deref(), gave_up]);
        Captured {
            meeting_id: self.meeting_id,
            key: self.key,
            model: self.model,
            threads: self.threads,
            capture,
            system,
            live,
            notice,
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
    /// How the microphone's capture ended (what was sealed, why it stopped), or why it
    /// failed.
    pub capture: Result<CaptureReport, hearth_audio::AudioError>,
    /// The same for the other side of the call, when it was recorded.
    pub system: Option<Result<CaptureReport, hearth_audio::AudioError>>,
    /// The microphone's live transcript's final segments (`None` when live transcription
    /// failed).
    pub live: Option<Vec<Segment>>,
    notice: Option<String>,
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
        let system_notice = match &self.system {
            Some(Err(e)) => {
                // The microphone's half stands on its own; say what is missing.
                let _ = std::fs::remove_file(profile.system_audio_path(&self.meeting_id));
                Some(format!(
                    "The other side of the call could not be recorded ({e}); this transcript holds the microphone only."
                ))
            }
            Some(Ok(report)) => match &report.stop {
                StopReason::DeviceLost(why) => Some(format!(
                    "The other side's audio stopped after {:.0} s ({why}); what was said after that is missing.",
                    report.recording.secs()
                )),
                _ => None,
            },
            None => None,
        };
        let notice = joined(&[system_notice.as_deref(), self.notice.as_deref()]);
        let mut transcription = read_back(profile, &self.meeting_id, &self.key)?;
        if transcription.notice.is_none() {
            transcription.notice = notice;
        }
        Ok(transcription)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_transcript_is_behind_by_what_was_sent_and_not_yet_read() {
        let lag = LiveLag::new(Duration::from_secs(30));
        let no_slack = LiveLag::new(Duration::ZERO);
        // 40 s of audio sent in 100 ms buffers.
        for _ in 0..400 {
            lag.sent(1_600);
            no_slack.sent(1_600);
        }
        assert!(lag.too_far_behind(5_000), "35 s behind");
        assert!(
            !lag.too_far_behind(10_000),
            "exactly 30 s behind is still keeping up"
        );
        assert!(!lag.too_far_behind(39_900));
        // Read ahead of what was counted (a buffer in flight): not behind.
        assert!(!lag.too_far_behind(41_000));
        assert!(
            no_slack.too_far_behind(39_900),
            "with no slack, any backlog"
        );
        assert!(!lag.gave_up());
        lag.give_up();
        assert!(lag.gave_up());
    }

    #[test]
    fn notices_that_apply_are_joined_in_order() {
        assert_eq!(joined(&[None, None]), None);
        assert_eq!(joined(&[None, Some("b.")]).as_deref(), Some("b."));
        assert_eq!(joined(&[Some("a."), Some("b.")]).as_deref(), Some("a. b."));
    }
}
