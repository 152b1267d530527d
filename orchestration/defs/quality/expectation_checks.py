"""Great-expectations suites (expectations/) as blocking Dagster asset checks.

Every guard of `expectations.registry` becomes one check named `gx_<name>`:
- a mart suite checks the dbt model's asset; it reads the model from the working database
  (read-only, in the `duckdb` pool);
- a staged suite checks the `["ingest", <dataset>]` asset; it reads
  `data/staged/<dataset>/*.parquet`, so a failure stops the run before dbt builds anything.
  A dataset with no input yet holds only its schema file and passes.

Each check keeps its outcome per run as Parquet (orchestration/check_results.py); the publish
step loads them all into `quality.check_results`. A suite that meets exactly the rows it
validated before, with the same code, reuses those outcomes (orchestration/expectation_cache.py)
and records them for this run: great-expectations is then not even imported. Under `reeflow run`
a suite may validate in a second process that imported great-expectations while the run started
(orchestration/validation_worker.py). A failed ERROR expectation blocks
everything downstream (nothing is published); a failed WARN is recorded and shown.
"""


import dagster as dg
import duckdb
import pandas as pd

from expectations.outcome import ExpectationOutcome
from expectations.registry import MART, Guard, mart_guards, staged_guards
from expectations.severity import ERROR
from ingest import settings
from ingest.catalog import read_dataset
from ingest.sqlsafe import quote_identifier
from orchestration import check_results, expectation_cache, validation_worker
from orchestration.defs.transform.dbt import DUCKDB_POOL


def read_model(model: str) -> pd.DataFrame:
    # Read-only and brief: the connection closes before the next writer needs the file.
    with duckdb.connect(str(settings.work_database_path()), read_only=True) as con:
        tables = [name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'"
        ).fetchall()]
        return con.sql(f"select * from main.{quote_identifier(model, tables)}").df()


def check_result(outcomes: list[ExpectationOutcome], validated_by: str | None = None) -> dg.AssetCheckResult:
    failed = [o for o in outcomes if not o.passed]
    errors = [o for o in failed if o.severity == ERROR]
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        metadata={
            # The run that validated these very rows (this one, or an earlier one: reused).
            **({"validated_by_run": validated_by} if validated_by else {}),
            "expectations": len(outcomes),
            "failed": "; ".join(
                f"{o.severity} {o.expectation} x{o.unexpected_count} {o.sample}" for o in failed
            ) or "none",
        },
    )


def _guard_check(guard: Guard) -> dg.AssetChecksDefinition:
    is_mart = guard.layer == MART
    asset_key = dg.AssetKey([guard.name]) if is_mart else dg.AssetKey(["ingest", guard.name])
    read = read_model if is_mart else read_dataset

    @dg.asset_check(
        asset=asset_key,
        name=f"gx_{guard.name}",
        blocking=True,
        # Marts are read from the working database, which dbt writes: one process at a time.
        pool=DUCKDB_POOL if is_mart else None,
        description=f"great-expectations suite over {'model' if is_mart else 'staged dataset'} "
        f"{guard.name} (expectations/{'suites' if is_mart else 'staged'}/{guard.name}.py): "
        "ERROR expectations block publishing, WARN is recorded.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        frame = read(guard.name)
        cache_name = f"{guard.layer}/{guard.name}"
        cache_key = expectation_cache.key(cache_name, frame)
        cached = expectation_cache.lookup(cache_name, cache_key)
        if cached is not None:
            outcomes, validated_by = cached.outcomes, cached.run_id
        else:
            outcomes, validated_by = validation_worker.validate(guard, frame), context.run.run_id
            expectation_cache.store(cache_name, cache_key, validated_by, outcomes)
        check_results.record(context.run.run_id, asset_key.to_user_string(), outcomes, "gx")
        return check_result(outcomes, validated_by)

    return _check


@dg.definitions
def defs() -> dg.Definitions:
    guards = [*mart_guards().values(), *staged_guards().values()]
    return dg.Definitions(asset_checks=[_guard_check(guard) for guard in guards])
