//! Recording from an input device with cpal, on a thread of its own.
//!
//! The device is opened at its native (default) format; conversion to 16 kHz mono happens in
//! the [`Recorder`]. A stream error that means the device is gone or its configuration
//! changed (a Bluetooth headset switching profile and rate, a USB microphone pulled out)
//! closes the stream and reopens the chosen device, or the system default, at whatever
//! format it now has; if nothing can be opened the recording stops cleanly and everything
//! captured so far is kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{ErrorKind, FromSample, SampleFormat, SizedSample, StreamConfig};

use crate::pipeline::{Recorder, RecorderReport};
use crate::{AudioError, Result, system};

/// What a device records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceKind {
    /// A microphone (any input device): the advisor's side of a call, or the whole room.
    #[default]
    Microphone,
    /// What the computer plays — the other side of a video call: a loopback of an output
    /// device (Windows, macOS) or a sink's monitor source (PulseAudio/PipeWire on Linux).
    SystemAudio,
}

impl SourceKind {
    /// `microphone` or `system`, as `hearth audio devices` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Microphone => "microphone",
            SourceKind::SystemAudio => "system",
        }
    }
}

/// An input device as `hearth audio devices` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputDevice {
    /// The identifier to pass as `--device` (ALSA pcm name, CoreAudio/WASAPI id).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Whether this is the host's default input.
    pub is_default: bool,
    /// Native format, e.g. `48000 Hz, 2 ch, f32`, when the device answers.
    pub native_format: Option<String>,
    /// A microphone (`--mic`) or a system-audio source (`--system`).
    pub kind: SourceKind,
}

fn format_of(config: &cpal::SupportedStreamConfig) -> String {
    format!(
        "{} Hz, {} ch, {}",
        config.sample_rate(),
        config.channels(),
        config.sample_format()
    )
}

/// Lists the microphones of the default audio host, then the system-audio sources (none
/// where the platform has no way to record system audio).
pub fn input_devices() -> Result<Vec<InputDevice>> {
    let mut out = microphones()?;
    if let Ok(host) = system::host()
        && let Ok(sources) = system::devices(&host)
    {
        out.extend(sources.into_iter().map(|s| {
            let config = if s.loopback {
                s.device.default_output_config()
            } else {
                s.device.default_input_config()
            };
            InputDevice {
                native_format: config.ok().as_ref().map(format_of),
                id: s.id,
                name: s.name,
                is_default: s.is_default,
                kind: SourceKind::SystemAudio,
            }
        }));
    }
    Ok(out)
}

fn microphones() -> Result<Vec<InputDevice>> {
    let host = cpal::default_host();
    let default_id = host
        .default_input_device()
        .and_then(|d| d.id().ok())
        .map(|id| id.id().to_string());
    let devices = host
        .input_devices()
        .map_err(|e| AudioError::Device(e.to_string()))?;
    let mut out = Vec::new();
    for d in devices {
        let Ok(id) = d.id() else { continue };
        let id = id.id().to_string();
        if system::is_monitor(&id) {
            continue;
        }
        let name = d
            .description()
            .map(|desc| desc.name().to_string())
            .unwrap_or_else(|_| id.clone());
        let native_format = d.default_input_config().ok().as_ref().map(format_of);
        out.push(InputDevice {
            is_default: default_id.as_deref() == Some(id.as_str()),
            id,
            name,
            native_format,
            kind: SourceKind::Microphone,
        });
    }
    Ok(out)
}

/// How to record.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// Device id or name (`None`: the system default input, or the default output's
    /// system audio).
    pub device: Option<String>,
    /// A microphone, or the system audio (whose silences are filled in: a loopback delivers
    /// nothing while nothing plays, and the stream keeps time with the microphone's).
    pub kind: SourceKind,
    /// Stop after this much audio (seconds of captured sound, not wall-clock time).
    pub max_secs: Option<f64>,
    /// Time zero of the recording: silence from it to the moment the device opened comes
    /// first, so streams opened one after the other (the microphone and the system audio)
    /// share one timeline. `None`: the recording starts when the device opens.
    pub anchor: Option<Instant>,
    /// While set, what the device delivers is kept as silence: the advisor paused the
    /// recording; the stream keeps time, so a paused stretch is a silent stretch.
    pub paused: Option<Arc<AtomicBool>>,
    /// How many times to try reopening after the device disappears before stopping.
    pub reopen_attempts: u32,
    /// A device that delivers nothing for this long is treated as gone.
    pub stall_timeout: Duration,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        Self {
            device: None,
            kind: SourceKind::Microphone,
            max_secs: None,
            anchor: None,
            paused: None,
            reopen_attempts: 5,
            stall_timeout: Duration::from_secs(5),
        }
    }
}

/// Why a recording stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// [`CaptureSession::stop`] was called.
    Requested,
    /// [`CaptureOptions::max_secs`] of audio were captured.
    Duration,
    /// The device went away and could not be reopened; what was captured is kept.
    DeviceLost(String),
}

/// What a finished capture produced.
#[derive(Debug, Clone)]
pub struct CaptureReport {
    /// The sealed recording.
    pub recording: RecorderReport,
    /// Why it stopped.
    pub stop: StopReason,
    /// How often the stream was reopened after a device error.
    pub reopened: u32,
    /// Device ids used, in order.
    pub devices: Vec<String>,
}

enum Msg {
    Data {
        samples: Vec<f32>,
        channels: u16,
        rate: u32,
    },
    /// A stream error; `fatal` when the stream will not deliver again and must be rebuilt.
    Error { fatal: bool, message: String },
}

/// Where the capture loop gets its streams: the cpal host, or in tests a scripted stand-in
/// for a headset that changes rate and disappears, which this machine cannot provide.
trait Input {
    /// Keeps a stream running while alive.
    type Stream;
    /// Opens the device `wanted` (the system default for `None`) at its current format:
    /// the stream, its messages and the device's id.
    fn open(&mut self, wanted: Option<&str>) -> Result<(Self::Stream, Receiver<Msg>, String)>;
}

/// A cpal host: the default one for microphones, the system-audio one for system audio.
struct CpalInput {
    host: cpal::Host,
    kind: SourceKind,
}

impl CpalInput {
    fn new(kind: SourceKind) -> Result<Self> {
        let host = match kind {
            SourceKind::Microphone => cpal::default_host(),
            SourceKind::SystemAudio => system::host()?,
        };
        Ok(Self { host, kind })
    }

    /// Whether to ask for ~100 ms buffers: a PulseAudio record stream left to its default
    /// delivers in blocks of about two seconds, which delays live text and would make a quiet
    /// system stream look like a gap to fill. Other hosts keep their defaults.
    fn small_buffers(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.host.id() == cpal::HostId::PulseAudio
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }
}

impl Input for CpalInput {
    type Stream = cpal::Stream;

    fn open(&mut self, wanted: Option<&str>) -> Result<(cpal::Stream, Receiver<Msg>, String)> {
        match self.kind {
            SourceKind::Microphone => {
                let device = find_device(&self.host, wanted)?;
                let (stream, rx) = open_stream(&device, false, self.small_buffers())?;
                Ok((stream, rx, device_id(&device)))
            }
            SourceKind::SystemAudio => {
                let source = system::find(&self.host, wanted)?;
                let (stream, rx) =
                    open_stream(&source.device, source.loopback, self.small_buffers())?;
                Ok((stream, rx, source.id))
            }
        }
    }
}

/// A recording in progress on its own thread.
#[derive(Debug)]
pub struct CaptureSession {
    stop: Arc<AtomicBool>,
    join: Option<JoinHandle<Result<CaptureReport>>>,
}

impl CaptureSession {
    /// Opens the device and starts recording into `recorder`. Returns once the stream runs,
    /// or with the error that prevented it (no such device, device busy, ...).
    pub fn start(options: CaptureOptions, recorder: Recorder) -> Result<Self> {
        Self::start_with_stop(options, recorder, Arc::new(AtomicBool::new(false)))
    }

    /// [`Self::start`] with a stop flag shared with other sessions (a microphone and the
    /// system audio recorded together stop together).
    pub fn start_with_stop(
        options: CaptureOptions,
        recorder: Recorder,
        stop: Arc<AtomicBool>,
    ) -> Result<Self> {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
        let flag = Arc::clone(&stop);
        let join = std::thread::Builder::new()
            .name("hearth-capture".into())
            .spawn(move || match CpalInput::new(options.kind) {
                Ok(mut input) => run(&mut input, options, recorder, flag, ready_tx),
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    let _ = recorder.finish();
                    Err(AudioError::Device("capture did not start".into()))
                }
            })
            .map_err(|e| AudioError::Device(format!("cannot start the capture thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Self {
                stop,
                join: Some(join),
            }),
            Ok(Err(e)) => {
                let _ = join.join();
                Err(e)
            }
            Err(_) => match join.join() {
                Ok(Err(e)) => Err(e),
                _ => Err(AudioError::Device("the capture thread stopped".into())),
            },
        }
    }

    /// A flag that stops the recording when set (e.g. from a Ctrl-C handler).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Whether the capture thread has ended (duration reached or device lost).
    pub fn is_finished(&self) -> bool {
        self.join.as_ref().is_none_or(|j| j.is_finished())
    }

    /// Stops and returns the report; the recording is sealed and fsynced.
    pub fn stop(mut self) -> Result<CaptureReport> {
        self.stop.store(true, Ordering::SeqCst);
        self.join_thread()
    }

    /// Waits until the recording ends by itself (duration reached, device lost, stop flag).
    pub fn wait(mut self) -> Result<CaptureReport> {
        self.join_thread()
    }

    fn join_thread(&mut self) -> Result<CaptureReport> {
        match self.join.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(AudioError::Device("the capture thread panicked".into())),
            None => Err(AudioError::Device("the capture already ended".into())),
        }
    }
}

impl Drop for CaptureSession {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}

fn find_device(host: &cpal::Host, wanted: Option<&str>) -> Result<cpal::Device> {
    let Some(wanted) = wanted else {
        return host.default_input_device().ok_or(AudioError::NoInputDevice);
    };
    let devices: Vec<cpal::Device> = host
        .input_devices()
        .map_err(|e| AudioError::Device(e.to_string()))?
        .collect();
    let matches = |d: &cpal::Device| {
        d.id()
            .is_ok_and(|id| id.id() == wanted || id.to_string() == wanted)
            || d.description().is_ok_and(|desc| desc.name() == wanted)
    };
    if let Some(d) = devices.iter().find(|d| matches(d)) {
        return Ok(d.clone());
    }
    let available = devices
        .iter()
        .filter_map(|d| d.id().ok().map(|id| id.id().to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    Err(AudioError::NoSuchDevice {
        name: wanted.to_string(),
        available,
    })
}

fn build<T>(device: &cpal::Device, config: StreamConfig, tx: Sender<Msg>) -> Result<cpal::Stream>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let channels = config.channels;
    let rate = config.sample_rate;
    let err_tx = tx.clone();
    device
        .build_input_stream::<T, _, _>(
            config,
            move |data: &[T], _| {
                let samples = data.iter().map(|s| f32::from_sample_(*s)).collect();
                let _ = tx.send(Msg::Data {
                    samples,
                    channels,
                    rate,
                });
            },
            move |e| {
                let _ = err_tx.send(Msg::Error {
                    fatal: is_fatal(e.kind()),
                    message: e.to_string(),
                });
            },
            Some(Duration::from_secs(5)),
        )
        .map_err(|e| AudioError::Device(e.to_string()))
}

/// Opens an input stream on `device` at its native format; `loopback` records an output
/// device (WASAPI loopback, Core Audio process tap) at the output's format.
/// With `small_buffers`, the device delivers every ~100 ms.
fn open_stream(
    device: &cpal::Device,
    loopback: bool,
    small_buffers: bool,
) -> Result<(cpal::Stream, Receiver<Msg>)> {
    let supported = if loopback {
        device.default_output_config()
    } else {
        device.default_input_config()
    }
    .map_err(|e| AudioError::Device(e.to_string()))?;
    let mut config = supported.config();
    if small_buffers {
        config.buffer_size = cpal::BufferSize::Fixed((supported.sample_rate() / 10).max(1));
    }
    let (tx, rx) = mpsc::channel();
    let stream = match supported.sample_format() {
        SampleFormat::F32 => build::<f32>(device, config, tx)?,
        SampleFormat::F64 => build::<f64>(device, config, tx)?,
        SampleFormat::I8 => build::<i8>(device, config, tx)?,
        SampleFormat::I16 => build::<i16>(device, config, tx)?,
        SampleFormat::I32 => build::<i32>(device, config, tx)?,
        SampleFormat::U8 => build::<u8>(device, config, tx)?,
        SampleFormat::U16 => build::<u16>(device, config, tx)?,
        SampleFormat::U32 => build::<u32>(device, config, tx)?,
        other => {
            return Err(AudioError::Device(format!(
                "the device's sample format {other} is not supported"
            )));
        }
    };
    stream
        .play()
        .map_err(|e| AudioError::Device(e.to_string()))?;
    tracing::info!(
        rate = supported.sample_rate(),
        channels = supported.channels(),
        format = %supported.sample_format(),
        "capture stream open"
    );
    Ok((stream, rx))
}

fn device_id(device: &cpal::Device) -> String {
    device
        .id()
        .map(|id| id.id().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// How long a system-audio stream may deliver nothing before the silence is filled in
/// (several of the ~100 ms buffers asked for, so late data is not mistaken for a gap).
const GAP: Duration = Duration::from_millis(600);

/// Fills a system-audio stream's silence up to the wall clock once nothing came for [`GAP`]
/// (`idle`: how long nothing came; never past `max_secs`).
fn fill_gap(
    recorder: &mut Recorder,
    started: Instant,
    idle: Duration,
    max_secs: Option<f64>,
) -> Result<()> {
    if idle < GAP {
        return Ok(());
    }
    let behind = started.elapsed().as_secs_f64() - recorder.input_secs();
    if behind < 0.1 {
        return Ok(());
    }
    let left = max_secs.map_or(f64::INFINITY, |max| max - recorder.input_secs());
    if left > 0.0 {
        recorder.push_silence(behind.min(left))?;
    }
    Ok(())
}

/// Errors after which the stream will not deliver again and must be rebuilt.
fn is_fatal(kind: ErrorKind) -> bool {
    !matches!(
        kind,
        ErrorKind::Xrun | ErrorKind::DeviceChanged | ErrorKind::RealtimeDenied
    )
}

fn run<I: Input>(
    input: &mut I,
    options: CaptureOptions,
    mut recorder: Recorder,
    stop: Arc<AtomicBool>,
    ready: Sender<Result<()>>,
) -> Result<CaptureReport> {
    let (mut stream, mut rx, first_id) = match input.open(options.device.as_deref()) {
        Ok(v) => {
            let _ = ready.send(Ok(()));
            v
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            // The caller got the error; nothing was recorded, so the (empty) file is sealed
            // and reported to no one.
            let _ = recorder.finish();
            return Err(AudioError::Device("capture did not start".into()));
        }
    };
    let mut devices = vec![first_id];
    let mut reopened = 0u32;
    let mut last_data = Instant::now();
    // System audio keeps time with the wall clock (and so with the microphone): a loopback
    // delivers nothing while nothing plays, and a reopen takes a moment.
    let started = options.anchor.unwrap_or_else(Instant::now);
    let keeps_time = options.kind == SourceKind::SystemAudio;
    if let Some(anchor) = options.anchor {
        let late = anchor.elapsed().as_secs_f64();
        let late = options.max_secs.map_or(late, |max| late.min(max));
        if late > 0.0 {
            recorder.push_silence(late)?;
        }
    }
    let stop_reason = 'outer: loop {
        // Drain what the stream delivered.
        let lost: String = loop {
            if stop.load(Ordering::SeqCst) {
                break 'outer StopReason::Requested;
            }
            if options
                .max_secs
                .is_some_and(|m| recorder.input_secs() >= m - 0.5 / f64::from(crate::TARGET_RATE))
            {
                break 'outer StopReason::Duration;
            }
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Msg::Data {
                    mut samples,
                    channels,
                    rate,
                }) => {
                    last_data = Instant::now();
                    if options
                        .paused
                        .as_ref()
                        .is_some_and(|p| p.load(Ordering::SeqCst))
                    {
                        samples.fill(0.0);
                    }
                    let take = match options.max_secs {
                        // Stop exactly at the requested length.
                        Some(m) => {
                            let left = ((m - recorder.input_secs()) * f64::from(rate))
                                .ceil()
                                .max(0.0) as usize
                                * usize::from(channels);
                            samples.len().min(left.max(usize::from(channels)))
                        }
                        None => samples.len(),
                    };
                    recorder.push(&samples[..take], channels, rate)?;
                }
                Ok(Msg::Error {
                    fatal: true,
                    message,
                }) => break message,
                Ok(Msg::Error { message, .. }) => {
                    tracing::warn!(error = %message, "capture glitch")
                }
                Err(RecvTimeoutError::Timeout) => {
                    if keeps_time {
                        fill_gap(
                            &mut recorder,
                            started,
                            last_data.elapsed(),
                            options.max_secs,
                        )?;
                    } else if last_data.elapsed() > options.stall_timeout {
                        break "the device stopped delivering audio".to_string();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break "the stream closed".to_string(),
            }
        };
        drop(stream);
        tracing::warn!(reason = %lost, "input device lost; reopening");
        let mut reopened_now = None;
        for attempt in 0..options.reopen_attempts {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            // Back off a little: a headset switching profile needs a moment to come back.
            std::thread::sleep(Duration::from_millis(200 * u64::from(attempt + 1)));
            let candidate = input
                .open(options.device.as_deref())
                .or_else(|_| input.open(None));
            if let Ok(v) = candidate {
                reopened_now = Some(v);
                break;
            }
        }
        if keeps_time {
            // The time the device was away is a gap, however recently it delivered.
            fill_gap(&mut recorder, started, GAP, options.max_secs)?;
        }
        match reopened_now {
            Some((s, r, id)) => {
                reopened += 1;
                devices.push(id);
                (stream, rx) = (s, r);
                last_data = Instant::now();
            }
            None => break StopReason::DeviceLost(lost),
        }
    };
    let recording = recorder.finish()?;
    Ok(CaptureReport {
        recording,
        stop: stop_reason,
        reopened,
        devices,
    })
}

#[cfg(test)]
mod tests {
    //! The capture loop against a scripted device: a Bluetooth headset that switches rate,
    //! drops out and comes back (or does not) cannot be plugged into a CI machine, so these
    //! drive `run` through [`Input`] with the messages cpal would deliver. The real-device
    //! path is `tests/tests/capture.rs` (cpal on an ALSA file device).

    use std::collections::VecDeque;

    use super::*;
    use crate::TARGET_RATE;
    use crate::pipeline::Level;
    use crate::sealed::{AudioKey, SealedWriter, read_sealed};
    use crate::test_signal::tone;

    /// What one opening of a scripted device delivers before it ends.
    struct Opening {
        id: &'static str,
        /// Answers to `None` (the system default) as well as to its id.
        is_default: bool,
        rate: u32,
        channels: u16,
        secs: f32,
        /// A stream error that cpal reports as fatal (`true`), or the stream just closes.
        ends_with_error: bool,
        /// The stream stays open but delivers nothing more (a loopback when nothing plays).
        goes_quiet: bool,
    }

    struct Scripted {
        openings: VecDeque<Opening>,
        asked: Vec<Option<String>>,
        quiet: Vec<Sender<Msg>>,
    }

    impl Input for Scripted {
        type Stream = ();

        fn open(&mut self, wanted: Option<&str>) -> Result<((), Receiver<Msg>, String)> {
            self.asked.push(wanted.map(str::to_owned));
            let answers = self.openings.front().is_some_and(|o| match wanted {
                Some(w) => w == o.id,
                None => o.is_default,
            });
            if !answers {
                return Err(AudioError::NoInputDevice);
            }
            let Some(o) = self.openings.pop_front() else {
                return Err(AudioError::NoInputDevice);
            };
            let (tx, rx) = mpsc::channel();
            let samples = tone(o.rate, o.channels, o.secs);
            let per_buffer = o.rate as usize / 100 * usize::from(o.channels);
            for (i, buffer) in samples.chunks(per_buffer).enumerate() {
                tx.send(Msg::Data {
                    samples: buffer.to_vec(),
                    channels: o.channels,
                    rate: o.rate,
                })
                .unwrap();
                if i == 10 {
                    // An overrun: a glitch, not a reason to reopen.
                    tx.send(Msg::Error {
                        fatal: false,
                        message: "buffer overrun".into(),
                    })
                    .unwrap();
                }
            }
            if o.goes_quiet {
                self.quiet.push(tx.clone());
            }
            if o.ends_with_error {
                tx.send(Msg::Error {
                    fatal: true,
                    message: "The requested device is no longer available".into(),
                })
                .unwrap();
            }
            Ok(((), rx, o.id.to_string()))
        }
    }

    fn capture(
        openings: Vec<Opening>,
        device: Option<&str>,
    ) -> (CaptureReport, Scripted, Vec<f32>) {
        capture_with(
            openings,
            CaptureOptions {
                device: device.map(str::to_owned),
                reopen_attempts: 2,
                ..CaptureOptions::default()
            },
        )
    }

    fn capture_with(
        openings: Vec<Opening>,
        options: CaptureOptions,
    ) -> (CaptureReport, Scripted, Vec<f32>) {
        let dir = tempfile::tempdir().unwrap();
        let key = AudioKey::generate().unwrap();
        let path = dir.path().join("meeting.hca");
        let writer = SealedWriter::create(&path, &key, TARGET_RATE, 1.0).unwrap();
        let mut input = Scripted {
            openings: openings.into(),
            asked: Vec::new(),
            quiet: Vec::new(),
        };
        let (ready, started) = mpsc::channel();
        let report = run(
            &mut input,
            options,
            Recorder::new(writer),
            Arc::new(AtomicBool::new(false)),
            ready,
        )
        .unwrap();
        assert!(started.recv().unwrap().is_ok());
        let sealed = read_sealed(&path, &key).unwrap();
        assert!(sealed.complete, "the recording is sealed and complete");
        (report, input, sealed.samples)
    }

    #[test]
    fn a_headset_that_changes_rate_and_then_disappears_keeps_everything_captured() {
        // 1 s at 48 kHz stereo (A2DP), the stream dies; the headset comes back at 8 kHz mono
        // (HFP) for 1.5 s, then goes away for good.
        let (report, input, samples) = capture(
            vec![
                Opening {
                    id: "headset",
                    is_default: false,
                    rate: 48_000,
                    channels: 2,
                    secs: 1.0,
                    ends_with_error: true,
                    goes_quiet: false,
                },
                Opening {
                    id: "headset",
                    is_default: false,
                    rate: 8_000,
                    channels: 1,
                    secs: 1.5,
                    ends_with_error: false,
                    goes_quiet: false,
                },
            ],
            Some("headset"),
        );
        assert_eq!(
            report.stop,
            StopReason::DeviceLost("the stream closed".into())
        );
        assert_eq!(
            report.reopened, 1,
            "reopened once, after the fatal error only"
        );
        assert_eq!(report.devices, vec!["headset", "headset"]);
        assert_eq!(report.recording.format_changes, 1);
        assert_eq!(report.recording.samples, 40_000, "2.5 s at 16 kHz");
        assert_eq!(samples.len(), 40_000, "all of it is in the sealed file");
        for part in [&samples[1_000..15_000], &samples[17_000..39_000]] {
            let rms = Level::measure(part).rms;
            assert!((rms - 0.4 / 2f32.sqrt()).abs() < 0.02, "rms {rms}");
        }
        // Asked for the headset; after it died: the headset again (back); after it closed:
        // the headset, then the default, per attempt.
        assert_eq!(
            input.asked,
            vec![
                Some("headset".to_string()),
                Some("headset".to_string()),
                Some("headset".to_string()),
                None,
                Some("headset".to_string()),
                None
            ]
        );
    }

    #[test]
    fn a_device_that_goes_away_is_replaced_by_the_default_input() {
        let (report, _, samples) = capture(
            vec![
                Opening {
                    id: "usb-mic",
                    is_default: false,
                    rate: 44_100,
                    channels: 1,
                    secs: 1.0,
                    ends_with_error: true,
                    goes_quiet: false,
                },
                Opening {
                    id: "laptop-mic",
                    is_default: true,
                    rate: 16_000,
                    channels: 1,
                    secs: 1.0,
                    ends_with_error: false,
                    goes_quiet: false,
                },
            ],
            Some("usb-mic"),
        );
        assert_eq!(report.devices, vec!["usb-mic", "laptop-mic"]);
        assert_eq!(report.reopened, 1);
        assert_eq!(samples.len(), 32_000, "both seconds are kept");
        assert!(matches!(report.stop, StopReason::DeviceLost(_)));
    }

    #[test]
    fn a_system_stream_that_goes_quiet_keeps_time_with_the_wall_clock() {
        // A loopback delivers half a second of sound, then nothing while nothing plays; the
        // recording asks for 1.5 s. The silence is filled in, so the stream ends 1.5 s long
        // (in step with a microphone recorded beside it) instead of waiting or stalling.
        let (report, _, samples) = capture_with(
            vec![Opening {
                id: "speakers.monitor",
                is_default: true,
                rate: 48_000,
                channels: 2,
                secs: 0.5,
                ends_with_error: false,
                goes_quiet: true,
            }],
            CaptureOptions {
                kind: SourceKind::SystemAudio,
                max_secs: Some(1.5),
                ..CaptureOptions::default()
            },
        );
        assert_eq!(report.stop, StopReason::Duration);
        assert_eq!(report.reopened, 0, "a quiet loopback is not a lost device");
        assert_eq!(samples.len(), 24_000, "1.5 s at 16 kHz");
        let sound = Level::measure(&samples[1_000..7_000]).rms;
        assert!((sound - 0.4 / 2f32.sqrt()).abs() < 0.02, "rms {sound}");
        assert!(samples[9_000..].iter().all(|s| *s == 0.0), "then silence");
        let voiced = crate::voiced_secs(&samples);
        assert!((voiced - 0.5).abs() < 0.05, "voiced {voiced} s");
    }

    #[test]
    fn a_paused_recording_keeps_time_with_silence() {
        let paused = Arc::new(AtomicBool::new(true));
        let (report, _, samples) = capture_with(
            vec![Opening {
                id: "mic",
                is_default: true,
                rate: 48_000,
                channels: 1,
                secs: 1.0,
                ends_with_error: false,
                goes_quiet: false,
            }],
            CaptureOptions {
                paused: Some(Arc::clone(&paused)),
                reopen_attempts: 0,
                ..CaptureOptions::default()
            },
        );
        assert_eq!(samples.len(), 16_000, "the paused second is still a second");
        assert!(
            samples.iter().all(|s| *s == 0.0),
            "and nothing of it was kept"
        );
        assert_eq!(crate::voiced_secs(&samples), 0.0);
        assert_eq!(report.recording.samples, 16_000);
    }
}
