"""One warehouse built from the embedded data by `reeflow run`, shared by the analysts' tests
(report, README examples, docs, browser) in a pytest session: the build takes a minute or two."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.reeflow_cli import cli_env, run_reeflow

_built: dict[str, object] = {}


def embedded_warehouse_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a finished `reeflow run` on a temporary data folder (built once)."""
    if "env" not in _built:
        root = tmp_path_factory.mktemp("analysts-warehouse")
        env = cli_env(root)
        run = run_reeflow(env, "run")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        _built["env"] = env
    return _built["env"]


def built_docs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """`reeflow docs --out DIR` on the embedded warehouse (run once): the folder and the run."""
    if "docs" not in _built:
        env = embedded_warehouse_env(tmp_path_factory)
        out = tmp_path_factory.mktemp("analysts-docs")
        _built["docs"] = (out, run_reeflow(env, "docs", "--out", str(out)))
    return _built["docs"]


def query_rows(warehouse: Path | str, sql: str, *params) -> list[tuple]:
    """`sql` on a warehouse file, opened read-only for the one query."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def figure_value(warehouse: Path | str, figure_id: str) -> float:
    """A published figure's value, as the register gives it."""
    [(value,)] = query_rows(warehouse, "select value from fct_published_figures where figure_id = ?", figure_id)
    return value
