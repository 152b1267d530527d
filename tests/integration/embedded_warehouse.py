"""One warehouse built from the embedded data by `reeflow run`, shared by the analysts' tests
(report, README examples, docs, browser) in a pytest session: the build takes a minute or two."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REEFLOW = Path(sys.executable).with_name("reeflow")
_built: dict[str, object] = {}


def embedded_warehouse_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a finished `reeflow run` on a temporary data folder (built once)."""
    if "env" not in _built:
        root = tmp_path_factory.mktemp("analysts-warehouse")
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(root),
            "REEFLOW_DATA_DIR": str(root / "data"),
            "REEFLOW_WAREHOUSE": str(root / "data" / "warehouse" / "reeflow.duckdb"),
            "DAGSTER_HOME": str(root / "dagster_home"),
        }
        run = reeflow(env, "run")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        _built["env"] = env
    return _built["env"]


def reeflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The console script, as an analyst runs it (no activated venv, a minimal PATH)."""
    return subprocess.run([str(REEFLOW), *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def built_docs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """`reeflow docs --out DIR` on the embedded warehouse (run once): the folder and the run."""
    if "docs" not in _built:
        env = embedded_warehouse_env(tmp_path_factory)
        out = tmp_path_factory.mktemp("analysts-docs")
        _built["docs"] = (out, reeflow(env, "docs", "--out", str(out)))
    return _built["docs"]
