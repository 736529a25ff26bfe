//! The Hearth desktop app.
// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

fn main() -> anyhow::Result<()> {
    hearth_desktop::run()
}
