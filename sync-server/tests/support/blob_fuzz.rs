//! The HTTP fuzzer for the blob endpoints (`PUT`/`GET /v1/documents/{doc}/blobs/{sha256}`,
//! `GET /v1/documents/{doc}/blobs`), shared by the long run (`examples/fuzz_blobs.rs`) and
//! the replay of the committed corpus in `cargo test` (`tests/blob_corpus.rs`).
//!
//! The target is a real relay (the library's router behind `listener::serve`, on SQLite in a
//! temporary directory) on a loopback port, with two firms: A (advisors a1, who owns household
//! DA, and a2, with whom it is not shared) and B (advisor b1, who owns DB). Requests are sent
//! as raw bytes over TCP, one connection each, with the write side shut after the request so
//! a request that promises more body than it sends ends instead of waiting for its deadline.
//!
//! Every request is checked against what must always hold: an HTTP response comes back (no
//! hang, no dropped connection without one, except for bytes that are not HTTP at all), never
//! a `500`, and nothing panics. A request that was not mutated is also checked against a model
//! of what is stored: the wrong credentials get `401`; a household out of the caller's scope
//! answers `404` exactly as one that does not exist; an upload within the limits is stored and
//! comes back byte for byte; a hash mismatch is `400`; an oversized body `413`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hearth_core::DocumentId;
use hearth_relay::config::Config;
use hearth_relay::service::Relay;
use hearth_relay_store::DocumentMeta;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "../../../crates/hearth-wire/tests/support/mutate.rs"]
pub mod mutate;

use mutate::{Rng, garbage, mutate};

/// The largest blob the target accepts (small, so `413` is reachable often).
pub const MAX_BLOB_BYTES: usize = 4096;
/// The firms' blob quota (small, so the quota is reachable too).
pub const FIRM_BLOB_QUOTA: u64 = 64 * 1024;
/// How long one request may take before it counts as a hang.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(15);

/// Placeholders the corpus uses for what differs from one target to the next.
const PLACEHOLDERS: [&str; 5] = [
    "{TOKEN_A1}",
    "{TOKEN_A2}",
    "{TOKEN_B1}",
    "{DOC_A}",
    "{DOC_B}",
];

/// Who sends a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Firm A's advisor who owns DA.
    A1,
    /// Firm A's advisor DA is not shared with.
    A2,
    /// Firm B's advisor who owns DB.
    B1,
    /// No `Authorization` header.
    Nobody,
    /// A bearer token that is not one.
    Forged,
}

const CALLERS: [Caller; 5] = [
    Caller::A1,
    Caller::A2,
    Caller::B1,
    Caller::Nobody,
    Caller::Forged,
];

/// A running relay with two firms, their tokens and households.
pub struct Target {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The relay (for its store, to check what was kept).
    pub relay: Arc<Relay>,
    /// a1, a2, b1's API tokens.
    pub tokens: [String; 3],
    /// DA (firm A, a1's) and DB (firm B, b1's).
    pub docs: [String; 2],
    /// Firm A's and firm B's ids.
    pub firms: [String; 2],
    _dir: tempfile::TempDir,
}

impl Target {
    /// Starts the relay and sets up both firms.
    pub async fn start() -> Target {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            database: format!("sqlite://{}", dir.path().join("relay.db").display()),
            master_key: Some(
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f".into(),
            ),
            ..Config::default()
        };
        config.limits.max_blob_bytes = MAX_BLOB_BYTES;
        config.limits.firm_max_blob_bytes = FIRM_BLOB_QUOTA;
        config.archive.enabled = false;
        let relay = Relay::open(config).await.expect("relay opens");
        let a = relay.create_firm("Firm A").await.expect("firm A");
        let b = relay.create_firm("Firm B").await.expect("firm B");
        let mut tokens = Vec::new();
        let mut advisors = Vec::new();
        for (firm, name) in [(&a.id, "a1"), (&a.id, "a2"), (&b.id, "b1")] {
            let (advisor, _) = relay
                .invite_advisor(firm, name, false, "fuzzer")
                .await
                .expect("advisor");
            let (_, secret) = relay
                .issue_api_token(&advisor.id, "fuzz", "fuzzer")
                .await
                .expect("token");
            tokens.push(secret);
            advisors.push(advisor);
        }
        let mut docs = Vec::new();
        for (firm, owner) in [(&a.id, &advisors[0].id), (&b.id, &advisors[2].id)] {
            let doc = DocumentId::random().to_string();
            let key = relay.firm_key(firm).await.expect("firm key");
            let chunk = key
                .seal(b"household", &hearth_seal::document_aad(firm, &doc))
                .expect("seal");
            let meta = DocumentMeta {
                doc_id: hearth_relay::scope::store_key(firm, &doc),
                firm_id: firm.to_string(),
                owner_id: owner.clone(),
                created_at: 0,
                updated_at: 0,
            };
            relay
                .store
                .create_document(&meta, &[chunk])
                .await
                .expect("household stored");
            relay
                .scope
                .write()
                .expect("scope")
                .insert(&doc, firm, owner);
            docs.push(doc);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let deadlines = hearth_relay::listener::Deadlines {
            handshake: Duration::from_secs(5),
            headers: Duration::from_secs(5),
            request: Duration::from_secs(10),
            drain: Duration::from_secs(1),
        };
        let app = hearth_relay::http::router(relay.clone());
        tokio::spawn(hearth_relay::listener::serve(
            listener,
            app,
            None,
            deadlines,
            std::future::pending(),
        ));
        Target {
            addr,
            relay,
            tokens: [tokens[0].clone(), tokens[1].clone(), tokens[2].clone()],
            docs: [docs[0].clone(), docs[1].clone()],
            firms: [a.id.clone(), b.id.clone()],
            _dir: dir,
        }
    }

    /// The values of [`PLACEHOLDERS`] for this target.
    fn values(&self) -> [&str; 5] {
        [
            &self.tokens[0],
            &self.tokens[1],
            &self.tokens[2],
            &self.docs[0],
            &self.docs[1],
        ]
    }

    /// A corpus request with this target's tokens and households put in.
    pub fn instantiate(&self, template: &[u8]) -> Vec<u8> {
        replace_all(template, &PLACEHOLDERS, &self.values())
    }

    /// A request with this target's tokens and households replaced by placeholders.
    pub fn templatize(&self, request: &[u8]) -> Vec<u8> {
        replace_all(request, &self.values(), &PLACEHOLDERS)
    }
}

fn replace_all(bytes: &[u8], from: &[&str], to: &[&str]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for (f, t) in from.iter().zip(to) {
        let (f, t) = (f.as_bytes(), t.as_bytes());
        let mut next = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out[i..].starts_with(f) {
                next.extend_from_slice(t);
                i += f.len();
            } else {
                next.push(out[i]);
                i += 1;
            }
        }
        out = next;
    }
    out
}

/// A request built from parts, so its answer can be predicted.
#[derive(Clone, Debug)]
pub struct Planned {
    pub method: &'static str,
    pub caller: Caller,
    /// 0 = DA, 1 = DB, 2 = an id nobody has, 3 = not an id at all.
    pub doc: usize,
    /// `None`: the list endpoint.
    pub sha: Option<Sha>,
    pub body: Vec<u8>,
    pub length: Length,
}

/// The hash in the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sha {
    /// The body's own SHA-256.
    OfBody,
    /// Another body's: a mismatch on upload.
    Other(String),
    /// Upper-case hex of the body's (the relay wants lower case).
    Upper,
    /// Not 64 hex digits.
    Malformed(String),
}

/// How the body's length is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    Exact,
    Chunked,
    /// More than is sent (the write side closes first).
    Longer,
    /// Less than is sent.
    Shorter,
    Missing,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

impl Planned {
    /// A random plan.
    pub fn random(rng: &mut Rng, known: &[Vec<u8>]) -> Planned {
        let method = ["GET", "PUT", "PUT", "POST", "DELETE", "HEAD"][rng.below(6)];
        let caller = CALLERS[rng.below(CALLERS.len())];
        let doc = [0, 0, 1, 1, 2, 3][rng.below(6)];
        let size = match rng.below(5) {
            0 => 0,
            1 => rng.below(64),
            2 => rng.below(MAX_BLOB_BYTES),
            3 => MAX_BLOB_BYTES + rng.below(2),
            _ => MAX_BLOB_BYTES + 1 + rng.below(4 * MAX_BLOB_BYTES),
        };
        // Often a body already uploaded, so GETs find something.
        let body = if !known.is_empty() && rng.below(2) == 0 {
            known[rng.below(known.len())].clone()
        } else {
            garbage(rng, size)
        };
        let sha = match rng.below(10) {
            0 => None,
            1 => Some(Sha::Other(sha256_hex(&garbage(rng, 8)))),
            2 => Some(Sha::Upper),
            3 => Some(Sha::Malformed(
                [
                    "",
                    "abc",
                    "..%2F..%2Fetc%2Fpasswd",
                    "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg",
                    "0000000000000000000000000000000000000000000000000000000000000000ff",
                ][rng.below(5)]
                .to_string(),
            )),
            _ => Some(Sha::OfBody),
        };
        let length = if method == "PUT" || method == "POST" {
            [
                Length::Exact,
                Length::Exact,
                Length::Exact,
                Length::Chunked,
                Length::Longer,
                Length::Shorter,
                Length::Missing,
            ][rng.below(7)]
        } else {
            Length::Missing
        };
        Planned {
            method,
            caller,
            doc,
            sha,
            body,
            length,
        }
    }

    fn doc_id(&self, target: &Target) -> String {
        match self.doc {
            0 | 1 => target.docs[self.doc].clone(),
            2 => "2ZJ8ikKD4yTT8CDbBDLy6CDa2ZAC".to_string(),
            _ => "not%20a%20document".to_string(),
        }
    }

    fn sha_text(&self) -> Option<String> {
        self.sha.as_ref().map(|sha| match sha {
            Sha::OfBody => sha256_hex(&self.body),
            Sha::Other(h) => h.clone(),
            Sha::Upper => sha256_hex(&self.body).to_uppercase(),
            Sha::Malformed(s) => s.clone(),
        })
    }

    /// The request's bytes.
    pub fn encode(&self, target: &Target) -> Vec<u8> {
        let path = match self.sha_text() {
            Some(sha) => format!("/v1/documents/{}/blobs/{sha}", self.doc_id(target)),
            None => format!("/v1/documents/{}/blobs", self.doc_id(target)),
        };
        let mut head = format!(
            "{} {path} HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n",
            self.method
        );
        match self.caller {
            Caller::A1 | Caller::A2 | Caller::B1 => {
                let i = match self.caller {
                    Caller::A1 => 0,
                    Caller::A2 => 1,
                    _ => 2,
                };
                head.push_str(&format!("Authorization: Bearer {}\r\n", target.tokens[i]));
            }
            Caller::Forged => head.push_str("Authorization: Bearer hrt_forged_0000000000\r\n"),
            Caller::Nobody => {}
        }
        let sends_body = self.method == "PUT" || self.method == "POST";
        let mut out;
        match (sends_body, self.length) {
            (false, _) => {
                head.push_str("\r\n");
                out = head.into_bytes();
            }
            (true, Length::Chunked) => {
                head.push_str("Transfer-Encoding: chunked\r\n\r\n");
                out = head.into_bytes();
                for chunk in self.body.chunks(1000) {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            (true, length) => {
                let declared = match length {
                    Length::Exact => Some(self.body.len()),
                    Length::Longer => Some(self.body.len() + 10),
                    Length::Shorter => Some(self.body.len().saturating_sub(1)),
                    _ => None,
                };
                if let Some(n) = declared {
                    head.push_str(&format!("Content-Length: {n}\r\n"));
                }
                head.push_str("\r\n");
                out = head.into_bytes();
                out.extend_from_slice(&self.body);
            }
        }
        out
    }

    /// The plan without its body's bytes (for messages).
    pub fn summary(&self) -> String {
        format!(
            "{} caller={:?} doc={} sha={:?} body={} bytes length={:?}",
            self.method,
            self.caller,
            self.doc,
            self.sha,
            self.body.len(),
            self.length
        )
    }

    /// Whether the relay must answer: a request it reads to the end (no body, or one declared
    /// exactly and within the limit). Otherwise it may answer early and close while body
    /// bytes are still unread, and the reset that follows can discard its answer.
    pub fn must_answer(&self) -> bool {
        let sends_body = self.method == "PUT" || self.method == "POST";
        !sends_body
            || (matches!(self.length, Length::Exact | Length::Chunked)
                && self.body.len() <= MAX_BLOB_BYTES)
    }

    /// Whether the request promises more than it sends (see [`send`]'s `half_close`).
    pub fn incomplete(&self) -> bool {
        (self.method == "PUT" || self.method == "POST") && self.length == Length::Longer
    }

    /// Whether the caller may see the household.
    fn in_scope(&self) -> bool {
        matches!((self.caller, self.doc), (Caller::A1, 0) | (Caller::B1, 1))
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why a request is a finding.
#[derive(Debug)]
pub enum Finding {
    /// No answer within [`REQUEST_DEADLINE`].
    Hang,
    /// A `500`.
    ServerError(Answer),
    /// The answer broke a rule of the model.
    Wrong(String),
}

/// Sends raw bytes and reads the whole answer. `Ok(None)`: the connection closed without an
/// HTTP response (fine for bytes that are not a request). With `half_close`, the write side
/// is shut after the request, so a request promising more than it sends ends at once (the
/// relay then drops the connection, answer or not); without it, a complete request is
/// answered before the relay closes (`Connection: close`).
pub async fn send(
    addr: SocketAddr,
    request: &[u8],
    half_close: bool,
) -> Result<Option<Answer>, Finding> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        // The relay may answer and close before reading an oversized body: a failed write is
        // not a finding, the answer decides.
        let _ = stream.write_all(request).await;
        if half_close {
            let _ = stream.shutdown().await;
        }
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw).await;
        parse(&raw)
    };
    tokio::time::timeout(REQUEST_DEADLINE, exchange)
        .await
        .map_err(|_| Finding::Hang)
}

fn parse(raw: &[u8]) -> Option<Answer> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let mut body = raw[end + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Some(Answer { status, body })
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let Some(n) = std::str::from_utf8(&raw[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
        else {
            break;
        };
        if n == 0 || raw.len() < eol + 2 + n {
            break;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + n]);
        raw = &raw[(eol + 4 + n).min(raw.len())..];
    }
    out
}

/// What an unmutated request's answer must be, given what is stored.
pub struct Model {
    /// (household, hash) → the bytes stored, when known (a mutant that was stored leaves
    /// only its hash known, learned from the store).
    pub stored: HashMap<(usize, String), Option<Vec<u8>>>,
    /// The answer for a household that does not exist, per endpoint kind (blob, list).
    pub not_found: HashMap<bool, Vec<u8>>,
}

impl Model {
    pub fn new() -> Model {
        Model {
            stored: HashMap::new(),
            not_found: HashMap::new(),
        }
    }

    /// Learns what the store holds (after a mutant may have stored something).
    pub async fn sync_from(&mut self, target: &Target) {
        for (i, doc) in target.docs.iter().enumerate() {
            let key = hearth_relay::scope::store_key(&target.firms[i], doc);
            for sha in target
                .relay
                .store
                .list_blobs(&key)
                .await
                .unwrap_or_default()
            {
                self.stored.entry((i, sha)).or_insert(None);
            }
        }
    }

    /// Checks `answer` against the plan, `used` being what the plan's firm had stored before
    /// it (the quota's use); updates the model after a stored upload.
    pub fn check(&mut self, plan: &Planned, answer: &Answer, used: u64) -> Result<(), String> {
        let status = answer.status;
        let wrong = |why: &str| Err(format!("{why}: {status} for {}", plan.summary()));
        if status == 500 {
            return wrong("server error");
        }
        if plan.sha == Some(Sha::Malformed(String::new())) {
            // `/blobs/` with nothing after it is no route at all.
            return if matches!(status, 401 | 404 | 405) {
                Ok(())
            } else {
                wrong("an empty hash was served")
            };
        }
        let blob_route = plan.sha.is_some();
        let method_routed = matches!(
            (plan.method, blob_route),
            ("GET" | "HEAD", _) | ("PUT", true)
        );
        if !method_routed {
            return if matches!(status, 404 | 405) {
                Ok(())
            } else {
                wrong("an unrouted method was answered")
            };
        }
        if plan.doc == 3 {
            // Not an id: 400 or 404, never more.
            return if matches!(status, 400 | 401 | 404) {
                Ok(())
            } else {
                wrong("a malformed household id was served")
            };
        }
        if matches!(plan.caller, Caller::Nobody | Caller::Forged) {
            return if status == 401 {
                Ok(())
            } else {
                wrong("no valid credentials but not 401")
            };
        }
        if !plan.in_scope() {
            // Out of scope looks exactly like a household nobody has (id 2 below).
            if status != 404 {
                return wrong("out of scope but not 404");
            }
            if plan.method == "GET" {
                let first = self
                    .not_found
                    .entry(blob_route)
                    .or_insert_with(|| answer.body.clone());
                if *first != answer.body {
                    return Err(format!(
                        "out-of-scope answer differs from not-found: {:?} vs {:?}",
                        String::from_utf8_lossy(&answer.body),
                        String::from_utf8_lossy(first)
                    ));
                }
            }
            return Ok(());
        }
        let sha = plan.sha_text();
        match (plan.method, sha) {
            ("GET", Some(sha)) => match self.stored.get(&(plan.doc, sha.clone())) {
                Some(Some(bytes)) if status == 200 && answer.body == *bytes => Ok(()),
                Some(None) if status == 200 && sha256_hex(&answer.body) == sha => Ok(()),
                Some(_) => wrong("a stored blob did not come back byte for byte"),
                None if matches!(status, 404 | 400) => Ok(()),
                None => wrong("a blob never stored was served"),
            },
            ("GET", None) => {
                if status != 200 {
                    return wrong("listing an own household failed");
                }
                let listed: Vec<String> = serde_json::from_slice(&answer.body)
                    .map_err(|e| format!("list is not JSON: {e}"))?;
                let expected = self.stored.keys().filter(|(d, _)| *d == plan.doc).count();
                if listed.len() != expected {
                    return wrong(&format!("listed {} blobs, {expected} stored", listed.len()));
                }
                Ok(())
            }
            ("HEAD", _) => Ok(()),
            ("PUT", Some(sha)) => {
                // What the relay reads as the body: all of it, a byte less, nothing (no length
                // and not chunked), or not a complete request at all (promised more).
                let received = match plan.length {
                    Length::Exact | Length::Chunked => Some(plan.body.len()),
                    Length::Shorter => Some(plan.body.len().saturating_sub(1)),
                    Length::Missing => Some(0),
                    Length::Longer => None,
                };
                let intact = received == Some(plan.body.len());
                let key = (plan.doc, sha.clone());
                let already = self.stored.contains_key(&key);
                let over_quota = !already && used + plan.body.len() as u64 > FIRM_BLOB_QUOTA;
                let stores = intact
                    && plan.sha == Some(Sha::OfBody)
                    && plan.body.len() <= MAX_BLOB_BYTES
                    && !over_quota;
                match status {
                    204 if stores => {
                        self.stored.insert(key, Some(plan.body.clone()));
                        Ok(())
                    }
                    204 => wrong("an upload that must fail was stored"),
                    _ if stores => wrong("a well-formed upload was refused"),
                    // Any refusal of a bad upload is right (400, 408, 413); 500 is caught above.
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

/// A raw mutation of a request's bytes (the oracle then only asks for no 500, no hang).
pub fn mutated(rng: &mut Rng, request: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = request.to_vec();
    mutate(rng, &mut bytes, seeds, 8);
    bytes
}
