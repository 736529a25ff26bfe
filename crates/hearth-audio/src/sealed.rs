//! The encrypted audio file kept in the profile while a meeting is recorded.
//!
//! ```text
//! header (32 bytes): "HEARTHA1" | u32 LE sample rate | u8 format (1 = PCM s16le, mono)
//!                    | 3 zero bytes | 8-byte random nonce prefix | u64 LE created (ms)
//! chunk:             u32 LE index | u8 flags (bit 0: last chunk) | u32 LE ciphertext length
//!                    | AES-256-GCM ciphertext + 16-byte tag
//! nonce = nonce prefix ‖ u32 BE index;   AAD = header ‖ chunk header
//! ```
//!
//! Every chunk is written and fsynced as soon as it is full (≈ 1–2 s of audio), so a crash
//! loses at most the chunk being filled. Indexes must run 0, 1, 2, …, which with the AAD
//! stops chunks being dropped, reordered or spliced from another file; the last-chunk flag
//! tells a finished recording from a cut one, and a torn final chunk is ignored so a
//! crashed recording still opens up to its last whole chunk.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::{AudioError, Result, io_err};

const MAGIC: &[u8; 8] = b"HEARTHA1";
const HEADER_LEN: usize = 32;
const CHUNK_HEADER_LEN: usize = 9;
const FORMAT_S16LE_MONO: u8 = 1;
const FLAG_LAST: u8 = 1;
const TAG_LEN: usize = 16;
/// Largest chunk a reader accepts (a minute of 48 kHz audio), so a damaged length field
/// cannot make it allocate gigabytes.
const MAX_CHUNK: usize = 48_000 * 2 * 60 + TAG_LEN;

/// A 256-bit key for audio files. The profile keeps it in its encrypted database.
#[derive(Clone)]
pub struct AudioKey([u8; 32]);

impl AudioKey {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let mut k = [0u8; 32];
        SystemRandom::new()
            .fill(&mut k)
            .map_err(|_| AudioError::Crypto("the system random generator failed".into()))?;
        Ok(Self(k))
    }

    /// The raw bytes (to store in the profile database).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn aead(&self) -> Result<LessSafeKey> {
        UnboundKey::new(&AES_256_GCM, &self.0)
            .map(LessSafeKey::new)
            .map_err(|_| AudioError::Crypto("invalid audio key".into()))
    }
}

impl std::fmt::Debug for AudioKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AudioKey(..)")
    }
}

impl Drop for AudioKey {
    fn drop(&mut self) {
        self.0.fill(0);
    }
}

fn nonce(prefix: &[u8; 8], index: u32) -> Nonce {
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(prefix);
    n[8..].copy_from_slice(&index.to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

/// Writes 16 kHz mono audio into an encrypted file, one sealed chunk at a time.
pub struct SealedWriter {
    file: File,
    path: PathBuf,
    key: LessSafeKey,
    header: [u8; HEADER_LEN],
    prefix: [u8; 8],
    next_index: u32,
    pending: Vec<i16>,
    chunk_samples: usize,
    samples_written: u64,
    finished: bool,
}

impl std::fmt::Debug for SealedWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedWriter")
            .field("path", &self.path)
            .field("chunks", &self.next_index)
            .finish_non_exhaustive()
    }
}

impl SealedWriter {
    /// Creates a new file (never overwrites one) and writes its header. A chunk is sealed
    /// and fsynced every `chunk_secs` seconds of audio.
    pub fn create(path: &Path, key: &AudioKey, sample_rate: u32, chunk_secs: f64) -> Result<Self> {
        let mut prefix = [0u8; 8];
        SystemRandom::new()
            .fill(&mut prefix)
            .map_err(|_| AudioError::Crypto("the system random generator failed".into()))?;
        let created = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let mut header = [0u8; HEADER_LEN];
        header[..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&sample_rate.to_le_bytes());
        header[12] = FORMAT_S16LE_MONO;
        header[16..24].copy_from_slice(&prefix);
        header[24..32].copy_from_slice(&created.to_le_bytes());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_err("creating", parent))?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io_err("creating", path))?;
        // Held until the writer is dropped or its process dies: a recording in progress is
        // never mistaken for an interrupted one ([`sealed_in_use`]). Where the file system
        // has no locks, recovery cannot tell the two apart and the recording goes on unlocked.
        if let Err(e) = file.try_lock() {
            tracing::debug!(path = %path.display(), error = %e, "could not lock the sealed audio file");
        }
        file.write_all(&header).map_err(io_err("writing", path))?;
        file.sync_all().map_err(io_err("writing", path))?;
        if let Some(parent) = path.parent()
            && let Ok(dir) = File::open(parent)
        {
            // Make the new directory entry durable too (best effort: not every OS allows it).
            let _ = dir.sync_all();
        }
        Ok(Self {
            file,
            path: path.to_path_buf(),
            key: key.aead()?,
            header,
            prefix,
            next_index: 0,
            pending: Vec::new(),
            chunk_samples: ((f64::from(sample_rate) * chunk_secs.clamp(0.1, 60.0)) as usize).max(1),
            samples_written: 0,
            finished: false,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Samples sealed on disk so far (what survives a crash now).
    pub fn durable_samples(&self) -> u64 {
        self.samples_written
    }

    /// Appends samples (−1..1); seals and fsyncs every full chunk.
    pub fn append(&mut self, samples: &[f32]) -> Result<()> {
        self.pending.extend(
            samples
                .iter()
                .map(|s| (s.clamp(-1.0, 1.0) * 32767.0).round() as i16),
        );
        while self.pending.len() >= self.chunk_samples {
            let rest = self.pending.split_off(self.chunk_samples);
            let chunk = std::mem::replace(&mut self.pending, rest);
            self.write_chunk(&chunk, false)?;
        }
        Ok(())
    }

    /// Seals what is buffered as the last chunk and fsyncs. Returns samples written.
    pub fn finish(mut self) -> Result<u64> {
        let chunk = std::mem::take(&mut self.pending);
        self.write_chunk(&chunk, true)?;
        self.finished = true;
        Ok(self.samples_written)
    }

    fn write_chunk(&mut self, samples: &[i16], last: bool) -> Result<()> {
        let index = self.next_index;
        let mut data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let ct_len = u32::try_from(data.len() + TAG_LEN)
            .map_err(|_| AudioError::Crypto("audio chunk too large".into()))?;
        let mut chunk_header = [0u8; CHUNK_HEADER_LEN];
        chunk_header[..4].copy_from_slice(&index.to_le_bytes());
        chunk_header[4] = if last { FLAG_LAST } else { 0 };
        chunk_header[5..9].copy_from_slice(&ct_len.to_le_bytes());
        let mut aad = Vec::with_capacity(HEADER_LEN + CHUNK_HEADER_LEN);
        aad.extend_from_slice(&self.header);
        aad.extend_from_slice(&chunk_header);
        self.key
            .seal_in_place_append_tag(nonce(&self.prefix, index), Aad::from(aad), &mut data)
            .map_err(|_| AudioError::Crypto("audio encryption failed".into()))?;
        let mut record = Vec::with_capacity(CHUNK_HEADER_LEN + data.len());
        record.extend_from_slice(&chunk_header);
        record.extend_from_slice(&data);
        self.file
            .write_all(&record)
            .map_err(io_err("writing", &self.path))?;
        self.file
            .sync_data()
            .map_err(io_err("writing", &self.path))?;
        self.next_index += 1;
        self.samples_written += samples.len() as u64;
        Ok(())
    }
}

/// An opened encrypted audio file.
#[derive(Debug, Clone)]
pub struct SealedAudio {
    /// The samples (mono, −1..1) of every whole chunk.
    pub samples: Vec<f32>,
    /// Sample rate from the header.
    pub sample_rate: u32,
    /// Whether the final chunk (written by a clean stop) was found; `false` for a recording
    /// that was cut short by a crash — everything up to its last whole chunk is still here.
    pub complete: bool,
    /// Whole chunks read.
    pub chunks: u32,
    /// For [`read_sealed_recovering`]: why reading stopped before the end of the file (a
    /// damaged chunk after the last good one), if it did.
    pub damaged_tail: Option<String>,
}

/// Whether a sealed audio file is being written right now (its writer, in this or another
/// process, holds its lock). `false` for a file whose writer died: that one is to recover.
pub fn sealed_in_use(path: &Path) -> Result<bool> {
    let file = File::open(path).map_err(io_err("opening", path))?;
    Ok(match file.try_lock_shared() {
        Ok(()) => false,
        Err(std::fs::TryLockError::WouldBlock) => true,
        // No locks on this file system: nothing says it is in use.
        Err(std::fs::TryLockError::Error(_)) => false,
    })
}

/// Whether a sealed audio file ends with its final chunk (its writer stopped cleanly). Reads
/// only the chunk headers, not the audio: cheap enough to run over every kept recording.
pub fn sealed_finished(path: &Path) -> Result<bool> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).map_err(io_err("opening", path))?;
    let len = file.metadata().map_err(io_err("reading", path))?.len();
    let mut pos = HEADER_LEN as u64;
    let mut header = [0u8; CHUNK_HEADER_LEN];
    while pos + CHUNK_HEADER_LEN as u64 <= len {
        file.seek(SeekFrom::Start(pos))
            .and_then(|_| file.read_exact(&mut header))
            .map_err(io_err("reading", path))?;
        if header[4] & FLAG_LAST != 0 {
            return Ok(true);
        }
        let ct_len = u32::from_le_bytes([header[5], header[6], header[7], header[8]]);
        pos += (CHUNK_HEADER_LEN as u64) + u64::from(ct_len);
    }
    Ok(false)
}

/// Opens an encrypted audio file.
pub fn read_sealed(path: &Path, key: &AudioKey) -> Result<SealedAudio> {
    read(path, key, false)
}

/// Opens an encrypted audio file whose writer died: every whole chunk up to the first
/// damaged one (a torn or zero-filled tail after a crash) is returned, with why reading
/// stopped in [`SealedAudio::damaged_tail`]. A wrong key or a damaged first chunk is still an
/// error.
pub fn read_sealed_recovering(path: &Path, key: &AudioKey) -> Result<SealedAudio> {
    read(path, key, true)
}

fn read(path: &Path, key: &AudioKey, recovering: bool) -> Result<SealedAudio> {
    let bad = |reason: &str| AudioError::Sealed {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(io_err("reading", path))?;
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err(bad("missing Hearth audio header"));
    }
    let header: [u8; HEADER_LEN] = bytes[..HEADER_LEN]
        .try_into()
        .map_err(|_| bad("short header"))?;
    if header[12] != FORMAT_S16LE_MONO {
        return Err(bad("unknown sample format (written by a newer Hearth?)"));
    }
    let sample_rate = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(&header[16..24]);
    let aead = key.aead()?;
    let mut pos = HEADER_LEN;
    let mut samples = Vec::new();
    let mut index = 0u32;
    let mut complete = false;
    let mut damaged_tail = None;
    while pos + CHUNK_HEADER_LEN <= bytes.len() {
        let ch = &bytes[pos..pos + CHUNK_HEADER_LEN];
        let got_index = u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]);
        let flags = ch[4];
        let ct_len = u32::from_le_bytes([ch[5], ch[6], ch[7], ch[8]]) as usize;
        let start = pos + CHUNK_HEADER_LEN;
        let damage = if !(TAG_LEN..=MAX_CHUNK).contains(&ct_len) {
            Some(format!("chunk {index} has an impossible length"))
        } else if start + ct_len > bytes.len() {
            // A torn final write: keep everything before it.
            break;
        } else if got_index != index {
            Some(format!(
                "chunk {index} is missing or out of order (found {got_index})"
            ))
        } else {
            None
        };
        let opened = match damage {
            Some(why) => Err(why),
            None => {
                let mut aad = Vec::with_capacity(HEADER_LEN + CHUNK_HEADER_LEN);
                aad.extend_from_slice(&header);
                aad.extend_from_slice(ch);
                let mut data = bytes[start..start + ct_len].to_vec();
                match aead.open_in_place(nonce(&prefix, index), Aad::from(aad), &mut data) {
                    Ok(plain) => {
                        samples.extend(
                            plain
                                .chunks_exact(2)
                                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0),
                        );
                        Ok(())
                    }
                    Err(_) if index == 0 => return Err(AudioError::WrongKey(path.to_path_buf())),
                    Err(_) => Err(format!("chunk {index} fails authentication")),
                }
            }
        };
        if let Err(why) = opened {
            // After a crash the tail may be torn or zero-filled: in recovery, the audio ends
            // at the last good chunk.
            if recovering && index > 0 {
                damaged_tail = Some(why);
                break;
            }
            return Err(bad(&why));
        }
        pos = start + ct_len;
        index += 1;
        if flags & FLAG_LAST != 0 {
            complete = true;
            if pos != bytes.len() {
                if recovering {
                    damaged_tail = Some("data after the final chunk".to_string());
                    break;
                }
                return Err(bad("data after the final chunk"));
            }
            break;
        }
    }
    Ok(SealedAudio {
        samples,
        sample_rate,
        complete,
        chunks: index,
        damaged_tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| ((i % 200) as f32 / 100.0) - 1.0).collect()
    }

    #[test]
    fn round_trip_and_no_plaintext() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.hca");
        let key = AudioKey::generate().unwrap();
        let mut w = SealedWriter::create(&path, &key, 16_000, 1.0).unwrap();
        let input = ramp(40_000);
        for piece in input.chunks(3_333) {
            w.append(piece).unwrap();
        }
        assert_eq!(
            w.durable_samples(),
            32_000,
            "two whole chunks sealed so far"
        );
        assert_eq!(w.finish().unwrap(), 40_000);
        let a = read_sealed(&path, &key).unwrap();
        assert!(a.complete);
        assert_eq!(a.chunks, 3);
        assert_eq!(a.samples.len(), 40_000);
        let max_err = a
            .samples
            .iter()
            .zip(&input)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(max_err < 1e-4, "{max_err}");
        // The PCM is not in the file in the clear.
        let bytes = std::fs::read(&path).unwrap();
        let pcm: Vec<u8> = input[..64]
            .iter()
            .flat_map(|s| (((s * 32767.0).round()) as i16).to_le_bytes())
            .collect();
        assert!(!bytes.windows(pcm.len()).any(|w| w == pcm.as_slice()));
        // Another key cannot open it; creating over it is refused.
        let other = AudioKey::generate().unwrap();
        assert!(matches!(
            read_sealed(&path, &other),
            Err(AudioError::WrongKey(_))
        ));
        assert!(SealedWriter::create(&path, &key, 16_000, 1.0).is_err());
    }

    #[test]
    fn a_crash_keeps_every_whole_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.hca");
        let key = AudioKey::generate().unwrap();
        let mut w = SealedWriter::create(&path, &key, 16_000, 1.0).unwrap();
        w.append(&ramp(16_000 * 3 + 5_000)).unwrap();
        drop(w); // no finish(): as if the process died
        let full = std::fs::read(&path).unwrap();
        let a = read_sealed(&path, &key).unwrap();
        assert!(!a.complete);
        assert!(!sealed_finished(&path).unwrap());
        assert_eq!((a.chunks, a.samples.len()), (3, 48_000));
        // A torn last write (any prefix of a chunk) still opens up to the chunk before.
        for cut in [1usize, 9, 100, 31_000] {
            std::fs::write(&path, &full[..full.len() - cut]).unwrap();
            let a = read_sealed(&path, &key).unwrap();
            assert_eq!(a.samples.len(), 32_000, "cut {cut}");
            assert!(!a.complete);
        }
        // Tampering with a chunk in the middle is detected.
        let mut bad = full.clone();
        let mid = HEADER_LEN + CHUNK_HEADER_LEN + 32_016 + CHUNK_HEADER_LEN + 100;
        bad[mid] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        assert!(matches!(
            read_sealed(&path, &key),
            Err(AudioError::Sealed { .. })
        ));
        // Dropping a chunk (splicing chunk 2 in place of chunk 1) is detected.
        let c = CHUNK_HEADER_LEN + 32_016;
        let mut spliced = full[..HEADER_LEN + c].to_vec();
        spliced.extend_from_slice(&full[HEADER_LEN + 2 * c..]);
        std::fs::write(&path, &spliced).unwrap();
        assert!(read_sealed(&path, &key).is_err());
        // Not a Hearth audio file at all.
        std::fs::write(&path, b"RIFF....WAVEfmt ").unwrap();
        assert!(matches!(
            read_sealed(&path, &key),
            Err(AudioError::Sealed { .. })
        ));
    }

    #[test]
    fn recovery_reads_up_to_a_damaged_tail_and_knows_a_live_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.hca");
        let key = AudioKey::generate().unwrap();
        let mut w = SealedWriter::create(&path, &key, 16_000, 1.0).unwrap();
        w.append(&ramp(16_000 * 3)).unwrap();
        // The writer holds the file: a recording in progress is not one to recover.
        assert!(sealed_in_use(&path).unwrap());
        drop(w); // the process died
        assert!(!sealed_in_use(&path).unwrap());
        assert!(
            !sealed_finished(&path).unwrap(),
            "no final chunk: interrupted"
        );
        let full = std::fs::read(&path).unwrap();

        // A crash that left zeros after the last chunk (a file system that extended the file
        // but never wrote it): recovery keeps the three chunks and says why it stopped; the
        // strict reader refuses.
        let mut zeros = full.clone();
        zeros.extend(std::iter::repeat_n(0u8, 40_000));
        std::fs::write(&path, &zeros).unwrap();
        let a = read_sealed_recovering(&path, &key).unwrap();
        assert_eq!((a.chunks, a.samples.len()), (3, 48_000));
        assert!(a.damaged_tail.unwrap().contains("impossible length"));
        assert!(read_sealed(&path, &key).is_err());

        // A garbled last chunk: the two before it are kept.
        let mut garbled = full.clone();
        let last = full.len() - 100;
        garbled[last] ^= 0xff;
        std::fs::write(&path, &garbled).unwrap();
        let a = read_sealed_recovering(&path, &key).unwrap();
        assert_eq!(a.chunks, 2);
        assert!(a.damaged_tail.unwrap().contains("fails authentication"));

        // The wrong key is still an error, not an empty recovery.
        std::fs::write(&path, &full).unwrap();
        let other = AudioKey::generate().unwrap();
        assert!(matches!(
            read_sealed_recovering(&path, &other),
            Err(AudioError::WrongKey(_))
        ));
    }
}
