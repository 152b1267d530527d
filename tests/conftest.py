"""Shared fixtures and the two markers.

Every test gets its own data folder, warehouse and DAGSTER_HOME under tmp_path (`reeflow_env`)
and lands its inputs with `land`. Inputs are the small real files in tests/fixtures/.

Markers (registered in pyproject.toml):
- `integration`: end-to-end runs (`reeflow run`, dbt). Everything under tests/integration/ gets it
  here; a unit module that runs dbt sets it itself. The quick loop is `-m "not integration"`.
- `reference_data`: needs the WHOLE shared reference files, which a user's clone does not have.
  They are looked for in $REEFLOW_REFERENCE_DATA, else in ../shared/reference-data beside the
  repository. Without them these tests are deselected and the summary says how many; when
  REEFLOW_REFERENCE_DATA is set (CI) and the files are not there, each such test is an ERROR.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.landing import LandedFile, land_bytes

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE_DATA_ENV = "REEFLOW_REFERENCE_DATA"
_BESIDE_THE_REPO = REPO_ROOT.parent / "shared" / "reference-data"
_DESELECTED = pytest.StashKey[int]()


def reference_data_dir() -> Path:
    """Where the whole reference files are: $REEFLOW_REFERENCE_DATA (relative to the repository
    root), else ../shared/reference-data. It may not exist."""
    configured = os.environ.get(REFERENCE_DATA_ENV)
    return REPO_ROOT / configured if configured else _BESIDE_THE_REPO


def reference_file(*parts: str) -> Path:
    """A whole reference file, for tests marked `reference_data` only."""
    path = reference_data_dir().joinpath(*parts)
    if not path.is_file():
        pytest.fail(f"reference file missing: {path}")
    return path


def fixture_file(*parts: str) -> Path:
    """A committed excerpt under tests/fixtures/ (there in every clone)."""
    path = FIXTURES.joinpath(*parts)
    assert path.is_file(), f"fixture missing: {path}"
    return path


def pytest_configure(config: pytest.Config) -> None:
    # Test modules that import the Dagster definitions need dbt's manifest when they are
    # imported; a fresh clone has none until it is parsed (`make test` parses first, a bare
    # `pytest` does it here). A no-op when the manifest on disk is current; under pytest-xdist
    # only the controller prepares it, before its workers start.
    if hasattr(config, "workerinput"):
        return
    from orchestration.dbt_manifest import ensure_manifest

    ensure_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    integration_dir = Path(__file__).resolve().parent / "integration"
    for item in items:
        if integration_dir in item.path.parents:
            item.add_marker(pytest.mark.integration)
    if os.environ.get(REFERENCE_DATA_ENV) or reference_data_dir().is_dir():
        return  # present, or required: pytest_runtest_setup makes their absence an error
    deselected = [item for item in items if item.get_closest_marker("reference_data")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("reference_data")]
    config.stash[_DESELECTED] = len(deselected)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("reference_data") and not reference_data_dir().is_dir():
        pytest.fail(f"{REFERENCE_DATA_ENV} is set but {reference_data_dir()} does not exist: "
                    "the reference_data tests cannot run")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    count = config.stash.get(_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"reference_data: {count} tests not run: they need the whole reference files, looked "
            f"for in {_BESIDE_THE_REPO} (or ${REFERENCE_DATA_ENV}), which is not beside this "
            "clone. The excerpts in tests/fixtures/ cover the rest; CI runs them all.",
            yellow=True,
        )


@pytest.fixture
def reeflow_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REEFLOW_WAREHOUSE", str(tmp_path / "data" / "warehouse" / "reeflow.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path


@pytest.fixture
def land_as() -> dict:
    """How `land` files its inputs: `source` and a default `name` (a test module overrides this
    fixture with its own); `landing_dir` may be set to None for the data folder's landing."""
    return {}


@pytest.fixture
def land(tmp_path: Path, land_as: dict) -> Callable[..., LandedFile]:
    """land(content, name=None, **options) -> LandedFile: bytes (or text, as UTF-8) landed under
    tmp_path/landing as `land_as` says; keyword options (source, request, vintage, ...) win."""

    def land(content: bytes | str, name: str | None = None, **options) -> LandedFile:
        if isinstance(content, str):
            content = content.encode("utf-8")
        options = {"landing_dir": tmp_path / "landing", **land_as, **options}
        if name is not None:
            options["name"] = name
        landed, _ = land_bytes(content, **options)
        return landed

    return land
