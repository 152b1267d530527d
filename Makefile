# The README's two commands: `make run` and `make test`. Each sets up what it needs first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The exact versions `make setup` installs: generated from pyproject.toml by `make lock`.
LOCK := requirements.lock
# A DuckDB 1.4 client, as BI drivers ship, to prove the published file opens there.
BI_CLIENT := .venv-bi14
BI_STAMP := $(BI_CLIENT)/.installed
# dg finds the project's .venv itself; saying it is the active one silences its warning.
DG := VIRTUAL_ENV=$(CURDIR)/$(VENV) PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dg

.PHONY: setup lock manifest run test bench dev check-defs status lint clean

setup: $(STAMP)

# The locked set first, then reeflow itself without resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

# After changing a dependency in pyproject.toml: resolve it again (every platform and Python
# reeflow supports), commit the lock, and `make setup` installs it.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --quiet \
		--custom-compile-command "make lock" --output-file $(LOCK)

$(BI_STAMP):
	$(BIN)/python -m pip install --quiet --target $(BI_CLIENT) 'duckdb>=1.4,<1.5'
	@touch $@

run: $(STAMP)
	$(BIN)/reeflow run

status: $(STAMP)
	$(BIN)/reeflow status

# The dbt manifest the Dagster definitions are built from; parsed only when the dbt project
# changed (`reeflow run` and `make dev` prepare it the same way).
manifest: $(STAMP)
	$(BIN)/python -m orchestration.dbt_manifest

test: $(STAMP) $(BI_STAMP) manifest
	$(BIN)/pytest -q

# The quick loop: every test but the end-to-end runs of reeflow and dbt (marker `integration`).
.PHONY: test-quick
test-quick: $(STAMP) manifest
	$(BIN)/pytest -q -n auto -m "not integration"

# A year of Comtrade bulk trade (10 million generated lines) through land, ingest and dbt, with
# raw DuckDB and pandas references; prints time and peak memory per step (ROWS=... to resize).
ROWS ?= 10000000
bench: $(STAMP)
	$(BIN)/python benchmarks/trade_scale.py --rows $(ROWS)

# Five generated years of that size landed one after another, then a re-run with nothing new:
# the cost of each further year and of the re-run against the first (issue 10's targets).
.PHONY: bench-years
bench-years: $(STAMP)
	$(BIN)/python benchmarks/trade_years.py --rows $(ROWS)

# `reeflow run` on the embedded data (fresh, nothing new, one new input): wall, CPU, peak memory,
# the machine's load and each run's step table.
.PHONY: bench-run
bench-run: $(STAMP)
	$(BIN)/python benchmarks/run_speed.py

dev: $(STAMP) manifest
	mkdir -p .dagster_home && cp -n orchestration/dagster.yaml .dagster_home/ || true
	$(DG) dev

# Loads the definitions as `dg dev` would (CI runs it through `make lint`).
check-defs: $(STAMP) manifest
	$(DG) check defs

lint: $(STAMP)
	$(BIN)/ruff check ingest expectations orchestration tests benchmarks

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
