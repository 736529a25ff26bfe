//! One simulated automerge-repo client: a WebSocket, the peer handshake, one open document.
//!
//! Every client loads its document's base, announces it with `sync`, and from then on answers
//! every sync message from the server the way automerge-repo does (receive it, generate the
//! reply, send it if there is one), so the server always knows its heads. A writer also
//! applies its next pre-built change to its document and sends the sync message that carries
//! it, either on a schedule (`rate`) or whenever fewer than `window` of its changes are
//! unacknowledged (saturation).
//!
//! After each message from the server the client looks at heads only (see [`crate::plan`]):
//! its own document's heads say which writers' changes it has now received; the server's heads
//! (`sync::State::their_heads`) say which of its own changes the server has.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use automerge::Automerge;
use automerge::sync::{self, SyncDoc};
use futures_util::{SinkExt, StreamExt};
use hearth_wire::message::{Message, PeerMetadata, decode, encode};
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::plan::Plan;
use crate::track::Tracker;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Where the run is; every client follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Connecting and catching up with the base documents.
    Setup,
    /// Writers write; `t0` is the common start.
    Run {
        /// When the timed run started.
        t0: Instant,
    },
    /// Writers stop; everyone keeps answering so what was sent can arrive.
    Drain,
    /// Leave and close.
    Shutdown,
}

/// What all clients share.
pub struct Shared {
    /// The pre-built run.
    pub plan: Plan,
    /// Timelines of every change.
    pub tracker: Tracker,
    /// `ws://127.0.0.1:PORT/PATH`, one per relay node; client i connects to the (i mod n)-th.
    pub urls: Vec<String>,
    /// A bearer token for the upgrade request, if the server wants one.
    pub token: Option<String>,
    /// Changes per second per writer; 0 for as fast as the window allows.
    pub rate: f64,
    /// Unacknowledged changes a writer may have at once.
    pub window: usize,
    /// The run's phase.
    pub phase: watch::Receiver<Phase>,
    /// Clients caught up with their base document.
    pub ready: AtomicUsize,
    /// Signalled when `ready` changes.
    pub ready_changed: Notify,
}

/// Runs client `index` until the phase turns to [`Phase::Shutdown`].
pub async fn run(shared: Arc<Shared>, index: usize) -> Result<()> {
    let url = &shared.urls[index % shared.urls.len()];
    let mut ws = connect(&shared, url)
        .await
        .with_context(|| format!("client {index}: connecting to {url}"))?;
    let peer_id = format!("loadgen-{}-{index}", shared.plan.run_id);
    send(
        &mut ws,
        &Message::Join {
            sender_id: peer_id.clone(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: Some(vec!["1".to_string()]),
        },
    )
    .await?;
    let server_id = loop {
        match next_message(&mut ws).await? {
            Message::Peer { sender_id, .. } => break sender_id,
            Message::Error { message, .. } => {
                bail!("client {index}: server refused join: {message}")
            }
            _ => continue,
        }
    };
    let role = shared.plan.clients[index];
    let doc_plan = &shared.plan.docs[role.doc];
    let mut client = Client {
        shared: &shared,
        writer: role.writer,
        doc_id: doc_plan.id,
        base_head: doc_plan.base_head,
        peer_id,
        server_id,
        doc: Automerge::load(&doc_plan.base).context("loading the base document")?,
        state: sync::State::new(),
        seen: shared
            .plan
            .writers
            .iter()
            .enumerate()
            .filter(|(w, p)| p.doc == role.doc && Some(*w) != role.writer)
            .map(|(w, _)| (w, 0))
            .collect(),
        next: 0,
        acked: 0,
        due: 0,
        ready: false,
    };
    client.sync_out(&mut ws).await?;
    client
        .serve(&mut ws)
        .await
        .with_context(|| format!("client {index}"))
}

struct Client<'a> {
    shared: &'a Shared,
    writer: Option<usize>,
    doc_id: hearth_core::DocumentId,
    base_head: automerge::ChangeHash,
    peer_id: String,
    server_id: String,
    doc: Automerge,
    state: sync::State,
    /// Writer index → how many of its changes this client has.
    seen: HashMap<usize, usize>,
    /// The next own change to send.
    next: usize,
    /// Own changes the server has (a prefix).
    acked: usize,
    /// Scheduled sends not yet made (the window was full).
    due: usize,
    ready: bool,
}

impl Client<'_> {
    async fn serve(&mut self, ws: &mut Socket) -> Result<()> {
        let mut phase_rx = self.shared.phase.clone();
        let mut phase = *phase_rx.borrow_and_update();
        let interval =
            (self.shared.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / self.shared.rate));
        let mut next_tick: Option<Instant> = None;
        loop {
            if let Phase::Run { .. } = phase {
                self.write_what_may_go(ws, interval.is_none()).await?;
            }
            let tick = next_tick.filter(|_| matches!(phase, Phase::Run { .. }));
            tokio::select! {
                frame = ws.next() => {
                    let bytes = match frame {
                        Some(Ok(WsMessage::Binary(bytes))) => bytes,
                        Some(Ok(WsMessage::Close(frame))) => bail!("server closed the socket: {frame:?}"),
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return Err(e).context("reading from the socket"),
                        None => bail!("server closed the socket"),
                    };
                    self.on_frame(ws, &bytes).await?;
                }
                changed = phase_rx.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    phase = *phase_rx.borrow_and_update();
                    match phase {
                        Phase::Run { t0 } => {
                            if let (Some(interval), Some(w)) = (interval, self.writer) {
                                // Spread writers' ticks evenly over one interval.
                                let spread = w as f64 / self.shared.plan.writers.len() as f64;
                                next_tick = Some(t0 + interval.mul_f64(spread));
                            }
                        }
                        Phase::Shutdown => {
                            let _ = send(ws, &Message::Leave { sender_id: self.peer_id.clone() }).await;
                            let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
                            return Ok(());
                        }
                        Phase::Setup | Phase::Drain => {}
                    }
                }
                _ = tokio::time::sleep_until(tick.unwrap_or_else(Instant::now)), if tick.is_some() => {
                    self.due += 1;
                    if let (Some(t), Some(interval)) = (next_tick, interval) {
                        next_tick = Some(t + interval);
                    }
                }
            }
        }
    }

    /// Sends own changes while the window allows: every due one (rate mode) or as many as fit
    /// (saturation).
    async fn write_what_may_go(&mut self, ws: &mut Socket, saturate: bool) -> Result<()> {
        let Some(w) = self.writer else { return Ok(()) };
        let total = self.shared.plan.writers[w].changes.len();
        while self.next < total
            && self.next - self.acked < self.shared.window
            && (saturate || self.due > 0)
        {
            let change = self.shared.plan.writers[w].changes[self.next].clone();
            self.doc
                .apply_changes([change])
                .context("applying a pre-built change")?;
            self.shared.tracker.sent(w, self.next);
            self.next += 1;
            self.due = self.due.saturating_sub(1);
            self.sync_out(ws).await?;
        }
        Ok(())
    }

    async fn on_frame(&mut self, ws: &mut Socket, bytes: &[u8]) -> Result<()> {
        let data = match decode(bytes).context("decoding a server message")? {
            Message::Sync {
                data, document_id, ..
            }
            | Message::Request {
                data, document_id, ..
            } if document_id == self.doc_id => data,
            Message::DocUnavailable { document_id, .. } => {
                bail!("server says document {document_id} is unavailable")
            }
            Message::Error { message, .. } => bail!("server error: {message}"),
            // Ephemeral, remote-heads and anything else: not part of this benchmark.
            _ => return Ok(()),
        };
        let msg = sync::Message::decode(&data).map_err(|e| anyhow!("bad sync message: {e}"))?;
        self.doc
            .receive_sync_message(&mut self.state, msg)
            .context("applying a sync message")?;
        let tracker = &self.shared.tracker;
        let index = &self.shared.plan.index;
        let now = tracker.now();
        // Which writers' changes this client now has: their latest changes are heads.
        for head in self.doc.get_heads() {
            if let Some(&(w, k)) = index.get(&head)
                && let Some(seen) = self.seen.get_mut(&w)
            {
                while *seen <= k {
                    tracker.arrived(w, *seen, now);
                    *seen += 1;
                }
            }
        }
        // Which own changes the server has: the latest is one of its heads.
        if let (Some(me), Some(theirs)) = (self.writer, self.state.their_heads.as_ref()) {
            for head in theirs {
                if let Some(&(w, k)) = index.get(head)
                    && w == me
                {
                    while self.acked <= k {
                        tracker.acked(me, self.acked, now);
                        self.acked += 1;
                    }
                }
            }
        }
        if !self.ready {
            let base = self.base_head;
            if self
                .state
                .their_heads
                .as_ref()
                .is_some_and(|h| h.contains(&base))
            {
                self.ready = true;
                self.shared.ready.fetch_add(1, Ordering::AcqRel);
                self.shared.ready_changed.notify_one();
            }
        }
        self.sync_out(ws).await
    }

    /// Sends the sync message automerge says is due, if any.
    async fn sync_out(&mut self, ws: &mut Socket) -> Result<()> {
        if let Some(msg) = self.doc.generate_sync_message(&mut self.state) {
            send(
                ws,
                &Message::Sync {
                    sender_id: self.peer_id.clone(),
                    target_id: self.server_id.clone(),
                    document_id: self.doc_id,
                    data: msg.encode(),
                },
            )
            .await?;
        }
        Ok(())
    }
}

async fn connect(shared: &Shared, url: &str) -> Result<Socket> {
    let mut request = url.into_client_request()?;
    if let Some(token) = &shared.token {
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
    }
    let (ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true).await?;
    Ok(ws)
}

async fn send(ws: &mut Socket, msg: &Message) -> Result<()> {
    ws.send(WsMessage::binary(encode(msg)))
        .await
        .context("writing to the socket")
}

async fn next_message(ws: &mut Socket) -> Result<Message> {
    loop {
        match ws.next().await {
            Some(Ok(WsMessage::Binary(bytes))) => {
                return decode(&bytes).context("decoding a server message");
            }
            Some(Ok(WsMessage::Close(frame))) => bail!("server closed the socket: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e).context("reading from the socket"),
            None => bail!("server closed the socket"),
        }
    }
}
