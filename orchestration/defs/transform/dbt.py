"""dbt models, seeds and tests as Dagster assets and asset checks.

Everything that writes the working DuckDB file runs in the `duckdb` pool (limit 1): DuckDB
allows one writer process per file. dbt is started through `reeflow-dbt`
(orchestration/dbt_launcher.py), which hands it the data paths and ties it to this process.
"""

import shutil
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from expectations.runner import ExpectationOutcome
from ingest import settings
from orchestration import check_results
from orchestration.defs.resources import dbt_project

DUCKDB_POOL = "duckdb"
# dagster-dbt gives each `dbt build` its own target folder (tens of MB: manifest, run results,
# logs); the newest few are kept to look into, older ones (and those of killed runs) go.
TARGETS_KEPT = 3
# A busy working database: another process holds DuckDB's lock on the file (an analyst's tool
# that opened reeflow.work.duckdb for writing, a `reeflow publish` copying it). DuckDB names it
# so in its IOException; dbt stops at once. Worth waiting for, unlike a failed test.
DUCKDB_LOCK_ERROR = "Could not set lock on file"
# 1, 2, then 4 minutes apart (each +-50 %), about 7 minutes in all before the step fails.
BUSY_DATABASE_RETRY = dg.RetryPolicy(
    max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# dbt folder (second fqn part) -> Dagster group; seeds are the reference model.
_LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts", "quality": "quality"}


class ReeflowTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "seed":
            return spec.replace_attributes(group_name="reference")
        if props["resource_type"] == "model":
            layer = props["fqn"][1] if len(props["fqn"]) > 2 else "marts"
            return spec.replace_attributes(group_name=_LAYER_GROUPS.get(layer, "marts"))
        return spec


translator = ReeflowTranslator(
    # landed_files and quarantine are both produced by the ingest/landed_files asset.
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


def _test_outcome(result: dg.AssetCheckResult) -> ExpectationOutcome:
    """A dbt test's result as a row of quality.check_results, beside the GX expectations."""
    metadata = {key: getattr(value, "value", value) for key, value in result.metadata.items()}
    failures = metadata.get("dagster_dbt/failed_row_count")
    return ExpectationOutcome(
        suite="dbt",
        expectation=result.check_name or "",
        severity=result.severity.value,
        passed=result.passed,
        unexpected_count=int(failures or 0),
        sample=str(metadata.get("status", "")),
    )


def is_busy_database(error: BaseException) -> bool:
    return DUCKDB_LOCK_ERROR in str(error)


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, pool=DUCKDB_POOL,
            retry_policy=BUSY_DATABASE_RETRY)
def reeflow_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    settings.work_database_path().parent.mkdir(parents=True, exist_ok=True)
    _prune_invocation_targets(context.op_execution_context.op.name)
    # dbt tests come back as asset checks (blocking when their severity is error: a failure
    # makes `dbt build` fail, and with it this step, so nothing downstream is published).
    # Their outcomes are also kept for quality.check_results, even when the build fails.
    tests: dict[str, list[ExpectationOutcome]] = defaultdict(list)
    try:
        for event in dbt.cli(["build"], context=context).stream():
            if isinstance(event, dg.AssetCheckResult) and event.asset_key is not None:
                tests[event.asset_key.to_user_string()].append(_test_outcome(event))
            yield event
    except DagsterDbtCliRuntimeError as error:
        # Only a busy database is retried: a failed ERROR test would fail the same way again.
        error.allow_retries = is_busy_database(error)
        raise
    finally:
        for asset, outcomes in tests.items():
            check_results.record(context.run.run_id, asset, outcomes, kind="dbt")


def _prune_invocation_targets(op_name: str) -> None:
    folders = sorted(dbt_project.project_dir.joinpath(dbt_project.target_path).glob(f"{op_name}-*"),
                     key=lambda folder: folder.stat().st_mtime)
    for folder in folders[: max(len(folders) - TARGETS_KEPT + 1, 0)]:
        shutil.rmtree(folder, ignore_errors=True)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[reeflow_dbt_models])
