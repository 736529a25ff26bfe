//! Conformance checks for [`ArchiveStore`](crate::ArchiveStore).

use std::sync::Arc;

use hearth_archive::{ArchiveSigner, Entry, EntryKind, Tree, TreeHead};

use crate::{
    ArchiveFilter, ArchiveKey, DEFAULT_RETENTION_YEARS, LegalHold, RETENTION_YEAR_MS, RelayStore,
    StoreError,
};

const T0: i64 = 1_700_000_000_000;

async fn firm(store: &Arc<dyn RelayStore>, id: &str) {
    store
        .create_firm(&crate::Firm {
            id: id.into(),
            name: format!("Firm {id}"),
            wrapped_key: vec![1, 2, 3],
            master_key_id: "mk".into(),
            created_at: T0,
        })
        .await
        .expect("create firm");
}

fn change(firm: &str, doc: &str, advisor: &str, at: i64, n: u8) -> Entry {
    Entry {
        seq: 999, // ignored: the store assigns it
        time: at,
        firm: firm.into(),
        advisor: advisor.into(),
        device: "dev".into(),
        document: doc.into(),
        kind: EntryKind::Change,
        change_hash: [n; 32],
        payload: vec![n; 10],
    }
}

fn admin(firm: &str, at: i64) -> Entry {
    Entry {
        kind: EntryKind::Admin,
        document: String::new(),
        ..change(firm, "", "adv_admin", at, 0xAA)
    }
}

/// Appends get consecutive sequence numbers per firm; entries, leaves, heads and keys read
/// back; filters work; firms never see each other's log.
pub async fn archive_log(store: Arc<dyn RelayStore>) {
    firm(&store, "fa").await;
    firm(&store, "fb").await;
    assert_eq!(store.archive_size("fa").await.unwrap(), 0);
    let a = store
        .archive_append(
            "fa",
            &[
                change("fa", "d1", "x", T0, 1),
                change("fa", "d2", "y", T0 + 10, 2),
            ],
        )
        .await
        .unwrap();
    assert_eq!(a.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![0, 1]);
    let b = store
        .archive_append("fb", &[change("fb", "d1", "x", T0, 3)])
        .await
        .unwrap();
    assert_eq!(b[0].seq, 0, "each firm has its own log");
    let c = store
        .archive_append("fa", &[change("fa", "d1", "x", T0 + 20, 4)])
        .await
        .unwrap();
    assert_eq!(c[0].seq, 2);
    assert_eq!(store.archive_size("fa").await.unwrap(), 3);
    // An entry naming another firm is refused and nothing is written.
    assert!(
        store
            .archive_append("fa", &[change("fb", "d1", "x", T0, 5)])
            .await
            .is_err()
    );
    assert_eq!(store.archive_size("fa").await.unwrap(), 3);

    let all = store
        .archive_entries("fa", &ArchiveFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    for (rec, e) in all.iter().zip(a.iter().chain(c.iter())) {
        let body = rec.body.as_ref().expect("body");
        assert_eq!(Entry::decode(body).unwrap(), *e);
        assert_eq!(rec.leaf_hash, e.leaf_hash().unwrap().to_vec());
    }
    let by_doc = ArchiveFilter {
        doc_id: Some("d1".into()),
        ..Default::default()
    };
    let seqs = |v: Vec<crate::ArchiveRecord>| v.iter().map(|r| r.seq).collect::<Vec<_>>();
    assert_eq!(
        seqs(store.archive_entries("fa", &by_doc).await.unwrap()),
        vec![0, 2]
    );
    let by_advisor = ArchiveFilter {
        advisor_id: Some("y".into()),
        ..Default::default()
    };
    assert_eq!(
        seqs(store.archive_entries("fa", &by_advisor).await.unwrap()),
        vec![1]
    );
    let by_time = ArchiveFilter {
        from: Some(T0 + 10),
        to: Some(T0 + 20),
        ..Default::default()
    };
    assert_eq!(
        seqs(store.archive_entries("fa", &by_time).await.unwrap()),
        vec![1]
    );
    let page = ArchiveFilter {
        after_seq: Some(0),
        limit: 1,
        ..Default::default()
    };
    assert_eq!(
        seqs(store.archive_entries("fa", &page).await.unwrap()),
        vec![1]
    );
    assert_eq!(store.archive_leaves("fa", 1).await.unwrap().len(), 2);

    // Heads.
    let leaves = store.archive_leaves("fa", 0).await.unwrap();
    let tree = Tree::new(leaves);
    let (signer, pkcs8) = ArchiveSigner::generate().unwrap();
    let sth = signer
        .sign(
            "fa",
            TreeHead {
                size: 3,
                time: T0 + 100,
                root: tree.root(3).unwrap(),
            },
        )
        .unwrap();
    let early = signer
        .sign(
            "fa",
            TreeHead {
                size: 2,
                time: T0 + 50,
                root: tree.root(2).unwrap(),
            },
        )
        .unwrap();
    assert!(store.archive_latest_head("fa").await.unwrap().is_none());
    store.archive_put_head("fa", &early).await.unwrap();
    store.archive_put_head("fa", &sth).await.unwrap();
    assert!(matches!(
        store.archive_put_head("fa", &sth).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.archive_latest_head("fa").await.unwrap(),
        Some(sth.clone())
    );
    assert_eq!(
        store.archive_heads("fa", T0, T0 + 1000).await.unwrap(),
        vec![early.clone(), sth]
    );
    assert_eq!(
        store.archive_heads("fa", T0, T0 + 51).await.unwrap(),
        vec![early]
    );
    assert!(store.archive_latest_head("fb").await.unwrap().is_none());

    // Keys are stored once.
    let key = ArchiveKey {
        sealed_key: pkcs8.clone(),
        public_key: signer.public_key(),
        created_at: T0,
    };
    assert!(store.archive_key("fa").await.unwrap().is_none());
    store.archive_put_key("fa", &key).await.unwrap();
    assert!(matches!(
        store.archive_put_key("fa", &key).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.archive_key("fa").await.unwrap(), Some(key));
    assert!(store.archive_key("fb").await.unwrap().is_none());
}

/// Retention: default, floor, no shortening while entries live, every change archived;
/// expiry keeps leaf hashes and honours holds.
pub async fn archive_retention(store: Arc<dyn RelayStore>) {
    firm(&store, "fa").await;
    assert_eq!(
        store.archive_retention("fa").await.unwrap(),
        DEFAULT_RETENTION_YEARS
    );
    for bad in [4, 0, -1] {
        assert!(matches!(
            store
                .archive_set_retention("fa", bad, &admin("fa", T0))
                .await,
            Err(StoreError::Conflict(_))
        ));
    }
    assert_eq!(
        store.archive_size("fa").await.unwrap(),
        0,
        "refusals write nothing"
    );
    // With no entries yet, any allowed period may be set; each setting is an entry.
    let e = store
        .archive_set_retention("fa", 5, &admin("fa", T0))
        .await
        .unwrap();
    assert_eq!((e.seq, e.kind), (0, EntryKind::Admin));
    assert_eq!(store.archive_retention("fa").await.unwrap(), 5);
    // Now an entry lives under 5 years: lengthening is fine, shortening is refused.
    store
        .archive_set_retention("fa", 7, &admin("fa", T0))
        .await
        .unwrap();
    assert!(matches!(
        store.archive_set_retention("fa", 6, &admin("fa", T0)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.archive_retention("fa").await.unwrap(), 7);
    assert_eq!(store.archive_size("fa").await.unwrap(), 2);

    store
        .archive_append(
            "fa",
            &[
                change("fa", "d1", "x", T0, 1),
                change("fa", "d2", "x", T0, 2),
            ],
        )
        .await
        .unwrap();
    // Nothing expires before its time.
    let almost = T0 + 7 * RETENTION_YEAR_MS - 1;
    assert_eq!(store.archive_expire("fa", almost).await.unwrap(), 0);
    // A firm-wide hold suspends everything; a household hold suspends that household.
    let later = T0 + 8 * RETENTION_YEAR_MS;
    let hold = LegalHold {
        household: None,
        reason: "SEC inquiry".into(),
        placed_by: "advisor:adv_admin".into(),
        placed_at: T0,
    };
    let e = store
        .archive_place_hold("fa", &hold, &admin("fa", T0))
        .await
        .unwrap();
    assert_eq!(e.seq, 4);
    assert!(matches!(
        store
            .archive_place_hold("fa", &hold, &admin("fa", T0))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.archive_expire("fa", later).await.unwrap(), 0);
    let d1_hold = LegalHold {
        household: Some("d1".into()),
        ..hold.clone()
    };
    store
        .archive_place_hold("fa", &d1_hold, &admin("fa", T0))
        .await
        .unwrap();
    assert_eq!(store.archive_holds("fa").await.unwrap().len(), 2);
    assert!(
        store
            .archive_lift_hold("fa", None, &admin("fa", T0))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .archive_lift_hold("fa", None, &admin("fa", T0))
            .await
            .unwrap()
            .is_none()
    );
    let size = store.archive_size("fa").await.unwrap();
    assert_eq!(size, 7);
    let before = store.archive_leaves("fa", 0).await.unwrap();
    // d1 is held; the admin entries and d2's change (all at T0) expire.
    assert_eq!(store.archive_expire("fa", later).await.unwrap(), 6);
    let after = store
        .archive_entries("fa", &ArchiveFilter::default())
        .await
        .unwrap();
    assert_eq!(after.len(), 7, "entries are never deleted");
    for r in &after {
        assert_eq!(r.body.is_some(), r.doc_id == "d1" || r.at > T0, "{r:?}");
        assert_eq!(r.expired_at.is_some(), r.body.is_none());
    }
    assert_eq!(
        store.archive_leaves("fa", 0).await.unwrap(),
        before,
        "leaf hashes outlive expiry"
    );
    // With expired entries only (d1 still live), shortening is still refused.
    assert!(
        store
            .archive_set_retention("fa", 5, &admin("fa", later))
            .await
            .is_err()
    );
}

/// Concurrent appenders of one firm never share or skip a sequence number.
pub async fn archive_concurrent_appends(store: Arc<dyn RelayStore>) {
    firm(&store, "fa").await;
    let mut tasks = Vec::new();
    for t in 0..4u8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10u8 {
                store
                    .archive_append(
                        "fa",
                        &[
                            change("fa", "d", "x", T0, t * 16 + i),
                            change("fa", "d", "x", T0, t * 16 + i),
                        ],
                    )
                    .await
                    .expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let all = store
        .archive_entries("fa", &ArchiveFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (0..80).collect::<Vec<_>>()
    );
}

/// `append_batch` stores chunks and their archive entries in one transaction: both or neither.
pub async fn archive_group_commit(store: Arc<dyn RelayStore>) {
    firm(&store, "fa").await;
    store
        .create_advisor(&crate::Advisor {
            id: "x".into(),
            firm_id: "fa".into(),
            name: "X".into(),
            is_admin: false,
            disabled: false,
            created_at: T0,
        })
        .await
        .unwrap();
    let meta = crate::DocumentMeta {
        doc_id: "fa/d1".into(),
        firm_id: "fa".into(),
        owner_id: "x".into(),
        created_at: T0,
        updated_at: T0,
    };
    let batch = |create: bool, doc: &str, n: u8| crate::DocAppend {
        doc_id: format!("fa/{doc}"),
        create: create.then(|| meta.clone()),
        chunks: vec![vec![n; 4]],
        now: T0,
        archive: vec![change("fa", doc, "x", T0, n)],
    };
    store
        .append_batch(&[batch(true, "d1", 1), batch(false, "d1", 2)])
        .await
        .unwrap();
    assert_eq!(store.archive_size("fa").await.unwrap(), 2);
    assert_eq!(store.load_chunks("fa/d1").await.unwrap().len(), 2);
    // A batch that fails (an unknown document) archives nothing either.
    assert!(
        store
            .append_batch(&[batch(false, "d1", 3), batch(false, "nope", 4)])
            .await
            .is_err()
    );
    assert_eq!(store.archive_size("fa").await.unwrap(), 2);
    assert_eq!(
        store
            .archive_entries("fa", &ArchiveFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(store.load_chunks("fa/d1").await.unwrap().len(), 2);
}
