//! Measures what a document takes in memory once loaded, against the hub's estimate (stored
//! bytes + a cost per operation), for the shapes a relay holds: a long note (text), many small
//! records (maps), and a household edited in many small changes.
//!
//! ```sh
//! cargo run --release -p hearth-wire --example resident_estimate
//! ```
//!
//! Each document is built, saved, dropped, then loaded 64 times (so the allocator's noise
//! averages out); the resident-set growth per copy is compared with the estimate.
#![forbid(unsafe_code)]

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT, ReadDoc};

/// Resident memory of this process (VmRSS), bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

fn long_note(chars: usize) -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    let text = tx
        .put_object(ROOT, "note", ObjType::Text)
        .expect("text object");
    let line = "The client will send the signed beneficiary form before the trip. ";
    let mut written = 0;
    while written < chars {
        tx.splice_text(&text, written, 0, line).expect("splice");
        written += line.len();
    }
    tx.commit();
    doc
}

fn many_records(records: usize) -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    let list = tx
        .put_object(ROOT, "accounts", ObjType::List)
        .expect("list");
    for i in 0..records {
        let account = tx.insert_object(&list, i, ObjType::Map).expect("map");
        tx.put(&account, "custodian", "Schwab").expect("put");
        tx.put(&account, "number", format!("XXXX-{i:04}"))
            .expect("put");
        tx.put(&account, "balance", format!("{}.00", 1000 + i))
            .expect("put");
    }
    tx.commit();
    doc
}

fn many_changes(changes: usize) -> Automerge {
    let mut doc = Automerge::new();
    for i in 0..changes {
        let mut tx = doc.transaction();
        tx.put(ROOT, format!("field{}", i % 50), format!("value {i}"))
            .expect("put");
        tx.commit();
    }
    doc
}

fn main() {
    const COPIES: usize = 64;
    let shapes: Vec<(&str, Automerge)> = vec![
        ("long note, 2 MiB of text", long_note(2 * 1024 * 1024)),
        ("20,000 account records", many_records(20_000)),
        ("20,000 small changes", many_changes(20_000)),
    ];
    println!(
        "| document | stored | operations | changes | resident per copy | bytes per op beyond stored | hub's estimate |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, doc) in shapes {
        let saved = doc.save();
        let stats = doc.stats();
        let (ops, changes) = (stats.num_ops, stats.num_changes);
        drop(doc);
        let before = rss();
        let copies: Vec<Automerge> = (0..COPIES)
            .map(|_| Automerge::load(&saved).expect("load"))
            .collect();
        let after = rss();
        let per_copy = after.saturating_sub(before) / COPIES as u64;
        let per_op = per_copy.saturating_sub(saved.len() as u64) as f64 / ops.max(1) as f64;
        let estimate = hearth_wire::relay::resident_estimate(&copies[0], saved.len());
        println!(
            "| {name} | {} KiB | {ops} | {changes} | {} KiB | {per_op:.1} | {} KiB |",
            saved.len() / 1024,
            per_copy / 1024,
            estimate / 1024
        );
        drop(copies);
    }
}
