//! The admin REST API the console uses: a firm admin manages advisors, devices, tokens and
//! sees the audit trail of their own firm only; the platform operator creates firms.

use hearth_e2e::{Hearth, RelayProcess, TEST_RELAY_CONFIG, http};
use serde_json::Value;

fn call(
    relay: &RelayProcess,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let r = http::request(method, &relay.url, path, &[("Authorization", &auth)], body);
    let json = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    (r.status, json)
}

fn api_token(relay: &RelayProcess, advisor: &str) -> String {
    relay.admin_json(&["token", "issue", "--advisor", advisor])["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn firm_admin_api_and_operator_api() {
    let dir = tempfile::tempdir().unwrap();
    // Top-level keys before the [limits] table.
    let config = format!(
        "operator_token_sha256 = \"{}\"\n{TEST_RELAY_CONFIG}",
        sha256_hex("operator-secret")
    );
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        &config,
    );

    // The operator creates a firm over HTTP; a wrong operator token gets nothing.
    let (status, _) = call(
        &relay,
        "POST",
        "/v1/operator/firms",
        "not-the-operator",
        Some(r#"{"name":"Nope"}"#),
    );
    assert_eq!(status, 401);
    let (status, firm) = call(
        &relay,
        "POST",
        "/v1/operator/firms",
        "operator-secret",
        Some(r#"{"name":"Maple Advisors"}"#),
    );
    assert_eq!(status, 201, "{firm}");
    let firm_id = firm["id"].as_str().unwrap().to_string();
    let (_, firms) = call(&relay, "GET", "/v1/operator/firms", "operator-secret", None);
    assert_eq!(firms[0]["name"], "Maple Advisors");
    assert!(
        firms[0].get("wrapped_key").is_none(),
        "no key material in operator views"
    );

    let (admin_id, _) = relay.invite(&firm_id, "Ada Admin", true);
    let (plain_id, plain_code) = relay.invite(&firm_id, "Paul Plain", false);
    let admin = api_token(&relay, &admin_id);
    let plain = api_token(&relay, &plain_id);

    // Non-admins are refused the admin API.
    assert_eq!(
        call(&relay, "GET", "/v1/admin/advisors", &plain, None).0,
        403
    );

    // Invite over the API; the code enrolls a device.
    let (status, invited) = call(
        &relay,
        "POST",
        "/v1/admin/advisors",
        &admin,
        Some(r#"{"name":"Nina New"}"#),
    );
    assert_eq!(status, 201, "{invited}");
    let nina_id = invited["advisor"]["id"].as_str().unwrap().to_string();
    let nina = Hearth::init(&dir.path().join("nina"), "nina", "pw");
    nina.ok(&[
        "enroll",
        "--relay",
        &relay.url,
        "--code",
        invited["enrollment_code"].as_str().unwrap(),
    ]);
    let (_, advisors) = call(&relay, "GET", "/v1/admin/advisors", &admin, None);
    assert_eq!(advisors.as_array().unwrap().len(), 3);

    // Paul enrolls, creates a household; the admin sees it in the firm's list.
    let paul = Hearth::init(&dir.path().join("paul"), "paul", "pw");
    paul.ok(&["enroll", "--relay", &relay.url, "--code", &plain_code]);
    let household = paul.ok(&["household", "create", "--name", "Admin Visible"]);
    paul.ok(&["sync"]);
    let (_, docs) = call(&relay, "GET", "/v1/admin/documents", &admin, None);
    assert_eq!(docs[0]["doc_id"], Value::from(household.clone()));
    assert_eq!(docs[0]["owner_id"], Value::from(plain_id.clone()));
    // The admin shares it with Nina; her sync fetches it.
    let share = format!("/v1/documents/{household}/shares/{nina_id}");
    assert_eq!(call(&relay, "PUT", &share, &admin, None).0, 204);
    assert_eq!(nina.json(&["sync"])["fetched"], 1);

    // Disabling Paul stops his device at once.
    assert_eq!(
        call(
            &relay,
            "POST",
            &format!("/v1/admin/advisors/{plain_id}/disable"),
            &admin,
            None
        )
        .0,
        204
    );
    assert!(
        paul.fails(&["sync"])
            .contains("refused this device's credentials")
    );
    assert_eq!(
        call(&relay, "GET", "/v1/me", &plain, None).0,
        401,
        "his API token too"
    );

    // Tokens: an admin cannot mint one acting as another advisor; issues and revokes their own.
    let (status, refusal) = call(
        &relay,
        "POST",
        "/v1/admin/tokens",
        &admin,
        Some(&format!(r#"{{"advisor_id":"{nina_id}","label":"crm"}}"#)),
    );
    assert_eq!(status, 403, "{refusal}");
    let (status, tok) = call(
        &relay,
        "POST",
        "/v1/admin/tokens",
        &admin,
        Some(&format!(r#"{{"advisor_id":"{admin_id}","label":"crm"}}"#)),
    );
    assert_eq!(status, 201);
    let tok_secret = tok["token"].as_str().unwrap().to_string();
    assert_eq!(call(&relay, "GET", "/v1/me", &tok_secret, None).0, 200);
    assert_eq!(
        call(
            &relay,
            "POST",
            &format!("/v1/admin/tokens/{}/revoke", tok["id"].as_str().unwrap()),
            &admin,
            None
        )
        .0,
        204
    );
    assert_eq!(call(&relay, "GET", "/v1/me", &tok_secret, None).0, 401);

    // The audit trail records every admin action, newest first.
    let (_, audit) = call(&relay, "GET", "/v1/admin/audit?limit=50", &admin, None);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "token.revoke",
        "token.issue",
        "advisor.disable",
        "document.share",
        "device.enroll",
        "advisor.invite",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert_eq!(actions[0], "token.revoke");

    // Another firm's admin sees none of it.
    let (other_admin, _) = relay.invite(&relay.create_firm("Other"), "Olga", true);
    let other = api_token(&relay, &other_admin);
    let (_, docs) = call(&relay, "GET", "/v1/admin/documents", &other, None);
    assert_eq!(docs, Value::Array(vec![]));
    let (_, audit) = call(&relay, "GET", "/v1/admin/audit", &other, None);
    assert!(!audit.to_string().contains(&plain_id));
    assert_eq!(
        call(
            &relay,
            "POST",
            &format!("/v1/admin/advisors/{nina_id}/disable"),
            &other,
            None
        )
        .0,
        404
    );
}

fn sha256_hex(s: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The firm's key as the relay holds it, unwrapped from its database with the test master key,
/// and every sealed chunk of `household` in the order it was stored.
fn firm_key_and_chunks(
    db: &std::path::Path,
    firm: &str,
    household: &str,
) -> (hearth_seal::FirmKey, Vec<Vec<u8>>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let wrapped: Vec<u8> = conn
        .query_row("SELECT wrapped_key FROM firms WHERE id = ?1", [firm], |r| {
            r.get(0)
        })
        .unwrap();
    let master = hearth_seal::MasterKey::from_config(hearth_e2e::TEST_MASTER_KEY).unwrap();
    let key = master.unwrap(&wrapped, firm).unwrap();
    let mut stmt = conn
        .prepare("SELECT sealed FROM chunks WHERE doc_id = ?1 ORDER BY seq")
        .unwrap();
    let chunks = stmt
        .query_map([format!("{firm}/{household}")], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<Vec<u8>>, _>>()
        .unwrap();
    (key, chunks)
}

#[test]
fn a_rotated_firm_key_seals_new_data_and_still_opens_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let mut relay = RelayProcess::start(&format!("sqlite://{}", db.display()));
    let firm = relay.create_firm("Rotating Wealth");
    let (_, code) = relay.invite(&firm, "Alice Advisor", false);
    let alice = Hearth::enrolled(dir.path(), "alice", &relay, &code);
    let id = alice.ok(&["household", "create", "--name", "The Novak Family"]);
    alice.json(&["sync"]);
    let (key, before) = firm_key_and_chunks(&db, &firm, &id);
    assert_eq!(key.generations(), 1);
    assert!(!before.is_empty());

    let said = relay.admin(&["keys", "rotate-firm", &firm]);
    assert!(said.contains("2 generations"), "{said}");
    // Another process rotated it; this relay would pick it up within a minute. Restarting
    // makes that immediate for the test.
    relay.kill();
    relay.restart();
    alice.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        "Rollover after the key rotation.",
    ]);
    alice.json(&["sync"]);

    let (key, after) = firm_key_and_chunks(&db, &firm, &id);
    assert_eq!(key.generations(), 2);
    assert!(after.len() > before.len(), "the note was stored");
    let aad = hearth_seal::document_aad(&firm, &id);
    for chunk in &before {
        assert_eq!(
            key.open_generation(chunk, &aad).unwrap().1,
            1,
            "old data opens with the old generation"
        );
    }
    for chunk in &after[before.len()..] {
        assert_eq!(
            key.open_generation(chunk, &aad).unwrap().1,
            0,
            "new data is sealed with the new generation"
        );
    }
    // A desk that has never seen the household gets all of it, old and new.
    let (_, code) = relay.invite(&firm, "Bob Advisor", false);
    let bob = Hearth::enrolled(dir.path(), "bob", &relay, &code);
    alice.ok(&["share", &id, "--with", "Bob Advisor"]);
    assert_eq!(bob.json(&["sync"])["fetched"], 1);
    let shown = bob.json(&["household", "show", &id]);
    assert_eq!(shown["name"], "The Novak Family");
    assert!(
        shown
            .to_string()
            .contains("Rollover after the key rotation."),
        "{shown}"
    );
    // An unknown firm is an error, not a new key.
    assert!(
        relay
            .admin_fails(&["keys", "rotate-firm", "firm-nope"])
            .contains("not found")
    );
}
