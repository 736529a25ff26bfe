//! Relay configuration: a TOML file, overridden by environment variables, overridden by flags.
//!
//! ```toml
//! listen = "127.0.0.1:8787"
//! database = "sqlite:///var/lib/hearth-relay/relay.db"   # or postgres://user@host/db
//! master_key_file = "/etc/hearth-relay/master.key"        # or master_key = "<64 hex>"
//! access_token_ttl_secs = 900
//! refresh_token_ttl_days = 30
//! invite_ttl_hours = 168
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
