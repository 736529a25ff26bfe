//! Conformance checks for [`BlobStore`](crate::BlobStore): sealed document blobs.

use std::sync::Arc;

use super::{T0, assert_not_found, doc, seed_firm, set};
use crate::RelayStore;

const H1: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const H2: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// Blobs: put and get back, idempotent put, per-document keying, unknown document.
pub async fn blobs(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "fa", &["a1"]).await;
    seed_firm(&store, "fb", &["b1"]).await;
    store
        .create_document(&doc("fa", "a1", "fa/doc-1"), &[])
        .await
        .unwrap();
    store
        .create_document(&doc("fb", "b1", "fb/doc-2"), &[])
        .await
        .unwrap();
    assert_eq!(store.get_blob("fa/doc-1", H1).await.unwrap(), None);
    assert!(store.list_blobs("fa/doc-1").await.unwrap().is_empty());

    store
        .put_blob("fa", "fa/doc-1", H1, 3, b"sealed-one", T0)
        .await
        .expect("put blob");
    assert_eq!(
        store.get_blob("fa/doc-1", H1).await.unwrap().as_deref(),
        Some(&b"sealed-one"[..])
    );
    // Idempotent: a retried upload succeeds and keeps the first bytes.
    store
        .put_blob("fa", "fa/doc-1", H1, 3, b"sealed-one-again", T0 + 1)
        .await
        .expect("put again");
    assert_eq!(
        store.get_blob("fa/doc-1", H1).await.unwrap().as_deref(),
        Some(&b"sealed-one"[..])
    );
    store
        .put_blob("fa", "fa/doc-1", H2, 5, b"sealed-two", T0)
        .await
        .unwrap();
    assert_eq!(
        store
            .list_blobs("fa/doc-1")
            .await
            .unwrap()
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        set(&[H1, H2])
    );

    // A blob belongs to its document: the same hash under another document is not visible.
    assert_eq!(store.get_blob("fb/doc-2", H1).await.unwrap(), None);
    assert!(store.list_blobs("fb/doc-2").await.unwrap().is_empty());
    store
        .put_blob("fb", "fb/doc-2", H1, 3, b"sealed-b", T0)
        .await
        .unwrap();
    assert_eq!(
        store.get_blob("fb/doc-2", H1).await.unwrap().as_deref(),
        Some(&b"sealed-b"[..])
    );
    assert_eq!(
        store.get_blob("fa/doc-1", H1).await.unwrap().as_deref(),
        Some(&b"sealed-one"[..])
    );

    // Each firm's quota counts its own blobs' plaintext, once per (document, hash).
    assert_eq!(store.firm_blob_bytes("fa").await.unwrap(), 3 + 5);
    assert_eq!(store.firm_blob_bytes("fb").await.unwrap(), 3);
    assert_eq!(store.firm_blob_bytes("fc").await.unwrap(), 0);

    // Unknown document: NotFound, nothing stored.
    assert_not_found(
        store.put_blob("fa", "fa/nope", H1, 3, b"x", T0).await,
        "blob of unknown document",
    );
    assert_eq!(store.get_blob("fa/nope", H1).await.unwrap(), None);
}
