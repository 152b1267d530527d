"""Great-expectations imported in a second process while a run starts, when it will be needed.

Importing great-expectations costs 3-4 s of one core (scipy alone 1.4 s), and a run that
validates pays it in its first check, on the run's critical path. Most runs validate nothing
(every suite meets the rows it validated before: orchestration/expectation_cache.py), but a
fresh data folder, or the first run of a day (the cache key holds the date), validates every
suite. For those `reeflow run` starts this worker before it imports Dagster, so the import runs
on the machine's other core; the checks then hand it their frames. Without a worker (`dagster
dev`, a run the cache says will validate nothing) or if it fails, a check validates in its own
process, as before: same suites, same outcomes. A suite changed inside the run's process (a
test's monkeypatch) is not seen by the worker. Plain Python, no Dagster.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from orchestration import expectation_cache
from orchestration.dbt_processes import die_with_parent

if TYPE_CHECKING:  # imported by the CLI before anything heavy: no pandas at import
    import pandas as pd

    from expectations.outcome import ExpectationOutcome
    from expectations.registry import Guard

log = logging.getLogger(__name__)
_worker: ProcessPoolExecutor | None = None


def _import_great_expectations() -> None:
    import great_expectations  # noqa: F401  (the point: imported before the first frame comes)


def _validate(layer: str, name: str, frame: pd.DataFrame) -> list[ExpectationOutcome]:
    from expectations.registry import guards

    return guards(layer)[name].validate(frame)


def validation_likely() -> bool:
    """Whether this run will probably validate: nothing validated today in this data folder."""
    return not expectation_cache.validated_today()


def start() -> None:
    """Start the worker and its import of great-expectations (returns at once)."""
    global _worker
    if _worker is None:
        # spawn: a clean interpreter, whatever threads this process has started by then. Tied to
        # this process: a pool's worker outlives a killed parent (it holds its own queue open).
        _worker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=die_with_parent, initargs=(os.getpid(), "validation worker"))
        _worker.submit(_import_great_expectations)  # first in its queue: before any frame


def running() -> bool:
    return _worker is not None


def stop() -> None:
    global _worker
    if _worker is not None:
        _worker.shutdown(wait=False, cancel_futures=True)
        _worker = None


def validate(guard: Guard, frame: pd.DataFrame) -> list[ExpectationOutcome]:
    """The suite's outcomes over `frame`: in the worker when there is one, else here."""
    if _worker is not None:
        try:
            return _worker.submit(_validate, guard.layer, guard.name, frame).result()
        except (BrokenProcessPool, pickle.PicklingError) as exc:  # validate here, as without one
            # (an error of the suite itself is raised as it would be here)
            log.warning("validation worker failed (%s); validating %s in this process", exc, guard.name)
            stop()
    return guard.validate(frame)
