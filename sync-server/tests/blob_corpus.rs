//! Replays the committed corpus of the blob-endpoint fuzzer (`examples/fuzz_blobs.rs`,
//! `fuzz/corpus/blobs/`) against a real relay on a loopback port: every request gets an
//! answer that is not a `500` (or, for bytes that are not HTTP, a closed connection), none
//! hangs, nothing panics, and the relay still answers `/healthz` afterwards.

#[path = "support/blob_fuzz.rs"]
mod blob_fuzz;

use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committed_blob_corpus_replays_without_a_server_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/blobs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus is committed")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 16, "only {} corpus files", files.len());
    let target = blob_fuzz::Target::start().await;
    let mut answered = 0;
    for file in &files {
        let request = target.instantiate(&std::fs::read(file).unwrap());
        match blob_fuzz::send(target.addr, &request, true).await {
            Ok(Some(answer)) => {
                assert_ne!(answer.status, 500, "{}: {answer:?}", file.display());
                answered += 1;
            }
            Ok(None) => {}
            Err(finding) => panic!("{}: {finding:?}", file.display()),
        }
    }
    assert!(
        answered * 2 >= files.len(),
        "most corpus requests are answered ({answered} of {})",
        files.len()
    );
    let health = blob_fuzz::send(
        target.addr,
        b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        false,
    )
    .await;
    assert!(
        matches!(health, Ok(Some(ref a)) if a.status == 200),
        "{health:?}"
    );
}
