//! The relay-side engine: a sans-I/O state machine that speaks automerge-repo v1 to many
//! connections and keeps one Automerge document per document id.
//!
//! The edge (a WebSocket server) authenticates each socket, then feeds the [`Hub`] with
//! [`Hub::connect`], [`Hub::receive`] (or [`Hub::receive_batch`] for frames that queued up),
//! [`Hub::disconnect`], [`Hub::document_loaded`] and [`Hub::tick`], and carries out the
//! [`Effect`]s each call returns, in order.
//!
//! # Access control
//!
//! Every path that touches a document (`request`, `sync`, `ephemeral`, `remote-heads-changed`,
//! and every fan-out to another peer) goes through one private function that asks the
//! [`Policy`]. A denied document is answered exactly as a document that does not exist (an
//! empty `sync`, then `doc-unavailable`, byte for byte the same), and is never loaded or
//! created. Denials are counted in [`HubStats`].
//!
//! The answers are the same; their timing is not: a denied document is answered at once,
//! an unknown one after the edge's load. An edge that cares can delay denied answers.
//!
//! The hub's document namespace is the set of document ids it is given: an edge serving several
//! tenants either runs one hub per tenant or has its policy deny ids of other tenants (and
//! refuse to create them).
//!
//! # Not offered
//!
//! Remote-heads gossip: `remote-subscription-change` is ignored and `remote-heads-changed`
//! is only checked against the policy. Clients sync without it.
//!
//! # Contract with the edge
//!
//! * Connection ids are never reused while the hub may still know them.
//! * Effects are carried out in the order returned; in particular every [`Effect::Persist`] is
//!   stored before a later [`Effect::Load`] of the same document is answered (the hub drops a
//!   document from memory when its last peer goes).
//! * [`Hub::tick`] is called at [`Hub::next_deadline`] (or regularly, e.g. every 50–100 ms).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, Change, ReadDoc};
use hearth_core::DocumentId;
use tracing::{debug, error, warn};

use crate::message::{
    self, DecodeError, InvalidDocumentId, Message, PROTOCOL_VERSION, PeerMetadata,
};

/// The default fan-out throttle: one round per document per 100 ms, as the reference peer.
pub const DEFAULT_FANOUT_INTERVAL: Duration = Duration::from_millis(100);

/// The text of the `error` message sent to a client that offers no supported version.
pub const UNSUPPORTED_VERSION_MESSAGE: &str = "unsupported protocol version";

/// The edge's handle for one connection (socket).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conn#{}", self.0)
    }
}

/// A policy's answer for one (identity, document).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The identity may read and write the document.
    Allowed,
    /// The document is out of scope: it must look as if it did not exist.
    Denied,
}

/// Who may see which document. Consulted on every path that touches a document.
pub trait Policy {
    /// Who is on the other end of a connection, as established by the edge.
    type Identity: Clone + fmt::Debug;

    /// Whether `who` may read and write `doc` (whether or not it exists).
    fn may_access(&self, who: &Self::Identity, doc: &DocumentId) -> Access;

    /// Whether `who` may create `doc`, which does not exist yet, by announcing it with `sync`.
    /// Only asked after [`Policy::may_access`] allowed the document.
    fn may_create(&self, who: &Self::Identity, doc: &DocumentId) -> bool;

    /// Why `who` may create no more documents at all (a quota reached), if so. Asked before
    /// [`Policy::may_create`]; the hub then refuses the creation with an `error` carrying this
    /// text and closes the connection, so the client learns why instead of seeing an unknown
    /// document. The default: no quota.
    fn creation_refused(&self, who: &Self::Identity) -> Option<String> {
        let _ = who;
        None
    }

    /// Whether a connection of `newer` may take over the peer id an open connection of `older`
    /// joined with (a client reconnecting before its old socket timed out). Anyone else's
    /// `join` with that id is refused: a peer id is not a credential.
    fn may_replace(&self, older: &Self::Identity, newer: &Self::Identity) -> bool;
}

/// Why the hub asks the edge to close a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The client's `join` offered no protocol version the hub speaks.
    UnsupportedProtocolVersion,
    /// Another connection joined with the same peer id.
    Replaced,
    /// The `join` named a peer id another identity's open connection holds.
    PeerIdInUse,
    /// The client sent an Automerge sync message that could not be read or applied.
    InvalidSyncMessage(String),
    /// The client sent a frame that is not a protocol message.
    UndecodableMessage(String),
    /// The client's changes would take a document past the size limit.
    DocumentTooLarge(String),
    /// The client sent an ephemeral message larger than the hub relays.
    EphemeralTooLarge(String),
    /// The client tried to create a document past a quota ([`Policy::creation_refused`]).
    QuotaExceeded(String),
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::UnsupportedProtocolVersion => f.write_str(UNSUPPORTED_VERSION_MESSAGE),
            CloseReason::Replaced => f.write_str("replaced by a newer connection of the same peer"),
            CloseReason::PeerIdInUse => f.write_str(
                "this peer id is in use by another client's connection; join with a peer id of your own",
            ),
            CloseReason::InvalidSyncMessage(why) => write!(f, "invalid sync message: {why}"),
            CloseReason::UndecodableMessage(why) => write!(f, "could not decode message: {why}"),
            CloseReason::DocumentTooLarge(why)
            | CloseReason::EphemeralTooLarge(why)
            | CloseReason::QuotaExceeded(why) => f.write_str(why),
        }
    }
}

/// Something the edge must do.
#[derive(Clone, Debug)]
pub enum Effect<I> {
    /// Send one binary frame on a connection.
    Send {
        /// The connection.
        conn: ConnId,
        /// The frame.
        bytes: Vec<u8>,
    },
    /// Close a connection. The hub has already forgotten it.
    Close {
        /// The connection.
        conn: ConnId,
        /// Why.
        reason: CloseReason,
    },
    /// Load the stored bytes of a document and answer with [`Hub::document_loaded`].
    Load {
        /// The document.
        doc_id: DocumentId,
    },
    /// Store (and archive) changes newly accepted from a peer.
    Persist {
        /// The document.
        doc_id: DocumentId,
        /// The connection they came from.
        conn: ConnId,
        /// Who sent them.
        identity: I,
        /// The changes, in an order that respects their dependencies.
        changes: Vec<Change>,
    },
}

/// Counters for the edge's metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HubStats {
    /// Denied `request` messages.
    pub denied_request: u64,
    /// Denied `sync` messages.
    pub denied_sync: u64,
    /// Denied `ephemeral` messages (from the sender).
    pub denied_ephemeral: u64,
    /// Denied `remote-heads-changed` messages.
    pub denied_remote_heads: u64,
    /// Fan-outs (sync or ephemeral) withheld from a peer that is no longer allowed.
    pub denied_fanout: u64,
    /// `sync` messages for unknown documents the policy did not let the peer create.
    pub denied_create: u64,
    /// `doc-unavailable` answers sent, for any reason.
    pub unavailable: u64,
    /// Frames whose `documentId` did not parse (answered as unknown documents).
    pub invalid_document_ids: u64,
    /// Frames that could not be decoded at all (ignored).
    pub undecodable_frames: u64,
    /// Frames received before `join` (ignored).
    pub frames_before_join: u64,
    /// Frames whose `senderId` was not the peer id the connection joined with (ignored).
    pub sender_mismatches: u64,
    /// Connections closed for an unreadable or inapplicable sync message.
    pub invalid_sync_messages: u64,
    /// Stored documents that could not be loaded.
    pub load_failures: u64,
    /// Changes accepted from peers.
    pub changes_accepted: u64,
    /// Sync messages refused because the document would grow past the size limit.
    pub documents_too_large: u64,
    /// Documents dropped from memory while peers still had them open (idle, or over the
    /// memory budget); they are loaded again on the next message that needs them.
    pub evicted_idle: u64,
}

/// The hub's own settings.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// The hub's peer id (`senderId` of everything it sends).
    pub peer_id: String,
    /// The hub's storage id, announced in `peer`.
    pub storage_id: Option<String>,
    /// Minimum time between two fan-out rounds of one document.
    pub fanout_interval: Duration,
    /// Largest a document may grow (stored bytes plus accepted changes); a sync message that
    /// would take it past this is refused with an `error` and a close.
    pub max_document_bytes: usize,
    /// Largest ephemeral payload relayed (presence, cursors: a few hundred bytes in practice);
    /// a larger one is refused with an `error` and a close rather than copied to every peer.
    pub max_ephemeral_bytes: usize,
    /// A document no peer has sent a sync message for in this long is dropped from memory
    /// even if peers still have it open ([`Hub::evict_idle`]); it is loaded again when needed.
    pub idle_eviction: Duration,
    /// What resident documents may take, estimated ([`Hub::resident_bytes`]). Over it,
    /// [`Hub::evict_idle`] drops the least recently active documents first (each idle for at
    /// least [`BUDGET_MIN_IDLE`]) until the estimate is under it again.
    pub resident_budget_bytes: usize,
    /// Whether this hub answers `join` (with `peer`, or an `error` and a close). A firm whose
    /// documents are spread over several hubs ([`crate::shard`]) gives every hub each
    /// connection's `join` and `leave`, and only one of them answers: the others keep the
    /// same bookkeeping silently, so the client sees one handshake.
    pub answers_join: bool,
}

/// The default idle time after which an open document leaves memory: one minute.
pub const DEFAULT_IDLE_EVICTION: Duration = Duration::from_secs(60);

/// The default budget for resident documents: 256 MiB (estimated).
pub const DEFAULT_RESIDENT_BUDGET_BYTES: usize = 256 * 1024 * 1024;

/// How long a document must have been idle before the memory budget may evict it: long
/// enough that a sync exchange in progress (a few round trips) is not cut in the middle.
pub const BUDGET_MIN_IDLE: Duration = Duration::from_secs(1);

/// Estimated resident bytes per operation of a document in memory, on top of its stored
/// size, and per change (its place in the change graph). Measured with automerge 0.12
/// (`cargo run --release -p hearth-wire --example resident_estimate`): 0.8 bytes per op for a
/// long text, 21 for many small map records, ~52 per op-and-change for a history of small
/// changes. The estimate fits the record and history shapes and overstates long texts, so
/// the budget errs towards evicting early rather than late.
pub const RESIDENT_BYTES_PER_OP: usize = 16;
/// See [`RESIDENT_BYTES_PER_OP`].
pub const RESIDENT_BYTES_PER_CHANGE: usize = 48;

/// The default maximum ephemeral payload: 64 KiB.
pub const DEFAULT_MAX_EPHEMERAL_BYTES: usize = 64 * 1024;

/// The default maximum document size: 64 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

impl HubConfig {
    /// Settings with the given peer id, no storage id and the default fan-out throttle.
    pub fn new(peer_id: impl Into<String>) -> Self {
        Self {
            peer_id: peer_id.into(),
            storage_id: None,
            fanout_interval: DEFAULT_FANOUT_INTERVAL,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            max_ephemeral_bytes: DEFAULT_MAX_EPHEMERAL_BYTES,
            idle_eviction: DEFAULT_IDLE_EVICTION,
            resident_budget_bytes: DEFAULT_RESIDENT_BUDGET_BYTES,
            answers_join: true,
        }
    }
}

/// The path a document access came by, for counting denials.
#[derive(Clone, Copy, Debug)]
enum Path {
    Request,
    Sync,
    Ephemeral,
    RemoteHeads,
    Fanout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SyncKind {
    Request,
    Sync,
}

struct Conn<I> {
    identity: I,
    /// Set by `join`.
    peer_id: Option<String>,
    /// Documents this peer has open (has sent request/sync for).
    docs: BTreeSet<DocumentId>,
}

struct Pending {
    conn: ConnId,
    kind: SyncKind,
    msg: sync::Message,
}

struct LiveDoc {
    doc: Automerge,
    /// Approximate size: bytes loaded plus bytes of changes accepted since.
    bytes: usize,
    /// Estimated memory the document takes (see [`Hub::resident_bytes`]).
    resident: usize,
    /// When a peer last sent a sync message for it (or it was loaded).
    last_active: Instant,
    peers: HashMap<ConnId, sync::State>,
    last_fanout: Option<Instant>,
    fanout_pending: bool,
}

/// Sync answers and fan-out rounds owed by the messages of one call, carried out once at its
/// end (see [`Hub::receive_batch`]).
#[derive(Default)]
struct Owed {
    /// (document, connection) pairs owed a sync answer, in the order first owed.
    replies: Vec<(DocumentId, ConnId)>,
    /// Documents that changed, in the order first changed.
    changed: Vec<DocumentId>,
}

enum Slot {
    Loading(Vec<Pending>),
    Ready(Box<LiveDoc>),
}

/// The relay engine. See the [module docs](self).
pub struct Hub<P: Policy> {
    policy: P,
    config: HubConfig,
    conns: HashMap<ConnId, Conn<P::Identity>>,
    peer_conns: HashMap<String, ConnId>,
    docs: HashMap<DocumentId, Slot>,
    stats: HubStats,
    /// Empty between calls.
    owed: Owed,
}

type Effects<I> = Vec<Effect<I>>;

impl<P: Policy> Hub<P> {
    /// A hub with no connections and no documents in memory.
    pub fn new(config: HubConfig, policy: P) -> Self {
        Self {
            policy,
            config,
            conns: HashMap::new(),
            peer_conns: HashMap::new(),
            docs: HashMap::new(),
            stats: HubStats::default(),
            owed: Owed::default(),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> &HubStats {
        &self.stats
    }

    /// The policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The policy, to change its rules; later decisions use the change.
    pub fn policy_mut(&mut self) -> &mut P {
        &mut self.policy
    }

    /// The hub's view of a document, if it is in memory.
    pub fn document(&self, doc_id: &DocumentId) -> Option<&Automerge> {
        match self.docs.get(doc_id) {
            Some(Slot::Ready(live)) => Some(&live.doc),
            _ => None,
        }
    }

    /// Whether a document is in memory or being loaded.
    pub fn is_resident(&self, doc_id: &DocumentId) -> bool {
        self.docs.contains_key(doc_id)
    }

    /// Estimated memory of the documents in memory ([`resident_estimate`]). An estimate for
    /// budgeting, not an exact count.
    pub fn resident_bytes(&self) -> usize {
        self.docs
            .values()
            .map(|slot| match slot {
                Slot::Ready(live) => live.resident,
                Slot::Loading(_) => 0,
            })
            .sum()
    }

    /// Drops documents from memory that peers still have open but nobody is using: every
    /// document idle for [`HubConfig::idle_eviction`], then, while the estimate is over
    /// [`HubConfig::resident_budget_bytes`], the least recently active ones idle for at least
    /// [`BUDGET_MIN_IDLE`]. A document with a fan-out round pending stays. Returns how many
    /// were dropped.
    ///
    /// Nothing is lost: what the hub accepted has been persisted (the edge's contract), the
    /// peers that had the document open stay registered on their connections, and the next
    /// message that needs the document loads it again, with a fresh sync state for each of
    /// those peers (the sync protocol recovers from one side starting over).
    pub fn evict_idle(&mut self, now: Instant) -> usize {
        let mut total = self.resident_bytes();
        let mut idle: Vec<(Instant, usize, DocumentId)> = self
            .docs
            .iter()
            .filter_map(|(id, slot)| match slot {
                Slot::Ready(live) if !live.fanout_pending => {
                    Some((live.last_active, live.resident, *id))
                }
                _ => None,
            })
            .collect();
        idle.sort();
        let mut evicted = 0;
        for (last_active, resident, id) in idle {
            let idle_for = now.saturating_duration_since(last_active);
            let over_budget = total > self.config.resident_budget_bytes;
            if idle_for >= self.config.idle_eviction || (over_budget && idle_for >= BUDGET_MIN_IDLE)
            {
                self.docs.remove(&id);
                total = total.saturating_sub(resident);
                evicted += 1;
            } else if !over_budget {
                // Sorted oldest first: nothing later is idle long enough either.
                break;
            }
        }
        self.stats.evicted_idle += evicted as u64;
        evicted
    }

    /// The number of connections the hub knows.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// A socket has been authenticated as `identity`. Frames are ignored until its `join`.
    pub fn connect(&mut self, conn: ConnId, identity: P::Identity) -> Effects<P::Identity> {
        self.forget_conn(conn);
        self.conns.insert(
            conn,
            Conn {
                identity,
                peer_id: None,
                docs: BTreeSet::new(),
            },
        );
        Vec::new()
    }

    /// A socket has closed.
    pub fn disconnect(&mut self, conn: ConnId) -> Effects<P::Identity> {
        self.forget_conn(conn);
        Vec::new()
    }

    /// One binary frame arrived on `conn` at `now`.
    pub fn receive(&mut self, conn: ConnId, bytes: &[u8], now: Instant) -> Effects<P::Identity> {
        self.receive_batch([(conn, bytes)], now)
    }

    /// Several frames arrived (in this order) by `now`: the same as receiving each in turn,
    /// except that each (connection, document) gets one sync answer, after all of them, and
    /// each changed document one fan-out round. An edge that finds frames queued up hands
    /// them over together, so under load a writer with several changes in flight gets one
    /// acknowledgement for all of them instead of one per change; the sync protocol is
    /// state-based, so the last answer says everything the earlier ones would have.
    pub fn receive_batch<'a>(
        &mut self,
        frames: impl IntoIterator<Item = (ConnId, &'a [u8])>,
        now: Instant,
    ) -> Effects<P::Identity> {
        let mut out = Vec::new();
        for (conn, bytes) in frames {
            self.receive_one(conn, bytes, &mut out);
        }
        self.settle(now, &mut out);
        out
    }

    fn receive_one(&mut self, conn: ConnId, bytes: &[u8], out: &mut Effects<P::Identity>) {
        let Some(c) = self.conns.get(&conn) else {
            debug!(%conn, "frame on unknown connection ignored");
            return;
        };
        let joined = c.peer_id.clone();
        let msg = match message::decode(bytes) {
            Ok(msg) => msg,
            Err(DecodeError::InvalidDocumentId(invalid)) => {
                match joined {
                    Some(peer) if invalid.sender_id.as_deref() == Some(peer.as_str()) => {
                        self.stats.invalid_document_ids += 1;
                        self.invalid_document(conn, &invalid, out);
                    }
                    Some(_) => self.stats.sender_mismatches += 1,
                    None => self.stats.frames_before_join += 1,
                }
                return;
            }
            Err(e) => {
                // Garbage is not a message to ignore: say what is wrong and hang up, so a
                // broken or hostile client cannot keep a connection busy with it.
                self.stats.undecodable_frames += 1;
                debug!(%conn, error = %e, "undecodable frame; closing");
                self.reject(conn, CloseReason::UndecodableMessage(e.to_string()), out);
                return;
            }
        };
        let Some(peer) = joined else {
            if let Message::Join {
                sender_id,
                supported_protocol_versions,
                ..
            } = msg
            {
                self.join(conn, sender_id, supported_protocol_versions, out);
            } else {
                self.stats.frames_before_join += 1;
            }
            return;
        };
        if msg.sender_id() != peer {
            self.stats.sender_mismatches += 1;
            debug!(%conn, "frame with a foreign senderId ignored");
            return;
        }
        match msg {
            Message::Join {
                sender_id,
                supported_protocol_versions,
                ..
            } => self.join(conn, sender_id, supported_protocol_versions, out),
            Message::Request {
                document_id, data, ..
            } => self.sync_in(conn, document_id, SyncKind::Request, &data, out),
            Message::Sync {
                document_id, data, ..
            } => self.sync_in(conn, document_id, SyncKind::Sync, &data, out),
            Message::Ephemeral {
                sender_id,
                document_id,
                session_id,
                count,
                data,
                ..
            } => self.ephemeral(conn, sender_id, document_id, session_id, count, data, out),
            Message::RemoteHeadsChanged { document_id, .. } => {
                // Remote-heads gossip is not offered; the check only keeps the counters honest.
                let _ = self.authorize(conn, &document_id, Path::RemoteHeads);
            }
            Message::Leave { .. } => self.forget_peer(conn),
            Message::RemoteSubscriptionChange { .. }
            | Message::Peer { .. }
            | Message::Error { .. }
            | Message::DocUnavailable { .. } => {
                debug!(%conn, kind = msg.type_name(), "message ignored");
            }
        }
    }

    /// The answer to an [`Effect::Load`]: the stored bytes of the document, or `None` if
    /// nothing is stored. `now` is the current time (for the fan-out throttle).
    pub fn document_loaded(
        &mut self,
        doc_id: DocumentId,
        stored: Option<Vec<u8>>,
        now: Instant,
    ) -> Effects<P::Identity> {
        let mut out = Vec::new();
        let queue = match self.docs.remove(&doc_id) {
            Some(Slot::Loading(queue)) => queue,
            Some(ready) => {
                warn!(%doc_id, "document_loaded for a document already in memory ignored");
                self.docs.insert(doc_id, ready);
                return out;
            }
            None => {
                warn!(%doc_id, "document_loaded without a load request ignored");
                return out;
            }
        };
        let mut load_failed = false;
        if let Some(bytes) = stored {
            match Automerge::load(&bytes) {
                Ok(doc) => {
                    self.docs.insert(
                        doc_id,
                        Slot::Ready(Box::new(LiveDoc::new(doc, bytes.len(), now))),
                    );
                }
                Err(e) => {
                    self.stats.load_failures += 1;
                    load_failed = true;
                    error!(%doc_id, error = %e, "stored document could not be loaded");
                }
            }
        }
        self.restore_peers(&doc_id);
        for Pending { conn, kind, msg } in queue {
            let Some(identity) = self
                .conns
                .get(&conn)
                .filter(|c| c.peer_id.is_some())
                .map(|c| c.identity.clone())
            else {
                continue;
            };
            if !self.docs.contains_key(&doc_id) {
                // Nothing stored: a `sync` may create it (within the quota), a `request` does not.
                let may_try = kind == SyncKind::Sync && !load_failed;
                if may_try && let Some(why) = self.policy.creation_refused(&identity) {
                    self.stats.denied_create += 1;
                    self.reject(conn, CloseReason::QuotaExceeded(why), &mut out);
                    continue;
                }
                if !(may_try && self.policy.may_create(&identity, &doc_id)) {
                    if may_try {
                        self.stats.denied_create += 1;
                    }
                    self.send_unavailable(conn, &doc_id.to_string(), msg, &mut out);
                    continue;
                }
                self.docs.insert(
                    doc_id,
                    Slot::Ready(Box::new(LiveDoc::new(Automerge::new(), 0, now))),
                );
                // Connections that had it open before it was dropped (an empty document
                // evicted unwritten) are its peers again.
                self.restore_peers(&doc_id);
            }
            self.apply(conn, doc_id, kind, msg, &mut out);
        }
        self.settle(now, &mut out);
        self.evict_if_idle(&doc_id);
        out
    }

    /// The documents in memory (ready, not loading).
    pub fn resident_documents(&self) -> Vec<DocumentId> {
        self.docs
            .iter()
            .filter(|(_, slot)| matches!(slot, Slot::Ready(_)))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Changes another relay process stored for a document (relays sharing one database):
    /// merged into the copy in memory without persisting them again, then fanned out to this
    /// hub's peers. A document that is not in memory is left alone: its next load reads them.
    /// `stored` is the document's stored bytes (or any of its changes); what the copy already
    /// has is skipped by Automerge.
    pub fn stored_elsewhere(
        &mut self,
        doc_id: DocumentId,
        stored: &[u8],
        now: Instant,
    ) -> Effects<P::Identity> {
        let mut out = Vec::new();
        let Some(Slot::Ready(live)) = self.docs.get_mut(&doc_id) else {
            return out;
        };
        let before = live.doc.get_heads();
        if let Err(e) = live.doc.load_incremental(stored) {
            error!(%doc_id, error = %e, "changes stored by another relay could not be applied");
            return out;
        }
        if live.doc.get_heads() == before {
            return out;
        }
        // `stored` is the whole stored document: its size, not a delta.
        live.bytes = live.bytes.max(stored.len());
        live.resident = resident_estimate(&live.doc, live.bytes);
        self.owed.changed.push(doc_id);
        self.settle(now, &mut out);
        out
    }

    /// A document came back into memory: the connections that still have it open (it was
    /// evicted while idle) are its peers again, each with a fresh sync state, so fan-out
    /// reaches them.
    fn restore_peers(&mut self, doc_id: &DocumentId) {
        let Some(Slot::Ready(live)) = self.docs.get_mut(doc_id) else {
            return;
        };
        for (conn, c) in &self.conns {
            if c.peer_id.is_some() && c.docs.contains(doc_id) {
                live.peers.entry(*conn).or_default();
            }
        }
    }

    /// Time has passed: runs throttled fan-out rounds that are due.
    pub fn tick(&mut self, now: Instant) -> Effects<P::Identity> {
        let mut out = Vec::new();
        let interval = self.config.fanout_interval;
        let mut due: Vec<DocumentId> = self
            .docs
            .iter()
            .filter_map(|(id, slot)| match slot {
                Slot::Ready(live) if live.fanout_pending && live.may_fanout(now, interval) => {
                    Some(*id)
                }
                _ => None,
            })
            .collect();
        due.sort();
        for doc_id in due {
            self.fanout(doc_id, &[], now, &mut out);
            self.evict_if_idle(&doc_id);
        }
        out
    }

    /// When [`Hub::tick`] next has work, if it has any.
    pub fn next_deadline(&self) -> Option<Instant> {
        let interval = self.config.fanout_interval;
        self.docs
            .values()
            .filter_map(|slot| match slot {
                // A pending round always follows an earlier round, so `last_fanout` is set.
                Slot::Ready(live) if live.fanout_pending => live.last_fanout.map(|t| t + interval),
                _ => None,
            })
            .min()
    }

    // -----------------------------------------------------------------------------------------

    /// The one place the policy's `may_access` is consulted. Counts denials.
    fn authorize(&mut self, conn: ConnId, doc_id: &DocumentId, path: Path) -> bool {
        let Some(c) = self.conns.get(&conn) else {
            return false;
        };
        match self.policy.may_access(&c.identity, doc_id) {
            Access::Allowed => true,
            Access::Denied => {
                let counter = match path {
                    Path::Request => &mut self.stats.denied_request,
                    Path::Sync => &mut self.stats.denied_sync,
                    Path::Ephemeral => &mut self.stats.denied_ephemeral,
                    Path::RemoteHeads => &mut self.stats.denied_remote_heads,
                    Path::Fanout => &mut self.stats.denied_fanout,
                };
                *counter += 1;
                debug!(%conn, %doc_id, ?path, "access denied");
                false
            }
        }
    }

    fn peer_id(&self, conn: ConnId) -> Option<&str> {
        self.conns.get(&conn).and_then(|c| c.peer_id.as_deref())
    }

    fn send(&self, conn: ConnId, msg: &Message, out: &mut Effects<P::Identity>) {
        out.push(Effect::Send {
            conn,
            bytes: message::encode(msg),
        });
    }

    fn join(
        &mut self,
        conn: ConnId,
        sender_id: String,
        versions: Option<Vec<String>>,
        out: &mut Effects<P::Identity>,
    ) {
        let speaks_v1 = versions
            .as_ref()
            .is_none_or(|v| v.iter().any(|v| v == PROTOCOL_VERSION));
        if !speaks_v1 && !self.config.answers_join {
            self.forget_conn(conn);
            return;
        }
        if !speaks_v1 {
            self.send(
                conn,
                &Message::Error {
                    sender_id: self.config.peer_id.clone(),
                    target_id: sender_id,
                    message: UNSUPPORTED_VERSION_MESSAGE.to_string(),
                },
                out,
            );
            self.forget_conn(conn);
            out.push(Effect::Close {
                conn,
                reason: CloseReason::UnsupportedProtocolVersion,
            });
            return;
        }
        // A peer id held by another identity's connection is not taken over.
        if let Some(older) = self.peer_conns.get(&sender_id).copied()
            && older != conn
        {
            let allowed = match (self.conns.get(&older), self.conns.get(&conn)) {
                (Some(o), Some(n)) => self.policy.may_replace(&o.identity, &n.identity),
                _ => true,
            };
            if !allowed && !self.config.answers_join {
                self.forget_conn(conn);
                return;
            }
            if !allowed {
                self.send(
                    conn,
                    &Message::Error {
                        sender_id: self.config.peer_id.clone(),
                        target_id: sender_id,
                        message: CloseReason::PeerIdInUse.to_string(),
                    },
                    out,
                );
                self.forget_conn(conn);
                out.push(Effect::Close {
                    conn,
                    reason: CloseReason::PeerIdInUse,
                });
                return;
            }
        }
        // A repeated join on the same connection starts the peer afresh.
        self.forget_peer(conn);
        if let Some(older) = self.peer_conns.get(&sender_id).copied() {
            debug!(%conn, %older, "second join with the same senderId closes the older connection");
            self.forget_conn(older);
            if self.config.answers_join {
                out.push(Effect::Close {
                    conn: older,
                    reason: CloseReason::Replaced,
                });
            }
        }
        self.peer_conns.insert(sender_id.clone(), conn);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.peer_id = Some(sender_id.clone());
        }
        if !self.config.answers_join {
            return;
        }
        self.send(
            conn,
            &Message::Peer {
                sender_id: self.config.peer_id.clone(),
                target_id: sender_id,
                selected_protocol_version: PROTOCOL_VERSION.to_string(),
                peer_metadata: PeerMetadata {
                    storage_id: self.config.storage_id.clone(),
                    is_ephemeral: false,
                },
            },
            out,
        );
    }

    fn sync_in(
        &mut self,
        conn: ConnId,
        doc_id: DocumentId,
        kind: SyncKind,
        data: &[u8],
        out: &mut Effects<P::Identity>,
    ) {
        // Read the payload before anything else, so a bad one is answered the same way
        // whatever the document.
        let msg = match sync::Message::decode(data) {
            Ok(msg) => msg,
            Err(e) => return self.reject_sync(conn, e.to_string(), out),
        };
        let path = match kind {
            SyncKind::Request => Path::Request,
            SyncKind::Sync => Path::Sync,
        };
        if !self.authorize(conn, &doc_id, path) {
            return self.send_unavailable(conn, &doc_id.to_string(), msg, out);
        }
        match self.docs.get_mut(&doc_id) {
            Some(Slot::Ready(_)) => self.apply(conn, doc_id, kind, msg, out),
            Some(Slot::Loading(queue)) => queue.push(Pending { conn, kind, msg }),
            None => {
                self.docs
                    .insert(doc_id, Slot::Loading(vec![Pending { conn, kind, msg }]));
                out.push(Effect::Load { doc_id });
            }
        }
    }

    /// A request/sync/ephemeral/remote-heads message whose documentId does not parse: a
    /// request or sync is answered as for an unknown document, anything else is dropped.
    fn invalid_document(
        &mut self,
        conn: ConnId,
        invalid: &InvalidDocumentId,
        out: &mut Effects<P::Identity>,
    ) {
        if !matches!(invalid.message_type.as_str(), "request" | "sync") {
            return;
        }
        let Some(data) = &invalid.data else {
            let why = format!("{} message without readable data", invalid.message_type);
            self.reject(conn, CloseReason::UndecodableMessage(why), out);
            return;
        };
        match sync::Message::decode(data) {
            Ok(msg) => self.send_unavailable(conn, &invalid.raw, msg, out),
            Err(e) => self.reject_sync(conn, e.to_string(), out),
        }
    }

    /// Answers as for a document nobody has: an empty doc's reply to the peer's message
    /// (ignoring any changes it carries), then `doc-unavailable`. The answer depends only on
    /// the peer's message, never on what the hub holds.
    fn send_unavailable(
        &mut self,
        conn: ConnId,
        doc_id: &str,
        mut msg: sync::Message,
        out: &mut Effects<P::Identity>,
    ) {
        let Some(target) = self.peer_id(conn).map(str::to_owned) else {
            return;
        };
        msg.changes = sync::ChunkList::empty();
        let mut empty = Automerge::new();
        let mut state = sync::State::new();
        let reply = match empty.receive_sync_message(&mut state, msg) {
            Ok(()) => empty.generate_sync_message(&mut state),
            Err(_) => None,
        }
        .or_else(|| Automerge::new().generate_sync_message(&mut sync::State::new()));
        if let Some(reply) = reply {
            out.push(Effect::Send {
                conn,
                bytes: message::encode_raw_document_message(
                    "sync",
                    &self.config.peer_id,
                    &target,
                    doc_id,
                    Some(&reply.encode()),
                ),
            });
        }
        out.push(Effect::Send {
            conn,
            bytes: message::encode_raw_document_message(
                "doc-unavailable",
                &self.config.peer_id,
                &target,
                doc_id,
                None,
            ),
        });
        self.stats.unavailable += 1;
    }

    fn reject_sync(&mut self, conn: ConnId, why: String, out: &mut Effects<P::Identity>) {
        self.stats.invalid_sync_messages += 1;
        warn!(%conn, error = %why, "invalid sync message; closing");
        self.reject(conn, CloseReason::InvalidSyncMessage(why), out);
    }

    /// Sends an `error` naming `reason` (to the joined peer, or with an empty target before
    /// the join), forgets the connection and closes it.
    fn reject(&mut self, conn: ConnId, reason: CloseReason, out: &mut Effects<P::Identity>) {
        let target = self.peer_id(conn).map(str::to_owned).unwrap_or_default();
        self.send(
            conn,
            &Message::Error {
                sender_id: self.config.peer_id.clone(),
                target_id: target,
                message: reason.to_string(),
            },
            out,
        );
        self.forget_conn(conn);
        out.push(Effect::Close { conn, reason });
    }

    /// Applies a sync message from an allowed peer to a document in memory; its answer and
    /// the fan-out of any new changes are owed until [`Hub::settle`].
    fn apply(
        &mut self,
        conn: ConnId,
        doc_id: DocumentId,
        kind: SyncKind,
        msg: sync::Message,
        out: &mut Effects<P::Identity>,
    ) {
        let (Some(Slot::Ready(live)), Some(c)) =
            (self.docs.get_mut(&doc_id), self.conns.get_mut(&conn))
        else {
            return;
        };
        if c.peer_id.is_none() {
            return;
        }
        // A request for a document that exists only as an empty shell is not a document.
        if kind == SyncKind::Request
            && live.doc.get_heads().is_empty()
            && !live.peers.contains_key(&conn)
        {
            return self.send_unavailable(conn, &doc_id.to_string(), msg, out);
        }
        let incoming: usize = msg.changes.iter().map(<[u8]>::len).sum();
        if live.bytes.saturating_add(incoming) > self.config.max_document_bytes {
            let limit = self.config.max_document_bytes;
            self.stats.documents_too_large += 1;
            let why = format!(
                "document {doc_id} would exceed the maximum document size of {limit} bytes"
            );
            return self.reject(conn, CloseReason::DocumentTooLarge(why), out);
        }
        live.bytes += incoming;
        c.docs.insert(doc_id);
        let state = live.peers.entry(conn).or_default();
        let before = live.doc.get_heads();
        if let Err(e) = live.doc.receive_sync_message(state, msg) {
            live.peers.remove(&conn);
            return self.reject_sync(conn, e.to_string(), out);
        }
        let changed = live.doc.get_heads() != before;
        if changed {
            live.resident = resident_estimate(&live.doc, live.bytes);
            let changes = live.doc.get_changes(&before);
            self.stats.changes_accepted += changes.len() as u64;
            out.push(Effect::Persist {
                doc_id,
                conn,
                identity: c.identity.clone(),
                changes,
            });
        }
        if !self.owed.replies.contains(&(doc_id, conn)) {
            self.owed.replies.push((doc_id, conn));
        }
        if changed && !self.owed.changed.contains(&doc_id) {
            self.owed.changed.push(doc_id);
        }
    }

    /// Carries out what the messages of this call owe: one sync answer per (document,
    /// connection), then a fan-out round (or a pending one, if throttled) per changed
    /// document to its other peers. The answers go first and already carry every change of
    /// the call, so the peers that got one are left out of the round.
    fn settle(&mut self, now: Instant, out: &mut Effects<P::Identity>) {
        let owed = std::mem::take(&mut self.owed);
        for &(doc_id, conn) in &owed.replies {
            if let Some(Slot::Ready(live)) = self.docs.get_mut(&doc_id) {
                live.last_active = now;
            }
            self.answer(doc_id, conn, out);
        }
        for doc_id in owed.changed {
            let Some(Slot::Ready(live)) = self.docs.get_mut(&doc_id) else {
                continue;
            };
            if live.may_fanout(now, self.config.fanout_interval) {
                let answered: Vec<ConnId> = owed
                    .replies
                    .iter()
                    .filter(|(d, _)| *d == doc_id)
                    .map(|&(_, c)| c)
                    .collect();
                self.fanout(doc_id, &answered, now, out);
            } else {
                live.fanout_pending = true;
            }
        }
    }

    /// The sync message automerge says is due to `conn` for `doc_id`, if any (none if the
    /// peer or the document went away since it was owed).
    fn answer(&mut self, doc_id: DocumentId, conn: ConnId, out: &mut Effects<P::Identity>) {
        let Some(target) = self.peer_id(conn).map(str::to_owned) else {
            return;
        };
        let Some(Slot::Ready(live)) = self.docs.get_mut(&doc_id) else {
            return;
        };
        let Some(state) = live.peers.get_mut(&conn) else {
            return;
        };
        if let Some(reply) = live.doc.generate_sync_message(state) {
            out.push(Effect::Send {
                conn,
                bytes: message::encode(&Message::Sync {
                    sender_id: self.config.peer_id.clone(),
                    target_id: target,
                    document_id: doc_id,
                    data: reply.encode(),
                }),
            });
        }
    }

    /// One fan-out round: a sync message to every other peer of the document that is still
    /// allowed and has something to receive.
    fn fanout(
        &mut self,
        doc_id: DocumentId,
        except: &[ConnId],
        now: Instant,
        out: &mut Effects<P::Identity>,
    ) {
        let mut targets: Vec<ConnId> = match self.docs.get_mut(&doc_id) {
            Some(Slot::Ready(live)) => {
                live.last_fanout = Some(now);
                live.fanout_pending = false;
                live.peers.keys().copied().collect()
            }
            _ => return,
        };
        targets.sort();
        for peer in targets.into_iter().filter(|p| !except.contains(p)) {
            if !self.authorize(peer, &doc_id, Path::Fanout) {
                self.close_doc_for(peer, &doc_id);
                continue;
            }
            let Some(target) = self.peer_id(peer).map(str::to_owned) else {
                continue;
            };
            let Some(Slot::Ready(live)) = self.docs.get_mut(&doc_id) else {
                return;
            };
            let Some(state) = live.peers.get_mut(&peer) else {
                continue;
            };
            if let Some(msg) = live.doc.generate_sync_message(state) {
                out.push(Effect::Send {
                    conn: peer,
                    bytes: message::encode(&Message::Sync {
                        sender_id: self.config.peer_id.clone(),
                        target_id: target,
                        document_id: doc_id,
                        data: msg.encode(),
                    }),
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ephemeral(
        &mut self,
        conn: ConnId,
        sender_id: String,
        doc_id: DocumentId,
        session_id: String,
        count: u64,
        data: Vec<u8>,
        out: &mut Effects<P::Identity>,
    ) {
        if !self.authorize(conn, &doc_id, Path::Ephemeral) {
            return;
        }
        if data.len() > self.config.max_ephemeral_bytes {
            let why = format!(
                "ephemeral message too large: {} bytes; the limit is {} (limits.max_ephemeral_bytes)",
                data.len(),
                self.config.max_ephemeral_bytes
            );
            return self.reject(conn, CloseReason::EphemeralTooLarge(why), out);
        }
        // The peers that have the document open, whether or not it is in memory now.
        let mut targets: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(c, peer)| **c != conn && peer.docs.contains(&doc_id))
            .map(|(c, _)| *c)
            .collect();
        targets.sort();
        for peer in targets {
            if !self.authorize(peer, &doc_id, Path::Fanout) {
                self.close_doc_for(peer, &doc_id);
                continue;
            }
            let Some(target) = self.peer_id(peer).map(str::to_owned) else {
                continue;
            };
            self.send(
                peer,
                &Message::Ephemeral {
                    sender_id: sender_id.clone(),
                    target_id: target,
                    document_id: doc_id,
                    session_id: session_id.clone(),
                    count,
                    data: data.clone(),
                },
                out,
            );
        }
    }

    /// Drops one peer's sync state for one document.
    fn close_doc_for(&mut self, conn: ConnId, doc_id: &DocumentId) {
        if let Some(Slot::Ready(live)) = self.docs.get_mut(doc_id) {
            live.peers.remove(&conn);
        }
        if let Some(c) = self.conns.get_mut(&conn) {
            c.docs.remove(doc_id);
        }
    }

    /// Forgets the peer joined on `conn` (after `leave` or a new `join`), keeping the socket.
    fn forget_peer(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let docs = std::mem::take(&mut c.docs);
        if let Some(peer) = c.peer_id.take()
            && self.peer_conns.get(&peer) == Some(&conn)
        {
            self.peer_conns.remove(&peer);
        }
        for doc_id in docs {
            if let Some(Slot::Ready(live)) = self.docs.get_mut(&doc_id) {
                live.peers.remove(&conn);
            }
            self.evict_if_idle(&doc_id);
        }
    }

    /// Forgets a connection entirely.
    fn forget_conn(&mut self, conn: ConnId) {
        self.forget_peer(conn);
        self.conns.remove(&conn);
    }

    /// Drops a document from memory when no peer has it open and nothing is pending.
    fn evict_if_idle(&mut self, doc_id: &DocumentId) {
        if let Some(Slot::Ready(live)) = self.docs.get(doc_id)
            && live.peers.is_empty()
            && !live.fanout_pending
        {
            self.docs.remove(doc_id);
        }
    }
}

/// Estimated memory of a document in memory: its stored size plus a cost per operation and
/// per change ([`RESIDENT_BYTES_PER_OP`]).
pub fn resident_estimate(doc: &Automerge, stored_bytes: usize) -> usize {
    let stats = doc.stats();
    let ops = usize::try_from(stats.num_ops).unwrap_or(usize::MAX);
    let changes = usize::try_from(stats.num_changes).unwrap_or(usize::MAX);
    stored_bytes
        .saturating_add(ops.saturating_mul(RESIDENT_BYTES_PER_OP))
        .saturating_add(changes.saturating_mul(RESIDENT_BYTES_PER_CHANGE))
}

impl LiveDoc {
    fn new(doc: Automerge, bytes: usize, now: Instant) -> Self {
        Self {
            resident: resident_estimate(&doc, bytes),
            last_active: now,
            doc,
            bytes,
            peers: HashMap::new(),
            last_fanout: None,
            fanout_pending: false,
        }
    }

    fn may_fanout(&self, now: Instant, interval: Duration) -> bool {
        self.last_fanout.is_none_or(|t| now >= t + interval)
    }
}
