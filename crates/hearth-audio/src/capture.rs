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
use crate::{AudioError, Result};

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
}

/// Lists the input devices of the default audio host.
pub fn input_devices() -> Result<Vec<InputDevice>> {
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
        let name = d
            .description()
            .map(|desc| desc.name().to_string())
            .unwrap_or_else(|_| id.clone());
        let native_format = d.default_input_config().ok().map(|c| {
            format!(
                "{} Hz, {} ch, {}",
                c.sample_rate(),
                c.channels(),
                c.sample_format()
            )
        });
        out.push(InputDevice {
            is_default: default_id.as_deref() == Some(id.as_str()),
            id,
            name,
            native_format,
        });
    }
    Ok(out)
}

/// How to record.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// Device id or name (`None`: the system default input).
    pub device: Option<String>,
    /// Stop after this much audio (seconds of captured sound, not wall-clock time).
    pub max_secs: Option<f64>,
    /// How many times to try reopening after the device disappears before stopping.
    pub reopen_attempts: u32,
    /// A device that delivers nothing for this long is treated as gone.
    pub stall_timeout: Duration,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        Self {
            device: None,
            max_secs: None,
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

/// The default cpal host.
struct CpalInput {
    host: cpal::Host,
}

impl Input for CpalInput {
    type Stream = cpal::Stream;

    fn open(&mut self, wanted: Option<&str>) -> Result<(cpal::Stream, Receiver<Msg>, String)> {
        let device = find_device(&self.host, wanted)?;
        let (stream, rx) = open_stream(&device)?;
        Ok((stream, rx, device_id(&device)))
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
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
        let flag = Arc::clone(&stop);
        let join = std::thread::Builder::new()
            .name("hearth-capture".into())
            .spawn(move || {
                let mut input = CpalInput {
                    host: cpal::default_host(),
                };
                run(&mut input, options, recorder, flag, ready_tx)
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

fn open_stream(device: &cpal::Device) -> Result<(cpal::Stream, Receiver<Msg>)> {
    let supported = device
        .default_input_config()
        .map_err(|e| AudioError::Device(e.to_string()))?;
    let config = supported.config();
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
    let stop_reason = 'outer: loop {
        // Drain what the stream delivered.
        let lost: String = loop {
            if stop.load(Ordering::SeqCst) {
                break 'outer StopReason::Requested;
            }
            if options
                .max_secs
                .is_some_and(|m| recorder.captured_secs() >= m)
            {
                break 'outer StopReason::Duration;
            }
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Msg::Data {
                    samples,
                    channels,
                    rate,
                }) => {
                    last_data = Instant::now();
                    let take = match options.max_secs {
                        // Stop exactly at the requested length.
                        Some(m) => {
                            let left = ((m - recorder.captured_secs()) * f64::from(rate))
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
                    if last_data.elapsed() > options.stall_timeout {
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
    }

    struct Scripted {
        openings: VecDeque<Opening>,
        asked: Vec<Option<String>>,
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
        let dir = tempfile::tempdir().unwrap();
        let key = AudioKey::generate().unwrap();
        let path = dir.path().join("meeting.hca");
        let writer = SealedWriter::create(&path, &key, TARGET_RATE, 1.0).unwrap();
        let mut input = Scripted {
            openings: openings.into(),
            asked: Vec::new(),
        };
        let options = CaptureOptions {
            device: device.map(str::to_owned),
            reopen_attempts: 2,
            ..CaptureOptions::default()
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
                },
                Opening {
                    id: "headset",
                    is_default: false,
                    rate: 8_000,
                    channels: 1,
                    secs: 1.5,
                    ends_with_error: false,
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
                },
                Opening {
                    id: "laptop-mic",
                    is_default: true,
                    rate: 16_000,
                    channels: 1,
                    secs: 1.0,
                    ends_with_error: false,
                },
            ],
            Some("usb-mic"),
        );
        assert_eq!(report.devices, vec!["usb-mic", "laptop-mic"]);
        assert_eq!(report.reopened, 1);
        assert_eq!(samples.len(), 32_000, "both seconds are kept");
        assert!(matches!(report.stop, StopReason::DeviceLost(_)));
    }
}
