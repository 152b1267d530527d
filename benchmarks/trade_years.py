"""Years of Comtrade bulk trade landed one after another: the cost of each year, and of a re-run
that brings nothing new.

    python benchmarks/trade_years.py [--rows N] [--years 5] [--first-year 2019] [--workdir DIR] [--keep]

One generated year (benchmarks/comtrade_bulk_generator.py; 10 million lines by default, a year of
all-country HS6 trade) is landed as five years, 2019 to 2023: the same lines dated each year (the
history case of issue 13). Each year goes through the pipeline in one data folder, timed step by
step, each step in its own process (wall time with its interpreter's start, peak memory with its
children, as benchmarks/trade_scale.py measures):
- land: hash and copy the year's file into landing;
- ingest: stage what is not staged yet, this year's file only (ingest/staging.py skips files
  already staged by the same parser version), then the landing manifest;
- dbt: build the trade models; they are incremental by year (macros/trade_years.sql), so only
  the new year is built; the table says which years each build rebuilt.
Then a re-run with nothing new: ingest finds every file staged, so no staged input changed and
dbt has nothing to rebuild: it is not started. dbt started anyway (every year found unchanged) is
timed too: the main job starts `dbt build` on every run, so that is what it adds to a re-run.

Targets (issue 10): each further year costs at most 1.2x the first; the no-change re-run at most
10 % of it. The generated file of each year is deleted once landed (10 million lines are 1.44 GB);
the work folder is temporary unless --workdir or --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

# DBT_BUILD: the trade models and what they read, tests included; unit tests are CI's.
from benchmarks import trade_scale  # noqa: E402  (after the path is set)
from benchmarks.trade_scale import DBT_BUILD, verdict  # noqa: E402

TARGET_YEAR_RATIO = 1.2
TARGET_RERUN_RATIO = 0.10
DECLARATIONS = "intermediate.int_trade_declarations_annualized"


@dataclass
class Step:
    wall_s: float
    peak_mb: float
    work_s: float
    info: dict


# -- the steps, each run in a child process ----------------------------------------------------

def csv_path(workdir: Path, rows: int, year: int) -> Path:
    return workdir / "input" / f"COMTRADE-FINAL-CA-{year}-sample-{rows}.csv"


def step_generate(workdir: Path, rows: int, year: int) -> dict:
    from benchmarks.comtrade_bulk_generator import generate

    generated = generate(csv_path(workdir, rows, year), rows, year=year)
    return {"size_bytes": generated.size_bytes, "rare_earth_rows": generated.rare_earth_rows,
            "bad_rare_earth_rows": generated.bad_rare_earth_rows}


def step_land(workdir: Path, rows: int, year: int) -> dict:
    from ingest.landing import land_file
    from ingest.sources.comtrade import SAMPLE_VINTAGE, SOURCE_BULK

    entry, is_new = land_file(csv_path(workdir, rows, year), source=SOURCE_BULK, vintage=SAMPLE_VINTAGE)
    return {"file_id": entry.file_id, "new": is_new}


def step_ingest(workdir: Path, rows: int, year: int) -> dict:
    from ingest.catalog import SOURCE_KINDS, stage
    from ingest.landing import read_manifest
    from ingest.sources.comtrade import SOURCE_BULK
    from ingest.staging import stage_manifest

    report = stage(SOURCE_KINDS[SOURCE_BULK])
    stage_manifest(read_manifest())  # what the landed_files asset does after ingest
    return {"files_parsed": report.files_parsed, "files_already_staged": report.files_skipped,
            "staged": report.rows, "quarantined": report.quarantined}


def step_dbt(workdir: Path, rows: int, year: int) -> dict:
    import duckdb

    from ingest import settings

    trade_scale.run_dbt(workdir, DBT_BUILD)
    with duckdb.connect(str(settings.work_database_path()), read_only=True) as con:
        built = con.execute(f"select year, any_value(built_by_invocation_id), count(*) from {DECLARATIONS} "
                            "group by year order by year").fetchall()
        flows = con.execute("select count(*) from fct_trade_flows").fetchone()[0]
    return {"built_by": {str(y): invocation for y, invocation, _ in built},
            "declarations": {str(y): count for y, _, count in built}, "fct_trade_flows": flows}


def step_setup(workdir: Path, rows: int, year: int) -> dict:
    return trade_scale.step_setup(workdir, rows)()


STEPS = {"generate": step_generate, "setup": step_setup, "land": step_land, "ingest": step_ingest,
         "dbt": step_dbt}


def child_main(name: str, workdir: Path, rows: int, year: int) -> None:
    started = time.perf_counter()
    info = STEPS[name](workdir, rows, year)
    print(json.dumps({"work_s": time.perf_counter() - started, "info": info}, default=str))


def run_step(name: str, workdir: Path, rows: int, year: int = 0) -> Step:
    """One step in a child process: its wall time and peak memory (with its children)."""
    args = ["--step", name, "--rows", str(rows), "--workdir", str(workdir), "--year", str(year)]
    wall, peak_mb, report = trade_scale.run_child(__file__, args, workdir, rows, f"{name} ({year})")
    return Step(wall, peak_mb, report["work_s"], report["info"])


# -- the run and its report --------------------------------------------------------------------

@dataclass
class YearRun:
    label: str
    steps: dict[str, Step]
    rebuilt: list[str]

    @property
    def wall_s(self) -> float:
        return sum(step.wall_s for step in self.steps.values())

    @property
    def peak_mb(self) -> float:
        return max((step.peak_mb for step in self.steps.values()), default=0.0)


def rebuilt_years(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Years whose rows a build made (a new invocation id), in order."""
    return [year for year, invocation in after.items() if before.get(year) != invocation]


def land_year(workdir: Path, rows: int, year: int, built_by: dict[str, str]) -> YearRun:
    generated = run_step("generate", workdir, rows, year)
    print(f"{year}: generated {generated.info['size_bytes'] / 1e6:,.0f} MB "
          f"({generated.info['rare_earth_rows']:,} rare-earth lines) in {generated.wall_s:.1f} s", flush=True)
    steps = {"land": run_step("land", workdir, rows, year)}
    csv_path(workdir, rows, year).unlink()  # landed: the generated copy is not needed any more
    steps["ingest"] = run_step("ingest", workdir, rows, year)
    expected = generated.info["rare_earth_rows"] - generated.info["bad_rare_earth_rows"]
    if (steps["ingest"].info["files_parsed"], steps["ingest"].info["staged"]) != (1, expected):
        raise SystemExit(f"{year}: staged {steps['ingest'].info}, expected this year's file alone, {expected} rows")
    steps["dbt"] = run_step("dbt", workdir, rows, year)
    return YearRun(str(year), steps, rebuilt_years(built_by, steps["dbt"].info["built_by"]))


def rerun(workdir: Path, rows: int, built_by: dict[str, str]) -> tuple[YearRun, Step]:
    """Nothing new: ingest stages nothing, so dbt is not started; then dbt forced, for comparison."""
    ingest = run_step("ingest", workdir, rows)
    if ingest.info["files_parsed"]:
        raise SystemExit(f"the re-run staged something: {ingest.info}")
    forced = run_step("dbt", workdir, rows)
    return YearRun("re-run", {"ingest": ingest}, []), forced


def print_table(runs: list[YearRun], forced: Step, forced_rebuilt: list[str]) -> None:
    first = runs[0].wall_s
    print(f"\n{'':<10}{'land s':>8}{'ingest s':>10}{'dbt s':>8}{'total s':>9}{'x first':>9}{'peak MB':>9}"
          "  years the build rebuilt")
    for run in runs:
        cells = [f"{run.steps[name].wall_s:>{width}.2f}" if name in run.steps else f"{'-':>{width}}"
                 for name, width in (("land", 8), ("ingest", 10), ("dbt", 8))]
        rebuilt = ", ".join(run.rebuilt) if run.rebuilt else ("none (dbt not started)" if run.label == "re-run"
                                                              else "none")
        print(f"{run.label:<10}{''.join(cells)}{run.wall_s:>9.2f}{run.wall_s / first:>9.2f}{run.peak_mb:>9.0f}"
              f"  {rebuilt}")
    print(f"{'(dbt forced on the re-run)':<36}{forced.wall_s:>8.2f}{'':>9}{forced.wall_s / first:>9.2f}"
          f"{forced.peak_mb:>9.0f}  {', '.join(forced_rebuilt) or 'none'}")
    total = sum(run.wall_s for run in runs if run.label != "re-run")
    print(f"{'years total':<36}{total:>17.2f}")


def summary(runs: list[YearRun], forced: Step, rows: int) -> str:
    years, again = [run for run in runs if run.label != "re-run"], runs[-1]
    first = years[0].wall_s
    worst = max((run.wall_s / first for run in years[1:]), default=1.0)
    rerun_ratio = again.wall_s / first
    return (
        f"SUMMARY rows={rows:,}/year years={len(years)} first={first:.1f}s total={sum(r.wall_s for r in years):.1f}s "
        f"worst_further_year={worst:.2f}x [<={TARGET_YEAR_RATIO}x {verdict(worst <= TARGET_YEAR_RATIO)}] "
        f"no_change_rerun={rerun_ratio:.1%} [<={TARGET_RERUN_RATIO:.0%} {verdict(rerun_ratio <= TARGET_RERUN_RATIO)}] "
        f"(dbt forced on it: {(again.wall_s + forced.wall_s) / first:.1%}) "
        f"load={os.getloadavg()[0]:.1f}/{os.cpu_count()}cpu"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="lines of each generated year")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--first-year", type=int, default=2019)
    parser.add_argument("--workdir", type=Path, help="work here and keep it (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        child_main(args.step, args.workdir, args.rows, args.year)
        return 0

    keep = args.keep or args.workdir is not None  # a folder named with --workdir is the caller's
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="reeflow-years-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"work folder {workdir}; {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f} "
          "(other processes share the machine: figures move with the load)", flush=True)
    try:
        run_step("setup", workdir, args.rows)
        runs: list[YearRun] = []
        built_by: dict[str, str] = {}
        for year in range(args.first_year, args.first_year + args.years):
            runs.append(land_year(workdir, args.rows, year, built_by))
            built_by = runs[-1].steps["dbt"].info["built_by"]
        again, forced = rerun(workdir, args.rows, built_by)
        runs.append(again)
        print_table(runs, forced, rebuilt_years(built_by, forced.info["built_by"]))
        print()
        print(summary(runs, forced, args.rows))
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
