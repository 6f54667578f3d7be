#!/bin/sh
# The README's two commands, for a machine that may not even have make yet:
#   ./dev.sh run     install dependencies, build, initialise ./data, serve HTTPS
#   ./dev.sh check   install test dependencies, build with ASan+UBSan, run every suite
set -eu
cd "$(dirname "$0")"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
need=""
for p in make git ca-certificates; do
        dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
        $SUDO apt-get update -q
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $need
fi
case "${1:-}" in
run) exec make run ;;
check) exec make check ;;
*) echo "usage: ./dev.sh run|check" >&2; exit 2 ;;
esac
