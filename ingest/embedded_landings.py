"""The embedded defaults (ingest/embedded/): an edited file supersedes its earlier landing.

Landing never rewrites a file, so editing an embedded register or USGS edition and running again
lands the edited file beside the earlier one. Both would then be staged and read: the staged
checks would count every figure twice, and a figure deleted by the edit would live on in the
earlier landing. So each embedded file is landed with its path in the request
({"embedded": "published_figures/japan.csv"}), and after landing the defaults every earlier
landing of the same path (or of a path no longer embedded) is withdrawn as superseded: the raw
file stays on disk, its staged files go (ingest/retractions.py). Editing the file back to what
it was reinstates the earlier landing. A file landed without a request (dropped in the inbox, or
landed before embedded files carried their path) holding the bytes of an embedded file is
withdrawn the same way: the same content would be counted twice.
"""

from __future__ import annotations

from pathlib import Path

from ingest import settings
from ingest.landing import (
    LandedFile,
    land_file,
    read_manifest,
    record_retraction,
    retracted_file_ids,
)
from ingest.retractions import retract

EMBEDDED_KEY = "embedded"
SUPERSEDED = "superseded"


def embedded_request(path: Path) -> dict[str, str]:
    return {EMBEDDED_KEY: Path(path).resolve().relative_to(settings.EMBEDDED_DIR.resolve()).as_posix()}


def land_embedded_files(
    paths: list[Path], source: str, provenance: dict[str, str] | None = None
) -> list[tuple[LandedFile, bool]]:
    """Land each file with its embedded path and, for a file that is not the publisher's own
    download, where it came from (`provenance`)."""
    return [land_file(path, source=source, request={**(provenance or {}), **embedded_request(path)})
            for path in paths]


def supersede_earlier(
    source: str, current: list[LandedFile], landing_dir: Path | None = None,
    staged_dir: Path | None = None,
) -> list[tuple[str, str]]:
    """Withdraw the landings of `source` that the `current` embedded ones replace; reinstate a
    current one withdrawn as superseded. Returns (file_id, what was done) for each change."""
    current_ids = {entry.file_id for entry in current}
    current_shas = {entry.sha256 for entry in current}
    now_by_path = {entry.request.get(EMBEDDED_KEY): entry for entry in current}
    retracted = retracted_file_ids(landing_dir)
    changes = []
    for entry in read_manifest(landing_dir, source, include_retracted=True):
        reason = retracted.get(entry.file_id)
        if entry.file_id in current_ids:
            if reason is not None and reason.startswith(SUPERSEDED):
                record_retraction(entry.file_id, "the embedded file is as it was again",
                                  landing_dir, reinstated=True)
                changes.append((entry.file_id, "reinstated"))
            continue
        if reason is not None:
            continue
        path = entry.request.get(EMBEDDED_KEY)
        if path is not None:
            newer = now_by_path.get(path)
            why = (f"{SUPERSEDED} by {newer.file_id}: the embedded file {path} was edited"
                   if newer else f"{SUPERSEDED}: the embedded file {path} is no longer there")
        elif not entry.request and entry.sha256 in current_shas:
            # An inbox copy of an embedded file (or a landing from before embedded files
            # carried their path): the same bytes twice.
            why = f"{SUPERSEDED}: the same content is landed as an embedded file"
        else:
            continue  # a fetched file, or an inbox file of its own content: never touched here
        retract(entry.file_id, why, landing_dir=landing_dir, staged_dir=staged_dir)
        changes.append((entry.file_id, why))
    return changes
