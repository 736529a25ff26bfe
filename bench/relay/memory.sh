#!/usr/bin/env bash
# The relay's memory under big documents: the real automerge-repo JS client (tests/interop,
# `bulk` mode) writes N documents of M bytes of text through a release hearth-relay and keeps
# them open; the script reports the relay's peak RSS while they are written and its RSS once
# they have been idle past `document_idle_secs` (the client still connected), and the
# resident-document gauge. See docs/benchmarks-relay.md ("Memory").
#
# Environment (all optional):
#   CARGO_TARGET_DIR   default ~/.cache/hearth-target
#   MEM_DOCS           documents (default 40)
#   MEM_TEXT_BYTES     bytes of text per document (default 10485760)
#   MEM_IDLE_SECS      the relay's timeouts.document_idle_secs (default 5)
#   MEM_RESIDENT       the relay's limits.firm_resident_bytes (default: the relay's default)
#   BENCH_SKIP_BUILD=1 use the binary already built
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}
docs=${MEM_DOCS:-40}
text_bytes=${MEM_TEXT_BYTES:-10485760}
idle=${MEM_IDLE_SECS:-5}

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  cargo build --release --locked -p hearth-relay --manifest-path "$root/Cargo.toml"
fi
relay_bin="$CARGO_TARGET_DIR/release/hearth-relay"
[ -d "$root/tests/interop/node_modules" ] || npm ci --prefix "$root/tests/interop" --no-audit --no-fund

work=$(mktemp -d)
relay_pid=""
cleanup() {
  [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export HEARTH_RELAY_MASTER_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
{
  echo "[limits]"
  echo "auth_requests_per_minute = 100000"
  [ -n "${MEM_RESIDENT:-}" ] && echo "firm_resident_bytes = $MEM_RESIDENT"
  echo "[timeouts]"
  echo "document_idle_secs = $idle"
} > "$work/relay.toml"
db="sqlite://$work/relay.db"
relay() { "$relay_bin" --config "$work/relay.toml" --database "$db" "$@"; }

field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(eval("JSON.parse(s)"+process.argv[1])))' "$1"; }
firm=$(relay firm create --name "Memory Bench" --json | field .id)
advisor=$(relay advisor invite --firm "$firm" --name "Bench Advisor" --json | field .advisor.id)
token=$(relay token issue --advisor "$advisor" --json | field .token)

mkfifo "$work/stdin"
"$relay_bin" --config "$work/relay.toml" --database "$db" serve --listen 127.0.0.1:0 \
  --stop-on-stdin-eof < "$work/stdin" > "$work/relay.out" 2> "$work/relay.log" &
relay_pid=$!
exec 3> "$work/stdin"
until grep -q . "$work/relay.out" 2>/dev/null; do
  kill -0 "$relay_pid" || { cat "$work/relay.log"; exit 1; }
  sleep 0.1
done
addr=$(grep -o '127.0.0.1:[0-9]*' "$work/relay.out" | head -1)

status() { grep "^$1:" "/proc/$relay_pid/status" | awk '{print int($2/1024)}'; }
gauge() { curl -s "http://$addr/metrics" | awk -v m="hearth_relay_$1" '$1 == m {print $2}'; }
echo "relay RSS at start: $(status VmRSS) MiB"

hold_ms=$(( (idle + 4) * 1000 ))
node "$root/tests/interop/interop.mjs" bulk --url "ws://$addr/sync?token=$token" \
  --docs "$docs" --text-bytes "$text_bytes" --hold-ms "$hold_ms" --timeout-ms 120000 \
  > "$work/bulk.out" &
node_pid=$!
until grep -q written "$work/bulk.out" 2>/dev/null; do
  kill -0 "$node_pid" || { cat "$work/bulk.out"; exit 1; }
  sleep 0.2
done
echo "written: $(head -1 "$work/bulk.out")"
echo "relay peak RSS while writing: $(status VmHWM) MiB; RSS now: $(status VmRSS) MiB; resident-document gauge: $(gauge resident_document_bytes) bytes"
sleep $((idle + 2))
echo "after ${idle}+2 s idle (client still connected): RSS $(status VmRSS) MiB; gauge $(gauge resident_document_bytes) bytes; evicted $(gauge evicted_documents_total)"
wait "$node_pid"
