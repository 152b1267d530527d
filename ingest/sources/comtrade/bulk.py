"""Comtrade bulk text files (CSV/TSV, maybe gzipped) -> staged rows, through DuckDB.

A year of all-country HS6 trade is about 10 million lines, of which the rare-earth lines are
about 0.1 %. Reading every line into Python is what made the record parser too slow, so here
DuckDB's CSV reader scans the file once (every column as text, each line numbered in file order;
a large plain file without quotes or over-long lines as line-aligned pieces read at once, see
line_pieces) and only three kinds of
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
other columns are not looked at. A line over MAX_LINE_BYTES (a garbled cell of megabytes) is
quarantined naming its size, and the rest of the file is read (long_lines, stand_ins).
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import os
import re
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO, Self

import duckdb

from ingest import duckdb_session
from ingest.contract import FileRejected, ParseResult
from ingest.landing import LandedFile
from ingest.parsing.textfiles import over_long_cell
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
from ingest.sources.comtrade.stand_ins import StandIns

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
# What reading a damaged gzip raises (BadGzipFile is an OSError).
_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


@dataclass(frozen=True)
class BulkLayout:
    header: tuple[str, ...]
    delimiter: str
    gzipped: bool


def read_layout(landed: LandedFile) -> BulkLayout:
    """Header names and delimiter from the first line; FileRejected if there is none."""
    with open(landed.path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    try:
        with _open_bytes(landed.path, gzipped) as handle:
            first = handle.readline(_MAX_HEADER_BYTES)
    except (*_GZIP_ERRORS, OSError) as exc:
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


def _open_bytes(path: str | Path, gzipped: bool) -> BinaryIO:
    """The file's bytes, unpacked if it is gzipped."""
    return gzip.open(path, "rb") if gzipped else open(path, "rb")  # the caller closes it


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
        self.stand_ins = StandIns(self.sql, self.layout.delimiter, MAX_LINE_BYTES)

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
        misaligned = sum(1 for row in _rows_or_none(cells)
                         if row is None or len(row) != width or over_long_cell(row))
        check_alignment(self.landed, misaligned, len(lines), width, first=True)

    def _scan(self) -> None:
        try:
            self._scan_file(Path(self.landed.path))
        except _READ_ERRORS as exc:
            raise FileRejected(_read_error(self.landed, exc)) from exc

    def _scan_file(self, path: Path) -> None:
        """DuckDB reads the file itself (a large plain file in pieces at once, if it can be cut)
        unless it has a line too long for DuckDB: then a stream with those lines set aside."""
        found = self._survey(path)
        if found is long_lines.Survey.CUTTABLE:
            bounds = line_pieces.piece_bounds(path, _pieces(), PARALLEL_MIN_BYTES)
            if bounds is not None:
                try:
                    self._scan_pieces(bounds)
                except _READ_ERRORS:
                    self._scan_whole(path)  # fails again, naming the line in the file
                return
        if found is long_lines.Survey.LONG_LINE:
            self._scan_without_long_lines()
            return
        try:
            self._scan_whole(path)
        except (*_READ_ERRORS, duckdb.OutOfMemoryException):
            if not self._has_long_line():  # DuckDB's own reason stands
                raise
            self._scan_without_long_lines()

    def _survey(self, path: Path) -> long_lines.Survey | None:
        """What a read of a large plain file finds (None: not read, the file is read whole)."""
        if not line_pieces.may_cut(path, _pieces(), PARALLEL_MIN_BYTES):
            return None
        with open(path, "rb") as handle:
            return long_lines.survey(handle, MAX_LINE_BYTES)

    def _has_long_line(self) -> bool:
        try:
            with _open_bytes(self.landed.path, self.layout.gzipped) as source:
                return long_lines.has_long_line(source, MAX_LINE_BYTES)
        except _GZIP_ERRORS:
            return False

    def _scan_whole(self, path: str | Path, layout: BulkLayout | None = None) -> None:
        self.con.execute(_scan_sql(layout or self.layout, self.sql, skip=1, table="candidates"),
                         [str(path)])

    def _scan_without_long_lines(self) -> None:
        """The file as one plain stream through a FIFO, each over-long line a stand-in."""
        failed = None
        with line_pieces.fed_fifos([self._feed_stream], duckdb_session.scratch_dir()) as [fifo]:
            try:
                self._scan_whole(fifo.path, dataclasses.replace(self.layout, gzipped=False))
            except duckdb.Error as exc:
                failed = exc  # unless the feed failed first: fed_fifos then raises its error
        if failed is not None:
            raise failed

    def _feed_stream(self, pipe: BinaryIO) -> None:
        name = self.landed.original_name
        try:
            with _open_bytes(self.landed.path, self.layout.gzipped) as source:
                self.stand_ins.replaced = long_lines.copy_without_long_lines(
                    source, pipe, MAX_LINE_BYTES, self.stand_ins.line)
        except long_lines.QuotedLongLine as exc:
            line = exc.long_line
            raise FileRejected(
                f"{name}: line {line.line} is {line.size:,} bytes, over the {MAX_LINE_BYTES:,} a "
                "bulk line may hold, in a file with quoted cells (a quoted cell may hold a line "
                "break, so the line cannot be set aside alone)") from None
        except _GZIP_ERRORS as exc:
            raise FileRejected(f"truncated or corrupt gzip {name}: {exc}") from exc

    def raw_text(self, rn: int, cells: list[str | None]) -> str:
        """A quarantined record as text: a long line's start and size, else its cells."""
        line = self.stand_ins.long_line(cells)
        return self.checked.cells_as_json(rn, cells) if line is None else self.stand_ins.raw_text(line)

    def _scan_pieces(self, bounds: list[tuple[int, int]]) -> None:
        """Scan line-aligned pieces at once into `candidates` (the file holds no quote and no
        line over MAX_LINE_BYTES)."""
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
                          table=f"candidates_{piece.index}", surveyed=True),
                [piece.path],
            )
        finally:
            cursor.close()


def _head_lines(landed: LandedFile, layout: BulkLayout) -> list[str]:
    """The non-blank data lines of the file's first HEAD_BYTES (a cut last line left out)."""
    try:
        with _open_bytes(landed.path, layout.gzipped) as handle:
            handle.readline(_MAX_HEADER_BYTES)
            head = handle.read(HEAD_BYTES)
            complete = len(head) < HEAD_BYTES
    except (*_GZIP_ERRORS, OSError):
        return []  # the scan reports a damaged gzip with its own words
    lines = head.decode("utf-8", "replace").splitlines()
    if not complete and lines:
        lines.pop()
    return [line for line in lines if line.strip()]


def _rows_or_none(rows):
    """Each row of a csv reader, None for a line it cannot read."""
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


def _scan_sql(layout: BulkLayout, sql: RecordSql, *, skip: int, table: str,
              surveyed: bool = False) -> str:
    """The one pass over the file into `table` (rules.py's `candidates` layout); the file's
    path is its one parameter. `surveyed`: known to hold no line over MAX_LINE_BYTES."""
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
        ]
        # DuckDB 2.0.1's parallel reader drops a last line longer than its buffer without a
        # word; one thread refuses the file instead, and the lines too long are then set aside
        # (row_number() numbers lines in one thread anyway; a surveyed piece has no such line,
        # and its parallel reader took 0.2-0.4 s less CPU on a bulk year).
        + ([] if surveyed else ["parallel = false"])
        # A line over ours fails the read, and is then set aside whichever path read the file.
        # (DuckDB wants its buffer larger than the line limit: a test's small buffer keeps its
        # default limit.)
        + ([f"buffer_size = {CSV_BUFFER_BYTES}"] if CSV_BUFFER_BYTES
           else [f"max_line_size = {MAX_LINE_BYTES}"])
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
