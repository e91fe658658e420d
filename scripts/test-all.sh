#!/usr/bin/env bash
# The whole test suite, as a new user and CI run it: build every package, lint and type-check, then unit tests,
# cross-package and integration tests, then the examples against the built packages. Ends with one
# "N passed, N failed" line totalling every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

passed=0
failed=0
log=$(mktemp)
# Real peers for the integration tests, stopped however the run ends.
# Quietly, so the totals line stays the last line of the run.
stop_services() {
  bash scripts/services/elasticsearch.sh stop > /dev/null 2>&1 || true
  bash scripts/services/hec-peer.sh stop > /dev/null 2>&1 || true
  rm -f "$log"
}
trap stop_services EXIT

# Runs one mocha suite, shows its output, and adds its counts to the totals.
suite() {
  local status=0
  npx mocha "$@" 2>&1 | tee "$log" || status=$?
  local p f
  p=$(grep -Eo '^ +[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
  f=$(grep -Eo '^ +[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
}

npx turbo run build --output-logs=errors-only
npx biome check .
npx tsc -p tsconfig.tests.json

suite 'packages/*/test/**/*.test.ts'
# A real Elasticsearch from Maven Central's integ-test zip and an OpenTelemetry Collector with the Splunk HEC
# receiver built from the Go module proxy (both cached between runs), for the integration tests.
bash scripts/services/elasticsearch.sh start
bash scripts/services/hec-peer.sh start
eval "$(bash scripts/services/hec-peer.sh env)"
suite 'test/**/*.test.ts'

# The examples, compiled by the build above, run as a user's service would run them: plain node, built packages.
if npm start --silent -w npswatch-examples > /dev/null; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "tests: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
