//! Archive append throughput on a SQLite file (WAL, synchronous=FULL): entries per second
//! one at a time (one fsync each) and in group-commit batches (`cargo bench -p
//! hearth-relay-store-sqlite --bench archive_append`).

use std::time::Instant;

use hearth_archive::{Entry, EntryKind};
use hearth_relay_store::{ArchiveStore, Firm, RelayStore};
use hearth_relay_store_sqlite::SqliteStore;

fn entry(i: u64) -> Entry {
    Entry {
        seq: 0,
        time: 1_700_000_000_000 + i as i64,
        firm: "firm_bench".into(),
        advisor: "adv_0000000000000000000001".into(),
        device: "dev_0000000000000000000001".into(),
        document: format!("household{:020}", i % 50),
        kind: EntryKind::Change,
        change_hash: [(i % 251) as u8; 32],
        payload: vec![7; 300],
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .expect("open");
    store.migrate().await.expect("migrate");
    store
        .create_firm(&Firm {
            id: "firm_bench".into(),
            name: "Bench".into(),
            wrapped_key: vec![0; 60],
            master_key_id: "mk".into(),
            created_at: 0,
        })
        .await
        .expect("firm");
    println!("archive append throughput (SQLite, synchronous=FULL):");
    let mut i = 0u64;
    for batch in [1usize, 10, 100, 1000] {
        let total = if batch == 1 { 500 } else { 20_000 };
        let t = Instant::now();
        let mut done = 0;
        while done < total {
            let entries: Vec<Entry> = (0..batch).map(|k| entry(i + k as u64)).collect();
            store
                .archive_append("firm_bench", &entries)
                .await
                .expect("append");
            i += batch as u64;
            done += batch;
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  batches of {batch:>4}: {:>8.0} entries/s ({done} entries in {secs:.2} s)",
            done as f64 / secs
        );
    }
}
