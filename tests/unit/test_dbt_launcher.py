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
