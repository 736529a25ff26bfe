//! Errors as the UI receives them: a stable `kind` the UI can branch on and a message written
//! for the advisor. Every failure of a command becomes one of these — never a blank screen.

use hearth_profile::ProfileError;
use hearth_secrets::SecretError;
use hearth_sync::SyncError;
use serde::Serialize;

/// What went wrong, for the UI.
#[derive(Debug, Clone, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{message}")]
pub struct CommandError {
    /// Stable machine-readable kind: `no_profile`, `locked`, `passphrase_required`,
    /// `wrong_passphrase`, `keyring_unavailable`, `relay_unreachable`, `relay_refused`,
    /// `bad_code`, `not_enrolled`, `not_found`, `invalid`, `model_missing`,
    /// `model_download_failed`, `cancelled`, `internal`.
    pub kind: &'static str,
    /// A sentence for the advisor: what happened and what to do — plain words, no paths,
    /// addresses or library messages.
    pub message: String,
    /// The technical cause, for a "Details" disclosure and for support.
    pub detail: Option<String>,
}

impl CommandError {
    /// An error of `kind` with `message`.
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            detail: None,
        }
    }

    /// An error of `kind` with `message` for the advisor and the technical `detail`.
    pub fn with_detail(
        kind: &'static str,
        message: impl Into<String>,
        detail: impl std::fmt::Display,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            detail: Some(detail.to_string()),
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
        Self::with_detail(
            "internal",
            "Hearth hit an internal problem. Nothing you typed was lost; try again.",
            what,
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
            SecretError::KeyringUnavailable(why) => Self::with_detail(
                "keyring_unavailable",
                "The system keyring is not available. Choose a passphrase instead, or sign in to a desktop session with a keyring.",
                why,
            ),
            _ => Self::internal(e),
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
            ProfileError::KeyringLocked(why) => Self::with_detail(
                "keyring_unavailable",
                "This profile's key is in the system keyring, which is locked or not available. Unlock it (sign in to your desktop session) and try again.",
                why,
            ),
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
            | ProfileError::BadInput(_)
            | ProfileError::Core(_)
            | ProfileError::BadImport { .. } => Self::new("invalid", e.to_string()),
            ProfileError::Policy(why) => Self::new("firm_policy", why),
            other => Self::internal(other),
        }
    }
}

impl From<SyncError> for CommandError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Unreachable { url, reason } => Self::with_detail(
                "relay_unreachable",
                "Cannot reach your firm's relay. You can keep working offline; Hearth syncs when the relay is back.",
                format!("{url}: {reason}"),
            ),
            SyncError::BadCode => Self::new("bad_code", e.to_string()),
            SyncError::Unauthorized(_) => Self::new("relay_refused", e.to_string()),
            SyncError::NotEnrolled => Self::new(
                "not_enrolled",
                "This profile is not connected to a relay. Enroll in Settings with the code from your firm admin.",
            ),
            SyncError::Profile(p) => p.into(),
            SyncError::RelayAddress(message) => Self::new("invalid", message),
            // Loud on purpose: the firm's archive on the relay no longer extends what this
            // desk witnessed; nothing syncs until an admin has looked.
            SyncError::UntrustedRelay(_) => Self::new("relay_untrusted", e.to_string()),
            other => Self::with_detail(
                "relay_unreachable",
                "Sync with your firm's relay failed. You can keep working offline; Hearth retries.",
                other,
            ),
        }
    }
}

/// Result alias for commands.
pub type CommandResult<T> = Result<T, CommandError>;
