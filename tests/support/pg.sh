#!/usr/bin/env bash
# tests/support/pg.sh start|stop DIR - a throwaway PostgreSQL 15 on
# 127.0.0.1:55432 for the PostgreSQL store tests (make check-pg). Data in
# DIR (outside /root: initdb runs as the postgres user). fsync is off: this
# instance proves the driver's behaviour, not the disk's durability.
# Prints the maintenance conninfo for STRONGROOM_TEST_PG on start.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PORT=${PGPORT_TEST:-55432}
cmd=${1:?start|stop}
dir=${2:?data directory}
# From /: the postgres user cannot enter a checkout under /root.
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_pg "$PGBIN/initdb" -D "$dir/data" -U strongroom --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 -o "-c listen_addresses=127.0.0.1 \
    -p $PORT -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
    -c max_connections=500" start >/dev/null
  echo "host=127.0.0.1 port=$PORT user=strongroom dbname=postgres"
  ;;
stop)
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
