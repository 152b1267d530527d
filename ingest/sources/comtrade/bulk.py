"""Comtrade bulk text files (CSV/TSV, maybe gzipped) -> staged rows, through DuckDB.

A year of all-country HS6 trade is about 10 million lines, of which the rare-earth lines are
about 0.1 %. Reading every line into Python is what made the record parser too slow, so here
DuckDB's CSV reader scans the file once (every column as text, each line numbered in file order;
a large plain file as line-aligned pieces read at once, see line_pieces) and only three kinds of
line leave the scan: lines in scope, lines whose cmdCode cannot be read, and lines with the
wrong number of cells. Those few are typed with TRY_CAST and checked with the record parser's
rules and reasons (rules.py); DuckDB writes the good rows to Parquet and the bad ones go
to quarantine with their record number.

Scope (what staging keeps) is `ingest.reference.hs_codes.codes_in_scope()`: the HS6 lines and whole
headings (2846) of the dbt seeds, exactly the codes dbt joins trade rows to. Everything else is
out of scope, counted and logged, neither staged nor quarantined: other commodities, the TOTAL
line, chapters (25, 26, 28, 36, 85) and the mixed headings (2530, 2612, 2805, 3606, 8505), which
Comtrade computes as sums of HS6 lines and which hold mostly goods that are not rare earths. A
numeric code longer than 6 digits (a national tariff line) is out of scope unless it starts with
a kept HS6 line, in which case it is a bad row: ours, but not stageable as an HS record.

Record numbers count data lines after the header, blank lines not counted, as the JSON path
counts records; a line DuckDB reads with too few or too many cells is a bad row whatever its
cmdCode says, since that cell may belong to another column (if most lines are, the file is
rejected: its layout is not the header's). Only the columns a staged row needs are read: a byte
that is not UTF-8 in one of them rejects the file (as the record parser did); other columns are
not looked at.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import os
import re
import tempfile
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Self

import duckdb
import pandas as pd
import pyarrow as pa

from ingest.contract import FileRejected, ParseResult, QuarantinedRow
from ingest.landing import LandedFile
from ingest.reference.hs_codes import codes_in_scope
from ingest.sources.comtrade import line_pieces
from ingest.sources.comtrade import rules as records
from ingest.sqlsafe import check_sql_path

logger = logging.getLogger(__name__)

SOURCE_FORMAT = "bulk_csv"
# 2: DuckDB path, rare-earth lines only (version 1 staged every commodity).
BULK_PARSER_VERSION = 2
# DuckDB may use this much memory before spilling to its temporary folder: the scan streams,
# only the kept lines are held, so this is a ceiling for odd files, not what a normal file uses.
MEMORY_LIMIT = "1GB"
# DuckDB's CSV buffer (None: its default, 32 MB). Its threads split the file at buffer
# boundaries; tests make it small so a small file spans many buffers.
CSV_BUFFER_BYTES: int | None = None
_MAX_HEADER_BYTES = 1 << 20
# A plain file this large is read as line-aligned pieces at once, one per core (line_pieces).
PARALLEL_MIN_BYTES = 64 << 20
# From this many lines whose cells do not match the header, if they are most of the file,
# the file is rejected as a wrong layout rather than quarantined line by line.
_MISALIGNED_FILE = 100
_DELIMITERS = "\t,|;"
# No cell reads as SQL NULL except one the reader pads onto a short line, so "cell missing"
# and "cell empty" stay apart; this string never occurs in a Comtrade file.
_NO_NULL_STRING = "\x01\x02"
_TRIM = " \t\r\n"
_HS_CODE = "[0-9]{2}|[0-9]{4}|[0-9]{6}"
_TRUE_SQL = ", ".join(f"'{value}'" for value in sorted(records.TRUE_VALUES))
_FALSE_SQL = ", ".join(f"'{value}'" for value in sorted(records.FALSE_VALUES))


@dataclass(frozen=True)
class BulkLayout:
    header: tuple[str, ...]
    delimiter: str
    gzipped: bool


@dataclass(frozen=True)
class BulkCounts:
    data_lines: int  # blank lines not counted
    out_of_scope: int
    quarantined: int
    staged: int


def read_layout(landed: LandedFile) -> BulkLayout:
    """Header names and delimiter from the first line; FileRejected if there is none."""
    with open(landed.path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    try:
        with opener(landed.path, "rb") as handle:
            first = handle.readline(_MAX_HEADER_BYTES)
    except (EOFError, OSError, zlib.error) as exc:
        raise FileRejected(f"truncated or corrupt gzip {landed.original_name}: {exc}") from exc
    try:
        line = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise FileRejected(f"{landed.original_name} is not UTF-8 (byte {exc.start})") from exc
    if not line.strip():
        raise FileRejected(f"{landed.original_name} is empty: no header row")
    delimiter = max(_DELIMITERS, key=line.count)
    header = tuple(name.strip() for name in next(csv.reader([line], delimiter=delimiter)))
    return BulkLayout(header=header, delimiter=delimiter, gzipped=gzipped)


def parse_comtrade_bulk(landed: LandedFile) -> ParseResult:
    """A bulk file as a DataFrame of staged rows (tests, small files; staging uses the writer)."""
    if _is_json(landed):  # an API response saved to disk and dropped in with bulk files
        return records.parse_comtrade_json(landed)
    with _BulkScan(landed) as scan:
        return scan.result(rows=records.frame_from_table(scan.good_rows()))


def stage_comtrade_bulk(landed: LandedFile, target: Path) -> ParseResult:
    """Staging's writer: DuckDB writes the good rows of a text file to `target` (Parquet)."""
    if _is_json(landed):
        return records.parse_comtrade_json(landed)  # small; staging writes its rows
    with _BulkScan(landed) as scan:
        scan.copy_good_rows(target)
        return scan.result(rows=None)


def _is_json(landed: LandedFile) -> bool:
    with open(landed.path, "rb") as handle:
        head = handle.read(64)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


class _BulkScan:
    """One DuckDB session over one landed file: scan, then check the kept lines."""

    def __init__(self, landed: LandedFile) -> None:
        self.landed = landed
        self.layout = read_layout(landed)
        records.check_field_names(landed, self.layout.header)
        self.sql = _SqlBuilder(self.layout)
        self._tmp = tempfile.TemporaryDirectory(prefix="reeflow-bulk-")
        self.con = duckdb.connect(
            config={
                "memory_limit": MEMORY_LIMIT,
                "temp_directory": self._tmp.name,
                # row_number() over () numbers lines in file order only with this on.
                "preserve_insertion_order": True,
            }
        )
        self.con.execute("set enable_progress_bar = false")
        self.counts: BulkCounts | None = None

    def __enter__(self) -> Self:
        try:
            self._scan()
            self._check()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.con.close()
        self._tmp.cleanup()

    def _scan(self) -> None:
        bounds = None if self.layout.gzipped else line_pieces.piece_bounds(
            Path(self.landed.path), _pieces(), PARALLEL_MIN_BYTES
        )
        if bounds is not None and self._scan_pieces(bounds):
            return
        try:
            self.con.execute(self.sql.scan_sql(skip=1, table="candidates"), [self.landed.path])
        except (duckdb.InvalidInputException, duckdb.IOException) as exc:
            raise FileRejected(_read_error(self.landed, self.layout, exc)) from exc

    def _scan_pieces(self, bounds: list[tuple[int, int]]) -> bool:
        """Scan line-aligned pieces at once; False if one failed (the whole scan then names
        the line in the file, not in a piece)."""
        with line_pieces.fed_pieces(Path(self.landed.path), bounds) as pieces:
            errors = line_pieces.run_at_once(
                [partial(self._scan_piece, piece) for piece in pieces]
            )
        if errors:
            if not all(isinstance(e, duckdb.InvalidInputException | duckdb.IOException)
                       for e in errors):
                raise errors[0]
            for piece in range(len(bounds)):
                self.con.execute(f"drop table if exists candidates_{piece}")
            return False
        # Each piece numbered its lines from 1: shift them by the lines of the pieces before.
        selects, offset = [], 0
        for piece in range(len(bounds)):
            selects.append(
                f"select rn + {offset} as rn, * exclude (rn) from candidates_{piece}"
            )
            offset += self.con.execute(
                f"select coalesce(sum(lines), 0) from candidates_{piece}"
            ).fetchall()[0][0]
        self.con.execute(f"create table candidates as {' union all '.join(selects)}")
        return True

    def _scan_piece(self, piece: line_pieces.Piece) -> None:
        cursor = self.con.cursor()  # its own connection to the same database: runs alongside
        try:
            cursor.execute("set enable_progress_bar = false")
            cursor.execute(
                self.sql.scan_sql(skip=1 if piece.index == 0 else 0,
                                  table=f"candidates_{piece.index}"),
                [piece.path],
            )
        finally:
            cursor.close()

    def _check(self) -> None:
        self.con.execute(self.sql.check_sql())
        data_lines, out_of_scope, quarantined, staged, misaligned = self.con.execute(
            """
            select
                (select coalesce(sum(lines), 0) from candidates) - count(*) filter (kind = 'blank'),
                (select coalesce(sum(lines), 0) from candidates where rn is null)
                    + count(*) filter (kind = 'out_of_scope'),
                count(*) filter (reason is not null),
                count(*) filter (kind = 'in_scope' and reason is null),
                count(*) filter (kind = 'misaligned')
            from checked
            """
        ).fetchall()[0]
        if misaligned >= _MISALIGNED_FILE and misaligned > data_lines / 2:
            # Not a few cut lines but a layout the header does not describe (wrong delimiter,
            # a column missing from the header): millions of quarantine rows would say less.
            raise FileRejected(
                f"{self.landed.original_name}: {misaligned} of {data_lines} lines do not have "
                f"the header's {len(self.layout.header)} cells (wrong delimiter or layout)"
            )
        self.counts = BulkCounts(data_lines, out_of_scope, quarantined, staged)
        logger.info(
            "%s: %d records, %d staged, %d quarantined, %d out of scope (not rare-earth lines)",
            self.landed.original_name, data_lines, staged, quarantined, out_of_scope,
        )

    def copy_good_rows(self, target: Path) -> None:
        rows = self.sql.typed_sql(self.landed)
        self.con.execute(f"copy ({rows}) to '{check_sql_path(target)}' (format parquet)")

    def good_rows(self) -> pa.Table:
        return self.con.sql(self.sql.typed_sql(self.landed)).to_arrow_table()

    def quarantined(self) -> list[QuarantinedRow]:
        rows = self.con.execute(
            "select record_number, reason, cells from checked where reason is not null "
            "order by record_number"
        ).fetchall()
        names = self.sql.read_names
        return [
            # as the record parser keeps a bad record: its fields as JSON
            QuarantinedRow.of(self.landed, record_number, reason,
                              json.dumps(dict(zip(names, cells, strict=True)), ensure_ascii=False))
            for record_number, reason, cells in rows
        ]

    def result(self, rows: pd.DataFrame | None) -> ParseResult:
        assert self.counts is not None
        return ParseResult(
            rows=rows,
            quarantined=self.quarantined(),
            out_of_scope=self.counts.out_of_scope,
            rows_written=None if rows is not None else self.counts.staged,
        )


def _pieces() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _read_error(landed: LandedFile, layout: BulkLayout, exc: duckdb.Error) -> str:
    message = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", message)
    where = f" (line {line[1]})" if line else ""
    if "unicode" in message.lower():
        return f"{landed.original_name} is not UTF-8{where}"
    if layout.gzipped and isinstance(exc, duckdb.IOException):
        return f"truncated or corrupt gzip {landed.original_name}: {message.splitlines()[0]}"
    return f"{landed.original_name} cannot be read as delimited text{where}: {message.splitlines()[0]}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _repr(value_sql: str) -> str:
    """SQL for Python's repr of a stripped text value: 'text' or None (as the record parser says)."""
    return f"coalesce('''' || {value_sql} || '''', 'None')"


class _SqlBuilder:
    """The SQL of one file layout. Columns are c0..c{n-1} in header order, c{n} catches extras."""

    def __init__(self, layout: BulkLayout) -> None:
        self.layout = layout
        self.width = len(layout.header)
        # Lower-cased field -> column; a repeated name keeps its last column, as the record
        # parser's dict does.
        self.column = {name.lower(): f"c{i}" for i, name in enumerate(layout.header)}
        # Only the columns a staged row needs leave the reader (DuckDB then skips building the
        # others, a fifth of the scan), plus the last one, which is NULL on a short line.
        wanted = {self.column[field] for field in _FIELDS_READ if field in self.column}
        self.read = [f"c{i}" for i in range(self.width) if f"c{i}" in wanted]
        if f"c{self.width - 1}" not in wanted:
            self.read.append(f"c{self.width - 1}")
        self.read_names = [layout.header[int(c[1:])] for c in self.read]
        self.last = f"c{self.width - 1}"
        self.overflow = f"c{self.width}"
        self.codes = ", ".join(_literal(code) for code in sorted(codes_in_scope()))

    # -- the one pass over the file -------------------------------------------------------
    def scan_sql(self, *, skip: int, table: str) -> str:
        """The scan into `table`; the file's path is its one parameter."""
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(self.width + 1))
        options = ", ".join(
            [
                "header = false",
                f"skip = {skip}",
                "auto_detect = false",
                f"columns = {{{columns}}}",
                f"delim = {_literal(self.layout.delimiter)}",
                "quote = '\"'",
                "escape = '\"'",
                f"nullstr = {_literal(_NO_NULL_STRING)}",
                # Short lines are padded with NULL and long ones cut after c{n}: both are
                # then seen and quarantined instead of failing the whole file.
                "null_padding = true",
                "strict_mode = false",
                f"compression = '{'gzip' if self.layout.gzipped else 'none'}'",
            ]
            + ([f"buffer_size = {CSV_BUFFER_BYTES}"] if CSV_BUFFER_BYTES else [])
        )
        cmd = self.column["cmdcode"]
        # A line leaves the scan if it is in scope or cannot be classified cheaply; the rest
        # (valid codes of other goods) are only counted, in the one NULL group.
        keep = (
            f"{cmd} in ({self.codes})"
            f" or not regexp_full_match(coalesce({cmd}, ''), '{_HS_CODE}|TOTAL')"
            f" or {self.last} is null or {self.overflow} is not null"
        )
        cells = ", ".join(f"any_value({c}) as {c}" for c in [*self.read, self.overflow])
        return f"""
        create table {table} as
        select case when {keep} then rn end as rn, count(*) as lines, {cells}
        from (select *, row_number() over () as rn from read_csv(?, {options}))
        group by 1
        """

    # -- the kept lines: classify, renumber, check --------------------------------------------
    def _value(self, field: str) -> str:
        column = self.column.get(field.lower())
        return f"h{column[1:]}" if column else "cast(null as varchar)"

    def check_sql(self) -> str:
        trimmed = ", ".join(
            f"nullif(trim({c}, {_literal(_TRIM)}), '') as h{c[1:]}" for c in self.read
        )
        all_cells = ", ".join([*(f"h{c[1:]}" for c in self.read), "overflow"])
        cells = ", ".join(f"h{c[1:]}" for c in self.read)
        numbers = ", ".join(
            f"try_cast(replace({self._value(field)}, ',', '') as double) as d_{field.lower()}"
            for field in _NUMERIC_FIELDS
        )
        cmd = self._value("cmdCode")
        return f"""
        create table checked as
        with kept as (
            select rn, {trimmed},
                   nullif(trim({self.overflow}, {_literal(_TRIM)}), '') as overflow,
                   {self.last} is null or {self.overflow} is not null as misaligned,
                   {self.overflow} is not null as too_many
            from candidates where rn is not null
        ),
        classified as (
            -- the fields reeflow reads, as text: what an analyst needs to fix the line
            select *, [{cells}] as cells,
                   case
                       when coalesce({all_cells}) is null then 'blank'
                       when misaligned then 'misaligned'
                       when {cmd} in ({self.codes}) then 'in_scope'
                       when regexp_full_match({cmd}, '{_HS_CODE}') or upper({cmd}) = 'TOTAL'
                           then 'out_of_scope'
                       when regexp_full_match({cmd}, '[0-9]{{7,}}')
                           and left({cmd}, 6) in ({self.codes})
                           then 'bad_code'
                       when regexp_full_match({cmd}, '[0-9]+') then 'out_of_scope'
                       else 'bad_code'
                   end as kind
            from kept
        ),
        numbered as (
            -- blank lines do not count as records (the record parser skips them too)
            select *, rn - count(*) filter (kind = 'blank') over (order by rn) as record_number,
                   {numbers}
            from classified
        )
        select *,
               case when kind in ('misaligned', 'bad_code', 'in_scope') then {self._reason()} end
                   as reason
        from numbered
        """

    def _reason(self) -> str:
        """The first rule a line breaks, in the record parser's order (cmdCode first: scope)."""
        width = self.width
        rules: list[tuple[str, str]] = [
            (
                "misaligned",
                (
                    f"case when too_many then 'more' else 'fewer' end"
                    f" || ' than {width} cells for {width} header fields: a shifted or cut line'"
                ),
            ),
            (
                "kind = 'bad_code'",
                (
                    f"'cmdCode ' || {_repr(self._value('cmdCode'))}"
                    " || ' is not a numeric HS code (2, 4 or 6 digits)'"
                ),
            ),
        ]
        rules += self._integer_rules("reporterCode")
        rules.append((f"{self._value('reporterCode')} is null", "'missing reporterCode'"))
        for field in records.INT_FIELDS.values():
            rules += self._integer_rules(field)
        rules.append((f"{self._value('partnerCode')} is null", "'missing partnerCode'"))
        flow = self._value("flowCode")
        flows = ", ".join(_literal(code) for code in sorted(records.FLOW_CODES))
        rules.append(
            (f"{flow} is null or upper({flow}) not in ({flows})",
             f"'unknown flowCode ' || {_repr(flow)}")
        )
        period = self._value("period")
        rules.append(
            (f"not regexp_full_match(coalesce({period}, ''), '[0-9]{{4}}([0-9]{{2}})?')",
             f"'period ' || {_repr(period)} || ' is not YYYY or YYYYMM'")
        )
        rules += self._integer_rules("refYear") + self._integer_rules("refMonth")
        for field, may_be_negative in records.MEASURES.values():
            rules += self._number_rules(field)
            if not may_be_negative:
                number = f"d_{field.lower()}"
                rules.append((f"{number} < 0", f"'negative {field} ' || printf('%g', {number})"))
        for field in records.FLAGS.values():
            value = self._value(field)
            rules.append(
                (f"{value} is not null and lower({value}) not in ({_TRUE_SQL}, {_FALSE_SQL})",
                 f"'{field} ' || {_repr(value)} || ' is not true/false'")
            )
        whens = "\n".join(f"when {condition} then {message}" for condition, message in rules)
        return f"case {whens} end"

    def _number_rules(self, field: str) -> list[tuple[str, str]]:
        value, number = self._value(field), f"d_{field.lower()}"
        return [(f"{value} is not null and {number} is null",
                 f"'{field} ' || {_repr(value)} || ' is not a number'")]

    def _integer_rules(self, field: str) -> list[tuple[str, str]]:
        value, number = self._value(field), f"d_{field.lower()}"
        return self._number_rules(field) + [
            (f"{number} <> trunc({number})", f"'{field} ' || {_repr(value)} || ' is not a whole number'"),
            (f"{number} is not null and try_cast({number} as integer) is null",
             f"'{field} ' || {_repr(value)} || ' is out of range'"),
        ]

    # -- the staged rows ---------------------------------------------------------------------
    def typed_sql(self, landed: LandedFile) -> str:
        sample = "true" if records.is_sample_file(landed) else "false"
        period = self._value("period")

        def integer(field: str) -> str:
            return f"try_cast(d_{field.lower()} as integer)"

        def flag(field: str) -> str:
            value = self._value(field)
            return (f"case when lower({value}) in ({_TRUE_SQL}) then true "
                    f"when lower({value}) in ({_FALSE_SQL}) then false end")

        columns = {
            "file_id": _literal(landed.file_id),
            "record_number": "record_number",
            "source_format": _literal(SOURCE_FORMAT),
            **{column: self._value(field) for column, field in records.STRING_FIELDS.items()},
            "period": period,
            "ref_year": f"coalesce(nullif({integer('refYear')}, 0), try_cast(left({period}, 4) as integer))",
            "ref_month": (
                f"coalesce({integer('refMonth')}, case when length({period}) = 6 "
                f"then try_cast(right({period}, 2) as integer) else {records.ANNUAL_REF_MONTH} end)"
            ),
            "reporter_code": integer("reporterCode"),
            **{column: integer(field) for column, field in records.INT_FIELDS.items()},
            "flow_code": f"upper({self._value('flowCode')})",
            "cmd_code": self._value("cmdCode"),
            **{column: f"d_{field.lower()}" for column, (field, _) in records.MEASURES.items()},
            **{column: flag(field) for column, field in records.FLAGS.items()},
            "is_sample": sample,
        }
        select = ",\n".join(
            f"cast({columns[field.name]} as {_DUCKDB_TYPES[field.type]}) as {field.name}"
            for field in records.COMTRADE_SCHEMA
        )
        return (f"select {select}\nfrom checked where kind = 'in_scope' and reason is null "
                "order by record_number")


_FIELDS_READ = {
    field.lower()
    for field in (
        "reporterCode", "flowCode", "cmdCode", "period", "refYear", "refMonth",
        *records.STRING_FIELDS.values(), *records.INT_FIELDS.values(),
        *(field for field, _ in records.MEASURES.values()), *records.FLAGS.values(),
    )
}
_NUMERIC_FIELDS = (
    "reporterCode", *records.INT_FIELDS.values(), "refYear", "refMonth",
    *(field for field, _ in records.MEASURES.values()),
)
_DUCKDB_TYPES = {
    pa.string(): "varchar",
    pa.int64(): "bigint",
    pa.int32(): "integer",
    pa.float64(): "double",
    pa.bool_(): "boolean",
}
