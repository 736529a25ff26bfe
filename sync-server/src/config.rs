//! Relay configuration: a TOML file, overridden by environment variables, overridden by flags.
//!
//! ```toml
//! listen = "127.0.0.1:8787"
//! database = "sqlite:///var/lib/hearth-relay/relay.db"   # or postgres://user@host/db
//! master_key_file = "/etc/hearth-relay/master.key"        # or master_key = "<64 hex>"
//! access_token_ttl_secs = 900
//! refresh_token_ttl_days = 30
//! invite_ttl_hours = 168
//!
//! [limits]
//! max_frame_bytes = 8388608             # one protocol message
//! max_document_bytes = 67108864         # one household document
//! connection_messages_per_sec = 200     # sustained, per WebSocket
//! connection_message_burst = 2000
//! firm_max_connections = 500
//! auth_requests_per_minute = 20         # enrollment + token refresh, per client IP
//! max_blob_bytes = 26214400             # one attached document (PDF, statement)
//!
//! [console]
//! secure_cookies = true                 # behind HTTPS
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
    /// Backpressure and abuse limits.
    pub limits: Limits,
    /// SHA-256 (hex) of the platform operator's bearer token for `/v1/operator/*`; unset
    /// disables those endpoints. `printf %s TOKEN | sha256sum`.
    pub operator_token_sha256: Option<String>,
    /// The web console at `/admin`.
    pub console: ConsoleConfig,
    /// The compliance archive (`[archive]`: `enabled`, `mirror_dir`).
    pub archive: crate::archive::ArchiveConfig,
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
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_ttl_secs: 8 * 3600,
            sign_in_attempts_per_minute: 10,
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
    /// Sustained messages per second one connection may send.
    pub connection_messages_per_sec: u32,
    /// Messages one connection may send in a burst.
    pub connection_message_burst: u32,
    /// Open WebSocket connections per firm.
    pub firm_max_connections: usize,
    /// Enrollment and token requests per minute per client IP.
    pub auth_requests_per_minute: u32,
    /// Largest attached document (blob) one upload may carry, bytes; the desk's own limit
    /// for attaching a file is the same 25 MiB.
    pub max_blob_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 8 * 1024 * 1024,
            max_document_bytes: hearth_wire::relay::DEFAULT_MAX_DOCUMENT_BYTES,
            connection_messages_per_sec: 200,
            connection_message_burst: 2000,
            firm_max_connections: 500,
            auth_requests_per_minute: 20,
            max_blob_bytes: 25 * 1024 * 1024,
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
            limits: Limits::default(),
            operator_token_sha256: None,
            console: ConsoleConfig::default(),
            archive: crate::archive::ArchiveConfig::default(),
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
