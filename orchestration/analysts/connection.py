"""The one way analysts' commands open the published warehouse: read-only, external access off.

Read-only lets several readers share the file with a running pipeline (which only ever renames a
new snapshot into place). External access off means SQL cannot read, write or attach any other
file, nor install or load extensions; locking the configuration stops a later `SET` from turning
it back on. DuckDB enforces all three, whatever the SQL says.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest import settings
from orchestration.analysts import AnalystError

LOCKED_DOWN = {
    "enable_external_access": False,
    # Extensions DuckDB would otherwise fetch or load on first use (httpfs for an URL, ...).
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def published_path(path: Path | str | None = None) -> Path:
    return Path(path) if path is not None else settings.warehouse_path()


def open_published(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A locked-down read-only connection to the published warehouse (REEFLOW_WAREHOUSE)."""
    target = published_path(path)
    if not target.is_file():
        raise AnalystError(f"no published warehouse at {target}: run `reeflow run` (or `make run`)")
    con = duckdb.connect(str(target), read_only=True, config=LOCKED_DOWN)
    con.execute("set lock_configuration = true")
    return con
