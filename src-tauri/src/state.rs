//! What the shell keeps between commands: where the profile lives, the open profile, and the
//! background sync worker.

use std::path::PathBuf;
use std::sync::Arc;

use hearth_profile::Profile;
use zeroize::Zeroizing;

use crate::error::{CommandError, CommandResult};
use crate::sync::SyncWorker;

/// The recording in progress (at most one; `record.rs` starts and stops it).
pub struct ActiveRecording {
    /// The capture, live transcription and sealed audio.
    pub(crate) recording: hearth_recording::Recording,
}

/// Shared state of the running app.
pub struct AppState {
    /// The profile directory: `$HEARTH_PROFILE`, else `<OS app-data dir>/profile`.
    pub dir: PathBuf,
    /// The profile the UI edits, once created or unlocked.
    pub profile: Arc<tokio::sync::Mutex<Option<Profile>>>,
    /// The passphrase of a passphrase profile, kept so the sync worker can open its own
    /// handle on the same profile (the key itself is in memory anyway while unlocked).
    pub passphrase: std::sync::Mutex<Option<Zeroizing<String>>>,
    /// Background sync with the firm's relay.
    pub sync: SyncWorker,
    /// Set to stop the running recording import.
    pub import_cancel: Arc<std::sync::atomic::AtomicBool>,
    /// The meeting being recorded, if any (at most one).
    pub recording: std::sync::Mutex<Option<ActiveRecording>>,
    /// Files saved to Downloads this session: the only ones `open_saved` opens.
    pub saved_files: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl AppState {
    /// State for a profile in `dir`, nothing open yet.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            profile: Arc::new(tokio::sync::Mutex::new(None)),
            passphrase: std::sync::Mutex::new(None),
            sync: SyncWorker::default(),
            import_cancel: Arc::default(),
            recording: std::sync::Mutex::new(None),
            saved_files: std::sync::Mutex::default(),
        }
    }

    /// Runs `work` on the open profile on a blocking thread (SQLCipher and Automerge work
    /// must not stall the UI's event loop).
    pub async fn with_profile<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Profile) -> CommandResult<T> + Send + 'static,
    ) -> CommandResult<T> {
        let profile = self.profile.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = profile.blocking_lock();
            let open = guard.as_mut().ok_or_else(CommandError::locked)?;
            work(open)
        })
        .await
        .map_err(CommandError::internal)?
    }

    /// The remembered passphrase, if the profile uses one.
    pub fn passphrase(&self) -> Option<Zeroizing<String>> {
        self.passphrase
            .lock()
            .ok()
            .and_then(|guard| guard.as_ref().map(|p| Zeroizing::new(p.to_string())))
    }
}
