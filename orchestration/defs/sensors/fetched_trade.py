"""After a Comtrade fetch lands new answers, the main job stages and builds them.

The fetch job only lands files; this sensor closes the loop. A fetch that landed nothing new (a
refresh whose answers were unchanged) starts nothing, and neither does one finishing while a
main run is still waiting to start: that run reads the landing manifest when it starts, so it
stages these answers too (a backfill of many years makes one build, not one per year).
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.schedules import comtrade_fetch_job, main_job
from orchestration.interrupted_runs import MAIN_JOB

AFTER_FETCH_TAG = "reeflow/after_fetch"
_WAITING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]


def landed_something(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Did the fetch run's materializations say it landed a new file?"""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        files_new = materialization.metadata.get("files_new") if materialization else None
        if files_new is not None and files_new.value:
            return True
    return False


@dg.run_status_sensor(
    name="build_after_comtrade_fetch",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[comtrade_fetch_job],
    request_job=main_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the main job when a Comtrade fetch run landed new answers.",
)
def build_after_comtrade_fetch(context: dg.RunStatusSensorContext):
    fetch_run = context.dagster_run
    if not landed_something(context.instance, fetch_run.run_id):
        return dg.SkipReason(f"fetch run {fetch_run.run_id} landed nothing new")
    waiting = context.instance.get_runs(filters=dg.RunsFilter(job_name=MAIN_JOB, statuses=_WAITING), limit=1)
    if waiting:
        return dg.SkipReason(f"main run {waiting[0].run_id} has not started yet: it stages these answers")
    return dg.RunRequest(run_key=f"after-fetch:{fetch_run.run_id}", tags={AFTER_FETCH_TAG: fetch_run.run_id})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[build_after_comtrade_fetch])
