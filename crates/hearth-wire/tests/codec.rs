//! The CBOR codec: round trips, frames as cbor-x writes them, and robustness on garbage.

use std::collections::BTreeMap;

use automerge::Automerge;
use automerge::sync::{self, SyncDoc};
use hearth_core::DocumentId;
use hearth_wire::message::InvalidDocumentId;
use hearth_wire::{DecodeError, HeadsAt, Message, PeerMetadata, decode, encode};

mod support;
use support::checks::check_decode as check;
use support::mutate::{Rng, garbage, mutate};

/// The 10-byte `request` payload of an empty document, as recorded on the wire.
const EMPTY_DOC_REQUEST: [u8; 10] = [0x42, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x02, 0x84];

fn doc_id(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

fn all_messages() -> Vec<Message> {
    let d = doc_id(1);
    let mut new_heads = BTreeMap::new();
    new_heads.insert(
        "storage-a".to_string(),
        HeadsAt {
            heads: vec!["3vXU5gkH7kWfBJz4C1HEJAV5o4qM3dKJpLZfUqv8Ew6X".to_string()],
            timestamp: 1_717_171_717_171.5,
        },
    );
    new_heads.insert(
        "storage-b".to_string(),
        HeadsAt {
            heads: vec![],
            timestamp: 0.0,
        },
    );
    vec![
        Message::Join {
            sender_id: "client-1".into(),
            peer_metadata: PeerMetadata {
                storage_id: Some("store-1".into()),
                is_ephemeral: false,
            },
            supported_protocol_versions: Some(vec!["1".into()]),
        },
        Message::Join {
            sender_id: "client-2".into(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: None,
        },
        Message::Peer {
            sender_id: "relay".into(),
            target_id: "client-1".into(),
            selected_protocol_version: "1".into(),
            peer_metadata: PeerMetadata {
                storage_id: Some("relay-store".into()),
                is_ephemeral: false,
            },
        },
        Message::Error {
            sender_id: "relay".into(),
            target_id: "client-1".into(),
            message: "unsupported protocol version".into(),
        },
        Message::Request {
            sender_id: "client-1".into(),
            target_id: "relay".into(),
            document_id: d,
            data: EMPTY_DOC_REQUEST.to_vec(),
        },
        Message::Sync {
            sender_id: "client-1".into(),
            target_id: "relay".into(),
            document_id: d,
            data: vec![0x43; 300],
        },
        Message::DocUnavailable {
            sender_id: "relay".into(),
            target_id: "client-1".into(),
            document_id: d,
        },
        Message::Ephemeral {
            sender_id: "client-1".into(),
            target_id: "client-2".into(),
            document_id: d,
            session_id: "session-xyz".into(),
            count: 70_000,
            data: vec![1, 2, 3],
        },
        Message::RemoteSubscriptionChange {
            sender_id: "client-1".into(),
            target_id: "relay".into(),
            add: Some(vec!["storage-a".into(), "storage-b".into()]),
            remove: None,
        },
        Message::RemoteSubscriptionChange {
            sender_id: "client-1".into(),
            target_id: "relay".into(),
            add: None,
            remove: Some(vec!["storage-a".into()]),
        },
        Message::RemoteHeadsChanged {
            sender_id: "relay".into(),
            target_id: "client-1".into(),
            document_id: d,
            new_heads,
        },
        Message::Leave {
            sender_id: "client-1".into(),
        },
    ]
}

#[test]
fn every_message_type_round_trips() {
    let messages = all_messages();
    let mut types: Vec<&str> = messages.iter().map(Message::type_name).collect();
    types.dedup();
    assert_eq!(
        types,
        [
            "join",
            "peer",
            "error",
            "request",
            "sync",
            "doc-unavailable",
            "ephemeral",
            "remote-subscription-change",
            "remote-heads-changed",
            "leave"
        ]
    );
    for msg in messages {
        let bytes = encode(&msg);
        assert_eq!(decode(&bytes).as_ref(), Ok(&msg), "{}", msg.type_name());
    }
}

// --- A tiny CBOR writer for hand-built frames ---------------------------------------------

/// A text string with a minimal header (shorter than 256 bytes).
fn text(s: &str) -> Vec<u8> {
    let mut v = if s.len() < 24 {
        vec![0x60 | s.len() as u8]
    } else {
        vec![0x78, u8::try_from(s.len()).expect("short text")]
    };
    v.extend_from_slice(s.as_bytes());
    v
}

/// A map written as cbor-x writes objects: the non-minimal `0xb9 00 NN` header.
fn cbor_x_map(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut v = vec![0xb9, 0x00, entries.len() as u8];
    for (k, val) in entries {
        v.extend(text(k));
        v.extend(val);
    }
    v
}

/// A text string with a one-byte length header even when shorter than 24 (non-minimal).
fn long_text(s: &str) -> Vec<u8> {
    let mut v = vec![0x78, u8::try_from(s.len()).expect("short text")];
    v.extend_from_slice(s.as_bytes());
    v
}

fn bytes(b: &[u8]) -> Vec<u8> {
    let mut v = vec![0x58, b.len() as u8];
    v.extend_from_slice(b);
    v
}

fn float64(f: f64) -> Vec<u8> {
    let mut v = vec![0xfb];
    v.extend(f.to_be_bytes());
    v
}

#[test]
fn decodes_a_cbor_x_join_with_undefined_storage_id() {
    let frame = cbor_x_map(&[
        ("type", text("join")),
        ("senderId", text("peer-js")),
        (
            "peerMetadata",
            cbor_x_map(&[("storageId", vec![0xf7]), ("isEphemeral", vec![0xf4])]),
        ),
        (
            "supportedProtocolVersions",
            [vec![0x81], text("1")].concat(),
        ),
    ]);
    assert_eq!(&frame[..3], &[0xb9, 0x00, 0x04]);
    assert_eq!(
        decode(&frame),
        Ok(Message::Join {
            sender_id: "peer-js".into(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: false
            },
            supported_protocol_versions: Some(vec!["1".into()]),
        })
    );
}

#[test]
fn accepts_metadata_for_peer_metadata_and_any_key_order() {
    let frame = cbor_x_map(&[
        (
            "metadata",
            cbor_x_map(&[("isEphemeral", vec![0xf5]), ("storageId", text("s-1"))]),
        ),
        ("senderId", text("peer-js")),
        ("type", text("join")),
    ]);
    assert_eq!(
        decode(&frame),
        Ok(Message::Join {
            sender_id: "peer-js".into(),
            peer_metadata: PeerMetadata {
                storage_id: Some("s-1".into()),
                is_ephemeral: true
            },
            supported_protocol_versions: None,
        })
    );
}

#[test]
fn decodes_a_cbor_x_request_for_an_empty_document() {
    let d = doc_id(9);
    let frame = cbor_x_map(&[
        ("type", text("request")),
        ("documentId", long_text(&d.to_string())),
        ("targetId", text("relay")),
        ("senderId", text("peer-js")),
        // A non-minimal byte-string header (0x59 = two length bytes) is valid CBOR too.
        (
            "data",
            [vec![0x59, 0x00, 0x0a], EMPTY_DOC_REQUEST.to_vec()].concat(),
        ),
    ]);
    assert_eq!(
        decode(&frame),
        Ok(Message::Request {
            sender_id: "peer-js".into(),
            target_id: "relay".into(),
            document_id: d,
            data: EMPTY_DOC_REQUEST.to_vec(),
        })
    );
    // The recorded bytes are what automerge 0.12 produces for an empty document, too.
    let generated = Automerge::new()
        .generate_sync_message(&mut sync::State::new())
        .expect("a first message")
        .encode();
    assert_eq!(generated, EMPTY_DOC_REQUEST);
}

#[test]
fn decodes_float_timestamps_and_integral_float_counts() {
    let d = doc_id(3);
    let frame = cbor_x_map(&[
        ("type", long_text("remote-heads-changed")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", long_text(&d.to_string())),
        (
            "newHeads",
            cbor_x_map(&[(
                "st",
                cbor_x_map(&[
                    ("heads", [vec![0x81], text("abc")].concat()),
                    ("timestamp", float64(1_717_000_000_123.0)),
                ]),
            )]),
        ),
    ]);
    let Ok(Message::RemoteHeadsChanged { new_heads, .. }) = decode(&frame) else {
        panic!("not decoded: {:?}", decode(&frame));
    };
    assert_eq!(new_heads["st"].timestamp, 1_717_000_000_123.0);
    assert_eq!(new_heads["st"].heads, vec!["abc".to_string()]);

    let ephemeral = |count: Vec<u8>| {
        cbor_x_map(&[
            ("type", text("ephemeral")),
            ("senderId", text("a")),
            ("targetId", text("b")),
            ("documentId", long_text(&d.to_string())),
            ("sessionId", text("s")),
            ("count", count),
            ("data", bytes(&[0xa0])),
        ])
    };
    let Ok(Message::Ephemeral { count, data, .. }) = decode(&ephemeral(float64(42.0))) else {
        panic!("integral float count not accepted");
    };
    assert_eq!((count, data), (42, vec![0xa0]));
    let Ok(Message::Ephemeral { count, .. }) = decode(&ephemeral(vec![0x18, 200])) else {
        panic!("integer count not accepted");
    };
    assert_eq!(count, 200);
    assert!(matches!(
        decode(&ephemeral(float64(1.5))),
        Err(DecodeError::WrongType { field: "count", .. })
    ));
    assert!(matches!(
        decode(&ephemeral(vec![0x20])),
        Err(DecodeError::WrongType { field: "count", .. })
    ));
}

#[test]
fn encodes_text_keys_untagged_bytes_and_peer_metadata() {
    let bytes = encode(&Message::Peer {
        sender_id: "relay".into(),
        target_id: "c".into(),
        selected_protocol_version: "1".into(),
        peer_metadata: PeerMetadata::default(),
    });
    assert_eq!(bytes[0], 0xa5, "a five-entry map");
    let as_text = String::from_utf8_lossy(&bytes);
    assert!(as_text.contains("peerMetadata"));
    assert!(as_text.contains("selectedProtocolVersion"));
    assert!(
        !as_text.contains("storageId"),
        "absent storage id is omitted"
    );

    let sync = encode(&Message::Sync {
        sender_id: "a".into(),
        target_id: "b".into(),
        document_id: doc_id(1),
        data: EMPTY_DOC_REQUEST.to_vec(),
    });
    let mut tail = vec![0x64];
    tail.extend(b"data");
    tail.push(0x4a); // untagged byte string of length 10
    tail.extend(EMPTY_DOC_REQUEST);
    assert!(sync.ends_with(&tail), "{sync:02x?}");
}

#[test]
fn reports_clear_errors() {
    assert_eq!(
        decode(&cbor_x_map(&[
            ("type", text("hello")),
            ("senderId", text("a"))
        ])),
        Err(DecodeError::UnknownType("hello".into()))
    );
    assert_eq!(
        decode(&cbor_x_map(&[("senderId", text("a"))])),
        Err(DecodeError::MissingType)
    );
    assert_eq!(decode(&[0x83, 1, 2, 3]), Err(DecodeError::NotAMap));
    assert!(matches!(decode(&[0xb9, 0x00]), Err(DecodeError::Cbor(_))));
    assert!(matches!(decode(&[]), Err(DecodeError::Cbor(_))));
    assert_eq!(
        decode(&cbor_x_map(&[("type", text("leave"))])),
        Err(DecodeError::MissingField {
            message_type: "leave".into(),
            field: "senderId"
        })
    );
    assert_eq!(
        decode(&cbor_x_map(&[
            ("type", text("sync")),
            ("senderId", text("a")),
            ("targetId", text("b")),
            ("documentId", long_text(&doc_id(1).to_string())),
            ("data", text("not bytes")),
        ])),
        Err(DecodeError::WrongType {
            message_type: "sync".into(),
            field: "data",
            expected: "a byte string"
        })
    );
    let unknown = DecodeError::UnknownType("hello".into()).to_string();
    assert!(unknown.contains("hello"), "{unknown}");
}

#[test]
fn an_invalid_document_id_carries_what_is_needed_to_answer_it() {
    let frame = cbor_x_map(&[
        ("type", text("request")),
        ("senderId", text("peer-js")),
        ("targetId", text("relay")),
        ("documentId", text("not-a-doc")),
        ("data", bytes(&EMPTY_DOC_REQUEST)),
    ]);
    assert_eq!(
        decode(&frame),
        Err(DecodeError::InvalidDocumentId(Box::new(
            InvalidDocumentId {
                message_type: "request".into(),
                raw: "not-a-doc".into(),
                sender_id: Some("peer-js".into()),
                data: Some(EMPTY_DOC_REQUEST.to_vec()),
            }
        )))
    );
    // A well-formed bs58check string of the wrong length is invalid too.
    let short = bs58::encode([1u8; 8]).with_check().into_string();
    let frame = cbor_x_map(&[
        ("type", text("doc-unavailable")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", text(&short)),
    ]);
    assert!(matches!(
        decode(&frame),
        Err(DecodeError::InvalidDocumentId(e)) if e.raw == short && e.data.is_none()
    ));
}

// --- Robustness ---------------------------------------------------------------------------

#[test]
fn decode_never_panics_on_random_or_mutated_frames() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let seeds: Vec<Vec<u8>> = all_messages().iter().map(encode).collect();
    let mut decoded = 0;
    for _ in 0..20_000 {
        let len = rng.below(64);
        check(&garbage(&mut rng, len));
    }
    for round in 0..60_000 {
        let mut frame = seeds[round % seeds.len()].clone();
        mutate(&mut rng, &mut frame, &seeds, 4);
        if check(&frame) {
            decoded += 1;
        }
    }
    // The mutations must leave some frames valid, or the loop tests only the error paths.
    assert!(decoded > 1_000, "only {decoded} mutated frames decoded");
}

#[test]
fn decode_survives_hostile_shapes() {
    let deep_arrays = vec![0x81; 100_000];
    let deep_tags = vec![0xc1; 100_000];
    let mut deep_maps = Vec::new();
    for _ in 0..50_000 {
        deep_maps.extend([0xa1, 0x61, b'k']);
    }
    let huge_bytes = [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
    let huge_map = [0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    let huge_array = [0x9b, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00];
    let indefinite_unclosed = [0xbf, 0x64, b't', b'y', b'p', b'e', 0x7f, 0x61, b'a'];
    for frame in [
        &deep_arrays[..],
        &deep_tags[..],
        &deep_maps[..],
        &huge_bytes[..],
        &huge_map[..],
        &huge_array[..],
        &indefinite_unclosed[..],
        &[0xff][..],
        &[0xf8, 0x10][..],
    ] {
        assert!(decode(frame).is_err());
    }
}

/// The fuzzer's committed corpus (`fuzz/corpus/decode`, inputs that decoded after mutation in
/// its long runs) stays panic-free and round-trips.
#[test]
fn the_committed_fuzz_corpus_round_trips() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/decode is committed") {
        let frame = std::fs::read(entry.expect("corpus entry").path()).expect("corpus file");
        check(&frame);
        seen += 1;
    }
    assert!(seen > 0, "the decode corpus is empty");
}
