# Helpers shared by the relay benchmarks (sourced by run.sh and cluster.sh).

log() { printf '==> %s\n' "$*" >&2; }

# One field of a JSON document on stdin, by a dotted path (e.g. advisor.id).
json_get() {
    node -e '
        let s = "";
        process.stdin.on("data", (d) => (s += d)).on("end", () => {
            let v = JSON.parse(s);
            for (const k of process.argv[1].split(".")) v = v[k];
            if (v === undefined) process.exit(1);
            console.log(v);
        });' "$1"
}

# Waits (≤ 30 s) for a line matching $2 in file $1 and prints its first URL.
wait_for_url() {
    local file=$1 pattern=$2 i
    for i in $(seq 300); do
        if grep -q "$pattern" "$file" 2>/dev/null; then
            grep -m1 "$pattern" "$file" | grep -o 'http://[0-9.:]*'
            return 0
        fi
        sleep 0.1
    done
    log "no '$pattern' line in $file after 30 s:"
    cat "$file" >&2
    return 1
}
