"""Resources: the dbt CLI, pointed at the project and started through `reeflow-dbt`."""

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest import settings
from orchestration import dbt_manifest
from orchestration.dbt_launcher import launcher_path

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
# `dagster dev` / `dg dev` reload the definitions after an edit: refresh the manifest then, the
# one way every caller does (it parses only when the project changed). Elsewhere the manifest
# is prepared before the definitions load (`reeflow run`, `make manifest`), never at import.
if dbt_project.preparer.using_dagster_dev():
    dbt_manifest.ensure_manifest()


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": DbtCliResource(
                project_dir=dbt_project,
                profiles_dir=str(settings.DBT_PROJECT_DIR),
                dbt_executable=launcher_path(),
            )
        }
    )
