"""Whole-file checks for delimited text before a parser reads its rows.

A file that is damaged as a whole is rejected as a whole (FileRejected, quarantined with its
name and the reason) rather than half-loaded: an interrupted download or copy leaves a file cut
in the middle of a record, and a binary or UTF-16 file read as text is full of NUL characters.
"""

from __future__ import annotations

import csv
import io

from ingest.staged import FileRejected


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
