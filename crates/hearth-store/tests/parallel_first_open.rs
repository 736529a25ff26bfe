//! The first databases a process opens, opened from many threads at once.
//!
//! SQLite marks itself initialised before SQLCipher's own initialisation has finished, so
//! without `hearth-store`'s guard a thread racing the first one gets "An error occurred with
//! PRAGMA key". This file is its own test binary, so its process starts cold.

use std::sync::{Arc, Barrier};

use hearth_secrets::DbKey;
use hearth_store::{Encryption, Store};

#[test]
fn stores_opened_in_parallel_by_a_cold_process_all_key() {
    let dir = tempfile::tempdir().unwrap();
    let threads = 16;
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let path = dir.path().join(format!("p{i}.db"));
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let key = DbKey::generate().unwrap();
                start.wait();
                Store::create(&path, Encryption::Key(&key)).map(|_| ())
            })
        })
        .collect();
    for handle in handles {
        if let Err(e) = handle.join().unwrap() {
            panic!("a store opened in parallel failed: {e}");
        }
    }
}
