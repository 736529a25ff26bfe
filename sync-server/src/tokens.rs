//! Credentials: short-lived access tokens (HMAC-signed, stateless), rotating refresh tokens
//! and long-lived API tokens (random, stored hashed), and one-time enrollment codes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

const ACCESS_PREFIX: &str = "hat1.";
/// Prefix of refresh tokens.
pub const REFRESH_PREFIX: &str = "hrt1_";
/// Prefix of API tokens.
pub const API_PREFIX: &str = "hapi1_";

/// What an access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Device id.
    #[serde(rename = "d")]
    pub device_id: String,
    /// Advisor id.
    #[serde(rename = "a")]
    pub advisor_id: String,
    /// Firm id.
    #[serde(rename = "f")]
    pub firm_id: String,
    /// Expiry, ms since the epoch.
    #[serde(rename = "e")]
    pub expires_at: i64,
}

/// Signs and verifies access tokens.
pub struct TokenSigner {
    key: hmac::Key,
}

impl TokenSigner {
    /// A signer whose key is derived from the master key's secret text, so that access tokens
    /// survive relay restarts and stop verifying when the master key changes.
    pub fn from_secret(secret: &[u8]) -> Self {
        // HKDF-SHA256 (RFC 5869) with its own label: this key shares nothing usable with the
        // master key's other uses (wrapping firm keys).
        let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"hearth-relay").extract(secret);
        let key = prk
            .expand(&[b"hearth access tokens v2"], hmac::HMAC_SHA256)
            .map(hmac::Key::from)
            .expect("HKDF-SHA256 expands a 32-byte key (its limit is 255 x 32 bytes)");
        Self { key }
    }

    /// The refresh token that succeeds `presented` when it is exchanged: derived, not random,
    /// so that a retry of the same exchange (its answer lost on the way) gets the very same
    /// pair back instead of a second, independent one.
    pub fn successor(&self, presented: &str) -> String {
        let tag = hmac::sign(
            &self.key,
            &[
                b"hearth refresh successor v1\0".as_slice(),
                presented.as_bytes(),
            ]
            .concat(),
        );
        format!("{REFRESH_PREFIX}{}", B64.encode(tag.as_ref()))
    }

    /// Mints an access token.
    pub fn sign(&self, claims: &AccessClaims) -> String {
        // Serialising a struct of strings and an integer cannot fail.
        let payload = B64.encode(serde_json::to_vec(claims).unwrap_or_default());
        let signed = format!("{ACCESS_PREFIX}{payload}");
        let tag = hmac::sign(&self.key, signed.as_bytes());
        format!("{signed}.{}", B64.encode(tag.as_ref()))
    }

    /// Verifies signature and expiry. `None` for anything that is not a valid, current token.
    pub fn verify(&self, token: &str, now_ms: i64) -> Option<AccessClaims> {
        let rest = token.strip_prefix(ACCESS_PREFIX)?;
        let (payload, tag) = rest.rsplit_once('.')?;
        let tag = B64.decode(tag).ok()?;
        let signed = &token[..ACCESS_PREFIX.len() + payload.len()];
        hmac::verify(&self.key, signed.as_bytes(), &tag).ok()?;
        let claims: AccessClaims = serde_json::from_slice(&B64.decode(payload).ok()?).ok()?;
        (claims.expires_at > now_ms).then_some(claims)
    }
}

/// Whether a bearer string looks like an access token (as opposed to an API token).
pub fn is_access_token(token: &str) -> bool {
    token.starts_with(ACCESS_PREFIX)
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS CSPRNG failing leaves no safe way to mint credentials.
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random number generator failed");
    bytes
}

/// A new random secret token with `prefix`.
pub fn new_secret(prefix: &str) -> String {
    format!("{prefix}{}", B64.encode(random_bytes::<32>()))
}

/// A new random id (for firms, advisors, devices, tokens): 16 bytes, URL-safe.
pub fn new_id(kind: &str) -> String {
    format!("{kind}_{}", B64.encode(random_bytes::<12>()))
}

/// SHA-256 of a secret, as stored.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, secret.as_bytes())
        .as_ref()
        .to_vec()
}

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";

/// A one-time enrollment code an advisor can read aloud or type: `XXXX-XXXX-XXXX-XXXX`
/// from an alphabet without look-alikes (~78 bits).
pub fn new_enrollment_code() -> String {
    let bytes = random_bytes::<16>();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The stored hash of an enrollment code, ignoring case, spaces and dashes.
pub fn hash_enrollment_code(code: &str) -> Vec<u8> {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hash_secret(&normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(expires_at: i64) -> AccessClaims {
        AccessClaims {
            device_id: "dev_1".into(),
            advisor_id: "adv_1".into(),
            firm_id: "firm_1".into(),
            expires_at,
        }
    }

    #[test]
    fn tokens_verify_until_expiry_and_never_when_forged() {
        let signer = TokenSigner::from_secret(b"secret");
        let token = signer.sign(&claims(1_000));
        assert_eq!(signer.verify(&token, 999), Some(claims(1_000)));
        assert_eq!(signer.verify(&token, 1_000), None, "expired");
        assert_eq!(
            TokenSigner::from_secret(b"other").verify(&token, 0),
            None,
            "other key"
        );
        // Swap in a payload claiming another firm, keep the signature.
        let forged_payload = B64.encode(
            serde_json::to_vec(&AccessClaims {
                firm_id: "firm_2".into(),
                ..claims(1_000)
            })
            .unwrap(),
        );
        let sig = token.rsplit_once('.').unwrap().1;
        assert_eq!(
            signer.verify(&format!("{ACCESS_PREFIX}{forged_payload}.{sig}"), 0),
            None
        );
        for junk in ["", "hat1.", "hat1..", "hat1.x.y", "Bearer x", "hat1.!!.??"] {
            assert_eq!(signer.verify(junk, 0), None, "{junk}");
        }
    }

    #[test]
    fn enrollment_codes_normalise() {
        let code = new_enrollment_code();
        assert_eq!(code.len(), 19);
        assert_eq!(
            hash_enrollment_code(&code),
            hash_enrollment_code(&code.to_lowercase().replace('-', " "))
        );
        assert_ne!(
            hash_enrollment_code(&code),
            hash_enrollment_code(&new_enrollment_code())
        );
    }
}
