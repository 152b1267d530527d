"""Where reeflow keeps its files. One env var per setting, shared with dbt's profiles.yml.

Relative paths are taken from the repository root, so the CLI, Dagster and dbt (which runs
inside dbt_project/) all agree on the same files whatever the working directory.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ingest.sqlsafe import check_sql_path

REPO_ROOT = Path(__file__).resolve().parents[1]
EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def data_dir() -> Path:
    """Root of landing, staged Parquet and quarantine (REEFLOW_DATA_DIR, default data/)."""
    return _resolve(os.environ.get("REEFLOW_DATA_DIR", "data"))


def warehouse_path() -> Path:
    """The published snapshot analysts and BI tools open (REEFLOW_WAREHOUSE)."""
    default = data_dir() / "warehouse" / "reeflow.duckdb"
    return _resolve(os.environ.get("REEFLOW_WAREHOUSE", str(default)))


def work_database_path() -> Path:
    """The private database dbt builds in; profiles.yml derives the same name."""
    published = warehouse_path()
    return published.with_name(published.name.removesuffix(".duckdb") + ".work.duckdb")


def landing_dir() -> Path:
    return data_dir() / "landing"


def staged_dir() -> Path:
    return data_dir() / "staged"


def land_by_hard_link() -> bool:
    """Whether a large file is landed as a hard link to itself on the same file system (fast, no
    second copy; the file becomes read-only) rather than copied: REEFLOW_LAND_BY_LINK=0 copies."""
    return os.environ.get("REEFLOW_LAND_BY_LINK", "1").strip().lower() not in {"0", "no", "false", "off"}


def dagster_home() -> Path:
    return _resolve(os.environ.get("DAGSTER_HOME", ".dagster_home"))


def dbt_env() -> dict[str, str]:
    """Absolute paths handed to dbt so that its cwd does not matter.

    dbt pastes them into SQL text (the sources' `external_location`), so they are checked first.
    """
    return {
        "REEFLOW_DATA_DIR": check_sql_path(data_dir()),
        "REEFLOW_WAREHOUSE": check_sql_path(warehouse_path()),
    }


def dbt_executable() -> str:
    """The dbt next to this interpreter: `.venv/bin/reeflow` runs without an activated venv."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")
