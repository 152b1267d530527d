"""dbt is handed no data path: its parse serves every data folder, and its working database
names the staged files relative to the data folder."""

from __future__ import annotations

import duckdb
import pytest

from ingest import settings
from ingest.catalog import kinds_by_dataset
from ingest.staging import ensure_dataset
from tests.integration.dbt_steps import dbt_cli

pytestmark = pytest.mark.integration


def test_a_new_data_folder_does_not_make_dbt_parse_the_project_again(reeflow_env):
    """The repository's manifest was parsed for another data folder (conftest, or `make manifest`
    on a deploy); dbt in this test's new folder reuses that parse instead of redoing it (~9 s)."""
    invocation = dbt_cli("ls", "--debug", "--resource-type", "seed")
    events = [event.raw_event["info"] for event in invocation.stream_raw_events()]
    invocation.wait()
    names = {event["name"] for event in events}
    reparse = [event["msg"] for event in events if event["name"] == "UnableToPartialParse"]
    assert "UnableToPartialParse" not in names, reparse
    assert "PartialParsingEnabled" in names or "PartialParsingSkipParsing" in names, sorted(names)


def test_the_working_database_views_read_the_staged_files_from_anywhere(reeflow_env, monkeypatch, tmp_path):
    """dbt's staging views name the staged Parquet relative to the data folder; a reader
    elsewhere opens the working database with `work_database_config()` and they still read."""
    for dataset, kinds in kinds_by_dataset().items():
        ensure_dataset(dataset, kinds[0].schema)  # a dataset with no input yet: its schema file
    dbt_cli("run", "--select", "+stg_comtrade__flows").wait()
    monkeypatch.chdir(tmp_path)
    with duckdb.connect(str(settings.work_database_path()), read_only=True,
                        config=settings.work_database_config()) as con:
        assert con.execute("select count(*) from staging.stg_comtrade__flows").fetchone() == (0,)
    with duckdb.connect(str(settings.work_database_path()), read_only=True) as con, \
            pytest.raises(duckdb.IOException, match="staged/comtrade_records"):
        con.execute("select count(*) from staging.stg_comtrade__flows")
