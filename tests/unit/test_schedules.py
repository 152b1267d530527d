"""The schedules, evaluated as the daemon would at a given tick."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from orchestration.definitions import defs
from orchestration.defs.ingest.comtrade import comtrade_api_answers, comtrade_years
from orchestration.defs.schedules import (
    REFRESH_TAG,
    comtrade_fetch_job,
    comtrade_monthly,
    disclosures_quarterly,
    main_job,
    reference_yearly,
)


def test_the_monthly_trade_refresh_asks_again_for_the_two_open_years():
    tick = datetime(2026, 5, 5, 4, 0, tzinfo=UTC)
    requests = list(comtrade_monthly(dg.build_schedule_context(scheduled_execution_time=tick)))
    assert [request.partition_key for request in requests] == ["2025", "2024"]
    job = defs.resolve_job_def(comtrade_fetch_job.name)
    for request in requests:
        config = request.run_config["ops"][comtrade_api_answers.op.name]["config"]
        assert config["refetch_landed_before"] == "2026-05-01T00:00:00+00:00"
        assert request.tags[REFRESH_TAG] == "trade"
        assert dg.validate_run_config(job, request.run_config)  # the job accepts it
    # One run per year and month: the same tick evaluated twice asks for the same runs.
    again = list(comtrade_monthly(dg.build_schedule_context(scheduled_execution_time=tick)))
    assert [r.run_key for r in again] == [r.run_key for r in requests] == ["2025@2026-05", "2024@2026-05"]
    june = list(comtrade_monthly(dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 6, 5, 4, 0, tzinfo=UTC))))
    assert {r.run_key for r in june}.isdisjoint(r.run_key for r in requests)


def test_a_refresh_in_january_asks_for_partitions_that_exist():
    tick = datetime(2026, 1, 5, 4, 0, tzinfo=UTC)
    requests = list(comtrade_monthly(dg.build_schedule_context(scheduled_execution_time=tick)))
    existing = comtrade_years.get_partition_keys(current_time=tick)
    assert requests and all(r.partition_key in existing for r in requests)


def test_disclosure_and_reference_refreshes_run_the_main_job_at_their_sources_rhythm():
    assert disclosures_quarterly.job.name == reference_yearly.job.name == main_job.name
    quarterly = disclosures_quarterly.evaluate_tick(dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 5, 15, 5, 0, tzinfo=UTC)))
    assert quarterly.run_requests[0].tags[REFRESH_TAG] == "disclosures"
    # minute hour day-of-month month day-of-week: after each quarter's reports, and MCS's release.
    assert disclosures_quarterly.cron_schedule.split()[2:4] == ["15", "2,5,8,11"]
    assert reference_yearly.cron_schedule.split()[2:4] == ["1", "2"]


def test_every_schedule_is_off_until_switched_on():
    for schedule in defs.schedules:
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED, schedule.name
