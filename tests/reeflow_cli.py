"""`reeflow` as a user runs it: the venv's own console script in a child process, with no
activated venv and a minimal PATH (the CLI must find its own dbt), on a test's data folder."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

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


PATIENCE_S = 300  # generous for a loaded CI machine: a wait that runs out fails the test


def start_run(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`reeflow run` in the background, its output in `log`."""
    # Its own process group, so SIGKILL reaches dbt and every other child, as a crash would.
    with open(log, "w") as out:
        return subprocess.Popen([str(REEFLOW), "run"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen | None = None):
    """Poll `condition` until true; fail if `process` ends first or patience runs out."""
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the run ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)
