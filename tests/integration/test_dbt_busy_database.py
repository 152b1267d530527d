"""A busy working database (another process holds DuckDB's lock) is the one dbt failure the
dbt step retries: the error dagster-dbt raises for it carries DuckDB's wording, and a failing
dbt test or a broken column constraint does not."""

from __future__ import annotations

import duckdb
import pytest
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from ingest import settings
from orchestration.defs.transform.dbt import BUSY_DATABASE_RETRY, is_busy_database, reeflow_dbt_models
from tests.integration.dbt_steps import dbt_cli


def _dbt_cli(*args: str):
    return dbt_cli(*args).wait()


def test_dbt_meeting_a_locked_working_database_fails_with_the_error_that_is_retried(reeflow_env):
    work = settings.work_database_path()
    work.parent.mkdir(parents=True, exist_ok=True)
    # This process holds the file open for writing, as an analyst's tool might.
    with duckdb.connect(str(work)) as holder:
        holder.execute("create table held as select 1 as x")
        with pytest.raises(DagsterDbtCliRuntimeError) as raised:
            _dbt_cli("seed", "--select", "stages")
    assert is_busy_database(raised.value)
    # Free again: the same command succeeds, as the retry would.
    assert _dbt_cli("seed", "--select", "stages").is_successful()


def test_a_failing_dbt_test_is_not_a_busy_database(reeflow_env):
    _dbt_cli("seed", "--select", "stages")
    work = settings.work_database_path()
    with duckdb.connect(str(work)) as con:  # a stage listed twice breaks its unique key
        con.execute("insert into reference.stages select * from reference.stages limit 1")
    with pytest.raises(DagsterDbtCliRuntimeError) as raised:
        _dbt_cli("test", "--select", "stages")
    assert not is_busy_database(raised.value)


def test_the_dbt_step_has_the_busy_database_retry_policy():
    assert reeflow_dbt_models.op.retry_policy == BUSY_DATABASE_RETRY
    assert BUSY_DATABASE_RETRY.max_retries >= 2 and BUSY_DATABASE_RETRY.delay >= 30


def test_a_row_breaking_a_column_constraint_fails_its_model_naming_the_constraint(reeflow_env):
    # dim_elements is built from the elements seed alone; its oxide factor must lie in 0.6-0.9.
    models = ["--select", "int_elements_factored dim_elements"]
    _dbt_cli("seed", "--select", "elements")
    assert _dbt_cli("run", *models).is_successful()
    work = settings.work_database_path()
    with duckdb.connect(str(work)) as con:  # a typo: neodymium three times as heavy
        con.execute("update reference.elements set atomic_mass = atomic_mass * 3 where symbol = 'Nd'")
    with pytest.raises(DagsterDbtCliRuntimeError) as raised:
        _dbt_cli("run", *models)
    assert not is_busy_database(raised.value)
    assert "CHECK constraint failed" in str(raised.value) and "element_per_oxide_factor" in str(raised.value)
    with duckdb.connect(str(work), read_only=True) as con:  # the last good table stays
        (factor,) = con.execute("select element_per_oxide_factor from dim_elements where symbol = 'Nd'").fetchone()
    assert 0.85 < factor < 0.86
