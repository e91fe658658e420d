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
