#!/usr/bin/env bash
# Long fuzzing: run-ci.sh with SECONDS per target (default 3600) and a
# work corpus in fuzz/build/corpus-long that grows from run to run.
# Promote small interesting finds to fuzz/corpus/<target>/ by hand
# (e.g. with -merge=1), never the whole work corpus.
# Usage: fuzz/run-long.sh [SECONDS] [target...]
set -euo pipefail
secs=${1:-3600}
shift || true
[[ $secs =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS] [target...]" >&2; exit 2; }
SR_FUZZ_SECONDS=$secs SR_FUZZ_WORK=corpus-long SR_FUZZ_KEEP=1 \
        exec "$(dirname "$0")/run-ci.sh" "$@"
