"""Staged Parquet: one file per landed input and dataset, read by dbt as external sources.

Ingest never writes the warehouse (DuckDB allows one writer); dbt reads these files. Each
dataset folder also holds `_empty.parquet`, a schema-only file, so a dataset with no input yet
still exposes its columns and the dbt sources' globs always match something.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ingest import settings
from ingest.landing import LandedFile
from ingest.quarantine import QuarantinedRow

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("file_id", pa.string()),
        ("file_name", pa.string()),
        ("row_number", pa.int64()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)


@dataclass
class ParseResult:
    rows: pd.DataFrame
    quarantined: list[QuarantinedRow]


@dataclass
class StageReport:
    dataset: str
    files_parsed: int = 0
    files_skipped: int = 0
    rows: int = 0
    quarantined: int = 0


class FileRejected(Exception):
    """The whole file is unusable (wrong encoding, truncated, not the expected layout)."""


def _root(staged_dir: Path | None) -> Path:
    return Path(staged_dir) if staged_dir is not None else settings.staged_dir()


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    pq.write_table(table, tmp)
    os.replace(tmp, path)  # a killed run leaves a .part file, never a half-written .parquet


def frame_to_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise ValueError(f"parsed rows lack columns {missing}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


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
    parse: Callable[[LandedFile], ParseResult],
    parser_version: int,
    staged_dir: Path | None = None,
    on_file: Callable[[LandedFile, ParseResult | None], None] | None = None,
) -> StageReport:
    """Parse every landed file not yet staged with this parser version.

    Good rows go to `<dataset>/<file_id>.v<version>.parquet`, bad rows to
    `quarantine/<dataset>__<file_id>.parquet`. Files staged by an older parser version are
    replaced, so a parser fix re-stages everything it touches and nothing twice.
    """
    folder = ensure_dataset(dataset, schema, staged_dir)
    quarantine_folder = ensure_dataset("quarantine", QUARANTINE_SCHEMA, staged_dir)
    report = StageReport(dataset)
    for landed in files:
        target = folder / f"{landed.file_id}.v{parser_version}.parquet"
        if target.exists():
            report.files_skipped += 1
            continue
        try:
            result = parse(landed)
        except FileRejected as exc:
            result = ParseResult(
                rows=schema.empty_table().to_pandas(),
                quarantined=[
                    QuarantinedRow(
                        source=landed.source,
                        file_id=landed.file_id,
                        file_name=landed.original_name,
                        row_number=None,
                        reason=f"file rejected: {exc}",
                        raw="",
                    )
                ],
            )
        quarantine_table = pa.Table.from_pylist(
            [asdict(row) for row in result.quarantined], schema=QUARANTINE_SCHEMA
        )
        write_parquet_atomic(
            quarantine_table, quarantine_folder / f"{dataset}__{landed.file_id}.parquet"
        )
        write_parquet_atomic(frame_to_table(result.rows, schema), target)
        for stale in folder.glob(f"{landed.file_id}.v*.parquet"):
            if stale != target:
                stale.unlink()
        report.files_parsed += 1
        report.rows += len(result.rows)
        report.quarantined += len(result.quarantined)
        if on_file is not None:
            on_file(landed, result)
    return report


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
    folder = ensure_dataset("landed_files", LANDED_FILES_SCHEMA, staged_dir)
    write_parquet_atomic(pa.Table.from_pylist(rows, schema=LANDED_FILES_SCHEMA), folder / "manifest.parquet")
    return len(rows)
