"""dbt models, seeds and tests as Dagster assets and asset checks.

Everything that writes the working DuckDB file runs in the `duckdb` pool (limit 1): DuckDB
allows one writer process per file.
"""


import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from ingest import settings
from orchestration.defs.resources import dbt_project

DUCKDB_POOL = "duckdb"
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


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, pool=DUCKDB_POOL)
def reeflow_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # dbt runs inside dbt_project/: hand it absolute paths so both sides read the same files.
    os.environ.update(settings.dbt_env())
    settings.work_database_path().parent.mkdir(parents=True, exist_ok=True)
    yield from dbt.cli(["build"], context=context).stream()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[reeflow_dbt_models])
