#!/usr/bin/env bash
# A real Splunk HTTP Event Collector peer for npswatch's tests and benchmark: the OpenTelemetry Collector's
# splunkhecreceiver (not a mock of ours), built with the OpenTelemetry Collector Builder from the Go module proxy,
# writing every event it accepts to a file through the file exporter.
#
#   hec-peer.sh build   build the collector once; the binary is cached in ~/.cache/npswatch/hec-peer/
#   hec-peer.sh start   build if needed, start it on 127.0.0.1 and wait until it answers
#   hec-peer.sh stop    stop the instance started by `start` (SIGTERM: the file exporter flushes on the way out)
#   hec-peer.sh env     print NPSWATCH_HEC_PEER_URL / _TOKEN / _OUTPUT as `export` lines: eval "$(hec-peer.sh env)"
#
# HEC_PEER_PORT (default 18088) and HEC_PEER_DIR (default .cache/hec-peer/run) select an instance, so tests can
# run a private one they kill and restart. HEC_PEER_GOGC (default 400) is the collector's Go GC target: with Go's
# default of 100 its small live heap is collected so often that it used ~1.2 s of CPU per 20,000 bench events
# against ~0.85 s at 400, and on a 2-core machine the peer, not the client under test, then bounds a batching
# client. The receiver accepts any token (it does not model token checks); the token printed by `env` is a fixed
# test value, not a secret.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OTEL_VERSION="v0.135.0"     # contrib + core 0.x modules, one release for all; the newest whose whole tree verifies via sum.golang.org here
PROVIDER_VERSION="v1.41.0"  # the confmap providers' 1.x line released with core v0.135.0
# The built binary is shared by every checkout on the machine (a CI clone reuses what a session built); the
# running instance's files stay inside this checkout.
CACHE="${NPSWATCH_HEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/npswatch/hec-peer}"
BIN="$CACHE/$OTEL_VERSION/npswatch-hec-peer"
PORT="${HEC_PEER_PORT:-18088}"
RUN_DIR="${HEC_PEER_DIR:-$ROOT/.cache/hec-peer/run}"
TOKEN="00000000-0000-4000-8000-00000000cafe"
URL="http://127.0.0.1:$PORT"
OUTPUT="$RUN_DIR/events.jsonl"

log() { echo "hec-peer: $*" >&2; }
# Go's default install location, in case the caller's PATH lacks it (non-login shells, CI).
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH="$PATH:/usr/local/go/bin"; fi

build() {
  if [[ -x "$BIN" ]]; then
    log "cached binary $BIN"
    return 0
  fi
  command -v go >/dev/null || { log "Go is required (>= 1.24) to build the collector"; exit 1; }
  local started work
  started=$(date +%s)
  work="$CACHE/$OTEL_VERSION/build"
  mkdir -p "$work" "$CACHE/tools"
  log "installing the OpenTelemetry Collector Builder $OTEL_VERSION"
  GOBIN="$CACHE/tools" go install "go.opentelemetry.io/collector/cmd/builder@$OTEL_VERSION"
  cat >"$work/manifest.yaml" <<MANIFEST
dist:
  name: npswatch-hec-peer
  description: Splunk HEC receiver + file exporter, npswatch's HEC test peer
  output_path: $work/out
receivers:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/receiver/splunkhecreceiver $OTEL_VERSION
exporters:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter $OTEL_VERSION
extensions:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/extension/ackextension $OTEL_VERSION
providers:
  - gomod: go.opentelemetry.io/collector/confmap/provider/fileprovider $PROVIDER_VERSION
  - gomod: go.opentelemetry.io/collector/confmap/provider/envprovider $PROVIDER_VERSION
MANIFEST
  log "building the collector (a cold build downloads a few hundred Go modules)"
  "$CACHE/tools/builder" --config "$work/manifest.yaml" --skip-get-modules --skip-compilation
  # The builder's own `go mod tidy` also resolves modules that only the components' tests import, and the
  # module proxy does not serve all of those: -e lets tidy write go.mod/go.sum anyway (it still exits 1, listing
  # them). `go build` then checks every module it compiles against go.sum and sum.golang.org, so nothing
  # unverified gets in.
  (cd "$work/out" && { go mod tidy -e 2>"$work/tidy.log" || log "tidy skipped test-only modules (see $work/tidy.log)"; } &&
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$BIN" .)
  rm -rf "$work/out"
  log "built $BIN in $(($(date +%s) - started)) s"
}

running_pid() {
  local pid
  [[ -f "$RUN_DIR/pid" ]] || return 1
  pid=$(cat "$RUN_DIR/pid")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start() {
  build
  if running_pid >/dev/null; then
    log "already running at $URL"
    return 0
  fi
  mkdir -p "$RUN_DIR"
  cat >"$RUN_DIR/config.yaml" <<CONFIG
extensions:
  ack: {}
receivers:
  splunk_hec:
    endpoint: 127.0.0.1:$PORT
    # The token becomes a resource attribute, so tests can check what Authorization header a client sent.
    access_token_passthrough: true
    ack:
      extension: ack
exporters:
  file:
    path: $OUTPUT
    flush_interval: 50ms
    # Keep what earlier runs received: tests restart the peer mid-stream and read everything it got.
    append: true
service:
  extensions: [ack]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
  pipelines:
    logs:
      receivers: [splunk_hec]
      exporters: [file]
CONFIG
  # GOMEMLIMIT caps what the larger GC target may cost in memory.
  GOGC="${HEC_PEER_GOGC:-400}" GOMEMLIMIT="${HEC_PEER_GOMEMLIMIT:-1GiB}" \
    "$BIN" --config "$RUN_DIR/config.yaml" >>"$RUN_DIR/collector.log" 2>&1 &
  echo $! >"$RUN_DIR/pid"
  for _ in $(seq 1 200); do
    if curl -fsS "$URL/services/collector/health" >/dev/null 2>&1; then
      log "listening at $URL (output $OUTPUT)"
      return 0
    fi
    if ! running_pid >/dev/null; then
      log "the collector exited; its log:"
      tail -n 30 "$RUN_DIR/collector.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  log "no answer from $URL after 20 s"
  exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    log "not running"
    rm -f "$RUN_DIR/pid"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 10 s; killing"
    kill -KILL "$pid"
  fi
  rm -f "$RUN_DIR/pid"
  log "stopped"
}

env_lines() {
  echo "export NPSWATCH_HEC_PEER_URL=$URL"
  echo "export NPSWATCH_HEC_PEER_TOKEN=$TOKEN"
  echo "export NPSWATCH_HEC_PEER_OUTPUT=$OUTPUT"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  *)
    echo "usage: $0 build|start|stop|env" >&2
    exit 2
    ;;
esac
