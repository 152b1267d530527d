"""Immutable landing: every raw input kept byte for byte, named by its content hash.

A landed file is never rewritten. Its manifest row (one JSON line in `manifest.jsonl`) records
the source, the request that produced it, when it was fetched, the release/vintage and the
row count. Landing identical content for the same source and request again is a no-op that
returns the existing entry, which makes re-runs and resumed downloads idempotent.

The file id is the content hash, salted with the request when there is one: two API requests
that happen to return the same bytes (two empty answers) are two landings, each with its own
manifest row, so a resumed download knows both were asked.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
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
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
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
            retracted[row["file_id"]] = row["reason"]
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a line cut short by a killed process
    return retracted


def record_retraction(file_id: str, reason: str, landing_dir: Path | None = None) -> None:
    """Append a retraction (see ingest/retractions.py) under the manifest lock."""
    root = _root(landing_dir)
    row = {"file_id": file_id, "reason": reason,
           "retracted_at": datetime.now(UTC).isoformat(timespec="seconds")}
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
        hashlib.sha256(content).hexdigest(), len(content), lambda tmp: tmp.write_bytes(content),
        source=source, name=name, request=request, vintage=vintage, row_count=row_count,
        landing_dir=landing_dir,
    )


def land_file(path: Path, *, source: str, **kwargs) -> tuple[LandedFile, bool]:
    """Land a file from disk (a bulk download, a customs CSV, an embedded default).

    Never read whole: a year of Comtrade bulk data is gigabytes. The file is hashed in chunks
    first, so landing it again costs one read and no copy; a new file is copied by the kernel
    and its copy hashed again, refused if the content changed meanwhile (a download still being
    written to the inbox).
    """
    path = Path(path)
    with open(path, "rb") as handle:
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        size = os.fstat(handle.fileno()).st_size
    return _land(sha256, size, lambda tmp: _copy_file(path, tmp), source=source, name=path.name,
                 **kwargs)


def _copy_file(source: Path, target: Path) -> None:
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


def _land(
    sha256: str,
    size: int,
    write: Callable[[Path], object],
    *,
    source: str,
    name: str,
    request: dict | None = None,
    vintage: str | None = None,
    row_count: int | None = None,
    landing_dir: Path | None = None,
) -> tuple[LandedFile, bool]:
    """Keep what `write` puts in a file (its hash must be `sha256`) unless already landed."""
    if not _SOURCE_NAME.match(source):
        raise ValueError(f"invalid source name {source!r}: use lowercase letters, digits, _")
    root = _root(landing_dir)
    file_id = landing_id(sha256, request)
    with _manifest_lock(root):
        existing = _landed_entry(root, source, file_id)
        if existing is not None:
            return existing, False
        safe_name = _SAFE_NAME.sub("_", Path(name).name).strip("_") or "file"
        target = root / source / f"{file_id}__{safe_name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            _write_immutable(target, sha256, write)
        entry = LandedFile(
            file_id=file_id,
            source=source,
            path=str(target),
            original_name=Path(name).name,
            sha256=sha256,
            size_bytes=size,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            request=request or {},
            vintage=vintage,
            row_count=row_count,
        )
        with open(root / MANIFEST_NAME, "a", encoding="utf-8") as manifest:
            manifest.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
    return entry, True


def _landed_entry(root: Path, source: str, file_id: str) -> LandedFile | None:
    for entry in read_manifest(root, source, include_retracted=True):
        if entry.file_id == file_id and Path(entry.path).exists():
            return entry
    return None


def _write_immutable(target: Path, sha256: str, write: Callable[[Path], object]) -> None:
    # Written beside the target, checked against its hash, then renamed: a killed run leaves a
    # .part file, never a landed file whose bytes differ from its name.
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)  # left read-only by a run killed just before its rename
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
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
