"""`reeflow-dbt --version` answers without starting dbt, in the shape dagster-dbt reads."""

from __future__ import annotations

import re
import sys
from importlib import metadata

import pytest

from orchestration import dbt_launcher


def _no_exec(path, argv, env):
    raise AssertionError(f"dbt was started: {path} {argv}")


def test_version_comes_from_the_installed_packages(monkeypatch, capsys):
    monkeypatch.setattr(dbt_launcher.os, "execve", _no_exec)
    monkeypatch.setattr(sys, "argv", ["reeflow-dbt", "--version"])
    dbt_launcher.main()
    printed = capsys.readouterr().out
    # dagster-dbt takes the first version number it finds for dbt-core's.
    assert re.search(r"(\d+\.\d+\.\d+)", printed).group(1) == metadata.version("dbt-core")
    assert f"duckdb: {metadata.version('dbt-duckdb')}" in printed


def test_a_dbt_found_elsewhere_is_asked_itself(monkeypatch):
    monkeypatch.setattr(dbt_launcher, "real_dbt", lambda: "/opt/other/bin/dbt")
    monkeypatch.setattr(dbt_launcher.os, "execve", _no_exec)
    monkeypatch.setattr(dbt_launcher, "_die_with_parent", lambda parent: None)
    monkeypatch.setattr(dbt_launcher, "hold_process_record", lambda parent: None)
    monkeypatch.setattr(sys, "argv", ["reeflow-dbt", "--version"])
    with pytest.raises(AssertionError, match=re.escape(
            "dbt was started: /opt/other/bin/dbt ['/opt/other/bin/dbt', '--version']")):
        dbt_launcher.main()


def _started_env(monkeypatch) -> dict:
    """The environment the launcher hands dbt for `reeflow-dbt build`."""
    started = {}

    def record(path, argv, env):
        started.update(env)

    monkeypatch.setattr(dbt_launcher.os, "execve", record)
    monkeypatch.setattr(dbt_launcher, "_die_with_parent", lambda parent: None)
    monkeypatch.setattr(dbt_launcher, "hold_process_record", lambda parent: None)
    monkeypatch.setattr(sys, "argv", ["reeflow-dbt", "build"])
    dbt_launcher.main()
    return started


def test_dbt_logs_warnings_only_to_its_file_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert _started_env(monkeypatch)["DBT_LOG_LEVEL_FILE"] == "warn"


def test_a_file_log_level_the_user_set_is_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert _started_env(monkeypatch)["DBT_LOG_LEVEL_FILE"] == "debug"
