"""Great-expectations suites (expectations/) as blocking Dagster asset checks.

Each check reads its model from the working database read-only into a DataFrame, validates it,
and keeps the outcome per run as Parquet; the publish step loads those files into
`quality.check_results`. A failed ERROR expectation blocks publishing; WARN is recorded.
"""


from dataclasses import asdict
from datetime import UTC, datetime

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa

from expectations.runner import validate
from expectations.severity import ERROR
from expectations.suites import all_suites
from ingest import settings
from ingest.staged import write_parquet_atomic
from orchestration.defs.transform.dbt import DUCKDB_POOL


def check_results_dir():
    return settings.data_dir() / "quality" / "check_results"


def _read_model(model: str) -> pd.DataFrame:
    # Read-only and brief: the connection closes before the next writer needs the file.
    with duckdb.connect(str(settings.work_database_path()), read_only=True) as con:
        return con.sql(f'select * from main."{model}"').df()


def _expectation_check(model: str, suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([model]),
        name=f"gx_{model}",
        blocking=True,
        pool=DUCKDB_POOL,
        description=f"great-expectations suite {suite.name}: ERROR expectations block publishing.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        outcomes = validate(_read_model(model), suite)
        checked_at = datetime.now(UTC).replace(tzinfo=None)
        rows = [
            {"run_id": context.run.run_id, "checked_at": checked_at, "asset": model,
             "check_name": outcome.expectation, **asdict(outcome)}
            for outcome in outcomes
        ]
        write_parquet_atomic(
            pa.Table.from_pylist(rows), check_results_dir() / f"{context.run.run_id}__{model}.parquet"
        )
        failed = [o for o in outcomes if not o.passed]
        errors = [o for o in failed if o.severity == ERROR]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
            metadata={
                "expectations": len(outcomes),
                "failed": "; ".join(f"{o.expectation} x{o.unexpected_count} {o.sample}" for o in failed) or "none",
            },
        )

    return _check


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[_expectation_check(m, s) for m, s in all_suites().items()])
