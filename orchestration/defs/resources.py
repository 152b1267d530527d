"""Resources: the dbt CLI, pointed at the project and at the virtualenv's own dbt."""


import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest import settings

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
# Builds the manifest when running `dagster dev`; a deployed run uses the one `make` prepared.
dbt_project.prepare_if_dev()


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": DbtCliResource(
                project_dir=dbt_project,
                profiles_dir=str(settings.DBT_PROJECT_DIR),
                dbt_executable=settings.dbt_executable(),
            )
        }
    )
