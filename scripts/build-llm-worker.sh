#!/usr/bin/env bash
# Builds the on-device language model's worker (`hearth-llm`, crates/hearth-llm-worker) in
# release and puts it where the Tauri bundler takes it from as a sidecar:
# src-tauri/binaries/hearth-llm-<target triple>[.exe]. Installers then carry it beside the
# desk's own executable, where the desk looks for it (hearth_llm::worker_path).
#   --target TRIPLE   cross-build for TRIPLE (the macOS workflow builds per architecture);
#                     default: this machine's host triple.
# Used by scripts/package.sh and .github/workflows/desktop.yml.
set -euo pipefail
cd "$(dirname "$0")/.."

target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift ;;
    *) echo "build-llm-worker: unknown option $1 (use --target TRIPLE)" >&2; exit 2 ;;
  esac
  shift
done

out_dir="${CARGO_TARGET_DIR:-target}"
if [ -n "$target" ]; then
  cargo build --release --locked -p hearth-llm-worker --bin hearth-llm --target "$target"
  built="$out_dir/$target/release"
else
  target="$(rustc -vV | sed -n 's/^host: //p')"
  cargo build --release --locked -p hearth-llm-worker --bin hearth-llm
  built="$out_dir/release"
fi

exe=""
case "$target" in *windows*) exe=".exe" ;; esac
mkdir -p src-tauri/binaries
cp "$built/hearth-llm$exe" "src-tauri/binaries/hearth-llm-$target$exe"
echo "src-tauri/binaries/hearth-llm-$target$exe"
