//! One archive entry and its canonical byte encoding (the bytes a leaf hash covers).
//!
//! ```text
//! version   u8    = 1
//! kind      u8    0 = an accepted Automerge change, 1 = an administrative action
//! seq       u64   big-endian; the entry's position in the firm's log (0-based leaf index)
//! time      i64   big-endian; milliseconds since the Unix epoch
//! firm, advisor, device, document       each u16 big-endian length ‖ UTF-8
//! change    32 bytes; the Automerge change hash (for an admin action: SHA-256 of the payload)
//! payload   u32 big-endian length ‖ bytes; the change sealed with the firm's data key (for an
//!           admin action: the action as JSON, in the clear)
//! ```
//!
//! Decoding is strict: every field must be present and well-formed and nothing may follow.

use serde::Serialize;

use crate::merkle::{Hash, leaf_hash};

/// Encoding version written by this crate.
pub const ENTRY_VERSION: u8 = 1;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A change to a household document that the relay accepted.
    Change,
    /// An administrative action on the archive itself (retention, legal hold).
    Admin,
}

impl EntryKind {
    /// The byte stored in the encoding.
    pub fn code(self) -> u8 {
        match self {
            EntryKind::Change => 0,
            EntryKind::Admin => 1,
        }
    }

    /// The kind a stored byte names.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(EntryKind::Change),
            1 => Some(EntryKind::Admin),
            _ => None,
        }
    }
}

/// One record of a firm's archive log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the firm's log (0-based; equals the leaf index).
    pub seq: u64,
    /// When the relay accepted it, ms since the Unix epoch.
    pub time: i64,
    /// Firm id.
    pub firm: String,
    /// Advisor who sent the change (or performed the action).
    pub advisor: String,
    /// Device it came from (empty for API tokens and the operator CLI).
    pub device: String,
    /// Household document id (empty for firm-wide admin actions).
    pub document: String,
    /// What it records.
    pub kind: EntryKind,
    /// Automerge change hash (admin actions: SHA-256 of the payload).
    pub change_hash: Hash,
    /// Sealed change bytes (admin actions: the action as JSON).
    pub payload: Vec<u8>,
}

/// Why entry bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes end before a field is complete.
    #[error("truncated at byte {0}")]
    Truncated(usize),
    /// An unknown encoding version.
    #[error("unknown entry version {0}")]
    Version(u8),
    /// An unknown kind byte.
    #[error("unknown entry kind {0}")]
    Kind(u8),
    /// A text field is not UTF-8.
    #[error("field {0} is not UTF-8")]
    Utf8(&'static str),
    /// Bytes follow the last field.
    #[error("{0} unexpected bytes after the entry")]
    Trailing(usize),
}

/// Why an entry could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A text field is longer than 65,535 bytes.
    #[error("field {0} is longer than 65535 bytes")]
    FieldTooLong(&'static str),
    /// The payload is 4 GiB or more.
    #[error("payload is too large for an archive entry")]
    PayloadTooLarge,
}

impl Entry {
    /// The canonical bytes (what the leaf hash covers).
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(
            1 + 1
                + 8
                + 8
                + 8
                + self.firm.len()
                + self.advisor.len()
                + self.device.len()
                + self.document.len()
                + 32
                + 4
                + self.payload.len(),
        );
        out.push(ENTRY_VERSION);
        out.push(self.kind.code());
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.time.to_be_bytes());
        for (name, field) in [
            ("firm", &self.firm),
            ("advisor", &self.advisor),
            ("device", &self.device),
            ("document", &self.document),
        ] {
            let len = u16::try_from(field.len()).map_err(|_| EncodeError::FieldTooLong(name))?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(field.as_bytes());
        }
        out.extend_from_slice(&self.change_hash);
        let len = u32::try_from(self.payload.len()).map_err(|_| EncodeError::PayloadTooLarge)?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.payload);
        Ok(out)
    }

    /// Decodes canonical bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if version != ENTRY_VERSION {
            return Err(DecodeError::Version(version));
        }
        let code = r.u8()?;
        let kind = EntryKind::from_code(code).ok_or(DecodeError::Kind(code))?;
        let seq = u64::from_be_bytes(r.array()?);
        let time = i64::from_be_bytes(r.array()?);
        let firm = r.text("firm")?;
        let advisor = r.text("advisor")?;
        let device = r.text("device")?;
        let document = r.text("document")?;
        let change_hash = r.array()?;
        let len = u32::from_be_bytes(r.array()?) as usize;
        let payload = r.take(len)?.to_vec();
        if r.at != bytes.len() {
            return Err(DecodeError::Trailing(bytes.len() - r.at));
        }
        Ok(Entry {
            seq,
            time,
            firm,
            advisor,
            device,
            document,
            kind,
            change_hash,
            payload,
        })
    }

    /// The entry's leaf hash: SHA-256(0x00 ‖ canonical bytes).
    pub fn leaf_hash(&self) -> Result<Hash, EncodeError> {
        Ok(leaf_hash(&self.encode()?))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(DecodeError::Truncated(self.bytes.len()))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn text(&mut self, name: &'static str) -> Result<String, DecodeError> {
        let len = u16::from_be_bytes(self.array()?) as usize;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::Utf8(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        Entry {
            seq: 17,
            time: 1_790_000_000_000,
            firm: "firm_a".into(),
            advisor: "adv_1".into(),
            device: "dev_1".into(),
            document: "2x7kHousehold".into(),
            kind: EntryKind::Change,
            change_hash: [7; 32],
            payload: vec![1, 2, 3, 4],
        }
    }

    #[test]
    fn encoding_round_trips() {
        let e = sample();
        let bytes = e.encode().unwrap();
        assert_eq!(Entry::decode(&bytes).unwrap(), e);
    }

    #[test]
    fn decoding_is_strict() {
        let mut bytes = sample().encode().unwrap();
        bytes.push(0);
        assert_eq!(Entry::decode(&bytes), Err(DecodeError::Trailing(1)));
        bytes.truncate(bytes.len() - 3);
        assert!(matches!(
            Entry::decode(&bytes),
            Err(DecodeError::Truncated(_))
        ));
        let mut bytes = sample().encode().unwrap();
        bytes[0] = 9;
        assert_eq!(Entry::decode(&bytes), Err(DecodeError::Version(9)));
    }

    #[test]
    fn every_field_changes_the_leaf_hash() {
        let base = sample().leaf_hash().unwrap();
        let mut variants = vec![sample(); 8];
        variants[0].seq += 1;
        variants[1].time += 1;
        variants[2].firm.push('x');
        variants[3].advisor.push('x');
        variants[4].device.push('x');
        variants[5].document.push('x');
        variants[6].change_hash[0] ^= 1;
        variants[7].payload[0] ^= 1;
        for v in variants {
            assert_ne!(v.leaf_hash().unwrap(), base);
        }
    }
}
