"""Reading a landed delimited-text file, with whole-file checks before a parser reads its rows.

A file that is damaged as a whole is rejected as a whole (FileRejected, quarantined with its
name and the reason) rather than half-loaded: an interrupted download or copy leaves a file cut
in the middle of a record, and a binary or UTF-16 file read as text is full of NUL characters
or is not text in the expected encoding at all. Every CSV parser reads its file through
`read_text`, so each gets the same checks and the same messages.

One row is not the file: a cell of megabytes (a paste gone wrong) quarantines its row
(`over_long_cell`), and the file's other rows are read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from ingest.contract import FileRejected
from ingest.landing import LandedFile

# A cell longer than this is no typed figure or name (those are under 1 KB): its row is
# quarantined unread. It is the limit at which Python's csv module used to fail the whole read.
MAX_CELL_CHARS = 131_072


def read_text(
    landed: LandedFile, *, encodings: Sequence[str] = ("utf-8-sig",), delimiter: str = ","
) -> str:
    """The landed file decoded with the first encoding that fits, checked whole. The csv module
    then reads any cell of it (`over_long_cell` sets a huge one's row aside; the file's size is
    bounded by its kind's limit, catalog `max_bytes`)."""
    text = decode(Path(landed.path).read_bytes(), landed.original_name, encodings)
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    check_complete_csv(text, landed.original_name, delimiter=delimiter)
    return text


def decode(content: bytes, name: str, encodings: Sequence[str] = ("utf-8-sig",)) -> str:
    """`content` as text; FileRejected naming the file when no encoding fits."""
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    if len(encodings) == 1 and encodings[0].lower().startswith("utf-8") and first_error:
        raise FileRejected(
            f"{name} is not UTF-8 (byte {first_error.start}): re-export it as UTF-8 CSV"
        )
    raise FileRejected(f"{name} is in none of the encodings {', '.join(encodings)}")


def check_complete_csv(text: str, name: str, *, delimiter: str = ",") -> None:
    """Raise FileRejected when `text` is empty, holds NULs, or ends part-way through a record.

    A last line without a line break is not enough on its own (hand-edited registers often lack
    it): the file is cut when that line also ends inside a quoted field or lacks columns.
    """
    if not text.strip():
        raise FileRejected(f"{name} is empty")
    if "\x00" in text:
        raise FileRejected(f"{name} contains NUL bytes: corrupted, or not a text file")
    if text.endswith(("\n", "\r")):
        return
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise FileRejected(f"{name} is truncated: it ends inside a quoted field ({exc})") from None
    if len(rows) > 1 and len(rows[-1]) < len(rows[0]):
        raise FileRejected(
            f"{name} is truncated: its last record (record {len(rows)}) has {len(rows[-1])} of "
            f"{len(rows[0])} columns and no line break"
        )


def check_unique_header(names: Sequence[str] | None, name: str) -> None:
    """FileRejected when a column name (stripped, any case) is in the header twice: a reader
    would take one of the two columns, silently, and which one holds the data cannot be told."""
    first: dict[str, int] = {}
    for index, column in enumerate(names or [], 1):
        key = column.strip().lower()
        if key in first:
            raise FileRejected(f"{name}: column {column.strip()!r} is in the header twice "
                               f"(columns {first[key]} and {index}): which one holds the data "
                               "cannot be told")
        if key:
            first[key] = index


def over_long_cell(cells: Iterable[str | list[str] | None]) -> str | None:
    """The quarantine reason for a row with a cell over MAX_CELL_CHARS, else None. `cells` as a
    csv reader gives them (a DictReader holds a row's surplus cells in one list)."""
    longest = max((len(cell) for cell in _flat(cells)), default=0)
    if longest <= MAX_CELL_CHARS:
        return None
    return (f"a cell of {longest:,} characters, over the {MAX_CELL_CHARS:,} a cell may hold "
            "(a typed figure or name is under 1 KB): row not read")


def _flat(cells: Iterable[str | list[str] | None]) -> Iterable[str]:
    for cell in cells:
        if isinstance(cell, list):
            yield from cell
        elif cell:
            yield cell
