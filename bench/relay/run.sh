#!/usr/bin/env bash
# Benchmarks hearth-relay against the reference automerge-repo sync server, same machine, same
# load, same run: builds hearth-relay and hearth-loadgen (release), installs the pinned
# reference server (npm ci), starts both on 127.0.0.1, runs the same hearth-loadgen scenarios
# against each, prints a comparison table and stops everything. See docs/benchmarks-relay.md.
#
# Scenarios (each against both servers, each on a freshly started server with empty storage):
#   50-clients   50 clients, 10 docs, 1 change/s per client
#   200-clients  200 clients, 50 docs, 0.5 change/s per client
#   saturation   50 clients, 10 docs, every client writes as fast as a window of 8
#                unacknowledged changes allows
#
# Environment (all optional):
#   CARGO_TARGET_DIR     default ~/.cache/hearth-target
#   BENCH_PROFILE        release (default) or dev
#   BENCH_SKIP_BUILD=1   use the binaries already built
#   BENCH_WARMUP         seconds of load before each measured window (default 3)
#   BENCH_DURATION       seconds measured per rate scenario (default 20)
#   BENCH_SAT_DURATION   seconds measured at saturation (default 15)
#   BENCH_SCENARIOS      subset and order, e.g. "saturation 200-clients"
#   BENCH_OUT            directory to keep the JSON reports and server logs in
#   BENCH_TMPDIR         where the servers' storage goes (default /var/tmp: a real disk, so
#                        fsync costs what it costs)
#   BENCH_RELAY_BIN      a hearth-relay binary to measure instead of this checkout's build
#   BENCH_REFERENCE      forced (default: bench/relay/package.json, automerge-repo 2.5.6 and
#                        automerge 3.5.0 forced by overrides) or published (bench/relay/published:
#                        the sync server with the versions it declares, automerge-repo 1.x)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}
profile=${BENCH_PROFILE:-release}
warmup=${BENCH_WARMUP:-3}
duration=${BENCH_DURATION:-20}
sat_duration=${BENCH_SAT_DURATION:-15}
scenarios=${BENCH_SCENARIOS:-50-clients 200-clients saturation}

work=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/hearth-bench-relay.XXXXXX")
out=${BENCH_OUT:-$work/out}
mkdir -p "$out"
pids=()

cleanup() {
    local pid
    exec 7>&- 2>/dev/null || true
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    # Reports live in $work/out unless BENCH_OUT names another place to keep them.
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/relay/lib.sh
source "$here/lib.sh"

# --- build -----------------------------------------------------------------------------------
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    log "building hearth-relay and hearth-loadgen ($profile) in $CARGO_TARGET_DIR"
    if [[ $profile == release ]]; then
        (cd "$root" && cargo build --release -p hearth-relay -p hearth-loadgen)
    else
        (cd "$root" && cargo build --profile "$profile" -p hearth-relay -p hearth-loadgen)
    fi
fi
case $profile in
    dev) bin=$CARGO_TARGET_DIR/debug ;;
    *) bin=$CARGO_TARGET_DIR/$profile ;;
esac
# BENCH_RELAY_BIN: another hearth-relay build to measure (e.g. an older commit's, to compare
# two builds in one sitting); the load generator stays this checkout's.
relay_bin=${BENCH_RELAY_BIN:-$bin/hearth-relay}
loadgen_bin=$bin/hearth-loadgen

case ${BENCH_REFERENCE:-forced} in
    forced) ref_dir=$here ;;
    published) ref_dir=$here/published ;;
    *) echo "BENCH_REFERENCE=${BENCH_REFERENCE}: use forced or published" >&2; exit 2 ;;
esac
log "installing the reference server (${BENCH_REFERENCE:-forced} versions; npm ci)"
# The lock pins every version, every platform's optional packages included (cbor-extract is
# held at 2.2.2, whose per-platform binaries exist; package.json says why).
(cd "$ref_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
ref_pkg=$ref_dir/node_modules/@automerge/automerge-repo-sync-server
ref_version=$(node -p "require('$ref_pkg/package.json').version")
repo_version=$(node -p "require('$ref_dir/node_modules/@automerge/automerge-repo/package.json').version")
am_version=$(node -p "require('$ref_dir/node_modules/@automerge/automerge/package.json').version")

# --- servers: a fresh one (empty storage) for every scenario ---------------------------------
export HEARTH_RELAY_MASTER_KEY
HEARTH_RELAY_MASTER_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export HEARTH_RELAY_LOG=${HEARTH_RELAY_LOG:-warn}
relay_pid='' relay_url='' token='' ref_pid='' ref_url=''

relay_config='# Generous limits: the benchmark measures the relay, not its abuse limits.
[limits]
connection_messages_per_sec = 100000
connection_message_burst = 100000
firm_max_connections = 10000
auth_requests_per_minute = 100000
'

# Starts hearth-relay on a new SQLite database with one firm, one advisor and an API token for
# it. Every simulated client uses that token: one tenant, and the tenant checks run on every
# message as always.
start_relay() {
    local dir=$work/relay/$1
    mkdir -p "$dir"
    printf '%s' "$relay_config" >"$dir/relay.toml"
    local admin=("$relay_bin" --config "$dir/relay.toml" --database "sqlite://$dir/relay.db")
    local firm advisor
    firm=$("${admin[@]}" firm create --name bench --json </dev/null | json_get id)
    advisor=$("${admin[@]}" advisor invite --firm "$firm" --name loadgen --json </dev/null |
        json_get advisor.id)
    token=$("${admin[@]}" token issue --advisor "$advisor" --label bench --json </dev/null |
        json_get token)
    # The relay stops when its stdin closes: the write end is this script's fd 7, so it also
    # stops if this script dies.
    mkfifo "$dir/stdin"
    "${admin[@]}" serve --listen 127.0.0.1:0 --stop-on-stdin-eof \
        <"$dir/stdin" >"$dir/stdout.log" 2>"$dir/stderr.log" &
    relay_pid=$!
    pids+=("$relay_pid")
    exec 7>"$dir/stdin"
    relay_url=$(wait_for_url "$dir/stdout.log" 'hearth-relay listening on')
    log "hearth-relay (pid $relay_pid) on $relay_url, database $dir/relay.db"
}

stop_relay() {
    exec 7>&-
    wait "$relay_pid" 2>/dev/null || true
}

# Starts the reference server with an empty data directory.
start_reference() {
    local dir=$work/reference/$1
    mkdir -p "$dir/data"
    (
        cd "$dir"
        # PORT=0: a free port; the preload binds 127.0.0.1 only and prints the address.
        exec env PORT=0 DATA_DIR="$dir/data" \
            node --require "$here/bind-loopback.cjs" "$ref_pkg/src/index.js"
    ) >"$dir/stdout.log" 2>"$dir/stderr.log" &
    ref_pid=$!
    pids+=("$ref_pid")
    ref_url=$(wait_for_url "$dir/stdout.log" 'reference listening on')
    log "reference sync server $ref_version (automerge-repo $repo_version, automerge $am_version; pid $ref_pid) on $ref_url"
}

stop_reference() {
    kill "$ref_pid" 2>/dev/null || true
    wait "$ref_pid" 2>/dev/null || true
}

# --- scenarios -------------------------------------------------------------------------------
scenario_args() {
    case $1 in
        50-clients) echo "--clients 50 --docs 10 --rate 1 --duration $duration" ;;
        200-clients) echo "--clients 200 --docs 50 --rate 0.5 --duration $duration" ;;
        saturation) echo "--clients 50 --docs 10 --rate 0 --window 8 --duration $sat_duration" ;;
        *)
            log "unknown scenario $1"
            return 1
            ;;
    esac
}

reports=()
for scenario in $scenarios; do
    args=$(scenario_args "$scenario")
    for server in hearth-relay reference; do
        if [[ $server == hearth-relay ]]; then
            start_relay "$scenario"
            url="ws://${relay_url#http://}/sync" pid=$relay_pid
            export HEARTH_LOADGEN_TOKEN=$token
        else
            start_reference "$scenario"
            url="ws://${ref_url#http://}/" pid=$ref_pid
            unset HEARTH_LOADGEN_TOKEN
        fi
        log "$scenario against $server"
        # shellcheck disable=SC2086 # $args is a list of flags
        "$loadgen_bin" run --url "$url" --server-pid "$pid" --server-label "$server" \
            --scenario "$scenario" --warmup "$warmup" $args --out "$out/$server-$scenario.json"
        reports+=("$out/$server-$scenario.json")
        if [[ $server == hearth-relay ]]; then
            # The relay's own view (persist and per-event time histograms), for the analysis.
            curl -fsS "$relay_url/metrics" >"$out/hearth-relay-$scenario.metrics" 2>/dev/null || true
            stop_relay
            cp "$work/relay/$scenario/stderr.log" "$out/hearth-relay-$scenario.stderr.log"
        else
            stop_reference
            cp "$work/reference/$scenario/stderr.log" "$out/reference-$scenario.stderr.log"
        fi
    done
done
unset HEARTH_LOADGEN_TOKEN

echo
echo "## hearth-relay vs reference sync server $ref_version (automerge-repo $repo_version, automerge $am_version)"
echo "$(nproc) cores, $(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ); warm-up ${warmup} s, window ${duration} s (saturation ${sat_duration} s)"
echo
"$loadgen_bin" table "${reports[@]}"

if [[ -n ${BENCH_OUT:-} ]]; then
    log "reports and server logs kept in $out"
fi
