"""Withdrawing a landed file: a bad input that fails an ERROR check would otherwise block every
run until someone edited landing by hand.

Retracting never deletes the raw file (nothing landed is lost): it records the file id and the
reason in `retractions.jsonl`, after which every read of the manifest leaves the file out, and
removes what was staged from it, so the next run rebuilds the warehouse without it. Landing the
same bytes again does not bring it back; deleting its line from `retractions.jsonl` does, and
so does a later line that reinstates it (`record_retraction(..., reinstated=True)`: an embedded
file edited back to what it was, ingest/embedded_landings.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.landing import LandedFile, read_manifest, record_retraction
from ingest.staging import files_staged_from

_FILE_ID = re.compile(r"^[0-9a-f]{16}$")


def retract(
    file_id: str, reason: str, *, landing_dir: Path | None = None, staged_dir: Path | None = None
) -> tuple[LandedFile, list[Path]]:
    """Withdraw a landed file; return its manifest entry and the staged files removed."""
    if not _FILE_ID.match(file_id):
        raise ValueError(f"{file_id!r} is not a landed file id (16 hex digits, see quality.landed_files)")
    if not reason.strip():
        raise ValueError("say why the file is retracted (--reason)")
    entries = [e for e in read_manifest(landing_dir, include_retracted=True) if e.file_id == file_id]
    if not entries:
        raise ValueError(f"no landed file with id {file_id}")
    record_retraction(file_id, reason.strip(), landing_dir)
    removed = files_staged_from(file_id, staged_dir)
    for path in removed:
        path.unlink()
    return entries[-1], removed
