"""What a killed run leaves behind, and what the next command does about it (issue 14, s.5 and s.7).

Faults injected into real `reeflow` processes, in the style of test_faults.py:
- `reeflow run` alone killed mid-dbt (SIGKILL to its pid, not its group, as the OOM killer
  does): its `dbt build`, which the run's dbt standby took, dies with it instead of finishing
  alone, and so does every other process it started;
- a dbt left running by a dead run (where the kernel could not tie it to its parent) holding the
  working database: the next run stops it and completes;
- a file name that would forge a log line: printed escaped;
- `reeflow publish` killed mid-copy: the next publish removes the debris and records the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from ingest import settings
from orchestration.dbt_processes import read_record
from tests.inputs import big_register
from tests.reeflow_cli import REEFLOW, cli_env, run_reeflow, start_run, wait_for

FORGED = "figures\nreeflow: published 99 tables to elsewhere\u202e.csv"


def _processes_of(data: Path) -> dict[int, tuple[list[bytes], dict[bytes, bytes]]]:
    """pid -> (command line, environment at start) of every live process started with this
    data folder in its environment (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        env = dict(item.split(b"=", 1) for item in environ if b"=" in item)
        if env.get(b"REEFLOW_DATA_DIR") == os.fsencode(data) and not _gone(int(entry.name)):
            found[int(entry.name)] = (command, env)
    return found


def _dbt_builds(data: Path) -> dict[int, Path]:
    """pid -> target folder of every `dbt build` launcher working on this data folder."""
    # dagster-dbt names the target folder relative to the dbt project.
    return {pid: settings.DBT_PROJECT_DIR / os.fsdecode(env[b"DBT_TARGET_PATH"])
            for pid, (command, env) in _processes_of(data).items() if b"build" in command}


def _standbys_building(data: Path, launchers: dict[int, Path]) -> set[int]:
    """pids of the dbt standbys running one of these launchers' commands: each holds a process
    record naming its launcher (orchestration/dbt_processes.py)."""
    named = (read_record(path.read_bytes()) for path in (data / ".dbt-processes").glob("*.lock"))
    return {pid for pid, parent in filter(None, named) if parent in launchers}


def _build_finished(work: Path) -> bool:
    """Whether a dbt build of this working database ran to its end: its last act, the
    on-run-end hook, writes the tables' descriptions as comments (macros/persist_descriptions)."""
    with duckdb.connect(str(work), read_only=True) as con:
        return con.execute("select count(*) from duckdb_tables() where comment is not null").fetchone()[0] > 0


def _gone(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def _debris(published: Path) -> list[Path]:
    return sorted(published.parent.glob(f".{published.name}.*.building*"))


def _kill_mid_publish(env: dict[str, str], published: Path) -> bool:
    """Start `reeflow publish`, SIGKILL it once its new snapshot file appears; True if caught."""
    publisher = subprocess.Popen([str(REEFLOW), "publish"], env=env, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
    wait_for(lambda: bool(_debris(published)) or publisher.poll() is not None, "the publish to start")
    os.killpg(publisher.pid, signal.SIGKILL)
    publisher.wait()
    return bool(_debris(published))


def test_leftovers_of_killed_runs_are_stopped_and_cleared(tmp_path):
    env = cli_env(tmp_path)
    data = tmp_path / "data"
    published = data / "warehouse" / "reeflow.duckdb"
    work = data / settings.DBT_WORK_DATABASE

    # 1. The run alone is killed while dbt builds: dbt dies too, before finishing its build.
    run = start_run(env, tmp_path / "killed.log")
    wait_for(lambda: bool(_dbt_builds(data)) and work.exists(), "dbt to build", run)
    builds = _dbt_builds(data)
    # The run's dbt standby took the build (orchestration/dbt_standby.py): it must die too.
    wait_for(lambda: bool(_standbys_building(data, builds)), "the dbt standby to take the build", run)
    dbts = set(builds) | _standbys_building(data, builds)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    wait_for(lambda: all(_gone(pid) for pid in dbts), "the orphaned dbt to end")
    # Nothing the run started outlives it (its validation worker included).
    wait_for(lambda: not _processes_of(data), "every process of the killed run to end")
    assert all(target.is_dir() for target in builds.values())
    assert not _build_finished(work)

    # 2. A dbt a dead run left behind (as on a system without PR_SET_PDEATHSIG), holding the
    # working database open for writing; and a file whose name would forge a log line.
    orphan = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, duckdb\n"
         "from orchestration.dbt_processes import hold_process_record\n"
         "hold_process_record(parent=int(sys.argv[1]))\n"
         "con = duckdb.connect(sys.argv[2])\n"
         "print('holding', flush=True)\n"
         "time.sleep(900)\n",
         str(_dead_pid()), str(work)],
        env=env, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    assert orphan.stdout.readline().strip() == "holding"
    inbox = data / "inbox" / "published_aggregate"
    inbox.mkdir(parents=True)
    (inbox / FORGED).write_bytes(big_register(3))

    recovered = run_reeflow(env, "run")
    assert recovered.returncode == 0, recovered.stdout[-3000:] + recovered.stderr[-3000:]
    assert _build_finished(work)  # what step 1 found missing
    assert orphan.wait(timeout=60) == -signal.SIGTERM
    assert f"dbt (pid {orphan.pid}) outlived the run that started it" in recovered.stderr
    assert "was interrupted; marked failed" in recovered.stderr
    with duckdb.connect(str(published), read_only=True) as con:  # published by the recovery
        assert con.execute("select error_class from quality.failed_runs").fetchall() == [("Interrupted",)]
    assert "preparing the manifest" not in recovered.stderr  # parsed by the killed run already
    output = recovered.stdout + recovered.stderr
    assert "\u202e" not in output
    assert not any(line.startswith("reeflow: published 99") for line in output.splitlines())
    assert "staged figures\\nreeflow: published 99 tables to elsewhere\\u202e.csv" in output
    (run_line,) = [line for line in recovered.stdout.splitlines() if line.startswith("Run ")]
    run_id = run_line.split()[1].rstrip(":")

    # 3. `reeflow publish` killed mid-copy leaves a half-written snapshot (and DuckDB's files
    # beside it); the next publish clears them and records the run it publishes.
    for _ in range(5):  # the copy takes a second or two: catch it, or try again
        if _kill_mid_publish(env, published):
            break
    assert _debris(published), "never caught a publish mid-copy"
    half = _debris(published)[0]
    half.with_name(half.name + ".wal").write_bytes(b"as a full disk leaves it")

    again = run_reeflow(env, "publish")
    assert again.returncode == 0, again.stderr
    assert f"of run {run_id} to" in again.stderr
    assert _debris(published) == []
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select run_id, work_database from quality.publications").fetchone() == (
            run_id, "warehouse/reeflow.work.duckdb")
