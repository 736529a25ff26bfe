//! Conformance checks for [`SupervisionStore`](crate::SupervisionStore): review decisions and
//! policy versions, each archived in the same transaction.

use std::sync::Arc;

use hearth_archive::{Entry, EntryKind};

use super::{T0, seed_firm};
use crate::{PolicyRecord, RelayStore, ReviewRecord, StoreError};

fn entry(firm: &str, n: u8) -> Entry {
    Entry {
        seq: 0,
        time: T0,
        firm: firm.into(),
        advisor: "console:cu".into(),
        device: String::new(),
        document: String::new(),
        kind: EntryKind::Admin,
        change_hash: [n; 32],
        payload: vec![b'{', b'}'],
    }
}

fn review(firm: &str, item: &str, state: &str) -> ReviewRecord {
    ReviewRecord {
        firm_id: firm.into(),
        seq: 0,
        item: item.into(),
        household: "hh".into(),
        state: state.into(),
        comment: format!("{state} it"),
        detail: String::new(),
        by: "console:cu".into(),
        at: T0,
    }
}

fn policy(firm: &str, version: i64) -> PolicyRecord {
    PolicyRecord {
        firm_id: firm.into(),
        version,
        body: format!("{{\"version\":{version}}}"),
        set_by: "console:cu".into(),
        set_at: T0 + version,
    }
}

/// Review decisions are numbered per firm and archived; policy versions go up by one (a stale
/// save is a conflict and stores nothing); firms never see each other's.
pub async fn supervision(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "fa", &["a1"]).await;
    seed_firm(&store, "fb", &["b1"]).await;
    let first = store
        .append_review(
            &review("fa", "hh/meeting/m/flag/0", "reviewed"),
            &entry("fa", 1),
        )
        .await
        .expect("review");
    assert_eq!(first.seq, 1);
    let second = store
        .append_review(
            &review("fa", "hh/meeting/m/flag/0", "escalated"),
            &entry("fa", 2),
        )
        .await
        .expect("review");
    assert_eq!(second.seq, 2);
    store
        .append_review(&review("fb", "hh/note/n", "dismissed"), &entry("fb", 3))
        .await
        .expect("other firm");
    let listed = store.review_records("fa").await.unwrap();
    assert_eq!(listed, vec![first, second]);
    assert_eq!(store.review_records("fb").await.unwrap().len(), 1);
    assert_eq!(
        store.archive_size("fa").await.unwrap(),
        2,
        "each decision archived"
    );

    assert_eq!(store.policy("fa").await.unwrap(), None);
    assert!(
        matches!(
            store.put_policy(&policy("fa", 2), &entry("fa", 4)).await,
            Err(StoreError::Conflict(_))
        ),
        "the first version is 1"
    );
    assert_eq!(
        store.archive_size("fa").await.unwrap(),
        2,
        "nothing archived"
    );
    store
        .put_policy(&policy("fa", 1), &entry("fa", 5))
        .await
        .unwrap();
    assert!(
        matches!(
            store.put_policy(&policy("fa", 1), &entry("fa", 6)).await,
            Err(StoreError::Conflict(_))
        ),
        "a save over a stale version"
    );
    store
        .put_policy(&policy("fa", 2), &entry("fa", 7))
        .await
        .unwrap();
    assert_eq!(store.policy("fa").await.unwrap(), Some(policy("fa", 2)));
    assert_eq!(store.policy("fb").await.unwrap(), None);
    assert_eq!(store.archive_size("fa").await.unwrap(), 4);
}
