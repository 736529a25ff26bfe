// Prints what a release build adds to src-tauri/tauri.conf.json, as JSON for `tauri build
// --config`: its version (HEARTH_VERSION), the release key's public half
// (HEARTH_UPDATE_PUBKEY), the update feed (HEARTH_UPDATE_FEED), and updater signatures when the
// private key is at hand (TAURI_SIGNING_PRIVATE_KEY), and the on-device language model's
// worker as a sidecar (scripts/build-llm-worker.sh puts it in src-tauri/binaries/ first; it is
// not in tauri.conf.json itself, so a plain `cargo build` of the desk does not need it). Used
// by scripts/package.sh and the Windows/macOS workflow, so both build releases the same way
// (docs/releases.md).
const e = process.env;
const conf = {
  bundle: { externalBin: ["binaries/hearth-llm"] },
  plugins: { updater: { pubkey: e.HEARTH_UPDATE_PUBKEY || "" } },
};
if (e.HEARTH_VERSION) conf.version = e.HEARTH_VERSION;
if (e.HEARTH_UPDATE_FEED) conf.plugins.updater.endpoints = [e.HEARTH_UPDATE_FEED];
if (e.TAURI_SIGNING_PRIVATE_KEY) conf.bundle.createUpdaterArtifacts = true;
process.stdout.write(JSON.stringify(conf));
