"""Resources: the dbt CLI, pointed at the project and started through `reeflow-dbt`; the UN
Comtrade API client."""

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest import settings
from ingest.sources.comtrade import ComtradeClient
from orchestration import dbt_manifest
from orchestration.dbt_launcher import launcher_path

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
# `dagster dev` / `dg dev` reload the definitions after an edit: refresh the manifest then, the
# one way every caller does (it parses only when the project changed). Elsewhere the manifest
# is prepared before the definitions load (`reeflow run`, `make manifest`), never at import.
if dbt_project.preparer.using_dagster_dev():
    dbt_manifest.ensure_manifest()


class ComtradeApi(dg.ConfigurableResource):
    """The UN Comtrade API (ingest/sources/comtrade/client.py). Its key is read by the client
    from COMTRADE_API_KEY when a call is made and is never a field here: resource settings are
    stored with every run, in plain text."""

    base_url: str | None = None  # None: COMTRADE_BASE_URL, else the public API
    # At most one call a second (the client's own default); 429s are still honoured.
    min_interval_s: float = 1.0
    # Each call's own retries (429, 5xx, cut-off answers), backing off 1, 2, 4, ... seconds.
    max_retries: int = 5
    backoff_s: float = 1.0

    def client(self) -> ComtradeClient:
        return ComtradeClient(self.base_url, min_interval_s=self.min_interval_s,
                              max_retries=self.max_retries, backoff_s=self.backoff_s)


class ReeflowDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without the in-process dbt adapter it opens before each dbt
    command (2 s of a run): that adapter only fetches row counts and column metadata on
    request (`fetch_row_counts()`, `fetch_column_metadata()`), which reeflow never asks for.
    dagster-dbt carries on without one (as for dbt Fusion)."""

    def _initialize_dbt_core_adapter(self, args):
        return None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": ReeflowDbtCli(
                project_dir=dbt_project,
                profiles_dir=str(settings.DBT_PROJECT_DIR),
                dbt_executable=launcher_path(),
            ),
            "comtrade_api": ComtradeApi(),
        }
    )
