//! Identifiers that travel with household documents.

use std::fmt;
use std::str::FromStr;

use ring::rand::{SecureRandom, SystemRandom};

use crate::CoreError;

/// The id of one household document, in the form automerge-repo uses for document ids:
/// bs58check of 16 random bytes (`automerge:<id>` as a URL).
///
/// Using the automerge-repo form means the same document can travel over the standard
/// sync protocol unchanged.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

impl DocumentId {
    /// A fresh random id from the operating system's CSPRNG.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        fill_random(&mut bytes);
        Self(bytes)
    }

    /// The id's 16 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Wraps 16 raw bytes as an id.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The `automerge:<id>` URL form used by automerge-repo clients.
    pub fn url(&self) -> String {
        format!("automerge:{self}")
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = CoreError;

    /// Accepts the bare bs58check form or the `automerge:` URL form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.trim().strip_prefix("automerge:").unwrap_or(s.trim());
        let invalid = || CoreError::InvalidId {
            what: "household",
            given: s.to_string(),
        };
        let bytes = bs58::decode(bare)
            .with_check(None)
            .into_vec()
            .map_err(|_| invalid())?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| invalid())?;
        Ok(Self(bytes))
    }
}

impl serde::Serialize for DocumentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DocumentId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A short random id for an item inside a household (member, note, task, ...): 16 hex digits.
///
/// Items live in maps keyed by these ids so that concurrent inserts on two replicas never
/// collide and merge as two items.
pub fn new_item_id() -> String {
    let mut bytes = [0u8; 8];
    fill_random(&mut bytes);
    hex::encode(bytes)
}

/// Fills `buf` from the OS CSPRNG. `ring`'s SystemRandom only fails when the OS has no
/// entropy source at all, in which case no id can be made safely.
pub(crate) fn fill_random(buf: &mut [u8]) {
    SystemRandom::new()
        .fill(buf)
        .expect("the operating system's random number generator is unavailable");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text_and_url() {
        let id = DocumentId::random();
        assert_eq!(id.to_string().parse::<DocumentId>().unwrap(), id);
        assert_eq!(id.url().parse::<DocumentId>().unwrap(), id);
    }

    #[test]
    fn rejects_bad_checksum_and_wrong_length() {
        let id = DocumentId::random().to_string();
        let mut corrupted = id.clone().into_bytes();
        let last = corrupted.len() - 1;
        corrupted[last] = if corrupted[last] == b'2' { b'3' } else { b'2' };
        assert!(
            String::from_utf8(corrupted)
                .unwrap()
                .parse::<DocumentId>()
                .is_err()
        );
        let short = bs58::encode([1u8; 8]).with_check().into_string();
        assert!(short.parse::<DocumentId>().is_err());
        assert!("not an id".parse::<DocumentId>().is_err());
    }

    #[test]
    fn matches_automerge_repo_encoding() {
        // automerge-repo: bs58check.encode(uuid bytes). The all-zero id is a fixed point we can check.
        let id = DocumentId::from_bytes([0u8; 16]);
        let decoded = bs58::decode(id.to_string()).into_vec().unwrap();
        assert_eq!(decoded.len(), 16 + 4, "16 bytes plus a 4-byte checksum");
    }
}
