//! Tenant isolation, as a generated matrix.
//!
//! Two firms on one real `hearth-relay`. Firm A has advisors with households synced up (one
//! shared within the firm); firm B has its own. Every credential an outsider could hold (firm
//! B's device and API tokens, admins or not, a same-firm advisor the households are not shared
//! with, and invalid ones: none, forged, expired, tampered, revoked, disabled) is tried against
//! every REST endpoint that takes an id and every WebSocket message type, with each of A's ids
//! (and unparseable ids). No answer may contain anything of A, and afterwards A's advisors
//! sync and find nothing changed, A's open sockets received nothing, and `GET /metrics` counts
//! the denials by reason (`not_shared`, `unauthorized`; there is no `other_firm` reason).
//!
//! # What an answer is compared with
//!
//! Every firm has its own document namespace (`sync-server/src/scope.rs`: documents are keyed
//! by (firm, document id)). An id of firm A is, for firm B, simply an id that does not exist;
//! B may even create its own, unrelated document under it (a `sync` carrying changes does).
//!
//! - REST: each answer must be byte-for-byte the answer for a random unknown id (same
//!   credentials). REST never creates documents, so a fresh unknown id stays the reference.
//! - WebSocket, **twin ids**: each of A's ids X is paired with a fixed random "twin" T, and the
//!   identical sequence of probes (same credential, same order, same scenarios) runs against
//!   X and against T, so whatever a probe creates in the caller's namespace it creates on both
//!   sides. Each answer pair must be byte-identical after normalising the document id (peer
//!   ids are the same on both sides). Where X cannot exist in the caller's namespace yet (up to
//!   and including the first probe that stores changes for it), the answer must also equal the
//!   one for a fresh random id.
//!
//! For every **cross-firm** credential (firm B's devices and API tokens, admin or not) and
//! every **invalid** credential, every probe must be byte-identical to its reference: no
//! exceptions. (Invalid credentials cannot open a socket; every upgrade they attempt must be
//! the standard 401, byte for byte.)
//!
//! # The accepted residual: a colleague in the same firm
//!
//! Within one firm the namespace is shared. For firm A's advisor the households are not
//! shared with, a `sync` on X (existing, not shared) is refused — answered as for a document
//! nobody has: an empty document's `sync` reply, then `doc-unavailable` — while the same
//! `sync` on an id the firm does not hold starts a new document (the relay takes any `sync`
//! for an absent id as a creation; an empty one lives only in memory, one with changes is
//! stored). So **a colleague in the same firm who already holds a 128-bit household id can
//! learn that it exists — never its content.** That difference is accepted and documented;
//! everything else is not. For those credentials:
//!
//! - every probe that sends no `sync` (request, request carrying changes, ephemeral,
//!   remote-heads-changed, remote-subscription-change, doc-unavailable, leave/rejoin, and any
//!   probe on an unparseable id) must be byte-identical to the twin and to a fresh id (the
//!   twin never receives a creation attempt, so it stays unknown to the firm);
//! - a probe that sends a `sync` on a parseable form of X (a "creating" probe) must instead:
//!   (a) contain no byte of A's documents (their change hashes and actors, raw or hex, their
//!   content strings, A's ids and names); (b) be byte-identical to its non-creating
//!   counterpart (each `sync` sent as a `request` with the same payload) on another firm's
//!   id, i.e. the refusal for an id the caller's namespace does not hold; and leave (c) A's
//!   documents unchanged (A's advisors' `hearth sync --json` report 0 fetched/updated,
//!   `household show` is as before, the relay serves the same heads) and (d) A's open sockets
//!   silent.
//!
//! Differences are collected, not stopped at: a failing run lists every probe that differed.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Automerge, ROOT};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hearth_core::DocumentId;
use hearth_e2e::{Hearth, RelayProcess, TEST_MASTER_KEY};
use hearth_wire::message::{self, HeadsAt, Message, PeerMetadata};
use rand::Rng;
use serde_json::{Value, json};
use tungstenite::client::IntoClientRequest;

/// A bounded wait for any single answer from the relay.
const READ_TIMEOUT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------------------------
// Credentials

#[derive(Clone, Debug)]
enum Auth {
    None,
    Bearer(String),
    /// `?token=` (how browsers authenticate the WebSocket upgrade).
    Query(String),
}

#[derive(Clone, Debug)]
struct Cred {
    name: String,
    auth: Auth,
    /// Whether the relay should accept it (a real, current identity).
    valid: bool,
    /// Strings of firm A this credential must never be shown.
    forbidden: Vec<String>,
    /// A household the credential's own firm has (for share probes on a visible document).
    own_doc: Option<String>,
    /// A valid identity of firm A itself (same document namespace as A's households).
    same_firm: bool,
}

fn with_token(path: &str, auth: &Auth) -> String {
    match auth {
        Auth::Query(t) => {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{path}{sep}token={t}")
        }
        _ => path.to_string(),
    }
}

/// The relay's access-token signing key, derived exactly as `hearth-relay` derives it from its
/// master key (see `sync-server/src/tokens.rs`), so the suite can mint tokens that are
/// correctly signed but expired or claiming another tenant.
fn signer(master_hex: &str) -> ring::hmac::Key {
    // The relay's derivation (sync-server/src/tokens.rs): HKDF-SHA256 of the master key text.
    ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"hearth-relay")
        .extract(master_hex.as_bytes())
        .expand(&[b"hearth access tokens v2"], ring::hmac::HMAC_SHA256)
        .map(ring::hmac::Key::from)
        .unwrap()
}

fn sign_access(key: &ring::hmac::Key, claims: &Value) -> String {
    let payload = B64.encode(serde_json::to_vec(claims).unwrap());
    let signed = format!("hat1.{payload}");
    let tag = ring::hmac::sign(key, signed.as_bytes());
    format!("{signed}.{}", B64.encode(tag.as_ref()))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn random_b64(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill(&mut bytes[..]);
    B64.encode(bytes)
}

fn unknown_doc() -> String {
    DocumentId::random().to_string()
}

fn unknown_advisor() -> String {
    format!("adv_{}", random_b64(12))
}

fn unknown_device() -> String {
    format!("dev_{}", random_b64(12))
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP (so bodies and headers are compared byte for byte)

#[derive(Clone, Debug, PartialEq, Eq)]
struct Resp {
    status: u16,
    /// Status line, headers (without `date`) and body.
    raw: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).to_string()
    }

    /// The body (after the blank line; the relay's JSON answers carry a Content-Length).
    fn body(&self) -> &[u8] {
        self.raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(&[][..], |at| &self.raw[at + 4..])
    }
}

fn http(
    addr: &str,
    method: &str,
    path: &str,
    auth: &Auth,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Resp {
    let mut stream = TcpStream::connect(addr).expect("connect to the relay");
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    let mut req = format!(
        "{method} {} HTTP/1.1\r\nHost: {addr}\r\n",
        with_token(path, auth)
    );
    if let Auth::Bearer(t) = auth {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or_default();
    if method != "GET" || !body.is_empty() {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_response(&mut stream, &format!("{method} {path}"))
}

fn read_response(stream: &mut TcpStream, what: &str) -> Resp {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream
            .read(&mut chunk)
            .unwrap_or_else(|e| panic!("{what}: reading the response: {e}"));
        assert!(n > 0, "{what}: connection closed before the response head");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap().to_string();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{what}: bad status line {status_line:?}"));
    let mut kept = vec![status_line];
    let mut length = 0usize;
    for line in lines.filter(|l| !l.is_empty()) {
        let lower = line.to_ascii_lowercase();
        assert!(
            !lower.starts_with("transfer-encoding"),
            "{what}: chunked responses are not expected: {head}"
        );
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        // Per-response values that legitimately differ between any two requests.
        if !lower.starts_with("date:") && !lower.starts_with("x-request-id:") {
            kept.push(line.to_string());
        }
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream
            .read(&mut chunk)
            .unwrap_or_else(|e| panic!("{what}: reading the body: {e}"));
        assert!(n > 0, "{what}: connection closed inside the body");
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let mut raw = kept.join("\r\n").into_bytes();
    raw.extend_from_slice(b"\r\n\r\n");
    raw.extend_from_slice(&body);
    Resp { status, raw }
}

fn post_json(addr: &str, path: &str, body: &Value) -> Value {
    let r = http(
        addr,
        "POST",
        path,
        &Auth::None,
        &[("Content-Type", "application/json")],
        Some(body.to_string().as_bytes()),
    );
    assert_eq!(r.status, 200, "POST {path}: {}", r.text());
    let text = r.text();
    let json = text.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(json).unwrap()
}

/// A WebSocket upgrade request made by hand, so a refusal can be compared byte for byte.
fn ws_upgrade_raw(addr: &str, auth: &Auth) -> Resp {
    http(
        addr,
        "GET",
        "/sync",
        auth,
        &[
            ("Connection", "Upgrade"),
            ("Upgrade", "websocket"),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ],
        None,
    )
}

// ---------------------------------------------------------------------------------------------
// The world: two firms on one relay

struct World {
    _dir: tempfile::TempDir,
    relay: RelayProcess,
    addr: String,
    firm_a: String,
    a_advisors: Vec<String>,
    a_docs: Vec<String>,
    a_devices: Vec<String>,
    /// Profiles of A's advisors who own or share households, with their households.
    a_profiles: Vec<(Hearth, Vec<String>)>,
    /// API tokens of Alice and Arthur (A), for control requests and watcher sockets.
    a1_api: String,
    a2_api: String,
    /// API token of firm A's admin (review queue, policy).
    a_admin_api: String,
    b2_advisor: String,
    /// A household of firm B (Bianca's): for a firm-A identity, an id of another firm.
    b_doc: String,
    /// Valid outsiders.
    attackers: Vec<Cred>,
    /// Credentials the relay must refuse.
    invalid: Vec<Cred>,
}

fn api_token(relay: &RelayProcess, advisor: &str) -> String {
    relay.admin_json(&["token", "issue", "--advisor", advisor])["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Enrolls a device by calling `POST /v1/enroll` directly; returns (device id, access token).
fn enroll_device(w_addr: &str, code: &str, label: &str) -> (String, String) {
    let v = post_json(
        w_addr,
        "/v1/enroll",
        &json!({ "code": code, "label": label }),
    );
    (
        v["device_id"].as_str().unwrap().to_string(),
        v["access_token"].as_str().unwrap().to_string(),
    )
}

fn reinvite(relay: &RelayProcess, firm: &str, advisor: &str) -> String {
    relay.admin_json(&["advisor", "reinvite", "--firm", firm, "--advisor", advisor])
        ["enrollment_code"]
        .as_str()
        .unwrap()
        .to_string()
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let relay = RelayProcess::start(&format!(
            "sqlite://{}",
            dir.path().join("relay.db").display()
        ));
        let addr = relay.url.strip_prefix("http://").unwrap().to_string();

        // Firm A: Alice owns two households (one shared with Arthur), Arthur owns one, Agnes
        // (same firm) has none of them.
        let firm_a_name = "Alpha Quartzfield Partners";
        let firm_a = relay.create_firm(firm_a_name);
        let (a1, a1_code) = relay.invite(&firm_a, "Alice Alphaquartz", false);
        let (a2, a2_code) = relay.invite(&firm_a, "Arthur Alphaquartz", false);
        let (a3, a3_code) = relay.invite(&firm_a, "Agnes Alphaquartz", false);
        let alice = Hearth::enrolled(dir.path(), "alice", &relay, &a1_code);
        let arthur = Hearth::enrolled(dir.path(), "arthur", &relay, &a2_code);
        let h1 = alice.ok(&[
            "household",
            "create",
            "--name",
            "Zephyrine Okonkwo-Lindqvist",
        ]);
        alice.ok(&[
            "note",
            "add",
            &h1,
            "--category",
            "planning",
            "--text",
            "Quokka trust rollover secret",
        ]);
        // A note filed under compliance: an item of firm A's review queue.
        alice.ok(&[
            "note",
            "add",
            &h1,
            "--category",
            "compliance",
            "--text",
            "Quokka suitability concern for supervision",
        ]);
        let h2 = alice.ok(&["household", "create", "--name", "Bartholomew Vantongeren"]);
        alice.ok(&["sync"]);
        alice.ok(&["share", &h1, "--with", "Arthur Alphaquartz"]);
        let h3 = arthur.ok(&["household", "create", "--name", "Marisol Featherstonehaugh"]);
        arthur.ok(&["sync"]);
        alice.ok(&["sync"]);
        assert_eq!(
            arthur.json(&["household", "show", &h1])["name"],
            "Zephyrine Okonkwo-Lindqvist",
            "the in-firm share works"
        );
        let (a3_device, a3_access) = enroll_device(&addr, &a3_code, "agnes-laptop");
        let a3_api = api_token(&relay, &a3);
        let a1_api = api_token(&relay, &a1);
        let a2_api = api_token(&relay, &a2);
        // Firm A's admin sets a policy (what desks of A read) through the admin API.
        let (a_admin, _) = relay.invite(&firm_a, "Ada Alphaquartz", true);
        let a_admin_api = api_token(&relay, &a_admin);
        let saved = http(
            &addr,
            "PUT",
            "/v1/admin/policy",
            &Auth::Bearer(a_admin_api.clone()),
            &[("Content-Type", "application/json")],
            Some(
                json!({ "based_on": 0, "policy": {
                    "version": 0,
                    "disclosure_version": "AQ-1",
                    "disclosure_text": "Alpha Quartzfield records this call.",
                    "consent": "all-party",
                    "max_audio_days": 0,
                    "llm": { "mode": "off" },
                } })
                .to_string()
                .as_bytes(),
            ),
        );
        assert_eq!(saved.status, 200, "{}", saved.text());

        // Firm B: Bianca (admin) with a household, Boris, and two who will lose access.
        let firm_b = relay.create_firm("Beta Capital");
        let (b1, b1_code) = relay.invite(&firm_b, "Bianca Beta", true);
        let (b2, b2_code) = relay.invite(&firm_b, "Boris Beta", false);
        let (b3, b3_code) = relay.invite(&firm_b, "Bert Beta", false);
        let (_b4, b4_code) = relay.invite(&firm_b, "Bea Beta", false);
        let bianca = Hearth::enrolled(dir.path(), "bianca", &relay, &b1_code);
        let hb = bianca.ok(&["household", "create", "--name", "Beta Own Household"]);
        bianca.ok(&["sync"]);
        let (_, b1_access) = enroll_device(&addr, &reinvite(&relay, &firm_b, &b1), "b1-tablet");
        let b1_api = api_token(&relay, &b1);
        let (b2_device, b2_access) = enroll_device(&addr, &b2_code, "b2-laptop");
        let b2_api = api_token(&relay, &b2);
        let (_, b3_access) = enroll_device(&addr, &b3_code, "b3-laptop");
        let b3_api = api_token(&relay, &b3);
        let (b4_device, b4_access) = enroll_device(&addr, &b4_code, "b4-laptop");
        relay.admin(&["advisor", "disable", "--firm", &firm_b, "--advisor", &b3]);
        relay.admin(&[
            "device", "revoke", "--firm", &firm_b, "--device", &b4_device,
        ]);

        let a_devices: Vec<String> = relay
            .admin_json(&["device", "list", "--firm", &firm_a])
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(a_devices.len(), 3, "alice, arthur, agnes");
        assert!(a_devices.contains(&a3_device));
        let a_docs = vec![h1.clone(), h2.clone(), h3.clone()];
        let a_advisors = vec![a1.clone(), a2.clone(), a3.clone()];

        // What must never reach firm B: everything of firm A. A same-firm advisor may know the
        // firm and its advisors, but not the households or colleagues' devices.
        let household_secrets: Vec<String> = a_docs
            .iter()
            .cloned()
            .chain(
                [
                    "Zephyrine",
                    "Okonkwo-Lindqvist",
                    "Vantongeren",
                    "Featherstonehaugh",
                    "Quokka",
                ]
                .map(String::from),
            )
            .chain(a_devices.iter().filter(|d| **d != a3_device).cloned())
            .collect();
        let firm_secrets: Vec<String> = household_secrets
            .iter()
            .cloned()
            .chain([firm_a.clone(), "Quartzfield".into(), "Alphaquartz".into()])
            .chain(a_advisors.iter().cloned())
            .chain([a3_device.clone(), a_admin.clone()])
            .collect();

        // Tokens minted with the relay's own signing scheme.
        let key = signer(TEST_MASTER_KEY);
        let b2_claims = |e: i64| json!({ "d": b2_device, "a": b2, "f": firm_b, "e": e });
        let resigned = sign_access(&key, &b2_claims(now_ms() + 3_600_000));
        // Sanity: the suite's signer is the relay's, so the forged tokens below are refused for
        // what they claim, not because the suite signs differently.
        let me = http(&addr, "GET", "/v1/me", &Auth::Bearer(resigned), &[], None);
        assert_eq!(me.status, 200, "re-signed token: {}", me.text());
        assert!(me.text().contains(&b2), "{}", me.text());

        let expired = sign_access(&key, &b2_claims(now_ms() - 1));
        let cross_tenant = sign_access(
            &key,
            &json!({ "d": b2_device, "a": a1, "f": firm_a, "e": now_ms() + 3_600_000 }),
        );
        let wrong_key = sign_access(
            &signer("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
            &b2_claims(now_ms() + 3_600_000),
        );
        let (b2_head, b2_sig) = b2_access.rsplit_once('.').unwrap();
        let swapped_payload = format!(
            "hat1.{}.{b2_sig}",
            B64.encode(
                serde_json::to_vec(
                    &json!({ "d": b2_device, "a": a1, "f": firm_a, "e": now_ms() + 3_600_000 })
                )
                .unwrap()
            )
        );
        let mut sig = b2_sig.as_bytes().to_vec();
        let last = sig.len() - 2;
        sig[last] = if sig[last] == b'A' { b'B' } else { b'A' };
        let tampered_sig = format!("{b2_head}.{}", String::from_utf8(sig).unwrap());

        let attacker = |name: &str, auth: Auth, same_firm: bool, own: Option<&str>| Cred {
            name: name.into(),
            auth,
            valid: true,
            forbidden: if same_firm {
                household_secrets.clone()
            } else {
                firm_secrets.clone()
            },
            own_doc: own.map(str::to_string),
            same_firm,
        };
        let attackers = vec![
            attacker("b-admin-device", Auth::Bearer(b1_access), false, Some(&hb)),
            attacker("b-admin-api(query)", Auth::Query(b1_api), false, Some(&hb)),
            attacker(
                "b-advisor-device",
                Auth::Bearer(b2_access.clone()),
                false,
                Some(&hb),
            ),
            attacker("b-advisor-api", Auth::Bearer(b2_api), false, None),
            attacker("a-unshared-device", Auth::Bearer(a3_access), true, None),
            attacker("a-unshared-api(query)", Auth::Query(a3_api), true, None),
        ];
        let refused = |name: &str, auth: Auth| Cred {
            name: name.into(),
            auth,
            valid: false,
            forbidden: firm_secrets.clone(),
            own_doc: Some(hb.clone()),
            same_firm: false,
        };
        let invalid = vec![
            refused("no-token", Auth::None),
            refused("empty-bearer", Auth::Bearer(String::new())),
            refused("garbage-access", Auth::Bearer("hat1.x.y".into())),
            refused(
                "bogus-api",
                Auth::Bearer(format!("hapi1_{}", random_b64(32))),
            ),
            refused("wrong-key-signature", Auth::Bearer(wrong_key.clone())),
            refused("tampered-signature", Auth::Bearer(tampered_sig)),
            refused("payload-swapped-to-firm-a", Auth::Bearer(swapped_payload)),
            refused("signed-cross-tenant-claim", Auth::Bearer(cross_tenant)),
            refused("expired-signed", Auth::Bearer(expired.clone())),
            refused("expired-signed(query)", Auth::Query(expired)),
            refused("revoked-device", Auth::Bearer(b4_access.clone())),
            refused("revoked-device(query)", Auth::Query(b4_access)),
            refused("disabled-advisor-device", Auth::Bearer(b3_access)),
            refused("disabled-advisor-api(query)", Auth::Query(b3_api)),
            refused("wrong-key(query)", Auth::Query(wrong_key)),
        ];

        World {
            _dir: dir,
            relay,
            addr,
            firm_a,
            a_advisors,
            a_docs,
            a_devices,
            a_profiles: vec![(alice, vec![h1.clone(), h2]), (arthur, vec![h1, h3])],
            a1_api,
            a2_api,
            a_admin_api,
            b2_advisor: b2,
            b_doc: hb,
            attackers,
            invalid,
        }
    }

    /// What A's advisors have now, to compare after the probes.
    fn a_snapshot(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for (h, docs) in &self.a_profiles {
            for d in docs {
                out.push(h.json(&["household", "show", d]));
            }
        }
        let devices = self
            .relay
            .admin_json(&["device", "list", "--firm", &self.firm_a]);
        out.push(devices);
        out.push(
            self.relay
                .admin_json(&["advisor", "list", "--firm", &self.firm_a]),
        );
        for token in [&self.a1_api, &self.a2_api] {
            let r = http(
                &self.addr,
                "GET",
                "/v1/documents",
                &Auth::Bearer(token.clone()),
                &[],
                None,
            );
            out.push(Value::String(r.text()));
        }
        out
    }

    /// A's advisors sync: nothing arrives, nothing changed.
    fn assert_a_unchanged(&self, before: &[Value]) {
        for (h, _) in &self.a_profiles {
            let report = h.json(&["sync"]);
            assert_eq!(report["fetched"], 0, "A fetched something new: {report}");
            assert_eq!(report["updated"], 0, "A's households changed: {report}");
            assert_eq!(report["unavailable"], 0, "{report}");
        }
        let after = self.a_snapshot();
        assert_eq!(after.len(), before.len());
        for (i, (a, b)) in after.iter().zip(before).enumerate() {
            assert_eq!(a, b, "firm A's state changed (snapshot item {i})");
        }
    }

    /// Ids that do not parse as document ids (or only in another form), derived from A's.
    fn unparseable_targets(&self) -> Vec<String> {
        let h1 = &self.a_docs[0];
        vec![
            format!("{h1}x"),
            h1[..h1.len() - 1].to_string(),
            h1.to_lowercase(),
            "not-a-document-id".into(),
            "..%2F..%2Fv1%2Fadvisors".into(),
            "x".repeat(300),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// Tally

#[derive(Default)]
struct Tally {
    probes: usize,
    by_section: BTreeMap<String, usize>,
    differ_by_section: BTreeMap<String, usize>,
    differences: Vec<(String, String)>,
}

impl Tally {
    fn record(&mut self, section: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.probes += 1;
        *self.by_section.entry(section.to_string()).or_default() += 1;
        if !ok {
            *self
                .differ_by_section
                .entry(section.to_string())
                .or_default() += 1;
            self.differences.push((section.to_string(), detail()));
        }
    }

    fn print(&self, what: &str) {
        let sections: Vec<String> = self
            .by_section
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        if self.differences.is_empty() {
            println!(
                "isolation ({what}): {} probes, all indistinguishable [{}]",
                self.probes,
                sections.join(", ")
            );
        } else {
            println!(
                "isolation ({what}): {} probes, {} DIFFER [{}]",
                self.probes,
                self.differences.len(),
                sections.join(", ")
            );
            println!("differing probes by section: {:?}", self.differ_by_section);
            // In full: the first difference of each section; then one line per difference.
            let mut shown = std::collections::BTreeSet::new();
            for (section, d) in &self.differences {
                if shown.insert(section) {
                    println!("--- first difference in {section}:\n{d}");
                }
            }
            for (_, d) in &self.differences {
                println!("--- {}", d.lines().next().unwrap_or_default());
            }
        }
    }

    fn check(&self, what: &str, minimum: usize) {
        assert!(
            self.differences.is_empty(),
            "isolation ({what}): {} of {} probes distinguish firm A's ids from unknown ids or \
             leak A's data; first: {}",
            self.differences.len(),
            self.probes,
            self.differences[0].1
        );
        assert!(
            self.probes >= minimum,
            "isolation ({what}): only {} probes generated (expected at least {minimum}); the \
             matrix shrank",
            self.probes
        );
    }
}

fn leaked<'a>(haystack: &[u8], forbidden: &'a [String]) -> Vec<&'a str> {
    forbidden
        .iter()
        .filter(|s| !s.is_empty() && hearth_e2e::contains(haystack, s.as_bytes()))
        .map(String::as_str)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// REST matrix

#[test]
fn rest_answers_about_another_tenant_are_those_for_unknown_ids() {
    let w = World::new();
    let before = w.a_snapshot();
    let denials_before = denials(&w.addr);
    let mut tally = Tally::default();

    // Control: the comparison can see a difference (the owner does see its household).
    let owner = Auth::Bearer(w.a1_api.clone());
    let seen = http(
        &w.addr,
        "GET",
        &format!("/v1/documents/{}", w.a_docs[0]),
        &owner,
        &[],
        None,
    );
    let unknown = http(
        &w.addr,
        "GET",
        &format!("/v1/documents/{}", unknown_doc()),
        &owner,
        &[],
        None,
    );
    assert_eq!(seen.status, 200, "{}", seen.text());
    assert_ne!(seen.raw, unknown.raw);
    assert_eq!(unknown.status, 404);

    let unauthorized = http(&w.addr, "GET", "/v1/me", &Auth::None, &[], None);
    assert_eq!(unauthorized.status, 401, "{}", unauthorized.text());

    // Control: firm A's admin sees the compliance note in A's review queue.
    let queue = http(
        &w.addr,
        "GET",
        "/v1/admin/review",
        &Auth::Bearer(w.a_admin_api.clone()),
        &[],
        None,
    );
    assert_eq!(queue.status, 200, "{}", queue.text());
    let queue: Value = serde_json::from_slice(queue.body()).expect("queue JSON");
    let a_items: Vec<String> = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["item"].as_str().map(str::to_string))
        .collect();
    assert_eq!(a_items.len(), 1, "{queue}");
    assert!(a_items[0].starts_with(&w.a_docs[0]), "{a_items:?}");

    let unparseable = w.unparseable_targets();
    let mut doc_targets: Vec<String> = w.a_docs.clone();
    doc_targets.extend(w.a_docs.iter().map(|d| format!("automerge:{d}")));
    doc_targets.extend(unparseable.iter().cloned());
    let advisor_targets: Vec<Option<String>> = w
        .a_advisors
        .iter()
        .cloned()
        .map(Some)
        .chain([Some(w.b2_advisor.clone()), None])
        .collect();

    for cred in w.attackers.iter().chain(&w.invalid) {
        // Valid credentials must really work, or the matrix would prove nothing.
        let me = http(&w.addr, "GET", "/v1/me", &cred.auth, &[], None);
        if cred.valid {
            assert_eq!(me.status, 200, "{}: {}", cred.name, me.text());
        }

        let mut probe = |section: &str, method: &str, path: String, baseline: String| {
            let got = http(&w.addr, method, &path, &cred.auth, &[], None);
            let want = http(&w.addr, method, &baseline, &cred.auth, &[], None);
            let leaks = leaked(&got.raw, &cred.forbidden);
            let refused_ok = cred.valid || got.raw == unauthorized.raw;
            tally.record(
                section,
                got.raw == want.raw && leaks.is_empty() && refused_ok,
                || {
                    format!(
                        "[{}] {method} {path}\n  vs {method} {baseline}\n  got:  {}\n  want: {}{}{}",
                        cred.name,
                        got.text().replace("\r\n", " | "),
                        want.text().replace("\r\n", " | "),
                        if leaks.is_empty() {
                            String::new()
                        } else {
                            format!("\n  leaks: {leaks:?}")
                        },
                        if refused_ok {
                            ""
                        } else {
                            "\n  an invalid credential was not refused with the standard 401"
                        },
                    )
                },
            );
        };

        for target in &doc_targets {
            probe(
                "GET /v1/documents/{id}",
                "GET",
                format!("/v1/documents/{target}"),
                format!("/v1/documents/{}", unknown_doc()),
            );
            for advisor in &advisor_targets {
                for method in ["PUT", "DELETE"] {
                    // An unknown advisor is fresh on both sides; a known one is the same.
                    let (a, b) = match advisor {
                        Some(a) => (a.clone(), a.clone()),
                        None => (unknown_advisor(), unknown_advisor()),
                    };
                    probe(
                        "PUT|DELETE /v1/documents/{id}/shares/{advisor}",
                        method,
                        format!("/v1/documents/{target}/shares/{a}"),
                        format!("/v1/documents/{}/shares/{b}", unknown_doc()),
                    );
                }
            }
        }
        // A household the caller's own firm has, shared with A's advisors: as with nobody.
        if let Some(own) = &cred.own_doc {
            for advisor in &w.a_advisors {
                for method in ["PUT", "DELETE"] {
                    probe(
                        "PUT|DELETE own household shares/{A advisor}",
                        method,
                        format!("/v1/documents/{own}/shares/{advisor}"),
                        format!("/v1/documents/{own}/shares/{}", unknown_advisor()),
                    );
                }
            }
        }
        for advisor in &w.a_advisors {
            probe(
                "GET /v1/admin/devices?advisor={A advisor}",
                "GET",
                format!("/v1/admin/devices?advisor={advisor}"),
                format!("/v1/admin/devices?advisor={}", unknown_advisor()),
            );
        }
        for device in &w.a_devices {
            probe(
                "POST /v1/admin/devices/{A device}/revoke",
                "POST",
                format!("/v1/admin/devices/{device}/revoke"),
                format!("/v1/admin/devices/{}/revoke", unknown_device()),
            );
        }
        for target in &unparseable {
            probe(
                "POST /v1/admin/devices/{unparseable}/revoke",
                "POST",
                format!("/v1/admin/devices/{target}/revoke"),
                format!("/v1/admin/devices/{}/revoke", unknown_device()),
            );
        }
        // A decision on A's review items (and on made-up items of A's households): as on an
        // item of a household nobody has.
        let decision = |item: &str| {
            json!({ "item": item, "state": "dismissed", "comment": "not ours" }).to_string()
        };
        let fresh = format!("{}/note/x", unknown_doc());
        let targets: Vec<String> = a_items
            .iter()
            .cloned()
            .chain(w.a_docs.iter().map(|d| format!("{d}/note/x")))
            .collect();
        for item in &targets {
            let json_type = [("Content-Type", "application/json")];
            let got = http(
                &w.addr,
                "POST",
                "/v1/admin/review",
                &cred.auth,
                &json_type,
                Some(decision(item).as_bytes()),
            );
            let want = http(
                &w.addr,
                "POST",
                "/v1/admin/review",
                &cred.auth,
                &json_type,
                Some(decision(&fresh).as_bytes()),
            );
            let leaks = leaked(&got.raw, &cred.forbidden);
            tally.record(
                "POST /v1/admin/review {A item}",
                got.raw == want.raw && leaks.is_empty(),
                || {
                    format!(
                        "[{}] decision on {item}: {}\n  want: {}",
                        cred.name,
                        got.text(),
                        want.text()
                    )
                },
            );
        }
        // Lists: nothing of A.
        for path in [
            "/v1/documents",
            "/v1/advisors",
            "/v1/me",
            "/v1/admin/devices",
            "/v1/admin/review",
            "/v1/policy",
        ] {
            let got = http(&w.addr, "GET", path, &cred.auth, &[], None);
            let leaks = leaked(&got.raw, &cred.forbidden);
            let refused_ok = cred.valid || got.raw == unauthorized.raw;
            tally.record("list endpoints", leaks.is_empty() && refused_ok, || {
                format!(
                    "[{}] GET {path} shows firm A's {leaks:?} (or was not refused): {}",
                    cred.name,
                    got.text()
                )
            });
        }
        // The WebSocket upgrade: refused exactly like every other credential failure.
        if !cred.valid {
            for auth in [cred.auth.clone(), swap_auth_mode(&cred.auth)] {
                let got = ws_upgrade_raw(&w.addr, &auth);
                tally.record("WS upgrade refused", got.raw == unauthorized.raw, || {
                    format!(
                        "[{}] WebSocket upgrade with {auth:?}: {}\n  want: {}",
                        cred.name,
                        got.text(),
                        unauthorized.text()
                    )
                });
            }
        }
    }

    tally.print("REST");
    w.assert_a_unchanged(&before);
    assert_denials_counted(&w.addr, &denials_before);
    tally.check("REST", 1000);
}

fn swap_auth_mode(auth: &Auth) -> Auth {
    match auth {
        Auth::None => Auth::Query(String::new()),
        Auth::Bearer(t) => Auth::Query(t.clone()),
        Auth::Query(t) => Auth::Bearer(t.clone()),
    }
}

// ---------------------------------------------------------------------------------------------
// WebSocket matrix

type Ws = tungstenite::WebSocket<TcpStream>;

fn ws_connect(addr: &str, auth: &Auth) -> Ws {
    let mut request = format!("ws://{addr}{}", with_token("/sync", auth))
        .into_client_request()
        .unwrap();
    if let Auth::Bearer(t) = auth {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {t}").parse().unwrap());
    }
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    stream.set_nodelay(true).unwrap();
    let (ws, _) = tungstenite::client(request, stream)
        .unwrap_or_else(|e| panic!("WebSocket upgrade with {auth:?} failed: {e}"));
    ws
}

fn send(ws: &mut Ws, frame: Vec<u8>) {
    ws.send(tungstenite::Message::binary(frame)).unwrap();
}

/// The next frame; `Err(reason)` once the relay closed the socket.
fn next_frame(ws: &mut Ws, what: &str) -> Result<Vec<u8>, String> {
    loop {
        match ws.read() {
            Ok(tungstenite::Message::Binary(b)) => return Ok(b.to_vec()),
            Ok(tungstenite::Message::Text(t)) => return Ok(format!("TEXT:{t}").into_bytes()),
            Ok(tungstenite::Message::Close(frame)) => {
                return Err(format!(
                    "closed {:?}",
                    frame.map(|f| (u16::from(f.code), f.reason.to_string()))
                ));
            }
            Ok(_) => continue,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!("{what}: no answer from the relay within {READ_TIMEOUT:?}")
            }
            Err(e) => return Err(format!("socket ended: {e}")),
        }
    }
}

fn empty_sync_message() -> Vec<u8> {
    Automerge::new()
        .generate_sync_message(&mut sync::State::new())
        .unwrap()
        .encode()
}

/// A sync message that carries changes: what a client that created (or rewrote) a household
/// offline sends. Deterministic (fixed actor, time 0), so both sides of a probe send the same
/// bytes.
fn changes_sync_message() -> Vec<u8> {
    let mut doc = Automerge::new().with_actor(ActorId::from(b"isolation-probe".to_vec()));
    let mut tx = doc.transaction();
    tx.put(ROOT, "schema", 1u64).unwrap();
    tx.put(ROOT, "name", "Overwritten by another tenant")
        .unwrap();
    tx.put(ROOT, "status", "client").unwrap();
    tx.commit_with(CommitOptions::default().with_time(0));
    // One round trip with an empty peer, so the next message carries the changes.
    let mut ours = sync::State::new();
    let mut peer = Automerge::new();
    let mut theirs = sync::State::new();
    let first = doc.generate_sync_message(&mut ours).unwrap();
    peer.receive_sync_message(&mut theirs, first).unwrap();
    let reply = peer.generate_sync_message(&mut theirs).unwrap();
    doc.receive_sync_message(&mut ours, reply).unwrap();
    let msg = doc.generate_sync_message(&mut ours).unwrap();
    assert!(!msg.changes.is_empty(), "the probe message carries changes");
    msg.encode()
}

/// CBOR encoding of a text string (how ids appear inside frames).
fn cbor_text(s: &str) -> Vec<u8> {
    let n = s.len();
    let mut out = match n {
        0..=23 => vec![0x60 | n as u8],
        24..=255 => vec![0x78, n as u8],
        _ => vec![0x79, (n >> 8) as u8, n as u8],
    };
    out.extend_from_slice(s.as_bytes());
    out
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    /// A document id (placeholder substituted in documentId fields).
    Doc,
    /// A storage id (in remote-subscription-change).
    Storage,
}

/// Builds a scenario's frames from (our peer id, the relay's peer id, placeholder id).
type FrameBuilder = Box<dyn Fn(&str, &str, &str) -> Vec<Vec<u8>> + Send + Sync>;

struct Scenario {
    name: &'static str,
    kind: TargetKind,
    /// Frames to send after `join`, given (our peer id, relay peer id, placeholder).
    frames: FrameBuilder,
    /// It sends a `sync` for the target: for an id the caller's namespace does not hold, the
    /// relay takes that as the start of a new document (an empty one lives only in memory).
    attempts_create: bool,
    /// One of those `sync`s carries changes: the new document is stored, so the id exists in
    /// the caller's firm's namespace from then on.
    persists: bool,
}

impl Scenario {
    fn new(name: &'static str, kind: TargetKind, frames: FrameBuilder) -> Scenario {
        // Classified from the frames themselves, so a new scenario cannot be mislabelled.
        let p = DocumentId::random().to_string();
        let syncs: Vec<Vec<u8>> = frames("probe", "relay", &p)
            .iter()
            .filter_map(|f| match message::decode(f) {
                Ok(Message::Sync { data, .. }) => Some(data),
                _ => None,
            })
            .collect();
        Scenario {
            name,
            kind,
            attempts_create: !syncs.is_empty(),
            persists: syncs
                .iter()
                .any(|d| !sync::Message::decode(d).unwrap().changes.is_empty()),
            frames,
        }
    }
}

/// The scenario's non-creating counterpart: every `sync` sent as a `request` with the same
/// payload (a `request` never creates anything).
fn syncs_as_requests(frames: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    frames
        .into_iter()
        .map(|f| match message::decode(&f) {
            Ok(Message::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            }) => message::encode(&Message::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }),
            _ => f,
        })
        .collect()
}

fn scenarios(a_storage: String) -> Vec<Scenario> {
    let empty = empty_sync_message();
    let changes = changes_sync_message();
    let placeholder_doc = |p: &str| p.parse::<DocumentId>().unwrap();
    let request = {
        let empty = empty.clone();
        move |me: &str, relay: &str, p: &str, data: Option<&[u8]>| {
            message::encode(&Message::Request {
                sender_id: me.into(),
                target_id: relay.into(),
                document_id: placeholder_doc(p),
                data: data.unwrap_or(&empty).to_vec(),
            })
        }
    };
    let sync_msg = move |me: &str, relay: &str, p: &str, data: &[u8]| {
        message::encode(&Message::Sync {
            sender_id: me.into(),
            target_id: relay.into(),
            document_id: placeholder_doc(p),
            data: data.to_vec(),
        })
    };
    let ephemeral = move |me: &str, relay: &str, p: &str| {
        message::encode(&Message::Ephemeral {
            sender_id: me.into(),
            target_id: relay.into(),
            document_id: placeholder_doc(p),
            session_id: "probe-session".into(),
            count: 1,
            data: b"cursor at 3".to_vec(),
        })
    };
    let join = |me: &str| {
        message::encode(&Message::Join {
            sender_id: me.into(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: Some(vec!["1".into()]),
        })
    };
    let leave = |me: &str| {
        message::encode(&Message::Leave {
            sender_id: me.into(),
        })
    };
    let fake_head = DocumentId::random().to_string();

    let mut out: Vec<Scenario> = Vec::new();
    macro_rules! scenario {
        ($name:expr, $kind:expr, $f:expr) => {
            out.push(Scenario::new($name, $kind, Box::new($f)))
        };
    }
    {
        let request = request.clone();
        scenario!("request", TargetKind::Doc, move |me, relay, p| vec![
            request(me, relay, p, None)
        ]);
    }
    {
        let empty = empty.clone();
        scenario!(
            "sync (empty doc)",
            TargetKind::Doc,
            move |me, relay, p| vec![sync_msg(me, relay, p, &empty)]
        );
    }
    {
        let changes = changes.clone();
        scenario!(
            "sync (with changes: create/overwrite)",
            TargetKind::Doc,
            move |me, relay, p| { vec![sync_msg(me, relay, p, &changes)] }
        );
    }
    {
        let (request, changes) = (request.clone(), changes.clone());
        scenario!(
            "request (with changes)",
            TargetKind::Doc,
            move |me, relay, p| vec![request(me, relay, p, Some(&changes))]
        );
    }
    {
        let (request, changes) = (request.clone(), changes.clone());
        scenario!(
            "sync (with changes) then request",
            TargetKind::Doc,
            move |me, relay, p| {
                vec![
                    sync_msg(me, relay, p, &changes),
                    request(me, relay, p, None),
                ]
            }
        );
    }
    {
        let (request, changes) = (request.clone(), changes.clone());
        scenario!(
            "request then sync (with changes)",
            TargetKind::Doc,
            move |me, relay, p| {
                vec![
                    request(me, relay, p, None),
                    sync_msg(me, relay, p, &changes),
                ]
            }
        );
    }
    scenario!("ephemeral", TargetKind::Doc, move |me, relay, p| vec![
        ephemeral(me, relay, p)
    ]);
    {
        let request = request.clone();
        scenario!(
            "request then ephemeral",
            TargetKind::Doc,
            move |me, relay, p| vec![request(me, relay, p, None), ephemeral(me, relay, p),]
        );
    }
    {
        let (a_storage, fake_head) = (a_storage.clone(), fake_head.clone());
        scenario!(
            "remote-heads-changed",
            TargetKind::Doc,
            move |me, relay, p| {
                let mut new_heads = BTreeMap::new();
                new_heads.insert(
                    a_storage.clone(),
                    HeadsAt {
                        heads: vec![fake_head.clone()],
                        timestamp: 1_767_225_600_000.0,
                    },
                );
                vec![message::encode(&Message::RemoteHeadsChanged {
                    sender_id: me.into(),
                    target_id: relay.into(),
                    document_id: placeholder_doc(p),
                    new_heads,
                })]
            }
        );
    }
    scenario!(
        "doc-unavailable",
        TargetKind::Doc,
        move |me, relay, p| vec![message::encode(&Message::DocUnavailable {
            sender_id: me.into(),
            target_id: relay.into(),
            document_id: placeholder_doc(p),
        })]
    );
    {
        let request = request.clone();
        scenario!(
            "request, leave, join, request",
            TargetKind::Doc,
            move |me, relay, p| {
                vec![
                    request(me, relay, p, None),
                    leave(me),
                    join(me),
                    request(me, relay, p, None),
                ]
            }
        );
    }
    for (name, add) in [
        ("remote-subscription-change add", true),
        ("remote-subscription-change remove", false),
    ] {
        scenario!(name, TargetKind::Storage, move |me, relay, p| {
            let list = Some(vec![p.to_string()]);
            vec![message::encode(&Message::RemoteSubscriptionChange {
                sender_id: me.into(),
                target_id: relay.into(),
                add: if add { list.clone() } else { None },
                remove: if add { None } else { list },
            })]
        });
    }
    out
}

/// One connection: join, then the scenario's frames with `target` in place of the placeholder
/// (with `as_requests`, its non-creating counterpart), each followed by a [`barrier`]. Returns
/// every frame received (barrier answers aside), with `target` normalised, plus how the
/// socket ended if it did.
fn run_probe(
    addr: &str,
    auth: &Auth,
    peer: &str,
    scenario: &Scenario,
    target: &str,
    canary: &str,
    as_requests: bool,
) -> Vec<Vec<u8>> {
    let what = format!("{} on {target}", scenario.name);
    let mut ws = ws_connect(addr, auth);
    send(
        &mut ws,
        message::encode(&Message::Join {
            sender_id: peer.into(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: Some(vec!["1".into()]),
        }),
    );
    let first = next_frame(&mut ws, &what).expect("the relay answers join");
    let Ok(Message::Peer {
        sender_id: relay_peer,
        ..
    }) = message::decode(&first)
    else {
        panic!("{what}: expected `peer`, got {first:?}");
    };
    let mut received = vec![first];
    let placeholder = DocumentId::random().to_string();
    // Frames are built with a placeholder (a valid id, so the codec accepts it) that is then
    // replaced by the target as sent, parseable or not.
    let substitute =
        |frame: Vec<u8>| replace_all(&frame, &cbor_text(&placeholder), &cbor_text(target));
    let mut frames = (scenario.frames)(peer, &relay_peer, &placeholder);
    if as_requests {
        frames = syncs_as_requests(frames);
    }
    // Frames are sent one at a time, each followed by a barrier, so that every answer is
    // recorded right after the frame that caused it. (Without the steps, the order of answers
    // would be timing: a document the caller's namespace holds — such as one an earlier probe
    // created — is answered at once while resident, but loaded asynchronously otherwise.)
    for frame in frames {
        let leave = matches!(message::decode(&frame), Ok(Message::Leave { .. }));
        send(&mut ws, substitute(frame));
        // After `leave` the socket has no peer to answer a barrier; the next frame rejoins.
        if !leave
            && !barrier(
                &mut ws,
                addr,
                auth,
                peer,
                &relay_peer,
                scenario.kind,
                &substitute(message::encode(&Message::Request {
                    sender_id: format!("{peer}-barrier"),
                    target_id: relay_peer.clone(),
                    document_id: placeholder.parse().unwrap(),
                    data: empty_sync_message(),
                })),
                canary,
                &what,
                &mut received,
            )
        {
            break;
        }
    }
    let _ = ws.close(None);
    while ws.read().is_ok() {}
    // Normalise the only field that legitimately differs: the document id itself (as sent, and
    // in its bare form for `automerge:` URLs). Storage ids are never echoed, so not normalised.
    let marker = b"\xff<TARGET>\xff";
    let mut forms = Vec::new();
    if scenario.kind == TargetKind::Doc {
        forms.push(target.to_string());
        if let Some(bare) = target.strip_prefix("automerge:") {
            forms.push(bare.to_string());
        }
    }
    received
        .into_iter()
        .map(|f| {
            forms
                .iter()
                .fold(f, |f, form| replace_all(&f, &cbor_text(form), marker))
        })
        .collect()
}

/// Waits until every answer to the frames sent so far on `ws` has arrived, recording them.
/// A request for an id nobody has (the canary) is answered as soon as the relay reaches it,
/// but a document the caller's namespace holds is loaded asynchronously, so its answers may
/// come later. Hence: the canary (every frame before it has been handled), then `request` (a
/// request for the target, by the peer `{peer}-barrier`) on a second socket of the same
/// identity — it queues behind any load of that document, so once it is answered every answer
/// to `ws` has been sent — then the canary again. Canary answers are not recorded. `false` if
/// the relay closed the socket.
#[allow(clippy::too_many_arguments)]
fn barrier(
    ws: &mut Ws,
    addr: &str,
    auth: &Auth,
    peer: &str,
    relay_peer: &str,
    kind: TargetKind,
    request: &[u8],
    canary: &str,
    what: &str,
    received: &mut Vec<Vec<u8>>,
) -> bool {
    if !until_canary(ws, peer, relay_peer, canary, what, received) {
        return false;
    }
    if kind != TargetKind::Doc {
        // Storage ids are never loaded.
        return true;
    }
    let mut second = ws_connect(addr, auth);
    send(
        &mut second,
        message::encode(&Message::Join {
            sender_id: format!("{peer}-barrier"),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: Some(vec!["1".into()]),
        }),
    );
    let joined = next_frame(&mut second, what).expect("the relay answers join");
    assert!(
        matches!(message::decode(&joined), Ok(Message::Peer { .. })),
        "{what}: expected `peer`, got {joined:?}"
    );
    send(&mut second, request.to_vec());
    // Its first answer about the target (`sync`, or `doc-unavailable`).
    loop {
        let frame = next_frame(&mut second, what).expect("the barrier socket stays open");
        if matches!(
            message::decode(&frame),
            Ok(Message::Sync { .. } | Message::DocUnavailable { .. })
        ) || message::decode(&frame).is_err()
        {
            break;
        }
    }
    let _ = second.close(None);
    while second.read().is_ok() {}
    until_canary(ws, peer, relay_peer, canary, what, received)
}

/// Sends a request for the canary (an id nobody has) and records every frame up to its
/// answer, except the canary's own answers. `false` if the relay closed the socket.
fn until_canary(
    ws: &mut Ws,
    peer: &str,
    relay_peer: &str,
    canary: &str,
    what: &str,
    received: &mut Vec<Vec<u8>>,
) -> bool {
    send(
        ws,
        message::encode(&Message::Request {
            sender_id: peer.into(),
            target_id: relay_peer.into(),
            document_id: canary.parse().unwrap(),
            data: empty_sync_message(),
        }),
    );
    loop {
        match next_frame(ws, what) {
            Ok(frame) => match message::decode(&frame) {
                Ok(Message::DocUnavailable {
                    ref document_id, ..
                }) if document_id.to_string() == canary => return true,
                Ok(Message::Sync {
                    ref document_id, ..
                }) if document_id.to_string() == canary => {}
                _ => received.push(frame),
            },
            Err(end) => {
                received.push(format!("END: {end}").into_bytes());
                return false;
            }
        }
    }
}

/// A readable account of received frames (the normalised target shown as `<TARGET>`, sync
/// payloads summarised).
fn describe(frames: &[Vec<u8>]) -> String {
    static SHOWN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let shown = SHOWN.get_or_init(unknown_doc);
    frames
        .iter()
        .map(|f| {
            let f = replace_all(f, b"\xff<TARGET>\xff", &cbor_text(shown));
            let line = match message::decode(&f) {
                Ok(Message::Peer { .. }) => "peer".to_string(),
                Ok(Message::Sync {
                    document_id, data, ..
                }) => match sync::Message::decode(&data) {
                    Ok(m) => format!(
                        "sync {document_id} heads={:?} changes={}",
                        m.heads,
                        m.changes.len()
                    ),
                    Err(_) => format!("sync {document_id} (unreadable data)"),
                },
                Ok(Message::DocUnavailable { document_id, .. }) => {
                    format!("doc-unavailable {document_id}")
                }
                Ok(other) => format!("{other:?}"),
                Err(_) => format!("{:?}", String::from_utf8_lossy(&f)),
            };
            line.replace(shown.as_str(), "<TARGET>")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// An A socket that keeps A's households open for the whole run: whatever a probe did must
/// not reach it.
struct Watcher {
    ws: Ws,
    peer: String,
    relay_peer: String,
}

impl Watcher {
    fn open(addr: &str, token: &str, peer: &str, docs: &[String]) -> Watcher {
        let mut ws = ws_connect(addr, &Auth::Bearer(token.into()));
        send(
            &mut ws,
            message::encode(&Message::Join {
                sender_id: peer.into(),
                peer_metadata: PeerMetadata::default(),
                supported_protocol_versions: Some(vec!["1".into()]),
            }),
        );
        let first = next_frame(&mut ws, "watcher join").unwrap();
        let Ok(Message::Peer { sender_id, .. }) = message::decode(&first) else {
            panic!("watcher: expected peer");
        };
        let mut w = Watcher {
            ws,
            peer: peer.into(),
            relay_peer: sender_id,
        };
        for d in docs {
            send(
                &mut w.ws,
                message::encode(&Message::Request {
                    sender_id: w.peer.clone(),
                    target_id: w.relay_peer.clone(),
                    document_id: d.parse().unwrap(),
                    data: empty_sync_message(),
                }),
            );
        }
        // Stored documents load asynchronously: wait for each one's answer, then a barrier.
        let mut pending: Vec<&String> = docs.iter().collect();
        while !pending.is_empty() {
            let frame = next_frame(&mut w.ws, "watcher").expect("watcher socket stays open");
            match message::decode(&frame) {
                Ok(Message::Sync { document_id, .. }) => {
                    pending.retain(|d| **d != document_id.to_string())
                }
                other => panic!("watcher {peer}: unexpected {other:?}"),
            }
        }
        let rest = w.drain();
        assert!(rest.is_empty(), "watcher {peer}: {}", describe(&rest));
        w
    }

    /// Every frame up to a barrier.
    fn drain(&mut self) -> Vec<Vec<u8>> {
        let canary = unknown_doc();
        send(
            &mut self.ws,
            message::encode(&Message::Request {
                sender_id: self.peer.clone(),
                target_id: self.relay_peer.clone(),
                document_id: canary.parse().unwrap(),
                data: empty_sync_message(),
            }),
        );
        let mut out = Vec::new();
        loop {
            let frame = next_frame(&mut self.ws, "watcher").expect("watcher socket stays open");
            if matches!(message::decode(&frame),
                Ok(Message::DocUnavailable { ref document_id, .. }) if document_id.to_string() == canary)
            {
                return out;
            }
            if matches!(message::decode(&frame),
                Ok(Message::Sync { ref document_id, .. }) if document_id.to_string() == canary)
            {
                continue;
            }
            out.push(frame);
        }
    }
}

/// Firm A's documents as the relay serves them to their owners, fully synced.
fn fetch_documents(addr: &str, token: &str, docs: &[String]) -> Vec<Automerge> {
    let mut ws = ws_connect(addr, &Auth::Bearer(token.into()));
    let peer = format!("fetch-{}", random_b64(6));
    send(
        &mut ws,
        message::encode(&Message::Join {
            sender_id: peer.clone(),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: Some(vec!["1".into()]),
        }),
    );
    let first = next_frame(&mut ws, "fetch join").unwrap();
    let Ok(Message::Peer {
        sender_id: relay, ..
    }) = message::decode(&first)
    else {
        panic!("fetch: expected peer, got {first:?}");
    };
    let mut out = Vec::new();
    for d in docs {
        let id: DocumentId = d.parse().unwrap();
        let mut doc = Automerge::new();
        let mut state = sync::State::new();
        let msg = doc.generate_sync_message(&mut state).unwrap();
        send(
            &mut ws,
            message::encode(&Message::Request {
                sender_id: peer.clone(),
                target_id: relay.clone(),
                document_id: id,
                data: msg.encode(),
            }),
        );
        // The first answer comes after an asynchronous load; then the document is resident
        // and every answer precedes a barrier's.
        let mut first = true;
        loop {
            let canary = unknown_doc();
            if !first {
                send(
                    &mut ws,
                    message::encode(&Message::Request {
                        sender_id: peer.clone(),
                        target_id: relay.clone(),
                        document_id: canary.parse().unwrap(),
                        data: empty_sync_message(),
                    }),
                );
            }
            let mut sent = false;
            loop {
                let frame = next_frame(&mut ws, "fetch").expect("fetch socket stays open");
                match message::decode(&frame) {
                    Ok(Message::Sync {
                        document_id, data, ..
                    }) if document_id == id => {
                        doc.receive_sync_message(&mut state, sync::Message::decode(&data).unwrap())
                            .unwrap();
                        if let Some(m) = doc.generate_sync_message(&mut state) {
                            send(
                                &mut ws,
                                message::encode(&Message::Sync {
                                    sender_id: peer.clone(),
                                    target_id: relay.clone(),
                                    document_id: id,
                                    data: m.encode(),
                                }),
                            );
                            sent = true;
                        }
                        if first {
                            break;
                        }
                    }
                    Ok(Message::DocUnavailable { document_id, .. })
                        if !first && document_id.to_string() == canary =>
                    {
                        break;
                    }
                    Ok(Message::Sync { document_id, .. })
                        if !first && document_id.to_string() == canary => {}
                    other => panic!("fetch {d}: unexpected {other:?}"),
                }
            }
            if !first && !sent {
                break;
            }
            first = false;
        }
        assert!(!doc.get_heads().is_empty(), "fetch {d}: nothing received");
        out.push(doc);
    }
    let _ = ws.close(None);
    while ws.read().is_ok() {}
    out
}

/// Byte strings that identify firm A's documents: every change hash and actor (raw and hex).
fn fingerprints(docs: &[Automerge]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for doc in docs {
        for change in doc.get_changes(&[]) {
            let hash = change.hash();
            out.push(hash.0.to_vec());
            out.push(hash.to_string().into_bytes());
        }
        for actor in doc.get_changes(&[]).iter().map(|c| c.actor_id().clone()) {
            out.push(actor.to_bytes().to_vec());
            out.push(actor.to_hex_string().into_bytes());
        }
    }
    out.sort();
    out.dedup();
    out
}

fn leaked_bytes(haystack: &[u8], forbidden: &[Vec<u8>]) -> usize {
    forbidden
        .iter()
        .filter(|s| hearth_e2e::contains(haystack, s))
        .count()
}

/// `hearth_relay_denials_total` by reason, from the relay's `GET /metrics`.
fn denials(addr: &str) -> BTreeMap<String, f64> {
    let r = http(addr, "GET", "/metrics", &Auth::None, &[], None);
    assert_eq!(r.status, 200, "GET /metrics: {}", r.text());
    let text = r.text();
    let body = text.split_once("\r\n\r\n").unwrap().1.to_string();
    let mut out = BTreeMap::new();
    for line in body.lines() {
        let Some(rest) = line.strip_prefix("hearth_relay_denials_total{") else {
            continue;
        };
        let (labels, value) = rest
            .split_once("} ")
            .unwrap_or_else(|| panic!("metrics: unreadable line {line:?}"));
        let reason = labels
            .split(',')
            .find_map(|l| l.strip_prefix("reason=\""))
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or_else(|| panic!("metrics: no reason in {line:?}"));
        let value: f64 = value
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("metrics: unreadable value in {line:?}"));
        *out.entry(reason.to_string()).or_default() += value;
    }
    out
}

/// The requirement: denials are visible to the operator by reason. Cross-firm ids are
/// unknown ids in the caller's namespace, so no `other_firm` reason exists.
fn assert_denials_counted(addr: &str, before: &BTreeMap<String, f64>) {
    let after = denials(addr);
    println!("denials by reason: {after:?}");
    for reason in ["not_shared", "unauthorized"] {
        let n = after.get(reason).copied().unwrap_or(0.0);
        let was = before.get(reason).copied().unwrap_or(0.0);
        assert!(
            n > 0.0 && n > was,
            "GET /metrics: hearth_relay_denials_total{{reason=\"{reason}\"}} is {n} (was {was} \
             before the probes); all: {after:?}"
        );
    }
    assert!(
        !after.contains_key("other_firm"),
        "GET /metrics: an `other_firm` denial reason exists, but another firm's id must be \
         nothing but an unknown id: {after:?}"
    );
}

/// A target of the WebSocket matrix: one of A's ids (or A's storage id) in some form, and the
/// same form of the ids it is compared with.
struct Target {
    /// As sent.
    id: String,
    /// The same form of this A id's twin: a fixed random id that receives exactly the same
    /// probes, in the same order, with the same credentials.
    twin: String,
    /// The same form of a real household of firm B (for a firm-A identity: another firm's id).
    other_firm: String,
    /// How the form is made from a bare id (for a fresh random id per probe).
    form: IdForm,
    /// The A document it names, when it parses as one (it may then be created, or refused).
    names: Option<String>,
}

/// One form of an id, made from the bare id.
type IdForm = fn(&str) -> String;

/// The forms a document id is probed in: as is, as an `automerge:` URL, and unparseable
/// derivations. `true` when the form parses as the document.
fn id_forms() -> Vec<(bool, IdForm)> {
    vec![
        (true, |id| id.to_string()),
        (true, |id| format!("automerge:{id}")),
        (false, |id| format!("{id}x")),
        (false, |id| id[..id.len() - 1].to_string()),
        (false, |id| id.to_lowercase()),
        (false, |_| "not-a-document-id".to_string()),
    ]
}

/// How one WebSocket probe on one of A's ids is judged.
enum Judged {
    /// Compared with its twin (and, while the id cannot exist in the caller's namespace yet,
    /// with a fresh unknown id).
    Twin { fresh_compared: bool },
    /// A same-firm creation attempt on an existing but unshared household: compared with the
    /// non-creating counterpart on another firm's id (the accepted residual; see the test).
    Refused,
}

/// Tenant isolation on the WebSocket, with twin ids (see the module docs for the method and
/// the one accepted same-firm residual). The probes of one firm's credentials run in one
/// thread, in order (they share a namespace, so their order must be the same for X and its
/// twin); the two namespaces probed (B's and A's) run in parallel.
#[test]
fn websocket_answers_about_another_tenant_are_those_for_unknown_ids() {
    let w = World::new();
    let before = w.a_snapshot();
    let denials_before = denials(&w.addr);
    let mut tally = Tally::default();
    let a_storage = format!("hearth-relay-{}", w.firm_a);
    let scenarios = scenarios(a_storage.clone());
    assert!(
        scenarios.iter().any(|s| s.persists) && scenarios.iter().any(|s| !s.attempts_create),
        "the matrix has creating and non-creating scenarios"
    );

    // What A's documents are, byte for byte, before the probes.
    let mut a_docs_now = fetch_documents(&w.addr, &w.a1_api, &w.a_docs[..2]);
    a_docs_now.extend(fetch_documents(&w.addr, &w.a2_api, &w.a_docs[2..]));
    let a_heads: Vec<_> = a_docs_now.iter().map(|d| d.get_heads()).collect();
    let a_bytes = fingerprints(&a_docs_now);
    assert!(a_bytes.len() >= 12, "A's change hashes and actors");

    // Control: the comparison can see a difference (the owner does get its household).
    let canary = unknown_doc();
    let owner = Auth::Bearer(w.a1_api.clone());
    assert_eq!(scenarios[0].name, "request");
    let control = |id: &str| {
        run_probe(
            &w.addr,
            &owner,
            "control",
            &scenarios[0],
            id,
            &canary,
            false,
        )
    };
    let seen = control(&w.a_docs[0]);
    assert_ne!(
        seen,
        control(&unknown_doc()),
        "the owner's request is answered with the household"
    );
    assert!(
        leaked_bytes(&seen.concat(), &a_bytes) > 0,
        "the fingerprints of A's documents are recognised in an answer that carries them"
    );

    let mut watchers = vec![
        Watcher::open(&w.addr, &w.a1_api, "watcher-alice", &w.a_docs[..2]),
        Watcher::open(&w.addr, &w.a2_api, "watcher-arthur", &w.a_docs[..1]),
        Watcher::open(&w.addr, &w.a2_api, "watcher-arthur-2", &w.a_docs[2..]),
    ];

    // Each of A's ids as is and as a URL; the first also in every unparseable form. Twins
    // are fixed for the run.
    let mut doc_targets: Vec<Target> = Vec::new();
    for (i, a) in w.a_docs.iter().enumerate() {
        let twin = unknown_doc();
        let forms = id_forms();
        for &(parses, form) in if i == 0 { &forms[..] } else { &forms[..2] } {
            doc_targets.push(Target {
                id: form(a),
                twin: form(&twin),
                other_firm: form(&w.b_doc),
                form,
                names: parses.then(|| a.clone()),
            });
        }
    }
    // Storage ids (remote-subscription-change): A's, and an unknown one.
    let storage_form: IdForm = |id| format!("hearth-relay-firm_{id}");
    let storage_targets: Vec<Target> = [a_storage.clone(), storage_form(&random_b64(12))]
        .into_iter()
        .map(|id| Target {
            id,
            twin: storage_form(&random_b64(12)),
            other_firm: storage_form(&random_b64(12)),
            form: storage_form,
            names: None,
        })
        .collect();

    // One thread per namespace probed: firm B's credentials in order in one, firm A's
    // unshared advisor's in the other. Peer ids are unique per probe (the same on the compared
    // sides).
    type Outcome = (String, bool, Judged, String);
    let groups: Vec<Vec<(usize, &Cred)>> = [false, true]
        .into_iter()
        .map(|same| {
            w.attackers
                .iter()
                .enumerate()
                .filter(|(_, c)| c.same_firm == same)
                .collect()
        })
        .collect();
    let results: Vec<Vec<Outcome>> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|creds| {
                let (w, scenarios, doc_targets, storage_targets, canary, a_bytes) = (
                    &w,
                    &scenarios,
                    &doc_targets,
                    &storage_targets,
                    &canary,
                    &a_bytes,
                );
                scope.spawn(move || {
                    let mut out: Vec<Outcome> = Vec::new();
                    // A's ids a probe of this namespace may have created a document under.
                    let mut maybe_created = std::collections::BTreeSet::new();
                    let mut n = 0usize;
                    for &(c, cred) in creds {
                        for scenario in scenarios {
                            let targets = match scenario.kind {
                                TargetKind::Doc => doc_targets,
                                TargetKind::Storage => storage_targets,
                            };
                            for target in targets {
                                n += 1;
                                let peer = format!("probe-{c}-{n:05}");
                                let run = |id: &str, as_requests: bool| {
                                    run_probe(
                                        &w.addr,
                                        &cred.auth,
                                        &peer,
                                        scenario,
                                        id,
                                        canary,
                                        as_requests,
                                    )
                                };
                                let refused = cred.same_firm
                                    && scenario.attempts_create
                                    && target.names.is_some();
                                let mut compared: Vec<(&str, String, Vec<Vec<u8>>)> = Vec::new();
                                let got;
                                let judged;
                                if refused {
                                    got = run(&target.id, false);
                                    compared.push((
                                        "non-creating counterpart on another firm's id",
                                        target.other_firm.clone(),
                                        run(&target.other_firm, true),
                                    ));
                                    judged = Judged::Refused;
                                } else {
                                    let fresh_valid = target
                                        .names
                                        .as_ref()
                                        .is_none_or(|a| !maybe_created.contains(a));
                                    compared.push(("twin", target.twin.clone(), run(&target.twin, false)));
                                    got = run(&target.id, false);
                                    if fresh_valid {
                                        let fresh = (target.form)(&unknown_doc());
                                        let want = run(&fresh, false);
                                        compared.push(("fresh unknown id", fresh, want));
                                    }
                                    if scenario.persists && !cred.same_firm {
                                        maybe_created.extend(target.names.clone());
                                    }
                                    judged = Judged::Twin {
                                        fresh_compared: fresh_valid,
                                    };
                                }
                                let all = got.concat();
                                let leaks = leaked(&all, &cred.forbidden);
                                let leaked_a = leaked_bytes(&all, a_bytes);
                                let differ: Vec<_> =
                                    compared.iter().filter(|(_, _, want)| *want != got).collect();
                                let ok = differ.is_empty() && leaks.is_empty() && leaked_a == 0;
                                let section = format!(
                                    "{} [{}]",
                                    scenario.name,
                                    match (&judged, cred.same_firm) {
                                        (Judged::Refused, _) => "same-firm, refused creation",
                                        (_, true) => "same-firm",
                                        (_, false) => "cross-firm",
                                    }
                                );
                                let detail = if ok {
                                    String::new()
                                } else {
                                    let mut d = format!(
                                        "[{}] {} on {}\n  got:  {}",
                                        cred.name,
                                        scenario.name,
                                        target.id,
                                        describe(&got),
                                    );
                                    for (what, id, want) in differ {
                                        d.push_str(&format!(
                                            "\n  want ({what} {id}): {}\n  got bytes:  {}\n  want bytes: {}",
                                            describe(want),
                                            hex(&got),
                                            hex(want),
                                        ));
                                    }
                                    if !leaks.is_empty() {
                                        d.push_str(&format!("\n  leaks: {leaks:?}"));
                                    }
                                    if leaked_a > 0 {
                                        d.push_str(&format!(
                                            "\n  leaks {leaked_a} change hashes/actors of A's documents"
                                        ));
                                    }
                                    d
                                };
                                out.push((section, ok, judged, detail));
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (mut twin_compared, mut fresh_compared, mut refused) = (0usize, 0usize, 0usize);
    for (section, ok, judged, detail) in results.into_iter().flatten() {
        match judged {
            Judged::Twin { fresh_compared: f } => {
                twin_compared += 1;
                fresh_compared += usize::from(f);
            }
            Judged::Refused => refused += 1,
        }
        tally.record(&section, ok, || detail);
    }

    // Invalid credentials never get a socket: every upgrade is the standard refusal.
    let unauthorized = http(&w.addr, "GET", "/v1/me", &Auth::None, &[], None);
    assert_eq!(unauthorized.status, 401, "{}", unauthorized.text());
    for cred in &w.invalid {
        for auth in [cred.auth.clone(), swap_auth_mode(&cred.auth)] {
            let got = ws_upgrade_raw(&w.addr, &auth);
            tally.record("WS upgrade refused", got.raw == unauthorized.raw, || {
                format!(
                    "[{}] WebSocket upgrade with {auth:?}: {}\n  want: {}",
                    cred.name,
                    got.text(),
                    unauthorized.text()
                )
            });
        }
    }

    for watcher in &mut watchers {
        let extra = watcher.drain();
        tally.record(
            "A's open sockets received nothing",
            extra.is_empty(),
            || {
                format!(
                    "{} received frames caused by probes: {}",
                    watcher.peer,
                    describe(&extra)
                )
            },
        );
    }
    drop(watchers);
    // A's documents as the relay serves them: the same heads as before.
    let mut a_docs_after = fetch_documents(&w.addr, &w.a1_api, &w.a_docs[..2]);
    a_docs_after.extend(fetch_documents(&w.addr, &w.a2_api, &w.a_docs[2..]));
    for (i, doc) in a_docs_after.iter().enumerate() {
        tally.record(
            "A's documents unchanged on the relay",
            doc.get_heads() == a_heads[i],
            || {
                format!(
                    "{}: heads {:?}, before {:?}",
                    w.a_docs[i],
                    doc.get_heads(),
                    a_heads[i]
                )
            },
        );
    }

    tally.print("WebSocket");
    println!(
        "  of which compared with the twin: {twin_compared} (also with a fresh unknown id: \
         {fresh_compared}); same-firm creation attempts refused: {refused}"
    );
    w.assert_a_unchanged(&before);
    assert_denials_counted(&w.addr, &denials_before);
    tally.check("WebSocket", 700);
    assert!(
        twin_compared >= 600 && fresh_compared >= 350 && refused >= 48,
        "the matrix shrank: {twin_compared} twin, {fresh_compared} fresh, {refused} refused"
    );
}

fn hex(frames: &[Vec<u8>]) -> String {
    frames
        .iter()
        .map(|f| f.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}
