//! Hearth's desktop shell (Tauri 2): one window, a tray icon, and commands/events over the
//! library crates. The UI (`ui/`) calls the commands in [`commands`]; errors reach it as
//! [`error::CommandError`] with a message for the advisor.
#![forbid(unsafe_code)]

pub mod commands;
mod commands_list;
pub mod error;
pub mod media;
pub mod record;
pub mod state;
pub mod sync;
mod tray;

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
        .setup(|app| {
            let dir = profile_dir(app)?;
            tracing::info!("profile directory chosen");
            app.manage(state::AppState::new(dir));
            // A missing tray host (some Linux desktops, Xvfb) must not stop the app.
            if let Err(e) = tray::install(app.handle()) {
                tracing::warn!(error = %e, "no tray icon");
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::profile_status,
            commands::create_profile,
            commands::unlock_profile,
            commands::enroll,
            commands::list_households,
            commands::create_household,
            commands::household,
            commands::set_segment,
            commands::add_member,
            commands::add_account,
            commands::add_goal,
            commands::add_note,
            commands::edit_note,
            commands::add_task,
            commands::set_task_status,
            commands::disclosure,
            commands::import_transcript,
            commands::meeting,
            commands::analyze_meeting,
            commands::accept_meeting_items,
            commands::sync_status,
            commands::sync_now,
            commands::get_settings,
            commands::save_settings,
            commands::capabilities,
            commands::household_sharing,
            commands::set_share,
            commands::search,
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
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}
