//! Random and mutated frames thrown at a joined connection of a real `Hub`: the hub never
//! panics, and every frame it cannot decode is answered with an `error` and a close.

use std::time::Instant;

use automerge::sync::SyncDoc;
use hearth_core::DocumentId;
use hearth_wire::message::{DecodeError, Message, PeerMetadata, decode, encode};
use hearth_wire::relay::{CloseReason, ConnId, Effect, Hub, HubConfig};

mod support;
use support::checks::AllowAll;
use support::mutate::Rng;

fn real_frames() -> Vec<Vec<u8>> {
    let doc = DocumentId::random();
    let mut am = automerge::Automerge::new();
    let mut state = automerge::sync::State::new();
    let sync_data = am
        .generate_sync_message(&mut state)
        .map(|m| m.encode())
        .unwrap_or_default();
    let _ = &mut am;
    vec![
        encode(&Message::Request {
            sender_id: "fuzzer".into(),
            target_id: "hub".into(),
            document_id: doc,
            data: sync_data.clone(),
        }),
        encode(&Message::Sync {
            sender_id: "fuzzer".into(),
            target_id: "hub".into(),
            document_id: doc,
            data: sync_data,
        }),
        encode(&Message::Ephemeral {
            sender_id: "fuzzer".into(),
            target_id: "hub".into(),
            document_id: doc,
            session_id: "s".into(),
            count: 1,
            data: vec![1, 2, 3],
        }),
        encode(&Message::Leave {
            sender_id: "fuzzer".into(),
        }),
    ]
}

fn joined_hub(conn: ConnId) -> Hub<AllowAll> {
    let mut hub = Hub::new(HubConfig::new("hub"), AllowAll);
    hub.connect(conn, ());
    let join = encode(&Message::Join {
        sender_id: "fuzzer".into(),
        peer_metadata: PeerMetadata {
            storage_id: None,
            is_ephemeral: true,
        },
        supported_protocol_versions: Some(vec!["1".into()]),
    });
    let effects = hub.receive(conn, &join, Instant::now());
    assert!(
        matches!(effects.first(), Some(Effect::Send { .. })),
        "peer answer"
    );
    hub
}

#[test]
fn garbage_gets_an_error_and_a_close_and_never_a_panic() {
    let seeds = real_frames();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut closed_for_garbage = 0;
    for round in 0..20_000u64 {
        let conn = ConnId(round);
        let mut hub = joined_hub(conn);
        let frame = if round % 2 == 0 {
            (0..rng.below(64))
                .map(|_| rng.next() as u8)
                .collect::<Vec<u8>>()
        } else {
            let mut f = seeds[rng.below(seeds.len())].clone();
            for _ in 0..=rng.below(4) {
                let i = rng.below(f.len());
                f[i] = rng.next() as u8;
            }
            if rng.below(4) == 0 {
                f.truncate(rng.below(f.len() + 1));
            }
            f
        };
        let effects = hub.receive(conn, &frame, Instant::now());
        if let Err(err) = decode(&frame) {
            // An invalid document id decodes far enough to be answered like an unknown id
            // (request/sync) or dropped like a message about one (the rest) — and like any
            // message, dropped if it claims another sender; everything else undecodable is an
            // error and a close.
            if let DecodeError::InvalidDocumentId(invalid) = &err
                && (!matches!(invalid.message_type.as_str(), "request" | "sync")
                    || invalid.sender_id.as_deref() != Some("fuzzer"))
            {
                assert!(effects.is_empty(), "round {round}: {effects:?}");
                continue;
            }
            let closed = effects.iter().any(|e| {
                matches!(
                    e,
                    Effect::Close {
                        reason: CloseReason::UndecodableMessage(_)
                            | CloseReason::InvalidSyncMessage(_),
                        ..
                    }
                )
            });
            let answered_unknown =
                effects.iter().all(|e| matches!(e, Effect::Send { .. })) && !effects.is_empty();
            assert!(
                closed || answered_unknown,
                "round {round}: {frame:02x?} → {effects:?}"
            );
            if closed {
                closed_for_garbage += 1;
                let Some(Effect::Send { bytes, .. }) = effects.first() else {
                    panic!("round {round}: error frame first");
                };
                match decode(bytes) {
                    Ok(Message::Error { message, .. }) => assert!(
                        message.contains("could not decode")
                            || message.contains("invalid sync message"),
                        "{message}"
                    ),
                    other => panic!("round {round}: expected an error message, got {other:?}"),
                }
                assert_eq!(hub.connection_count(), 0, "the connection is forgotten");
            }
        }
    }
    assert!(
        closed_for_garbage > 10_000,
        "most garbage is rejected: {closed_for_garbage}"
    );
}

#[test]
fn a_document_may_not_grow_past_the_size_limit() {
    use automerge::transaction::Transactable;
    let conn = ConnId(1);
    let mut config = HubConfig::new("hub");
    config.max_document_bytes = 2_000;
    let mut hub = Hub::new(config, AllowAll);
    hub.connect(conn, ());
    let join = encode(&Message::Join {
        sender_id: "client".into(),
        peer_metadata: PeerMetadata::default(),
        supported_protocol_versions: Some(vec!["1".into()]),
    });
    hub.receive(conn, &join, Instant::now());

    let doc_id = DocumentId::random();
    let mut doc = automerge::AutoCommit::new();
    // Random text does not compress: well over the 2,000-byte limit.
    let mut rng = Rng(7);
    let big: String = (0..8_000)
        .map(|_| char::from(b'a' + (rng.next() % 26) as u8))
        .collect();
    doc.put(automerge::ROOT, "notes", big).unwrap();
    doc.commit();
    let mut doc = doc.document().clone();
    let mut state = automerge::sync::State::new();
    let sync = |data: Vec<u8>| {
        encode(&Message::Sync {
            sender_id: "client".into(),
            target_id: "hub".into(),
            document_id: doc_id,
            data,
        })
    };
    let mut effects = Vec::new();
    for _ in 0..4 {
        let Some(msg) = doc.generate_sync_message(&mut state) else {
            break;
        };
        effects = hub.receive(conn, &sync(msg.encode()), Instant::now());
        // Answer the hub's load request: nothing is stored.
        if effects.iter().any(|e| matches!(e, Effect::Load { .. })) {
            effects = hub.document_loaded(doc_id, None, Instant::now());
        }
        if effects.iter().any(|e| matches!(e, Effect::Close { .. })) {
            break;
        }
        for e in &effects {
            if let Effect::Send { bytes, .. } = e
                && let Ok(Message::Sync { data, .. }) = decode(bytes)
            {
                doc.receive_sync_message(
                    &mut state,
                    automerge::sync::Message::decode(&data).unwrap(),
                )
                .unwrap();
            }
        }
    }
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Close {
                reason: CloseReason::DocumentTooLarge(_),
                ..
            }
        )),
        "{effects:?}"
    );
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Persist { .. })),
        "nothing persisted"
    );
    let Some(Effect::Send { bytes, .. }) = effects.first() else {
        panic!("an error frame first")
    };
    let Ok(Message::Error { message, .. }) = decode(bytes) else {
        panic!("an error message")
    };
    assert!(message.contains("maximum document size"), "{message}");
    assert_eq!(hub.stats().documents_too_large, 1);
}
