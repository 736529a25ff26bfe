//! The shared relay-store conformance suite, on a private PostgreSQL server per test.

use std::sync::Arc;

use hearth_relay_store::RelayStore;
use hearth_relay_store_postgres::PostgresStore;
use hearth_relay_store_postgres::testing::TempPostgres;

async fn fresh() -> (TempPostgres, Arc<dyn RelayStore>) {
    let pg = tokio::task::spawn_blocking(TempPostgres::start)
        .await
        .expect("join")
        .expect("start PostgreSQL");
    let store = PostgresStore::open(&pg.url()).await.expect("open");
    store.migrate().await.expect("migrate");
    (pg, Arc::new(store))
}

hearth_relay_store::conformance_tests!(fresh);
