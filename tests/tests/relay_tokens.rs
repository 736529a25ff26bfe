//! Refresh-token rotation against a running relay over HTTP: a retried exchange (its answer
//! lost) gets the very pair the first exchange got, not a second independent one; the
//! successor works once; a copied token presented after the retry window revokes the device,
//! which then can neither refresh nor connect.

use hearth_e2e::{RelayProcess, http};
use serde_json::Value;

fn post(relay: &RelayProcess, path: &str, body: &Value) -> (u16, Value) {
    let r = http::post_json(&relay.url, path, &body.to_string());
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

#[test]
fn a_retried_refresh_gets_the_same_pair_and_a_late_replay_revokes_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        &format!(
            "refresh_retry_grace_secs = 1\n{}",
            hearth_e2e::TEST_RELAY_CONFIG
        ),
    );
    let firm = relay.create_firm("Firm");
    let (advisor, code) = relay.invite(&firm, "Alice", false);
    let (status, enrolled) = post(
        &relay,
        "/v1/enroll",
        &serde_json::json!({ "code": code, "label": "laptop" }),
    );
    assert_eq!(status, 200, "{enrolled}");
    let first = enrolled["refresh_token"].as_str().unwrap().to_string();

    // The exchange and its retry: one answer.
    let exchange = |token: &str| {
        post(
            &relay,
            "/v1/token",
            &serde_json::json!({ "refresh_token": token }),
        )
    };
    let (status, a) = exchange(&first);
    assert_eq!(status, 200, "{a}");
    let (status, b) = exchange(&first);
    assert_eq!(status, 200, "{b}");
    assert_eq!(
        a, b,
        "a retry within the window must get the first answer, not a new pair"
    );
    let second = a["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);

    // The successor rotates once more.
    let (status, c) = exchange(&second);
    assert_eq!(status, 200, "{c}");
    let device_token = c["access_token"].as_str().unwrap().to_string();

    // Past the window (1 s here), the copied first token revokes the device.
    std::thread::sleep(std::time::Duration::from_millis(1_200));
    let (status, _) = exchange(&first);
    assert_eq!(status, 401);
    let devices = relay.admin_json(&["device", "list", "--firm", &firm, "--advisor", &advisor]);
    assert!(!devices[0]["revoked_at"].is_null(), "{devices}");
    let (status, _) = exchange(c["refresh_token"].as_str().unwrap());
    assert_eq!(status, 401, "a revoked device refreshes no more");
    let me = http::request(
        "GET",
        &relay.url,
        "/v1/documents",
        &[("Authorization", &format!("Bearer {device_token}"))],
        None,
    );
    assert_eq!(
        me.status, 401,
        "a revoked device's access token stops working"
    );
}

#[test]
fn a_busy_desk_and_an_office_behind_one_address_stay_under_the_auth_limit() {
    use hearth_e2e::Hearth;
    let dir = tempfile::tempdir().unwrap();
    // The default limit: 20 enrollment and refresh requests per client address per minute.
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        "",
    );
    let firm = relay.create_firm("Office");
    // Ten desks in one office (one address: 127.0.0.1) enroll and sync.
    let desks: Vec<Hearth> = (0..10)
        .map(|i| {
            let (_, code) = relay.invite(&firm, &format!("Advisor {i}"), false);
            Hearth::enrolled(dir.path(), &format!("Advisor {i}"), &relay, &code)
        })
        .collect();
    for desk in &desks {
        desk.ok(&["sync"]);
    }
    // One of them runs 40 relay commands within the minute (sharing households one by one):
    // the access token in hand is reused, so none of them spends the limit.
    let busy = &desks[0];
    for i in 0..20 {
        let id = busy.ok(&["household", "create", "--name", &format!("Household {i}")]);
        busy.ok(&["share", &id, "--with", "Advisor 1"]);
        busy.ok(&["sync"]);
    }
    desks[1].ok(&["sync"]);
    assert_eq!(
        desks[1]
            .json(&["household", "list"])
            .as_array()
            .unwrap()
            .len(),
        20
    );

    // Guessing enrollment codes is still throttled.
    let refused = (0..25)
        .map(|i| {
            post(
                &relay,
                "/v1/enroll",
                &serde_json::json!({ "code": format!("GUES-SXXX-XXXX-{i:04}"), "label": "x" }),
            )
            .0
        })
        .collect::<Vec<_>>();
    assert!(
        refused.contains(&429),
        "no guess was throttled: {refused:?}"
    );
    assert!(
        refused.iter().all(|s| *s == 401 || *s == 429),
        "{refused:?}"
    );
}

#[test]
fn metrics_are_for_the_operator_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    // No token configured: local requests see the metrics, proxied ones do not.
    let relay = RelayProcess::start(&db("a.db"));
    assert_eq!(http::get(&relay.url, "/metrics").status, 200);
    let proxied = http::request(
        "GET",
        &relay.url,
        "/metrics",
        &[("X-Forwarded-For", "203.0.113.9")],
        None,
    );
    assert_eq!(proxied.status, 404, "{}", proxied.body);
    // A scraper token configured: only it opens /metrics.
    let digest = hex::encode(ring::digest::digest(
        &ring::digest::SHA256,
        b"scrape-secret",
    ));
    let relay = RelayProcess::start_with_config(
        &db("b.db"),
        &format!(
            "metrics_token_sha256 = \"{digest}\"\n{}",
            hearth_e2e::TEST_RELAY_CONFIG
        ),
    );
    assert_eq!(http::get(&relay.url, "/metrics").status, 404);
    let wrong = http::request(
        "GET",
        &relay.url,
        "/metrics",
        &[("Authorization", "Bearer guess")],
        None,
    );
    assert_eq!(wrong.status, 404);
    let scraped = http::request(
        "GET",
        &relay.url,
        "/metrics",
        &[("Authorization", "Bearer scrape-secret")],
        None,
    );
    assert_eq!(scraped.status, 200);
    assert!(scraped.body.contains("# EOF"), "{}", scraped.body);
}

fn post_from(relay: &RelayProcess, path: &str, body: &Value, client: &str) -> (u16, Value) {
    let r = http::request(
        "POST",
        &relay.url,
        path,
        &[("X-Forwarded-For", client)],
        Some(&body.to_string()),
    );
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

#[test]
fn refreshes_are_limited_per_device_and_forwarded_addresses_believed_from_proxies_only() {
    let dir = tempfile::tempdir().unwrap();
    // Behind a proxy on this machine; default limits (20 enrollments per address a minute,
    // 10 refreshes per device a minute).
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        "trusted_proxies = [\"127.0.0.1\"]\n",
    );
    let firm = relay.create_firm("Proxied Office");
    // 25 desks enroll from 25 addresses the proxy forwards: each its own bucket.
    let refresh_tokens: Vec<String> = (0..25)
        .map(|i| {
            let (_, code) = relay.invite(&firm, &format!("Advisor {i}"), false);
            let (status, enrolled) = post_from(
                &relay,
                "/v1/enroll",
                &serde_json::json!({ "code": code, "label": "laptop" }),
                &format!("198.51.100.{i}"),
            );
            assert_eq!(status, 200, "enrollment {i}: {enrolled}");
            enrolled["refresh_token"].as_str().unwrap().to_string()
        })
        .collect();
    // Then all 25 refresh from one office address: limited per device, so all pass.
    let mut latest = Vec::new();
    for (i, token) in refresh_tokens.iter().enumerate() {
        let (status, pair) = post_from(
            &relay,
            "/v1/token",
            &serde_json::json!({ "refresh_token": token }),
            "203.0.113.7",
        );
        assert_eq!(status, 200, "refresh {i} from the shared address: {pair}");
        latest.push(pair["refresh_token"].as_str().unwrap().to_string());
    }
    // One device refreshing in a loop is stopped by its own limit.
    let mut token = latest[0].clone();
    let mut granted = 1; // its refresh above
    let limited = loop {
        let (status, pair) = post_from(
            &relay,
            "/v1/token",
            &serde_json::json!({ "refresh_token": token }),
            "203.0.113.7",
        );
        if status == 429 {
            break true;
        }
        assert_eq!(status, 200, "{pair}");
        granted += 1;
        token = pair["refresh_token"].as_str().unwrap().to_string();
        if granted > 10 {
            break false;
        }
    };
    assert!(
        limited && granted == 10,
        "granted {granted} refreshes to one device in a minute"
    );
    // The next device is unaffected.
    let (status, _) = post_from(
        &relay,
        "/v1/token",
        &serde_json::json!({ "refresh_token": latest[1] }),
        "203.0.113.7",
    );
    assert_eq!(status, 200);

    // A relay that trusts no proxy ignores X-Forwarded-For: a guesser cannot pick a fresh
    // bucket per request.
    let direct = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("direct.db").display()),
        "",
    );
    let statuses: Vec<u16> = (0..25)
        .map(|i| {
            post_from(
                &direct,
                "/v1/enroll",
                &serde_json::json!({ "code": format!("GUES-SXXX-XXXX-{i:04}"), "label": "x" }),
                &format!("192.0.2.{i}"),
            )
            .0
        })
        .collect();
    assert!(
        statuses.contains(&429),
        "spoofed addresses escaped the limit: {statuses:?}"
    );
}
