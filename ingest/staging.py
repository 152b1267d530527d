"""Staging: parse landed files into Parquet, one file per landed input and dataset, which dbt
reads as external sources.

Ingest never writes the warehouse (DuckDB allows one writer); dbt reads these files. Each
dataset folder also holds `_empty.parquet`, a schema-only file, so a dataset with no input yet
still exposes its columns and the dbt sources' globs always match something.

The names of staged files are made here and nowhere else:
- good rows: `<dataset>/<file_id>.v<parser version>.parquet`
- bad rows: `quarantine/<dataset>__<file_id>.parquet`
- the landing manifest: `landed_files/manifest.parquet`
"""

from __future__ import annotations

import errno
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ingest import settings
from ingest.contract import (
    QUARANTINE_SCHEMA,
    FileRejected,
    Parser,
    ParseResult,
    QuarantinedRow,
    StageWriter,
    check_size,
)
from ingest.landing import LandedFile, change_since_landing

logger = logging.getLogger(__name__)

QUARANTINE_DATASET = "quarantine"
MANIFEST_DATASET = "landed_files"
_STAGED_NAME = "{file_id}.v{version}.parquet"
_QUARANTINE_NAME = "{dataset}__{file_id}.parquet"
_MACHINE_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


@dataclass
class StageReport:
    dataset: str
    files_parsed: int = 0
    files_skipped: int = 0
    rows: int = 0
    quarantined: int = 0
    out_of_scope: int = 0


def _root(staged_dir: Path | None) -> Path:
    return Path(staged_dir) if staged_dir is not None else settings.staged_dir()


def staged_file(folder: Path, file_id: str, parser_version: int | str) -> Path:
    """Where the good rows of one landed file go, in its dataset's folder ("*": any version)."""
    return folder / _STAGED_NAME.format(file_id=file_id, version=parser_version)


def quarantine_file(quarantine_folder: Path, dataset: str, file_id: str) -> Path:
    """Where the bad rows of one landed file go ("*" as dataset: whichever dataset)."""
    return quarantine_folder / _QUARANTINE_NAME.format(dataset=dataset, file_id=file_id)


def dataset_glob(dataset: str, staged_dir: Path | None = None) -> str:
    """Every Parquet file of a dataset folder (the name must already be checked)."""
    return str(_root(staged_dir) / dataset / "*.parquet")


def files_staged_from(file_id: str, staged_dir: Path | None = None) -> list[Path]:
    """Every staged and quarantine file made from one landed file, in any dataset."""
    staged = staged_file(Path("*"), file_id, "*")
    return sorted(_root(staged_dir).glob(str(staged))) + quarantine_files_of(file_id, staged_dir)


def quarantine_files_of(file_id: str, staged_dir: Path | None = None) -> list[Path]:
    """The quarantine files of one landed file (one per dataset it was staged into)."""
    quarantined = quarantine_file(Path(QUARANTINE_DATASET), "*", file_id)
    return sorted(_root(staged_dir).glob(str(quarantined)))


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    pq.write_table(table, tmp)
    os.replace(tmp, path)  # a killed run leaves a .part file, never a half-written .parquet


def frame_to_table(frame: pd.DataFrame | pa.Table, schema: pa.Schema) -> pa.Table:
    columns = frame.column_names if isinstance(frame, pa.Table) else frame.columns
    missing = [name for name in schema.names if name not in columns]
    if missing:
        raise ValueError(f"parsed rows lack columns {missing}")
    if isinstance(frame, pa.Table):
        return frame.select(schema.names).cast(schema)
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def _check_written(path: Path, schema: pa.Schema) -> None:
    # Names and types must match; nullability may not: DuckDB marks a column it knows holds no
    # NULL as required, which every reader (dbt's union_by_name included) accepts.
    written = pq.read_schema(path)
    if [(f.name, f.type) for f in written] != [(f.name, f.type) for f in schema]:
        raise ValueError(f"{path.name} was written with schema\n{written}\nnot\n{schema}")


def ensure_dataset(dataset: str, schema: pa.Schema, staged_dir: Path | None = None) -> Path:
    folder = _root(staged_dir) / dataset
    empty = folder / "_empty.parquet"
    if not empty.exists() or pq.read_schema(empty) != schema:
        write_parquet_atomic(schema.empty_table(), empty)
    return folder


def stage_landed_files(
    files: Iterable[LandedFile],
    *,
    dataset: str,
    schema: pa.Schema,
    parse: Parser | None = None,
    parser_version: int,
    staged_dir: Path | None = None,
    on_file: Callable[[LandedFile, ParseResult | None], None] | None = None,
    write: StageWriter | None = None,
    max_bytes: int | None = None,
) -> StageReport:
    """Parse every landed file not yet staged with this parser version.

    Good rows go to `<dataset>/<file_id>.v<version>.parquet`, bad rows to
    `quarantine/<dataset>__<file_id>.parquet`. Files staged by an older parser version are
    replaced, so a parser fix re-stages everything it touches and nothing twice. With `write`,
    that is called instead of `parse` and may write the Parquet itself.

    One file never stops the others: a file over `max_bytes`, one its parser rejects, and one
    whose parser fails in any other way (a bug, a cell longer than the CSV reader takes, JSON
    nested too deeply) is quarantined whole, with the reason, and staged as empty, so later
    runs do not parse it again until the parser version changes. Only a fault of the machine
    (disk full) stops staging, since it is no fault of the file.
    """
    if write is None and parse is None:
        raise ValueError(f"staging {dataset} needs a parse or a write function")
    folder = ensure_dataset(dataset, schema, staged_dir)
    quarantine_folder = ensure_dataset(QUARANTINE_DATASET, QUARANTINE_SCHEMA, staged_dir)
    report = StageReport(dataset)
    for landed in files:
        target = staged_file(folder, landed.file_id, parser_version)
        if target.exists():
            report.files_skipped += 1
            continue
        part = target.with_name(target.name + ".part")
        try:
            check_size(landed.original_name, landed.size_bytes, max_bytes, landed.source)
            if changed := change_since_landing(landed):
                raise FileRejected(changed)
            result = write(landed, part) if write is not None else parse(landed)
            # A parser's rows of the wrong shape are its failure too: checked before anything
            # of this file is kept.
            rows = None if result.rows is None else frame_to_table(result.rows, schema)
            if rows is None:
                _check_written(part, schema)
        except Exception as exc:
            part.unlink(missing_ok=True)
            if is_machine_fault(exc):
                raise
            result = ParseResult(
                rows=None, quarantined=[QuarantinedRow.of(landed, None, rejection_reason(exc))]
            )
            rows = schema.empty_table()
            if not isinstance(exc, FileRejected):
                logger.warning("%s: %s", landed.original_name, result.quarantined[0].reason,
                               exc_info=exc)
        quarantine_table = pa.Table.from_pylist(
            [asdict(row) for row in result.quarantined], schema=QUARANTINE_SCHEMA
        )
        write_parquet_atomic(
            quarantine_table, quarantine_file(quarantine_folder, dataset, landed.file_id)
        )
        if rows is None:  # the writer wrote the good rows to the .part file
            os.replace(part, target)
        else:
            write_parquet_atomic(rows, target)
        for stale in folder.glob(staged_file(folder, landed.file_id, "*").name):
            if stale != target:
                stale.unlink()
        report.files_parsed += 1
        report.rows += result.row_count
        report.quarantined += len(result.quarantined)
        report.out_of_scope += result.out_of_scope
        if on_file is not None:
            on_file(landed, result)
    return report


FILE_REJECTED = "file rejected: "  # how the quarantine reason of a whole file begins


def rejection_reason(exc: Exception) -> str:
    """The quarantine reason of a whole file: the parser's own words for a rejection, else the
    exception's class and message (QuarantinedRow.of cuts either short: it may quote a huge
    cell or column name)."""
    if isinstance(exc, FileRejected):
        return f"{FILE_REJECTED}{exc}"
    return f"{FILE_REJECTED}its parser failed with {type(exc).__name__}: {exc}"


def is_machine_fault(exc: BaseException) -> bool:
    """A full disk or quota: the next run may succeed, so the file is not quarantined."""
    if isinstance(exc, OSError) and exc.errno in _MACHINE_ERRNOS:
        return True
    return isinstance(exc, duckdb.IOException) and "No space left on device" in str(exc)


LANDED_FILES_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("source", pa.string()),
        ("original_name", pa.string()),
        ("path", pa.string()),
        ("sha256", pa.string()),
        ("size_bytes", pa.int64()),
        ("fetched_at", pa.string()),
        ("request_json", pa.string()),
        ("vintage", pa.string()),
        ("row_count", pa.int64()),
    ]
)


def stage_manifest(entries: Iterable[LandedFile], staged_dir: Path | None = None) -> int:
    """Snapshot the landing manifest as Parquet so dbt can join every row to its file."""
    rows = [
        {
            **{name: getattr(entry, name) for name in LANDED_FILES_SCHEMA.names if hasattr(entry, name)},
            "request_json": json.dumps(entry.request, sort_keys=True),
        }
        for entry in entries
    ]
    folder = ensure_dataset(MANIFEST_DATASET, LANDED_FILES_SCHEMA, staged_dir)
    write_parquet_atomic(pa.Table.from_pylist(rows, schema=LANDED_FILES_SCHEMA), folder / "manifest.parquet")
    return len(rows)
