#!/usr/bin/env bash
# Builds the fuzz targets, then runs each for SR_FUZZ_SECONDS (default 20)
# two at a time on a copy of its seed corpus, so fuzz/corpus/ stays as
# committed. Prints one line per target and exits non-zero on any crash,
# leak, timeout or out-of-memory. Crash inputs land in
# fuzz/build/artifacts/<target>/, full logs in fuzz/build/logs/.
# Usage: fuzz/run-ci.sh [target...]
# Environment (run-long.sh sets these):
#   SR_FUZZ_SECONDS  seconds per target (20)
#   SR_FUZZ_JOBS     targets at a time (2)
#   SR_FUZZ_WORK     work corpus dir under fuzz/build (corpus-work)
#   SR_FUZZ_KEEP     1 = keep the work corpus between runs (0: fresh copy)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
secs=${SR_FUZZ_SECONDS:-20}
jobs=${SR_FUZZ_JOBS:-2}
work=fuzz/build/${SR_FUZZ_WORK:-corpus-work}
keep=${SR_FUZZ_KEEP:-0}

fuzz/build.sh "$@"

if (($# > 0)); then
        targets=("$@")
else
        mapfile -t targets < <(cd fuzz && ls fuzz_*.c | sed 's/\.c$//')
fi

logs=fuzz/build/logs
mkdir -p "$logs" "$work"

run_one() { # target
        local t=$1 w=$work/$1 a=fuzz/build/artifacts/$1/
        if [[ $keep != 1 ]]; then rm -rf "$w"; fi
        mkdir -p "$w" "$a"
        if [[ -d fuzz/corpus/$t ]]; then cp -n fuzz/corpus/"$t"/* "$w"/ 2>/dev/null || true; fi
        # A private TMPDIR (tmpfs when there is one), removed even after a
        # crash, for targets that write files (fuzz_config).
        local base=${TMPDIR:-/tmp} tmp rc=0
        if [[ -w /dev/shm ]]; then base=/dev/shm; fi
        tmp=$(mktemp -d "$base/sr-fuzz-$t.XXXXXX")
        TMPDIR=$tmp "fuzz/build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
                -print_final_stats=1 -artifact_prefix="$a" "$w" >"$logs/$t.log" 2>&1 || rc=$?
        rm -rf "$tmp"
        echo "$rc" >"$logs/$t.rc"
}

for t in "${targets[@]}"; do
        rm -f "$logs/$t.rc"
        while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
        run_one "$t" &
done
wait

fail=0
for t in "${targets[@]}"; do
        rc=$(cat "$logs/$t.rc" 2>/dev/null || echo missing)
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
        if [[ $rc == 0 ]]; then
                echo "fuzz $t: ok, ${execs:-?} execs"
        else
                fail=1
                what=$(grep -m1 -oE 'invariant broken: .*|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+( on [a-z-]+)?|runtime error: .*' \
                        "$logs/$t.log" || true)
                art=$(grep -m1 -oE "fuzz/build/artifacts/$t/[a-z-]+-[0-9a-f]+" "$logs/$t.log" || true)
                echo "fuzz $t: CRASH (exit $rc) ${what:+$what }${art:+input $art }log $logs/$t.log"
        fi
done
echo "fuzz: ${#targets[@]} targets, $secs s each, $(($(date +%s) - start)) s wall"
exit "$fail"
