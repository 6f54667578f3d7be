#!/usr/bin/env bash
# sqlmap in CI (issue 6): level 1 / risk 1 / techniques BEU against the 10
# operations that take free text (JSON body fields, path and query
# parameters, marked with `*`), driven from /openapi.json of a fresh
# `strongroom serve` (tests/security/sqlmap_run.mjs). First a self-test
# against a planted injection proves the command line finds one. Each
# operation runs under a hard cap, the whole script under 3 minutes.
# Zero findings required. Result: build/security/sqlmap_ci.json.
# Environment: STRONGROOM_BIN (default build/strongroom), SR_SECURITY_OUT.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export STRONGROOM_BIN=${STRONGROOM_BIN:-$root/build/strongroom}
OUT=${SR_SECURITY_OUT:-$root/build/security}
command -v sqlmap >/dev/null || { echo "sqlmap_ci: sqlmap is missing (apt-get install -y sqlmap)" >&2; exit 2; }
[ -x "$STRONGROOM_BIN" ] || { echo "sqlmap_ci: no binary at $STRONGROOM_BIN (ninja -C build)" >&2; exit 2; }
mkdir -p "$OUT"
exec timeout --kill-after=10 180 node tests/security/sqlmap_run.mjs --mode ci --self-test \
        --budget-s 165 --op-timeout-s 45 --jobs 2 --out "$OUT/sqlmap_ci.json"
