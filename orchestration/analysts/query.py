"""`reeflow query "SQL"`: one read-only statement against the published warehouse.

Two guards, so a refusal is both certain and clear. DuckDB enforces read-only and no external
access on the connection (`connection.open_published`), whatever the SQL; before that, the
statement's type is checked here only to name the reason in words (a write, an ATTACH, a COPY).
Results stream in Arrow batches to the output, so a result larger than memory still works.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from orchestration.analysts import AnalystError
from orchestration.analysts.connection import open_published, published_path

FORMATS = ("table", "csv", "json", "parquet")
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL"})
BATCH_ROWS = 100_000
TABLE_ROWS = 100  # a terminal table beyond this is unreadable: csv/json/parquet take them all

_WHY_REFUSED = {
    "ATTACH": "ATTACH opens another database; reeflow query reads the published warehouse only",
    "DETACH": "DETACH changes what is attached; reeflow query reads the published warehouse only",
    "COPY": "COPY reads or writes files; to save a result use --format csv|json|parquet --out PATH",
    "EXPORT": "EXPORT DATABASE writes files; to save a result use --format ... --out PATH",
    "LOAD": "INSTALL and LOAD bring in extensions, and external access is off",
    "SET": "settings are locked (read-only, external access off)",
    "VARIABLE_SET": "settings are locked (read-only, external access off)",
}


class QueryRefused(AnalystError):
    """The statement would write, attach, read a file or change a setting."""


@dataclass(frozen=True)
class QueryResult:
    rows: int
    columns: list[str]


def check_statement(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but a single read statement, naming the reason."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise AnalystError(f"query failed: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise QueryRefused(f"one statement at a time, please (got {len(statements)})")
    kind = statements[0].type.name
    if kind not in READ_STATEMENTS:
        reason = _WHY_REFUSED.get(kind, f"{kind} would change the warehouse, which is read-only")
        raise QueryRefused(f"refused: {reason}")


def explain_error(exc: duckdb.Error) -> str:
    """DuckDB's error as one line, with what reeflow's lock-down means for it."""
    first = _first_line(exc)
    if isinstance(exc, duckdb.PermissionException):
        return (f"refused: {first} (reeflow query reads only the warehouse's tables: "
                "no files, no other databases, no extensions)")
    if "read-only mode" in first:
        return f"refused: {first} (the published warehouse is read-only)"
    if "configuration has been locked" in first:
        return f"refused: {first}"
    if "Table with name" in first and any(mark in first for mark in ("/", ".csv", ".parquet")):
        return f"refused: {first} (reading files is off: query the warehouse's tables)"
    return f"query failed: {first}"


def _first_line(exc: BaseException) -> str:
    return next((line for line in str(exc).strip().splitlines() if line.strip()), type(exc).__name__)


def run_query(
    sql: str,
    fmt: str = "table",
    out: Path | str | None = None,
    warehouse: Path | str | None = None,
    stdout: IO[str] | None = None,
) -> QueryResult:
    """Run one read statement and write its result as `fmt` to `out` (or stdout)."""
    if fmt not in FORMATS:
        raise AnalystError(f"unknown --format {fmt!r}; one of: {', '.join(FORMATS)}")
    if fmt == "parquet" and out is None:
        raise AnalystError("parquet is a binary format: give --out PATH")
    target = _checked_out_path(out, published_path(warehouse)) if out is not None else None
    stdout = stdout or sys.stdout
    with open_published(warehouse) as con:
        check_statement(con, sql)
        try:
            relation = con.sql(sql)
            if relation is None:  # e.g. CALL checkpoint(): nothing to show
                return QueryResult(rows=0, columns=[])
            reader = relation.to_arrow_reader(BATCH_ROWS)
            if target is None:
                return _write(fmt, reader, stdout)
            return _write_file(fmt, reader, target)
        except duckdb.Error as exc:
            raise QueryRefused(explain_error(exc)) from None


def _checked_out_path(out: Path | str, warehouse: Path) -> Path:
    """Never let a result overwrite the published warehouse or its snapshots."""
    target = Path(out).expanduser().resolve()
    folder = warehouse.resolve().parent
    if target == folder or folder in target.parents:
        raise AnalystError(f"--out {target} is inside the warehouse folder {folder}: choose "
                           "another place (results never go beside the published file)")
    if target.is_dir():
        raise AnalystError(f"--out {target} is a folder: give a file name")
    return target


def _write_file(fmt: str, reader: pa.RecordBatchReader, target: Path) -> QueryResult:
    """Write beside the target and rename, so a failed query leaves no half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if fmt == "parquet":
            result = _write_parquet(reader, partial)
        else:
            mode = "wb" if fmt == "csv" else "w"
            with open(partial, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as sink:
                result = _write(fmt, reader, sink)
        os.replace(partial, target)
        return result
    finally:
        partial.unlink(missing_ok=True)


def _write(fmt: str, reader: pa.RecordBatchReader, sink: IO) -> QueryResult:
    if fmt == "csv":
        if isinstance(sink, io.TextIOBase):  # stdout: Arrow writes bytes underneath it
            sink.flush()
            result = _write_csv(reader, sink.buffer)
            sink.buffer.flush()
            return result
        return _write_csv(reader, sink)
    if fmt == "json":
        return _write_json_lines(reader, sink)
    if fmt == "table":
        return _write_table(reader, sink)
    raise AnalystError("parquet is a binary format: give --out PATH")


def _write_csv(reader: pa.RecordBatchReader, sink) -> QueryResult:
    rows = 0
    with pa_csv.CSVWriter(sink, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return QueryResult(rows=rows, columns=reader.schema.names)


def _write_parquet(reader: pa.RecordBatchReader, path: Path) -> QueryResult:
    rows = 0
    with pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            # One row group per batch: memory holds a batch, never the whole result.
            writer.write_batch(batch, row_group_size=max(batch.num_rows, 1))
            rows += batch.num_rows
    return QueryResult(rows=rows, columns=reader.schema.names)


def _json_value(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exact, as printed by DuckDB
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _write_json_lines(reader: pa.RecordBatchReader, sink: IO[str]) -> QueryResult:
    """JSON Lines: one object per row, so a reader can stream it back too."""
    rows = 0
    for batch in reader:
        for record in batch.to_pylist():
            sink.write(json.dumps(record, default=_json_value, ensure_ascii=False) + "\n")
        rows += batch.num_rows
    return QueryResult(rows=rows, columns=reader.schema.names)


def _rows(reader: pa.RecordBatchReader) -> Iterator[tuple]:
    for batch in reader:
        columns = [column.to_pylist() for column in batch.columns]
        yield from zip(*columns, strict=True)


def _write_table(reader: pa.RecordBatchReader, sink: IO[str]) -> QueryResult:
    shown, total = [], 0
    for row in _rows(reader):  # the rows past TABLE_ROWS are counted, not kept
        if total < TABLE_ROWS:
            shown.append(row)
        total += 1
    sink.write(format_table(reader.schema.names, shown))
    more = f"; first {TABLE_ROWS} shown, use --format csv --out FILE for all" if total > len(shown) else ""
    sink.write(f"({total} row{'s' if total != 1 else ''}{more})\n")
    return QueryResult(rows=total, columns=reader.schema.names)


def format_cell(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return str(value)


def format_table(columns: list[str], rows: Iterable[tuple]) -> str:
    """A plain-text table: header, rule, one line per row; numbers right-aligned."""
    rows = list(rows)
    cells = [[format_cell(value) for value in row] for row in rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]
    numeric = [
        bool(rows) and all(isinstance(row[i], (int, float, Decimal)) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]

    def line(values: list[str]) -> str:
        return " | ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(list(columns)), rule, *(line(row) for row in cells)]) + "\n"
