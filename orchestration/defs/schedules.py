"""The jobs, and the schedules that start them at their sources' rhythm.

- `reeflow_main` (what `reeflow run` runs): land and stage every source, build, check, publish.
  Never fetches: the embedded data and the inboxes need no network.
- `comtrade_fetch`: the Comtrade API fetch, one year partition (or a range) at a time.

Every schedule is off until switched on (README, "Running it in production"): a fresh clone must
not start calling an API or rebuilding on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import dagster as dg

from orchestration.defs.ingest.comtrade import ComtradeFetchConfig, comtrade_api_answers
from orchestration.interrupted_runs import MAIN_JOB

# Runs of the main job launched by the daemon wait for each other (dagster.yaml limits runs with
# this tag to one): each lands and stages the same datasets before dbt's pool serialises them.
MAIN_RUN_TAGS = {"reeflow/writes": "warehouse"}
REFRESH_TAG = "reeflow/refresh"
# Comtrade's annual data for a year arrives during the next year and is revised after: the two
# latest complete years are asked again every month, older ones only by a backfill.
OPEN_YEARS = 2

main_job = dg.define_asset_job(
    name=MAIN_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(comtrade_api_answers),
    description="Land and stage every source, build the warehouse with dbt, check it, publish it.",
    tags=MAIN_RUN_TAGS,
)

comtrade_fetch_job = dg.define_asset_job(
    name="comtrade_fetch",
    selection=dg.AssetSelection.assets(comtrade_api_answers),
    description="Land UN Comtrade API answers for the chosen years (files only, no warehouse); "
                "the main job then stages and builds them.",
)


def open_years(moment: datetime) -> list[str]:
    """The year partitions a monthly refresh asks again for, newest first."""
    return [str(moment.year - back) for back in range(1, OPEN_YEARS + 1)]


@dg.schedule(
    name="comtrade_monthly",
    job=comtrade_fetch_job,
    cron_schedule="0 4 5 * *",  # the 5th of each month, 04:00 UTC
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=f"Monthly trade refresh: the {OPEN_YEARS} latest complete years asked again "
                "(answers landed before this month); new or revised answers start the main job.",
)
def comtrade_monthly(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    tick = context.scheduled_execution_time
    month_start = tick.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    config = ComtradeFetchConfig(refetch_landed_before=month_start.isoformat())
    for year in open_years(tick):
        yield dg.RunRequest(
            run_key=f"{year}@{month_start:%Y-%m}",
            partition_key=year,
            run_config=dg.RunConfig(ops={comtrade_api_answers.op.name: config}),
            tags={REFRESH_TAG: "trade"},
        )


def main_job_refresh(name: str, cron: str, refresh: str, description: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=name, job=main_job, cron_schedule=cron, execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.STOPPED, tags={REFRESH_TAG: refresh}, description=description,
    )


# Producers report a quarter four to six weeks after it ends (ingest/catalog.py): the middle of
# the quarter's second month picks up what was dropped in the disclosure inboxes, and flags
# a producer whose report is late (the freshness checks).
disclosures_quarterly = main_job_refresh(
    "disclosures_quarterly", "0 5 15 2,5,8,11 *", "disclosures",
    "Quarterly disclosure refresh: the main job, after producers' quarterly reports.",
)

# USGS publishes the Mineral Commodity Summaries in late January: on 1 February the new edition
# (dropped in data/inbox/usgs_mcs/) is landed, or the reference source is flagged STALE.
reference_yearly = main_job_refresh(
    "reference_yearly", "0 5 1 2 *", "reference",
    "Yearly reference refresh: the main job, after the USGS MCS edition's release.",
)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        jobs=[main_job, comtrade_fetch_job],
        schedules=[comtrade_monthly, disclosures_quarterly, reference_yearly],
    )
