#!/usr/bin/env bash
# Secrets hygiene (issue 6, DATA-5): runs the whole e2e suite with
# STRONGROOM_E2E_ARTIFACTS=DIR (tests/support/server.mjs keeps every data dir
# and log under DIR/servers/, and records every password, token, secret,
# one-time password, recovery code and personal value sent or received in
# DIR/canaries.txt), then hygiene_scan.py looks for every canary in every
# log, data-dir file (databases, -wal, keystore; mail/ excluded) and crash
# file. Zero hits required. Result: build/security/hygiene_scan.json.
#
# Usage: tests/security/hygiene_scan.sh            # run the suite, then scan
#        tests/security/hygiene_scan.sh --reuse    # scan DIR from an earlier run of the
#                                                  # suite (make e2e leaves one), if complete
# Environment: STRONGROOM_BIN, SR_SECURITY_OUT, HYGIENE_ARTIFACTS (default build/e2e-artifacts).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export STRONGROOM_BIN=${STRONGROOM_BIN:-$root/build/strongroom}
OUT=${SR_SECURITY_OUT:-$root/build/security}
ART=${HYGIENE_ARTIFACTS:-$root/build/e2e-artifacts}
mkdir -p "$OUT"

if [ "${1:-}" = "--reuse" ] && [ -f "$ART/.complete" ] && [ "$ART/.complete" -nt "$STRONGROOM_BIN" ]; then
        echo "hygiene_scan: reusing the e2e run in $ART ($(cat "$ART/.complete"))"
else
        [ -x "$STRONGROOM_BIN" ] || { echo "hygiene_scan: no binary at $STRONGROOM_BIN (ninja -C build)" >&2; exit 2; }
        rm -rf "$ART"
        mkdir -p "$ART"
        flags=""
        node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' && flags=--test-concurrency=2
        echo "hygiene_scan: running the e2e suite with STRONGROOM_E2E_ARTIFACTS=$ART"
        t0=$(date +%s)
        set +e
        STRONGROOM_KEEP_DATA=1 STRONGROOM_E2E_ARTIFACTS="$ART" node --test $flags tests/e2e/*.test.mjs >"$ART/e2e.log" 2>&1
        rc=$?
        set -e
        echo "exit=$rc seconds=$(($(date +%s) - t0))" >"$ART/.complete"
        grep -E '^# (tests|pass|fail)' "$ART/e2e.log" || true
fi
info=$(cat "$ART/.complete" 2>/dev/null || echo "exit=? seconds=?")
suite_exit=$(sed -n 's/.*exit=\([^ ]*\).*/\1/p' <<<"$info")
suite_s=$(sed -n 's/.*seconds=\([^ ]*\).*/\1/p' <<<"$info")
exec python3 tests/security/hygiene_scan.py "$ART" "$OUT/hygiene_scan.json" --suite-exit "$suite_exit" --suite-seconds "$suite_s"
