"""Check outcomes kept per run as Parquet, loaded into `quality.check_results` on publish.

Every kind of check writes here: great-expectations suites (marts and staged datasets), dbt
tests and source freshness. One file per run, asset and kind of check, written atomically, so a
killed run leaves whole files or none. Plain Python: the checks, the publish step and the CLI
share it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from expectations.outcome import ExpectationOutcome
from ingest import settings
from ingest.staging import write_parquet_atomic

# quality.check_results: one row per expectation, dbt test or freshness rule, per run.
CHECK_RESULTS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("checked_at", pa.timestamp("us")),
        ("asset", pa.string()),  # the Dagster asset, e.g. fct_mine_production, ingest/countries
        ("check_name", pa.string()),
        ("suite", pa.string()),  # the GX suite, or dbt, or freshness
        ("expectation", pa.string()),
        ("severity", pa.string()),  # ERROR blocks publishing, WARN is recorded
        ("passed", pa.bool_()),
        ("unexpected_count", pa.int64()),
        ("sample", pa.string()),
    ]
)


def check_results_dir() -> Path:
    return settings.data_dir() / "quality" / "check_results"


def record(run_id: str, asset: str, outcomes: list[ExpectationOutcome], kind: str) -> Path:
    """Write one run's outcomes for one asset and kind of check (gx, dbt, freshness)."""
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"run_id": run_id, "checked_at": checked_at, "asset": asset,
         "check_name": outcome.expectation, **asdict(outcome)}
        for outcome in outcomes
    ]
    path = check_results_dir() / ("__".join([run_id, *asset.split("/"), kind]) + ".parquet")
    write_parquet_atomic(pa.Table.from_pylist(rows, schema=CHECK_RESULTS_SCHEMA), path)
    return path
