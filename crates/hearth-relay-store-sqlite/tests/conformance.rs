//! The shared relay-store conformance suite, on a fresh SQLite file per test.

use std::sync::Arc;

use hearth_relay_store::RelayStore;
use hearth_relay_store_sqlite::SqliteStore;

async fn fresh() -> (tempfile::TempDir, Arc<dyn RelayStore>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("relay.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    (dir, Arc::new(store))
}

hearth_relay_store::conformance_tests!(fresh);
