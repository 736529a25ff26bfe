use hearth_relay_store::StoreError;
use hearth_relay_store_any::{Backend, backend_of, open_store, redact};
use hearth_relay_store_postgres::testing::TempPostgres;

#[test]
fn picks_backend_by_scheme() {
    assert_eq!(
        backend_of("sqlite:///var/lib/relay.db").unwrap(),
        Backend::Sqlite
    );
    assert_eq!(backend_of("sqlite::memory:").unwrap(), Backend::Sqlite);
    assert_eq!(backend_of("postgres://u@h/db").unwrap(), Backend::Postgres);
    assert_eq!(
        backend_of("PostgreSQL://u@h/db").unwrap(),
        Backend::Postgres
    );
    for bad in ["mysql://u@h/db", "/var/lib/relay.db", "", "http://x"] {
        assert!(
            matches!(backend_of(bad), Err(StoreError::UnsupportedUrl(_))),
            "{bad}"
        );
    }
}

#[test]
fn unsupported_url_error_hides_password() {
    let Err(StoreError::UnsupportedUrl(shown)) = backend_of("mysql://admin:hunter2@db/x") else {
        panic!("expected UnsupportedUrl")
    };
    assert!(!shown.contains("hunter2"), "{shown}");
    assert_eq!(
        redact("postgres://u:p@h:5432/db?x=1"),
        "postgres://u:***@h:5432/db?x=1"
    );
    assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
}

#[tokio::test]
async fn opens_sqlite_by_url() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.db");
    let store = open_store(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    assert!(path.exists(), "file created");
    assert!(matches!(
        open_store("redis://x").await,
        Err(StoreError::UnsupportedUrl(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opens_postgres_by_url() {
    let pg = tokio::task::spawn_blocking(TempPostgres::start)
        .await
        .unwrap()
        .unwrap();
    let url = pg.url().replacen("postgres://", "postgresql://", 1);
    let store = open_store(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
}
