//! Importing recordings made elsewhere (WAV, MP3, M4A/AAC, FLAC, OGG/Vorbis).

use std::path::{Path, PathBuf};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::resample::MonoResampler;
use crate::{AudioError, Result, TARGET_RATE, io_err};

/// A decoded recording, converted to 16 kHz mono.
#[derive(Debug, Clone)]
pub struct DecodedAudio {
    /// Samples at 16 kHz, mono, in −1..1.
    pub samples: Vec<f32>,
    /// The file's own sample rate.
    pub source_rate: u32,
    /// The file's own channel count.
    pub source_channels: u16,
    /// Codec, e.g. `pcm_s16le`, `mp3`, `aac`, `flac`, `vorbis`.
    pub codec: String,
    /// Packets that failed to decode and were skipped (damaged frames in the middle).
    pub skipped_packets: usize,
}

impl DecodedAudio {
    /// Duration in seconds.
    pub fn duration_secs(&self) -> f64 {
        self.samples.len() as f64 / f64::from(TARGET_RATE)
    }
}

/// Decodes a recording and converts it to 16 kHz mono. Nothing is written anywhere.
///
/// Errors are specific: an empty file, a file that is not audio, a container whose codec is
/// not supported, a WAV/FLAC shorter than its header declares (truncated), a track with no
/// samples.
pub fn decode_file(path: &Path) -> Result<DecodedAudio> {
    let meta = std::fs::metadata(path).map_err(io_err("reading", path))?;
    if !meta.is_file() {
        return Err(AudioError::NotAudio {
            path: path.to_path_buf(),
            detail: "not a regular file".into(),
        });
    }
    if meta.len() == 0 {
        return Err(AudioError::Empty(path.to_path_buf()));
    }
    let file = std::fs::File::open(path).map_err(io_err("reading", path))?;
    decode_source(Box::new(file), path)
}

/// [`decode_file`] for a recording already in memory (the desktop app receives the bytes
/// from the file picker): nothing touches the disk, so no plaintext copy of the audio is
/// ever written. `name` is the file's name; its extension guides the format probe and it is
/// what errors mention.
pub fn decode_bytes(bytes: Vec<u8>, name: &str) -> Result<DecodedAudio> {
    let path = Path::new(name);
    if bytes.is_empty() {
        return Err(AudioError::Empty(path.to_path_buf()));
    }
    decode_source(Box::new(std::io::Cursor::new(bytes)), path)
}

fn decode_source(
    source: Box<dyn symphonia::core::io::MediaSource>,
    path: &Path,
) -> Result<DecodedAudio> {
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let p = || path.to_path_buf();
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| probe_error(p(), e))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| AudioError::NotAudio {
            path: p(),
            detail: "no audio track".into(),
        })?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let declared_frames = params.n_frames;
    let codec_name = symphonia::default::get_codecs()
        .get_codec(params.codec)
        .map(|d| d.short_name.to_string());
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| AudioError::UnsupportedCodec {
            path: p(),
            codec: codec_name.clone().unwrap_or_else(|| match e {
                SymError::Unsupported(what) => format!("{what}, codec id {}", params.codec),
                other => format!("codec id {}: {other}", params.codec),
            }),
        })?;

    let mut resampler: Option<MonoResampler> = None;
    let mut samples = Vec::new();
    let mut decoded_frames: u64 = 0;
    let mut skipped = 0usize;
    let mut good = 0usize;
    let mut ended_early: Option<String> = None;
    let mut sample_buf: Option<SampleBuffer<f32>> = None;
    let (mut source_rate, mut source_channels) = (0u32, 0u16);
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(SymError::IoError(e)) => {
                ended_early = Some(e.to_string());
                break;
            }
            Err(e) => {
                ended_early = Some(e.to_string());
                break;
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(buf) => buf,
            Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => {
                skipped += 1;
                continue;
            }
            Err(e) => {
                return Err(AudioError::Decode {
                    path: p(),
                    detail: e.to_string(),
                });
            }
        };
        let spec = *buf.spec();
        let channels = u16::try_from(spec.channels.count()).unwrap_or(0);
        if buf.frames() == 0 {
            continue;
        }
        good += 1;
        decoded_frames += buf.frames() as u64;
        let sb = match sample_buf.as_mut() {
            Some(sb) if sb.capacity() >= buf.capacity() * spec.channels.count() => sb,
            _ => sample_buf.insert(SampleBuffer::<f32>::new(buf.capacity() as u64, spec)),
        };
        sb.copy_interleaved_ref(buf);
        let format_changed = resampler
            .as_ref()
            .is_none_or(|r| r.rate() != spec.rate || r.channels() != channels);
        if format_changed {
            if let Some(mut old) = resampler.take() {
                old.finish(&mut samples)?;
            }
            resampler = Some(MonoResampler::new(spec.rate, channels)?);
            if source_rate == 0 {
                (source_rate, source_channels) = (spec.rate, channels);
            }
        }
        if let Some(r) = resampler.as_mut() {
            r.push(sb.samples(), &mut samples)?;
        }
    }
    if let Some(mut r) = resampler.take() {
        r.finish(&mut samples)?;
    }
    let codec = codec_name.unwrap_or_else(|| format!("codec id {}", params.codec));
    if good == 0 {
        if skipped > 0 {
            return Err(AudioError::Decode {
                path: p(),
                detail: format!("none of its {skipped} audio packets could be decoded"),
            });
        }
        if declared_frames.is_some_and(|n| n > 0) || ended_early.is_some() {
            return Err(AudioError::Truncated {
                path: p(),
                detail: format!(
                    "the header announces {} frames but the file holds none",
                    declared_frames.unwrap_or(0)
                ),
            });
        }
        return Err(AudioError::NoSamples(p()));
    }
    // Lossless containers state their exact length: coming up short means the file was cut.
    let exact_length = codec.starts_with("pcm") || codec == "flac";
    if let Some(declared) = declared_frames
        && exact_length
        && decoded_frames < declared
    {
        let rate = f64::from(params.sample_rate.unwrap_or(source_rate).max(1));
        return Err(AudioError::Truncated {
            path: p(),
            detail: format!(
                "the header announces {:.1} s of audio but the file holds {:.1} s",
                declared as f64 / rate,
                decoded_frames as f64 / rate
            ),
        });
    }
    if let Some(why) = ended_early {
        tracing::warn!(%why, "recording ended with a read error; keeping what was decoded");
    }
    if samples.iter().all(|s| *s == 0.0) && samples.len() < 160 {
        return Err(AudioError::NoSamples(p()));
    }
    Ok(DecodedAudio {
        samples,
        source_rate,
        source_channels,
        codec,
        skipped_packets: skipped,
    })
}

fn probe_error(path: PathBuf, e: SymError) -> AudioError {
    match e {
        SymError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            AudioError::Truncated {
                path,
                detail: "the file ends inside its header".into(),
            }
        }
        SymError::IoError(io) => AudioError::Io {
            action: "reading",
            path,
            source: io,
        },
        SymError::Unsupported(what) if what.contains("no suitable format reader") => {
            AudioError::NotAudio {
                path,
                detail: "no known audio container".into(),
            }
        }
        SymError::Unsupported(what) => AudioError::UnsupportedCodec {
            path,
            codec: what.to_string(),
        },
        other => AudioError::NotAudio {
            path,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/audio")
            .join(name)
    }

    #[test]
    fn bytes_decode_like_the_file_they_came_from() {
        for name in ["speech.mp3", "speech.m4a"] {
            let path = fixture(name);
            let from_file = decode_file(&path).unwrap();
            let from_bytes = decode_bytes(std::fs::read(&path).unwrap(), name).unwrap();
            assert_eq!(from_file.samples, from_bytes.samples, "{name}");
            assert!(from_bytes.duration_secs() > 10.0, "{name}");
        }
    }

    #[test]
    fn bad_bytes_are_named_errors() {
        assert!(matches!(
            decode_bytes(Vec::new(), "call.wav"),
            Err(AudioError::Empty(p)) if p == Path::new("call.wav")
        ));
        let e = decode_bytes(b"not a recording at all".to_vec(), "call.wav").unwrap_err();
        assert!(e.to_string().contains("call.wav"), "{e}");
    }
}
