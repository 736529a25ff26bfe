//! Conformance checks for [`SupervisionStore`](crate::SupervisionStore): review decisions and
//! policy versions, each archived in the same transaction.

use std::sync::Arc;

use hearth_archive::{Entry, EntryKind};

use super::{T0, assert_not_found, chunk, doc, seed_firm};
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

/// Firm administration: the admin flag, moving a departing advisor's households (shares the
/// new owner held become redundant and go; other advisors' shares stay), firm settings; all
/// inside one firm.
pub async fn firm_administration(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "fa", &["a1", "a2", "a3"]).await;
    seed_firm(&store, "fb", &["b1"]).await;
    assert!(store.set_advisor_admin("fa", "a2", true).await.unwrap());
    assert!(
        !store.set_advisor_admin("fb", "a2", true).await.unwrap(),
        "not B's advisor"
    );
    let is_admin = |list: Vec<crate::Advisor>, id: &str| {
        list.into_iter().find(|a| a.id == id).map(|a| a.is_admin)
    };
    assert_eq!(
        is_admin(store.list_advisors("fa").await.unwrap(), "a2"),
        Some(true)
    );

    for (owner, id) in [("a1", "fa/d1"), ("a1", "fa/d2"), ("a2", "fa/d3")] {
        store
            .create_document(&doc("fa", owner, id), &[chunk(id)])
            .await
            .unwrap();
    }
    store.share("fa/d1", "a2").await.unwrap();
    store.share("fa/d1", "a3").await.unwrap();
    assert_not_found(
        store.transfer_documents("fa", "a1", "b1").await,
        "to another firm's advisor",
    );
    assert_not_found(
        store.transfer_documents("fa", "a1", "a1").await,
        "to themselves",
    );
    let mut moved = store.transfer_documents("fa", "a1", "a2").await.unwrap();
    moved.sort();
    assert_eq!(moved, vec!["fa/d1".to_string(), "fa/d2".to_string()]);
    let owner = |id: &'static str| {
        let store = store.clone();
        async move { store.document(id).await.unwrap().map(|d| d.owner_id) }
    };
    assert_eq!(owner("fa/d1").await.as_deref(), Some("a2"));
    assert_eq!(
        owner("fa/d3").await.as_deref(),
        Some("a2"),
        "a2's own stays"
    );
    assert_eq!(
        store.shares_of("fa/d1").await.unwrap(),
        vec!["a3".to_string()]
    );
    assert!(
        store
            .transfer_documents("fa", "a1", "a3")
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(store.firm_setting("fa", "time_zone").await.unwrap(), None);
    store
        .set_firm_setting("fa", "time_zone", "America/Chicago")
        .await
        .unwrap();
    store
        .set_firm_setting("fa", "time_zone", "America/New_York")
        .await
        .unwrap();
    assert_eq!(
        store
            .firm_setting("fa", "time_zone")
            .await
            .unwrap()
            .as_deref(),
        Some("America/New_York")
    );
    assert_eq!(store.firm_setting("fb", "time_zone").await.unwrap(), None);
}

/// The archive signing lease: one holder at a time; renewable by its holder; free once
/// expired.
pub async fn signing_lease(store: Arc<dyn RelayStore>) {
    assert!(
        store
            .archive_take_signing_lease("node-a", T0, 1000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .archive_take_signing_lease("node-b", T0 + 10, 1000)
            .await
            .unwrap(),
        "held by node-a"
    );
    assert!(
        store
            .archive_take_signing_lease("node-a", T0 + 500, 1000)
            .await
            .unwrap(),
        "renewed by its holder"
    );
    assert!(
        !store
            .archive_take_signing_lease("node-b", T0 + 1400, 1000)
            .await
            .unwrap(),
        "the renewal runs to T0 + 1500"
    );
    assert!(
        store
            .archive_take_signing_lease("node-b", T0 + 1500, 1000)
            .await
            .unwrap(),
        "expired: node-b takes it"
    );
    assert!(
        !store
            .archive_take_signing_lease("node-a", T0 + 1600, 1000)
            .await
            .unwrap()
    );
}
