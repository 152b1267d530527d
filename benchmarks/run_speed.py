"""`reeflow run` on the embedded data: wall, CPU and peak memory, and where the time goes.

    python benchmarks/run_speed.py [--tree DIR ...] [--rounds N] [--workdir DIR] [--keep]

For each reeflow checkout given with --tree (default: this one; give two, e.g. the commit before
a change and this one, to compare them in the same session: they take turns, round by round),
in a fresh temporary data folder and DAGSTER_HOME, runs that checkout's own `.venv/bin/reeflow
run` three times, as a user would:
  fresh       nothing landed yet, a new data folder (a checkout before 9450f22 parses its dbt
              project again for the folder's paths; since, one parse serves every folder);
  nothing new the same again;
  new input   after one more real file is dropped in the inbox (a saved UN Comtrade API answer
              from tests/fixtures/comtrade-api/): ingest, dbt and the checks have work again.
Each run prints wall time, CPU time (user + system, every process of the run included: dbt is
a child), peak memory (the largest single process, and the whole process tree sampled every
0.1 s), the machine's load average before and after, and the run's step table (from the Dagster
event log and the dbt step's record, or an older tree's run_results.json; see
orchestration/run_steps.py). The summary gives the medians per tree and scenario and, for two
trees, the ratio of the last to the first.
The machine is shared: compare ratios measured in one session, not figures across sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

SCENARIOS = ("fresh", "nothing new", "new input")
NEW_INPUT = REPO_ROOT / "tests" / "fixtures" / "comtrade-api" / "data_v1_get_C_A_HS__reporter156_period2010_TOTAL.json"
NEW_INPUT_KIND = "comtrade_bulk"
SAMPLE_EVERY_S = 0.1


@dataclass
class Measurement:
    tree: Path
    scenario: str
    round: int
    returncode: int
    wall_s: float
    cpu_s: float
    peak_process_mb: float
    peak_tree_mb: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    run_id: str | None
    steps: dict | None = field(default=None)


def _tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants (from /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total / 2**20


def run_reeflow(tree: Path, env: dict[str, str], log: Path) -> tuple[int, float, float, float, float]:
    """(returncode, wall s, cpu s, peak single-process MB, peak process-tree MB)."""
    peak_tree = [0.0]
    started = time.monotonic()
    with open(log, "w") as out:
        process = subprocess.Popen([str(tree / ".venv" / "bin" / "reeflow"), "run"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tree)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_EVERY_S):
                peak_tree[0] = max(peak_tree[0], _tree_rss_mb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            done.set()
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    # ru_maxrss (KB on Linux): the largest process among the child and the children it waited for.
    return process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak_tree[0]


def _run_id(log: Path) -> str | None:
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("Run ") and ":" in line:
            return line.split()[1].rstrip(":")
    return None


def step_table(tree: Path, env: dict[str, str], run_id: str, started: float, ended: float, ok: bool) -> dict:
    """The run's step table, read from its DAGSTER_HOME and the dbt timings the run recorded (of
    a version that records none, from its run_results.json), so the same figures come from any
    version of reeflow."""
    import dagster as dg

    from orchestration import run_steps

    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    with dg.DagsterInstance.get() as instance:
        events = instance.all_logs(run_id, of_type={dg.DagsterEventType[n] for n in run_steps.TIMED_EVENT_TYPES})
    dbt = None
    recorded = run_steps.run_table_path(run_id, Path(env["REEFLOW_DATA_DIR"]))
    results = sorted((tree / "dbt_project" / "target").glob(f"*-{run_id[:7]}-*/run_results.json"))
    if recorded.exists():  # the run's own table, which holds what its dbt step recorded
        dbt = json.loads(recorded.read_text()).get("dbt")
    elif results:
        dbt = run_steps.dbt_layers(json.loads(results[-1].read_text()))
    elif any(event.step_key == run_steps.DBT_STEP for event in events):
        dbt = {"skipped": "no dbt process ran (the build was reused)"}
    return run_steps.table_from_events(run_id, events, cli_started=started, cli_ended=ended, succeeded=ok, dbt=dbt)


def run_scenarios(tree: Path, root: Path, round_number: int) -> list[Measurement]:
    from tests.reeflow_cli import cli_env  # as the tests run reeflow: no venv activated, minimal PATH

    env = cli_env(root)
    measurements = []
    for scenario in SCENARIOS:
        if scenario == "new input":
            inbox = root / "data" / "inbox" / NEW_INPUT_KIND
            inbox.mkdir(parents=True, exist_ok=True)
            shutil.copy(NEW_INPUT, inbox / NEW_INPUT.name)
        log = root / f"{scenario.replace(' ', '_')}.log"
        load_before = os.getloadavg()
        started = time.time()
        code, wall, cpu, peak_process, peak_tree = run_reeflow(tree, env, log)
        ended = time.time()
        run_id = _run_id(log)
        measurement = Measurement(tree, scenario, round_number, code, wall, cpu, peak_process, peak_tree,
                                  load_before, os.getloadavg(), run_id)
        if run_id:
            measurement.steps = step_table(tree, env, run_id, started, ended, code == 0)
        print_measurement(measurement, log)
        measurements.append(measurement)
    return measurements


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def print_measurement(m: Measurement, log: Path) -> None:
    from orchestration import run_steps

    print(f"\n== {m.tree} | round {m.round} | {m.scenario}: exit {m.returncode}, wall {m.wall_s:.1f} s, "
          f"CPU {m.cpu_s:.1f} s, peak {m.peak_process_mb:.0f} MB (one process) / {m.peak_tree_mb:.0f} MB "
          f"(process tree); load average {_load(m.load_before)} -> {_load(m.load_after)} "
          f"on {os.cpu_count()} cores", flush=True)
    if m.returncode != 0:
        print(log.read_text(errors="replace")[-3000:])
    if m.steps:
        print("\n".join("   " + line for line in run_steps.format_table(m.steps)), flush=True)


def print_summary(measurements: list[Measurement], trees: list[Path]) -> None:
    print("\nMedians per tree and scenario (wall s / CPU s / peak MB of the process tree):")
    medians: dict[tuple[Path, str], tuple[float, float, float]] = {}
    for tree in trees:
        for scenario in SCENARIOS:
            runs = [m for m in measurements if m.tree == tree and m.scenario == scenario and m.returncode == 0]
            if not runs:
                print(f"  {scenario:<12} {tree}: no successful run")
                continue
            medians[tree, scenario] = (statistics.median(m.wall_s for m in runs),
                                       statistics.median(m.cpu_s for m in runs),
                                       statistics.median(m.peak_tree_mb for m in runs))
            wall, cpu, peak = medians[tree, scenario]
            print(f"  {scenario:<12} {wall:6.1f} / {cpu:6.1f} / {peak:5.0f}   {tree} ({len(runs)} runs)")
    if len(trees) >= 2:
        first, last = trees[0], trees[-1]
        print(f"\nRatios {last.name} / {first.name} (below 1: faster or smaller):")
        for scenario in SCENARIOS:
            if (first, scenario) in medians and (last, scenario) in medians:
                ratios = [b / a if a else float("nan") for a, b in zip(medians[first, scenario],
                                                                      medians[last, scenario], strict=True)]
                print(f"  {scenario:<12} wall {ratios[0]:.2f}  CPU {ratios[1]:.2f}  peak memory {ratios[2]:.2f}")
    loads = [m.load_before[0] for m in measurements] + [m.load_after[0] for m in measurements]
    print(f"\nMachine: {os.cpu_count()} cores; 1-minute load average during the benchmark "
          f"{min(loads):.2f}..{max(loads):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", type=Path,
                        help="a reeflow checkout with its .venv (repeat to compare; default: this one)")
    parser.add_argument("--rounds", type=int, default=1, help="times each tree runs the three scenarios")
    parser.add_argument("--workdir", type=Path, help="where the temporary data folders go")
    parser.add_argument("--keep", action="store_true", help="keep the data folders and logs")
    args = parser.parse_args(argv)
    trees = [tree.resolve() for tree in (args.tree or [REPO_ROOT])]
    for tree in trees:
        if not (tree / ".venv" / "bin" / "reeflow").exists():
            parser.error(f"{tree}/.venv/bin/reeflow is missing: `make setup` there first")
    workdir = Path(tempfile.mkdtemp(prefix="reeflow-run-speed-", dir=args.workdir))
    measurements = []
    try:
        for round_number in range(1, args.rounds + 1):
            for index, tree in enumerate(trees):
                root = workdir / f"round{round_number}-tree{index}"
                root.mkdir()
                measurements += run_scenarios(tree, root, round_number)
        print_summary(measurements, trees)
    finally:
        if args.keep:
            print(f"\nKept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(m.returncode == 0 for m in measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
