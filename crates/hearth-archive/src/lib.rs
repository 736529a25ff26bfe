//! The compliance archive's pure core (no I/O beyond reading and writing a bundle directory).
//!
//! Every change a firm's relay accepts becomes an [`Entry`] of that firm's append-only log.
//! Entries are the leaves of an RFC 6962 / RFC 9162 Merkle tree ([`merkle`]): leaf hash =
//! SHA-256(0x00 ‖ entry bytes), node hash = SHA-256(0x01 ‖ left ‖ right). The relay signs
//! tree heads (size, time, root) with the firm's Ed25519 key ([`head`]); whoever holds a tree
//! head can check that an entry is in it (inclusion proof) and that a later head extends it
//! (consistency proof), so a rewritten history is detected.
//!
//! [`bundle`] is the examiner's export: a directory with a human-readable part and everything
//! needed to verify it without the relay or its database; [`bundle::verify`] names the first
//! thing that does not verify.
#![forbid(unsafe_code)]

pub mod bundle;
pub mod entry;
pub mod head;
pub mod merkle;
pub mod readable;

pub use entry::{Entry, EntryKind};
pub use head::{ArchiveSigner, SignedTreeHead, TreeHead};
pub use merkle::{Hash, Tree};
