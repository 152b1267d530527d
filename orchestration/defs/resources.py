"""Resources: the dbt CLI, pointed at the project and at the virtualenv's own dbt."""


import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest import settings

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
# Builds the manifest when running `dagster dev`; a deployed run uses the one `make` prepared.
dbt_project.prepare_if_dev()


def dbt_executable() -> str:
    """The dbt next to this interpreter: `.venv/bin/reeflow` runs without an activated venv."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": DbtCliResource(
                project_dir=dbt_project,
                profiles_dir=str(settings.DBT_PROJECT_DIR),
                dbt_executable=dbt_executable(),
            )
        }
    )
