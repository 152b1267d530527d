"""Comtrade API answers (JSON) -> staged rows, through the same rules as the bulk files.

A landed answer is `{"elapsedTime", "count", "data": [...], "error"}`, whole only when `count` is
the number of records in `data` (a partial answer is rejected as a whole). Each record of `data`
becomes one row of text cells in the layout DuckDB's CSV reader gives a bulk file (rules.py), so
one rule set checks and types both: a JSON null is an empty cell, true/false are the words a
bulk file prints. A quarantined record keeps its JSON as it came. Records are read one at a
time (json_stream) and reach DuckDB in batches, so an answer of any size allowed (the client's
MAX_BODY_BYTES) is parsed in bounded memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pyarrow as pa

from ingest import duckdb_session
from ingest.contract import FileRejected, ParseResult, check_size
from ingest.landing import LandedFile
from ingest.sources.comtrade import json_stream
from ingest.sources.comtrade.client import MAX_BODY_BYTES
from ingest.sources.comtrade.rules import (
    COMTRADE_SCHEMA,
    FIELDS_READ,
    CheckedRecords,
    HsScope,
    RawText,
    RecordSql,
    check_field_names,
    frame_from_table,
)

SOURCE_FORMAT = "api_json"
# 2: records checked by the SQL rule set the bulk files use (1 had its own Python copy).
# 3: negative values, years, months and classifications out of range quarantined; count checked.
PARSER_VERSION = 3
# An answer holds the codes its request asked for: every record is checked, none is out of scope.
ANY_HS_CODE = HsScope()
# Every field a staged row is made from has its column, whichever fields an answer holds: an
# empty cell reads as a field absent, so the rules see what they would see of the fields alone.
FIELDS = tuple(sorted(FIELDS_READ))
_COLUMN = {field: index for index, field in enumerate(FIELDS)}
SQL = RecordSql(FIELDS, ANY_HS_CODE, blank_lines=False)
# Records held in Python at once (about 2 kB each as objects).
BATCH_RECORDS = 20_000


def parse_comtrade_json(landed: LandedFile) -> ParseResult:
    """A landed API answer; FileRejected when it is cut off, not JSON, an error answer or a
    partial one (its `count` is not the number of records it holds)."""
    with _Answer(landed) as answer:
        if answer.checked is None:
            return answer.empty()
        return answer.checked.result(answer.checked.good_rows(), raw=answer.raw_records())


def stage_comtrade_json(landed: LandedFile, target: Path) -> ParseResult:
    """Staging's writer: DuckDB writes the good records to `target` (Parquet); memory holds a
    batch of records at a time, whatever the answer's size."""
    with _Answer(landed) as answer:
        if answer.checked is None:
            return answer.empty()
        answer.checked.copy_good_rows(target)
        return answer.checked.result(None, raw=answer.raw_records())


class _Answer:
    """One DuckDB session over one answer: its records streamed in as `candidates`, checked."""

    def __init__(self, landed: LandedFile) -> None:
        self.landed = landed
        check_size(landed.original_name, os.path.getsize(landed.path), MAX_BODY_BYTES,
                   "Comtrade API answer")
        self.con = duckdb_session.connect()
        self.checked: CheckedRecords | None = None

    def __enter__(self) -> Self:
        try:
            names = self._load()
            if names:
                check_field_names(self.landed, names)
                self.checked = CheckedRecords(self.con, SQL, self.landed, SOURCE_FORMAT)
        except BaseException:
            self.con.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.con.close()

    def empty(self) -> ParseResult:
        # An empty answer has no fields to check and no rows.
        return ParseResult(rows=frame_from_table(COMTRADE_SCHEMA.empty_table()), quarantined=[])

    def _load(self) -> list[str]:
        """Stream the records into `candidates`, a batch at a time; the field names seen."""
        names: dict[str, None] = {}
        self.con.execute(
            "create table candidates (rn bigint, lines bigint, "
            + ", ".join(f"c{i} varchar" for i in range(len(FIELDS) + 1)) + ")"
        )
        batch: list[dict[str, Any]] = []
        for number, record in enumerate(self._records(), start=1):
            names.update(dict.fromkeys(record))
            batch.append(record)
            if len(batch) == BATCH_RECORDS:
                self._append(batch, number - len(batch) + 1)
                batch = []
        if batch:
            self._append(batch, number - len(batch) + 1)
        return list(names)

    def _append(self, batch: list[dict[str, Any]], first: int) -> None:
        self.con.register("batch", _cells(batch, first))
        self.con.execute("insert into candidates select * from batch")
        self.con.unregister("batch")

    def _records(self) -> Iterator[dict[str, Any]]:
        """The answer's records; FileRejected, once they are read, when it is not one whole
        answer (its `count` says how many records it holds: a partial answer is not staged)."""
        name = self.landed.original_name
        try:
            with open(self.landed.path, "rb") as handle:
                for record in json_stream.answer_records(handle):
                    if not isinstance(record, dict):
                        raise FileRejected(f"{name}: data holds something other than records")
                    yield record
        except json_stream.NoDataList:
            raise FileRejected(f"{name} is not a Comtrade API response: no data list") from None
        except json_stream.ApiError as exc:
            raise FileRejected(f"Comtrade API answered with an error: {exc.error}") from None
        except json_stream.PartialAnswer as exc:
            raise FileRejected(f"{name}: {exc}: a partial answer, not staged") from None
        except (json_stream.DuplicateField, json_stream.BadCount) as exc:
            raise FileRejected(f"{name}: {exc}: not staged") from None
        except json_stream.AnswerError as exc:
            raise FileRejected(f"truncated or invalid JSON in {name} "
                               f"({self.landed.size_bytes} bytes): {exc}") from None

    def raw_records(self) -> RawText:
        """The quarantined records as they came (JSON), read again from the file: the second
        read is paid only when some record is bad."""
        wanted = {rn for (rn,) in self.con.execute(
            "select rn from checked where reason is not null").fetchall()}
        texts = {}
        if wanted:
            for number, record in enumerate(self._records(), start=1):
                if number in wanted:
                    texts[number] = json.dumps(record, default=str, ensure_ascii=False)
        return lambda rn, _cells: texts[rn]


def _cells(records: list[dict[str, Any]], first: int) -> pa.Table:
    """Rows of `candidates` (rules.py): rn, lines, one text cell per field read (FIELDS), and
    c{n}, empty (no extra cells here). A field missing from a record, or null, is an empty cell,
    which the rules read as a field absent; of two spellings of one field the later wins."""
    count = len(records)
    cells = [[""] * count for _ in FIELDS]
    for row, record in enumerate(records):
        for name, value in record.items():
            column = _COLUMN.get(name.lower())
            if column is not None:
                cells[column][row] = _text(value)
    columns = {
        "rn": pa.array(range(first, first + count), pa.int64()),
        "lines": pa.array([1] * count, pa.int64()),
        **{f"c{index}": pa.array(values, pa.string()) for index, values in enumerate(cells)},
        f"c{len(FIELDS)}": pa.nulls(count, pa.string()),
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
