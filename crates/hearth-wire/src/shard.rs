//! Spreading one firm's documents over several hubs, so a busy firm uses more than one core.
//!
//! Every document belongs to exactly one hub ([`shard_of`], from its id), so each document is
//! resident, synced and persisted in one place. A connection is known to every hub: its
//! `join` and `leave` go to all of them ([`Route::Every`]), and the caller must hand such
//! frames to all hubs in one global order (so simultaneous joins with the same peer id are
//! decided the same way everywhere). One hub answers the handshake; the others are built with
//! [`crate::HubConfig::answers_join`] off. Anything else goes to the hub of its document;
//! frames without a usable document id (garbage, an invalid id) go to the first hub, which
//! answers them as a single hub would.

use hearth_core::DocumentId;

use crate::message::{self, DecodeError, Message};

/// Where one client frame goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// To every hub, in the same order relative to other [`Route::Every`] frames.
    Every,
    /// To this hub only.
    One(usize),
}

/// The hub (of `shards`) that holds `doc_id`.
pub fn shard_of(doc_id: &DocumentId, shards: usize) -> usize {
    if shards <= 1 {
        return 0;
    }
    // Document ids are random (CSPRNG), so their first bytes spread evenly.
    let mut first = [0u8; 8];
    first.copy_from_slice(&doc_id.as_bytes()[..8]);
    (u64::from_le_bytes(first) % shards as u64) as usize
}

/// Where a client's frame goes when the firm has `shards` hubs. With one hub the frame is not
/// read at all.
pub fn route(bytes: &[u8], shards: usize) -> Route {
    if shards <= 1 {
        return Route::One(0);
    }
    match message::decode(bytes) {
        Ok(Message::Join { .. } | Message::Leave { .. }) => Route::Every,
        Ok(
            Message::Request { document_id, .. }
            | Message::Sync { document_id, .. }
            | Message::Ephemeral { document_id, .. }
            | Message::RemoteHeadsChanged { document_id, .. },
        ) => Route::One(shard_of(&document_id, shards)),
        // Messages a client has no business sending, ids that do not parse and garbage are
        // handled (ignored, answered as unknown, refused) by the first hub, as one hub would.
        Ok(_) | Err(DecodeError::InvalidDocumentId(_)) | Err(_) => Route::One(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Message, PeerMetadata, encode};

    #[test]
    fn one_hub_takes_everything_unread() {
        assert_eq!(route(b"not even cbor", 1), Route::One(0));
        assert_eq!(shard_of(&DocumentId::random(), 1), 0);
    }

    #[test]
    fn handshakes_go_everywhere_and_documents_to_their_own_hub() {
        let join = encode(&Message::Join {
            sender_id: "desk".into(),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: None,
        });
        assert_eq!(route(&join, 3), Route::Every);
        let leave = encode(&Message::Leave {
            sender_id: "desk".into(),
        });
        assert_eq!(route(&leave, 3), Route::Every);
        let mut seen = [0usize; 3];
        for _ in 0..300 {
            let doc = DocumentId::random();
            let sync = encode(&Message::Sync {
                sender_id: "desk".into(),
                target_id: "relay".into(),
                document_id: doc,
                data: vec![0x42],
            });
            let Route::One(hub) = route(&sync, 3) else {
                panic!("a sync message goes to one hub")
            };
            assert_eq!(hub, shard_of(&doc, 3));
            seen[hub] += 1;
        }
        // Random ids spread over every hub (each gets ~100 of 300).
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
        assert_eq!(route(b"\xff garbage", 3), Route::One(0));
    }
}
