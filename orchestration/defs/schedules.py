"""The main job (ingest -> dbt -> checks -> publish) and its schedule."""

import dagster as dg

main_job = dg.define_asset_job(
    name="reeflow_main",
    selection=dg.AssetSelection.all(),
    description="Land and stage every source, build the warehouse with dbt, check it, publish it.",
)

# Weekly: the sources publish yearly or quarterly, and a run is cheap. Off until switched on.
weekly_refresh = dg.ScheduleDefinition(
    name="reeflow_weekly",
    job=main_job,
    cron_schedule="0 5 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[main_job], schedules=[weekly_refresh])
