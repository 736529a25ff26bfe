//! What every wire fuzz input is checked against, shared by the tests and the fuzzer.

use hearth_core::DocumentId;
use hearth_wire::relay::{Access, Policy};
use hearth_wire::{decode, encode};

/// A policy that allows everything: the fuzzers test the protocol, not the scope check.
pub struct AllowAll;

impl Policy for AllowAll {
    type Identity = ();
    fn may_access(&self, _: &(), _: &DocumentId) -> Access {
        Access::Allowed
    }
    fn may_create(&self, _: &(), _: &DocumentId) -> bool {
        true
    }
    fn may_replace(&self, _: &(), _: &()) -> bool {
        true
    }
}

/// Decoding never panics; whatever decodes re-encodes to something that decodes the same.
/// True when `frame` decoded.
pub fn check_decode(frame: &[u8]) -> bool {
    match decode(frame) {
        Ok(msg) => {
            assert_eq!(decode(&encode(&msg)).as_ref(), Ok(&msg), "{frame:02x?}");
            true
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}
