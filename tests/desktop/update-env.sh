#!/usr/bin/env bash
# A throwaway system for the update test: run inside `unshare --mount --propagation private`,
# it lays overlays over /usr, /var and /etc (every write lands in SCRATCH/overlay and vanishes
# with the namespace; the host is untouched), trusts the test CA the way an IT department
# would (update-ca-certificates), installs the old .deb with the real dpkg, then runs the
# command given after `--` (the driver, under Xvfb) in that system.
# Usage: update-env.sh SCRATCH CA_PEM OLD_DEB -- command [args...]
set -euo pipefail
scratch=$1 ca=$2 old=$3
shift 3
[ "${1:-}" = "--" ] && shift
for dir in usr var etc; do
  mkdir -p "$scratch/overlay/$dir/upper" "$scratch/overlay/$dir/work"
  mount -t overlay "hearth-test-$dir" \
    -o "lowerdir=/$dir,upperdir=$scratch/overlay/$dir/upper,workdir=$scratch/overlay/$dir/work" "/$dir"
done
cp "$ca" /usr/local/share/ca-certificates/hearth-update-test-ca.crt
update-ca-certificates >/dev/null
dpkg --install "$old" >/dev/null
exec "$@"
