# Strongroom — the two commands:
#   make run     install dependencies, build, initialise ./data, serve https://127.0.0.1:8443
#   make check   install test dependencies, build with ASan+UBSan, run every suite
#
# Everything else here is a helper for those two.

SHELL      := /bin/bash
DATA       ?= ./data
LISTEN     ?= 127.0.0.1:8443
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_BUILD  := meson ninja-build pkg-config gcc clang libclang-rt-14-dev libmicrohttpd-dev \
              libsodium-dev libsqlite3-dev libjansson-dev libcurl4-openssl-dev libcmocka-dev \
              libzxcvbn-dev libpwquality-dev cracklib-runtime libinih-dev liboath-dev libpq-dev \
              libgnutls28-dev libcrypt-dev libunistring-dev gnutls-bin openssl curl ca-certificates \
              python3 git
APT_TEST   := python3-aiosmtpd sqlite3 procps testssl.sh sslscan sqlmap postgresql-15 postgresql-client-15
# node 18 (plain Debian 12) has no --test-concurrency; node 20 does.
NODE_TEST_FLAGS = $(shell node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null && echo --test-concurrency=2)

.PHONY: run check check-security check-pg deps deps-test build build-check unit e2e fuzz coverage clean

deps:
	@missing=$$(for p in $(APT_BUILD); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

deps-test: deps
	@missing=$$(for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing="$$missing nodejs npm"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi
	npm ci --no-audit --no-fund --loglevel=error

build: deps
	@[ -d build-release ] || meson setup build-release --buildtype=release -Dwerror=true >/dev/null
	ninja -C build-release

build-check: deps
	@[ -d build ] || meson setup build -Db_sanitize=address,undefined >/dev/null
	ninja -C build

run: build
	@if [ ! -e "$(DATA)/keys/master.key" ]; then \
	  ./build-release/strongroom init --data-dir "$(DATA)"; \
	else echo "Using the existing data directory $(DATA)."; fi
	@echo "Open https://$(LISTEN)/ (self-signed certificate: $(DATA)/tls/cert.pem). Ctrl-C stops."
	./build-release/strongroom serve --data-dir "$(DATA)" --listen "$(LISTEN)"

unit: build-check
	CMOCKA_MESSAGE_OUTPUT=stdout meson test -C build --print-errorlogs -v 2>&1 | \
	  grep -E '^\[ *(PASSED|FAILED|  OK|  FAILED|==========) *\]|^(Ok|Fail|Timeout|Expected Fail|Unexpected Pass|Skipped):' ; \
	  exit $${PIPESTATUS[0]}

e2e: build-check deps-test
	STRONGROOM_BIN=$(CURDIR)/build/strongroom node --test $(NODE_TEST_FLAGS) tests/e2e/*.test.mjs 2>&1 | \
	  tee build/e2e.log | grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)|^not ok' ; \
	  exit $${PIPESTATUS[0]}

# The same end-to-end suite with the server on the PostgreSQL driver: a
# throwaway PostgreSQL 15 (tests/support/pg.sh), a fresh database per server.
check-pg: build-check deps-test
	@echo "== e2e on PostgreSQL"; pgdir=$$(mktemp -d /tmp/sr-pg.XXXXXX); \
	conn=$$(tests/support/pg.sh start $$pgdir) || { tests/support/pg.sh stop $$pgdir; exit 1; }; \
	STRONGROOM_TEST_PG="$$conn" STRONGROOM_TEST_PG_DATA=$$pgdir/data STRONGROOM_BIN=$(CURDIR)/build/strongroom \
	  node --test $(NODE_TEST_FLAGS) tests/e2e/*.test.mjs 2>&1 | \
	  tee build/e2e-pg.log | grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)|^not ok'; \
	st=$${PIPESTATUS[0]}; tests/support/pg.sh stop $$pgdir; exit $$st

coverage:
	python3 tools/claims_coverage.py

fuzz: deps
	fuzz/run-ci.sh

# Security harness (issue 6): each check writes build/security/<check>.json;
# tools/security_report.py turns them into docs/security-report.md. Every
# check runs even when an earlier one fails, then the target fails if any did.
SECURITY_CHECKS = \
	"python3 tests/security/sql_constant_check.py --self-test" \
	"tests/security/tls_scan.sh" \
	"tests/security/sqlmap_ci.sh" \
	"env SR_SECURITY_OUT=$(CURDIR)/build/security STRONGROOM_BIN=$(CURDIR)/build/strongroom node --test tests/e2e/hostile_input.test.mjs" \
	"tests/security/hygiene_scan.sh"

check-security: build-check deps-test
	@mkdir -p build/security; rm -f build/security/log-*.txt; failed=""; i=0; since=$$(date +%s); \
	for c in $(SECURITY_CHECKS) $$(ls tests/security/durability_*.sh tests/security/limits_*.sh 2>/dev/null); do \
	  i=$$((i + 1)); log=build/security/log-$$i.txt; start=$$(date +%s); echo "== $$c"; \
	  if bash -c "$$c" >"$$log" 2>&1; then st=ok; else st=FAILED; failed="$$failed $$c"; fi; \
	  tail -n 6 "$$log" | sed 's/^/   /'; echo "   $$st ($$(( $$(date +%s) - start )) s, log $$log)"; \
	done; \
	for s in durability limits; do ls tests/security/$${s}_*.sh >/dev/null 2>&1 || \
	  echo "== note: no tests/security/$${s}_*.sh yet: skipped"; done; \
	python3 tools/security_report.py --since $$since; \
	if [ -n "$$failed" ]; then echo "check-security FAILED:$$failed"; exit 1; fi

check: deps-test build-check
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory check-pg
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory check-security
	python3 tools/check_openapi.py >/dev/null
	python3 tools/claims_coverage.py --check

clean:
	rm -rf build build-release
