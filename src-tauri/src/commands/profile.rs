//! The profile: is there one, create it, unlock it, enroll it with the firm's relay, and
//! where sync stands.

use hearth_profile::{DESCRIPTOR_FILE, InitOptions, KeyStorage, Profile, ProfileInfo};
use serde::Serialize;
use tauri::{AppHandle, State};
use zeroize::Zeroizing;

use crate::args::{given, invalid};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::sync::SyncStatus;
use crate::unlock::passphrase_source;

/// Whether a profile exists and whether it is open.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct ProfileStatus {
    /// The profile directory.
    pub dir: String,
    /// A profile exists there.
    pub exists: bool,
    /// Who the open profile belongs to, once unlocked.
    pub info: Option<ProfileInfo>,
}

/// Whether a profile exists and is unlocked.
#[tauri::command]
pub async fn profile_status(state: State<'_, AppState>) -> CommandResult<ProfileStatus> {
    let info = match state.profile.lock().await.as_ref() {
        Some(profile) => Some(profile.info()?),
        None => None,
    };
    Ok(ProfileStatus {
        dir: state.dir.display().to_string(),
        exists: state.dir.join(DESCRIPTOR_FILE).exists(),
        info,
    })
}

async fn install_profile(
    app: &AppHandle,
    state: &AppState,
    profile: Profile,
    passphrase: Option<Zeroizing<String>>,
) -> CommandResult<ProfileInfo> {
    let info = profile.info()?;
    let enrolled = hearth_sync::credentials(&profile)?.is_some();
    *state.profile.lock().await = Some(profile);
    if let Ok(mut kept) = state.passphrase.lock() {
        *kept = passphrase;
    }
    if enrolled {
        state
            .sync
            .start(app.clone(), state.dir.clone(), state.passphrase());
    }
    Ok(info)
}

/// Creates the profile: `key_storage` is `keyring` or `passphrase`.
#[tauri::command]
pub async fn create_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    advisor: String,
    device: String,
    key_storage: String,
    passphrase: Option<String>,
) -> CommandResult<ProfileInfo> {
    if advisor.trim().is_empty() {
        return Err(invalid(
            "Enter your name: it is shown on every change you make.",
        ));
    }
    let key_storage = match key_storage.as_str() {
        "keyring" => KeyStorage::Keyring,
        "passphrase" => KeyStorage::Passphrase,
        other => return Err(invalid(format!("unknown key storage '{other}'"))),
    };
    let passphrase = given(passphrase).map(Zeroizing::new);
    if key_storage == KeyStorage::Passphrase && passphrase.as_ref().is_none_or(|p| p.len() < 8) {
        return Err(invalid("Choose a passphrase of at least 8 characters."));
    }
    let dir = state.dir.clone();
    let source = passphrase.clone();
    let device = given(Some(device)).unwrap_or_else(|| "Desktop".to_string());
    let profile = tauri::async_runtime::spawn_blocking(move || {
        Profile::init(
            &dir,
            InitOptions {
                advisor,
                device,
                key_storage,
                passphrase: &mut passphrase_source(source),
            },
        )
    })
    .await
    .map_err(CommandError::internal)??;
    let kept = (key_storage == KeyStorage::Passphrase)
        .then_some(passphrase)
        .flatten();
    install_profile(&app, &state, profile, kept).await
}

/// Unlocks the existing profile; `passphrase` only for passphrase profiles (without it, a
/// passphrase profile answers `passphrase_required`).
#[tauri::command]
pub async fn unlock_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: Option<String>,
) -> CommandResult<ProfileInfo> {
    if let Some(open) = state.profile.lock().await.as_ref() {
        return Ok(open.info()?);
    }
    let dir = state.dir.clone();
    let passphrase = given(passphrase).map(Zeroizing::new);
    let source = passphrase.clone();
    let profile = tauri::async_runtime::spawn_blocking(move || {
        Profile::open(&dir, &mut passphrase_source(source))
    })
    .await
    .map_err(CommandError::internal)??;
    install_profile(&app, &state, profile, passphrase).await
}

/// Enrolls the profile with the firm's relay using a one-time code, then starts syncing.
#[tauri::command]
pub async fn enroll(
    app: AppHandle,
    state: State<'_, AppState>,
    relay: String,
    code: String,
) -> CommandResult<SyncStatus> {
    let relay = hearth_sync::check_relay_url(&relay).map_err(|e| invalid(e.to_string()))?;
    {
        let mut guard = state.profile.lock().await;
        let profile = guard.as_mut().ok_or_else(CommandError::locked)?;
        let label = profile.info()?.device;
        hearth_sync::enroll(profile, &relay, code.trim(), &label, None).await?;
    }
    state
        .sync
        .start(app.clone(), state.dir.clone(), state.passphrase());
    state.sync.kick();
    Ok(state.sync.status())
}

/// Where sync stands.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    Ok(state.sync.status())
}

/// Asks for a sync now; progress arrives as `sync-status` events.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    state.sync.kick();
    Ok(state.sync.status())
}
