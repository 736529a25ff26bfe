//! Client documents attached to households: the bytes in an encrypted, content-addressed
//! blob store inside the profile, the reference (name, type, size, SHA-256) in the household
//! document, the extracted text beside the blob for search.
//!
//! Why files under `<profile>/blobs/` and not rows in SQLCipher: documents are up to 25 MiB
//! each and immutable; as rows they would go through the WAL twice (a 25 MiB write
//! transaction fsynced, then checkpointed), bloat every backup of `hearth.db` and hold the
//! profile's write lock while they are written. As files they are written once, beside the
//! database, and the database only holds their keys.
//!
//! Each blob is one file: `HBLB1` ‖ 96-bit random nonce ‖ AES-256-GCM(content), with the
//! kind ("blob" or "text") and the content's SHA-256 as associated data, so a file renamed
//! onto another's name fails to open. The file *name* is HMAC-SHA-256(name key, kind ‖ hash):
//! it does not reveal the content's hash (which would let someone holding a copy of a
//! client's document confirm that this laptop has it). Both keys are random, generated on
//! first use and stored only inside the encrypted database.

use std::io::Write;
use std::path::{Path, PathBuf};

use hearth_core::DocumentRef;
use hearth_docs::{Extracted, Limits};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::{Profile, ProfileError, parse_id};

/// Directory of the blob store inside the profile.
pub const BLOBS_DIR: &str = "blobs";
const KEY_META: &str = "blobs.key";
/// Setting: the largest document accepted, in bytes (default 25 MiB).
pub const MAX_BYTES_SETTING: &str = "documents.max_bytes";
const MAGIC: &[u8] = b"HBLB1";
const NONCE_LEN: usize = 12;

/// A document attached to a household.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentEntry {
    /// Item id of the document in its household.
    pub id: String,
    /// The reference stored in the household.
    #[serde(flatten)]
    pub reference: DocumentRef,
    /// Whether this profile holds the bytes (a document attached on another laptop arrives
    /// with `hearth sync`).
    pub stored_here: bool,
}

struct BlobKeys {
    seal: LessSafeKey,
    name: hmac::Key,
}

#[derive(Clone, Copy)]
enum BlobKind {
    Content,
    Text,
}

impl BlobKind {
    fn label(self) -> &'static str {
        match self {
            BlobKind::Content => "blob",
            BlobKind::Text => "text",
        }
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

fn valid_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Profile {
    /// The document limits of this profile (the `documents.max_bytes` setting, else 25 MiB).
    pub fn document_limits(&self) -> Result<Limits, ProfileError> {
        let mut limits = Limits::default();
        if let Some(max) = self.setting(MAX_BYTES_SETTING)? {
            limits.max_file_bytes = max.trim().parse().map_err(|_| {
                ProfileError::Search(format!(
                    "the setting {MAX_BYTES_SETTING} is '{max}', not a number of bytes"
                ))
            })?;
        }
        Ok(limits)
    }

    fn blobs_dir(&self) -> PathBuf {
        self.dir.join(BLOBS_DIR)
    }

    /// The blob keys, or `None` if no blob was ever stored (nothing to read).
    fn blob_keys(&self) -> Result<Option<BlobKeys>, ProfileError> {
        let Some(hex_keys) = self.store.meta(KEY_META)? else {
            return Ok(None);
        };
        let bytes = Zeroizing::new(
            hex::decode(hex_keys.as_bytes())
                .ok()
                .filter(|b| b.len() == 64)
                .ok_or_else(|| {
                    ProfileError::BlobStore("the stored blob key is malformed".into())
                })?,
        );
        let seal = UnboundKey::new(&AES_256_GCM, &bytes[..32])
            .map_err(|_| ProfileError::BlobStore("the stored blob key is malformed".into()))?;
        Ok(Some(BlobKeys {
            seal: LessSafeKey::new(seal),
            name: hmac::Key::new(hmac::HMAC_SHA256, &bytes[32..]),
        }))
    }

    fn blob_keys_or_create(&mut self) -> Result<BlobKeys, ProfileError> {
        if let Some(keys) = self.blob_keys()? {
            return Ok(keys);
        }
        let mut fresh = Zeroizing::new(vec![0u8; 64]);
        SystemRandom::new()
            .fill(&mut fresh)
            .map_err(|_| ProfileError::BlobStore("the system random generator failed".into()))?;
        let tx = self.store.write()?;
        // Another process may have created the keys since we looked: keep theirs.
        if tx.meta(KEY_META)?.is_none() {
            tx.set_meta(KEY_META, &hex::encode(&*fresh))?;
        }
        tx.commit()?;
        self.blob_keys()?
            .ok_or_else(|| ProfileError::BlobStore("the blob key was not stored".into()))
    }

    fn blob_path(&self, keys: &BlobKeys, kind: BlobKind, sha256: &str) -> PathBuf {
        let tag = hmac::sign(&keys.name, format!("{}:{sha256}", kind.label()).as_bytes());
        self.blobs_dir().join(hex::encode(tag.as_ref()))
    }

    fn write_blob(
        &self,
        keys: &BlobKeys,
        kind: BlobKind,
        sha256: &str,
        plain: &[u8],
    ) -> Result<(), ProfileError> {
        let path = self.blob_path(keys, kind, sha256);
        if path.exists() {
            return Ok(());
        }
        let dir = self.blobs_dir();
        let io = |action, source| ProfileError::Io {
            action,
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(|e| io("creating", e))?;
        let rng = SystemRandom::new();
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)
            .map_err(|_| ProfileError::BlobStore("the system random generator failed".into()))?;
        let mut sealed = plain.to_vec();
        let aad = format!("hearth-blob:{}:{sha256}", kind.label());
        keys.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| ProfileError::BlobStore("could not encrypt the document".into()))?;
        // Write to a temporary name, fsync, rename: a crash leaves the old state or the new.
        let mut tmp_name = [0u8; 8];
        rng.fill(&mut tmp_name)
            .map_err(|_| ProfileError::BlobStore("the system random generator failed".into()))?;
        let tmp = dir.join(format!(".tmp-{}", hex::encode(tmp_name)));
        let result = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(MAGIC)?;
            file.write_all(&nonce)?;
            file.write_all(&sealed)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(&dir)?.sync_all()
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(io("writing a document blob in", e));
        }
        Ok(())
    }

    fn read_blob(
        &self,
        keys: &BlobKeys,
        kind: BlobKind,
        sha256: &str,
    ) -> Result<Option<Vec<u8>>, ProfileError> {
        let path = self.blob_path(keys, kind, sha256);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ProfileError::Io {
                    action: "reading",
                    path,
                    source,
                });
            }
        };
        let damaged = || {
            ProfileError::BlobStore(format!(
                "the stored copy of document {sha256} is damaged; `hearth sync` fetches it again if a colleague has it"
            ))
        };
        if bytes.len() < MAGIC.len() + NONCE_LEN || !bytes.starts_with(MAGIC) {
            return Err(damaged());
        }
        let (nonce, sealed) = bytes[MAGIC.len()..].split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| damaged())?;
        let mut sealed = sealed.to_vec();
        let aad = format!("hearth-blob:{}:{sha256}", kind.label());
        let plain_len = keys
            .seal
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| damaged())?
            .len();
        sealed.truncate(plain_len);
        Ok(Some(sealed))
    }

    /// Whether the profile holds the bytes of the document with this SHA-256.
    pub fn has_blob(&self, sha256: &str) -> Result<bool, ProfileError> {
        Ok(match self.blob_keys()? {
            Some(keys) => self.blob_path(&keys, BlobKind::Content, sha256).exists(),
            None => false,
        })
    }

    /// The bytes of the document with this SHA-256, if the profile holds them (checked
    /// against the hash).
    pub fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>, ProfileError> {
        let Some(keys) = self.blob_keys()? else {
            return Ok(None);
        };
        let Some(bytes) = self.read_blob(&keys, BlobKind::Content, sha256)? else {
            return Ok(None);
        };
        if sha256_hex(&bytes) != sha256 {
            return Err(ProfileError::BlobStore(format!(
                "the stored copy of document {sha256} does not match its hash"
            )));
        }
        Ok(Some(bytes))
    }

    /// Stores document bytes that arrived from elsewhere (sync). They must hash to `sha256`.
    /// Their text is extracted for search, and households referring to them are reindexed.
    pub fn put_blob(&mut self, sha256: &str, bytes: &[u8]) -> Result<(), ProfileError> {
        if sha256_hex(bytes) != sha256 {
            return Err(ProfileError::BlobStore(format!(
                "the document received as {sha256} does not match its hash; it was not stored"
            )));
        }
        let keys = self.blob_keys_or_create()?;
        self.write_blob(&keys, BlobKind::Content, sha256, bytes)?;
        // A document received may have no usable text, or be of a type this build does not
        // read; it is stored either way, only search misses its content.
        let name = self.document_name_for(sha256)?.unwrap_or_default();
        let limits = Limits {
            max_file_bytes: u64::MAX,
            ..Limits::default()
        };
        if let Ok(Extracted {
            text: Some(text), ..
        }) = hearth_docs::extract(&name, bytes, &limits)
        {
            self.write_blob(&keys, BlobKind::Text, sha256, text.as_bytes())?;
            let mut referring = Vec::new();
            for row in self.store.list_households()? {
                if let Ok(data) = self.household_data(&row.id)
                    && data.documents.values().any(|d| d.sha256 == sha256)
                {
                    referring.push(row.id);
                }
            }
            let tx = self.store.write()?;
            for id in &referring {
                crate::search::mark_dirty(&tx, id)?;
            }
            tx.commit()?;
        }
        Ok(())
    }

    /// The name under which some household refers to this content, for type detection.
    fn document_name_for(&self, sha256: &str) -> Result<Option<String>, ProfileError> {
        for row in self.store.list_households()? {
            if let Ok(data) = self.household_data(&row.id)
                && let Some(d) = data.documents.values().find(|d| d.sha256 == sha256)
            {
                return Ok(Some(d.name.clone()));
            }
        }
        Ok(None)
    }

    /// Every document reference in the profile whose bytes are not stored here.
    pub fn missing_blobs(&self) -> Result<Vec<(String, DocumentRef)>, ProfileError> {
        let mut missing = Vec::new();
        for row in self.store.list_households()? {
            let Ok(data) = self.household_data(&row.id) else {
                continue;
            };
            for d in data.documents.values() {
                if valid_sha256(&d.sha256) && !self.has_blob(&d.sha256)? {
                    missing.push((row.id.clone(), d.clone()));
                }
            }
        }
        Ok(missing)
    }

    /// The extracted text of the document with this SHA-256, if any (for the search index).
    pub(crate) fn document_text(&self, sha256: &str) -> Option<String> {
        let keys = self.blob_keys().ok()??;
        let bytes = self.read_blob(&keys, BlobKind::Text, sha256).ok()??;
        String::from_utf8(bytes).ok()
    }

    /// Attaches the file at `path` to a household: checks its size against the profile's
    /// limit, identifies it and extracts its text, stores it encrypted, then records the
    /// reference in the household (one change, which syncs). A file that is refused leaves
    /// nothing behind.
    pub fn add_document(
        &mut self,
        household_id: &str,
        path: &Path,
    ) -> Result<DocumentEntry, ProfileError> {
        // Unknown household first: nothing is read for a command that cannot succeed.
        self.household(household_id)?;
        let limits = self.document_limits()?;
        let io = |action, source| ProfileError::Io {
            action,
            path: path.to_path_buf(),
            source,
        };
        let size = std::fs::metadata(path).map_err(|e| io("reading", e))?.len();
        hearth_docs::check_size(size, &limits)?;
        let bytes = std::fs::read(path).map_err(|e| io("reading", e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "document".to_string());
        self.add_document_bytes(household_id, &name, &bytes)
    }

    /// [`Profile::add_document`] for bytes already in memory (the desktop app's file picker):
    /// the same limits, extraction and encrypted storage, with no plaintext copy on disk.
    pub fn add_document_bytes(
        &mut self,
        household_id: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<DocumentEntry, ProfileError> {
        self.household(household_id)?;
        let limits = self.document_limits()?;
        hearth_docs::check_size(bytes.len() as u64, &limits)?;
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "document".to_string());
        let extracted = hearth_docs::extract(&name, bytes, &limits)?;
        let sha256 = sha256_hex(bytes);
        let keys = self.blob_keys_or_create()?;
        self.write_blob(&keys, BlobKind::Content, &sha256, bytes)?;
        if let Some(text) = &extracted.text {
            self.write_blob(&keys, BlobKind::Text, &sha256, text.as_bytes())?;
        }
        let reference = DocumentRef {
            name,
            media_type: extracted.media_type.to_string(),
            size: bytes.len() as u64,
            sha256,
            added_at: chrono::Utc::now().timestamp_millis(),
            text_layer: Some(extracted.text_layer.as_str().to_string()),
        };
        let id = self.edit(household_id, |h, ctx| h.add_document_ref(&reference, ctx))?;
        Ok(DocumentEntry {
            id,
            reference,
            stored_here: true,
        })
    }

    /// The documents attached to a household, oldest first.
    pub fn documents(&self, household_id: &str) -> Result<Vec<DocumentEntry>, ProfileError> {
        let data = self.household_data(household_id)?;
        let mut entries = Vec::new();
        for (id, reference) in data.documents {
            entries.push(DocumentEntry {
                stored_here: valid_sha256(&reference.sha256) && self.has_blob(&reference.sha256)?,
                id,
                reference,
            });
        }
        entries.sort_by(|a, b| (a.reference.added_at, &a.id).cmp(&(b.reference.added_at, &b.id)));
        Ok(entries)
    }

    /// Writes a document's bytes to `out` (which must not exist yet).
    pub fn save_document(
        &self,
        household_id: &str,
        document_id: &str,
        out: &Path,
    ) -> Result<DocumentRef, ProfileError> {
        parse_id(household_id)?;
        let data = self.household_data(household_id)?;
        let reference = data
            .documents
            .get(document_id)
            .cloned()
            .ok_or_else(|| ProfileError::UnknownDocument(document_id.to_string()))?;
        let bytes = self.blob(&reference.sha256)?.ok_or_else(|| {
            ProfileError::BlobStore(format!(
                "the bytes of '{}' are not on this laptop yet; run `hearth sync` to fetch them",
                reference.name
            ))
        })?;
        let io = |action, source| ProfileError::Io {
            action,
            path: out.to_path_buf(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out)
            .map_err(|e| io("creating (it must not exist yet)", e))?;
        file.write_all(&bytes).map_err(|e| io("writing", e))?;
        file.sync_all().map_err(|e| io("syncing", e))?;
        Ok(reference)
    }
}
