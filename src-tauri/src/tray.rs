//! Outside the window: the tray icon (Today, quick capture, sync now, quit; its tooltip
//! counts what is due — see `notify`) and the global shortcut for quick capture.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use crate::notify::TRAY_ID;
use crate::state::AppState;

/// Event: open quick capture (note, loop or recording for a household); no payload.
pub const QUICK_CAPTURE_EVENT: &str = "quick-capture";
/// Event: show a screen (payload: its name, e.g. `today`).
pub const NAVIGATE_EVENT: &str = "navigate";
/// The global shortcut for quick capture. Shift+Space with Ctrl (⌘ on macOS): free on every
/// desktop we know, unlike ⌘M (minimise on macOS) or Ctrl+Alt+letters (AltGr on many
/// European keyboards).
pub const QUICK_CAPTURE_SHORTCUT: &str = "CommandOrControl+Shift+Space";

fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Adds the tray icon and its menu.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let today = MenuItem::with_id(app, "today", "Today", true, None::<&str>)?;
    let capture = MenuItem::with_id(app, "capture", "Quick capture…", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Hearth", true, Some("CmdOrCtrl+Q"))?;
    let menu = Menu::with_items(app, &[&today, &capture, &sync, &separator, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Hearth")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "today" => {
                show_window(app);
                let _ = app.emit(NAVIGATE_EVENT, "today");
            }
            "capture" => {
                show_window(app);
                let _ = app.emit(QUICK_CAPTURE_EVENT, ());
            }
            "sync" => app.state::<AppState>().sync.kick(),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// Registers the quick-capture shortcut: from any application, it brings Hearth forward with
/// quick capture open.
pub fn install_quick_capture_shortcut(
    app: &AppHandle,
) -> Result<(), tauri_plugin_global_shortcut::Error> {
    app.global_shortcut()
        .on_shortcut(QUICK_CAPTURE_SHORTCUT, |app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                show_window(app);
                let _ = app.emit(QUICK_CAPTURE_EVENT, ());
            }
        })
}
