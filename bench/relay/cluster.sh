#!/usr/bin/env bash
# Several relays on one PostgreSQL (issue 17): the same hearth-loadgen load against
#   sqlite-1    one relay on SQLite
#   pg-1        one relay on PostgreSQL
#   pg-3        three relays on one PostgreSQL, clients spread round-robin over them
# at saturation (50 clients, 10 documents, windows of 8), and the cross-node delivery
# latency with 200 clients spread over 3 nodes at 0.5 change/s each (client i talks to node
# i mod 3 and opens document i mod 50, so a document's writer and readers are on different
# nodes). Then one firm on 1 vs 2 hub shards (`limits.firm_hub_shards`), one relay on SQLite,
# at saturation with 60 clients over 20 documents (so both shards have work).
# PostgreSQL comes from initdb/pg_ctl on PATH, fsync on (its defaults). Prints a
# Markdown table; see docs/benchmarks-relay.md.
#
# Environment (all optional): CARGO_TARGET_DIR (default ~/.cache/hearth-target),
# BENCH_SKIP_BUILD=1, BENCH_WARMUP (3 s), BENCH_DURATION (20 s), BENCH_SAT_DURATION (15 s),
# BENCH_TMPDIR (default /var/tmp: a real disk, so fsync costs what it costs), BENCH_OUT,
# BENCH_SHARDS_ONLY=1 (only the shard comparison).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}
warmup=${BENCH_WARMUP:-3}
duration=${BENCH_DURATION:-20}
sat_duration=${BENCH_SAT_DURATION:-15}
work=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/hearth-bench-cluster.XXXXXX")
out=${BENCH_OUT:-$work/out}
mkdir -p "$out"
pids=()
pg_data=''

# shellcheck source=bench/relay/lib.sh
source "$here/lib.sh"

cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ -n $pg_data ]]; then pg pg_ctl -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    log "building hearth-relay and hearth-loadgen (release)"
    (cd "$root" && cargo build --release -p hearth-relay -p hearth-loadgen)
fi
relay_bin=$CARGO_TARGET_DIR/release/hearth-relay
loadgen_bin=$CARGO_TARGET_DIR/release/hearth-loadgen

export HEARTH_RELAY_MASTER_KEY
HEARTH_RELAY_MASTER_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export HEARTH_RELAY_LOG=${HEARTH_RELAY_LOG:-warn}

# PostgreSQL refuses to run as root: as root, its binaries run as `postgres` (or `nobody`).
pg_user=''
if [[ $(id -u) == 0 ]]; then
    pg_user=${HEARTH_PG_USER:-$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)}
fi
pg() {
    if [[ -n $pg_user ]]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}

# A private PostgreSQL, fsync on.
start_postgres() {
    pg_data=$work/pg
    mkdir -p "$pg_data"
    chmod 755 "$work"
    if [[ -n $pg_user ]]; then chown "$pg_user" "$pg_data"; fi
    pg initdb -D "$pg_data" -U hearth --auth=trust >/dev/null
    local port
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    pg pg_ctl -D "$pg_data" -l "$pg_data/server.log" -w \
        -o "-p $port -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    pg_url_base="postgres://hearth@127.0.0.1:$port"
}

database_for() { # $1 scenario
    case $1 in
        sqlite-*) mkdir -p "$work/$1" && echo "sqlite://$work/$1/relay.db" ;;
        *)
            pg createdb -h 127.0.0.1 -p "${pg_url_base##*:}" -U hearth "${1//-/_}"
            echo "$pg_url_base/${1//-/_}"
            ;;
    esac
}

# Starts $2 relays on database $1, each firm over $3 hub shards (default 1); sets urls,
# node_pids, token.
start_nodes() {
    local database=$1 count=$2 shards=${3:-1} i dir
    local admin=("$relay_bin" --database "$database")
    local firm advisor
    firm=$("${admin[@]}" firm create --name bench --json </dev/null | json_get id)
    advisor=$("${admin[@]}" advisor invite --firm "$firm" --name loadgen --json </dev/null | json_get advisor.id)
    token=$("${admin[@]}" token issue --advisor "$advisor" --label bench --json </dev/null | json_get token)
    urls=() node_pids=()
    for i in $(seq "$count"); do
        dir=$work/node-$RANDOM-$i
        mkdir -p "$dir"
        printf '[limits]\nconnection_messages_per_sec = 100000\nconnection_message_burst = 100000\nfirm_max_connections = 10000\nauth_requests_per_minute = 100000\nfirm_hub_shards = %s\n[archive]\nmirror_dir = "%s"\n' "$shards" "$dir/archive" >"$dir/relay.toml"
        "$relay_bin" --config "$dir/relay.toml" --database "$database" serve --listen 127.0.0.1:0 \
            </dev/null >"$dir/stdout.log" 2>"$out/$(basename "$dir").log" &
        node_pids+=($!)
        pids+=($!)
        urls+=("ws://$(wait_for_url "$dir/stdout.log" "hearth-relay listening on" | sed 's#http://##')/sync")
    done
}

stop_nodes() {
    local pid
    for pid in "${node_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${node_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

start_postgres
rows=()
run_scenario() { # $1 name, $2 nodes, $3... loadgen args; SHARDS: hub shards per firm
    local name=$1 nodes=$2
    shift 2
    local database url_args=()
    database=$(database_for "$name")
    start_nodes "$database" "$nodes" "${SHARDS:-1}"
    for u in "${urls[@]}"; do url_args+=(--url "$u"); done
    log "$name: $nodes node(s), $*"
    HEARTH_LOADGEN_TOKEN=$token "$loadgen_bin" run "${url_args[@]}" --server-label hearth-relay \
        --scenario "$name" --warmup "$warmup" "$@" --out "$out/$name.json" >&2
    stop_nodes
    rows+=("$(node -e '
        const r = require(process.argv[1]);
        const d = r.delivery_ms;
        console.log(`| ${r.scenario} | ${process.argv[2]} | ${r.clients} | ${r.acked_per_sec.toFixed(0)} | ${d.p50.toFixed(1)} | ${d.p99.toFixed(1)} | ${r.undelivered} |`);
    ' "$out/$name.json" "$nodes")")
}

sat=(--clients 50 --docs 10 --rate 0 --window 8 --duration "$sat_duration")
sharded=(--clients 60 --docs 20 --rate 0 --window 8 --duration "$sat_duration")
[[ -n ${BENCH_ONLY:-} ]] && { run_scenario "$BENCH_ONLY" 3 "${sat[@]}"; printf "%s\n" "${rows[@]}"; exit 0; }
if [[ -z ${BENCH_SHARDS_ONLY:-} ]]; then
    run_scenario sqlite-1 1 "${sat[@]}"
    run_scenario pg-1 1 "${sat[@]}"
    run_scenario pg-3 3 "${sat[@]}"
    run_scenario spread-200 3 --clients 200 --docs 50 --rate 0.5 --duration "$duration"
fi
SHARDS=1 run_scenario sqlite-shards-1 1 "${sharded[@]}"
SHARDS=2 run_scenario sqlite-shards-2 1 "${sharded[@]}"

echo "| scenario | nodes | clients | changes/s acknowledged | writer→readers p50 ms | p99 ms | undelivered |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
