"""A sensor per inbox (`data/inbox/<kind>/`): a file dropped there starts the main job, whose
ingest step lands and stages it like any other input of that kind.

- A file still being written waits: it is taken once two ticks see the same size and
  modification time (a 1.4 GB bulk file takes a while to copy).
- The same bytes start nothing new, under any name: the cursor keeps the hashes a run was asked
  for, and bytes the landing manifest already holds for this kind are skipped.
- Each version of a file is hashed once: the cursor keeps name, size, modification time and
  hash, so a large file is not read again on every tick.
Off by default like the schedules (README, production). Names from the inbox are logged escaped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from ingest.catalog import SOURCE_KINDS, inbox_dir
from ingest.landing import read_manifest
from orchestration.defs.schedules import main_job
from orchestration.printable import escaped

INBOX_TAG = "reeflow/inbox"
TICK_S = 30


@dataclass
class InboxCursor:
    # name -> [size, mtime_ns, sha256 or None while the file may still be growing]
    seen: dict[str, list] = field(default_factory=dict)
    # hashes a run was asked to land and that are not in the manifest yet
    requested: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str | None) -> InboxCursor:
        if not text:
            return cls()
        state = json.loads(text)
        return cls(seen=state.get("seen", {}), requested=state.get("requested", []))

    def dump(self) -> str:
        return json.dumps({"seen": self.seen, "requested": self.requested}, sort_keys=True)


@dataclass(frozen=True)
class DroppedFile:
    name: str
    sha256: str


def scan_inbox(folder: Path, cursor: InboxCursor, landed: set[str]) -> tuple[list[DroppedFile], InboxCursor]:
    """Files of `folder` complete since the last tick and not landed or asked for yet; the new
    cursor. `landed` holds the sha256 of every file the manifest has for this kind."""
    asked = {sha for sha in cursor.requested if sha not in landed}  # landed ones: the manifest knows
    seen: dict[str, list] = {}
    ready: list[DroppedFile] = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name.startswith(".") or not path.is_file():
            continue  # hidden files are skipped by the run's landing too
        stat = path.stat()
        now = [stat.st_size, stat.st_mtime_ns]
        before = cursor.seen.get(path.name)
        if before is None or before[:2] != now:
            seen[path.name] = [*now, None]  # new, or changed since the last tick: look again
            continue
        if before[2] is not None:
            seen[path.name] = before
            continue
        sha = _sha256(path)
        seen[path.name] = [*now, sha]
        if sha not in landed and sha not in asked:
            asked.add(sha)
            ready.append(DroppedFile(path.name, sha))
    return ready, InboxCursor(seen=seen, requested=sorted(asked))


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def inbox_sensor(kind: str) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"inbox_{kind}",
        job=main_job,
        minimum_interval_seconds=TICK_S,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Starts the main job when new bytes are dropped in data/inbox/{kind}/.",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        landed = {entry.sha256 for entry in read_manifest(source=kind, include_retracted=True)}
        ready, cursor = scan_inbox(inbox_dir(kind), InboxCursor.parse(context.cursor), landed)
        if not ready:
            return dg.SensorResult(skip_reason=f"nothing new in data/inbox/{kind}/", cursor=cursor.dump())
        context.log.info(f"new in data/inbox/{kind}/: {', '.join(escaped(f.name) for f in ready)}")
        batch = hashlib.sha256("".join(sorted(f.sha256 for f in ready)).encode()).hexdigest()[:16]
        request = dg.RunRequest(run_key=f"inbox:{kind}:{batch}", tags={INBOX_TAG: kind})
        return dg.SensorResult(run_requests=[request], cursor=cursor.dump())

    return _sensor


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[inbox_sensor(kind) for kind in SOURCE_KINDS])
