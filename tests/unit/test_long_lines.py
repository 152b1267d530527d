"""The copy of a text file without its over-long lines: one line out for each line in, whatever
the chunks' edges, checked against splitting the whole file on its line breaks."""

from __future__ import annotations

import io
import random

import pytest

from ingest.sources.comtrade import long_lines
from ingest.sources.comtrade.long_lines import (
    LongLine,
    QuotedLongLine,
    Survey,
    copy_without_long_lines,
    has_long_line,
    survey,
)

LIMIT = 10


def stand_in(index: int) -> bytes:
    return f"<{index}>".encode()


def copied(content: bytes) -> tuple[bytes, list[LongLine]]:
    target = io.BytesIO()
    found = copy_without_long_lines(io.BytesIO(content), target, LIMIT, stand_in)
    return target.getvalue(), found


def expected(content: bytes) -> tuple[bytes, list[tuple[int, int, bytes]]]:
    """The copy and the long lines (line, size, preview), from the file split on b'\\n'."""
    lines, found = content.split(b"\n"), []
    for i, line in enumerate(lines):
        if len(line) > LIMIT:
            lines[i] = stand_in(len(found))
            found.append((i + 1, len(line), line[:long_lines.PREVIEW_BYTES]))
    return b"\n".join(lines), found


def described(found: list[LongLine]) -> list[tuple[int, int, bytes]]:
    return [(line.line, line.size, line.preview) for line in found]


@pytest.fixture(autouse=True)
def short_preview(monkeypatch):
    # As in use, a preview is shorter than the limit: a long line's start is always in hand.
    monkeypatch.setattr(long_lines, "PREVIEW_BYTES", 8)


@pytest.fixture(params=[1, 3, 7, 64])
def chunk_bytes(request, monkeypatch) -> int:
    """Chunks smaller and larger than a line, so every edge falls inside some line."""
    monkeypatch.setattr(long_lines, "CHUNK_BYTES", request.param)
    return request.param


@pytest.mark.parametrize("content", [
    b"",
    b"short\n",
    b"0123456789\n",  # exactly the limit: kept
    b"0123456789A\n",  # one byte over: replaced
    b"head\n" + b"x" * 50 + b"\nnext\n",
    b"head\n" + b"x" * 50,  # the file ends inside a long line
    b"x" * 50 + b"\n" + b"y" * 11 + b"\n\n" + b"z" * 30,  # long lines back to back
    b"a,b\r\n" + b"c" * 20 + b"\r\nd,e\r\n",  # CRLF: the \r counts as the line's
    b"no line break at the end",
])
def test_each_long_line_becomes_its_stand_in_and_the_rest_is_copied_byte_for_byte(
        content, chunk_bytes):
    copy, found = copied(content)
    want_copy, want_found = expected(content)
    assert copy == want_copy
    assert described(found) == want_found
    assert survey(io.BytesIO(content), LIMIT) == (
        Survey.LONG_LINE if want_found else Survey.CUTTABLE)
    assert has_long_line(io.BytesIO(content), LIMIT) == bool(want_found)


def test_random_files_against_the_split(monkeypatch):
    rng = random.Random(13)
    for _ in range(300):
        monkeypatch.setattr(long_lines, "CHUNK_BYTES", rng.choice([1, 2, 5, 9, 16, 40]))
        lines = [b"x" * rng.choice([0, 1, 9, 10, 11, 25, 60]) for _ in range(rng.randint(0, 12))]
        content = b"\n".join(lines) + rng.choice([b"", b"\n"])
        copy, found = copied(content)
        assert (copy, described(found)) == expected(content)


def test_line_count_is_kept_so_record_numbers_hold():
    content = b"\n".join([b"h", b"a" * 100, b"b", b"", b"c" * 100, b"d"]) + b"\n"
    copy, _ = copied(content)
    assert copy.count(b"\n") == content.count(b"\n")
    assert copy.split(b"\n")[:6] == [b"h", b"<0>", b"b", b"", b"<1>", b"d"]


def test_a_long_lines_preview_is_its_start_and_memory_holds_no_more(monkeypatch):
    monkeypatch.setattr(long_lines, "CHUNK_BYTES", 1 << 10)
    content = b"h\n" + b"0123456789" * 100_000 + b"\nt\n"  # a 1 MB line read in 1 KB chunks
    copy, [line] = copied(content)
    assert copy == b"h\n<0>\nt\n"
    assert (line.line, line.size) == (2, 1_000_000)
    assert line.preview == b"01234567"


@pytest.mark.parametrize("content", [
    b'a,"b\nc",d\n' + b"x" * 50 + b"\n",  # the quote first
    b"a\n" + b"x" * 50 + b'\n"b"\n',  # the long line first
])
def test_a_long_line_in_a_file_with_quotes_is_not_set_aside(content, chunk_bytes):
    with pytest.raises(QuotedLongLine) as raised:
        copied(content)
    assert raised.value.long_line.size == 50
    assert survey(io.BytesIO(content), LIMIT) in (Survey.QUOTED, Survey.LONG_LINE)  # the first


def test_quotes_alone_are_copied_as_they_are(chunk_bytes):
    content = b'a,"b\nc",d\n"e"\n'
    assert copied(content) == (content, [])
    assert survey(io.BytesIO(content), LIMIT) is Survey.QUOTED  # it may hide a line break
    assert not has_long_line(io.BytesIO(content), LIMIT)
