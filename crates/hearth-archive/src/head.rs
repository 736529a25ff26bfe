//! Signed tree heads: (size, time, root) signed with the firm's Ed25519 key.
//!
//! The signed message binds the firm id too, so a head of one firm can never pass for another
//! firm's:
//!
//! ```text
//! "hearth-archive tree head v1\n" ‖ u16 BE len ‖ firm ‖ size u64 BE ‖ time i64 BE ‖ root (32)
//! ```

use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::merkle::Hash;

const CONTEXT: &[u8] = b"hearth-archive tree head v1\n";
const MANIFEST_CONTEXT: &[u8] = b"hearth-archive bundle manifest v1\n";

/// The bytes a firm signs for a bundle's manifest: a context, the firm (length-prefixed) and
/// the manifest file's exact bytes.
fn manifest_message(firm: &str, manifest: &[u8]) -> Result<Vec<u8>, SignError> {
    let len = u16::try_from(firm.len()).map_err(|_| SignError::FirmTooLong)?;
    let mut m = Vec::with_capacity(MANIFEST_CONTEXT.len() + 2 + firm.len() + manifest.len());
    m.extend_from_slice(MANIFEST_CONTEXT);
    m.extend_from_slice(&len.to_be_bytes());
    m.extend_from_slice(firm.as_bytes());
    m.extend_from_slice(manifest);
    Ok(m)
}

/// Checks a bundle manifest's signature with the firm's public key (32 raw bytes).
pub fn verify_manifest(
    firm: &str,
    manifest: &[u8],
    signature: &[u8],
    public_key: &[u8],
) -> Result<(), SignError> {
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(&manifest_message(firm, manifest)?, signature)
        .map_err(|_| SignError::BadSignature)
}

/// A public key's fingerprint as firms publish it and examiners pin it: SHA-256 of the
/// 32 key bytes, hex.
pub fn fingerprint(public_key: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, public_key))
}

/// A tree head: the log's size, when it was taken and the Merkle root of that many entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    /// Number of entries.
    pub size: u64,
    /// When it was signed, ms since the Unix epoch.
    pub time: i64,
    /// Merkle root of the first `size` entries (hex in JSON).
    #[serde(with = "hex_hash")]
    pub root: Hash,
}

/// A tree head with the firm's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    /// The head.
    #[serde(flatten)]
    pub head: TreeHead,
    /// Ed25519 signature over [`TreeHead::message`] (hex in JSON).
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
}

/// Errors from keys and signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// Key generation failed (the system random source).
    #[error("could not generate an archive signing key")]
    Generate,
    /// Stored key bytes are not an Ed25519 PKCS#8 key.
    #[error("the stored archive signing key is damaged")]
    BadKey,
    /// The signature does not verify with the public key.
    #[error("bad signature")]
    BadSignature,
    /// The firm id is too long to sign.
    #[error("firm id too long")]
    FirmTooLong,
}

impl TreeHead {
    /// The bytes the firm signs.
    pub fn message(&self, firm: &str) -> Result<Vec<u8>, SignError> {
        let len = u16::try_from(firm.len()).map_err(|_| SignError::FirmTooLong)?;
        let mut m = Vec::with_capacity(CONTEXT.len() + 2 + firm.len() + 8 + 8 + 32);
        m.extend_from_slice(CONTEXT);
        m.extend_from_slice(&len.to_be_bytes());
        m.extend_from_slice(firm.as_bytes());
        m.extend_from_slice(&self.size.to_be_bytes());
        m.extend_from_slice(&self.time.to_be_bytes());
        m.extend_from_slice(&self.root);
        Ok(m)
    }
}

impl SignedTreeHead {
    /// Checks the signature with the firm's public key (32 raw bytes).
    pub fn verify(&self, firm: &str, public_key: &[u8]) -> Result<(), SignError> {
        UnparsedPublicKey::new(&ED25519, public_key)
            .verify(&self.head.message(firm)?, &self.signature)
            .map_err(|_| SignError::BadSignature)
    }
}

/// A firm's Ed25519 signing key.
pub struct ArchiveSigner {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for ArchiveSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveSigner")
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

impl ArchiveSigner {
    /// A new random key, returned with its PKCS#8 encoding (to be stored sealed).
    pub fn generate() -> Result<(Self, Vec<u8>), SignError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| SignError::Generate)?;
        let signer = Self::from_pkcs8(pkcs8.as_ref())?;
        Ok((signer, pkcs8.as_ref().to_vec()))
    }

    /// The key from its PKCS#8 encoding.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, SignError> {
        Ed25519KeyPair::from_pkcs8(pkcs8)
            .map(|pair| Self { pair })
            .map_err(|_| SignError::BadKey)
    }

    /// The 32-byte public key examiners verify with.
    pub fn public_key(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// Signs a bundle manifest (its exact bytes) for `firm`.
    pub fn sign_manifest(&self, firm: &str, manifest: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self
            .pair
            .sign(&manifest_message(firm, manifest)?)
            .as_ref()
            .to_vec())
    }

    /// Signs a tree head for `firm`.
    pub fn sign(&self, firm: &str, head: TreeHead) -> Result<SignedTreeHead, SignError> {
        let signature = self.pair.sign(&head.message(firm)?).as_ref().to_vec();
        Ok(SignedTreeHead { head, signature })
    }
}

/// Serde for a 32-byte hash as hex.
pub mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::merkle::Hash;

    /// Writes hex.
    pub fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    /// Reads 64 hex characters.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(D::Error::custom)
    }

    /// Parses 64 hex characters.
    pub fn parse(text: &str) -> Result<Hash, String> {
        let bytes = hex::decode(text).map_err(|e| format!("not hex: {e}"))?;
        bytes
            .try_into()
            .map_err(|_| "a hash must be 32 bytes".to_string())
    }
}

/// Serde for bytes as hex.
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes hex.
    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    /// Reads hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_every_field_and_the_firm() {
        let (signer, pkcs8) = ArchiveSigner::generate().unwrap();
        let again = ArchiveSigner::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(signer.public_key(), again.public_key());
        let head = TreeHead {
            size: 10,
            time: 1_000,
            root: [3; 32],
        };
        let sth = signer.sign("firm_a", head).unwrap();
        let pk = signer.public_key();
        sth.verify("firm_a", &pk).unwrap();
        assert_eq!(sth.verify("firm_b", &pk), Err(SignError::BadSignature));
        for tamper in 0..3 {
            let mut t = sth.clone();
            match tamper {
                0 => t.head.size += 1,
                1 => t.head.time += 1,
                _ => t.head.root[5] ^= 1,
            }
            assert_eq!(t.verify("firm_a", &pk), Err(SignError::BadSignature));
        }
        let json = serde_json::to_string(&sth).unwrap();
        let back: SignedTreeHead = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sth);
    }
}
