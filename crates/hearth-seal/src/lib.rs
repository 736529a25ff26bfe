//! Envelope encryption for the relay, with no I/O.
//!
//! * A [`MasterKey`] (32 bytes, from the relay's configuration) wraps one [`FirmKey`] per firm.
//!   The wrapped blob is bound to the firm id (it is the AEAD's associated data), so a wrapped key
//!   copied onto another firm's row does not unwrap. Rotating the master key re-wraps the firm
//!   keys ([`MasterKey::unwrap`] with the old key, [`MasterKey::wrap`] with the new one); no
//!   document is re-encrypted.
//! * A [`FirmKey`] (32 random bytes, zeroized on drop) seals document chunks with AES-256-GCM:
//!   `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`, with a fresh random nonce each time.
//!   Callers pass associated data naming where the blob belongs (firm id ‖ doc id), so a sealed
//!   blob moved to another firm or document fails to open.
//!
//! Wrapped firm keys carry a small header (`"HWK1"` ‖ the 4-byte master key id) so unwrapping
//! with the wrong master key reports [`SealError::WrongMasterKey`] instead of a bare failure.
//!
//! Nothing here panics on input: malformed, truncated or tampered bytes are errors.
#![forbid(unsafe_code)]

use base64::Engine as _;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Length of every key in bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// Length of the random nonce that starts every sealed blob.
pub const SEAL_NONCE_LEN: usize = NONCE_LEN;
/// Length of the authentication tag that ends every sealed blob.
pub const SEAL_TAG_LEN: usize = 16;
/// Bytes a sealed blob adds to its plaintext (nonce + tag).
pub const SEAL_OVERHEAD: usize = SEAL_NONCE_LEN + SEAL_TAG_LEN;

/// Magic + version at the start of a wrapped firm key with one generation.
const WRAP_MAGIC: &[u8; 4] = b"HWK1";
/// Magic + version at the start of a wrapped firm key with several generations (after
/// [`FirmKey::rotated`]), newest first.
const WRAP_MAGIC_ROTATED: &[u8; 4] = b"HWK2";
/// Raw bytes of the master key id stored in a wrapped key (8 hex characters).
const KEY_ID_BYTES: usize = 4;
const WRAP_HEADER_LEN: usize = WRAP_MAGIC.len() + KEY_ID_BYTES;
/// Domain separation for the associated data of a wrapped firm key.
const WRAP_AAD_DOMAIN: &[u8] = b"hearth-seal/firm-key/v1\0";

/// Errors from sealing, opening, wrapping and unwrapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// A configured key is not 32 bytes of hex or base64.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// The blob is shorter than its fixed overhead (or header), so it cannot be genuine.
    #[error("sealed data truncated: {len} bytes, at least {min} expected")]
    Truncated {
        /// Length received.
        len: usize,
        /// Minimum length of a genuine blob.
        min: usize,
    },
    /// The wrapped key does not start with the expected format marker.
    #[error("not a wrapped firm key (unknown format)")]
    UnknownFormat,
    /// The wrapped key was made by a different master key.
    #[error("firm key was wrapped by master key {found}, not by {expected}")]
    WrongMasterKey {
        /// Id of the master key used to unwrap.
        expected: String,
        /// Id recorded in the wrapped key.
        found: String,
    },
    /// Authentication failed: wrong key, wrong associated data (another firm or document), or
    /// the bytes were tampered with. AES-GCM cannot tell these apart.
    #[error("cannot open sealed data: wrong key, wrong firm/document, or tampered")]
    Tampered,
    /// The system random number generator failed.
    #[error("system random number generator failed")]
    Rng,
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SealError>;

fn random_bytes<const N: usize>(rng: &SystemRandom) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    rng.fill(&mut out).map_err(|_| SealError::Rng)?;
    Ok(out)
}

fn aead_key(bytes: &[u8; KEY_LEN]) -> Result<LessSafeKey> {
    // Only fails for a wrong key length, which the type rules out; map it anyway.
    UnboundKey::new(&AES_256_GCM, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| SealError::InvalidKey("AES-256-GCM rejected the key".into()))
}

/// `nonce ‖ ciphertext ‖ tag` of `plaintext` under `key` with `aad`.
fn seal_raw(key: &[u8; KEY_LEN], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let key = aead_key(key)?;
    let nonce_bytes: [u8; NONCE_LEN] = random_bytes(&SystemRandom::new())?;
    let mut out = Vec::with_capacity(SEAL_OVERHEAD + plaintext.len());
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(aad),
            &mut out[NONCE_LEN..],
        )
        .map_err(|_| SealError::Tampered)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens `nonce ‖ ciphertext ‖ tag`.
fn open_raw(key: &[u8; KEY_LEN], sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    if sealed.len() < SEAL_OVERHEAD {
        return Err(SealError::Truncated {
            len: sealed.len(),
            min: SEAL_OVERHEAD,
        });
    }
    let key = aead_key(key)?;
    let (nonce_bytes, rest) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| SealError::Tampered)?;
    let mut buf = rest.to_vec();
    let plain_len = key
        .open_in_place(nonce, Aad::from(aad), &mut buf)
        .map_err(|_| SealError::Tampered)?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

/// The relay's master key: wraps and unwraps firm keys. Never leaves the relay's configuration.
pub struct MasterKey {
    key: Zeroizing<[u8; KEY_LEN]>,
    id: String,
}

impl MasterKey {
    /// A master key from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let key = Zeroizing::new(bytes);
        let digest = ring::digest::digest(&ring::digest::SHA256, key.as_ref());
        let id = hex::encode(&digest.as_ref()[..KEY_ID_BYTES]);
        Self { key, id }
    }

    /// A master key from configuration text: 64 hex characters, or base64 (standard or
    /// URL-safe alphabet, padded or not) of 32 bytes. Surrounding whitespace is ignored.
    pub fn from_config(text: &str) -> Result<Self> {
        let text = text.trim();
        let decoded: Zeroizing<Vec<u8>> = if text.len() == 2 * KEY_LEN
            && text.bytes().all(|b| b.is_ascii_hexdigit())
        {
            Zeroizing::new(
                hex::decode(text).map_err(|e| SealError::InvalidKey(format!("bad hex: {e}")))?,
            )
        } else {
            let engines = [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::STANDARD_NO_PAD,
                &base64::engine::general_purpose::URL_SAFE,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ];
            let mut found = None;
            for engine in engines {
                if let Ok(bytes) = engine.decode(text) {
                    found = Some(Zeroizing::new(bytes));
                    break;
                }
            }
            found.ok_or_else(|| {
                SealError::InvalidKey("expected 64 hex characters or base64 of 32 bytes".into())
            })?
        };
        let bytes: [u8; KEY_LEN] = decoded.as_slice().try_into().map_err(|_| {
            SealError::InvalidKey(format!(
                "key is {} bytes, expected {KEY_LEN}",
                decoded.len()
            ))
        })?;
        Ok(Self::from_bytes(bytes))
    }

    /// A new random master key (for `init`-style commands; store [`MasterKey::to_hex`]).
    pub fn generate() -> Result<Self> {
        Ok(Self::from_bytes(random_bytes(&SystemRandom::new())?))
    }

    /// The key as 64 hex characters (for writing a freshly generated key to configuration).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.key.as_ref()))
    }

    /// Short public id: the first 8 hex characters of SHA-256 of the key. Stored next to each
    /// wrapped firm key so rotation knows which key wrapped what.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn id_bytes(&self) -> [u8; KEY_ID_BYTES] {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.key.as_ref());
        let mut out = [0u8; KEY_ID_BYTES];
        out.copy_from_slice(&digest.as_ref()[..KEY_ID_BYTES]);
        out
    }

    fn wrap_aad(header: &[u8], firm_id: &str) -> Vec<u8> {
        let mut aad = Vec::with_capacity(WRAP_AAD_DOMAIN.len() + header.len() + firm_id.len());
        aad.extend_from_slice(WRAP_AAD_DOMAIN);
        aad.extend_from_slice(header);
        aad.extend_from_slice(firm_id.as_bytes());
        aad
    }

    /// Wraps (encrypts) a firm key for `firm_id`:
    /// `"HWK1" ‖ master key id (4 bytes) ‖ nonce ‖ encrypted key ‖ tag`, or, for a key that
    /// has been rotated, `"HWK2" ‖ master key id ‖ nonce ‖ encrypted generations ‖ tag` (the
    /// generations newest first, 32 bytes each).
    pub fn wrap(&self, firm_key: &FirmKey, firm_id: &str) -> Result<Vec<u8>> {
        let mut header = Vec::with_capacity(WRAP_HEADER_LEN);
        header.extend_from_slice(if firm_key.keys.len() == 1 {
            WRAP_MAGIC
        } else {
            WRAP_MAGIC_ROTATED
        });
        header.extend_from_slice(&self.id_bytes());
        let mut generations = Zeroizing::new(Vec::with_capacity(firm_key.keys.len() * KEY_LEN));
        for key in &firm_key.keys {
            generations.extend_from_slice(key.as_ref());
        }
        let sealed = seal_raw(&self.key, &generations, &Self::wrap_aad(&header, firm_id))?;
        let mut out = header;
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Unwraps a firm key wrapped by this master key for `firm_id`.
    pub fn unwrap(&self, wrapped: &[u8], firm_id: &str) -> Result<FirmKey> {
        let min = WRAP_HEADER_LEN + SEAL_OVERHEAD + KEY_LEN;
        if wrapped.len() < WRAP_HEADER_LEN {
            return Err(SealError::Truncated {
                len: wrapped.len(),
                min,
            });
        }
        let (header, sealed) = wrapped.split_at(WRAP_HEADER_LEN);
        let magic = &header[..WRAP_MAGIC.len()];
        let rotated = magic == WRAP_MAGIC_ROTATED;
        if magic != WRAP_MAGIC && !rotated {
            return Err(SealError::UnknownFormat);
        }
        let found = &header[WRAP_MAGIC.len()..];
        if found != self.id_bytes() {
            return Err(SealError::WrongMasterKey {
                expected: self.id.clone(),
                found: hex::encode(found),
            });
        }
        if wrapped.len() < min {
            return Err(SealError::Truncated {
                len: wrapped.len(),
                min,
            });
        }
        let plain = Zeroizing::new(open_raw(
            &self.key,
            sealed,
            &Self::wrap_aad(header, firm_id),
        )?);
        // The header is authenticated, so a genuine HWK1 holds exactly one key and a genuine
        // HWK2 a whole number of them.
        let whole = plain.len().is_multiple_of(KEY_LEN) && !plain.is_empty();
        if !whole || (!rotated && plain.len() != KEY_LEN) {
            return Err(SealError::Tampered);
        }
        let keys = plain
            .chunks_exact(KEY_LEN)
            .map(|chunk| {
                let mut key = Zeroizing::new([0u8; KEY_LEN]);
                key.copy_from_slice(chunk);
                key
            })
            .collect();
        Ok(FirmKey { keys })
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// One firm's data key: seals and opens that firm's documents. Zeroized on drop.
///
/// A firm key has one or more generations. [`FirmKey::rotated`] adds a new one: what is
/// sealed from then on uses it, and what was sealed before still opens (each earlier
/// generation is tried in turn, newest first; AES-GCM's tag tells a wrong key apart, so a
/// rotation costs old data one failed tag check per generation and re-encrypts nothing).
///
/// (ring's expanded AES key schedule is built per call and is not zeroized by ring.)
pub struct FirmKey {
    /// Newest first; never empty.
    keys: Vec<Zeroizing<[u8; KEY_LEN]>>,
}

fn random_key() -> Result<Zeroizing<[u8; KEY_LEN]>> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    SystemRandom::new()
        .fill(key.as_mut())
        .map_err(|_| SealError::Rng)?;
    Ok(key)
}

impl FirmKey {
    /// A new random firm key from the system's secure random number generator.
    pub fn generate() -> Result<Self> {
        Ok(Self {
            keys: vec![random_key()?],
        })
    }

    /// This key with a new generation in front: [`FirmKey::seal`] uses the new one from now
    /// on, [`FirmKey::open`] still opens what any earlier generation sealed.
    pub fn rotated(&self) -> Result<Self> {
        let mut keys = vec![random_key()?];
        keys.extend(self.keys.iter().cloned());
        Ok(Self { keys })
    }

    /// How many generations the key has (1 until it is first rotated).
    pub fn generations(&self) -> usize {
        self.keys.len()
    }

    /// Seals `plaintext` with the newest generation: `random 96-bit nonce ‖ ciphertext ‖
    /// 128-bit tag`. `aad` must be given again, byte for byte, to open it (use firm id ‖
    /// doc id).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        seal_raw(&self.keys[0], plaintext, aad)
    }

    /// Opens what [`FirmKey::seal`] produced with the same `aad`, under any generation.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        self.open_generation(sealed, aad).map(|(plain, _)| plain)
    }

    /// [`FirmKey::open`], also saying which generation opened it (0 = the newest).
    pub fn open_generation(&self, sealed: &[u8], aad: &[u8]) -> Result<(Vec<u8>, usize)> {
        let mut last = SealError::Tampered;
        for (generation, key) in self.keys.iter().enumerate() {
            match open_raw(key, sealed, aad) {
                Ok(plain) => return Ok((plain, generation)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

impl std::fmt::Debug for FirmKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FirmKey(..)")
    }
}

/// Associated data for a document chunk: `firm_id ‖ 0x00 ‖ doc_id`. The separator keeps
/// ("ab","c") and ("a","bc") apart.
pub fn document_aad(firm_id: &str, doc_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(firm_id.len() + 1 + doc_id.len());
    aad.extend_from_slice(firm_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(doc_id.as_bytes());
    aad
}

/// Associated data for a document blob (an attached file): `firm_id ‖ 0x00 ‖ doc_id ‖ 0x00 ‖
/// sha256_hex`, so a sealed blob opens only as the file it was stored as, in its household.
pub fn blob_aad(firm_id: &str, doc_id: &str, sha256_hex: &str) -> Vec<u8> {
    let mut aad = document_aad(firm_id, doc_id);
    aad.push(0);
    aad.extend_from_slice(sha256_hex.as_bytes());
    aad
}
