"""Publishing: what a snapshot records about itself, and what a killed publish leaves behind."""

from __future__ import annotations

import duckdb

from ingest import settings
from orchestration import publishing


def _work_database() -> None:
    work = settings.work_database_path()
    work.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(work)) as con:
        con.execute("create table mart_x as select 1 as x")


def test_a_snapshot_records_its_run_and_no_path_of_this_machine(reeflow_env):
    _work_database()
    result = publishing.publish(run_id="run-1")
    with duckdb.connect(str(result.path), read_only=True) as con:
        run_id, work = con.execute("select run_id, work_database from quality.publications").fetchone()
        # No check has run yet: the table is there, empty, with its columns.
        columns = [name for (name,) in con.execute(
            "select column_name from duckdb_columns() where table_name = 'check_results'").fetchall()]
        results = con.execute("select count(*) from quality.check_results").fetchone()[0]
    assert run_id == "run-1"
    assert work == "warehouse/reeflow.work.duckdb" and str(reeflow_env) not in work
    assert results == 0 and {"run_id", "asset", "severity", "passed", "sample"} <= set(columns)


def test_every_leftover_of_a_killed_publish_is_removed(reeflow_env):
    _work_database()
    published = settings.warehouse_path()
    published.parent.mkdir(parents=True, exist_ok=True)
    # What a publish killed mid-copy (or stopped by a full disk) leaves: the half-written file,
    # DuckDB's write-ahead log and its spill folder beside it.
    building = published.with_name(f".{published.name}.20200101T000000000000Z.building")
    debris = [building, building.with_name(building.name + ".wal"),
              published.with_name(f".{published.name}.rollback.building.wal")]
    for path in debris:
        path.write_bytes(b"half")
    spill = building.with_name(building.name + ".tmp")
    spill.mkdir()
    (spill / "duckdb_temp_block-0.block").write_bytes(b"x")
    publishing.remove_debris()
    assert [path for path in [*debris, spill] if path.exists()] == []

    (building.with_name(building.name + ".wal")).write_bytes(b"half")
    publishing.publish(run_id="run-2")  # a publish clears them too, before it starts
    assert sorted(path.name for path in published.parent.iterdir() if path.name.startswith(".")) == [
        f".{published.name}.publish.lock"]
