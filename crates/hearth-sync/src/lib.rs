//! The desk's side of sync: enroll a profile with the firm's relay, then push and pull every
//! household the advisor can see over the automerge-repo protocol.
//!
//! The protocol logic is `hearth_wire::client::Client` (sans-I/O); this crate is the edge:
//! HTTP for enrollment and tokens, a WebSocket for sync, the profile for storage. The relay
//! credentials (relay URL, device id, the rotating refresh token) live in the profile's
//! encrypted database, never in a plain file.
#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use automerge::Automerge;
use futures_util::{SinkExt, StreamExt};
use hearth_core::DocumentId;
use hearth_profile::{Profile, ProfileError};
use hearth_wire::client::Client;
use hearth_wire::message::PeerMetadata;
use serde::{Deserialize, Serialize};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub mod witness;

const RELAY_SETTING: &str = "relay";
/// What this desk witnessed of its firm's compliance archive ([`witness`]).
const WITNESS_SETTING: &str = "relay.archive_witness";

/// Errors from enrollment and sync, phrased for the advisor.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The profile is not enrolled with a relay.
    #[error(
        "this profile is not enrolled with a relay; run `hearth enroll --relay URL --code CODE` first"
    )]
    NotEnrolled,
    /// The relay refused the credentials.
    #[error(
        "the relay refused this device's credentials ({0}); it may have been revoked — ask your firm admin for a new enrollment code"
    )]
    Unauthorized(String),
    /// The enrollment code was refused.
    #[error(
        "the relay refused the enrollment code: it is wrong, already used or expired; ask your firm admin for a new one"
    )]
    BadCode,
    /// The relay could not be reached.
    #[error("cannot reach the relay at {url}: {reason}")]
    Unreachable {
        /// Relay URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The relay answered something unexpected.
    #[error("the relay answered unexpectedly: {0}")]
    Protocol(String),
    /// Sync did not converge in time.
    #[error("sync did not finish within {0:?}; run it again")]
    Timeout(Duration),
    /// The relay refused one request with a message (e.g. an attached document larger than
    /// its `limits.max_blob_bytes`).
    #[error("the relay refused (HTTP {status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The relay's explanation.
        message: String,
    },
    /// The relay address cannot be used as given (an unencrypted address off this machine,
    /// a `ws://` address, a CA file that is not one); the message says what to use instead.
    #[error("{0}")]
    RelayAddress(String),
    /// The relay showed a compliance archive that does not extend the history this desk saw
    /// (rewritten, forked, rolled back or re-keyed): the desk stopped syncing with it.
    #[error(
        "this desk stopped trusting the relay: {0}. Nothing was sent to it. Tell your firm admin; once they have investigated, `hearth relay witness --reset` lets this desk sync again"
    )]
    UntrustedRelay(String),
    /// The profile failed.
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, SyncError>;

impl SyncError {
    /// Whether trying again later can succeed (the relay or network came back, another
    /// process let go of the profile) — as opposed to revoked credentials, no enrollment, or a
    /// damaged profile.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unauthorized(_)
            | SyncError::NotEnrolled
            | SyncError::BadCode
            | SyncError::RelayAddress(_)
            | SyncError::UntrustedRelay(_)
            | SyncError::Refused { .. } => false,
            SyncError::Profile(ProfileError::Store(e)) => e.is_busy(),
            SyncError::Profile(_) => false,
            SyncError::Unreachable { .. } | SyncError::Protocol(_) | SyncError::Timeout(_) => true,
        }
    }
}

/// What the profile remembers about its relay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelayCredentials {
    /// Relay base URL, e.g. `https://relay.example-firm.com`.
    pub relay_url: String,
    /// Firm id.
    pub firm_id: String,
    /// Firm name.
    pub firm_name: String,
    /// Advisor id on the relay.
    pub advisor_id: String,
    /// Advisor name on the relay.
    pub advisor_name: String,
    /// This device's id.
    pub device_id: String,
    /// The current (one-time) refresh token.
    pub refresh_token: String,
    /// The firm's own CA certificate (PEM), trusted for this relay beside the public roots,
    /// for a relay on private PKI (`hearth enroll --ca-cert FILE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert_pem: Option<String>,
}

#[derive(Deserialize)]
struct TokenPair {
    access_token: String,
    #[serde(default)]
    access_expires_at: i64,
    refresh_token: String,
}

/// The access token in hand, kept (encrypted, in the profile) until shortly before it expires
/// so that twenty commands in a minute refresh once, not twenty times.
#[derive(Serialize, Deserialize)]
struct CachedAccess {
    /// The relay and device it was issued for.
    relay_url: String,
    device_id: String,
    token: String,
    expires_at_ms: i64,
}

/// Profile setting holding the cached access token.
const ACCESS_SETTING: &str = "relay.access";

/// An access token this close to expiry is refreshed instead of used.
const ACCESS_MARGIN_MS: i64 = 60_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[derive(Deserialize)]
struct EnrollResponse {
    firm_id: String,
    firm_name: String,
    advisor_id: String,
    advisor_name: String,
    device_id: String,
    #[serde(flatten)]
    tokens: TokenPair,
}

/// A document the relay says this advisor syncs.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RemoteDocument {
    /// Document (household) id.
    pub doc_id: String,
    /// Owning advisor id.
    pub owner_id: String,
    /// Advisors it is shared with.
    pub shared_with: Vec<String>,
}

/// An advisor of the firm, as the relay lists them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RemoteAdvisor {
    /// Advisor id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Firm admin?
    pub is_admin: bool,
}

/// What one sync did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    /// Households offered to the relay.
    pub offered: usize,
    /// Households fetched that were not here before.
    pub fetched: usize,
    /// Households changed here by what arrived.
    pub updated: usize,
    /// Households the relay does not hold for this advisor (e.g. unshared).
    pub unavailable: usize,
    /// Documents that arrived but are not valid households (left alone, reported).
    pub skipped: usize,
    /// Attached documents (blobs) uploaded to the relay.
    pub blobs_uploaded: usize,
    /// Attached documents downloaded from the relay.
    pub blobs_downloaded: usize,
    /// Attached documents referenced here whose bytes no advisor has uploaded yet.
    pub blobs_pending: usize,
    /// Attached documents that could not be moved, one message each (the rest still synced).
    pub blob_errors: Vec<String>,
    /// Households that changed here (fetched or updated), so a window can reload just them.
    pub changed: Vec<String>,
    /// The firm policy's version this desk now follows (`None`: the firm has none).
    pub policy_version: Option<i64>,
    /// Local settings the firm's policy tightened in this sync, in words.
    pub policy_tightened: Vec<String>,
}

/// Checks a relay address an advisor typed: `https://host[:port]`, or `http://` only to this
/// machine (a relay on the laptop itself, or a test). Returns it without a trailing slash.
pub fn check_relay_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let hostname = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    let loopback = hostname.eq_ignore_ascii_case("localhost")
        || hostname
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" if !hostname.is_empty() => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        "http" => Err(SyncError::RelayAddress(format!(
            "{url} is not encrypted: enrollment codes, tokens and client data would cross the network in the clear. \
             Use the relay's https:// address (your firm admin has it)"
        ))),
        "ws" | "wss" => Err(SyncError::RelayAddress(format!(
            "{url} is a WebSocket address; give the relay's https:// address instead (https://{host}) and Hearth opens the WebSocket itself"
        ))),
        _ => Err(SyncError::RelayAddress(format!(
            "'{url}' is not a relay address; it looks like https://relay.example-firm.com"
        ))),
    }
}

/// How the desk reaches one relay: HTTP requests and the WebSocket, both trusting the public
/// web roots and, when the firm runs its own PKI, the firm's CA.
#[derive(Clone)]
struct Transport {
    http: reqwest::Client,
    tls: Arc<rustls::ClientConfig>,
}

impl Transport {
    fn new(ca_cert_pem: Option<&str>) -> Result<Self> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let firm_cas: Vec<CertificateDer<'static>> = match ca_cert_pem {
            None => Vec::new(),
            Some(pem) => CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| {
                    SyncError::RelayAddress(format!("the firm CA certificate is not PEM: {e}"))
                })?,
        };
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let mut http = reqwest::Client::builder().timeout(Duration::from_secs(30));
        for ca in &firm_cas {
            roots.add(ca.clone()).map_err(|e| {
                SyncError::RelayAddress(format!("the firm CA certificate cannot be used: {e}"))
            })?;
            http = http.add_root_certificate(reqwest::Certificate::from_der(ca.as_ref()).map_err(
                |e| SyncError::RelayAddress(format!("the firm CA certificate cannot be used: {e}")),
            )?);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            http: http
                .build()
                .map_err(|e| SyncError::Protocol(format!("cannot set up HTTPS: {e}")))?,
            tls: Arc::new(tls),
        })
    }

    /// Opens the sync WebSocket.
    async fn websocket(
        &self,
        request: tokio_tungstenite::tungstenite::handshake::client::Request,
        url: &str,
    ) -> Result<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    > {
        tokio_tungstenite::connect_async_tls_with_config(
            request,
            None,
            true,
            Some(tokio_tungstenite::Connector::Rustls(self.tls.clone())),
        )
        .await
        .map(|(socket, _)| socket)
        .map_err(|e| ws_error(url, e))
    }
}

/// The relay could not be reached; the reason carries the error's causes too ("error sending
/// request" alone does not say that the certificate was not trusted).
fn unreachable(url: &str, e: impl std::error::Error) -> SyncError {
    let mut reason = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !reason.contains(&text) {
            reason.push_str(": ");
            reason.push_str(&text);
        }
        cause = c.source();
    }
    SyncError::Unreachable {
        url: url.to_string(),
        reason,
    }
}

/// The stored credentials, if enrolled.
pub fn credentials(profile: &Profile) -> Result<Option<RelayCredentials>> {
    match profile.setting(RELAY_SETTING)? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| SyncError::Protocol(format!("stored relay credentials are damaged: {e}"))),
    }
}

fn save_credentials(profile: &mut Profile, creds: &RelayCredentials) -> Result<()> {
    let text = serde_json::to_string(creds).map_err(|e| SyncError::Protocol(e.to_string()))?;
    profile.set_setting(RELAY_SETTING, &text)?;
    Ok(())
}

/// What this desk has witnessed of its firm's compliance archive, if anything.
pub fn witness_state(profile: &Profile) -> Result<Option<witness::WitnessState>> {
    match profile.setting(WITNESS_SETTING)? {
        Some(text) if !text.is_empty() => serde_json::from_str(&text).map(Some).map_err(|e| {
            SyncError::Protocol(format!("the remembered archive head is damaged: {e}"))
        }),
        _ => Ok(None),
    }
}

fn save_witness(profile: &mut Profile, state: &witness::WitnessState) -> Result<()> {
    let text = serde_json::to_string(state).map_err(|e| SyncError::Protocol(e.to_string()))?;
    profile.set_setting(WITNESS_SETTING, &text)?;
    Ok(())
}

/// Forgets what this desk witnessed, alarm included (after a firm admin has investigated):
/// the next sync pins the relay's current archive head afresh.
pub fn reset_witness(profile: &mut Profile) -> Result<()> {
    profile.set_setting(WITNESS_SETTING, "")?;
    Ok(())
}

/// Witnesses the firm's archive before anything is exchanged: refuses at once while an
/// alarm stands; else checks the relay's latest signed head against the one seen last, and
/// remembers the new one — or raises the alarm and refuses. A relay without the endpoint
/// (older) or without an archive is not witnessed.
async fn witness_archive(profile: &mut Profile, session: &Session) -> Result<()> {
    let before = witness_state(profile)?;
    if let Some(alarm) = before.as_ref().and_then(|b| b.alarm.clone()) {
        return Err(SyncError::UntrustedRelay(alarm));
    }
    let since = before.as_ref().map_or(0, |b| b.size);
    let Some(answer) = session
        .get_optional::<witness::WitnessAnswer>(&format!("/v1/archive/witness?since={since}"))
        .await?
    else {
        return Ok(());
    };
    match witness::check(&session.creds.firm_id, before.as_ref(), &answer) {
        Ok(Some(next)) => save_witness(profile, &next),
        Ok(None) => Ok(()),
        Err(why) => {
            tracing::error!(reason = %why, "the relay's archive does not extend what this desk saw");
            let mut alarmed = before.unwrap_or(witness::WitnessState {
                public_key: answer.public_key.clone(),
                size: 0,
                time: 0,
                root: String::new(),
                alarm: None,
            });
            alarmed.alarm = Some(why.clone());
            save_witness(profile, &alarmed)?;
            Err(SyncError::UntrustedRelay(why))
        }
    }
}

/// The firm's policy as the relay serves it (`GET /v1/policy`).
#[derive(Debug, serde::Deserialize)]
struct PolicyAnswer {
    policy: Option<hearth_core::policy::FirmPolicy>,
}

/// Fetches the firm's policy and applies it to this desk (before any household moves, so a
/// tightened consent or retention rule holds for everything after this sync).
async fn follow_firm_policy(
    profile: &mut Profile,
    session: &Session,
) -> Result<hearth_profile::PolicyApplied> {
    // A relay from before firm policies answers 404: nothing to follow.
    let policy = session
        .get_optional::<PolicyAnswer>("/v1/policy")
        .await?
        .and_then(|a| a.policy);
    let applied = profile.apply_firm_policy(policy.as_ref())?;
    for what in &applied.tightened {
        tracing::info!(version = ?applied.version, %what, "firm policy applied");
    }
    Ok(applied)
}

/// Redeems a one-time enrollment code and stores the device's credentials in the profile.
///
/// `ca_cert_pem` is the firm's own CA (PEM) when its relay runs on private PKI.
pub async fn enroll(
    profile: &mut Profile,
    relay_url: &str,
    code: &str,
    label: &str,
    ca_cert_pem: Option<&str>,
) -> Result<RelayCredentials> {
    let base = check_relay_url(relay_url)?;
    let transport = Transport::new(ca_cert_pem)?;
    let response = transport
        .http
        .post(format!("{base}/v1/enroll"))
        .json(&serde_json::json!({ "code": code, "label": label }))
        .send()
        .await
        .map_err(|e| unreachable(&base, e))?;
    if response.status() == reqwest::StatusCode::UNAUTHORIZED {
        return Err(SyncError::BadCode);
    }
    if !response.status().is_success() {
        return Err(SyncError::Protocol(format!(
            "enrollment failed with HTTP {}",
            response.status()
        )));
    }
    let enrolled: EnrollResponse = response
        .json()
        .await
        .map_err(|e| SyncError::Protocol(e.to_string()))?;
    let creds = RelayCredentials {
        relay_url: base,
        firm_id: enrolled.firm_id,
        firm_name: enrolled.firm_name,
        advisor_id: enrolled.advisor_id,
        advisor_name: enrolled.advisor_name,
        device_id: enrolled.device_id,
        refresh_token: enrolled.tokens.refresh_token,
        ca_cert_pem: ca_cert_pem.map(str::to_string),
    };
    save_credentials(profile, &creds)?;
    cache_access(
        profile,
        &creds,
        &enrolled.tokens.access_token,
        enrolled.tokens.access_expires_at,
    )?;
    Ok(creds)
}

/// The response header in which the relay states `limits.max_blob_bytes` (see
/// `GET /v1/documents/{doc_id}/blobs` in the relay's openapi.yaml).
const MAX_BLOB_BYTES_HEADER: &str = "x-hearth-max-blob-bytes";

/// What the relay holds of one household's attached documents.
#[derive(Debug, Clone, Default)]
pub struct RelayBlobs {
    /// SHA-256 (hex) of every document the relay has.
    pub hashes: BTreeSet<String>,
    /// The relay's `limits.max_blob_bytes`, if it said (older relays do not).
    pub max_bytes: Option<u64>,
}

impl RelayBlobs {
    /// The relay's refusal, decided here without sending, of an upload of `len` bytes above
    /// its limit. Sending it anyway would cost the upload and could lose the relay's answer:
    /// the relay replies `413` and closes while the desk is still writing.
    pub fn refuse_upload(&self, len: usize) -> Option<SyncError> {
        let limit = self.max_bytes?;
        (len as u64 > limit).then(|| SyncError::Refused {
            status: 413,
            message: format!(
                "document too large: this relay accepts attached documents up to {limit} bytes \
                 (limits.max_blob_bytes); ask the relay operator to raise it"
            ),
        })
    }
}

/// A session with the relay: a fresh access token (the refresh token is rotated and the new
/// one saved before the access token is used).
pub struct Session {
    /// Credentials (with the new refresh token).
    pub creds: RelayCredentials,
    access_token: String,
    transport: Transport,
    /// The access token came from the profile's cache (a refusal may mean it went stale on
    /// the relay's side: refresh and try once more).
    cached: bool,
}

fn cache_access(
    profile: &mut Profile,
    creds: &RelayCredentials,
    token: &str,
    expires_at_ms: i64,
) -> Result<()> {
    let cached = CachedAccess {
        relay_url: creds.relay_url.clone(),
        device_id: creds.device_id.clone(),
        token: token.to_string(),
        expires_at_ms,
    };
    let text = serde_json::to_string(&cached).map_err(|e| SyncError::Protocol(e.to_string()))?;
    profile.set_setting(ACCESS_SETTING, &text)?;
    Ok(())
}

/// The cached access token for `creds`, if it is good for a while yet.
fn cached_access(profile: &Profile, creds: &RelayCredentials) -> Option<String> {
    let text = profile.setting(ACCESS_SETTING).ok()??;
    let cached: CachedAccess = serde_json::from_str(&text).ok()?;
    (cached.relay_url == creds.relay_url
        && cached.device_id == creds.device_id
        && cached.expires_at_ms > now_ms() + ACCESS_MARGIN_MS)
        .then_some(cached.token)
}

impl Session {
    /// Starts a session for an enrolled profile: the access token in hand while it is good,
    /// else a refresh (which rotates the refresh token).
    pub async fn start(profile: &mut Profile) -> Result<Self> {
        let (creds, transport) = Self::enrolled(profile)?;
        if let Some(access_token) = cached_access(profile, &creds) {
            return Ok(Self {
                creds,
                access_token,
                transport,
                cached: true,
            });
        }
        Self::refresh(profile, creds, transport).await
    }

    /// Starts a session with a freshly refreshed access token (after the cached one was
    /// refused, e.g. the device was re-enrolled elsewhere or the relay restarted its keys).
    pub async fn start_fresh(profile: &mut Profile) -> Result<Self> {
        let (creds, transport) = Self::enrolled(profile)?;
        Self::refresh(profile, creds, transport).await
    }

    /// The profile's relay credentials and the transport to reach that relay.
    fn enrolled(profile: &Profile) -> Result<(RelayCredentials, Transport)> {
        let creds = credentials(profile)?.ok_or(SyncError::NotEnrolled)?;
        check_relay_url(&creds.relay_url)?;
        let transport = Transport::new(creds.ca_cert_pem.as_deref())?;
        Ok((creds, transport))
    }

    async fn refresh(
        profile: &mut Profile,
        mut creds: RelayCredentials,
        transport: Transport,
    ) -> Result<Self> {
        let response = transport
            .http
            .post(format!("{}/v1/token", creds.relay_url))
            .json(&serde_json::json!({ "refresh_token": creds.refresh_token }))
            .send()
            .await
            .map_err(|e| unreachable(&creds.relay_url, e))?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Err(SyncError::Unauthorized("refresh token refused".into()));
        }
        if !response.status().is_success() {
            return Err(SyncError::Protocol(format!(
                "token refresh failed with HTTP {}",
                response.status()
            )));
        }
        let pair: TokenPair = response
            .json()
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        creds.refresh_token = pair.refresh_token;
        save_credentials(profile, &creds)?;
        cache_access(profile, &creds, &pair.access_token, pair.access_expires_at)?;
        Ok(Self {
            creds,
            access_token: pair.access_token,
            transport,
            cached: false,
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.get_optional(path)
            .await?
            .ok_or_else(|| SyncError::Protocol(format!("HTTP {}", reqwest::StatusCode::NOT_FOUND)))
    }

    /// [`Session::get`], with `None` for a `404` (an endpoint an older relay lacks).
    async fn get_optional<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Option<T>> {
        let url = format!("{}{path}", self.creds.relay_url);
        let response = self
            .transport
            .http
            .get(&url)
            .bearer_auth(&self.access_token)
            .send()
            .await
            .map_err(|e| unreachable(&self.creds.relay_url, e))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        check_status(&response)?;
        response
            .json()
            .await
            .map(Some)
            .map_err(|e| SyncError::Protocol(e.to_string()))
    }

    fn blob_url(&self, doc_id: &str, sha256: &str) -> String {
        format!(
            "{}/v1/documents/{doc_id}/blobs/{sha256}",
            self.creds.relay_url
        )
    }

    /// What the relay holds of household `doc_id`'s attached documents, and its size limit;
    /// `None` if the household is not on the relay for this advisor.
    pub async fn blobs(&self, doc_id: &str) -> Result<Option<RelayBlobs>> {
        let url = format!("{}/v1/documents/{doc_id}/blobs", self.creds.relay_url);
        let response = self
            .transport
            .http
            .get(url)
            .bearer_auth(&self.access_token)
            .send()
            .await
            .map_err(|e| unreachable(&self.creds.relay_url, e))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        check_status(&response)?;
        let max_bytes = response
            .headers()
            .get(MAX_BLOB_BYTES_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let hashes = response
            .json()
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(Some(RelayBlobs { hashes, max_bytes }))
    }

    /// Uploads the attached document `bytes` (whose SHA-256 is `sha256`) of household
    /// `doc_id`; idempotent. A refusal (too large, not in scope) is `SyncError::Refused` with
    /// the relay's message.
    pub async fn put_blob(&self, doc_id: &str, sha256: &str, bytes: Vec<u8>) -> Result<()> {
        let response = self
            .transport
            .http
            .put(self.blob_url(doc_id, sha256))
            .bearer_auth(&self.access_token)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .map_err(|e| unreachable(&self.creds.relay_url, e))?;
        refused_with_message(response).await
    }

    /// Downloads the attached document `sha256` of household `doc_id`; `None` if the relay
    /// does not have it (not uploaded yet, or the household is not in this advisor's scope).
    pub async fn get_blob(&self, doc_id: &str, sha256: &str) -> Result<Option<Vec<u8>>> {
        let response = self
            .transport
            .http
            .get(self.blob_url(doc_id, sha256))
            .bearer_auth(&self.access_token)
            .send()
            .await
            .map_err(|e| unreachable(&self.creds.relay_url, e))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        check_status(&response)?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| unreachable(&self.creds.relay_url, e))?;
        Ok(Some(bytes.to_vec()))
    }

    /// Households the relay syncs with this advisor.
    pub async fn documents(&self) -> Result<Vec<RemoteDocument>> {
        self.get("/v1/documents").await
    }

    /// The firm's advisors.
    pub async fn advisors(&self) -> Result<Vec<RemoteAdvisor>> {
        self.get("/v1/advisors").await
    }

    /// Shares (or with `share = false`, unshares) a household with an advisor given by id or
    /// by (unique) name.
    pub async fn set_share(
        &self,
        doc_id: &str,
        advisor: &str,
        share: bool,
    ) -> Result<RemoteAdvisor> {
        let advisors = self.advisors().await?;
        let matches: Vec<&RemoteAdvisor> = advisors
            .iter()
            .filter(|a| a.id == advisor || a.name.eq_ignore_ascii_case(advisor))
            .collect();
        let target = match matches.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(SyncError::Protocol(format!(
                    "no advisor '{advisor}' in your firm"
                )));
            }
            _ => {
                return Err(SyncError::Protocol(format!(
                    "more than one advisor is called '{advisor}'; use the id"
                )));
            }
        };
        let url = format!(
            "{}/v1/documents/{doc_id}/shares/{}",
            self.creds.relay_url, target.id
        );
        let request = if share {
            self.transport.http.put(&url)
        } else {
            self.transport.http.delete(&url)
        };
        let response = request
            .bearer_auth(&self.access_token)
            .send()
            .await
            .map_err(|e| unreachable(&self.creds.relay_url, e))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(SyncError::Protocol(format!(
                "the relay has no household {doc_id} for you (not shared with you, or not uploaded by its owner yet)"
            )));
        }
        check_status(&response)?;
        Ok(target)
    }

    fn sync_request(&self) -> Result<tokio_tungstenite::tungstenite::handshake::client::Request> {
        let ws_url = if let Some(rest) = self.creds.relay_url.strip_prefix("https://") {
            format!("wss://{rest}/sync")
        } else if let Some(rest) = self.creds.relay_url.strip_prefix("http://") {
            format!("ws://{rest}/sync")
        } else {
            return Err(SyncError::Protocol(format!(
                "relay URL {} must start with http:// or https://",
                self.creds.relay_url
            )));
        };
        let mut request = ws_url
            .into_client_request()
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        let bearer = format!("Bearer {}", self.access_token)
            .parse()
            .map_err(|_| SyncError::Protocol("access token is not a valid header value".into()))?;
        request.headers_mut().insert("authorization", bearer);
        Ok(request)
    }
}

/// `Ok` for a success; a 4xx refusal as `SyncError::Refused` carrying the relay's `error`
/// message (e.g. the size limit it enforces).
async fn refused_with_message(response: reqwest::Response) -> Result<()> {
    let status = response.status();
    if status.is_success() || status == reqwest::StatusCode::UNAUTHORIZED {
        return check_status(&response);
    }
    if status.is_client_error() {
        let message = response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v.get("error")?.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(SyncError::Refused {
            status: status.as_u16(),
            message,
        });
    }
    check_status(&response)
}

fn check_status(response: &reqwest::Response) -> Result<()> {
    match response.status() {
        s if s.is_success() => Ok(()),
        reqwest::StatusCode::UNAUTHORIZED => {
            Err(SyncError::Unauthorized("access token refused".into()))
        }
        s => Err(SyncError::Protocol(format!("HTTP {s}"))),
    }
}

fn peer_id(creds: &RelayCredentials) -> String {
    format!("hearth-{}-{}", creds.device_id, hearth_core::new_item_id())
}

fn load_local(profile: &Profile, id: &str) -> Result<Automerge> {
    let mut household = profile.household(id)?;
    Automerge::load(&household.save())
        .map_err(|e| SyncError::Protocol(format!("household {id}: {e}")))
}

/// Builds a protocol client holding every local household, and asking for every household
/// the relay has for this advisor that is not here yet.
async fn prepare(
    profile: &Profile,
    session: &Session,
) -> Result<(Client, BTreeSet<DocumentId>, usize)> {
    let mut client = Client::new(
        peer_id(&session.creds),
        PeerMetadata {
            storage_id: Some(profile.profile_id().to_string()),
            is_ephemeral: false,
        },
    );
    let mut local = BTreeSet::new();
    for row in profile.list_households()? {
        // One damaged household must not stop the others from syncing.
        let loaded = row
            .id
            .parse::<DocumentId>()
            .map_err(|e| SyncError::Protocol(e.to_string()))
            .and_then(|id| Ok((id, load_local(profile, &row.id)?)));
        match loaded {
            Ok((id, doc)) => {
                client.insert_document(id, doc);
                local.insert(id);
            }
            Err(e) => tracing::warn!(household = %row.id, error = %e, "household skipped by sync"),
        }
    }
    let mut requested = 0;
    for remote in session.documents().await? {
        let Ok(id) = remote.doc_id.parse::<DocumentId>() else {
            continue;
        };
        if !local.contains(&id) {
            client.request_document(id);
            requested += 1;
        }
    }
    Ok((client, local, requested))
}

/// Saves every document the client says changed; returns how many.
fn persist_changed(
    profile: &mut Profile,
    client: &mut Client,
    report: &mut SyncReport,
    local: &mut BTreeSet<DocumentId>,
) -> Result<Vec<DocumentId>> {
    let changed = client.take_changed();
    for id in &changed {
        if let Some(doc) = client.document(id) {
            if let Err(e) = profile.merge_synced(*id, &doc.save()) {
                // A document that is not a valid household (another client wrote something
                // else under its id) is left on the relay and reported, not fatal.
                if matches!(e, ProfileError::Core(_)) {
                    tracing::warn!(household = %id, error = %e, "remote document is not a household; skipped");
                    report.skipped += 1;
                    continue;
                }
                return Err(e.into());
            }
            if local.insert(*id) {
                report.fetched += 1;
            } else {
                report.updated += 1;
            }
            let key = id.to_string();
            if !report.changed.contains(&key) {
                report.changed.push(key);
            }
        }
    }
    Ok(changed)
}

/// Shares (or unshares) a household with an advisor of the firm, by id or name. A household
/// this desk holds that the relay has not seen yet is uploaded first (one sync), so sharing
/// right after creating it just works.
pub async fn share_household(
    profile: &mut Profile,
    doc_id: &str,
    advisor: &str,
    share: bool,
    timeout: Duration,
) -> Result<RemoteAdvisor> {
    with_session(profile, async |profile, session| {
        let held_here = profile.household(doc_id).is_ok();
        if share
            && held_here
            && !session
                .documents()
                .await?
                .iter()
                .any(|d| d.doc_id == doc_id)
        {
            sync_once(profile, timeout).await?;
            let session = Session::start(profile).await?;
            return session.set_share(doc_id, advisor, share).await;
        }
        session.set_share(doc_id, advisor, share).await
    })
    .await
}

/// Runs `call` with a session. When the relay refuses an access token the profile had
/// cached (it went stale on the relay's side), refreshes and runs `call` once more.
async fn with_session<T>(
    profile: &mut Profile,
    mut call: impl AsyncFnMut(&mut Profile, Session) -> Result<T>,
) -> Result<T> {
    let session = Session::start(profile).await?;
    let cached = session.cached;
    match call(profile, session).await {
        Err(SyncError::Unauthorized(_)) if cached => {
            let session = Session::start_fresh(profile).await?;
            call(profile, session).await
        }
        done => done,
    }
}

/// Syncs every household once: runs until the relay and this profile have the same heads for
/// every household both may hold, then returns.
pub async fn sync_once(profile: &mut Profile, timeout: Duration) -> Result<SyncReport> {
    with_session(profile, async |profile, session| {
        sync_in(profile, session, timeout).await
    })
    .await
}

async fn sync_in(profile: &mut Profile, session: Session, timeout: Duration) -> Result<SyncReport> {
    witness_archive(profile, &session).await?;
    let policy = follow_firm_policy(profile, &session).await?;
    let (mut client, mut local, _) = prepare(profile, &session).await?;
    let mut report = SyncReport {
        offered: local.len(),
        policy_version: policy.version,
        policy_tightened: policy.tightened,
        ..SyncReport::default()
    };
    let mut socket = session
        .transport
        .websocket(session.sync_request()?, &session.creds.relay_url)
        .await?;
    let run = async {
        for frame in client.start() {
            socket
                .send(WsMessage::Binary(frame.into()))
                .await
                .map_err(|e| ws_error(&session.creds.relay_url, e))?;
        }
        while !client.is_converged() {
            let Some(msg) = socket.next().await else {
                return Err(SyncError::Protocol(
                    "the relay closed the connection".into(),
                ));
            };
            match msg.map_err(|e| ws_error(&session.creds.relay_url, e))? {
                WsMessage::Binary(bytes) => {
                    let replies = client
                        .receive(&bytes)
                        .map_err(|e| SyncError::Protocol(e.to_string()))?;
                    for frame in replies {
                        socket
                            .send(WsMessage::Binary(frame.into()))
                            .await
                            .map_err(|e| ws_error(&session.creds.relay_url, e))?;
                    }
                    persist_changed(profile, &mut client, &mut report, &mut local)?;
                }
                WsMessage::Close(frame) => {
                    let reason = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                    return Err(if reason.contains("revoked") {
                        SyncError::Unauthorized(reason)
                    } else {
                        SyncError::Protocol(format!("the relay closed the connection: {reason}"))
                    });
                }
                _ => {}
            }
        }
        Ok(())
    };
    tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| SyncError::Timeout(timeout))??;
    let _ = socket.send(WsMessage::Binary(client.leave().into())).await;
    let _ = socket.close(None).await;
    report.unavailable = client
        .document_ids()
        .filter(|id| client.status(id) == Some(hearth_wire::client::DocStatus::Unavailable))
        .count();
    sync_blobs(profile, &session, &mut report).await?;
    Ok(report)
}

/// Moves attached documents' bytes once the households agree: uploads those stored here that
/// the relay lacks, downloads those referenced here but not stored. One document that fails
/// (too large for the relay, damaged) is reported in `blob_errors`; the others still move.
async fn sync_blobs(
    profile: &mut Profile,
    session: &Session,
    report: &mut SyncReport,
) -> Result<()> {
    for row in profile.list_households()? {
        let Ok(entries) = profile.documents(&row.id) else {
            continue;
        };
        let mut here = entries.into_iter().filter(|e| e.stored_here).peekable();
        if here.peek().is_none() {
            continue;
        }
        // Not on the relay for this advisor (e.g. unshared): nothing to upload to.
        let Some(on_relay) = session.blobs(&row.id).await? else {
            continue;
        };
        for entry in here {
            let sha256 = &entry.reference.sha256;
            if on_relay.hashes.contains(sha256) {
                continue;
            }
            let Some(bytes) = profile.blob(sha256)? else {
                continue;
            };
            let upload = match on_relay.refuse_upload(bytes.len()) {
                Some(refusal) => Err(refusal),
                None => session.put_blob(&row.id, sha256, bytes).await,
            };
            match upload {
                Ok(()) => report.blobs_uploaded += 1,
                // The household is not on the relay for this advisor (e.g. unshared).
                Err(SyncError::Refused { status: 404, .. }) => {}
                Err(SyncError::Refused { message, .. }) => report.blob_errors.push(format!(
                    "{} ({}): not uploaded: {message}",
                    entry.reference.name, row.name
                )),
                Err(e) => return Err(e),
            }
        }
    }
    for (household_id, reference) in profile.missing_blobs()? {
        let Some(bytes) = session.get_blob(&household_id, &reference.sha256).await? else {
            report.blobs_pending += 1;
            continue;
        };
        match profile.put_blob(&reference.sha256, &bytes) {
            Ok(()) => report.blobs_downloaded += 1,
            Err(e) if is_transient_profile(&e) => return Err(e.into()),
            Err(e) => report
                .blob_errors
                .push(format!("{}: not stored: {e}", reference.name)),
        }
    }
    Ok(())
}

/// A profile error that is worth stopping the sync for (the profile is busy; retry later),
/// as opposed to one bad document.
fn is_transient_profile(e: &ProfileError) -> bool {
    matches!(e, ProfileError::Store(s) if s.is_busy())
}

fn ws_error(url: &str, e: tokio_tungstenite::tungstenite::Error) -> SyncError {
    use tokio_tungstenite::tungstenite::Error;
    match &e {
        Error::Http(response) if response.status() == 401 => {
            SyncError::Unauthorized("the relay refused the connection".into())
        }
        _ => unreachable(url, e),
    }
}

/// Merges local edits made since the client last saw each document into the client's copy;
/// returns the households that had something new. New local households are added too.
fn absorb_local_edits(
    profile: &Profile,
    client: &mut Client,
    local: &mut BTreeSet<DocumentId>,
    seen: &mut std::collections::HashMap<String, i64>,
) -> Result<Vec<DocumentId>> {
    let mut edited = Vec::new();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(i64::MAX);
    for row in profile.list_households()? {
        // Only households written since the last look are loaded: the listing row's
        // `updated_at` moves on every local write, so an idle profile costs one query a tick.
        // Writes of the last two seconds are looked at again, because two writes in the same
        // millisecond leave `updated_at` unchanged.
        let settled = now_ms - row.updated_at > 2_000;
        if settled && seen.get(&row.id) == Some(&row.updated_at) {
            continue;
        }
        seen.insert(row.id.clone(), row.updated_at);
        let Ok(id) = row.id.parse::<DocumentId>() else {
            continue;
        };
        let fresh = match load_local(profile, &row.id) {
            Ok(doc) => doc,
            Err(e) => {
                tracing::warn!(household = %row.id, error = %e, "household skipped by sync");
                continue;
            }
        };
        match client.document_mut(&id) {
            Some(doc) => {
                if doc.get_heads() != fresh.get_heads() {
                    let mut fresh = fresh;
                    let before = doc.get_heads();
                    doc.merge(&mut fresh)
                        .map_err(|e| SyncError::Protocol(e.to_string()))?;
                    if doc.get_heads() != before {
                        edited.push(id);
                    }
                }
            }
            None => {
                client.insert_document(id, fresh);
                local.insert(id);
                edited.push(id);
            }
        }
    }
    Ok(edited)
}

/// Stays connected: applies remote changes as they arrive and pushes local edits (checked
/// every `poll_every`), reconnecting with exponential backoff. `on_event` is told about each
/// applied remote change and each (re)connection. Returns only on an error that retrying
/// cannot fix (revoked device, not enrolled).
pub async fn watch(
    profile: &mut Profile,
    poll_every: Duration,
    mut on_event: impl FnMut(WatchEvent),
) -> Result<()> {
    let mut backoff = Duration::from_secs(1);
    loop {
        match watch_connection(profile, poll_every, &mut on_event).await {
            Err(e) if !e.is_transient() => return Err(e),
            Err(e) => {
                on_event(WatchEvent::Disconnected(e.to_string()));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
            Ok(()) => backoff = Duration::from_secs(1),
        }
    }
}

/// What `watch` reports.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    /// Connected and in sync with the relay.
    Connected,
    /// A household changed here because of a remote edit.
    Applied(DocumentId),
    /// Local edits to a household reached the relay (it acknowledged our heads).
    Pushed(DocumentId),
    /// The connection dropped; reconnecting.
    Disconnected(String),
}

async fn watch_connection(
    profile: &mut Profile,
    poll_every: Duration,
    on_event: &mut impl FnMut(WatchEvent),
) -> Result<()> {
    // A fresh token: the connection lasts, and a stale cached one would only cost a retry.
    let session = Session::start_fresh(profile).await?;
    witness_archive(profile, &session).await?;
    follow_firm_policy(profile, &session).await?;
    // Write times as of before the households are loaded: anything written later is newer
    // than what `prepare` read, and is picked up by the first tick.
    let mut seen: std::collections::HashMap<String, i64> = profile
        .list_households()?
        .into_iter()
        .map(|r| (r.id, r.updated_at))
        .collect();
    let (mut client, mut local, _) = prepare(profile, &session).await?;
    let mut report = SyncReport::default();
    let url = session.creds.relay_url.clone();
    let mut socket = session
        .transport
        .websocket(session.sync_request()?, &url)
        .await?;
    for frame in client.start() {
        socket
            .send(WsMessage::Binary(frame.into()))
            .await
            .map_err(|e| ws_error(&url, e))?;
    }
    let mut announced = false;
    let mut pushed: BTreeSet<DocumentId> = BTreeSet::new();
    let mut tick = tokio::time::interval(poll_every);
    loop {
        tokio::select! {
            msg = socket.next() => {
                let Some(msg) = msg else { return Err(SyncError::Protocol("the relay closed the connection".into())) };
                match msg.map_err(|e| ws_error(&url, e))? {
                    WsMessage::Binary(bytes) => {
                        for frame in client.receive(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))? {
                            socket.send(WsMessage::Binary(frame.into())).await.map_err(|e| ws_error(&url, e))?;
                        }
                        for id in persist_changed(profile, &mut client, &mut report, &mut local)? {
                            on_event(WatchEvent::Applied(id));
                        }
                    }
                    WsMessage::Close(frame) => {
                        let reason = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                        return Err(if reason.contains("revoked") { SyncError::Unauthorized(reason) } else { SyncError::Protocol(reason) });
                    }
                    _ => {}
                }
                if client.is_converged() {
                    if !announced {
                        announced = true;
                        on_event(WatchEvent::Connected);
                    }
                    for id in std::mem::take(&mut pushed) {
                        on_event(WatchEvent::Pushed(id));
                    }
                }
            }
            _ = tick.tick() => {
                let edited = absorb_local_edits(profile, &mut client, &mut local, &mut seen)?;
                if !edited.is_empty() {
                    pushed.extend(edited);
                    for frame in client.poll() {
                        socket.send(WsMessage::Binary(frame.into())).await.map_err(|e| ws_error(&url, e))?;
                    }
                }
            }
        }
    }
}
