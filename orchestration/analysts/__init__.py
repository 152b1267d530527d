"""What analysts run against the published warehouse: `reeflow report`, `query` and `docs`.

Plain Python, no Dagster import: these read the published snapshot only (read-only, external
access off), so they never block or race a pipeline run.
"""


class AnalystError(Exception):
    """A problem the analyst can fix (no warehouse yet, a refused query); shown without a
    traceback, exit code 2."""
