# The README's two commands: `make run` and `make test`. Each sets up what it needs first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A DuckDB 1.4 client, as BI drivers ship, to prove the published file opens there.
BI_CLIENT := .venv-bi14
BI_STAMP := $(BI_CLIENT)/.installed

.PHONY: setup manifest run test bench dev status lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

$(BI_STAMP):
	$(BIN)/python -m pip install --quiet --target $(BI_CLIENT) 'duckdb>=1.4,<1.5'
	@touch $@

run: $(STAMP)
	$(BIN)/reeflow run

status: $(STAMP)
	$(BIN)/reeflow status

# The dbt manifest the Dagster definitions are built from (`reeflow run` refreshes it too).
manifest: $(STAMP)
	$(BIN)/dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project

test: $(STAMP) $(BI_STAMP) manifest
	$(BIN)/pytest -q

# The quick loop: every test but the end-to-end runs of reeflow and dbt (marker `integration`).
.PHONY: test-quick
test-quick: $(STAMP) manifest
	$(BIN)/pytest -q -m "not integration"

# A year of Comtrade bulk trade (10 million generated lines) through land, ingest and dbt, with
# raw DuckDB and pandas references; prints time and peak memory per step (ROWS=... to resize).
ROWS ?= 10000000
bench: $(STAMP)
	$(BIN)/python benchmarks/trade_scale.py --rows $(ROWS)

dev: $(STAMP)
	mkdir -p .dagster_home && cp -n orchestration/dagster.yaml .dagster_home/ || true
	PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m orchestration.definitions

lint: $(STAMP)
	$(BIN)/ruff check ingest expectations orchestration tests benchmarks

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
