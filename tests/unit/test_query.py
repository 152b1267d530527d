"""`reeflow query`: reads only, refuses writes, ATTACH, file reads, extensions and settings with a
clear message and exit code 2, and streams results to csv, JSON Lines and Parquet."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration import cli
from orchestration.analysts import AnalystError, query
from orchestration.analysts.connection import open_published


@pytest.fixture
def warehouse(reeflow_env):
    """A published file with one small table, at REEFLOW_WAREHOUSE, and a real CSV and Parquet
    file beside the data folder (so a refused read is refused, not merely missing)."""
    path = reeflow_env / "data" / "warehouse" / "reeflow.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table dim_elements (symbol varchar, name varchar, atomic_number integer)")
        con.execute("insert into dim_elements values ('Nd', 'Neodymium', 60), ('Pr', 'Praseodymium', 59)")
        con.execute(f"copy dim_elements to '{reeflow_env / 'elements.csv'}' (header)")
        con.execute(f"copy dim_elements to '{reeflow_env / 'elements.parquet'}' (format parquet)")
    return path


def _elements(path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select * from dim_elements order by symbol").fetchall()


def _refusals(tmp):
    return {
        "insert": ("insert into dim_elements values ('X', 'x', 0)", "INSERT would change the warehouse"),
        "update": ("update dim_elements set name = 'x'", "UPDATE would change the warehouse"),
        "create": ("create table t as select 1", "CREATE would change the warehouse"),
        "create temp": ("create temp table t as select 1", "CREATE would change the warehouse"),
        "drop": ("drop table dim_elements", "DROP would change the warehouse"),
        "attach": (f"attach '{tmp / 'other.duckdb'}' as other", "ATTACH opens another database"),
        "read_csv": (f"select * from read_csv('{tmp / 'elements.csv'}')", "Cannot access file"),
        "read_parquet": (f"select * from read_parquet('{tmp / 'elements.parquet'}')", "Cannot access file"),
        "file as table": (f"select * from '{tmp / 'elements.csv'}'", "Cannot access file"),
        "path without extension": (f"select * from '{tmp / 'elements'}'", "reading files is off"),
        "glob": (f"select * from glob('{tmp}/*')", "Cannot access file"),
        "copy to": (f"copy dim_elements to '{tmp / 'out.csv'}'", "COPY reads or writes files"),
        "export": (f"export database '{tmp / 'export'}'", "EXPORT DATABASE writes files"),
        "install": ("install httpfs", "INSTALL and LOAD bring in extensions"),
        "load": ("load httpfs", "INSTALL and LOAD bring in extensions"),
        "set access": ("set enable_external_access = true", "settings are locked"),
        "reset access": ("reset enable_external_access", "settings are locked"),
        "two statements": ("select 1; drop table dim_elements", "one statement at a time"),
    }


@pytest.mark.parametrize("case", list(_refusals(Path("/any"))))
def test_refused_with_a_clear_message_and_exit_2(warehouse, reeflow_env, capsys, case):
    sql, reason = _refusals(reeflow_env)[case]
    before = _elements(warehouse)
    assert cli.main(["query", sql]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reeflow: error: refused") or "one statement" in err, err
    assert reason in err
    assert len(err.strip().splitlines()) == 1  # one line, no traceback
    assert _elements(warehouse) == before
    assert not (reeflow_env / "out.csv").exists() and not (reeflow_env / "export").exists()
    assert not (reeflow_env / "other.duckdb").exists()


@pytest.mark.parametrize("case", ["insert", "drop", "attach", "read_csv", "file as table", "glob",
                                  "copy to", "export", "install", "load", "set access"])
def test_the_connection_itself_refuses_without_the_statement_check(warehouse, reeflow_env, case):
    """DuckDB enforces the lock-down: the statement-type check only words the reason."""
    sql, _ = _refusals(reeflow_env)[case]
    with open_published(warehouse) as con, pytest.raises(duckdb.Error):
        con.execute(sql).fetchall()
    assert _elements(warehouse) == [("Nd", "Neodymium", 60), ("Pr", "Praseodymium", 59)]
    assert not (reeflow_env / "out.csv").exists() and not (reeflow_env / "export").exists()


@pytest.mark.parametrize("sql", [
    "select symbol, atomic_number from dim_elements order by atomic_number",
    "describe dim_elements",
    "show tables",
    "summarize dim_elements",
    "explain select * from dim_elements",
    "with e as (select * from dim_elements) select count(*) from e",
])
def test_reads_are_allowed(warehouse, capsys, sql):
    assert cli.main(["query", sql]) == 0
    assert "row" in capsys.readouterr().out


def test_table_output(warehouse, capsys):
    assert cli.main(["query", "select symbol, atomic_number, null as note from dim_elements order by 2"]) == 0
    assert capsys.readouterr().out == (
        "symbol | atomic_number | note\n"
        "-------+---------------+-----\n"
        "Pr     |            59 | NULL\n"
        "Nd     |            60 | NULL\n"
        "(2 rows)\n"
    )


def test_table_output_caps_the_rows_shown_and_counts_them_all(warehouse, capsys):
    assert cli.main(["query", "select range as i from range(250)"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == query.TABLE_ROWS + 3  # header, rule, rows, footer
    assert out.endswith(f"(250 rows; first {query.TABLE_ROWS} shown, use --format csv --out FILE for all)\n")


def test_csv_and_json_files(warehouse, tmp_path, capsys):
    sql = "select symbol, name, atomic_number, date '2024-06-30' as as_of from dim_elements order by 1"
    assert cli.main(["query", sql, "--format", "csv", "--out", str(tmp_path / "e.csv")]) == 0
    assert "wrote 2 rows" in capsys.readouterr().err
    with open(tmp_path / "e.csv", newline="") as handle:
        assert list(csv.DictReader(handle)) == [
            {"symbol": "Nd", "name": "Neodymium", "atomic_number": "60", "as_of": "2024-06-30"},
            {"symbol": "Pr", "name": "Praseodymium", "atomic_number": "59", "as_of": "2024-06-30"},
        ]
    assert cli.main(["query", sql, "--format", "json", "--out", str(tmp_path / "e.jsonl")]) == 0
    lines = (tmp_path / "e.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"symbol": "Nd", "name": "Neodymium", "atomic_number": 60, "as_of": "2024-06-30"},
        {"symbol": "Pr", "name": "Praseodymium", "atomic_number": 59, "as_of": "2024-06-30"},
    ]


def test_csv_to_standard_output(warehouse, capsys):
    assert cli.main(["query", "select symbol from dim_elements order by 1", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ['"symbol"', '"Nd"', '"Pr"']


def test_large_results_stream_to_parquet_batch_by_batch(warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(query, "BATCH_ROWS", 50_000)
    out = tmp_path / "big.parquet"
    result = query.run_query("select range as i, range * 2 as j from range(300000)", "parquet", out)
    assert result.rows == 300_000
    parquet = pq.ParquetFile(out)
    assert parquet.metadata.num_rows == 300_000
    # Each Arrow batch became its own row group as it arrived: the result was never held whole.
    assert parquet.metadata.num_row_groups >= 300_000 // 50_000
    assert parquet.read(columns=["j"]).column("j")[-1].as_py() == 2 * 299_999


def test_a_failing_query_leaves_no_file(warehouse, tmp_path, capsys):
    out = tmp_path / "bad.csv"
    sql = "select cast(name as integer) as n from dim_elements"  # fails while rows are read
    assert cli.main(["query", sql, "--format", "csv", "--out", str(out)]) == 2
    assert "Conversion Error" in capsys.readouterr().err
    assert list(tmp_path.glob("*bad.csv*")) == []


def test_results_never_go_into_the_warehouse_folder(warehouse, capsys):
    before = warehouse.read_bytes()
    assert cli.main(["query", "select 1", "--format", "parquet", "--out", str(warehouse)]) == 2
    assert "inside the warehouse folder" in capsys.readouterr().err
    assert warehouse.read_bytes() == before


def test_parquet_needs_a_file_and_a_missing_warehouse_is_named(reeflow_env, capsys):
    assert cli.main(["query", "select 1"]) == 2
    assert "no published warehouse at" in capsys.readouterr().err
    with pytest.raises(AnalystError, match="give --out PATH"):
        query.run_query("select 1", "parquet", stdout=io.StringIO())


def test_the_analysts_package_does_not_import_dagster():
    """Plain Python like ingest/ and expectations/: the commands start fast and never touch a run."""
    code = ("import sys, orchestration.analysts.commands, orchestration.analysts.query, "
            "orchestration.analysts.report, orchestration.analysts.docs; "
            "print(any(name.split('.')[0] == 'dagster' for name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
