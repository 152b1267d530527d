"""A dbt started before it is needed: `reeflow run` pays dbt's start-up while it does other work.

A dbt process spends 2-3 s of one core importing dbt-core, its DuckDB adapter and the build's
modules before its first node, on the run's critical path. So `reeflow run` starts one standby
as its Dagster job starts: a process that imports all that on the machine's other core while
the ingest steps and staged checks run, then waits on a Unix socket in a private folder (mode
0700) that the run names to its dbt commands in REEFLOW_DBT_STANDBY_SOCKET. The run's `dbt build`
(`reeflow-dbt`, orchestration/dbt_launcher.py) hands the standby its arguments, environment,
working folder and standard streams (SCM_RIGHTS) instead of starting dbt, and the standby
becomes that dbt: same command, same output to dagster-dbt, same exit status. Measured on 2
cores: the build's step about 2 s shorter (README, Speed); started with the CLI instead, it
slowed Dagster's imports by about as much. Started only when a rebuild is likely
(dbt_build_state.rebuild_likely); REEFLOW_DBT_STANDBY=0 turns it off.

One command per standby. Without one (`dagster dev`, a second command, a standby that failed
or did not take the command within TAKE_TIMEOUT_S) `reeflow-dbt` starts dbt itself, as before.

A handed-over dbt lives and dies as one the launcher started:
- the launcher waits for it, passes on SIGINT and SIGTERM (what dagster-dbt sends to stop a
  build) and exits with its status, or by the signal that ended it;
- it kills itself when its launcher is gone (the socket closes), as PR_SET_PDEATHSIG kills a
  dbt the launcher started; a standby dies with the run that started it;
- it holds a process record naming its launcher (orchestration/dbt_processes.py), so the next
  run stops it if it outlived both.
Plain Python: no Dagster import.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest import settings
from ingest.processes import pid_alive
from orchestration.dbt_processes import die_with_parent, hold_process_record

ENV_VAR = "REEFLOW_DBT_STANDBY_SOCKET"
# The standby's folder in the temporary directory: reeflow-dbt-<pid of the run>-<random>.
FOLDER_PREFIX = "reeflow-dbt-"
# Unix socket paths hold at most 107 bytes: under a longer temporary folder, no standby.
MAX_SOCKET_PATH = 100
# How long a launcher waits for the standby to take its command (it may still be importing
# dbt, slowly on a loaded machine) before starting dbt itself.
TAKE_TIMEOUT_S = 30.0
STANDARD_STREAMS = (0, 1, 2)
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_MAX_REQUEST_BYTES = 1 << 20
# The messages, a line each: standby -> launcher TAKEN, launcher -> standby GO, then
# "signal N" from the launcher and "exit N" from the standby. GO settles who runs dbt: a
# launcher that gave up waiting (and started its own) never sends it.
TAKEN = b"taken"
GO = b"go"


@dataclass
class Standby:
    """A standby this process started; `offer()` names it to dbt commands started from here."""

    process: subprocess.Popen
    folder: Path

    @property
    def socket_path(self) -> Path:
        return self.folder / "dbt.sock"

    def offer(self) -> None:
        os.environ[ENV_VAR] = str(self.socket_path)

    def stop(self) -> None:
        """Withdraw the offer, end the standby (idle, or a dbt left running) and its folder."""
        if os.environ.get(ENV_VAR) == str(self.socket_path):
            del os.environ[ENV_VAR]
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Standby | None:
    """Start a standby (returns at once); None if REEFLOW_DBT_STANDBY=0 or where Unix sockets
    cannot name its folder."""
    if not settings.dbt_standby_wanted() or not hasattr(socket, "AF_UNIX"):
        return None
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))  # mode 0700: ours alone
    standby_path = folder / "dbt.sock"
    if len(os.fsencode(standby_path)) > MAX_SOCKET_PATH:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    # Its own session: a Ctrl-C at the terminal reaches a handed-over dbt once, through its
    # launcher, as it reaches a dbt the launcher started. Silent: a standby that fails leaves
    # the command to a dbt started as before, which says what is wrong. -P: nothing in the
    # caller's folder can shadow a module it imports.
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "orchestration.dbt_standby", str(standby_path), str(os.getpid())],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return Standby(process, folder)


def remove_dead_runs_folders() -> list[Path]:
    """Remove the standby folders of runs that are gone (a killed run cannot remove its own)."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# -- the standby's side ----------------------------------------------------------------------

def import_dbt() -> None:
    """What a `dbt build` imports before and during its first nodes."""
    import dbt.adapters.duckdb
    import dbt.cli.main
    import dbt.compilation
    import dbt.task.build  # noqa: F401


def run_dbt(args: list[str]) -> int:
    """dbt's command line, as its `dbt` script runs it, in this process: its exit status."""
    from dbt.cli.main import cli

    sys.argv = ["dbt", *args]
    try:
        cli()
    except SystemExit as ended:
        return exit_status(ended.code)
    return 0


def exit_status(code: object) -> int:
    """The status a process exits with after SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def serve(socket_path: str, parent: int, warm_up: Callable[[], None] = import_dbt,
          run: Callable[[list[str]], int] = run_dbt) -> int:
    """Listen, warm up, take one command and run it as that command's process: its status.

    The socket exists before the warm-up, so a command that comes early waits for it instead
    of starting a dbt of its own."""
    die_with_parent(parent, "dbt standby")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Named only once it listens: a command that finds the name never meets a refusal.
    listener.bind(socket_path + ".binding")
    listener.listen(1)
    os.rename(socket_path + ".binding", socket_path)
    warm_up()
    connection, _ = listener.accept()
    listener.close()  # one command per standby: one queued behind it is refused, and starts dbt
    os.unlink(socket_path)
    with contextlib.suppress(OSError):  # its private folder, empty now (start() made it)
        os.rmdir(os.path.dirname(socket_path))
    request, streams = _receive_request(connection)
    lines = connection.makefile("rb")
    try:
        connection.sendall(TAKEN + b"\n")
        go = lines.readline().rstrip(b"\n") == GO
    except OSError:
        go = False
    if not go:
        return 0  # the launcher gave up on this standby and started dbt itself
    _take_over(request, streams)
    hold_process_record(parent=request["launcher"])
    # A descriptor no Python object owns: the kernel closes it only when this process has ended
    # (dbt's DuckDB closed and checkpointed at exit), which is when the launcher may end too.
    os.dup(connection.fileno())
    finished = threading.Event()
    threading.Thread(target=_follow_launcher, args=(lines, finished), daemon=True).start()
    try:
        status = run(request["args"])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    finished.set()
    with contextlib.suppress(OSError):  # a launcher gone has nobody waiting for the status
        connection.sendall(f"exit {status}\n".encode())
    return status


def _receive_request(connection: socket.socket) -> tuple[dict, list[int]]:
    message, streams, _, _ = socket.recv_fds(connection, _MAX_REQUEST_BYTES, len(STANDARD_STREAMS))
    while not message.endswith(b"\n"):  # a large environment may come in several reads
        more = connection.recv(_MAX_REQUEST_BYTES)
        if not more or len(message) > _MAX_REQUEST_BYTES:
            raise SystemExit("dbt standby: incomplete request")
        message += more
    if len(streams) != len(STANDARD_STREAMS):
        raise SystemExit("dbt standby: the request came without its standard streams")
    return json.loads(message), streams


def _take_over(request: dict, streams: list[int]) -> None:
    """Become the launcher's dbt process: its streams, working folder and environment."""
    for target, stream in zip(STANDARD_STREAMS, streams, strict=True):
        os.dup2(stream, target)
        os.close(stream)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # As a freshly started dbt: SIGINT and SIGTERM stop it, whatever the process that started
    # the standby ignored or held back (a child inherits both).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED_SIGNALS)


def _follow_launcher(lines: BinaryIO, finished: threading.Event) -> None:
    """Take the signals the launcher passes on; die when it is gone before dbt ends."""
    for line in lines:
        word, _, number = line.decode().partition(" ")
        if word == "signal":
            # To the main thread: Python runs a signal's handler there (SIGINT's raises
            # KeyboardInterrupt, which dbt stops on), and only a signal that thread receives
            # wakes it from a blocking wait.
            signal.pthread_kill(threading.main_thread().ident, int(number))
    if not finished.is_set():
        os.kill(os.getpid(), signal.SIGKILL)


# -- the launcher's side ---------------------------------------------------------------------

def hand_over(args: list[str], env: dict[str, str], cwd: str) -> int | None:
    """Run dbt `args` in the standby REEFLOW_DBT_STANDBY_SOCKET names: dbt's exit status (negative:
    the signal that ended it), or None if there is no standby to take the command."""
    standby_path = os.environ.get(ENV_VAR)
    if not standby_path:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with connection:
        connection.settimeout(TAKE_TIMEOUT_S)
        request = json.dumps({"args": args, "env": env, "cwd": cwd, "launcher": os.getpid()})
        try:
            connection.connect(standby_path)
            socket.send_fds(connection, [request.encode() + b"\n"], list(STANDARD_STREAMS))
            lines = connection.makefile("rb")
            if lines.readline().rstrip(b"\n") != TAKEN:
                return None
            connection.settimeout(None)
            # dbt runs from GO on: a signal that comes before the handlers that pass it on are
            # in place is held back until they are, not lost with this process.
            with signals_held(FORWARDED_SIGNALS):
                connection.sendall(GO + b"\n")
                passed_on = _pass_signals_on(connection)
        except OSError:  # gone, taken by another command, or too slow: start dbt as before
            return None
        return _wait_for_dbt(lines, passed_on)


@contextlib.contextmanager
def signals_held(signals: tuple[int, ...]):
    """Hold these signals back inside the block; one that came meanwhile is delivered after it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


def _pass_signals_on(connection: socket.socket) -> list[int]:
    """Pass SIGINT and SIGTERM on to the standby from now on; the list of those passed on."""
    passed_on: list[int] = []

    def pass_on(signum, frame) -> None:
        passed_on.append(signum)
        connection.sendall(f"signal {signum}\n".encode())

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, pass_on)
    return passed_on


def _wait_for_dbt(lines: BinaryIO, passed_on: list[int]) -> int:
    word, _, status = lines.readline().decode().partition(" ")
    if word == "exit":
        lines.read()  # until the standby's process has ended, as dbt's own would have
        return int(status)
    if passed_on:  # dbt ended by the signal it was passed
        return -passed_on[-1]
    print("reeflow-dbt: dbt ended without an exit status (killed?)", file=sys.stderr)
    return 1


def main() -> None:
    """`python -m orchestration.dbt_standby SOCKET PARENT_PID` (started by `start()`)."""
    socket_path, parent = sys.argv[1], int(sys.argv[2])
    sys.exit(serve(socket_path, parent))


if __name__ == "__main__":
    main()
