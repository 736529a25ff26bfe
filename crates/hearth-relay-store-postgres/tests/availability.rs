//! PostgreSQL going away and coming back under a running store.

use std::time::{Duration, Instant};

use hearth_relay_store::{Firm, RelayStore, StoreError};
use hearth_relay_store_postgres::PostgresStore;
use hearth_relay_store_postgres::testing::TempPostgres;

fn firm(id: &str) -> Firm {
    Firm {
        id: id.into(),
        name: id.into(),
        wrapped_key: vec![1, 2, 3],
        master_key_id: "mk".into(),
        created_at: 1,
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_fails_fast_when_down_and_recovers_after_restart() {
    let mut pg = blocking(TempPostgres::start).await.expect("start");
    let store = PostgresStore::open(&pg.url()).await.unwrap();
    store.migrate().await.unwrap();
    store.create_firm(&firm("before")).await.unwrap();
    store.ping().await.unwrap();

    pg = blocking(move || {
        pg.stop().expect("stop");
        pg
    })
    .await;
    assert!(!pg.is_running());
    let started = Instant::now();
    let err = store.ping().await.expect_err("ping while down");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "ping took {:?}",
        started.elapsed()
    );
    let err = store.firm("before").await.expect_err("query while down");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");

    let _pg = blocking(move || {
        pg.start_again().expect("start again");
        pg
    })
    .await;
    // Same port, same data: the pool reconnects without reopening the store.
    store.ping().await.expect("ping after restart");
    assert_eq!(store.firm("before").await.unwrap(), Some(firm("before")));
    store.create_firm(&firm("after")).await.unwrap();
    assert_eq!(store.list_firms().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_server_is_unavailable() {
    // Nothing listens on this port (bound and released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = PostgresStore::open(&format!("postgres://postgres@127.0.0.1:{port}/x"))
        .await
        .unwrap();
    let started = Instant::now();
    assert!(matches!(
        store.ping().await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(matches!(
        store.migrate().await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn malformed_url_is_an_error() {
    assert!(
        PostgresStore::open("postgres://u@h:notaport/db")
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_and_extra_databases() {
    let pg = blocking(TempPostgres::start).await.expect("start");
    let url = pg.create_database("second").unwrap();
    assert!(url.ends_with("/second?sslmode=disable"));
    let a = PostgresStore::open(&url).await.unwrap();
    let b = PostgresStore::open(&url).await.unwrap();
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    ra.unwrap();
    rb.unwrap();
    a.create_firm(&firm("x")).await.unwrap();
    assert_eq!(b.firm("x").await.unwrap(), Some(firm("x")));
    // The default database is separate.
    let c = PostgresStore::open(&pg.url()).await.unwrap();
    c.migrate().await.unwrap();
    assert_eq!(c.firm("x").await.unwrap(), None);
}
