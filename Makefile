# The two commands: `make run` (demo on http://127.0.0.1:$PORT) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Production-like settings for `check --deploy` (never used to serve anything).
DEPLOY_ENV := DEBUG=false ALLOWED_HOSTS=portal.example.org \
	SECRET_KEY=check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	DATABASE_URL=sqlite:///:memory: ID_NUMBER_HASH_KEY=check-deploy-only \
	ID_NUMBER_KEYS=Y2hlY2stZGVwbG95LW9ubHktMzItYnl0ZS1rZXkhISE=

PYTEST_ARGS ?= -n auto

.PHONY: run test install services lint checks bench loadtest clean messages backup restore date-sweep

# Debian's python3 may come without venv/pip: install them once (as root on a fresh machine).
$(VENV)/.installed: pyproject.toml
	@python3 -c "import venv, ensurepip" 2>/dev/null || (apt-get update -qq && apt-get install -y -qq python3-venv python3-pip >/dev/null)
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ with a Celery worker and beat beside it. Ctrl-C stops both."
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(VENV)/bin/celery -A governance worker -B --pool=solo -l warning & worker=$$!; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# PostgreSQL, Redis, Chromium and CJK fonts: installed and started when absent. Prints KEY=value lines.
services:
	@bash .ci/services.sh

# Style (ruff) and the floors (import-linter's contracts in pyproject.toml; docs/architecture.md).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

checks: install
	$(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# Uses DATABASE_URL / REDIS_URL when set (CI exports them); otherwise brings the services up itself.
# Tests run in parallel, one process per core (pytest-xdist); PYTEST_ARGS= runs them in one process.
test: install
	@set -euo pipefail; \
	if [ -z "$${DATABASE_URL:-}" ] || [ -z "$${REDIS_URL:-}" ]; then \
		while IFS= read -r line; do case "$$line" in *=*) export "$$line";; esac; done < <(bash .ci/services.sh); \
	fi; \
	command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null); \
	echo "DATABASE_URL=$$DATABASE_URL REDIS_URL=$$REDIS_URL"; \
	$(MAKE) --no-print-directory lint checks; \
	$(PY) -m pytest $(PYTEST_ARGS)

# One archive with the database dump, the uploaded files and a manifest (README: 备份与恢复 / Backup and restore).
# `make backup [OUT=path.tar.gz]`; `make restore FILE=path.tar.gz [YES=1]` restores into an EMPTY database and checks it.
backup: install
	$(PY) manage.py backup $(if $(OUT),--output $(OUT))

restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/portal-YYYYMMDD-HHMMSS.tar.gz" >&2; exit 2; }
	$(PY) manage.py restore $(FILE) $(if $(YES),--yes)

# County scale: a generated county in PostgreSQL database $(BENCH_DB) (kept between runs: the
# generator is idempotent per size), production settings (DEBUG off), every scenario as JSON lines,
# and the whole result with the machine in bench/results.json.
BENCH_DB ?= portal_county
BENCH_RESIDENTS ?= 1000000
BENCH_REQUESTS ?= 30
BENCH_OUTPUT ?= bench/results.json
# Production's cache, as the load test's: Redis, a database of its own (without it the embedded file cache).
BENCH_REDIS ?= redis://127.0.0.1:6379/13
BENCH_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DB) DEBUG=false ALLOWED_HOSTS=localhost \
	SECURE_SSL_REDIRECT=false SECRET_KEY=bench-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKL \
	ID_NUMBER_HASH_KEY=bench-only ID_NUMBER_KEYS=YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZyEhISE= \
	STATIC_ROOT=$(CURDIR)/var/bench-static DATA_DIR=$(CURDIR)/var/bench REDIS_URL=$(BENCH_REDIS)
bench: install
	@psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$(BENCH_DB)'" | grep -q 1 \
		|| psql -h 127.0.0.1 -U postgres -d postgres -qc "create database $(BENCH_DB)" >/dev/null
	@$(BENCH_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v 0
	@$(BENCH_ENV) $(PY) manage.py generate_scale --residents $(BENCH_RESIDENTS)
	@$(BENCH_ENV) $(PY) manage.py bench --requests $(BENCH_REQUESTS) --output $(BENCH_OUTPUT)

# Load test: 200 grid workers recording visits and opening their work lists for five minutes
# against gunicorn + PostgreSQL (a fresh database load_county, dropped afterwards), then the check that every
# visit acknowledged is in the database exactly once; the summary goes to bench/load.json. A short run:
# `make loadtest LOAD_ARGS="--users 5 --time 20s --residents 20000"`.
LOAD_ARGS ?=
loadtest: install
	@$(PY) -m pip install -q --disable-pip-version-check ".[load]"
	$(PY) tests/load/run.py $(LOAD_ARGS)

# The tests of the demo's and the generated county's data on other days (libfaketime, Debian's faketime:
# the test processes' clock moves, PostgreSQL's does not): the data are laid out up to today, so a figure
# that holds today may not in January or at a year's end. `make date-sweep [DATES="2027-01-02 2027-03-03"]`.
DATES ?= 2027-01-02 2027-02-01 2027-03-03 2027-07-01 2027-12-31
DATE_TESTS := $(sort $(wildcard tests/*/test_*demo*.py)) tests/tooling/test_generate_scale.py
date-sweep: install
	@command -v faketime >/dev/null || (apt-get update -qq && apt-get install -y -qq faketime >/dev/null)
	@set -euo pipefail; \
	if [ -z "$${DATABASE_URL:-}" ] || [ -z "$${REDIS_URL:-}" ]; then \
		while IFS= read -r line; do case "$$line" in *=*) export "$$line";; esac; done < <(bash .ci/services.sh); \
	fi; \
	for day in $(DATES); do echo "== $$day"; faketime "$$day 10:00:00" $(PY) -m pytest -q -n auto $(DATE_TESTS); done

messages: install
	cd $(CURDIR) && $(PY) manage.py makemessages -l en --no-wrap --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'var/*' --ignore 'build/*' && $(PY) manage.py compilemessages -l en --ignore '.venv/*'

clean:
	rm -rf var staticfiles test-output
