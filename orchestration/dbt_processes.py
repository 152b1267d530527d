"""Every dbt process reeflow starts is tied to the process that started it.

- **Tied to its parent.** On Linux dbt gets SIGKILL when the process that started it dies
  (PR_SET_PDEATHSIG), so a `reeflow run` killed mid-build does not leave `dbt build` writing
  the working database alone.
- **Findable.** Elsewhere the kernel cannot tie them, so each dbt holds a lock file naming
  itself and its parent for as long as it runs (`dbt_processes_dir()`); the next run stops one
  whose parent is gone (`stop_orphans`).
Used by `reeflow-dbt` (orchestration/dbt_launcher.py) and the dbt standby
(orchestration/dbt_standby.py). Plain Python: no Dagster import.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ingest import settings
from ingest.processes import pid_alive

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_GRACE_S = 10  # after SIGTERM, before SIGKILL: dbt closes its DuckDB connection cleanly


def dbt_processes_dir() -> Path:
    return settings.data_dir() / ".dbt-processes"


def die_with_parent(parent: int, name: str) -> None:
    """Ask Linux to SIGKILL this process when `parent` ends; survives an exec into dbt.

    Call from a process `parent` started (the kernel ties it to the thread that started it)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # refused: the lock record below still lets the next run stop an orphan
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(f"{name}: the process that started it has already ended")


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


def read_record(content: bytes) -> tuple[int, int] | None:
    """(pid, parent) named by a process record; None while its process is still writing it."""
    named = content.split()
    if len(named) != 2:
        return None
    pid, parent = (int(part) for part in named)
    return pid, parent


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
                named = read_record(os.read(fd, 64))
                if named is None:
                    continue  # its dbt is still writing the record: alive, just started
                pid, parent = named
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
