"""`reeflow-dbt`: how every dbt process is started (the dbt resource, the manifest refresh).

A console script that sets dbt up, then replaces itself with the dbt beside this interpreter:
- **Inside the data folder.** dbt starts in REEFLOW_DATA_DIR, where `profiles.yml` and the
  sources name the working database and the staged Parquet by relative paths. dbt keys its
  parse on the profile and the paths it is handed: with none, one parse of the project serves
  every data folder (a fresh folder used to cost a full parse, ~9 s). The project, profiles
  and log folders dbt is given relative to where it was started are made absolute first;
  dbt's target path is already taken from the project folder.
- **Tied to its parent.** On Linux dbt gets SIGKILL when the process that started it dies
  (PR_SET_PDEATHSIG), so a `reeflow run` killed mid-build does not leave `dbt build` writing
  the working database alone.
- **Findable.** Elsewhere the kernel cannot tie them, so each dbt holds a lock file naming
  itself and its parent for as long as it runs (`dbt_processes_dir()`); the next run stops one
  whose parent is gone (`stop_orphans`).
- **Quick to ask.** dagster-dbt runs `dbt --version` before every dbt command; dbt takes 2-3 s
  to start just to print it, so `reeflow-dbt --version` answers from the installed packages.
- **Quiet on disk.** dbt writes a debug log of every statement to `dbt.log` by default; that
  file cost about a tenth of a build (measured: 10.4 -> 9.0 s of dbt's own elapsed time; each
  line takes a lock both threads wait on). Warnings and errors still go there;
  DBT_LOG_LEVEL_FILE=debug in the environment brings the rest back.
Plain Python: no Dagster import, so it starts in a fraction of dbt's own start-up time.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from ingest import settings
from ingest.processes import pid_alive

LAUNCHER = "reeflow-dbt"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_GRACE_S = 10  # after SIGTERM, before SIGKILL: dbt closes its DuckDB connection cleanly
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


def dbt_processes_dir() -> Path:
    return settings.data_dir() / ".dbt-processes"


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when `parent` ends; survives the exec into dbt."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # refused: the lock record below still lets the next run stop an orphan
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(f"{LAUNCHER}: the process that started dbt has already ended")


def hold_process_record(parent: int) -> int:
    """Lock a file naming this process and its parent; the lock lasts as long as the process.

    The descriptor is inherited across exec, so dbt itself holds the lock; the kernel releases
    it when dbt ends, however it ends. Returns the descriptor.
    """
    folder = dbt_processes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{os.getpid()}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()} {parent}\n".encode())
    os.set_inheritable(fd, True)
    return fd


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
    _die_with_parent(parent)
    env, args = dbt_environment(dict(os.environ)), absolute_path_args(sys.argv[1:])
    data = settings.data_dir()
    (data / settings.DBT_WORK_DATABASE).parent.mkdir(parents=True, exist_ok=True)  # DuckDB makes no folder
    os.chdir(data)
    hold_process_record(parent)
    dbt = real_dbt()
    os.execve(dbt, [dbt, *args], env)


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


def _released(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait_released(fd: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not _released(fd):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_orphans(say: Callable[[str], None]) -> list[int]:
    """Stop every dbt whose starting process has died; forget the records of ended ones.

    Call holding the run lock. A dbt whose parent is alive belongs to a live run (`dagster dev`)
    and is left alone: the `duckdb` pool keeps the two apart. Returns the pids stopped.
    """
    stopped = []
    for record in sorted(dbt_processes_dir().glob("*.lock")):
        fd = os.open(record, os.O_RDWR)
        try:
            if not _released(fd):
                named = os.read(fd, 64).split()
                if len(named) != 2:
                    continue  # its dbt is still writing the record: alive, just started
                pid, parent = (int(part) for part in named)
                if pid_alive(parent):
                    continue
                say(f"dbt (pid {pid}) outlived the run that started it (pid {parent}); stopping it")
                os.kill(pid, signal.SIGTERM)
                if not _wait_released(fd, STOP_GRACE_S):
                    os.kill(pid, signal.SIGKILL)
                    _wait_released(fd, STOP_GRACE_S)
                stopped.append(pid)
            record.unlink(missing_ok=True)
        except ProcessLookupError:
            record.unlink(missing_ok=True)  # ended between the lock test and the signal
        finally:
            os.close(fd)
    return stopped
