"""A full year of Comtrade bulk trade through reeflow: wall time and peak memory per step.

    python benchmarks/trade_scale.py [--rows N] [--workdir DIR] [--keep] [--no-scaling]

Generates Comtrade bulk CSV (benchmarks/comtrade_bulk_generator.py; 10 million lines by default,
the size of a year of all-country HS6 trade), then, in a temporary data folder, times each step
of the pipeline: land (hash + immutable copy), ingest (DuckDB scan, rare-earth lines kept,
checked, written as Parquet) and dbt (`dbt build --select +fct_trade_flows`, data tests
included, unit tests left to CI as in a run).
On the same file it times two references for the core work (parse, keep the rare-earth codes,
sum by reporter and partner): raw DuckDB and the pandas an analyst would write. Unless
--no-scaling, the same is run first at a tenth of the size, to show each step's time per
million rows at both sizes.

Each step runs in its own process; its peak memory is that process's ru_maxrss (children
included, e.g. dbt), read with os.wait4. "wall" includes interpreter start and imports; "work"
is the step's own call. The last line is a one-line summary with the targets of issue 13.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

# The trade mart and everything it is built from; `stages` too, so the mart's relationship
# test to it runs. Cautious: tests of models outside this selection are left out.
# As `reeflow run` builds (orchestration/defs/transform/dbt.py): dbt's unit tests are CI's, and
# it writes no artifacts.
DBT_BUILD = ["build", "--select", "+fct_trade_flows", "stages", "--indirect-selection", "cautious",
             "--exclude-resource-type", "unit_test", "--no-write-json"]
PIPELINE_STEPS = ("land", "ingest", "dbt")
REFERENCE_STEPS = ("raw_duckdb", "pandas")
# Issue 13's targets for the full year: land + ingest + dbt within 1.3x raw DuckDB's scan of
# the same file, faster than the pandas script, at no more than a quarter of its memory.
TARGET_RAW_DUCKDB_RATIO = 1.3
TARGET_PANDAS_MEMORY_SHARE = 0.25
# Time per million rows at the larger size may exceed the smaller size's by this much before a
# step counts as growing worse than linearly (the machine is shared: allow for noise).
LINEAR_TOLERANCE = 1.25


@dataclass
class StepResult:
    name: str
    wall_s: float
    peak_mb: float
    work_s: float
    work_cpu_s: float  # CPU seconds of the work (all threads, children included)
    info: dict = field(default_factory=dict)


# -- the steps, each run in a child process --------------------------------------------------
# A step imports what it needs and returns its work as a function, so "work" excludes imports.

def step_generate(workdir: Path, rows: int) -> Callable[[], dict]:
    from benchmarks.comtrade_bulk_generator import generate

    def work() -> dict:
        generated = generate(csv_path(workdir, rows), rows)
        return {
            "rows": generated.rows,
            "size_bytes": generated.size_bytes,
            "rare_earth_rows": generated.rare_earth_rows,
            "bad_rare_earth_rows": generated.bad_rare_earth_rows,
        }

    return work


def step_setup(workdir: Path, rows: int) -> Callable[[], dict]:
    """Untimed: the reference datasets dbt reads and a parsed dbt project (as a deploy has)."""
    from ingest.catalog import kinds_by_dataset
    from ingest.contract import QUARANTINE_SCHEMA
    from ingest.reference.countries import stage_countries
    from ingest.staging import ensure_dataset

    def work() -> dict:
        for dataset, kinds in kinds_by_dataset().items():
            ensure_dataset(dataset, kinds[0].schema)
        ensure_dataset("quarantine", QUARANTINE_SCHEMA)
        stage_countries()
        run_dbt(workdir, ["parse"])
        return {}

    return work


def step_land(workdir: Path, rows: int) -> Callable[[], dict]:
    from ingest.landing import land_file
    from ingest.sources.comtrade import SAMPLE_VINTAGE, SOURCE_BULK

    def work() -> dict:
        path = csv_path(workdir, rows)
        entry, is_new = land_file(path, source=SOURCE_BULK, vintage=SAMPLE_VINTAGE)
        return {"file_id": entry.file_id, "new": is_new}

    return work


def step_ingest(workdir: Path, rows: int) -> Callable[[], dict]:
    from ingest.catalog import SOURCE_KINDS, stage
    from ingest.landing import read_manifest
    from ingest.sources.comtrade import SOURCE_BULK
    from ingest.staging import stage_manifest

    def work() -> dict:
        report = stage(SOURCE_KINDS[SOURCE_BULK])
        stage_manifest(read_manifest())  # what the landed_files asset does after ingest
        return {"staged": report.rows, "quarantined": report.quarantined,
                "out_of_scope": report.out_of_scope}

    return work


def step_dbt(workdir: Path, rows: int) -> Callable[[], dict]:
    import duckdb

    from ingest import settings

    def work() -> dict:
        run_dbt(workdir, DBT_BUILD)
        with duckdb.connect(str(settings.work_database_path()), read_only=True,
                            config=settings.work_database_config()) as con:
            return {"rows": {table: con.execute(f"select count(*) from {table}").fetchall()[0][0]
                             for table in trade_tables(con)}}

    return work


def step_raw_duckdb(workdir: Path, rows: int) -> Callable[[], dict]:
    """What one would type in the DuckDB shell: sniffed types, filter, group by pair."""
    import duckdb

    from ingest.reference.hs_codes import codes_in_scope

    codes = ", ".join(f"'{code}'" for code in sorted(codes_in_scope()))

    def work() -> dict:
        pairs = duckdb.sql(
            f"""
            select reporterCode, partnerCode, flowCode, sum(primaryValue) as value_usd,
                   sum(netWgt) as net_wgt_kg, count(*) as records
            from read_csv('{csv_path(workdir, rows)}')
            where cast(cmdCode as varchar) in ({codes})
            group by all
            """
        ).fetchall()
        return {"pairs": len(pairs), "records": sum(row[-1] for row in pairs)}

    return work


def step_pandas(workdir: Path, rows: int) -> Callable[[], dict]:
    """What an analyst would write: read the columns needed, filter, group by pair."""
    import pandas as pd

    from ingest.reference.hs_codes import codes_in_scope

    def work() -> dict:
        frame = pd.read_csv(
            csv_path(workdir, rows),
            usecols=["reporterCode", "partnerCode", "flowCode", "cmdCode", "primaryValue",
                     "netWgt"],
            dtype={"cmdCode": str},
        )
        rare_earth = frame[frame["cmdCode"].isin(codes_in_scope())]
        pairs = rare_earth.groupby(["reporterCode", "partnerCode", "flowCode"]).agg(
            value_usd=("primaryValue", "sum"), net_wgt_kg=("netWgt", "sum"),
            records=("cmdCode", "size"),
        )
        return {"pairs": len(pairs), "records": int(pairs["records"].sum())}

    return work


STEPS = {
    "generate": step_generate,
    "setup": step_setup,
    "land": step_land,
    "ingest": step_ingest,
    "dbt": step_dbt,
    "raw_duckdb": step_raw_duckdb,
    "pandas": step_pandas,
}


# -- helpers -------------------------------------------------------------------------------

def csv_path(workdir: Path, rows: int) -> Path:
    return workdir / "input" / f"COMTRADE-FINAL-CA-sample-{rows}.csv"


def data_env(workdir: Path, rows: int) -> dict[str, str]:
    """A data folder and warehouse of its own per size, so sizes never share staged files."""
    data = workdir / f"data-{rows}"
    return {
        "REEFLOW_DATA_DIR": str(data),
        "REEFLOW_WAREHOUSE": str(data / "warehouse" / "reeflow.duckdb"),
        "DAGSTER_HOME": str(workdir / "dagster_home"),
    }


def run_dbt(workdir: Path, args: list[str]) -> None:
    from orchestration.dbt_launcher import launcher_path

    # Started as a run starts it (reeflow-dbt: its environment and log settings). Target and
    # logs in the work folder: the repository's dbt_project/target (the manifest Dagster
    # loads) stays untouched.
    command = [
        launcher_path(), *args, "--quiet", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project",
        "--target-path", str(workdir / "dbt_target"), "--log-path", str(workdir / "dbt_logs"),
    ]
    completed = subprocess.run(
        command, check=False, cwd=REPO_ROOT, capture_output=True, text=True
    )
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-30:])
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{tail}")


def trade_tables(con) -> list[str]:
    names = [row[0] for row in con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_name like '%comtrade%' or table_name like '%trade_flows%' order by 1"
    ).fetchall()]
    return names


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def run_child(script: str, args: list[str], workdir: Path, rows: int, what: str) -> tuple[float, float, dict]:
    """Run `script args` (a benchmark's --step) in a child process: its wall clock, its peak RSS
    in MB (with its children) and the JSON report it printed last."""
    env = {**os.environ, **data_env(workdir, rows), "PYTHONPATH": str(REPO_ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, script, *args], env=env, stdout=subprocess.PIPE,
                             cwd=REPO_ROOT, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"step {what} failed (exit {code})")
    return wall, usage.ru_maxrss / 1024, json.loads(output.strip().splitlines()[-1])


def run_step(name: str, workdir: Path, rows: int) -> StepResult:
    """Run one step in a child process; wall clock and peak RSS (with its children) of it."""
    wall, peak_mb, report = run_child(
        __file__, ["--step", name, "--rows", str(rows), "--workdir", str(workdir)], workdir, rows, name)
    return StepResult(name, wall, peak_mb, report["work_s"], report["work_cpu_s"], report["info"])


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_main(name: str, workdir: Path, rows: int) -> None:
    work = STEPS[name](workdir, rows)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    info = work()
    print(json.dumps({"work_s": time.perf_counter() - started,
                      "work_cpu_s": cpu_seconds() - cpu_started, "info": info}, default=str))


# -- the run and its report ------------------------------------------------------------------

@dataclass
class SizeRun:
    rows: int
    generated: StepResult
    steps: dict[str, StepResult]

    @property
    def pipeline_wall_s(self) -> float:
        return sum(self.steps[name].wall_s for name in PIPELINE_STEPS)

    @property
    def pipeline_peak_mb(self) -> float:
        return max(self.steps[name].peak_mb for name in PIPELINE_STEPS)

    @property
    def data_work_ratio(self) -> float:
        """Our parse + filter + check + write against raw DuckDB's parse + filter + sum."""
        return self.steps["ingest"].work_s / self.steps["raw_duckdb"].work_s

    @property
    def data_work_cpu_ratio(self) -> float:
        # CPU seconds move less than wall time when other processes share the cores.
        return self.steps["ingest"].work_cpu_s / self.steps["raw_duckdb"].work_cpu_s


def run_size(workdir: Path, rows: int) -> SizeRun:
    from orchestration import dbt_standby

    print(f"\n== {rows:,} rows ==", flush=True)
    generated = run_step("generate", workdir, rows)
    size_mb = generated.info["size_bytes"] / 1e6
    print(f"generated {size_mb:,.0f} MB of CSV in {generated.wall_s:.1f} s "
          f"({generated.info['rare_earth_rows']:,} rare-earth lines, "
          f"{generated.info['bad_rare_earth_rows']:,} of them bad on purpose)", flush=True)
    run_step("setup", workdir, rows)
    steps = {}
    # As `reeflow run` does: a dbt standby imports dbt while land and ingest work, and takes
    # the dbt step's build (orchestration/dbt_standby.py).
    standby = dbt_standby.start()
    if standby is not None:
        standby.offer()
    try:
        for name in PIPELINE_STEPS:
            steps[name] = run_step(name, workdir, rows)
            print(f"  {name:<11} done in {steps[name].wall_s:6.1f} s", flush=True)
        if standby is not None:
            charge_standby(steps["dbt"], standby.process.pid)
    finally:
        if standby is not None:
            standby.stop()
    for name in REFERENCE_STEPS:
        steps[name] = run_step(name, workdir, rows)
        print(f"  {name:<11} done in {steps[name].wall_s:6.1f} s", flush=True)
    run = SizeRun(rows, generated, steps)
    print_table(run)
    expected = generated.info["rare_earth_rows"] - generated.info["bad_rare_earth_rows"]
    if steps["ingest"].info["staged"] != expected:
        raise SystemExit(f"staged {steps['ingest'].info['staged']} rows, expected {expected}")
    return run


def charge_standby(dbt: StepResult, pid: int) -> None:
    """The standby ran the dbt step's build outside that step's process: its CPU (the import
    ahead included) and peak memory count in the dbt step's."""
    ended, _, usage = os.wait4(pid, os.WNOHANG)
    if not ended:  # it never took the build (the step started dbt itself)
        dbt.info["standby"] = "unused"
        return
    dbt.work_cpu_s += usage.ru_utime + usage.ru_stime
    dbt.peak_mb = max(dbt.peak_mb, usage.ru_maxrss / 1024)
    dbt.info["standby"] = "ran the build"


def print_table(run: SizeRun) -> None:
    per_m = run.rows / 1e6
    print(f"{'step':<28}{'wall s':>8}{'work s':>8}{'cpu s':>8}{'peak MB':>9}"
          f"{'wall s/M rows':>15}  notes")
    for name, step in run.steps.items():
        label = {"raw_duckdb": "ref: raw DuckDB", "pandas": "ref: pandas"}.get(name, name)
        notes = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                          for k, v in step.info.items() if k not in {"file_id"})
        print(f"{label:<28}{step.wall_s:>8.2f}{step.work_s:>8.2f}{step.work_cpu_s:>8.2f}"
              f"{step.peak_mb:>9.0f}{step.wall_s / per_m:>15.2f}  {notes}")
    print(f"{'pipeline (land+ingest+dbt)':<28}{run.pipeline_wall_s:>8.2f}{'':>16}"
          f"{run.pipeline_peak_mb:>9.0f}{run.pipeline_wall_s / per_m:>15.2f}")


def linearity(small: SizeRun | None, large: SizeRun) -> dict[str, float]:
    """Per step: time per million rows at the large size / at the small size."""
    if small is None:
        return {}
    ratios = {}
    for name in PIPELINE_STEPS:
        # work_s leaves out the child's interpreter start-up, a fixed cost that would flatter
        # the large size.
        small_rate = small.steps[name].work_s / small.rows
        large_rate = large.steps[name].work_s / large.rows
        ratios[name] = large_rate / small_rate
    return ratios


def summary(large: SizeRun, ratios: dict[str, float]) -> str:
    linear = "not measured" if not ratios else verdict(
        all(r <= LINEAR_TOLERANCE for r in ratios.values())
    ) + " (" + ", ".join(f"{k} x{v:.2f}" for k, v in ratios.items()) + ")"
    raw, pandas = large.steps["raw_duckdb"], large.steps["pandas"]
    raw_ratio = large.pipeline_wall_s / raw.wall_s
    memory_share = large.pipeline_peak_mb / pandas.peak_mb
    return (
        f"SUMMARY rows={large.rows:,} pipeline_wall={large.pipeline_wall_s:.1f}s "
        f"pipeline/raw_duckdb={raw_ratio:.2f}x "
        f"[<={TARGET_RAW_DUCKDB_RATIO}x {verdict(raw_ratio <= TARGET_RAW_DUCKDB_RATIO)}] "
        f"pandas={pandas.wall_s:.1f}s [faster {verdict(large.pipeline_wall_s < pandas.wall_s)}] "
        f"peak={large.pipeline_peak_mb:.0f}MB={memory_share:.2f} of pandas' "
        f"[<={TARGET_PANDAS_MEMORY_SHARE} {verdict(memory_share <= TARGET_PANDAS_MEMORY_SHARE)}] "
        f"ingest_work/raw_duckdb={large.data_work_ratio:.2f}x (cpu {large.data_work_cpu_ratio:.2f}x) "
        f"linear={linear} load={os.getloadavg()[0]:.1f}/{os.cpu_count()}cpu"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path,
                        help="work here and keep it (default: a temporary folder, then removed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument("--no-scaling", action="store_true",
                        help="skip the run at a tenth of the size (no linearity figure)")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        child_main(args.step, args.workdir, args.rows)
        return 0

    # A folder named with --workdir is the caller's: it is never deleted.
    keep = args.keep or args.workdir is not None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="reeflow-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"work folder {workdir}; {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f} "
          "(other processes share the machine: figures move with the load)")
    try:
        small = None if args.no_scaling else run_size(workdir, max(args.rows // 10, 1000))
        large = run_size(workdir, args.rows)
        print()
        print(summary(large, linearity(small, large)))
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
