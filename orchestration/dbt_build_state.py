"""Whether the working database still stands as the last `dbt build` left it, from the same inputs.

`reeflow run` builds the working database with dbt on every run, and most runs bring nothing new
(the same embedded data, an empty inbox). Skipping that build is safe only when nothing it reads
changed, so the record of a build holds the fingerprint of everything it read:
- the dbt project and dbt's versions (the manifest fingerprint of orchestration/dbt_manifest.py:
  models, seeds, macros, tests, vars, profiles.yml);
- every staged file under data/staged/, by content (dbt's sources read nothing else);
- DuckDB's version and the build command;
and the identity of the working database the build left (size, modification time, inode; no
WAL beside it), so a file written since by anything else is built again.

The record is removed before any build starts and written only after a complete build that
succeeded (a build that fails, is killed or builds a subset leaves none), and it keeps the dbt
tests' outcomes, so a run that reuses the build still records and shows them. When in doubt,
build. Plain Python, no Dagster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from expectations.outcome import ExpectationOutcome
from ingest import settings
from orchestration import dbt_manifest
from orchestration.state_files import write_json_atomic

RECORD_SUFFIX = ".build.json"


@dataclass(frozen=True)
class StandingBuild:
    run_id: str  # the run whose `dbt build` made the working database
    tests: dict[str, list[ExpectationOutcome]]  # dbt test outcomes by asset (as check_results)


def record_path() -> Path:
    work = settings.work_database_path()
    return work.with_name(work.name + RECORD_SUFFIX)


def _staged_files_digest() -> str:
    digest = hashlib.sha256()
    staged = settings.staged_dir()
    for path in sorted(p for p in staged.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(staged).as_posix()}\n".encode())
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def inputs_fingerprint(build_args: list[str]) -> str:
    """Everything a full `dbt build` with `build_args` reads, as one digest."""
    digest = hashlib.sha256()
    digest.update(f"dbt project {dbt_manifest.fingerprint()}\n".encode())
    digest.update(f"staged {_staged_files_digest()}\n".encode())
    digest.update(f"duckdb=={metadata.version('duckdb')}\n".encode())
    digest.update(f"args {json.dumps(build_args)}\n".encode())
    return digest.hexdigest()


def _work_database_identity() -> list[int] | None:
    work = settings.work_database_path()
    if not work.exists() or work.with_name(work.name + ".wal").exists():
        return None  # no file, or one with writes not yet checkpointed: never reused
    stat = work.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def standing_build(fingerprint: str) -> StandingBuild | None:
    """The last build, if it was made from these very inputs and its database is untouched."""
    try:
        record = json.loads(record_path().read_text())
    except (OSError, ValueError):
        return None
    identity = _work_database_identity()
    if record.get("fingerprint") != fingerprint or identity is None or record.get("work_database") != identity:
        return None
    try:
        tests = {
            asset: [ExpectationOutcome(**outcome) for outcome in outcomes]
            for asset, outcomes in record["tests"].items()
        }
        return StandingBuild(run_id=str(record["run_id"]), tests=tests)
    except (KeyError, TypeError, AttributeError):
        return None


def rebuild_likely() -> bool:
    """A guess made before ingest, for `reeflow run` to decide whether importing dbt ahead is
    worth it (orchestration/dbt_standby.py): no standing build, or something a run reads was
    written since it (an inbox file, an embedded default, the dbt manifest). A wrong guess costs
    time, never a build: whether to build is `standing_build`'s decision."""
    try:
        built = record_path().stat().st_mtime
    except OSError:
        return True
    files = [dbt_manifest.MANIFEST]
    for folder in (settings.data_dir() / "inbox", settings.EMBEDDED_DIR):
        files += [path for path in folder.rglob("*") if path.is_file()]
    return any(_changed_at(path) > built for path in files)


def _changed_at(path: Path) -> float:
    try:
        stat = path.stat()
    except OSError:
        return float("inf")  # gone since it was listed: something is changing
    return max(stat.st_mtime, stat.st_ctime)  # ctime: a file moved in keeps its old mtime


def forget() -> None:
    """Call before dbt writes the working database: from then on no earlier build stands."""
    record_path().unlink(missing_ok=True)


def remember(fingerprint: str, run_id: str, tests: dict[str, list[ExpectationOutcome]]) -> None:
    """Call after a complete, successful build of everything, made from `fingerprint`."""
    identity = _work_database_identity()
    if identity is None:
        return
    record = {
        "fingerprint": fingerprint,
        "run_id": run_id,
        "work_database": identity,
        "tests": {asset: [asdict(outcome) for outcome in outcomes] for asset, outcomes in tests.items()},
    }
    write_json_atomic(record_path(), record)
