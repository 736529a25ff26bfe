//! Key custody for Hearth profiles.
//!
//! A profile's database is encrypted with a random 256-bit key. That key lives in the OS
//! keyring (Keychain, Windows Credential Manager, Secret Service). Where no keyring answers —
//! a headless Linux box — the key is instead derived from a passphrase with Argon2id, so there
//! is never a key file in plaintext. [`KeyDescriptor`] records which of the two a profile uses
//! (and the Argon2 salt and cost); it holds nothing secret and is stored beside the database.
#![forbid(unsafe_code)]

use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The keyring service name Hearth stores its secrets under.
pub const KEYRING_SERVICE: &str = "hearth";

/// Errors from key custody.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No usable OS keyring (no Secret Service on the session bus, locked keychain, ...).
    #[error("the OS keyring is not available ({0})")]
    KeyringUnavailable(String),
    /// The keyring answered but holds no key for this profile.
    #[error(
        "the OS keyring has no key for this profile ({account}); it may have been created on another \
         user account or machine. Restore the keyring entry, or restore the profile from an export"
    )]
    NotInKeyring {
        /// The keyring account name looked up.
        account: String,
    },
    /// The keyring holds something that is not a Hearth key.
    #[error("the OS keyring entry {account} does not hold a valid Hearth key")]
    BadKeyringEntry {
        /// The keyring account name looked up.
        account: String,
    },
    /// The passphrase is unusable.
    #[error("{0}")]
    BadPassphrase(String),
    /// Argon2 rejected its parameters (a damaged profile descriptor).
    #[error("passphrase key derivation failed: {0}; the profile descriptor may be damaged")]
    Derivation(String),
    /// The OS random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
}

/// A 256-bit database key. Zeroed when dropped; never printed.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    /// A fresh key from the OS CSPRNG (`ring`'s SystemRandom).
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(bytes.as_mut())
            .map_err(|_| SecretError::Random)?;
        Ok(Self(bytes))
    }

    /// The key's raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as lowercase hex, zeroed when dropped (SQLCipher's raw-key syntax needs hex).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(array)))
    }
}

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

/// Argon2id cost and salt for a passphrase-protected profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Argon2Params {
    /// Random salt, hex.
    pub salt: String,
    /// Memory cost in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Argon2Params {
    /// Fresh parameters: a random 16-byte salt, 64 MiB, 3 passes, 1 lane (OWASP's Argon2id
    /// guidance is at least 19 MiB/2 passes; this is comfortably above it and ~0.2 s here).
    pub fn generate() -> Result<Self, SecretError> {
        let mut salt = [0u8; 16];
        SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| SecretError::Random)?;
        Ok(Self {
            salt: hex::encode(salt),
            m_cost: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        })
    }

    /// Stretches a passphrase into a database key.
    pub fn derive(&self, passphrase: &str) -> Result<DbKey, SecretError> {
        if passphrase.is_empty() {
            return Err(SecretError::BadPassphrase(
                "the passphrase must not be empty".to_string(),
            ));
        }
        let salt = hex::decode(&self.salt).map_err(|e| SecretError::Derivation(e.to_string()))?;
        let params = argon2::Params::new(self.m_cost, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| SecretError::Derivation(e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), &salt, out.as_mut())
            .map_err(|e| SecretError::Derivation(e.to_string()))?;
        Ok(DbKey(out))
    }
}

/// Where a profile's database key comes from. Stored beside the database; holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum KeyDescriptor {
    /// A random key kept in the OS keyring under [`KEYRING_SERVICE`] / `account`.
    Keyring {
        /// Keyring account name.
        account: String,
    },
    /// A key derived from a passphrase with Argon2id.
    Passphrase(Argon2Params),
}

/// Puts `secret` in the OS keyring under [`KEYRING_SERVICE`] / `account`, and reads it back to
/// make sure the keyring really keeps it.
pub fn keyring_store(account: &str, secret: &[u8]) -> Result<(), SecretError> {
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).map_err(unavailable)?;
    entry.set_secret(secret).map_err(unavailable)?;
    match entry.get_secret() {
        Ok(back) if back == secret => Ok(()),
        Ok(_) => Err(SecretError::KeyringUnavailable(
            "the keyring returned a different value than was stored".to_string(),
        )),
        Err(e) => Err(unavailable(e)),
    }
}

/// Reads a secret from the OS keyring.
pub fn keyring_load(account: &str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).map_err(unavailable)?;
    match entry.get_secret() {
        Ok(secret) => Ok(Zeroizing::new(secret)),
        Err(keyring::Error::NoEntry) => Err(SecretError::NotInKeyring {
            account: account.to_string(),
        }),
        Err(e) => Err(unavailable(e)),
    }
}

/// Removes a secret from the OS keyring (missing is fine).
pub fn keyring_delete(account: &str) -> Result<(), SecretError> {
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).map_err(unavailable)?;
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

fn unavailable(e: keyring::Error) -> SecretError {
    SecretError::KeyringUnavailable(e.to_string())
}

/// Generates a new database key and stores it in the OS keyring for `account`.
pub fn new_keyring_key(account: &str) -> Result<(DbKey, KeyDescriptor), SecretError> {
    let key = DbKey::generate()?;
    keyring_store(account, key.to_hex().as_bytes())?;
    Ok((
        key,
        KeyDescriptor::Keyring {
            account: account.to_string(),
        },
    ))
}

/// Derives a new passphrase-protected database key.
pub fn new_passphrase_key(passphrase: &str) -> Result<(DbKey, KeyDescriptor), SecretError> {
    let params = Argon2Params::generate()?;
    let key = params.derive(passphrase)?;
    Ok((key, KeyDescriptor::Passphrase(params)))
}

impl KeyDescriptor {
    /// Recovers the database key: from the keyring, or by asking `passphrase` for the
    /// passphrase (called only for passphrase profiles).
    pub fn unlock(
        &self,
        passphrase: &mut dyn FnMut() -> Result<Zeroizing<String>, SecretError>,
    ) -> Result<DbKey, SecretError> {
        match self {
            KeyDescriptor::Keyring { account } => {
                let stored = keyring_load(account)?;
                let bytes = hex::decode(stored.as_slice()).ok().map(Zeroizing::new);
                bytes
                    .as_deref()
                    .and_then(|b| DbKey::from_slice(b))
                    .ok_or_else(|| SecretError::BadKeyringEntry {
                        account: account.clone(),
                    })
            }
            KeyDescriptor::Passphrase(params) => params.derive(&passphrase()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Params {
        Argon2Params {
            m_cost: 1024,
            t_cost: 1,
            ..Argon2Params::generate().unwrap()
        }
    }

    #[test]
    fn same_passphrase_same_key_other_passphrase_other_key() {
        let p = cheap();
        let a = p.derive("correct horse").unwrap();
        assert_eq!(a.as_bytes(), p.derive("correct horse").unwrap().as_bytes());
        assert_ne!(a.as_bytes(), p.derive("correct horsf").unwrap().as_bytes());
        let other_salt = cheap();
        assert_ne!(
            a.as_bytes(),
            other_salt.derive("correct horse").unwrap().as_bytes()
        );
    }

    #[test]
    fn empty_passphrase_refused() {
        assert!(matches!(
            cheap().derive(""),
            Err(SecretError::BadPassphrase(_))
        ));
    }

    #[test]
    fn keys_are_random_and_never_printed() {
        let a = DbKey::generate().unwrap();
        let b = DbKey::generate().unwrap();
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert_eq!(format!("{a:?}"), "DbKey(<redacted>)");
    }

    #[test]
    fn descriptor_round_trips_as_json() {
        let d = KeyDescriptor::Passphrase(cheap());
        let text = serde_json::to_string(&d).unwrap();
        assert!(text.contains("\"source\":\"passphrase\""));
        assert_eq!(serde_json::from_str::<KeyDescriptor>(&text).unwrap(), d);
    }

    #[test]
    fn damaged_params_are_a_clear_error() {
        let mut p = cheap();
        p.salt = "zz".into();
        assert!(matches!(p.derive("x"), Err(SecretError::Derivation(_))));
    }
}
