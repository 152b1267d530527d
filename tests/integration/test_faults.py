"""Faults injected into real `reeflow run` processes: nothing published is ever lost or broken.

- killed (SIGKILL to the whole process group) mid-ingest and mid-transform, a second run started
  while one holds the lock, debris (`.part`, `.building`, a stale lock) left behind: the
  published snapshot stays the last good one, byte for byte and readable, and the next run
  completes and publishes everything that had landed;
- damaged input files dropped in the inbox, the same input landed twice, a source with an old
  vintage: the run completes, each bad file is quarantined with a reason naming it, the one bad
  row of a big file with its line, nothing twice, and `reeflow status` calls the source STALE.

Stages are observed, never timed: the landing manifest gaining a file (ingest), a `dbt build`
process under the run writing the working database (transform), the lock file naming its pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

import duckdb

from ingest import settings
from tests.builders import api_answer, record
from tests.inputs import (
    JAPAN_FIGURES,
    USGS_2025,
    big_register,
    damaged,
    embedded_figure_count,
    sha256_of,
)
from tests.reeflow_cli import cli_env, run_reeflow, start_run, wait_for


def _descendants(pid: int) -> list[str]:
    """Command lines of every process below `pid` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            with contextlib.suppress(OSError):
                found.append((Path("/proc") / str(child) / "cmdline").read_bytes()
                             .replace(b"\0", b" ").decode(errors="replace"))
    return found


def _dbt_building(process: subprocess.Popen) -> bool:
    return any("dbt" in command and " build" in command for command in _descendants(process.pid))


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()



def _readable(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select count(*) from mart_stage_concentration").fetchone()[0]


def test_killed_and_concurrent_runs_leave_the_last_good_snapshot_and_the_next_run_recovers(
    tmp_path,
):
    env = cli_env(tmp_path)
    data = tmp_path / "data"
    published = data / "warehouse" / "reeflow.duckdb"
    work = data / settings.DBT_WORK_DATABASE
    lock, manifest = data / ".reeflow-run.lock", data / "landing" / "manifest.jsonl"

    # Two runs at once: the second refuses clearly; the first completes and publishes.
    first = start_run(env, tmp_path / "first.log")
    wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid),
              "the first run to hold the lock", first)
    second = run_reeflow(env, "run")
    assert second.returncode == 2
    assert f"another reeflow run is in progress (pid {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.wait(timeout=900) == 0, (tmp_path / "first.log").read_text()[-3000:]
    good = sha256_of(published)
    assert _readable(published) > 0

    # Killed mid-ingest: while a big register is being landed and staged.
    inbox = data / "inbox" / "published_aggregate"
    inbox.mkdir(parents=True)
    (inbox / "big_register.csv").write_bytes(big_register(5000))
    ingesting = start_run(env, tmp_path / "ingest.log")
    wait_for(lambda: "big_register.csv" in manifest.read_text(), "the big register to land",
              ingesting)
    assert not _dbt_building(ingesting)  # still ingesting
    _kill(ingesting)
    assert sha256_of(published) == good and _readable(published) > 0

    # Killed mid-transform: while dbt is writing the working database.
    before = work.stat().st_mtime_ns
    transforming = start_run(env, tmp_path / "transform.log")
    wait_for(lambda: _dbt_building(transforming), "dbt to start", transforming)
    wait_for(lambda: work.stat().st_mtime_ns != before, "dbt to write", transforming)
    _kill(transforming)
    assert sha256_of(published) == good and _readable(published) > 0
    refused = run_reeflow(env, "publish")  # the half-built working database is not publishable
    assert refused.returncode == 2 and "not publishing: the last run" in refused.stderr
    assert sha256_of(published) == good

    # Debris a crash can leave: half-written files; the lock file still names a dead pid.
    (data / "staged" / "published_figures" / "0123456789abcdef.v1.parquet.part").write_bytes(b"PAR1 cut")
    (data / "landing" / "published_aggregate" / "0123456789abcdef__x.csv.part").write_bytes(b"cut")
    debris = published.with_name(f".{published.name}.20200101T000000000000Z.building")
    debris.write_bytes(b"half a database")
    holder = lock.read_text().strip()
    assert holder.isdigit() and not Path(f"/proc/{holder}").exists()  # names a finished process

    recovered = run_reeflow(env, "run")
    assert recovered.returncode == 0, recovered.stdout[-3000:] + recovered.stderr[-3000:]
    # Each run closes the books on the one killed before it (its duckdb pool slot, above all).
    assert (tmp_path / "transform.log").read_text().count("was interrupted; marked failed") == 1
    assert recovered.stderr.count("was interrupted; marked failed") == 1
    assert sha256_of(published) != good and not debris.exists()
    with duckdb.connect(str(published), read_only=True) as con:
        figures = con.execute(
            "select count(*), count(distinct figure_id) from fct_published_figures "
            "where figure_id like 'load_%'"
        ).fetchone()
    assert figures == (5000, 5000)  # the register landed by the killed run, loaded once
    kept = sorted((published.parent / "snapshots").glob("*.duckdb"))
    assert sha256_of(kept[-1]) == good  # the last good snapshot, kept for rollback


def test_bad_inputs_are_quarantined_the_rest_loads_once_and_stale_sources_show(tmp_path):
    env = cli_env(tmp_path)
    data = tmp_path / "data"
    bad: dict[tuple[str, str], str] = {}
    for source, original in (("usgs_mcs", USGS_2025), ("published_aggregate", JAPAN_FIGURES)):
        inbox = data / "inbox" / source
        inbox.mkdir(parents=True)
        for name, (content, reason) in damaged(original.read_bytes()).items():
            (inbox / name).write_bytes(content)
            bad[(source, name)] = reason
    # The same input twice: an embedded edition copied under another name, and a file landed
    # by hand twice.
    (data / "inbox" / "usgs_mcs" / "mcs2025-copy.csv").write_bytes(USGS_2025.read_bytes())
    (data / "inbox" / "published_aggregate" / "big_register.csv").write_bytes(
        big_register(3000, bad_row=1234))
    twice = [run_reeflow(env, "ingest", "file", str(USGS_2025), "--format", "usgs_mcs")
             for _ in range(2)]
    assert [r.returncode for r in twice] == [0, 0]
    assert "landed mcs2025" in twice[0].stderr and "already landed mcs2025" in twice[1].stderr
    # A Comtrade API answer whose data is from 2019: older than the 400 days the kind allows.
    # (comtrade_api: the default run lands no answers; its embedded bulk extract is landed today.)
    answer = tmp_path / "jpn_imports_2019.json"
    answer.write_bytes(api_answer([record(reporter=392, partner=156, cmd="284690", kg=1_200_000,
                                          usd=9_800_000, period="2019")]))
    landed = run_reeflow(env, "ingest", "file", str(answer), "--format", "comtrade_api",
                         "--vintage", "2019-06-30")
    assert landed.returncode == 0, landed.stderr

    result = run_reeflow(env, "run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(data / "warehouse" / "reeflow.duckdb"), read_only=True) as con:
        quarantined = con.execute(
            "select source_kind, file_name, source_row_number, reason from quality.quarantined_rows"
        ).fetchall()
        counts = con.execute(
            "select (select count(*) from fct_mine_production), "
            "(select count(*) from fct_published_figures where figure_id like 'load_%'), "
            "(select count(*) from fct_published_figures where figure_id not like 'load_%')"
        ).fetchone()
        usgs_files = [name for (name,) in con.execute(
            "select original_name from quality.landed_files where source_kind = 'usgs_mcs' "
            "and original_name like 'mcs20%'").fetchall()]
    whole_files = {(source, name): reason for source, name, row, reason in quarantined if row is None}
    assert set(whole_files) == set(bad)
    for (source, name), expected in bad.items():
        reason = whole_files[(source, name)]
        assert reason.startswith(f"file rejected: {name} ") and expected in reason, reason
    rows = [(name, row, reason) for _, name, row, reason in quarantined if row is not None]
    assert len(rows) == 1 and rows[0][:2] == ("big_register.csv", 1234) and "'12O'" in rows[0][2]
    # 194 rows as in a clean run, 2,999 of the 3,000 figures, the embedded ones; each
    # edition landed once (the copy and the file landed by hand twice were no-ops).
    assert counts == (194, 2999, embedded_figure_count())
    assert sorted(usgs_files) == [f"mcs{year}-raree_world.csv" for year in range(2019, 2027)]

    status = run_reeflow(env, "status")
    assert status.returncode == 0, status.stderr
    lines = {line.split()[0]: line for line in status.stdout.splitlines()
             if line.startswith("  ") and line.split() and line.split()[0] in
             ("usgs_mcs", "comtrade_api", "published_aggregate", "customs_jpn")}
    assert "2019-06-30 (vintage)" in lines["comtrade_api"] and lines["comtrade_api"].endswith("STALE")
    assert "STALE" not in lines["usgs_mcs"] and "STALE" not in lines["published_aggregate"]
    assert "no data landed" in lines["customs_jpn"]


def _register_with_a_long_cell() -> bytes:
    """A published-figures register of 5 figures (cell_00002..cell_00006), line 3's note a cell
    of 200,000 characters: over the 131,072 a cell may hold."""
    lines = big_register(5).decode().replace("load_", "cell_").splitlines(keepends=True)
    lines[2] = lines[2].replace("synthetic figure for the fault tests", "x" * 200_000)
    return "".join(lines).encode()


def test_files_that_crash_their_parser_or_pass_a_limit_never_stop_the_run(tmp_path):
    env = cli_env(tmp_path)
    data = tmp_path / "data"
    deep = b'{"data": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    noise = ("typeCode,freqCode,period,reporterCode,partnerCode,flowCode,classificationCode,"
             "cmdCode,primaryValue\n" + "QmFzZTY0IG5vaXNlIGluc3RlYWQgb2YgdHJhZGU=\n" * 200_000)
    crashing = {  # (kind, file) -> what its quarantine reason says
        ("comtrade_api", "deep.json"): (deep, "nested too deeply"),
        # Other bytes: identical content landed as two kinds of one dataset is staged once.
        ("comtrade_bulk", "deep.json"): (deep + b"\n", "nested too deeply"),
        ("comtrade_bulk", "noise.csv"): (noise.encode(), "of the first"),
    }
    for (kind, name), (content, _) in crashing.items():
        (data / "inbox" / kind).mkdir(parents=True, exist_ok=True)
        (data / "inbox" / kind / name).write_bytes(content)
    for kind in ("usgs_mcs", "published_aggregate"):
        (data / "inbox" / kind).mkdir(parents=True, exist_ok=True)
    huge = data / "inbox" / "usgs_mcs" / "huge.csv"
    huge.write_bytes(b"Source,Country\n" + b"x" * (9 << 20))
    long_name = "figures_" + "typed_from_the_publication_" * 9 + ".csv"  # 254 bytes
    (data / "inbox" / "published_aggregate" / long_name).write_bytes(big_register(10))
    (data / "inbox" / "published_aggregate" / "long_cell.csv").write_bytes(_register_with_a_long_cell())

    result = run_reeflow(env, "run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "not landed, left in the inbox: 'huge.csv': huge.csv is 9.0 MiB, over the 8.0 MiB " \
           "limit for usgs_mcs files" in output
    assert huge.exists()
    with duckdb.connect(str(data / "warehouse" / "reeflow.duckdb"), read_only=True) as con:
        quarantined = {(kind, name): reason for kind, name, reason in con.execute(
            "select source_kind, file_name, reason from quality.quarantined_rows "
            "where source_row_number is null").fetchall()}
        loaded = con.execute("select count(*) from fct_published_figures "
                             "where figure_id like 'load_%'").fetchone()[0]
        beside_a_long_cell = con.execute("select figure_id from fct_published_figures "
                                         "where figure_id like 'cell_%' order by 1").fetchall()
        long_cell = con.execute("select source_row_number, reason from quality.quarantined_rows "
                                "where file_name = 'long_cell.csv'").fetchall()
        mines = con.execute("select count(*) from fct_mine_production").fetchone()[0]
    assert set(quarantined) == set(crashing)
    for key, (_, expected) in crashing.items():
        assert expected in quarantined[key], quarantined[key]
    assert loaded == 10 and mines > 0  # the long-named register and the embedded editions
    # A cell of megabytes quarantines its row; the register's other figures load.
    assert beside_a_long_cell == [(f"cell_{line:05d}",) for line in (2, 4, 5, 6)]
    assert long_cell == [(3, "a cell of 200,000 characters, over the 131,072 a cell may hold "
                             "(a typed figure or name is under 1 KB): row not read")]
