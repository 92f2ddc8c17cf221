# One entry point for every command. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# Debian packages the tests need; installed when missing and we are root.
DEBIAN_PACKAGES := chromium tesseract-ocr tesseract-ocr-swe poppler-utils fonts-noto-core

.PHONY: run test setup lint typecheck test-unit test-http test-browser test-postgres i18n i18n-check system-deps node-deps clean help load ramp

help:
	@echo "make run     start the portal on http://127.0.0.1:$(PORT) with demo data"
	@echo "make test    install what is missing, then lint, type-check and run every test"
	@echo "make i18n    extract messages and update all catalogs"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/portal migrate
	$(BIN)/portal seed-demo
	@# Three households as a case system would send them (idempotent: unchanged the next time).
	$(BIN)/portal households import docs/households-example.csv
	@# The document reader (a huey worker on SQLite) runs beside the web server.
	$(BIN)/portal worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	  $(BIN)/portal serve --port $(PORT)

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing (run as root or install them)"; exit 1; fi; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-deps: node_modules/axe-core/axe.min.js

lint: setup
	$(BIN)/ruff format --check portal intake tests bench
	$(BIN)/ruff check portal intake tests bench

typecheck: setup
	$(BIN)/mypy

i18n: setup
	$(BIN)/python -m portal.i18n_tools update

i18n-check: setup
	$(BIN)/python -m portal.i18n_tools check

test-unit: setup
	$(BIN)/pytest tests/unit

test-http: setup
	$(BIN)/pytest tests/http

test-browser: setup system-deps node-deps
	$(BIN)/pytest tests/browser

# The database-touching tests again, on PostgreSQL: PORTAL_TEST_DATABASE_URL, or the local
# server's database `test` when it answers (as on CI).
LOCAL_TEST_DB := postgresql://postgres@127.0.0.1:5432/test
test-postgres: setup
	@url="$$PORTAL_TEST_DATABASE_URL"; \
	if [ -z "$$url" ] && $(BIN)/python -c "import psycopg; psycopg.connect('$(LOCAL_TEST_DB)', connect_timeout=3).close()" 2>/dev/null; then \
	  url="$(LOCAL_TEST_DB)"; fi; \
	if [ -n "$$url" ]; then \
	  echo "PostgreSQL for tests: $$url"; \
	  PORTAL_TEST_DATABASE_URL="$$url" PORTAL_TEST_BACKEND=postgresql $(BIN)/pytest -m db; \
	else echo "No PostgreSQL (PORTAL_TEST_DATABASE_URL unset, $(LOCAL_TEST_DB) not answering): PostgreSQL run skipped."; fi

# Browser tests run on their own: Playwright keeps an event loop running in the main thread.
test: setup system-deps node-deps lint typecheck
	$(BIN)/pytest tests/unit tests/http
	$(BIN)/pytest tests/browser
	$(MAKE) --no-print-directory test-postgres

# The month-end rush (a benchmark, not a test): locust against `portal serve --workers 4` on
# PostgreSQL and Redis, beside a minimal FastAPI endpoint. LOAD_ARGS="--users 50 --think 2,6".
load: setup
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet locust
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

# Concurrency ramp 10 -> 2000 (issue 13, F1): portal serve --workers 2 on SQLite and on
# PostgreSQL (RAMP_DATABASE_URL, default the local `test` database, a schema of its own),
# anonymous and signed-in pages beside a minimal endpoint. RAMP_ARGS="--steps 10,100 --seconds 2".
ramp: setup
	$(BIN)/python bench/ramp.py $(RAMP_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
