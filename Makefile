# tuphap-warehouse: `make demo` and `make test` work on a fresh clone with only Python 3.11,
# pip and make. The environment is .venv, installed exactly from uv.lock.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.synced-$(UV_VERSION)-bytecode
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compile every installed module once, at install: the environment may forbid writing .pyc files
# at run time (PYTHONDONTWRITEBYTECODE), and then each process would compile Dagster, dbt and
# Great Expectations from source again (~2x their import time, on every load and dbt call).
export UV_COMPILE_BYTECODE := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: setup browser demo test dev serve docs lint bench clean

# The dbt manifest Dagster reads is prepared here (and by `tuphap load`), never by importing the
# code: a check of the project's file times, and `dbt parse` only when they changed.
setup: $(STAMP)
	@$(VENV)/bin/tuphap prepare

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(TOOLS) uv==$(UV_VERSION)

$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --extra dev --python $(PYTHON) --quiet
	@# The project's own packages are installed editable: compile them too.
	$(VENV)/bin/python -m compileall -q -j 0 ingest orchestration expectations benchmarks >/dev/null
	@rm -f $(VENV)/.synced-*
	@touch $@

demo: setup
	@mkdir -p data/inbox
	@if [ -z "$$(ls -A data/inbox)" ]; then $(VENV)/bin/tuphap sample --out data/inbox; fi
	$(VENV)/bin/tuphap load

# The yearly report's phone-width test needs a real browser (tests/e2e/test_report_phone.py
# fails, saying so, without one): Chromium from Debian's packages, installed here when missing
# and we are root (an ordinary user asks their administrator once: apt-get install chromium).
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || { apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

test: setup browser
	$(VENV)/bin/pytest -q -n 2 --dist loadgroup

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/sqlfluff lint --disable-progress-bar --nocolor dbt_project/models dbt_project/macros

dev: setup
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.dagster_home} $(VENV)/bin/dagster dev

# The webserver and the daemon as a service, on the instance in DAGSTER_HOME (deploy/dagster.yaml
# for PostgreSQL; the project's .dagster_home when unset), until Ctrl-C. README "Running as a
# service"; e.g. make serve SERVE_ARGS="--host 0.0.0.0 --port 3000".
serve: setup
	$(VENV)/bin/python -m deploy.serve $(SERVE_ARGS)

docs: setup
	@# dbt opens its database read-write: document a copy, never the file analysts have open.
	@mkdir -p dbt_project/target/docs
	cp $${TUPHAP_WAREHOUSE:-warehouse/tuphap.duckdb} dbt_project/target/docs/warehouse-copy.duckdb
	cd dbt_project && TUPHAP_DBT_DB_PATH=$(CURDIR)/dbt_project/target/docs/warehouse-copy.duckdb \
		../$(VENV)/bin/dbt docs generate --profiles-dir . --target-path target/docs && \
		../$(VENV)/bin/dbt docs serve --profiles-dir . --target-path target/docs --port 8080

bench: setup
	$(VENV)/bin/python -m benchmarks.run

clean:
	rm -rf $(VENV) $(TOOLS) warehouse .dagster_home dbt_project/target dbt_project/logs
