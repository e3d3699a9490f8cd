#!/usr/bin/env bash
# Command 2 of the quick start: run every test.
#
#   scripts/test.sh                 all stages
#   scripts/test.sh unit e2e        only the named stages (prepare always runs)
#
# Stages: prepare (Node, dependencies, Debian services, kube-apiserver build,
# moto virtualenv, Chromium), lint, typecheck, unit, integration (the real
# services of test-env/, shared by every *.integration.test.ts), faults (real
# processes stopped, killed and restarted under the registry: *.fault.test.ts,
# one at a time), e2e (the demo portal in Chromium through Playwright). Prints each stage's duration and a
# closing "N passed, N failed" line; exits non-zero when anything failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$REPO_ROOT"

STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=(lint typecheck unit integration faults e2e)
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cluster-registry-test.XXXXXX")"
RESULTS="$RUN_DIR/results"
mkdir -p "$RESULTS"
export CI="${CI:-}"
declare -a SUMMARY=()
FAILED=0
BACKGROUND_PIDS=()

cleanup() {
  for pid in "${BACKGROUND_PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BACKGROUND_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  BACKGROUND_PIDS=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

stage() {
  local name="$1"
  shift
  local started=$SECONDS status=ok
  log "── stage: $name"
  if ! "$@"; then status=FAILED; FAILED=1; fi
  local took=$((SECONDS - started))
  SUMMARY+=("$(printf '%-12s %-7s %4ds' "$name" "$status" "$took")")
  log "── stage: $name $status in ${took}s"
}

wanted() { local s; for s in "${STAGES[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

# CI=true: without it `backstage-cli repo test` enters watch mode.
jest() { CI=true node .yarn/releases/yarn-*.cjs backstage-cli repo test --ci --json --outputFile="$RESULTS/$1.json" "${@:2}"; }

# ── stages ─────────────────────────────────────────────────────────────────
prepare() {
  ensure_dependencies
  yarn test-env prepare
}

lint() {
  # Every check runs (a failure does not hide the next ones), each timed. The
  # API reports are read from dist-types/, so this stage runs `yarn tsc` first,
  # from scratch: an incremental build may print the members of inferred (zod)
  # types in another order, which a report would show as an API change. The
  # typecheck stage after it then reuses that build.
  local -a checks=(
    'repo lint|yarn backstage-cli repo lint'
    'prettier|yarn prettier --check --loglevel warn .'
    'repo fix|yarn fix --check'
    'openapi lint|yarn backstage-repo-tools repo schema openapi lint'
    'api reports|rm -rf dist-types && yarn tsc && yarn build:api-reports:only --ci'
    'knip reports|yarn build:knip-reports --ci'
    'changesets|lint_changesets'
  )
  # A package change needs a changeset added since $since: a branch's whole
  # change against main (origin/main first), main's own last commit (CI runs
  # on a fresh clone of main with no origin remote; for a merge, all it brings
  # in). $CHANGESET_SINCE overrides. Version commits (they consume changesets)
  # and clones without HEAD~1 are not checked.
  lint_changesets() {
    local since="${CHANGESET_SINCE:-}" ref head
    head="$(git rev-parse HEAD)"
    if [ -z "$since" ]; then
      for ref in origin/main main; do
        if git rev-parse -q --verify "$ref^{commit}" >/dev/null && [ "$(git rev-parse "$ref")" != "$head" ]; then
          since="$ref"; break
        fi
      done
    fi
    if [ -z "$since" ]; then
      if ! git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
        log "changesets: no HEAD~1 (first commit or shallow clone), not checked"; return 0
      fi
      if [ -n "$(git diff --name-only --diff-filter=D HEAD~1 HEAD -- '.changeset/*.md')" ] &&
        [ -z "$(git diff --name-only --diff-filter=A HEAD~1 HEAD -- '.changeset/*.md')" ]; then
        log "changesets: HEAD is a version commit, not checked"; return 0
      fi
      since=HEAD~1
    fi
    log "changesets: changes since $since"
    yarn changeset status --since="$since"
  }
  local check name started status failed=()
  for check in "${checks[@]}"; do
    name="${check%%|*}" started=$SECONDS status=ok
    log "   lint: $name"
    if ! eval "${check#*|}"; then status=FAILED; failed+=("$name"); fi
    log "   lint: $name $status in $((SECONDS - started))s"
  done
  [ ${#failed[@]} -eq 0 ] || { log "lint failed: ${failed[*]}"; return 1; }
}

typecheck() { yarn tsc; }

unit() {
  jest unit --testPathIgnorePatterns '\.integration\.test\.tsx?$' '\.fault\.test\.ts$' '/test-env/'
}

# Starts test-env in the background with the given services; its JSON
# description lands in $RUN_DIR/test-env.json.
start_test_env() {
  ENV_FILE="$RUN_DIR/test-env.json"
  rm -f "$ENV_FILE"
  # setsid: the environment gets its own process group, stopped as one.
  setsid node --require @backstage/cli/config/nodeTransform.cjs test-env/src/cli.ts up "$@" --out "$ENV_FILE" \
    >"$RUN_DIR/test-env.out" 2>"$RUN_DIR/test-env.log" &
  local env_pid=$!
  BACKGROUND_PIDS+=("$env_pid")
  local waited=0
  until [ -s "$ENV_FILE" ]; do
    if ! kill -0 "$env_pid" 2>/dev/null || [ $waited -ge 600 ]; then
      log "the test environment did not start:"; cat "$RUN_DIR/test-env.log" >&2; return 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  log "test environment up in ${waited}s ($ENV_FILE)"
}

integration() {
  start_test_env --all || return 1
  local pg
  pg="$(node -p "JSON.parse(require('fs').readFileSync('$ENV_FILE','utf8')).postgres.connectionString")"
  # The self-checks of test-env start and stop their own services; every
  # *.integration.test.ts uses the shared environment.
  CLUSTER_REGISTRY_TEST_ENV="$ENV_FILE" BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$pg" \
    jest integration --testPathPatterns '(/test-env/src/.*\.test\.ts|\.integration\.test\.tsx?)$'
  local rc=$?
  cleanup
  return $rc
}

faults() {
  # PostgreSQL for the tests on both databases; the services a fault test
  # stops or kills are its own, and the tests run one at a time.
  start_test_env --postgres || return 1
  local pg
  pg="$(node -p "JSON.parse(require('fs').readFileSync('$ENV_FILE','utf8')).postgres.connectionString")"
  CLUSTER_REGISTRY_TEST_ENV="$ENV_FILE" BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$pg" \
    jest faults --runInBand --testPathPatterns '\.fault\.test\.ts$'
  local rc=$?
  cleanup
  return $rc
}

e2e() {
  local data="$RUN_DIR/portal-data" url=http://localhost:3100 backend=http://localhost:7107
  mkdir -p "$data/sqlite"
  # Two real API servers the browser registers through the portal, a
  # private one behind an SSH bastion, a proxy that signs a second
  # browser in as another user, and the EKS stand-in.
  start_test_env --kube 2 --bastion --monitoring --identity-proxy --eks || return 1
  # The portal creates EKS clusters as the stand-in's creator, every AWS
  # API through its harness (as a deployment's AWS_* settings would say).
  local aws key secret region endpoint
  aws="$(node -e '
    const { eks } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log([eks.creator.accessKeyId, eks.creator.secretAccessKey, eks.region, eks.awsEndpoint].join(" "));
  ' "$ENV_FILE")" || return 1
  read -r key secret region endpoint <<<"$aws"
  AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_REGION="$region" AWS_ENDPOINT_URL="$endpoint" \
  CLUSTER_REGISTRY_DATA_DIR="$data" setsid node .yarn/releases/yarn-*.cjs start \
    --config "$REPO_ROOT/app-config.yaml" --config "$REPO_ROOT/e2e/app-config.e2e.yaml" >"$RUN_DIR/portal.log" 2>&1 &
  BACKGROUND_PIDS+=("$!")
  local waited=0
  until curl -sf "$backend/.backstage/health/v1/readiness" >/dev/null && curl -sf "$url" >/dev/null; do
    if [ $waited -ge 300 ]; then log "the portal did not start:"; tail -50 "$RUN_DIR/portal.log" >&2; return 1; fi
    sleep 2; waited=$((waited + 2))
  done
  log "portal up in ${waited}s"
  CLUSTER_REGISTRY_TEST_ENV="$ENV_FILE" PLAYWRIGHT_URL="$url" PLAYWRIGHT_BACKEND_URL="$backend" PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/e2e.playwright.json" \
    yarn playwright test --reporter=list,json
  local rc=$?
  cleanup
  return $rc
}

# ── run ────────────────────────────────────────────────────────────────────
TOTAL_STARTED=$SECONDS
stage prepare prepare
if [ $FAILED -ne 0 ]; then log "prepare failed; not running tests"; exit 1; fi
for s in lint typecheck unit integration faults e2e; do
  if wanted "$s"; then stage "$s" "$s"; fi
done

log "── summary (run folder: $RUN_DIR)"
printf '%s\n' "${SUMMARY[@]}" >&2
printf '%-12s %-7s %4ds\n' total "$([ $FAILED -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - TOTAL_STARTED)) >&2
node "$REPO_ROOT/scripts/lib/count-results.js" "$RESULTS" "$FAILED"
exit $FAILED
