# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS_HASH := $(shell sha1sum pyproject.toml | cut -c1-10)
RUNTIME_STAMP := $(VENV)/.runtime-$(DEPS_HASH)
DEV_STAMP := $(VENV)/.dev-$(DEPS_HASH)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST := $(BIN)/pytest -p no:cacheprovider

.PHONY: demo demo-idp test install install-dev lint test-sqlite test-postgres test-e2e serve clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "rucher needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

## make demo: SQLite under ./var, the demo organisation, the server on http://127.0.0.1:8000
demo: install
	$(BIN)/rucher demo

## make demo-idp: a local OpenID Connect provider for the demo (docs/sso.md, "The demo")
DEMO_IDP_PORT ?= 8001
demo-idp: install-dev
	$(BIN)/python tests/identity/oidc_provider.py --demo --port $(DEMO_IDP_PORT) \
		--data-dir var/demo-idp --client-id rucher-demo --client-secret demo-idp-secret \
		--redirect-uri $${RUCHER_BASE_URL:-http://127.0.0.1:8000}/sso/oidc/callback/

serve: install
	$(BIN)/rucher serve

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## make test: lint, the whole suite on SQLite (unit, web, browser), then on PostgreSQL
test: lint test-sqlite test-postgres

test-sqlite: install-dev
	RUCHER_DATA_DIR=$(CURDIR)/var/test-sqlite $(PYTEST) -q -n 2 --dist loadgroup

# The database-backed part of the suite again, on a throwaway PostgreSQL database.
# Under CI=true an unreachable server fails the run (tests/conftest.py); elsewhere it is
# skipped with a message so that a laptop without PostgreSQL can still run `make test`.
test-postgres: install-dev
	@if [ "$$CI" != "true" ] && ! $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL not reachable at $(PG_URL): PostgreSQL suite skipped (it runs under CI)"; \
	else \
		DATABASE_URL=$(PG_URL) RUCHER_TEST_DB_SUFFIX=_$$$$ RUCHER_DATA_DIR=$(CURDIR)/var/test-postgres \
		$(PYTEST) -q -n 2 --dist loadgroup -m "not e2e and not dataset" \
			--ignore=tests/insights --ignore=tests/e2e; \
	fi

clean:
	rm -rf var/test-sqlite var/test-postgres
