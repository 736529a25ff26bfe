#!/usr/bin/env bash
# Builds Hearth's desktop installers for this platform with the Tauri CLI (from ui/'s npm
# lockfile) and prints where they are.
#   Linux:   .deb (default); add --appimage for an AppImage too (the Tauri CLI downloads
#            linuxdeploy from GitHub for it, so it needs that network access).
#   macOS:   .app and .dmg;  Windows: MSI and NSIS (.github/workflows/desktop.yml runs this).
# Bundles land in $CARGO_TARGET_DIR/release/bundle/<kind>/. Set HEARTH_SKIP_SETUP=1 when the
# caller has already sourced scripts/setup.sh (the package test does).
#
# Signed updates (docs/releases.md):
#   HEARTH_UPDATE_PUBKEY      the release key's public half (the .pub `tauri signer generate`
#                             writes); compiled into the app, which then installs only updates
#                             signed by it. Without it the build cannot update itself.
#   HEARTH_UPDATE_FEED        the https address the app asks for updates (a firm can set its own
#                             mirror in Settings instead).
#   TAURI_SIGNING_PRIVATE_KEY (and _PASSWORD) the private half: when set, each installer gets its
#                             signature beside it (<installer>.sig) for the update feed.
#   --version X.Y.Z           build as this version instead of tauri.conf.json's.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${HEARTH_SKIP_SETUP:-}" = 1 ] || source scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}"

appimage=""
version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --appimage) appimage=1 ;;
    --version) version="$2"; shift ;;
    *) echo "package: unknown option $1 (use --appimage, --version X.Y.Z)" >&2; exit 2 ;;
  esac
  shift
done

case "$(uname -s)" in
  Linux)
    bundles=deb
    [ -n "$appimage" ] && bundles=deb,appimage
    ;;
  Darwin) bundles=app,dmg ;;
  MINGW* | MSYS* | CYGWIN*) bundles=msi,nsis ;;
  *) echo "package: no installer format for $(uname -s)" >&2; exit 1 ;;
esac

(cd ui && npm ci --no-audit --no-fund)
# The on-device language model's worker goes into the installer beside the desk.
bash scripts/build-llm-worker.sh >/dev/null
# What this build adds to tauri.conf.json (version, release key, feed, signatures).
overrides="$(HEARTH_VERSION="$version" node scripts/release-config.mjs)"
# `tauri build` runs the UI build (beforeBuildCommand) and a release build of hearth-desktop.
(cd ui && npm run tauri -- build --ci --bundles "$bundles" --config "$overrides")
find "$CARGO_TARGET_DIR/release/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.AppImage' -o -name '*.dmg' -o -name '*.msi' -o -name '*.exe' -o -name '*.sig' \) -print
