"""dbt started as the run's dbt step starts it (the run's own resource, through reeflow-dbt), on
the test's data folder, its target folder there too."""

from __future__ import annotations

from ingest import settings
from orchestration.defs.resources import resources


def dbt_cli(*args: str):
    """The dbt invocation, not waited for: stream its events or `.wait()`."""
    return resources().resources["dbt"].cli(list(args), target_path=settings.data_dir() / "dbt_target")
