"""dbt's parse of the project serves every data folder: dbt is handed no data path."""

from __future__ import annotations

import pytest

from ingest import settings
from orchestration.defs.resources import resources

pytestmark = pytest.mark.integration


def test_a_new_data_folder_does_not_make_dbt_parse_the_project_again(reeflow_env):
    """The repository's manifest was parsed for another data folder (conftest, or `make manifest`
    on a deploy); dbt in this test's new folder reuses that parse instead of redoing it (~9 s)."""
    dbt = resources().resources["dbt"]
    invocation = dbt.cli(["ls", "--debug", "--resource-type", "seed"], target_path=settings.data_dir() / "dbt_target")
    events = [event.raw_event["info"] for event in invocation.stream_raw_events()]
    invocation.wait()
    names = {event["name"] for event in events}
    reparse = [event["msg"] for event in events if event["name"] == "UnableToPartialParse"]
    assert "UnableToPartialParse" not in names, reparse
    assert "PartialParsingEnabled" in names or "PartialParsingSkipParsing" in names, sorted(names)
