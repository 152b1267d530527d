"""`reeflow` as a user runs it: the venv's own console script in a child process, with no
activated venv and a minimal PATH (the CLI must find its own dbt), on a test's data folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REEFLOW = Path(sys.executable).with_name("reeflow")
TIMEOUT_S = 900  # generous for a loaded CI machine; a run that outlasts it fails the test


def cli_env(root: Path) -> dict[str, str]:
    """Every setting pointed under `root`: data folder, published warehouse, DAGSTER_HOME."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(root),
        "REEFLOW_DATA_DIR": str(root / "data"),
        "REEFLOW_WAREHOUSE": str(root / "data" / "warehouse" / "reeflow.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def run_reeflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REEFLOW), *args], env=env, capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)
