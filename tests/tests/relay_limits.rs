//! The relay's limits, each hit for real over WebSockets against a running `hearth-relay`:
//! an oversized message and a message flood get an `error` naming the config key and a close;
//! a firm over its connection cap gets `503`; a reader that stops reading is dropped with a
//! reason while the others keep receiving; `/metrics` counts each by reason.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use hearth_core::DocumentId;
use hearth_e2e::{RelayProcess, TEST_RELAY_CONFIG, http};
use hearth_wire::{Client, Message, PeerMetadata, decode, encode};
use tungstenite::client::IntoClientRequest;

type Ws = tungstenite::WebSocket<TcpStream>;

/// Long enough for a busy CI machine; a relay that never answers fails the test here.
const READ_TIMEOUT: Duration = Duration::from_secs(20);

struct World {
    _dir: tempfile::TempDir,
    relay: RelayProcess,
    firm: String,
    token: String,
    token_id: String,
}

/// A relay with `limits` (TOML lines of the `[limits]` table) and one advisor's API token.
fn world(limits: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{TEST_RELAY_CONFIG}{limits}\n");
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        &config,
    );
    let firm = relay.create_firm("Limits & Co");
    let (advisor, _) = relay.invite(&firm, "Alice Advisor", false);
    let issued = relay.admin_json(&["token", "issue", "--advisor", &advisor]);
    World {
        _dir: dir,
        relay,
        firm,
        token: issued["token"].as_str().unwrap().to_string(),
        token_id: issued["id"].as_str().unwrap().to_string(),
    }
}

fn addr(w: &World) -> &str {
    w.relay.url.trim_start_matches("http://")
}

fn try_connect(w: &World) -> Result<Ws, tungstenite::Error> {
    try_connect_as(w, &w.token)
}

fn try_connect_as(w: &World, token: &str) -> Result<Ws, tungstenite::Error> {
    let mut request = format!("ws://{}/sync", addr(w))
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let stream = TcpStream::connect(addr(w)).unwrap();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    stream.set_nodelay(true).unwrap();
    tungstenite::client(request, stream)
        .map(|(ws, _)| ws)
        .map_err(|e| match e {
            tungstenite::HandshakeError::Failure(e) => e,
            tungstenite::HandshakeError::Interrupted(_) => panic!("blocking handshake interrupted"),
        })
}

fn connect(w: &World) -> Ws {
    try_connect(w).unwrap_or_else(|e| panic!("WebSocket upgrade failed: {e}"))
}

fn send(ws: &mut Ws, frame: Vec<u8>) {
    ws.send(tungstenite::Message::binary(frame)).unwrap();
}

/// What the relay sent next: a protocol message, or how it closed the socket.
enum Next<T> {
    Frame(T),
    Closed(Option<(u16, String)>),
}

fn next(ws: &mut Ws) -> Next<Message> {
    match next_raw(ws) {
        Some(Next::Frame(bytes)) => Next::Frame(decode(&bytes).expect("the relay's frames decode")),
        Some(Next::Closed(why)) => Next::Closed(why),
        None => panic!("no answer from the relay within {READ_TIMEOUT:?}"),
    }
}

/// The next frame as bytes; `None` if the relay sent nothing for [`READ_TIMEOUT`] (pings
/// do not count: a relay that only pings has not answered).
fn next_raw(ws: &mut Ws) -> Option<Next<Vec<u8>>> {
    let deadline = Instant::now() + READ_TIMEOUT;
    loop {
        if Instant::now() > deadline {
            return None;
        }
        match ws.read() {
            Ok(tungstenite::Message::Binary(b)) => return Some(Next::Frame(b.to_vec())),
            Ok(tungstenite::Message::Close(frame)) => {
                return Some(Next::Closed(
                    frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                ));
            }
            Ok(_) => continue,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                continue;
            }
            Err(e) => {
                eprintln!("socket ended without a close frame: {e}");
                return Some(Next::Closed(None));
            }
        }
    }
}

/// Joins as `peer`; returns once the relay's `peer` answer arrived.
fn join(ws: &mut Ws, peer: &str) {
    send(
        ws,
        encode(&Message::Join {
            sender_id: peer.into(),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: Some(vec!["1".into()]),
        }),
    );
    match next(ws) {
        Next::Frame(Message::Peer { .. }) => {}
        Next::Frame(other) => panic!("expected peer, got {}", other.type_name()),
        Next::Closed(why) => panic!("closed instead of peer: {why:?}"),
    }
}

/// Reads until the relay's `error` and close; returns (error text, close code and reason).
fn error_then_close(ws: &mut Ws) -> (String, Option<(u16, String)>) {
    let error = loop {
        match next(ws) {
            Next::Frame(Message::Error { message, .. }) => break message,
            Next::Frame(_) => continue,
            Next::Closed(why) => panic!("closed without an error message: {why:?}"),
        }
    };
    loop {
        if let Next::Closed(why) = next(ws) {
            return (error, why);
        }
    }
}

fn denials(w: &World, reason: &str) -> u64 {
    let metrics = http::get(&w.relay.url, "/metrics").body;
    let series = format!("hearth_relay_denials_total{{reason=\"{reason}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |v| v.trim().parse::<f64>().unwrap() as u64)
}

#[test]
fn an_oversized_message_and_a_flood_get_an_error_naming_the_setting_and_a_close() {
    // 1 message a second sustained with a burst of 20: the flood below cannot be refilled
    // in the time it takes to send it.
    let w = world(
        "max_frame_bytes = 65536\nconnection_messages_per_sec = 1\nconnection_message_burst = 20",
    );

    let mut big = connect(&w);
    join(&mut big, "big-sender");
    send(&mut big, vec![0x42; 100_000]);
    let (error, close) = error_then_close(&mut big);
    assert!(
        error.contains("message too large") && error.contains("limits.max_frame_bytes"),
        "{error}"
    );
    assert_eq!(close.map(|(code, _)| code), Some(1008));

    // The join was the first of the 20; 20 more messages overrun the burst. Nothing is sent
    // after the one refused (the relay reads no further), so the answer cannot be lost.
    let mut flood = connect(&w);
    join(&mut flood, "flooder");
    for _ in 0..20 {
        send(
            &mut flood,
            encode(&Message::RemoteSubscriptionChange {
                sender_id: "flooder".into(),
                target_id: "relay".into(),
                add: None,
                remove: None,
            }),
        );
    }
    let (error, close) = error_then_close(&mut flood);
    assert!(
        error.contains("rate limit exceeded")
            && error.contains("limits.connection_messages_per_sec"),
        "{error}"
    );
    assert_eq!(close.map(|(code, _)| code), Some(1008));

    // Other connections are unaffected.
    let mut fine = connect(&w);
    join(&mut fine, "well-behaved");

    assert_eq!(denials(&w, "frame_too_large"), 1);
    assert_eq!(denials(&w, "message_rate"), 1);
}

#[test]
fn a_firm_over_its_connection_cap_is_refused_until_one_closes() {
    let w = world("firm_max_connections = 2");
    let mut first = connect(&w);
    join(&mut first, "laptop-1");
    let mut second = connect(&w);
    join(&mut second, "laptop-2");
    match try_connect(&w) {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 503),
        Err(e) => panic!("expected 503, got {e}"),
        Ok(_) => panic!("a third connection was accepted over firm_max_connections = 2"),
    }
    assert_eq!(denials(&w, "firm_connections"), 1);

    // One closes (the relay answers the close); a new one is then let in. The relay counts
    // the connection down when its socket task ends, just after the close answer, hence
    // the retries.
    first.close(None).unwrap();
    while !matches!(next(&mut first), Next::Closed(_)) {}
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut third = loop {
        match try_connect(&w) {
            Ok(ws) => break ws,
            Err(tungstenite::Error::Http(r)) if r.status() == 503 => {
                assert!(
                    Instant::now() < deadline,
                    "the closed connection still counts"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("{e}"),
        }
    };
    join(&mut third, "laptop-3");
}

/// Connects `peer` and drives it until `doc` is in sync with the relay.
fn synced_client(w: &World, peer: &str, doc_id: DocumentId, create: bool) -> Ws {
    synced_peer(w, peer, doc_id, create).0
}

/// [`synced_client`], keeping the client to edit and sync with later.
fn synced_peer(w: &World, peer: &str, doc_id: DocumentId, create: bool) -> (Ws, Client) {
    synced_peer_as(w, &w.token, peer, doc_id, create)
}

/// [`synced_peer`] with another advisor's (or firm's) API token.
fn synced_peer_as(
    w: &World,
    token: &str,
    peer: &str,
    doc_id: DocumentId,
    create: bool,
) -> (Ws, Client) {
    let mut ws = try_connect_as(w, token).unwrap_or_else(|e| panic!("{peer}: upgrade failed: {e}"));
    let mut client = Client::new(peer, PeerMetadata::default());
    if create {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "name", "The Okafor Family").unwrap();
        doc.commit();
        client.insert_document(doc_id, doc.document().clone());
    } else {
        client.request_document(doc_id);
    }
    for frame in client.start() {
        send(&mut ws, frame);
    }
    let has_it = |c: &Client| {
        c.document(&doc_id)
            .is_some_and(|d| !d.get_heads().is_empty())
    };
    while !(client.is_joined() && has_it(&client) && client.is_converged()) {
        let frame = match next_raw(&mut ws) {
            Some(Next::Frame(frame)) => frame,
            Some(Next::Closed(why)) => panic!("{peer}: closed while syncing: {why:?}"),
            None => panic!("{peer}: no answer within {READ_TIMEOUT:?} while syncing"),
        };
        for reply in client.receive(&frame).expect("client accepts") {
            send(&mut ws, reply);
        }
    }
    (ws, client)
}

#[test]
fn a_reader_that_stops_reading_is_dropped_and_the_others_keep_receiving() {
    // 4,000 presence messages of 16 KiB (64 MiB): more than the stalled peer's socket buffers
    // and its 1,024-frame queue hold.
    a_stalled_reader_is_dropped(
        "connection_messages_per_sec = 100000\nconnection_message_burst = 100000",
        4_000,
        16 * 1024,
    );
}

#[test]
fn a_reader_that_stops_reading_is_dropped_by_bytes_before_frames() {
    // 900 messages of 60 KiB (53 MiB): fewer than the 1,024-frame queue holds, so only the
    // byte budget (2 MiB here) can drop the stalled peer.
    a_stalled_reader_is_dropped(
        "connection_messages_per_sec = 100000\nconnection_message_burst = 100000\nmax_queued_bytes = 2097152",
        900,
        60 * 1024,
    );
}

/// Floods presence messages at a document with a reading peer and a stalled one: the reader
/// gets every message, the stalled peer what was queued for it and then a close saying why.
///
/// Meanwhile an advisor of another firm keeps creating and syncing households, and the
/// relay's peak memory grows by no more than the stalled peer's queue allows (plus the
/// sockets' buffers and slack).
fn a_stalled_reader_is_dropped(limits: &str, count: u64, frame_bytes: usize) {
    let w = world(limits);
    let doc_id = DocumentId::random();
    let writer = synced_client(&w, "writer", doc_id, true);
    let reader = synced_client(&w, "reader", doc_id, false);
    let stalled = synced_client(&w, "stalled", doc_id, false);
    let other_firm = w.relay.create_firm("Second Firm LLP");
    let (other_advisor, _) = w.relay.invite(&other_firm, "Olu Other", false);
    let other_token = w
        .relay
        .admin_json(&["token", "issue", "--advisor", &other_advisor])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let rss_before = peak_rss(w.relay.pid());
    let flooding = std::sync::atomic::AtomicBool::new(true);
    std::thread::scope(|scope| {
        let second_firm = scope.spawn(|| {
            let mut synced = 0u32;
            let mut slowest = Duration::ZERO;
            while flooding.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                let peer = format!("other-laptop-{synced}");
                drop(synced_peer_as(
                    &w,
                    &other_token,
                    &peer,
                    DocumentId::random(),
                    true,
                ));
                slowest = slowest.max(started.elapsed());
                synced += 1;
            }
            (synced, slowest)
        });
        flood_past_a_stalled_reader(&w, doc_id, [writer, reader, stalled], count, frame_bytes);
        flooding.store(false, std::sync::atomic::Ordering::Relaxed);
        let (synced, slowest) = second_firm.join().expect("the second firm's advisor");
        eprintln!(
            "the second firm synced {synced} new households during the flood (slowest {slowest:?})"
        );
        assert!(
            synced >= 1,
            "the second firm synced nothing during the flood"
        );
    });
    let rss_after = peak_rss(w.relay.pid());
    let grown = rss_after.saturating_sub(rss_before);
    eprintln!(
        "relay peak RSS {:.0} MiB before, {:.0} MiB after flooding {count} messages of {frame_bytes} bytes",
        rss_before as f64 / 1048576.0,
        rss_after as f64 / 1048576.0
    );
    assert!(
        grown < 96 * 1024 * 1024,
        "the relay's peak RSS grew by {grown} bytes"
    );
}

/// Sends `total` presence messages of `frame_bytes` from `writer`, confirmed by `reader`, and
/// checks that `stalled` got what was queued for it and then a close.
fn flood_past_a_stalled_reader(
    w: &World,
    doc_id: DocumentId,
    [mut writer, mut reader, mut stalled]: [Ws; 3],
    count: u64,
    frame_bytes: usize,
) {
    // The messages go in rounds of 20 that the reading peer confirms before the next, so on a
    // busy machine it never falls far behind and counts as slow itself; the stalled peer
    // falls further behind with every round.
    let total = count;
    const ROUND: u64 = 20;
    let (progress, confirmed) = std::sync::mpsc::channel::<u64>();
    // The reader only counts frames (nothing but the flood moves now): decoding each would
    // make it the slow one.
    let reading = std::thread::spawn(move || {
        let mut seen = 0u64;
        while seen < total {
            match next_raw(&mut reader) {
                Some(Next::Frame(_)) => {
                    seen += 1;
                    if seen.is_multiple_of(ROUND) {
                        let _ = progress.send(seen);
                    }
                }
                Some(Next::Closed(why)) => panic!("the reader was closed after {seen}: {why:?}"),
                None => panic!("the reader got {seen} of {total}, then nothing"),
            }
        }
        seen
    });
    let data = vec![7u8; frame_bytes];
    for count in 0..total {
        send(
            &mut writer,
            encode(&Message::Ephemeral {
                sender_id: "writer".into(),
                target_id: "relay".into(),
                document_id: doc_id,
                session_id: "flood".into(),
                count,
                data: data.clone(),
            }),
        );
        if (count + 1).is_multiple_of(ROUND) {
            let seen = confirmed
                .recv()
                .expect("the reader stopped (its thread says why)");
            assert_eq!(seen, count + 1);
        }
    }
    assert_eq!(
        reading.join().unwrap(),
        total,
        "the reading peer got everything"
    );

    // The stalled peer gets what was queued for it, then a close saying why.
    let mut got = 0u64;
    let close = loop {
        match next(&mut stalled) {
            Next::Frame(Message::Ephemeral { .. }) => got += 1,
            Next::Frame(_) => {}
            Next::Closed(why) => break why,
        }
    };
    assert!(
        got < total,
        "the stalled peer was cut off ({got} of {total})"
    );
    let (code, reason) = close.expect("a close frame with a reason");
    assert_eq!(code, 1008);
    assert!(reason.contains("too slow"), "{reason}");
    assert_eq!(denials(w, "slow_reader"), 1);
}

/// A second API token of the same firm, for a firm admin.
fn admin_token(w: &World) -> (String, String) {
    let (admin, _) = w.relay.invite(&w.firm, "Ada Admin", true);
    let issued = w.relay.admin_json(&["token", "issue", "--advisor", &admin]);
    (
        issued["id"].as_str().unwrap().to_string(),
        issued["token"].as_str().unwrap().to_string(),
    )
}

/// Revokes the world's API token through the relay's admin API.
fn revoke_world_token(w: &World, admin_secret: &str) {
    let revoked = http::request(
        "POST",
        &w.relay.url,
        &format!("/v1/admin/tokens/{}/revoke", w.token_id),
        &[("Authorization", &format!("Bearer {admin_secret}"))],
        Some("{}"),
    );
    assert_eq!(revoked.status, 204, "{}", revoked.body);
}

/// Reads until the relay closes the socket; returns the close reason.
fn closed_reason(ws: &mut Ws) -> String {
    loop {
        match next(ws) {
            Next::Frame(_) => continue,
            Next::Closed(why) => return why.map(|(_, reason)| reason).unwrap_or_default(),
        }
    }
}

#[test]
fn a_revoked_api_token_loses_its_open_connections_and_opens_no_new_ones() {
    let w = world("");
    let (admin_id, admin_secret) = admin_token(&w);

    // Revoked through the serving relay's admin API: the connection closes at once, saying why.
    let mut open = connect(&w);
    join(&mut open, "script");
    revoke_world_token(&w, &admin_secret);
    let reason = closed_reason(&mut open);
    assert!(
        reason.contains("API token revoked"),
        "close reason: {reason:?}"
    );
    let again = try_connect(&w)
        .map(|_| ())
        .expect_err("a revoked token connects no more");
    assert!(
        matches!(&again, tungstenite::Error::Http(r) if r.status() == 401),
        "{again}"
    );

    // Revoked by the operator's CLI (another process): the open connection's periodic
    // re-check finds it and closes it with the reason; `token list` shows it revoked.
    let mut open = try_connect_as(&w, &admin_secret).expect("the admin's token connects");
    join(&mut open, "admin-script");
    w.relay
        .admin(&["token", "revoke", "--firm", &w.firm, "--token", &admin_id]);
    let reason = closed_reason(&mut open);
    assert!(
        reason.contains("credentials revoked"),
        "close reason: {reason:?}"
    );
    let listed = w.relay.admin_json(&["token", "list", "--firm", &w.firm]);
    let states: Vec<bool> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["revoked_at"].is_null())
        .collect();
    assert_eq!(states, vec![false, false], "{listed}");
    assert!(!listed.to_string().contains("token_hash"), "{listed}");

    // An unknown token id is refused by name, and nothing changes.
    let out = w
        .relay
        .admin_fails(&["token", "revoke", "--firm", &w.firm, "--token", "tok_nope"]);
    assert!(out.contains("no active API token tok_nope"), "{out}");
}

/// Reads `stream` until the relay closes it; returns what it sent, or `None` if it was still
/// open when the read deadline passed.
fn read_until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(seen),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(seen),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("reading a held connection: {e}"),
        }
    }
}

#[test]
fn half_open_connections_and_silent_websockets_are_shed_while_real_clients_keep_working() {
    use std::io::Write;
    let w = world(
        "\n[timeouts]\nheader_read_secs = 3\nwebsocket_ping_secs = 1\nwebsocket_idle_secs = 3\n",
    );
    // 500 connections a slow-loris client holds: half sent part of a request's headers, half
    // nothing at all.
    let started = Instant::now();
    let mut held: Vec<TcpStream> = (0..500)
        .map(|i| {
            let mut s = TcpStream::connect(addr(&w)).unwrap();
            if i % 2 == 0 {
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Slow: ")
                    .unwrap();
            }
            s.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
            s
        })
        .collect();

    // Meanwhile the relay answers and syncs for everyone else.
    assert_eq!(http::get(&w.relay.url, "/healthz").status, 200);
    let mut client = connect(&w);
    join(&mut client, "honest-client");
    // It reads all along (and so answers the relay's pings), as real clients do.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let honest = {
        let stop = stop.clone();
        client
            .get_mut()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        std::thread::spawn(move || -> Result<Ws, String> {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match client.read() {
                    Ok(_) => {}
                    Err(tungstenite::Error::Io(e))
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(e) => return Err(format!("the honest client lost its connection: {e}")),
                }
            }
            Ok(client)
        })
    };

    // Every held connection is closed by the relay (none still open after the read deadline).
    for (i, s) in held.iter_mut().enumerate() {
        assert!(
            read_until_closed(s).is_some(),
            "held connection {i} was still open after {READ_TIMEOUT:?}"
        );
    }
    eprintln!(
        "500 held connections shed in {:.1} s (header_read_secs = 3)",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(http::get(&w.relay.url, "/healthz").status, 200);

    // A WebSocket peer that never answers pings (a raw socket: tungstenite would pong) is
    // closed with a reason once nothing has been heard for websocket_idle_secs.
    let mut silent = TcpStream::connect(addr(&w)).unwrap();
    silent.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    write!(
        silent,
        "GET /sync HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Authorization: Bearer {}\r\n\r\n",
        w.token
    )
    .unwrap();
    let sent = read_until_closed(&mut silent).expect("the silent WebSocket was never closed");
    let text = String::from_utf8_lossy(&sent);
    assert!(text.starts_with("HTTP/1.1 101"), "{text}");
    assert!(
        text.contains("nothing heard for 3 s") && text.contains("websocket_idle_secs"),
        "{text}"
    );
    assert!(denials(&w, "websocket_idle") >= 1);

    // The honest client, which answered pings as it read, stayed connected throughout
    // (well past websocket_idle_secs), and a document still syncs through the relay.
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let client = honest.join().unwrap().unwrap_or_else(|e| panic!("{e}"));
    drop(client);
    let doc_id = DocumentId::random();
    let _writer = synced_client(&w, "writer-after", doc_id, true);
    let _reader = synced_client(&w, "reader-after", doc_id, false);
}

/// The peak resident memory (VmHWM) of process `pid`, bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status");
    kib * 1024
}

#[test]
fn an_inflation_bomb_is_refused_without_the_memory_it_asks_for() {
    // The default document limit: 64 MiB, which also caps what one change may inflate to.
    let w = world("");
    // A real change carrying 256 MiB of zeros: a quarter of a megabyte once deflated.
    let inflated = 256 * 1024 * 1024;
    let mut doc = AutoCommit::new();
    doc.put(
        ROOT,
        "statement",
        automerge::ScalarValue::Bytes(vec![0; inflated]),
    )
    .unwrap();
    doc.commit();
    let mut change = doc.get_last_local_change().unwrap().clone();
    let bomb = change.bytes().into_owned();
    assert!(
        bomb.len() < 2 * 1024 * 1024,
        "deflated to {} bytes",
        bomb.len()
    );
    let data = automerge::sync::Message {
        heads: vec![change.hash()],
        need: vec![],
        have: vec![],
        changes: vec![bomb].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    }
    .encode();
    let before = peak_rss(w.relay.pid());

    let mut ws = connect(&w);
    join(&mut ws, "bomber");
    send(
        &mut ws,
        encode(&Message::Sync {
            sender_id: "bomber".into(),
            target_id: "relay".into(),
            document_id: DocumentId::random(),
            data,
        }),
    );
    let (error, close) = error_then_close(&mut ws);
    assert!(error.contains("invalid sync message"), "{error}");
    assert_eq!(close.map(|(code, _)| code), Some(1008));
    let peak = peak_rss(w.relay.pid());
    eprintln!(
        "relay peak RSS {:.0} MiB before, {:.0} MiB after a {} MiB inflation bomb",
        before as f64 / 1048576.0,
        peak as f64 / 1048576.0,
        inflated / 1048576
    );
    assert!(
        peak < before + 100 * 1024 * 1024,
        "the relay's peak RSS grew from {before} to {peak} bytes"
    );
    // The relay is unharmed: a document still syncs through it.
    let doc_id = DocumentId::random();
    let _writer = synced_client(&w, "writer-after-bomb", doc_id, true);
    let _reader = synced_client(&w, "reader-after-bomb", doc_id, false);
}

/// Connects `peer` and offers a new document the relay is expected to refuse; returns the
/// relay's `error` text and how it closed the socket.
fn offer_refused_document(
    w: &World,
    peer: &str,
    doc_id: DocumentId,
) -> (String, Option<(u16, String)>) {
    let mut ws = connect(w);
    let mut client = Client::new(peer, PeerMetadata::default());
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "name", "One Household Too Many").unwrap();
    doc.commit();
    client.insert_document(doc_id, doc.document().clone());
    for frame in client.start() {
        send(&mut ws, frame);
    }
    let error = loop {
        let frame = match next_raw(&mut ws) {
            Some(Next::Frame(frame)) => frame,
            Some(Next::Closed(why)) => panic!("{peer}: closed without an error: {why:?}"),
            None => panic!("{peer}: no answer within {READ_TIMEOUT:?}"),
        };
        if let Ok(Message::Error { message, .. }) = decode(&frame) {
            break message;
        }
        for reply in client.receive(&frame).expect("client accepts") {
            send(&mut ws, reply);
        }
    };
    loop {
        if let Next::Closed(why) = next(&mut ws) {
            return (error, why);
        }
    }
}

#[test]
fn a_firm_at_its_document_quota_gets_an_error_naming_the_setting() {
    let w = world("firm_max_documents = 2");
    let first = DocumentId::random();
    drop(synced_client(&w, "laptop", first, true));
    drop(synced_client(&w, "laptop", DocumentId::random(), true));

    // The third household is refused with an error that says which limit and what to do;
    // nothing is stored for it.
    let third = DocumentId::random();
    let (error, close) = offer_refused_document(&w, "laptop", third);
    assert!(error.contains("limits.firm_max_documents"), "{error}");
    assert!(error.contains("limit of 2 households"), "{error}");
    assert_eq!(close.map(|(code, _)| code), Some(1008));
    assert_eq!(denials(&w, "firm_document_quota"), 1);
    let mut probe = connect(&w);
    join(&mut probe, "probe");
    send(
        &mut probe,
        encode(&Message::Request {
            sender_id: "probe".into(),
            target_id: "relay".into(),
            document_id: third,
            data: automerge::sync::Message {
                heads: vec![],
                need: vec![],
                have: vec![],
                changes: automerge::sync::ChunkList::empty(),
                flags: None,
                version: automerge::sync::MessageVersion::V1,
            }
            .encode(),
        }),
    );
    let unavailable = loop {
        match next(&mut probe) {
            Next::Frame(Message::DocUnavailable { document_id, .. }) => break document_id,
            Next::Frame(_) => continue,
            Next::Closed(why) => panic!("closed: {why:?}"),
        }
    };
    assert_eq!(unavailable, third, "the refused household was not stored");

    // The households within the quota still sync.
    drop(synced_client(&w, "laptop", first, false));
}

#[test]
fn an_upload_past_the_firms_blob_quota_gets_413_naming_the_setting() {
    let w = world("firm_max_blob_bytes = 1000");
    let doc_id = DocumentId::random();
    drop(synced_client(&w, "laptop", doc_id, true));
    let put = |body: &str| {
        let sha256 = hex::encode(ring::digest::digest(&ring::digest::SHA256, body.as_bytes()));
        http::request(
            "PUT",
            &w.relay.url,
            &format!("/v1/documents/{doc_id}/blobs/{sha256}"),
            &[("Authorization", &format!("Bearer {}", w.token))],
            Some(body),
        )
    };
    let statement = "s".repeat(600);
    assert_eq!(put(&statement).status, 204);
    // The same document again is already stored: not counted twice.
    assert_eq!(put(&statement).status, 204);
    let refused = put(&"t".repeat(600));
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert!(
        refused.body.contains("limits.firm_max_blob_bytes")
            && refused.body.contains("600 of 1000 bytes"),
        "{}",
        refused.body
    );
    assert_eq!(denials(&w, "firm_blob_quota"), 1);
    // A document that fits still goes in.
    assert_eq!(put(&"u".repeat(400)).status, 204);
}

/// The value of an unlabelled metric (`hearth_relay_NAME`).
fn metric(w: &World, name: &str) -> f64 {
    let metrics = http::get(&w.relay.url, "/metrics").body;
    let series = format!("hearth_relay_{name} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// Waits (up to [`READ_TIMEOUT`]) until the relay's metric `name` satisfies `done`.
fn until_metric(w: &World, name: &str, done: impl Fn(f64) -> bool) -> f64 {
    let deadline = Instant::now() + READ_TIMEOUT;
    loop {
        let value = metric(w, name);
        if done(value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "{name} stayed at {value} for {READ_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_idle_document_leaves_the_relays_memory_and_its_peers_still_get_changes() {
    let w = world("\n[timeouts]\ndocument_idle_secs = 1");
    let doc_id = DocumentId::random();
    let (mut ws_a, mut alice) = synced_peer(&w, "alice-laptop", doc_id, true);
    let (mut ws_b, mut bob) = synced_peer(&w, "bob-laptop", doc_id, false);

    // Both keep the household open and say nothing: after a second it leaves memory.
    until_metric(&w, "evicted_documents_total", |n| n >= 1.0);
    until_metric(&w, "resident_document_bytes", |b| b == 0.0);

    // Alice edits it: the relay loads it again, and Bob, who never closed it, gets the edit.
    let mut tx = alice.document_mut(&doc_id).unwrap().transaction();
    tx.put(ROOT, "phone", "555-0142").unwrap();
    tx.commit();
    for frame in alice.poll() {
        send(&mut ws_a, frame);
    }
    let phone = |c: &Client| {
        c.document(&doc_id)
            .and_then(|d| automerge::ReadDoc::get(d, ROOT, "phone").unwrap())
            .and_then(|(v, _)| v.as_str().map(str::to_owned))
    };
    while phone(&bob).is_none() {
        let frame = match next_raw(&mut ws_b) {
            Some(Next::Frame(frame)) => frame,
            other => panic!("Bob got no edit: {:?}", other.map(|_| ())),
        };
        for reply in bob.receive(&frame).expect("client accepts") {
            send(&mut ws_b, reply);
        }
    }
    assert_eq!(phone(&bob).as_deref(), Some("555-0142"));
}

/// Drives `client` on `ws` until `done`, counting the `peer` answers it got on the way.
fn drive_until(
    ws: &mut Ws,
    client: &mut Client,
    what: &str,
    done: impl Fn(&Client) -> bool,
) -> usize {
    let mut peers = 0;
    while !done(client) {
        let frame = match next_raw(ws) {
            Some(Next::Frame(frame)) => frame,
            Some(Next::Closed(why)) => panic!("{what}: closed: {why:?}"),
            None => panic!("{what}: no answer within {READ_TIMEOUT:?}"),
        };
        if matches!(decode(&frame), Ok(Message::Peer { .. })) {
            peers += 1;
        }
        for reply in client.receive(&frame).expect("client accepts") {
            send(ws, reply);
        }
    }
    peers
}

/// A firm whose documents are spread over three hub tasks (`limits.firm_hub_shards`) looks
/// to its clients exactly like one hub: one handshake per connection, every document of one
/// connection synced whichever shard holds it, edits fanned out to other connections, a
/// second join with the same peer id replacing the first once, garbage refused, and a revoked
/// token closing the connection across all shards.
#[test]
fn a_firm_spread_over_three_hub_shards_behaves_as_one_hub() {
    let w = world("firm_hub_shards = 3");
    // Four households on each shard (ids are random; keep drawing until each shard has four).
    let mut docs: Vec<DocumentId> = Vec::new();
    let mut per_shard = [0usize; 3];
    while docs.len() < 12 {
        let id = DocumentId::random();
        let shard = hearth_wire::shard::shard_of(&id, 3);
        if per_shard[shard] < 4 {
            per_shard[shard] += 1;
            docs.push(id);
        }
    }

    // One connection creates twelve households: one `peer`, all of them stored.
    let mut writer_ws = connect(&w);
    let mut writer = Client::new("writer-laptop", PeerMetadata::default());
    for (n, id) in docs.iter().enumerate() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "name", format!("Household {n}")).unwrap();
        doc.commit();
        writer.insert_document(*id, doc.document().clone());
    }
    for frame in writer.start() {
        send(&mut writer_ws, frame);
    }
    let peers = drive_until(&mut writer_ws, &mut writer, "writer", |c| {
        c.is_joined() && c.is_converged()
    });
    assert_eq!(peers, 1, "one handshake answer, not one per shard");

    // Another connection asks for all twelve and gets every one.
    let mut reader_ws = connect(&w);
    let mut reader = Client::new("reader-laptop", PeerMetadata::default());
    for id in &docs {
        reader.request_document(*id);
    }
    for frame in reader.start() {
        send(&mut reader_ws, frame);
    }
    let has_all = |c: &Client| {
        c.is_joined()
            && docs
                .iter()
                .all(|id| c.document(id).is_some_and(|d| !d.get_heads().is_empty()))
    };
    assert_eq!(
        drive_until(&mut reader_ws, &mut reader, "reader", has_all),
        1
    );

    // An edit to a document on each shard reaches the reader while it waits.
    let mut edited = Vec::new();
    for shard in 0..3 {
        let id = *docs
            .iter()
            .find(|d| hearth_wire::shard::shard_of(d, 3) == shard)
            .unwrap();
        let mut tx = writer.document_mut(&id).unwrap().transaction();
        tx.put(ROOT, "phone", format!("555-010{shard}")).unwrap();
        tx.commit();
        edited.push((id, format!("555-010{shard}")));
    }
    for frame in writer.poll() {
        send(&mut writer_ws, frame);
    }
    drive_until(
        &mut reader_ws,
        &mut reader,
        "reader waiting for edits",
        |c| {
            edited.iter().all(|(id, phone)| {
                c.document(id)
                    .and_then(|d| automerge::ReadDoc::get(d, ROOT, "phone").unwrap())
                    .and_then(|(v, _)| v.as_str().map(str::to_owned))
                    .as_deref()
                    == Some(phone.as_str())
            })
        },
    );

    // The reader's laptop reconnects while its old socket lingers: the new connection gets one
    // `peer`, the old one is closed once as replaced, and the new one still syncs.
    let mut again_ws = connect(&w);
    let mut again = Client::new("reader-laptop", PeerMetadata::default());
    again.request_document(docs[0]);
    for frame in again.start() {
        send(&mut again_ws, frame);
    }
    let peers = drive_until(&mut again_ws, &mut again, "reconnected reader", |c| {
        c.is_joined()
            && c.document(&docs[0])
                .is_some_and(|d| !d.get_heads().is_empty())
    });
    assert_eq!(peers, 1);
    let reason = closed_reason(&mut reader_ws);
    assert!(reason.contains("replaced"), "close reason: {reason:?}");

    // Garbage is refused with an error and a close, as by a single hub.
    let mut garbage_ws = connect(&w);
    join(&mut garbage_ws, "garbage-laptop");
    send(&mut garbage_ws, b"\xff\x00 not cbor".to_vec());
    let (error, _) = error_then_close(&mut garbage_ws);
    assert!(
        error.contains("CBOR") || error.contains("decode"),
        "{error}"
    );

    // Revoking the token closes the connections it opened, across every shard.
    let (_, admin_secret) = admin_token(&w);
    revoke_world_token(&w, &admin_secret);
    for ws in [&mut writer_ws, &mut again_ws] {
        let reason = closed_reason(ws);
        assert!(
            reason.contains("API token revoked"),
            "close reason: {reason:?}"
        );
    }
}
