//! System audio — what the computer plays, i.e. the other side of a video call — found per
//! platform. Each platform's way in is a cpal device; the capture loop treats it like any
//! input (reopen on loss, resample, seal).
//!
//! * **Linux**: the monitor source of the default sink (`<sink>.monitor`), through
//!   PulseAudio's protocol, which PipeWire's pulse server speaks too (cpal's pure-Rust
//!   PulseAudio host; no libpulse). Without either server there is no system audio and the
//!   error says to record with `--no-system`.
//! * **Windows**: WASAPI loopback of the default render device: cpal opens an input stream on
//!   an output device.
//! * **macOS**: a Core Audio process tap (macOS 14.4+) over a private aggregate device; cpal
//!   builds it when an input stream is opened on an output device. When the user denies the
//!   audio-capture permission the tap delivers silent buffers, which the recorder reports as
//!   a silent other side rather than as an empty half passed off as complete.
//!
//! Windows and macOS are compiled by the release workflow on those systems; the Linux path is
//! tested here against a PulseAudio daemon the test starts itself.

use cpal::traits::{DeviceTrait, HostTrait};

use crate::{AudioError, Result};

/// A device that delivers system audio.
pub(crate) struct SystemDevice {
    /// The cpal device the input stream is built on.
    pub device: cpal::Device,
    /// Stable id (`hearth audio devices`, `--system`).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Whether it follows the default output.
    pub is_default: bool,
    /// The stream is a loopback of an output device (its format is the output's).
    pub loopback: bool,
}

fn device_id(device: &cpal::Device) -> Option<String> {
    device.id().ok().map(|id| id.id().to_string())
}

fn device_name(device: &cpal::Device, id: &str) -> String {
    device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| id.to_string())
}

/// The host system audio is recorded through.
#[cfg(target_os = "linux")]
pub(crate) fn host() -> Result<cpal::Host> {
    cpal::host_from_id(cpal::HostId::PulseAudio).map_err(|e| {
        AudioError::NoSystemAudio(format!(
            "on Linux it is recorded from PulseAudio or PipeWire's pulse server, and neither \
             answers ({e}); start one, or record the microphone only with --no-system"
        ))
    })
}

/// The host system audio is recorded through.
#[cfg(any(target_os = "windows", target_os = "macos"))]
pub(crate) fn host() -> Result<cpal::Host> {
    Ok(cpal::default_host())
}

/// The host system audio is recorded through.
#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
pub(crate) fn host() -> Result<cpal::Host> {
    Err(AudioError::NoSystemAudio(
        "this platform has no way to record it; record the microphone only with --no-system".into(),
    ))
}

/// Whether an input device of the default host is a system-audio source (a sink's monitor)
/// rather than a microphone.
pub(crate) fn is_monitor(id: &str) -> bool {
    cfg!(target_os = "linux") && id.ends_with(".monitor")
}

/// The system-audio devices of `host`.
pub(crate) fn devices(host: &cpal::Host) -> Result<Vec<SystemDevice>> {
    if cfg!(target_os = "linux") {
        // Monitors of sinks; the default one follows the default sink.
        let default = host
            .default_output_device()
            .and_then(|d| device_id(&d))
            .map(|sink| format!("{sink}.monitor"));
        let inputs = host
            .input_devices()
            .map_err(|e| AudioError::Device(e.to_string()))?;
        Ok(inputs
            .filter_map(|device| {
                let id = device_id(&device)?;
                is_monitor(&id).then(|| SystemDevice {
                    name: device_name(&device, &id),
                    is_default: default.as_deref() == Some(id.as_str()),
                    id,
                    device,
                    loopback: false,
                })
            })
            .collect())
    } else {
        // Loopback of output devices.
        let default = host.default_output_device().and_then(|d| device_id(&d));
        let outputs = host
            .output_devices()
            .map_err(|e| AudioError::Device(e.to_string()))?;
        Ok(outputs
            .filter_map(|device| {
                let id = device_id(&device)?;
                Some(SystemDevice {
                    name: device_name(&device, &id),
                    is_default: default.as_deref() == Some(id.as_str()),
                    id,
                    device,
                    loopback: true,
                })
            })
            .collect())
    }
}

/// The system-audio device `wanted` (id or name; on Linux a sink's name stands for its
/// monitor), or the default output's for `None`.
pub(crate) fn find(host: &cpal::Host, wanted: Option<&str>) -> Result<SystemDevice> {
    let mut all = devices(host)?;
    let position = match wanted {
        None => all.iter().position(|d| d.is_default),
        Some(w) => all
            .iter()
            .position(|d| d.id == w || d.name == w || d.id.strip_suffix(".monitor") == Some(w)),
    };
    match (position, wanted) {
        (Some(i), _) => Ok(all.swap_remove(i)),
        (None, None) => Err(AudioError::NoSystemAudio(
            "there is no default output device to record from; pick one with --system \
             (`hearth audio devices`), or record the microphone only with --no-system"
                .into(),
        )),
        (None, Some(w)) => Err(AudioError::NoSuchDevice {
            name: w.to_string(),
            available: all
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
