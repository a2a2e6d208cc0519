# QS Academy — `make run` serves the demo, `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast lint check-content translations browser-deps bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt requirements-ldap.txt | browser-deps
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

instance/secret_key: | $(VENV)/.runtime
	mkdir -m 700 -p instance
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@

translations: $(VENV)/.runtime
	$(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling" || true

run: $(VENV)/.runtime instance/secret_key translations
	$(BIN)/flask db upgrade
	$(BIN)/flask content sync
	$(BIN)/flask seed demo --if-empty
	# the demo's HR and admin accounts sign in with the shared demo password alone; a real site keeps
	# TWO_FACTOR_ROLES at its default (admin, hr): see docs/identity.md
	FLASK_TWO_FACTOR_ROLES='[]' $(BIN)/flask run --host $(HOST) --port $(PORT)

# Chromium and a CJK font for the browser tests, LibreOffice to check XLSX exports, redis-server for the live-final
# tests and slapd for the directory tests (each run starts its own on a free port), and the OpenLDAP headers
# python-ldap builds against; installed from Debian's packages when missing.
TEST_PACKAGES := chromium fonts-wqy-microhei poppler-utils libreoffice-calc-nogui redis-server slapd libldap2-dev libsasl2-dev
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/libreoffice ] || [ ! -x /usr/bin/redis-server ] || [ ! -x /usr/sbin/slapd ] || [ ! -f /usr/include/ldap.h ] || [ ! -f /usr/include/sasl/sasl.h ] || ! command -v pdftoppm >/dev/null || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; \
	  else echo "The tests need Debian packages: sudo apt-get install $(TEST_PACKAGES)"; exit 1; fi; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check academy tests bench tools app.py gunicorn.conf.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite runs twice: on in-memory SQLite, then on PostgreSQL when TEST_DATABASE_URL names a database.
# The SQLite run still gets the server (TEST_POSTGRES_URL) for the tests that make scratch databases.
# Each xdist worker has its own database; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS)

# A real OpenID Connect provider (oidc-provider on Node.js) for the single sign-on tests
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
	touch $@

# axe-core, the accessibility rules the browser tests inject into learner pages (tests only, never served)
tests/axe/node_modules/.installed: tests/axe/package.json tests/axe/package-lock.json
	npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
	touch $@

test: browser-deps $(VENV)/.dev translations tests/oidc/node_modules/.installed tests/axe/node_modules/.installed lint
	@echo "== on SQLite"
	env -u TEST_DATABASE_URL TEST_POSTGRES_URL="$$TEST_DATABASE_URL" $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== on PostgreSQL"; $(PYTEST); \
	else echo "== PostgreSQL run left out: set TEST_DATABASE_URL=postgresql://user@host/db to run it"; fi

# The quick loop while working: no browser, LibreOffice or server processes.
test-fast: $(VENV)/.dev translations
	$(PYTEST) -m "not slow"

check-content: $(VENV)/.runtime
	$(BIN)/python -m academy.content

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
