"""What every parser returns, and how it says a row or a file is bad.

A parser reads one landed file and returns a ParseResult: the good rows, the quarantined ones
(each with its file, row and reason), and a count of rows outside reeflow's scope. A file that
is unusable as a whole raises FileRejected; staging turns that into one quarantine row. Parsers
import this module, never the Parquet writer (ingest.staging).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ingest.landing import LandedFile

# The columns of staged/quarantine/*.parquet (dbt source `landing.quarantine`).
QUARANTINE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("file_id", pa.string()),
        ("file_name", pa.string()),
        ("row_number", pa.int64()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)


class FileRejected(Exception):
    """The whole file is unusable (wrong encoding, truncated, not the expected layout)."""


class FileTooLarge(FileRejected):
    """A file over its source kind's size limit (catalog `max_bytes`): never parsed."""


def check_size(name: str, size: int, limit: int | None, source: str) -> None:
    """Raise FileTooLarge when `size` bytes exceed the kind's `limit` (None: no limit)."""
    if limit is not None and size > limit:
        raise FileTooLarge(
            f"{name} is {describe_bytes(size)}, over the {describe_bytes(limit)} limit for "
            f"{source} files: not a file of this kind, or split it"
        )


def describe_bytes(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size} bytes"


# A quarantined row's raw text and reason are cut after this many characters (a row is under
# 1 KB; one of megabytes, or a reason quoting a column name of megabytes, is no help to read
# whole and would weigh on every reader of the quarantine table).
MAX_RAW_CHARS = 10_000
MAX_REASON_CHARS = 2_000


@dataclass(frozen=True)
class QuarantinedRow:
    """A row that could not be parsed or broke a rule: kept with its file, row and reason."""

    source: str
    file_id: str
    file_name: str
    row_number: int | None  # 1-based line or record number in the landed file
    reason: str
    raw: str  # the offending row as text, so an analyst can fix it without the file

    @classmethod
    def of(cls, landed: LandedFile, row_number: int | None, reason: str, raw: str = "") -> QuarantinedRow:
        """A bad row of `landed` (row_number None: the file as a whole, or no single row)."""
        return cls(landed.source, landed.file_id, landed.original_name, row_number,
                   _cut(reason, MAX_REASON_CHARS), _cut(raw, MAX_RAW_CHARS))

    def message(self) -> str:
        where = f"{self.file_name}" + (f" row {self.row_number}" if self.row_number else "")
        return f"{where}: {self.reason}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... (cut: {len(text):,} characters in all)"


@dataclass
class ParseResult:
    # Good rows; None when a writer has already written them to Parquet (see StageWriter).
    rows: pd.DataFrame | pa.Table | None
    quarantined: list[QuarantinedRow]
    # Rows outside reeflow's scope (e.g. trade in goods that are not rare earths): neither
    # staged nor quarantined, only counted.
    out_of_scope: int = 0
    rows_written: int | None = None  # set by a writer instead of `rows`

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.rows is not None else self.rows_written or 0


Parser = Callable[[LandedFile], ParseResult]

# A parser for files too large for a DataFrame: it writes the good rows itself to the path it
# is given (a `.part` file that staging renames into place once it holds the right schema) and
# returns the quarantine and counts with rows=None, or returns rows for staging to write.
StageWriter = Callable[[LandedFile, Path], ParseResult]
