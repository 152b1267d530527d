"""The trade models are incremental by year: a build rebuilds only the years whose staged inputs
changed (a revised Comtrade answer, a retraction), leaves the others as they were, and ends up
holding exactly what a full build holds. On Comtrade API answers in the real format, through the
same dbt selection as benchmarks/trade_years.py."""

from __future__ import annotations

import time

import duckdb
import pytest

from benchmarks import trade_scale, trade_years
from ingest import settings
from ingest.catalog import SOURCE_KINDS, stage
from ingest.landing import LandedFile, land_bytes, read_manifest
from ingest.retractions import retract
from ingest.sources.comtrade import SOURCE_API
from ingest.staging import stage_manifest
from tests.builders import api_answer, record

DECLARATIONS = trade_years.DECLARATIONS


def land_answer(year: int, kg: float) -> LandedFile:
    """Japan's (392) imports from China (156) in `year`, as the API answers them."""
    body = api_answer([record(reporter=392, partner=156, flow="M", period=str(year), kg=kg, usd=kg * 40)])
    query = {"reporterCode": "392", "period": str(year), "cmdCode": "280530", "flowCode": "M"}
    entry, _ = land_bytes(body, source=SOURCE_API, name=f"comtrade_r392_t{year}.json",
                          request={"api": "comtrade/v1", "dataset": "C/A/HS", "query": query})
    return entry


def build(workdir) -> None:
    stage(SOURCE_KINDS[SOURCE_API])
    stage_manifest(read_manifest())
    trade_scale.run_dbt(workdir, trade_years.DBT_BUILD)


def by_year() -> dict[int, tuple[str, float]]:
    """year -> (the invocation that built it, product tonnes declared)."""
    with duckdb.connect(str(settings.work_database_path()), read_only=True) as con:
        rows = con.execute(f"select year, any_value(built_by_invocation_id), sum(product_t) from {DECLARATIONS} "
                           "group by year").fetchall()
    return {year: (invocation, product_t) for year, invocation, product_t in rows}


def flows_by_year() -> dict[int, float]:
    with duckdb.connect(str(settings.work_database_path()), read_only=True) as con:
        return dict(con.execute("select year, sum(product_t) from fct_trade_flows group by year").fetchall())


def trade_tables() -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.work_database_path()), read_only=True) as con:
        declared = con.execute(f"select * exclude (built_by_invocation_id) from {DECLARATIONS} order by all")
        return {"declarations": declared.fetchall(),
                "fct_trade_flows": con.execute("select * from fct_trade_flows order by all").fetchall()}


@pytest.fixture
def workdir(reeflow_env):
    trade_scale.step_setup(reeflow_env, 0)()  # staged datasets, countries, dbt parsed
    return reeflow_env


def test_only_the_changed_year_is_rebuilt_and_the_result_equals_a_full_build(workdir):
    land_answer(2022, kg=1000.0)
    land_answer(2023, kg=2000.0)
    build(workdir)
    first = by_year()
    assert {year: tonnes for year, (_, tonnes) in first.items()} == {2022: 1.0, 2023: 2.0}
    assert first[2022][0] == first[2023][0]  # one build made both

    build(workdir)  # nothing new
    assert by_year() == first

    time.sleep(1.1)  # landings are dated to the second; the revision must come later
    revision = land_answer(2023, kg=2500.0)  # Japan revised 2023
    build(workdir)
    revised = by_year()
    assert revised[2022] == first[2022]  # left alone
    assert revised[2023][0] != first[2023][0] and revised[2023][1] == 2.5  # rebuilt, the revision wins
    assert flows_by_year() == {2022: pytest.approx(1.0), 2023: pytest.approx(2.5)}
    incremental = trade_tables()

    trade_scale.run_dbt(workdir, [*trade_years.DBT_BUILD, "--full-refresh"])
    assert trade_tables() == incremental  # what a full build holds
    full = by_year()

    retract(revision.file_id, "test: the revision was wrong")  # its staged rows go
    build(workdir)
    retracted = by_year()
    assert retracted[2022] == full[2022]
    assert retracted[2023][0] != full[2023][0] and retracted[2023][1] == 2.0  # the earlier answer again
    assert flows_by_year() == {2022: pytest.approx(1.0), 2023: pytest.approx(2.0)}
