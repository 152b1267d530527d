"""What a killed run leaves behind, cleared by the next command that holds the run lock.

- a dbt still writing the working database (where the kernel could not tie it to its parent:
  orchestration/dbt_processes.py), stopped;
- the folder of its dbt standby in the temporary directory (orchestration/dbt_standby.py);
- a half-written snapshot and DuckDB's files beside it (`.building`, `.building.wal`, ...);
- half-written landed, staged and check-result files (`*.part`: each writer renames its
  `.part` into place only when complete, so one still there belongs to a dead process).
The working database itself stays: DuckDB replays its own WAL, and the next `dbt build`
rebuilds every table. Plain Python, no Dagster.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest import settings
from orchestration import dbt_standby, publishing
from orchestration.check_results import check_results_dir
from orchestration.dbt_processes import stop_orphans


def clear(say: Callable[[str], None]) -> None:
    """Call holding the run lock: every `.part` then belongs to a process that is gone."""
    stop_orphans(say)
    dbt_standby.remove_dead_runs_folders()
    publishing.remove_debris()
    for folder in (settings.landing_dir(), settings.staged_dir(), check_results_dir()):
        for part in folder.rglob("*.part"):
            part.unlink(missing_ok=True)
