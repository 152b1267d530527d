"""`reeflow-dbt`: how every dbt process is started (the dbt resource, the manifest refresh).

A console script that sets dbt up, then replaces itself with the dbt beside this interpreter,
or hands the command to the dbt standby of a `reeflow run` (orchestration/dbt_standby.py):
- **Inside the data folder.** dbt starts in REEFLOW_DATA_DIR, where `profiles.yml` and the
  sources name the working database and the staged Parquet by relative paths. dbt keys its
  parse on the profile and the paths it is handed: with none, one parse of the project serves
  every data folder (a fresh folder used to cost a full parse, ~9 s). The project, profiles
  and log folders dbt is given relative to where it was started are made absolute first;
  dbt's target path is already taken from the project folder.
- **Tied to its parent and findable** (orchestration/dbt_processes.py): dbt dies with the
  process that started it, and holds a record the next run finds if it outlives it.
- **Quick to ask.** dagster-dbt runs `dbt --version` before every dbt command; dbt takes 2-3 s
  to start just to print it, so `reeflow-dbt --version` answers from the installed packages.
- **Quiet on disk.** dbt writes a debug log of every statement to `dbt.log` by default; that
  file cost about a tenth of a build (measured: 10.4 -> 9.0 s of dbt's own elapsed time; each
  line takes a lock both threads wait on). Warnings and errors still go there;
  DBT_LOG_LEVEL_FILE=debug in the environment brings the rest back.
Plain Python: no Dagster import, so it starts in a fraction of dbt's own start-up time.
"""

from __future__ import annotations

import os
import signal
import sys
from importlib import metadata
from pathlib import Path

from ingest import settings
from orchestration import dbt_standby
from orchestration.dbt_processes import die_with_parent, hold_process_record

LAUNCHER = "reeflow-dbt"
FILE_LOG_LEVEL = "warn"  # unless the environment says otherwise (the docstring says why)
# Folders dbt takes relative to its working directory (dagster-dbt gives DBT_LOG_PATH so);
# DBT_TARGET_PATH is not among them: dbt joins it to the project folder wherever it runs.
_FOLDERS_FROM_CWD = ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR", "DBT_LOG_PATH")
_PATH_FLAGS = {"--project-dir", "--profiles-dir", "--log-path", "--state", "--defer-state"}


def launcher_path() -> str:
    """The `reeflow-dbt` script beside this interpreter (installed by `make setup`)."""
    path = Path(sys.executable).with_name(LAUNCHER)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make setup` to install reeflow")
    return str(path)


def real_dbt() -> str:
    return settings.dbt_executable()


def installed_versions() -> str | None:
    """What `dbt --version` prints first, for the dbt installed beside this interpreter."""
    if Path(real_dbt()).parent != Path(sys.executable).parent:
        return None  # a dbt found elsewhere on PATH: only it knows its version
    return (f"Core:\n  - installed: {metadata.version('dbt-core')}\n\n"
            f"Plugins:\n  - duckdb: {metadata.version('dbt-duckdb')}")


def main() -> None:
    if sys.argv[1:] == ["--version"] and (versions := installed_versions()):
        print(versions)
        return
    parent = os.getppid()
    die_with_parent(parent, LAUNCHER)
    env, args = dbt_environment(dict(os.environ)), absolute_path_args(sys.argv[1:])
    data = settings.data_dir()
    (data / settings.DBT_WORK_DATABASE).parent.mkdir(parents=True, exist_ok=True)  # DuckDB makes no folder
    os.chdir(data)
    hold_process_record(parent)
    status = dbt_standby.hand_over(args, env, cwd=str(data))
    if status is not None:  # a standby ran it
        exit_as(status)
    dbt = real_dbt()
    os.execve(dbt, [dbt, *args], env)


def exit_as(status: int) -> None:
    """End as dbt ended: with its exit status, or by the signal that ended it (negative)."""
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


def dbt_environment(environ: dict[str, str]) -> dict[str, str]:
    """dbt's environment: reeflow's project and profile unless told otherwise, folders absolute."""
    env = {"DBT_LOG_LEVEL_FILE": FILE_LOG_LEVEL, **environ}
    env.setdefault("DBT_PROJECT_DIR", str(settings.DBT_PROJECT_DIR))
    env.setdefault("DBT_PROFILES_DIR", str(settings.DBT_PROJECT_DIR))
    for name in _FOLDERS_FROM_CWD:
        if env.get(name):
            env[name] = os.path.abspath(env[name])
    return env


def absolute_path_args(args: list[str]) -> list[str]:
    """`--project-dir dbt_project` and the like, made absolute before dbt starts elsewhere."""
    absolute = []
    for index, arg in enumerate(args):
        flag, equals, value = arg.partition("=")
        if equals and flag in _PATH_FLAGS:
            arg = f"{flag}={os.path.abspath(value)}"
        elif index and args[index - 1] in _PATH_FLAGS:
            arg = os.path.abspath(arg)
        absolute.append(arg)
    return absolute
