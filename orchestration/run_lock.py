"""One pipeline run at a time: `reeflow run`, publish, rollback and retract take this lock.

An flock on `<data>/.reeflow-run.lock`, held for the whole command and released by the kernel
however the process ends; the file names the holder's pid so a second command can say who
holds it. Plain Python, no Dagster.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest import settings


class RunInProgress(RuntimeError):
    """Another reeflow command holds the lock."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"another reeflow run is in progress (pid {holder}); try again when it ends")
        self.holder = holder


def lock_path() -> Path:
    return settings.data_dir() / ".reeflow-run.lock"


@contextmanager
def held() -> Iterator[None]:
    """Hold the run lock for the body, or raise RunInProgress at once (never wait)."""
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise RunInProgress(handle.read().strip() or "unknown") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
