//! A long-running mutation fuzzer for the relay's two input paths from a client: the CBOR
//! codec (`decode`) and the sync-message path through a joined connection of a real `Hub`
//! (which hands `sync`/`request` payloads to the vendored automerge: sync-message decoding,
//! change chunks, column inflation).
//!
//! ```sh
//! cargo run --release -p hearth-wire --example fuzz_wire -- decode --minutes 10
//! cargo run --release -p hearth-wire --example fuzz_wire -- hub --minutes 10 --seed 7
//! ```
//!
//! Inputs start from the committed corpus (`crates/hearth-wire/fuzz/corpus/<target>/`, plus
//! real frames made here: messages of every type, and sync messages carrying real changes of
//! a document with text, so compressed columns are in play), are mutated (bit flips, byte
//! overwrites, truncation, insertion, removal, splices between inputs), and checked:
//! * `decode`: never panics; whatever decodes re-encodes to the same message;
//! * `hub`: never panics; undecodable frames get an `error` and a close; the hub stays usable.
//!
//! A panic writes the input to `fuzz/crashes/<target>-<seed>-<n>.bin` and exits non-zero.
//! Mutants that decode (decode) or are accepted without a close (hub) join the in-memory pool
//! and, up to `--keep`, are written to the corpus with `--save`. Not coverage-guided (cargo-fuzz
//! needs a nightly compiler this project does not use); the pool of accepted mutants steers it
//! past the outer checks into the deeper parsers.
#![forbid(unsafe_code)]

#[path = "../tests/support/checks.rs"]
mod checks;
#[path = "../tests/support/mutate.rs"]
#[allow(dead_code)]
mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use automerge::sync::SyncDoc;
use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT};
use checks::{AllowAll, check_decode};
use hearth_core::DocumentId;
use hearth_wire::relay::{CloseReason, ConnId, Effect, Hub, HubConfig};
use hearth_wire::{Message, PeerMetadata, decode, encode};
use mutate::{Rng, garbage, mutate};

const SENDER: &str = "fuzzer";

/// Sync messages of a document with real content: a map, a list, a long text (its columns
/// get compressed), edits in several changes.
fn sync_payloads() -> Vec<Vec<u8>> {
    let mut doc = Automerge::new();
    let mut payloads = Vec::new();
    for round in 0..4 {
        let mut tx = doc.transaction();
        let notes = tx
            .put_object(ROOT, format!("notes{round}"), ObjType::Text)
            .expect("put text");
        tx.splice_text(
            &notes,
            0,
            0,
            &"The client will send the beneficiary form. ".repeat(20),
        )
        .expect("splice");
        let list = tx
            .put_object(ROOT, format!("accounts{round}"), ObjType::List)
            .expect("put list");
        for i in 0..10 {
            tx.insert(&list, i, format!("account {i} of round {round}"))
                .expect("insert");
        }
        tx.commit();
        let mut state = automerge::sync::State::new();
        if let Some(m) = doc.generate_sync_message(&mut state) {
            payloads.push(m.encode());
        }
    }
    payloads
}

fn seed_frames() -> Vec<Vec<u8>> {
    let doc = DocumentId::from_bytes([7; 16]);
    let mut frames = Vec::new();
    for data in sync_payloads() {
        frames.push(encode(&Message::Request {
            sender_id: SENDER.into(),
            target_id: "hub".into(),
            document_id: doc,
            data: data.clone(),
        }));
        frames.push(encode(&Message::Sync {
            sender_id: SENDER.into(),
            target_id: "hub".into(),
            document_id: doc,
            data,
        }));
    }
    frames.push(encode(&Message::Ephemeral {
        sender_id: SENDER.into(),
        target_id: "hub".into(),
        document_id: doc,
        session_id: "s".into(),
        count: 1,
        data: vec![1, 2, 3],
    }));
    frames.push(encode(&Message::Leave {
        sender_id: SENDER.into(),
    }));
    frames
}

/// Connects and joins `conn` as the fuzzer.
fn join(hub: &mut Hub<AllowAll>, conn: ConnId) {
    hub.connect(conn, ());
    let join = encode(&Message::Join {
        sender_id: SENDER.into(),
        peer_metadata: PeerMetadata {
            storage_id: None,
            is_ephemeral: true,
        },
        supported_protocol_versions: Some(vec!["1".into()]),
    });
    hub.receive(conn, &join, Instant::now());
}

/// `hub`: no panic; an undecodable frame closes the connection with an error first; a frame
/// that does not close leaves the hub answering a fresh join. True when not closed.
fn check_hub(hub: &mut Hub<AllowAll>, conn: ConnId, frame: &[u8]) -> bool {
    let effects = hub.receive(conn, frame, Instant::now());
    let closed = effects.iter().any(|e| matches!(e, Effect::Close { .. }));
    if closed
        && effects.iter().any(|e| {
            matches!(
                e,
                Effect::Close {
                    reason: CloseReason::UndecodableMessage(_),
                    ..
                }
            )
        })
    {
        let Some(Effect::Send { bytes, .. }) = effects.first() else {
            panic!("an undecodable frame was closed without an error message first");
        };
        assert!(
            matches!(decode(bytes), Ok(Message::Error { .. })),
            "the first answer to an undecodable frame is an error message"
        );
    }
    !closed
}

fn load_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

struct Args {
    target: String,
    minutes: f64,
    seed: u64,
    save: bool,
    keep: usize,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let target = it
        .next()
        .ok_or("usage: fuzz_wire decode|hub [--minutes M] [--seed S] [--save] [--keep N]")?;
    if target != "decode" && target != "hub" {
        return Err(format!("unknown target {target}: use decode or hub"));
    }
    let mut a = Args {
        target,
        minutes: 1.0,
        seed: 0x9E37_79B9_7F4A_7C15,
        save: false,
        keep: 64,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--minutes" => a.minutes = value()?.parse().map_err(|e| format!("--minutes: {e}"))?,
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--keep" => a.keep = value()?.parse().map_err(|e| format!("--keep: {e}"))?,
            "--save" => a.save = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus_dir = root.join("corpus").join(&args.target);
    let mut pool = seed_frames();
    let committed = load_corpus(&corpus_dir);
    let from_corpus = committed.len();
    pool.extend(committed);
    let seeds = pool.clone();
    let mut rng = Rng(args.seed.max(1));
    let deadline = Instant::now() + Duration::from_secs_f64(args.minutes * 60.0);
    let (mut runs, mut accepted, mut saved) = (0u64, 0u64, 0usize);
    let mut conn = ConnId(1);
    let mut hub = Hub::new(HubConfig::new("hub"), AllowAll);
    join(&mut hub, conn);
    // Quiet the default hook: a panic is reported below with its input.
    std::panic::set_hook(Box::new(|_| {}));
    while Instant::now() < deadline {
        for _ in 0..1_000 {
            let frame = if rng.below(8) == 0 {
                let len = rng.below(96);
                garbage(&mut rng, len)
            } else {
                let mut f = pool[rng.below(pool.len())].clone();
                mutate(&mut rng, &mut f, &seeds, 6);
                f
            };
            runs += 1;
            let outcome = catch_unwind(AssertUnwindSafe(|| match args.target.as_str() {
                "decode" => check_decode(&frame),
                _ => check_hub(&mut hub, conn, &frame),
            }));
            match outcome {
                Ok(true) => {
                    accepted += 1;
                    if pool.len() < 4_096 {
                        pool.push(frame.clone());
                    } else {
                        let i = rng.below(pool.len());
                        pool[i] = frame.clone();
                    }
                    if args.save && saved < args.keep && rng.below(256) == 0 {
                        let _ = std::fs::create_dir_all(&corpus_dir);
                        let name = format!("{:016x}-{saved}.bin", args.seed);
                        let _ = std::fs::write(corpus_dir.join(name), &frame);
                        saved += 1;
                    }
                }
                Ok(false) => {}
                Err(panic) => {
                    let crashes = root.join("crashes");
                    let _ = std::fs::create_dir_all(&crashes);
                    let path = crashes.join(format!("{}-{}-{runs}.bin", args.target, args.seed));
                    let _ = std::fs::write(&path, &frame);
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    eprintln!(
                        "PANIC after {runs} runs (seed {}): {why}\ninput written to {}",
                        args.seed,
                        path.display()
                    );
                    std::process::exit(1);
                }
            }
            if args.target == "hub" && hub.connection_count() == 0 {
                // Closed (or left): the next input goes to a fresh connection of the same hub.
                conn = ConnId(conn.0 + 1);
                join(&mut hub, conn);
            }
        }
        if args.target == "hub" && hub.connection_count() > 1 {
            // The hub forgets closed connections; more than one open means it did not.
            eprintln!("the hub kept {} connections open", hub.connection_count());
            std::process::exit(1);
        }
    }
    println!(
        "{}: {runs} inputs in {:.1} min, {accepted} accepted, no panic (seed {}, {} corpus files in, {saved} saved)",
        args.target, args.minutes, args.seed, from_corpus
    );
}
