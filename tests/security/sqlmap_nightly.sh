#!/usr/bin/env bash
# sqlmap nightly (issue 6; not part of make check): level 3 / risk 2, all
# techniques, every injection point (JSON body string fields, path and query
# parameters; level 3 adds Cookie, User-Agent and Referer) of EVERY operation
# in /openapi.json, each operation on its own fresh account, one at a time.
# Takes hours. Zero findings required. Result: build/security/sqlmap_nightly.json.
# Environment: STRONGROOM_BIN, SR_SECURITY_OUT, SQLMAP_OP_TIMEOUT_S (1800),
# SQLMAP_BUDGET_S (21600); extra arguments go to sqlmap_run.mjs (e.g. --ops createUser,listUsers).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export STRONGROOM_BIN=${STRONGROOM_BIN:-$root/build/strongroom}
OUT=${SR_SECURITY_OUT:-$root/build/security}
command -v sqlmap >/dev/null || { echo "sqlmap_nightly: sqlmap is missing (apt-get install -y sqlmap)" >&2; exit 2; }
[ -x "$STRONGROOM_BIN" ] || { echo "sqlmap_nightly: no binary at $STRONGROOM_BIN (ninja -C build)" >&2; exit 2; }
mkdir -p "$OUT"
exec node tests/security/sqlmap_run.mjs --mode nightly --self-test \
        --budget-s "${SQLMAP_BUDGET_S:-21600}" --op-timeout-s "${SQLMAP_OP_TIMEOUT_S:-1800}" \
        --out "$OUT/sqlmap_nightly.json" "$@"
