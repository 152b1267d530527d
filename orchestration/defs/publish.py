"""The published snapshot: materialized only when every blocking check upstream passed."""

import dagster as dg

from orchestration import publishing, run_steps
from orchestration.check_results import check_results_dir
from orchestration.defs.transform.dbt import DUCKDB_POOL, reeflow_dbt_models
from orchestration.printable import escaped


@dg.asset(
    key=[run_steps.PUBLISH_STEP],
    group_name="publish",
    deps=list(reeflow_dbt_models.keys),
    pool=DUCKDB_POOL,
    kinds={"duckdb"},
    description="The DuckDB file analysts and BI tools open (DuckDB 1.4 format), switched in atomically.",
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    result = publishing.publish(
        check_results_glob=str(check_results_dir() / "*.parquet"), run_id=context.run.run_id
    )
    context.log.info(f"published {result.tables} tables to {escaped(result.path)}")
    return dg.MaterializeResult(
        metadata={
            "path": str(result.path),
            "tables": result.tables,
            "previous_snapshot": str(result.previous_snapshot or "none"),
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[published_warehouse])
