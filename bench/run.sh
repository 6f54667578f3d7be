#!/usr/bin/env bash
# bench/run.sh - Strongroom performance measurements (issue 3 "Proof" -> bench,
# DESIGN.md "Performance targets"). One command, one run:
#
#   (a) bare libmicrohttpd HTTPS "hello" (bench/bare_https.c), same TLS settings
#   (b) GET /v1/me with a valid bearer session on `strongroom serve`
#   (s) GET /v1/session (getCurrentSession: the bare session check, with the epoch
#       revocation check in place) with the same session (issue 5)
#   (c) POST /v1/session sign-ins with the correct password (argon2id in the worker pool)
#   (d) raw argon2id hashes/s (bench/argon2_rate.c), as many threads as the worker pool
#   (f) (c) again, while a second wrk floods POST /v1/session with WRONG passwords
#       round-robin over VICTIMS users of a second account (bench/lua/flood.lua;
#       issue 4): legit sign-ins/s, all argon2id runs/s, 401/429/503 counts; the
#       flood just fills the worker queue
#   (g) the same with a flood larger than the worker queue (503 busy answers)
#   (z) in-process sr_authz_require / sr_authz_may_grant decisions per second on one
#       thread, 10k actors over 1k channels (bench/authz_rate.c; issue 5)
#
# and prints b/a and s/a at 64 and 256 connections, c/d, (legit + flood hashes)/d for
# (f) and (g), p99 of (b) at 64 connections, p99 of legit sign-ins under the floods, authz decisions
# per second and the idle RSS of the server (after start, and after the load). Targets
# are reported, not asserted: b/a and s/a >= 0.5, c/d >= 0.9, flood hashes/d >= 0.9,
# p99(b@64) < 5 ms, idle RSS <= 20 MiB, authz >= 1,000,000 decisions/s per core.
#
# Release build without sanitizers in bench/build-release; helper binaries in
# bench/build-tools; scratch data dir in bench/work (removed on exit unless KEEP=1);
# report in bench/results/<timestamp>.md plus raw wrk output in bench/results/<timestamp>/.
#
# Knobs (environment):
#   DUR=10s          length of each wrk run
#   HASH_SECS=5      length of each of the two raw-hash runs (before and after c)
#   C_CONNS=8        wrk connections for (c); keep the worker queue (64) from overflowing
#   WORKERS=2        server worker_threads, and threads for (d)
#   WORKER_QUEUE=64  server worker_queue (the server's default)
#   F_CONNS=56       wrk connections of the wrong-password flood in (f); default
#                    WORKER_QUEUE - C_CONNS: the queue is full but never overflows
#   G_CONNS=128      wrk connections of the flood in (g): the queue overflows (503)
#   VICTIMS=50       flood victims (users of a second account)
#   AUTHZ_SECS=3     length of each of the two in-process authorization runs in (z)
#   QUIET_WAIT=30    before (a)/(b) and before (d)/(c), wait up to this many seconds for
#   QUIET_PCT=25     the shared machine to drop under this % of one core busy
#   PERF=1           also perf-record the server under (b) at 64 connections for 4 s and
#                    put the top of the profile in the report (KEEP_PERF=1 keeps perf.data);
#                    PERF=c profiles the sign-ins of (c) instead
#   STORE=postgres   run the server on the PostgreSQL driver (a throwaway PostgreSQL 15
#                    on 127.0.0.1:55433, tests/support/pg.sh); default sqlite
#   KEEP=1           keep the scratch data dir bench/work
# A run takes about 2.5 minutes on a quiet machine, at most about 3.5 with both waits.
#
# Needs: meson ninja gcc pkg-config libmicrohttpd-dev libsodium-dev wrk curl python3
# (and perf for PERF=1). wrk: apt-get install -y wrk
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$HERE/build-release
TOOLS=$HERE/build-tools
WORK=$HERE/work
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESDIR=$HERE/results
RAW=$RESDIR/$STAMP
REPORT=$RESDIR/$STAMP.md
DUR=${DUR:-10s}
HASH_SECS=${HASH_SECS:-5}
C_CONNS=${C_CONNS:-8}
WORKERS=${WORKERS:-2}
WORKER_QUEUE=${WORKER_QUEUE:-64}
F_CONNS=${F_CONNS:-$((WORKER_QUEUE > C_CONNS ? WORKER_QUEUE - C_CONNS : 1))}
G_CONNS=${G_CONNS:-128}
VICTIMS=${VICTIMS:-50}
AUTHZ_SECS=${AUTHZ_SECS:-3}
VICTIM_PREFIX=victim-
PERF=${PERF:-0}
STORE=${STORE:-sqlite}
PGDIR=""
QUIET_WAIT=${QUIET_WAIT:-30}
QUIET_PCT=${QUIET_PCT:-25}
PASSWORD='bench password of good length'
EMAIL=bench@example.com

SERVER_PID=""
BARE_PID=""
PERF_PID=""

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

stop_pid() { # stop_pid PID NAME: TERM, wait up to 5 s, then KILL
	local pid=$1 name=$2
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_pid "$PERF_PID" perf
	stop_pid "$BARE_PID" bare_https
	stop_pid "$SERVER_PID" strongroom
	if [ -n "$PGDIR" ]; then PGPORT_TEST=55433 "$ROOT/tests/support/pg.sh" stop "$PGDIR"; fi
	if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in meson ninja gcc pkg-config wrk curl python3; do
	command -v "$tool" >/dev/null || die "$tool not found (wrk: apt-get install -y wrk)"
done
mkdir -p "$RAW" "$TOOLS"
rm -rf "$WORK"
mkdir -p "$WORK"

# ------------------------------------------------------------------ build
log "building release strongroom in $BUILD"
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" --buildtype=release >"$RAW/meson-setup.log" 2>&1 ||
		{ cat "$RAW/meson-setup.log" >&2; die "meson setup failed"; }
fi
python3 - "$BUILD" <<'EOF' || die "$BUILD is not a release build without sanitizers"
import json, sys
o = {x["name"]: x["value"] for x in json.load(open(sys.argv[1] + "/meson-info/intro-buildoptions.json"))}
ok = o.get("b_sanitize") in ("none", [], "") and o.get("buildtype") == "release"
sys.exit(0 if ok else 1)
EOF
# Other people edit src/ and tests/ while this runs; a half-edited tree (say a
# tests/unit/meson.build naming a file not yet written) fails to configure, so retry.
for attempt in 1 2 3 4; do
	if ninja -C "$BUILD" strongroom >"$RAW/ninja.log" 2>&1; then break; fi
	[ "$attempt" -lt 4 ] || { tail -40 "$RAW/ninja.log" >&2; die "ninja failed 4 times"; }
	log "build failed (attempt $attempt: $(grep -m1 -E 'ERROR|error:' "$RAW/ninja.log" || tail -1 "$RAW/ninja.log")); retrying in 15 s"
	sleep 15 &
	wait $! # (a trap runs at once during "wait", not after a foreground sleep)
done
SR=$BUILD/strongroom
log "building bare_https and argon2_rate in $TOOLS"
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -o "$TOOLS/bare_https" "$HERE/bare_https.c" \
	$(pkg-config --cflags --libs libmicrohttpd) -lpthread
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -o "$TOOLS/argon2_rate" "$HERE/argon2_rate.c" \
	$(pkg-config --cflags --libs libsodium) -lpthread
# authz_rate links the release build's static library (built with strongroom above)
[ -f "$BUILD/libstrongroom.a" ] || die "$BUILD/libstrongroom.a missing"
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -D_GNU_SOURCE -I "$ROOT/src" -o "$TOOLS/authz_rate" "$HERE/authz_rate.c" \
	"$BUILD/libstrongroom.a" \
	$(pkg-config --libs libmicrohttpd libsodium sqlite3 jansson libcurl inih gnutls liboath) \
	-lunistring -lzxcvbn -lcrypt -lm -lpthread

# ------------------------------------------------------------------ helpers
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
threads_of() { awk '/^Threads:/{print $2}' "/proc/$1/status"; }
proc_ticks() { # utime+stime of a process, in clock ticks
	sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
cpu_busy_total() { # "busy total irq" jiffies over all CPUs (busy excludes irq/softirq)
	awk '/^cpu /{b=$2+$3+$4+$9; q=$7+$8; print b, b+q+$5+$6, q}' /proc/stat
}
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)

wait_https() { # wait_https URL PID NAME CACERT
	local url=$1 pid=$2 name=$3 ca=$4
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
		if curl -s -o /dev/null --cacert "$ca" "$url"; then return 0; fi
		sleep 0.1
	done
	die "$name did not answer on $url"
}

# wait_quiet: this machine is shared (other people's builds and test suites run on the
# same 2 cores). Wait up to QUIET_WAIT seconds for a second in which the machine is
# under QUIET_PCT% of one core busy; go ahead anyway after that (the report shows the
# foreign load of every run).
wait_quiet() {
	local waited=0 a b pct
	while :; do
		read -r -a a <<<"$(cpu_busy_total)"
		sleep 1
		read -r -a b <<<"$(cpu_busy_total)"
		pct=$(awk -v x=$((b[0] - a[0] + b[2] - a[2])) -v t=$((b[1] - a[1])) -v n="$NCPU" \
			'BEGIN{printf "%.0f", (t > 0 ? 100 * n * x / t : 0)}')
		if [ "$pct" -le "$QUIET_PCT" ]; then return 0; fi
		waited=$((waited + 1))
		if [ "$waited" -ge "$QUIET_WAIT" ]; then
			log "machine still busy (${pct}% of one core) after ${waited}s; going ahead (results will be noisy)"
			return 0
		fi
		[ $((waited % 10)) -eq 1 ] && log "machine busy (${pct}% of one core) with other work; waiting up to ${QUIET_WAIT}s"
	done
}

# run_argon TAG SECS: raw argon2id on WORKERS threads; wall rate and CPU cost per hash.
run_argon() {
	local tag=$1 secs=$2 line kv cpu m0 m1
	local TIMEFORMAT='%U %S'
	read -r -a m0 <<<"$(cpu_busy_total)"
	{ time "$TOOLS/argon2_rate" "$WORKERS" "$secs" >"$RAW/argon2-$tag.txt"; } 2>"$RAW/time-argon2-$tag.txt" ||
		die "argon2_rate failed"
	read -r -a m1 <<<"$(cpu_busy_total)"
	line=$(grep '^RESULT' "$RAW/argon2-$tag.txt") || die "argon2_rate printed no RESULT line"
	for kv in ${line#RESULT }; do R[$tag.${kv%%=*}]=${kv#*=}; done
	cpu=$(awk '{print $1 + $2}' "$RAW/time-argon2-$tag.txt")
	R[$tag.cpu_s]=$cpu
	R[$tag.machine_cpu]=$(awk -v b=$((m1[0] - m0[0])) -v t=$((m1[1] - m0[1])) -v n="$NCPU" \
		'BEGIN{printf "%.0f", (t > 0 ? 100 * n * b / t : 0)}')
	R[$tag.other_cpu]=$(awk -v m="${R[$tag.machine_cpu]}" -v c="$cpu" -v s="${R[$tag.seconds]}" \
		'BEGIN{o = m - 100 * c / s; printf "%.0f", (o < 0 ? 0 : o)}')
	log "$tag: $line | CPU: argon2_rate $(awk -v c="$cpu" -v s="${R[$tag.seconds]}" 'BEGIN{printf "%.0f", 100 * c / s}')% other ${R[$tag.other_cpu]}%"
}

declare -A R # results: R[name.key]=value

# run_wrk NAME PID URL CONNS SCRIPT : runs wrk, parses its RESULT line into R[NAME.*],
# and records the server's CPU use and the machine's (to spot foreign load).
run_wrk() {
	local name=$1 pid=$2 url=$3 conns=$4 script=$5
	local out=$RAW/wrk-$name.txt tfile=$RAW/time-$name.txt
	local p0 p1 m0 m1 line kv
	p0=$(proc_ticks "$pid")
	read -r -a m0 <<<"$(cpu_busy_total)"
	local TIMEFORMAT='%U %S'
	{ time wrk -t1 -c"$conns" -d"$DUR" --timeout 10s --latency -s "$script" "$url" >"$out" 2>&1; } 2>"$tfile" ||
		die "wrk $name failed: $(tail -3 "$out")"
	p1=$(proc_ticks "$pid")
	read -r -a m1 <<<"$(cpu_busy_total)"
	line=$(grep '^RESULT' "$out") || die "wrk $name printed no RESULT line: $(tail -3 "$out")"
	for kv in ${line#RESULT }; do R[$name.${kv%%=*}]=${kv#*=}; done
	local secs=${DUR%s}
	local wrk_cpu
	wrk_cpu=$(awk '{print $1 + $2}' "$tfile")
	R[$name.srv_cpu]=$(awk -v t=$((p1 - p0)) -v hz="$HZ" -v s="$secs" 'BEGIN{printf "%.0f", 100 * t / hz / s}')
	R[$name.wrk_cpu]=$(awk -v c="$wrk_cpu" -v s="$secs" 'BEGIN{printf "%.0f", 100 * c / s}')
	# busy% of the whole machine (100% = one core; irq/softirq, mostly loopback TCP,
	# counted apart) minus server and wrk = foreign load (other engineers' tests)
	R[$name.machine_cpu]=$(awk -v b=$((m1[0] - m0[0])) -v t=$((m1[1] - m0[1])) -v n="$NCPU" \
		'BEGIN{printf "%.0f", (t > 0 ? 100 * n * b / t : 0)}')
	R[$name.irq_cpu]=$(awk -v b=$((m1[2] - m0[2])) -v t=$((m1[1] - m0[1])) -v n="$NCPU" \
		'BEGIN{printf "%.0f", (t > 0 ? 100 * n * b / t : 0)}')
	R[$name.other_cpu]=$(awk -v m="${R[$name.machine_cpu]}" -v a="${R[$name.srv_cpu]}" -v w="${R[$name.wrk_cpu]}" \
		'BEGIN{o = m - a - w; printf "%.0f", (o < 0 ? 0 : o)}')
	log "$name c=$conns: $line | CPU: server ${R[$name.srv_cpu]}% wrk ${R[$name.wrk_cpu]}% softirq ${R[$name.irq_cpu]}% other ${R[$name.other_cpu]}%"
}

# ------------------------------------------------------------------ environment
{
	echo "date: $(date -u +%FT%TZ)"
	echo "host: $NCPU cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
	echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo n/a)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ has uncommitted changes)')"
	for p in libmicrohttpd12 libsodium23 libgnutls30 libsqlite3-0 wrk gcc; do
		echo "$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo n/a)"
	done
	echo "store: $STORE"
	echo "wrk: -t1 -d$DUR; c connections $C_CONNS; worker_threads $WORKERS; worker_queue $WORKER_QUEUE; hash seconds $HASH_SECS"
	echo "flood: $F_CONNS (f) and $G_CONNS (g) connections over $VICTIMS victims; authz: ${AUTHZ_SECS}s per function"
	echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RAW/env.txt"
cat "$RAW/env.txt" >&2

# ------------------------------------------------------------------ server
D=$WORK/data
if [ "$STORE" = postgres ]; then
	# STORE=postgres: the same run on the PostgreSQL driver, against a throwaway
	# PostgreSQL 15 on loopback (tests/support/pg.sh: fsync off, so the figures
	# are the driver's cost, not a disk's)
	PGDIR=$(mktemp -d /tmp/sr-bench-pg.XXXXXX)
	PGPORT_TEST=55433 "$ROOT/tests/support/pg.sh" start "$PGDIR" >"$RAW/pg-start.txt" || die "PostgreSQL did not start"
	psql "host=127.0.0.1 port=55433 user=strongroom dbname=postgres" -qc "CREATE DATABASE sr_bench" || die "createdb"
	mkdir -p "$D"
	printf '[store]\ndriver = postgres\npostgres = host=127.0.0.1 port=55433 user=strongroom dbname=sr_bench\n' >"$D/strongroom.conf"
fi
log "strongroom init --data-dir $D (store: $STORE)"
"$SR" init --data-dir "$D" --json >"$WORK/init.json" || die "strongroom init failed"
cat >>"$D/strongroom.conf" <<EOF
[signup]
per_address_per_hour = 1000000
[signin]
bucket_burst = 1000000
bucket_per_s = 1000000
[server]
worker_threads = $WORKERS
worker_queue = $WORKER_QUEUE
EOF
CA=$D/tls/cert.pem
SR_PORT=$(free_port)
U=https://127.0.0.1:$SR_PORT
"$SR" serve --data-dir "$D" --listen "127.0.0.1:$SR_PORT" >"$RAW/server.log" 2>&1 &
SERVER_PID=$!
wait_https "$U/v1/me" "$SERVER_PID" strongroom "$CA"
sleep 1
RSS_START=$(rss_kb "$SERVER_PID")
THR_START=$(threads_of "$SERVER_PID")
log "strongroom pid $SERVER_PID on $U; RSS after start ${RSS_START} kB, $THR_START threads"

curl_json() { # curl_json URL BODY -> prints "HTTPCODE BODY"
	curl -sS --cacert "$CA" -H 'Content-Type: application/json' -d "$2" -w '\n%{http_code}' "$1"
}
ACC_BODY=$(printf '{"company":"Bench","email":"%s","country":"NL","region":"EU","password":"%s"}' "$EMAIL" "$PASSWORD")
out=$(curl_json "$U/v1/accounts" "$ACC_BODY")
[ "${out##*$'\n'}" = 201 ] || die "POST /v1/accounts: $out"
SLUG=$(printf '%s' "${out%$'\n'*}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["slug"])')
SIGNIN_BODY=$(printf '{"account":"%s","identifier":"%s","password":"%s"}' "$SLUG" "$EMAIL" "$PASSWORD")
out=$(curl_json "$U/v1/session" "$SIGNIN_BODY")
[ "${out##*$'\n'}" = 201 ] || die "POST /v1/session: $out"
TOKEN=$(printf '%s' "${out%$'\n'*}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
code=$(curl -sS -o "$RAW/me.json" -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $TOKEN" "$U/v1/me")
[ "$code" = 200 ] || die "GET /v1/me answered $code: $(cat "$RAW/me.json")"
code=$(curl -sS -o "$RAW/session.json" -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $TOKEN" "$U/v1/session")
[ "$code" = 200 ] || die "GET /v1/session answered $code: $(cat "$RAW/session.json")"
log "account '$SLUG' created, signed in, GET /v1/me = 200, GET /v1/session = 200"
# flood victims (f): a second account with VICTIMS users
VSLUG=$(python3 "$HERE/victims.py" "$U" "$CA" "$VICTIMS" "$VICTIM_PREFIX") || die "victims.py failed"
log "account '$VSLUG' with $VICTIMS victims ${VICTIM_PREFIX}0..${VICTIM_PREFIX}$((VICTIMS - 1)) created"

# ------------------------------------------------------------------ bare baseline
BARE_PORT=$(free_port)
BU=https://127.0.0.1:$BARE_PORT/
"$TOOLS/bare_https" "$BARE_PORT" "$D/tls/cert.pem" "$D/tls/key.pem" >"$RAW/bare.log" 2>&1 &
BARE_PID=$!
wait_https "$BU" "$BARE_PID" bare_https "$CA"
# both must keep the connection alive, or every request is a new TLS handshake
for u in "$BU" "$U/v1/me" "$U/v1/session"; do
	hdr=$(curl -sS -o /dev/null -D - --cacert "$CA" -H "Authorization: Bearer $TOKEN" "$u" "$u")
	if grep -qi '^connection: *close' <<<"$hdr"; then log "WARNING: $u answers Connection: close"; fi
done
log "bare_https pid $BARE_PID on $BU"
BARE_RSS_START=$(rss_kb "$BARE_PID")
sleep 2
RSS_IDLE=$(rss_kb "$SERVER_PID")

# ------------------------------------------------------------------ (a)/(b), interleaved
export BENCH_TOKEN=""
wait_quiet
for c in 64 256; do
	BENCH_TOKEN="" run_wrk "a$c" "$BARE_PID" "$BU" "$c" "$HERE/lua/get.lua"
	sleep 1
	BENCH_TOKEN=$TOKEN run_wrk "b$c" "$SERVER_PID" "$U/v1/me" "$c" "$HERE/lua/get.lua"
	sleep 1
	BENCH_TOKEN=$TOKEN run_wrk "s$c" "$SERVER_PID" "$U/v1/session" "$c" "$HERE/lua/get.lua"
	sleep 1
done
R[b.rss_max]=$(rss_kb "$SERVER_PID")

# ------------------------------------------------------------------ (d) (c) (d): sign-ins between two hash runs
# The load from other people on this machine drifts; measuring d on both sides of c
# (and a/b interleaved above) keeps each ratio's two halves under the same conditions.
wait_quiet
log "(d) argon2id crypto_pwhash_str t=2 m=19MiB, $WORKERS threads, ${HASH_SECS}s before and after (c)"
run_argon d1 "$HASH_SECS"
log "(c) POST /v1/session, $C_CONNS connections"
if [ "$PERF" = c ] && command -v perf >/dev/null; then
	# PERF=c: profile the sign-ins of (c) instead of GET /v1/me
	perf record -F 299 --call-graph dwarf,16384 -o "$RAW/perf.data" -p "$SERVER_PID" -- sleep 6 \
		>"$RAW/perf-record.log" 2>&1 &
	PERF_PID=$!
fi
BENCH_BODY=$SIGNIN_BODY run_wrk c "$SERVER_PID" "$U/v1/session" "$C_CONNS" "$HERE/lua/signin.lua"
if [ -n "$PERF_PID" ]; then
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=""
	perf report -i "$RAW/perf.data" --children --sort sym --stdio -g none --percent-limit 1 2>/dev/null |
		grep '%' | grep -v '\] 0x0000' | head -60 >"$RAW/perf-top.txt" || true
	[ "${KEEP_PERF:-0}" = 1 ] || rm -f "$RAW/perf.data"
fi
R[c.rate]=$(awk -v n="${R[c.s201]}" -v s="${R[c.secs]}" 'BEGIN{printf "%.2f", n / s}')
run_argon d2 "$HASH_SECS"
R[d.hashes]=$((${R[d1.hashes]} + ${R[d2.hashes]}))
R[d.seconds]=$(awk -v a="${R[d1.seconds]}" -v b="${R[d2.seconds]}" 'BEGIN{printf "%.2f", a + b}')
R[d.rate]=$(awk -v n="${R[d.hashes]}" -v s="${R[d.seconds]}" 'BEGIN{printf "%.2f", n / s}')
R[d.cpu_ms]=$(awk -v a="${R[d1.cpu_s]}" -v b="${R[d2.cpu_s]}" -v n="${R[d.hashes]}" 'BEGIN{printf "%.1f", 1000 * (a + b) / n}')

# ------------------------------------------------------------------ (f) (g) (d3): sign-ins under a wrong-password flood
# Two wrk at once for DUR: the flood (wrong passwords round-robin over the victims of
# the second account) and the legitimate driver of (c) (C_CONNS connections, the bench
# user's correct password). The victims lock after lockout_threshold failures; a locked
# victim's attempt still costs one argon2id run (401 after the same work), so every
# flood 401 is one hash. 429 (bucket) and 503 (worker queue full) cost none.
#   (f) F_CONNS flood connections: with the legit ones exactly WORKER_QUEUE requests in
#       flight, so the queue stays full but never overflows (no 503);
#   (g) G_CONNS flood connections: the queue overflows and answers 503 busy.
# (d2) before and (d3) after are the raw baseline of both.
parse_result() { # parse_result NAME FILE: RESULT k=v ... -> R[NAME.k], the line in LAST_RESULT
	local kv
	LAST_RESULT=$(grep '^RESULT' "$2") || die "$1 printed no RESULT line: $(tail -3 "$2")"
	for kv in ${LAST_RESULT#RESULT }; do R[$1.${kv%%=*}]=${kv#*=}; done
}
run_flood() { # run_flood TAG FLOOD_CONNS -> R[TAG.*], R[TAG_flood.*], R[TAG_legit.*]
	local tag=$1 fconns=$2 p0 p1 m0 m1 fpid lpid
	local TIMEFORMAT='%U %S'
	log "($tag) POST /v1/session: $C_CONNS legit connections under a wrong-password flood of $fconns connections over $VICTIMS victims"
	p0=$(proc_ticks "$SERVER_PID")
	read -r -a m0 <<<"$(cpu_busy_total)"
	{ time BENCH_FLOOD_ACCOUNT=$VSLUG BENCH_FLOOD_N=$VICTIMS BENCH_FLOOD_PREFIX=$VICTIM_PREFIX \
		wrk -t1 -c"$fconns" -d"$DUR" --timeout 10s --latency -s "$HERE/lua/flood.lua" \
		"$U/v1/session" >"$RAW/wrk-$tag-flood.txt" 2>&1; } 2>"$RAW/time-$tag-flood.txt" &
	fpid=$!
	{ time BENCH_BODY=$SIGNIN_BODY wrk -t1 -c"$C_CONNS" -d"$DUR" --timeout 10s --latency \
		-s "$HERE/lua/signin.lua" "$U/v1/session" >"$RAW/wrk-$tag-legit.txt" 2>&1; } 2>"$RAW/time-$tag-legit.txt" &
	lpid=$!
	wait "$fpid" || die "flood wrk failed: $(tail -3 "$RAW/wrk-$tag-flood.txt")"
	wait "$lpid" || die "legit wrk failed: $(tail -3 "$RAW/wrk-$tag-legit.txt")"
	p1=$(proc_ticks "$SERVER_PID")
	read -r -a m1 <<<"$(cpu_busy_total)"
	local fl lg secs=${DUR%s} wrk_cpu
	parse_result "${tag}_flood" "$RAW/wrk-$tag-flood.txt"
	fl=$LAST_RESULT
	parse_result "${tag}_legit" "$RAW/wrk-$tag-legit.txt"
	lg=$LAST_RESULT
	wrk_cpu=$(cat "$RAW/time-$tag-flood.txt" "$RAW/time-$tag-legit.txt" | awk '{c += $1 + $2} END{print c}')
	R[$tag.conns]=$fconns
	R[$tag.srv_cpu]=$(awk -v t=$((p1 - p0)) -v hz="$HZ" -v s="$secs" 'BEGIN{printf "%.0f", 100 * t / hz / s}')
	R[$tag.srv_cpu_s]=$(awk -v t=$((p1 - p0)) -v hz="$HZ" 'BEGIN{printf "%.2f", t / hz}')
	R[$tag.wrk_cpu]=$(awk -v c="$wrk_cpu" -v s="$secs" 'BEGIN{printf "%.0f", 100 * c / s}')
	R[$tag.machine_cpu]=$(awk -v b=$((m1[0] - m0[0])) -v t=$((m1[1] - m0[1])) -v n="$NCPU" \
		'BEGIN{printf "%.0f", (t > 0 ? 100 * n * b / t : 0)}')
	R[$tag.irq_cpu]=$(awk -v b=$((m1[2] - m0[2])) -v t=$((m1[1] - m0[1])) -v n="$NCPU" \
		'BEGIN{printf "%.0f", (t > 0 ? 100 * n * b / t : 0)}')
	R[$tag.other_cpu]=$(awk -v m="${R[$tag.machine_cpu]}" -v a="${R[$tag.srv_cpu]}" -v w="${R[$tag.wrk_cpu]}" \
		'BEGIN{o = m - a - w; printf "%.0f", (o < 0 ? 0 : o)}')
	log "$tag flood c=$fconns: $fl"
	log "$tag legit c=$C_CONNS: $lg | CPU: server ${R[$tag.srv_cpu]}% wrk ${R[$tag.wrk_cpu]}% softirq ${R[$tag.irq_cpu]}% other ${R[$tag.other_cpu]}%"
}
flood_figures() { # flood_figures TAG: rates per second over each wrk's own duration
	local t=$1 l=${1}_legit f=${1}_flood
	R[$t.legit_rate]=$(awk -v n="${R[$l.s201]}" -v s="${R[$l.secs]}" 'BEGIN{printf "%.2f", n / s}')
	R[$t.flood_rate]=$(awk -v n="${R[$f.s401]}" -v s="${R[$f.secs]}" 'BEGIN{printf "%.2f", n / s}')
	R[$t.s503_rate]=$(awk -v a="${R[$f.s503]}" -v b="${R[$l.s503]}" -v s="${R[$f.secs]}" 'BEGIN{printf "%.0f", (a + b) / s}')
	# every legit answer but 503/429 ran one argon2id hash too (201, or a 401 if it failed)
	R[$t.legit_hashes]=$((${R[$l.s201]} + ${R[$l.s4xx]}))
	R[$t.hash_rate]=$(awk -v n="${R[$t.legit_hashes]}" -v s="${R[$l.secs]}" -v f="${R[$t.flood_rate]}" \
		'BEGIN{printf "%.2f", n / s + f}')
	R[$t.hashes]=$((${R[$t.legit_hashes]} + ${R[$f.s401]}))
	R[$t.cpu_ms]=$(awk -v c="${R[$t.srv_cpu_s]}" -v n="${R[$t.hashes]}" 'BEGIN{printf "%.1f", (n > 0 ? 1000 * c / n : 0)}')
	R[$t.ratio]=$(ratio "${R[$t.hash_rate]}" "${R[df.rate]}")
	R[$t.ratio_cpu]=$(ratio "${R[df.cpu_ms]}" "${R[$t.cpu_ms]}")
	R[$t.share]=$(ratio "${R[$t.legit_rate]}" "${R[$t.hash_rate]}")
	R[$t.vs_c]=$(ratio "${R[$t.legit_rate]}" "${R[c.rate]}")
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN{ if (y > 0) printf "%.2f", x / y; else print "n/a" }'; }
run_flood f "$F_CONNS"
sleep 1
run_flood g "$G_CONNS"
run_argon d3 "$HASH_SECS"
R[df.hashes]=$((${R[d2.hashes]} + ${R[d3.hashes]}))
R[df.seconds]=$(awk -v a="${R[d2.seconds]}" -v b="${R[d3.seconds]}" 'BEGIN{printf "%.2f", a + b}')
R[df.rate]=$(awk -v n="${R[df.hashes]}" -v s="${R[df.seconds]}" 'BEGIN{printf "%.2f", n / s}')
R[df.cpu_ms]=$(awk -v a="${R[d2.cpu_s]}" -v b="${R[d3.cpu_s]}" -v n="${R[df.hashes]}" 'BEGIN{printf "%.1f", 1000 * (a + b) / n}')
flood_figures f
flood_figures g
# what a FIFO queue of WORKER_QUEUE behind WORKERS workers can add at most: a request
# that finds the queue full waits for all of it at the raw hash rate
F_QBOUND=$(awk -v q="$WORKER_QUEUE" -v w="$WORKERS" -v r="${R[df.rate]}" 'BEGIN{printf "%.0f", (r > 0 ? 1000 * (q + w) / r : 0)}')

# ------------------------------------------------------------------ optional perf profile of (b)
if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
	log "perf record (dwarf call graphs) on strongroom during GET /v1/me c=64 (4 s)"
	# perf ends by itself with its "sleep" (a background job ignores SIGINT in a script)
	perf record -F 299 --call-graph dwarf,16384 -o "$RAW/perf.data" -p "$SERVER_PID" -- sleep 4 \
		>"$RAW/perf-record.log" 2>&1 &
	PERF_PID=$!
	sleep 0.3
	BENCH_TOKEN=$TOKEN wrk -t1 -c64 -d4s -s "$HERE/lua/get.lua" "$U/v1/me" >"$RAW/wrk-perf.txt" 2>&1 || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=""
	# inclusive time per named function (unresolved frames of stripped libraries left out)
	perf report -i "$RAW/perf.data" --children --sort sym --stdio -g none --percent-limit 2 2>/dev/null |
		grep '%' | grep -v '\] 0x0000' | head -45 >"$RAW/perf-top.txt" || true
	perf report -i "$RAW/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
		grep '%' | head -12 >"$RAW/perf-dso.txt" || true
	[ "${KEEP_PERF:-0}" = 1 ] || rm -f "$RAW/perf.data"
fi

sleep 3
RSS_AFTER=$(rss_kb "$SERVER_PID")
THR_AFTER=$(threads_of "$SERVER_PID")
BARE_RSS_AFTER=$(rss_kb "$BARE_PID")
log "RSS idle after load ${RSS_AFTER} kB, $THR_AFTER threads"
stop_pid "$BARE_PID" bare_https
BARE_PID=""
stop_pid "$SERVER_PID" strongroom
SERVER_PID=""
# the server logs one line per request (tens of MB per run): keep the count and the tail
LOG_LINES=$(wc -l <"$RAW/server.log")
tail -n 200 "$RAW/server.log" >"$RAW/server-tail.log" && rm -f "$RAW/server.log"

# ------------------------------------------------------------------ (z) in-process authorization decisions
# One thread, no server running. cpu_rate (decisions per second of the thread's CPU
# time) is the "per core" figure; rate is per wall second (lower when the machine is shared).
log "(z) sr_authz_require and sr_authz_may_grant, 10k actors / 1k channels, ${AUTHZ_SECS}s each, 1 thread"
"$TOOLS/authz_rate" "$AUTHZ_SECS" >"$RAW/authz.txt" || die "authz_rate failed"
grep '^RESULT fn=require ' "$RAW/authz.txt" >"$RAW/authz-require.txt" || die "authz_rate printed no require RESULT"
grep '^RESULT fn=may_grant ' "$RAW/authz.txt" >"$RAW/authz-grant.txt" || die "authz_rate printed no may_grant RESULT"
parse_result zr "$RAW/authz-require.txt"
log "$LAST_RESULT"
parse_result zg "$RAW/authz-grant.txt"
log "$LAST_RESULT"
AUTHZ_POP=$(sed -n 's/^POPULATION //p' "$RAW/authz.txt")

# ------------------------------------------------------------------ summary
verdict() { # verdict VALUE OP TARGET
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN{
		if (v == "n/a") { print "n/a"; exit }
		ok = (op == ">=") ? (v + 0 >= t + 0) : (op == "<=") ? (v + 0 <= t + 0) : (v + 0 < t + 0)
		print ok ? "met" : "MISSED" }'
}
# server CPU microseconds per request of run $1
us_per_req() { awk -v c="${R[$1.srv_cpu]}" -v r="${R[$1.rps]}" 'BEGIN{printf "%.1f", (r > 0 ? 1e4 * c / r : 0)}'; }
mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k / 1024}'; }

BA64=$(ratio "${R[b64.rps]}" "${R[a64.rps]}")
BA256=$(ratio "${R[b256.rps]}" "${R[a256.rps]}")
SA64=$(ratio "${R[s64.rps]}" "${R[a64.rps]}")
SA256=$(ratio "${R[s256.rps]}" "${R[a256.rps]}")
ZR=$(awk -v r="${R[zr.cpu_rate]}" 'BEGIN{printf "%.0f", r}')
ZG=$(awk -v r="${R[zg.cpu_rate]}" 'BEGIN{printf "%.0f", r}')
ZR_M=$(awk -v r="$ZR" 'BEGIN{printf "%.2f", r / 1e6}')
ZG_M=$(awk -v r="$ZG" 'BEGIN{printf "%.2f", r / 1e6}')
zmix() { # zmix TAG: allow/forbidden/not_found shares in %
	awk -v n="${R[$1.decisions]}" -v a="${R[$1.allow]}" -v f="${R[$1.forbidden]}" -v x="${R[$1.not_found]}" \
		-v o="${R[$1.other]}" 'BEGIN{printf "allow %.1f%%, forbidden %.1f%%, not_found %.1f%%, other %.1f%%", 100*a/n, 100*f/n, 100*x/n, 100*o/n}'
}
CD=$(ratio "${R[c.rate]}" "${R[d.rate]}")
C_FAIL=$((${R[c.s503]} + ${R[c.s4xx]} + ${R[c.sother]}))
C_MS=$(awk -v c="${R[c.srv_cpu]}" -v r="${R[c.rate]}" 'BEGIN{printf "%.1f", (r > 0 ? 10 * c / r : 0)}')
# The same ratios from CPU cost instead of throughput: what each request costs the
# process that serves it. Much less sensitive to other load on the machine.
US_A64=$(us_per_req a64); US_B64=$(us_per_req b64); US_A256=$(us_per_req a256); US_B256=$(us_per_req b256)
BA64_CPU=$(ratio "$US_A64" "$US_B64")
BA256_CPU=$(ratio "$US_A256" "$US_B256")
US_S64=$(us_per_req s64); US_S256=$(us_per_req s256)
SA64_CPU=$(ratio "$US_A64" "$US_S64")
SA256_CPU=$(ratio "$US_A256" "$US_S256")
CD_CPU=$(ratio "${R[d.cpu_ms]}" "$C_MS")
P99=${R[b64.p99_ms]}
START_MIB=$(mib "$RSS_START"); IDLE_MIB=$(mib "$RSS_IDLE"); AFTER_MIB=$(mib "$RSS_AFTER")
FOREIGN="${R[a64.other_cpu]}/${R[b64.other_cpu]}/${R[s64.other_cpu]}/${R[a256.other_cpu]}/${R[b256.other_cpu]}/${R[s256.other_cpu]}/${R[d1.other_cpu]}/${R[c.other_cpu]}/${R[d2.other_cpu]}/${R[f.other_cpu]}/${R[g.other_cpu]}/${R[d3.other_cpu]}"
FOREIGN_MAX=$(tr / '\n' <<<"$FOREIGN" | sort -n | tail -1)
NOISE=""
if [ "$FOREIGN_MAX" -gt 30 ]; then
	NOISE="other work on this machine took up to ${FOREIGN_MAX}% of a core during the runs: throughput figures are noisy; the CPU-cost ratios are steadier"
fi

{
	echo "# Strongroom bench $STAMP"
	echo
	echo '```'
	cat "$RAW/env.txt"
	echo '```'
	echo
	echo "## Figures against targets (reported, not asserted)"
	echo
	[ -z "$NOISE" ] || { echo "**Note:** $NOISE."; echo; }
	echo "| figure | value | target | verdict | same ratio from CPU cost per request |"
	echo "|---|---|---|---|---|"
	echo "| b/a at 64 connections (GET /v1/me req/s ÷ bare HTTPS req/s) | $BA64 | >= 0.5 | $(verdict "$BA64" '>=' 0.5) | $BA64_CPU ($US_A64 vs $US_B64 us) |"
	echo "| b/a at 256 connections | $BA256 | >= 0.5 | $(verdict "$BA256" '>=' 0.5) | $BA256_CPU ($US_A256 vs $US_B256 us) |"
	echo "| s/a at 64 connections (GET /v1/session req/s ÷ bare HTTPS req/s; session check with revocation) | $SA64 | >= 0.5 | $(verdict "$SA64" '>=' 0.5) | $SA64_CPU ($US_A64 vs $US_S64 us) |"
	echo "| s/a at 256 connections | $SA256 | >= 0.5 | $(verdict "$SA256" '>=' 0.5) | $SA256_CPU ($US_A256 vs $US_S256 us) |"
	echo "| c/d (201 sign-ins/s ÷ raw argon2id hashes/s, $WORKERS threads) | $CD | >= 0.9 | $(verdict "$CD" '>=' 0.9) | $CD_CPU (${R[d.cpu_ms]} vs $C_MS ms) |"
	for t in f g; do
		if [ $t = f ]; then what="flood filling the worker queue, $F_CONNS + $C_CONNS connections"; else what="flood overflowing the worker queue, $G_CONNS + $C_CONNS connections"; fi
		echo "| ($t) $what: (legit + flood argon2id runs/s) ÷ raw argon2id hashes/s | ${R[$t.ratio]} | >= 0.9 | $(verdict "${R[$t.ratio]}" '>=' 0.9) | ${R[$t.ratio_cpu]} (${R[df.cpu_ms]} vs ${R[$t.cpu_ms]} ms) |"
		echo "| ($t) legit sign-ins/s under the flood (÷ (c) without it) / legit share of the argon2id runs | ${R[$t.legit_rate]} (${R[$t.vs_c]}) / ${R[$t.share]} | (reported) | | |"
		echo "| ($t) p99 of legit sign-in answers under the flood | ${R[${t}_legit.p99_ms]} ms | (reported; a full queue is about $F_QBOUND ms of work) | | |"
	done
	echo "| (z) sr_authz_require decisions/s per core (10k actors, 1k channels) | $ZR_M M | >= 1.0 M | $(verdict "$ZR" '>=' 1000000) | |"
	echo "| (z) sr_authz_may_grant decisions/s per core | $ZG_M M | (reported) | | |"
	echo "| p99 of (b) at 64 connections | $P99 ms | < 5 ms | $(verdict "$P99" '<' 5) | |"
	echo "| idle RSS after start | $START_MIB MiB | <= 20 MiB | $(verdict "$RSS_START" '<=' 20480) | |"
	echo "| idle RSS after setup (1 account, 1 session, 2 hashes) | $IDLE_MIB MiB | <= 20 MiB | $(verdict "$RSS_IDLE" '<=' 20480) | |"
	echo "| idle RSS 3 s after all the load | $AFTER_MIB MiB | <= 20 MiB | $(verdict "$RSS_AFTER" '<=' 20480) | |"
	echo
	echo "## Runs"
	echo
	echo "CPU columns: % of one core over the run: the measured server process, wrk, irq+softirq"
	echo "(loopback TCP), and everything else on the machine (other people's builds and tests)."
	echo
	echo "| run | conns | req/s | p50 ms | p99 ms | requests | non-2xx | sock err | server CPU | wrk CPU | softirq | other CPU |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for n in a64 b64 s64 a256 b256 s256; do
		case ${n:0:1} in
		a) what="(a) bare HTTPS hello" ;;
		b) what="(b) GET /v1/me" ;;
		*) what="(s) GET /v1/session" ;;
		esac
		echo "| $what | ${n:1} | ${R[$n.rps]} | ${R[$n.p50_ms]} | ${R[$n.p99_ms]} | ${R[$n.requests]} | ${R[$n.non2xx]} | ${R[$n.sockerr]} | ${R[$n.srv_cpu]}% | ${R[$n.wrk_cpu]}% | ${R[$n.irq_cpu]}% | ${R[$n.other_cpu]}% |"
	done
	echo "| (c) POST /v1/session: ${R[c.s201]} × 201, ${R[c.s503]} × 503, ${R[c.s4xx]} × 4xx, ${R[c.sother]} other | $C_CONNS | ${R[c.rate]} (201s/s) | ${R[c.p50_ms]} | ${R[c.p99_ms]} | ${R[c.requests]} | $C_FAIL | ${R[c.sockerr]} | ${R[c.srv_cpu]}% | ${R[c.wrk_cpu]}% | ${R[c.irq_cpu]}% | ${R[c.other_cpu]}% |"
	for t in f g; do
		l=${t}_legit f=${t}_flood
		echo "| ($t) legit POST /v1/session under the flood: ${R[$l.s201]} × 201, ${R[$l.s503]} × 503, ${R[$l.s4xx]} × 4xx, ${R[$l.sother]} other | $C_CONNS | ${R[$t.legit_rate]} (201s/s) | ${R[$l.p50_ms]} | ${R[$l.p99_ms]} | ${R[$l.requests]} | $((${R[$l.s503]} + ${R[$l.s4xx]} + ${R[$l.sother]})) | ${R[$l.sockerr]} | ${R[$t.srv_cpu]}% (both) | ${R[$t.wrk_cpu]}% (both) | ${R[$t.irq_cpu]}% | ${R[$t.other_cpu]}% |"
		echo "| ($t) flood POST /v1/session, wrong passwords: ${R[$f.s401]} × 401, ${R[$f.s429]} × 429, ${R[$f.s503]} × 503, ${R[$f.s201]} × 201, ${R[$f.s4xx]} × other 4xx, ${R[$f.sother]} other | ${R[$t.conns]} | ${R[$t.flood_rate]} (401s/s) | ${R[$f.p50_ms]} | ${R[$f.p99_ms]} | ${R[$f.requests]} | ${R[$f.requests]} | ${R[$f.sockerr]} | | | | |"
	done
	echo
	echo "(d) raw argon2id (crypto_pwhash_str, opslimit 2, memlimit 19 MiB) on $WORKERS threads, run" \
		"${HASH_SECS} s before and ${HASH_SECS} s after (c): ${R[d1.rate]} and ${R[d2.rate]} hashes/s," \
		"together **${R[d.rate]} hashes/s** (${R[d.hashes]} in ${R[d.seconds]} s), ${R[d.cpu_ms]} ms CPU per hash;" \
		"other CPU ${R[d1.other_cpu]}% / ${R[d2.other_cpu]}%."
	echo
	echo "Server CPU per request: (a) $US_A64 / $US_A256 us, (b) $US_B64 / $US_B256 us and (s) $US_S64 / $US_S256 us at 64 / 256 connections;" \
		"(c) $C_MS ms per sign-in; (f) ${R[f.cpu_ms]} and (g) ${R[g.cpu_ms]} ms per argon2id run (legit and flood)."
	echo
	echo "Server threads: $THR_START after start, $THR_AFTER after load. Server RSS right after (b):" \
		"$(mib "${R[b.rss_max]}") MiB. For comparison, bare_https RSS: $(mib "$BARE_RSS_START") MiB idle," \
		"$(mib "$BARE_RSS_AFTER") MiB idle after its load. The server wrote $LOG_LINES log lines (tail kept in server-tail.log)."
	echo
	echo "## (f), (g) Sign-in under a wrong-password flood on other users (issue 4)"
	echo
	echo "Set-up: a second account with $VICTIMS users (${VICTIM_PREFIX}0 … ${VICTIM_PREFIX}$((VICTIMS - 1)), bench/victims.py)." \
		"For $DUR each, two wrk run at once against the same server: the flood, sending createSession with WRONG" \
		"passwords round-robin over the victims (bench/lua/flood.lua), and the legitimate driver of (c), $C_CONNS" \
		"connections signing the bench user in with the correct password. (f): $F_CONNS flood connections, so that" \
		"with the legit ones exactly $((F_CONNS + C_CONNS)) requests are in flight: the worker queue ($WORKER_QUEUE) stays full" \
		"and never overflows. (g): $G_CONNS flood connections: the queue overflows and the server answers 503 busy;" \
		"wrk sends the next request as soon as an answer arrives, so a 503 comes back to the server at once."
	echo
	echo "Configuration: all requests come from 127.0.0.1, so the bench data dir raises" \
		"\`[signin] bucket_burst = 1000000\` and \`bucket_per_s = 1000000\`: with the default per-address bucket a" \
		"single-address benchmark would be answered 429 before any hashing (in production the bucket is what throttles a" \
		"single-address flood; here it is switched off so that the flood loads the worker pool)." \
		"\`[server] worker_threads = $WORKERS\`, \`worker_queue = $WORKER_QUEUE\` (the default)."
	echo
	echo "The victims lock after lockout_threshold (default 3) failures; by design a locked victim's attempt" \
		"still costs one argon2id run and gets the same 401, so every flood 401 is one hash and the flood" \
		"costs CPU for its whole length. 429 (bucket) and 503 (worker queue full) cost no hash." \
		"Raw argon2id on $WORKERS threads just before (d2) and after (d3): ${R[d2.rate]} and ${R[d3.rate]}, together" \
		"**${R[df.rate]}/s** (${R[df.cpu_ms]} ms CPU per hash) — the baseline of both ratios."
	echo
	echo "| | (f) flood fills the queue | (g) flood overflows the queue |"
	echo "|---|---|---|"
	echo "| flood connections / legit connections | ${R[f.conns]} / $C_CONNS | ${R[g.conns]} / $C_CONNS |"
	echo "| legit sign-ins (201) per s (without a flood, (c): ${R[c.rate]}) | **${R[f.legit_rate]}** | **${R[g.legit_rate]}** |"
	echo "| legit answers 503 | ${R[f_legit.s503]} | ${R[g_legit.s503]} |"
	echo "| legit answers p50 / **p99** ms (all answers, 201 and 503) | ${R[f_legit.p50_ms]} / **${R[f_legit.p99_ms]}** | ${R[g_legit.p50_ms]} / **${R[g_legit.p99_ms]}** |"
	echo "| flood 401 (one argon2id run each) / 429 / 503 | ${R[f_flood.s401]} / ${R[f_flood.s429]} / ${R[f_flood.s503]} | ${R[g_flood.s401]} / ${R[g_flood.s429]} / ${R[g_flood.s503]} |"
	echo "| 503 answers per s (flood + legit) | ${R[f.s503_rate]} | ${R[g.s503_rate]} |"
	echo "| all argon2id runs per s (legit + flood) | **${R[f.hash_rate]}** | **${R[g.hash_rate]}** |"
	echo "| ratio to raw argon2id (target >= 0.9) | **${R[f.ratio]}** | **${R[g.ratio]}** |"
	echo "| server CPU per argon2id run (ms) and the ratio from CPU cost | ${R[f.cpu_ms]} → ${R[f.ratio_cpu]} | ${R[g.cpu_ms]} → ${R[g.ratio_cpu]} |"
	echo "| legit share of the argon2id runs (its share of the connections) | ${R[f.share]} ($(ratio "$C_CONNS" $((C_CONNS + F_CONNS)))) | ${R[g.share]} ($(ratio "$C_CONNS" $((C_CONNS + G_CONNS)))) |"
	echo "| CPU: server / wrk (both) / softirq / other | ${R[f.srv_cpu]}% / ${R[f.wrk_cpu]}% / ${R[f.irq_cpu]}% / ${R[f.other_cpu]}% | ${R[g.srv_cpu]}% / ${R[g.wrk_cpu]}% / ${R[g.irq_cpu]}% / ${R[g.other_cpu]}% |"
	echo
	echo "What the target means with a pool of $WORKERS workers: the pool is shared by everyone who signs in," \
		"so a flood on other users necessarily takes a share of it — about its share of the requests that" \
		"reach the queue (FIFO, no per-user priority), and the legit rate falls to about its share." \
		"What the server must keep is (1) useful throughput: the $WORKERS workers keep hashing at ≥ 0.9 × the raw" \
		"argon2id rate of $WORKERS threads, i.e. the flood's extra work (TLS, JSON, the lockout reservation and audit" \
		"writes, 503 answers) and the queue do not eat into the hashing; and (2) bounded latency: once" \
		"$WORKER_QUEUE requests wait, more are answered 503 busy at once instead of queueing, so a legit sign-in waits" \
		"about ($WORKER_QUEUE + $WORKERS) / ${R[df.rate]} s ≈ $F_QBOUND ms at the raw rate (more while the hash rate dips) plus its own hash," \
		"however large the flood. Keeping an attacker's share small is the job of the per-address bucket" \
		"(switched off here) and the lockout, not of the pool. On this 2-core machine the load generator, the" \
		"server's event loop and the $WORKERS workers share the same cores, so every 503 the server answers and wrk" \
		"re-sends is CPU the workers do not get: (g) shows what an overflowing flood costs here."
	echo
	echo "## (z) In-process authorization decisions (issue 5)"
	echo
	echo "bench/authz_rate.c, linked against the release build's libstrongroom.a, one thread, no server running." \
		"Population: $AUTHZ_POP (100 customer accounts × 10 channels, plus the platform account)." \
		"Random actors, random actions (every enum sr_action) and random scopes: own account, a channel the actor" \
		"is bound to, a sibling channel, another account (or one of its channels), and for user-targeted actions" \
		"the actor itself or someone else; 64k pre-drawn requests cycled."
	echo
	echo "| function | decisions/s per core (thread CPU) | per wall second | ns per decision | decisions | mix |"
	echo "|---|---|---|---|---|---|"
	echo "| sr_authz_require(actor, action, scope) | **$ZR** | ${R[zr.rate]} | ${R[zr.ns]} | ${R[zr.decisions]} | $(zmix zr) |"
	echo "| sr_authz_may_grant(actor, role, scope) | **$ZG** | ${R[zg.rate]} | ${R[zg.ns]} | ${R[zg.decisions]} | $(zmix zg) |"
	if [ -s "$RAW/perf-top.txt" ]; then
		echo
		echo "## perf: strongroom under GET /v1/me, 64 connections"
		echo
		echo '```'
		echo "self time by library:"
		cat "$RAW/perf-dso.txt"
		echo
		echo "inclusive time (children) by function:"
		cat "$RAW/perf-top.txt"
		echo '```'
	fi
	echo
	echo "Raw output: bench/results/$STAMP/"
} >"$REPORT"

row() { printf '%-46s %14s %8s %-7s %s\n' "$@"; }
printf '\n'
row "figure" "value" "target" "verdict" "from CPU cost"
row "b/a @64  (${R[b64.rps]} / ${R[a64.rps]} req/s)" "$BA64" ">= 0.5" "$(verdict "$BA64" '>=' 0.5)" "$BA64_CPU"
row "b/a @256 (${R[b256.rps]} / ${R[a256.rps]} req/s)" "$BA256" ">= 0.5" "$(verdict "$BA256" '>=' 0.5)" "$BA256_CPU"
row "s/a @64  (${R[s64.rps]} / ${R[a64.rps]} req/s)" "$SA64" ">= 0.5" "$(verdict "$SA64" '>=' 0.5)" "$SA64_CPU"
row "s/a @256 (${R[s256.rps]} / ${R[a256.rps]} req/s)" "$SA256" ">= 0.5" "$(verdict "$SA256" '>=' 0.5)" "$SA256_CPU"
row "c/d (${R[c.rate]} / ${R[d.rate]} per s)" "$CD" ">= 0.9" "$(verdict "$CD" '>=' 0.9)" "$CD_CPU"
for t in f g; do
	row "($t) flood hashes/d (${R[$t.hash_rate]} / ${R[df.rate]} per s)" "${R[$t.ratio]}" ">= 0.9" "$(verdict "${R[$t.ratio]}" '>=' 0.9)" "${R[$t.ratio_cpu]}"
	row "($t) legit 201s/s under flood, share" "${R[$t.legit_rate]}, ${R[$t.share]}" "" "" ""
	row "($t) flood c=${R[$t.conns]}: 401/429/503" "${R[${t}_flood.s401]}/${R[${t}_flood.s429]}/${R[${t}_flood.s503]}" "" "" ""
	row "($t) p99 legit sign-in answers (ms)" "${R[${t}_legit.p99_ms]}" "(~$F_QBOUND)" "" ""
done
row "authz require / may_grant (M/s per core)" "$ZR_M / $ZG_M" ">= 1.0" "$(verdict "$ZR" '>=' 1000000)" ""
row "p99 GET /v1/me @64 (ms)" "$P99" "< 5" "$(verdict "$P99" '<' 5)" ""
row "idle RSS after start (MiB)" "$START_MIB" "<= 20" "$(verdict "$RSS_START" '<=' 20480)" ""
row "idle RSS after load (MiB)" "$AFTER_MIB" "<= 20" "$(verdict "$RSS_AFTER" '<=' 20480)" ""
row "server CPU/request a/b @64 (us)" "$US_A64/$US_B64" "" "" ""
row "server CPU/request a/b @256 (us)" "$US_A256/$US_B256" "" "" ""
row "server CPU/sign-in vs argon2 CPU/hash (ms)" "$C_MS/${R[d.cpu_ms]}" "" "" ""
row "bare_https idle RSS before/after load (MiB)" "$(mib "$BARE_RSS_START")/$(mib "$BARE_RSS_AFTER")" "" "" ""
row "foreign CPU a,b,s@64/a,b,s@256/d1/c/d2/f/g/d3 (%)" "$FOREIGN" "" "" ""
[ -z "$NOISE" ] || printf 'note: %s\n' "$NOISE"
printf '\nreport: %s\n' "$REPORT"
