//! Attached documents travel between a firm's advisors through the relay: `hearth sync` uploads
//! the bytes of documents attached here and downloads those attached elsewhere; the relay keeps
//! them under the household's scope (another firm, or an advisor the household is not shared
//! with, gets the same 404 as a hash that does not exist), checks the hash and enforces
//! `limits.max_blob_bytes`.

use hearth_docs::fixtures;
use hearth_e2e::http::{Response, request};
use hearth_e2e::{Hearth, RelayProcess, TEST_RELAY_CONFIG};

fn api_token(relay: &RelayProcess, advisor: &str) -> String {
    relay.admin_json(&["token", "issue", "--advisor", advisor])["token"]
        .as_str()
        .expect("API token")
        .to_string()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

fn blob_request(
    relay: &RelayProcess,
    method: &str,
    token: &str,
    doc: &str,
    sha256: &str,
    body: Option<&str>,
) -> Response {
    let bearer = format!("Bearer {token}");
    request(
        method,
        &relay.url,
        &format!("/v1/documents/{doc}/blobs/{sha256}"),
        &[("Authorization", &bearer)],
        body,
    )
}

#[test]
fn documents_reach_the_other_advisor_and_stay_in_scope() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
    let firm = relay.create_firm("Hearthstone Wealth");
    let (_, a_code) = relay.invite(&firm, "Alice Advisor", false);
    let (bob_id, b_code) = relay.invite(&firm, "Bob Advisor", false);
    let (carol_id, _) = relay.invite(&firm, "Carol Advisor", false);
    let other_firm = relay.create_firm("Elsewhere Capital");
    let (mallory_id, _) = relay.invite(&other_firm, "Mallory Advisor", true);
    let alice = Hearth::enrolled(dir.path(), "alice", &relay, &a_code);
    let bob = Hearth::enrolled(dir.path(), "bob", &relay, &b_code);

    let id = alice.ok(&["household", "create", "--name", "The Okafor Family"]);
    let pdf = dir.path().join("trust.pdf");
    let pdf_bytes = fixtures::pdf(&["Revocable trust amendment", "Trustee Ngozi Okafor"]);
    std::fs::write(&pdf, &pdf_bytes).unwrap();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "Beneficiary change requested by phone.\n").unwrap();
    let pdf_doc = alice.ok(&["doc", "add", &id, pdf.to_str().unwrap()]);
    let txt_doc = alice.ok(&["doc", "add", &id, txt.to_str().unwrap()]);
    let report = alice.json(&["sync"]);
    assert_eq!(report["blobs_uploaded"], 2, "{report}");
    assert_eq!(report["blob_errors"].as_array().unwrap().len(), 0);
    alice.ok(&["share", &id, "--with", "Bob Advisor"]);
    // Uploads are skipped once the relay has them.
    assert_eq!(alice.json(&["sync"])["blobs_uploaded"], 0);

    let report = bob.json(&["sync"]);
    assert_eq!(report["fetched"], 1, "{report}");
    assert_eq!(report["blobs_downloaded"], 2, "{report}");
    let list = bob.json(&["doc", "list", &id]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|d| d["stored_here"] == true),
        "{list}"
    );
    let back = dir.path().join("bob-trust.pdf");
    bob.ok(&["doc", "get", &id, &pdf_doc, back.to_str().unwrap()]);
    assert_eq!(std::fs::read(&back).unwrap(), pdf_bytes);
    let back_txt = dir.path().join("bob-notes.txt");
    bob.ok(&["doc", "get", &id, &txt_doc, back_txt.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(&back_txt).unwrap(),
        std::fs::read(&txt).unwrap()
    );
    // What arrived is searchable on Bob's laptop.
    let hits = bob.json(&["search", "Ngozi", "--kind", "document"]);
    assert_eq!(hits[0]["item_id"], pdf_doc.as_str(), "{hits}");

    // Scope: Bob (shared) reads the blob over HTTP; Carol (same firm, not shared) and Mallory
    // (another firm's admin) get exactly the 404 of a hash nobody stored.
    let hash = sha256_hex(&pdf_bytes);
    let bob_token = api_token(&relay, &bob_id);
    let listed = request(
        "GET",
        &relay.url,
        &format!("/v1/documents/{id}/blobs"),
        &[("Authorization", &format!("Bearer {bob_token}"))],
        None,
    );
    assert_eq!(listed.status, 200, "{listed:?}");
    assert!(listed.body.contains(&hash), "{}", listed.body);
    let ok = blob_request(&relay, "GET", &bob_token, &id, &hash, None);
    assert_eq!(ok.status, 200, "{ok:?}");
    let unknown = blob_request(&relay, "GET", &bob_token, &id, &"0".repeat(64), None);
    assert_eq!(unknown.status, 404);
    for outsider in [&carol_id, &mallory_id] {
        let token = api_token(&relay, outsider);
        let denied = blob_request(&relay, "GET", &token, &id, &hash, None);
        assert_eq!(denied, unknown, "{outsider} must not learn the blob exists");
        // Nor list what the household holds: same 404 as a household that does not exist.
        let bearer = format!("Bearer {token}");
        let list = |doc: &str| {
            request(
                "GET",
                &relay.url,
                &format!("/v1/documents/{doc}/blobs"),
                &[("Authorization", &bearer)],
                None,
            )
        };
        assert_eq!(
            list(&id),
            list("2ZnmTfHEZkRKPh3BZR5bZGzqZ9DA"),
            "{outsider} list"
        );
        assert_eq!(list(&id).status, 404);
        // Nor write into the household.
        let put = blob_request(&relay, "PUT", &token, &id, &sha256_hex(b"x"), Some("x"));
        assert_eq!(put, unknown, "{outsider} PUT");
    }

    // A body that does not hash to the path: 400, nothing stored.
    let wrong = blob_request(&relay, "PUT", &bob_token, &id, &hash, Some("not the pdf"));
    assert_eq!(wrong.status, 400, "{wrong:?}");
    assert!(wrong.body.contains("hash to"), "{}", wrong.body);
    let still = blob_request(&relay, "GET", &bob_token, &id, &hash, None);
    assert_eq!(still.status, 200);
    assert!(
        still.body.starts_with("%PDF"),
        "the stored blob is unchanged"
    );
}

#[test]
fn an_oversized_document_is_refused_with_413_and_sync_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{TEST_RELAY_CONFIG}max_blob_bytes = 4096\n");
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        &config,
    );
    let firm = relay.create_firm("Hearthstone Wealth");
    let (alice_id, a_code) = relay.invite(&firm, "Alice Advisor", false);
    let (_, b_code) = relay.invite(&firm, "Bob Advisor", false);
    let alice = Hearth::enrolled(dir.path(), "alice", &relay, &a_code);
    let bob = Hearth::enrolled(dir.path(), "bob", &relay, &b_code);

    let id = alice.ok(&["household", "create", "--name", "The Lindqvist Family"]);
    let big = dir.path().join("statement.txt");
    // Megabytes, not just over the limit: the relay would answer 413 and close while the desk
    // was still writing them, so the desk learns the limit first (from the blob listing) and
    // reports the refusal without sending.
    let big_text = "Quarterly statement line, account 4411.\n".repeat(150_000);
    std::fs::write(&big, &big_text).unwrap();
    let small = dir.path().join("memo.txt");
    std::fs::write(&small, "Rebalance in March.\n").unwrap();
    alice.ok(&["doc", "add", &id, big.to_str().unwrap()]);
    let memo = alice.ok(&["doc", "add", &id, small.to_str().unwrap()]);

    let report = alice.json(&["sync"]);
    assert_eq!(report["blobs_uploaded"], 1, "{report}");
    let errors = report["blob_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    let error = errors[0].as_str().unwrap();
    assert!(
        error.contains("statement.txt") && error.contains("limits.max_blob_bytes"),
        "{error}"
    );

    alice.ok(&["share", &id, "--with", "Bob Advisor"]);

    // The same refusal over HTTP: 413 with the relay's JSON error naming the setting.
    let token = api_token(&relay, &alice_id);
    let over = &big_text[..8192];
    let direct = blob_request(
        &relay,
        "PUT",
        &token,
        &id,
        &sha256_hex(over.as_bytes()),
        Some(over),
    );
    assert_eq!(direct.status, 413, "{direct:?}");
    let body: serde_json::Value = serde_json::from_str(&direct.body).unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("limits.max_blob_bytes"),
        "{body}"
    );

    // Bob gets the household and the small document; the big one waits, reported as pending.
    let report = bob.json(&["sync"]);
    assert_eq!(report["blobs_downloaded"], 1, "{report}");
    assert_eq!(report["blobs_pending"], 1, "{report}");
    let out = dir.path().join("memo-back.txt");
    bob.ok(&["doc", "get", &id, &memo, out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), b"Rebalance in March.\n");
}
