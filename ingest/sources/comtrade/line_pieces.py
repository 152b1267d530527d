"""Read one large text file as line-aligned pieces at once, each through its own named pipe.

Why: exact line numbers need DuckDB's `row_number() over ()`, which runs in one thread, so a
single scan of a 1.4 GB bulk file uses one core however many there are. (Writing the scan out
with COPY or CREATE TABLE and numbering afterwards is parallel but does not keep the file's
order in DuckDB 2.0: lines near the end of a 10-million-line file came out thousands of places
off.) Cut at line ends, each piece can be numbered by its own scan, all at once, and its numbers
shifted by the lines of the pieces before it.

A cut is only safe if no quoted field spans it, so the caller cuts only a file without a double
quote (Comtrade bulk files hold none: bulk.py surveys the file first); gzipped files are not cut
(gzip has no random access). The pieces reach DuckDB through FIFOs fed by the kernel (sendfile):
nothing is copied to disk. A FIFO can carry any stream a thread writes (`fed_fifos`).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

_SEND_BYTES = 4 << 20


@dataclass(frozen=True)
class Piece:
    index: int
    path: str  # a FIFO that yields bytes [start, end) of the file
    start: int
    end: int


def may_cut(path: Path, pieces: int, min_bytes: int) -> bool:
    """Whether the file is one to read in pieces here: at least `min_bytes`, not gzipped, more
    than one piece wanted, and FIFOs to feed them through."""
    if pieces < 2 or os.path.getsize(path) < max(min_bytes, 1) or not hasattr(os, "mkfifo"):
        return False
    with open(path, "rb") as handle:
        return handle.read(2) != b"\x1f\x8b"


def piece_bounds(path: Path, pieces: int, min_bytes: int) -> list[tuple[int, int]] | None:
    """Byte ranges ending at line ends, or None if the file should be read whole. The file
    must hold no double quote (a quoted cell may hold a line end)."""
    if not may_cut(path, pieces, min_bytes):
        return None
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
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


@dataclass
class Fifo:
    path: str
    error: BaseException | None = None  # what its feed raised (not a reader leaving early)


@contextmanager
def fed_fifos(feeds: list[Callable[[BinaryIO], None]], scratch: Path | None = None
              ) -> Iterator[list[Fifo]]:
    """FIFOs (in `scratch`, else the system's temporary folder), each fed by a thread running
    its feed(pipe) until done or abandoned. A feed's error is raised when the block ends: the
    reader saw a stream cut short, which must not pass for the whole."""
    with tempfile.TemporaryDirectory(prefix="reeflow-pieces-", dir=scratch) as folder:
        fifos = [Fifo(os.path.join(folder, f"piece{i}")) for i in range(len(feeds))]
        for fifo in fifos:
            os.mkfifo(fifo.path)
        feeders = [threading.Thread(target=_run_feed, args=(feed, fifo), daemon=True)
                   for feed, fifo in zip(feeds, fifos, strict=True)]
        for feeder in feeders:
            feeder.start()
        try:
            yield fifos
        finally:
            for fifo, feeder in zip(fifos, feeders, strict=True):
                _release(fifo.path, feeder)
    for fifo in fifos:
        if fifo.error is not None:
            raise fifo.error


@contextmanager
def fed_pieces(path: Path, bounds: list[tuple[int, int]], scratch: Path | None = None
               ) -> Iterator[list[Piece]]:
    """One FIFO per byte range of the file."""
    feeds = [partial(_send, path, start, end) for start, end in bounds]
    with fed_fifos(feeds, scratch) as fifos:
        yield [Piece(i, fifo.path, start, end)
               for i, (fifo, (start, end)) in enumerate(zip(fifos, bounds, strict=True))]


def run_at_once(tasks: list[Callable[[], None]]) -> list[BaseException]:
    """Run the tasks in threads (DuckDB releases the GIL while it works); their errors."""
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(task) for task in tasks]
    return [error for future in futures if (error := future.exception()) is not None]


def _run_feed(feed: Callable[[BinaryIO], None], fifo: Fifo) -> None:
    try:
        with open(fifo.path, "wb") as pipe:
            feed(pipe)
    except BrokenPipeError:
        pass  # the reader stopped early (its error, if any, is reported by the reader)
    except BaseException as exc:  # raised in the reader's thread by fed_fifos
        fifo.error = exc


def _send(path: Path, start: int, end: int, pipe: BinaryIO) -> None:
    with open(path, "rb") as source:
        offset = start
        while offset < end:
            try:
                sent = os.sendfile(pipe.fileno(), source.fileno(), offset,
                                   min(end - offset, _SEND_BYTES))
            except OSError as exc:
                if isinstance(exc, BrokenPipeError):
                    raise
                source.seek(offset)  # no sendfile to a pipe here: copy through Python
                data = source.read(min(end - offset, _SEND_BYTES))
                pipe.write(data)
                sent = len(data)
            if sent == 0:  # a landed file is read-only: this one was cut behind our back
                raise OSError(f"{path} ends at byte {offset}, before the {end} its pieces span")
            offset += sent


def _release(path: str, feeder: threading.Thread) -> None:
    # A feeder whose reader never opened (or stopped) waits in open() or write(): open the
    # FIFO for reading and close it, so its open returns and its next write fails.
    while feeder.is_alive():
        try:
            reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            break
        os.close(reader)
        feeder.join(timeout=0.05)
