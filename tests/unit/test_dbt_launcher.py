"""`reeflow-dbt`: `--version` answers without starting dbt, in the shape dagster-dbt reads; dbt
starts inside the data folder with the folders it is given made absolute."""

from __future__ import annotations

import os
import re
import sys
from importlib import metadata

import pytest

from ingest import settings
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
    monkeypatch.setattr(dbt_launcher, "die_with_parent", lambda parent, name: None)
    monkeypatch.setattr(dbt_launcher, "hold_process_record", lambda parent: None)
    monkeypatch.setattr(sys, "argv", ["reeflow-dbt", "--version"])
    with pytest.raises(AssertionError, match=re.escape(
            "dbt was started: /opt/other/bin/dbt ['/opt/other/bin/dbt', '--version']")):
        dbt_launcher.main()


def _started(monkeypatch, *args: str) -> tuple[list[str], dict, str]:
    """The arguments, environment and working directory `reeflow-dbt ARGS` starts dbt with."""
    started = {}
    monkeypatch.chdir(os.getcwd())  # the launcher changes folder: back to this one afterwards

    def record(path, argv, env):
        started.update(argv=argv[1:], env=env, cwd=os.getcwd())

    monkeypatch.setattr(dbt_launcher.os, "execve", record)
    monkeypatch.setattr(dbt_launcher, "die_with_parent", lambda parent, name: None)
    monkeypatch.setattr(dbt_launcher, "hold_process_record", lambda parent: None)
    monkeypatch.setattr(sys, "argv", ["reeflow-dbt", *args])
    dbt_launcher.main()
    return started["argv"], started["env"], started["cwd"]


def _started_env(monkeypatch) -> dict:
    """The environment the launcher hands dbt for `reeflow-dbt build`."""
    return _started(monkeypatch, "build")[1]


def test_dbt_logs_warnings_only_to_its_file_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert _started_env(monkeypatch)["DBT_LOG_LEVEL_FILE"] == "warn"


def test_a_file_log_level_the_user_set_is_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert _started_env(monkeypatch)["DBT_LOG_LEVEL_FILE"] == "debug"


def test_dbt_starts_in_the_data_folder_with_every_folder_it_is_given_made_absolute(monkeypatch, tmp_path):
    data, caller = tmp_path / "new data", tmp_path / "caller"
    caller.mkdir()
    monkeypatch.chdir(caller)
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(data))
    monkeypatch.setenv("DBT_LOG_PATH", "target/run-1")  # as dagster-dbt gives it
    monkeypatch.setenv("DBT_TARGET_PATH", "target/run-1")
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    argv, env, cwd = _started(monkeypatch, "build", "--project-dir", "proj", "--profiles-dir=prof",
                              "--select", "dim_elements")
    assert cwd == str(data)
    assert (data / settings.DBT_WORK_DATABASE).parent.is_dir()  # made for a fresh data folder
    assert argv == ["build", "--project-dir", str(caller / "proj"), f"--profiles-dir={caller / 'prof'}",
                    "--select", "dim_elements"]
    assert env["DBT_LOG_PATH"] == str(caller / "target" / "run-1")
    assert env["DBT_TARGET_PATH"] == "target/run-1"  # dbt joins it to the project folder itself
    # Without a word about them, reeflow's own project and profile.
    assert env["DBT_PROJECT_DIR"] == env["DBT_PROFILES_DIR"] == str(settings.DBT_PROJECT_DIR)
