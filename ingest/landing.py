"""Immutable landing: every raw input kept byte for byte, named by its content hash.

A landed file is never rewritten. Its manifest row (one JSON line in `manifest.jsonl`) records
the source, the request that produced it, when it was fetched, the release/vintage and the
row count. Landing identical content for the same source and request again is a no-op that
returns the existing entry, which makes re-runs and resumed downloads idempotent.

The file id is the content hash, salted with the request when there is one: two API requests
that happen to return the same bytes (two empty answers) are two landings, each with its own
manifest row, so a resumed download knows both were asked.

A large file on the landing's own file system (a year of bulk trade, gigabytes) is landed as a
hard link to itself: one read to hash it, no second copy. The file is then read-only under both
names, and its size and modification time are recorded: staging refuses a landed file that was
written to since (settings.land_by_hard_link says how to copy instead).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import queue
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest import settings

MANIFEST_NAME = "manifest.jsonl"
# Landed files withdrawn from use (ingest/retractions.py): kept on disk, left out of every read.
RETRACTIONS_NAME = "retractions.jsonl"
_CHUNK_BYTES = 8 << 20  # fallback copy in 8 MiB pieces: memory stays flat whatever the size
# The hashing copy: three 4 MiB buffers in turn between the reader and the writer.
_COPY_CHUNK_BYTES = 4 << 20
_COPY_BUFFERS = 3
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# A file name may be 255 bytes (ext4, xfs, btrfs, APFS, NTFS); `.part` is added while writing.
_MAX_NAME_BYTES = 255 - len(".part")
_KEPT_SUFFIX_CHARS = 16
# Files this large are hard-linked where they can be; smaller ones (the embedded defaults, API
# answers) cost little to copy and stay independent of where they came from.
LINK_MIN_BYTES = 64 << 20
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class LandedFile:
    file_id: str
    source: str
    path: str
    original_name: str
    sha256: str
    size_bytes: int
    fetched_at: str
    request: dict = field(default_factory=dict)
    vintage: str | None = None
    row_count: int | None = None
    # The landed file's st_mtime_ns once landed (None in manifests written before it was kept).
    mtime_ns: int | None = None


def change_since_landing(entry: LandedFile) -> str | None:
    """Why the landed file cannot be trusted any more, or None: it was written to since it was
    landed (possible only for a hard-linked one, through its other name, by its owner or root)."""
    stat = os.stat(entry.path)
    if entry.mtime_ns is None or (stat.st_size, stat.st_mtime_ns) == (entry.size_bytes, entry.mtime_ns):
        return None
    return (f"{entry.original_name} was written to after it was landed (it is a hard link to the "
            f"file it came from): its bytes may no longer be those of sha256 {entry.sha256[:12]}...; "
            "land the file again (`reeflow ingest file`)")


def _root(landing_dir: Path | None) -> Path:
    return Path(landing_dir) if landing_dir is not None else settings.landing_dir()


@contextmanager
def _manifest_lock(root: Path) -> Iterator[None]:
    # Two ingest processes may land at once (CLI and a scheduled run); serialise the manifest.
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def retracted_file_ids(landing_dir: Path | None = None) -> dict[str, str]:
    """file_id -> reason, for every landed file withdrawn with `reeflow ingest retract`."""
    path = _root(landing_dir) / RETRACTIONS_NAME
    if not path.exists():
        return {}
    retracted = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            if row.get("reinstated"):
                retracted.pop(row["file_id"], None)
            else:
                retracted[row["file_id"]] = row["reason"]
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            continue  # a line cut short by a killed process
    return retracted


def record_retraction(
    file_id: str, reason: str, landing_dir: Path | None = None, *, reinstated: bool = False
) -> None:
    """Append a retraction (see ingest/retractions.py) under the manifest lock; `reinstated`
    appends its undoing (the file is read again from then on)."""
    root = _root(landing_dir)
    row = {"file_id": file_id, "reason": reason,
           "retracted_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if reinstated:
        row["reinstated"] = True
    with _manifest_lock(root), open(root / RETRACTIONS_NAME, "a", encoding="utf-8") as log:
        log.write(json.dumps(row, sort_keys=True) + "\n")
        log.flush()
        os.fsync(log.fileno())


def read_manifest(
    landing_dir: Path | None = None, source: str | None = None, *, include_retracted: bool = False
) -> list[LandedFile]:
    """All manifest rows, oldest first, optionally for one source; retracted files left out."""
    manifest = _root(landing_dir) / MANIFEST_NAME
    if not manifest.exists():
        return []
    retracted = {} if include_retracted else retracted_file_ids(landing_dir)
    entries = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            entry = LandedFile(**json.loads(line))
        except (json.JSONDecodeError, TypeError):
            # A line cut short by a killed process: the file it described is re-landed next time.
            continue
        if (source is None or entry.source == source) and entry.file_id not in retracted:
            entries.append(entry)
    return entries


def landing_id(sha256: str, request: dict | None) -> str:
    if not request:
        return sha256[:16]
    salted = sha256 + json.dumps(request, sort_keys=True)
    return hashlib.sha256(salted.encode("utf-8")).hexdigest()[:16]


def land_bytes(
    content: bytes,
    *,
    source: str,
    name: str,
    request: dict | None = None,
    vintage: str | None = None,
    row_count: int | None = None,
    landing_dir: Path | None = None,
) -> tuple[LandedFile, bool]:
    """Keep `content` as landed; return its manifest entry and whether it was new."""
    return _land(
        hashlib.sha256(content).hexdigest(), len(content),
        lambda tmp: _write_bytes(tmp, content),
        source=source, name=name, request=request, vintage=vintage, row_count=row_count,
        landing_dir=landing_dir,
    )


def _write_bytes(target: Path, content: bytes) -> None:
    target.write_bytes(content)  # returns None: _write_immutable hashes what was written


def land_file(path: Path, *, source: str, **kwargs) -> tuple[LandedFile, bool]:
    """Land a file from disk (a bulk download, a customs CSV, an embedded default).

    Never read whole: a year of Comtrade bulk data is gigabytes. A new file is read once,
    hashed while it is copied (or hard-linked and hashed: see the module's docstring); one that
    may be landed already (a landing of this source has its size: an inbox file seen by the
    last run) is hashed first, so landing it again costs one read and no copy. Either way the
    file is refused if it changed meanwhile (a download still being written to the inbox).
    """
    path = Path(path)
    root = _root(kwargs.get("landing_dir"))
    found = path.stat()
    size = found.st_size
    if any(entry.size_bytes == size for entry in read_manifest(root, source, include_retracted=True)):
        with open(path, "rb") as handle:
            before = os.fstat(handle.fileno())
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        return _land(sha256, before.st_size, lambda tmp: _link_or_copy(path, tmp, before),
                     source=source, name=path.name, **kwargs)
    incoming = root / source / f".incoming-{os.getpid()}-{os.urandom(4).hex()}.part"
    incoming.parent.mkdir(parents=True, exist_ok=True)
    try:
        if _linked(path, incoming, found):
            sha256, size = _hash_unchanged(incoming)
        else:
            sha256, size = _copy_hashing(path, incoming)

        def move_in(tmp: Path) -> str:
            os.replace(incoming, tmp)
            return sha256  # hashed while copied: no second read

        return _land(sha256, size, move_in, source=source, name=path.name, **kwargs)
    finally:
        incoming.unlink(missing_ok=True)  # still there if the same bytes were landed before


def _copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    """Copy `source` to `target` in one read, hashing the bytes written: (sha256, size).

    A thread writes while this one reads and hashes the next chunk (both release the GIL), so
    the copy takes about as long as the slower of the two, not their sum."""
    digest, size = hashlib.sha256(), 0
    free: queue.Queue[bytearray] = queue.Queue()
    for _ in range(_COPY_BUFFERS):
        free.put(bytearray(_COPY_CHUNK_BYTES))
    filled: queue.Queue[tuple[bytearray, int] | None] = queue.Queue()
    failed: list[OSError] = []

    def write_all(handle) -> None:
        while (item := filled.get()) is not None:
            buffer, length = item
            try:
                if not failed:
                    handle.write(memoryview(buffer)[:length])
            except OSError as exc:  # a full disk: kept for the reader to raise
                failed.append(exc)
            free.put(buffer)

    with open(source, "rb", buffering=0) as src, open(target, "wb", buffering=0) as dst:
        before = os.fstat(src.fileno())
        writer = threading.Thread(target=write_all, args=(dst,), daemon=True)
        writer.start()
        try:
            while not failed:
                buffer = free.get()
                read = src.readinto(buffer)
                if not read:
                    break
                digest.update(memoryview(buffer)[:read])
                size += read
                filled.put((buffer, read))
        finally:
            filled.put(None)
            writer.join()
        if failed:
            raise failed[0]
        _refuse_if_changed(source, before, os.fstat(src.fileno()), size)
    return digest.hexdigest(), size


def _linked(source: Path, target: Path, found: os.stat_result) -> bool:
    """Hard-link a large file (`found`: its stat) where allowed and possible (same file system,
    this user's: a landed file is made read-only, which only its owner may do); False: copy it."""
    if found.st_size < LINK_MIN_BYTES or found.st_uid != os.geteuid() or not settings.land_by_hard_link():
        return False
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        return False
    return True


def _hash_unchanged(path: Path) -> tuple[str, int]:
    """(sha256, size) of a file read once, refused if it changed while it was read."""
    with open(path, "rb") as handle:
        before = os.fstat(handle.fileno())
        digest = hashlib.file_digest(handle, "sha256")
        after = os.fstat(handle.fileno())
    _refuse_if_changed(path, before, after, after.st_size)
    return digest.hexdigest(), after.st_size


def _link_or_copy(source: Path, target: Path, before: os.stat_result) -> None:
    if _linked(source, target, before):
        _refuse_if_changed(source, before, os.stat(target), before.st_size)
    else:
        _copy_file(source, target, before)


def _refuse_if_changed(path: Path, before: os.stat_result, after: os.stat_result, read: int) -> None:
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or read != after.st_size:
        raise ValueError(f"{path.name} changed while it was landed (still being written?): "
                         "try again when it is complete")


def _copy_file(source: Path, target: Path, before: os.stat_result) -> None:
    # copy_file_range moves the bytes inside the kernel (or shares extents where the
    # filesystem can): several times faster than a read/write loop for a 1.4 GB file.
    with open(source, "rb") as src, open(target, "wb") as dst:
        remaining = os.fstat(src.fileno()).st_size
        try:
            while remaining > 0:
                copied = os.copy_file_range(src.fileno(), dst.fileno(), remaining)
                if copied == 0:
                    break  # the file shrank meanwhile: the hash check will refuse it
                remaining -= copied
        except (AttributeError, OSError):  # not Linux, or a filesystem that cannot
            src.seek(0)
            dst.seek(0)
            dst.truncate()
            shutil.copyfileobj(src, dst, _CHUNK_BYTES)
        after = os.fstat(src.fileno())
    _refuse_if_changed(source, before, after, after.st_size)


def landed_name(file_id: str, name: str) -> str:
    """`<file_id>__<name>`, the name made safe and cut to fit the file system (255 bytes, with
    room for `.part`), keeping its extension; the manifest keeps the name as given."""
    safe = _SAFE_NAME.sub("_", Path(name).name).strip("_") or "file"
    room = _MAX_NAME_BYTES - len(file_id) - 2
    if len(safe) > room:
        suffix = "".join(Path(safe).suffixes)[-_KEPT_SUFFIX_CHARS:]
        safe = safe[: room - len(suffix)].rstrip("._") + suffix
    return f"{file_id}__{safe}"


def _land(
    sha256: str,
    size: int,
    write: Callable[[Path], str | None],
    *,
    source: str,
    name: str,
    request: dict | None = None,
    vintage: str | None = None,
    row_count: int | None = None,
    landing_dir: Path | None = None,
) -> tuple[LandedFile, bool]:
    """Keep what `write` puts in a file (its hash must be `sha256`) unless already landed.

    `write` returns the hash of what it wrote when it computed it while writing, else None."""
    if not _SOURCE_NAME.match(source):
        raise ValueError(f"invalid source name {source!r}: use lowercase letters, digits, _")
    root = _root(landing_dir)
    file_id = landing_id(sha256, request)
    with _manifest_lock(root):
        existing = _landed_entry(root, source, file_id)
        if existing is not None:
            return existing, False
        target = root / source / landed_name(file_id, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            _write_immutable(target, sha256, write)
        entry = LandedFile(
            file_id=file_id,
            source=source,
            path=str(target),
            original_name=_printable(Path(name).name),
            sha256=sha256,
            size_bytes=size,
            # To the microsecond: files landed in one run (an inbox correction of an embedded
            # register) are ordered by when they landed, not by the file_id that breaks ties.
            fetched_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            request=request or {},
            vintage=vintage,
            row_count=row_count,
            mtime_ns=target.stat().st_mtime_ns,
        )
        with open(root / MANIFEST_NAME, "a", encoding="utf-8") as manifest:
            manifest.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
    return entry, True


def _printable(name: str) -> str:
    # A name read from a Linux directory may hold bytes that are not UTF-8 (surrogates here),
    # which the manifest's Parquet snapshot cannot store.
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _landed_entry(root: Path, source: str, file_id: str) -> LandedFile | None:
    for entry in read_manifest(root, source, include_retracted=True):
        if entry.file_id == file_id and Path(entry.path).exists():
            return entry
    return None


def _write_immutable(target: Path, sha256: str, write: Callable[[Path], str | None]) -> None:
    # Written beside the target, checked against its hash, then renamed: a killed run leaves a
    # .part file, never a landed file whose bytes differ from its name.
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)  # left read-only by a run killed just before its rename
    try:
        written = write(tmp)
        with open(tmp, "rb") as handle:
            if written is None:
                written = hashlib.file_digest(handle, "sha256").hexdigest()
            os.fsync(handle.fileno())
        if written != sha256:
            raise ValueError(
                f"{target.name}: content changed while landing (sha256 {written} != {sha256})"
            )
        tmp.chmod(0o444)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
