//! Conformance checks for [`ConsoleStore`](crate::ConsoleStore): console users, sessions and
//! set-password links.

use std::sync::Arc;

use super::{T0, assert_conflict, assert_not_found, ids, seed_firm, set};
use crate::{ConsoleRole, ConsoleSession, ConsoleUser, PasswordLink, RelayStore};

fn console_user(id: &str, firm_id: Option<&str>, email: &str) -> ConsoleUser {
    ConsoleUser {
        id: id.into(),
        firm_id: firm_id.map(str::to_string),
        email: email.into(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt-{id}$hash"),
        role: ConsoleRole::Admin,
        created_at: T0,
    }
}

fn session(user_id: &str, token: &str, expires_at: i64) -> ConsoleSession {
    ConsoleSession {
        token_hash: format!("h:{token}").into_bytes(),
        user_id: user_id.into(),
        created_at: T0,
        expires_at,
    }
}

/// Console users: create, look up by id and email, list per firm / operators, unique email,
/// unknown firm, password change.
pub async fn console_users(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "fa", &["a1"]).await;
    seed_firm(&store, "fb", &["b1"]).await;
    let admin_a = console_user("cu_a", Some("fa"), "admin@a.example");
    let admin_b = console_user("cu_b", Some("fb"), "admin@b.example");
    let operator = console_user("cu_op", None, "ops@platform.example");
    for u in [&admin_a, &admin_b, &operator] {
        store.create_console_user(u).await.expect("create user");
    }
    assert_eq!(
        store.console_user("cu_a").await.unwrap().as_ref(),
        Some(&admin_a)
    );
    assert_eq!(
        store
            .console_user_by_email("ops@platform.example")
            .await
            .unwrap()
            .as_ref(),
        Some(&operator)
    );
    assert_eq!(store.console_user("cu_nope").await.unwrap(), None);
    assert_eq!(
        store
            .console_user_by_email("nobody@x.example")
            .await
            .unwrap(),
        None
    );

    assert_conflict(
        store
            .create_console_user(&console_user("cu_a2", Some("fa"), "admin@b.example"))
            .await,
        "email taken (by another firm's admin)",
    );
    assert_conflict(
        store
            .create_console_user(&console_user("cu_a", Some("fb"), "other@b.example"))
            .await,
        "id taken",
    );
    assert_not_found(
        store
            .create_console_user(&console_user("cu_x", Some("no-firm"), "x@x.example"))
            .await,
        "unknown firm",
    );

    // Roles: stored, changed only inside the user's own firm.
    let officer = ConsoleUser {
        role: ConsoleRole::ComplianceOfficer,
        ..console_user("cu_co", Some("fa"), "co@a.example")
    };
    store
        .create_console_user(&officer)
        .await
        .expect("create officer");
    assert_eq!(store.console_user("cu_co").await.unwrap(), Some(officer));
    assert!(
        !store
            .set_console_role("fb", "cu_co", ConsoleRole::Admin)
            .await
            .unwrap(),
        "another firm cannot change the role"
    );
    assert!(
        store
            .set_console_role("fa", "cu_co", ConsoleRole::Auditor)
            .await
            .unwrap()
    );
    assert_eq!(
        store.console_user("cu_co").await.unwrap().map(|u| u.role),
        Some(ConsoleRole::Auditor)
    );

    let id = |u: &ConsoleUser| u.id.clone();
    assert_eq!(
        ids(&store.list_console_users(Some("fa")).await.unwrap(), id),
        set(&["cu_a", "cu_co"])
    );
    assert_eq!(
        ids(&store.list_console_users(None).await.unwrap(), id),
        set(&["cu_op"])
    );
    assert!(
        store
            .list_console_users(Some("no-firm"))
            .await
            .unwrap()
            .is_empty()
    );

    assert!(
        store
            .set_console_password("cu_a", "$argon2id$new")
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_console_password("cu_nope", "$argon2id$new")
            .await
            .unwrap()
    );
    let changed = store.console_user("cu_a").await.unwrap().expect("user");
    assert_eq!(changed.password_hash, "$argon2id$new");
    assert_eq!(
        store.console_user("cu_b").await.unwrap().as_ref(),
        Some(&admin_b),
        "other users unchanged"
    );
}

/// Console sessions: expiry at `expires_at`, sign-out, sign-out everywhere, unknown user.
pub async fn console_sessions(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "fa", &["a1"]).await;
    for u in [
        console_user("cu_a", Some("fa"), "a@a.example"),
        console_user("cu_b", Some("fa"), "b@a.example"),
    ] {
        store.create_console_user(&u).await.expect("create user");
    }
    let s1 = session("cu_a", "one", T0 + 1000);
    let s2 = session("cu_a", "two", T0 + 5000);
    let s3 = session("cu_b", "three", T0 + 5000);
    for s in [&s1, &s2, &s3] {
        store
            .create_console_session(s)
            .await
            .expect("create session");
    }
    assert_conflict(
        store.create_console_session(&s1).await,
        "session token reused",
    );
    assert_not_found(
        store
            .create_console_session(&session("cu_nope", "four", T0 + 5000))
            .await,
        "session for an unknown user",
    );

    assert_eq!(
        store
            .console_session(&s1.token_hash, T0 + 999)
            .await
            .unwrap(),
        Some(s1.clone())
    );
    assert_eq!(
        store
            .console_session(&s1.token_hash, T0 + 1000)
            .await
            .unwrap(),
        None,
        "expired at expires_at"
    );
    assert_eq!(store.console_session(b"h:unknown", T0).await.unwrap(), None);

    store.delete_console_session(&s2.token_hash).await.unwrap();
    store.delete_console_session(&s2.token_hash).await.unwrap();
    assert_eq!(
        store.console_session(&s2.token_hash, T0).await.unwrap(),
        None
    );

    let s5 = session("cu_a", "five", T0 + 5000);
    store.create_console_session(&s5).await.unwrap();
    store.delete_console_sessions_of("cu_a").await.unwrap();
    store.delete_console_sessions_of("cu_a").await.unwrap();
    assert_eq!(
        store.console_session(&s5.token_hash, T0).await.unwrap(),
        None
    );
    assert_eq!(
        store.console_session(&s3.token_hash, T0).await.unwrap(),
        Some(s3.clone()),
        "another user's session survives"
    );
}

/// Set-password links: shown without being used up, taken once (two racing takes: one wins),
/// dead at `expires_at`, unknown user refused.
pub async fn password_links(store: Arc<dyn RelayStore>) {
    seed_firm(&store, "fa", &["a1"]).await;
    store
        .create_console_user(&console_user("cu_a", Some("fa"), "a@a.example"))
        .await
        .expect("create user");
    let link = |token: &str, expires_at: i64| PasswordLink {
        token_hash: format!("l:{token}").into_bytes(),
        user_id: "cu_a".into(),
        created_at: T0,
        expires_at,
    };
    let (one, short) = (link("one", T0 + 5000), link("short", T0 + 1000));
    for l in [&one, &short] {
        store.create_password_link(l).await.expect("create link");
    }
    assert_not_found(
        store
            .create_password_link(&PasswordLink {
                user_id: "cu_nope".into(),
                ..link("nobody", T0 + 5000)
            })
            .await,
        "link for an unknown user",
    );
    assert_eq!(
        store.password_link_user(&one.token_hash, T0).await.unwrap(),
        Some("cu_a".into()),
        "shown"
    );
    assert_eq!(
        store.password_link_user(&one.token_hash, T0).await.unwrap(),
        Some("cu_a".into()),
        "showing does not use it up"
    );
    assert_eq!(
        store
            .take_password_link(&short.token_hash, T0 + 1000)
            .await
            .unwrap(),
        None,
        "expired at expires_at"
    );
    let (a, b) = tokio::join!(
        store.take_password_link(&one.token_hash, T0 + 10),
        store.take_password_link(&one.token_hash, T0 + 10)
    );
    let mut takes = [a.unwrap(), b.unwrap()];
    takes.sort();
    assert_eq!(takes, [None, Some("cu_a".into())], "one take wins");
    assert_eq!(
        store.password_link_user(&one.token_hash, T0).await.unwrap(),
        None,
        "used up"
    );
    assert_eq!(
        store.take_password_link(b"l:unknown", T0).await.unwrap(),
        None
    );
}
