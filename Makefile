# Francisation LMS. Quick start: `make run`, then `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
DEMO_PASSWORD ?= demo-francisation
PG_BIN ?= /usr/lib/postgresql/15/bin

.PHONY: run serve burst install install-test install-e2e translations messages db test test-pg e2e lint ci clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs the application (editable) when setup.cfg changes.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-e2e: setup.cfg pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test,e2e]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations
install-e2e: $(VENV)/.installed-e2e translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d lms/translations

# After changing user-facing strings: refresh the catalog, then translate the new entries.
# (--ignore-dirs: Babel skips folders starting with "_" by default, e.g. templates/_macros.)
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* __pycache__" \
	  --no-location --omit-header -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching --ignore-obsolete

db: install
	$(FLASK) db upgrade
	$(FLASK) lms courses load
	$(FLASK) lms demo --password "$(DEMO_PASSWORD)"

run: db
	LMS_SCHEDULER=embedded $(FLASK) run --debug --host 127.0.0.1 --port 5000

# Production: migrations, then gunicorn (WEB_CONCURRENCY workers, default 2 x cores + 1; BIND,
# default 127.0.0.1:8000) and the scheduler as its own process (scripts/serve.sh).
serve: install
	BIN=$(BIN) scripts/serve.sh

test: install-test
	$(BIN)/python -m pytest -p no:playwright -p no:base_url --ignore=tests/e2e -q

# The same suite on a throwaway PostgreSQL 15 cluster, started and stopped here.
test-pg: install-test
	PG_BIN=$(PG_BIN) scripts/with-postgres.sh $(BIN)/python -m pytest -p no:playwright -p no:base_url --ignore=tests/e2e -q

e2e: install-e2e
	@command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)
	$(BIN)/python -m pytest tests/e2e -q

# 40 logins at once under gunicorn -w 4 on SQLite, production password hashing: 0 errors.
burst: install
	$(BIN)/python scripts/login_burst.py

lint: install-test
	$(BIN)/ruff check .

ci: test test-pg e2e

clean:
	rm -rf $(VENV) instance *.egg-info .pytest_cache
