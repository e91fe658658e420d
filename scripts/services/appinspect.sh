#!/usr/bin/env bash
# Runs Splunk AppInspect (splunk-appinspect from PyPI, installed once into a cached venv) on an app package.
#
#   appinspect.sh install            create ~/.cache/npswatch/appinspect/venv-<version> with the pinned splunk-appinspect
#   appinspect.sh <package.tgz> [report.json]
#
# AppInspect's exit status does not reflect check failures (only errors), so the JSON report is read instead:
# the script fails when summary.failure or summary.error is not zero, and lists those checks.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
APPINSPECT_VERSION="4.3.1"
VENV="${NPSWATCH_APPINSPECT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/npswatch/appinspect}/venv-$APPINSPECT_VERSION"

log() { echo "appinspect: $*" >&2; }

install() {
  if [[ -x "$VENV/bin/splunk-appinspect" ]]; then
    return 0
  fi
  command -v python3 >/dev/null || { log "python3 (>= 3.9) is required"; exit 1; }
  log "installing splunk-appinspect $APPINSPECT_VERSION into $VENV (needs libmagic: apt-get install libmagic1)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "splunk-appinspect==$APPINSPECT_VERSION"
}

inspect() {
  local package="$1" report="${2:-}"
  [[ -f "$package" ]] || { log "no such package: $package"; exit 2; }
  install
  if [[ -z "$report" ]]; then
    report="$(mktemp -t appinspect-XXXXXX.json)"
  fi
  local status=0
  "$VENV/bin/splunk-appinspect" inspect "$package" --mode precert --data-format json \
    --output-file "$report" >"$report.log" 2>&1 || status=$?
  if [[ ! -s "$report" ]]; then
    log "no report (exit $status); output:"
    tail -n 40 "$report.log" >&2
    exit 1
  fi
  "$VENV/bin/python" - "$report" "$status" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
status = int(sys.argv[2])
summary = report["summary"]
print("appinspect summary: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
bad = []
for r in report.get("reports", []):
    for group in r.get("groups", []):
        for check in group.get("checks", []):
            if check.get("result") in ("failure", "error"):
                bad.append(check)
for check in bad:
    print(f"  {check['result'].upper()}: {check['name']}")
    for m in check.get("messages", [])[:5]:
        print(f"    {m.get('message', m)}")
# Exit 1 means errors (caught above); anything else non-zero is a broken run (bad package, crash).
sys.exit(1 if summary.get("failure", 0) or summary.get("error", 0) or bad or status not in (0, 1) else 0)
PY
}

case "${1:-}" in
  install) install ;;
  "" | -h | --help)
    echo "usage: $0 install | $0 <package.tgz> [report.json]" >&2
    exit 2
    ;;
  *) inspect "$@" ;;
esac
