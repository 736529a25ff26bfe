#!/usr/bin/env bash
# Builds Hearth's desktop installers for this platform with the Tauri CLI (from ui/'s npm
# lockfile) and prints where they are.
#   Linux:   .deb (default); add --appimage for an AppImage too (the Tauri CLI downloads
#            linuxdeploy from GitHub for it, so it needs that network access).
#   macOS:   .app and .dmg;  Windows: MSI and NSIS (.github/workflows/desktop.yml runs this).
# Bundles land in $CARGO_TARGET_DIR/release/bundle/<kind>/. Set HEARTH_SKIP_SETUP=1 when the
# caller has already sourced scripts/setup.sh (the package test does).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${HEARTH_SKIP_SETUP:-}" = 1 ] || source scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}"

case "$(uname -s)" in
  Linux)
    bundles=deb
    [ "${1:-}" = "--appimage" ] && bundles=deb,appimage
    ;;
  Darwin) bundles=app,dmg ;;
  MINGW* | MSYS* | CYGWIN*) bundles=msi,nsis ;;
  *) echo "package: no installer format for $(uname -s)" >&2; exit 1 ;;
esac

(cd ui && npm ci --no-audit --no-fund)
# `tauri build` runs the UI build (beforeBuildCommand) and a release build of hearth-desktop.
(cd ui && npm run tauri -- build --ci --bundles "$bundles")
find "$CARGO_TARGET_DIR/release/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.AppImage' -o -name '*.dmg' -o -name '*.msi' -o -name '*.exe' \) -print
