#!/usr/bin/env bash
# TLS scan (issue 6, DATA-1): starts a real `strongroom serve` on a fresh data
# dir (HTTPS port plus the optional plain port), runs testssl (the 18 s
# subset: protocols, cipher categories, forward secrecy, server preference,
# renegotiation, HTTP headers, plus CRIME/compression) and sslscan against it,
# probes the plain port, and lets tls_evaluate.py decide:
#   only TLS 1.2 and 1.3; AEAD suites only, no CBC; forward secrecy for every
#   suite; HSTS max-age >= 31536000 on every HTTPS answer; no TLS compression;
#   secure renegotiation, no client-initiated renegotiation; the plain port
#   never answers data (health/API → 400 https_required, any Cookie or
#   Authorization → 400, GET / → 308 to https://). Self-signed-certificate
#   and trust warnings are ignored.
# Result: build/security/tls_scan.json; exit 1 on any finding.
#
# Usage: tests/security/tls_scan.sh                 # scan a fresh server
#        tests/security/tls_scan.sh --target H:P    # scan any TLS server (no plain-port checks;
#                                                   # proves the check goes red on a weak server)
# Environment: STRONGROOM_BIN (default build/strongroom), SR_SECURITY_OUT (build/security).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
BIN=${STRONGROOM_BIN:-$root/build/strongroom}
OUT=${SR_SECURITY_OUT:-$root/build/security}
target=""
if [ "${1:-}" = "--target" ]; then target=${2:?--target HOST:PORT}; fi

for t in testssl sslscan curl python3; do
        command -v "$t" >/dev/null || { echo "tls_scan: $t is missing (apt-get install -y testssl.sh sslscan curl)" >&2; exit 2; }
done
mkdir -p "$OUT"
work=$(mktemp -d /tmp/sr-tls.XXXXXX)
srv_pid=""
cleanup() {
        if [ -n "$srv_pid" ] && kill -0 "$srv_pid" 2>/dev/null; then
                kill -TERM "$srv_pid" 2>/dev/null || true
                for _ in $(seq 50); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$srv_pid" 2>/dev/null || true
        fi
        if [ -n "${STRONGROOM_KEEP_DATA:-}" ]; then echo "tls_scan: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
started=$(date +%s)

if [ -z "$target" ]; then
        [ -x "$BIN" ] || { echo "tls_scan: no binary at $BIN (ninja -C build)" >&2; exit 2; }
        port=$(free_port)
        plain=$(free_port)
        while [ "$plain" = "$port" ]; do plain=$(free_port); done
        "$BIN" init --data-dir "$work/data" --json >"$work/init.out" 2>"$work/init.err" ||
                { echo "tls_scan: strongroom init failed:" >&2; cat "$work/init.err" >&2; exit 2; }
        cat >>"$work/data/strongroom.conf" <<EOF

# added by tests/security/tls_scan.sh
[server]
public_url = https://localhost:$port
plain_listen = 127.0.0.1:$plain
EOF
        "$BIN" serve --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/serve.out" 2>"$work/serve.log" &
        srv_pid=$!
        ca="$work/data/tls/cert.pem"
        up=0
        for _ in $(seq 200); do
                if curl -s --max-time 2 --cacert "$ca" "https://localhost:$port/v1/health" --resolve "localhost:$port:127.0.0.1" 2>/dev/null | grep -q '"ok"'; then up=1; break; fi
                kill -0 "$srv_pid" 2>/dev/null || break
                sleep 0.1
        done
        [ "$up" = 1 ] || { echo "tls_scan: server did not come up" >&2; cat "$work/serve.log" >&2; exit 2; }
        host=localhost
else
        host=${target%:*}
        port=${target##*:}
        plain=""
        ca=""
fi

# --- testssl: the 18 s subset of TOOLING.md §4 plus -C (CRIME = TLS compression)
t0=$(date +%s.%N)
set +e
timeout --kill-after=10 150 testssl --color 0 --warnings off --quiet -p -s -f -P -R -h -C \
        --ip 127.0.0.1 --jsonfile "$work/testssl.json" "https://$host:$port/" >"$work/testssl.txt" 2>&1
testssl_rc=$?
t1=$(date +%s.%N)
# --- sslscan
timeout --kill-after=5 60 sslscan --no-colour --xml="$work/sslscan.xml" "$host:$port" >"$work/sslscan.txt" 2>&1
sslscan_rc=$?
t2=$(date +%s.%N)
set -e

# --- our own client-initiated renegotiation probe (TLS 1.2): "R", then a
# request on the same connection. A server that refuses renegotiation closes
# the connection; one that accepts it completes a second handshake and then
# answers. A control run without "R" must be answered, else the probe is void.
# (testssl 3.0.8's 4-try check reads s_client's exit code only and races with
# the server's close, so it sometimes says VULNERABLE for a server that closes.)
reneg() { # file, with_R
        local p=/v1/health
        [ -n "$target" ] && p=/
        (sleep 0.3; [ "$2" = 1 ] && echo R; sleep 1
         printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$p"; sleep 1.5) |
                timeout 15 openssl s_client -connect "127.0.0.1:$port" -servername "$host" -tls1_2 >"$1" 2>&1 || true
}
pids=()
reneg "$work/reneg_control.txt" 0 &
pids+=($!)
for i in 1 2 3; do
        reneg "$work/reneg_$i.txt" 1 &
        pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the server is a child too

# --- HSTS and headers on several HTTPS answers (success, 401, 404, the web app)
hdr_args=(-s -o /dev/null -D - --max-time 10 --resolve "$host:$port:127.0.0.1")
if [ -n "$ca" ]; then hdr_args+=(--cacert "$ca"); else hdr_args+=(-k); fi
: >"$work/https_headers.txt"
for p in /v1/health /v1/me / /openapi.json /no-such-path; do
        echo "### GET $p" >>"$work/https_headers.txt"
        curl "${hdr_args[@]}" "https://$host:$port$p" >>"$work/https_headers.txt" 2>&1 || echo "curl failed" >>"$work/https_headers.txt"
done

# --- plain port: never answers data
if [ -n "$plain" ]; then
        probe() { # name, curl args...
                local name=$1
                shift
                local f="$work/plain_$name"
                local code
                code=$(curl -s -o "$f.body" -D "$f.head" -w '%{http_code}' --max-time 10 "$@" || echo 000)
                printf '%s\t%s\t%s\n' "$name" "$code" "$f" >>"$work/plain.tsv"
        }
        : >"$work/plain.tsv"
        u="http://127.0.0.1:$plain"
        probe health "$u/v1/health"
        probe health_cookie -H 'Cookie: __Host-sr_session=x' "$u/v1/health"
        probe root "$u/"
        probe root_cookie -H 'Cookie: __Host-sr_session=x' "$u/"
        probe root_bearer -H 'Authorization: Bearer x' "$u/"
        probe openapi "$u/openapi.json"
        probe me_bearer -H 'Authorization: Bearer x' "$u/v1/me"
        probe signin -X POST -H 'Content-Type: application/json' \
                --data '{"account":"platform","identifier":"operator","password":"x"}' "$u/v1/session"
        probe reset_page "$u/reset"
fi

# --- the server survived the scanners
alive=external
if [ -z "$target" ]; then
        alive=dead
        if kill -0 "$srv_pid" 2>/dev/null &&
                curl -s --max-time 5 --cacert "$ca" --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/v1/health" | grep -q '"ok"'; then
                alive=ok
        fi
fi

versions=$(
        printf 'testssl=%s\n' "$(testssl --version 2>/dev/null | grep -oE 'testssl +[0-9][^ ]*' | head -1 | awk '{print $2}')"
        printf 'sslscan=%s\n' "$(sslscan --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)"
        printf 'openssl=%s\n' "$(openssl version 2>/dev/null | awk '{print $2}')"
        printf 'curl=%s\n' "$(curl --version | head -1 | awk '{print $2}')"
        if [ -z "$target" ]; then printf 'strongroom=%s\n' "$("$BIN" --version 2>/dev/null | head -1 | sed 's/^strongroom //')"; fi
)

python3 "$root/tests/security/tls_evaluate.py" \
        --work "$work" --out "$OUT/tls_scan.json" --host "$host" --port "$port" \
        --plain "${plain:-}" --testssl-rc "$testssl_rc" --sslscan-rc "$sslscan_rc" \
        --testssl-seconds "$(python3 -c "print(round($t1-$t0, 2))")" \
        --sslscan-seconds "$(python3 -c "print(round($t2-$t1, 2))")" \
        --total-seconds "$(($(date +%s) - started))" --alive "$alive" \
        --versions "$versions" ${target:+--external}
