#!/usr/bin/env bash
# Resource limits (issue 6): slow-header and slow-body clients, 10,000 idle
# connections, oversized headers and bodies, sign-in floods against
# `strongroom serve` (the ASan build), while a probe from 127.0.0.1 measures
# a session check's latency. Records p99 per attack, max RSS, flood answer
# counts and accepted idle connections; asserts the server keeps answering
# (no probe failure or > 5 s), memory stays under a bound, oversized
# requests get 4xx, and the server exits 0 with no sanitizer report.
# Result: build/security/limits_attacks.json. Budget: ≤ 3 minutes.
#
# Environment: STRONGROOM_BIN (default build/strongroom), LIMITS_RSS_BOUND_MB
# (1536), LIMITS_SCALE (1; e.g. 0.2 for a quick trial with fewer connections).
set -euo pipefail
cd "$(dirname "$0")/../.."
export STRONGROOM_BIN="${STRONGROOM_BIN:-$PWD/build/strongroom}"
[ -x "$STRONGROOM_BIN" ] || { echo "limits_attacks: no binary at $STRONGROOM_BIN (ninja -C build)" >&2; exit 2; }
# 10,000 client sockets here and as many server descriptors (the server
# raises its own soft limit up to the hard limit).
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 12000 ]; then
  echo "limits_attacks: the descriptor hard limit is $hard; 10,000 idle connections need ≥ 11500 (fewer will be used; raise it to run the full attack)" >&2
fi
ulimit -n "$hard" 2>/dev/null || true
export LIMITS_NOFILE="$(ulimit -n)"
[ "$LIMITS_NOFILE" = unlimited ] && LIMITS_NOFILE=1048576
mkdir -p build/security
exec timeout --kill-after=10 200 node tests/security/limits_driver.mjs build/security/limits_attacks.json
