"""A great-expectations suite's outcomes, reused when the same suite meets the same rows again.

Validating is costly (importing great-expectations alone takes seconds) and most runs validate
exactly what the last one did: the same staged files, marts dbt did not change. A suite's
outcomes are a function of the rows it is given and of the code and reference data that build
and run it, so they are kept under a key made of:
- the rows, as a multiset: each row's hash over every column, sorted, with the column names and
  dtypes (a changed, added or removed row or column changes the key; a reordering does not);
- every Python file of expectations/ and ingest/ (suites import reference code from both), the
  dbt vars and seeds the suites read (dbt_project.yml, seeds/), and the versions of
  great-expectations, pandas and numpy;
- today's date (two staged suites bound years by the current one).
A suite changed inside a running process (a test's monkeypatch) is not seen: clear cache_dir().
A frame whose text columns hold anything but strings is never reused. The caller records the
reused outcomes for its own run, so every run's `quality.check_results` stays complete.
Plain Python, no Dagster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from expectations.outcome import ExpectationOutcome
from ingest import settings
from orchestration.state_files import write_json_atomic

if TYPE_CHECKING:
    import pandas as pd

_CODE_FOLDERS = ("expectations", "ingest")
_VERSIONS = ("great-expectations", "pandas", "numpy")


@dataclass(frozen=True)
class CachedOutcomes:
    run_id: str  # the run that validated these rows
    outcomes: list[ExpectationOutcome]


def cache_dir() -> Path:
    return settings.data_dir() / "quality" / "expectation_cache"


@lru_cache(maxsize=1)
def code_digest() -> str:
    digest = hashlib.sha256()
    for package in _VERSIONS:
        digest.update(f"{package}=={metadata.version(package)}\n".encode())
    files = [path for folder in _CODE_FOLDERS for path in (settings.REPO_ROOT / folder).rglob("*.py")]
    files.append(settings.DBT_PROJECT_DIR / "dbt_project.yml")
    files += (settings.DBT_PROJECT_DIR / "seeds").rglob("*")
    for path in sorted(path for path in files if path.is_file()):
        digest.update(f"{path.relative_to(settings.REPO_ROOT).as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def rows_digest(frame: pd.DataFrame) -> str | None:
    """The frame's rows as a multiset, or None when a text column holds other objects."""
    import numpy as np  # here, not at import: the CLI asks `validated_today` before anything heavy
    import pandas as pd

    for column in frame.columns:
        if frame[column].dtype == object and pd.api.types.infer_dtype(frame[column], skipna=True) not in (
            "string", "empty"
        ):
            return None  # pandas would hash 1 and "1" alike
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(name), str(dtype)] for name, dtype in frame.dtypes.items()]).encode())
    if len(frame.columns):
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        digest.update(np.sort(rows).tobytes())
    digest.update(f"rows {len(frame)}".encode())
    return digest.hexdigest()


def key(guard: str, frame: pd.DataFrame) -> str | None:
    """The cache key of `guard` (e.g. "mart/fct_mine_production") over `frame`, if it has one."""
    rows = rows_digest(frame)
    if rows is None:
        return None
    parts = (guard, code_digest(), date.today().isoformat(), rows)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _path(guard: str) -> Path:
    return cache_dir() / (guard.replace("/", "__") + ".json")


def lookup(guard: str, cache_key: str | None) -> CachedOutcomes | None:
    if cache_key is None:
        return None
    try:
        kept = json.loads(_path(guard).read_text())
        if kept["key"] != cache_key:
            return None
        return CachedOutcomes(kept["run_id"], [ExpectationOutcome(**outcome) for outcome in kept["outcomes"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(guard: str, cache_key: str | None, run_id: str, outcomes: list[ExpectationOutcome]) -> None:
    if cache_key is None:
        return
    write_json_atomic(_path(guard), {"key": cache_key, "run_id": run_id,
                                     "outcomes": [asdict(o) for o in outcomes]}, indent=None)


def validated_today() -> bool:
    """Whether any suite stored outcomes today: if none did, this run validates every suite it
    meets (the date is part of every key)."""
    midnight = datetime.combine(date.today(), datetime.min.time()).timestamp()
    try:
        return any(path.stat().st_mtime >= midnight for path in cache_dir().glob("*.json"))
    except OSError:  # a file replaced while looked at: someone is validating right now
        return False
