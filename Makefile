# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
# Debian's own CPython 3.11 where there is one: it is built with PGO and LTO, like the
# python:3.11 image of the Dockerfile, and runs this code (templates, WeasyPrint's layout) about a
# fifth faster than a default pyenv build. Any python3.11 on the PATH otherwise.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make run` is a local, single-machine run: debug on, SQLite and the filesystem broker unless
# DATABASE_URL / REDIS_URL are set. Production sets its variables and runs docker-compose.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
# Tests run against this machine's real PostgreSQL and Redis unless told otherwise.
TEST_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dsar} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}

.PHONY: install run test lint format bench lock clean messages api-conformance

install: $(STAMP)

$(STAMP): requirements/lock.txt
	@scripts/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	@$(MAKE) --no-print-directory messages
	@touch $(STAMP)

messages:
	@if [ -d locale ]; then DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; fi

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(RUN_ENV) $(BIN)/python manage.py load_reference
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin
	@echo "Starting web, worker and beat. Open $$($(RUN_ENV) $(BIN)/python manage.py site_url) (Ctrl-C stops all three)."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(RUN_ENV) $(BIN)/honcho start -f Procfile

test: install
	@scripts/system-deps.sh --test
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# Schemathesis against a live gunicorn on a scratch database `<database>_schemathesis`: every
# operation, every check, a few examples each (scripts/api_conformance.py). Fails on any failure.
api-conformance: install
	$(TEST_ENV) $(BIN)/python scripts/api_conformance.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark runs, even after one falls short; the summary names those that did, and the
# target fails if any did (each script prints its figures, targets and PASS/FAIL verdicts).
bench: install
	@failed=""; \
	for script in bench/[!_]*.py; do \
		echo "== $$script"; \
		$(TEST_ENV) $(BIN)/python $$script || failed="$$failed $$script"; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "== bench: fell short:$$failed"; exit 1; \
	fi; \
	echo "== bench: every script met its targets"

# Re-pin the whole tree after editing requirements/*.in.
lock:
	rm -rf /tmp/dsar-lock && $(PYTHON) -m venv /tmp/dsar-lock
	/tmp/dsar-lock/bin/pip install --quiet -r requirements/dev.in
	( echo "# Full pinned tree (base + dev). Regenerate with \`make lock\` after editing base.in or dev.in."; \
	  /tmp/dsar-lock/bin/pip freeze ) > requirements/lock.txt

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
