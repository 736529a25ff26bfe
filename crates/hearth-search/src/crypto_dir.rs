//! A tantivy [`Directory`] that keeps every file encrypted at rest.
//!
//! # File format
//!
//! ```text
//! header:  magic "HSRCHv1\0" (8 bytes) | key check (16 bytes)
//! chunk i: nonce (12 bytes, random) | AES-256-GCM(plaintext[i*64KiB .. (i+1)*64KiB]) | tag (16 bytes)
//! ```
//!
//! Every chunk but the last holds exactly [`CHUNK_SIZE`] plaintext bytes; the last holds
//! `0..=CHUNK_SIZE` and is marked as last in its associated data. The associated data of a
//! chunk is `"hearth-search/v1" | file name | 0 | chunk index (u64 BE) | last flag`, so chunks
//! cannot be moved within a file, between files, or dropped from the end (truncation at a chunk
//! boundary leaves a final chunk that was not sealed as last). The plaintext length is derived
//! from the file length, so any truncation or extension is detected.
//!
//! The key check is `HMAC-SHA256(key, "hearth-search key check v1")[..16]`; it lets a reader
//! tell "wrong key" apart from "corrupt file" without trial decryption. The AEAD key itself is
//! derived as `HMAC-SHA256(key, "hearth-search aead v1")`, so the profile's key is never used
//! directly.
//!
//! Reads decrypt lazily, one chunk at a time, and cache decrypted chunks in memory for as long
//! as the file handle lives (tantivy files are immutable once written), so random-offset reads
//! into large segment files only touch the chunks they need. Plaintext exists only in memory.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, OwnedBytes, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// Plaintext bytes per encrypted chunk.
pub const CHUNK_SIZE: usize = 64 * 1024;
const TAG_LEN: usize = 16;
const SEALED_CHUNK: usize = CHUNK_SIZE + NONCE_LEN + TAG_LEN;
const MAGIC: &[u8; 8] = b"HSRCHv1\0";
const KEY_CHECK_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + KEY_CHECK_LEN;

/// Why an encrypted index file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The file was written with a different key.
    #[error("search index file '{file}' was encrypted with a different key")]
    WrongKey {
        /// File name inside the index directory.
        file: String,
    },
    /// The file is not a valid encrypted index file, was truncated, or was modified.
    #[error("search index file '{file}' is corrupt or was tampered with: {reason}")]
    Corrupt {
        /// File name inside the index directory.
        file: String,
        /// What was wrong.
        reason: String,
    },
}

impl CryptoError {
    fn corrupt(file: &str, reason: impl Into<String>) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            CryptoError::Corrupt {
                file: file.to_string(),
                reason: reason.into(),
            },
        )
    }
}

/// The 256-bit key the index is encrypted with, supplied by the profile.
#[derive(Clone)]
pub struct SearchKey([u8; 32]);

impl SearchKey {
    /// Wraps raw key bytes (e.g. a key stored in the advisor's encrypted profile).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SearchKey(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self, ring::error::Unspecified> {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes)?;
        Ok(SearchKey(bytes))
    }

    /// The raw key bytes, to store in the profile.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SearchKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SearchKey(..)")
    }
}

impl Drop for SearchKey {
    fn drop(&mut self) {
        self.0 = [0u8; 32];
    }
}

struct Keys {
    aead: LessSafeKey,
    check: [u8; KEY_CHECK_LEN],
}

impl Keys {
    fn derive(key: &SearchKey) -> Result<Keys, ring::error::Unspecified> {
        let master = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
        let aead_key = hmac::sign(&master, b"hearth-search aead v1");
        let check_tag = hmac::sign(&master, b"hearth-search key check v1");
        let mut check = [0u8; KEY_CHECK_LEN];
        check.copy_from_slice(&check_tag.as_ref()[..KEY_CHECK_LEN]);
        let aead = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, aead_key.as_ref())?);
        Ok(Keys { aead, check })
    }
}

fn aad(name: &str, index: u64, last: bool) -> Vec<u8> {
    let mut aad = Vec::with_capacity(16 + name.len() + 10);
    aad.extend_from_slice(b"hearth-search/v1");
    aad.extend_from_slice(name.as_bytes());
    aad.push(0);
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

fn file_name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A directory of encrypted files; see the module documentation for the format.
#[derive(Clone)]
pub struct EncryptedDirectory {
    root: PathBuf,
    keys: Arc<Keys>,
    rng: SystemRandom,
}

impl fmt::Debug for EncryptedDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedDirectory")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl EncryptedDirectory {
    /// Opens (creating it if needed) the directory at `root`, encrypting with `key`.
    pub fn open(root: &Path, key: &SearchKey) -> io::Result<Self> {
        fs::create_dir_all(root)?;
        let keys = Keys::derive(key).map_err(|_| io::Error::other("could not derive index key"))?;
        Ok(EncryptedDirectory {
            root: root.to_path_buf(),
            keys: Arc::new(keys),
            rng: SystemRandom::new(),
        })
    }

    /// The directory on disk.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn new_writer(&self, file: File, name: String) -> io::Result<EncryptedWriter> {
        let mut writer = EncryptedWriter {
            file,
            name,
            keys: self.keys.clone(),
            rng: self.rng.clone(),
            buf: Vec::with_capacity(SEALED_CHUNK),
            index: 0,
            terminated: false,
        };
        writer.file.write_all(MAGIC)?;
        writer.file.write_all(&self.keys.check)?;
        Ok(writer)
    }

    fn open_handle(&self, path: &Path) -> io::Result<EncryptedFile> {
        let file = File::open(self.root.join(path))?;
        EncryptedFile::new(file, file_name(path), self.keys.clone())
    }

    /// Reads and authenticates every chunk of `path`, returning its plaintext length.
    pub fn verify_file(&self, path: &Path) -> io::Result<usize> {
        let handle = self.open_handle(path)?;
        for index in 0..handle.chunks.len() {
            handle.decrypt_chunk(index)?;
        }
        Ok(handle.plain_len)
    }

    /// Writes `data` to `path` encrypted, via a temporary file and a rename.
    fn write_atomically(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let mut salt = [0u8; 8];
        self.rng
            .fill(&mut salt)
            .map_err(|_| io::Error::other("no randomness"))?;
        let tmp_name = format!(
            ".tmp-{}",
            salt.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let tmp_path = self.root.join(&tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp_path)?;
        let result = (|| {
            let mut writer = self.new_writer(file, file_name(path))?;
            writer.write_all(data)?;
            writer.terminate_ref_inner()?;
            fs::rename(&tmp_path, self.root.join(path))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp_path);
        }
        result?;
        self.sync_directory()
    }
}

impl Directory for EncryptedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        match self.open_handle(path) {
            Ok(handle) => Ok(Arc::new(handle)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(OpenReadError::FileDoesNotExist(path.to_path_buf()))
            }
            Err(e) => Err(OpenReadError::wrap_io_error(e, path.to_path_buf())),
        }
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        match fs::remove_file(self.root.join(path)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(DeleteError::FileDoesNotExist(path.to_path_buf()))
            }
            Err(e) => Err(DeleteError::IoError {
                io_error: Arc::new(e),
                filepath: path.to_path_buf(),
            }),
        }
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.root
            .join(path)
            .try_exists()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let full = self.root.join(path);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&full)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    OpenWriteError::FileAlreadyExists(path.to_path_buf())
                } else {
                    OpenWriteError::wrap_io_error(e, path.to_path_buf())
                }
            })?;
        let writer = self
            .new_writer(file, file_name(path))
            .map_err(|e| OpenWriteError::wrap_io_error(e, path.to_path_buf()))?;
        Ok(io::BufWriter::new(Box::new(writer)))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let wrap = |e: io::Error| OpenReadError::wrap_io_error(e, path.to_path_buf());
        let handle = self.get_file_handle(path)?;
        let bytes = handle.read_bytes(0..handle.len()).map_err(wrap)?;
        Ok(bytes.as_slice().to_vec())
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.write_atomically(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        #[cfg(unix)]
        {
            File::open(&self.root)?.sync_all()?;
        }
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        // Lock files are empty: an OS advisory lock (released when the process dies) on a
        // file that holds no data, so a crashed process never leaves a stale lock behind.
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(&lock.filepath))
            .map_err(LockError::wrap_io_error)?;
        if lock.is_blocking {
            file.lock().map_err(LockError::wrap_io_error)?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => return Err(LockError::LockBusy),
                Err(fs::TryLockError::Error(e)) => return Err(LockError::wrap_io_error(e)),
            }
        }
        Ok(DirectoryLock::from(Box::new(file)))
    }

    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        // Readers are reloaded explicitly after each commit (ReloadPolicy::Manual).
        Ok(WatchHandle::empty())
    }
}

/// Streams plaintext into sealed chunks.
struct EncryptedWriter {
    file: File,
    name: String,
    keys: Arc<Keys>,
    rng: SystemRandom,
    buf: Vec<u8>,
    index: u64,
    terminated: bool,
}

impl EncryptedWriter {
    fn seal(&mut self, last: bool) -> io::Result<()> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| io::Error::other("no randomness for nonce"))?;
        let aad = aad(&self.name, self.index, last);
        self.keys
            .aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&aad[..]),
                &mut self.buf,
            )
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.file.write_all(&nonce)?;
        self.file.write_all(&self.buf)?;
        self.buf.clear();
        self.index += 1;
        Ok(())
    }

    fn terminate_ref_inner(&mut self) -> io::Result<()> {
        if self.terminated {
            return Ok(());
        }
        self.seal(true)?;
        self.file.sync_data()?;
        self.terminated = true;
        Ok(())
    }
}

impl Write for EncryptedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.terminated {
            return Err(io::Error::other("write after terminate"));
        }
        let mut rest = data;
        while !rest.is_empty() {
            if self.buf.len() == CHUNK_SIZE {
                // More data follows, so this full chunk is not the last one.
                self.seal(false)?;
            }
            let take = (CHUNK_SIZE - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Partial chunks are only sealed on terminate; sealed chunks are already written.
        self.file.flush()
    }
}

impl TerminatingWrite for EncryptedWriter {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.terminate_ref_inner()
    }
}

/// A read handle: decrypts chunks on demand and caches them.
struct EncryptedFile {
    file: Mutex<File>,
    name: String,
    keys: Arc<Keys>,
    plain_len: usize,
    last_sealed_len: usize,
    chunks: Vec<OnceLock<Arc<[u8]>>>,
}

impl fmt::Debug for EncryptedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedFile")
            .field("name", &self.name)
            .field("len", &self.plain_len)
            .finish_non_exhaustive()
    }
}

impl EncryptedFile {
    fn new(mut file: File, name: String, keys: Arc<Keys>) -> io::Result<Self> {
        let total = usize::try_from(file.metadata()?.len())
            .map_err(|_| CryptoError::corrupt(&name, "file too large"))?;
        if total < HEADER_LEN {
            return Err(CryptoError::corrupt(&name, "truncated header"));
        }
        let mut header = [0u8; HEADER_LEN];
        file.read_exact(&mut header)?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(CryptoError::corrupt(&name, "not an encrypted index file"));
        }
        if header[MAGIC.len()..] != keys.check {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                CryptoError::WrongKey { file: name },
            ));
        }
        let body = total - HEADER_LEN;
        if body == 0 {
            return Err(CryptoError::corrupt(&name, "truncated: no chunks"));
        }
        let n = body.div_ceil(SEALED_CHUNK);
        let last_sealed_len = body - (n - 1) * SEALED_CHUNK;
        if last_sealed_len < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::corrupt(&name, "truncated chunk"));
        }
        let plain_len = (n - 1) * CHUNK_SIZE + last_sealed_len - NONCE_LEN - TAG_LEN;
        Ok(EncryptedFile {
            file: Mutex::new(file),
            name,
            keys,
            plain_len,
            last_sealed_len,
            chunks: (0..n).map(|_| OnceLock::new()).collect(),
        })
    }

    fn decrypt_chunk(&self, index: usize) -> io::Result<Arc<[u8]>> {
        let last = index + 1 == self.chunks.len();
        let sealed_len = if last {
            self.last_sealed_len
        } else {
            SEALED_CHUNK
        };
        let mut buf = vec![0u8; sealed_len];
        {
            let mut file = self
                .file
                .lock()
                .map_err(|_| io::Error::other("index file lock poisoned"))?;
            file.seek(SeekFrom::Start((HEADER_LEN + index * SEALED_CHUNK) as u64))?;
            file.read_exact(&mut buf).map_err(|e| {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    CryptoError::corrupt(&self.name, "file shrank while reading")
                } else {
                    e
                }
            })?;
        }
        let (nonce, sealed) = buf.split_at_mut(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| CryptoError::corrupt(&self.name, "bad nonce"))?;
        let aad = aad(&self.name, index as u64, last);
        let plain = self
            .keys
            .aead
            .open_in_place(nonce, Aad::from(&aad[..]), sealed)
            .map_err(|_| {
                CryptoError::corrupt(&self.name, format!("chunk {index} failed authentication"))
            })?;
        Ok(Arc::from(&plain[..]))
    }

    fn chunk(&self, index: usize) -> io::Result<Arc<[u8]>> {
        let cell = &self.chunks[index];
        if let Some(chunk) = cell.get() {
            return Ok(chunk.clone());
        }
        let chunk = self.decrypt_chunk(index)?;
        Ok(cell.get_or_init(|| chunk).clone())
    }
}

impl HasLen for EncryptedFile {
    fn len(&self) -> usize {
        self.plain_len
    }
}

impl FileHandle for EncryptedFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.plain_len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "read of {range:?} outside '{}' ({} bytes)",
                    self.name, self.plain_len
                ),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let first = range.start / CHUNK_SIZE;
        let last = (range.end - 1) / CHUNK_SIZE;
        if first == last {
            let base = first * CHUNK_SIZE;
            let chunk = self.chunk(first)?;
            return Ok(OwnedBytes::new(chunk).slice(range.start - base..range.end - base));
        }
        let mut out = Vec::with_capacity(range.len());
        for index in first..=last {
            let base = index * CHUNK_SIZE;
            let chunk = self.chunk(index)?;
            let from = range.start.max(base) - base;
            let to = range.end.min(base + chunk.len()) - base;
            out.extend_from_slice(&chunk[from..to]);
        }
        Ok(OwnedBytes::new(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(path: &Path) -> EncryptedDirectory {
        EncryptedDirectory::open(path, &SearchKey::from_bytes([9u8; 32])).unwrap()
    }

    fn write(d: &EncryptedDirectory, name: &str, data: &[u8]) {
        let mut w = d.open_write(Path::new(name)).unwrap();
        // Odd write sizes so chunk boundaries fall mid-write.
        for part in data.chunks(7919) {
            w.write_all(part).unwrap();
        }
        w.terminate().unwrap();
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn roundtrip_and_random_reads() {
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(tmp.path());
        for len in [
            0,
            1,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            3 * CHUNK_SIZE + 17,
        ] {
            let name = format!("f{len}");
            let data = pattern(len);
            write(&d, &name, &data);
            let h = d.get_file_handle(Path::new(&name)).unwrap();
            assert_eq!(h.len(), len);
            assert_eq!(h.read_bytes(0..len).unwrap().as_slice(), &data[..]);
            for (a, b) in [
                (0, 0),
                (0, 1),
                (CHUNK_SIZE - 3, CHUNK_SIZE + 3),
                (len / 2, len),
            ] {
                if a <= b && b <= len {
                    assert_eq!(h.read_bytes(a..b).unwrap().as_slice(), &data[a..b]);
                }
            }
            assert!(h.read_bytes(0..len + 1).is_err());
            assert_eq!(d.verify_file(Path::new(&name)).unwrap(), len);
        }
        assert!(matches!(
            d.open_write(Path::new("f0")),
            Err(OpenWriteError::FileAlreadyExists(_))
        ));
        d.atomic_write(Path::new("meta.json"), b"{}").unwrap();
        assert_eq!(d.atomic_read(Path::new("meta.json")).unwrap(), b"{}");
        assert!(matches!(
            d.atomic_read(Path::new("nope")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }

    fn crypto_err(e: &io::Error) -> &CryptoError {
        e.get_ref()
            .and_then(|i| i.downcast_ref::<CryptoError>())
            .expect("a crypto error")
    }

    #[test]
    fn tampering_is_detected() {
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(tmp.path());
        let data = pattern(3 * CHUNK_SIZE + 100);
        write(&d, "a", &data);
        write(&d, "b", &data);
        let pa = tmp.path().join("a");
        let original = fs::read(&pa).unwrap();

        // Truncation at a chunk boundary (drop the last chunk).
        fs::write(&pa, &original[..HEADER_LEN + 3 * SEALED_CHUNK]).unwrap();
        let e = d.verify_file(Path::new("a")).unwrap_err();
        assert!(matches!(crypto_err(&e), CryptoError::Corrupt { .. }));

        // Swapping two chunks.
        let mut swapped = original.clone();
        let (c0, c1) = (HEADER_LEN, HEADER_LEN + SEALED_CHUNK);
        let first = original[c0..c1].to_vec();
        swapped[c0..c1].copy_from_slice(&original[c1..c1 + SEALED_CHUNK]);
        swapped[c1..c1 + SEALED_CHUNK].copy_from_slice(&first);
        fs::write(&pa, &swapped).unwrap();
        assert!(d.verify_file(Path::new("a")).is_err());

        // Another file's content under this name.
        fs::copy(tmp.path().join("b"), &pa).unwrap();
        assert!(d.verify_file(Path::new("a")).is_err());

        // Wrong key.
        fs::write(&pa, &original).unwrap();
        let other =
            EncryptedDirectory::open(tmp.path(), &SearchKey::from_bytes([8u8; 32])).unwrap();
        let e = other.verify_file(Path::new("a")).unwrap_err();
        assert!(matches!(crypto_err(&e), CryptoError::WrongKey { .. }));
        assert_eq!(d.verify_file(Path::new("a")).unwrap(), data.len());

        // Garbage.
        fs::write(&pa, b"hello").unwrap();
        let e = d.verify_file(Path::new("a")).unwrap_err();
        assert!(matches!(crypto_err(&e), CryptoError::Corrupt { .. }));
    }
}
