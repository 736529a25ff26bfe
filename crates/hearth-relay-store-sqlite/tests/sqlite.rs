//! SQLite-specific behaviour: pragmas, migrations table, reopening, kill -9 durability.

use std::sync::Arc;

use hearth_relay_store::{Firm, RelayStore};
use hearth_relay_store_sqlite::SqliteStore;

fn firm(id: &str) -> Firm {
    Firm {
        id: id.into(),
        name: id.into(),
        wrapped_key: vec![7; 40],
        master_key_id: "mk".into(),
        created_at: 5,
    }
}

#[tokio::test]
async fn pragmas_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.db");
    let store = SqliteStore::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let p = store.pragmas().await.unwrap();
    assert_eq!(p.journal_mode, "wal");
    assert_eq!(p.synchronous, 2, "synchronous=FULL");
    assert!(p.foreign_keys);
    assert!(p.busy_timeout_ms >= 1000);
    assert_eq!(
        p.schema_version, 6,
        "the highest embedded migration (0006_supervision)"
    );
    assert!(path.exists());
}

#[tokio::test]
async fn reopening_keeps_data_and_accepts_bare_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.db");
    {
        let store = SqliteStore::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        store.create_firm(&firm("kept")).await.unwrap();
        store.close().await;
    }
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.firm("kept").await.unwrap(), Some(firm("kept")));
}

#[tokio::test]
async fn in_memory_store_works() {
    let store: Arc<dyn RelayStore> = Arc::new(SqliteStore::open("sqlite::memory:").await.unwrap());
    store.migrate().await.unwrap();
    store.create_firm(&firm("m")).await.unwrap();
    assert_eq!(store.list_firms().await.unwrap(), vec![firm("m")]);
}

/// A child process (this test binary, re-run) writes firms and prints each id once the write
/// returned; the parent SIGKILLs it mid-stream and checks every acknowledged id is on disk.
#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    if let Ok(path) = std::env::var("HEARTH_SQLITE_CRASH_CHILD") {
        let store = SqliteStore::open(&path).await.unwrap();
        for i in 0..100_000 {
            store.create_firm(&firm(&format!("f{i}"))).await.unwrap();
            println!("ACK f{i}");
        }
        return;
    }
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let url = format!("sqlite://{}", path.display());
    {
        let store = SqliteStore::open(&url).await.unwrap();
        store.migrate().await.unwrap();
        store.close().await;
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "acknowledged_writes_survive_kill_9",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HEARTH_SQLITE_CRASH_CHILD", &url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("ACK ") {
            acked.push(id.to_string());
            if acked.len() == 200 {
                child.kill().unwrap(); // SIGKILL
                break;
            }
        }
    }
    child.wait().unwrap();
    assert_eq!(acked.len(), 200, "child acknowledged too few writes");
    let store = SqliteStore::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    for id in &acked {
        assert!(
            store.firm(id).await.unwrap().is_some(),
            "acknowledged {id} lost"
        );
    }
}
