//! The WebSocket edge: per firm, one `hearth_wire::relay::Hub` per shard (one by default,
//! `limits.firm_hub_shards`), each owned by one task (an actor). Connections of a firm only
//! ever reach that firm's hubs, so a document of one firm is never even resident next to
//! another firm's connections; the hub's policy (the scope check) is the second wall.
//!
//! A firm with several shards spreads its documents over them by document id
//! (`hearth_wire::shard`), so a busy firm uses more than one core: each document lives in one
//! shard, and every connection is known to all of them (its connect, join, leave and
//! disconnect reach every shard, in one order for the whole firm).
//!
//! The actor carries out the hub's effects in order. A `Persist` goes to the firm's writer
//! task, which group-commits everything queued since its last commit in one transaction; the
//! frames that follow a persist are held until it is durable, so whatever a client sees
//! acknowledged is on disk, and the actor keeps serving while the disk syncs. If the store
//! fails, the actor closes the firm's connections and stops; the next connection starts a
//! fresh hub from what is stored, and clients resend what was lost.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use futures_util::{SinkExt, StreamExt};
use hearth_core::DocumentId;
use hearth_relay_store::{DocAppend, DocumentMeta};
use hearth_wire::relay::{ConnId, Effect, Hub, HubConfig};
use hearth_wire::shard::{self, Route};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::time::Instant;

use crate::now_ms;
use crate::scope::{FirmPolicy, Identity};
use crate::service::Relay;

/// Frames queued for one connection before it counts as a slow reader and is dropped.
const OUTGOING_QUEUE: usize = 1024;
/// The close reason a slow reader gets.
const SLOW_READER: &str =
    "too slow: the relay dropped this connection rather than hold up others; reconnect";
/// The most frames handed to the hub in one batch (bounds the delay of the first one's answer).
const MAX_FRAMES_PER_BATCH: usize = 64;
/// How often an open connection re-checks that its device is still allowed.
const REVALIDATE_EVERY: Duration = Duration::from_secs(5);

/// What a connection's writer is told to do.
#[derive(Debug)]
pub enum Outgoing {
    /// Send one binary frame.
    Frame(Vec<u8>),
    /// Close with a reason.
    Close(String),
}

/// What a firm's clients send its actor, in the order each connection sent it.
enum ClientEvent {
    Connect {
        conn: ConnId,
        identity: Identity,
        out: mpsc::Sender<Outgoing>,
        evict: Evict,
        queued: Arc<AtomicUsize>,
    },
    Frame {
        conn: ConnId,
        bytes: Vec<u8>,
        /// The frame's share of the firm's mailbox budget, returned once the hub has it.
        _budget: OwnedSemaphorePermit,
    },
    Disconnect {
        conn: ConnId,
    },
}

/// What the relay itself tells a firm's actor. Always taken, even while the actor takes no
/// frames (waiting for the disk), so the writer that would let it go on is never stuck
/// behind the frames it is waiting for.
enum InternalEvent {
    Loaded {
        doc_id: DocumentId,
        bytes: Option<Vec<u8>>,
    },
    /// A device or an API token was revoked: close the connections it opened.
    Revoke(Credential),
    /// The writer has committed every persist job up to and including `up_to`.
    Durable { up_to: u64 },
    /// The writer could not store a batch; the actor stops.
    StorageFailed,
    /// Another relay process on the same database stored changes of this document.
    StoredElsewhere(DocumentId),
    /// Notices from other relay processes may have been lost: re-read every resident document.
    RefreshResident,
    /// The document's stored bytes, read after [`InternalEvent::StoredElsewhere`].
    Refreshed { doc_id: DocumentId, bytes: Vec<u8> },
}

/// Closes a connection's socket with a reason, once: shared by the connection's entries in
/// every shard of its firm. Once every shard has dropped it (the firm forgot the connection),
/// the socket closes too.
type Evict = Arc<Mutex<Option<oneshot::Sender<String>>>>;

/// The way into one of a firm's hub actors (a shard).
///
/// Frames from clients are bounded in bytes (`limits.firm_mailbox_bytes`): a reader takes
/// its frame's share of the budget before handing it over and waits when there is none, so
/// a firm whose hub or disk cannot keep up makes its clients wait in their sockets (TCP
/// backpressure) instead of growing the relay's memory. Connect and disconnect travel the
/// same channel (one per firm, so each connection's events stay in order) without a share;
/// there is one of each per connection, and connections are capped per firm.
#[derive(Clone)]
struct ShardHandle {
    clients: mpsc::UnboundedSender<ClientEvent>,
    internal: mpsc::UnboundedSender<InternalEvent>,
    mailbox: Arc<Semaphore>,
    /// The mailbox budget (the most one frame may take).
    mailbox_bytes: usize,
}

impl ShardHandle {
    fn is_closed(&self) -> bool {
        self.clients.is_closed()
    }

    /// Takes a frame's share of this shard's mailbox, waiting while it is full. None once
    /// the shard's actor has stopped.
    async fn budget(&self, frame_len: usize) -> Option<OwnedSemaphorePermit> {
        // A frame's share: its size plus the bookkeeping of one event, and never more than the
        // whole budget (a frame as large as the budget waits for an empty mailbox).
        let share = frame_len
            .saturating_add(FRAME_OVERHEAD)
            .min(self.mailbox_bytes);
        self.mailbox
            .clone()
            .acquire_many_owned(u32::try_from(share).unwrap_or(u32::MAX))
            .await
            .ok()
    }
}

/// The way into a firm's hubs: one [`ShardHandle`] per shard.
#[derive(Clone)]
struct FirmHandle {
    shards: Vec<ShardHandle>,
    /// Held while an event every shard gets (connect, join, leave, disconnect) is handed to
    /// all of them, so every shard sees those events of all connections in the same order
    /// and decides racing joins with one peer id the same way.
    membership: Arc<Mutex<()>>,
}

impl FirmHandle {
    /// Hands every shard an event made by `event` for it, in the firm's one order. False if a
    /// shard has stopped.
    fn send_all(&self, mut event: impl FnMut(usize) -> ClientEvent) -> bool {
        let _order = self.membership.lock().unwrap_or_else(|p| p.into_inner());
        let mut delivered = true;
        for (i, shard) in self.shards.iter().enumerate() {
            delivered &= shard.clients.send(event(i)).is_ok();
        }
        delivered
    }

    /// Hands a client's frame to the shard of its document (or to every shard, for a join or
    /// a leave), waiting while a mailbox is full. False once a shard it needs has stopped.
    async fn send_frame(&self, conn: ConnId, bytes: Vec<u8>) -> bool {
        match shard::route(&bytes, self.shards.len()) {
            Route::One(i) => {
                let shard = &self.shards[i.min(self.shards.len() - 1)];
                let Some(budget) = shard.budget(bytes.len()).await else {
                    return false;
                };
                shard
                    .clients
                    .send(ClientEvent::Frame {
                        conn,
                        bytes,
                        _budget: budget,
                    })
                    .is_ok()
            }
            Route::Every => {
                let mut budgets = Vec::with_capacity(self.shards.len());
                for shard in &self.shards {
                    let Some(budget) = shard.budget(bytes.len()).await else {
                        return false;
                    };
                    budgets.push(Some(budget));
                }
                self.send_all(|i| ClientEvent::Frame {
                    conn,
                    bytes: bytes.clone(),
                    _budget: budgets[i].take().expect("one budget per shard"),
                })
            }
        }
    }

    /// The shard holding `doc_id`.
    fn shard_of(&self, doc_id: &DocumentId) -> &ShardHandle {
        &self.shards[shard::shard_of(doc_id, self.shards.len())]
    }
}

/// The mailbox share of a frame's bookkeeping, bytes (so a flood of empty frames is bounded
/// too).
const FRAME_OVERHEAD: usize = 64;

/// How often a firm's actor looks for documents to drop from memory.
const EVICT_EVERY: Duration = Duration::from_secs(1);

/// Registry of per-firm actors.
#[derive(Default)]
pub struct Edge {
    firms: Mutex<HashMap<String, FirmHandle>>,
    firm_connections: Mutex<HashMap<String, usize>>,
    next_conn: AtomicU64,
}

impl Edge {
    /// The firm's hubs, starting any shard that is not running (first use, or a shard that
    /// stopped after a storage failure: it starts afresh from what is stored).
    fn firm(&self, relay: &Arc<Relay>, firm_id: &str) -> FirmHandle {
        let mut firms = self.firms.lock().unwrap_or_else(|p| p.into_inner());
        let shards = relay.config.limits.firm_hub_shards.clamp(1, MAX_SHARDS);
        let handle = firms
            .entry(firm_id.to_string())
            .or_insert_with(|| FirmHandle {
                shards: Vec::new(),
                membership: Arc::new(Mutex::new(())),
            });
        for index in 0..shards {
            if handle.shards.get(index).is_some_and(|s| !s.is_closed()) {
                continue;
            }
            let shard = start_shard(relay, firm_id, index, shards);
            if index < handle.shards.len() {
                handle.shards[index] = shard;
            } else {
                handle.shards.push(shard);
            }
        }
        handle.clone()
    }

    /// Whether the firm is below its connection limit.
    pub fn may_connect(&self, firm_id: &str, limit: usize) -> bool {
        let counts = self
            .firm_connections
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        counts.get(firm_id).copied().unwrap_or(0) < limit
    }

    fn count_connection(&self, firm_id: &str, delta: isize) {
        let mut counts = self
            .firm_connections
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(firm_id.to_string()).or_default();
        *n = n.saturating_add_signed(delta);
        if *n == 0 {
            counts.remove(firm_id);
        }
    }

    /// Disconnects every connection of a revoked device.
    pub fn revoke_device(&self, firm_id: &str, device_id: &str) {
        self.revoke(firm_id, Credential::Device(device_id.to_string()));
    }

    /// Closes the connections of `firm_id` opened with API token `token_id`.
    pub fn revoke_token(&self, firm_id: &str, token_id: &str) {
        self.revoke(firm_id, Credential::Token(token_id.to_string()));
    }

    /// Another relay process stored changes of `doc_id`: if this process has the document in
    /// memory, its peers here get them (see [`hearth_wire::relay::Hub::stored_elsewhere`]).
    pub fn stored_elsewhere(&self, firm_id: &str, doc_id: &str) {
        let Ok(doc_id) = doc_id.parse::<DocumentId>() else {
            return;
        };
        let firms = self.firms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(handle) = firms.get(firm_id) {
            let _ = handle
                .shard_of(&doc_id)
                .internal
                .send(InternalEvent::StoredElsewhere(doc_id));
        }
    }

    /// Re-reads every document the firm's hub holds in memory (notices from other relay
    /// processes may have been lost).
    pub fn refresh_resident(&self, firm_id: &str) {
        let firms = self.firms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(handle) = firms.get(firm_id) {
            for shard in &handle.shards {
                let _ = shard.internal.send(InternalEvent::RefreshResident);
            }
        }
    }

    /// Every firm with a hub in this process (after lost notices, each re-reads what it holds).
    pub fn firms_here(&self) -> Vec<String> {
        let firms = self.firms.lock().unwrap_or_else(|p| p.into_inner());
        firms.keys().cloned().collect()
    }

    fn revoke(&self, firm_id: &str, credential: Credential) {
        let firms = self.firms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(handle) = firms.get(firm_id) {
            for shard in &handle.shards {
                let _ = shard
                    .internal
                    .send(InternalEvent::Revoke(credential.clone()));
            }
        }
    }
}

/// The most hub shards a firm may have.
const MAX_SHARDS: usize = 64;

/// Starts shard `index` of `shards` of a firm's hubs.
fn start_shard(relay: &Arc<Relay>, firm_id: &str, index: usize, shards: usize) -> ShardHandle {
    let (clients, client_rx) = mpsc::unbounded_channel();
    let (internal, internal_rx) = mpsc::unbounded_channel();
    // The firm's mailbox is split between its shards; at least one full frame fits in each,
    // whatever the configuration says.
    let mailbox_bytes = (relay.config.limits.firm_mailbox_bytes / shards).clamp(
        FRAME_OVERHEAD,
        Semaphore::MAX_PERMITS.min(u32::MAX as usize),
    );
    let handle = ShardHandle {
        clients,
        internal,
        mailbox: Arc::new(Semaphore::new(mailbox_bytes)),
        mailbox_bytes,
    };
    tokio::spawn(run_firm(
        relay.clone(),
        firm_id.to_string(),
        Shard { index, of: shards },
        client_rx,
        internal_rx,
        handle.internal.clone(),
    ));
    handle
}

/// Which of a firm's shards an actor is.
#[derive(Clone, Copy, Debug)]
struct Shard {
    index: usize,
    of: usize,
}

/// A credential a connection was opened with.
#[derive(Clone, Debug)]
enum Credential {
    Device(String),
    Token(String),
}

impl Credential {
    fn opened(&self, identity: &Identity) -> bool {
        match self {
            Credential::Device(id) => identity.device_id.as_deref() == Some(id.as_str()),
            Credential::Token(id) => identity.token_id.as_deref() == Some(id.as_str()),
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            Credential::Device(_) => "device revoked",
            Credential::Token(_) => "API token revoked",
        }
    }
}

/// An `error` frame for a limit the edge enforces itself (the hub has not seen the frame).
fn limit_error(message: String) -> Vec<u8> {
    hearth_wire::message::encode(&hearth_wire::message::Message::Error {
        sender_id: "hearth-relay".to_string(),
        target_id: String::new(),
        message,
    })
}

/// A token bucket: `rate` per second sustained, `burst` at once.
struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: u32, burst: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            rate: f64::from(rate),
            burst: f64::from(burst),
            last: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// How long a connection being closed by the relay may take to receive its close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Asks the socket's writer to close with `reason` once the frames already queued are out,
/// and waits up to [`CLOSE_GRACE`] for it; a full queue (a client that stopped reading) is
/// cut off at once.
async fn close_after_queued(out: &mpsc::Sender<Outgoing>, reason: String) {
    if out.try_send(Outgoing::Close(reason)).is_ok() {
        tokio::time::sleep(CLOSE_GRACE).await;
    }
}

/// The most bytes a close frame's reason may have (RFC 6455: a control frame carries at most
/// 125 bytes, two of them the code).
const MAX_CLOSE_REASON: usize = 123;

/// `reason`, cut at a character boundary to fit a close frame. A longer reason makes the
/// whole close frame invalid (clients drop the connection without reading it); the full text
/// goes first in an `error` message wherever it matters.
fn close_reason(mut reason: String) -> String {
    if reason.len() > MAX_CLOSE_REASON {
        let mut end = MAX_CLOSE_REASON;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
    }
    reason
}

/// Serves one authenticated WebSocket until either side closes.
pub async fn serve_socket(relay: Arc<Relay>, identity: Identity, socket: WebSocket) {
    relay.metrics.connections.inc();
    relay.edge.count_connection(&identity.firm_id, 1);
    serve_counted(&relay, identity.clone(), socket).await;
    relay.edge.count_connection(&identity.firm_id, -1);
    relay.metrics.connections.dec();
}

async fn serve_counted(relay: &Arc<Relay>, identity: Identity, socket: WebSocket) {
    let relay = relay.clone();
    let limits = relay.config.limits.clone();
    let ping_every = Duration::from_secs(relay.config.timeouts.websocket_ping_secs.max(1));
    let idle_after = Duration::from_secs(relay.config.timeouts.websocket_idle_secs.max(1));
    let conn = ConnId(relay.edge.next_conn.fetch_add(1, Ordering::Relaxed));
    let firm = relay.edge.firm(&relay, &identity.firm_id);
    let (out_tx, mut out_rx) = mpsc::channel(OUTGOING_QUEUE);
    // Bytes of frames queued for this socket and not yet written to it.
    let queued = Arc::new(AtomicUsize::new(0));
    let (evict, mut evicted) = oneshot::channel::<String>();
    let evict: Evict = Arc::new(Mutex::new(Some(evict)));
    let limit_tx = out_tx.clone();
    let connected = firm.send_all(|_| ClientEvent::Connect {
        conn,
        identity: identity.clone(),
        out: out_tx.clone(),
        evict: evict.clone(),
        queued: queued.clone(),
    });
    // Only the shards hold the connection's eviction handle (see `Evict`).
    drop((evict, out_tx));
    if !connected {
        let _ = firm.send_all(|_| ClientEvent::Disconnect { conn });
        return;
    }
    let (mut sink, mut stream) = socket.split();
    let writer = async {
        let close = |reason: String| {
            WsMessage::Close(Some(CloseFrame {
                code: 1008,
                reason: close_reason(reason).into(),
            }))
        };
        // Pings keep NAT and proxy mappings alive and make a peer that vanished without a
        // close (a laptop lid shut, a dropped Wi-Fi) answer or time out in the reader.
        let mut ping = tokio::time::interval(ping_every);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ping.tick().await;
        loop {
            // Queued frames first: an evicted reader still gets what was queued for it.
            let out = tokio::select! {
                biased;
                out = out_rx.recv() => out,
                _ = ping.tick() => {
                    if sink.send(WsMessage::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                    continue;
                }
                reason = &mut evicted => {
                    // A reason: evicted (too slow). None: the firm forgot this connection.
                    if let Ok(reason) = reason {
                        let _ = sink.send(close(reason)).await;
                    }
                    break;
                }
            };
            match out {
                Some(Outgoing::Frame(bytes)) => {
                    relay.metrics.frame("out");
                    let len = bytes.len();
                    let sent = sink.send(WsMessage::Binary(bytes.into())).await;
                    queued.fetch_sub(len, Ordering::Relaxed);
                    if sent.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(reason)) => {
                    let _ = sink.send(close(reason)).await;
                    break;
                }
                None => break,
            }
        }
    };
    let reader = async {
        let mut bucket = Bucket::new(
            limits.connection_messages_per_sec,
            limits.connection_message_burst,
        );
        loop {
            let msg = match tokio::time::timeout(idle_after, stream.next()).await {
                Ok(Some(Ok(msg))) => msg,
                Ok(_) => break,
                Err(_) => {
                    relay.metrics.deny("websocket_idle");
                    let reason = format!(
                        "nothing heard for {} s, not even a pong (timeouts.websocket_idle_secs)",
                        idle_after.as_secs()
                    );
                    close_after_queued(&limit_tx, reason).await;
                    break;
                }
            };
            let frame = match msg {
                WsMessage::Binary(bytes) => {
                    relay.metrics.frame("in");
                    let refusal = if bytes.len() > limits.max_frame_bytes {
                        relay.metrics.deny("frame_too_large");
                        Some(format!(
                            "message too large: {} bytes; the limit is {} (limits.max_frame_bytes)",
                            bytes.len(),
                            limits.max_frame_bytes
                        ))
                    } else if !bucket.take() {
                        relay.metrics.deny("message_rate");
                        Some(format!(
                            "rate limit exceeded: more than {} messages per second (limits.connection_messages_per_sec); reconnect and slow down",
                            limits.connection_messages_per_sec
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = refusal {
                        let _ = limit_tx.try_send(Outgoing::Frame(limit_error(message.clone())));
                        let _ = limit_tx.try_send(Outgoing::Close(message));
                        // Let the writer flush the error and close; read nothing more.
                        std::future::pending::<()>().await;
                    }
                    bytes.to_vec()
                }
                WsMessage::Close(_) => break,
                // The protocol has no text frames; pings are answered by the socket layer.
                _ => continue,
            };
            // Waits while the firm's mailbox is full: this client's frames then wait in its
            // socket, not in the relay's memory.
            if !firm.send_frame(conn, frame).await {
                break;
            }
        }
    };
    let revalidate = async {
        let mut every = tokio::time::interval(REVALIDATE_EVERY);
        every.tick().await;
        // Another relay process revoking or disabling something in this firm wakes the check
        // at once (see `cluster.rs`), not at the next interval.
        let mut scope_changed = relay.watch_scope(&identity.firm_id);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                changed = scope_changed.changed() => {
                    if changed.is_err() {
                        every.tick().await;
                    }
                }
            }
            match relay.still_valid(&identity).await {
                Ok(true) => {}
                Ok(false) => {
                    let reason = "credentials revoked (device, API token or advisor); enroll again or ask an admin";
                    close_after_queued(&limit_tx, reason.into()).await;
                    break;
                }
                // A store hiccup is not a revocation; the next check decides.
                Err(e) => {
                    tracing::warn!(error = %e, "could not re-check a connection's credentials")
                }
            }
        }
    };
    tokio::select! {
        _ = writer => {}
        _ = reader => {}
        _ = revalidate => {}
    }
    let _ = firm.send_all(|_| ClientEvent::Disconnect { conn });
}

struct Conn {
    identity: Identity,
    out: mpsc::Sender<Outgoing>,
    /// Closes the socket with a reason once the frames already queued are sent; works when
    /// `out` is full (see [`Evict`]).
    evict: Evict,
    /// Bytes queued in `out` not yet written (the writer subtracts what it sends).
    queued: Arc<AtomicUsize>,
}

/// Most persist jobs the writer folds into one transaction.
const MAX_BATCH_JOBS: usize = 512;

/// Changes of one document from one `Effect::Persist`, handed to the firm's writer.
struct PersistJob {
    /// Position in the firm's persist order (1, 2, ...).
    seq: u64,
    /// The document's wire id (not namespaced).
    doc_id: String,
    /// Who sent the changes.
    identity: Identity,
    /// The changes' bytes, in dependency order.
    changes: Vec<Vec<u8>>,
    /// The changes' Automerge hashes (for their archive entries).
    hashes: Vec<[u8; 32]>,
    /// The document is new: create it (first persist of an id the scope index lacks).
    create: bool,
}

/// The firm actor's state: the hub, its connections and the group-commit bookkeeping.
///
/// Persists do not block the actor: each becomes a numbered [`PersistJob`] for the firm's
/// writer task, which commits everything queued since its last commit in one transaction
/// (one fsync) and reports back with [`InternalEvent::Durable`]. Every effect the hub returned
/// *after* a persist (replies to the writer, fan-out to readers, closes, loads) waits in
/// `held`, in order, until that persist is durable — so whatever a client sees acknowledged
/// is on disk, and a `Load` never misses a change the hub has already accepted.
struct Firm {
    firm_id: String,
    hub: Hub<FirmPolicy>,
    conns: HashMap<ConnId, Conn>,
    /// Persist jobs to the writer. Unbounded as a channel, bounded in bytes by the actor:
    /// past `limits.firm_unpersisted_bytes` not yet durable it takes no new frames.
    writer: mpsc::UnboundedSender<PersistJob>,
    /// The actor's own events (document loads report back here).
    internal: mpsc::UnboundedSender<InternalEvent>,
    /// Last persist job issued.
    issued: u64,
    /// Last persist job known durable.
    durable: u64,
    /// Bytes of each persist job not yet durable: (job, bytes), oldest first.
    unpersisted: VecDeque<(u64, usize)>,
    /// Their sum.
    unpersisted_bytes: usize,
    /// Effects waiting for a persist job to be durable: (job that must be durable, effect).
    held: VecDeque<(u64, Effect<Identity>)>,
    /// Documents whose creation is queued but not yet durable.
    creating: HashSet<String>,
    /// The resident-bytes estimate last added to the relay's gauge.
    reported_resident: i64,
}

/// One thing for a firm's actor to do.
enum Work {
    Client(ClientEvent),
    Internal(InternalEvent),
    /// A fan-out round is due.
    Tick,
    /// Time to drop idle documents from memory.
    Evict,
}

async fn run_firm(
    relay: Arc<Relay>,
    firm_id: String,
    shard: Shard,
    mut clients: mpsc::UnboundedReceiver<ClientEvent>,
    mut internal: mpsc::UnboundedReceiver<InternalEvent>,
    internal_tx: mpsc::UnboundedSender<InternalEvent>,
) {
    let limits = &relay.config.limits;
    let mut policy = FirmPolicy::new(relay.scope.clone(), relay.metrics.clone());
    policy.max_documents = limits.firm_max_documents;
    let mut config = HubConfig::new(format!("hearth-relay-{firm_id}"));
    config.storage_id = Some(format!("hearth-relay-{firm_id}"));
    config.max_document_bytes = limits.max_document_bytes;
    config.max_ephemeral_bytes = limits.max_ephemeral_bytes;
    // Every shard speaks as the same peer; the first answers the handshake.
    config.answers_join = shard.index == 0;
    config.resident_budget_bytes = limits.firm_resident_bytes / shard.of;
    config.idle_eviction = Duration::from_secs(relay.config.timeouts.document_idle_secs.max(1));
    let unpersisted_budget = limits.firm_unpersisted_bytes;
    let (writer, jobs) = mpsc::unbounded_channel();
    tokio::spawn(run_writer(
        relay.clone(),
        firm_id.clone(),
        jobs,
        internal_tx.clone(),
    ));
    let mut firm = Firm {
        firm_id: firm_id.clone(),
        hub: Hub::new(config, policy),
        conns: HashMap::new(),
        writer,
        internal: internal_tx,
        issued: 0,
        durable: 0,
        unpersisted: VecDeque::new(),
        unpersisted_bytes: 0,
        held: VecDeque::new(),
        creating: HashSet::new(),
        reported_resident: 0,
    };
    let mut evict_every = tokio::time::interval(EVICT_EVERY);
    evict_every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A client event taken while collecting a batch of frames, handled next.
    let mut stashed: Option<ClientEvent> = None;
    loop {
        let deadline = firm.hub.next_deadline().map(Instant::from_std);
        // Past the unpersisted budget the actor takes no client events until the writer
        // catches up; its own events (Durable among them) always get through.
        let take_clients = firm.unpersisted_bytes <= unpersisted_budget;
        let work = match stashed.take() {
            Some(ev) => Work::Client(ev),
            None => tokio::select! {
                biased;
                ev = internal.recv() => match ev {
                    Some(ev) => Work::Internal(ev),
                    None => break,
                },
                ev = clients.recv(), if take_clients => match ev {
                    Some(ev) => Work::Client(ev),
                    None => break,
                },
                _ = async { tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)).await }, if deadline.is_some() => Work::Tick,
                _ = evict_every.tick() => Work::Evict,
            },
        };
        let now = std::time::Instant::now();
        let started = Instant::now();
        let effects = match work {
            Work::Tick => firm.hub.tick(now),
            Work::Evict => {
                firm.evict_idle(&relay, now);
                continue;
            }
            Work::Client(ClientEvent::Connect {
                conn,
                identity,
                out,
                evict,
                queued,
            }) => {
                let effects = firm.hub.connect(conn, identity.clone());
                firm.conns.insert(
                    conn,
                    Conn {
                        identity,
                        out,
                        evict,
                        queued,
                    },
                );
                effects
            }
            Work::Client(ClientEvent::Frame {
                conn,
                bytes,
                _budget,
            }) => {
                // Frames already waiting go to the hub together: under load a writer with
                // several changes in flight then gets one answer for all of them, which
                // cuts the sync work per change (`Hub::receive_batch`). An idle relay
                // finds nothing waiting and answers each frame at once. Their mailbox
                // shares are returned when `frames` is dropped, after the hub has them.
                let mut frames = vec![(conn, bytes, _budget)];
                while frames.len() < MAX_FRAMES_PER_BATCH {
                    match clients.try_recv() {
                        Ok(ClientEvent::Frame {
                            conn,
                            bytes,
                            _budget,
                        }) => frames.push((conn, bytes, _budget)),
                        Ok(other) => {
                            stashed = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                firm.hub
                    .receive_batch(frames.iter().map(|(c, b, _)| (*c, b.as_slice())), now)
            }
            Work::Client(ClientEvent::Disconnect { conn }) => {
                firm.conns.remove(&conn);
                firm.hub.disconnect(conn)
            }
            Work::Internal(InternalEvent::Loaded { doc_id, bytes }) => {
                firm.hub.document_loaded(doc_id, bytes, now)
            }
            Work::Internal(InternalEvent::Revoke(credential)) => {
                let revoked: Vec<ConnId> = firm
                    .conns
                    .iter()
                    .filter(|(_, c)| credential.opened(&c.identity))
                    .map(|(id, _)| *id)
                    .collect();
                let mut effects = Vec::new();
                for conn in revoked {
                    if let Some(c) = firm.conns.remove(&conn) {
                        let _ = c.out.try_send(Outgoing::Close(credential.reason().into()));
                    }
                    effects.extend(firm.hub.disconnect(conn));
                }
                effects
            }
            Work::Internal(InternalEvent::Durable { up_to }) => {
                firm.durable = firm.durable.max(up_to);
                while let Some(&(job, bytes)) = firm.unpersisted.front() {
                    if job > firm.durable {
                        break;
                    }
                    firm.unpersisted.pop_front();
                    firm.unpersisted_bytes = firm.unpersisted_bytes.saturating_sub(bytes);
                }
                let scope = relay.scope();
                firm.creating.retain(|doc| !scope.exists(&firm_id, doc));
                drop(scope);
                firm.release_held(&relay)
            }
            Work::Internal(InternalEvent::StoredElsewhere(doc_id)) => {
                if firm.hub.is_resident(&doc_id) {
                    let relay = relay.clone();
                    let tx = firm.internal.clone();
                    let firm_id = firm_id.clone();
                    tokio::spawn(async move {
                        match load_document(&relay, &firm_id, &doc_id.to_string()).await {
                            Ok(bytes) => {
                                let _ = tx.send(InternalEvent::Refreshed { doc_id, bytes });
                            }
                            Err(e) => {
                                tracing::warn!(doc = %doc_id, error = %e, "could not read changes another relay stored")
                            }
                        }
                    });
                }
                Vec::new()
            }
            Work::Internal(InternalEvent::RefreshResident) => {
                for doc_id in firm.hub.resident_documents() {
                    let _ = firm.internal.send(InternalEvent::StoredElsewhere(doc_id));
                }
                Vec::new()
            }
            Work::Internal(InternalEvent::Refreshed { doc_id, bytes }) => {
                firm.hub.stored_elsewhere(doc_id, &bytes, now)
            }
            Work::Internal(InternalEvent::StorageFailed) => {
                tracing::error!(firm = %firm_id, "could not store accepted changes; restarting the firm's hub");
                for (_, c) in firm.conns.drain() {
                    let _ = c
                        .out
                        .try_send(Outgoing::Close("relay storage unavailable; retry".into()));
                }
                break;
            }
        };
        firm.carry_out(&relay, effects);
        relay
            .metrics
            .event_seconds
            .observe(started.elapsed().as_secs_f64());
    }
    // The next connection starts this shard afresh from the store (`Edge::firm`).
    firm.report_resident(&relay, 0);
}

impl Firm {
    /// Drops documents nobody is using from the hub's memory and reports the hub's memory
    /// estimate to the relay's gauge.
    fn evict_idle(&mut self, relay: &Relay, now: std::time::Instant) {
        let evicted = self.hub.evict_idle(now);
        if evicted > 0 {
            relay.metrics.evicted_documents.inc_by(evicted as u64);
        }
        let resident = i64::try_from(self.hub.resident_bytes()).unwrap_or(i64::MAX);
        self.report_resident(relay, resident);
    }

    /// Moves the relay's resident-documents gauge by this firm's change since last time.
    fn report_resident(&mut self, relay: &Relay, resident: i64) {
        relay
            .metrics
            .resident_document_bytes
            .inc_by(resident - self.reported_resident);
        self.reported_resident = resident;
    }

    /// Carries out the hub's effects in order; effects that must wait for a persist go to
    /// `held`.
    fn carry_out(&mut self, relay: &Arc<Relay>, effects: Vec<Effect<Identity>>) {
        let mut queue: VecDeque<Effect<Identity>> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::Persist {
                    doc_id,
                    identity,
                    mut changes,
                    ..
                } => {
                    let id = doc_id.to_string();
                    let create = !relay.scope().exists(&self.firm_id, &id)
                        && self.creating.insert(id.clone());
                    self.issued += 1;
                    let bytes: usize = changes.iter_mut().map(|c| c.bytes().len()).sum();
                    self.unpersisted.push_back((self.issued, bytes));
                    self.unpersisted_bytes = self.unpersisted_bytes.saturating_add(bytes);
                    let job = PersistJob {
                        seq: self.issued,
                        doc_id: id,
                        identity,
                        changes: changes.iter_mut().map(|c| c.bytes().to_vec()).collect(),
                        hashes: changes.iter().map(|c| c.hash().0).collect(),
                        create,
                    };
                    // A closed writer has already reported StorageFailed; the actor stops
                    // at that event and nothing held is ever sent.
                    let _ = self.writer.send(job);
                }
                effect if self.durable < self.issued || !self.held.is_empty() => {
                    self.held.push_back((self.issued, effect));
                }
                effect => queue.extend(self.send_effect(relay, effect)),
            }
        }
    }

    /// Carries out every held effect whose persist is now durable, in order.
    fn release_held(&mut self, relay: &Arc<Relay>) -> Vec<Effect<Identity>> {
        let mut more = Vec::new();
        while self
            .held
            .front()
            .is_some_and(|(after, _)| *after <= self.durable)
        {
            if let Some((_, effect)) = self.held.pop_front() {
                more.extend(self.send_effect(relay, effect));
            }
        }
        more
    }

    /// Carries out one effect that is not a persist; returns the hub's follow-up effects.
    fn send_effect(
        &mut self,
        relay: &Arc<Relay>,
        effect: Effect<Identity>,
    ) -> Vec<Effect<Identity>> {
        match effect {
            Effect::Send { conn, bytes } => {
                let Some(c) = self.conns.get(&conn) else {
                    return Vec::new();
                };
                // A queue over its byte budget is as full as one over its frame count; a
                // frame to an empty queue always goes (one frame may be as large as a
                // document).
                let len = bytes.len();
                let waiting = c.queued.load(Ordering::Relaxed);
                let over_budget = waiting > 0
                    && waiting.saturating_add(len) > relay.config.limits.max_queued_bytes;
                let sent = if over_budget {
                    Err(true)
                } else {
                    c.queued.fetch_add(len, Ordering::Relaxed);
                    c.out.try_send(Outgoing::Frame(bytes)).map_err(|e| {
                        c.queued.fetch_sub(len, Ordering::Relaxed);
                        matches!(e, mpsc::error::TrySendError::Full(_))
                    })
                };
                if let Err(full) = sent {
                    // Full (a slow reader) or gone: drop it rather than stall the firm. A
                    // full queue cannot carry the close, so its reason goes by the eviction
                    // channel.
                    if let Some(c) = self.conns.remove(&conn)
                        && full
                    {
                        relay.metrics.deny("slow_reader");
                        let evict = c.evict.lock().unwrap_or_else(|p| p.into_inner()).take();
                        if let Some(evict) = evict {
                            let _ = evict.send(SLOW_READER.to_string());
                        }
                    }
                    return self.hub.disconnect(conn);
                }
                Vec::new()
            }
            Effect::Close { conn, reason } => {
                if matches!(reason, hearth_wire::relay::CloseReason::DocumentTooLarge(_)) {
                    relay.metrics.deny("document_too_large");
                }
                if let Some(c) = self.conns.remove(&conn) {
                    let _ = c.out.try_send(Outgoing::Close(reason.to_string()));
                }
                Vec::new()
            }
            Effect::Load { doc_id } => {
                let key = doc_id.to_string();
                if !relay.scope().exists(&self.firm_id, &key) {
                    // Unknown ids are answered from the index, without a store round trip,
                    // just as quickly as ids outside the caller's scope.
                    return self
                        .hub
                        .document_loaded(doc_id, None, std::time::Instant::now());
                }
                let relay = relay.clone();
                let tx = self.internal.clone();
                let firm_id = self.firm_id.clone();
                tokio::spawn(async move {
                    let bytes = match load_document(&relay, &firm_id, &key).await {
                        Ok(bytes) => Some(bytes),
                        Err(e) => {
                            tracing::error!(doc = %key, error = %e, "could not load a document");
                            None
                        }
                    };
                    let _ = tx.send(InternalEvent::Loaded { doc_id, bytes });
                });
                Vec::new()
            }
            // Persists never reach here (see `carry_out`).
            Effect::Persist { .. } => Vec::new(),
        }
    }
}

/// The firm's writer: commits every persist job queued since its last commit in one
/// transaction (group commit), then tells the actor how far is durable. On a storage error
/// it reports `StorageFailed` and stops; the actor closes the firm's connections, and clients
/// resend what was not acknowledged.
async fn run_writer(
    relay: Arc<Relay>,
    firm_id: String,
    mut jobs: mpsc::UnboundedReceiver<PersistJob>,
    actor: mpsc::UnboundedSender<InternalEvent>,
) {
    let mut batch = Vec::new();
    while let Some(first) = jobs.recv().await {
        batch.clear();
        batch.push(first);
        while batch.len() < MAX_BATCH_JOBS {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let started = Instant::now();
        match write_batch(&relay, &firm_id, &batch).await {
            Ok(()) => {
                relay
                    .metrics
                    .persist_seconds
                    .observe(started.elapsed().as_secs_f64());
                let changes: usize = batch.iter().map(|j| j.changes.len()).sum();
                relay.metrics.changes.inc_by(changes as u64);
                let up_to = batch.last().map_or(0, |j| j.seq);
                if actor.send(InternalEvent::Durable { up_to }).is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::error!(firm = %firm_id, error = %e, jobs = batch.len(), "group commit failed");
                let _ = actor.send(InternalEvent::StorageFailed);
                return;
            }
        }
    }
}

/// How many times a batch that created documents is tried again after failing (see
/// [`write_batch`]).
const CREATE_RACE_RETRIES: usize = 3;

/// Seals a batch of jobs and stores it in one transaction; then records new documents in the
/// scope index (before the actor hears they are durable).
async fn write_batch(relay: &Relay, firm_id: &str, batch: &[PersistJob]) -> anyhow::Result<()> {
    let key = relay.firm_key(firm_id).await?;
    let now = now_ms();
    let mut appends = Vec::with_capacity(batch.len());
    for job in batch {
        let aad = hearth_seal::document_aad(firm_id, &job.doc_id);
        let chunks = job
            .changes
            .iter()
            .map(|c| key.seal(c, &aad))
            .collect::<Result<Vec<_>, _>>()?;
        let stored = crate::scope::store_key(firm_id, &job.doc_id);
        let create = job.create.then(|| DocumentMeta {
            doc_id: stored.clone(),
            firm_id: firm_id.to_string(),
            owner_id: job.identity.advisor_id.clone(),
            created_at: now,
            updated_at: now,
        });
        // Each accepted change is also an entry of the firm's archive, stored in the same
        // transaction as the change itself (the sealed bytes are shared).
        let archive = if relay.config.archive.enabled {
            chunks
                .iter()
                .zip(&job.hashes)
                .map(|(sealed, hash)| {
                    crate::archive::change_entry(
                        firm_id,
                        &job.identity.advisor_id,
                        job.identity.device_id.as_deref(),
                        &job.doc_id,
                        *hash,
                        sealed.clone(),
                        now,
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        appends.push(DocAppend {
            doc_id: stored,
            create,
            chunks,
            now,
            archive,
        });
    }
    let mut refused = std::collections::HashSet::new();
    // Relays sharing a database may create the same document at once (two devices of the
    // advisor behind a load balancer): the loser's transaction fails (a unique violation, or
    // a deadlock between two batches creating the same documents in another order). Then
    // what this process accepted is appended to the document the other created (or, for
    // another advisor's document, refused: nothing stored), and the batch is tried again; the
    // firm's hub goes on.
    let mut attempt = 0;
    loop {
        let failed = match relay.store.append_batch(&appends).await {
            Ok(()) => break,
            Err(e) => e,
        };
        attempt += 1;
        if attempt > CREATE_RACE_RETRIES || !appends.iter().any(|a| a.create.is_some()) {
            return Err(failed.into());
        }
        tracing::info!(firm = firm_id, error = %failed, "a batch creating documents failed; checking for another relay's creations");
        for append in &mut appends {
            let Some(meta) = &append.create else { continue };
            match relay.store.document(&append.doc_id).await? {
                // The same advisor created it elsewhere: theirs to append to.
                Some(existing) if existing.owner_id == meta.owner_id => append.create = None,
                // Someone else's document: nothing of this creation is stored.
                Some(_) => {
                    tracing::warn!(firm = firm_id, doc = %append.doc_id, "refused a creation racing another advisor's document");
                    refused.insert(append.doc_id.clone());
                    append.chunks.clear();
                    append.archive.clear();
                    append.create = None;
                }
                None => {}
            }
        }
        appends.retain(|a| !a.chunks.is_empty() || a.create.is_some());
    }
    for job in batch {
        relay.forget_review_items(firm_id, &job.doc_id);
    }
    let mut scope = relay.scope.write().unwrap_or_else(|p| p.into_inner());
    for job in batch.iter().filter(|j| j.create) {
        let stored = crate::scope::store_key(firm_id, &job.doc_id);
        if !refused.contains(&stored) && !scope.exists(firm_id, &job.doc_id) {
            scope.insert(&job.doc_id, firm_id, &job.identity.advisor_id);
        }
    }
    Ok(())
}

async fn load_document(relay: &Relay, firm_id: &str, doc_id: &str) -> anyhow::Result<Vec<u8>> {
    let key = relay.firm_key(firm_id).await?;
    let aad = hearth_seal::document_aad(firm_id, doc_id);
    let mut bytes = Vec::new();
    for chunk in relay
        .store
        .load_chunks(&crate::scope::store_key(firm_id, doc_id))
        .await?
    {
        bytes.extend(key.open(&chunk.sealed, &aad)?);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_reason_fits_a_control_frame_and_keeps_whole_characters() {
        assert_eq!(close_reason("too slow".into()), "too slow");
        let long = "é".repeat(100);
        let cut = close_reason(long);
        assert!(cut.len() <= MAX_CLOSE_REASON && cut.len() >= MAX_CLOSE_REASON - 1);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
