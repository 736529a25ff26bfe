//! The client-side engine for `hearth sync`: a sans-I/O state machine that joins a relay,
//! syncs a set of local documents with it and tells when everything has converged.
//!
//! ```text
//! let mut client = Client::new(peer_id, metadata);
//! client.insert_document(id, doc);          // documents we have: announced with `sync`
//! client.request_document(other_id);        // documents we want: asked for with `request`
//! send_all(client.start());                 // the `join` frame
//! loop {
//!     let frame = socket.recv();
//!     send_all(client.receive(&frame)?);    // answers, including the announcements after `peer`
//!     for id in client.take_changed() { persist(id, client.document(&id)) }
//!     if client.is_converged() { break }
//! }
//! ```

use std::collections::{BTreeMap, BTreeSet};

use automerge::Automerge;
use automerge::sync::{self, SyncDoc};
use hearth_core::DocumentId;
use tracing::debug;

use crate::message::{self, DecodeError, Message, PROTOCOL_VERSION, PeerMetadata};

/// Where one document stands with the remote peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocStatus {
    /// Being synced (or in sync) with the remote peer.
    Syncing,
    /// The remote peer said it does not have the document (or may not show or take it).
    Unavailable,
}

/// Why the client cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The remote peer sent a frame that could not be decoded.
    #[error("could not decode a frame from the remote peer: {0}")]
    Decode(#[from] DecodeError),
    /// The remote peer sent `error` (it closes the connection after it).
    #[error("the remote peer refused: {0}")]
    Rejected(String),
    /// The remote peer chose a protocol version this client does not speak.
    #[error("the remote peer chose protocol version {0:?}")]
    UnsupportedVersion(String),
    /// The remote peer sent a sync message that could not be read or applied.
    #[error("invalid sync message for {document_id}: {reason}")]
    InvalidSyncMessage {
        /// The document.
        document_id: DocumentId,
        /// What went wrong.
        reason: String,
    },
}

struct ClientDoc {
    doc: Automerge,
    sync: sync::State,
    status: DocStatus,
}

/// The client engine. See the [module docs](self).
pub struct Client {
    peer_id: String,
    metadata: PeerMetadata,
    remote: Option<String>,
    docs: BTreeMap<DocumentId, ClientDoc>,
    changed: BTreeSet<DocumentId>,
}

impl Client {
    /// A client that will join as `peer_id`, describing itself with `metadata`.
    pub fn new(peer_id: impl Into<String>, metadata: PeerMetadata) -> Self {
        Self {
            peer_id: peer_id.into(),
            metadata,
            remote: None,
            docs: BTreeMap::new(),
            changed: BTreeSet::new(),
        }
    }

    /// The client's peer id.
    pub fn peer_id(&self) -> &str {
        &self.peer_id
    }

    /// The remote peer's id, once the handshake is done.
    pub fn remote_peer_id(&self) -> Option<&str> {
        self.remote.as_deref()
    }

    /// Whether the handshake is done.
    pub fn is_joined(&self) -> bool {
        self.remote.is_some()
    }

    /// Adds a document the client has. Once joined, it is announced with `sync` (use
    /// [`Client::poll`] when adding after the handshake). Replaces any document of that id.
    pub fn insert_document(&mut self, id: DocumentId, doc: Automerge) {
        self.docs.insert(
            id,
            ClientDoc {
                doc,
                sync: sync::State::new(),
                status: DocStatus::Syncing,
            },
        );
    }

    /// Adds a document the client wants but lacks: it is asked for with `request`.
    /// Does nothing if the document is already there.
    pub fn request_document(&mut self, id: DocumentId) {
        if !self.docs.contains_key(&id) {
            self.insert_document(id, Automerge::new());
        }
    }

    /// The client's copy of a document.
    pub fn document(&self, id: &DocumentId) -> Option<&Automerge> {
        self.docs.get(id).map(|d| &d.doc)
    }

    /// The client's copy of a document, to change it; call [`Client::poll`] afterwards.
    pub fn document_mut(&mut self, id: &DocumentId) -> Option<&mut Automerge> {
        self.docs.get_mut(id).map(|d| &mut d.doc)
    }

    /// The ids of all documents, in order.
    pub fn document_ids(&self) -> impl Iterator<Item = &DocumentId> {
        self.docs.keys()
    }

    /// Where a document stands.
    pub fn status(&self, id: &DocumentId) -> Option<DocStatus> {
        self.docs.get(id).map(|d| d.status)
    }

    /// The documents changed by the remote peer since the last call, for the edge to persist.
    pub fn take_changed(&mut self) -> Vec<DocumentId> {
        std::mem::take(&mut self.changed).into_iter().collect()
    }

    /// Gives back all documents.
    pub fn into_documents(self) -> BTreeMap<DocumentId, Automerge> {
        self.docs.into_iter().map(|(id, d)| (id, d.doc)).collect()
    }

    /// The `join` frame that opens the session.
    pub fn start(&mut self) -> Vec<Vec<u8>> {
        vec![message::encode(&Message::Join {
            sender_id: self.peer_id.clone(),
            peer_metadata: self.metadata.clone(),
            supported_protocol_versions: Some(vec![PROTOCOL_VERSION.to_string()]),
        })]
    }

    /// The `leave` frame that closes the session politely.
    pub fn leave(&mut self) -> Vec<u8> {
        self.remote = None;
        message::encode(&Message::Leave {
            sender_id: self.peer_id.clone(),
        })
    }

    /// Sync messages for every document that has something to send (after local changes,
    /// or documents added after the handshake). Empty before the handshake.
    pub fn poll(&mut self) -> Vec<Vec<u8>> {
        let ids: Vec<DocumentId> = self.docs.keys().copied().collect();
        ids.into_iter()
            .filter_map(|id| self.sync_frame(&id))
            .collect()
    }

    /// Handles one frame from the remote peer; returns the frames to send back.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, ClientError> {
        let msg = message::decode(bytes)?;
        match msg {
            Message::Peer {
                sender_id,
                selected_protocol_version,
                ..
            } => {
                if selected_protocol_version != PROTOCOL_VERSION {
                    return Err(ClientError::UnsupportedVersion(selected_protocol_version));
                }
                self.remote = Some(sender_id);
                Ok(self.poll())
            }
            Message::Error { message, .. } => Err(ClientError::Rejected(message)),
            Message::Sync {
                sender_id,
                document_id,
                data,
                ..
            }
            | Message::Request {
                sender_id,
                document_id,
                data,
                ..
            } => {
                if self.remote.as_deref() != Some(sender_id.as_str()) {
                    debug!(%document_id, "sync from a peer other than the one joined ignored");
                    return Ok(Vec::new());
                }
                self.sync_in(document_id, &data)
            }
            Message::DocUnavailable { document_id, .. } => {
                if let Some(d) = self.docs.get_mut(&document_id) {
                    d.status = DocStatus::Unavailable;
                }
                Ok(Vec::new())
            }
            other => {
                debug!(kind = other.type_name(), "message ignored");
                Ok(Vec::new())
            }
        }
    }

    /// Whether every document is in sync with the remote peer (both sides have the same heads
    /// and nothing is left to send) or unavailable there.
    pub fn is_converged(&self) -> bool {
        self.remote.is_some()
            && self.docs.values().all(|d| match d.status {
                DocStatus::Unavailable => true,
                DocStatus::Syncing => {
                    d.sync.their_heads.as_ref() == Some(&d.doc.get_heads())
                        && d.doc.generate_sync_message(&mut d.sync.clone()).is_none()
                }
            })
    }

    fn sync_in(
        &mut self,
        document_id: DocumentId,
        data: &[u8],
    ) -> Result<Vec<Vec<u8>>, ClientError> {
        let Some(d) = self.docs.get_mut(&document_id) else {
            debug!(%document_id, "sync for a document not asked for ignored");
            return Ok(Vec::new());
        };
        let invalid = |e: &dyn std::fmt::Display| ClientError::InvalidSyncMessage {
            document_id,
            reason: e.to_string(),
        };
        let msg = sync::Message::decode(data).map_err(|e| invalid(&e))?;
        let remote_has_something = !msg.heads.is_empty();
        let before = d.doc.get_heads();
        d.doc
            .receive_sync_message(&mut d.sync, msg)
            .map_err(|e| invalid(&e))?;
        if d.doc.get_heads() != before {
            self.changed.insert(document_id);
        }
        if remote_has_something {
            d.status = DocStatus::Syncing;
        } else if d.status == DocStatus::Unavailable {
            // The remote has said it will not hold this document: stop offering it.
            return Ok(Vec::new());
        }
        Ok(self.sync_frame(&document_id).into_iter().collect())
    }

    /// The next sync message for one document, if it has one: `request` while the client has
    /// nothing of the document, `sync` after.
    fn sync_frame(&mut self, id: &DocumentId) -> Option<Vec<u8>> {
        let target = self.remote.clone()?;
        let d = self.docs.get_mut(id)?;
        if d.status == DocStatus::Unavailable {
            return None;
        }
        let msg = d.doc.generate_sync_message(&mut d.sync)?;
        let (sender_id, document_id, data) = (self.peer_id.clone(), *id, msg.encode());
        Some(message::encode(&if d.doc.get_heads().is_empty() {
            Message::Request {
                sender_id,
                target_id: target,
                document_id,
                data,
            }
        } else {
            Message::Sync {
                sender_id,
                target_id: target,
                document_id,
                data,
            }
        }))
    }
}
