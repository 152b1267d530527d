"""Every test gets its own data folder, warehouse and DAGSTER_HOME under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
REFERENCE_DATA = SHARED / "reference-data"


@pytest.fixture
def reeflow_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REEFLOW_WAREHOUSE", str(tmp_path / "data" / "warehouse" / "reeflow.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path


def reference_file(*parts: str) -> Path:
    path = REFERENCE_DATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"reference file missing: {path} (CI must have ../shared beside the repo)")
    return path
