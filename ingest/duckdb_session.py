"""The one way ingest opens DuckDB: bounded memory, spill files inside the data folder.

DuckDB spills what does not fit in `memory_limit` to `temp_directory`. Left to itself it uses
most of the machine's memory and spills under /tmp, where a killed run leaves gigabytes that
nothing removes. Here every connection gets REEFLOW_DUCKDB_MEMORY_LIMIT and a scratch folder of
its own process, `data/tmp/duckdb/<pid>-<start>/`; folders of processes that no longer run are
removed when the next one starts, so a killed run's spill is gone at the next ingest.
"""

from __future__ import annotations

import os
import shutil
import time
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from ingest import settings
from ingest.processes import pid_alive

# Enough for a 10-million-line bulk year (the scan keeps only the rare-earth lines) and a 400 MB
# API answer in batches, with the whole process under 600 MB (benchmarks/faults.py); a larger
# intermediate result spills to disk instead of growing the process.
DEFAULT_MEMORY_LIMIT = "256MB"
MEMORY_LIMIT_ENV = "REEFLOW_DUCKDB_MEMORY_LIMIT"


def memory_limit() -> str:
    return os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


def scratch_root() -> Path:
    """Every process's scratch folder lives here (spill files, pipes)."""
    return settings.data_dir() / "tmp" / "duckdb"


def scratch_dir() -> Path:
    """This process's scratch folder; the first call removes dead processes' folders."""
    return _scratch_dir(str(scratch_root()), os.getpid())


@cache
def _scratch_dir(root: str, pid: int) -> Path:
    # Keyed by pid too: a forked child (Dagster's multiprocess executor) gets its own folder.
    remove_dead_scratch(Path(root))
    folder = Path(root) / f"{pid}-{time.time_ns()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove_dead_scratch(root: Path) -> list[Path]:
    """Remove the scratch folders of processes that are gone; return them."""
    removed = []
    for folder in root.glob("*-*") if root.is_dir() else ():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def connect(**config: Any) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the memory limit and a spill folder in the data folder.

    `config` adds settings (e.g. preserve_insertion_order)."""
    con = duckdb.connect(
        config={"memory_limit": memory_limit(), "temp_directory": str(scratch_dir()), **config}
    )
    con.execute("set enable_progress_bar = false")
    return con
