//! The backend conformance suite: every [`RelayStore`] implementation runs these same checks.
//!
//! Each check takes a freshly migrated, empty store and panics (asserts) on the first deviation
//! from the trait's contract. Backends run them through
//! [`conformance_tests!`](crate::conformance_tests), which writes one `#[tokio::test]` per check:
//!
//! ```ignore
//! // Returns a guard (kept alive for the test: temp dir, database server...) and the store.
//! async fn fresh() -> (impl Sized, Arc<dyn RelayStore>) { ... }
//! hearth_relay_store::conformance_tests!(fresh);
//! ```
//!
//! Contract details the suite pins down (beyond the trait's doc comments):
//! * inserting a row whose id (or hash) exists → [`StoreError::Conflict`]; inserting a row that
//!   names a firm, advisor, device or document that does not exist → [`StoreError::NotFound`];
//! * an invite stops working at `expires_at` (`now >= expires_at` → `None`); same for refresh
//!   tokens (→ [`RefreshUse::Invalid`]);
//! * a used refresh token presented again is [`RefreshUse::Replayed`]; a token revoked with its
//!   device is [`RefreshUse::Invalid`];
//! * revoking an already revoked device or API token returns `true` and keeps the first
//!   `revoked_at`;
//! * `append_chunks` on an unknown document → `NotFound`, and sets `updated_at` to `now`;
//! * `compact` puts the snapshot at `up_to_seq`; later appends get higher seqs; a compaction
//!   that finds no chunk at or below `up_to_seq` (a newer compaction already covered it) changes
//!   nothing; on an unknown document → `NotFound`;
//! * `share` of an unknown document → `NotFound`;
//! * list orders are unspecified except `load_chunks` (seq ascending) and `list_audit` (newest
//!   first); the suite compares other lists as sets.
#![allow(missing_docs)]

mod console;
pub use console::{console_sessions, console_users, password_links};

mod blob;
pub use blob::blobs;

mod supervision;
pub use supervision::{firm_administration, signing_lease, supervision};

mod archive;
pub use archive::{
    archive_concurrent_appends, archive_group_commit, archive_log, archive_retention,
};

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::{
    Advisor, ApiToken, AuditEvent, Device, DocAppend, DocumentMeta, Firm, Invite, Millis,
    RefreshToken, RefreshUse, RelayStore, StoreError,
};

/// Writes one `#[tokio::test]` per conformance check. `$fresh` is an async fn (or closure
/// path) returning `(guard, Arc<dyn RelayStore>)` for an empty, migrated store; the guard is
/// held until the check ends. The calling crate needs `tokio` (with `macros`, `rt-multi-thread`).
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@each $fresh;
            migrate_and_ping, firms, advisors, invites, devices, refresh_tokens, api_tokens,
            documents, group_commit, shares, audit, firm_isolation, concurrent_invite_redeem,
            concurrent_refresh_use, concurrent_appends, concurrent_compact_and_append, console_users,
            console_sessions, password_links, archive_log, archive_retention,
            archive_concurrent_appends, archive_group_commit, blobs, supervision,
            firm_administration, signing_lease);
    };
    (@each $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let (_guard, store) = $fresh().await;
                $crate::testkit::$check(store).await;
            }
        )*
    };
}

/// Runs every check, each on a fresh store from `fresh`.
pub async fn run_all<G, F, Fut>(mut fresh: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (G, Arc<dyn RelayStore>)>,
{
    macro_rules! run {
        ($($check:ident),*) => {$(
            let (guard, store) = fresh().await;
            $check(store).await;
            drop(guard);
        )*};
    }
    run!(
        migrate_and_ping,
        firms,
        advisors,
        invites,
        devices,
        refresh_tokens,
        api_tokens,
        documents,
        group_commit,
        shares,
        audit,
        firm_isolation,
        concurrent_invite_redeem,
        concurrent_refresh_use,
        concurrent_appends,
        concurrent_compact_and_append,
        console_users,
        console_sessions,
        password_links,
        archive_log,
        archive_retention,
        archive_concurrent_appends,
        archive_group_commit,
        blobs,
        supervision,
        firm_administration,
        signing_lease
    );
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const T0: Millis = 1_700_000_000_000;

fn firm(id: &str) -> Firm {
    Firm {
        id: id.into(),
        name: format!("Firm {id}"),
        wrapped_key: format!("wrapped-{id}").into_bytes(),
        master_key_id: "mk000001".into(),
        created_at: T0,
    }
}

fn advisor(firm_id: &str, id: &str, is_admin: bool) -> Advisor {
    Advisor {
        id: id.into(),
        firm_id: firm_id.into(),
        name: format!("Advisor {id}"),
        is_admin,
        disabled: false,
        created_at: T0 + 1,
    }
}

fn device(firm_id: &str, advisor_id: &str, id: &str) -> Device {
    Device {
        id: id.into(),
        firm_id: firm_id.into(),
        advisor_id: advisor_id.into(),
        label: format!("laptop-{id}"),
        created_at: T0 + 2,
        revoked_at: None,
    }
}

fn invite(firm_id: &str, advisor_id: &str, code: &str, expires_at: Millis) -> Invite {
    Invite {
        code_hash: hash(code),
        firm_id: firm_id.into(),
        advisor_id: advisor_id.into(),
        created_at: T0,
        expires_at,
        used_at: None,
    }
}

fn refresh(device_id: &str, token: &str, expires_at: Millis) -> RefreshToken {
    RefreshToken {
        token_hash: hash(token),
        device_id: device_id.into(),
        created_at: T0,
        expires_at,
        used_at: None,
    }
}

fn api(firm_id: &str, advisor_id: &str, id: &str) -> ApiToken {
    ApiToken {
        id: id.into(),
        token_hash: hash(&format!("api-secret-{id}")),
        firm_id: firm_id.into(),
        advisor_id: advisor_id.into(),
        label: format!("script {id}"),
        created_at: T0,
        expires_at: Some(T0 + 1_000_000),
        revoked_at: None,
    }
}

fn doc(firm_id: &str, owner_id: &str, id: &str) -> DocumentMeta {
    DocumentMeta {
        doc_id: id.into(),
        firm_id: firm_id.into(),
        owner_id: owner_id.into(),
        created_at: T0 + 10,
        updated_at: T0 + 10,
    }
}

fn audit_event(firm_id: Option<&str>, action: &str, at: Millis) -> AuditEvent {
    AuditEvent {
        seq: -1,
        firm_id: firm_id.map(str::to_string),
        actor: "operator".into(),
        action: action.into(),
        target: format!("target-{action}"),
        at,
    }
}

/// Stand-in for SHA-256: any distinct bytes will do, the store treats hashes as opaque.
fn hash(s: &str) -> Vec<u8> {
    let mut v = b"h:".to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

fn chunk(s: &str) -> Vec<u8> {
    format!("sealed:{s}").into_bytes()
}

async fn seed_firm(store: &Arc<dyn RelayStore>, firm_id: &str, advisors: &[&str]) {
    store
        .create_firm(&firm(firm_id))
        .await
        .expect("create firm");
    for (i, a) in advisors.iter().enumerate() {
        store
            .create_advisor(&advisor(firm_id, a, i == 0))
            .await
            .expect("create advisor");
    }
}

fn ids<T, F: Fn(&T) -> String>(items: &[T], f: F) -> BTreeSet<String> {
    items.iter().map(f).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: crate::Result<T>, what: &str) {
    match r {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(r: crate::Result<T>, what: &str) {
    match r {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Checks

/// `migrate` is idempotent and `ping` answers.
pub async fn migrate_and_ping(store: Arc<dyn RelayStore>) {
    store.migrate().await.expect("second migrate");
    store.migrate().await.expect("third migrate");
    store.ping().await.expect("ping");
    assert!(store.list_firms().await.unwrap().is_empty());
}

/// Firm create/get/list/rewrap.
pub async fn firms(store: Arc<dyn RelayStore>) {
    assert_eq!(store.firm("nope").await.unwrap(), None);
    let a = firm("firm-a");
    let b = firm("firm-b");
    store.create_firm(&a).await.unwrap();
    store.create_firm(&b).await.unwrap();
    assert_eq!(store.firm("firm-a").await.unwrap(), Some(a.clone()));
    assert_conflict(
        store
            .create_firm(&Firm {
                name: "dup".into(),
                ..a.clone()
            })
            .await,
        "dup firm",
    );
    assert_eq!(
        store.firm("firm-a").await.unwrap().unwrap().name,
        a.name,
        "conflict changed nothing"
    );
    let all = store.list_firms().await.unwrap();
    assert_eq!(ids(&all, |f| f.id.clone()), set(&["firm-a", "firm-b"]));
    assert!(all.contains(&a) && all.contains(&b));

    // Only over the key it replaces: a rotation racing another loses with Conflict.
    assert_conflict(
        store
            .rewrap_firm_key("firm-a", b"not-the-key", b"lost-update", "mk000002")
            .await,
        "rewrap over a key that changed meanwhile",
    );
    store
        .rewrap_firm_key("firm-a", &a.wrapped_key, b"new-wrapped", "mk000002")
        .await
        .unwrap();
    let got = store.firm("firm-a").await.unwrap().unwrap();
    assert_eq!(got.wrapped_key, b"new-wrapped");
    assert_eq!(got.master_key_id, "mk000002");
    assert_eq!(got.name, a.name);
    assert_eq!(
        store.firm("firm-b").await.unwrap(),
        Some(b),
        "other firm untouched"
    );
    assert_not_found(
        store.rewrap_firm_key("nope", b"x", b"y", "mk").await,
        "rewrap unknown firm",
    );
}

/// Advisor create/get/list/disable, per firm.
pub async fn advisors(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1", "a2"]).await;
    seed_firm(&store, "firm-b", &["b1"]).await;
    assert_eq!(
        store.advisor("a1").await.unwrap(),
        Some(advisor("firm-a", "a1", true))
    );
    assert_eq!(
        store.advisor("a2").await.unwrap(),
        Some(advisor("firm-a", "a2", false))
    );
    assert_eq!(store.advisor("zz").await.unwrap(), None);
    let la = store.list_advisors("firm-a").await.unwrap();
    assert_eq!(ids(&la, |a| a.id.clone()), set(&["a1", "a2"]));
    let lb = store.list_advisors("firm-b").await.unwrap();
    assert_eq!(lb, vec![advisor("firm-b", "b1", true)]);
    assert!(store.list_advisors("nope").await.unwrap().is_empty());

    assert_conflict(
        store.create_advisor(&advisor("firm-b", "a1", false)).await,
        "dup advisor id",
    );
    assert_eq!(
        store.advisor("a1").await.unwrap().unwrap().firm_id,
        "firm-a"
    );
    assert_not_found(
        store.create_advisor(&advisor("nope", "x1", false)).await,
        "advisor of unknown firm",
    );

    assert!(
        store
            .set_advisor_disabled("firm-a", "a2", true)
            .await
            .unwrap()
    );
    assert!(store.advisor("a2").await.unwrap().unwrap().disabled);
    assert!(
        store
            .set_advisor_disabled("firm-a", "a2", true)
            .await
            .unwrap(),
        "idempotent"
    );
    assert!(
        store
            .set_advisor_disabled("firm-a", "a2", false)
            .await
            .unwrap()
    );
    assert!(!store.advisor("a2").await.unwrap().unwrap().disabled);

    // Wrong firm: false and nothing changes.
    assert!(
        !store
            .set_advisor_disabled("firm-b", "a1", true)
            .await
            .unwrap()
    );
    assert!(!store.advisor("a1").await.unwrap().unwrap().disabled);
    assert!(
        !store
            .set_advisor_disabled("firm-a", "zz", true)
            .await
            .unwrap()
    );
}

/// Invites redeem exactly once, not after expiry, not if unknown.
pub async fn invites(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    let inv = invite("firm-a", "a1", "code-1", T0 + 1000);
    store.create_invite(&inv).await.unwrap();
    assert_conflict(store.create_invite(&inv).await, "dup invite");
    assert_not_found(
        store
            .create_invite(&invite("firm-a", "zz", "code-x", T0 + 1000))
            .await,
        "invite for unknown advisor",
    );

    assert_eq!(
        store.redeem_invite(&hash("unknown"), T0).await.unwrap(),
        None
    );
    let got = store
        .redeem_invite(&hash("code-1"), T0 + 999)
        .await
        .unwrap()
        .expect("redeems");
    assert_eq!(
        got,
        Invite {
            used_at: Some(T0 + 999),
            ..inv.clone()
        }
    );
    assert_eq!(
        store
            .redeem_invite(&hash("code-1"), T0 + 999)
            .await
            .unwrap(),
        None,
        "only once"
    );
    assert_eq!(
        store.redeem_invite(&hash("code-1"), T0 + 5).await.unwrap(),
        None,
        "only once"
    );

    store
        .create_invite(&invite("firm-a", "a1", "code-2", T0 + 1000))
        .await
        .unwrap();
    assert_eq!(
        store
            .redeem_invite(&hash("code-2"), T0 + 1000)
            .await
            .unwrap(),
        None,
        "expired at expires_at"
    );
    assert_eq!(
        store
            .redeem_invite(&hash("code-2"), T0 + 5000)
            .await
            .unwrap(),
        None,
        "expired"
    );
    // Failed (expired) attempts do not consume it.
    assert!(
        store
            .redeem_invite(&hash("code-2"), T0 + 1)
            .await
            .unwrap()
            .is_some()
    );
}

/// Devices create/get/list (per firm, per advisor) and revoke.
pub async fn devices(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1", "a2"]).await;
    seed_firm(&store, "firm-b", &["b1"]).await;
    let d1 = device("firm-a", "a1", "d1");
    store.create_device(&d1).await.unwrap();
    store
        .create_device(&device("firm-a", "a1", "d2"))
        .await
        .unwrap();
    store
        .create_device(&device("firm-a", "a2", "d3"))
        .await
        .unwrap();
    store
        .create_device(&device("firm-b", "b1", "e1"))
        .await
        .unwrap();
    assert_conflict(store.create_device(&d1).await, "dup device");
    assert_not_found(
        store.create_device(&device("firm-a", "zz", "d9")).await,
        "unknown advisor",
    );
    assert_not_found(
        store.create_device(&device("firm-b", "a1", "d9")).await,
        "advisor of another firm",
    );

    assert_eq!(store.device("d1").await.unwrap(), Some(d1.clone()));
    assert_eq!(store.device("zz").await.unwrap(), None);
    let all_a = store.list_devices("firm-a", None).await.unwrap();
    assert_eq!(ids(&all_a, |d| d.id.clone()), set(&["d1", "d2", "d3"]));
    let a1 = store.list_devices("firm-a", Some("a1")).await.unwrap();
    assert_eq!(ids(&a1, |d| d.id.clone()), set(&["d1", "d2"]));
    let b = store.list_devices("firm-b", None).await.unwrap();
    assert_eq!(ids(&b, |d| d.id.clone()), set(&["e1"]));
    assert!(
        store
            .list_devices("firm-b", Some("a1"))
            .await
            .unwrap()
            .is_empty()
    );

    // Wrong firm: false, nothing changes.
    assert!(!store.revoke_device("firm-b", "d1", T0 + 50).await.unwrap());
    assert_eq!(store.device("d1").await.unwrap().unwrap().revoked_at, None);
    assert!(!store.revoke_device("firm-a", "zz", T0 + 50).await.unwrap());

    assert!(store.revoke_device("firm-a", "d1", T0 + 60).await.unwrap());
    assert_eq!(
        store.device("d1").await.unwrap().unwrap().revoked_at,
        Some(T0 + 60)
    );
    assert!(
        store.revoke_device("firm-a", "d1", T0 + 70).await.unwrap(),
        "already revoked"
    );
    assert_eq!(
        store.device("d1").await.unwrap().unwrap().revoked_at,
        Some(T0 + 60),
        "first revocation kept"
    );
    assert_eq!(store.device("d2").await.unwrap().unwrap().revoked_at, None);
}

/// Refresh-token rotation, replay detection, expiry, revocation with the device.
pub async fn refresh_tokens(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    seed_firm(&store, "firm-b", &["b1"]).await;
    store
        .create_device(&device("firm-a", "a1", "d1"))
        .await
        .unwrap();
    store
        .create_device(&device("firm-a", "a1", "d2"))
        .await
        .unwrap();
    let exp = T0 + 10_000;

    let t1 = refresh("d1", "t1", exp);
    store.insert_refresh_token(&t1).await.unwrap();
    assert_conflict(store.insert_refresh_token(&t1).await, "dup refresh token");
    assert_not_found(
        store.insert_refresh_token(&refresh("zz", "tz", exp)).await,
        "unknown device",
    );

    assert_eq!(
        store.use_refresh_token(&hash("nope"), T0).await.unwrap(),
        RefreshUse::Invalid
    );
    let fresh = |d: &str| RefreshUse::Fresh {
        device_id: d.into(),
    };
    let replayed = |d: &str, used_at: i64| RefreshUse::Replayed {
        device_id: d.into(),
        used_at,
    };

    // Rotation chain t1 -> t2 -> t3; replaying t1 is detected.
    assert_eq!(
        store.use_refresh_token(&hash("t1"), T0 + 1).await.unwrap(),
        fresh("d1")
    );
    store
        .insert_refresh_token(&refresh("d1", "t2", exp))
        .await
        .unwrap();
    assert_eq!(
        store.use_refresh_token(&hash("t1"), T0 + 2).await.unwrap(),
        replayed("d1", T0 + 1)
    );
    assert_eq!(
        store.use_refresh_token(&hash("t2"), T0 + 3).await.unwrap(),
        fresh("d1")
    );
    store
        .insert_refresh_token(&refresh("d1", "t3", exp))
        .await
        .unwrap();
    assert_eq!(
        store.use_refresh_token(&hash("t2"), T0 + 4).await.unwrap(),
        replayed("d1", T0 + 3)
    );

    // Expiry.
    store
        .insert_refresh_token(&refresh("d2", "u1", exp))
        .await
        .unwrap();
    assert_eq!(
        store.use_refresh_token(&hash("u1"), exp).await.unwrap(),
        RefreshUse::Invalid
    );
    assert_eq!(
        store.use_refresh_token(&hash("u1"), exp + 1).await.unwrap(),
        RefreshUse::Invalid
    );
    assert_eq!(
        store.use_refresh_token(&hash("u1"), exp - 1).await.unwrap(),
        fresh("d2"),
        "expired attempt did not consume it"
    );

    // Revoking with the wrong firm leaves tokens alone; revoking d1 kills t3 but not d2's.
    store
        .insert_refresh_token(&refresh("d2", "u2", exp))
        .await
        .unwrap();
    assert!(!store.revoke_device("firm-b", "d1", T0 + 5).await.unwrap());
    store
        .insert_refresh_token(&refresh("d1", "t4", exp))
        .await
        .unwrap();
    assert_eq!(
        store.use_refresh_token(&hash("t4"), T0 + 6).await.unwrap(),
        fresh("d1")
    );
    assert!(store.revoke_device("firm-a", "d1", T0 + 7).await.unwrap());
    assert_eq!(
        store.use_refresh_token(&hash("t3"), T0 + 8).await.unwrap(),
        RefreshUse::Invalid,
        "revoked with its device"
    );
    assert_eq!(
        store.use_refresh_token(&hash("u2"), T0 + 8).await.unwrap(),
        fresh("d2"),
        "other device untouched"
    );
}

/// API tokens insert/lookup/list/revoke.
pub async fn api_tokens(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    seed_firm(&store, "firm-b", &["b1"]).await;
    let k1 = api("firm-a", "a1", "k1");
    store.insert_api_token(&k1).await.unwrap();
    let k2 = ApiToken {
        expires_at: None,
        ..api("firm-a", "a1", "k2")
    };
    store.insert_api_token(&k2).await.unwrap();
    store
        .insert_api_token(&api("firm-b", "b1", "j1"))
        .await
        .unwrap();
    assert_conflict(store.insert_api_token(&k1).await, "dup api token");
    assert_conflict(
        store
            .insert_api_token(&ApiToken {
                id: "k9".into(),
                ..k1.clone()
            })
            .await,
        "dup api token hash",
    );
    assert_not_found(
        store.insert_api_token(&api("firm-a", "b1", "k8")).await,
        "advisor of another firm",
    );

    assert_eq!(
        store.api_token(&k1.token_hash).await.unwrap(),
        Some(k1.clone())
    );
    assert_eq!(
        store.api_token(&k2.token_hash).await.unwrap(),
        Some(k2.clone())
    );
    assert_eq!(store.api_token(&hash("nope")).await.unwrap(), None);
    let la = store.list_api_tokens("firm-a").await.unwrap();
    assert_eq!(ids(&la, |t| t.id.clone()), set(&["k1", "k2"]));
    assert!(la.contains(&k1) && la.contains(&k2));
    let lb = store.list_api_tokens("firm-b").await.unwrap();
    assert_eq!(ids(&lb, |t| t.id.clone()), set(&["j1"]));

    assert!(
        !store
            .revoke_api_token("firm-b", "k1", T0 + 5)
            .await
            .unwrap(),
        "wrong firm"
    );
    assert_eq!(
        store
            .api_token(&k1.token_hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
    assert!(
        !store
            .revoke_api_token("firm-a", "zz", T0 + 5)
            .await
            .unwrap()
    );
    assert!(
        store
            .revoke_api_token("firm-a", "k1", T0 + 6)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .api_token(&k1.token_hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(T0 + 6)
    );
    assert!(
        store
            .revoke_api_token("firm-a", "k1", T0 + 9)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .api_token(&k1.token_hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(T0 + 6)
    );
    assert_eq!(
        store
            .api_token(&k2.token_hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
}

fn seqs(chunks: &[crate::SealedChunk]) -> Vec<i64> {
    chunks.iter().map(|c| c.seq).collect()
}

fn bodies(chunks: &[crate::SealedChunk]) -> Vec<Vec<u8>> {
    chunks.iter().map(|c| c.sealed.clone()).collect()
}

#[track_caller]
fn assert_increasing(chunks: &[crate::SealedChunk]) {
    for w in chunks.windows(2) {
        assert!(
            w[0].seq < w[1].seq,
            "seqs not increasing: {:?}",
            seqs(chunks)
        );
    }
}

/// Documents create/append/load/compact.
/// `append_batch`: creates and appends to several documents in one call, in order; a batch
/// with one bad part (unknown document, existing id) stores nothing at all.
pub async fn group_commit(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    store
        .create_document(&doc("firm-a", "a1", "doc-1"), &[chunk("c1")])
        .await
        .unwrap();
    let append = |id: &str, bodies: &[&str], now: Millis| DocAppend {
        doc_id: id.into(),
        create: None,
        chunks: bodies.iter().map(|b| chunk(b)).collect(),
        now,
        archive: Vec::new(),
    };
    let new_doc = DocAppend {
        create: Some(doc("firm-a", "a1", "doc-2")),
        ..append("doc-2", &["n1"], T0 + 10)
    };
    store
        .append_batch(&[
            append("doc-1", &["c2"], T0 + 100),
            new_doc.clone(),
            append("doc-2", &["n2", "n3"], T0 + 110),
            append("doc-1", &["c3"], T0 + 120),
        ])
        .await
        .unwrap();
    let one = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(bodies(&one), ["c1", "c2", "c3"].map(chunk).to_vec());
    assert_increasing(&one);
    let two = store.load_chunks("doc-2").await.unwrap();
    assert_eq!(bodies(&two), ["n1", "n2", "n3"].map(chunk).to_vec());
    assert_increasing(&two);
    assert!(store.document("doc-1").await.unwrap().unwrap().updated_at >= T0 + 120);
    store.append_batch(&[]).await.unwrap();

    // All or nothing: an append to an unknown document sinks the whole batch...
    assert_not_found(
        store
            .append_batch(&[
                append("doc-1", &["lost"], T0 + 200),
                append("nope", &["x"], T0 + 200),
            ])
            .await,
        "batch with an unknown document",
    );
    // ...and so does creating an id that exists.
    assert_conflict(
        store
            .append_batch(&[append("doc-2", &["lost"], T0 + 210), new_doc])
            .await,
        "batch re-creating a document",
    );
    assert_eq!(
        bodies(&store.load_chunks("doc-1").await.unwrap()),
        bodies(&one)
    );
    assert_eq!(
        bodies(&store.load_chunks("doc-2").await.unwrap()),
        bodies(&two)
    );
    assert!(store.load_chunks("nope").await.unwrap().is_empty());
}

pub async fn documents(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1", "a2"]).await;
    seed_firm(&store, "firm-b", &["b1"]).await;
    assert!(
        store.load_chunks("doc-1").await.unwrap().is_empty(),
        "unknown doc loads empty"
    );
    assert_eq!(store.document("doc-1").await.unwrap(), None);

    let m1 = doc("firm-a", "a1", "doc-1");
    store
        .create_document(&m1, &[chunk("c1"), chunk("c2")])
        .await
        .unwrap();
    store
        .create_document(&doc("firm-a", "a2", "doc-2"), &[])
        .await
        .unwrap();
    store
        .create_document(&doc("firm-b", "b1", "doc-3"), &[chunk("z")])
        .await
        .unwrap();
    assert_eq!(store.document("doc-1").await.unwrap(), Some(m1.clone()));

    // Existing id: Conflict, and nothing changes (even from another firm).
    assert_conflict(
        store.create_document(&m1, &[chunk("evil")]).await,
        "dup doc",
    );
    assert_conflict(
        store
            .create_document(&doc("firm-b", "b1", "doc-1"), &[chunk("evil")])
            .await,
        "dup doc other firm",
    );
    assert_eq!(store.document("doc-1").await.unwrap(), Some(m1.clone()));
    assert_not_found(
        store
            .create_document(&doc("firm-a", "b1", "doc-9"), &[])
            .await,
        "owner of another firm",
    );
    assert_eq!(store.document("doc-9").await.unwrap(), None);

    let loaded = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(bodies(&loaded), vec![chunk("c1"), chunk("c2")]);
    assert_increasing(&loaded);
    assert!(store.load_chunks("doc-2").await.unwrap().is_empty());

    store
        .append_chunks("doc-1", &[chunk("c3"), chunk("c4")], T0 + 100)
        .await
        .unwrap();
    store
        .append_chunks("doc-1", &[chunk("c5")], T0 + 200)
        .await
        .unwrap();
    store.append_chunks("doc-1", &[], T0 + 300).await.unwrap();
    let loaded = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(
        bodies(&loaded),
        ["c1", "c2", "c3", "c4", "c5"].map(chunk).to_vec()
    );
    assert_increasing(&loaded);
    let meta = store.document("doc-1").await.unwrap().unwrap();
    assert_eq!(meta.created_at, m1.created_at);
    assert!(
        meta.updated_at >= T0 + 200,
        "updated_at advanced: {}",
        meta.updated_at
    );
    assert_not_found(
        store.append_chunks("nope", &[chunk("x")], T0).await,
        "append to unknown",
    );
    assert!(store.load_chunks("nope").await.unwrap().is_empty());

    // A big chunk round-trips byte for byte.
    let big: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 31 % 251) as u8).collect();
    store
        .append_chunks("doc-2", std::slice::from_ref(&big), T0 + 400)
        .await
        .unwrap();
    assert_eq!(
        bodies(&store.load_chunks("doc-2").await.unwrap()),
        vec![big]
    );

    // Compact the first three into a snapshot.
    let s = seqs(&loaded);
    store
        .compact("doc-1", &chunk("snap-1-3"), s[2])
        .await
        .unwrap();
    let after = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(bodies(&after), ["snap-1-3", "c4", "c5"].map(chunk).to_vec());
    assert_eq!(seqs(&after), vec![s[2], s[3], s[4]]);
    // Appends after a compaction come after everything.
    store
        .append_chunks("doc-1", &[chunk("c6")], T0 + 500)
        .await
        .unwrap();
    let after = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(
        bodies(&after),
        ["snap-1-3", "c4", "c5", "c6"].map(chunk).to_vec()
    );
    assert_increasing(&after);
    // A stale compaction (already covered by a newer snapshot) changes nothing.
    store.compact("doc-1", &chunk("stale"), s[1]).await.unwrap();
    assert_eq!(store.load_chunks("doc-1").await.unwrap(), after);
    // Compact everything.
    let last = after.last().unwrap().seq;
    store
        .compact("doc-1", &chunk("snap-all"), last)
        .await
        .unwrap();
    let all = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(bodies(&all), vec![chunk("snap-all")]);
    store
        .append_chunks("doc-1", &[chunk("c7")], T0 + 600)
        .await
        .unwrap();
    let all = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(bodies(&all), vec![chunk("snap-all"), chunk("c7")]);
    assert_increasing(&all);
    assert_not_found(
        store.compact("nope", &chunk("s"), 1).await,
        "compact unknown",
    );
    // Other documents untouched.
    assert_eq!(
        bodies(&store.load_chunks("doc-3").await.unwrap()),
        vec![chunk("z")]
    );

    // Listing is per firm; all_documents sees all.
    let la = store.list_documents("firm-a").await.unwrap();
    assert_eq!(ids(&la, |d| d.doc_id.clone()), set(&["doc-1", "doc-2"]));
    let lb = store.list_documents("firm-b").await.unwrap();
    assert_eq!(lb, vec![doc("firm-b", "b1", "doc-3")]);
    let all = store.all_documents().await.unwrap();
    assert_eq!(
        ids(&all, |d| d.doc_id.clone()),
        set(&["doc-1", "doc-2", "doc-3"])
    );
}

/// Shares are idempotent both ways.
pub async fn shares(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1", "a2", "a3"]).await;
    store
        .create_document(&doc("firm-a", "a1", "doc-1"), &[])
        .await
        .unwrap();
    store
        .create_document(&doc("firm-a", "a1", "doc-2"), &[])
        .await
        .unwrap();
    assert!(store.shares_of("doc-1").await.unwrap().is_empty());
    store.share("doc-1", "a2").await.unwrap();
    store.share("doc-1", "a2").await.unwrap();
    store.share("doc-1", "a3").await.unwrap();
    store.share("doc-2", "a3").await.unwrap();
    let s: BTreeSet<String> = store
        .shares_of("doc-1")
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(s, set(&["a2", "a3"]));
    assert_eq!(
        store.shares_of("doc-1").await.unwrap().len(),
        2,
        "no duplicates"
    );
    let all: BTreeSet<(String, String)> = store.all_shares().await.unwrap().into_iter().collect();
    let want: BTreeSet<(String, String)> = [("doc-1", "a2"), ("doc-1", "a3"), ("doc-2", "a3")]
        .iter()
        .map(|(d, a)| (d.to_string(), a.to_string()))
        .collect();
    assert_eq!(all, want);
    assert_eq!(store.all_shares().await.unwrap().len(), 3);
    let firm: BTreeSet<(String, String)> = store
        .firm_shares("firm-a")
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(firm, want, "one firm's shares");
    assert!(store.firm_shares("firm-b").await.unwrap().is_empty());

    store.unshare("doc-1", "a2").await.unwrap();
    store.unshare("doc-1", "a2").await.unwrap();
    store.unshare("doc-1", "zz").await.unwrap();
    assert_eq!(
        store.shares_of("doc-1").await.unwrap(),
        vec!["a3".to_string()]
    );
    assert_eq!(
        store.shares_of("doc-2").await.unwrap(),
        vec!["a3".to_string()]
    );
    assert!(store.shares_of("nope").await.unwrap().is_empty());
    assert_not_found(store.share("nope", "a2").await, "share unknown doc");
}

/// Audit: seq assigned, newest first, per firm, limited.
pub async fn audit(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    seed_firm(&store, "firm-b", &["b1"]).await;
    for i in 0..5 {
        store
            .append_audit(&audit_event(Some("firm-a"), &format!("a.{i}"), T0 + i))
            .await
            .unwrap();
        if i < 2 {
            store
                .append_audit(&audit_event(Some("firm-b"), &format!("b.{i}"), T0 + i))
                .await
                .unwrap();
        }
    }
    store
        .append_audit(&audit_event(None, "platform", T0))
        .await
        .unwrap();

    let a = store.list_audit("firm-a", 100).await.unwrap();
    let actions: Vec<&str> = a.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["a.4", "a.3", "a.2", "a.1", "a.0"]);
    for w in a.windows(2) {
        assert!(w[0].seq > w[1].seq, "newest first by seq");
    }
    assert!(a.iter().all(|e| e.seq >= 0), "seq assigned by the store");
    assert_eq!(a[0].firm_id.as_deref(), Some("firm-a"));
    assert_eq!(a[0].actor, "operator");
    assert_eq!(a[0].target, "target-a.4");
    assert_eq!(a[0].at, T0 + 4);

    let top2 = store.list_audit("firm-a", 2).await.unwrap();
    assert_eq!(top2, a[..2].to_vec());
    let b = store.list_audit("firm-b", 100).await.unwrap();
    let actions: Vec<&str> = b.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["b.1", "b.0"]);
    assert!(store.list_audit("nope", 100).await.unwrap().is_empty());
    assert!(store.list_audit("firm-a", 0).await.unwrap().is_empty());
}

/// Firm B never sees firm A's rows through any per-firm call, and cross-firm mutations fail.
pub async fn firm_isolation(store: Arc<dyn RelayStore>) {
    for f in ["firm-a", "firm-b"] {
        let p = &f[5..];
        let adv = format!("{p}-adv");
        seed_firm(&store, f, &[&adv]).await;
        store
            .create_device(&device(f, &adv, &format!("{p}-dev")))
            .await
            .unwrap();
        store
            .insert_api_token(&api(f, &adv, &format!("{p}-key")))
            .await
            .unwrap();
        store
            .create_document(&doc(f, &adv, &format!("{p}-doc")), &[chunk(p)])
            .await
            .unwrap();
        store
            .append_audit(&audit_event(Some(f), &format!("{p}.act"), T0))
            .await
            .unwrap();
    }
    for (f, p, other) in [("firm-a", "a", "b"), ("firm-b", "b", "a")] {
        let advs = store.list_advisors(f).await.unwrap();
        assert_eq!(
            ids(&advs, |a| a.id.clone()),
            set(&[&format!("{p}-adv")]),
            "{f} advisors"
        );
        let devs = store.list_devices(f, None).await.unwrap();
        assert_eq!(
            ids(&devs, |d| d.id.clone()),
            set(&[&format!("{p}-dev")]),
            "{f} devices"
        );
        assert!(
            store
                .list_devices(f, Some(&format!("{other}-adv")))
                .await
                .unwrap()
                .is_empty()
        );
        let keys = store.list_api_tokens(f).await.unwrap();
        assert_eq!(
            ids(&keys, |k| k.id.clone()),
            set(&[&format!("{p}-key")]),
            "{f} api tokens"
        );
        let docs = store.list_documents(f).await.unwrap();
        assert_eq!(
            ids(&docs, |d| d.doc_id.clone()),
            set(&[&format!("{p}-doc")]),
            "{f} documents"
        );
        let ev = store.list_audit(f, 10).await.unwrap();
        assert_eq!(ev.len(), 1, "{f} audit");
        assert_eq!(ev[0].action, format!("{p}.act"));

        // Cross-firm mutations: false, nothing changes.
        let (od, oa, ok) = (
            format!("{other}-dev"),
            format!("{other}-adv"),
            format!("{other}-key"),
        );
        assert!(!store.revoke_device(f, &od, T0 + 1).await.unwrap());
        assert_eq!(store.device(&od).await.unwrap().unwrap().revoked_at, None);
        assert!(!store.set_advisor_disabled(f, &oa, true).await.unwrap());
        assert!(!store.advisor(&oa).await.unwrap().unwrap().disabled);
        assert!(!store.revoke_api_token(f, &ok, T0 + 1).await.unwrap());
        let other_key = api(if other == "a" { "firm-a" } else { "firm-b" }, &oa, &ok);
        assert_eq!(
            store
                .api_token(&other_key.token_hash)
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            None
        );
    }
}

/// Many tasks redeem the same invite at once: exactly one wins.
pub async fn concurrent_invite_redeem(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    store
        .create_invite(&invite("firm-a", "a1", "race", T0 + 1000))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.redeem_invite(&hash("race"), T0 + i).await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        if t.await.expect("task").expect("redeem").is_some() {
            wins += 1;
        }
    }
    assert_eq!(wins, 1, "exactly one redemption");
}

/// Many tasks present the same refresh token at once: exactly one Fresh, the rest Replayed.
pub async fn concurrent_refresh_use(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    store
        .create_device(&device("firm-a", "a1", "d1"))
        .await
        .unwrap();
    store
        .insert_refresh_token(&refresh("d1", "race", T0 + 1000))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.use_refresh_token(&hash("race"), T0 + i).await
        }));
    }
    let (mut fresh, mut replayed) = (0, 0);
    for t in tasks {
        match t.await.expect("task").expect("use") {
            RefreshUse::Fresh { device_id } => {
                assert_eq!(device_id, "d1");
                fresh += 1
            }
            RefreshUse::Replayed { device_id, .. } => {
                assert_eq!(device_id, "d1");
                replayed += 1
            }
            RefreshUse::Invalid => panic!("a valid token was reported invalid"),
        }
    }
    assert_eq!((fresh, replayed), (1, 7));
}

/// Concurrent appends to one document: every chunk stored once, seqs distinct and increasing,
/// each writer's chunks in its own order.
pub async fn concurrent_appends(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    store
        .create_document(&doc("firm-a", "a1", "doc-1"), &[chunk("base")])
        .await
        .unwrap();
    let writers = 4;
    let per = 10;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per {
                let batch = [chunk(&format!("w{w}-{i}a")), chunk(&format!("w{w}-{i}b"))];
                store.append_chunks("doc-1", &batch, T0 + i as i64).await?;
            }
            Ok::<_, StoreError>(())
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("append");
    }
    let loaded = store.load_chunks("doc-1").await.unwrap();
    assert_eq!(loaded.len(), 1 + writers * per * 2);
    assert_increasing(&loaded);
    assert_eq!(loaded[0].sealed, chunk("base"));
    let texts: Vec<String> = loaded
        .iter()
        .map(|c| String::from_utf8(c.sealed.clone()).unwrap())
        .collect();
    for w in 0..writers {
        let mine: Vec<&String> = texts
            .iter()
            .filter(|t| t.starts_with(&format!("sealed:w{w}-")))
            .collect();
        let want: Vec<String> = (0..per)
            .flat_map(|i| [format!("sealed:w{w}-{i}a"), format!("sealed:w{w}-{i}b")])
            .collect();
        assert_eq!(mine, want.iter().collect::<Vec<_>>(), "writer {w} order");
    }
    // Batches are contiguous (an append is atomic).
    for (i, t) in texts.iter().enumerate() {
        if let Some(stem) = t.strip_suffix('a') {
            assert_eq!(
                texts.get(i + 1),
                Some(&format!("{stem}b")),
                "batch split at {i}"
            );
        }
    }
}

/// A compaction racing appends never loses an appended chunk nor reorders them.
pub async fn concurrent_compact_and_append(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "firm-a", &["a1"]).await;
    store
        .create_document(&doc("firm-a", "a1", "doc-1"), &[chunk("c0")])
        .await
        .unwrap();
    let appender = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 1..=30 {
                store
                    .append_chunks("doc-1", &[chunk(&format!("c{i}"))], T0 + i)
                    .await?;
            }
            Ok::<_, StoreError>(())
        })
    };
    // Compact whatever is there, repeatedly, while the appender runs.
    for _ in 0..10 {
        let loaded = store.load_chunks("doc-1").await.unwrap();
        let last = loaded.last().unwrap();
        let mut snap = b"snap:".to_vec();
        for c in &loaded {
            let t = String::from_utf8(c.sealed.clone()).unwrap();
            snap.extend_from_slice(
                t.trim_start_matches("sealed:")
                    .trim_start_matches("snap:")
                    .as_bytes(),
            );
            snap.push(b',');
        }
        store.compact("doc-1", &snap, last.seq).await.unwrap();
        tokio::task::yield_now().await;
    }
    appender.await.expect("task").expect("append");
    // Flatten: every c0..c30 appears exactly once, in order.
    let loaded = store.load_chunks("doc-1").await.unwrap();
    assert_increasing(&loaded);
    let mut names = Vec::new();
    for c in &loaded {
        let t = String::from_utf8(c.sealed.clone()).unwrap();
        if let Some(s) = t.strip_prefix("snap:") {
            names.extend(s.split(',').filter(|x| !x.is_empty()).map(str::to_string));
        } else {
            names.push(t.trim_start_matches("sealed:").to_string());
        }
    }
    let want: Vec<String> = (0..=30).map(|i| format!("c{i}")).collect();
    assert_eq!(names, want);
}
