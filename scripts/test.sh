#!/usr/bin/env bash
# Sets up a Debian machine and runs every Hearth test. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Test runs start from fresh clones: an incremental cache per clone path (several GB each) is
# never reused and once filled this machine's disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

cargo fmt --all --check
cargo build --workspace --bins --locked
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked --no-fail-fast
# The vendored automerge's two changes (vendor/README.md) and their neighbours.
cargo test --manifest-path vendor/automerge/Cargo.toml --locked --lib change_graph
cargo test --manifest-path vendor/automerge/Cargo.toml --locked --lib inflate
