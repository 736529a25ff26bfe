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
    Error(cpal::Error),
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
            .spawn(move || run(options, recorder, flag, ready_tx))
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
                let _ = err_tx.send(Msg::Error(e));
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

fn run(
    options: CaptureOptions,
    mut recorder: Recorder,
    stop: Arc<AtomicBool>,
    ready: Sender<Result<()>>,
) -> Result<CaptureReport> {
    let host = cpal::default_host();
    let first =
        find_device(&host, options.device.as_deref()).and_then(|d| open_stream(&d).map(|s| (d, s)));
    let (device, (mut stream, mut rx)) = match first {
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
    let mut devices = vec![device_id(&device)];
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
                Ok(Msg::Error(e)) if is_fatal(e.kind()) => break e.to_string(),
                Ok(Msg::Error(e)) => tracing::warn!(error = %e, "capture glitch"),
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
            let candidate = find_device(&host, options.device.as_deref())
                .or_else(|_| find_device(&host, None))
                .and_then(|d| open_stream(&d).map(|s| (d, s)));
            if let Ok(v) = candidate {
                reopened_now = Some(v);
                break;
            }
        }
        match reopened_now {
            Some((d, s)) => {
                reopened += 1;
                devices.push(device_id(&d));
                (stream, rx) = s;
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
