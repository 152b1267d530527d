"""Lines too long to read: found in a text file, and set aside in a stream of it.

DuckDB's CSV reader refuses a whole file for one line over its line size (2 MB) or runs out of
memory holding it, and its parallel reader drops a last line longer than its buffer (32 MB)
without a word (DuckDB 2.0.1; bulk.py reads with one thread, which refuses the file instead).
One garbled cell would cost a bulk year every good line. So bulk.py cuts a large plain file in
pieces only if it has no such line (nor a quote: `survey`), and reads a file with such a line as
a stream in which each line over the limit is a short stand-in (stand_ins.py): one line out for
each line in, so record numbers hold; each stand-in is quarantined naming the line's size.

Memory stays flat whatever the line: the file is read in CHUNK_BYTES pieces and a long line is
passed over, never held. A line is what ends at a line break: in a file with quoted cells a line
break may sit inside a cell, so a long line there cannot be set aside alone (QuotedLongLine).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import BinaryIO

CHUNK_BYTES = 8 << 20
# What a quarantined long line shows of itself.
PREVIEW_BYTES = 200


@dataclass
class LongLine:
    """A line over the limit: its line number in the file (the header is line 1), its size in
    bytes (the line feed not counted, a carriage return before it counted) and its first bytes."""

    line: int
    size: int
    preview: bytes


class QuotedLongLine(Exception):
    def __init__(self, line: LongLine) -> None:
        super().__init__(line)
        self.long_line = line


_QUOTE = object()  # what _split yields the first time it meets a double quote


class Survey(Enum):
    """What a read of the whole file found first."""

    CUTTABLE = "neither a double quote nor a line over the limit"
    QUOTED = "a double quote (a quoted cell may hold a line break)"
    LONG_LINE = "a line over the limit"


def survey(source: BinaryIO, limit: int) -> Survey:
    """Whether the file may be cut in pieces at line breaks, and if not why (one read, stopped
    at the first quote or long line)."""
    for part in _split(source, limit):
        if part is _QUOTE:
            return Survey.QUOTED
        if isinstance(part, LongLine):
            return Survey.LONG_LINE
    return Survey.CUTTABLE


def has_long_line(source: BinaryIO, limit: int) -> bool:
    return any(isinstance(part, LongLine) for part in _split(source, limit))


def copy_without_long_lines(source: BinaryIO, target: BinaryIO, limit: int,
                            stand_in: Callable[[int], bytes]) -> list[LongLine]:
    """Copy `source` to `target`, each line longer than `limit` bytes replaced by
    `stand_in(n)` (n: the replaced line's index in the returned list). QuotedLongLine if the
    file also holds a double quote."""
    replaced: list[LongLine] = []
    quoted = False
    for part in _split(source, limit, count_lines=True):
        if part is _QUOTE:
            quoted = True
        elif isinstance(part, LongLine):
            replaced.append(part)
            target.write(stand_in(len(replaced) - 1))
        else:
            target.write(part)
        if quoted and replaced:
            raise QuotedLongLine(replaced[0])
    return replaced


def _split(source: BinaryIO, limit: int, *, count_lines: bool = False) -> Iterator[object]:
    """The file as runs of short lines (memoryviews, line breaks included, each valid until the
    next part is asked for) and long lines (LongLine, its line break left to the run after it);
    _QUOTE once, at the first quote. One buffer, read into again and again: no allocation per
    read (fresh 8 MB buffers made a survey of a 1.4 GB file six times slower)."""
    buffer = bytearray(CHUNK_BYTES + limit)
    view = memoryview(buffer)
    kept = 0  # bytes carried to the buffer's start: a short line that goes on in this read
    skipping: LongLine | None = None  # a long line that goes on in this read
    quote_seen = False
    lines = 1  # the line number where the buffer starts
    while read := source.readinto(view[kept:kept + CHUNK_BYTES]):
        size = kept + read
        if not quote_seen and buffer.find(b'"', kept, size) >= 0:
            quote_seen = True
            yield _QUOTE
        written = start = 0  # `start`: where the next line starts
        if skipping is not None:
            end = buffer.find(b"\n", 0, size)
            if end < 0:
                skipping.size += read
                continue
            skipping.size += end
            yield skipping
            written = start = end  # from its line break on
            skipping = None
        while start < size:
            # Every line that ends within `limit` bytes of `start` is short enough.
            end = buffer.rfind(b"\n", start, min(start + limit + 1, size))
            if end >= 0:
                start = end + 1
                continue
            if size - start <= limit:  # a short line that goes on in the next read
                break
            yield view[written:start]
            line = lines + buffer.count(b"\n", 0, start) if count_lines else 0
            end = buffer.find(b"\n", start + limit, size)
            if end < 0:  # it goes on in the next read
                preview = bytes(view[start:min(size, start + PREVIEW_BYTES)])
                skipping = LongLine(line, size - start, preview)
                written = start = size
                break
            yield LongLine(line, end - start, bytes(view[start:min(end, start + PREVIEW_BYTES)]))
            written = start = end  # from its line break on
        yield view[written:start]
        if count_lines:
            lines += buffer.count(b"\n", 0, start)
        kept = size - start
        buffer[:kept] = bytes(view[start:size])  # a copy: the two ranges may overlap
    if skipping is not None:  # the file ends inside a long line
        yield skipping
    yield view[:kept]
