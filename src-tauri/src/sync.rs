//! The background sync worker: one task per unlocked, enrolled profile, with its own profile
//! handle. It syncs once at start, after every local edit (a "kick"), and every interval, and
//! reports its state to the UI as `sync-status` events; remote changes that arrive raise
//! `households-changed`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_profile::Profile;
use hearth_sync::SyncReport;
use serde::Serialize;
use tauri::{AppHandle, Emitter};
use tokio::sync::Notify;
use zeroize::Zeroizing;

use crate::error::CommandError;
use crate::unlock::passphrase_source;

/// Event name: the sync state changed (payload [`SyncStatus`]).
pub const SYNC_STATUS_EVENT: &str = "sync-status";
/// Event name: households changed here because of a sync (payload: their ids).
pub const HOUSEHOLDS_CHANGED_EVENT: &str = "households-changed";

const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

/// Where sync stands, as the status bar shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SyncStatus {
    /// `not_enrolled`, `syncing`, `online`, `offline` or `error`.
    pub state: &'static str,
    /// Relay URL, when enrolled.
    pub relay: Option<String>,
    /// Firm name, when enrolled.
    pub firm: Option<String>,
    /// When the last sync finished, ms since the epoch.
    pub last_synced_ms: Option<i64>,
    /// Why sync is offline or failing, for the advisor.
    pub message: Option<String>,
    /// What the last sync did.
    pub last_report: Option<SyncReport>,
}

impl Default for SyncStatus {
    fn default() -> Self {
        Self {
            state: "not_enrolled",
            relay: None,
            firm: None,
            last_synced_ms: None,
            message: None,
            last_report: None,
        }
    }
}

/// Handle on the worker: its last status and a way to ask for a sync now.
#[derive(Default, Clone)]
pub struct SyncWorker {
    status: Arc<Mutex<SyncStatus>>,
    kick: Arc<Notify>,
    running: Arc<Mutex<bool>>,
}

impl SyncWorker {
    /// The last status.
    pub fn status(&self) -> SyncStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Asks the worker to sync now (a no-op if it is not running).
    pub fn kick(&self) {
        self.kick.notify_one();
    }

    fn set(&self, app: &AppHandle, update: impl FnOnce(&mut SyncStatus)) {
        let snapshot = match self.status.lock() {
            Ok(mut status) => {
                update(&mut status);
                status.clone()
            }
            Err(_) => return,
        };
        if let Err(e) = app.emit(SYNC_STATUS_EVENT, snapshot) {
            tracing::warn!(error = %e, "could not send the sync status to the window");
        }
    }

    /// Starts the worker for the profile in `dir` if it is not running yet. It opens its own
    /// handle on the profile (with `passphrase` for passphrase profiles).
    pub fn start(&self, app: AppHandle, dir: PathBuf, passphrase: Option<Zeroizing<String>>) {
        {
            let Ok(mut running) = self.running.lock() else {
                return;
            };
            if *running {
                self.kick();
                return;
            }
            *running = true;
        }
        let worker = self.clone();
        // `hearth_sync` futures borrow the profile across awaits and a SQLite connection is
        // not `Sync`, so the worker owns a thread with its own single-threaded runtime.
        let spawned = std::thread::Builder::new()
            .name("hearth-sync".to_string())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        tracing::error!(error = %e, "the sync worker could not start");
                        return;
                    }
                };
                let mut profile = match Profile::open(&dir, &mut passphrase_source(passphrase)) {
                    Ok(profile) => profile,
                    Err(e) => {
                        let e = CommandError::from(e);
                        worker.set(&app, |s| {
                            s.state = "error";
                            s.message = Some(e.message);
                        });
                        return;
                    }
                };
                runtime.block_on(worker.run(&app, &mut profile));
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "the sync worker thread could not start");
        }
    }

    async fn run(&self, app: &AppHandle, profile: &mut Profile) {
        let interval = std::env::var("HEARTH_SYNC_INTERVAL_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(30));
        loop {
            match hearth_sync::credentials(profile) {
                Ok(Some(creds)) => {
                    self.set(app, |s| {
                        s.state = "syncing";
                        s.relay = Some(creds.relay_url.clone());
                        s.firm = Some(creds.firm_name.clone());
                    });
                    match hearth_sync::sync_once(profile, SYNC_TIMEOUT).await {
                        Ok(report) => {
                            let changed = report.changed.clone();
                            self.set(app, |s| {
                                s.state = "online";
                                s.message = None;
                                s.last_synced_ms = Some(chrono::Utc::now().timestamp_millis());
                                s.last_report = Some(report);
                            });
                            if !changed.is_empty()
                                && let Err(e) = app.emit(HOUSEHOLDS_CHANGED_EVENT, changed)
                            {
                                tracing::warn!(error = %e, "could not notify the window");
                            }
                        }
                        Err(e) => {
                            let transient = e.is_transient();
                            let e = CommandError::from(e);
                            tracing::info!(kind = e.kind, "sync failed");
                            self.set(app, |s| {
                                s.state = if transient { "offline" } else { "error" };
                                s.message = Some(e.message);
                            });
                        }
                    }
                }
                Ok(None) => self.set(app, |s| *s = SyncStatus::default()),
                Err(e) => {
                    let e = CommandError::from(e);
                    self.set(app, |s| {
                        s.state = "error";
                        s.message = Some(e.message);
                    });
                }
            }
            tokio::select! {
                _ = self.kick.notified() => {}
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }
}
