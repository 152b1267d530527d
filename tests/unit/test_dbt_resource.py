"""The dbt resource starts dbt without first opening dbt's adapter in the Dagster process."""

from __future__ import annotations

import inspect

from dagster_dbt import DbtCliResource

from orchestration.defs.resources import ReeflowDbtCli, resources


def test_the_adapter_dagster_dbt_would_open_is_skipped():
    # The override only helps while dagster-dbt's `cli` opens its adapter through this method:
    # if a new dagster-dbt renames it, this fails instead of the 2 s quietly coming back.
    assert "self._initialize_dbt_core_adapter(" in inspect.getsource(DbtCliResource.cli)
    assert isinstance(resources().resources["dbt"], ReeflowDbtCli)
