"""Comtrade API answers (JSON) -> staged rows, through the same rules as the bulk files.

A landed answer is `{"elapsedTime", "count", "data": [...], "error"}`. Each record of `data`
becomes one row of text cells in the layout DuckDB's CSV reader gives a bulk file (rules.py), so
one rule set checks and types both: a JSON null is an empty cell, true/false are the words a
bulk file prints. A quarantined record keeps its JSON as it came.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ingest.contract import FileRejected, ParseResult
from ingest.landing import LandedFile
from ingest.sources.comtrade.rules import (
    COMTRADE_SCHEMA,
    FIELDS_READ,
    CheckedRecords,
    HsScope,
    RecordSql,
    check_field_names,
    frame_from_table,
)

SOURCE_FORMAT = "api_json"
# 2: records checked by the SQL rule set the bulk files use (1 had its own Python copy).
PARSER_VERSION = 2
# An answer holds the codes its request asked for: every record is checked, none is out of scope.
ANY_HS_CODE = HsScope()


def parse_comtrade_json(landed: LandedFile) -> ParseResult:
    """A landed API answer; FileRejected when it is cut off, not JSON or an error answer."""
    records = read_records(landed)
    names = list(dict.fromkeys(name for record in records for name in record))
    if not names:  # an empty answer has no fields to check and no rows
        return ParseResult(rows=frame_from_table(COMTRADE_SCHEMA.empty_table()), quarantined=[])
    check_field_names(landed, names)
    # One column per field whatever its spelling (cifValue / cifvalue); only the fields read.
    fields = [name for name in dict.fromkeys(n.lower() for n in names) if name in FIELDS_READ]
    sql = RecordSql(fields, ANY_HS_CODE, blank_lines=False)
    with duckdb.connect() as con:
        con.register("records", _cells(records, fields))
        con.execute("create table candidates as select * from records")
        checked = CheckedRecords(con, sql, landed, SOURCE_FORMAT)
        return checked.result(
            checked.good_rows(),
            raw=lambda rn, _cells: json.dumps(records[rn - 1], default=str, ensure_ascii=False),
        )


def read_records(landed: LandedFile) -> list[dict[str, Any]]:
    """The `data` records of a landed answer, each a dict."""
    content = Path(landed.path).read_bytes()
    try:
        payload = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        problem = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise FileRejected(
            f"truncated or invalid JSON in {landed.original_name} ({len(content)} bytes): {problem}"
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise FileRejected(f"{landed.original_name} is not a Comtrade API response: no data list")
    error = payload.get("error")
    if error:
        raise FileRejected(f"Comtrade API answered with an error: {error}")
    records = payload["data"]
    if not all(isinstance(record, dict) for record in records):
        raise FileRejected(f"{landed.original_name}: data holds something other than records")
    return records


def _cells(records: list[dict[str, Any]], fields: list[str]) -> pa.Table:
    """`candidates` of rules.py: rn, lines, c0..c{n-1} as text, c{n} (no extra cells here).

    A field missing from a record, or null, is an empty cell; of two spellings of one field in
    a record the later wins."""
    count = len(records)
    column_of = {field: index for index, field in enumerate(fields)}
    slot: dict[str, int | None] = {}  # a name as spelled -> its column (None: not read)
    cells = [[""] * count for _ in fields]
    for row, record in enumerate(records):
        for name, value in record.items():
            if name not in slot:
                slot[name] = column_of.get(name.lower())
            if (column := slot[name]) is not None:
                cells[column][row] = _text(value)
    columns = {
        "rn": pa.array(range(1, count + 1), pa.int64()),
        "lines": pa.array([1] * count, pa.int64()),
        **{f"c{index}": pa.array(values, pa.string()) for index, values in enumerate(cells)},
        f"c{len(fields)}": pa.nulls(count, pa.string()),
    }
    return pa.table(columns)


def _text(value: Any) -> str:
    """A JSON value as a bulk file's cell would hold it ('' for null: an empty cell)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
