//! Updates: which version this is, checking the release feed, installing a signed update.
//!
//! Releases are signed with Hearth's release key (minisign, by `tauri build` with
//! `TAURI_SIGNING_PRIVATE_KEY`); the public half is compiled into the app by
//! `scripts/package.sh` (`HEARTH_UPDATE_PUBKEY`), so a build carries exactly one key it trusts
//! and nothing at run time can change it. The feed is the build's (`HEARTH_UPDATE_FEED`) or a
//! firm's own mirror set in Settings; either way it must be `https` and the package must carry
//! a signature by the compiled-in key *for the version the feed announces* (the plugin's
//! `requireSignedVersion`), so neither a tampered package nor a feed that relabels an older
//! release installs. The update is installed the platform's way (on Linux, `dpkg -i` through
//! `pkexec`/`sudo` for the .deb); the advisor restarts into it when they choose.

use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

use crate::args::invalid;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// The profile setting holding a firm's own update feed (an `https` URL), when it has one.
const UPDATE_FEED_SETTING: &str = "update_feed";

/// The update found by the last check, kept until it is installed or another check replaces it.
#[derive(Default)]
pub struct PendingUpdate(tokio::sync::Mutex<Option<Update>>);

/// What the Updates card shows.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct UpdateStatus {
    /// The running version.
    pub current_version: String,
    /// This build carries a release key, so it can verify and install updates.
    pub signed_updates: bool,
    /// The feed a check asks: the firm's own when set, else the build's; none when neither.
    pub feed: Option<String>,
    /// The feed is the firm's own (set in Settings) rather than the build's.
    pub feed_is_custom: bool,
}

/// A newer release the feed offers.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct AvailableUpdate {
    /// Its version.
    pub version: String,
    /// Release notes, when the feed gives them.
    pub notes: Option<String>,
    /// Publication date (RFC 3339), when the feed gives it.
    pub date: Option<String>,
}

async fn feed_override(state: &AppState) -> CommandResult<Option<String>> {
    state
        .with_profile(|p| Ok(p.setting(UPDATE_FEED_SETTING)?.filter(|f| !f.is_empty())))
        .await
}

/// A value of the build's updater configuration (`plugins.updater` in tauri.conf.json, as
/// scripts/package.sh completed it).
fn updater_config<'a>(app: &'a AppHandle, key: &str) -> Option<&'a serde_json::Value> {
    app.config().plugins.0.get("updater")?.get(key)
}

/// The build's own feed, if it was given one.
fn build_feed(app: &AppHandle) -> Option<String> {
    let first = updater_config(app, "endpoints")?.as_array()?.first()?;
    first.as_str().map(str::to_string)
}

/// Whether the build carries a release key to verify updates with.
fn build_pubkey(app: &AppHandle) -> bool {
    updater_config(app, "pubkey")
        .and_then(|k| k.as_str())
        .is_some_and(|k| !k.trim().is_empty())
}

/// The version, the key and the feed.
#[tauri::command]
pub async fn update_status(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<UpdateStatus> {
    let custom = feed_override(&state).await?;
    Ok(UpdateStatus {
        current_version: app.package_info().version.to_string(),
        signed_updates: build_pubkey(&app),
        feed_is_custom: custom.is_some(),
        feed: custom.or_else(|| build_feed(&app)),
    })
}

/// Sets (or, empty, clears) the firm's own update feed.
#[tauri::command]
pub async fn set_update_feed(state: State<'_, AppState>, feed: String) -> CommandResult<()> {
    let feed = feed.trim().to_string();
    if !feed.is_empty() {
        let url = url::Url::parse(&feed)
            .map_err(|_| invalid("The update feed is not a web address (https://…)."))?;
        if url.scheme() != "https" {
            return Err(invalid(
                "The update feed must be an https:// address: updates are never fetched over plain HTTP.",
            ));
        }
    }
    state
        .with_profile(move |p| Ok(p.set_setting(UPDATE_FEED_SETTING, &feed)?))
        .await
}

/// Asks the feed for a newer release; `None` when this is the newest.
#[tauri::command]
pub async fn check_for_update(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<Option<AvailableUpdate>> {
    if !build_pubkey(&app) {
        return Err(CommandError::new(
            "updates_off",
            "This build of Hearth was not signed for updates. Install a release from your firm to get updates.",
        ));
    }
    let mut builder = app.updater_builder();
    match feed_override(&state).await? {
        Some(feed) => {
            let url = url::Url::parse(&feed).map_err(|e| {
                CommandError::with_detail("invalid", "The update feed is not a web address.", e)
            })?;
            builder = builder.endpoints(vec![url]).map_err(update_error)?;
        }
        None if build_feed(&app).is_none() => {
            return Err(CommandError::new(
                "updates_off",
                "No update feed is set. Ask your firm for its update address and enter it here.",
            ));
        }
        None => {}
    }
    let update = builder
        .build()
        .map_err(update_error)?
        .check()
        .await
        .map_err(update_error)?;
    let offered = update.as_ref().map(|u| AvailableUpdate {
        version: u.version.clone(),
        notes: u.body.clone(),
        date: u.date.map(|d| d.to_string()),
    });
    *app.state::<PendingUpdate>().0.lock().await = update;
    Ok(offered)
}

/// Downloads the update the last check found, verifies its signature and installs it. Returns
/// the version now installed; the running app stays the old one until [`restart_app`].
#[tauri::command]
pub async fn install_update(app: AppHandle, version: String) -> CommandResult<String> {
    let pending = app.state::<PendingUpdate>();
    let mut slot = pending.0.lock().await;
    let update = match slot.as_ref() {
        Some(u) if u.version == version => u,
        _ => {
            return Err(invalid(
                "That update is no longer the one offered. Check for updates again.",
            ));
        }
    };
    update
        .download_and_install(|_, _| {}, || {})
        .await
        .map_err(update_error)?;
    tracing::info!(version = %version, "update installed");
    *slot = None;
    Ok(version)
}

/// Restarts into the installed update.
#[tauri::command]
pub fn restart_app(app: AppHandle) {
    app.restart();
}

/// The updater's failures in the advisor's words; the technical cause goes in the detail.
fn update_error(e: UpdaterError) -> CommandError {
    let (kind, message) = match &e {
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::MissingSignedVersion => (
            "update_rejected",
            "The update was refused: its signature does not match Hearth's release key (the file was altered or signed by someone else). Nothing was installed.",
        ),
        UpdaterError::SignedVersionMismatch { .. } => (
            "update_rejected",
            "The update was refused: the feed announced a different version than the one the package is signed for. Nothing was installed.",
        ),
        UpdaterError::InvalidUpdaterFormat => (
            "update_rejected",
            "The update was refused: the download is not an installer for this system. Nothing was installed.",
        ),
        UpdaterError::AuthenticationFailed
        | UpdaterError::DebInstallFailed
        | UpdaterError::PackageInstallFailed => (
            "update_failed",
            "The update was verified but could not be installed (the system asked for an administrator and did not get one). Hearth is unchanged; try again or ask your IT contact.",
        ),
        UpdaterError::InsecureTransportProtocol => {
            ("invalid", "The update feed must be an https:// address.")
        }
        UpdaterError::TargetNotFound(_) | UpdaterError::TargetsNotFound(_) => (
            "update_failed",
            "The update feed has no release for this kind of computer.",
        ),
        UpdaterError::Reqwest(_)
        | UpdaterError::Network(_)
        | UpdaterError::ReleaseNotFound
        | UpdaterError::Serialization(_) => (
            "update_unreachable",
            "The update feed could not be reached or did not answer with a release. Check the connection and the feed address.",
        ),
        _ => (
            "update_failed",
            "The update could not be installed. Hearth is unchanged.",
        ),
    };
    tracing::warn!(kind, error = %e, "update refused or failed");
    CommandError::with_detail(kind, message, e)
}
