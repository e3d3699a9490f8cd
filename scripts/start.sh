#!/usr/bin/env bash
# Command 1 of the quick start: serve the demo portal.
#   app     http://localhost:3000   (sign in as guest)
#   backend http://localhost:7007
# Fetches Node 22 if the machine's node is older, installs dependencies with
# the committed yarn release, keeps registered data in ./data (SQLite files).
# Extra arguments go to `backstage-cli repo start` (e.g. --config FILE).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
ensure_dependencies
export CLUSTER_REGISTRY_DATA_DIR="${CLUSTER_REGISTRY_DATA_DIR:-$REPO_ROOT/data}"
mkdir -p "$CLUSTER_REGISTRY_DATA_DIR/sqlite"
log "data directory: $CLUSTER_REGISTRY_DATA_DIR"
cd "$REPO_ROOT"
exec node .yarn/releases/yarn-*.cjs start "$@"
