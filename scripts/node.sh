#!/usr/bin/env bash
# Node.js ≥ 20 for the UI build (Vite 8), the console tests (Playwright) and the desktop tests
# (webdriverio). Debian 12 ships Node 18: then this brings the official Node build published on
# the npm registry (package node-linux-<arch>, pinned by version and sha512), unpacked into
# $HEARTH_TOOLS, and puts it first on PATH. The system's npm keeps working (it runs on
# whichever `node` is first on PATH). Sourced by scripts/setup.sh; tests/tests/setup_node.rs
# runs it with an older `node` first on PATH.

HEARTH_NODE_VERSION=22.23.5
HEARTH_NODE_MIN_MAJOR=20

# The registry's sha512 of each pinned tarball (npm view node-linux-<arch>@VERSION dist.integrity).
hearth_node_integrity() {
  case "$1" in
    x64) echo "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==" ;;
    arm64) echo "sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==" ;;
    *) return 1 ;;
  esac
}

# The major version of the `node` first on PATH (empty without one).
hearth_node_major() {
  node --version 2>/dev/null | sed -nE 's/^v([0-9]+)\..*/\1/p'
}

hearth_ensure_node() {
  local major
  major=$(hearth_node_major)
  if [ -n "$major" ] && [ "$major" -ge "$HEARTH_NODE_MIN_MAJOR" ]; then
    return 0
  fi
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      echo "setup: Node.js ${major:-none} is older than $HEARTH_NODE_MIN_MAJOR and there is no pinned Node build for $(uname -m); install Node.js $HEARTH_NODE_MIN_MAJOR or newer" >&2
      return 1
      ;;
  esac
  local dir="${HEARTH_TOOLS:?HEARTH_TOOLS is not set}/node-v$HEARTH_NODE_VERSION-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    echo "setup: Node.js ${major:-(none)} is too old (Vite 8, Playwright and webdriverio need $HEARTH_NODE_MIN_MAJOR+); installing Node.js $HEARTH_NODE_VERSION from the npm registry into $dir"
    local tmp
    tmp=$(mktemp -d)
    local tarball
    if ! tarball=$(cd "$tmp" && npm pack --silent "node-linux-$arch@$HEARTH_NODE_VERSION"); then
      rm -rf "$tmp"
      echo "setup: could not fetch node-linux-$arch@$HEARTH_NODE_VERSION from the npm registry" >&2
      return 1
    fi
    local want got
    want=$(hearth_node_integrity "$arch")
    got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
    if [ "$got" != "$want" ]; then
      rm -rf "$tmp"
      echo "setup: node-linux-$arch@$HEARTH_NODE_VERSION does not match its pinned sha512 ($got); not installed" >&2
      return 1
    fi
    rm -rf "$dir.partial"
    mkdir -p "$dir.partial"
    tar xzf "$tmp/$tarball" -C "$dir.partial" --strip-components=1
    rm -rf "$tmp" "$dir"
    mv "$dir.partial" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
  echo "setup: using Node.js $(node --version) from $dir"
}
