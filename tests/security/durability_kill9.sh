#!/usr/bin/env bash
# Durability (issue 6): a steady stream of writes from several clients,
# kill -9 of the server at 20 random moments, restart on the same data dir
# and port; every acknowledged write must be there afterwards, the audit
# chain must verify and PRAGMA integrity_check must be ok on every .db file.
# Result: build/security/durability_kill9.json. Budget: ≤ 2 minutes.
#
# Environment: STRONGROOM_BIN (default build/strongroom, the ASan build),
# DURABILITY_KILLS, DURABILITY_CLIENTS, DURABILITY_SEED (replay a schedule).
set -euo pipefail
cd "$(dirname "$0")/../.."
export STRONGROOM_BIN="${STRONGROOM_BIN:-$PWD/build/strongroom}"
command -v sqlite3 >/dev/null || { echo "durability_kill9: sqlite3 is required (apt-get install sqlite3)" >&2; exit 2; }
[ -x "$STRONGROOM_BIN" ] || { echo "durability_kill9: no binary at $STRONGROOM_BIN (ninja -C build)" >&2; exit 2; }
mkdir -p build/security
exec timeout --kill-after=10 170 node tests/security/durability_driver.mjs build/security/durability_kill9.json
