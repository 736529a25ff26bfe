//! Hearth's desktop shell (Tauri 2): one window, a tray icon, and commands/events over the
//! library crates. The UI (`ui/`) calls the commands in [`commands`]; errors reach it as
//! [`error::CommandError`] with a message for the advisor.
//!
//! Layers, each using only those below it: `error`, `args`, `unlock` → `views`, `sync` →
//! `state` → `notify` → `commands`, `media` → `record` → `tray`, and this file, which
//! registers everything.
#![forbid(unsafe_code)]

mod args;
pub mod commands;
mod commands_list;
pub mod error;
pub mod media;
pub mod notify;
pub mod record;
pub mod state;
pub mod sync;
mod tray;
mod unlock;
pub mod views;

use std::path::PathBuf;

use tauri::Manager;

pub use commands_list::COMMANDS;

/// The environment variable that points the app at a profile directory (tests, several
/// profiles on one machine); without it the profile lives in the OS app-data directory.
pub const PROFILE_ENV: &str = "HEARTH_PROFILE";

fn profile_dir(app: &tauri::App) -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os(PROFILE_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    Ok(app.path().app_data_dir()?.join("profile"))
}

/// Builds and runs the app until the window closes or Quit is chosen.
pub fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(commands::updates::PendingUpdate::default())
        .setup(|app| {
            let dir = profile_dir(app)?;
            tracing::info!("profile directory chosen");
            app.manage(state::AppState::new(dir));
            // A missing tray host (some Linux desktops, Xvfb) must not stop the app.
            if let Err(e) = tray::install(app.handle()) {
                tracing::warn!(error = %e, "no tray icon");
            }
            if let Err(e) = tray::install_quick_capture_shortcut(app.handle()) {
                tracing::warn!(error = %e, "no global shortcut for quick capture");
            }
            notify::install(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::profile::profile_status,
            commands::profile::create_profile,
            commands::profile::unlock_profile,
            commands::profile::enroll,
            commands::profile::sync_status,
            commands::profile::sync_now,
            commands::households::list_households,
            commands::households::create_household,
            commands::households::household,
            commands::households::household_history,
            commands::households::update_household,
            commands::households::set_archived,
            commands::households::add_member,
            commands::households::update_member,
            commands::households::remove_member,
            commands::households::add_account,
            commands::households::update_account,
            commands::households::remove_account,
            commands::households::add_goal,
            commands::households::update_goal,
            commands::households::remove_goal,
            commands::households::add_fact,
            commands::households::update_fact,
            commands::households::retire_fact,
            commands::households::add_note,
            commands::households::edit_note,
            commands::households::remove_note,
            commands::households::add_task,
            commands::households::update_task,
            commands::households::set_task_status,
            commands::households::resolve_conflict,
            commands::households::templates,
            commands::households::apply_template,
            commands::households::set_custom,
            commands::households::schedule_meeting,
            commands::day::today,
            commands::day::mark_seen,
            commands::day::brief,
            commands::day::alerts,
            commands::meetings::disclosure,
            commands::meetings::import_transcript,
            commands::meetings::meeting,
            commands::meetings::analyze_meeting,
            commands::meetings::relabel_speaker,
            commands::meetings::revise_suggestion,
            commands::meetings::accept_meeting_items,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::capabilities,
            commands::settings::set_notifications,
            commands::settings::save_recording_policy,
            commands::settings::set_llm_key,
            commands::sharing::household_sharing,
            commands::sharing::set_share,
            commands::search::search,
            commands::files::export_profile,
            commands::files::import_profile,
            commands::files::csv_fields,
            commands::files::import_csv,
            commands::files::save_document,
            commands::files::export_vtt,
            commands::files::open_saved,
            media::import_meeting_audio,
            media::cancel_import,
            media::model_status,
            media::fetch_model,
            media::install_model_file,
            media::attach_document,
            record::audio_devices,
            record::start_recording,
            record::stop_recording,
            record::cancel_recording,
            record::pause_recording,
            media::interrupted_recordings,
            media::recover_recording,
            commands::updates::update_status,
            commands::updates::set_update_feed,
            commands::updates::check_for_update,
            commands::updates::install_update,
            commands::updates::restart_app,
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}
