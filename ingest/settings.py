"""Where reeflow keeps its files. One env var per setting.

Relative paths are taken from the repository root, so the CLI and Dagster agree on the same
files whatever the working directory. dbt is handed no path: `reeflow-dbt` starts it inside the
data folder, where profiles.yml and the sources name their files relatively (`DBT_WORK_DATABASE`,
`staged/`), so one parse of the dbt project serves every data folder.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The private database dbt builds in, relative to the data folder: profiles.yml names the same.
DBT_WORK_DATABASE = Path("warehouse") / "reeflow.work.duckdb"


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
    """The private database dbt builds in (publishing copies it to `warehouse_path()`)."""
    return data_dir() / DBT_WORK_DATABASE


def work_database_config() -> dict[str, str]:
    """DuckDB settings to open the working database with from anywhere: its staging views read
    the staged Parquet relative to the data folder, as dbt does inside it."""
    return {"file_search_path": str(data_dir())}


def landing_dir() -> Path:
    return data_dir() / "landing"


def staged_dir() -> Path:
    return data_dir() / "staged"


def _switched_on(name: str) -> bool:
    return os.environ.get(name, "1").strip().lower() not in {"0", "no", "false", "off"}


def land_by_hard_link() -> bool:
    """Whether a large file is landed as a hard link to itself on the same file system (fast, no
    second copy; the file becomes read-only) rather than copied: REEFLOW_LAND_BY_LINK=0 copies."""
    return _switched_on("REEFLOW_LAND_BY_LINK")


def dbt_standby_wanted() -> bool:
    """Whether `reeflow run` imports dbt ahead in a standby process that then takes the run's
    `dbt build` (orchestration/dbt_standby.py): REEFLOW_DBT_STANDBY=0 starts dbt when needed."""
    return _switched_on("REEFLOW_DBT_STANDBY")


def dagster_home() -> Path:
    return _resolve(os.environ.get("DAGSTER_HOME", ".dagster_home"))


def dbt_executable() -> str:
    """The dbt next to this interpreter: `.venv/bin/reeflow` runs without an activated venv."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")
