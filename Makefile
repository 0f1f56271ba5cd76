# Fengling set-up. `make demo` runs the product; `make test` runs the whole suite; `make check`
# runs CI's other checks (migrations complete, lint, the Chinese catalogue).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FENGLING := $(BIN)/fengling
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test check install install-test assets env catalogue lint check-i18n check-migrations

## demo: install into .venv/, migrate, seed a small demo district, print accounts, serve.
demo: install assets env catalogue
	$(FENGLING) migrate --noinput
	$(FENGLING) collectstatic --noinput -v0
	$(FENGLING) seed --scale small --if-empty
	$(FENGLING) credit_index --year-to-date
	$(FENGLING) scan_alerts
	$(FENGLING) demo_accounts
	$(FENGLING) runserver $(HOST):$(PORT)

## test: install the test dependencies and run the whole suite (in parallel). It writes the
## .env too (kept if it exists), so that `.venv/bin/fengling` commands work afterwards.
test: install-test assets catalogue env
	$(BIN)/pytest -n 2 -q

## check: what CI checks besides the suite. Uses the test settings (fixed test keys), so it
## needs no .env.
check: check-migrations lint check-i18n

check-migrations: install-test
	DJANGO_SETTINGS_MODULE=config.settings.test $(FENGLING) makemigrations --check --dry-run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

## assets: front-end packages from the npm registry (pinned in package-lock.json), served
## locally from static/vendor/; nothing is committed, nothing comes from a CDN.
assets:
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_assets.py

## env: the demo's .env with freshly generated secrets (kept if it exists).
env:
	@test -f .env || $(BIN)/python scripts/demo_env.py > .env

catalogue:
	$(BIN)/python scripts/compile_catalogue.py

lint: install-test
	$(BIN)/ruff check .

check-i18n: install-test
	$(BIN)/python scripts/check_catalogue.py
