//! Generates the Tauri context and one permission per shell command, so the capability file
//! can allow exactly the commands the UI calls.

use std::path::Path;

fn main() {
    // The UI is embedded at compile time from `ui/dist` (`npm --prefix ui run build`). A
    // checkout where it was not built yet still compiles, with a page that says so, so that
    // `cargo build --workspace` works without Node.
    let dist = Path::new("../ui/dist");
    let index = dist.join("index.html");
    if !index.exists() {
        std::fs::create_dir_all(dist)
            .and_then(|()| std::fs::write(&index, PLACEHOLDER))
            .unwrap_or_else(|e| panic!("cannot write the placeholder {}: {e}", index.display()));
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(hearth_commands::COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build script failed: {e:#}"));
}

const PLACEHOLDER: &str = "<!doctype html><meta charset=utf-8><title>Hearth</title>\
<body style=\"font-family:sans-serif;padding:2em\"><h1>The Hearth UI was not built</h1>\
<p>Run <code>npm --prefix ui ci &amp;&amp; npm --prefix ui run build</code>, then rebuild the app.</p>";

#[path = "src/commands_list.rs"]
mod hearth_commands;
