//! Relay configuration: a TOML file, overridden by environment variables, overridden by flags.
//!
//! ```toml
//! listen = "127.0.0.1:8787"
//! database = "sqlite:///var/lib/hearth-relay/relay.db"   # or postgres://user@host/db
//! master_key_file = "/etc/hearth-relay/master.key"        # or master_key = "<64 hex>"
//! access_token_ttl_secs = 900
//! refresh_token_ttl_days = 30
//! invite_ttl_hours = 168
//! refresh_retry_grace_secs = 60         # a retried refresh gets the same answer; later: revoked
//!
//! [limits]
//! max_frame_bytes = 8388608             # one protocol message
//! max_document_bytes = 67108864         # one household document
//! max_ephemeral_bytes = 65536           # one presence/cursor message
//! max_queued_bytes = 33554432           # queued for one slow reader before it is dropped
//! connection_messages_per_sec = 200     # sustained, per WebSocket
//! connection_message_burst = 2000
//! firm_max_connections = 500
//! auth_requests_per_minute = 20         # enrollment, per client address (IPv6: per /64)
//! refreshes_per_device_per_minute = 10  # token refreshes, per device
//! max_blob_bytes = 26214400             # one attached document (PDF, statement)
//! firm_max_documents = 100000           # households (and other documents) per firm
//! firm_max_blob_bytes = 21474836480     # attached documents per firm, bytes (20 GiB)
//! firm_resident_bytes = 268435456       # a firm's documents kept in memory (estimated)
//! firm_mailbox_bytes = 67108864         # frames waiting for a firm's hub; readers wait beyond
//! firm_unpersisted_bytes = 67108864     # accepted changes waiting for the disk; hub waits beyond
//! firm_hub_shards = 1                   # hub tasks a firm's documents spread over (cores)
//!
//! trusted_proxies = ["127.0.0.1"]       # X-Forwarded-For is believed from these only
//! insecure_http = false                # plain HTTP on a non-loopback address: refused unless true
//!
//! [tls]                                 # the relay terminates TLS itself (reloaded on SIGHUP)
//! cert_file = "/etc/hearth-relay/tls/fullchain.pem"
//! key_file = "/etc/hearth-relay/tls/privkey.pem"
//!
//! [timeouts]
//! tls_handshake_secs = 10
//! header_read_secs = 20                 # also the keep-alive idle limit
//! request_secs = 120
//! websocket_ping_secs = 20
//! websocket_idle_secs = 60              # nothing heard (not even a pong) for this long: closed
//! document_idle_secs = 60               # a document nobody syncs for this long leaves memory
//!
//! [console]
//! secure_cookies = true                 # behind a TLS-terminating proxy (implied by [tls])
//! session_ttl_secs = 28800
//! sign_in_attempts_per_minute = 10      # per client IP and per email
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use hearth_seal::MasterKey;
use serde::Deserialize;

/// Everything the relay reads from its configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Database URL: `sqlite://PATH` or `postgres://...`.
    pub database: String,
    /// The master key inline (64 hex characters). Prefer `master_key_file`.
    pub master_key: Option<String>,
    /// A file holding the master key.
    pub master_key_file: Option<PathBuf>,
    /// Lifetime of access tokens.
    pub access_token_ttl_secs: i64,
    /// Lifetime of refresh tokens.
    pub refresh_token_ttl_days: i64,
    /// Lifetime of enrollment codes.
    pub invite_ttl_hours: i64,
    /// A refresh token presented again within this many seconds of its first use gets the
    /// first use's answer again (a retry whose answer was lost); after it, the device is
    /// revoked (a copied token).
    pub refresh_retry_grace_secs: i64,
    /// Backpressure and abuse limits.
    pub limits: Limits,
    /// SHA-256 (hex) of the platform operator's bearer token for `/v1/operator/*`; unset
    /// disables those endpoints. `printf %s TOKEN | sha256sum`.
    pub operator_token_sha256: Option<String>,
    /// SHA-256 (hex) of the token a metrics scraper sends as `Authorization: Bearer` for
    /// `/metrics`. Unset: `/metrics` answers only requests from this machine that did not come
    /// through a proxy (no `X-Forwarded-For`); to everyone else it does not exist.
    pub metrics_token_sha256: Option<String>,
    /// The web console at `/admin`.
    pub console: ConsoleConfig,
    /// The compliance archive (`[archive]`: `enabled`, `mirror_dir`).
    pub archive: crate::archive::ArchiveConfig,
    /// TLS terminated by the relay itself.
    pub tls: TlsConfig,
    /// Serve plain HTTP on an address other machines can reach (behind a TLS-terminating
    /// proxy on another host). Without it the relay refuses to start that way: enrollment
    /// codes, tokens and household content would cross the network in the clear.
    pub insecure_http: bool,
    /// Deadlines for slow and idle clients.
    pub timeouts: Timeouts,
    /// Addresses of reverse proxies in front of the relay: from these, and only these, the
    /// client's address is taken from `X-Forwarded-For` (for rate limits).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// `[tls]`: PEM files for the relay's certificate chain and private key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// The certificate chain, leaf first (e.g. Let's Encrypt's `fullchain.pem`).
    pub cert_file: Option<PathBuf>,
    /// The private key (PKCS#8, PKCS#1 or SEC1 PEM).
    pub key_file: Option<PathBuf>,
}

/// `[timeouts]`: what a slow, silent or half-open client may hold, seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    /// A TLS handshake must finish within this.
    pub tls_handshake_secs: u64,
    /// Request headers must arrive within this (also the keep-alive idle limit).
    pub header_read_secs: u64,
    /// A whole HTTP request must be answered within this.
    pub request_secs: u64,
    /// The relay pings each WebSocket this often.
    pub websocket_ping_secs: u64,
    /// A WebSocket from which nothing (not even a pong) arrives for this long is closed.
    pub websocket_idle_secs: u64,
    /// A document no client has sent a sync message for in this long leaves the relay's
    /// memory, even if clients still have it open (it is loaded again when needed).
    pub document_idle_secs: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            tls_handshake_secs: 10,
            header_read_secs: 20,
            request_secs: 120,
            websocket_ping_secs: 20,
            websocket_idle_secs: 60,
            document_idle_secs: 60,
        }
    }
}

/// The web console (`/admin`): sessions and sign-in limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Mark the session cookie `Secure` (set this whenever the relay is reached over HTTPS,
    /// directly or through a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// How long a console sign-in lasts, seconds.
    pub session_ttl_secs: i64,
    /// Sign-in attempts per minute per client IP (and per email address).
    pub sign_in_attempts_per_minute: u32,
    /// How long a set-password link (a new firm's first admin) works, hours.
    pub password_link_ttl_hours: u32,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_ttl_secs: 8 * 3600,
            sign_in_attempts_per_minute: 10,
            password_link_ttl_hours: 72,
        }
    }
}

/// Limits that keep one client or one firm from degrading the relay for others. Hitting one
/// gets a clear `error` message (WebSocket) or `429` (HTTP), never a silent drop.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest protocol message accepted, bytes.
    pub max_frame_bytes: usize,
    /// Largest a household document may grow, bytes.
    pub max_document_bytes: usize,
    /// Largest ephemeral (presence) message relayed, bytes.
    pub max_ephemeral_bytes: usize,
    /// Most bytes queued for one connection that is not reading fast enough (besides the
    /// 1,024-frame cap); beyond it the connection is closed as too slow.
    pub max_queued_bytes: usize,
    /// Sustained messages per second one connection may send.
    pub connection_messages_per_sec: u32,
    /// Messages one connection may send in a burst.
    pub connection_message_burst: u32,
    /// Open WebSocket connections per firm.
    pub firm_max_connections: usize,
    /// Enrollment requests (and refreshes with unknown tokens) per minute per client address
    /// (IPv6 by /64).
    pub auth_requests_per_minute: u32,
    /// Token refreshes per minute per device.
    pub refreshes_per_device_per_minute: u32,
    /// Largest attached document (blob) one upload may carry, bytes; the desk's own limit
    /// for attaching a file is the same 25 MiB.
    pub max_blob_bytes: usize,
    /// Documents (households) one firm may hold; creating one more is refused with an error
    /// naming this setting.
    pub firm_max_documents: u64,
    /// Bytes of attached documents one firm may hold; an upload past it gets `413` naming
    /// this setting.
    pub firm_max_blob_bytes: u64,
    /// Memory a firm's documents may take in the relay (estimated). Over it, the least
    /// recently used documents leave memory (they are loaded again when needed).
    pub firm_resident_bytes: usize,
    /// Bytes of frames from a firm's clients waiting for the firm's hub. Beyond it a
    /// client's frames wait in its socket (TCP backpressure) instead of in the relay's memory.
    pub firm_mailbox_bytes: usize,
    /// Bytes of accepted changes waiting to be stored. Beyond it the firm's hub takes no
    /// new frames until the disk catches up (and the mailbox fills, and clients wait).
    pub firm_unpersisted_bytes: usize,
    /// Hub tasks one firm's documents are spread over (by document id), so one busy firm
    /// uses more than one core. One suits most firms: every connection is known to every
    /// shard, so more shards cost each connection a little more; raise it for a firm that
    /// keeps a core busy on a machine with cores to spare. The memory, mailbox budgets above
    /// are split between the shards. At most 64.
    pub firm_hub_shards: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 8 * 1024 * 1024,
            max_document_bytes: hearth_wire::relay::DEFAULT_MAX_DOCUMENT_BYTES,
            max_ephemeral_bytes: hearth_wire::relay::DEFAULT_MAX_EPHEMERAL_BYTES,
            max_queued_bytes: 32 * 1024 * 1024,
            connection_messages_per_sec: 200,
            connection_message_burst: 2000,
            firm_max_connections: 500,
            auth_requests_per_minute: 20,
            refreshes_per_device_per_minute: 10,
            max_blob_bytes: 25 * 1024 * 1024,
            firm_max_documents: 100_000,
            firm_max_blob_bytes: 20 * 1024 * 1024 * 1024,
            firm_resident_bytes: hearth_wire::relay::DEFAULT_RESIDENT_BUDGET_BYTES,
            firm_mailbox_bytes: 64 * 1024 * 1024,
            firm_unpersisted_bytes: 64 * 1024 * 1024,
            firm_hub_shards: 1,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            database: "sqlite://hearth-relay.db".to_string(),
            master_key: None,
            master_key_file: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            invite_ttl_hours: 7 * 24,
            refresh_retry_grace_secs: 60,
            limits: Limits::default(),
            operator_token_sha256: None,
            metrics_token_sha256: None,
            console: ConsoleConfig::default(),
            archive: crate::archive::ArchiveConfig::default(),
            tls: TlsConfig::default(),
            insecure_http: false,
            timeouts: Timeouts::default(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Config {
    /// Reads the file (if given), then applies `HEARTH_RELAY_*` environment variables.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("reading the relay configuration {}", path.display())
                })?;
                toml::from_str(&text).with_context(|| {
                    format!("the relay configuration {} is invalid", path.display())
                })?
            }
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("HEARTH_RELAY_LISTEN") {
            config.listen = v
                .parse()
                .with_context(|| format!("HEARTH_RELAY_LISTEN={v} is not an address"))?;
        }
        // An empty value unsets (the Docker image sets them; a proxy setup clears them).
        if let Ok(v) = std::env::var("HEARTH_RELAY_TLS_CERT_FILE") {
            config.tls.cert_file = (!v.is_empty()).then(|| v.into());
        }
        if let Ok(v) = std::env::var("HEARTH_RELAY_TLS_KEY_FILE") {
            config.tls.key_file = (!v.is_empty()).then(|| v.into());
        }
        if let Ok(v) = std::env::var("HEARTH_RELAY_INSECURE_HTTP") {
            config.insecure_http = match v.as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                _ => anyhow::bail!("HEARTH_RELAY_INSECURE_HTTP={v}: use true or false"),
            };
        }
        if let Ok(v) = std::env::var("HEARTH_RELAY_DATABASE") {
            config.database = v;
        }
        if let Ok(v) = std::env::var("HEARTH_RELAY_MASTER_KEY") {
            config.master_key = Some(v);
        }
        if let Ok(v) = std::env::var("HEARTH_RELAY_MASTER_KEY_FILE") {
            config.master_key_file = Some(v.into());
        }
        // For measuring the archive's cost (`HEARTH_RELAY_ARCHIVE=off bash bench/relay/run.sh`).
        if let Ok(v) = std::env::var("HEARTH_RELAY_ARCHIVE") {
            config.archive.enabled = match v.as_str() {
                "on" | "true" | "1" => true,
                "off" | "false" | "0" => false,
                _ => anyhow::bail!("HEARTH_RELAY_ARCHIVE={v}: use on or off"),
            };
        }
        Ok(config)
    }

    /// The certificate and key files when `[tls]` is configured; an error when only one is.
    pub fn tls_files(&self) -> Result<Option<(&Path, &Path)>> {
        match (&self.tls.cert_file, &self.tls.key_file) {
            (Some(cert), Some(key)) => Ok(Some((cert, key))),
            (None, None) => Ok(None),
            _ => anyhow::bail!("[tls] needs both cert_file and key_file"),
        }
    }

    /// Whether clients reach the relay over HTTPS (its own TLS, or a proxy's: `secure_cookies`).
    pub fn https(&self) -> bool {
        self.tls.cert_file.is_some() || self.console.secure_cookies
    }

    /// Refuses plain HTTP on an address other machines can reach, unless `insecure_http`.
    pub fn check_transport(&self) -> Result<()> {
        if self.tls_files()?.is_none() && !self.listen.ip().is_loopback() && !self.insecure_http {
            anyhow::bail!(
                "refusing to serve plain HTTP on {}: enrollment codes, tokens and household content would cross the network unencrypted. \
                 Configure [tls] cert_file and key_file, or listen on 127.0.0.1 behind a TLS-terminating proxy, \
                 or (proxy on another host) set insecure_http = true",
                self.listen
            );
        }
        Ok(())
    }

    /// The master key, from `master_key` or `master_key_file`.
    pub fn master_key(&self) -> Result<MasterKey> {
        let text = match (&self.master_key, &self.master_key_file) {
            (Some(inline), _) => zeroize::Zeroizing::new(inline.clone()),
            (None, Some(path)) => zeroize::Zeroizing::new(
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading the master key file {}", path.display()))?,
            ),
            (None, None) => anyhow::bail!(
                "no master key configured: set master_key_file in the config, or HEARTH_RELAY_MASTER_KEY \
                 (generate one with `hearth-relay keys generate`)"
            ),
        };
        MasterKey::from_config(&text).context("the configured master key is not valid")
    }
}

/// The file of a SQLite database URL (`sqlite://PATH`, `sqlite:PATH`, a bare path); `None`
/// for PostgreSQL and in-memory databases.
pub fn sqlite_file(database: &str) -> Option<std::path::PathBuf> {
    let path = database
        .strip_prefix("sqlite://")
        .or_else(|| database.strip_prefix("sqlite:"))
        .filter(|p| !p.contains(":memory:"))
        .or_else(|| (!database.contains("://")).then_some(database))?;
    Some(std::path::PathBuf::from(
        path.split('?').next().unwrap_or(path),
    ))
}

/// Holds the SQLite database for this process: SQLite is single-process for the relay (its
/// scope index, hubs and archive signer live in one process), so a second `serve` on the same
/// file must refuse to start rather than serve a stale view. The lock is an OS file lock on
/// `<database>.serve-lock`, released when the process ends, however it ends. `Ok(None)` for
/// PostgreSQL, where several relays may serve one database.
pub fn lock_sqlite_for_serving(database: &str) -> anyhow::Result<Option<std::fs::File>> {
    let Some(path) = sqlite_file(database) else {
        return Ok(None);
    };
    let mut lock_path = path.into_os_string();
    lock_path.push(".serve-lock");
    let lock_path = std::path::PathBuf::from(lock_path);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(anyhow::anyhow!(
            "another hearth-relay is already serving {database} (it holds {}). A SQLite \
             database is served by one relay process: stop the other one, or move to \
             PostgreSQL to run several relays",
            lock_path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(anyhow::anyhow!("cannot lock {}: {e}", lock_path.display()))
        }
    }
}
