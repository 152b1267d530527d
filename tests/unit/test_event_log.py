"""Events stored through the kept-open SQLite event log are Dagster's own, readable by Dagster's
default storage, in a DAGSTER_HOME reeflow prepares from scratch or upgrades."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import dagster as dg
import pytest

from orchestration import cli
from orchestration.event_log import KeptOpenSqliteEventLogStorage


@dg.asset
def landed() -> int:
    return 1


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="staged")])
def staged(landed: int):
    yield dg.Output(landed + 1)
    yield dg.AssetCheckResult(passed=True)


JOB = dg.Definitions(assets=[landed, staged], jobs=[dg.define_asset_job("two_assets")]).resolve_job_def("two_assets")


def _run_twice(instance: dg.DagsterInstance) -> list[str]:
    run_ids = []
    for _ in range(2):
        result = JOB.execute_in_process(instance=instance)
        assert result.success
        run_ids.append(result.run_id)
    return run_ids


def test_a_fresh_dagster_home_stores_and_reads_runs_through_kept_open_connections(reeflow_env):
    home = cli._prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, KeptOpenSqliteEventLogStorage)
        run_ids = _run_twice(instance)
        for run_id in run_ids:
            assert len(instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)) == 1
        stored = {run_id: len(instance.all_logs(run_id)) for run_id in run_ids}
    assert all(count > 10 for count in stored.values())
    runs = home / "history" / "runs"
    for run_id, count in stored.items():
        assert not (runs / f"{run_id}.db-wal").exists()  # closed and checkpointed on dispose
        with sqlite3.connect(runs / f"{run_id}.db") as con:
            assert con.execute("select count(*) from event_logs").fetchone()[0] == count

    # Dagster's default storage, on the same files, reads the same history.
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with dg.DagsterInstance.get() as instance:
        assert not isinstance(instance.event_log_storage, KeptOpenSqliteEventLogStorage)
        assert {run_id: len(instance.all_logs(run_id)) for run_id in run_ids} == stored
        materialization = instance.get_latest_materialization_event(dg.AssetKey("staged"))
        assert materialization is not None and materialization.run_id == run_ids[-1]


@pytest.mark.parametrize("edited", [False, True])
def test_an_earlier_copy_of_dagster_yaml_is_upgraded_unless_edited(reeflow_env, edited):
    home = Path(reeflow_env / "dagster_home")
    home.mkdir()
    earlier = ("# Copied into DAGSTER_HOME by `reeflow` when absent. DuckDB allows one writer per file: every\n"
               "# asset and check that touches the working database runs in the `duckdb` pool, one at a time.\n"
               "concurrency:\n  pools:\n    default_limit: 1\ntelemetry:\n  enabled: false\n")
    (home / "dagster.yaml").write_text(earlier + ("# mine\n" if edited else ""))
    cli._prepare_dagster_home()
    upgraded = "KeptOpenSqliteEventLogStorage" in (home / "dagster.yaml").read_text()
    assert upgraded is not edited
