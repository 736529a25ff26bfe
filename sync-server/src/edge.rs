//! The WebSocket edge: one `hearth_wire::relay::Hub` per firm, each owned by one task (the
//! firm's actor). Connections of a firm only ever reach that firm's hub, so a document of one
//! firm is never even resident next to another firm's connections; the hub's policy (the
//! scope check) is the second wall.
//!
//! The actor carries out the hub's effects in order. A `Persist` is sealed and written to the
//! store *before* the frames that follow it are sent, so whatever a client sees acknowledged
//! is on disk. If the store fails, the actor closes the firm's connections and stops; the next
//! connection starts a fresh hub from what is stored, and clients resend what was lost.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use futures_util::{SinkExt, StreamExt};
use hearth_core::DocumentId;
use hearth_relay_store::DocumentMeta;
use hearth_wire::relay::{ConnId, Effect, Hub, HubConfig};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::now_ms;
use crate::scope::{FirmPolicy, Identity};
use crate::service::Relay;

/// Frames queued for one connection before it counts as a slow reader and is dropped.
const OUTGOING_QUEUE: usize = 1024;
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

enum FirmEvent {
    Connect {
        conn: ConnId,
        identity: Identity,
        out: mpsc::Sender<Outgoing>,
    },
    Frame {
        conn: ConnId,
        bytes: Vec<u8>,
    },
    Disconnect {
        conn: ConnId,
    },
    Loaded {
        doc_id: DocumentId,
        bytes: Option<Vec<u8>>,
    },
    RevokeDevice {
        device_id: String,
    },
}

/// Registry of per-firm actors.
#[derive(Default)]
pub struct Edge {
    firms: Mutex<HashMap<String, mpsc::UnboundedSender<FirmEvent>>>,
    firm_connections: Mutex<HashMap<String, usize>>,
    next_conn: AtomicU64,
}

impl Edge {
    fn firm(&self, relay: &Arc<Relay>, firm_id: &str) -> mpsc::UnboundedSender<FirmEvent> {
        let mut firms = self.firms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = firms.get(firm_id).filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        firms.insert(firm_id.to_string(), tx.clone());
        tokio::spawn(run_firm(relay.clone(), firm_id.to_string(), rx, tx.clone()));
        tx
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
        let firms = self.firms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = firms.get(firm_id) {
            let _ = tx.send(FirmEvent::RevokeDevice {
                device_id: device_id.to_string(),
            });
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
    let conn = ConnId(relay.edge.next_conn.fetch_add(1, Ordering::Relaxed));
    let firm = relay.edge.firm(&relay, &identity.firm_id);
    let (out_tx, mut out_rx) = mpsc::channel(OUTGOING_QUEUE);
    let limit_tx = out_tx.clone();
    if firm
        .send(FirmEvent::Connect {
            conn,
            identity: identity.clone(),
            out: out_tx,
        })
        .is_err()
    {
        return;
    }
    let (mut sink, mut stream) = socket.split();
    let writer = async {
        while let Some(out) = out_rx.recv().await {
            match out {
                Outgoing::Frame(bytes) => {
                    relay.metrics.frame("out");
                    if sink.send(WsMessage::Binary(bytes.into())).await.is_err() {
                        break;
                    }
                }
                Outgoing::Close(reason) => {
                    let frame = CloseFrame {
                        code: 1008,
                        reason: reason.into(),
                    };
                    let _ = sink.send(WsMessage::Close(Some(frame))).await;
                    break;
                }
            }
        }
    };
    let reader = async {
        let mut bucket = Bucket::new(
            limits.connection_messages_per_sec,
            limits.connection_message_burst,
        );
        while let Some(Ok(msg)) = stream.next().await {
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
                    FirmEvent::Frame {
                        conn,
                        bytes: bytes.to_vec(),
                    }
                }
                WsMessage::Close(_) => break,
                // The protocol has no text frames; pings are answered by the socket layer.
                _ => continue,
            };
            if firm.send(frame).is_err() {
                break;
            }
        }
    };
    let revalidate = async {
        let mut every = tokio::time::interval(REVALIDATE_EVERY);
        every.tick().await;
        loop {
            every.tick().await;
            match relay.still_valid(&identity).await {
                Ok(true) => {}
                Ok(false) => break,
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
    let _ = firm.send(FirmEvent::Disconnect { conn });
}

struct Conn {
    identity: Identity,
    out: mpsc::Sender<Outgoing>,
}

async fn run_firm(
    relay: Arc<Relay>,
    firm_id: String,
    mut rx: mpsc::UnboundedReceiver<FirmEvent>,
    tx: mpsc::UnboundedSender<FirmEvent>,
) {
    let policy = FirmPolicy {
        scope: relay.scope.clone(),
        metrics: relay.metrics.clone(),
    };
    let mut config = HubConfig::new(format!("hearth-relay-{firm_id}"));
    config.storage_id = Some(format!("hearth-relay-{firm_id}"));
    config.max_document_bytes = relay.config.limits.max_document_bytes;
    let mut hub = Hub::new(config, policy);
    let mut conns: HashMap<ConnId, Conn> = HashMap::new();
    loop {
        let deadline = hub.next_deadline().map(Instant::from_std);
        let event = tokio::select! {
            ev = rx.recv() => match ev {
                Some(ev) => Some(ev),
                None => break,
            },
            _ = async { tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)).await }, if deadline.is_some() => None,
        };
        let now = std::time::Instant::now();
        let started = Instant::now();
        let effects = match event {
            None => hub.tick(now),
            Some(FirmEvent::Connect {
                conn,
                identity,
                out,
            }) => {
                let effects = hub.connect(conn, identity.clone());
                conns.insert(conn, Conn { identity, out });
                effects
            }
            Some(FirmEvent::Frame { conn, bytes }) => hub.receive(conn, &bytes, now),
            Some(FirmEvent::Disconnect { conn }) => {
                conns.remove(&conn);
                hub.disconnect(conn)
            }
            Some(FirmEvent::Loaded { doc_id, bytes }) => hub.document_loaded(doc_id, bytes, now),
            Some(FirmEvent::RevokeDevice { device_id }) => {
                let revoked: Vec<ConnId> = conns
                    .iter()
                    .filter(|(_, c)| c.identity.device_id.as_deref() == Some(device_id.as_str()))
                    .map(|(id, _)| *id)
                    .collect();
                let mut effects = Vec::new();
                for conn in revoked {
                    if let Some(c) = conns.remove(&conn) {
                        let _ = c.out.try_send(Outgoing::Close("device revoked".into()));
                    }
                    effects.extend(hub.disconnect(conn));
                }
                effects
            }
        };
        let result = carry_out(&relay, &firm_id, &mut hub, &mut conns, &tx, effects).await;
        relay
            .metrics
            .event_seconds
            .observe(started.elapsed().as_secs_f64());
        if let Err(e) = result {
            tracing::error!(firm = %firm_id, error = %e, "could not store accepted changes; restarting the firm's hub");
            for (_, c) in conns.drain() {
                let _ = c
                    .out
                    .try_send(Outgoing::Close("relay storage unavailable; retry".into()));
            }
            break;
        }
    }
    // Leave the registry so the next connection starts a fresh hub from the store.
    let mut firms = relay.edge.firms.lock().unwrap_or_else(|p| p.into_inner());
    if firms.get(&firm_id).is_some_and(|t| t.same_channel(&tx)) {
        firms.remove(&firm_id);
    }
}

async fn carry_out(
    relay: &Arc<Relay>,
    firm_id: &str,
    hub: &mut Hub<FirmPolicy>,
    conns: &mut HashMap<ConnId, Conn>,
    tx: &mpsc::UnboundedSender<FirmEvent>,
    effects: Vec<Effect<Identity>>,
) -> anyhow::Result<()> {
    let mut queue: VecDeque<Effect<Identity>> = effects.into();
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Send { conn, bytes } => {
                let Some(c) = conns.get(&conn) else { continue };
                if c.out.try_send(Outgoing::Frame(bytes)).is_err() {
                    // Full (a slow reader) or gone: drop it rather than stall the firm.
                    if let Some(c) = conns.remove(&conn) {
                        let _ = c
                            .out
                            .try_send(Outgoing::Close("too slow; reconnect".into()));
                    }
                    queue.extend(hub.disconnect(conn));
                }
            }
            Effect::Close { conn, reason } => {
                if matches!(reason, hearth_wire::relay::CloseReason::DocumentTooLarge(_)) {
                    relay.metrics.deny("document_too_large");
                }
                if let Some(c) = conns.remove(&conn) {
                    let _ = c.out.try_send(Outgoing::Close(reason.to_string()));
                }
            }
            Effect::Load { doc_id } => {
                let key = doc_id.to_string();
                if !relay.scope().exists(firm_id, &key) {
                    // Unknown ids are answered from the index, without a store round trip,
                    // just as quickly as ids outside the caller's scope.
                    queue.extend(hub.document_loaded(doc_id, None, std::time::Instant::now()));
                    continue;
                }
                let relay = relay.clone();
                let tx = tx.clone();
                let firm_id = firm_id.to_string();
                tokio::spawn(async move {
                    let bytes = match load_document(&relay, &firm_id, &key).await {
                        Ok(bytes) => Some(bytes),
                        Err(e) => {
                            tracing::error!(doc = %key, error = %e, "could not load a document");
                            None
                        }
                    };
                    let _ = tx.send(FirmEvent::Loaded { doc_id, bytes });
                });
            }
            Effect::Persist {
                doc_id,
                identity,
                changes,
                ..
            } => {
                let started = Instant::now();
                let count = changes.len() as u64;
                persist(relay, firm_id, &doc_id, &identity, changes).await?;
                relay
                    .metrics
                    .persist_seconds
                    .observe(started.elapsed().as_secs_f64());
                relay.metrics.changes.inc_by(count);
            }
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

async fn persist(
    relay: &Relay,
    firm_id: &str,
    doc_id: &DocumentId,
    identity: &Identity,
    mut changes: Vec<automerge::Change>,
) -> anyhow::Result<()> {
    let key = relay.firm_key(firm_id).await?;
    let id = doc_id.to_string();
    let aad = hearth_seal::document_aad(firm_id, &id);
    let sealed = changes
        .iter_mut()
        .map(|c| key.seal(&c.bytes(), &aad))
        .collect::<Result<Vec<_>, _>>()?;
    let now = now_ms();
    let stored = crate::scope::store_key(firm_id, &id);
    if relay.scope().exists(firm_id, &id) {
        relay.store.append_chunks(&stored, &sealed, now).await?;
    } else {
        let meta = DocumentMeta {
            doc_id: stored,
            firm_id: firm_id.to_string(),
            owner_id: identity.advisor_id.clone(),
            created_at: now,
            updated_at: now,
        };
        relay.store.create_document(&meta, &sealed).await?;
        relay
            .scope
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(&id, firm_id, &identity.advisor_id);
    }
    Ok(())
}
