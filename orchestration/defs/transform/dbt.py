"""dbt models, seeds and tests as Dagster assets and asset checks.

Everything that writes the working DuckDB file runs in the `duckdb` pool (limit 1): DuckDB
allows one writer process per file. dbt is started through `reeflow-dbt`
(orchestration/dbt_launcher.py), which starts it inside the data folder and ties it to this
process, or hands the command to the dbt standby `reeflow run` started
(orchestration/dbt_standby.py).

The build leaves dbt's unit tests to CI (`make test` runs them, tests/integration/
test_dbt_unit_tests.py): they test the models' SQL on fixed inputs, which a production run does
not change (dbt's own advice). A run whose inputs are exactly those of the last complete build
reuses it (orchestration/dbt_build_state.py): no dbt process, the models reported as they stand,
the dbt tests' outcomes of that build reported and recorded again for this run.
"""

import graphlib
import shutil
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from expectations.outcome import ExpectationOutcome
from orchestration import check_results, dbt_build_state, run_steps
from orchestration.defs.resources import dbt_project

DUCKDB_POOL = "duckdb"
# --no-write-json: nothing reads the build's artifacts (dagster-dbt reads dbt's log lines; the step
# times come from them too), and writing them (manifest.json twice, run_results.json, the graph)
# took about a second of each build.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]
# dagster-dbt gives each `dbt build` its own target folder (a few MB: the compiled and run SQL,
# dbt's log, its saved parse); the newest few are kept to look into, older ones (and those of
# killed runs) go.
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
    # Only a build of everything, unpartitioned, is recorded or reused.
    whole = not context.is_subset and not context.has_partition_key
    inputs = dbt_build_state.inputs_fingerprint(BUILD_ARGS) if whole else None
    standing = dbt_build_state.standing_build(inputs) if inputs else None
    if standing is not None and _covers_selected_checks(context, standing):
        yield from _reuse(context, standing)
        return
    dbt_build_state.forget()
    _prune_invocation_targets(context.op_execution_context.op.name)
    # dbt tests come back as asset checks (blocking when their severity is error: a failure
    # makes `dbt build` fail, and with it this step, so nothing downstream is published).
    # Their outcomes are also kept for quality.check_results, even when the build fails.
    tests: dict[str, list[ExpectationOutcome]] = defaultdict(list)
    timings = run_steps.DbtLog()
    invocation = dbt.cli(BUILD_ARGS, context=context)
    try:
        for event in _dagster_events(invocation, timings):
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
        run_steps.record_dbt(context.run.run_id, timings.layers())
    if inputs:  # reached only when dbt succeeded: the stream raises on a failed build
        dbt_build_state.remember(inputs, context.run.run_id, dict(tests))


def _dagster_events(invocation: DbtCliInvocation, timings: run_steps.DbtLog):
    """What `invocation.stream()` yields, each of dbt's log lines also shown to `timings`."""
    for line in invocation.stream_raw_events():
        timings.see(line.raw_event)
        yield from line.to_default_asset_events(
            manifest=invocation.manifest, dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context, target_path=invocation.target_path, project=invocation.project,
        )


def _covers_selected_checks(context: dg.AssetExecutionContext, standing: dbt_build_state.StandingBuild) -> bool:
    recorded = {(asset, outcome.expectation) for asset, outcomes in standing.tests.items() for outcome in outcomes}
    return all((key.asset_key.to_user_string(), key.name) in recorded for key in context.selected_asset_check_keys)


def _reuse(context: dg.AssetExecutionContext, standing: dbt_build_state.StandingBuild):
    """Report the standing build: its models as they are, its tests' outcomes for this run too."""
    why = f"not rebuilt: nothing dbt reads changed since the build of run {standing.run_id}"
    context.log.info(f"dbt build skipped: {why}")
    run_steps.record_dbt(context.run.run_id, {"skipped": why})
    for asset, outcomes in standing.tests.items():
        check_results.record(context.run.run_id, asset, outcomes, kind="dbt")
    selected = {(key.asset_key.to_user_string(), key.name) for key in context.selected_asset_check_keys}
    # Dagster wants a multi-asset's outputs in dependency order, each asset before its checks.
    specs = {spec.key: spec for spec in context.assets_def.specs}
    upstream = {key: {dep.asset_key for dep in specs[key].deps} & context.selected_asset_keys
                for key in context.selected_asset_keys}
    for key in graphlib.TopologicalSorter(upstream).static_order():
        yield dg.MaterializeResult(asset_key=key, metadata={"dbt": why})
        for outcome in standing.tests.get(key.to_user_string(), []):
            if (key.to_user_string(), outcome.expectation) in selected:
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name=outcome.expectation,
                    passed=outcome.passed,
                    severity=dg.AssetCheckSeverity(outcome.severity),
                    metadata={"status": outcome.sample, "dagster_dbt/failed_row_count": outcome.unexpected_count,
                              "result_of_run": standing.run_id},
                )


def _prune_invocation_targets(op_name: str) -> None:
    folders = sorted(dbt_project.project_dir.joinpath(dbt_project.target_path).glob(f"{op_name}-*"),
                     key=lambda folder: folder.stat().st_mtime)
    for folder in folders[: max(len(folders) - TARGETS_KEPT + 1, 0)]:
        shutil.rmtree(folder, ignore_errors=True)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[reeflow_dbt_models])
