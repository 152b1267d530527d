"""Comtrade bulk text files (CSV/TSV, maybe gzipped) -> staged rows, through DuckDB.

A year of all-country HS6 trade is about 10 million lines, of which the rare-earth lines are
about 0.1 %. Reading every line into Python is what made the record parser too slow, so here
DuckDB's CSV reader scans the file once (every column as text, each line numbered in file order;
a large plain file as line-aligned pieces read at once, see line_pieces) and only three kinds of
line leave the scan: lines in scope, lines whose cmdCode cannot be read, and lines with the
wrong number of cells. Those few are checked and typed by the rule set the API path uses too
(rules.py); DuckDB writes the good rows to Parquet and the bad ones go to quarantine with their
record number.

Scope (what staging keeps) is `ingest.reference.hs_codes.codes_in_scope()`: the HS6 lines and whole
headings (2846) of the dbt seeds, exactly the codes dbt joins trade rows to. Everything else is
out of scope, counted and logged, neither staged nor quarantined: other commodities, the TOTAL
line, chapters (25, 26, 28, 36, 85) and the mixed headings (2530, 2612, 2805, 3606, 8505), which
Comtrade computes as sums of HS6 lines and which hold mostly goods that are not rare earths. A
numeric code longer than 6 digits (a national tariff line) is out of scope unless it starts with
a kept HS6 line, in which case it is a bad row: ours, but not stageable as an HS record.

Record numbers count data lines after the header, blank lines not counted; a line DuckDB reads
with too few or too many cells is a bad row whatever its cmdCode says, since that cell may belong
to another column (if most lines are, the file is rejected: its layout is not the header's). Only
the columns a staged row needs are read: a byte that is not UTF-8 in one of them rejects the file;
other columns are not looked at. A line too long for DuckDB's reader (a garbled cell of
megabytes) never reaches it: it is quarantined naming its size, and the rest of the file is read
(long_lines).
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
import os
import re
import secrets
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO, Self

import duckdb

from ingest import duckdb_session
from ingest.contract import FileRejected, ParseResult
from ingest.landing import LandedFile
from ingest.reference.hs_codes import codes_in_scope
from ingest.sources.comtrade import line_pieces, long_lines
from ingest.sources.comtrade.api import parse_comtrade_json, stage_comtrade_json
from ingest.sources.comtrade.rules import (
    CheckedRecords,
    HsScope,
    RecordSql,
    check_alignment,
    check_field_names,
    sql_literal,
)

SOURCE_FORMAT = "bulk_csv"
# A year of every reporter's HS6 trade is 1-3 GiB of text; DuckDB streams it, so the limit only
# refuses what cannot be a bulk file. An API answer saved as a bulk file has the API's limit.
MAX_BULK_BYTES = 32 << 30
# 2: DuckDB path, rare-earth lines only (version 1 staged every commodity).
# 3: rules.py quarantines negative values, years, months and classifications out of range.
BULK_PARSER_VERSION = 3
# DuckDB's CSV buffer (None: its default, 32 MB). Its threads split the file at buffer
# boundaries; tests make it small so a small file spans many buffers.
CSV_BUFFER_BYTES: int | None = None
_MAX_HEADER_BYTES = 1 << 20
# A plain file this large is read as line-aligned pieces at once, one per core (line_pieces).
PARALLEL_MIN_BYTES = 64 << 20
# The first lines looked at before the scan: a file most of whose first lines miss the layout is
# rejected at once (1 MiB holds some 7,000 lines of a bulk file).
HEAD_BYTES = 1 << 20
_DELIMITERS = "\t,|;"
# No cell reads as SQL NULL except one the reader pads onto a short line, so "cell missing"
# and "cell empty" stay apart; this string never occurs in a Comtrade file.
_NO_NULL_STRING = "\x01\x02"
# A line longer than this is quarantined unread (a Comtrade line is under 1 KB); below DuckDB's
# own line limit (2 MB).
MAX_LINE_BYTES = 1 << 20
# What DuckDB raises when it cannot read a file as the delimited text described.
_READ_ERRORS = (duckdb.InvalidInputException, duckdb.IOException, duckdb.NotImplementedException)


@dataclass(frozen=True)
class BulkLayout:
    header: tuple[str, ...]
    delimiter: str
    gzipped: bool


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
        return parse_comtrade_json(landed)
    with _BulkScan(landed) as scan:
        return scan.checked.result(scan.checked.good_rows(), scan.raw_text)


def stage_comtrade_bulk(landed: LandedFile, target: Path) -> ParseResult:
    """Staging's writer: DuckDB writes the good rows of a text file to `target` (Parquet)."""
    if _is_json(landed):
        return stage_comtrade_json(landed, target)
    with _BulkScan(landed) as scan:
        scan.checked.copy_good_rows(target)
        return scan.checked.result(None, scan.raw_text)


def _is_json(landed: LandedFile) -> bool:
    with open(landed.path, "rb") as handle:
        head = handle.read(64)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


class _BulkScan:
    """One DuckDB session over one landed file: scan, then check the kept lines."""

    def __init__(self, landed: LandedFile) -> None:
        self.landed = landed
        self.layout = read_layout(landed)
        check_field_names(landed, self.layout.header)
        self.sql = RecordSql(self.layout.header, HsScope(codes_in_scope()))
        # row_number() over () numbers lines in file order only with preserve_insertion_order.
        self.con = duckdb_session.connect(preserve_insertion_order=True)
        self.checked: CheckedRecords | None = None
        self.stand_ins = _StandIns(self.sql, self.layout.delimiter)

    def __enter__(self) -> Self:
        try:
            self._check_head()
            try:
                self._scan()
            except duckdb.OutOfMemoryException:
                raise FileRejected(
                    f"{self.landed.original_name}: its scan needs more than the "
                    f"{duckdb_session.memory_limit()} DuckDB may use (REEFLOW_DUCKDB_MEMORY_LIMIT): "
                    "a scan keeps only the rare-earth lines and the lines that miss the layout, "
                    "so this file holds millions of those"
                ) from None
            self.checked = CheckedRecords(self.con, self.sql, self.landed, SOURCE_FORMAT)
            self.stand_ins.reword(self.con)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.con.close()

    def _check_head(self) -> None:
        """Reject in a second, not after a scan of the whole file, a file whose first lines
        mostly miss the header's layout (a valid header over noise or another table)."""
        lines = _head_lines(self.landed, self.layout)
        width = len(self.layout.header)
        cells = csv.reader(lines, delimiter=self.layout.delimiter, quotechar='"', doublequote=True)
        misaligned = sum(1 for row in _rows_or_none(cells) if row is None or len(row) != width)
        check_alignment(self.landed, misaligned, len(lines), width, first=True)

    def _scan(self) -> None:
        try:
            if self._scan_directly():
                return
        except _READ_ERRORS:
            pass  # DuckDB refused the file
        except duckdb.OutOfMemoryException:
            if not self._has_long_line():  # millions of lines kept: __enter__ says so
                raise
        # A stream with the lines too long for DuckDB set aside: the rest of the file is read,
        # or it fails again, naming the line in the file (not in a piece).
        try:
            self._scan_without_long_lines()
        except _READ_ERRORS as exc:
            raise FileRejected(_read_error(self.landed, exc)) from exc

    def _scan_directly(self) -> bool:
        """DuckDB reads the file itself: a large plain one as pieces at once if it can be cut
        (no quote, no over-long line), any other whole. False: a large file that cannot be cut,
        to be read as a stream."""
        path = Path(self.landed.path)
        if self.layout.gzipped or _pieces() < 2 or os.path.getsize(path) < PARALLEL_MIN_BYTES:
            self._scan_whole(path, self.layout)
            return True
        with open(path, "rb") as handle:
            if not long_lines.cuttable(handle, MAX_LINE_BYTES):
                return False
        bounds = line_pieces.piece_bounds(path, _pieces(), PARALLEL_MIN_BYTES)
        if bounds is None:  # no FIFOs here
            self._scan_whole(path, self.layout)
        else:
            self._scan_pieces(bounds)
        return True

    def _has_long_line(self) -> bool:
        opener = gzip.open if self.layout.gzipped else open
        try:
            with opener(self.landed.path, "rb") as source:
                return long_lines.has_long_line(source, MAX_LINE_BYTES)
        except (EOFError, zlib.error, gzip.BadGzipFile):
            return False

    def _scan_whole(self, path: str | Path, layout: BulkLayout) -> None:
        self.con.execute(_scan_sql(layout, self.sql, skip=1, table="candidates"), [str(path)])

    def _scan_without_long_lines(self) -> None:
        """The file as one plain stream through a FIFO, each over-long line a stand-in."""
        failed = None
        with line_pieces.fed_fifos([self._feed_stream], duckdb_session.scratch_dir()) as [fifo]:
            try:
                self._scan_whole(fifo.path, dataclasses.replace(self.layout, gzipped=False))
            except _READ_ERRORS as exc:
                failed = exc  # unless the feed failed first: fed_fifos then raises its error
        if failed is not None:
            raise failed

    def _feed_stream(self, pipe: BinaryIO) -> None:
        name = self.landed.original_name
        opener = gzip.open if self.layout.gzipped else open
        try:
            with opener(self.landed.path, "rb") as source:
                self.stand_ins.replaced = long_lines.copy_without_long_lines(
                    source, pipe, MAX_LINE_BYTES, self.stand_ins.line)
        except long_lines.QuotedLongLine as exc:
            line = exc.long_line
            raise FileRejected(
                f"{name}: line {line.line} is {line.size:,} bytes, over the {MAX_LINE_BYTES:,} a "
                "bulk line may hold, in a file with quoted cells (a quoted cell may hold a line "
                "break, so the line cannot be set aside alone)") from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise FileRejected(f"truncated or corrupt gzip {name}: {exc}") from exc

    def raw_text(self, rn: int, cells: list[str | None]) -> str:
        """A quarantined record as text: a long line's start and size, else its cells."""
        line = self.stand_ins.long_line(cells)
        if line is None:
            return self.checked.cells_as_json(rn, cells)
        return json.dumps({"line_start": line.preview.decode("utf-8", "replace"),
                           "line_bytes": line.size}, ensure_ascii=False)

    def _scan_pieces(self, bounds: list[tuple[int, int]]) -> None:
        """Scan line-aligned pieces at once into `candidates`."""
        with line_pieces.fed_pieces(Path(self.landed.path), bounds,
                                    duckdb_session.scratch_dir()) as pieces:
            errors = line_pieces.run_at_once(
                [partial(self._scan_piece, piece) for piece in pieces]
            )
        if errors:
            for piece in range(len(bounds)):
                self.con.execute(f"drop table if exists candidates_{piece}")
            raise errors[0]
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

    def _scan_piece(self, piece: line_pieces.Piece) -> None:
        cursor = self.con.cursor()  # its own connection to the same database: runs alongside
        try:
            cursor.execute("set enable_progress_bar = false")
            cursor.execute(
                _scan_sql(self.layout, self.sql, skip=1 if piece.index == 0 else 0,
                                  table=f"candidates_{piece.index}"),
                [piece.path],
            )
        finally:
            cursor.close()


class _StandIns:
    """Lines too long to read, each replaced in the scanned copy by a stand-in: a line of empty
    cells whose cmdCode is a random marker and the line's index (no line of the file can pass
    for one). A stand-in breaks the cmdCode rule; its reason is then reworded to its size."""

    def __init__(self, sql: RecordSql, delimiter: str) -> None:
        self.replaced: list[long_lines.LongLine] = []
        self.marker = f"reeflow-long-line-{secrets.token_hex(8)}-"
        self._width, self._delimiter = sql.width, delimiter
        self._cmd = sql.column["cmdcode"]  # c<i>: its cell in the line, h<i> trimmed in `checked`
        self._cmd_read = sql.read.index(self._cmd)  # its place in `checked.cells`

    def line(self, index: int) -> bytes:
        cells = [""] * self._width
        cells[int(self._cmd[1:])] = f"{self.marker}{index}"
        return self._delimiter.join(cells).encode()

    def long_line(self, cells: list[str | None]) -> long_lines.LongLine | None:
        code = cells[self._cmd_read] or ""
        if not (self.replaced and code.startswith(self.marker)):
            return None
        return self.replaced[int(code.removeprefix(self.marker))]

    def reword(self, con: duckdb.DuckDBPyConnection) -> None:
        if not self.replaced:
            return
        con.execute("create temp table long_line_reasons (code varchar, reason varchar)")
        con.executemany(
            "insert into long_line_reasons values (?, ?)",
            [(f"{self.marker}{index}",
              f"a line of {line.size:,} bytes, over the {MAX_LINE_BYTES:,} a bulk line may hold "
              "(a Comtrade line is under 1 KB): not read")
             for index, line in enumerate(self.replaced)],
        )
        con.execute(f"update checked set reason = long_line_reasons.reason from long_line_reasons "
                    f"where checked.h{self._cmd[1:]} = long_line_reasons.code")


def _head_lines(landed: LandedFile, layout: BulkLayout) -> list[str]:
    """The non-blank data lines of the file's first HEAD_BYTES (a cut last line left out)."""
    opener = gzip.open if layout.gzipped else open
    try:
        with opener(landed.path, "rb") as handle:
            handle.readline(_MAX_HEADER_BYTES)
            head = handle.read(HEAD_BYTES)
            complete = len(head) < HEAD_BYTES
    except (EOFError, OSError, zlib.error):
        return []  # the scan reports a damaged gzip with its own words
    lines = head.decode("utf-8", "replace").splitlines()
    if not complete and lines:
        lines.pop()
    return [line for line in lines if line.strip()]


def _rows_or_none(rows):
    """Each row of a csv reader, None for a line it cannot read (a cell over its size limit)."""
    while True:
        try:
            yield next(rows)
        except StopIteration:
            return
        except csv.Error:
            yield None


def _pieces() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _read_error(landed: LandedFile, exc: duckdb.Error) -> str:
    message = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", message)
    where = f" (line {line[1]})" if line else ""
    if "unicode" in message.lower():
        return f"{landed.original_name} is not UTF-8{where}"
    if isinstance(exc, duckdb.IOException) and "gzip" in message.lower():
        return f"truncated or corrupt gzip {landed.original_name}: {message.splitlines()[0]}"
    return f"{landed.original_name} cannot be read as delimited text{where}: {message.splitlines()[0]}"


def _scan_sql(layout: BulkLayout, sql: RecordSql, *, skip: int, table: str) -> str:
    """The one pass over the file into `table` (rules.py's `candidates` layout); the file's
    path is its one parameter."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(sql.width + 1))
    options = ", ".join(
        [
            "header = false",
            f"skip = {skip}",
            "auto_detect = false",
            f"columns = {{{columns}}}",
            f"delim = {sql_literal(layout.delimiter)}",
            "quote = '\"'",
            "escape = '\"'",
            f"nullstr = {sql_literal(_NO_NULL_STRING)}",
            # Short lines are padded with NULL and long ones cut after c{n}: both are
            # then seen and quarantined instead of failing the whole file.
            "null_padding = true",
            "strict_mode = false",
            f"compression = '{'gzip' if layout.gzipped else 'none'}'",
            # One thread reads (row_number() numbers lines in one anyway). DuckDB 2.0.1's
            # parallel reader drops a last line longer than its buffer without a word; this
            # one refuses the file, and the lines too long for it are then set aside.
            "parallel = false",
        ]
        + ([f"buffer_size = {CSV_BUFFER_BYTES}"] if CSV_BUFFER_BYTES else [])
    )
    # A line leaves the scan if it may be in scope or cannot be classified cheaply; the rest
    # (valid codes of other goods) are only counted, in the one NULL group.
    keep = (f"({sql.scope.may_matter(sql.raw_cmd())})"
            f" or {sql.last} is null or {sql.overflow} is not null")
    cells = ", ".join(f"any_value({c}) as {c}" for c in [*sql.read, sql.overflow])
    return f"""
    create table {table} as
    select case when {keep} then rn end as rn, count(*) as lines, {cells}
    from (select *, row_number() over () as rn from read_csv(?, {options}))
    group by 1
    """
