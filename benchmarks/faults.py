"""Hostile and unlucky inputs through ingest: what each costs in time and memory (issue 14).

    python benchmarks/faults.py [--workdir DIR] [--mb 200] [--records 350000] [--case NAME]

Each case makes its input, lands it as a user would (the inbox path: size limit first) and
stages it, in a child process of its own, in a fresh data folder. Printed per case: wall time,
peak memory of the process (ru_maxrss), and what happened (rows staged, the quarantine reason, or
why it was not landed). The last line says whether every case stayed under PEAK_LIMIT_MB.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

PEAK_LIMIT_MB = 600
BULK_HEADER = ("typeCode,freqCode,refYear,refMonth,period,reporterCode,partnerCode,flowCode,"
               "classificationCode,cmdCode,netWgt,primaryValue\n")
GOOD_BULK_LINE = "C,A,2023,52,2023,156,392,X,H6,284690,1200000,9800000\n"


# -- inputs: each writes its file and returns (source kind, path) -------------------------------

def _noise(path: Path, megabytes: int, head: str = "") -> None:
    """`head`, then base64 noise (76-character lines, as `base64` prints them) to `megabytes`."""
    block = base64.encodebytes(os.urandom(57 * 1000)).decode()  # 1,000 lines of 77 bytes
    with open(path, "w") as out:
        out.write(head)
        out.writelines(block for _ in range(megabytes * (1 << 20) // len(block)))


def bulk_noise(folder: Path, mb: int, records: int) -> tuple[str, Path]:
    path = folder / "comtrade-noise.csv"
    _noise(path, mb, BULK_HEADER)
    return "comtrade_bulk", path


def bulk_noise_after_good_lines(folder: Path, mb: int, records: int) -> tuple[str, Path]:
    """Good lines first (the head check passes), noise after: the whole scan must decide."""
    path = folder / "comtrade-noise-tail.csv"
    _noise(path, mb, BULK_HEADER + GOOD_BULK_LINE * 50_000)
    return "comtrade_bulk", path


def bulk_long_cell(folder: Path, mb: int, records: int) -> tuple[str, Path]:
    """A garbled cell of `mb` MB in the middle of good lines: that line quarantined, the rest
    staged."""
    path = folder / "comtrade-long-cell.csv"
    before, after = GOOD_BULK_LINE.split(",H6,", 1)
    with open(path, "w") as out:  # written a megabyte at a time: the child's peak is staging's
        out.write(BULK_HEADER + GOOD_BULK_LINE * 50_000 + before + ",H6")
        out.writelines("9" * (1 << 20) for _ in range(mb))
        out.write("," + after + GOOD_BULK_LINE * 50_000)
    return "comtrade_bulk", path


def usgs_text(folder: Path, mb: int, records: int) -> tuple[str, Path]:
    path = folder / "mcs2026-raree_world.csv"
    _noise(path, mb, "Source,Country,Prod_t_2024\n")
    return "usgs_mcs", path


def api_answer(folder: Path, mb: int, records: int) -> tuple[str, Path]:
    from tests.builders import record

    path = folder / "answer.json"
    base = record()
    with open(path, "w") as out:
        out.write(f'{{"elapsedTime": "1 secs", "count": {records}, "data": [')
        for number in range(records):
            item = dict(base, partnerCode=number % 250, netWgt=float(number))
            out.write(("," if number else "") + json.dumps(item))
        out.write('], "error": ""}')
    return "comtrade_api", path


def deep_json(folder: Path, mb: int, records: int) -> tuple[str, Path]:
    path = folder / "deep.json"
    path.write_bytes(b'{"data": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    return "comtrade_bulk", path


def long_cell(folder: Path, mb: int, records: int) -> tuple[str, Path]:
    from ingest import settings

    lines = (settings.EMBEDDED_DIR / "usgs_mcs" / "mcs2025-raree_world.csv").read_text(
        encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace(",", "," + "x" * 200_000, 1)
    path = folder / "mcs2025-long-cell.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "usgs_mcs", path


CASES: dict[str, Callable[[Path, int, int], tuple[str, Path]]] = {
    "bulk: header then noise": bulk_noise,
    "bulk: good lines then noise": bulk_noise_after_good_lines,
    "bulk: a garbled cell of --mb MB": bulk_long_cell,
    "usgs_mcs: a large text file": usgs_text,
    "comtrade_api: a large answer": api_answer,
    "comtrade_bulk: JSON 200,000 deep": deep_json,
    "usgs_mcs: a 200,000-char cell": long_cell,
}


# -- one case in a child process -------------------------------------------------------------------

def child(case: str, workdir: Path, mb: int, records: int) -> dict:
    """Make the input, then (timed) land it as the inbox does and stage it."""
    import pyarrow.parquet as pq

    from ingest import settings
    from ingest.catalog import SOURCE_KINDS, land_input, stage
    from ingest.contract import FileTooLarge
    from ingest.staging import QUARANTINE_DATASET

    kind_name, path = CASES[case](workdir, mb, records)
    kind = SOURCE_KINDS[kind_name]
    started = time.perf_counter()
    try:
        land_input(kind, path)
    except FileTooLarge as exc:
        return {"s": time.perf_counter() - started, "size": path.stat().st_size,
                "outcome": f"not landed: {exc}"}
    report = stage(kind)
    seconds = time.perf_counter() - started
    quarantine = pq.read_table(settings.staged_dir() / QUARANTINE_DATASET).to_pylist()
    whole = [row["reason"] for row in quarantine if row["row_number"] is None]
    outcome = whole[0] if whole else f"{report.rows:,} rows staged, {report.quarantined:,} quarantined"
    return {"s": seconds, "size": path.stat().st_size, "outcome": outcome}


def run_case(case: str, workdir: Path, mb: int, records: int) -> tuple[dict, float]:
    folder = workdir / case.replace(" ", "_").replace(":", "").replace(",", "")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = {**os.environ, "REEFLOW_DATA_DIR": str(folder / "data"), "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, __file__, "--child", case, "--workdir", str(folder),
               "--mb", str(mb), "--records", str(records)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return {"s": float("nan"), "size": 0, "outcome": f"FAILED (exit {status})"}, usage.ru_maxrss / 1024
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--mb", type=int, default=200, help="size of the large text inputs")
    parser.add_argument("--records", type=int, default=350_000, help="records of the API answer")
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.workdir, args.mb, args.records)))
        return 0
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="reeflow-faults-"))
    print(f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}; work folder {workdir}")
    print(f"{'case':<34}{'input MB':>9}{'wall s':>8}{'peak MB':>9}  outcome")
    worst = 0.0
    try:
        for case in args.case or CASES:
            result, peak = run_case(case, workdir, args.mb, args.records)
            worst = max(worst, peak)
            print(f"{case:<34}{result['size'] / 1e6:>9.1f}{result['s']:>8.1f}{peak:>9.0f}  "
                  f"{result['outcome'][:150]}", flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    verdict = "met" if worst < PEAK_LIMIT_MB else "MISSED"
    print(f"SUMMARY worst peak {worst:.0f} MB [<{PEAK_LIMIT_MB} MB {verdict}] "
          f"load={os.getloadavg()[0]:.1f}/{os.cpu_count()}cpu")
    return 0


if __name__ == "__main__":
    sys.exit(main())
