// Runs the Tauri CLI from ui/ with the app crate in ../src-tauri (the repository keeps the
// Rust shell and the UI side by side, so the CLI is told where each one is). Works the same
// on Linux, macOS and Windows: `npm run tauri dev`, `npm run tauri build`.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ui = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = createRequire(import.meta.url).resolve("@tauri-apps/cli/tauri.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TAURI_APP_PATH: path.join(ui, "..", "src-tauri"), TAURI_FRONTEND_PATH: ui },
});
process.exit(result.status ?? 1);
