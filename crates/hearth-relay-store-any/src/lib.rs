//! Opens the relay store a URL names, so the trait crate stays backend-free:
//!
//! * `sqlite://PATH`, `sqlite:PATH`, `sqlite::memory:` → [`hearth_relay_store_sqlite::SqliteStore`]
//! * `postgres://...`, `postgresql://...` → [`hearth_relay_store_postgres::PostgresStore`]
//! * anything else → [`StoreError::UnsupportedUrl`]
#![forbid(unsafe_code)]

use std::sync::Arc;

use hearth_relay_store::{RelayStore, StoreError};

/// The backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:`
    Sqlite,
    /// `postgres:` / `postgresql:`
    Postgres,
}

/// Which backend `url` names (scheme matched case-insensitively).
pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(Backend::Sqlite),
        Some("postgres" | "postgresql") => Ok(Backend::Postgres),
        _ => Err(StoreError::UnsupportedUrl(redact(url))),
    }
}

/// Opens the store `url` names. Does not migrate: call [`RelayStore::migrate`].
pub async fn open_store(url: &str) -> Result<Arc<dyn RelayStore>, StoreError> {
    Ok(match backend_of(url)? {
        Backend::Sqlite => Arc::new(hearth_relay_store_sqlite::SqliteStore::open(url).await?),
        Backend::Postgres => Arc::new(hearth_relay_store_postgres::PostgresStore::open(url).await?),
    })
}

/// The URL with any `user:password@` part's password hidden (for error messages and logs).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo
                .split_once(':')
                .map(|(u, _)| format!("{u}:***"))
                .unwrap_or_else(|| userinfo.to_string());
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_string(),
    }
}
