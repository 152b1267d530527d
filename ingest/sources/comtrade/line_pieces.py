"""Read one large text file as line-aligned pieces at once, each through its own named pipe.

Why: exact line numbers need DuckDB's `row_number() over ()`, which runs in one thread, so a
single scan of a 1.4 GB bulk file uses one core however many there are. (Writing the scan out
with COPY or CREATE TABLE and numbering afterwards is parallel but does not keep the file's
order in DuckDB 2.0: lines near the end of a 10-million-line file came out thousands of places
off.) Cut at line ends, each piece can be numbered by its own scan, all at once, and its numbers
shifted by the lines of the pieces before it.

A cut is only safe if no quoted field spans it, so a file holding any double quote is not cut
(Comtrade bulk files hold none); gzipped files are not cut either (gzip has no random access).
The pieces reach DuckDB through FIFOs fed by the kernel (sendfile): nothing is copied to disk.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

_SEND_BYTES = 4 << 20
_SCAN_BYTES = 8 << 20


@dataclass(frozen=True)
class Piece:
    index: int
    path: str  # a FIFO that yields bytes [start, end) of the file
    start: int
    end: int


def piece_bounds(path: Path, pieces: int, min_bytes: int) -> list[tuple[int, int]] | None:
    """Byte ranges ending at line ends, or None if the file should be read whole."""
    size = os.path.getsize(path)
    if pieces < 2 or size < max(min_bytes, 1) or not hasattr(os, "mkfifo"):
        return None
    with open(path, "rb") as handle:
        if handle.read(2) == b"\x1f\x8b" or _holds(handle, b'"'):
            return None
        cuts = [0]
        for i in range(1, pieces):
            handle.seek(max(size * i // pieces, cuts[-1]))
            handle.readline()  # to the end of the line the cut falls in
            if handle.tell() >= size:
                break
            cuts.append(handle.tell())
    if len(cuts) < 2:
        return None
    cuts.append(size)
    return list(pairwise(cuts))


def _holds(handle: BinaryIO, byte: bytes) -> bool:
    # One reused buffer: memory stays flat (an mmap would count the whole file as resident).
    handle.seek(0)
    buffer = bytearray(_SCAN_BYTES)
    while read := handle.readinto(buffer):
        if buffer.find(byte, 0, read) >= 0:
            return True
    return False


@contextmanager
def fed_pieces(path: Path, bounds: list[tuple[int, int]], scratch: Path | None = None
               ) -> Iterator[list[Piece]]:
    """FIFOs (in `scratch`, else the system's temporary folder), one per byte range, each fed by
    a thread until read to its end or abandoned."""
    with tempfile.TemporaryDirectory(prefix="reeflow-pieces-", dir=scratch) as folder:
        pieces = [Piece(i, os.path.join(folder, f"piece{i}"), start, end)
                  for i, (start, end) in enumerate(bounds)]
        for piece in pieces:
            os.mkfifo(piece.path)
        feeders = [threading.Thread(target=_feed, args=(path, piece), daemon=True)
                   for piece in pieces]
        for feeder in feeders:
            feeder.start()
        try:
            yield pieces
        finally:
            for piece, feeder in zip(pieces, feeders, strict=True):
                _release(piece, feeder)


def run_at_once(tasks: list[Callable[[], None]]) -> list[BaseException]:
    """Run the tasks in threads (DuckDB releases the GIL while it works); their errors."""
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(task) for task in tasks]
    return [error for future in futures if (error := future.exception()) is not None]


def _feed(path: Path, piece: Piece) -> None:
    try:
        with open(path, "rb") as source, open(piece.path, "wb") as pipe:
            offset = piece.start
            while offset < piece.end:
                try:
                    sent = os.sendfile(pipe.fileno(), source.fileno(), offset,
                                       min(piece.end - offset, _SEND_BYTES))
                except OSError as exc:
                    if isinstance(exc, BrokenPipeError):
                        raise
                    source.seek(offset)  # no sendfile to a pipe here: copy through Python
                    pipe.write(source.read(min(piece.end - offset, _SEND_BYTES)))
                    sent = min(piece.end - offset, _SEND_BYTES)
                if sent == 0:
                    break
                offset += sent
    except BrokenPipeError:
        pass  # the reader stopped early (its error, if any, is reported by the reader)


def _release(piece: Piece, feeder: threading.Thread) -> None:
    # A feeder whose reader never opened (or stopped) waits in open() or write(): open the
    # FIFO for reading and close it, so its open returns and its next write fails.
    while feeder.is_alive():
        try:
            reader = os.open(piece.path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            break
        os.close(reader)
        feeder.join(timeout=0.05)
