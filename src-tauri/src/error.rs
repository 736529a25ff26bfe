//! Errors as the UI receives them: a stable `kind` the UI can branch on and a message written
//! for the advisor. Every failure of a command becomes one of these — never a blank screen.

use hearth_profile::ProfileError;
use hearth_secrets::SecretError;
use hearth_sync::SyncError;
use serde::Serialize;

/// What went wrong, for the UI.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// Stable machine-readable kind: `no_profile`, `locked`, `passphrase_required`,
    /// `wrong_passphrase`, `keyring_unavailable`, `relay_unreachable`, `relay_refused`,
    /// `bad_code`, `not_enrolled`, `not_found`, `invalid`, `model_missing`,
    /// `model_download_failed`, `cancelled`, `internal`.
    pub kind: &'static str,
    /// A sentence for the advisor: what happened and what to do.
    pub message: String,
}

impl CommandError {
    /// An error of `kind` with `message`.
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The profile is not unlocked yet.
    pub fn locked() -> Self {
        Self::new(
            "locked",
            "The profile is locked. Unlock it (or create one) first.",
        )
    }

    /// Something inside the app failed that the advisor cannot fix.
    pub fn internal(what: impl std::fmt::Display) -> Self {
        Self::new(
            "internal",
            format!("Hearth hit an internal problem: {what}"),
        )
    }
}

/// Marker text the passphrase source uses when the UI gave no passphrase but one is needed.
pub(crate) const PASSPHRASE_NEEDED: &str = "a passphrase is needed to unlock this profile";

impl From<SecretError> for CommandError {
    fn from(e: SecretError) -> Self {
        match &e {
            SecretError::BadPassphrase(why) if why == PASSPHRASE_NEEDED => Self::new(
                "passphrase_required",
                "This profile is protected by a passphrase. Enter it to unlock.",
            ),
            SecretError::BadPassphrase(_) => Self::new("invalid", e.to_string()),
            SecretError::KeyringUnavailable(why) => Self::new(
                "keyring_unavailable",
                format!(
                    "The OS keyring is not available ({why}). Choose a passphrase instead, or sign in to a desktop session with a keyring."
                ),
            ),
            _ => Self::new("internal", e.to_string()),
        }
    }
}

impl From<ProfileError> for CommandError {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::NoProfile(_) => Self::new(
                "no_profile",
                "There is no Hearth profile on this computer yet. Create one to start.",
            ),
            ProfileError::Store(hearth_store::StoreError::WrongKey { .. }) => Self::new(
                "wrong_passphrase",
                "That passphrase does not unlock this profile. Nothing was changed — try again.",
            ),
            ProfileError::Secret(secret) => secret.into(),
            ProfileError::KeyringLocked(_) => Self::new("keyring_unavailable", e.to_string()),
            ProfileError::UnknownHousehold(_) | ProfileError::UnknownMeeting(_) => {
                Self::new("not_found", e.to_string())
            }
            ProfileError::Core(hearth_core::CoreError::NotFound { .. }) => {
                Self::new("not_found", e.to_string())
            }
            ProfileError::ConsentRequired
            | ProfileError::ConsentIncomplete(_)
            | ProfileError::Document(_)
            | ProfileError::NotAnalysed(_)
            | ProfileError::BadItem(_)
            | ProfileError::Core(_)
            | ProfileError::BadImport { .. } => Self::new("invalid", e.to_string()),
            other => Self::new("internal", other.to_string()),
        }
    }
}

impl From<SyncError> for CommandError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Unreachable { url, reason } => Self::new(
                "relay_unreachable",
                format!(
                    "Cannot reach the firm's relay at {url} ({reason}). You can keep working offline; Hearth syncs when the relay is back."
                ),
            ),
            SyncError::BadCode => Self::new("bad_code", e.to_string()),
            SyncError::Unauthorized(_) => Self::new("relay_refused", e.to_string()),
            SyncError::NotEnrolled => Self::new(
                "not_enrolled",
                "This profile is not connected to a relay. Enroll in Settings with the code from your firm admin.",
            ),
            SyncError::Profile(p) => p.into(),
            other => Self::new("relay_unreachable", other.to_string()),
        }
    }
}

/// Result alias for commands.
pub type CommandResult<T> = Result<T, CommandError>;
