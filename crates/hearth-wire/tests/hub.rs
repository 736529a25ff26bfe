//! The relay engine, driven in-process: clients syncing through it, access control, the
//! handshake, throttled fan-out.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ROOT, ReadDoc};
use hearth_core::DocumentId;
use hearth_wire::message::encode_raw_document_message;
use hearth_wire::relay::UNSUPPORTED_VERSION_MESSAGE;
use hearth_wire::{
    Access, Client, CloseReason, ConnId, DocStatus, Effect, Hub, HubConfig, Message, PeerMetadata,
    Policy, decode, encode,
};

const EMPTY_DOC_REQUEST: [u8; 10] = [0x42, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x02, 0x84];
const RELAY: &str = "relay-peer";

#[derive(Default)]
struct TestPolicy {
    /// (identity, document) pairs that are out of scope.
    denied: HashSet<(String, DocumentId)>,
    /// Identities that may not create documents.
    no_create: HashSet<String>,
}

impl Policy for TestPolicy {
    type Identity = String;

    fn may_access(&self, who: &String, doc: &DocumentId) -> Access {
        if self.denied.contains(&(who.clone(), *doc)) {
            Access::Denied
        } else {
            Access::Allowed
        }
    }

    fn may_create(&self, who: &String, _doc: &DocumentId) -> bool {
        !self.no_create.contains(who)
    }

    fn may_replace(&self, older: &String, newer: &String) -> bool {
        older == newer
    }
}

/// A hub, its store, and in-process clients (or raw sockets) wired to it.
struct Net {
    hub: Hub<TestPolicy>,
    now: Instant,
    clients: BTreeMap<ConnId, Client>,
    /// Every frame the hub sent, per connection, in order.
    sent: BTreeMap<ConnId, Vec<Vec<u8>>>,
    to_hub: VecDeque<(ConnId, Vec<u8>)>,
    store: HashMap<DocumentId, Automerge>,
    persisted: Vec<(DocumentId, ConnId, String, usize)>,
    loads: Vec<DocumentId>,
    closed: Vec<(ConnId, CloseReason)>,
}

impl Net {
    fn new(policy: TestPolicy) -> Self {
        let mut config = HubConfig::new(RELAY);
        config.storage_id = Some("relay-storage".into());
        Self {
            hub: Hub::new(config, policy),
            now: Instant::now(),
            clients: BTreeMap::new(),
            sent: BTreeMap::new(),
            to_hub: VecDeque::new(),
            store: HashMap::new(),
            persisted: Vec::new(),
            loads: Vec::new(),
            closed: Vec::new(),
        }
    }

    fn with_stored(mut self, id: DocumentId, doc: Automerge) -> Self {
        self.store.insert(id, doc);
        self
    }

    /// Connects an in-process client that starts its handshake at once.
    fn add_client(&mut self, conn: u64, identity: &str, mut client: Client) -> ConnId {
        let conn = ConnId(conn);
        assert!(self.hub.connect(conn, identity.to_string()).is_empty());
        for frame in client.start() {
            self.to_hub.push_back((conn, frame));
        }
        self.clients.insert(conn, client);
        conn
    }

    /// Connects a raw socket whose frames the test writes itself.
    fn add_raw(&mut self, conn: u64, identity: &str) -> ConnId {
        let conn = ConnId(conn);
        assert!(self.hub.connect(conn, identity.to_string()).is_empty());
        conn
    }

    fn client(&mut self, conn: ConnId) -> &mut Client {
        self.clients.get_mut(&conn).expect("client")
    }

    fn handle(&mut self, effects: Vec<Effect<String>>) {
        let mut loads = Vec::new();
        for effect in effects {
            match effect {
                Effect::Send { conn, bytes } => {
                    self.sent.entry(conn).or_default().push(bytes.clone());
                    if let Some(client) = self.clients.get_mut(&conn) {
                        let replies = client.receive(&bytes).expect("client accepts hub frames");
                        for frame in replies {
                            self.to_hub.push_back((conn, frame));
                        }
                    }
                }
                Effect::Close { conn, reason } => {
                    self.closed.push((conn, reason));
                    self.clients.remove(&conn);
                }
                Effect::Load { doc_id } => {
                    self.loads.push(doc_id);
                    loads.push(doc_id);
                }
                Effect::Persist {
                    doc_id,
                    conn,
                    identity,
                    changes,
                } => {
                    self.persisted
                        .push((doc_id, conn, identity.clone(), changes.len()));
                    self.store
                        .entry(doc_id)
                        .or_default()
                        .apply_changes(changes)
                        .expect("persisted changes apply");
                }
            }
        }
        // Loads are answered after the effects that preceded them, as the contract asks.
        for doc_id in loads {
            let stored = self.store.get(&doc_id).map(Automerge::save);
            let effects = self.hub.document_loaded(doc_id, stored, self.now);
            self.handle(effects);
        }
    }

    /// Delivers queued frames to the hub (without advancing time).
    fn deliver(&mut self) {
        let mut steps = 0;
        while let Some((conn, frame)) = self.to_hub.pop_front() {
            steps += 1;
            assert!(steps < 10_000, "no quiescence");
            let effects = self.hub.receive(conn, &frame, self.now);
            self.handle(effects);
        }
    }

    /// Delivers and ticks until nothing moves.
    fn run(&mut self) {
        for _ in 0..100 {
            self.deliver();
            self.now += Duration::from_millis(100);
            let effects = self.hub.tick(self.now);
            if effects.is_empty() && self.to_hub.is_empty() {
                return;
            }
            self.handle(effects);
        }
        panic!("no quiescence");
    }

    fn send_raw(&mut self, conn: ConnId, msg: &Message) -> Vec<Effect<String>> {
        let effects = self.hub.receive(conn, &encode(msg), self.now);
        self.handle(effects.clone());
        effects
    }

    fn frames(&self, conn: ConnId) -> Vec<Message> {
        self.sent
            .get(&conn)
            .map(|f| {
                f.iter()
                    .map(|b| decode(b).expect("hub frames decode"))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn household(name: &str) -> Automerge {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "name", name).expect("put");
    doc.commit();
    doc.document().clone()
}

fn edit(doc: &mut Automerge, key: &str, value: &str) {
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).expect("put");
    tx.commit();
}

fn get(doc: &Automerge, key: &str) -> Option<String> {
    doc.get(ROOT, key)
        .expect("get")
        .and_then(|(v, _)| v.as_str().map(str::to_owned))
}

fn client(peer: &str) -> Client {
    Client::new(
        peer,
        PeerMetadata {
            storage_id: Some(format!("{peer}-storage")),
            is_ephemeral: false,
        },
    )
}

fn join(peer: &str, versions: Option<Vec<&str>>) -> Message {
    Message::Join {
        sender_id: peer.into(),
        peer_metadata: PeerMetadata::default(),
        supported_protocol_versions: versions.map(|v| v.into_iter().map(String::from).collect()),
    }
}

fn request(peer: &str, doc: DocumentId, data: &[u8]) -> Message {
    Message::Request {
        sender_id: peer.into(),
        target_id: RELAY.into(),
        document_id: doc,
        data: data.to_vec(),
    }
}

fn sync_msg(peer: &str, doc: DocumentId, data: Vec<u8>) -> Message {
    Message::Sync {
        sender_id: peer.into(),
        target_id: RELAY.into(),
        document_id: doc,
        data,
    }
}

/// The first sync message a peer holding `doc` sends.
fn first_sync_data(doc: &Automerge) -> Vec<u8> {
    use automerge::sync::SyncDoc;
    doc.generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message")
        .encode()
}

/// `data` is a sync message of a document with nothing in it.
fn assert_empty_sync(data: &[u8]) {
    use automerge::sync::SyncDoc;
    let msg = automerge::sync::Message::decode(data).expect("a sync message");
    assert!(msg.heads.is_empty() && msg.need.is_empty(), "{msg:?}");
    let mut doc = Automerge::new();
    doc.receive_sync_message(&mut automerge::sync::State::new(), msg)
        .expect("applies");
    assert!(doc.get_heads().is_empty());
}

fn sends_to(effects: &[Effect<String>], conn: ConnId) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Send { conn: c, .. } if *c == conn))
        .count()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn two_clients_converge_through_the_hub() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default());
    let mut alice = client("alice-laptop");
    alice.insert_document(id, household("Smith"));
    let mut bob = client("bob-desktop");
    bob.request_document(id);
    let a = net.add_client(1, "alice", alice);
    net.deliver();
    let b = net.add_client(2, "bob", bob);
    net.run();

    // The hub had nothing stored: it loaded, created the document from alice's sync and
    // persisted exactly alice's change, attributed to her.
    assert_eq!(net.loads, vec![id]);
    assert_eq!(net.persisted, vec![(id, a, "alice".to_string(), 1)]);
    assert!(net.client(a).is_converged());
    assert!(net.client(b).is_converged());
    assert_eq!(
        get(net.client(b).document(&id).expect("doc"), "name").as_deref(),
        Some("Smith")
    );
    assert_eq!(net.client(b).take_changed(), vec![id]);
    assert!(net.client(a).take_changed().is_empty());

    // A later edit by alice reaches bob by fan-out.
    edit(
        net.client(a).document_mut(&id).expect("doc"),
        "phone",
        "555-0100",
    );
    assert!(!net.client(a).is_converged());
    let frames = net.client(a).poll();
    assert_eq!(frames.len(), 1);
    net.to_hub.extend(frames.into_iter().map(|f| (a, f)));
    net.run();
    assert_eq!(
        get(net.client(b).document(&id).expect("doc"), "phone").as_deref(),
        Some("555-0100")
    );

    // Concurrent edits on both sides merge everywhere.
    edit(
        net.client(a).document_mut(&id).expect("doc"),
        "city",
        "Lyon",
    );
    edit(
        net.client(b).document_mut(&id).expect("doc"),
        "email",
        "s@example.com",
    );
    for conn in [a, b] {
        let frames = net.client(conn).poll();
        net.to_hub.extend(frames.into_iter().map(|f| (conn, f)));
    }
    net.run();
    let heads_a = net.client(a).document(&id).expect("doc").get_heads();
    let heads_b = net.client(b).document(&id).expect("doc").get_heads();
    assert_eq!(heads_a, heads_b);
    assert_eq!(heads_a.len(), 2, "two concurrent heads");
    assert_eq!(
        net.store[&id].get_heads(),
        heads_a,
        "the store has everything"
    );
    assert_eq!(
        net.hub.document(&id).expect("resident").get_heads(),
        heads_a
    );
    assert!(net.client(a).is_converged() && net.client(b).is_converged());
    let doc_b = net.client(b).document(&id).expect("doc");
    assert_eq!(get(doc_b, "city").as_deref(), Some("Lyon"));
    assert_eq!(get(doc_b, "email").as_deref(), Some("s@example.com"));
    assert_eq!(net.hub.stats().changes_accepted, 4);
}

#[test]
fn a_stored_document_is_loaded_and_served() {
    let id = DocumentId::random();
    let stored = household("Dupont");
    let mut net = Net::new(TestPolicy::default()).with_stored(id, stored.clone());
    let mut carol = client("carol");
    carol.request_document(id);
    let c = net.add_client(1, "carol", carol);
    net.run();
    assert_eq!(net.loads, vec![id]);
    assert!(net.persisted.is_empty(), "nothing new was accepted");
    assert!(net.client(c).is_converged());
    assert_eq!(
        net.client(c).document(&id).expect("doc").get_heads(),
        stored.get_heads()
    );
    // Once the last peer leaves, the hub drops the document from memory.
    let leave = net.client(c).leave();
    net.to_hub.push_back((c, leave));
    net.run();
    assert!(!net.hub.is_resident(&id));
}

/// Alice created a household and Bob opened it; both are in sync through the hub.
fn alice_and_bob_in_sync() -> (Net, DocumentId, ConnId, ConnId) {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default());
    let mut alice = client("alice");
    alice.insert_document(id, household("Smith"));
    let a = net.add_client(1, "alice", alice);
    net.deliver();
    let mut bob = client("bob");
    bob.request_document(id);
    let b = net.add_client(2, "bob", bob);
    net.run();
    assert!(net.client(b).is_converged());
    (net, id, a, b)
}

#[test]
fn fan_out_is_throttled_to_one_round_per_interval() {
    let (mut net, id, a, b) = alice_and_bob_in_sync();

    // A first change fans out at once (last round was long ago)...
    let t0 = net.now + Duration::from_secs(1);
    net.now = t0;
    edit(net.client(a).document_mut(&id).expect("doc"), "k1", "v1");
    let frame = net.client(a).poll().remove(0);
    let effects = net.hub.receive(a, &frame, t0);
    assert_eq!(sends_to(&effects, b), 1, "immediate fan-out");
    net.handle(effects);
    net.deliver();

    // ...a second within 100 ms waits for tick.
    let t1 = t0 + Duration::from_millis(10);
    net.now = t1;
    edit(net.client(a).document_mut(&id).expect("doc"), "k2", "v2");
    let frame = net.client(a).poll().remove(0);
    let effects = net.hub.receive(a, &frame, t1);
    assert_eq!(sends_to(&effects, b), 0, "throttled");
    assert_eq!(
        sends_to(&effects, a),
        1,
        "the sender is still answered at once"
    );
    net.handle(effects);
    let t0_round = t0 + Duration::from_millis(100);
    assert_eq!(net.hub.next_deadline(), Some(t0_round));
    assert!(net.hub.tick(t0 + Duration::from_millis(99)).is_empty());
    let effects = net.hub.tick(t0_round);
    assert_eq!(sends_to(&effects, b), 1, "the round runs when due");
    assert_eq!(net.hub.next_deadline(), None);
    net.now = t0_round;
    net.handle(effects);
    net.run();
    assert_eq!(
        get(net.client(b).document(&id).expect("doc"), "k2").as_deref(),
        Some("v2")
    );
}

#[test]
fn a_batch_of_frames_gets_one_answer_per_peer_and_document() {
    let (mut net, id, a, b) = alice_and_bob_in_sync();
    let persisted_before = net.persisted.len();

    // Three changes in flight from alice, queued at the edge and handed over together.
    net.now += Duration::from_secs(1);
    let mut frames = Vec::new();
    for (key, value) in [("k1", "v1"), ("k2", "v2"), ("k3", "v3")] {
        edit(net.client(a).document_mut(&id).expect("doc"), key, value);
        let mut polled = net.client(a).poll();
        assert_eq!(polled.len(), 1, "one frame per change");
        frames.push(polled.remove(0));
    }
    let effects = net
        .hub
        .receive_batch(frames.iter().map(|f| (a, f.as_slice())), net.now);

    // Every change is persisted, each before any frame that follows it...
    let persists: Vec<usize> = effects
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Effect::Persist { .. }))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(persists.len(), 3);
    let first_send = effects
        .iter()
        .position(|e| matches!(e, Effect::Send { .. }))
        .expect("answers");
    assert!(persists.iter().all(|&i| i < first_send));
    // ...alice gets one answer for the three, bob one fan-out round with all three.
    assert_eq!(sends_to(&effects, a), 1);
    assert_eq!(sends_to(&effects, b), 1);
    net.handle(effects);
    net.run();
    assert_eq!(net.persisted.len(), persisted_before + 3);
    let doc_b = net.client(b).document(&id).expect("doc");
    for (key, value) in [("k1", "v1"), ("k2", "v2"), ("k3", "v3")] {
        assert_eq!(get(doc_b, key).as_deref(), Some(value));
    }
    assert!(net.client(a).is_converged() && net.client(b).is_converged());
    assert_eq!(
        net.store[&id].get_heads(),
        net.client(a).document(&id).expect("doc").get_heads()
    );
}

// --- Access control -----------------------------------------------------------------------

/// Joins a raw socket as `peer` and sends one frame; returns every frame the hub sent it.
fn raw_session(net: &mut Net, conn: u64, identity: &str, peer: &str, msg: Message) -> Vec<Vec<u8>> {
    let c = net.add_raw(conn, identity);
    net.send_raw(c, &join(peer, Some(vec!["1"])));
    net.send_raw(c, &msg);
    net.run();
    net.sent.get(&c).cloned().unwrap_or_default()
}

#[test]
fn a_denied_document_is_byte_identical_to_an_unknown_one() {
    let id = DocumentId::random();
    let mut denied = TestPolicy::default();
    denied.denied.insert(("mallory".into(), id));

    // Hub 1: the document exists, is open by alice, and is out of mallory's scope.
    let mut net1 = Net::new(denied).with_stored(id, household("Secret"));
    let mut alice = client("alice");
    alice.request_document(id);
    net1.add_client(1, "alice", alice);
    net1.run();
    assert!(net1.hub.is_resident(&id));
    let loads_before = net1.loads.len();

    // Hub 2: nobody has the document.
    let mut net2 = Net::new(TestPolicy::default());

    for (n, msg) in [
        request("m-peer", id, &EMPTY_DOC_REQUEST),
        // A request with heads and a bloom, as a peer that knows something would send.
        request("m-peer", id, &first_sync_data(&household("Guess"))),
    ]
    .into_iter()
    .enumerate()
    {
        let conn = 10 + n as u64;
        let frames1 = raw_session(&mut net1, conn, "mallory", "m-peer", msg.clone());
        let frames2 = raw_session(&mut net2, conn, "mallory", "m-peer", msg);
        assert_eq!(frames1, frames2, "denied and unknown answers differ");
        let decoded: Vec<Message> = frames1
            .iter()
            .map(|f| decode(f).expect("decodes"))
            .collect();
        assert!(matches!(decoded[0], Message::Peer { .. }));
        assert!(
            matches!(&decoded[1], Message::Sync { document_id, .. } if *document_id == id),
            "an empty sync first"
        );
        assert!(
            matches!(&decoded[2], Message::DocUnavailable { document_id, .. } if *document_id == id),
            "then doc-unavailable"
        );
        assert_eq!(decoded.len(), 3);
    }
    // The sync is the answer of an empty document: no heads, and nothing in it.
    let Message::Sync { data, .. } = decode(&net1.sent[&ConnId(10)][1]).expect("sync") else {
        unreachable!()
    };
    assert_empty_sync(&data);

    // The denied path never loads, and counts its denials.
    assert_eq!(net1.loads.len(), loads_before);
    assert_eq!(net1.hub.stats().denied_request, 2);
    assert_eq!(net2.hub.stats().denied_request, 0);
    assert_eq!(
        net2.loads,
        vec![id, id],
        "the unknown path did load (and found nothing)"
    );
    assert!(!net2.hub.is_resident(&id));
}

#[test]
fn a_denied_sync_is_byte_identical_to_a_refused_creation_and_never_creates() {
    let id = DocumentId::random();
    let theirs = household("Planted");
    let msg = sync_msg("m-peer", id, first_sync_data(&theirs));

    let mut denied = TestPolicy::default();
    denied.denied.insert(("mallory".into(), id));
    let mut net1 = Net::new(denied);
    let frames1 = raw_session(&mut net1, 1, "mallory", "m-peer", msg.clone());

    let mut no_create = TestPolicy::default();
    no_create.no_create.insert("mallory".into());
    let mut net2 = Net::new(no_create);
    let frames2 = raw_session(&mut net2, 1, "mallory", "m-peer", msg.clone());

    assert_eq!(frames1, frames2);
    assert_eq!(frames1.len(), 3);
    assert!(matches!(
        decode(&frames1[2]),
        Ok(Message::DocUnavailable { .. })
    ));
    assert!(net1.loads.is_empty() && net1.persisted.is_empty());
    assert!(net2.persisted.is_empty() && !net2.hub.is_resident(&id));
    assert_eq!(net1.hub.stats().denied_sync, 1);
    assert_eq!(net2.hub.stats().denied_create, 1);
    assert_eq!(net2.hub.stats().unavailable, 1);

    // With creation allowed, the same frame creates the document.
    let mut net3 = Net::new(TestPolicy::default());
    let frames3 = raw_session(&mut net3, 1, "mallory", "m-peer", msg);
    assert!(net3.hub.is_resident(&id));
    assert!(
        frames3
            .iter()
            .all(|f| !matches!(decode(f), Ok(Message::DocUnavailable { .. })))
    );
}

#[test]
fn an_unparseable_document_id_is_answered_as_an_unknown_document() {
    let mut net = Net::new(TestPolicy::default());
    let c = net.add_raw(1, "alice");
    net.send_raw(c, &join("a-peer", None));
    let frame = encode_raw_document_message(
        "request",
        "a-peer",
        RELAY,
        "no-such-id",
        Some(&EMPTY_DOC_REQUEST),
    );
    let effects = net.hub.receive(c, &frame, net.now);
    assert!(effects.iter().all(|e| !matches!(e, Effect::Load { .. })));
    net.handle(effects);
    let sent = net.sent[&c].clone();
    assert_eq!(sent.len(), 3);

    // The same request for a valid but unknown id gets the same frames, id aside.
    let unknown = DocumentId::random();
    let mut net2 = Net::new(TestPolicy::default());
    let frames = raw_session(
        &mut net2,
        1,
        "alice",
        "a-peer",
        request("a-peer", unknown, &EMPTY_DOC_REQUEST),
    );
    let Message::Sync { data, .. } = decode(&frames[1]).expect("sync") else {
        panic!()
    };
    assert_eq!(
        sent[1],
        encode_raw_document_message("sync", RELAY, "a-peer", "no-such-id", Some(&data))
    );
    assert_eq!(
        sent[2],
        encode_raw_document_message("doc-unavailable", RELAY, "a-peer", "no-such-id", None)
    );
    assert_eq!(net.hub.stats().invalid_document_ids, 1);
}

#[test]
fn an_oversized_ephemeral_is_refused_not_fanned_out() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default());
    let mut alice = client("alice");
    alice.insert_document(id, household("Smith"));
    net.add_client(1, "alice", alice);
    net.deliver();
    let mut bob = client("bob");
    bob.request_document(id);
    let b = net.add_client(2, "bob", bob);
    let flood = net.add_raw(3, "carol");
    net.send_raw(flood, &join("c-peer", None));
    net.send_raw(flood, &request("c-peer", id, &EMPTY_DOC_REQUEST));
    net.run();
    let bob_frames = net.frames(b).len();
    let effects = net.send_raw(
        flood,
        &Message::Ephemeral {
            sender_id: "c-peer".into(),
            target_id: RELAY.into(),
            document_id: id,
            session_id: "s".into(),
            count: 1,
            data: vec![0; hearth_wire::relay::DEFAULT_MAX_EPHEMERAL_BYTES + 1],
        },
    );
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Send { conn: to, .. }, Effect::Close { conn, reason: CloseReason::EphemeralTooLarge(why) }]
                if *to == flood && *conn == flood && why.contains("limits.max_ephemeral_bytes")
        ),
        "{effects:?}"
    );
    assert_eq!(net.frames(b).len(), bob_frames, "nothing reached bob");
}

#[test]
fn denied_peers_get_no_fan_out_and_no_ephemeral() {
    let id = DocumentId::random();
    let mut policy = TestPolicy::default();
    policy.denied.insert(("mallory".into(), id));
    let mut net = Net::new(policy);
    let mut alice = client("alice");
    alice.insert_document(id, household("Smith"));
    let a = net.add_client(1, "alice", alice);
    net.deliver();
    let mut bob = client("bob");
    bob.request_document(id);
    let b = net.add_client(2, "bob", bob);
    let m = net.add_raw(3, "mallory");
    net.send_raw(m, &join("m-peer", None));
    net.send_raw(m, &request("m-peer", id, &EMPTY_DOC_REQUEST));
    net.run();
    let mallory_frames = net.frames(m).len();

    // Mallory's ephemeral is dropped; alice's reaches bob, unchanged but for targetId.
    let eph = |sender: &str| Message::Ephemeral {
        sender_id: sender.into(),
        target_id: RELAY.into(),
        document_id: id,
        session_id: format!("{sender}-session"),
        count: 7,
        data: vec![0xa1, 0x61, b'x', 0x01],
    };
    let effects = net.send_raw(m, &eph("m-peer"));
    assert!(effects.is_empty());
    assert_eq!(net.hub.stats().denied_ephemeral, 1);
    let effects = net.send_raw(a, &eph("alice"));
    assert_eq!(effects.len(), 1);
    let Effect::Send { conn, bytes } = &effects[0] else {
        panic!()
    };
    assert_eq!(*conn, b);
    assert_eq!(
        decode(bytes),
        Ok(Message::Ephemeral {
            sender_id: "alice".into(),
            target_id: "bob".into(),
            document_id: id,
            session_id: "alice-session".into(),
            count: 7,
            data: vec![0xa1, 0x61, b'x', 0x01],
        })
    );

    // Edits reach bob but never mallory.
    edit(net.client(a).document_mut(&id).expect("doc"), "k", "v");
    let frames = net.client(a).poll();
    net.to_hub.extend(frames.into_iter().map(|f| (a, f)));
    net.run();
    assert_eq!(
        get(net.client(b).document(&id).expect("doc"), "k").as_deref(),
        Some("v")
    );
    assert_eq!(net.frames(m).len(), mallory_frames);

    // Revoking bob stops fan-out to him at once.
    net.hub.policy_mut().denied.insert(("bob".into(), id));
    edit(net.client(a).document_mut(&id).expect("doc"), "k", "w");
    let frames = net.client(a).poll();
    net.to_hub.extend(frames.into_iter().map(|f| (a, f)));
    let before = net.frames(b).len();
    net.run();
    assert_eq!(net.frames(b).len(), before);
    assert_eq!(
        get(net.client(b).document(&id).expect("doc"), "k").as_deref(),
        Some("v")
    );
    assert!(net.hub.stats().denied_fanout >= 1);
}

// --- Handshake ------------------------------------------------------------------------------

#[test]
fn handshake_answers_peer_and_ignores_frames_before_join() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default());
    let c = net.add_raw(1, "alice");
    assert!(
        net.send_raw(c, &request("a", id, &EMPTY_DOC_REQUEST))
            .is_empty()
    );
    assert_eq!(net.hub.stats().frames_before_join, 1);
    assert!(net.loads.is_empty());

    net.send_raw(c, &join("a", None));
    assert_eq!(
        net.frames(c),
        vec![Message::Peer {
            sender_id: RELAY.into(),
            target_id: "a".into(),
            selected_protocol_version: "1".into(),
            peer_metadata: PeerMetadata {
                storage_id: Some("relay-storage".into()),
                is_ephemeral: false
            },
        }]
    );
    // Frames with someone else's senderId are ignored.
    assert!(
        net.send_raw(c, &request("b", id, &EMPTY_DOC_REQUEST))
            .is_empty()
    );
    assert_eq!(net.hub.stats().sender_mismatches, 1);
}

#[test]
fn a_join_without_version_1_gets_an_error_and_a_close() {
    let mut net = Net::new(TestPolicy::default());
    let c = net.add_raw(1, "alice");
    let effects = net.send_raw(c, &join("a", Some(vec!["2", "0"])));
    assert_eq!(effects.len(), 2);
    assert_eq!(
        net.frames(c),
        vec![Message::Error {
            sender_id: RELAY.into(),
            target_id: "a".into(),
            message: UNSUPPORTED_VERSION_MESSAGE.into(),
        }]
    );
    assert_eq!(
        net.closed,
        vec![(c, CloseReason::UnsupportedProtocolVersion)]
    );
    assert_eq!(net.hub.connection_count(), 0);
    // The socket is forgotten: a later join on it is ignored.
    assert!(net.send_raw(c, &join("a", None)).is_empty());

    // A client engine reports the refusal.
    let mut cl = client("a");
    let Effect::Send { bytes, .. } = &effects[0] else {
        panic!()
    };
    assert!(matches!(
        cl.receive(bytes),
        Err(hearth_wire::ClientError::Rejected(m)) if m == UNSUPPORTED_VERSION_MESSAGE
    ));
}

#[test]
fn another_identity_cannot_take_over_a_peer_id_in_use() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default()).with_stored(id, household("X"));
    let alice = net.add_raw(1, "alice");
    net.send_raw(alice, &join("alice-laptop", None));
    net.send_raw(alice, &request("alice-laptop", id, &EMPTY_DOC_REQUEST));
    net.run();
    assert!(net.hub.is_resident(&id));

    // Mallory, authenticated as someone else, joins with Alice's peer id: refused and closed,
    // and Alice's connection (and its document state) is untouched.
    let mallory = net.add_raw(2, "mallory");
    let effects = net.send_raw(mallory, &join("alice-laptop", None));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Send { conn: to, .. }, Effect::Close { conn, reason: CloseReason::PeerIdInUse }]
                if *to == mallory && *conn == mallory
        ),
        "{effects:?}"
    );
    assert!(net.hub.is_resident(&id));
    assert_eq!(net.hub.connection_count(), 1);
    assert!(
        !net.send_raw(alice, &request("alice-laptop", id, &EMPTY_DOC_REQUEST))
            .is_empty(),
        "Alice is still served"
    );
}

#[test]
fn a_second_join_with_the_same_sender_id_closes_the_older_socket() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default()).with_stored(id, household("X"));
    let old = net.add_raw(1, "alice");
    net.send_raw(old, &join("same-peer", None));
    net.send_raw(old, &request("same-peer", id, &EMPTY_DOC_REQUEST));
    net.run();
    assert!(net.hub.is_resident(&id));

    let new = net.add_raw(2, "alice");
    let effects = net.send_raw(new, &join("same-peer", None));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Close { conn, reason: CloseReason::Replaced }, Effect::Send { conn: to, .. }]
            if *conn == old && *to == new
    ));
    assert!(
        !net.hub.is_resident(&id),
        "the old socket's document state went with it"
    );
    assert!(
        net.send_raw(old, &request("same-peer", id, &EMPTY_DOC_REQUEST))
            .is_empty()
    );
    assert_eq!(net.hub.connection_count(), 1);
}

#[test]
fn an_unreadable_sync_payload_closes_with_an_error() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default());
    let c = net.add_raw(1, "alice");
    net.send_raw(c, &join("a", None));
    let effects = net.send_raw(c, &sync_msg("a", id, vec![0x99, 1, 2]));
    assert!(matches!(
        effects.last(),
        Some(Effect::Close {
            reason: CloseReason::InvalidSyncMessage(_),
            ..
        })
    ));
    assert!(matches!(net.frames(c).last(), Some(Message::Error { .. })));
    assert!(net.loads.is_empty());
}

#[test]
fn a_client_sees_an_unknown_document_as_unavailable_and_converged() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default());
    let mut cl = client("c");
    cl.request_document(id);
    let c = net.add_client(1, "carol", cl);
    assert!(!net.client(c).is_converged(), "not before the handshake");
    net.run();
    assert_eq!(net.client(c).status(&id), Some(DocStatus::Unavailable));
    assert!(net.client(c).is_converged());
    assert!(net.client(c).take_changed().is_empty());
    assert_eq!(net.hub.stats().unavailable, 1);
}

#[test]
fn a_client_whose_document_the_hub_refuses_stops_offering_it() {
    let id = DocumentId::random();
    let mut policy = TestPolicy::default();
    policy.denied.insert(("dave".into(), id));
    let mut net = Net::new(policy);
    let mut cl = client("d");
    cl.insert_document(id, household("Mine"));
    let c = net.add_client(1, "dave", cl);
    net.run();
    assert_eq!(net.client(c).status(&id), Some(DocStatus::Unavailable));
    assert!(net.client(c).is_converged());
    assert!(net.persisted.is_empty());
    let kinds: Vec<&str> = net.frames(c).iter().map(Message::type_name).collect();
    // The client answers the first empty sync before it sees doc-unavailable, then stops.
    assert_eq!(
        kinds,
        ["peer", "sync", "doc-unavailable", "sync", "doc-unavailable"]
    );
    assert_eq!(net.hub.stats().denied_sync, 2);
}

#[test]
fn requests_during_a_load_wait_for_it_and_trigger_one_load() {
    let id = DocumentId::random();
    let stored = household("Queued");
    let mut net = Net::new(TestPolicy::default());
    let a = net.add_raw(1, "alice");
    let b = net.add_raw(2, "bob");
    net.send_raw(a, &join("a", None));
    net.send_raw(b, &join("b", None));
    let now = net.now;
    let first = net
        .hub
        .receive(a, &encode(&request("a", id, &EMPTY_DOC_REQUEST)), now);
    assert!(matches!(first.as_slice(), [Effect::Load { doc_id }] if *doc_id == id));
    let second = net
        .hub
        .receive(b, &encode(&request("b", id, &EMPTY_DOC_REQUEST)), now);
    assert!(second.is_empty(), "queued behind the load in flight");
    assert!(net.hub.is_resident(&id) && net.hub.document(&id).is_none());

    let effects = net.hub.document_loaded(id, Some(stored.save()), now);
    assert_eq!(sends_to(&effects, a), 1);
    assert_eq!(sends_to(&effects, b), 1);
    for effect in &effects {
        let Effect::Send { bytes, .. } = effect else {
            panic!("only answers expected: {effect:?}");
        };
        let Ok(Message::Sync { data, .. }) = decode(bytes) else {
            panic!("a sync answer");
        };
        // Each answer carries the stored document.
        let mut doc = Automerge::new();
        use automerge::sync::SyncDoc;
        doc.receive_sync_message(
            &mut automerge::sync::State::new(),
            automerge::sync::Message::decode(&data).expect("sync message"),
        )
        .expect("applies");
        assert_eq!(doc.get_heads(), stored.get_heads());
    }
    // An unsolicited answer is ignored.
    assert!(net.hub.document_loaded(id, None, now).is_empty());
    assert_eq!(
        net.hub.document(&id).map(Automerge::get_heads),
        Some(stored.get_heads())
    );
}

#[test]
fn persist_comes_before_the_answers_it_caused() {
    let id = DocumentId::random();
    let mut net = Net::new(TestPolicy::default()).with_stored(id, household("Base"));
    // Bob keeps the document resident so that alice's frames are handled without a load.
    let b = net.add_raw(2, "bob");
    net.send_raw(b, &join("b", None));
    net.send_raw(b, &request("b", id, &EMPTY_DOC_REQUEST));
    assert!(net.hub.document(&id).is_some());
    let a = net.add_raw(1, "alice");
    net.send_raw(a, &join("a", None));
    // Alice holds more than the store: exchange until her change arrives and check the effect
    // order of that step.
    let mut mine = net.store[&id].clone();
    edit(&mut mine, "extra", "1");
    use automerge::sync::SyncDoc;
    let mut state = automerge::sync::State::new();
    let mut persist_seen = false;
    for _ in 0..10 {
        let Some(msg) = mine.generate_sync_message(&mut state) else {
            break;
        };
        let effects = net.send_raw(a, &sync_msg("a", id, msg.encode()));
        if let Some(p) = effects
            .iter()
            .position(|e| matches!(e, Effect::Persist { .. }))
        {
            persist_seen = true;
            assert!(
                effects[..p]
                    .iter()
                    .all(|e| !matches!(e, Effect::Send { .. })),
                "persist first: {effects:?}"
            );
        }
        for effect in effects {
            if let Effect::Send { bytes, .. } = effect
                && let Ok(Message::Sync { data, .. }) = decode(&bytes)
            {
                let reply = automerge::sync::Message::decode(&data).expect("sync");
                mine.receive_sync_message(&mut state, reply)
                    .expect("applies");
            }
        }
    }
    assert!(persist_seen);
    assert_eq!(net.store[&id].get_heads(), mine.get_heads());
}

#[test]
fn an_idle_document_leaves_memory_and_its_peers_still_get_changes() {
    let (mut net, id, a, b) = alice_and_bob_in_sync();
    assert!(net.hub.is_resident(&id));
    assert!(net.hub.resident_bytes() > 0);

    // Both still have it open, but nobody has sent anything for the idle time: it goes.
    let idle = HubConfig::new(RELAY).idle_eviction;
    assert_eq!(net.hub.evict_idle(net.now + idle / 2), 0, "not idle yet");
    net.now += idle;
    assert_eq!(net.hub.evict_idle(net.now), 1);
    assert!(!net.hub.is_resident(&id));
    assert_eq!(net.hub.resident_bytes(), 0);
    assert_eq!(net.hub.stats().evicted_idle, 1);

    // Alice edits: the hub loads the document again and Bob, who never closed it, gets the
    // change by fan-out as before.
    let loads_before = net.loads.len();
    edit(
        net.client(a).document_mut(&id).expect("doc"),
        "phone",
        "555-0199",
    );
    let frames = net.client(a).poll();
    net.to_hub.extend(frames.into_iter().map(|f| (a, f)));
    net.run();
    assert_eq!(net.loads.len(), loads_before + 1, "loaded once more");
    assert_eq!(
        get(net.client(b).document(&id).expect("doc"), "phone").as_deref(),
        Some("555-0199")
    );
    assert!(net.client(a).is_converged() && net.client(b).is_converged());
    assert_eq!(
        net.store[&id].get_heads(),
        net.client(b).document(&id).expect("doc").get_heads()
    );
}

#[test]
fn an_ephemeral_message_reaches_peers_of_an_evicted_document() {
    let (mut net, id, a, b) = alice_and_bob_in_sync();
    net.now += HubConfig::new(RELAY).idle_eviction;
    assert_eq!(net.hub.evict_idle(net.now), 1);
    let effects = net.hub.receive(
        a,
        &encode(&Message::Ephemeral {
            sender_id: "alice".into(),
            target_id: RELAY.into(),
            document_id: id,
            session_id: "cursor".into(),
            count: 1,
            data: vec![1, 2, 3],
        }),
        net.now,
    );
    assert_eq!(sends_to(&effects, b), 1, "{effects:?}");
    assert!(
        !net.hub.is_resident(&id),
        "presence does not load the document"
    );
}

#[test]
fn over_its_memory_budget_the_hub_drops_the_least_recently_used_first() {
    let mut config = HubConfig::new(RELAY);
    config.resident_budget_bytes = 1;
    let mut net = Net::new(TestPolicy::default());
    net.hub = Hub::new(config, TestPolicy::default());
    let ids: Vec<DocumentId> = (0..3).map(|_| DocumentId::random()).collect();
    for (n, id) in ids.iter().enumerate() {
        net.store.insert(*id, household(&format!("Family {n}")));
    }
    let mut alice = client("alice");
    for id in &ids {
        alice.request_document(*id);
    }
    let a = net.add_client(1, "alice", alice);
    net.run();
    // Touch them in a known order, each a second apart: 2, 0, 1.
    for &n in &[2usize, 0, 1] {
        net.now += Duration::from_secs(1);
        edit(
            net.client(a).document_mut(&ids[n]).expect("doc"),
            "note",
            "touched",
        );
        let frames = net.client(a).poll();
        net.to_hub.extend(frames.into_iter().map(|f| (a, f)));
        net.deliver();
    }
    assert!(ids.iter().all(|id| net.hub.is_resident(id)));

    // Over budget: only documents idle for BUDGET_MIN_IDLE may go, oldest first; the one
    // touched just now stays even though the hub is still over budget.
    let evicted = net.hub.evict_idle(net.now + Duration::from_millis(999));
    assert_eq!(evicted, 2);
    assert!(!net.hub.is_resident(&ids[2]) && !net.hub.is_resident(&ids[0]));
    assert!(net.hub.is_resident(&ids[1]));
}

#[test]
fn changes_stored_by_another_relay_reach_this_hubs_peers_and_are_not_persisted_again() {
    let (mut net, id, a, b) = alice_and_bob_in_sync();
    let persisted = net.persisted.len();
    // Another relay process stored a change (its own client wrote it): the stored document
    // now has it.
    let mut elsewhere = net.store.get(&id).expect("stored").clone();
    edit(&mut elsewhere, "advisor_note", "from node 2");
    net.now += Duration::from_secs(1);
    let effects = net.hub.stored_elsewhere(id, &elsewhere.save(), net.now);
    assert_eq!(sends_to(&effects, a), 1, "fanned out to alice");
    assert_eq!(sends_to(&effects, b), 1, "and to bob");
    net.handle(effects);
    net.run();
    for conn in [a, b] {
        assert_eq!(
            get(net.client(conn).document(&id).expect("doc"), "advisor_note").as_deref(),
            Some("from node 2")
        );
    }
    assert_eq!(net.persisted.len(), persisted, "nothing stored again");
    // The same bytes again, or a document this hub does not hold: nothing to do.
    assert!(
        net.hub
            .stored_elsewhere(id, &elsewhere.save(), net.now)
            .is_empty()
    );
    assert!(
        net.hub
            .stored_elsewhere(DocumentId::random(), &elsewhere.save(), net.now)
            .is_empty()
    );
}

/// A hub that shares a firm's connections with other hubs (`answers_join` off) keeps the
/// handshake's bookkeeping but sends nothing for it: the client sees one `peer`, from the hub
/// that answers. Documents routed to the silent hub are served as by any other.
#[test]
fn a_hub_that_does_not_answer_joins_still_serves_its_documents() {
    let mut config = HubConfig::new(RELAY);
    config.answers_join = false;
    let mut hub = Hub::new(config, TestPolicy::default());
    let now = Instant::now();
    let conn = ConnId(1);
    assert!(hub.connect(conn, "alice".into()).is_empty());
    let join = encode(&Message::Join {
        sender_id: "desk".into(),
        peer_metadata: PeerMetadata::default(),
        supported_protocol_versions: Some(vec!["1".into()]),
    });
    assert!(
        hub.receive(conn, &join, now).is_empty(),
        "a silent hub sends no peer message"
    );
    let doc = DocumentId::random();
    let request = encode_raw_document_message(
        "request",
        "desk",
        RELAY,
        &doc.to_string(),
        Some(&EMPTY_DOC_REQUEST),
    );
    let effects = hub.receive(conn, &request, now);
    assert!(
        matches!(effects.as_slice(), [Effect::Load { doc_id }] if *doc_id == doc),
        "the joined peer's request is served: {effects:?}"
    );

    // A join in a version the relay does not speak: the answering hub refuses it; the silent
    // one forgets the connection without a word.
    let conn = ConnId(2);
    assert!(hub.connect(conn, "alice".into()).is_empty());
    let old = encode(&Message::Join {
        sender_id: "old-desk".into(),
        peer_metadata: PeerMetadata::default(),
        supported_protocol_versions: Some(vec!["0".into()]),
    });
    assert!(hub.receive(conn, &old, now).is_empty());
    assert!(
        hub.receive(conn, &request, now).is_empty(),
        "a refused connection is forgotten"
    );
}
