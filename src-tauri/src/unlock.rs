//! Unlocking a profile from the UI: the passphrase it gave, or the answer that one is needed.

use zeroize::Zeroizing;

/// A passphrase source for `Profile::open`/`init` that answers with `given`, or reports that
/// the UI has to ask for one.
pub fn passphrase_source(
    given: Option<Zeroizing<String>>,
) -> impl FnMut() -> Result<Zeroizing<String>, hearth_secrets::SecretError> {
    move || match &given {
        Some(p) => Ok(Zeroizing::new(p.to_string())),
        None => Err(hearth_secrets::SecretError::BadPassphrase(
            crate::error::PASSPHRASE_NEEDED.to_string(),
        )),
    }
}
