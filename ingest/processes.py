"""Whether a process still runs, from its pid: folders and records named after a process are
cleaned up only once it is gone. Standard library only (the dbt launcher imports it and must
start fast)."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it runs
    return True
